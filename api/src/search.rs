//! The search index the service uses (issue 4): the embedded index under
//! `{data_dir}/search` by default, Meilisearch when `MEILISEARCH_URL` is set,
//! behind a [`Gate`] that can take it offline. The dispatcher drains the index
//! outbox in batches ([`run_once`]); `archportal search reindex` rebuilds the
//! index from the database ([`reindex`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use archportal_storage::indexing;
use archportal_storage::search::{
    DocKind, EmbeddedConfig, EmbeddedIndex, Health, MeiliConfig, MeiliIndex, SearchDoc,
    SearchError, SearchIndex, SearchQuery, SearchResults, SimilarHit, SimilarTo,
};
use async_trait::async_trait;
use chrono::Utc;
use secrecy::ExposeSecret;

use crate::AppState;
use crate::config::Config;

/// A search index that can be switched off: while off, every call answers
/// `Unavailable` as a real outage would (operators pause indexing during
/// index maintenance; tests use it to prove the outbox catches up).
pub struct Gate {
    config: Config,
    inner: tokio::sync::OnceCell<Arc<dyn SearchIndex>>,
    online: AtomicBool,
}

impl Gate {
    /// A gate over the backend `config` names, opened on first use (so that
    /// CLI commands that never search do not take the embedded index's lock).
    pub fn new(config: &Config) -> Gate {
        Gate {
            config: config.clone(),
            inner: tokio::sync::OnceCell::new(),
            online: AtomicBool::new(true),
        }
    }

    /// Takes the index offline (`false`) or back online (`true`).
    pub fn set_online(&self, online: bool) {
        self.online.store(online, Ordering::SeqCst);
    }

    async fn index(&self) -> Result<&Arc<dyn SearchIndex>, SearchError> {
        if !self.online.load(Ordering::SeqCst) {
            return Err(SearchError::Unavailable(
                "the search index is offline".into(),
            ));
        }
        self.inner
            .get_or_try_init(|| async { open_backend(&self.config) })
            .await
    }
}

#[async_trait]
impl SearchIndex for Gate {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        self.index().await?.upsert(docs).await
    }
    async fn delete(&self, ids: Vec<String>) -> Result<(), SearchError> {
        self.index().await?.delete(ids).await
    }
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.index().await?.search(query).await
    }
    async fn similar(
        &self,
        to: SimilarTo,
        kinds: &[DocKind],
        limit: usize,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        self.index().await?.similar(to, kinds, limit).await
    }
    async fn clear(&self) -> Result<(), SearchError> {
        self.index().await?.clear().await
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.index().await?.count().await
    }
    async fn health(&self) -> Result<Health, SearchError> {
        self.index().await?.health().await
    }
}

/// Opens the configured backend: Meilisearch when `meilisearch_url` is set,
/// else the embedded index in `{data_dir}/search`.
fn open_backend(config: &Config) -> Result<Arc<dyn SearchIndex>, SearchError> {
    match config
        .meilisearch_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => {
            let key = config
                .meilisearch_api_key
                .as_ref()
                .map(|k| k.expose_secret().to_owned());
            Ok(Arc::new(MeiliIndex::new(MeiliConfig::new(url, key))?))
        }
        None => {
            let mut embedded = EmbeddedConfig::default();
            if config.search.max_concurrent_searches > 0 {
                embedded.max_concurrent_searches = config.search.max_concurrent_searches;
            }
            Ok(Arc::new(EmbeddedIndex::open_with(
                config.data_dir.join("search"),
                &embedded,
            )?))
        }
    }
}

/// One pass: applies due index updates in batches until none is due or the
/// index fails; a failed batch stays pending with its error and retries after
/// an exponential backoff. Returns how many entries were applied.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    let cfg = &state.config.search;
    let mut applied = 0;
    loop {
        let now = Utc::now();
        let batch = indexing::due(&state.db, now, cfg.batch_size.max(1)).await?;
        if batch.is_empty() {
            return Ok(applied);
        }
        let ids: Vec<uuid::Uuid> = batch.iter().map(|e| e.id).collect();
        let changes = indexing::documents_for(&state.db, &batch).await?;
        let outcome = apply(&state.search, changes).await;
        let failed = outcome.is_err();
        if let Err(e) = &outcome {
            tracing::warn!(entries = batch.len(), error = %e, "search index update failed; will retry");
        }
        let attempts = batch.iter().map(|e| e.attempts).max().unwrap_or(0);
        let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
        let delay = cfg
            .retry_base_ms
            .saturating_mul(2_i64.saturating_pow(exp))
            .min(cfg.retry_max_ms);
        indexing::record(
            &state.db,
            &ids,
            now,
            outcome,
            now + chrono::Duration::milliseconds(delay),
        )
        .await?;
        if failed {
            return Ok(applied);
        }
        applied += ids.len();
    }
}

async fn apply(index: &dyn SearchIndex, changes: indexing::Changes) -> Result<(), String> {
    let describe = |e: SearchError| match e {
        SearchError::Unavailable(cause) | SearchError::Internal(cause) => {
            format!("search index: {cause}")
        }
        other => other.to_string(),
    };
    if !changes.deletes.is_empty() {
        index.delete(changes.deletes).await.map_err(describe)?;
    }
    if !changes.upserts.is_empty() {
        index.upsert(changes.upserts).await.map_err(describe)?;
    }
    Ok(())
}

/// Runs [`run_once`] every `search.poll_interval_ms` until shutdown, in a
/// task of its own: a mail backlog (or a slow mail server) does not delay
/// the index, which once waited for every due message to be sent.
pub fn spawn(
    state: Arc<AppState>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let every = std::time::Duration::from_millis(state.config.search.poll_interval_ms);
    crate::spawn_periodic(every, stop, "search index dispatcher", move || {
        let state = state.clone();
        async move { run_once(&state).await }
    })
}

/// `archportal search reindex`: clears the index and rebuilds it from the
/// database in batches. Pending index updates stay queued and are applied
/// again afterwards (they rebuild from the database, so repeating one is
/// harmless). Returns the number of documents indexed.
pub async fn reindex(state: &AppState) -> anyhow::Result<u64> {
    state.search.clear().await?;
    let per_page = state.config.search.batch_size.clamp(100, 5000);
    let mut page = 0;
    let mut total = 0;
    loop {
        let docs = indexing::all_documents(&state.db, page, per_page).await?;
        if docs.is_empty() {
            break;
        }
        total += u64::try_from(docs.len()).unwrap_or(0);
        state.search.upsert(docs).await?;
        page += 1;
    }
    Ok(total)
}
