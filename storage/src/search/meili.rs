//! Meilisearch backend through `meilisearch-sdk`, used when
//! `MEILISEARCH_URL` (and `MEILISEARCH_API_KEY`) are configured. Targets
//! Meilisearch 1.13 or later.
//!
//! Same behaviour as the embedded index, arranged as follows:
//! - Folding: Meilisearch's tokenizer does not fold Kazakh letters onto
//!   Russian ones, so each document also carries `folded_title` (code, names,
//!   short name) and `folded_text` (description, body) folded by
//!   [`text::fold_text`], and the query is sent folded
//!   ([`text::PreparedQuery::folded`]). Searchable attributes, in ranking
//!   order: `code, title_ru, title_kk, title_en, short_name, folded_title,
//!   description, folded_text, body` — a title match outranks a body match.
//! - Typos: `minWordSizeForTypos` one typo from 5, two from 9; none on
//!   numbers. Prefix on the last word is Meilisearch's own rule (a trailing
//!   space turns it off, which `folded()` adds when needed).
//! - Words: `matchingStrategy: all`, and the same drop-the-last-word retry
//!   as the embedded index when nothing matches.
//! - Ids: Meilisearch primary keys allow only `[A-Za-z0-9_-]`, so the key
//!   `pk` encodes the id (see [`primary_key`]); the id is kept as `id`.
//! - Facets: nested `facets.<key>` attributes, each of [`FACET_KEYS`]
//!   filterable; the doc kind is the filterable `kind`.
//! - Highlights: `attributesToHighlight` with private-use sentinels as tags,
//!   then HTML-escaped and the sentinels turned into `<em>`; when Meilisearch
//!   marked nothing (the match was on a folded field), highlights are
//!   computed locally with [`text::highlight`], as on the embedded index.
//! - Writes wait for the task (`wait_for_completion`), so a search right
//!   after sees them; a task still running after `task_timeout` is
//!   `Unavailable` (the outbox retries; upserts are idempotent).
//! - `similar`: Meilisearch's `/similar` needs an embedder, which the portal
//!   does not configure; candidates come from a search of the 10 most
//!   frequent source words (`matchingStrategy: frequency`) and are re-ranked
//!   by the same TF-IDF cosine, document frequencies taken over the
//!   candidates.
//! - Errors: connection failures, timeouts, 429 and 5xx are `Unavailable`;
//!   the rest `Internal`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode, ErrorType};
use meilisearch_sdk::search::{MatchingStrategies, SearchResult, Selectors};
use meilisearch_sdk::settings::{
    FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::text::{self, PreparedQuery};
use super::{
    DocKind, FACET_KEYS, HIGHLIGHT_CHARS, Health, Hit, MAX_LIMIT, MAX_OFFSET, MAX_SIMILAR,
    SIMILAR_CANDIDATES, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults,
    SimilarHit, SimilarTo,
};

const BACKEND: &str = "meilisearch";
const PK: &str = "pk";
const PRE: &str = "\u{E000}";
const POST: &str = "\u{E001}";

/// Text fields returned with hits and highlighted, in [`super::Hit`] names.
const TEXT_FIELDS: [&str; 7] = [
    "code",
    "title_kk",
    "title_ru",
    "title_en",
    "short_name",
    "description",
    "body",
];
const RETRIEVED: [&str; 9] = [
    "id",
    "kind",
    "code",
    "title_kk",
    "title_ru",
    "title_en",
    "short_name",
    "description",
    "body",
];
const SEARCHABLE: [&str; 9] = [
    "code",
    "title_ru",
    "title_kk",
    "title_en",
    "short_name",
    "folded_title",
    "description",
    "folded_text",
    "body",
];

/// Where and how to reach Meilisearch.
#[derive(Clone)]
pub struct MeiliConfig {
    /// Server address, e.g. `http://127.0.0.1:7700`.
    pub url: String,
    /// API key (a search-and-write key of the index), when the server has one.
    pub api_key: Option<String>,
    /// Index uid; one index holds services and objects.
    pub index_uid: String,
    /// Longest wait for an indexing task before `Unavailable`.
    pub task_timeout: Duration,
}

impl std::fmt::Debug for MeiliConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliConfig")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("index_uid", &self.index_uid)
            .field("task_timeout", &self.task_timeout)
            .finish()
    }
}

