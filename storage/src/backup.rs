//! Database side of `archportal backup` and `archportal restore`.
//!
//! PostgreSQL: every application table is read inside one
//! `REPEATABLE READ READ ONLY` transaction (one snapshot) through a cursor,
//! 200 rows per fetch, and written as JSON lines (`row_to_json`),
//! one file per table; restore reads the files a line at a time and feeds
//! them back in batches through `json_populate_recordset`, so every column
//! keeps its PostgreSQL type. Memory holds a page or a batch, never a table.
//! SQLite: `VACUUM INTO` makes a consistent copy of the whole file while the
//! service runs; restore attaches the copy and inserts table by table
//! (`INSERT … SELECT` inside SQLite, which pages through its own cache).
//! Tables come from the database catalog (what the migrations created), in
//! foreign-key dependency order; `seaql_migrations` is not copied, its last
//! version goes into the manifest and must match on restore. Tables kept by
//! triggers ([`DERIVED`]) are not copied either: the restored rows rebuild them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, IsolationLevel, Statement, TransactionTrait,
    Value,
};
use tokio::io::AsyncWriteExt;

use crate::Database;

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A database statement failed.
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(String),
    /// The restore target or the backup is not acceptable; nothing was written.
    #[error("{0}")]
    Refused(String),
}

type Result<T> = std::result::Result<T, BackupError>;

/// The table migrations create and seed with its one row.
const AUDIT_HEAD: &str = "audit_head";
/// The calendar's version row, seeded by its migration (version 1); a
/// restore replaces it with the backup's. Calendar edits themselves live in
/// the calendar table, which must be empty.
const CALENDAR_VERSION: &str = "calendar_version";
const MIGRATIONS: &str = "seaql_migrations";
/// Tables that triggers derive from other tables (`object_counts`, from the
/// objects): not copied, since restoring the objects rebuilds them, and
/// restoring them too would count every object twice.
const DERIVED: [&str; 1] = ["object_counts"];
/// Rows fetched per round trip when dumping a PostgreSQL table (the
/// documents' rows carry their extracted text, so a page stays small).
const DUMP_PAGE: usize = 200;
/// Restore inserts at most this many rows, or about this many bytes of JSON,
/// per statement.
const LOAD_ROWS: usize = 500;
const LOAD_BYTES: usize = 4 << 20;

/// What a database dump holds.
#[derive(Debug, Clone, Default)]
pub struct DumpInfo {
    /// `postgres` or `sqlite`.
    pub backend: String,
    /// The last applied migration.
    pub migration: String,
    /// Tables in dependency order with their row counts.
    pub tables: Vec<(String, u64)>,
    /// Files written, relative to the backup directory.
    pub files: Vec<String>,
    /// Blob digests (hex) the snapshot's documents refer to.
    pub digests: BTreeSet<String>,
}

fn backend_name(b: DbBackend) -> &'static str {
    match b {
        DbBackend::Postgres => "postgres",
        _ => "sqlite",
    }
}

fn io(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let msg = format!("{what} {}", path.display());
    move |e| BackupError::Io(format!("{msg}: {e}"))
}

/// Table names come from the catalog; they are quoted, and refused unless plain.
fn ident(name: &str) -> Result<String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(format!("\"{name}\""))
    } else {
        Err(BackupError::Refused(format!(
            "unexpected table name {name:?}"
        )))
    }
}

fn stmt(b: DbBackend, sql: &str) -> Statement {
    Statement::from_string(b, sql.to_owned())
}

/// The application tables, parents before children, without the derived ones.
pub async fn app_tables<C: ConnectionTrait>(c: &C) -> Result<Vec<String>> {
    let b = c.get_database_backend();
    let (tables_sql, fk_sql) = match b {
        DbBackend::Postgres => (
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()",
            "SELECT c.relname::text AS child, p.relname::text AS parent FROM pg_constraint k \
             JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE k.contype = 'f' AND n.nspname = current_schema()",
        ),
        _ => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT m.name AS child, f.\"table\" AS parent FROM sqlite_master m, \
             pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
        ),
    };
    let mut pending: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in c.query_all_raw(stmt(b, tables_sql)).await? {
        let name: String = row.try_get("", "name")?;
        if name != MIGRATIONS && !DERIVED.contains(&name.as_str()) {
            pending.insert(name, BTreeSet::new());
        }
    }
    for row in c.query_all_raw(stmt(b, fk_sql)).await? {
        let child: String = row.try_get("", "child")?;
        let parent: String = row.try_get("", "parent")?;
        if child != parent
            && pending.contains_key(&parent)
            && let Some(deps) = pending.get_mut(&child)
        {
            deps.insert(parent);
        }
    }
    let mut order = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            return Err(BackupError::Refused(format!(
                "foreign keys form a cycle among {:?}",
                pending.keys().collect::<Vec<_>>()
            )));
        }
        for t in &ready {
            pending.remove(t);
        }
        for deps in pending.values_mut() {
            for t in &ready {
                deps.remove(t);
            }
        }
        order.extend(ready);
    }
    Ok(order)
}

