//! `archportal backup` while a writer keeps creating objects, `archportal
//! restore` into a fresh database and blob directory, run as the real binary;
//! then every row of the snapshot's registry tables equals the restored row
//! (all columns), the snapshot is a prefix of the live source, the audit chain
//! verifies, downloads give the same bytes, search finds restored objects; a
//! tampered backup and a non-empty target are refused with exit status 2 and
//! nothing written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use archportal_domain::object::LifeCycleStage;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::both;
use crate::services::{REGISTER, service_input};
use crate::support::{Backend, TestApp, bin};

/// The tables compared row by row.
const COMPARED: [&str; 5] = [
    "informatization_objects",
    "documents",
    "audit_log",
    "services",
    "organizations",
];

/// The `archportal` binary next to this test executable (built by `cargo
/// test --workspace`, or `cargo build -p archportal-api`).
fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("ARCHPORTAL_BIN_PATH") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join(format!("archportal{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p archportal-api --bin archportal` first",
        path.display()
    );
    path
}

fn run(data_dir: &Path, db: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env("ARCHPORTAL_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("ARCHPORTAL_CONFIG")
        .env("RUST_LOG", "warn");
    if let Some(url) = db {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every row of `table` as text holding every column.
async fn rows(c: &sea_orm::DatabaseConnection, table: &str) -> BTreeSet<String> {
    let sql = match c.get_database_backend() {
        DbBackend::Postgres => format!("SELECT row_to_json(t)::text AS j FROM {table} t"),
        _ => {
            let cols = c
                .query_all_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    format!("SELECT name FROM pragma_table_info('{table}')"),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| format!("quote(\"{}\")", r.try_get::<String>("", "name").unwrap()))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            format!("SELECT {cols} AS j FROM {table}")
        }
    };
    c.query_all_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "j").unwrap())
        .collect()
}

/// The snapshot as the backup holds it: the JSON lines (PostgreSQL) or the
/// SQLite copy, read with the same function as the live databases.
async fn snapshot_rows(dir: &Path, backend: Backend, table: &str) -> BTreeSet<String> {
    match backend {
        Backend::Postgres => std::fs::read_to_string(dir.join(format!("tables/{table}.jsonl")))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
        Backend::Sqlite => {
            let c = sea_orm::Database::connect(format!(
                "sqlite://{}?mode=ro",
                dir.join("db.sqlite").display()
            ))
            .await
            .unwrap();
            let r = rows(&c, table).await;
            c.close().await.unwrap();
            r
        }
    }
}

/// A fresh, empty restore target: data directory and (PostgreSQL) database.
async fn target(backend: Backend) -> (PathBuf, Option<String>) {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("archportal-restore-{id}"));
    let url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let admin_url = std::env::var("PG_TEST_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let name = format!("archportal_test_{secs}_{id}");
            let admin = sea_orm::Database::connect(&admin_url).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let server = admin_url.rsplit_once('/').unwrap().0;
            Some(format!("{server}/{name}"))
        }
    };
    (dir, url)
}

