//! What the benchmark and harness binaries (`load`, `reliability`,
//! `exports`) share: a free loopback port, scratch PostgreSQL databases,
//! nearest-rank percentiles and processes' CPU time.

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

/// Clock ticks per second of `/proc/<pid>/stat`'s CPU times (`USER_HZ`,
/// 100 on every Linux ABI this project builds for).
const USER_HZ: f64 = 100.0;

/// The CPU time (user + system, in milliseconds) process `pid` has used,
/// from `/proc/<pid>/stat`; `None` once it is gone.
pub fn cpu_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) * 1000.0 / USER_HZ)
}

/// The CPU time (milliseconds) used so far by every process named
/// `postgres` on this machine: the PostgreSQL server's backends, which a
/// benchmark's database connections keep alive between two readings.
pub fn postgres_cpu_ms() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return f64::NAN;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim_end() == "postgres")
        })
        .filter_map(cpu_ms)
        .sum()
}

/// `url` with its database name replaced by `db`, keeping its parameters
/// (`?sslmode=…`).
pub fn with_database(url: &str, db: &str) -> String {
    let (url, params) = match url.split_once('?') {
        Some((url, params)) => (url, format!("?{params}")),
        None => (url, String::new()),
    };
    match url.rsplit_once('/') {
        Some((base, _)) if !base.ends_with('/') => format!("{base}/{db}{params}"),
        _ => format!("{}/{db}{params}", url.trim_end_matches('/')),
    }
}

/// `url` with `sslmode=disable` added unless it sets an `sslmode`: the
/// benchmark compares servers over loopback, where encryption protects
/// nothing, and clients differ in what they do by default (sqlx prefers
/// TLS when the server offers it, node-postgres does not use it).
pub fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sslmode=disable")
}

/// The nearest-rank percentile `p` (0..=1) of sorted values; NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_replaced_and_parameters_kept() {
        let base = "postgres://postgres@127.0.0.1:5432/postgres";
        assert_eq!(
            with_database(base, "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database(&format!("{base}?sslmode=disable"), "x"),
            "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1:5432", "x"),
            "postgres://127.0.0.1:5432/x"
        );
    }

    #[test]
    fn tls_is_disabled_unless_the_url_says_otherwise() {
        let base = "postgres://postgres@127.0.0.1:5432/postgres";
        assert_eq!(without_tls(base), format!("{base}?sslmode=disable"));
        assert_eq!(
            without_tls(&format!("{base}?application_name=a")),
            format!("{base}?application_name=a&sslmode=disable")
        );
        let required = format!("{base}?sslmode=require");
        assert_eq!(without_tls(&required), required);
    }

    #[test]
    fn cpu_time_grows_while_this_process_spins() {
        let me = std::process::id();
        let spent = cpu_ms(me).expect("/proc/self/stat");
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut later = spent;
        while later < spent + 30.0 && std::time::Instant::now() < until {
            std::hint::black_box((0..10_000u64).map(std::hint::black_box).sum::<u64>());
            later = cpu_ms(me).expect("/proc/self/stat");
        }
        assert!(later >= spent + 30.0, "{spent} ms → {later} ms");
        assert!(cpu_ms(u32::MAX).is_none());
    }
}
