//! `reliability`: the harness of issue 7 items 1, 2 and 6, always against the
//! real `archportal` binary over HTTP.
//!
//! - `crash`: starts the server on a fresh SQLite and a fresh PostgreSQL
//!   database, drives a mixed load (document pair uploads with real PDF/A-1
//!   and DOCX fixtures, object creation and edits, submissions and
//!   registrations, service registrations, integration requests, account
//!   requests) from several concurrent clients, records every mutation the
//!   server acknowledged, `kill -9`s the server at seeded random moments and,
//!   with the server down, checks the invariants (blobs, acknowledged
//!   mutations, accounting codes, outbox keys, `archportal audit verify`,
//!   `archportal blobs gc` with grace 0), then restarts it and checks that the
//!   outbox delivers each message exactly once into the mail directory.
//! - `db-fault`: puts a TCP proxy between the server and PostgreSQL and cuts
//!   it for 30 s under load: requests must fail fast with `UNAVAILABLE`,
//!   `/readyz` must answer 503, and the service must recover by itself.
//! - `soak`: a steady mixed load for `SOAK_SECONDS`, sampling the server's
//!   RSS and the latency percentiles every 30 s.
//!
//! Failures print `FAIL …` lines and make the exit status 1.

use archportal_bench::{free_port, percentile, psql, with_database};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use archportal_domain::accounting_code::AccountingCode;
use archportal_domain::document::required_kinds;
use archportal_domain::docx::testing::minimal_docx;
use archportal_domain::object::LifeCycleStage;
use archportal_domain::pdfa::testing::minimal_pdfa1b;
use clap::{Parser, Subcommand};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::multipart::{Form, Part};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser, Debug)]
struct Cli {
    /// The archportal binary (debug or release build).
    #[arg(long)]
    archportal: PathBuf,
    /// PostgreSQL server URL (databases are created and dropped on it).
    #[arg(
        long,
        env = "PG_TEST_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_url: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// kill -9 the server under load and check the invariants after each kill.
    Crash {
        /// Kills per backend.
        #[arg(long, default_value_t = 5)]
        kills: usize,
        /// Seed of the kill moments and of the clients' choices (default: from the clock).
        #[arg(long)]
        seed: Option<u64>,
        /// Backends: sqlite, postgres.
        #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
        backends: Vec<String>,
        /// Shortest load before a kill, in milliseconds.
        #[arg(long, default_value_t = 300)]
        min_ms: u64,
        /// Longest load before a kill, in milliseconds.
        #[arg(long, default_value_t = 3000)]
        max_ms: u64,
    },
    /// Cut PostgreSQL (through a TCP proxy) for a while under load.
    DbFault {
        /// How long the database is unreachable, in seconds.
        #[arg(long, default_value_t = 30)]
        outage_secs: u64,
        /// Hang connections instead of refusing them (a network partition).
        #[arg(long)]
        blackhole: bool,
    },
    /// Fill the embedded search index's file system (a size-limited tmpfs
    /// mounted on `{data_dir}/search`: ENOSPC) for a while under writes.
    SearchFault {
        /// How long the index cannot write, in seconds.
        #[arg(long, default_value_t = 30)]
        outage_secs: u64,
        /// sqlite or postgres.
        #[arg(long, default_value = "postgres")]
        backend: String,
    },
    /// A steady mixed load; samples RSS and latency.
    Soak {
        /// Duration in seconds.
        #[arg(long, env = "SOAK_SECONDS", default_value_t = 600)]
        seconds: u64,
        /// Sampling interval in seconds.
        #[arg(long, default_value_t = 30)]
        sample_secs: u64,
        /// sqlite or postgres.
        #[arg(long, default_value = "postgres")]
        backend: String,
        /// Pause between a client's requests, in milliseconds (steady load).
        #[arg(long, default_value_t = 100)]
        think_ms: u64,
    },
}

const PASSWORD: &str = "correct horse battery staple";

