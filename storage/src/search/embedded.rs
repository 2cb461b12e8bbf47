//! The embedded index: tantivy in a directory on disk, no server. The
//! default backend.
//!
//! - Tokenizer `archportal`: [`text::words`] (Unicode word split, NFC, lower
//!   case, Kazakh/ё folding) at index and query time alike.
//! - Query: every query word must match (AND); each word is an OR over the
//!   text fields of an exact term (BM25), a fuzzy term (1 typo from 5
//!   letters, 2 from 9, transposition = 1 typo) and, for the last word while
//!   typed, a prefix term (with at most one typo). Field boosts: code ×6,
//!   titles and short name ×5, description ×2, body ×1; fuzzy matches count
//!   half, prefix matches 0.6 of an exact one. When no document holds every
//!   word, the last word is dropped and the search retried.
//! - Facets: one hierarchical facet field (`/gateway/EGG`), filtered with
//!   term queries and counted with tantivy's `FacetCollector`.
//! - Highlights: [`text::highlight`] over the stored fields with the same
//!   matching rule as the query, so fuzzy and prefix matches are marked too
//!   (tantivy's `SnippetGenerator` only knows exact query terms).
//! - `similar`: TF-IDF cosine over names, short name and description, with
//!   document frequencies from the index; candidates come from an OR query of
//!   the 24 heaviest terms, the best 200 are re-ranked exactly.
//! - Writes: one writer behind a mutex; each `upsert`/`delete`/`clear`
//!   commits and reloads the reader before returning, so the next search
//!   sees it. Blocking work runs on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tantivy::collector::{Count, FacetCollector, MultiCollector, TopDocs};
use tantivy::query::{
    AllQuery, AutomatonWeight, BooleanQuery, BoostQuery, DfaWrapper, EnableScoring, FuzzyTermQuery,
    Occur, Query, TermQuery, Weight,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use super::text::{self, PreparedQuery, QueryTerm};
use super::{
    DocKind, HIGHLIGHT_CHARS, Health, Hit, MAX_SIMILAR, SIMILAR_CANDIDATES, SearchDoc, SearchError,
    SearchIndex, SearchQuery, SearchResults, SimilarHit, SimilarTo,
};

const TOKENIZER: &str = "archportal";
const BACKEND: &str = "embedded";

/// Tantivy tokenizer running [`text::words`].
#[derive(Clone, Default)]
struct FoldingTokenizer {
    token: Token,
}

/// Token stream over the words of one text.
struct FoldingTokenStream<'a> {
    words: std::vec::IntoIter<text::Word>,
    token: &'a mut Token,
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingTokenStream<'a> {
        self.token.reset();
        FoldingTokenStream {
            words: text::words(text).into_iter(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for FoldingTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(word) = self.words.next() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = word.start;
        self.token.offset_to = word.end;
        self.token.text = word.norm;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The schema's fields.
#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    code: Field,
    title_kk: Field,
    title_ru: Field,
    title_en: Field,
    short_name: Field,
    description: Field,
    body: Field,
    similar: Field,
    facets: Field,
}

impl Fields {
    /// Searched fields with their names (for highlights) and boosts.
    fn searched(&self) -> [(Field, &'static str, f32); 7] {
        [
            (self.code, "code", 6.0),
            (self.title_kk, "title_kk", 5.0),
            (self.title_ru, "title_ru", 5.0),
            (self.title_en, "title_en", 5.0),
            (self.short_name, "short_name", 5.0),
            (self.description, "description", 2.0),
            (self.body, "body", 1.0),
        ]
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    let stored_text = TextOptions::default()
        .set_indexing_options(indexing.clone())
        .set_stored();
    let unstored_text = TextOptions::default().set_indexing_options(indexing);
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        kind: b.add_text_field("kind", STRING | STORED),
        code: b.add_text_field("code", stored_text.clone()),
        title_kk: b.add_text_field("title_kk", stored_text.clone()),
        title_ru: b.add_text_field("title_ru", stored_text.clone()),
        title_en: b.add_text_field("title_en", stored_text.clone()),
        short_name: b.add_text_field("short_name", stored_text.clone()),
        description: b.add_text_field("description", stored_text.clone()),
        body: b.add_text_field("body", stored_text),
        similar: b.add_text_field("similar", unstored_text),
        facets: b.add_facet_field("facets", FacetOptions::default().set_stored()),
    };
    (b.build(), fields)
}

/// One Levenshtein automaton matched in one field, with tantivy's constant
/// score, like [`FuzzyTermQuery`]; but the automaton is built once for all
/// the fields a word is searched in (see `Inner::term_clause`).
#[derive(Clone)]
struct FieldAutomatonQuery {
    field: Field,
    automaton: Arc<DfaWrapper>,
}

impl std::fmt::Debug for FieldAutomatonQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldAutomatonQuery")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

impl Query for FieldAutomatonQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<DfaWrapper>::new(
            self.field,
            Arc::clone(&self.automaton),
        )))
    }
}

