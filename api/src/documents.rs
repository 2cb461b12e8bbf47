//! The file endpoints of the technical documentation (003 §7).
//!
//! - `POST /api/objects/{id}/documents/{kind}`: a `multipart/form-data`
//!   request with the parts `pdf` (the PDF/A-1 copy) and `docx` (its DOCX
//!   draft). Each part streams straight into the blob store, its size limit
//!   enforced while it streams; the stored files are then checked (ISO
//!   19005-1, OPC/WordprocessingML), their texts extracted and compared, and
//!   the pair stored as the next version of the kind. Whatever fails, no row
//!   and no blob of this upload is left.
//! - `GET /api/documents/{id}/pdf` and `…/docx`: the stored file, streamed,
//!   with `ETag`, `Content-Disposition` (RFC 6266, UTF-8 `filename*`) and
//!   single-range `Range` support (RFC 9110 §14).
//!
//! Both take `Authorization: Bearer <access token>` and apply the rules of
//! the object: only the owner organization's users upload (while the object
//! is editable); whoever may read the object downloads. Errors have the
//! shape of GraphQL errors: `{errors:[{message, extensions:{code, messages,
//! field?, findings?}}]}`.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use archportal_domain::Lang;
use archportal_domain::access::Actor;
use archportal_domain::conformance::{Finding, Report};
use archportal_domain::document::DocumentKind;
use archportal_domain::{docx, pdfa, similarity};
use archportal_storage::StorageError;
use archportal_storage::blob::{BlobError, PutOutcome, Sha256Digest};
use archportal_storage::document::{self as repo, NewDocument, StoredFile};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::{StreamExt as _, TryStreamExt as _};
use serde_json::{Value, json};
use tokio::io::AsyncRead;
use tokio_util::io::{ReaderStream, StreamReader};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

/// Media type of the PDF/A-1 copy.
pub const PDF_MEDIA_TYPE: &str = "application/pdf";
/// Media type of the DOCX draft (ECMA-376 Part 1, §11.3.10).
pub const DOCX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The routes of this module. The upload route disables axum's default body
/// limit (2 MB) deliberately: the handler enforces its own request and
/// per-file limits while streaming, from [`crate::config::DocumentsConfig`].
pub fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/api/objects/{id}/documents/{kind}",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/documents/{id}/{file}", get(download))
        .with_state(state)
}

/// The download URL of one file of a document.
pub fn download_url(document_id: Uuid, file: DocumentFile) -> String {
    format!("/api/documents/{document_id}/{}", file.segment())
}

/// Which file of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFile {
    /// The PDF/A-1 copy.
    Pdf,
    /// The DOCX draft.
    Docx,
}

impl DocumentFile {
    fn segment(self) -> &'static str {
        match self {
            DocumentFile::Pdf => "pdf",
            DocumentFile::Docx => "docx",
        }
    }
}

/// A refusal: the HTTP status, the error and the files' findings.
struct Refusal {
    status: StatusCode,
    error: ApiError,
    findings: Vec<Value>,
}

impl Refusal {
    fn new(status: StatusCode, error: ApiError) -> Self {
        Refusal {
            status,
            error,
            findings: Vec::new(),
        }
    }

    fn into_response(self, lang: Lang) -> Response {
        let mut messages = serde_json::Map::new();
        for l in Lang::ALL {
            messages.insert(l.code().to_owned(), json!(self.error.message(l)));
        }
        let mut ext = json!({ "code": self.error.code, "messages": messages });
        if let Some(field) = &self.error.field {
            ext["field"] = json!(field);
        }
        if !self.findings.is_empty() {
            ext["findings"] = Value::Array(self.findings);
        }
        let body =
            json!({ "errors": [{ "message": self.error.message(lang), "extensions": ext }] });
        let mut response = (self.status, axum::Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.error.database_down {
            response.extensions_mut().insert(crate::error::DatabaseDown);
        }
        response
    }
}

/// The HTTP status that goes with an error code.
fn status_of(code: &str) -> StatusCode {
    match code {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "CONFLICT" => StatusCode::CONFLICT,
        "PAYLOAD_TOO_LARGE" => StatusCode::PAYLOAD_TOO_LARGE,
        "INVALID_INPUT" => StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_REQUEST" => StatusCode::BAD_REQUEST,
        "RANGE_NOT_SATISFIABLE" => StatusCode::RANGE_NOT_SATISFIABLE,
        "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal::new(status_of(error.code), error)
    }
}

impl From<StorageError> for Refusal {
    fn from(e: StorageError) -> Self {
        ApiError::from(e).into()
    }
}

fn lang_of(headers: &HeaderMap) -> Lang {
    crate::request_lang(headers).unwrap_or_default()
}

/// The actor of a request with `Authorization: Bearer <token>`.
fn actor_of(state: &AppState, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthenticated());
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .and_then(|t| state.auth.verify(t))
        .ok_or_else(ApiError::bad_token)
}

