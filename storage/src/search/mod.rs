//! Search over gateway services and informatization objects (issue 4, item
//! 2): one [`SearchIndex`] trait, two implementations passing one behaviour
//! suite — [`embedded::EmbeddedIndex`] (tantivy on disk, the default, no
//! server) and [`meili::MeiliIndex`] (Meilisearch through `meilisearch-sdk`
//! when `MEILISEARCH_URL` is set).
//!
//! Both backends share the same rules, defined once in [`text`]: Kazakh and
//! Russian folding, typo distances (one typo from 5 letters, two from 9),
//! prefix matching on the last word, query hygiene (controls stripped, 256
//! characters, 10 words), `<em>` highlights with everything else
//! HTML-escaped. All words of a query must match; when no document holds them
//! all, the last word is dropped and the search retried (Meilisearch's `last`
//! strategy, done the same way on both backends).
//!
//! Writes are visible to the next search: `upsert`, `delete` and `clear`
//! return once the change is searchable (the embedded index commits and
//! reloads its reader; the Meilisearch adapter waits for the task). Callers
//! batch documents for throughput (the outbox dispatcher sends one batch per
//! poll; `archportal search reindex` sends batches of a few thousand).

pub mod embedded;
pub mod meili;
pub mod text;

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use embedded::{EmbeddedConfig, EmbeddedIndex};
pub use meili::{MeiliConfig, MeiliIndex};
use text::PreparedQuery;

/// What a document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A service published on a gateway (000 §6, 001 §3).
    Service,
    /// An informatization object of the registry.
    Object,
}

impl DocKind {
    /// The stored name of the kind (`"service"`, `"object"`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Service => "service",
            DocKind::Object => "object",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<DocKind> {
        match s {
            "service" => Some(DocKind::Service),
            "object" => Some(DocKind::Object),
            _ => None,
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Facet keys both backends index for filtering and counting. Services:
/// `gateway` (EGG, EEGG, EPG), `owner` (organization id), `status`,
/// `protocol` (SOAP, REST), `personal_data` ("true"/"false"); objects:
/// `kind`, `stage`, `registration_status`, `owner`, `personal_data`.
/// A query naming another key is an [`SearchError::InvalidQuery`]; a
/// document carrying another key is an [`SearchError::InvalidDocument`].
pub const FACET_KEYS: &[&str] = &[
    "gateway",
    "owner",
    "status",
    "protocol",
    "personal_data",
    "kind",
    "stage",
    "registration_status",
];

/// Most hits one search returns.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset a search may start at (Meilisearch's `maxTotalHits` is set
/// to the same).
pub const MAX_OFFSET: usize = 10_000;
/// Most values one filter key may list.
pub const MAX_FILTER_VALUES: usize = 100;
/// Longest facet value, in characters.
pub const MAX_FACET_VALUE_CHARS: usize = 200;
/// Longest document id, in characters.
pub const MAX_ID_CHARS: usize = 200;
/// Highlights of long fields (description, body) are cut to this many
/// characters around the matches.
pub const HIGHLIGHT_CHARS: usize = 200;

/// A searchable document: a service or an informatization object, built by
/// storage from the database row (the index is never the source of truth).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// `service:<ServiceID>` or `object:<uuid>`; unique across both kinds.
    pub id: String,
    /// Service or object.
    pub kind: DocKind,
    /// Name in Kazakh.
    pub title_kk: String,
    /// Name in Russian.
    pub title_ru: String,
    /// Name in English, when there is one.
    pub title_en: Option<String>,
    /// Short name (abbreviation).
    pub short_name: String,
    /// ServiceID or the object's accounting code.
    pub code: String,
    /// Full description of purpose.
    pub description: String,
    /// Document text (may be long; searched with the lowest weight).
    pub body: String,
    /// Facet values by key (one of [`FACET_KEYS`]).
    pub facets: BTreeMap<String, Vec<String>>,
}

impl SearchDoc {
    /// The text compared by `similar`: names, short name and description.
    pub fn similarity_text(&self) -> String {
        [
            self.title_kk.as_str(),
            self.title_ru.as_str(),
            self.title_en.as_deref().unwrap_or(""),
            self.short_name.as_str(),
            self.description.as_str(),
        ]
        .join("\n")
    }

    /// Checks the id and the facets.
    pub fn validate(&self) -> Result<(), SearchError> {
        let bad = |reason: String| {
            Err(SearchError::InvalidDocument {
                id: self.id.chars().take(MAX_ID_CHARS).collect(),
                reason,
            })
        };
        if self.id.trim().is_empty() || self.id.chars().count() > MAX_ID_CHARS {
            return bad(format!("id must have 1 to {MAX_ID_CHARS} characters"));
        }
        if self.id.chars().any(char::is_control) {
            return bad("id must not contain control characters".into());
        }
        for (key, values) in &self.facets {
            if !FACET_KEYS.contains(&key.as_str()) {
                return bad(format!("unknown facet key {key:?}"));
            }
            if values
                .iter()
                .any(|v| v.chars().count() > MAX_FACET_VALUE_CHARS)
            {
                return bad(format!(
                    "a {key} value is over {MAX_FACET_VALUE_CHARS} characters"
                ));
            }
        }
        Ok(())
    }
}

/// A search request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What the user typed (cleaned by [`text::PreparedQuery`]); empty lists
    /// by filter, ordered by id.
    pub text: String,
    /// Kinds searched; empty means both.
    pub kinds: Vec<DocKind>,
    /// Facet filters: AND across keys, OR within a key's values.
    pub filters: BTreeMap<String, Vec<String>>,
    /// Facet keys whose value counts (over all matching documents) to return.
    pub facets: Vec<String>,
    /// Hits to return, at most [`MAX_LIMIT`]; 0 for counts only.
    pub limit: usize,
    /// Hits to skip, at most [`MAX_OFFSET`].
    pub offset: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            kinds: Vec::new(),
            filters: BTreeMap::new(),
            facets: Vec::new(),
            limit: 20,
            offset: 0,
        }
    }
}

