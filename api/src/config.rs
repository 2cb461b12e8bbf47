//! One typed configuration: defaults → `archportal.toml` → environment.
//!
//! With no file and no variables the service runs embedded: a SQLite file
//! and blobs under `./data`, listening on 127.0.0.1:8080. `ARCHPORTAL_*`
//! variables override any key (`ARCHPORTAL_DATA_DIR`, `ARCHPORTAL_LISTEN`,
//! nested keys with `__`: `ARCHPORTAL_AUTH__ACCESS_TOKEN_TTL_SECS`), and
//! `DATABASE_URL=postgres://…` switches to PostgreSQL.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite file, blobs, the generated signing key and the mail outbox live.
    pub data_dir: PathBuf,
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// `postgres://…` or `sqlite://…`; defaults to `sqlite://{data_dir}/archportal.db`.
    pub database_url: Option<String>,
    /// Connection pool.
    pub database: DatabaseConfig,
    /// Sign-in and tokens.
    pub auth: AuthConfig,
    /// Request limits.
    pub limits: LimitsConfig,
    /// GraphQL endpoint options.
    pub graphql: GraphqlConfig,
    /// Technical documentation: upload limits, checks, blob storage.
    pub documents: DocumentsConfig,
    /// Directory of the built web UI; a placeholder page is served when it does not exist.
    pub frontend_dir: PathBuf,
    /// `smtp://user:pass@host:port` or `smtps://…`: send mail through SMTP;
    /// when absent, messages are written to `{data_dir}/outbox/` as `.eml` files.
    pub smtp_url: Option<String>,
    /// Notification delivery.
    pub notifications: NotificationsConfig,
    /// The clock deadlines are computed with.
    pub clock: ClockConfig,
    /// `http://host:7700`: search on Meilisearch (`MEILISEARCH_URL`); when
    /// absent, the embedded index under `{data_dir}/search` is used.
    pub meilisearch_url: Option<String>,
    /// Meilisearch API key (`MEILISEARCH_API_KEY`).
    #[serde(skip_serializing)]
    pub meilisearch_api_key: Option<SecretString>,
    /// Search index updates.
    pub search: SearchConfig,
    /// The process's memory allocator.
    pub memory: MemoryConfig,
    /// Security headers and CORS.
    pub security: SecurityConfig,
}

/// The process's C allocator: glibc's malloc on Linux, which SQLite
/// allocates from (Rust's own allocations go to mimalloc, set in `main`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryConfig {
    /// Most malloc arenas (memory pools) the process keeps; 0 means two per
    /// core. glibc's own limit is eight per core, and every SQLite
    /// connection works on a thread of its own: with 16 pooled connections
    /// each thread kept an arena of freed pages. In the SQLite benchmark
    /// (2 cores, 20,000 objects) the server's peak RSS through the nested
    /// list and `statistics` rows was 324–330 MB at 16 arenas and 161 MB at
    /// four, with the same throughput (measured while Rust's allocations
    /// still shared glibc's malloc).
    pub malloc_arenas: usize,
}

impl MemoryConfig {
    /// The arena limit in force: `malloc_arenas`, or two per core.
    pub fn arenas(&self) -> usize {
        if self.malloc_arenas > 0 {
            self.malloc_arenas
        } else {
            2 * std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }
    }
}

/// How index updates leave the outbox (issue 4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// How often the index dispatcher looks for due updates, in
    /// milliseconds. It runs on its own, so a mail backlog never holds back
    /// the index (nor the index's outage the mail).
    pub poll_interval_ms: u64,
    /// Index updates applied per batch.
    pub batch_size: u64,
    /// First retry delay after the index failed, doubled per attempt.
    pub retry_base_ms: i64,
    /// Longest retry delay.
    pub retry_max_ms: i64,
    /// Searches the embedded index runs at once (more wait their turn),
    /// which bounds its memory; 0 means one per core.
    pub max_concurrent_searches: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            poll_interval_ms: 1000,
            batch_size: 500,
            retry_base_ms: 1000,
            retry_max_ms: 60_000,
            max_concurrent_searches: 0,
        }
    }
}

