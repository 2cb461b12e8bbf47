//! Load harness of the upload path, end to end over loopback against the
//! real `archportal` binary (a separate process, so that its memory can be
//! read from `/proc/<pid>/status`).
//!
//! 1. Ingest: a 500 MB part streamed into `POST /api/objects/{id}/documents/{kind}`
//!    (the request carries only the `pdf` part, so it ends with the
//!    "both files required" refusal right after streaming and no check
//!    reads it back): MB/s and the server's RSS growth (VmHWM after minus
//!    VmRSS before). Targets: at least 300 MB/s, under 64 MB.
//! 2. Accepted pairs: a 50 MB and a 500 MB PDF/A-1b (a large image) with a
//!    DOCX, streamed, stored, checked (through memory maps of the stored
//!    files) and committed: MB/s end to end, and the growth of the server's
//!    anonymous memory (`RssAnon`, sampled every few milliseconds: heap,
//!    what the checks cost) and of its total RSS (`VmHWM`, which also counts
//!    the mapped file's page cache, shared and reclaimable).
//!
//! `make bench-docs` (or `cargo bench -p archportal-api --bench upload`).

#![expect(clippy::unwrap_used, reason = "a harness: a panic is a failed run")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use archportal_domain::docx::testing::minimal_docx;
use archportal_domain::pdfa::testing::Fixture;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const MB: u64 = 1_000_000;

