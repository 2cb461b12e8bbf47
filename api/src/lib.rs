//! The `archportal` service: GraphQL API, operational endpoints and the web UI.
//!
//! [`serve`] starts the whole service on the configured address and returns
//! a handle with the bound address; the binary and the end-to-end tests both
//! use it.

pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod export;
pub mod graphql;
pub mod mail;
pub mod memory;
pub mod metrics;
pub mod ratelimit;
pub mod search;
pub mod turns;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use archportal_domain::Lang;
use archportal_domain::calendar::WorkingCalendar;
use archportal_storage::blob::{BlobStore, LocalBlobStore};
use archportal_storage::{Database, DbSettings};
use async_graphql::http::GraphiQLSource;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::services::{ServeDir, ServeFile};

use crate::auth::Authenticator;
use crate::config::Config;
use crate::graphql::{ApiSchema, Loaders, RequestCtx};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;

/// Everything a request handler shares.
pub struct AppState {
    /// Configuration in force.
    pub config: Config,
    /// The database.
    pub db: Database,
    /// Credentials.
    pub auth: Authenticator,
    /// Counters.
    pub metrics: Metrics,
    /// Per-caller request budget (per user; signed out, per IP address).
    pub limiter: RateLimiter,
    /// Per-IP-address request budget, whoever is signed in (`None`: off).
    pub ip_limiter: Option<RateLimiter>,
    /// The time deadlines are computed with (tests move it).
    pub clock: clock::Clock,
    /// Where mail goes.
    pub transport: mail::Transport,
    /// The search index (embedded or Meilisearch), fed from the index outbox.
    pub search: search::Gate,
    /// The working-day calendar with its version, rebuilt when admins
    /// change it here and reloaded when another process changed it.
    calendar: RwLock<(i64, Arc<WorkingCalendar>)>,
    /// Where document files live, by SHA-256.
    pub blobs: Arc<dyn BlobStore>,
    /// Bounds how many uploads run their conformance checks at once.
    pub check_slots: Arc<tokio::sync::Semaphore>,
    /// `statistics` computations in flight, shared by identical requests.
    pub statistics_flights: graphql::statistics::Flights,
    /// Turns of GraphQL operations (`limits.concurrent_operations`).
    pub turns: turns::Turns,
}