fn invalid(field: &str, kk: &str, ru: &str, en: &str) -> Refusal {
    ApiError::new("INVALID_INPUT", kk, ru, en).on(field).into()
}

fn too_large(what: &str, limit: u64) -> Refusal {
    ApiError::new(
        "PAYLOAD_TOO_LARGE",
        format!("{what}: өлшемі шектен асады ({limit} байт)"),
        format!("{what}: размер превышает предел ({limit} байт)"),
        format!("{what}: larger than the limit of {limit} bytes"),
    )
    .on(what)
    .into()
}

fn cut_off() -> Refusal {
    ApiError::new(
        "INVALID_REQUEST",
        "жүктеу үзілді немесе multipart/form-data пішімі қате: ештеңе сақталмады",
        "загрузка прервана или формат multipart/form-data нарушен: ничего не сохранено",
        "the upload was cut off or is not valid multipart/form-data: nothing was stored",
    )
    .into()
}

fn internal(cause: &dyn std::error::Error) -> Refusal {
    ApiError::internal(cause).into()
}

/// A file name safe to store and show: the last path component, without
/// control characters, at most 255 characters; `fallback` when nothing is left.
fn clean_file_name(given: Option<&str>, fallback: &str) -> String {
    let base = given
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        fallback.to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// `POST /api/objects/{id}/documents/{kind}`: see the module documentation.
///
/// The work runs in its own task so that a client hanging up mid-way cannot
/// cancel it between storing a blob and cleaning it up.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    Path((object_id, kind)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let lang = lang_of(&headers);
    let task = tokio::spawn(upload_task(state, object_id, kind, headers, body));
    match task.await {
        Ok(Ok(response)) => response,
        Ok(Err(refusal)) => refusal.into_response(lang),
        Err(join) => internal(&join).into_response(lang),
    }
}

/// Marker error: the request body passed `max_request_bytes`.
#[derive(Debug, thiserror::Error)]
#[error("the request body is larger than the limit")]
struct RequestTooLarge;

async fn upload_task(
    state: Arc<AppState>,
    object_id: String,
    kind: String,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let actor = actor_of(&state, &headers)?;
    let object_id = Uuid::parse_str(&object_id).map_err(|_| ApiError::bad_id("id"))?;
    let kind = DocumentKind::from_code(&kind).ok_or_else(|| {
        invalid(
            "kind",
            "құжат түрі белгісіз (003 1-қосымша)",
            "неизвестный вид документа (приложение 1 к 003)",
            "unknown document kind (003 Annex 1)",
        )
    })?;
    repo::check_upload_allowed(&state.db, &actor, object_id).await?;

    let limits = &state.config.documents;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_request_bytes) {
        return Err(too_large("request", limits.max_request_bytes));
    }
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| {
            invalid(
                "body",
                "multipart/form-data күтіледі (pdf және docx бөліктері)",
                "ожидается multipart/form-data (части pdf и docx)",
                "expected multipart/form-data with the parts pdf and docx",
            )
        })?;

    // Our own request limit, counted while the body streams.
    let over = Arc::new(AtomicBool::new(false));
    let max_request = limits.max_request_bytes;
    let flag = over.clone();
    let mut seen: u64 = 0;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(io::Error::other)?;
        seen = seen.saturating_add(chunk.len() as u64);
        if seen > max_request {
            flag.store(true, Ordering::Relaxed);
            return Err(io::Error::other(RequestTooLarge));
        }
        Ok::<_, io::Error>(chunk)
    });
    let mut multipart = multer::Multipart::new(stream, boundary);

    let mut stored = Stored::default();
    let result =
        receive_and_store(&state, &mut multipart, &over, &mut stored, kind, object_id).await;
    drop(multipart);
    let outcome = match result {
        Ok(new) => repo::create(&state.db, &actor, new)
            .await
            .map_err(Refusal::from),
        Err(refusal) => Err(refusal),
    };
    match outcome {
        Ok(document) => {
            tracing::info!(document_id = %document.id, kind = %kind, version = document.version, "document stored");
            Ok((
                StatusCode::CREATED,
                axum::Json(json!({ "document": summary(&document) })),
            )
                .into_response())
        }
        Err(refusal) => {
            stored.discard(&state).await;
            Err(refusal)
        }
    }
}