impl MeiliConfig {
    /// A configuration for `url` with the default index (`archportal`) and
    /// a 60-second task timeout.
    pub fn new(url: impl Into<String>, api_key: Option<String>) -> Self {
        MeiliConfig {
            url: url.into(),
            api_key,
            index_uid: "archportal".into(),
            task_timeout: Duration::from_secs(60),
        }
    }

    /// From `MEILISEARCH_URL` and `MEILISEARCH_API_KEY`; `None` without a URL.
    pub fn from_env() -> Option<Self> {
        let url = std::env::var("MEILISEARCH_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let key = std::env::var("MEILISEARCH_API_KEY")
            .ok()
            .filter(|k| !k.is_empty());
        Some(MeiliConfig::new(url, key))
    }
}

/// The document as stored in Meilisearch.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MeiliDoc {
    pk: String,
    id: String,
    kind: DocKind,
    code: String,
    title_kk: String,
    title_ru: String,
    title_en: Option<String>,
    short_name: String,
    description: String,
    body: String,
    folded_title: String,
    folded_text: String,
    facets: BTreeMap<String, Vec<String>>,
}

impl MeiliDoc {
    fn from_doc(doc: &SearchDoc) -> Self {
        let title = [
            doc.code.as_str(),
            &doc.title_kk,
            &doc.title_ru,
            doc.title_en.as_deref().unwrap_or(""),
            &doc.short_name,
        ]
        .join("\n");
        let body = [doc.description.as_str(), &doc.body].join("\n");
        MeiliDoc {
            pk: primary_key(&doc.id),
            id: doc.id.clone(),
            kind: doc.kind,
            code: doc.code.clone(),
            title_kk: doc.title_kk.clone(),
            title_ru: doc.title_ru.clone(),
            title_en: doc.title_en.clone(),
            short_name: doc.short_name.clone(),
            description: doc.description.clone(),
            body: doc.body.clone(),
            folded_title: text::fold_text(&title),
            folded_text: text::fold_text(&body),
            facets: doc.facets.clone(),
        }
    }
}

/// Fields returned with a hit.
#[derive(Debug, Clone, Deserialize)]
struct HitDoc {
    id: String,
    kind: DocKind,
    #[serde(flatten)]
    fields: HashMap<String, Value>,
}

impl HitDoc {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }

    fn similarity_text(&self) -> String {
        [
            "title_kk",
            "title_ru",
            "title_en",
            "short_name",
            "description",
        ]
        .iter()
        .map(|f| self.field(f))
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// Meilisearch primary key for an id: ASCII letters, digits and `-` kept,
/// every other byte as `_` and two hex digits (`service:X` →
/// `service_3AX`); injective, so two ids never share a key. Ids whose key
/// would pass Meilisearch's 511-byte limit keep a 400-byte prefix and a
/// 64-bit FNV-1a hash of the whole id.
pub fn primary_key(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 8);
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("_{b:02X}"));
        }
    }
    if out.len() > 500 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let mut cut = 400;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(&format!("-h{hash:016x}"));
    }
    out
}

fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn map_err(e: MeiliError) -> SearchError {
    let unavailable = match &e {
        MeiliError::HttpError(_) | MeiliError::Timeout => true,
        MeiliError::MeilisearchCommunication(c) => c.status_code == 429 || c.status_code >= 500,
        MeiliError::Meilisearch(m) => m.error_type == ErrorType::Internal,
        _ => false,
    };
    if unavailable {
        tracing::warn!(error = %e, "meilisearch unavailable");
        SearchError::Unavailable(Box::new(e))
    } else {
        tracing::error!(error = %e, "meilisearch error");
        SearchError::Internal(Box::new(e))
    }
}

/// Replaces the sentinels of a Meilisearch-formatted value with `<em>` tags
/// after escaping the rest; `None` when nothing was marked.
fn convert_highlight(formatted: &str) -> Option<String> {
    if !formatted.contains(PRE) {
        return None;
    }
    let mut escaped = String::with_capacity(formatted.len() + 16);
    text::escape_html(formatted, &mut escaped);
    Some(
        escaped
            .replace(PRE, text::HIGHLIGHT_PRE)
            .replace(POST, text::HIGHLIGHT_POST),
    )
}

