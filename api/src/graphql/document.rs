//! Technical documentation on the graph (003 §7, Annex 1): the documents of
//! an object with their files, conformance reports and text similarity, and
//! the Annex 1 catalogue of document kinds.

use std::sync::Arc;

use archportal_domain::conformance::Report;
use archportal_domain::document::{self as domain, required_kinds};
use archportal_domain::docx;
use archportal_domain::object::LifeCycleStage as DomainStage;
use archportal_storage::document::{self as repo};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::documents::{DocumentFile, download_url};
use crate::error::{ApiError, ApiResult};
use crate::graphql::CtxExt;
use crate::graphql::user::UserRef;
use crate::graphql::vocabulary::{DocumentKind, LifeCycleStage};

/// A document version as a list loaded it: the listing's columns, and the
/// whole row when the query selected a field only the whole row has.
pub struct DocumentRow {
    /// The listing's columns.
    pub head: repo::DocumentHead,
    /// The whole row, when loaded with the list.
    pub full: Option<Arc<repo::Document>>,
}

impl DocumentRow {
    /// A whole row.
    pub fn full(d: repo::Document) -> DocumentRow {
        DocumentRow {
            head: d.head(),
            full: Some(Arc::new(d)),
        }
    }
    /// The listing's columns only.
    pub fn head(head: repo::DocumentHead) -> DocumentRow {
        DocumentRow { head, full: None }
    }
    /// The whole row: at hand, or loaded (batched) when the list was
    /// loaded without it.
    async fn details(&self, ctx: &Context<'_>) -> ApiResult<Arc<repo::Document>> {
        if let Some(full) = &self.full {
            return Ok(full.clone());
        }
        ctx.loaders()
            .document_details
            .load_one(self.head.id)
            .await?
            .ok_or_else(|| archportal_storage::StorageError::NotFound { entity: "document" }.into())
    }
}

/// Whether a `documents` selection asks for a field only the whole row has
/// (file names, media types, reports), so that the list loads whole rows
/// at once instead of a second batch.
pub fn wants_details(documents: &async_graphql::SelectionField<'_>) -> bool {
    documents.selection_set().any(|f| match f.name() {
        "pdfaReport" | "docxReport" => true,
        "pdf" | "docx" => f
            .selection_set()
            .any(|g| matches!(g.name(), "fileName" | "mediaType")),
        _ => false,
    })
}

/// One version of one Annex 1 document of an object: the PDF/A-1 copy and
/// its DOCX draft (003 §7).
pub struct Document(pub Arc<DocumentRow>);

/// A stored file of a document: its fields are computed when selected (a
/// list of 50 objects' documents asks for a few of them).
pub struct StoredFile {
    document: Arc<DocumentRow>,
    which: DocumentFile,
}

impl StoredFile {
    fn file(&self) -> &repo::FileRef {
        match self.which {
            DocumentFile::Pdf => &self.document.head.pdf,
            DocumentFile::Docx => &self.document.head.docx,
        }
    }
    async fn stored(&self, ctx: &Context<'_>) -> ApiResult<repo::StoredFile> {
        let d = self.document.details(ctx).await?;
        Ok(match self.which {
            DocumentFile::Pdf => d.pdf.clone(),
            DocumentFile::Docx => d.docx.clone(),
        })
    }
}

/// A stored file.
#[Object]
impl StoredFile {
    /// SHA-256 of the bytes, lowercase hex (also the download's `ETag`).
    async fn sha256(&self) -> String {
        self.file().sha256.to_hex()
    }
    /// Size in bytes.
    async fn size(&self) -> u64 {
        self.file().size
    }
    /// The name it was uploaded with.
    async fn file_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(self.stored(ctx).await?.file_name)
    }
    /// The media type it is served with.
    async fn media_type(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(self.stored(ctx).await?.media_type)
    }
    /// Where to download it (`Authorization: Bearer …`; `Range` supported).
    async fn download_url(&self) -> String {
        download_url(self.document.head.id, self.which)
    }
}

/// One rule a file breaks.
#[derive(SimpleObject)]
pub struct ConformanceFinding {
    /// The clause: ISO 19005-1 (`6.1.3`) for the PDF, `OPC-…`/`WML-…`/`SEC-…` for the DOCX.
    pub clause: String,
    /// What is wrong.
    pub message: String,
    /// The object or part concerned (`12 0 R`, `word/document.xml`).
    pub object: Option<String>,
}

/// The result of a conformance check.
#[derive(SimpleObject)]
pub struct ConformanceReport {
    /// No rule broken.
    pub conforms: bool,
    /// The rules broken.
    pub findings: Vec<ConformanceFinding>,
}

impl From<&Report> for ConformanceReport {
    fn from(r: &Report) -> Self {
        ConformanceReport {
            conforms: r.conforms(),
            findings: r
                .findings
                .iter()
                .map(|f| ConformanceFinding {
                    clause: f.clause.clone(),
                    message: f.message.clone(),
                    object: f.object.clone(),
                })
                .collect(),
        }
    }
}