/// What a successful upload answers with.
fn summary(d: &repo::Document) -> Value {
    let file = |f: &StoredFile, which: DocumentFile| {
        json!({
            "sha256": f.sha256.to_hex(),
            "size": f.size,
            "fileName": f.file_name,
            "mediaType": f.media_type,
            "downloadUrl": download_url(d.id, which),
        })
    };
    json!({
        "id": d.id,
        "kind": d.kind.code(),
        "version": d.version,
        "conforming": d.conforming(),
        "acceptedWithFindings": d.accepted_with_findings,
        "textSimilarity": d.text_similarity,
        "pdf": file(&d.pdf, DocumentFile::Pdf),
        "docx": file(&d.docx, DocumentFile::Docx),
    })
}

/// The blobs an upload has put so far, to undo on failure.
#[derive(Default)]
struct Stored {
    pdf: Option<(PutOutcome, String)>,
    docx: Option<(PutOutcome, String)>,
}

impl Stored {
    /// Removes the blobs this upload created, unless a row refers to them
    /// or another upload has claimed them since (then GC decides later).
    async fn discard(self, state: &AppState) {
        for (outcome, _) in [self.pdf, self.docx].into_iter().flatten() {
            if !outcome.created {
                continue;
            }
            match repo::is_referenced(&state.db, &outcome.digest).await {
                Ok(false) => {
                    if let Err(error) = state.blobs.discard(&outcome).await {
                        tracing::warn!(%error, digest = %outcome.digest, "could not discard the blob of a failed upload; GC will");
                    }
                }
                Ok(true) => {}
                Err(error) => {
                    tracing::warn!(%error, digest = %outcome.digest, "could not check references of a failed upload's blob; GC will");
                }
            }
        }
    }
}