/// Notification delivery settings (002 §9 semantics: retried until delivered).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// The portal's public address, for links in mail.
    pub public_url: String,
    /// The sender address.
    pub from: String,
    /// How often the dispatcher looks for due messages and deadlines, and
    /// for a calendar changed by another server process, in milliseconds.
    pub poll_interval_ms: u64,
    /// First retry delay after a failed delivery, doubled per attempt.
    pub retry_base_secs: i64,
    /// Longest retry delay.
    pub retry_max_secs: i64,
    /// How long an activation link works.
    pub activation_ttl_hours: i64,
    /// Messages one dispatcher claims at a time.
    pub batch_size: u64,
    /// How long a claimed message is reserved for the dispatcher that
    /// claimed it (other server processes skip it meanwhile); must exceed
    /// the time to send one batch. A message whose dispatcher died becomes
    /// due again after it.
    pub lease_secs: i64,
}

/// Clock settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClockConfig {
    /// Freeze the clock at this instant (RFC 3339), for demonstrations and tests.
    pub fixed_now: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        NotificationsConfig {
            public_url: "http://127.0.0.1:8080".into(),
            from: "Architecture Portal <noreply@archportal.local>".into(),
            poll_interval_ms: 2000,
            retry_base_secs: 30,
            retry_max_secs: 3600,
            activation_ttl_hours: 72,
            batch_size: 10,
            lease_secs: 900,
        }
    }
}

/// Connection pool settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Pool size.
    pub max_connections: u32,
    /// How long to wait for a connection before failing a request with `UNAVAILABLE`.
    pub acquire_timeout_secs: u64,
    /// Log every SQL statement (debug level).
    pub log_statements: bool,
    /// Consecutive connection-class failures (pool acquire timeouts, refused
    /// or broken connections, failed probes) that open the database circuit
    /// breaker; 0 turns it off. PostgreSQL only.
    pub breaker_failures: u32,
    /// How often the breaker's probe pings the database, in milliseconds.
    pub breaker_probe_interval_ms: u64,
    /// How long a probe waits for the database, in milliseconds.
    pub breaker_probe_timeout_ms: u64,
}

impl DatabaseConfig {
    /// The circuit breaker settings.
    pub fn breaker(&self) -> archportal_storage::BreakerSettings {
        archportal_storage::BreakerSettings {
            threshold: self.breaker_failures,
            probe_interval: std::time::Duration::from_millis(
                self.breaker_probe_interval_ms.max(10),
            ),
            probe_timeout: std::time::Duration::from_millis(self.breaker_probe_timeout_ms.max(10)),
        }
    }
}

/// Authentication settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// HMAC key for access tokens; generated and kept in `{data_dir}/jwt-secret` when absent.
    #[serde(skip_serializing)]
    pub jwt_secret: Option<SecretString>,
    /// The key id (`kid` header) tokens signed with `jwt_secret` carry.
    pub jwt_key_id: String,
    /// Earlier signing keys, still accepted for verification (key rotation):
    /// a token whose `kid` names one of them verifies until it is removed
    /// from this list; a token with any other `kid` is refused.
    #[serde(skip_serializing)]
    pub jwt_previous_keys: Vec<JwtKey>,
    /// Lifetime of an access token.
    pub access_token_ttl_secs: i64,
    /// Lifetime of a refresh token.
    pub refresh_token_ttl_days: i64,
    /// Failed sign-ins in a row that lock an account.
    pub max_failed_logins: i32,
    /// How long such a lock lasts.
    pub lockout_secs: i64,
    /// Argon2id memory cost in KiB (OWASP: 19 MiB with 2 iterations).
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    pub argon2_iterations: u32,
}

