//! `make bench`: the analysts' load benchmark.
//!
//! 1. Creates a PostgreSQL database, seeds it with `archportal demo seed`
//!    (300 organizations, 20,000 objects, 3,000 services by default), starts
//!    `archportal serve` on loopback and signs in an analyst.
//! 2. Drives a fixed mix of analyst operations (nested list `first: 50` with
//!    current documents (kind, version, PDF sha256 and size) and
//!    owners, filtered sorted list, `statistics`) at 1, 16 and 64 concurrent
//!    clients: each level bounded in requests and time; records latencies
//!    the server's peak RSS (`VmHWM` in `/proc/<pid>/status`) and the CPU
//!    time the server and PostgreSQL spent per request (`/proc/<pid>/stat`).
//! 3. Runs PostGraphile (npm, installed into a temporary directory) over the
//!    same database on the equivalent nested list and reports the ratios.
//! 4. Repeats our side on SQLite. Prints one table. Drops what it created.
//!
//! The figures are reported, never asserted: a benchmark is not a test.

use archportal_bench::{
    cpu_ms, free_port, percentile, postgres_cpu_ms, psql, with_database, without_tls,
};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser, Debug)]
struct Args {
    /// The archportal binary (release build).
    #[arg(long)]
    archportal: PathBuf,
    /// PostgreSQL server URL (a database is created and dropped on it). Both
    /// servers connect without TLS unless it sets `sslmode`.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg_url: String,
    #[arg(long, default_value_t = 300)]
    organizations: usize,
    #[arg(long, default_value_t = 20_000)]
    objects: usize,
    #[arg(long, default_value_t = 3_000)]
    services: usize,
    /// Most requests per operation and concurrency level.
    #[arg(long, default_value_t = 2_000)]
    max_requests: usize,
    /// Longest time per operation and concurrency level, in seconds.
    #[arg(long, default_value_t = 10)]
    max_seconds: u64,
    /// Skip PostGraphile (no npm available).
    #[arg(long)]
    no_postgraphile: bool,
    /// Skip the SQLite repetition.
    #[arg(long)]
    no_sqlite: bool,
    /// Run only these operations of ours (comma-separated: nested, filtered,
    /// statistics, search); all four by default.
    #[arg(long, value_delimiter = ',')]
    operations: Vec<String>,
    /// Skip our PostgreSQL run and PostGraphile (with `--database`: measure
    /// only the kept SQLite seed).
    #[arg(long)]
    no_postgres: bool,
    /// Use this already seeded PostgreSQL database (on the `--pg-url`
    /// server) instead of creating and seeding one, and the SQLite seed kept
    /// beside it if there is one; both are kept afterwards.
    #[arg(long)]
    database: Option<String>,
    /// Keep the database this run created and seeded, and the SQLite seed
    /// (the name is printed), so that later runs can pass it to `--database`.
    #[arg(long)]
    keep_database: bool,
}

const NESTED: &str = "{ informatizationObjects(first: 50) { totalCount edges { node { id shortName nameRu stage registrationStatus accountingCode organization { nameRu bin } documents { kind version pdf { sha256 size } } } } } }";
const FILTERED: &str = "{ informatizationObjects(first: 50, filter: {stages: [INDUSTRIAL_OPERATION], registrationStatuses: [REGISTERED], text: \"жүйе\"}, orderBy: {field: UPDATED_AT, direction: DESC}) { totalCount edges { node { id shortName updatedAt } } } }";
const STATISTICS: &str = "{ statistics { totalObjects objectsByStage { code count } objectsByKind { code count } objectsByOrganization { count } objectsByRegistrationStatus { code count } registrationsPerMonth { month count } reviewSla { onTime late medianWorkingDays p90WorkingDays } overdueUpdates servicesByGateway { code count } servicesByStatus { code count } } }";
/// A search-box query with a typo ("систма" for "система"), with hits,
/// highlights and facets.
const SEARCH: &str = "{ search(query: \"информационная систма\", first: 20) { totalCount hits { kind score highlights { field html } service { serviceId } object { shortName } } facets { name values { value count } } } }";
/// PostGraphile's equivalent of `NESTED` (its default inflection).
const PG_NESTED: &str = "{ allInformatizationObjects(first: 50, orderBy: ID_ASC) { totalCount nodes { id shortName nameRu stage registrationStatus accountingCode organizationByOrganizationId { nameRu bin } documentsByObjectId(condition: { supersededAt: null }, orderBy: KIND_ASC) { nodes { kind version pdfSha256 pdfSize } } } } }";