/// The last applied migration.
pub async fn migration_version<C: ConnectionTrait>(c: &C) -> Result<String> {
    let row = c
        .query_one_raw(stmt(
            c.get_database_backend(),
            "SELECT MAX(version) AS v FROM seaql_migrations",
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<String>>("", "v")?.unwrap_or_default(),
        None => String::new(),
    })
}

async fn count<C: ConnectionTrait>(c: &C, table: &str) -> Result<u64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {}", ident(table)?);
    let row = c
        .query_one_raw(stmt(c.get_database_backend(), &sql))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

async fn digests<C: ConnectionTrait>(c: &C) -> Result<BTreeSet<String>> {
    let rows = c
        .query_all_raw(stmt(
            c.get_database_backend(),
            "SELECT pdf_sha256, docx_sha256 FROM documents",
        ))
        .await?;
    let mut out = BTreeSet::new();
    for r in rows {
        out.insert(r.try_get::<String>("", "pdf_sha256")?);
        out.insert(r.try_get::<String>("", "docx_sha256")?);
    }
    Ok(out)
}

/// Writes a consistent snapshot of the database into `dir` (which exists).
pub async fn dump(db: &Database, dir: &Path) -> Result<DumpInfo> {
    match db.backend() {
        DbBackend::Postgres => dump_postgres(db, dir).await,
        _ => dump_sqlite(db, dir).await,
    }
}

async fn dump_postgres(db: &Database, dir: &Path) -> Result<DumpInfo> {
    let tx = db
        .conn()
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    let b = DbBackend::Postgres;
    let mut info = DumpInfo {
        backend: backend_name(b).into(),
        migration: migration_version(&tx).await?,
        ..DumpInfo::default()
    };
    let tables_dir = dir.join("tables");
    tokio::fs::create_dir_all(&tables_dir)
        .await
        .map_err(io("creating", &tables_dir))?;
    for table in app_tables(&tx).await? {
        let rel = format!("tables/{table}.jsonl");
        let path = dir.join(&rel);
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(io("creating", &path))?;
        let mut out = tokio::io::BufWriter::new(file);
        // A cursor inside the snapshot transaction: a page of rows in memory
        // at a time, whatever the table's size.
        let sql = format!(
            "DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM {} t",
            ident(&table)?
        );
        tx.execute_unprepared(&sql).await?;
        let fetch = format!("FETCH {DUMP_PAGE} FROM backup_rows");
        let mut rows: u64 = 0;
        loop {
            let page = tx.query_all_raw(stmt(b, &fetch)).await?;
            if page.is_empty() {
                break;
            }
            for r in &page {
                let line: String = r.try_get("", "j")?;
                out.write_all(line.as_bytes())
                    .await
                    .map_err(io("writing", &path))?;
                out.write_all(b"\n").await.map_err(io("writing", &path))?;
            }
            rows += u64::try_from(page.len()).unwrap_or(0);
        }
        tx.execute_unprepared("CLOSE backup_rows").await?;
        out.flush().await.map_err(io("writing", &path))?;
        out.into_inner()
            .sync_all()
            .await
            .map_err(io("syncing", &path))?;
        info.tables.push((table, rows));
        info.files.push(rel);
    }
    info.digests = digests(&tx).await?;
    tx.commit().await?;
    Ok(info)
}

fn sqlite_literal(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}

async fn open_sqlite_copy(path: &Path) -> Result<sea_orm::DatabaseConnection> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    Ok(sea_orm::Database::connect(url).await?)
}