impl AppState {
    /// The working-day calendar in force.
    pub fn calendar(&self) -> Arc<WorkingCalendar> {
        match self.calendar.read() {
            Ok(c) => c.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    fn calendar_version(&self) -> i64 {
        match self.calendar.read() {
            Ok(c) => c.0,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }

    /// Replaces the cached calendar after a change was committed, unless a
    /// newer version is already cached (a concurrent reload never brings an
    /// older calendar back).
    pub fn set_calendar(&self, calendar: WorkingCalendar, version: i64) {
        let mut c = match self.calendar.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        if version >= c.0 {
            *c = (version, Arc::new(calendar));
        }
    }

    /// Reloads the calendar from the database (another process may have changed it).
    pub async fn reload_calendar(&self) -> anyhow::Result<()> {
        let (calendar, version) = archportal_storage::calendar::versioned(&self.db).await?;
        self.set_calendar(calendar, version);
        Ok(())
    }

    /// Reloads the calendar when its stored version differs from the cached
    /// one (one primary-key read otherwise); returns whether it reloaded.
    /// The dispatcher calls it every pass, so a change made by another
    /// server process (or `archportal calendar import`) is in force here
    /// within `notifications.poll_interval_ms`.
    pub async fn refresh_calendar(&self) -> anyhow::Result<bool> {
        let stored = archportal_storage::calendar::version(&self.db).await?;
        if stored == self.calendar_version() {
            return Ok(false);
        }
        self.reload_calendar().await?;
        Ok(true)
    }
}

/// A running server.
pub struct Server {
    /// The address it listens on (useful with port 0).
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    dispatcher: tokio::task::JoinHandle<()>,
    indexer: tokio::task::JoinHandle<()>,
    state: Arc<AppState>,
}

impl Server {
    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await??;
        self.dispatcher.await?;
        self.indexer.await?;
        self.state.db.clone().close().await?;
        Ok(())
    }

    /// The shared state (for tests that inspect the database).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }
}

/// Connects to the database (running migrations) and builds the shared state.
pub async fn build_state(config: Config) -> anyhow::Result<Arc<AppState>> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = Database::connect(&DbSettings {
        url: config.database_url(),
        max_connections: config.database.max_connections,
        acquire_timeout: Duration::from_secs(config.database.acquire_timeout_secs),
        log_statements: config.database.log_statements,
        breaker: config.database.breaker(),
    })
    .await?;
    let secret = auth::load_or_create_secret(&config.auth, &config.data_dir)?;
    let auth = Authenticator::new(config.auth.clone(), &secret)?;
    let limiter = RateLimiter::new(config.limits.rate_per_minute, config.limits.rate_burst);
    let ip_limiter = (config.limits.ip_rate_per_minute > 0).then(|| {
        RateLimiter::new(
            config.limits.ip_rate_per_minute,
            config.limits.ip_rate_burst,
        )
    });
    let clock = clock::Clock::new(config.clock.fixed_now);
    // The calendar of 2024–2027 with its sources, on the first start.
    archportal_storage::calendar::seed_if_empty(
        &db,
        archportal_domain::calendar::kazakhstan_2024_2027(),
        &archportal_storage::audit::Op::new(None, "startup", clock.now()),
    )
    .await?;
    let calendar = archportal_storage::calendar::versioned(&db).await?;
    let transport = mail::Transport::from_config(&config)?;
    let search = search::Gate::new(&config);
    let blobs: Arc<dyn BlobStore> = Arc::new(LocalBlobStore::open(config.blob_dir()).await?);
    let check_slots = Arc::new(tokio::sync::Semaphore::new(
        config.documents.max_concurrent_checks.max(1),
    ));
    let turns = turns::Turns::new(config.limits.concurrent_operations);
    Ok(Arc::new(AppState {
        config,
        db,
        auth,
        metrics: Metrics::default(),
        limiter,
        ip_limiter,
        clock,
        transport,
        search,
        calendar: RwLock::new((calendar.1, Arc::new(calendar.0))),
        blobs,
        check_slots,
        statistics_flights: graphql::statistics::Flights::default(),
        turns,
    }))
}

/// One garbage collection of the blob store: deletes the blobs no document
/// row names that are older than `documents.gc_grace_secs` (the grace
/// covers uploads between storing their files and committing their row).
pub async fn collect_garbage(
    state: &AppState,
) -> anyhow::Result<archportal_storage::blob::GcReport> {
    let referenced = archportal_storage::document::referenced_digests(&state.db).await?;
    let grace = Duration::from_secs(state.config.documents.gc_grace_secs);
    Ok(state
        .blobs
        .gc(&|digest| referenced.contains(digest), grace)
        .await?)
}

/// Runs `pass` at once and then every `every` (at least 10 ms) until `stop`
/// turns true, logging a failed pass as `what` and going on.
pub(crate) fn spawn_periodic<F, Fut, T>(
    every: Duration,
    mut stop: watch::Receiver<bool>,
    what: &'static str,
    pass: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send,
{
    let every = every.max(Duration::from_millis(10));
    tokio::spawn(async move {
        loop {
            if let Err(e) = pass().await {
                tracing::warn!(error = %e, "{what} pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => break,
            }
        }
    })
}

/// Runs [`collect_garbage`] every `documents.gc_interval_secs` until `stop`.
async fn gc_loop(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(state.config.documents.gc_interval_secs);
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Err(error) = collect_garbage(&state).await {
            tracing::warn!(
                error = format!("{error:#}"),
                "blob garbage collection failed; retrying at the next interval"
            );
        }
    }
}

/// Starts the service and returns once it listens.
pub async fn serve(config: Config) -> anyhow::Result<Server> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let state = build_state(config).await?;
    let app = router(state.clone());
    let (tx, mut rx) = watch::channel(false);
    let dispatcher = mail::spawn(state.clone(), tx.subscribe());
    let indexer = search::spawn(state.clone(), tx.subscribe());
    tokio::spawn(state.db.clone().probe_loop(tx.subscribe()));
    if state.config.documents.gc_interval_secs > 0 {
        tokio::spawn(gc_loop(state.clone(), tx.subscribe()));
    }
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        })
        .await
    });
    tracing::info!(%addr, "archportal listening");
    Ok(Server {
        addr,
        shutdown: tx,
        task,
        dispatcher,
        indexer,
        state,
    })
}