async fn receive_and_store(
    state: &Arc<AppState>,
    multipart: &mut multer::Multipart<'static>,
    over: &AtomicBool,
    stored: &mut Stored,
    kind: DocumentKind,
    object_id: Uuid,
) -> Result<NewDocument, Refusal> {
    let limits = &state.config.documents;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) if over.load(Ordering::Relaxed) => {
                return Err(too_large("request", limits.max_request_bytes));
            }
            Err(_) => return Err(cut_off()),
        };
        let (slot, fallback) = match field.name() {
            Some("pdf") => (&mut stored.pdf, "document.pdf"),
            Some("docx") => (&mut stored.docx, "document.docx"),
            other => {
                let name = other
                    .unwrap_or_default()
                    .chars()
                    .take(40)
                    .collect::<String>();
                return Err(invalid(
                    "body",
                    &format!("белгісіз бөлік «{name}»: тек pdf және docx"),
                    &format!("неизвестная часть «{name}»: допустимы только pdf и docx"),
                    &format!("unknown part '{name}': only pdf and docx are accepted"),
                ));
            }
        };
        let part = if fallback.ends_with("pdf") {
            "pdf"
        } else {
            "docx"
        };
        if slot.is_some() {
            return Err(invalid(
                part,
                "бөлік екі рет берілген",
                "часть передана дважды",
                "the part is given twice",
            ));
        }
        let file_name = clean_file_name(field.file_name(), fallback);
        let reader: Pin<Box<dyn AsyncRead + Send>> =
            Box::pin(StreamReader::new(field.map_err(io::Error::other)));
        match state.blobs.put(reader, limits.max_file_bytes).await {
            Ok(outcome) => *slot = Some((outcome, file_name)),
            Err(BlobError::TooLarge { limit }) => return Err(too_large(part, limit)),
            Err(BlobError::Source(_)) if over.load(Ordering::Relaxed) => {
                return Err(too_large("request", limits.max_request_bytes));
            }
            Err(BlobError::Source(_)) => return Err(cut_off()),
            Err(other) => return Err(internal(&other)),
        }
    }
    let (Some((pdf, pdf_name)), Some((docx, docx_name))) = (&stored.pdf, &stored.docx) else {
        let missing = if stored.pdf.is_none() { "pdf" } else { "docx" };
        return Err(invalid(
            missing,
            "PDF/A-1 көшірмесі де, DOCX жобасы да қажет (003 §7)",
            "нужны и копия PDF/A-1, и проект DOCX (003 §7)",
            "both the PDF/A-1 copy and the DOCX draft are required (003 §7)",
        ));
    };
    let checked = check_pair(state, pdf.digest, docx.digest, limits.accept_with_findings).await?;
    let conforming = checked.pdfa_report.conforms() && checked.docx_report.conforms();
    if !conforming && !limits.accept_with_findings {
        let mut findings = Vec::new();
        for (file, report) in [
            ("pdf", &checked.pdfa_report),
            ("docx", &checked.docx_report),
        ] {
            findings.extend(report.findings.iter().map(|f| finding_json(file, f)));
        }
        let field = if checked.pdfa_report.conforms() {
            "docx"
        } else {
            "pdf"
        };
        return Err(Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: ApiError::new(
                "INVALID_INPUT",
                "файл талаптарға сай емес (PDF/A-1: ISO 19005-1; DOCX: ECMA-376): табылған кемшіліктерді қараңыз",
                "файл не соответствует требованиям (PDF/A-1: ISO 19005-1; DOCX: ECMA-376): см. найденные нарушения",
                "the file does not conform (PDF/A-1: ISO 19005-1; DOCX: ECMA-376): see the findings",
            )
            .on(field),
            findings,
        });
    }
    Ok(NewDocument {
        object_id,
        kind,
        pdf: StoredFile {
            sha256: pdf.digest,
            size: pdf.size,
            file_name: pdf_name.clone(),
            media_type: PDF_MEDIA_TYPE.to_owned(),
        },
        docx: StoredFile {
            sha256: docx.digest,
            size: docx.size,
            file_name: docx_name.clone(),
            media_type: DOCX_MEDIA_TYPE.to_owned(),
        },
        text_similarity: similarity::text_similarity(&checked.pdf_text, &checked.docx_text),
        pdfa_report: checked.pdfa_report,
        docx_report: checked.docx_report,
        pdf_text: checked.pdf_text,
        docx_text: checked.docx_text,
        accepted_with_findings: !conforming,
    })
}

fn finding_json(file: &str, f: &Finding) -> Value {
    json!({ "file": file, "clause": f.clause, "message": f.message, "object": f.object })
}

/// Results of checking a stored pair.
struct Checked {
    pdfa_report: Report,
    docx_report: Report,
    pdf_text: String,
    docx_text: String,
}

/// A stored file held for the checkers.
enum Held {
    /// A file of the local store: a read-only map and a private
    /// copy-on-write map of it. Both are file-backed page cache (reclaimable,
    /// not heap); the checkers write only a few `Length` tokens into the
    /// second (see [`pdfa::inspect_lean`]), which costs one page each.
    Mapped {
        map: memmap2::Mmap,
        scratch: memmap2::MmapMut,
    },
    /// Read whole from another store (bounded by `max_file_bytes`).
    Read(Vec<u8>),
}

impl Held {
    /// The bytes, and a scratch copy of them when the file is mapped.
    fn parts(&mut self) -> (&[u8], Option<&mut [u8]>) {
        match self {
            Held::Mapped { map, scratch } => (&map[..], Some(&mut scratch[..])),
            Held::Read(bytes) => (&bytes[..], None),
        }
    }
}

/// Maps a stored blob file read-only and copy-on-write.
#[expect(
    unsafe_code,
    reason = "memory maps of stored blobs, so that checking costs page cache, not heap"
)]
fn map_blob(path: &std::path::Path) -> io::Result<Held> {
    let file = std::fs::File::open(path)?;
    // SAFETY: a stored blob never changes: the store writes a temporary file,
    // fsyncs it and renames it to its content address, and never opens a
    // stored blob for writing again; the garbage collector only unlinks it,
    // which leaves the mapped inode intact. The private map's writes never
    // reach the file.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    // SAFETY: as above.
    let scratch = unsafe { memmap2::MmapOptions::new().map_copy(&file)? };
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(Held::Mapped { map, scratch })
}

