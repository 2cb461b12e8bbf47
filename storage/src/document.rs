//! Technical documentation of informatization objects (003 §7, Annex 1).
//!
//! 003 §7: every document is placed as a PDF/A-1 copy that fully shows the
//! original together with its DOCX draft, so one row is one *pair*: both
//! files by SHA-256 (the bytes live in the [`crate::blob`] store), the
//! conformance reports, the extracted texts and their similarity. A new
//! upload of a kind supersedes the current version of that kind in the same
//! transaction; superseded versions stay readable and downloadable.

use std::collections::HashSet;

use archportal_domain::access::Actor;
use archportal_domain::conformance::Report;
use archportal_domain::document::DocumentKind;
use archportal_domain::object::{RegistrationStatus, check_editable};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, Set, TryGetError,
};
use uuid::Uuid;

use crate::blob::Sha256Digest;
use crate::db::Database;
use crate::entities::{document, object};
use crate::error::{Result, StorageError};

/// The current (non-superseded) version of one document kind of an object:
/// what a submission check needs to know (003 §7–§8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentPairState {
    /// The Annex 1 kind.
    pub kind: DocumentKind,
    /// The document row.
    pub document_id: Uuid,
    /// Its version number within the kind (1, 2, …).
    pub version: i32,
    /// Both files passed their checks (PDF/A-1 and DOCX) without findings.
    pub conforming: bool,
    /// The pair was stored despite findings (legacy import), and is flagged.
    pub accepted_with_findings: bool,
    /// When it was uploaded.
    pub uploaded_at: DateTime<Utc>,
}

/// One stored file of a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// SHA-256 of the bytes: the blob's name and the download's `ETag`.
    pub sha256: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
    /// The file name the uploader gave (path components removed).
    pub file_name: String,
    /// The media type the portal serves it with.
    pub media_type: String,
}

/// A stored document version (texts are left out: see [`texts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// The object it documents.
    pub object_id: Uuid,
    /// The Annex 1 kind.
    pub kind: DocumentKind,
    /// Version within the kind.
    pub version: i32,
    /// The PDF/A-1 copy.
    pub pdf: StoredFile,
    /// The DOCX draft.
    pub docx: StoredFile,
    /// ISO 19005-1 findings of the PDF.
    pub pdfa_report: Report,
    /// OPC/WordprocessingML findings of the DOCX.
    pub docx_report: Report,
    /// Similarity of the two files' texts, 0.0–1.0.
    pub text_similarity: f64,
    /// Stored despite findings (legacy import).
    pub accepted_with_findings: bool,
    /// Who uploaded it.
    pub uploaded_by: Uuid,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    /// When a newer version replaced it, if one did.
    pub superseded_at: Option<DateTime<Utc>>,
}

impl Document {
    /// Both files conform.
    pub fn conforming(&self) -> bool {
        self.pdfa_report.conforms() && self.docx_report.conforms()
    }
}

/// A file of a pair as a list shows it: digest and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRef {
    /// SHA-256 of the bytes.
    pub sha256: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
}

/// A document version as a list shows it: both files by digest and size,
/// without their names and media types, the conformance reports or the
/// texts ([`get_many`] has those). A page of 50 objects lists about 400
/// versions, and those columns were most of the cost of decoding its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentHead {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// The object it documents.
    pub object_id: Uuid,
    /// The Annex 1 kind.
    pub kind: DocumentKind,
    /// Version within the kind.
    pub version: i32,
    /// The PDF/A-1 copy.
    pub pdf: FileRef,
    /// The DOCX draft.
    pub docx: FileRef,
    /// Similarity of the two files' texts, 0.0–1.0.
    pub text_similarity: f64,
    /// Stored despite findings (legacy import).
    pub accepted_with_findings: bool,
    /// Who uploaded it.
    pub uploaded_by: Uuid,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    /// When a newer version replaced it, if one did.
    pub superseded_at: Option<DateTime<Utc>>,
}

