//! No secrets or personal data in logs (ASVS 7.1.1, 7.1.2): the real
//! `archportal serve` runs with its application logs at TRACE while an
//! administrator is created, users sign in (rightly and wrongly), refresh
//! their session, request an account, get it approved and activate it; the
//! captured log must not contain a password, an access, refresh or
//! activation token, or an e-mail address. On SQLite and on PostgreSQL.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a failed test")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const ADMIN_EMAIL: &str = "chief.admin@gov.kz";
const ADMIN_PASSWORD: &str = "admin secret passphrase 4711";
const WRONG_PASSWORD: &str = "wrong secret passphrase 0815";
const APPLICANT_EMAIL: &str = "zhanar.applicant@minfin.gov.kz";
const APPLICANT_PASSWORD: &str = "applicant secret passphrase 2026";
const APPLICANT_PHONE: &str = "+7 (7172) 55-44-33";

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "archportal-logs-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn command(data_dir: &Path, db: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_archportal"));
    cmd.env("ARCHPORTAL_DATA_DIR", data_dir)
        .env("ARCHPORTAL_LISTEN", "127.0.0.1:0")
        .env("ARCHPORTAL_AUTH__ARGON2_MEMORY_KIB", "1024")
        .env("ARCHPORTAL_NOTIFICATIONS__POLL_INTERVAL_MS", "100")
        .env(
            "RUST_LOG",
            "info,archportal_api=trace,archportal_storage=trace,archportal_domain=trace,tower_http=trace,sqlx=warn,sea_orm=warn",
        )
        .env_remove("DATABASE_URL")
        .env_remove("ARCHPORTAL_CONFIG");
    if let Some(url) = db {
        cmd.env("DATABASE_URL", url);
    }
    cmd
}

async fn gql(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> Value {
    let mut req = client
        .post(format!("{base}/graphql"))
        .json(&json!({"query": query, "variables": vars}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

fn activation_token(data_dir: &Path) -> String {
    let started = Instant::now();
    loop {
        for e in std::fs::read_dir(data_dir.join("outbox"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(e.path())
                && text.contains(APPLICANT_EMAIL)
                && let Some(rest) = text.split("/activate?token=").nth(1)
                && let Some(token) = rest.split_whitespace().next()
            {
                return token.to_owned();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no activation mail"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn run(data_dir: &Path, db: Option<&str>) {
    // An administrator through the CLI (password on standard input).
    let mut admin = command(data_dir, db)
        .args(["admin", "create", "--email", ADMIN_EMAIL, "--role", "admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(admin.stdin.take().unwrap(), "{ADMIN_PASSWORD}").unwrap();
    let created = admin.wait_with_output().unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let mut log = String::from_utf8_lossy(&created.stderr).into_owned();

    let log_path = data_dir.join("serve.log");
    let mut child = command(data_dir, db)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let client = reqwest::Client::new();
    let login = "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken refreshToken } }";
    let wrong = gql(
        &client,
        &base,
        None,
        login,
        json!({"e": ADMIN_EMAIL, "p": WRONG_PASSWORD}),
    )
    .await;
    assert!(wrong.get("errors").is_some(), "{wrong:#}");
    let unknown = gql(
        &client,
        &base,
        None,
        login,
        json!({"e": "nobody.here@gov.kz", "p": WRONG_PASSWORD}),
    )
    .await;
    assert!(unknown.get("errors").is_some(), "{unknown:#}");
    let signed = gql(
        &client,
        &base,
        None,
        login,
        json!({"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD}),
    )
    .await;
    let access = signed["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = signed["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refreshed = gql(
        &client,
        &base,
        None,
        "mutation($t:String!){ refreshToken(input:{refreshToken:$t}){ accessToken refreshToken } }",
        json!({"t": refresh}),
    )
    .await;
    let access2 = refreshed["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh2 = refreshed["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // Reusing the rotated refresh token (a theft signal) is logged, without the token.
    let reused = gql(
        &client,
        &base,
        None,
        "mutation($t:String!){ refreshToken(input:{refreshToken:$t}){ accessToken } }",
        json!({"t": refresh}),
    )
    .await;
    assert!(reused.get("errors").is_some(), "{reused:#}");
    let requested = gql(
        &client,
        &base,
        None,
        "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id } } }",
        json!({"i": {"bin": "240140000011", "organizationNameKk": "А ұйымы", "organizationNameRu": "Организация А",
            "organizationKind": "STATE_BODY", "fullName": "Жанар Өтінішова", "position": "Маман",
            "email": APPLICANT_EMAIL, "phone": APPLICANT_PHONE, "basis": "Бұйрық № 1", "language": "RU"}}),
    )
    .await;
    let request_id = requested["data"]["requestAccount"]["accountRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{requested:#}"))
        .to_owned();
    let approved = gql(
        &client,
        &base,
        Some(&access2),
        "mutation($id:ID!){ approveAccountRequest(id:$id){ accountRequest { status } } }",
        json!({"id": request_id}),
    )
    .await;
    assert!(approved.get("errors").is_none(), "{approved:#}");
    let activation = activation_token(data_dir);
    let activated = gql(
        &client,
        &base,
        None,
        "mutation($t:String!,$p:String!){ activateAccount(input:{token:$t, password:$p}){ email } }",
        json!({"t": activation, "p": APPLICANT_PASSWORD}),
    )
    .await;
    assert!(activated.get("errors").is_none(), "{activated:#}");
    let applicant = gql(
        &client,
        &base,
        None,
        login,
        json!({"e": APPLICANT_EMAIL, "p": APPLICANT_PASSWORD}),
    )
    .await;
    let access3 = applicant["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = gql(
        &client,
        &base,
        Some(&access3),
        "{ me { email } }",
        json!({}),
    )
    .await;
    assert_eq!(me["data"]["me"]["email"], APPLICANT_EMAIL);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
    log.push_str(&std::fs::read_to_string(&log_path).unwrap());
    assert!(
        log.contains("signed in") && log.contains("failed sign-in"),
        "the log was captured:\n{log}"
    );
    for (what, secret) in [
        ("admin password", ADMIN_PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("applicant password", APPLICANT_PASSWORD),
        ("access token", access.as_str()),
        ("access token after refresh", access2.as_str()),
        ("applicant's access token", access3.as_str()),
        ("refresh token", refresh.as_str()),
        ("rotated refresh token", refresh2.as_str()),
        ("activation token", activation.as_str()),
        ("admin e-mail", ADMIN_EMAIL),
        ("applicant e-mail", APPLICANT_EMAIL),
        ("unknown e-mail", "nobody.here@gov.kz"),
        ("phone", APPLICANT_PHONE),
    ] {
        assert!(!log.contains(secret), "the log contains the {what}:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secrets_or_personal_data_in_logs_sqlite() {
    let dir = temp_dir("sqlite");
    run(&dir, None).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secrets_or_personal_data_in_logs_postgres() {
    let base = std::env::var("PG_TEST_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let name = format!("archportal_test_{secs}_logs_{}", std::process::id());
    let admin = sea_orm::Database::connect(&base)
        .await
        .expect("PostgreSQL is required for this test");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let server_part = base.rsplit_once('/').map_or(base.as_str(), |(s, _)| s);
    let url = format!("{server_part}/{name}");
    let dir = temp_dir("postgres");
    run(&dir, Some(&url)).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