/// Holds a stored blob for the checkers: mapped when the store is local,
/// otherwise read whole (bounded by `max_file_bytes`).
async fn hold_blob(state: &AppState, digest: &Sha256Digest) -> Result<Held, Refusal> {
    if let Some(path) = state.blobs.local_path(digest) {
        let held = tokio::task::spawn_blocking(move || map_blob(&path)).await;
        return match held {
            Ok(Ok(held)) => Ok(held),
            Ok(Err(e)) => Err(internal(&e)),
            Err(e) => Err(internal(&e)),
        };
    }
    let mut reader = state.blobs.open(digest).await.map_err(|e| internal(&e))?;
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut bytes)
        .await
        .map_err(|e| internal(&e))?;
    Ok(Held::Read(bytes))
}

/// Runs the PDF/A-1 and DOCX checks and text extraction on the stored
/// files, off the async threads, at most `max_concurrent_checks` at once.
/// Local blobs are checked through memory maps, so the heap a check takes
/// is bounded by the checkers' limits, not by the size of the files.
async fn check_pair(
    state: &Arc<AppState>,
    pdf: Sha256Digest,
    docx: Sha256Digest,
    accept_with_findings: bool,
) -> Result<Checked, Refusal> {
    let _slot = state
        .check_slots
        .acquire()
        .await
        .map_err(|e| internal(&e))?;
    let mut pdf_held = hold_blob(state, &pdf).await?;
    let mut docx_held = hold_blob(state, &docx).await?;
    let pdf_task = tokio::task::spawn_blocking(move || {
        let limits = pdfa::Limits::default();
        let (bytes, mut scratch) = pdf_held.parts();
        let report = match scratch.as_deref_mut() {
            Some(scratch) => pdfa::inspect_lean(bytes, scratch, &limits).report,
            None => pdfa::check_with(bytes, &limits),
        };
        // The text is wanted only when the pair may be stored.
        let text = if report.conforms() || accept_with_findings {
            match scratch {
                Some(scratch) => pdfa::extract_text_lean(bytes, scratch, &limits),
                None => pdfa::extract_text_with(bytes, &limits),
            }
            .unwrap_or_default()
        } else {
            String::new()
        };
        (report, text)
    });
    let docx_task = tokio::task::spawn_blocking(move || {
        let (bytes, _) = docx_held.parts();
        let inspection = docx::check_and_extract(bytes, &docx::DocxLimits::default());
        (inspection.report, inspection.text.unwrap_or_default())
    });
    let (pdf_done, docx_done) = tokio::join!(pdf_task, docx_task);
    let (pdfa_report, pdf_text) = pdf_done.map_err(|e| internal(&e))?;
    let (docx_report, docx_text) = docx_done.map_err(|e| internal(&e))?;
    Ok(Checked {
        pdfa_report,
        docx_report,
        pdf_text,
        docx_text,
    })
}

/// A single byte range asked for with `Range: bytes=…` (RFC 9110 §14.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeSpec {
    /// `first-last` or `first-`.
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

/// Parses a `Range` header; `None` for anything but one well-formed bytes
/// range (a server may ignore such a header and send the whole file).
fn parse_range(value: &str) -> Option<RangeSpec> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return last.parse().ok().map(RangeSpec::Suffix);
    }
    let first = first.parse().ok()?;
    if last.is_empty() {
        return Some(RangeSpec::From(first, None));
    }
    let last: u64 = last.parse().ok()?;
    (last >= first).then_some(RangeSpec::From(first, Some(last)))
}

/// `Content-Disposition` for a download (RFC 6266 §4.1, RFC 8187): an ASCII
/// `filename` for old clients and the exact UTF-8 name in `filename*`.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for b in file_name.bytes() {
        // RFC 8187 attr-char.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /api/documents/{id}/{pdf|docx}`: see the module documentation.
pub async fn download(
    State(state): State<Arc<AppState>>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&headers);
    match serve_file(&state, &id, &file, &headers).await {
        Ok(response) => response,
        Err(refusal) => refusal.into_response(lang),
    }
}