impl Document {
    /// The listing's view of this version.
    pub fn head(&self) -> DocumentHead {
        let file = |f: &StoredFile| FileRef {
            sha256: f.sha256,
            size: f.size,
        };
        DocumentHead {
            id: self.id,
            object_id: self.object_id,
            kind: self.kind,
            version: self.version,
            pdf: file(&self.pdf),
            docx: file(&self.docx),
            text_similarity: self.text_similarity,
            accepted_with_findings: self.accepted_with_findings,
            uploaded_by: self.uploaded_by,
            uploaded_at: self.uploaded_at,
            superseded_at: self.superseded_at,
        }
    }
}

/// The columns of a [`DocumentHead`], read by position: every query selects
/// [`HEAD_COLUMNS`] first, in this order. A page of objects lists hundreds
/// of documents, and looking each column up by its name was a fifth of the
/// instructions spent decoding them (callgrind, the load benchmark's nested list).
#[derive(Debug)]
struct HeadRow {
    id: Uuid,
    object_id: Uuid,
    kind: String,
    version: i32,
    pdf_sha256: String,
    pdf_size: i64,
    docx_sha256: String,
    docx_size: i64,
    text_similarity: f64,
    accepted_with_findings: bool,
    uploaded_by: Uuid,
    uploaded_at: DateTime<Utc>,
    superseded_at: Option<DateTime<Utc>>,
}

const HEAD_COLUMNS: [document::Column; 13] = [
    document::Column::Id,
    document::Column::ObjectId,
    document::Column::Kind,
    document::Column::Version,
    document::Column::PdfSha256,
    document::Column::PdfSize,
    document::Column::DocxSha256,
    document::Column::DocxSize,
    document::Column::TextSimilarity,
    document::Column::AcceptedWithFindings,
    document::Column::UploadedBy,
    document::Column::UploadedAt,
    document::Column::SupersededAt,
];

impl FromQueryResult for HeadRow {
    fn from_query_result(res: &QueryResult, pre: &str) -> std::result::Result<Self, DbErr> {
        Ok(Self::from_query_result_nullable(res, pre)?)
    }

    fn from_query_result_nullable(
        res: &QueryResult,
        _pre: &str,
    ) -> std::result::Result<Self, TryGetError> {
        Ok(HeadRow {
            id: res.try_get_by_index_nullable(0)?,
            object_id: res.try_get_by_index_nullable(1)?,
            kind: res.try_get_by_index_nullable(2)?,
            version: res.try_get_by_index_nullable(3)?,
            pdf_sha256: res.try_get_by_index_nullable(4)?,
            pdf_size: res.try_get_by_index_nullable(5)?,
            docx_sha256: res.try_get_by_index_nullable(6)?,
            docx_size: res.try_get_by_index_nullable(7)?,
            text_similarity: res.try_get_by_index_nullable(8)?,
            accepted_with_findings: res.try_get_by_index_nullable(9)?,
            uploaded_by: res.try_get_by_index_nullable(10)?,
            uploaded_at: res.try_get_by_index_nullable(11)?,
            superseded_at: res.try_get_by_index_nullable(12)?,
        })
    }
}

impl TryFrom<HeadRow> for DocumentHead {
    type Error = StorageError;
    fn try_from(r: HeadRow) -> Result<Self> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("document {}: {what}", r.id));
        let file = |sha: &str, size: i64, which: &str| {
            Ok::<_, StorageError>(FileRef {
                sha256: Sha256Digest::parse(sha).map_err(|_| corrupt(which))?,
                size: u64::try_from(size).map_err(|_| corrupt(which))?,
            })
        };
        Ok(DocumentHead {
            kind: DocumentKind::from_code(&r.kind).ok_or_else(|| corrupt("kind"))?,
            pdf: file(&r.pdf_sha256, r.pdf_size, "pdf")?,
            docx: file(&r.docx_sha256, r.docx_size, "docx")?,
            id: r.id,
            object_id: r.object_id,
            version: r.version,
            text_similarity: r.text_similarity,
            accepted_with_findings: r.accepted_with_findings,
            uploaded_by: r.uploaded_by,
            uploaded_at: r.uploaded_at,
            superseded_at: r.superseded_at,
        })
    }
}