struct Row {
    server: &'static str,
    db: &'static str,
    op: &'static str,
    clients: usize,
    requests: usize,
    errors: usize,
    rps: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    rss_mb: f64,
    /// The server's CPU time per request, in milliseconds.
    cpu_ms: f64,
    /// PostgreSQL's CPU time per request (NaN on SQLite).
    pg_cpu_ms: f64,
    /// This load generator's own CPU time per request: it shares the
    /// machine's cores with the server and PostgreSQL.
    load_cpu_ms: f64,
}

/// What identifies a row of the table: server, database, operation.
type Labels = (&'static str, &'static str, &'static str);

/// Drives `query` at `clients` like [`drive`] against `target` and makes
/// its row, with the CPU time the server and (on PostgreSQL) PostgreSQL
/// spent per request over the level.
async fn measure(
    args: &Args,
    client: &reqwest::Client,
    target: &Server,
    token: Option<&str>,
    query: &str,
    clients: usize,
    (server, db, op): Labels,
) -> Row {
    let (url, pid) = (target.url.as_str(), target.child.id());
    let on_pg = db == "PostgreSQL";
    let cpu_before = cpu_ms(pid).unwrap_or(f64::NAN);
    let pg_before = if on_pg { postgres_cpu_ms() } else { f64::NAN };
    let load_before = cpu_ms(std::process::id()).unwrap_or(f64::NAN);
    let (lat, errors, took) = drive(
        client,
        url,
        token,
        query,
        clients,
        args.max_requests,
        args.max_seconds,
    )
    .await;
    let n = lat.len().max(1) as f64;
    let cpu = (cpu_ms(pid).unwrap_or(f64::NAN) - cpu_before) / n;
    let load_cpu = (cpu_ms(std::process::id()).unwrap_or(f64::NAN) - load_before) / n;
    let pg_cpu = if on_pg {
        (postgres_cpu_ms() - pg_before) / n
    } else {
        f64::NAN
    };
    Row {
        server,
        db,
        op,
        clients,
        requests: lat.len(),
        errors,
        rps: lat.len() as f64 / took,
        p50: percentile(&lat, 0.5),
        p95: percentile(&lat, 0.95),
        p99: percentile(&lat, 0.99),
        rss_mb: peak_rss_mb(pid),
        cpu_ms: cpu,
        pg_cpu_ms: pg_cpu,
        load_cpu_ms: load_cpu,
    }
}

fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs `query` from `clients` concurrent loops until `max` requests or `secs` elapse.
async fn drive(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    clients: usize,
    max: usize,
    secs: u64,
) -> (Vec<f64>, usize, f64) {
    let issued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, token, query, issued) = (
            client.clone(),
            url.to_owned(),
            token.map(str::to_owned),
            query.to_owned(),
            issued.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline
                && issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < max
            {
                let t = Instant::now();
                let mut req = client.post(&url).json(&json!({"query": query}));
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                let ok = match req.send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok_and(|b| answered(&b)),
                    _ => false,
                };
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                if !ok {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e)) = t.await {
            all.extend(lat);
            errors += e;
        }
    }
    let took = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    (all, errors, took)
}