async fn dump_sqlite(db: &Database, dir: &Path) -> Result<DumpInfo> {
    let rel = "db.sqlite".to_owned();
    let path = dir.join(&rel);
    // One statement, one read transaction: a consistent copy while writers run.
    db.conn()
        .execute_unprepared(&format!("VACUUM INTO {}", sqlite_literal(&path)))
        .await?;
    let copy = open_sqlite_copy(&path).await?;
    let mut info = DumpInfo {
        backend: backend_name(DbBackend::Sqlite).into(),
        migration: migration_version(&copy).await?,
        files: vec![rel],
        ..DumpInfo::default()
    };
    for table in app_tables(&copy).await? {
        let n = count(&copy, &table).await?;
        info.tables.push((table, n));
    }
    info.digests = digests(&copy).await?;
    copy.close().await?;
    Ok(info)
}

/// Refuses a database that holds anything beyond what the migrations seed.
pub async fn check_empty(db: &Database) -> Result<()> {
    let c = db.conn();
    for table in app_tables(c).await? {
        let n = count(c, &table).await?;
        let allowed = if table == AUDIT_HEAD {
            let row = c
                .query_one_raw(stmt(
                    db.backend(),
                    "SELECT COUNT(*) AS n FROM audit_head WHERE seq <> 0",
                ))
                .await?;
            let moved: i64 = match row {
                Some(r) => r.try_get("", "n")?,
                None => 0,
            };
            if moved == 0 { n } else { 0 }
        } else if table == CALENDAR_VERSION {
            1
        } else {
            0
        };
        if n > allowed {
            return Err(BackupError::Refused(format!(
                "the target database is not empty: table {table} has {n} rows; \
                 restore only into a new database"
            )));
        }
    }
    Ok(())
}

/// Loads a dump written by [`dump`] into an empty, migrated database, in one
/// transaction. `expected` are the manifest's row counts; a mismatch rolls
/// everything back.
pub async fn load(
    db: &Database,
    url: &str,
    dir: &Path,
    source_backend: &str,
    expected: &[(String, u64)],
) -> Result<()> {
    let target = backend_name(db.backend());
    if source_backend != target {
        return Err(BackupError::Refused(format!(
            "the backup was taken from {source_backend}; restore it into {source_backend}, not {target}"
        )));
    }
    let tables = app_tables(db.conn()).await?;
    let listed: BTreeSet<&String> = expected.iter().map(|(t, _)| t).collect();
    if listed != tables.iter().collect::<BTreeSet<_>>() {
        return Err(BackupError::Refused(
            "the backup's tables differ from this database's schema".into(),
        ));
    }
    match db.backend() {
        DbBackend::Postgres => load_postgres(db, dir, &tables).await?,
        _ => load_sqlite(url, &dir.join("db.sqlite"), &tables).await?,
    }
    for (table, n) in expected {
        let got = count(db.conn(), table).await?;
        if got != *n {
            return Err(BackupError::Io(format!(
                "table {table}: restored {got} rows, the manifest says {n}"
            )));
        }
    }
    Ok(())
}

async fn pg_columns<C: ConnectionTrait>(c: &C, table: &str) -> Result<Vec<String>> {
    let rows = c
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT attname::text AS name FROM pg_attribute \
             WHERE attrelid = to_regclass(quote_ident($1)) AND attnum > 0 \
             AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            [Value::from(table.to_owned())],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("", "name")?;
            Ok(format!("\"{}\"", name.replace('"', "\"\"")))
        })
        .collect()
}

