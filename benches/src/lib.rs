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

/// The CPU times of `/proc/<pid>/stat` in milliseconds: the process's own
/// (user + system) and that of its children it has waited for; `None` once
/// it is gone.
fn cpu_times_ms(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // `rest` starts at field 3 (state); utime, stime, cutime and cstime are
    // fields 14 to 17.
    let mut next = |skip: usize| -> Option<f64> { fields.nth(skip)?.parse().ok() };
    let (utime, stime, cutime, cstime) = (next(11)?, next(0)?, next(0)?, next(0)?);
    let ms = |ticks: f64| ticks * 1000.0 / USER_HZ;
    Some((ms(utime + stime), ms(cutime + cstime)))
}

/// The CPU time (user + system, in milliseconds) process `pid` has used,
/// from `/proc/<pid>/stat`; `None` once it is gone.
pub fn cpu_ms(pid: u32) -> Option<f64> {
    cpu_times_ms(pid).map(|(own, _)| own)
}

/// The CPU time (milliseconds) used so far by the PostgreSQL server on this
/// machine: every process named `postgres` (the backends a benchmark's
/// connections keep alive between two readings), plus the time of those
/// that have exited since it started (autovacuum workers, closed
/// connections), which the postmaster collects when it reaps them. Without
/// the latter, a backend exiting between two readings took its whole
/// lifetime's CPU out of the sum, and a benchmark row showed a negative
/// PostgreSQL time (−0.29 ms a request).
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
        .filter_map(cpu_times_ms)
        .map(|(own, reaped)| own + reaped)
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
    fn cpu_of_exited_children_is_counted_once_reaped() {
        let me = std::process::id();
        let (_, reaped) = cpu_times_ms(me).expect("own /proc stat");
        // A child that burns CPU for a while, then exits and is waited for.
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done"])
            .status()
            .expect("sh runs");
        assert!(status.success());
        let (_, reaped_after) = cpu_times_ms(me).expect("own /proc stat");
        assert!(
            reaped_after > reaped,
            "reaped children's CPU {reaped} ms -> {reaped_after} ms"
        );
        assert_eq!(cpu_times_ms(u32::MAX), None, "no such process");
    }

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
