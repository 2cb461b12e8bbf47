//! The real `archportal` binary: `admin create` reads the password from
//! standard input and honours `ARCHPORTAL_DATA_DIR` and `DATABASE_URL`;
//! `serve` prints its URL and stops cleanly on SIGTERM.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a failed test")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("archportal-cli-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos() ^ u128::from(rand_seed())
    )
}

fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        .into()
}

fn archportal(data_dir: &Path, db: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_archportal"));
    cmd.args(args)
        .env("ARCHPORTAL_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("ARCHPORTAL_CONFIG");
    if let Some(url) = db {
        cmd.env("DATABASE_URL", url);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn admin_create_behaves(data_dir: &Path, db: Option<&str>) {
    let ok = archportal(
        data_dir,
        db,
        &[
            "admin",
            "create",
            "--email",
            "First.Admin@Gov.KZ",
            "--role",
            "admin",
        ],
        "a very long password\n",
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("created ADMIN first.admin@gov.kz ("));
    let again = archportal(
        data_dir,
        db,
        &[
            "admin",
            "create",
            "--email",
            "first.admin@gov.kz",
            "--role",
            "ADMIN",
        ],
        "a very long password\n",
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let short = archportal(
        data_dir,
        db,
        &["admin", "create", "--email", "b@gov.kz", "--role", "ADMIN"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("12 to 128"));
    let owner = archportal(
        data_dir,
        db,
        &["admin", "create", "--email", "c@gov.kz", "--role", "OWNER"],
        "a very long password\n",
    );
    assert!(String::from_utf8_lossy(&owner.stderr).contains("--organization"));
    let missing_org = archportal(
        data_dir,
        db,
        &[
            "admin",
            "create",
            "--email",
            "c@gov.kz",
            "--role",
            "OWNER",
            "--organization",
            "940140000385",
        ],
        "a very long password\n",
    );
    assert!(String::from_utf8_lossy(&missing_org.stderr).contains("no organization with BIN"));
    let bad_role = archportal(
        data_dir,
        db,
        &["admin", "create", "--email", "d@gov.kz", "--role", "KING"],
        "a very long password\n",
    );
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));
}

#[test]
fn admin_create_on_sqlite_uses_the_data_dir() {
    let dir = temp_dir();
    admin_create_behaves(&dir, None);
    assert!(
        dir.join("archportal.db").is_file(),
        "the SQLite file lives in ARCHPORTAL_DATA_DIR"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn admin_create_on_postgres() {
    let base = std::env::var("PG_TEST_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let name = format!("archportal_cli_{secs}_{}", std::process::id());
    let admin = sea_orm::Database::connect(&base)
        .await
        .expect("PostgreSQL is required for this test");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let dir = temp_dir();
    let (d, u) = (dir.clone(), url.clone());
    tokio::task::spawn_blocking(move || admin_create_behaves(&d, Some(&u)))
        .await
        .unwrap();
    assert!(
        !dir.join("archportal.db").exists(),
        "DATABASE_URL switches away from SQLite"
    );
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn serve_prints_its_url_and_stops_on_sigterm() {
    let dir = temp_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_archportal"))
        .env("ARCHPORTAL_DATA_DIR", &dir)
        .env("ARCHPORTAL_LISTEN", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "exit after SIGTERM: {exit}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn check(args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_archportal"))
        .args(args)
        .env_remove("ARCHPORTAL_CONFIG")
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), lines)
}

#[test]
fn check_prints_one_json_line_per_file_and_exits_by_the_worst() {
    use archportal_domain::docx::testing::minimal_docx;
    use archportal_domain::pdfa::testing::minimal_pdfa1b;
    let dir = temp_dir();
    let good_pdf = dir.join("Техникалық тапсырма.pdf");
    std::fs::write(&good_pdf, minimal_pdfa1b("Сәулет порталы")).unwrap();
    let bad_pdf = dir.join("bad.pdf");
    let mut bytes = b"junk".to_vec();
    bytes.extend(minimal_pdfa1b("x"));
    std::fs::write(&bad_pdf, bytes).unwrap();
    let good_docx = dir.join("good.docx");
    std::fs::write(&good_docx, minimal_docx(&["Сәулет порталы"])).unwrap();
    let missing = dir.join("missing.pdf");
    let s = |p: &Path| p.to_str().unwrap().to_owned();

    let (code, lines) = check(&["check", "pdfa", &s(&good_pdf)]);
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        [serde_json::json!({"file": s(&good_pdf), "conforms": true, "findings": []})]
    );

    let (code, lines) = check(&["check", "pdfa", &s(&good_pdf), &s(&bad_pdf)]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["conforms"], false);
    let finding = &lines[1]["findings"][0];
    assert!(finding["clause"].is_string() && finding["message"].is_string());
    assert_eq!(
        finding.as_object().unwrap().len(),
        2,
        "clause and message only"
    );
    assert!(
        lines[1]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["clause"] == "6.1.2")
    );

    // A missing file: status 2, and lines for the others all the same.
    let (code, lines) = check(&["check", "pdfa", &s(&missing), &s(&good_pdf), &s(&bad_pdf)]);
    assert_eq!(code, 2);
    assert_eq!(lines.len(), 2);

    let (code, lines) = check(&["check", "docx", &s(&good_docx), &s(&good_pdf)]);
    assert_eq!(code, 1);
    assert_eq!(lines[0]["conforms"], true);
    assert_eq!(lines[1]["findings"][0]["clause"], "FMT-PDF");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn blobs_gc_deletes_unreferenced_blobs() {
    use sha2::{Digest as _, Sha256};
    let dir = temp_dir();
    let data = b"an orphan blob".to_vec();
    let hex = hex::encode(Sha256::digest(&data));
    let shard = dir.join("blobs/sha256").join(&hex[0..2]).join(&hex[2..4]);
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join(&hex), &data).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_archportal"))
        .args(["blobs", "gc"])
        .env("ARCHPORTAL_DATA_DIR", &dir)
        .env("ARCHPORTAL_DOCUMENTS__GC_GRACE_SECS", "0")
        .env_remove("DATABASE_URL")
        .env_remove("ARCHPORTAL_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("deleted 1 (14 bytes)"), "{stdout}");
    assert!(!shard.join(&hex).exists());
    let _ = std::fs::remove_dir_all(dir);
}

/// The calendar rows of the SQLite database under `dir`: (date, kind, name_ru).
async fn calendar_rows(dir: &Path) -> Vec<(String, String, String)> {
    let url = format!("sqlite://{}?mode=ro", dir.join("archportal.db").display());
    let conn = sea_orm::Database::connect(url).await.unwrap();
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT CAST(date AS TEXT) AS date, kind, name_ru FROM calendar_entries ORDER BY date",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get::<String>("", "date").unwrap(),
                r.try_get::<String>("", "kind").unwrap(),
                r.try_get::<String>("", "name_ru").unwrap(),
            )
        })
        .collect();
    conn.close().await.unwrap();
    rows
}