async fn load_postgres(db: &Database, dir: &Path, tables: &[String]) -> Result<()> {
    use tokio::io::AsyncBufReadExt as _;
    let b = DbBackend::Postgres;
    let tx = db.begin_write().await.map_err(|e| match e {
        crate::StorageError::Db(e) | crate::StorageError::Unavailable(e) => BackupError::Db(e),
        other => BackupError::Io(other.to_string()),
    })?;
    tx.execute_unprepared("DELETE FROM audit_head").await?;
    tx.execute_unprepared("DELETE FROM calendar_version")
        .await?;
    for table in tables {
        let path = dir.join(format!("tables/{table}.jsonl"));
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(io("reading", &path))?;
        let mut lines = tokio::io::BufReader::new(file).lines();
        let cols = pg_columns(&tx, table).await?.join(", ");
        let t = ident(table)?;
        let sql = format!(
            "INSERT INTO {t} ({cols}) OVERRIDING SYSTEM VALUE \
             SELECT {cols} FROM json_populate_recordset(NULL::{t}, $1::json)"
        );
        // The file is read a line at a time and sent in batches: memory holds
        // one batch, not the table.
        let mut batch = String::new();
        let mut in_batch = 0;
        loop {
            let line = lines.next_line().await.map_err(io("reading", &path))?;
            let end = line.is_none();
            if let Some(line) = line.as_deref().filter(|l| !l.is_empty()) {
                batch.push(if in_batch == 0 { '[' } else { ',' });
                batch.push_str(line);
                in_batch += 1;
            }
            if in_batch > 0 && (end || in_batch >= LOAD_ROWS || batch.len() >= LOAD_BYTES) {
                batch.push(']');
                tx.execute_raw(Statement::from_sql_and_values(
                    b,
                    &sql,
                    [Value::from(std::mem::take(&mut batch))],
                ))
                .await?;
                in_batch = 0;
            }
            if end {
                break;
            }
        }
        // Serial and identity columns continue after the restored rows.
        let seqs = tx
            .query_all_raw(Statement::from_sql_and_values(
                b,
                "SELECT attname::text AS col, pg_get_serial_sequence(quote_ident($1), attname) AS seq \
                 FROM pg_attribute WHERE attrelid = to_regclass(quote_ident($1)) \
                 AND attnum > 0 AND NOT attisdropped",
                [Value::from(table.clone())],
            ))
            .await?;
        for r in seqs {
            let col: String = r.try_get("", "col")?;
            let seq: Option<String> = r.try_get("", "seq")?;
            if let Some(seq) = seq {
                let sql = format!(
                    "SELECT setval($1, COALESCE((SELECT MAX(\"{}\") FROM {t}), 0) + 1, false)",
                    col.replace('"', "\"\"")
                );
                tx.query_one_raw(Statement::from_sql_and_values(b, &sql, [Value::from(seq)]))
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn load_sqlite(url: &str, copy: &Path, tables: &[String]) -> Result<()> {
    use sea_orm::sqlx::{Executor as _, Row as _};
    let sqlx = |e: sea_orm::sqlx::Error| BackupError::Db(DbErr::Custom(e.to_string()));
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(sqlx)?
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(10));
    let mut conn = opts.connect().await.map_err(sqlx)?;
    conn.execute(sea_orm::sqlx::query("ATTACH DATABASE ? AS bak").bind(copy.display().to_string()))
        .await
        .map_err(sqlx)?;
    let result: Result<()> = async {
        conn.execute("BEGIN IMMEDIATE").await.map_err(sqlx)?;
        conn.execute("PRAGMA defer_foreign_keys = ON")
            .await
            .map_err(sqlx)?;
        conn.execute("DELETE FROM main.audit_head")
            .await
            .map_err(sqlx)?;
        conn.execute("DELETE FROM main.calendar_version")
            .await
            .map_err(sqlx)?;
        for table in tables {
            let t = ident(table)?;
            let rows = conn
                .fetch_all(
                    sea_orm::sqlx::query("SELECT name FROM pragma_table_info(?)").bind(table),
                )
                .await
                .map_err(sqlx)?;
            let cols = rows
                .iter()
                .map(|r| {
                    r.try_get::<String, _>("name")
                        .map(|n| format!("\"{}\"", n.replace('"', "\"\"")))
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(sqlx)?
                .join(", ");
            // The table name passed `ident`, the columns come quoted from the catalog.
            conn.execute(sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(
                format!("INSERT INTO main.{t} ({cols}) SELECT {cols} FROM bak.{t}"),
            )))
            .await
            .map_err(sqlx)?;
        }
        conn.execute("COMMIT").await.map_err(sqlx)?;
        Ok(())
    }
    .await;
    if result.is_err() {
        let _ = conn.execute("ROLLBACK").await;
    }
    let _ = conn.execute("DETACH DATABASE bak").await;
    let _ = conn.close().await;
    result
}

/// Where a restore reads the copy of a SQLite database from.
pub fn sqlite_file(dir: &Path) -> PathBuf {
    dir.join("db.sqlite")
}
