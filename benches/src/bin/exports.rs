//! `make bench-exports`: memory of the streamed exports, and of backup and
//! restore, at 10,000 and 100,000 rows (issues 6 and 7, item 4).
//!
//! For each backend (PostgreSQL, SQLite): a fresh database seeded by
//! `archportal demo seed` (small), then multiplied with SQL (`INSERT …
//! SELECT` over `generate_series` / a recursive CTE) up to each size in
//! `--sizes`: objects are copies of the seeded ones as drafts (no accounting
//! code, one stage row each, so every row parses and reads like one the app
//! wrote) and integration requests are filed between the seeded services
//! and objects, at the integrator's analysis step with its one step row.
//! The step rows carry no due time: the deadline scan loads every open step
//! that has one and queries each overdue one (four statements per step), so
//! 100,000 overdue steps would keep the server busy and growing throughout
//! the download and hide what the export itself costs.
//! Then, per size:
//!
//! - for each export (objects, integration requests) and format (CSV,
//!   XLSX): a fresh `archportal serve` (so one export's heap does not hide
//!   the next one's), an analyst signs in, the server's `VmRSS` is read, the
//!   file is downloaded while a thread samples `VmRSS` every 20 ms, and the
//!   rows received (CSV lines, XLSX `<row>`s of the unzipped sheet), bytes,
//!   seconds and peak are recorded;
//! - `archportal backup DIR` and `archportal restore DIR` (into a new
//!   database) run as child processes sampled the same way.
//!
//! Constant memory means the 100,000-row peak is about the 10,000-row peak.
//! The figures are printed as a table, never asserted.

use archportal_bench::{free_port, psql, with_database};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
use serde_json::{Value, json};

#[derive(Parser, Debug)]
struct Args {
    /// The archportal binary.
    #[arg(long)]
    archportal: PathBuf,
    /// PostgreSQL server URL (databases are created and dropped on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg_url: String,
    /// Row counts to measure at, ascending (objects and integration requests each).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    sizes: Vec<u64>,
    /// Backends: postgres, sqlite.
    #[arg(long, value_delimiter = ',', default_value = "postgres,sqlite")]
    backends: Vec<String>,
    /// Skip the backup and restore measurements.
    #[arg(long)]
    no_backup: bool,
}

const PASSWORD: &str = "exports benchmark passphrase 2026";
const ANALYST: &str = "analyst@exports.bench.kz";

/// Samples a process's `VmRSS` every 20 ms until stopped; returns the peak (kB).
struct Sampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<u64>,
}

fn rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

impl Sampler {
    fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peak = 0;
            loop {
                if let Some(kb) = rss_kb(pid) {
                    peak = peak.max(kb);
                }
                if flag.load(Ordering::Relaxed) {
                    return peak;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Sampler { stop, handle }
    }

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or(0)
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One backend's database and data directory.
struct Target {
    name: &'static str,
    data_dir: PathBuf,
    database_url: Option<String>,
}

impl Target {
    fn command(&self, args: &Args) -> Command {
        let mut cmd = Command::new(&args.archportal);
        cmd.env("ARCHPORTAL_DATA_DIR", &self.data_dir)
            .env("ARCHPORTAL_LIMITS__RATE_PER_MINUTE", "100000000")
            .env("ARCHPORTAL_LIMITS__RATE_BURST", "100000000")
            .env("RUST_LOG", "warn");
        match &self.database_url {
            Some(url) => cmd.env("DATABASE_URL", url),
            None => cmd.env_remove("DATABASE_URL"),
        };
        cmd
    }

    fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("archportal.db").display()
            ),
        }
    }
}