// ---------------------------------------------------------------- server

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn parse(s: &str) -> anyhow::Result<Backend> {
        match s {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "pg" => Ok(Backend::Postgres),
            _ => bail!("unknown backend {s}"),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// One server installation: data directory, database, and the process when running.
struct Instance {
    bin: PathBuf,
    data_dir: PathBuf,
    /// What the server connects to (the proxy in `db-fault`).
    server_db_url: Option<String>,
    /// What the checks connect to.
    direct_url: String,
    pg: Option<(String, String)>,
    child: Option<Child>,
    port: u16,
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Instance {
    fn create(bin: &Path, backend: Backend, pg_url: &str, tag: &str) -> anyhow::Result<Instance> {
        let secs = unix_secs();
        let data_dir = std::env::temp_dir().join(format!(
            "archportal-{tag}-{}-{secs}-{}",
            backend.name(),
            std::process::id()
        ));
        std::fs::create_dir_all(&data_dir)?;
        let (server_db_url, direct_url, pg) = match backend {
            Backend::Sqlite => (
                None,
                format!("sqlite://{}", data_dir.join("archportal.db").display()),
                None,
            ),
            Backend::Postgres => {
                // The `archportal_test_<secs>_` prefix lets `make pg-clean`
                // drop it if this run dies.
                let name = format!("archportal_test_{secs}_{tag}_{}", std::process::id());
                psql(pg_url, &format!("CREATE DATABASE {name}"))?;
                let url = with_database(pg_url, &name);
                (Some(url.clone()), url, Some((pg_url.to_owned(), name)))
            }
        };
        Ok(Instance {
            bin: bin.to_owned(),
            data_dir,
            server_db_url,
            direct_url,
            pg,
            child: None,
            port: 0,
        })
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("ARCHPORTAL_DATA_DIR", &self.data_dir)
            .env("ARCHPORTAL_LIMITS__RATE_PER_MINUTE", "100000000")
            .env("ARCHPORTAL_LIMITS__RATE_BURST", "100000000")
            .env("ARCHPORTAL_AUTH__ACCESS_TOKEN_TTL_SECS", "86400")
            // A dispatcher reserves the messages it claims for the lease; a
            // message claimed by a killed server waits out the lease before
            // the next attempt. Mail goes to the local outbox directory here
            // (delivery takes milliseconds), so a 5 s lease is safe and lets
            // the drain check below (60 s) see every message delivered.
            .env("ARCHPORTAL_NOTIFICATIONS__LEASE_SECS", "5")
            .env("RUST_LOG", "warn,archportal_api=warn")
            .env_remove("DATABASE_URL")
            .env_remove("MEILISEARCH_URL")
            .env_remove("SMTP_URL");
        if let Some(url) = &self.server_db_url {
            cmd.env("DATABASE_URL", url);
        }
        cmd
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) -> anyhow::Result<()> {
        self.port = free_port()?;
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.data_dir.join("server.log"))?;
        let child = self
            .command()
            .env("ARCHPORTAL_LISTEN", format!("127.0.0.1:{}", self.port))
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL (`Child::kill` sends SIGKILL on Unix) and reap.
    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    async fn wait_ready(&mut self, client: &reqwest::Client) -> anyhow::Result<Duration> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                bail!(
                    "server exited during start ({status}); see {}",
                    self.data_dir.join("server.log").display()
                );
            }
            if let Ok(r) = client
                .get(format!("{}/readyz", self.base()))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                && r.status().is_success()
            {
                return Ok(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("server not ready after 120 s")
    }

    /// Runs a CLI subcommand against this installation.
    fn cli(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> CliRun {
        let mut cmd = self.command();
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut run = || -> anyhow::Result<CliRun> {
            let mut child = cmd.spawn()?;
            if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
                std::io::Write::write_all(&mut input, text.as_bytes())?;
            }
            let out = child.wait_with_output()?;
            Ok(CliRun {
                ok: out.status.success(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            })
        };
        run().unwrap_or_else(|e| CliRun {
            ok: false,
            stdout: String::new(),
            stderr: e.to_string(),
        })
    }

    fn finish(mut self) {
        self.kill9();
        if let Some((admin, name)) = self.pg.take() {
            let _ = psql(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

struct CliRun {
    ok: bool,
    stdout: String,
    stderr: String,
}

// ---------------------------------------------------------------- requests

/// What a request came to.
enum Outcome {
    /// Acknowledged: `data` (or the upload's body).
    Ok(Value),
    /// A typed refusal: the mutation did not happen.
    Refused(String),
    /// Transport error, timeout, `UNAVAILABLE`, `INTERNAL`: may or may not have happened.
    Unknown(String),
}

/// Latency samples: (milliseconds, succeeded, class).
type Samples = Arc<Mutex<Vec<(f64, bool, String)>>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn classify_body(v: &Value) -> Outcome {
    match v.get("errors") {
        None => Outcome::Ok(v.get("data").cloned().unwrap_or(Value::Null)),
        Some(errs) => {
            let code = errs[0]["extensions"]["code"]
                .as_str()
                .unwrap_or("NO_CODE")
                .to_owned();
            match code.as_str() {
                "UNAVAILABLE" | "TIMEOUT" | "INTERNAL" | "NO_CODE" => Outcome::Unknown(code),
                _ => Outcome::Refused(code),
            }
        }
    }
}

#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    samples: Samples,
}

impl Api {
    fn record(&self, started: Instant, o: &Outcome) {
        let class = match o {
            Outcome::Ok(_) => "OK".to_owned(),
            Outcome::Refused(c) | Outcome::Unknown(c) => c.clone(),
        };
        lock(&self.samples).push((
            started.elapsed().as_secs_f64() * 1000.0,
            matches!(o, Outcome::Ok(_)),
            class,
        ));
    }

    async fn gql(&self, token: Option<&str>, query: &str, vars: Value) -> Outcome {
        let started = Instant::now();
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": vars}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let o = match req.send().await {
            Err(e) => Outcome::Unknown(transport(&e)),
            Ok(r) => match r.json::<Value>().await {
                Err(e) => Outcome::Unknown(transport(&e)),
                Ok(v) => classify_body(&v),
            },
        };
        self.record(started, &o);
        o
    }

    async fn upload(
        &self,
        token: &str,
        object: &str,
        kind: &str,
        pdf: Vec<u8>,
        docx: Vec<u8>,
    ) -> Outcome {
        let started = Instant::now();
        let form = Form::new()
            .part("pdf", Part::bytes(pdf).file_name(format!("{kind}.pdf")))
            .part("docx", Part::bytes(docx).file_name(format!("{kind}.docx")));
        let o = match self
            .client
            .post(format!(
                "{}/api/objects/{object}/documents/{kind}",
                self.base
            ))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
        {
            Err(e) => Outcome::Unknown(transport(&e)),
            Ok(r) => {
                let ok = r.status().is_success();
                match r.json::<Value>().await {
                    Err(e) => Outcome::Unknown(transport(&e)),
                    Ok(v) if ok => Outcome::Ok(v),
                    Ok(v) => classify_body(&v),
                }
            }
        };
        self.record(started, &o);
        o
    }
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "CLIENT_TIMEOUT".into()
    } else if e.is_connect() {
        "CONNECT".into()
    } else {
        "TRANSPORT".into()
    }
}

/// A valid BIN from 11 digits (check digit as the law computes it), if any.
fn bin(head: u64) -> Option<String> {
    let s = format!("{head:011}");
    let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
    let w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let mut c = d.iter().zip(w1).map(|(a, b)| a * b).sum::<u32>() % 11;
    if c == 10 {
        c = d.iter().zip(w2).map(|(a, b)| a * b).sum::<u32>() % 11;
    }
    (c < 10).then(|| format!("{s}{c}"))
}

// ---------------------------------------------------------------- the ledger

/// Everything the server acknowledged (and what may have happened).
#[derive(Default)]
struct Ledger {
    objects: Vec<Obj>,
    documents: Vec<String>,
    services: Vec<(String, String)>,
    integration_requests: Vec<String>,
    account_requests: Vec<String>,
    codes: Vec<(String, String)>,
    /// op → outcome class → count.
    outcomes: BTreeMap<String, BTreeMap<String, u64>>,
}

struct Obj {
    id: String,
    owner: usize,
    purpose: String,
    /// Edits whose answer never came: the row may hold any of them.
    maybe_purposes: Vec<String>,
    kinds_done: usize,
    submitted: bool,
    code: Option<String>,
    busy: bool,
    /// An unanswered step: its state is unknown, so it takes no further steps.
    tainted: bool,
}

impl Ledger {
    fn count(&mut self, op: &str, o: &Outcome) {
        let class = match o {
            Outcome::Ok(_) => "ok".to_owned(),
            Outcome::Refused(c) => format!("refused {c}"),
            Outcome::Unknown(c) => format!("unknown {c}"),
        };
        *self
            .outcomes
            .entry(op.to_owned())
            .or_default()
            .entry(class)
            .or_default() += 1;
    }
}

/// The accounts the load runs as.
struct Actors {
    owners: [String; 2],
    operator: String,
    integrator: String,
}

const CREATE_OBJECT: &str = "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }";
const UPDATE_OBJECT: &str = "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }";
const SUBMIT: &str = "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { kind } } }";
const TAKE: &str = "mutation($id:ID!){ takeReview(objectId:$id){ review { kind } } }";
const REGISTER: &str =
    "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }";
const REGISTER_SERVICE: &str =
    "mutation($i:RegisterServiceInput!){ registerService(input:$i){ service { id serviceId } } }";
const FILE_REQUEST: &str = "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { id } } }";
const REQUEST_ACCOUNT: &str =
    "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id } } }";
const LIST: &str = "{ informatizationObjects(first: 20) { totalCount edges { node { id shortName registrationStatus accountingCode organization { nameRu } } } } }";

async fn setup(inst: &Instance, api: &Api) -> anyhow::Result<Actors> {
    let run = inst.cli(
        &[
            "admin",
            "create",
            "--email",
            "admin@crash.kz",
            "--role",
            "ADMIN",
        ],
        &[],
        Some(&format!("{PASSWORD}\n")),
    );
    if !run.ok {
        bail!("admin create: {}", run.stderr);
    }
    let login = async |email: &str| -> anyhow::Result<String> {
        match api
            .gql(
                None,
                "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken } }",
                json!({"e": email, "p": PASSWORD}),
            )
            .await
        {
            Outcome::Ok(d) => d["login"]["accessToken"]
                .as_str()
                .map(str::to_owned)
                .context("no token"),
            _ => bail!("login {email} failed"),
        }
    };
    let ok = |o: Outcome, what: &str| -> anyhow::Result<Value> {
        match o {
            Outcome::Ok(d) => Ok(d),
            Outcome::Refused(c) | Outcome::Unknown(c) => bail!("{what}: {c}"),
        }
    };
    let admin = login("admin@crash.kz").await?;
    let mut orgs = vec![];
    for (i, name) in ["Министерство юстиции", "Министерство финансов"]
        .iter()
        .enumerate()
    {
        let b = (0..100)
            .find_map(|k| bin(24_014_000_000 + (i as u64) * 100 + k))
            .context("bin")?;
        let d = ok(
            api.gql(
                Some(&admin),
                "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }",
                json!({"i": {"bin": b, "nameKk": format!("{name} (kk)"), "nameRu": name, "kind": "STATE_BODY"}}),
            )
            .await,
            "createOrganization",
        )?;
        orgs.push(
            d["createOrganization"]["organization"]["id"]
                .as_str()
                .context("org id")?
                .to_owned(),
        );
    }
    let user = async |email: &str, role: &str, org: Option<&str>| -> anyhow::Result<String> {
        ok(
            api.gql(
                Some(&admin),
                "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
                json!({"i": {"email": email, "fullName": email, "role": role, "organizationId": org, "password": PASSWORD}}),
            )
            .await,
            "createUser",
        )?;
        login(email).await
    };
    let owner_a = user("a@crash.kz", "OWNER", Some(&orgs[0])).await?;
    let owner_b = user("b@crash.kz", "OWNER", Some(&orgs[1])).await?;
    let operator = user("operator@crash.kz", "OPERATOR", None).await?;
    let integrator = user("integrator@crash.kz", "INTEGRATOR", None).await?;
    Ok(Actors {
        owners: [owner_a, owner_b],
        operator,
        integrator,
    })
}

/// Unique names across restarts and clients.
static SERIAL: AtomicU64 = AtomicU64::new(1);

fn serial() -> u64 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// One client: a seeded random mix of operations until `stop`.
async fn client_loop(
    api: Api,
    actors: Arc<Actors>,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    seed: u64,
    think: Duration,
    tag: String,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    while !stop.load(Ordering::Relaxed) {
        let roll = rng.random_range(0..100u32);
        let failed = match roll {
            0..12 => create_object(&api, &actors, &ledger, &mut rng).await,
            12..50 => advance_object(&api, &actors, &ledger, &mut rng).await,
            50..62 => update_object(&api, &actors, &ledger, &mut rng).await,
            62..72 => register_service(&api, &actors, &ledger, &mut rng, &tag).await,
            72..80 => file_request(&api, &actors, &ledger, &mut rng).await,
            80..90 => request_account(&api, &ledger, &tag).await,
            _ => {
                let o = api.gql(Some(&actors.owners[0]), LIST, json!({})).await;
                matches!(o, Outcome::Unknown(_))
            }
        };
        if failed {
            // The server is (probably) down: do not spin.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if !think.is_zero() {
            tokio::time::sleep(think).await;
        }
    }
}

async fn create_object(api: &Api, a: &Actors, ledger: &Mutex<Ledger>, rng: &mut StdRng) -> bool {
    let owner = rng.random_range(0..2usize);
    let n = serial();
    let purpose = format!("Мемлекеттік қызметтерді автоматтандыру {n}");
    let o = api
        .gql(
            Some(&a.owners[owner]),
            CREATE_OBJECT,
            json!({"i": {"kind": "INFORMATION_SYSTEM", "nameKk": format!("ИС-{n} ақпараттық жүйесі"), "nameRu": format!("Информационная система ИС-{n}"), "shortName": format!("ИС-{n}"), "purpose": purpose}}),
        )
        .await;
    let mut l = lock(ledger);
    l.count("createObject", &o);
    if let Outcome::Ok(d) = &o
        && let Some(id) = d["createInformatizationObject"]["informatizationObject"]["id"].as_str()
    {
        l.objects.push(Obj {
            id: id.to_owned(),
            owner,
            purpose,
            maybe_purposes: vec![],
            kinds_done: 0,
            submitted: false,
            code: None,
            busy: false,
            tainted: false,
        });
    }
    matches!(o, Outcome::Unknown(_))
}

/// Picks a free object matching `pred` and marks it busy.
fn claim(ledger: &Mutex<Ledger>, rng: &mut StdRng, pred: impl Fn(&Obj) -> bool) -> Option<usize> {
    let mut l = lock(ledger);
    let free: Vec<usize> = l
        .objects
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.busy && !o.tainted && pred(o))
        .map(|(i, _)| i)
        .collect();
    if free.is_empty() {
        return None;
    }
    let i = free[rng.random_range(0..free.len())];
    l.objects[i].busy = true;
    Some(i)
}

async fn advance_object(api: &Api, a: &Actors, ledger: &Mutex<Ledger>, rng: &mut StdRng) -> bool {
    let kinds = required_kinds(LifeCycleStage::Creation);
    let Some(i) = claim(ledger, rng, |o| o.code.is_none()) else {
        return false;
    };
    let (id, owner, done, submitted) = {
        let l = lock(ledger);
        let o = &l.objects[i];
        (o.id.clone(), o.owner, o.kinds_done, o.submitted)
    };
    let (op, outcome) = if done < kinds.len() {
        let kind = kinds[done].code();
        let n = serial();
        let text = format!("{kind}\nТехническая документация {id} {n}");
        let o = api
            .upload(
                &a.owners[owner],
                &id,
                kind,
                minimal_pdfa1b(&text),
                minimal_docx(&[kind, "Техническая документация", &id, &n.to_string()]),
            )
            .await;
        ("upload", o)
    } else if !submitted {
        (
            "submit",
            api.gql(Some(&a.owners[owner]), SUBMIT, json!({"id": id}))
                .await,
        )
    } else {
        let t = api.gql(Some(&a.integrator), TAKE, json!({"id": id})).await;
        match t {
            // Taken earlier (an answer lost in a kill) is fine: go on.
            Outcome::Ok(_) | Outcome::Refused(_) => (
                "register",
                api.gql(Some(&a.integrator), REGISTER, json!({"id": id}))
                    .await,
            ),
            Outcome::Unknown(_) => ("takeReview", t),
        }
    };
    let mut l = lock(ledger);
    l.count(op, &outcome);
    let unknown = matches!(outcome, Outcome::Unknown(_));
    match (op, &outcome) {
        ("upload", Outcome::Ok(v)) => {
            if let Some(doc) = v["document"]["id"].as_str() {
                l.documents.push(doc.to_owned());
            }
            l.objects[i].kinds_done += 1;
        }
        ("submit", Outcome::Ok(_)) => l.objects[i].submitted = true,
        ("register", Outcome::Ok(d)) => {
            if let Some(code) = d["registerInformatizationObject"]["accountingCode"].as_str() {
                l.codes.push((id.clone(), code.to_owned()));
                l.objects[i].code = Some(code.to_owned());
            }
        }
        // A refusal or an unanswered step: leave the object be.
        _ => l.objects[i].tainted = true,
    }
    l.objects[i].busy = false;
    unknown
}

async fn update_object(api: &Api, a: &Actors, ledger: &Mutex<Ledger>, rng: &mut StdRng) -> bool {
    let Some(i) = claim(ledger, rng, |o| !o.submitted) else {
        return false;
    };
    let (id, owner) = {
        let l = lock(ledger);
        (l.objects[i].id.clone(), l.objects[i].owner)
    };
    let purpose = format!("Уточнённое назначение {}", serial());
    let o = api
        .gql(
            Some(&a.owners[owner]),
            UPDATE_OBJECT,
            json!({"i": {"id": id, "purpose": purpose}}),
        )
        .await;
    let mut l = lock(ledger);
    l.count("updateObject", &o);
    let obj = &mut l.objects[i];
    match &o {
        Outcome::Ok(_) => {
            obj.purpose = purpose;
            obj.maybe_purposes.clear();
        }
        Outcome::Refused(_) => {}
        Outcome::Unknown(_) => obj.maybe_purposes.push(purpose),
    }
    obj.busy = false;
    matches!(o, Outcome::Unknown(_))
}

async fn register_service(
    api: &Api,
    a: &Actors,
    ledger: &Mutex<Ledger>,
    rng: &mut StdRng,
    tag: &str,
) -> bool {
    let object = {
        let l = lock(ledger);
        let of_a: Vec<&Obj> = l.objects.iter().filter(|o| o.owner == 0).collect();
        if of_a.is_empty() {
            return false;
        }
        of_a[rng.random_range(0..of_a.len())].id.clone()
    };
    let key = format!("CRASH_{tag}_{}", serial());
    let o = api
        .gql(
            Some(&a.operator),
            REGISTER_SERVICE,
            json!({"i": {"objectId": object, "service": {
                "serviceId": key, "nameKk": "Жеке тұлғалар туралы мәліметтер", "nameRu": "Сведения о физических лицах",
                "description": "Мемлекеттік дерекқордан мәліметтер беру", "gateway": "EGG", "protocol": "SOAP",
                "interaction": "SYNCHRONOUS", "version": "1.0", "personalData": true,
                "testAddress": "https://test.shep.gov.kz/bip-sync/"}}}),
        )
        .await;
    let mut l = lock(ledger);
    l.count("registerService", &o);
    if let Outcome::Ok(d) = &o
        && let Some(id) = d["registerService"]["service"]["id"].as_str()
    {
        l.services.push((id.to_owned(), key));
    }
    matches!(o, Outcome::Unknown(_))
}

async fn file_request(api: &Api, a: &Actors, ledger: &Mutex<Ledger>, rng: &mut StdRng) -> bool {
    let (service, consumer) = {
        let l = lock(ledger);
        let of_b: Vec<&Obj> = l.objects.iter().filter(|o| o.owner == 1).collect();
        if of_b.is_empty() || l.services.is_empty() {
            return false;
        }
        (
            l.services[rng.random_range(0..l.services.len())].1.clone(),
            of_b[rng.random_range(0..of_b.len())].id.clone(),
        )
    };
    let o = api
        .gql(
            Some(&a.owners[1]),
            FILE_REQUEST,
            json!({"i": {"serviceId": service, "consumerObjectId": consumer, "basisLink": "https://adilet.zan.kz/rus/docs/V1600013335", "systemAddress": "10.1.2.3", "purpose": "Салық берешегін есептеу үшін мәліметтерді алу"}}),
        )
        .await;
    let mut l = lock(ledger);
    l.count("fileIntegrationRequest", &o);
    if let Outcome::Ok(d) = &o
        && let Some(id) = d["fileIntegrationRequest"]["integrationRequest"]["id"].as_str()
    {
        l.integration_requests.push(id.to_owned());
    }
    matches!(o, Outcome::Unknown(_))
}

async fn request_account(api: &Api, ledger: &Mutex<Ledger>, tag: &str) -> bool {
    let n = serial();
    let Some(b) = (0..20).find_map(|k| bin(25_014_000_000 + (n % 49_000) * 20 + k)) else {
        return false;
    };
    let o = api
        .gql(
            None,
            REQUEST_ACCOUNT,
            json!({"i": {"bin": b, "organizationNameKk": format!("Ұйым {n}"), "organizationNameRu": format!("Организация {n}"),
                "organizationKind": "STATE_BODY", "fullName": "Айгерим Сапарова", "position": "Главный эксперт",
                "email": format!("req{n}.{tag}@example.kz"), "phone": "+7 (7172) 74-00-00", "basis": "Приказ № 1 от 01.03.2025", "language": "KK"}}),
        )
        .await;
    let mut l = lock(ledger);
    l.count("requestAccount", &o);
    if let Outcome::Ok(d) = &o
        && let Some(id) = d["requestAccount"]["accountRequest"]["id"].as_str()
    {
        l.account_requests.push(id.to_owned());
    }
    matches!(o, Outcome::Unknown(_))
}

struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    #[expect(clippy::too_many_arguments, reason = "the harness's knobs")]
    fn start(
        api: &Api,
        actors: &Arc<Actors>,
        ledger: &Arc<Mutex<Ledger>>,
        clients: usize,
        seed: u64,
        think: Duration,
        tag: &str,
        round: usize,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = (0..clients)
            .map(|c| {
                tokio::spawn(client_loop(
                    api.clone(),
                    actors.clone(),
                    ledger.clone(),
                    stop.clone(),
                    seed ^ ((round as u64) << 16) ^ (c as u64),
                    think,
                    format!("{tag}{round}x{c}"),
                ))
            })
            .collect();
        Load { stop, tasks }
    }

    async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

// ---------------------------------------------------------------- invariants

async fn rows(
    db: &DatabaseConnection,
    sql: &str,
    cols: &[&str],
) -> anyhow::Result<Vec<Vec<Option<String>>>> {
    // UUIDs as 32 lower-case hex digits on both backends (SQLite stores them as blobs).
    let backend = db.get_database_backend();
    let mut sql = sql.to_owned();
    for col in ["id", "organization_id"] {
        let cast = format!("CAST({col} AS TEXT)");
        sql = match backend {
            sea_orm::DbBackend::Sqlite => sql.replace(&cast, &format!("lower(hex({col}))")),
            _ => sql.replace(&cast, &format!("replace({cast}, '-', '')")),
        };
    }
    let sql = &sql;
    let res = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .with_context(|| sql.to_owned())?;
    let mut out = vec![];
    for r in res {
        let mut row = vec![];
        for c in cols {
            row.push(
                r.try_get::<Option<String>>("", c)
                    .with_context(|| format!("{sql}: {c}"))?,
            );
        }
        out.push(row);
    }
    Ok(out)
}

/// A UUID as 32 lower-case hex digits.
fn norm(id: &str) -> String {
    id.replace('-', "").to_ascii_lowercase()
}

fn blob_path(inst: &Instance, hex: &str) -> PathBuf {
    inst.data_dir
        .join("blobs")
        .join("sha256")
        .join(hex.get(0..2).unwrap_or(""))
        .join(hex.get(2..4).unwrap_or(""))
        .join(hex)
}

fn blob_files(inst: &Instance) -> Vec<String> {
    let root = inst.data_dir.join("blobs").join("sha256");
    let mut out = vec![];
    for a in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for b in std::fs::read_dir(a.path()).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(b.path()).into_iter().flatten().flatten() {
                out.push(f.file_name().to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// What one check found, for the summary.
#[derive(Default)]
struct CheckStats {
    documents: usize,
    blobs_deleted: u64,
    blobs_left: usize,
    codes: usize,
    outbox: usize,
    audit_rows: String,
}

/// With the server stopped: every invariant of issue 7 item 1 but the
/// delivery one (which needs the dispatcher running).
async fn check_stopped(
    inst: &Instance,
    ledger: &Mutex<Ledger>,
    fails: &mut Vec<String>,
) -> anyhow::Result<CheckStats> {
    let mut st = CheckStats::default();
    let db = Database::connect(inst.direct_url.as_str()).await?;
    let docs = rows(
        &db,
        "SELECT CAST(id AS TEXT) AS id, pdf_sha256, docx_sha256 FROM documents",
        &["id", "pdf_sha256", "docx_sha256"],
    )
    .await?;
    st.documents = docs.len();
    let mut referenced = HashSet::new();
    for d in &docs {
        for h in [&d[1], &d[2]].into_iter().flatten() {
            referenced.insert(h.clone());
            if !blob_path(inst, h).is_file() {
                fails.push(format!("document {:?} refers to missing blob {h}", d[0]));
            }
        }
    }
    let doc_ids: HashSet<String> = docs.iter().filter_map(|d| d[0].clone()).collect();
    let objects = rows(
        &db,
        "SELECT CAST(id AS TEXT) AS id, purpose, accounting_code, registration_status FROM informatization_objects",
        &["id", "purpose", "accounting_code", "registration_status"],
    )
    .await?;
    let ids = |sql: &'static str| {
        let db = &db;
        async move {
            anyhow::Ok(
                rows(db, sql, &["id"])
                    .await?
                    .into_iter()
                    .filter_map(|mut r| r.remove(0))
                    .collect::<HashSet<String>>(),
            )
        }
    };
    let services = ids("SELECT CAST(id AS TEXT) AS id FROM services").await?;
    let requests = ids("SELECT CAST(id AS TEXT) AS id FROM integration_requests").await?;
    let accounts = ids("SELECT CAST(id AS TEXT) AS id FROM account_requests").await?;
    // The per-organization object counts kept by triggers (what an
    // unfiltered totalCount reads) equal the objects, after every kill.
    let kept: BTreeSet<Vec<Option<String>>> = rows(
        &db,
        "SELECT CAST(organization_id AS TEXT) AS o, CAST(live AS TEXT) AS l, \
         CAST(archived AS TEXT) AS a FROM object_counts WHERE live <> 0 OR archived <> 0",
        &["o", "l", "a"],
    )
    .await?
    .into_iter()
    .collect();
    let counted: BTreeSet<Vec<Option<String>>> = rows(
        &db,
        &format!(
            "SELECT CAST(organization_id AS TEXT) AS o, CAST(live AS TEXT) AS l, \
             CAST(archived AS TEXT) AS a FROM ({}) c",
            archportal_migrations::OBJECT_COUNTS_RECOUNT
        ),
        &["o", "l", "a"],
    )
    .await?
    .into_iter()
    .collect();
    if kept != counted {
        fails.push(format!(
            "object_counts {kept:?} differ from the objects {counted:?}"
        ));
    }
    {
        let l = lock(ledger);
        let by_id: BTreeMap<&str, (&Option<String>, &Option<String>)> = objects
            .iter()
            .filter_map(|o| o[0].as_deref().map(|id| (id, (&o[1], &o[2]))))
            .collect();
        for o in &l.objects {
            match by_id.get(norm(&o.id).as_str()) {
                None => fails.push(format!("acknowledged object {} is missing", o.id)),
                Some((purpose, code)) => {
                    let p = purpose.as_deref().unwrap_or("");
                    if p != o.purpose && !o.maybe_purposes.iter().any(|m| m == p) {
                        fails.push(format!(
                            "object {}: purpose {p:?}, acknowledged {:?}",
                            o.id, o.purpose
                        ));
                    }
                    if let Some(c) = &o.code
                        && code.as_deref() != Some(c.as_str())
                    {
                        fails.push(format!("object {}: code {code:?}, acknowledged {c}", o.id));
                    }
                }
            }
        }
        for d in &l.documents {
            if !doc_ids.contains(&norm(d)) {
                fails.push(format!("acknowledged document {d} is missing"));
            }
        }
        for (s, _) in &l.services {
            if !services.contains(&norm(s)) {
                fails.push(format!("acknowledged service {s} is missing"));
            }
        }
        for r in &l.integration_requests {
            if !requests.contains(&norm(r)) {
                fails.push(format!("acknowledged integration request {r} is missing"));
            }
        }
        for r in &l.account_requests {
            if !accounts.contains(&norm(r)) {
                fails.push(format!("acknowledged account request {r} is missing"));
            }
        }
        // No code was acknowledged twice.
        let acked: HashSet<&String> = l.codes.iter().map(|(_, c)| c).collect();
        if acked.len() != l.codes.len() {
            fails.push(format!(
                "{} codes acknowledged but only {} distinct",
                l.codes.len(),
                acked.len()
            ));
        }
    }
    // Accounting codes: valid, unique, and per year exactly 1..=last_value
    // (a rolled-back registration rolls its number back: no gaps, no loss).
    let mut per_year: BTreeMap<i32, BTreeSet<u32>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for o in &objects {
        // A registered object has its code (003 §8): none lost.
        if o[3].as_deref() == Some("REGISTERED") && o[2].is_none() {
            fails.push(format!(
                "registered object {:?} has no accounting code",
                o[0]
            ));
        }
        let Some(code) = &o[2] else { continue };
        st.codes += 1;
        if AccountingCode::parse(code).is_err() {
            fails.push(format!("invalid accounting code {code}"));
        }
        if !seen.insert(code.clone()) {
            fails.push(format!("duplicate accounting code {code}"));
        }
        let mut parts = code.split('-').skip(1);
        if let (Some(Ok(y)), Some(Ok(s))) = (
            parts.next().map(str::parse::<i32>),
            parts.next().map(str::parse::<u32>),
        ) {
            per_year.entry(y).or_default().insert(s);
        }
    }
    let seqs = rows(
        &db,
        "SELECT CAST(year AS TEXT) AS year, CAST(last_value AS TEXT) AS last_value FROM accounting_sequences",
        &["year", "last_value"],
    )
    .await?;
    let mut years = BTreeMap::new();
    for s in seqs {
        if let (Some(Ok(y)), Some(Ok(v))) = (
            s[0].as_deref().map(str::parse::<i32>),
            s[1].as_deref().map(str::parse::<u32>),
        ) {
            years.insert(y, v);
        }
    }
    for (y, set) in &per_year {
        let last = years.get(y).copied().unwrap_or(0);
        let expected: BTreeSet<u32> = (1..=last).collect();
        if *set != expected {
            let missing: Vec<_> = expected.difference(set).take(5).collect();
            fails.push(format!(
                "accounting codes of {y}: {} assigned, counter at {last}; missing {missing:?}",
                set.len()
            ));
        }
    }
    for (y, last) in &years {
        if !per_year.contains_key(y) && *last > 0 {
            fails.push(format!(
                "accounting counter of {y} at {last} but no code assigned"
            ));
        }
    }
    // Outbox: one message per (event, recipient) key.
    let outbox = rows(
        &db,
        "SELECT idempotency_key FROM outbox",
        &["idempotency_key"],
    )
    .await?;
    st.outbox = outbox.len();
    let keys: HashSet<_> = outbox.iter().map(|r| r[0].clone()).collect();
    if keys.len() != outbox.len() {
        fails.push(format!(
            "outbox: {} rows but {} keys",
            outbox.len(),
            keys.len()
        ));
    }
    db.close().await?;

    // The collector with grace 0 (the server is stopped, nothing in flight).
    let gc = inst.cli(
        &["blobs", "gc"],
        &[("ARCHPORTAL_DOCUMENTS__GC_GRACE_SECS", "0")],
        None,
    );
    if !gc.ok {
        fails.push(format!("blobs gc failed: {}", gc.stderr.trim()));
    }
    st.blobs_deleted = gc
        .stdout
        .split_whitespace()
        .skip_while(|w| *w != "deleted")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let files = blob_files(inst);
    st.blobs_left = files.len();
    for f in &files {
        if !referenced.contains(f) {
            fails.push(format!("blob {f} unreferenced after the collector ran"));
        }
    }
    for h in &referenced {
        if !blob_path(inst, h).is_file() {
            fails.push(format!("the collector deleted referenced blob {h}"));
        }
    }
    let temp_left = std::fs::read_dir(inst.data_dir.join("blobs").join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    if temp_left > 0 {
        fails.push(format!(
            "{temp_left} temporary blob files left after the collector ran"
        ));
    }
    let audit = inst.cli(&["audit", "verify"], &[], None);
    if audit.ok {
        st.audit_rows = audit.stdout.trim().to_owned();
    } else {
        fails.push(format!(
            "audit verify: {} {}",
            audit.stdout.trim(),
            audit.stderr.trim()
        ));
    }
    Ok(st)
}

/// With the server running and idle: the dispatcher delivers every pending
/// message, and the mail directory holds exactly one file per message.
async fn check_delivery(inst: &Instance, fails: &mut Vec<String>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let db = Database::connect(inst.direct_url.as_str()).await?;
    let mut last_pending;
    loop {
        // Mails and search index updates both drain (the embedded index
        // survived the kill, or the outbox rebuilds what it lost).
        let pending = rows(
            &db,
            "SELECT CAST(id AS TEXT) AS id FROM outbox WHERE status <> 'SENT' \
             UNION ALL SELECT CAST(id AS TEXT) AS id FROM index_outbox WHERE status <> 'DONE'",
            &["id"],
        )
        .await?;
        last_pending = pending.len();
        if pending.is_empty() || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if last_pending > 0 {
        fails.push(format!(
            "{last_pending} outbox messages still pending after 60 s"
        ));
    }
    let sent: HashSet<String> = rows(
        &db,
        "SELECT CAST(id AS TEXT) AS id FROM outbox WHERE status = 'SENT'",
        &["id"],
    )
    .await?
    .into_iter()
    .filter_map(|mut r| r.remove(0))
    .collect();
    db.close().await?;
    let mut files = HashSet::new();
    let mut count = 0;
    for e in std::fs::read_dir(inst.data_dir.join("outbox"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".eml") {
            count += 1;
            files.insert(norm(stem));
        } else {
            // A half-written mail is rewritten under the same name on the
            // retry, so none may be left once everything is delivered.
            fails.push(format!("stray file {name} in the mail directory"));
        }
    }
    if count != sent.len() || files != sent {
        let extra: Vec<_> = files.difference(&sent).take(3).collect();
        let missing: Vec<_> = sent.difference(&files).take(3).collect();
        fails.push(format!(
            "mail directory: {count} files for {} sent messages (extra {extra:?}, missing {missing:?})",
            sent.len()
        ));
    }
    Ok(started.elapsed())
}

fn summarize_outcomes(l: &Ledger) {
    for (op, classes) in &l.outcomes {
        let parts: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
        println!("    {op:<24} {}", parts.join(", "));
    }
}

async fn crash(
    cli: &Cli,
    kills: usize,
    seed: u64,
    backends: &[Backend],
    min_ms: u64,
    max_ms: u64,
) -> anyhow::Result<bool> {
    println!(
        "crash harness: seed {seed}, {kills} kills per backend, {} clients, load {min_ms}..{max_ms} ms before each kill",
        cli.clients
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut all_ok = true;
    for (bi, &backend) in backends.iter().enumerate() {
        let started = Instant::now();
        let mut rng =
            StdRng::seed_from_u64(seed ^ (bi as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut inst = Instance::create(&cli.archportal, backend, &cli.pg_url, "crash")?;
        inst.start()?;
        inst.wait_ready(&client).await?;
        let samples: Samples = Arc::default();
        let mut api = Api {
            client: client.clone(),
            base: inst.base(),
            samples: samples.clone(),
        };
        let actors = Arc::new(setup(&inst, &api).await?);
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let mut fails = vec![];
        let mut restarts = vec![];
        for k in 0..kills {
            let load = Load::start(
                &api,
                &actors,
                &ledger,
                cli.clients,
                seed,
                Duration::ZERO,
                &format!("{}{k}", backend.name()),
                k,
            );
            let after = rng.random_range(min_ms..=max_ms.max(min_ms));
            tokio::time::sleep(Duration::from_millis(after)).await;
            inst.kill9();
            load.stop().await;
            let before = fails.len();
            let last = check_stopped(&inst, &ledger, &mut fails).await?;
            inst.start()?;
            restarts.push(inst.wait_ready(&client).await?);
            api.base = inst.base();
            let drained = check_delivery(&inst, &mut fails).await?;
            // The index holds every acknowledged object (they all carry the word).
            let acked = lock(&ledger).objects.len();
            let indexed = match api
                .gql(
                    Some(&actors.integrator),
                    "query($q:String!){ search(query:$q, filter:{kinds:[OBJECT]}){ totalCount } }",
                    json!({"q": "Информационная"}),
                )
                .await
            {
                Outcome::Ok(d) => d["search"]["totalCount"].as_u64(),
                Outcome::Refused(c) | Outcome::Unknown(c) => {
                    fails.push(format!("search after restart: {c}"));
                    None
                }
            };
            if indexed.is_some_and(|n| (n as usize) < acked) {
                fails.push(format!(
                    "search index holds {indexed:?} objects, {acked} acknowledged"
                ));
            }
            println!(
                "  {} kill {:>3} after {after:>4} ms: {} documents, {} blobs kept, {} deleted by gc, {} codes, {} mails (drained in {:.1} s), {}{}",
                backend.name(),
                k + 1,
                last.documents,
                last.blobs_left,
                last.blobs_deleted,
                last.codes,
                last.outbox,
                drained.as_secs_f64(),
                last.audit_rows,
                if fails.len() > before {
                    "  <-- FAILURES"
                } else {
                    ""
                }
            );
            for f in &fails[before..] {
                println!("    FAIL {f}");
            }
        }
        inst.kill9();
        let l = lock(&ledger);
        let max_restart = restarts.iter().max().copied().unwrap_or_default();
        println!(
            "{}: {kills} kills survived in {:.0} s; acknowledged: {} objects, {} documents, {} codes, {} services, {} integration requests, {} account requests; restart to ready max {:.2} s; {} invariant failures",
            backend.name(),
            started.elapsed().as_secs_f64(),
            l.objects.len(),
            l.documents.len(),
            l.codes.len(),
            l.services.len(),
            l.integration_requests.len(),
            l.account_requests.len(),
            max_restart.as_secs_f64(),
            fails.len()
        );
        summarize_outcomes(&l);
        drop(l);
        if fails.is_empty() {
            inst.finish();
        } else {
            all_ok = false;
            println!(
                "  (data kept for inspection in {})",
                inst.data_dir.display()
            );
        }
    }
    Ok(all_ok)
}

// ---------------------------------------------------------------- db fault

/// A TCP proxy between the server and PostgreSQL that can fail in two ways.
struct Proxy {
    port: u16,
    /// `UP`, `REFUSE` or `BLACKHOLE`.
    state: tokio::sync::watch::Sender<u8>,
}

const UP: u8 = 0;
/// Every connection closed, new ones closed at once (the server is down).
const REFUSE: u8 = 1;
/// Nothing passes and nothing closes (a network partition): connections
/// hang until the proxy is restored, then close.
const BLACKHOLE: u8 = 2;

impl Proxy {
    async fn start(upstream: String) -> anyhow::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (state, _) = tokio::sync::watch::channel(UP);
        let state2 = state.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut rx = state2.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let now = *rx.borrow_and_update();
                    if now == REFUSE {
                        let _ = inbound.shutdown().await;
                        return;
                    }
                    if now == UP {
                        let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => return,
                            _ = rx.wait_for(|s| *s != UP) => {}
                        }
                        if *rx.borrow() == REFUSE {
                            return;
                        }
                        // Black hole: hold both ends silent until restored.
                        let _ = rx.wait_for(|s| *s == UP).await;
                        drop(outbound);
                        return;
                    }
                    let _ = rx.wait_for(|s| *s == UP).await;
                    drop(inbound);
                });
            }
        });
        Ok(Proxy { port, state })
    }

    fn set(&self, s: u8) {
        self.state.send_replace(s);
    }
}

async fn db_fault(cli: &Cli, outage: u64, blackhole: bool) -> anyhow::Result<bool> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let mut inst = Instance::create(&cli.archportal, Backend::Postgres, &cli.pg_url, "dbfault")?;
    let upstream = cli
        .pg_url
        .split('@')
        .nth(1)
        .and_then(|h| h.split('/').next())
        .unwrap_or("127.0.0.1:5432")
        .to_owned();
    let proxy = Proxy::start(upstream).await?;
    let db_name = inst.pg.as_ref().map(|p| p.1.clone()).unwrap_or_default();
    inst.server_db_url = Some(format!(
        "postgres://postgres@127.0.0.1:{}/{db_name}",
        proxy.port
    ));
    inst.start()?;
    inst.wait_ready(&client).await?;
    let samples: Samples = Arc::default();
    let api = Api {
        client: client.clone(),
        base: inst.base(),
        samples: samples.clone(),
    };
    let actors = Arc::new(setup(&inst, &api).await?);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let load = Load::start(
        &api,
        &actors,
        &ledger,
        cli.clients,
        7,
        Duration::from_millis(20),
        "dbf",
        0,
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    lock(&samples).clear();
    let cut_at = Instant::now();
    proxy.set(if blackhole { BLACKHOLE } else { REFUSE });
    let mut readyz = vec![];
    let probe = async |base: &str| -> (u16, f64, String) {
        let t = Instant::now();
        let (status, breaker) = match client.get(format!("{base}/readyz")).send().await {
            Err(_) => (0, String::new()),
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.json::<Value>().await.unwrap_or(Value::Null);
                (
                    status,
                    body["breaker"].as_str().unwrap_or_default().to_owned(),
                )
            }
        };
        (status, t.elapsed().as_secs_f64() * 1000.0, breaker)
    };
    // When `/readyz` first reported the database circuit breaker open, and
    // how many samples had been taken by then.
    let mut breaker_open: Option<(f64, usize)> = None;
    while cut_at.elapsed() < Duration::from_secs(outage) {
        let (s, ms, breaker) = probe(&api.base).await;
        readyz.push((cut_at.elapsed().as_secs_f64(), s, ms));
        if breaker_open.is_none() && !breaker.is_empty() && breaker != "closed" {
            breaker_open = Some((cut_at.elapsed().as_secs_f64(), lock(&samples).len()));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let during: Vec<(f64, bool, String)> = std::mem::take(&mut *lock(&samples));
    proxy.set(UP);
    let restored = Instant::now();
    let mut ready_after = None;
    let mut mutation_after = None;
    while restored.elapsed() < Duration::from_secs(120)
        && (ready_after.is_none() || mutation_after.is_none())
    {
        if ready_after.is_none() && probe(&api.base).await.0 == 200 {
            ready_after = Some(restored.elapsed());
        }
        if mutation_after.is_none() {
            let o = api
                .gql(
                    None,
                    REQUEST_ACCOUNT,
                    json!({"i": {"bin": (0..20).find_map(|k| bin(25_054_000_000 + (serial() % 49_000) * 20 + k)).unwrap_or_default(), "organizationNameKk": "Ұйым", "organizationNameRu": "Организация",
                        "organizationKind": "STATE_BODY", "fullName": "Айгерим Сапарова", "position": "Главный эксперт",
                        "email": format!("probe{}@example.kz", serial()), "phone": "+7 (7172) 74-00-00", "basis": "Приказ № 1", "language": "KK"}}),
                )
                .await;
            if matches!(o, Outcome::Ok(_)) {
                mutation_after = Some(restored.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lock(&samples).clear();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after: Vec<(f64, bool, String)> = std::mem::take(&mut *lock(&samples));
    load.stop().await;
    inst.kill9();

    let mut ok = true;
    let mut by_class: BTreeMap<String, usize> = BTreeMap::new();
    for (_, _, c) in &during {
        *by_class.entry(c.clone()).or_default() += 1;
    }
    let mut lat: Vec<f64> = during.iter().map(|s| s.0).collect();
    lat.sort_by(f64::total_cmp);
    let max = lat.last().copied().unwrap_or(0.0);
    println!(
        "database outage of {outage} s ({}), {} clients:",
        if blackhole {
            "TCP proxy black hole: connections hang"
        } else {
            "TCP proxy cut and refusing"
        },
        cli.clients
    );
    println!(
        "  requests during: {}, by answer {by_class:?}; latency p50 {:.0} ms, p99 {:.0} ms, max {max:.0} ms",
        during.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );
    let bad: Vec<&String> = by_class
        .keys()
        .filter(|c| !matches!(c.as_str(), "UNAVAILABLE" | "TIMEOUT" | "OK"))
        .collect();
    // Answers during the outage are typed: UNAVAILABLE (no connection within
    // `database.acquire_timeout_secs`), or TIMEOUT (503) for a statement
    // caught on a connection that hangs; OK for one finished before the cut.
    if !bad.is_empty() {
        ok = false;
        println!("  FAIL untyped answers during the outage: {bad:?}");
    }
    // The request timeout (`limits.request_timeout_ms`, 30 s by default)
    // plus scheduling slack.
    let timeout_ms = 31_000.0;
    if max > timeout_ms {
        ok = false;
        println!("  FAIL a request took {max:.0} ms, beyond the request timeout");
    }
    // The database circuit breaker: the requests answered after `/readyz`
    // first showed it open (they include the requests in flight at that
    // moment, which it answers too).
    match breaker_open {
        Some((at, n)) => {
            let mut open: Vec<f64> = during.iter().skip(n).map(|s| s.0).collect();
            open.sort_by(f64::total_cmp);
            println!(
                "  breaker: open after {at:.2} s; {} requests answered after that: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
                open.len(),
                percentile(&open, 0.5),
                percentile(&open, 0.99),
                open.last().copied().unwrap_or(0.0)
            );
        }
        None => println!("  breaker: never reported open by /readyz"),
    }
    let first_503 = readyz.iter().find(|r| r.1 == 503).map(|r| r.0);
    let non_503_after_first = readyz
        .iter()
        .filter(|r| first_503.is_some_and(|f| r.0 > f) && r.1 != 503)
        .count();
    let readyz_max = readyz.iter().map(|r| r.2).fold(0.0, f64::max);
    println!(
        "  /readyz: {} probes, first 503 after {:.2} s, {non_503_after_first} non-503 after that, slowest {readyz_max:.0} ms",
        readyz.len(),
        first_503.unwrap_or(f64::NAN)
    );
    if first_503.is_none_or(|f| f > 5.0) || non_503_after_first > 0 {
        ok = false;
        println!("  FAIL /readyz did not report the outage");
    }
    match (ready_after, mutation_after) {
        (Some(r), Some(m)) => println!(
            "  recovery after the database returned: /readyz 200 in {:.2} s, first acknowledged mutation in {:.2} s",
            r.as_secs_f64(),
            m.as_secs_f64()
        ),
        _ => {
            ok = false;
            println!("  FAIL no recovery within 120 s ({ready_after:?}, {mutation_after:?})");
        }
    }
    let after_errors = after
        .iter()
        .filter(|s| !s.1 && s.2 != "CONFLICT" && !s.2.starts_with("INVALID") && s.2 != "FORBIDDEN")
        .count();
    println!(
        "  5 s after recovery: {} requests, {after_errors} failed for infrastructure reasons",
        after.len()
    );
    if after_errors > 0 || after.is_empty() {
        let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &after {
            *classes.entry(s.2.as_str()).or_default() += 1;
        }
        ok = false;
        println!("  FAIL the service did not recover: {classes:?}");
    }
    let mut fails = vec![];
    check_stopped(&inst, &ledger, &mut fails).await?;
    for f in &fails {
        println!("  FAIL {f}");
    }
    ok &= fails.is_empty();
    if ok {
        inst.finish();
    } else {
        println!("  (data kept in {})", inst.data_dir.display());
    }
    Ok(ok)
}

// ---------------------------------------------------------------- search fault

/// The size of the tmpfs the index lives on.
const SEARCH_FS_BYTES: u64 = 32 << 20;

/// Fills the file system under `dir` with `dir/filler` until ENOSPC; returns
/// the bytes written.
fn fill_file_system(dir: &Path) -> anyhow::Result<u64> {
    use std::io::Write as _;
    let mut f = File::create(dir.join("filler"))?;
    let chunk = vec![0u8; 64 << 10];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => return Err(e.into()),
        }
    }
    // The last partial page too.
    loop {
        match f.write(&chunk[..512]) {
            Ok(n) if n > 0 => written += n as u64,
            _ => break,
        }
    }
    Ok(written)
}

/// `/readyz`: status, `search`, `searchBacklog`.
async fn search_readiness(client: &reqwest::Client, base: &str) -> (u16, String, Option<u64>) {
    match client
        .get(format!("{base}/readyz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
    {
        Err(_) => (0, String::new(), None),
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.json::<Value>().await.unwrap_or(Value::Null);
            (
                status,
                body["search"].as_str().unwrap_or_default().to_owned(),
                body["searchBacklog"].as_u64(),
            )
        }
    }
}

/// A word unique to object `n` for the search check: its digits spelled as
/// Latin letters (the index folds digits and letters differently).
fn search_word(n: u64) -> String {
    let letters = b"bdfgklmnpr";
    format!("sf{n:06}")
        .bytes()
        .map(|b| {
            if b.is_ascii_digit() {
                char::from(letters[usize::from(b - b'0')])
            } else {
                char::from(b)
            }
        })
        .collect()
}

/// Issue 7 item 2 for the search backend: the embedded index's directory on
/// a 32 MiB tmpfs that is filled (ENOSPC) for `outage` seconds under writes.
/// Writes must keep succeeding, `/readyz` must stay 200 and say search
/// degraded while the index outbox grows, and once the space is back every
/// acknowledged object must be found by search.
async fn search_fault(cli: &Cli, outage: u64, backend: Backend) -> anyhow::Result<bool> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut inst = Instance::create(&cli.archportal, backend, &cli.pg_url, "searchfault")?;
    let index_dir = inst.data_dir.join("search");
    std::fs::create_dir_all(&index_dir)?;
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={SEARCH_FS_BYTES}")])
        .arg("tmpfs")
        .arg(&index_dir)
        .output()?;
    if !mounted.status.success() {
        println!(
            "search fault: FAIL cannot mount a tmpfs on the index directory (needs root or CAP_SYS_ADMIN): {}",
            String::from_utf8_lossy(&mounted.stderr).trim()
        );
        inst.finish();
        return Ok(false);
    }
    let unmount = |dir: &Path| {
        let _ = Command::new("umount").arg("-l").arg(dir).status();
    };
    inst.start()?;
    inst.wait_ready(&client).await?;
    let samples: Samples = Arc::default();
    let api = Api {
        client: client.clone(),
        base: inst.base(),
        samples: samples.clone(),
    };
    let actors = Arc::new(setup(&inst, &api).await?);
    // Writers: objects with a word of their own, recorded when acknowledged.
    let acked: Arc<Mutex<Vec<(String, String, usize)>>> = Arc::default();
    let failed: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..cli.clients)
        .map(|c| {
            let (api, actors, acked, failed, stop) = (
                api.clone(),
                actors.clone(),
                acked.clone(),
                failed.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let n = serial();
                    let word = search_word(n);
                    let o = api
                        .gql(
                            Some(&actors.owners[c % 2]),
                            CREATE_OBJECT,
                            json!({"i": {"kind": "INFORMATION_SYSTEM", "nameKk": format!("{word} ақпараттық жүйесі"), "nameRu": format!("Информационная система {word}"), "shortName": format!("ИС-{n}"), "purpose": "Іздеу индексінің ақауын тексеру"}}),
                        )
                        .await;
                    match o {
                        Outcome::Ok(d) => {
                            if let Some(id) =
                                d["createInformatizationObject"]["informatizationObject"]["id"]
                                    .as_str()
                            {
                                lock(&acked).push((id.to_owned(), word, c % 2));
                            }
                        }
                        Outcome::Refused(code) | Outcome::Unknown(code) => {
                            *lock(&failed).entry(code).or_default() += 1;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let before = lock(&acked).len();
    let filled = fill_file_system(&index_dir)?;
    let cut_at = Instant::now();
    let mut degraded_at = None;
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut backlog_max = 0;
    let mut backlog_first = None;
    while cut_at.elapsed() < Duration::from_secs(outage) {
        let (status, search, backlog) = search_readiness(&client, &api.base).await;
        *statuses.entry(status).or_default() += 1;
        if degraded_at.is_none() && search == "degraded" {
            degraded_at = Some(cut_at.elapsed());
        }
        if let Some(b) = backlog {
            backlog_first.get_or_insert(b);
            backlog_max = backlog_max.max(b);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let during_fault = lock(&acked).len() - before;
    let failed_during: BTreeMap<String, usize> = std::mem::take(&mut *lock(&failed));
    let (_, _, backlog_at_end) = search_readiness(&client, &api.base).await;
    // The fault clears; the writers stop so the set to find is fixed.
    std::fs::remove_file(index_dir.join("filler"))?;
    let cleared = Instant::now();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let _ = w.await;
    }
    let all: Vec<(String, String, usize)> = lock(&acked).clone();
    let mut missing: Vec<&(String, String, usize)> = all.iter().collect();
    let mut caught_up = None;
    let mut ready_ok_after = None;
    while cleared.elapsed() < Duration::from_secs(180) {
        if ready_ok_after.is_none() {
            let (status, search, backlog) = search_readiness(&client, &api.base).await;
            if status == 200 && search == "ok" && backlog == Some(0) {
                ready_ok_after = Some(cleared.elapsed());
            }
        }
        let mut still = vec![];
        for entry in missing {
            let o = api
                .gql(
                    Some(&actors.owners[entry.2]),
                    "query($q:String!){ search(query:$q, first: 5){ hits { object { id } } } }",
                    json!({"q": entry.1}),
                )
                .await;
            let found = matches!(&o, Outcome::Ok(d) if d["search"]["hits"].as_array().is_some_and(|h| h.iter().any(|h| h["object"]["id"].as_str() == Some(entry.0.as_str()))));
            if !found {
                still.push(entry);
            }
        }
        missing = still;
        if missing.is_empty() && caught_up.is_none() {
            caught_up = Some(cleared.elapsed());
        }
        if caught_up.is_some() && ready_ok_after.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    inst.kill9();
    unmount(&index_dir);

    let mut ok = true;
    println!(
        "search index fault ({}): its file system (tmpfs {} MiB) filled for {outage} s ({} MiB of filler: ENOSPC), {} writers:",
        backend.name(),
        SEARCH_FS_BYTES >> 20,
        filled >> 20,
        cli.clients
    );
    println!("  writes during the fault: {during_fault} acknowledged, failed {failed_during:?}");
    if during_fault == 0 || !failed_during.is_empty() {
        ok = false;
        println!("  FAIL writes did not keep succeeding during the fault");
    }
    println!(
        "  /readyz during the fault: {statuses:?}; search degraded after {}; index backlog {} -> {} (max {backlog_max})",
        degraded_at.map_or("never".to_owned(), |d| format!("{:.2} s", d.as_secs_f64())),
        backlog_first.map_or("?".to_owned(), |b| b.to_string()),
        backlog_at_end.map_or("?".to_owned(), |b| b.to_string()),
    );
    if statuses.keys().any(|s| *s != 200) {
        ok = false;
        println!("  FAIL /readyz left 200 for a search fault (the service must stay up)");
    }
    if degraded_at.is_none() {
        ok = false;
        println!("  FAIL /readyz never reported search degraded");
    }
    if backlog_at_end.unwrap_or(0) == 0 {
        ok = false;
        println!("  FAIL the index outbox did not grow during the fault");
    }
    match caught_up {
        Some(t) => println!(
            "  catch-up after the space returned: all {} acknowledged objects found by search in {:.2} s; /readyz search ok with an empty backlog in {}",
            all.len(),
            t.as_secs_f64(),
            ready_ok_after.map_or("never".to_owned(), |d| format!("{:.2} s", d.as_secs_f64()))
        ),
        None => {
            ok = false;
            println!(
                "  FAIL {} of {} acknowledged objects still not found 180 s after the fault cleared (first: {:?})",
                missing.len(),
                all.len(),
                missing.first().map(|m| (&m.0, &m.1))
            );
        }
    }
    if ready_ok_after.is_none() {
        ok = false;
        println!("  FAIL /readyz did not return to search ok with an empty backlog");
    }
    if ok {
        inst.finish();
    } else {
        println!("  (data kept in {})", inst.data_dir.display());
    }
    Ok(ok)
}

// ---------------------------------------------------------------- soak

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(1).collect())
        .unwrap_or_default()
}

async fn soak(
    cli: &Cli,
    seconds: u64,
    sample: u64,
    backend: Backend,
    think: u64,
) -> anyhow::Result<bool> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut inst = Instance::create(&cli.archportal, backend, &cli.pg_url, "soak")?;
    inst.start()?;
    inst.wait_ready(&client).await?;
    let samples: Samples = Arc::default();
    let api = Api {
        client,
        base: inst.base(),
        samples: samples.clone(),
    };
    let actors = Arc::new(setup(&inst, &api).await?);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    lock(&samples).clear();
    let pid = inst.pid().unwrap_or(0);
    println!(
        "soak: {seconds} s on {}, {} clients, {think} ms think time, sampled every {sample} s",
        backend.name(),
        cli.clients
    );
    println!(
        "{:>6} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>6}",
        "t (s)", "RSS (MB)", "requests", "req/s", "p50 ms", "p99 ms", "errors", "load1"
    );
    println!(
        "{:>6} {:>9.1} {:>9} {:>8} {:>8} {:>8} {:>7} {:>6}",
        0,
        rss_mb(pid),
        "-",
        "-",
        "-",
        "-",
        "-",
        loadavg()
    );
    let load = Load::start(
        &api,
        &actors,
        &ledger,
        cli.clients,
        2026,
        Duration::from_millis(think),
        "soak",
        0,
    );
    let started = Instant::now();
    let mut t = 0;
    let mut rows_out = vec![];
    while t < seconds {
        let step = sample.min(seconds - t);
        tokio::time::sleep_until((started + Duration::from_secs(t + step)).into()).await;
        t += step;
        let s: Vec<(f64, bool, String)> = std::mem::take(&mut *lock(&samples));
        let mut lat: Vec<f64> = s.iter().map(|x| x.0).collect();
        lat.sort_by(f64::total_cmp);
        let errors = s
            .iter()
            .filter(|x| {
                x.2.starts_with("unknown")
                    || matches!(
                        x.2.as_str(),
                        "UNAVAILABLE"
                            | "TIMEOUT"
                            | "INTERNAL"
                            | "CONNECT"
                            | "TRANSPORT"
                            | "CLIENT_TIMEOUT"
                    )
            })
            .count();
        let row = (
            t,
            rss_mb(pid),
            lat.len(),
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            errors,
        );
        println!(
            "{:>6} {:>9.1} {:>9} {:>8.1} {:>8.1} {:>8.1} {:>7} {:>6}",
            row.0,
            row.1,
            row.2,
            row.2 as f64 / step as f64,
            row.3,
            row.4,
            row.5,
            loadavg()
        );
        rows_out.push(row);
    }
    load.stop().await;
    let l = lock(&ledger);
    println!(
        "acknowledged: {} objects, {} documents, {} codes, {} services, {} integration requests, {} account requests",
        l.objects.len(),
        l.documents.len(),
        l.codes.len(),
        l.services.len(),
        l.integration_requests.len(),
        l.account_requests.len()
    );
    summarize_outcomes(&l);
    drop(l);
    inst.finish();
    Ok(rows_out.iter().all(|r| r.5 == 0))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let ok = match &cli.cmd {
        Cmd::Crash {
            kills,
            seed,
            backends,
            min_ms,
            max_ms,
        } => {
            let seed = seed.unwrap_or_else(unix_secs);
            let backends = backends
                .iter()
                .map(|b| Backend::parse(b))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let ok = crash(&cli, *kills, seed, &backends, *min_ms, *max_ms).await?;
            if !ok {
                println!("reproduce with --seed {seed} (timing still varies)");
            }
            ok
        }
        Cmd::DbFault {
            outage_secs,
            blackhole,
        } => db_fault(&cli, *outage_secs, *blackhole).await?,
        Cmd::SearchFault {
            outage_secs,
            backend,
        } => search_fault(&cli, *outage_secs, Backend::parse(backend)?).await?,
        Cmd::Soak {
            seconds,
            sample_secs,
            backend,
            think_ms,
        } => {
            soak(
                &cli,
                *seconds,
                *sample_secs,
                Backend::parse(backend)?,
                *think_ms,
            )
            .await?
        }
    };
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