/// A verification key kept during a key rotation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtKey {
    /// Its key id, as tokens signed with it carry in the `kid` header.
    pub kid: String,
    /// The HMAC key.
    #[serde(skip_serializing)]
    pub secret: SecretString,
}

/// HTTP hardening: response headers and cross-origin access.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// `Strict-Transport-Security` max-age in seconds on every response;
    /// 0 (the default, right for `http://localhost`) sends no HSTS header.
    /// Set it only when the portal is served over HTTPS.
    pub hsts_max_age_secs: u64,
    /// Origins (`https://host[:port]`) whose pages may call the API from a
    /// browser (CORS). Empty (the default): no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
}

/// Limits on what one request may ask for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body on `/graphql`, in bytes.
    pub body_bytes: usize,
    /// Deepest query nesting.
    pub query_depth: usize,
    /// Highest query complexity (fields, with lists multiplied by their page size).
    pub query_complexity: usize,
    /// Most selections a GraphQL document may hold once every fragment spread
    /// is expanded (fields, spreads and inline fragments, over all its
    /// operations and fragment definitions). Checked before validation, in
    /// time linear in the document: fragments that spread each other
    /// repeatedly expand exponentially, and async-graphql walks the expansion
    /// before the depth and complexity limits apply (issue 7).
    pub query_selections: u64,
    /// Largest `first` of a connection.
    pub max_page_size: i32,
    /// GraphQL requests a user (or, signed out, an IP address) may make per minute on average.
    pub rate_per_minute: u32,
    /// Requests that may come at once before the average applies.
    pub rate_burst: u32,
    /// GraphQL requests one IP address may make per minute on average,
    /// whoever is signed in (0: no per-address limit). Higher than the
    /// per-user rate: an office behind one address holds many users.
    pub ip_rate_per_minute: u32,
    /// Burst of the per-address limit.
    pub ip_rate_burst: u32,
    /// Longest a GraphQL request may run before it is answered with `TIMEOUT`.
    pub request_timeout_ms: u64,
    /// GraphQL operations that may execute at once (0: twice the cores).
    /// Later ones wait their turn in arrival order, and the wait counts
    /// toward `request_timeout_ms`: on a saturated server each operation
    /// then runs nearly alone instead of sharing the cores with every other
    /// one, so it finishes sooner and none is overtaken (see [`crate::turns`]).
    pub concurrent_operations: usize,
}

/// Technical documentation (003 §7): upload limits, checks, blob storage
/// and its garbage collection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Largest PDF or DOCX file, in bytes; enforced while the file streams
    /// in, so a larger one is refused without being stored. The checks read
    /// a stored file whole, so this also bounds their memory.
    pub max_file_bytes: u64,
    /// Largest upload request (both files and the multipart framing), in bytes.
    pub max_request_bytes: u64,
    /// Store a pair whose files do not conform and flag it
    /// (`acceptedWithFindings`) instead of refusing it: for legacy imports only.
    pub accept_with_findings: bool,
    /// How many uploads may run their conformance checks at once (each
    /// holds its files in memory while checked).
    pub max_concurrent_checks: usize,
    /// Where blobs are stored; defaults to `{data_dir}/blobs`.
    pub blob_dir: Option<PathBuf>,
    /// Seconds between two garbage collections of unreferenced blobs in
    /// `serve` (0: never; `archportal blobs gc` runs one by hand).
    pub gc_interval_secs: u64,
    /// A blob younger than this many seconds is never collected: must exceed
    /// the longest time from the end of an upload's streaming to the commit
    /// of its row.
    pub gc_grace_secs: u64,
}

