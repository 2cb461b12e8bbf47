//! What the benchmark and harness binaries (`load`, `reliability`,
//! `exports`) share: a free loopback port, scratch PostgreSQL databases and
//! nearest-rank percentiles.

use std::process::{Command, Stdio};

use anyhow::bail;

/// A TCP port free on 127.0.0.1 at the time of asking.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Runs one SQL statement with `psql` on `url` (creating or dropping the
/// scratch databases); its output is discarded.
pub fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let ok = Command::new("psql")
        .args([url, "-qc", sql])
        .stdout(Stdio::null())
        .status()?
        .success();
    if !ok {
        bail!("psql: {sql}");
    }
    Ok(())
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    match url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => format!("{url}/{db}"),
    }
}

/// The nearest-rank percentile `p` (0..=1) of sorted values; NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