#[Object]
impl Document {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.head.id.to_string())
    }
    /// The Annex 1 kind.
    async fn kind(&self) -> DocumentKind {
        self.0.head.kind.into()
    }
    /// Version within the kind: 1 for the first upload, then 2, 3, …
    async fn version(&self) -> i32 {
        self.0.head.version
    }
    /// When it was uploaded.
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.head.uploaded_at
    }
    /// Who uploaded it.
    async fn uploaded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<UserRef>> {
        Ok(ctx
            .loaders()
            .users
            .load_one(self.0.head.uploaded_by)
            .await?
            .map(UserRef))
    }
    /// The PDF/A-1 copy.
    async fn pdf(&self) -> StoredFile {
        StoredFile {
            document: self.0.clone(),
            which: DocumentFile::Pdf,
        }
    }
    /// The DOCX draft.
    async fn docx(&self) -> StoredFile {
        StoredFile {
            document: self.0.clone(),
            which: DocumentFile::Docx,
        }
    }
    /// The PDF/A-1 check (ISO 19005-1).
    async fn pdfa_report(&self, ctx: &Context<'_>) -> ApiResult<ConformanceReport> {
        Ok((&self.0.details(ctx).await?.pdfa_report).into())
    }
    /// The DOCX check (ECMA-376 OPC and WordprocessingML, safety rules).
    async fn docx_report(&self, ctx: &Context<'_>) -> ApiResult<ConformanceReport> {
        Ok((&self.0.details(ctx).await?.docx_report).into())
    }
    /// The DOCX draft's text (paragraphs on their own lines), extracted
    /// from the stored file, for reading it beside the PDF copy; empty when
    /// the draft yields no text.
    async fn docx_text(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let state = ctx.state();
        let mut reader = state
            .blobs
            .open(&self.0.head.docx.sha256)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let mut bytes = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut bytes)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let text = tokio::task::spawn_blocking(move || {
            docx::extract_text_with(&bytes, &docx::DocxLimits::default()).unwrap_or_default()
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
        Ok(text)
    }
    /// How far the two files' texts agree, from 0 (nothing in common) to 1
    /// (the same words in the same order): the copy must fully show the
    /// draft's content (003 §7).
    async fn text_similarity(&self) -> f64 {
        self.0.head.text_similarity
    }
    /// Stored despite findings (a legacy import), to be reviewed.
    async fn accepted_with_findings(&self) -> bool {
        self.0.head.accepted_with_findings
    }
    /// A newer version of the kind replaced this one.
    async fn superseded(&self) -> bool {
        self.0.head.superseded_at.is_some()
    }
    /// When it was replaced, if it was.
    async fn superseded_at(&self) -> Option<DateTime<Utc>> {
        self.0.head.superseded_at
    }
}

/// Names in the three languages.
#[derive(SimpleObject)]
pub struct Names {
    /// Kazakh.
    pub kk: &'static str,
    /// Russian.
    pub ru: &'static str,
    /// English.
    pub en: &'static str,
}

/// A named part of a document kind (kinds 6 and 7 of Annex 1).
#[derive(SimpleObject)]
pub struct SubDocumentInfo {
    /// Stable code.
    pub code: &'static str,
    /// Names.
    pub names: Names,
    /// The standard it follows (GOST).
    pub standard: Option<&'static str>,
}

/// One kind of Annex 1 to order 003.
#[derive(SimpleObject)]
pub struct DocumentKindInfo {
    /// The kind.
    pub code: DocumentKind,
    /// Its item number in Annex 1 (1–14).
    pub annex_item: i32,
    /// Names.
    pub names: Names,
    /// The act or standard it refers to (GOST, ST RK, decree, order).
    pub standard: Option<&'static str>,
    /// Its named parts.
    pub sub_documents: Vec<SubDocumentInfo>,
    /// The life-cycle stages at which a submission must carry it.
    pub required_at_stages: Vec<LifeCycleStage>,
}

/// Queries of the documentation catalogue.
#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    /// The 14 document kinds of Annex 1, in order.
    async fn document_kinds(&self) -> Vec<DocumentKindInfo> {
        domain::DocumentKind::ALL
            .iter()
            .map(|&kind| {
                let label = kind.label();
                DocumentKindInfo {
                    code: kind.into(),
                    annex_item: i32::from(kind.annex_item()),
                    names: Names {
                        kk: label.kk,
                        ru: label.ru,
                        en: label.en,
                    },
                    standard: kind.standard(),
                    sub_documents: kind
                        .sub_documents()
                        .iter()
                        .map(|s| SubDocumentInfo {
                            code: s.code,
                            names: Names {
                                kk: s.label.kk,
                                ru: s.label.ru,
                                en: s.label.en,
                            },
                            standard: s.standard,
                        })
                        .collect(),
                    required_at_stages: DomainStage::ALL
                        .iter()
                        .filter(|stage| required_kinds(**stage).contains(&kind))
                        .map(|stage| (*stage).into())
                        .collect(),
                }
            })
            .collect()
    }
}