/// Tuning of the embedded index.
#[derive(Debug, Clone)]
pub struct EmbeddedConfig {
    /// Indexing threads (tantivy needs at least 15 MB of heap per thread).
    pub writer_threads: usize,
    /// Indexing heap in bytes, shared by the threads.
    pub writer_heap_bytes: usize,
    /// Searches run at once; more wait their turn. Each search holds its
    /// working memory (postings, fuzzy automata, snippets) on a blocking
    /// thread, so unbounded concurrency multiplies memory without adding
    /// throughput on a machine with fewer cores (the load benchmark's search
    /// row: 478 MB peak at 64 clients unbounded).
    pub max_concurrent_searches: usize,
}

impl Default for EmbeddedConfig {
    fn default() -> Self {
        EmbeddedConfig {
            writer_threads: 1,
            writer_heap_bytes: 64 << 20,
            max_concurrent_searches: default_concurrent_searches(),
        }
    }
}

/// One search per core.
pub fn default_concurrent_searches() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    dir: PathBuf,
}

/// Tantivy index in a directory: created on first open, reopened after.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
    searches: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedIndex")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

/// Removes the index files the last commit does not refer to; a failure is
/// logged (the index still works, with the files left over).
fn collect_garbage(writer: &IndexWriter) {
    match writer.garbage_collect_files().wait() {
        Ok(gc) if !gc.deleted_files.is_empty() => {
            tracing::info!(
                files = gc.deleted_files.len(),
                "leftover search index files removed"
            );
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "search index garbage collection failed"),
    }
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> SearchError {
    SearchError::Internal(Box::new(e))
}

impl EmbeddedIndex {
    /// Opens the index in `dir` with the default configuration, creating
    /// the directory and the index when missing.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, SearchError> {
        Self::open_with(dir, &EmbeddedConfig::default())
    }

    /// Opens the index in `dir`. Fails with `Internal` when the directory
    /// holds an index of another schema (rebuild it with `search reindex`
    /// after removing the directory) or is locked by another writer.
    pub fn open_with(dir: impl AsRef<Path>, config: &EmbeddedConfig) -> Result<Self, SearchError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(internal)?;
        let (schema, fields) = schema();
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(&dir).map_err(internal)?;
            if index.schema() != schema {
                return Err(SearchError::internal(format!(
                    "index in {} has another schema: remove it and run `archportal search reindex`",
                    dir.display()
                )));
            }
            index
        } else {
            Index::create_in_dir(&dir, schema).map_err(internal)?
        };
        index
            .tokenizers()
            .register(TOKENIZER, FoldingTokenizer::default());
        let writer = index
            .writer_with_num_threads(config.writer_threads.max(1), config.writer_heap_bytes)
            .map_err(internal)?;
        // A process killed during a commit leaves the files it was writing
        // (a deletion bitset `<segment>.<opstamp>.del`, say); the next commit
        // may need the same name and then failed with `FileAlreadyExists`,
        // batch after batch, until another restart (found by `reliability
        // crash`, seed 1795396435). Files the last commit does not refer to
        // are removed before the first write.
        collect_garbage(&writer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(internal)?;
        tracing::info!(dir = %dir.display(), "embedded search index opened");
        Ok(EmbeddedIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(writer),
                fields,
                dir,
            }),
            searches: Arc::new(tokio::sync::Semaphore::new(
                config.max_concurrent_searches.max(1),
            )),
        })
    }

    /// The directory holding the index.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(internal)?
    }

    /// [`Self::blocking`] for a read, once one of the search permits is free.
    async fn search_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let _permit = self
            .searches
            .acquire()
            .await
            .map_err(|_| SearchError::internal("search permits closed"))?;
        self.blocking(f).await
    }
}