impl SearchQuery {
    /// A query for `text` with the default limit.
    pub fn text(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            ..SearchQuery::default()
        }
    }

    /// Adds a filter value (builder style).
    #[must_use]
    pub fn filter(mut self, key: &str, value: &str) -> Self {
        self.filters
            .entry(key.to_owned())
            .or_default()
            .push(value.to_owned());
        self
    }

    /// Checks the limits and keys, and cleans the text. Both backends call
    /// it first, so they reject and clean alike.
    pub fn prepare(&self) -> Result<PreparedQuery, SearchError> {
        let invalid = |reason: String| Err(SearchError::InvalidQuery { reason });
        if self.limit > MAX_LIMIT {
            return invalid(format!("limit must be at most {MAX_LIMIT}"));
        }
        if self.offset > MAX_OFFSET {
            return invalid(format!("offset must be at most {MAX_OFFSET}"));
        }
        for key in self.filters.keys().chain(self.facets.iter()) {
            if !FACET_KEYS.contains(&key.as_str()) {
                return invalid(format!(
                    "unknown facet {:?}; known: {}",
                    key.chars().take(40).collect::<String>(),
                    FACET_KEYS.join(", ")
                ));
            }
        }
        for (key, values) in &self.filters {
            if values.is_empty() || values.len() > MAX_FILTER_VALUES {
                return invalid(format!(
                    "filter {key} needs 1 to {MAX_FILTER_VALUES} values"
                ));
            }
            if values
                .iter()
                .any(|v| v.chars().count() > MAX_FACET_VALUE_CHARS)
            {
                return invalid(format!(
                    "a {key} value is over {MAX_FACET_VALUE_CHARS} characters"
                ));
            }
        }
        Ok(PreparedQuery::new(&self.text))
    }
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The document's id.
    pub id: String,
    /// The document's kind.
    pub kind: DocKind,
    /// Relevance; higher is better. Comparable only within one result list
    /// (BM25 sums on the embedded index, `_rankingScore` on Meilisearch);
    /// 1.0 for an empty query.
    pub score: f32,
    /// Matched fields (`title_kk`, `title_ru`, `title_en`, `short_name`,
    /// `code`, `description`, `body`) with the matched words in `<em>…</em>`;
    /// the text is HTML-escaped and long fields are cut around the matches.
    pub highlights: BTreeMap<String, String>,
}