/// A pair to store, already streamed into the blob store and checked.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The object it documents.
    pub object_id: Uuid,
    /// The Annex 1 kind.
    pub kind: DocumentKind,
    /// The PDF/A-1 copy.
    pub pdf: StoredFile,
    /// The DOCX draft.
    pub docx: StoredFile,
    /// Findings of the PDF/A-1 check.
    pub pdfa_report: Report,
    /// Findings of the DOCX check.
    pub docx_report: Report,
    /// Text of the PDF.
    pub pdf_text: String,
    /// Text of the DOCX.
    pub docx_text: String,
    /// Similarity of the texts.
    pub text_similarity: f64,
    /// Stored despite findings.
    pub accepted_with_findings: bool,
}

/// The columns of a [`Document`] (everything but the texts): the
/// listing's, and the files' names and media types and the reports.
#[derive(Debug, FromQueryResult)]
struct Row {
    #[sea_orm(nested)]
    head: HeadRow,
    pdf_file_name: String,
    pdf_media_type: String,
    docx_file_name: String,
    docx_media_type: String,
    pdfa_report: serde_json::Value,
    docx_report: serde_json::Value,
}

/// The columns a [`Document`] has beyond [`HEAD_COLUMNS`].
const DETAIL_COLUMNS: [document::Column; 6] = [
    document::Column::PdfFileName,
    document::Column::PdfMediaType,
    document::Column::DocxFileName,
    document::Column::DocxMediaType,
    document::Column::PdfaReport,
    document::Column::DocxReport,
];

/// The columns of a [`Row`].
fn columns() -> impl Iterator<Item = document::Column> {
    HEAD_COLUMNS.into_iter().chain(DETAIL_COLUMNS)
}

impl TryFrom<Row> for Document {
    type Error = StorageError;
    fn try_from(r: Row) -> Result<Self> {
        let head = DocumentHead::try_from(r.head)?;
        let report = |v: serde_json::Value, which: &str| {
            serde_json::from_value::<Report>(v)
                .map_err(|_| StorageError::Corrupt(format!("document {}: {which}", head.id)))
        };
        let file = |f: FileRef, name: String, media: String| StoredFile {
            sha256: f.sha256,
            size: f.size,
            file_name: name,
            media_type: media,
        };
        Ok(Document {
            pdfa_report: report(r.pdfa_report, "pdfa report")?,
            docx_report: report(r.docx_report, "docx report")?,
            pdf: file(head.pdf, r.pdf_file_name, r.pdf_media_type),
            docx: file(head.docx, r.docx_file_name, r.docx_media_type),
            id: head.id,
            object_id: head.object_id,
            kind: head.kind,
            version: head.version,
            text_similarity: head.text_similarity,
            accepted_with_findings: head.accepted_with_findings,
            uploaded_by: head.uploaded_by,
            uploaded_at: head.uploaded_at,
            superseded_at: head.superseded_at,
        })
    }
}

fn size_column(size: u64) -> Result<i64> {
    i64::try_from(size).map_err(|_| StorageError::Corrupt(format!("file size {size}")))
}

