//! A tiny SMTP server for the tests: speaks enough of RFC 5321 for lettre
//! (greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT) and
//! records every message it accepted, so a test can count what a real SMTP
//! peer received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and encoded body, CRLF lines, dots unstuffed).
    pub data: String,
}

impl Received {
    /// A header's raw value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }

    /// The plain-text body, decoded from its transfer encoding (7bit, 8bit,
    /// base64 or quoted-printable), with `\n` line ends.
    pub fn body(&self) -> String {
        let raw = self
            .data
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_owned();
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(raw.split_whitespace().collect::<String>())
                .unwrap(),
            "quoted-printable" => quoted_printable(&raw),
            _ => raw.into_bytes(),
        };
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    }
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.split("\r\n").collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_end_matches([' ', '\t']);
        let (line, soft) = match line.strip_suffix('=') {
            Some(l) => (l, true),
            None => (line, false),
        };
        let b = line.as_bytes();
        let mut j = 0;
        while j < b.len() {
            if b[j] == b'=' && j + 2 < b.len() {
                let hex = std::str::from_utf8(&b[j + 1..j + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                j += 3;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
        if !soft && i + 1 < lines.len() {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// A running sink.
pub struct SmtpSink {
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Listens on `addr` (retrying the bind for a few seconds, in case the
    /// port is briefly held) and accepts any mail.
    pub async fn start(addr: SocketAddr) -> SmtpSink {
        let started = Instant::now();
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(e) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(10),
                        "cannot bind the SMTP sink to {addr}: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, store.clone()));
            }
        });
        SmtpSink { received, task }
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Stops listening.
    pub fn stop(self) {
        self.task.abort();
    }
}

async fn session(stream: TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !reply(&mut write, "220 sink.test ESMTP ready\r\n").await {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    loop {
        let mut line = Vec::new();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => "250 OK\r\n",
            "RSET" => {
                from.clear();
                to.clear();
                "250 OK\r\n"
            }
            "MAIL" => {
                from = address(&line);
                to.clear();
                "250 OK\r\n"
            }
            "RCPT" => {
                to.push(address(&line));
                "250 OK\r\n"
            }
            "DATA" => {
                if !reply(&mut write, "354 end with <CRLF>.<CRLF>\r\n").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut l = Vec::new();
                    match lines.read_until(b'\n', &mut l).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let l = String::from_utf8_lossy(&l).into_owned();
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                store.lock().unwrap().push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 OK queued\r\n"
            }
            "QUIT" => {
                let _ = reply(&mut write, "221 bye\r\n").await;
                return;
            }
            _ => "502 command not implemented\r\n",
        };
        if !reply(&mut write, answer).await {
            return;
        }
    }
}

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    w.write_all(text.as_bytes()).await.is_ok()
}

/// The address between `<` and `>` of a MAIL FROM / RCPT TO line.
fn address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or_else(String::new, |(a, _)| a.to_owned())
}