impl Inner {
    fn write(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| SearchError::internal("index writer lock poisoned"))?;
        if let Err(e) = f(&mut writer) {
            // Drop the uncommitted part so the next write starts clean.
            if let Err(rollback) = writer.rollback() {
                tracing::error!(error = %rollback, "rollback of the search index failed");
            }
            return Err(e);
        }
        if let Err(e) = writer.commit() {
            // A failed commit (ENOSPC, found by `reliability search-fault`)
            // leaves the writer without its indexing threads ("the index
            // writer was killed"), and every later batch failed even after
            // the space came back. Rolling back rebuilds the writer from the
            // last commit, so the retried batch succeeds once the cause is gone.
            if let Err(rollback) = writer.rollback() {
                tracing::error!(error = %rollback, "rollback of the search index failed");
            }
            // And what the failed commit had written goes, so that its
            // retry can write the same files again.
            collect_garbage(&writer);
            return Err(internal(e));
        }
        self.reader.reload().map_err(internal)
    }

    fn to_document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.id, &doc.id);
        d.add_text(f.kind, doc.kind.as_str());
        d.add_text(f.code, &doc.code);
        d.add_text(f.title_kk, &doc.title_kk);
        d.add_text(f.title_ru, &doc.title_ru);
        if let Some(en) = &doc.title_en {
            d.add_text(f.title_en, en);
        }
        d.add_text(f.short_name, &doc.short_name);
        d.add_text(f.description, &doc.description);
        d.add_text(f.body, &doc.body);
        d.add_text(f.similar, doc.similarity_text());
        for (key, values) in &doc.facets {
            for value in values {
                d.add_facet(f.facets, Facet::from_path([key.as_str(), value.as_str()]));
            }
        }
        d
    }

    fn term_clause(&self, term: &QueryTerm) -> Result<Box<dyn Query>, SearchError> {
        // The Levenshtein automata depend on the word only, so each is built
        // once and shared by the seven fields: a distance-2 automaton of a
        // 14-letter Cyrillic word has 768 states of 1 KiB each, and the
        // load benchmark's two-word query built 21 automata (6.6 MiB) per
        // search, where it now builds 3 (0.95 MiB).
        let automaton = |q: FuzzyTermQuery| q.automaton().map(Arc::new).map_err(internal);
        let any = Term::from_field_text(self.fields.code, &term.text);
        let fuzzy = if term.typos > 0 {
            Some(automaton(FuzzyTermQuery::new(
                any.clone(),
                term.typos,
                true,
            ))?)
        } else {
            None
        };
        let prefix = if term.prefix {
            Some(automaton(FuzzyTermQuery::new_prefix(
                any,
                term.typos.min(1),
                true,
            ))?)
        } else {
            None
        };
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, _, boost) in self.fields.searched() {
            let t = Term::from_field_text(field, &term.text);
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                    boost,
                )),
            ));
            // Fuzzy matches count half, prefix matches 0.6 of an exact one.
            for (automaton, weight) in [(&fuzzy, 0.5), (&prefix, 0.6)] {
                if let Some(automaton) = automaton {
                    let query = FieldAutomatonQuery {
                        field,
                        automaton: Arc::clone(automaton),
                    };
                    should.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(query), boost * weight)),
                    ));
                }
            }
        }
        Ok(Box::new(BooleanQuery::new(should)))
    }

    fn filter_clauses(&self, query: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !query.kinds.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = query
                .kinds
                .iter()
                .map(|k| {
                    let t = Term::from_field_text(self.fields.kind, k.as_str());
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        for (key, values) in &query.filters {
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let facet = Facet::from_path([key.as_str(), v.as_str()]);
                    let t = Term::from_facet(self.fields.facets, &facet);
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        must
    }

    /// The query of the filters and `term_clauses`, all of which must match.
    fn build_query(&self, query: &SearchQuery, term_clauses: &[Box<dyn Query>]) -> Box<dyn Query> {
        let mut clauses = self.filter_clauses(query);
        for clause in term_clauses {
            clauses.push((Occur::Must, clause.box_clone()));
        }
        if clauses.is_empty() {
            return Box::new(AllQuery);
        }
        if term_clauses.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn search(
        &self,
        query: &SearchQuery,
        prepared: &PreparedQuery,
    ) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        // Each word's clause (and its automata) is built once: a retry
        // without the last word reuses the clauses of the words it keeps.
        let term_clauses = prepared
            .terms
            .iter()
            .map(|term| self.term_clause(term))
            .collect::<Result<Vec<_>, _>>()?;
        let mut words = prepared.terms.len();
        loop {
            let results = self.search_once(
                &searcher,
                query,
                &prepared.terms[..words],
                &term_clauses[..words],
            )?;
            if results.total > 0 || words <= 1 {
                return Ok(results);
            }
            words -= 1;
        }
    }

    /// One search for the `terms`, whose clauses are `term_clauses`.
    fn search_once(
        &self,
        searcher: &Searcher,
        query: &SearchQuery,
        terms: &[QueryTerm],
        term_clauses: &[Box<dyn Query>],
    ) -> Result<SearchResults, SearchError> {
        let q = self.build_query(query, term_clauses);
        let ranked = !terms.is_empty();
        let mut multi = MultiCollector::new();
        let count_handle = multi.add_collector(Count);
        let facet_handle = (!query.facets.is_empty()).then(|| {
            let mut fc = FacetCollector::for_field("facets");
            for key in &query.facets {
                fc.add_facet(Facet::from_path([key.as_str()]));
            }
            multi.add_collector(fc)
        });
        let window = || TopDocs::with_limit(query.limit).and_offset(query.offset);
        let scored_handle =
            (ranked && query.limit > 0).then(|| multi.add_collector(window().order_by_score()));
        let sorted_handle = (!ranked && query.limit > 0)
            .then(|| multi.add_collector(window().order_by_string_fast_field("id", Order::Asc)));
        let mut fruits = searcher.search(&*q, &multi).map_err(internal)?;

        let total = count_handle.extract(&mut fruits) as u64;
        let mut facet_counts = std::collections::BTreeMap::new();
        if let Some(h) = facet_handle {
            let counts = h.extract(&mut fruits);
            for key in &query.facets {
                let mut values = std::collections::BTreeMap::new();
                for (facet, n) in counts.get(Facet::from_path([key.as_str()])) {
                    if let Some(value) = facet.to_path().last() {
                        values.insert((*value).to_owned(), n);
                    }
                }
                facet_counts.insert(key.clone(), values);
            }
        }
        let addresses: Vec<(f32, DocAddress)> = if let Some(h) = scored_handle {
            h.extract(&mut fruits)
        } else if let Some(h) = sorted_handle {
            h.extract(&mut fruits)
                .into_iter()
                .map(|(_, a)| (1.0, a))
                .collect()
        } else {
            Vec::new()
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(internal)?;
            hits.push(self.hit(&doc, score, terms)?);
        }
        Ok(SearchResults {
            total,
            hits,
            facet_counts,
        })
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        terms: &[QueryTerm],
    ) -> Result<Hit, SearchError> {
        let get = |f: Field| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or("");
        let id = get(self.fields.id).to_owned();
        let kind = DocKind::parse(get(self.fields.kind))
            .ok_or_else(|| SearchError::internal(format!("document {id} has no kind")))?;
        let mut highlights = std::collections::BTreeMap::new();
        if !terms.is_empty() {
            for (field, name, _) in self.fields.searched() {
                if let Some(h) = text::highlight(get(field), terms, HIGHLIGHT_CHARS) {
                    highlights.insert(name.to_owned(), h);
                }
            }
        }
        Ok(Hit {
            id,
            kind,
            score,
            highlights,
        })
    }

    fn stored_similarity_text(&self, doc: &TantivyDocument) -> String {
        let f = &self.fields;
        [
            f.title_kk,
            f.title_ru,
            f.title_en,
            f.short_name,
            f.description,
        ]
        .iter()
        .map(|&field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
    }

    fn find(&self, searcher: &Searcher, id: &str) -> Result<Option<TantivyDocument>, SearchError> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .map_err(internal)?;
        match top.first() {
            Some((_, address)) => Ok(Some(searcher.doc(*address).map_err(internal)?)),
            None => Ok(None),
        }
    }

    fn similar(
        &self,
        to: &SimilarTo,
        kinds: &[DocKind],
        limit: usize,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        let searcher = self.reader.searcher();
        let (source_text, exclude) = match to {
            SimilarTo::Id(id) => match self.find(&searcher, id)? {
                Some(doc) => (self.stored_similarity_text(&doc), Some(id.as_str())),
                None => return Ok(Vec::new()),
            },
            SimilarTo::Text(t) => (text::clean(t, text::MAX_SIMILAR_TEXT_CHARS), None),
        };
        #[expect(
            clippy::cast_precision_loss,
            reason = "document counts are far below 2^24"
        )]
        let n = searcher.num_docs() as f32;
        let idf = |t: &str| {
            #[expect(
                clippy::cast_precision_loss,
                reason = "document counts are far below 2^24"
            )]
            let df = searcher
                .doc_freq(&Term::from_field_text(self.fields.similar, t))
                .unwrap_or(0) as f32;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        let source = text::weights(&text::term_frequencies(&source_text), idf);
        if source.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let should: Vec<(Occur, Box<dyn Query>)> = text::top_terms(&source, 24)
            .into_iter()
            .map(|(t, w)| {
                let q = TermQuery::new(
                    Term::from_field_text(self.fields.similar, &t),
                    IndexRecordOption::WithFreqs,
                );
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), w)) as Box<dyn Query>,
                )
            })
            .collect();
        let mut clauses = self.filter_clauses(&SearchQuery {
            kinds: kinds.to_vec(),
            ..SearchQuery::default()
        });
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        let candidates = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(SIMILAR_CANDIDATES).order_by_score(),
            )
            .map_err(internal)?;
        let mut out = Vec::with_capacity(candidates.len());
        for (_, address) in candidates {
            let doc: TantivyDocument = searcher.doc(address).map_err(internal)?;
            let id = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned();
            if Some(id.as_str()) == exclude {
                continue;
            }
            let other = text::weights(
                &text::term_frequencies(&self.stored_similarity_text(&doc)),
                idf,
            );
            let score = text::cosine(&source, &other);
            if score > 0.0 {
                out.push(SimilarHit { id, score });
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        out.truncate(limit.min(MAX_SIMILAR));
        Ok(out)
    }
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        for doc in &docs {
            doc.validate()?;
        }
        if docs.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| {
            inner.write(|w| {
                for doc in &docs {
                    w.delete_term(Term::from_field_text(inner.fields.id, &doc.id));
                    w.add_document(inner.to_document(doc)).map_err(internal)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn delete(&self, ids: Vec<String>) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| {
            inner.write(|w| {
                for id in &ids {
                    w.delete_term(Term::from_field_text(inner.fields.id, id));
                }
                Ok(())
            })
        })
        .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let prepared = query.prepare()?;
        let query = query.clone();
        self.search_blocking(move |inner| inner.search(&query, &prepared))
            .await
    }

    async fn similar(
        &self,
        to: SimilarTo,
        kinds: &[DocKind],
        limit: usize,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        let kinds = kinds.to_vec();
        self.search_blocking(move |inner| inner.similar(&to, &kinds, limit))
            .await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.blocking(|inner| {
            inner.write(|w| {
                w.delete_all_documents().map_err(internal)?;
                Ok(())
            })
        })
        .await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        self.blocking(|inner| Ok(inner.reader.searcher().num_docs()))
            .await
    }

    async fn health(&self) -> Result<Health, SearchError> {
        self.blocking(|inner| {
            if !inner.dir.join("meta.json").exists() {
                return Err(SearchError::Unavailable(
                    format!("index directory {} is gone", inner.dir.display()).into(),
                ));
            }
            inner
                .index
                .searchable_segment_ids()
                .map_err(|e| SearchError::Unavailable(Box::new(e)))?;
            Ok(Health {
                backend: BACKEND,
                documents: inner.reader.searcher().num_docs(),
            })
        })
        .await
    }
}
