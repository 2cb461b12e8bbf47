//! Measures upload ingest throughput and peak memory growth of
//! [`LocalBlobStore::put`] for a large stream generated in memory.
//!
//! `cargo run --release --example ingest -- [MB] [DIR]` (defaults: 500 MB,
//! a temporary directory under `target/`).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use archportal_storage::blob::{BlobStore, LocalBlobStore};
use tokio::io::{AsyncRead, ReadBuf};

/// Streams `remaining` bytes cycling through a pre-filled pattern buffer, so
/// the source itself costs no memory growth and little CPU.
struct PatternReader {
    pattern: Vec<u8>,
    pos: usize,
    remaining: u64,
}

impl AsyncRead for PatternReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let n = (this.pattern.len() - this.pos)
            .min(buf.remaining())
            .min(usize::try_from(this.remaining).unwrap_or(usize::MAX));
        buf.put_slice(&this.pattern[this.pos..this.pos + n]);
        this.pos = (this.pos + n) % this.pattern.len();
        this.remaining -= n as u64;
        Poll::Ready(Ok(()))
    }
}

/// Peak resident set size (`VmHWM`) in KiB.
fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mb: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let base = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    std::fs::create_dir_all(&base)?;
    let dir = tempfile::tempdir_in(base)?;
    let store = LocalBlobStore::open(dir.path().to_path_buf()).await?;

    // 8 MiB of xorshift bytes, seeded by the clock so runs never dedupe.
    let mut state = u64::from(Instant::now().elapsed().subsec_nanos())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos() as u64
        | 1;
    let pattern: Vec<u8> = (0..(8 << 20) / 8)
        .flat_map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes()
        })
        .collect();
    let size = mb * 1_000_000;
    let source = PatternReader {
        pattern,
        pos: 0,
        remaining: size,
    };

    let before = vm_hwm_kib();
    let started = Instant::now();
    let out = store.put(Box::pin(source), u64::MAX).await?;
    let secs = started.elapsed().as_secs_f64();
    let after = vm_hwm_kib();
    assert_eq!(out.size, size);
    println!(
        "ingested {} MB in {:.2} s = {:.0} MB/s (incl. fsync + rename); VmHWM {} -> {} KiB, growth {:.1} MiB; digest {}",
        mb,
        secs,
        size as f64 / 1e6 / secs,
        before,
        after,
        (after - before) as f64 / 1024.0,
        out.digest
    );
    Ok(())
}