/// The HTTP routes.
pub fn router(state: Arc<AppState>) -> Router {
    let schema = graphql::build_schema(state.clone());
    let frontend = state.config.frontend_dir.clone();
    let ui: Router = if frontend.join("index.html").is_file() {
        Router::new().fallback_service(
            ServeDir::new(&frontend).fallback(ServeFile::new(frontend.join("index.html"))),
        )
    } else {
        Router::new().fallback(get(placeholder))
    };
    // The routes that need the database, behind its circuit breaker.
    let db_routes = Router::new()
        .route("/graphql", get(graphiql).post(graphql_post))
        .layer(DefaultBodyLimit::max(state.config.limits.body_bytes))
        .route("/api/export/{file}", get(export_get))
        .with_state((state.clone(), schema.clone()))
        .merge(documents::routes(state.clone()))
        .route_layer(middleware::from_fn_with_state(state.clone(), db_gate));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state((state.clone(), schema))
        .merge(db_routes)
        .merge(ui)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            secure_headers,
        ))
        .layer(cors_layer(&state.config.security.cors_allowed_origins))
}

/// The Content-Security-Policy of the web UI and of every other response
/// that does not set its own: only this origin's scripts, styles, images
/// (and `data:` icons), no plugins, never framed. It may frame only this
/// origin and `blob:` URLs: the review screen shows a fetched PDF that way.
pub const UI_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     frame-src 'self' blob:; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Sets the security headers on every response (OWASP ASVS 14.4): a CSP
/// unless the handler set its own (GraphiQL, the placeholder page and
/// downloads do), no MIME sniffing, no referrer, no framing, and HSTS when
/// configured.
async fn secure_headers(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(UI_CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    let max_age = state.config.security.hsts_max_age_secs;
    if max_age > 0
        && let Ok(v) = HeaderValue::from_str(&format!("max-age={max_age}; includeSubDomains"))
    {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    response
}

/// CORS: closed (no `Access-Control-*` headers) unless origins are listed
/// in `security.cors_allowed_origins`; then those origins, and only they, may
/// call the API with a bearer token (no cookies are used).
fn cors_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim().trim_end_matches('/')).ok())
        .collect();
    if list.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT_LANGUAGE,
            header::RANGE,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::CONTENT_DISPOSITION,
            header::RETRY_AFTER,
            header::ETAG,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(Duration::from_secs(600))
}

