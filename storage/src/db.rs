//! The connection: SQLite by default, PostgreSQL when the URL says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sqlx::Connection as _;
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::breaker::{Breaker, BreakerSettings, BreakerState};
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
    /// The circuit breaker (PostgreSQL only: on SQLite the database is a
    /// local file, and a pool timeout there means contention, not an outage).
    pub breaker: BreakerSettings,
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
    breaker: Arc<Breaker>,
    /// The probe's own connection (PostgreSQL), outside the pool: a probe
    /// neither waits behind busy requests nor counts in [`DbStats`].
    probe: Arc<tokio::sync::Mutex<Option<PgConnection>>>,
    url: String,
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
        let breaker_settings = match conn.get_database_backend() {
            DbBackend::Postgres => settings.breaker,
            _ => BreakerSettings {
                threshold: 0,
                ..settings.breaker
            },
        };
        let breaker = Arc::new(Breaker::new(breaker_settings));
        let answered = breaker.clone();
        conn.set_metric_callback(move |info| {
            counter.statements.fetch_add(1, Ordering::Relaxed);
            if info.failed {
                counter.failures.fetch_add(1, Ordering::Relaxed);
            } else {
                // A statement came back: the database answers.
                answered.record_success();
            }
            let micros = u64::try_from(info.elapsed.as_micros()).unwrap_or(u64::MAX);
            counter.micros.fetch_add(micros, Ordering::Relaxed);
        });
        Ok(Database {
            conn,
            stats,
            breaker,
            probe: Arc::default(),
            url: settings.url.clone(),
        })
    }

    /// The circuit breaker in front of this database.
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    /// Pings the database on the probe's own connection within the
    /// breaker's probe timeout (reconnecting when the last probe failed).
    /// On SQLite it pings through the pool.
    pub async fn probe(&self) -> bool {
        let limit = self.breaker.settings().probe_timeout;
        if self.backend() != DbBackend::Postgres {
            return matches!(tokio::time::timeout(limit, self.ping()).await, Ok(Ok(())));
        }
        let mut slot = self.probe.lock().await;
        let answered = tokio::time::timeout(limit, async {
            if slot.is_none() {
                *slot = Some(PgConnection::connect(&self.url).await?);
            }
            match slot.as_mut() {
                Some(c) => c.ping().await,
                None => Ok(()),
            }
        })
        .await;
        match answered {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::debug!(%error, "database probe failed");
                *slot = None;
                false
            }
            Err(_) => {
                tracing::debug!(
                    timeout_ms = limit.as_millis() as u64,
                    "database probe timed out"
                );
                *slot = None;
                false
            }
        }
    }

    /// Runs the breaker's probe every `probe_interval` until `stop` turns
    /// true: while closed a failed probe counts as a failure (an outage is
    /// noticed without traffic); while open the breaker is half-open during
    /// the probe and closes when the database answers.
    pub async fn probe_loop(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let settings = self.breaker.settings();
        if settings.threshold == 0 {
            return;
        }
        loop {
            tokio::select! {
                () = tokio::time::sleep(settings.probe_interval) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let state = self.breaker.state();
            if state == BreakerState::Open {
                self.breaker.begin_probe();
            }
            let answered = tokio::select! {
                ok = self.probe() => ok,
                _ = stop.wait_for(|s| *s) => return,
            };
            if answered {
                self.breaker.record_success();
            } else {
                self.breaker.record_failure(Instant::now());
            }
        }
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

    /// After a bulk load: refreshes the query planner's statistics of every
    /// table (`ANALYZE`) and, on PostgreSQL, also reclaims the dead row
    /// versions the load's updates left (`VACUUM`), which sets the visibility
    /// map that index-only scans need. Measured after `demo seed` of 20,000
    /// objects: 47,501 dead versions beside 20,000 live objects, and the
    /// count of live objects an index-only scan with no heap fetch after it.
    pub async fn analyze(&self) -> Result<()> {
        use sea_orm::ConnectionTrait as _;
        let statement = match self.backend() {
            DbBackend::Postgres => "VACUUM ANALYZE",
            _ => "ANALYZE",
        };
        self.conn.execute_unprepared(statement).await?;
        Ok(())
    }

    /// Closes the pool and the probe's connection.
    pub async fn close(self) -> Result<()> {
        if let Some(c) = self.probe.lock().await.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), c.close()).await;
        }
        Ok(self.conn.close().await?)
    }
}