/// GraphQL endpoint options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphqlConfig {
    /// Serve GraphiQL on `GET /graphql`.
    pub graphiql: bool,
    /// Answer introspection queries.
    pub introspection: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            database: DatabaseConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            graphql: GraphqlConfig::default(),
            documents: DocumentsConfig::default(),
            frontend_dir: PathBuf::from("frontend/dist"),
            smtp_url: None,
            notifications: NotificationsConfig::default(),
            clock: ClockConfig::default(),
            meilisearch_url: None,
            meilisearch_api_key: None,
            search: SearchConfig::default(),
            security: SecurityConfig::default(),
            memory: MemoryConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            max_connections: 16,
            acquire_timeout_secs: 5,
            log_statements: false,
            breaker_failures: 3,
            breaker_probe_interval_ms: 500,
            breaker_probe_timeout_ms: 1000,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            jwt_secret: None,
            jwt_key_id: "k1".into(),
            jwt_previous_keys: Vec::new(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            max_failed_logins: 5,
            lockout_secs: 15 * 60,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            body_bytes: 2 * 1024 * 1024,
            query_depth: 12,
            query_complexity: 5_000,
            query_selections: 2_000,
            max_page_size: 100,
            rate_per_minute: 600,
            rate_burst: 120,
            ip_rate_per_minute: 6_000,
            ip_rate_burst: 1_000,
            request_timeout_ms: 30_000,
            concurrent_operations: 0,
        }
    }
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig {
            max_file_bytes: 100 * 1024 * 1024,
            max_request_bytes: 201 * 1024 * 1024,
            accept_with_findings: false,
            max_concurrent_checks: 2,
            blob_dir: None,
            gc_interval_secs: 6 * 60 * 60,
            gc_grace_secs: 24 * 60 * 60,
        }
    }
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        GraphqlConfig {
            graphiql: true,
            introspection: true,
        }
    }
}

/// Why the configuration could not be read; names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Reads defaults, then `file` (or `archportal.toml` if present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("archportal.toml")),
        }
        // The environment layer takes only the keys the configuration has:
        // other `ARCHPORTAL_*` variables (a tool's `ARCHPORTAL_BIN`, say) are
        // not ours, and are named in a warning instead of stopping the start.
        let known = Config::top_level_keys();
        for (key, _) in std::env::vars() {
            if let Some(rest) = key.strip_prefix("ARCHPORTAL_") {
                let top = rest
                    .split("__")
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if top != "config" && !known.contains(&top.as_str()) {
                    tracing::warn!(variable = %key, "ignoring an ARCHPORTAL_ variable that names no setting");
                }
            }
        }
        figment = figment
            .merge(Env::prefixed("ARCHPORTAL_").split("__").filter(move |k| {
                let key = k.as_str().to_ascii_lowercase();
                let top = key
                    .split(['.'])
                    .next()
                    .unwrap_or_default()
                    .split("__")
                    .next()
                    .unwrap_or_default();
                known.contains(&top)
            }))
            .merge(Env::raw().only(&[
                "database_url",
                "smtp_url",
                "meilisearch_url",
                "meilisearch_api_key",
            ]));
        figment.extract().map_err(|e| ConfigError(Box::new(e)))
    }

    /// The top-level keys, as the environment names them (lower case).
    fn top_level_keys() -> &'static [&'static str] {
        &[
            "data_dir",
            "listen",
            "database_url",
            "database",
            "auth",
            "limits",
            "graphql",
            "frontend_dir",
            "smtp_url",
            "notifications",
            "clock",
            "meilisearch_url",
            "meilisearch_api_key",
            "search",
            "memory",
            "documents",
            "security",
        ]
    }

    /// The blob store directory in force.
    pub fn blob_dir(&self) -> PathBuf {
        self.documents
            .blob_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("blobs"))
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("archportal.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_level_key_is_known_to_the_environment_filter() {
        let value = serde_json::to_value(Config::default()).unwrap_or_default();
        let mut keys: Vec<String> = value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.push("database_url".into());
        for key in keys {
            assert!(
                Config::top_level_keys().contains(&key.as_str()),
                "{key} missing from top_level_keys"
            );
        }
    }
}