/// `'sha256-…'` CSP sources for each inline `<tag>…</tag>` block (without
/// attributes) of `html`, so a page with inline code gets no `'unsafe-inline'`.
fn inline_hashes(html: &str, tag: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let Some(end) = body.find(&close) else { break };
        let digest = sha2::Sha256::digest(&body.as_bytes()[..end]);
        out.push_str(&format!(
            " 'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        rest = &body[end + close.len()..];
    }
    out
}

/// An HTML page with its own CSP allowing exactly its inline blocks plus `extra`.
fn html_with_csp(html: String, script_src: &str, style_src: &str, extra: &str) -> Response {
    let csp = format!(
        "default-src 'self'; script-src 'self'{}{script_src}; style-src 'self'{}{style_src}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'{extra}",
        inline_hashes(&html, "script"),
        inline_hashes(&html, "style"),
    );
    let mut response = Html(html).into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

type Shared = (Arc<AppState>, ApiSchema);

async fn placeholder() -> Response {
    html_with_csp(include_str!("placeholder.html").to_owned(), "", "", "")
}

async fn graphiql(State((state, _)): State<Shared>) -> Response {
    if !state.config.graphql.graphiql {
        return StatusCode::NOT_FOUND.into_response();
    }
    // GraphiQL loads React and itself from unpkg.com and boots with an
    // inline script (allowed by its hash, not by 'unsafe-inline').
    html_with_csp(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("archportal GraphQL")
            .finish(),
        " https://unpkg.com",
        " https://unpkg.com",
        "; img-src 'self' data: https://graphql.org; font-src 'self' data: https://unpkg.com; \
         connect-src 'self'",
    )
}

pub(crate) fn request_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
}

fn body_error(
    status: StatusCode,
    lang: Lang,
    code: &str,
    texts: [&str; 3],
    detail: &str,
) -> Response {
    let idx = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(1);
    let body = serde_json::json!({
        "errors": [{
            "message": format!("{}: {detail}", texts[idx]),
            "extensions": {
                "code": code,
                "messages": { "kk": format!("{}: {detail}", texts[0]), "ru": format!("{}: {detail}", texts[1]), "en": format!("{}: {detail}", texts[2]) }
            }
        }]
    });
    (status, Json(body)).into_response()
}

/// The database circuit breaker in front of the routes that need the
/// database: while it is open they are answered `UNAVAILABLE` (503, with
/// `Retry-After`) at once, without touching the pool; responses marked
/// [`error::DatabaseDown`] count as failures towards opening it. The GraphiQL
/// page needs no database and passes.
async fn db_gate(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let page = req.method() == axum::http::Method::GET && req.uri().path() == "/graphql";
    let breaker = state.db.breaker();
    if !page && !breaker.allows() {
        let lang = request_lang(req.headers()).unwrap_or_default();
        return database_refusal(&state, lang);
    }
    let response = next.run(req).await;
    if response.extensions().get::<error::DatabaseDown>().is_some() {
        breaker.record_failure(Instant::now());
    }
    response
}

/// `UNAVAILABLE` (503) because the database circuit breaker is open, with a
/// `Retry-After` of the probe interval (rounded up to a second).
fn database_refusal(state: &AppState, lang: Lang) -> Response {
    let mut response = api_error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        &error::ApiError::database_unavailable(),
    );
    // Not counted again: the breaker is open already.
    response.extensions_mut().remove::<error::DatabaseDown>();
    let interval = state.db.breaker().settings().probe_interval;
    let secs = interval.as_secs() + u64::from(interval.subsec_nanos() > 0);
    if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn api_error_response(status: StatusCode, lang: Lang, e: &crate::error::ApiError) -> Response {
    let body = serde_json::json!({
        "errors": [{
            "message": e.message(lang),
            "extensions": {
                "code": e.code,
                "field": e.field,
                "messages": { "kk": e.messages.kk, "ru": e.messages.ru, "en": e.messages.en }
            }
        }]
    });
    let mut response = (status, Json(body)).into_response();
    if e.database_down {
        response.extensions_mut().insert(error::DatabaseDown);
    }
    response
}

/// `GET /api/export/{objects|services|integration-requests}.{csv|xlsx}?filter…`: the list with
/// the current filters as a file, streamed; the same bearer token and read
/// scope as the GraphQL lists, and the same per-caller rate limit.
async fn export_get(
    State((state, _)): State<Shared>,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::Query(params): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers).unwrap_or_default();
    let Some((name, ext)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let dataset = match name {
        "objects" => export::Dataset::Objects,
        "services" => export::Dataset::Services,
        "integration-requests" => export::Dataset::IntegrationRequests,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let Some(format) = export::Format::from_extension(ext) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let actor = match headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default())
    {
        None => {
            return api_error_response(
                StatusCode::UNAUTHORIZED,
                lang,
                &crate::error::ApiError::unauthenticated(),
            );
        }
        Some(value) => match value
            .strip_prefix("Bearer ")
            .map(str::trim)
            .and_then(|t| state.auth.verify(t))
        {
            Some(actor) => actor,
            None => {
                return api_error_response(
                    StatusCode::UNAUTHORIZED,
                    lang,
                    &crate::error::ApiError::bad_token(),
                );
            }
        },
    };
    if let Err(wait) = state.limiter.check(&format!("user:{}", actor.user_id)) {
        let secs = wait.as_secs().max(1);
        let mut response = body_error(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            "RATE_LIMITED",
            [
                "сұранымдар тым жиі: күте тұрыңыз",
                "слишком много запросов: подождите",
                "too many requests: wait",
            ],
            &format!("{secs} s"),
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    match export::stream(state.clone(), actor, dataset, &params, format) {
        Ok(body) => {
            let disposition = format!("attachment; filename=\"{file}\"");
            let mut response = Response::new(body);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(e) => api_error_response(StatusCode::BAD_REQUEST, lang, &e),
    }
}

async fn graphql_post(
    State((state, schema)): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = request_lang(&headers).unwrap_or_default();
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return body_error(
                StatusCode::BAD_REQUEST,
                lang,
                "INVALID_REQUEST",
                [
                    "сұраным денесі GraphQL JSON емес",
                    "тело запроса не является GraphQL JSON",
                    "the request body is not GraphQL JSON",
                ],
                &e.to_string(),
            );
        }
    };
    let (actor, bad_token) = match headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default())
    {
        None => (None, false),
        Some(value) => match value
            .strip_prefix("Bearer ")
            .map(str::trim)
            .and_then(|t| state.auth.verify(t))
        {
            Some(actor) => (Some(actor), false),
            None => (None, true),
        },
    };
    let caller = actor.as_ref().map_or_else(
        || format!("ip:{}", peer.ip()),
        |a| format!("user:{}", a.user_id),
    );
    // The per-address budget applies to every request from the address
    // (many tokens from one host do not multiply its budget); the per-user
    // one to the caller.
    let by_ip = state
        .ip_limiter
        .as_ref()
        .map_or(Ok(()), |l| l.check(&peer.ip().to_string()));
    if let Err(wait) = by_ip.and_then(|()| state.limiter.check(&caller)) {
        let secs = wait.as_secs().max(1);
        let mut response = body_error(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            "RATE_LIMITED",
            [
                "сұранымдар тым жиі: күте тұрыңыз",
                "слишком много запросов: подождите",
                "too many requests: wait",
            ],
            &format!("{secs} s"),
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let turn = Arc::new(turns::Turn::default());
    let ctx = RequestCtx {
        actor,
        bad_token,
        lang,
        request_id,
        turn: turn.clone(),
    };
    let mut request = request;
    if let Some(refusal) = refuse_fan_out(&mut request, state.config.limits.query_selections, lang)
    {
        return refusal;
    }
    let operation = operation_name(&mut request);
    let request = request.data(ctx).data(Loaders::new(&state.db));
    let limit = Duration::from_millis(state.config.limits.request_timeout_ms);
    let started = Instant::now();
    // A request caught on a connection that hangs is answered when the
    // breaker opens (other requests' failures or the probe open it) instead
    // of waiting out the request timeout; dropping it rolls its transaction
    // back.
    let mut breaker = state.db.breaker().subscribe();
    // The wait for a turn counts toward the request timeout; the turn is
    // held until the answer is serialized, below.
    let run = async {
        state.turns.take(&turn, &state.metrics).await;
        schema.execute(request).await
    };
    let executed = tokio::select! {
        executed = tokio::time::timeout(limit, run) => executed,
        opened = breaker.wait_for(|s| s.refuses()) => {
            // Release the channel's read lock before answering.
            drop(opened);
            tracing::warn!("GraphQL request cut: the database circuit breaker opened");
            return database_refusal(&state, lang);
        }
    };
    state.metrics.record_operation(
        operation.as_deref(),
        executed.as_ref().is_ok_and(|r| r.errors.is_empty()),
        started.elapsed(),
    );
    let Ok(mut response) = executed else {
        tracing::warn!(
            timeout_ms = limit.as_millis() as u64,
            "GraphQL request timed out"
        );
        return body_error(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            "TIMEOUT",
            [
                "сұраным тым ұзақ орындалды",
                "запрос выполнялся слишком долго",
                "the request took too long",
            ],
            &format!("{} ms", limit.as_millis()),
        );
    };
    graphql::localize_errors(&mut response, lang);
    let database_down = response
        .errors
        .iter()
        .any(|e| e.source::<error::DatabaseDown>().is_some());
    let mut http = Json(response).into_response();
    drop(turn);
    http.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if database_down {
        http.extensions_mut().insert(error::DatabaseDown);
    }
    http
}

/// The operation a request runs, for metrics: the one it names, or the
/// document's only named operation (as async-graphql picks it).
/// A document that does not parse is parsed once more here (and has none).
fn operation_name(request: &mut async_graphql::Request) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    match &request.parsed_query().ok()?.operations {
        async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(ToString::to_string)
        }
        _ => None,
    }
}

/// Parses the document once and refuses it, before async-graphql walks it,
/// when its size with every fragment spread expanded exceeds `limit`
/// (`QUERY_LIMIT`) or a fragment spreads itself (`INVALID_REQUEST`).
/// async-graphql's own checks walk that expansion synchronously, where
/// neither the depth and complexity limits nor the request timeout can stop
/// them (issue 7: 1.5 KB of fragments held a thread for minutes); this
/// check is linear in the document. An accepted document is handed on
/// parsed; one that does not parse is left to async-graphql to report.
fn refuse_fan_out(
    request: &mut async_graphql::Request,
    limit: u64,
    lang: Lang,
) -> Option<Response> {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return None;
    };
    match graphql::expansion::expanded_selections(&doc) {
        Ok(n) if n <= limit => {
            request.set_parsed_query(doc);
            None
        }
        Ok(n) => {
            tracing::warn!(
                selections = n,
                limit,
                "GraphQL document over the expanded-selection limit"
            );
            let detail = if n == u64::MAX {
                format!("> {limit}")
            } else {
                format!("{n} > {limit}")
            };
            Some(body_error(
                StatusCode::BAD_REQUEST,
                lang,
                "QUERY_LIMIT",
                [
                    "фрагменттер ашылғанда сұраным тым үлкен: фрагменттерді азайтыңыз",
                    "запрос после раскрытия фрагментов слишком велик: упростите фрагменты",
                    "the query is too large once its fragments are expanded: simplify them",
                ],
                &detail,
            ))
        }
        Err(cycle) => Some(body_error(
            StatusCode::BAD_REQUEST,
            lang,
            "INVALID_REQUEST",
            [
                "фрагмент өзін-өзі қамтиды",
                "фрагмент включает сам себя",
                "a fragment spreads itself",
            ],
            &cycle.0,
        )),
    }
}