fn seed(args: &Args, t: &Target) -> anyhow::Result<()> {
    let status = t
        .command(args)
        .args(["demo", "seed", "--organizations", "20", "--objects", "300"])
        .args(["--services", "60"])
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("demo seed failed");
    }
    let mut child = t
        .command(args)
        .args(["admin", "create", "--email", ANALYST, "--role", "ANALYST"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    if let Some(stdin) = child.stdin.as_mut() {
        std::io::Write::write_all(stdin, format!("{PASSWORD}\n").as_bytes())?;
    }
    if !child.wait()?.success() {
        bail!("admin create failed");
    }
    Ok(())
}

async fn count(c: &impl ConnectionTrait, sql: &str) -> anyhow::Result<u64> {
    let row = c
        .query_one_raw(sea_orm::Statement::from_string(
            c.get_database_backend(),
            sql.to_owned(),
        ))
        .await?
        .context("no count")?;
    let n: i64 = row.try_get("", "n")?;
    Ok(u64::try_from(n)?)
}

/// Grows the visible objects and the integration requests to `size` each.
async fn fill(t: &Target, size: u64) -> anyhow::Result<()> {
    let db = sea_orm::Database::connect(t.url()).await?;
    let b = db.get_database_backend();
    let tx = db.begin().await?;
    // A fresh id per row: PostgreSQL's uuid type; SQLite stores what sqlx
    // binds (16-byte blobs), checked on a seeded row.
    let id = match b {
        DbBackend::Postgres => "gen_random_uuid()".to_owned(),
        _ => {
            let row = tx
                .query_one_raw(sea_orm::Statement::from_string(
                    b,
                    "SELECT typeof(id) AS t FROM organizations LIMIT 1",
                ))
                .await?
                .context("no organization")?;
            let kind: String = row.try_get("", "t")?;
            if kind == "blob" {
                "randomblob(16)".to_owned()
            } else {
                "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))".to_owned()
            }
        }
    };
    let series = |n: u64| match b {
        DbBackend::Postgres => format!("generate_series(1, {n}) AS g(n)"),
        _ => format!(
            "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s) AS g"
        ),
    };
    let have = count(
        &tx,
        "SELECT COUNT(*) AS n FROM informatization_objects WHERE archived_at IS NULL",
    )
    .await?;
    let mut script = Vec::new();
    if size > have {
        let missing = size - have;
        script.push("CREATE TEMP TABLE tpl_objects AS SELECT row_number() OVER (ORDER BY id) - 1 AS rn, o.* FROM informatization_objects o WHERE archived_at IS NULL".to_owned());
        script.push(format!(
            "INSERT INTO informatization_objects (id, organization_id, kind, name_kk, name_ru, short_name, purpose, stage, stage_started_on, registration_status, accounting_code, contains_personal_data, exclusion, version, archived_at, created_by, created_at, updated_at, update_due_at, update_remarks, registered_data, registered_at, search_text) \
             SELECT {id}, t.organization_id, t.kind, t.name_kk, t.name_ru, substr(t.short_name, 1, 80) || ' №' || g.n, t.purpose, t.stage, t.stage_started_on, 'DRAFT', NULL, t.contains_personal_data, NULL, 1, NULL, t.created_by, t.created_at, t.updated_at, NULL, NULL, NULL, NULL, t.search_text \
             FROM {} JOIN tpl_objects t ON t.rn = g.n % {have}",
            series(missing)
        ));
        script.push(format!(
            "INSERT INTO object_stages (id, object_id, stage, started_on, recorded_by, recorded_at) \
             SELECT {id}, o.id, o.stage, o.stage_started_on, o.created_by, o.created_at FROM informatization_objects o \
             WHERE NOT EXISTS (SELECT 1 FROM object_stages s WHERE s.object_id = o.id)"
        ));
        script.push("DROP TABLE tpl_objects".to_owned());
    }
    let have = count(&tx, "SELECT COUNT(*) AS n FROM integration_requests").await?;
    if size > have {
        let missing = size - have;
        script.push("CREATE TEMP TABLE tpl_services AS SELECT row_number() OVER (ORDER BY s.id) - 1 AS rn, s.id, s.service_id, p.name_ru AS object_name, org.name_ru AS org_name FROM services s JOIN informatization_objects p ON p.id = s.object_id JOIN organizations org ON org.id = s.organization_id".to_owned());
        script.push("CREATE TEMP TABLE tpl_consumers AS SELECT row_number() OVER (ORDER BY o.id) - 1 AS rn, o.id, o.organization_id, o.name_ru, o.short_name, o.created_by, o.created_at, o.updated_at, org.name_ru AS org_name FROM informatization_objects o JOIN organizations org ON org.id = o.organization_id WHERE o.archived_at IS NULL AND o.registration_status <> 'DRAFT'".to_owned());
        script.push(format!(
            "INSERT INTO integration_requests (id, service_id, consumer_object_id, consumer_organization_id, initiator_id, owner_organization_name, service_key, object_name, basis_link, consumer_organization_name, consumer_object_name, consumer_short_name, system_address, purpose, consumer_non_state, state, due_at, row_version, created_at, updated_at, search_text) \
             SELECT {id}, s.id, c.id, c.organization_id, c.created_by, s.org_name, s.service_id, s.object_name, 'https://adilet.zan.kz/rus/docs/P1500000000', c.org_name, c.name_ru, c.short_name, 'https://consumer-' || g.n || '.gov.kz/api', 'Сведения для исполнения функций, заявка № ' || g.n, (g.n % 7 = 0), 'ANALYSIS', c.updated_at, 1, c.created_at, c.updated_at, lower(s.service_id || ' ' || c.short_name) \
             FROM {} JOIN tpl_services s ON s.rn = g.n % (SELECT COUNT(*) FROM tpl_services) JOIN tpl_consumers c ON c.rn = g.n % (SELECT COUNT(*) FROM tpl_consumers)",
            series(missing)
        ));
        script.push(format!(
            "INSERT INTO integration_request_steps (id, request_id, state, party, entered_at, due_at, actor_id, note, completed_at) \
             SELECT {id}, r.id, r.state, 'INTEGRATOR', r.created_at, NULL, r.initiator_id, NULL, NULL FROM integration_requests r \
             WHERE NOT EXISTS (SELECT 1 FROM integration_request_steps s WHERE s.request_id = r.id)"
        ));
        script.push("DROP TABLE tpl_services".to_owned());
        script.push("DROP TABLE tpl_consumers".to_owned());
    }
    for sql in script {
        tx.execute_unprepared(&sql)
            .await
            .with_context(|| format!("filling: {sql}"))?;
    }
    tx.commit().await?;
    if b == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    db.close().await?;
    Ok(())
}

async fn serve(
    args: &Args,
    t: &Target,
    client: &reqwest::Client,
) -> anyhow::Result<(Server, String)> {
    let port = free_port()?;
    let server = Server {
        child: t
            .command(args)
            .env("ARCHPORTAL_LISTEN", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()?,
        base: format!("http://127.0.0.1:{port}"),
    };
    let login = json!({"query": "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken } }", "variables": {"e": ANALYST, "p": PASSWORD}});
    for _ in 0..600 {
        if let Ok(r) = client
            .post(format!("{}/graphql", server.base))
            .json(&login)
            .send()
            .await
        {
            let v: Value = r.json().await?;
            let token = v["data"]["login"]["accessToken"]
                .as_str()
                .with_context(|| format!("login: {v}"))?
                .to_owned();
            return Ok((server, token));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not answer")
}

struct ExportRow {
    backend: &'static str,
    size: u64,
    file: String,
    rows: u64,
    bytes: u64,
    seconds: f64,
    before_mb: f64,
    peak_mb: f64,
}

/// Counts data rows of a CSV (CRLF-terminated lines after the header).
fn csv_rows(bytes: &[u8]) -> u64 {
    let lines = bytes.windows(2).filter(|w| w == b"\r\n").count() as u64;
    lines.saturating_sub(1)
}

/// Counts data rows of an XLSX (the `<row>`s of its one sheet after the header).
fn xlsx_rows(bytes: Vec<u8>) -> anyhow::Result<u64> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")?
        .read_to_string(&mut sheet)?;
    if !sheet.ends_with("</sheetData></worksheet>") {
        bail!("the sheet is not closed");
    }
    Ok((sheet.matches("<row>").count() as u64).saturating_sub(1))
}

async fn export(
    args: &Args,
    t: &Target,
    client: &reqwest::Client,
    size: u64,
    file: &str,
) -> anyhow::Result<ExportRow> {
    let (server, token) = serve(args, t, client).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = server.child.id();
    let before = rss_kb(pid).unwrap_or(0);
    let sampler = Sampler::start(pid);
    let started = Instant::now();
    let mut response = client
        .get(format!("{}/api/export/{file}", server.base))
        .bearer_auth(&token)
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("{file}: HTTP {}", response.status());
    }
    // The harness keeps the file to count its rows; the server must not.
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = sampler.finish();
    drop(server);
    let bytes = body.len() as u64;
    let rows = if file.ends_with(".csv") {
        csv_rows(&body)
    } else {
        xlsx_rows(body)?
    };
    Ok(ExportRow {
        backend: t.name,
        size,
        file: file.to_owned(),
        rows,
        bytes,
        seconds,
        before_mb: before as f64 / 1024.0,
        peak_mb: peak as f64 / 1024.0,
    })
}

struct ProcessRow {
    backend: &'static str,
    size: u64,
    what: &'static str,
    seconds: f64,
    peak_mb: f64,
    note: String,
}

/// Runs a child to completion while sampling its `VmRSS`.
fn sampled(mut cmd: Command) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).spawn()?;
    let sampler = Sampler::start(child.id());
    let status = child.wait()?;
    let peak = sampler.finish();
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok((started.elapsed().as_secs_f64(), peak as f64 / 1024.0))
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

async fn backup_restore(
    args: &Args,
    t: &Target,
    size: u64,
    scratch: &Path,
    out: &mut Vec<ProcessRow>,
) -> anyhow::Result<()> {
    let dir = scratch.join(format!("backup-{}-{size}", t.name));
    let mut cmd = t.command(args);
    cmd.arg("backup").arg(&dir);
    let (seconds, peak_mb) = sampled(cmd)?;
    out.push(ProcessRow {
        backend: t.name,
        size,
        what: "backup",
        seconds,
        peak_mb,
        note: format!("{:.1} MB written", dir_bytes(&dir) as f64 / 1e6),
    });
    let restored_db = format!("archportal_exports_restore_{}_{size}", std::process::id());
    let target = Target {
        name: t.name,
        data_dir: scratch.join(format!("restore-{}-{size}", t.name)),
        database_url: match &t.database_url {
            Some(_) => {
                psql(&args.pg_url, &format!("CREATE DATABASE {restored_db}"))?;
                Some(with_database(&args.pg_url, &restored_db))
            }
            None => None,
        },
    };
    let mut cmd = target.command(args);
    cmd.arg("restore").arg(&dir);
    let result = sampled(cmd);
    if target.database_url.is_some() {
        psql(
            &args.pg_url,
            &format!("DROP DATABASE IF EXISTS {restored_db} WITH (FORCE)"),
        )?;
    }
    let _ = std::fs::remove_dir_all(&target.data_dir);
    let _ = std::fs::remove_dir_all(&dir);
    let (seconds, peak_mb) = result?;
    out.push(ProcessRow {
        backend: t.name,
        size,
        what: "restore (with search reindex)",
        seconds,
        peak_mb,
        note: String::new(),
    });
    Ok(())
}

const FILES: [&str; 4] = [
    "objects.csv",
    "objects.xlsx",
    "integration-requests.csv",
    "integration-requests.xlsx",
];

async fn run_backend(
    args: &Args,
    client: &reqwest::Client,
    t: &Target,
    scratch: &Path,
    exports: &mut Vec<ExportRow>,
    processes: &mut Vec<ProcessRow>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    seed(args, t)?;
    eprintln!(
        "{}: seeded in {:.0} s",
        t.name,
        started.elapsed().as_secs_f64()
    );
    for &size in &args.sizes {
        let started = Instant::now();
        fill(t, size).await?;
        eprintln!(
            "{}: filled to {size} rows in {:.0} s",
            t.name,
            started.elapsed().as_secs_f64()
        );
        for file in FILES {
            let row = export(args, t, client, size, file).await?;
            eprintln!(
                "{} {size} {file}: {} rows, peak {:.0} MB",
                t.name, row.rows, row.peak_mb
            );
            exports.push(row);
        }
        if !args.no_backup {
            backup_restore(args, t, size, scratch, processes).await?;
        }
    }
    Ok(())
}

fn print(exports: &[ExportRow], processes: &[ProcessRow]) {
    println!(
        "| backend | rows in db | file | rows received | MB received | seconds | server RSS before MB | server RSS peak MB | growth MB |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|");
    for r in exports {
        println!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.0} | {:.0} | {:.0} |",
            r.backend,
            r.size,
            r.file,
            r.rows,
            r.bytes as f64 / 1e6,
            r.seconds,
            r.before_mb,
            r.peak_mb,
            r.peak_mb - r.before_mb
        );
    }
    if !processes.is_empty() {
        println!();
        println!("| backend | objects and requests | command | seconds | peak RSS MB | note |");
        println!("|---|---:|---|---:|---:|---|");
        for r in processes {
            println!(
                "| {} | {} | {} | {:.1} | {:.0} | {} |",
                r.backend, r.size, r.what, r.seconds, r.peak_mb, r.note
            );
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1800))
        .build()?;
    let scratch =
        std::env::temp_dir().join(format!("archportal-bench-exports-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut exports = Vec::new();
    let mut processes = Vec::new();
    let mut result = Ok(());
    for backend in &args.backends {
        let outcome = match backend.as_str() {
            "postgres" => {
                let db = format!("archportal_exports_{}", std::process::id());
                psql(&args.pg_url, &format!("CREATE DATABASE {db}"))?;
                let t = Target {
                    name: "PostgreSQL",
                    data_dir: scratch.join("pg"),
                    database_url: Some(with_database(&args.pg_url, &db)),
                };
                let outcome =
                    run_backend(&args, &client, &t, &scratch, &mut exports, &mut processes).await;
                psql(
                    &args.pg_url,
                    &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                )?;
                outcome
            }
            "sqlite" => {
                let t = Target {
                    name: "SQLite",
                    data_dir: scratch.join("sqlite"),
                    database_url: None,
                };
                run_backend(&args, &client, &t, &scratch, &mut exports, &mut processes).await
            }
            other => Err(anyhow::anyhow!("unknown backend {other}")),
        };
        if let Err(e) = outcome {
            eprintln!("{backend}: {e:#}");
            result = Err(e);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    print(&exports, &processes);
    result
}