/// The answer to a [`SearchQuery`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching documents.
    pub total: u64,
    /// The requested page of hits, best first.
    pub hits: Vec<Hit>,
    /// For each requested facet key, the number of matching documents per
    /// value (values without matches left out).
    pub facet_counts: BTreeMap<String, BTreeMap<String, u64>>,
}

/// What `similar` compares against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimilarTo {
    /// An indexed document (left out of the answer).
    Id(String),
    /// A free text, e.g. the description of a service being registered.
    Text(String),
}

/// One document similar to the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarHit {
    /// The document's id.
    pub id: String,
    /// Cosine similarity of TF-IDF vectors over names, short name and
    /// description, in `[0, 1]`.
    pub score: f32,
}

/// Whether the backend answers, and how many documents it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `"embedded"` or `"meilisearch"`.
    pub backend: &'static str,
    /// Documents in the index.
    pub documents: u64,
}

/// Boxed cause of an error, kept for logs and never shown to clients.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors of the search layer. The API maps `InvalidQuery` and
/// `InvalidDocument` to `INVALID_INPUT`, `Unavailable` to a degraded answer
/// (the outbox retries index updates), `Internal` to `INTERNAL`.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query breaks a documented limit (limit, offset, facet keys).
    #[error("invalid search query: {reason}")]
    InvalidQuery {
        /// What is wrong, safe to show.
        reason: String,
    },
    /// A document cannot be indexed.
    #[error("document {id:?} cannot be indexed: {reason}")]
    InvalidDocument {
        /// The document's id (cut to [`MAX_ID_CHARS`]).
        id: String,
        /// What is wrong, safe to show.
        reason: String,
    },
    /// The backend cannot be reached or timed out; retry later.
    #[error("search backend unavailable")]
    Unavailable(#[source] Cause),
    /// Anything else: a bug, a corrupt index, a misconfiguration.
    #[error("search index internal error")]
    Internal(#[source] Cause),
}

impl SearchError {
    /// An internal error from a message.
    pub fn internal(msg: impl Into<String>) -> Self {
        SearchError::Internal(msg.into().into())
    }
}

/// A search index over services and objects. Object-safe: the API holds an
/// `Arc<dyn SearchIndex>` chosen at start from the configuration.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// Adds documents or replaces those with the same id; searchable when
    /// this returns.
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError>;

    /// Removes documents by id (unknown ids are ignored).
    async fn delete(&self, ids: Vec<String>) -> Result<(), SearchError>;

    /// Full-text search with filters, facet counts and highlights.
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;

    /// Documents of the given kinds (empty: both) most similar to a document
    /// or a text, best first, with scores in `[0, 1]` (000 §6.2: the
    /// integrator checks for similar services). Unknown id: empty answer.
    async fn similar(
        &self,
        to: SimilarTo,
        kinds: &[DocKind],
        limit: usize,
    ) -> Result<Vec<SimilarHit>, SearchError>;

    /// Removes every document (before `archportal search reindex`).
    async fn clear(&self) -> Result<(), SearchError>;

    /// Number of documents.
    async fn count(&self) -> Result<u64, SearchError>;

    /// Whether the backend answers (for `/readyz`).
    async fn health(&self) -> Result<Health, SearchError>;
}

/// Number of candidates `similar` re-ranks.
pub(crate) const SIMILAR_CANDIDATES: usize = 200;
/// Most hits `similar` returns.
pub const MAX_SIMILAR: usize = 100;