fn status_kb(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

async fn gql(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    q: &str,
    v: Value,
) -> Value {
    let mut req = client
        .post(format!("{base}/graphql"))
        .json(&json!({"query": q, "variables": v}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let body: Value = req.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> String {
    let d = gql(
        client,
        base,
        None,
        "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken } }",
        json!({"e": email, "p": "a very long password"}),
    )
    .await;
    d["login"]["accessToken"].as_str().unwrap().to_owned()
}

/// A stream of `total` bytes in 1 MiB chunks of one pattern: costs the
/// client no memory.
fn pattern_body(total: u64) -> reqwest::Body {
    let chunk = bytes::Bytes::from(vec![b'%'; 1 << 20]);
    let mut left = total;
    let stream = futures::stream::iter(std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = left.min(chunk.len() as u64);
        left -= n;
        Some(Ok::<_, std::io::Error>(chunk.slice(..n as usize)))
    }));
    reqwest::Body::wrap_stream(stream)
}

fn big_pdf(size: usize) -> Vec<u8> {
    let width = 1024;
    let height = size / (width * 3);
    let len = width * height * 3;
    let mut object = format!(
        "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {len} >>\nstream\n"
    )
    .into_bytes();
    object.reserve(len + 16);
    object.extend((0..len).map(|i| b'A' + (i * 7 % 26) as u8));
    object.extend_from_slice(b"\nendstream");
    let mut f = Fixture::new("Техникалық тапсырма\nТехническое задание");
    f.extra_objects.push(String::from_utf8(object).unwrap());
    f.build()
}

/// Peaks of the server's memory (kB) sampled while a request runs.
struct Sampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<u64>,
}

impl Sampler {
    /// Starts sampling `RssAnon` of `pid` every 2 ms.
    fn start(pid: u32) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(status_kb(pid, "RssAnon:"));
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            peak.max(status_kb(pid, "RssAnon:"))
        });
        Self { stop, handle }
    }

    /// The peak `RssAnon` seen.
    fn finish(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

/// Uploads an accepted pair with a PDF of about `size` bytes and prints
/// throughput and memory.
async fn accepted_pair(client: &reqwest::Client, url: &str, token: &str, pid: u32, size: usize) {
    let pdf = big_pdf(size);
    let docx = minimal_docx(&["Техникалық тапсырма", "Техническое задание"]);
    let total = (pdf.len() + docx.len()) as f64;
    let rss_before = status_kb(pid, "VmRSS:");
    let anon_before = status_kb(pid, "RssAnon:");
    let sampler = Sampler::start(pid);
    let started = Instant::now();
    let form = Form::new()
        .part("pdf", Part::bytes(pdf).file_name("big.pdf"))
        .part("docx", Part::bytes(docx).file_name("big.docx"));
    let res = client
        .post(url)
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    let anon_peak = sampler.finish();
    let hwm = status_kb(pid, "VmHWM:");
    assert_eq!(status.as_u16(), 201, "{body}");
    println!(
        "accepted {} MB pair (stream, store, check, extract, commit): {:.0} MB/s ({secs:.2} s); \
         server RssAnon before {} MB, peak {} MB, growth {} MB; total RSS before {} MB, peak (VmHWM) {} MB, growth {} MB",
        size / MB as usize,
        total / MB as f64 / secs,
        anon_before / 1000,
        anon_peak / 1000,
        anon_peak.saturating_sub(anon_before) / 1000,
        rss_before / 1000,
        hwm / 1000,
        hwm.saturating_sub(rss_before) / 1000
    );
}

#[tokio::main]
async fn main() {
    let bin = env!("CARGO_BIN_EXE_archportal");
    let dir = std::env::temp_dir().join(format!("archportal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env = |c: &mut Command| {
        c.env("ARCHPORTAL_DATA_DIR", &dir)
            .env("ARCHPORTAL_LISTEN", "127.0.0.1:0")
            .env(
                "ARCHPORTAL_DOCUMENTS__MAX_FILE_BYTES",
                (600 * MB).to_string(),
            )
            .env(
                "ARCHPORTAL_DOCUMENTS__MAX_REQUEST_BYTES",
                (1200 * MB).to_string(),
            )
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .env_remove("ARCHPORTAL_CONFIG");
    };
    let mut admin = Command::new(bin);
    admin.args([
        "admin",
        "create",
        "--email",
        "admin@gov.kz",
        "--role",
        "ADMIN",
    ]);
    env(&mut admin);
    let mut child = admin
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a very long password\n")
        .unwrap();
    assert!(child.wait().unwrap().success());

    let mut serve = Command::new(bin);
    serve.arg("serve").stdout(Stdio::piped());
    env(&mut serve);
    let mut server = Server(serve.spawn().unwrap());
    let pid = server.0.id();
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_owned();

    let client = reqwest::Client::new();
    let admin = login(&client, &base, "admin@gov.kz").await;
    let org = gql(&client, &base, Some(&admin), "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }",
        json!({"i": {"bin": "940140000385", "nameKk": "Министрлік", "nameRu": "Министерство", "kind": "STATE_BODY"}})).await;
    let org = org["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    gql(&client, &base, Some(&admin), "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
        json!({"i": {"email": "owner@gov.kz", "fullName": "Owner", "role": "OWNER", "organizationId": org, "password": "a very long password"}})).await;
    let owner = login(&client, &base, "owner@gov.kz").await;
    let object = gql(&client, &base, Some(&owner), "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
        json!({"i": {"kind": "INFORMATION_SYSTEM", "nameKk": "Жүйе", "nameRu": "Система", "shortName": "BENCH", "purpose": "Бенчмарк"}})).await;
    let object = object["createInformatizationObject"]["informatizationObject"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{base}/api/objects/{object}/documents/TERMS_OF_REFERENCE");

    // 1. Ingest of a 500 MB part.
    let size = 500 * MB;
    let rss_before = status_kb(pid, "VmRSS:");
    let anon_before = status_kb(pid, "RssAnon:");
    let sampler = Sampler::start(pid);
    let started = Instant::now();
    let form = Form::new().part(
        "pdf",
        Part::stream_with_length(pattern_body(size), size).file_name("big.pdf"),
    );
    let res = client
        .post(&url)
        .bearer_auth(&owner)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let _ = res.bytes().await;
    let secs = started.elapsed().as_secs_f64();
    let anon_peak = sampler.finish();
    let hwm = status_kb(pid, "VmHWM:");
    println!(
        "ingest 500 MB (refused after streaming): {:.0} MB/s ({secs:.2} s, status {status}); server RssAnon growth {} MB; RSS before {} MB, peak {} MB, growth {} MB",
        size as f64 / MB as f64 / secs,
        anon_peak.saturating_sub(anon_before) / 1000,
        rss_before / 1000,
        hwm / 1000,
        hwm.saturating_sub(rss_before) / 1000
    );

    // 2. Accepted pairs, checked and committed (VmHWM only grows: the
    // 500 MB pair's total-RSS growth is measured from the 50 MB pair's peak).
    accepted_pair(&client, &url, &owner, pid, 50 * MB as usize).await;
    accepted_pair(&client, &url, &owner, pid, 500 * MB as usize).await;

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The server process, stopped when the harness ends (or panics).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