/// `GET /readyz`: 503 while the database is unreachable (at once while its
/// circuit breaker is open, without touching the pool); 200 otherwise, also
/// when the search index is degraded (writes still succeed and the index
/// outbox catches up), which the body reports with the backlog; also the
/// mail due for delivery (`mailBacklog`).
async fn readyz(State((state, _)): State<Shared>) -> Response {
    let breaker = state.db.breaker();
    let unavailable = |database: &str| {
        let open_ms = breaker
            .open_for(Instant::now())
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "unavailable",
                "database": database,
                "breaker": breaker.state().as_str(),
                "breakerOpenMs": open_ms,
            })),
        )
            .into_response()
    };
    if !breaker.allows() {
        return unavailable("unreachable");
    }
    match tokio::time::timeout(Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            breaker.record_failure(Instant::now());
            return unavailable("unreachable");
        }
        Err(_) => {
            breaker.record_failure(Instant::now());
            return unavailable("timeout");
        }
    }
    let (search, backlog, failing) = search_readiness(&state).await;
    let mail_backlog = archportal_storage::outbox::backlog(&state.db, state.clock.now())
        .await
        .ok();
    (
        StatusCode::OK,
        Json(serde_json::json!({
            "status": "ready",
            "database": "ok",
            "breaker": breaker.state().as_str(),
            "search": search,
            "searchBacklog": backlog,
            "searchFailing": failing,
            "mailBacklog": mail_backlog,
        })),
    )
        .into_response()
}