/// Meilisearch index of services and objects.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    uid: String,
    task_timeout: Duration,
}

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("url", &self.client.get_host())
            .field("uid", &self.uid)
            .finish_non_exhaustive()
    }
}

impl MeiliIndex {
    /// An adapter for `config` without contacting the server: the portal
    /// starts while Meilisearch is down, and every call answers
    /// `Unavailable` until it is back. Call [`MeiliIndex::ensure_index`]
    /// once it answers.
    pub fn new(config: MeiliConfig) -> Result<Self, SearchError> {
        let client = Client::new(config.url, config.api_key).map_err(map_err)?;
        Ok(MeiliIndex {
            client,
            uid: config.index_uid,
            task_timeout: config.task_timeout,
        })
    }

    /// [`MeiliIndex::new`] then [`MeiliIndex::ensure_index`].
    pub async fn connect(config: MeiliConfig) -> Result<Self, SearchError> {
        let index = Self::new(config)?;
        index.ensure_index().await?;
        Ok(index)
    }

    /// Creates the index when missing and applies the settings (searchable,
    /// filterable and sortable attributes, typo tolerance, pagination,
    /// faceting), waiting for each task. Idempotent. `Unavailable` when the
    /// server cannot be reached.
    pub async fn ensure_index(&self) -> Result<(), SearchError> {
        let created = self
            .client
            .create_index(&self.uid, Some(PK))
            .await
            .map_err(map_err)?;
        match self.wait_task(created).await {
            Ok(()) => {}
            Err(SearchError::Internal(cause))
                if cause
                    .downcast_ref::<meilisearch_sdk::errors::MeilisearchError>()
                    .is_some_and(|m| m.error_code == ErrorCode::IndexAlreadyExists) => {}
            Err(e) => return Err(e),
        }
        let task = self
            .client
            .index(&self.uid)
            .set_settings(&Self::settings())
            .await
            .map_err(map_err)?;
        self.wait_task(task).await?;
        tracing::info!(uid = %self.uid, "meilisearch index ready");
        Ok(())
    }

