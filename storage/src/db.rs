//! The connection: SQLite by default, PostgreSQL when the URL says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::error::Result;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// How long a request waits for a connection before failing.
    pub acquire_timeout: Duration,
    /// Log every SQL statement at debug level.
    pub log_statements: bool,
}

/// Counts of the SQL statements run, for `/metrics` and for the test that
/// keeps N+1 queries from coming back.
#[derive(Debug, Default)]
pub struct DbStats {
    statements: AtomicU64,
    failures: AtomicU64,
    micros: AtomicU64,
}

impl DbStats {
    /// Statements run so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
    /// Statements that failed.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
    /// Total time spent in statements.
    pub fn total_time(&self) -> Duration {
        Duration::from_micros(self.micros.load(Ordering::Relaxed))
    }
}

/// The database: a pool plus the backend it talks to.
#[derive(Debug, Clone)]
pub struct Database {
    conn: DatabaseConnection,
    stats: Arc<DbStats>,
}

impl Database {
    /// Connects and applies every pending migration.
    pub async fn connect(settings: &DbSettings) -> Result<Database> {
        let mut opts = ConnectOptions::new(settings.url.clone());
        opts.max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_timeout(settings.acquire_timeout)
            .sqlx_logging(settings.log_statements)
            .map_sqlx_sqlite_opts(|o| {
                // Style guide: WAL, a busy timeout, foreign keys, and full sync so
                // that an acknowledged write survives a power cut.
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        let mut conn = sea_orm::Database::connect(opts).await?;
        archportal_migrations::Migrator::up(&conn, None).await?;
        let stats = Arc::new(DbStats::default());
        let counter = stats.clone();
        conn.set_metric_callback(move |info| {
            counter.statements.fetch_add(1, Ordering::Relaxed);
            if info.failed {
                counter.failures.fetch_add(1, Ordering::Relaxed);
            }
            let micros = u64::try_from(info.elapsed.as_micros()).unwrap_or(u64::MAX);
            counter.micros.fetch_add(micros, Ordering::Relaxed);
        });
        Ok(Database { conn, stats })
    }

    /// Statement counters.
    pub fn stats(&self) -> &DbStats {
        &self.stats
    }

    /// The pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, taking the
    /// write lock at once so that two writers wait on the busy timeout instead of
    /// failing when a read transaction tries to upgrade.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.conn.begin_with_options(options).await?)
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.conn.ping().await?)
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        Ok(self.conn.close().await?)
    }
}