/// `ok`, or `degraded` when the index does not answer its health check or
/// index updates have failed and wait for a retry; with the pending and the
/// failed-and-pending index updates.
async fn search_readiness(state: &AppState) -> (&'static str, Option<u64>, Option<u64>) {
    use archportal_storage::search::SearchIndex as _;
    let limit = Duration::from_secs(1);
    let healthy = matches!(
        tokio::time::timeout(limit, state.search.health()).await,
        Ok(Ok(_))
    );
    let backlog = archportal_storage::indexing::pending(&state.db).await.ok();
    let failing = archportal_storage::indexing::failing(&state.db).await.ok();
    let degraded = !healthy || failing.is_none_or(|n| n > 0);
    (if degraded { "degraded" } else { "ok" }, backlog, failing)
}

async fn metrics_text(State((state, _)): State<Shared>) -> Response {
    let mut text = state.metrics.render();
    let db = state.db.stats();
    text.push_str(&format!(
        "# HELP archportal_db_statements_total SQL statements run.\n# TYPE archportal_db_statements_total counter\narchportal_db_statements_total {}\n\
         # HELP archportal_db_statement_errors_total SQL statements that failed.\n# TYPE archportal_db_statement_errors_total counter\narchportal_db_statement_errors_total {}\n\
         # HELP archportal_db_statement_seconds_total Time spent in SQL statements.\n# TYPE archportal_db_statement_seconds_total counter\narchportal_db_statement_seconds_total {}\n",
        db.statements(),
        db.failures(),
        db.total_time().as_secs_f64()
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// Gives each request an id, logs it, and counts it by route.
async fn observe(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = uuid::Uuid::now_v7().to_string();
    if let Ok(value) = HeaderValue::from_str(&id) {
        req.headers_mut().insert("x-request-id", value);
    }
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let mut response = {
        let _enter = span.enter();
        next.run(req)
    }
    .await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.record_http(&method, &route, status, took);
    tracing::info!(parent: &span, status, took_ms = took.as_millis() as u64, "request");
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