async fn serve_file(
    state: &AppState,
    id: &str,
    file: &str,
    headers: &HeaderMap,
) -> Result<Response, Refusal> {
    let actor = actor_of(state, headers)?;
    let which = match file {
        "pdf" => DocumentFile::Pdf,
        "docx" => DocumentFile::Docx,
        _ => return Err(StorageError::NotFound { entity: "file" }.into()),
    };
    let id = Uuid::parse_str(id).map_err(|_| ApiError::bad_id("id"))?;
    let document = repo::get(&state.db, id).await?;
    let object = archportal_storage::object::get(&state.db, document.object_id).await?;
    if !actor.can_read(object.organization_id) {
        return Err(ApiError::forbidden().into());
    }
    let stored = match which {
        DocumentFile::Pdf => &document.pdf,
        DocumentFile::Docx => &document.docx,
    };
    let etag = format!("\"{}\"", stored.sha256.to_hex());
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, stored.media_type.as_str())
        .header(
            header::CONTENT_DISPOSITION,
            content_disposition(&stored.file_name),
        )
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, etag.as_str())
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        // Never active content: a browser that renders it anyway runs no script.
        .header(header::CONTENT_SECURITY_POLICY, "sandbox")
        .header(header::CACHE_CONTROL, "private, no-cache");
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if not_modified {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .map_err(|e| internal(&e));
    }
    let size = stored.size;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_range);
    let bounds = match range {
        None => None,
        Some(RangeSpec::Suffix(0)) => Some(Err(())),
        Some(RangeSpec::Suffix(n)) if size > 0 => Some(Ok((size.saturating_sub(n), size - 1))),
        Some(RangeSpec::From(first, last)) if first < size => {
            Some(Ok((first, last.map_or(size - 1, |l| l.min(size - 1)))))
        }
        Some(_) => Some(Err(())),
    };
    let reader = match bounds {
        None => state.blobs.open(&stored.sha256).await,
        Some(Ok((start, end))) => state.blobs.open_range(&stored.sha256, start, end).await,
        Some(Err(())) => {
            let refusal = Refusal::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ApiError::new(
                    "RANGE_NOT_SATISFIABLE",
                    "сұралған байт ауқымы файлдан тыс",
                    "запрошенный диапазон байтов вне файла",
                    "the requested byte range is outside the file",
                ),
            );
            let mut response = refusal.into_response(lang_of(headers));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(response);
        }
    };
    let reader = match reader {
        Ok(reader) => reader,
        Err(e @ BlobError::NotFound { .. }) => {
            // A row without its blob: a broken invariant, not a client error.
            return Err(internal(&e));
        }
        Err(e) => return Err(internal(&e)),
    };
    if bounds.is_some() {
        let end = reader.start() + reader.len().saturating_sub(1);
        builder = builder.status(StatusCode::PARTIAL_CONTENT).header(
            header::CONTENT_RANGE,
            format!("bytes {}-{end}/{}", reader.start(), reader.total_size()),
        );
    } else {
        builder = builder.status(StatusCode::OK);
    }
    builder = builder.header(header::CONTENT_LENGTH, reader.len());
    builder
        .body(Body::from_stream(ReaderStream::new(reader)))
        .map_err(|e| internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(
            parse_range("bytes=0-99"),
            Some(RangeSpec::From(0, Some(99)))
        );
        assert_eq!(parse_range("bytes=100-"), Some(RangeSpec::From(100, None)));
        assert_eq!(parse_range("bytes=-5"), Some(RangeSpec::Suffix(5)));
        assert_eq!(parse_range("bytes=5-1"), None);
        assert_eq!(parse_range("bytes=0-1,4-5"), None);
        assert_eq!(parse_range("items=0-1"), None);
    }

    #[test]
    fn disposition_keeps_kazakh_and_russian_names() {
        let v = content_disposition("Техникалық тапсырма \"v2\".pdf");
        assert!(v.starts_with("attachment; filename=\""), "{v}");
        assert!(v.contains("filename*=UTF-8''%D0%A2%D0%B5"), "{v}");
        assert!(v.is_ascii());
        assert_eq!(
            clean_file_name(Some("C:\\Users\\a\\ТЗ.docx"), "x"),
            "ТЗ.docx"
        );
        assert_eq!(clean_file_name(Some("../.."), "x.pdf"), "x.pdf");
    }
}