async fn drop_target(dir: &Path, url: Option<&str>) {
    let _ = std::fs::remove_dir_all(dir);
    if let Some(url) = url {
        let (server, name) = url.rsplit_once('/').unwrap();
        let admin = sea_orm::Database::connect(format!("{server}/postgres"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        admin.close().await.unwrap();
    }
}

fn url_of(app: &TestApp) -> Option<String> {
    app.config.database_url.clone()
}

/// `archportal backup DIR` of the app's data, on a blocking thread so the
/// test's runtime keeps serving the app (and any writers) meanwhile.
async fn backup_off_the_runtime(app: &TestApp, dir: &Path) -> Output {
    let (data_dir, url, dir) = (app.data_dir.clone(), url_of(app), dir.to_owned());
    tokio::task::spawn_blocking(move || {
        run(
            &data_dir,
            url.as_deref(),
            &["backup", dir.to_str().unwrap()],
        )
    })
    .await
    .unwrap()
}

async fn backup_and_restore(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app
        .create_org(&admin, &bin("24014000001"), "Министерство юстиции")
        .await;
    let owner = app
        .create_user(&admin, "owner@gov.kz", "OWNER", Some(&org))
        .await;
    let integrator = app
        .create_user(&admin, "integrator@gov.kz", "INTEGRATOR", None)
        .await;
    let operator = app
        .create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;

    // A registered object with its accounting code and documents, a service, more objects.
    let registered = app.create_object(&owner, "ЕНИС").await;
    app.upload_required(&owner, &registered, LifeCycleStage::Creation, &[])
        .await;
    app.ok(
        Some(&owner),
        "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt } } }",
        json!({"id": registered}),
    )
    .await;
    let code = app
        .ok(
            Some(&integrator),
            "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }",
            json!({"id": registered}),
        )
        .await["registerInformatizationObject"]["accountingCode"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(Some(&operator), REGISTER, json!({"i": {"objectId": registered, "service": service_input("GBDFL_PersonInfo", "жеке тұлғалар"), "specification": {"format": "WSDL", "content": "<?xml version=\"1.0\"?><wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" name=\"PersonInfo\"/>"}}}))
        .await;
    for i in 0..5 {
        app.create_object(&owner, &format!("Сеть-{i}")).await;
    }
    let docs = app
        .ok(
            Some(&owner),
            "query($id:ID!){ informatizationObject(id:$id){ documents { kind pdf { sha256 downloadUrl } docx { sha256 downloadUrl } } } }",
            json!({"id": registered}),
        )
        .await["informatizationObject"]["documents"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!docs.is_empty());
    let mut originals = vec![];
    for d in &docs {
        for part in ["pdf", "docx"] {
            let url = d[part]["downloadUrl"].as_str().unwrap().to_owned();
            let bytes = app
                .client
                .get(format!("{}{url}", app.base))
                .bearer_auth(&owner)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec();
            assert_eq!(
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
                d[part]["sha256"].as_str().unwrap()
            );
            originals.push((d["kind"].clone(), part, bytes));
        }
    }

    // A writer keeps creating objects while the backup runs.
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, stop, owner) = (app.clone(), stop.clone(), owner.clone());
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                app.create_object(&owner, &format!("Поток-{n}")).await;
                n += 1;
            }
            n
        })
    };
    let backup_dir = app.data_dir.join("backup-1");
    let out = backup_off_the_runtime(&app, &backup_dir).await;
    stop.store(true, Ordering::Relaxed);
    let written_during = writer.await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], 1);
    assert_eq!(
        manifest["backend"],
        if backend == Backend::Postgres {
            "postgres"
        } else {
            "sqlite"
        }
    );
    assert!(manifest["migration"].as_str().unwrap().starts_with('m'));
    let blob_files = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("blobs/"))
        .count();
    assert_eq!(
        blob_files,
        docs.len() * 2,
        "every PDF and DOCX of the snapshot"
    );

    // Restore into a fresh database and blob directory.
    let (dir2, url2) = target(backend).await;
    let out = run(
        &dir2,
        url2.as_deref(),
        &["restore", backup_dir.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&dir2, url2.as_deref(), &["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Row by row, every column: restored == snapshot ⊆ live source.
    let restored_db =
        sea_orm::Database::connect(url2.clone().unwrap_or_else(|| {
            format!("sqlite://{}?mode=ro", dir2.join("archportal.db").display())
        }))
        .await
        .unwrap();
    let source_db = app.state().db.conn();
    for table in COMPARED {
        let snap = snapshot_rows(&backup_dir, backend, table).await;
        let restored = rows(&restored_db, table).await;
        let live = rows(source_db, table).await;
        assert_eq!(
            restored, snap,
            "{table}: restored rows differ from the snapshot"
        );
        assert!(
            snap.is_subset(&live),
            "{table}: the snapshot holds rows the source never had"
        );
        let counted = manifest["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == table)
            .unwrap()["rows"]
            .as_u64()
            .unwrap();
        assert_eq!(counted, snap.len() as u64, "{table}: manifest count");
    }
    let objects = rows(&restored_db, "informatization_objects").await.len();
    assert!(objects >= 6, "the seeded objects are all there: {objects}");
    // The per-organization object counts are not in the backup: the
    // triggers rebuilt them from the restored objects, each counted once.
    assert!(
        !manifest["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "object_counts"),
        "derived tables are not backed up"
    );
    let counts = crate::support::assert_object_counts_consistent(&restored_db).await;
    assert_eq!(
        counts.values().map(|(live, _)| *live).sum::<i64>(),
        objects as i64
    );
    restored_db.close().await.unwrap();

    // Served from the restored registry: same code, same bytes, search finds it.
    let restored = TestApp::spawn_with(backend, |c| {
        c.data_dir = dir2.clone();
        c.database_url = url2.clone();
    })
    .await;
    let owner2 = restored.login("owner@gov.kz").await;
    let o = restored
        .ok(
            Some(&owner2),
            "query($id:ID!){ informatizationObject(id:$id){ accountingCode documents { kind pdf { downloadUrl } docx { downloadUrl } } } }",
            json!({"id": registered}),
        )
        .await;
    assert_eq!(o["informatizationObject"]["accountingCode"], code.as_str());
    let total = restored
        .ok(
            Some(&owner2),
            "{ informatizationObjects { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(total["informatizationObjects"]["totalCount"], objects);
    let docs2 = o["informatizationObject"]["documents"].as_array().unwrap();
    for (kind, part, bytes) in &originals {
        let d = docs2.iter().find(|d| &d["kind"] == kind).unwrap();
        let url = d[*part]["downloadUrl"].as_str().unwrap();
        let got = restored
            .client
            .get(format!("{}{url}", restored.base))
            .bearer_auth(&owner2)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(
            &got[..],
            &bytes[..],
            "{kind} {part}: same bytes after restore"
        );
    }
    let found = restored
        .ok(
            Some(&owner2),
            "query($q:String!){ search(query:$q){ totalCount hits { object { shortName } } } }",
            json!({"q": "ЕНИС"}),
        )
        .await;
    assert!(
        found["search"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["object"]["shortName"] == "ЕНИС"),
        "{found:#}"
    );
    restored.finish().await;

    // Restoring over a registry with rows is refused.
    let out = run(
        &dir2,
        url2.as_deref(),
        &["restore", backup_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    drop_target(&dir2, url2.as_deref()).await;

    // A tampered blob (replaced, not written through a hard link) is refused, nothing written.
    let hex = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .find_map(|k| k.strip_prefix("blobs/"))
        .unwrap()
        .to_owned();
    let blob = backup_dir.join("blobs").join(&hex);
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 1;
    std::fs::remove_file(&blob).unwrap();
    std::fs::write(&blob, &bytes).unwrap();
    let (dir3, url3) = target(backend).await;
    let out = run(
        &dir3,
        url3.as_deref(),
        &["restore", backup_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupted"));
    assert!(!dir3.join("archportal.db").exists() && !dir3.join("blobs").exists());
    if let Some(url) = &url3 {
        let c = sea_orm::Database::connect(url.as_str()).await.unwrap();
        let tables = c
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            ))
            .await
            .unwrap();
        assert!(tables.is_empty(), "nothing written, not even the schema");
        c.close().await.unwrap();
    }
    drop_target(&dir3, url3.as_deref()).await;
    // The source store was not touched by the tampering.
    let source_blob = app
        .config
        .blob_dir()
        .join("sha256")
        .join(&hex[0..2])
        .join(&hex[2..4])
        .join(&hex);
    assert_eq!(crate_sha(&std::fs::read(source_blob).unwrap()), hex);
    eprintln!("objects written during the backup: {written_during}; in the snapshot: {objects}");

    Arc::try_unwrap(app).ok().unwrap().finish().await;
}

fn crate_sha(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

both!(backup_and_restore);

/// More rows than one dump fetch (200) and one restore statement (500): the
/// paged dump and the batched restore keep every row, byte for byte, with
/// quotes, backslashes, newlines and Cyrillic in the text.
async fn backup_pages_through_large_tables(backend: Backend) {
    const ROWS: usize = 1_234;
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app
        .create_org(&admin, &bin("24014000001"), "Министерство юстиции")
        .await;
    let owner = app
        .create_user(&admin, "owner@gov.kz", "OWNER", Some(&org))
        .await;
    let object = app.create_object(&owner, "ЕНИС").await;
    let object = uuid::Uuid::parse_str(&object).unwrap();
    let org = uuid::Uuid::parse_str(&org).unwrap();
    let c = app.state().db.conn();
    let b = c.get_database_backend();
    let marks = |n: usize| -> String {
        (1..=n)
            .map(|i| match b {
                DbBackend::Postgres => format!("${i}"),
                _ => "?".to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let insert = format!(
        "INSERT INTO integration_requests (id, service_id, consumer_object_id, consumer_organization_id, \
         initiator_id, owner_organization_name, service_key, object_name, basis_link, \
         consumer_organization_name, consumer_object_name, consumer_short_name, system_address, \
         purpose, consumer_non_state, state, due_at, row_version, created_at, updated_at, search_text) \
         VALUES ({})",
        marks(21)
    );
    let now = chrono::Utc::now();
    let tx = sea_orm::TransactionTrait::begin(c).await.unwrap();
    for i in 0..ROWS {
        let purpose = format!("Сведения № {i}\n\"в кавычках\" \\ и ещё строка\r\nконец");
        let values: Vec<sea_orm::Value> = vec![
            uuid::Uuid::now_v7().into(),
            uuid::Uuid::now_v7().into(),
            object.into(),
            org.into(),
            uuid::Uuid::now_v7().into(),
            "Министерство юстиции".into(),
            format!("GBDFL_Service{i}").into(),
            "ЕНИС".into(),
            "https://adilet.zan.kz/rus/docs/V1600013155".into(),
            "Министерство юстиции".into(),
            "ЕНИС".into(),
            "ЕНИС".into(),
            format!("https://consumer-{i}.gov.kz/api").into(),
            purpose.into(),
            (i % 3 == 0).into(),
            "ANALYSIS".into(),
            Some(now).into(),
            1i32.into(),
            now.into(),
            now.into(),
            format!("gbdfl_service{i}").into(),
        ];
        tx.execute_raw(Statement::from_sql_and_values(b, &insert, values))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let backup_dir = app.data_dir.join("backup-large");
    let out = backup_off_the_runtime(&app, &backup_dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup_dir.join("manifest.json")).unwrap()).unwrap();
    let counted = manifest["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "integration_requests")
        .unwrap()["rows"]
        .as_u64()
        .unwrap();
    assert_eq!(counted, ROWS as u64, "manifest count");

    let (dir2, url2) = target(backend).await;
    let out = run(
        &dir2,
        url2.as_deref(),
        &["restore", backup_dir.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let restored_db =
        sea_orm::Database::connect(url2.clone().unwrap_or_else(|| {
            format!("sqlite://{}?mode=ro", dir2.join("archportal.db").display())
        }))
        .await
        .unwrap();
    for table in [
        "integration_requests",
        "informatization_objects",
        "audit_log",
    ] {
        let snap = snapshot_rows(&backup_dir, backend, table).await;
        let restored = rows(&restored_db, table).await;
        let live = rows(c, table).await;
        assert_eq!(
            restored, snap,
            "{table}: restored rows differ from the snapshot"
        );
        assert_eq!(
            snap, live,
            "{table}: the snapshot differs from the idle source"
        );
    }
    assert_eq!(rows(&restored_db, "integration_requests").await.len(), ROWS);
    restored_db.close().await.unwrap();
    drop_target(&dir2, url2.as_deref()).await;
    app.finish().await;
}

both!(backup_pages_through_large_tables);