/// Whether a GraphQL response body is well-formed JSON without an `errors`
/// member. It is checked without building a tree of the answer: the load
/// generator runs on the same cores as the servers it measures, and a tree
/// of a 50-object page cost it more CPU than the check needs.
fn answered(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Answer {
        /// Whether the member is there at all (`null` included).
        #[serde(default, deserialize_with = "present")]
        errors: bool,
    }
    fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| true)
    }
    use serde::Deserialize as _;
    // Skipped strings are not checked for UTF-8 by serde_json: check the
    // whole body first, as parsing it into a tree did.
    std::str::from_utf8(body)
        .is_ok_and(|text| serde_json::from_str::<Answer>(text).is_ok_and(|a| !a.errors))
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_ready(client: &reqwest::Client, url: &str, body: Value) -> anyhow::Result<()> {
    for _ in 0..600 {
        if client.post(url).json(&body).send().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} did not answer")
}

/// Waits until the server has applied every pending index update and sent
/// the mail due (`searchBacklog` and `mailBacklog` 0 in `/readyz`), so that
/// the figures measure a settled server over a complete index, not the
/// catch-up after a seed (the first serve also writes the deadline reminders
/// the seeded history calls for). Returns whether there was anything to wait for.
async fn wait_settled(client: &reqwest::Client, graphql_url: &str) -> anyhow::Result<bool> {
    let url = graphql_url.replace("/graphql", "/readyz");
    let started = Instant::now();
    let mut first = None;
    loop {
        let v: Value = client.get(&url).send().await?.json().await?;
        let backlog = (v["searchBacklog"].as_u64(), v["mailBacklog"].as_u64());
        if backlog == (Some(0), Some(0)) {
            if let Some((index, mail)) = first {
                eprintln!(
                    "caught up with {index:?} index updates and {mail:?} messages in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            return Ok(first.is_some());
        }
        first = first.or(Some(backlog));
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("the server did not catch up in 30 min: {v}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn archportal_env(cmd: &mut Command, data_dir: &Path, database_url: Option<&str>) {
    cmd.env("ARCHPORTAL_DATA_DIR", data_dir)
        .env("ARCHPORTAL_LIMITS__RATE_PER_MINUTE", "100000000")
        .env("ARCHPORTAL_LIMITS__RATE_BURST", "100000000")
        // Every client of the benchmark comes from 127.0.0.1: the per-address
        // budget would refuse them (RATE_LIMITED answers counted as errors).
        .env("ARCHPORTAL_LIMITS__IP_RATE_PER_MINUTE", "100000000")
        .env("ARCHPORTAL_LIMITS__IP_RATE_BURST", "100000000")
        .env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
}

/// Seeds, serves and signs in; returns the server and an analyst's token.
async fn start_ours(
    args: &Args,
    client: &reqwest::Client,
    data_dir: &Path,
    database_url: Option<&str>,
    seeded: bool,
) -> anyhow::Result<(Server, String)> {
    if !seeded {
        seed(args, data_dir, database_url)?;
    }
    let password = "benchmark passphrase 2026";
    let mut admin = Command::new(&args.archportal);
    archportal_env(&mut admin, data_dir, database_url);
    let mut child = admin
        .args([
            "admin",
            "create",
            "--email",
            "analyst@bench.kz",
            "--role",
            "ANALYST",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(stdin) = child.stdin.as_mut() {
        std::io::Write::write_all(stdin, format!("{password}\n").as_bytes())?;
    }
    // On a reused database the analyst exists already: the sign-in below says
    // whether the password is right.
    let created = child.wait()?.success();
    if !created && !seeded {
        bail!("admin create failed");
    }
    let port = free_port()?;
    let mut serve = Command::new(&args.archportal);
    archportal_env(&mut serve, data_dir, database_url);
    let server = Server {
        child: serve
            .env("ARCHPORTAL_LISTEN", format!("127.0.0.1:{port}"))
            .arg("serve")
            .spawn()?,
        url: format!("http://127.0.0.1:{port}/graphql"),
    };
    let login = json!({"query": "mutation($p:String!){ login(input:{email:\"analyst@bench.kz\",password:$p}){ accessToken } }", "variables": {"p": password}});
    wait_ready(client, &server.url, json!({"query": "{ __typename }"})).await?;
    let v: Value = client
        .post(&server.url)
        .json(&login)
        .send()
        .await?
        .json()
        .await?;
    let token = v["data"]["login"]["accessToken"]
        .as_str()
        .with_context(|| format!("login: {v}"))?
        .to_owned();
    if wait_settled(client, &server.url).await? {
        // The catch-up's peak is reported on its own; the rows report the
        // peak while they run.
        let pid = server.child.id();
        eprintln!("peak RSS while catching up: {:.0} MB", peak_rss_mb(pid));
        if let Err(e) = std::fs::write(format!("/proc/{pid}/clear_refs"), "5") {
            eprintln!("could not reset the peak RSS ({e}): the rows include the catch-up's");
        }
    }
    if let Some(url) = database_url {
        // The first serve of a seed writes its update reminders; autovacuum
        // would then vacuum the objects table within a minute (migration
        // m20261122_210000), perhaps in the middle of a row: do it now.
        psql(url, "VACUUM ANALYZE")?;
    }
    Ok((server, token))
}

/// `archportal demo seed` with the benchmark's sizes.
fn seed(args: &Args, data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut seed = Command::new(&args.archportal);
    archportal_env(&mut seed, data_dir, database_url);
    let status = seed
        .args([
            "demo",
            "seed",
            "--organizations",
            &args.organizations.to_string(),
        ])
        .args([
            "--objects",
            &args.objects.to_string(),
            "--services",
            &args.services.to_string(),
        ])
        .status()?;
    if !status.success() {
        bail!("demo seed failed");
    }
    eprintln!("seeded in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn measure_ours(
    args: &Args,
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    db: &'static str,
    rows: &mut Vec<Row>,
) {
    for (name, op, q) in [
        ("nested", "nested list", NESTED),
        ("filtered", "filtered list", FILTERED),
        ("statistics", "statistics", STATISTICS),
        ("search", "search", SEARCH),
    ] {
        if !args.operations.is_empty() && !args.operations.iter().any(|o| o == name) {
            continue;
        }
        for clients in [1, 16, 64] {
            rows.push(
                measure(
                    args,
                    client,
                    server,
                    Some(token),
                    q,
                    clients,
                    ("archportal", db, op),
                )
                .await,
            );
        }
    }
}

async fn postgraphile(
    args: &Args,
    client: &reqwest::Client,
    database_url: &str,
    rows: &mut Vec<Row>,
) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!(
        "archportal-bench-postgraphile-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    let installed = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--silent",
            "postgraphile@4",
        ])
        .current_dir(&dir)
        .status()?;
    if !installed.success() {
        bail!("npm install postgraphile failed");
    }
    let port = free_port()?;
    let server = Server {
        child: Command::new(dir.join("node_modules/.bin/postgraphile"))
            .args([
                "-c",
                database_url,
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .args(["--disable-query-log", "--schema", "public"])
            .stdout(Stdio::null())
            .spawn()?,
        url: format!("http://127.0.0.1:{port}/graphql"),
    };
    wait_ready(client, &server.url, json!({"query": "{ __typename }"})).await?;
    for clients in [1, 16, 64] {
        rows.push(
            measure(
                args,
                client,
                &server,
                None,
                PG_NESTED,
                clients,
                ("PostGraphile", "PostgreSQL", "nested list"),
            )
            .await,
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn print(rows: &[Row]) {
    println!(
        "| server | db | operation | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB | server CPU ms/req | PostgreSQL CPU ms/req | load CPU ms/req |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.0} | {:.2} | {} | {:.2} |",
            r.server,
            r.db,
            r.op,
            r.clients,
            r.requests,
            r.errors,
            r.rps,
            r.p50,
            r.p95,
            r.p99,
            r.rss_mb,
            r.cpu_ms,
            if r.pg_cpu_ms.is_nan() {
                "–".to_owned()
            } else {
                format!("{:.2}", r.pg_cpu_ms)
            },
            r.load_cpu_ms
        );
    }
    for clients in [1, 16, 64] {
        let find = |server: &str| {
            rows.iter().find(|r| {
                r.server == server
                    && r.db == "PostgreSQL"
                    && r.op == "nested list"
                    && r.clients == clients
            })
        };
        if let (Some(a), Some(p)) = (find("archportal"), find("PostGraphile")) {
            println!(
                "nested list, {clients} clients: throughput archportal/PostGraphile = {:.2}×, p99 archportal/PostGraphile = {:.2}",
                a.rps / p.rps,
                a.p99 / p.p99
            );
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut rows = Vec::new();
    let reuse = args.database.is_some();
    let db = args
        .database
        .clone()
        .unwrap_or_else(|| format!("archportal_bench_{}", std::process::id()));
    if !reuse && !args.no_postgres {
        psql(&args.pg_url, &format!("CREATE DATABASE {db}"))?;
    }
    // Both servers reach PostgreSQL the same way: over loopback, without TLS
    // (sqlx would otherwise negotiate it and node-postgres would not), unless
    // `--pg-url` sets an `sslmode`.
    let database_url = without_tls(&with_database(&args.pg_url, &db));
    // Named after the database, so that a kept database keeps its blobs, index and keys.
    let data_dir = std::env::temp_dir().join(format!("archportal-bench-{db}"));
    let keep = reuse || args.keep_database;
    let sqlite_dir = data_dir.join("sqlite");
    // A seed counts as kept only once it is complete (`seeded` is written
    // after `demo seed` succeeds).
    let sqlite_seeded = reuse && sqlite_dir.join("seeded").exists();
    let result = async {
        if !args.no_postgres {
            let (server, token) = start_ours(
                &args,
                &client,
                &data_dir.join("pg"),
                Some(&database_url),
                reuse,
            )
            .await?;
            measure_ours(&args, &client, &server, &token, "PostgreSQL", &mut rows).await;
            drop(server);
            if !args.no_postgraphile
                && let Err(e) = postgraphile(&args, &client, &database_url, &mut rows).await
            {
                eprintln!("PostGraphile skipped: {e:#}");
            }
        }
        if !args.no_sqlite {
            if !sqlite_seeded {
                let _ = std::fs::remove_dir_all(&sqlite_dir);
            }
            let (server, token) =
                start_ours(&args, &client, &sqlite_dir, None, sqlite_seeded).await?;
            if keep {
                std::fs::write(sqlite_dir.join("seeded"), b"")?;
            }
            measure_ours(&args, &client, &server, &token, "SQLite", &mut rows).await;
        }
        anyhow::Ok(())
    }
    .await;
    if !keep {
        let _ = std::fs::remove_dir_all(&sqlite_dir);
    }
    if keep {
        eprintln!(
            "kept the PostgreSQL database {db} and {} (reuse them with --database {db})",
            data_dir.display()
        );
    } else {
        let _ = std::fs::remove_dir_all(&data_dir);
        psql(
            &args.pg_url,
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        )?;
    }
    print(&rows);
    result
}

#[cfg(test)]
mod tests {
    use super::answered;

    #[test]
    fn an_answer_counts_only_without_errors_and_well_formed() {
        assert!(answered(br#"{"data":{"a":[1,{"b":"\u0436"}]}}"#));
        assert!(answered(br#"{"data":null,"extensions":{}}"#));
        assert!(!answered(br#"{"data":null,"errors":[{"message":"x"}]}"#));
        assert!(!answered(br#"{"data":{},"errors":null}"#));
        assert!(!answered(br#"{"data":{"a":[1,2}}"#));
        assert!(!answered(b"{\"data\":\"\xff\"}"));
        assert!(!answered(b""));
    }
}