/// Checks that `actor` may attach documents to the object: exactly the rule
/// for changing it (owner's organization, not archived, not under review;
/// 003 §5, §9). Called before the upload streams and again when it commits.
pub async fn check_upload_allowed(db: &Database, actor: &Actor, object_id: Uuid) -> Result<()> {
    let m = object::Entity::find_by_id(object_id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    check_object_editable(actor, &m)
}

fn check_object_editable(actor: &Actor, m: &object::Model) -> Result<()> {
    actor.check_change_objects_of(m.organization_id)?;
    let status = RegistrationStatus::from_code(&m.registration_status)
        .ok_or_else(|| StorageError::Corrupt(format!("object {}: registration status", m.id)))?;
    check_editable(status, m.archived_at.is_some())?;
    Ok(())
}

/// Stores a checked pair as the next version of its kind, superseding the
/// current one, in one transaction. The authorization of object changes is
/// checked again inside the transaction.
pub async fn create(db: &Database, actor: &Actor, new: NewDocument) -> Result<Document> {
    let txn = db.begin_write().await?;
    let m = object::Entity::find_by_id(new.object_id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    check_object_editable(actor, &m)?;
    let of_kind = Condition::all()
        .add(document::Column::ObjectId.eq(new.object_id))
        .add(document::Column::Kind.eq(new.kind.code()));
    let last: Option<i32> = document::Entity::find()
        .select_only()
        .column_as(document::Column::Version.max(), "max")
        .filter(of_kind.clone())
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten();
    let now = Utc::now();
    document::Entity::update_many()
        .col_expr(
            document::Column::SupersededAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(of_kind)
        .filter(document::Column::SupersededAt.is_null())
        .exec(&txn)
        .await?;
    let id = Uuid::now_v7();
    let to_json = |r: &Report| {
        serde_json::to_value(r).map_err(|e| StorageError::Corrupt(format!("report: {e}")))
    };
    document::ActiveModel {
        id: Set(id),
        object_id: Set(new.object_id),
        kind: Set(new.kind.code().to_owned()),
        version: Set(last.unwrap_or(0) + 1),
        pdf_sha256: Set(new.pdf.sha256.to_hex()),
        pdf_size: Set(size_column(new.pdf.size)?),
        pdf_file_name: Set(new.pdf.file_name),
        pdf_media_type: Set(new.pdf.media_type),
        docx_sha256: Set(new.docx.sha256.to_hex()),
        docx_size: Set(size_column(new.docx.size)?),
        docx_file_name: Set(new.docx.file_name),
        docx_media_type: Set(new.docx.media_type),
        pdfa_report: Set(to_json(&new.pdfa_report)?),
        docx_report: Set(to_json(&new.docx_report)?),
        pdf_text: Set(new.pdf_text),
        docx_text: Set(new.docx_text),
        text_similarity: Set(new.text_similarity),
        accepted_with_findings: Set(new.accepted_with_findings),
        uploaded_by: Set(actor.user_id),
        uploaded_at: Set(now),
        superseded_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let row = document::Entity::find_by_id(id)
        .select_only()
        .columns(columns())
        .into_model::<Row>()
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "document" })?;
    txn.commit().await?;
    row.try_into()
}

/// One document version by id (current or superseded).
pub async fn get(db: &Database, id: Uuid) -> Result<Document> {
    document::Entity::find_by_id(id)
        .select_only()
        .columns(columns())
        .into_model::<Row>()
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "document" })?
        .try_into()
}

/// The documents of several objects in one statement (for DataLoaders),
/// ordered by kind (Annex 1 order is applied by the caller) and version
/// descending; superseded versions only when asked for.
pub async fn list_for_objects(
    db: &Database,
    object_ids: &[Uuid],
    include_superseded: bool,
) -> Result<Vec<Document>> {
    list_for_objects_in(db.conn(), object_ids, include_superseded).await
}