fn calendar_import(dir: &Path, name: &str, text: &str) -> Output {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    archportal(
        dir,
        None,
        &["calendar", "import", file.to_str().unwrap()],
        "",
    )
}

const HEADER: &str = "date,kind,name_kk,name_ru,name_en,basis\n";

#[tokio::test]
async fn calendar_import_is_all_or_nothing() {
    let dir = temp_dir();
    // A good CSV: a transfer onto a Monday and a working Saturday (2027, no
    // transfer act published yet), one name quoted with a comma.
    let good = format!(
        "{HEADER}2027-11-15,transferred_day_off,Демалыс күні,\"Перенос, тест\",Transfer,Постановление № 1\n\
         2027-11-20,working_weekend,Жұмыс күні,Рабочая суббота,Working Saturday,Постановление № 1\n"
    );
    let out = calendar_import(&dir, "good.csv", &good);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("imported 2 calendar entries"), "{stdout}");
    let after_good = calendar_rows(&dir).await;
    assert!(
        after_good.contains(&(
            "2027-11-15".into(),
            "transferred_day_off".into(),
            "Перенос, тест".into()
        )),
        "{after_good:?}"
    );
    assert!(after_good.iter().any(|(d, _, _)| d == "2027-11-20"));

    // A malformed date on line 3: refused, the line named, nothing changed
    // (line 2 would have replaced a stored row).
    let bad = format!(
        "{HEADER}2027-11-15,transferred_day_off,Өзгерген,Изменено,Changed,Постановление № 2\n\
         2027-13-01,holiday,Мереке,Праздник,Holiday,Закон\n"
    );
    let out = calendar_import(&dir, "bad-date.csv", &bad);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("line 3") && stderr.contains("2027-13-01"),
        "{stderr}"
    );
    assert_eq!(calendar_rows(&dir).await, after_good);

    // A duplicate date: refused at its second line, naming the first; nothing changed.
    let duplicate = format!(
        "{HEADER}2027-11-22,transferred_day_off,Демалыс,Выходной,Day off,Постановление № 3\n\
         2027-11-15,transferred_day_off,Өзгерген,Изменено,Changed,Постановление № 3\n\
         2027-11-22,transferred_day_off,Демалыс,Выходной,Day off,Постановление № 3\n"
    );
    let out = calendar_import(&dir, "duplicate.csv", &duplicate);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("line 4") && stderr.contains("line 2"),
        "{stderr}"
    );
    assert_eq!(calendar_rows(&dir).await, after_good);

    // The chain of the audit log still holds after the imports.
    let out = archportal(&dir, None, &["audit", "verify"], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("audit log intact"), "{stdout}");
    let _ = std::fs::remove_dir_all(dir);
}