    /// The index settings this adapter relies on.
    fn settings() -> Settings {
        let mut filterable = vec!["kind".to_owned(), "id".to_owned()];
        filterable.extend(FACET_KEYS.iter().map(|k| format!("facets.{k}")));
        Settings::new()
            .with_searchable_attributes(SEARCHABLE)
            .with_filterable_attributes(filterable)
            .with_sortable_attributes(["id"])
            .with_ranking_rules([
                "words",
                "typo",
                "proximity",
                "attribute",
                "sort",
                "exactness",
            ])
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: Some(Vec::new()),
                disable_on_words: Some(Vec::new()),
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: u8::try_from(text::ONE_TYPO_MIN_CHARS).ok(),
                    two_typos: u8::try_from(text::TWO_TYPOS_MIN_CHARS).ok(),
                }),
                disable_on_numbers: Some(true),
            })
            .with_pagination(PaginationSetting {
                max_total_hits: MAX_OFFSET + MAX_LIMIT,
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: 1000,
                sort_facet_values_by: None,
            })
    }

    /// Deletes the whole Meilisearch index (tests, or after a reindex into
    /// a fresh index).
    pub async fn delete_index(&self) -> Result<(), SearchError> {
        let task = self.client.delete_index(&self.uid).await.map_err(map_err)?;
        self.wait_task(task).await
    }

    async fn wait_task(&self, task: TaskInfo) -> Result<(), SearchError> {
        let done = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(25)),
                Some(self.task_timeout),
            )
            .await
            .map_err(map_err)?;
        match done {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => Err(SearchError::Internal(Box::new(content.error))),
            Task::Enqueued { .. } | Task::Processing { .. } => Err(SearchError::Unavailable(
                "meilisearch task still running after the timeout".into(),
            )),
        }
    }

    async fn search_once(
        &self,
        query: &SearchQuery,
        prepared: &PreparedQuery,
    ) -> Result<SearchResults, SearchError> {
        let index = self.client.index(&self.uid);
        let q = prepared.folded();
        let mut filters: Vec<String> = Vec::new();
        if !query.kinds.is_empty() {
            let kinds: Vec<String> = query.kinds.iter().map(|k| quote(k.as_str())).collect();
            filters.push(format!("kind IN [{}]", kinds.join(", ")));
        }
        for (key, values) in &query.filters {
            let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
            filters.push(format!("facets.{key} IN [{}]", values.join(", ")));
        }
        let filter_refs: Vec<&str> = filters.iter().map(String::as_str).collect();
        let facet_names: Vec<String> = query.facets.iter().map(|k| format!("facets.{k}")).collect();
        let facet_refs: Vec<&str> = facet_names.iter().map(String::as_str).collect();
        let crop = [("description", Some(30)), ("body", Some(30))];
        let sort = ["id:asc"];

        let mut search = index.search();
        search
            .with_query(&q)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_show_ranking_score(true)
            .with_attributes_to_retrieve(Selectors::Some(&RETRIEVED))
            .with_attributes_to_highlight(Selectors::Some(&TEXT_FIELDS))
            .with_attributes_to_crop(Selectors::Some(&crop))
            .with_crop_marker("…")
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST);
        if !filter_refs.is_empty() {
            search.with_array_filter(filter_refs);
        }
        if !facet_refs.is_empty() {
            search.with_facets(Selectors::Some(&facet_refs));
        }
        if prepared.terms.is_empty() {
            search.with_sort(&sort);
        }
        // Page mode gives an exhaustive total; offsets that are not a
        // multiple of the limit fall back to the estimated one.
        if query.limit == 0 {
            search.with_page(1).with_hits_per_page(0);
        } else if query.offset.is_multiple_of(query.limit) {
            search
                .with_page(query.offset / query.limit + 1)
                .with_hits_per_page(query.limit);
        } else {
            search.with_offset(query.offset).with_limit(query.limit);
        }
        let res = search.execute::<HitDoc>().await.map_err(map_err)?;

        let total = res.total_hits.or(res.estimated_total_hits).unwrap_or(0) as u64;
        let mut facet_counts = BTreeMap::new();
        let distribution = res.facet_distribution.unwrap_or_default();
        for key in &query.facets {
            let counts = distribution
                .get(&format!("facets.{key}"))
                .map(|m| m.iter().map(|(v, n)| (v.clone(), *n as u64)).collect())
                .unwrap_or_default();
            facet_counts.insert(key.clone(), counts);
        }
        let hits = res
            .hits
            .into_iter()
            .map(|h| Self::hit(h, prepared))
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facet_counts,
        })
    }

    fn hit(h: SearchResult<HitDoc>, prepared: &PreparedQuery) -> Hit {
        let mut highlights = BTreeMap::new();
        if !prepared.terms.is_empty() {
            if let Some(formatted) = &h.formatted_result {
                for field in TEXT_FIELDS {
                    if let Some(hl) = formatted
                        .get(field)
                        .and_then(Value::as_str)
                        .and_then(convert_highlight)
                    {
                        highlights.insert(field.to_owned(), hl);
                    }
                }
            }
            if highlights.is_empty() {
                for field in TEXT_FIELDS {
                    if let Some(hl) =
                        text::highlight(h.result.field(field), &prepared.terms, HIGHLIGHT_CHARS)
                    {
                        highlights.insert(field.to_owned(), hl);
                    }
                }
            }
        }
        #[expect(clippy::cast_possible_truncation, reason = "a score in [0, 1]")]
        let score = h.ranking_score.unwrap_or(1.0) as f32;
        Hit {
            id: h.result.id,
            kind: h.result.kind,
            score,
            highlights,
        }
    }
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        for doc in &docs {
            doc.validate()?;
        }
        if docs.is_empty() {
            return Ok(());
        }
        // Within one batch the last version of an id wins, as on the
        // embedded index.
        let mut last: BTreeMap<&str, MeiliDoc> = BTreeMap::new();
        for doc in &docs {
            last.insert(&doc.id, MeiliDoc::from_doc(doc));
        }
        let payload: Vec<MeiliDoc> = last.into_values().collect();
        let task = self
            .client
            .index(&self.uid)
            .add_or_replace(&payload, Some(PK))
            .await
            .map_err(map_err)?;
        self.wait_task(task).await
    }

    async fn delete(&self, ids: Vec<String>) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        let pks: Vec<String> = ids.iter().map(|id| primary_key(id)).collect();
        let task = self
            .client
            .index(&self.uid)
            .delete_documents(&pks)
            .await
            .map_err(map_err)?;
        self.wait_task(task).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let mut prepared = query.prepare()?;
        loop {
            let results = self.search_once(query, &prepared).await?;
            if results.total > 0 || prepared.terms.len() <= 1 {
                return Ok(results);
            }
            prepared = prepared.without_last();
        }
    }

    async fn similar(
        &self,
        to: SimilarTo,
        kinds: &[DocKind],
        limit: usize,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        let index = self.client.index(&self.uid);
        let (source_text, exclude) = match &to {
            SimilarTo::Id(id) => match index.get_document::<HitDoc>(&primary_key(id)).await {
                Ok(doc) => (doc.similarity_text(), Some(id.as_str())),
                Err(MeiliError::Meilisearch(m)) if m.error_code == ErrorCode::DocumentNotFound => {
                    return Ok(Vec::new());
                }
                Err(e) => return Err(map_err(e)),
            },
            SimilarTo::Text(t) => (text::clean(t, text::MAX_SIMILAR_TEXT_CHARS), None),
        };
        let source_tf = text::term_frequencies(&source_text);
        if source_tf.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let words: Vec<String> =
            text::top_terms(&text::weights(&source_tf, |_| 1.0), text::MAX_QUERY_TERMS)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
        let q = format!("{} ", words.join(" "));
        let kind_filter = (!kinds.is_empty()).then(|| {
            let kinds: Vec<String> = kinds.iter().map(|k| quote(k.as_str())).collect();
            format!("kind IN [{}]", kinds.join(", "))
        });
        let retrieve = [
            "id",
            "kind",
            "title_kk",
            "title_ru",
            "title_en",
            "short_name",
            "description",
        ];
        let mut search = index.search();
        search
            .with_query(&q)
            .with_matching_strategy(MatchingStrategies::FREQUENCY)
            .with_attributes_to_retrieve(Selectors::Some(&retrieve))
            .with_limit(SIMILAR_CANDIDATES);
        if let Some(f) = &kind_filter {
            search.with_filter(f);
        }
        let res = search.execute::<HitDoc>().await.map_err(map_err)?;
        let candidates: Vec<(String, HashMap<String, u32>)> = res
            .hits
            .into_iter()
            .filter(|h| Some(h.result.id.as_str()) != exclude)
            .map(|h| {
                let tf = text::term_frequencies(&h.result.similarity_text());
                (h.result.id, tf)
            })
            .collect();
        // Document frequencies over the candidates and the source.
        let mut df: HashMap<&str, u32> = HashMap::new();
        for tf in candidates
            .iter()
            .map(|(_, tf)| tf)
            .chain(std::iter::once(&source_tf))
        {
            for t in tf.keys() {
                *df.entry(t.as_str()).or_insert(0) += 1;
            }
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "at most a few hundred candidates"
        )]
        let n = (candidates.len() + 1) as f32;
        let idf = |t: &str| {
            #[expect(
                clippy::cast_precision_loss,
                reason = "at most a few hundred candidates"
            )]
            let d = df.get(t).copied().unwrap_or(0) as f32;
            (1.0 + (n - d + 0.5) / (d + 0.5)).ln()
        };
        let source = text::weights(&source_tf, idf);
        let mut out: Vec<SimilarHit> = candidates
            .iter()
            .map(|(id, tf)| SimilarHit {
                id: id.clone(),
                score: text::cosine(&source, &text::weights(tf, idf)),
            })
            .filter(|h| h.score > 0.0)
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        out.truncate(limit.min(MAX_SIMILAR));
        Ok(out)
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let task = self
            .client
            .index(&self.uid)
            .delete_all_documents()
            .await
            .map_err(map_err)?;
        self.wait_task(task).await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        let stats = self
            .client
            .index(&self.uid)
            .get_stats()
            .await
            .map_err(map_err)?;
        Ok(stats.number_of_documents as u64)
    }

    async fn health(&self) -> Result<Health, SearchError> {
        let health = self.client.health().await.map_err(map_err)?;
        if health.status != "available" {
            return Err(SearchError::Unavailable(
                format!("meilisearch status {}", health.status).into(),
            ));
        }
        Ok(Health {
            backend: BACKEND,
            documents: self.count().await?,
        })
    }
}