/// [`list_for_objects`] on a given connection or transaction.
async fn list_for_objects_in<C: ConnectionTrait>(
    c: &C,
    object_ids: &[Uuid],
    include_superseded: bool,
) -> Result<Vec<Document>> {
    of_objects(columns(), object_ids, include_superseded)
        .into_model::<Row>()
        .all(c)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// [`list_for_objects`] as [`DocumentHead`]s: the same rows and order, six
/// columns fewer.
pub async fn heads_for_objects(
    db: &Database,
    object_ids: &[Uuid],
    include_superseded: bool,
) -> Result<Vec<DocumentHead>> {
    of_objects(HEAD_COLUMNS, object_ids, include_superseded)
        .into_model::<HeadRow>()
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// `columns` of the documents of `object_ids`, by object, kind, and
/// version newest first; superseded versions only when asked for.
fn of_objects(
    columns: impl IntoIterator<Item = document::Column>,
    object_ids: &[Uuid],
    include_superseded: bool,
) -> sea_orm::Select<document::Entity> {
    let mut query = document::Entity::find()
        .select_only()
        .columns(columns)
        .filter(document::Column::ObjectId.is_in(object_ids.iter().copied()));
    if !include_superseded {
        query = query.filter(document::Column::SupersededAt.is_null());
    }
    query
        .order_by_asc(document::Column::ObjectId)
        .order_by_asc(document::Column::Kind)
        .order_by_desc(document::Column::Version)
}

/// Several document versions by id (for DataLoaders), in no particular order.
pub async fn get_many(db: &Database, ids: &[Uuid]) -> Result<Vec<Document>> {
    document::Entity::find()
        .select_only()
        .columns(columns())
        .filter(document::Column::Id.is_in(ids.iter().copied()))
        .into_model::<Row>()
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The current (non-superseded) version of each kind of an object, in
/// Annex 1 order: what a submission check compares with
/// [`archportal_domain::document::required_kinds`].
pub async fn current_pairs(db: &Database, object_id: Uuid) -> Result<Vec<DocumentPairState>> {
    current_pairs_in(db.conn(), object_id).await
}

/// [`current_pairs`] on a given connection or transaction, so that a
/// submission checks the pairs inside its own transaction.
pub(crate) async fn current_pairs_in<C: ConnectionTrait>(
    c: &C,
    object_id: Uuid,
) -> Result<Vec<DocumentPairState>> {
    let mut pairs: Vec<DocumentPairState> = list_for_objects_in(c, &[object_id], false)
        .await?
        .into_iter()
        .map(|d| DocumentPairState {
            kind: d.kind,
            document_id: d.id,
            version: d.version,
            conforming: d.conforming(),
            accepted_with_findings: d.accepted_with_findings,
            uploaded_at: d.uploaded_at,
        })
        .collect();
    pairs.sort_by_key(|p| p.kind.annex_item());
    Ok(pairs)
}

/// The extracted texts of a document: (PDF text, DOCX text), for search.
pub async fn texts(db: &Database, id: Uuid) -> Result<(String, String)> {
    document::Entity::find_by_id(id)
        .select_only()
        .column(document::Column::PdfText)
        .column(document::Column::DocxText)
        .into_tuple::<(String, String)>()
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "document" })
}

/// Whether any document row names `digest` (as its PDF or its DOCX).
pub async fn is_referenced(db: &Database, digest: &Sha256Digest) -> Result<bool> {
    let hex = digest.to_hex();
    let n = document::Entity::find()
        .filter(
            Condition::any()
                .add(document::Column::PdfSha256.eq(hex.as_str()))
                .add(document::Column::DocxSha256.eq(hex.as_str())),
        )
        .count(db.conn())
        .await?;
    Ok(n > 0)
}

/// Every digest a document row names: what the blob garbage collector
/// must keep.
pub async fn referenced_digests(db: &Database) -> Result<HashSet<Sha256Digest>> {
    let rows: Vec<(String, String)> = document::Entity::find()
        .select_only()
        .column(document::Column::PdfSha256)
        .column(document::Column::DocxSha256)
        .into_tuple()
        .all(db.conn())
        .await?;
    let mut out = HashSet::with_capacity(rows.len() * 2);
    for (pdf, docx) in rows {
        for hex in [pdf, docx] {
            out.insert(
                Sha256Digest::parse(&hex)
                    .map_err(|_| StorageError::Corrupt(format!("document digest {hex}")))?,
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use sea_orm::Iden as _;

    use super::*;

    /// [`HeadRow`] reads its columns by position: the positions are these.
    #[test]
    fn head_columns_are_in_the_order_head_rows_read_them() {
        let names: Vec<String> = HEAD_COLUMNS.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            names,
            [
                "id",
                "object_id",
                "kind",
                "version",
                "pdf_sha256",
                "pdf_size",
                "docx_sha256",
                "docx_size",
                "text_similarity",
                "accepted_with_findings",
                "uploaded_by",
                "uploaded_at",
                "superseded_at",
            ]
        );
        let row: Vec<String> = columns().map(|c| c.to_string()).collect();
        assert_eq!(row[..HEAD_COLUMNS.len()], names[..]);
    }
}
