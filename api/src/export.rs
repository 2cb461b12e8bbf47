//! Streamed exports of objects, services and integration requests as CSV or XLSX, with the same
//! filters and the same read scope as the GraphQL lists.
//!
//! Rows are read a page at a time (keyset pagination) and written to the
//! response as they come through a bounded channel, so memory stays a page
//! and a chunk whatever the row count. XLSX is a zip written in stream mode
//! (data descriptors, no seeking): the sheet XML is deflated as it is
//! produced and the compressed bytes leave after every page.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use archportal_domain::access::Actor;
use archportal_domain::document::DocumentKind;
use archportal_domain::integration_request::{Party, RequestState};
use archportal_domain::object::{LifeCycleStage, ObjectKind, RegistrationStatus};
use archportal_domain::service::{Gateway, Protocol, ServiceStatus};
use archportal_storage::integration_request::{self as requests, RequestFilter, RequestScope};
use archportal_storage::object::{self as objects, InformatizationObject, ObjectFilter};
use archportal_storage::service::{self as services, ServiceFilter};
use archportal_storage::{StorageError, organization};
use axum::body::{Body, Bytes};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

/// Rows read per statement.
const PAGE: u64 = 500;

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV, UTF-8 with a byte-order mark (so spreadsheet programs
    /// read Cyrillic and Kazakh letters right).
    Csv,
    /// Office Open XML spreadsheet, one sheet, inline strings.
    Xlsx,
}

impl Format {
    /// From a file extension.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A shared byte buffer the zip writer writes into and the stream drains.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Buf {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Write for Buf {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Zip = zip::ZipWriter<zip::write::StreamWriter<Buf>>;

/// A sheet being written: rows in, bytes out.
enum Sheet {
    Csv(Vec<u8>),
    Xlsx { zip: Box<Zip>, buf: Buf },
}

/// Characters XML 1.0 does not allow, which may not reach a sheet.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

fn xml_escape(out: &mut String, text: &str) {
    for c in text.chars().filter(|c| xml_allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// One CSV field: quoted when needed, and a leading `=`, `+`, `-` or `@`
/// defused with an apostrophe so a spreadsheet does not run it as a formula.
fn csv_field(out: &mut Vec<u8>, text: &str) {
    let risky = text.starts_with(['=', '+', '-', '@']);
    let quote = risky || text.contains([',', '"', '\n', '\r']);
    if quote {
        out.push(b'"');
    }
    if risky {
        out.push(b'\'');
    }
    for b in text.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    if quote {
        out.push(b'"');
    }
}

fn io_error(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("export: {e}"))
}

impl Sheet {
    fn new(format: Format) -> Result<Sheet, StorageError> {
        match format {
            Format::Csv => Ok(Sheet::Csv(b"\xEF\xBB\xBF".to_vec())),
            Format::Xlsx => {
                let buf = Buf::default();
                let mut zip = zip::ZipWriter::new_stream(buf.clone());
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                let parts: [(&str, &str); 4] = [
                    (
                        "[Content_Types].xml",
                        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
                    ),
                    (
                        "_rels/.rels",
                        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
                    ),
                    (
                        "xl/workbook.xml",
                        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="export" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                    ),
                    (
                        "xl/_rels/workbook.xml.rels",
                        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
                    ),
                ];
                for (name, text) in parts {
                    zip.start_file(name, options).map_err(io_error)?;
                    zip.write_all(text.as_bytes()).map_err(io_error)?;
                }
                zip.start_file("xl/worksheets/sheet1.xml", options)
                    .map_err(io_error)?;
                zip.write_all(
                    br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
                )
                .map_err(io_error)?;
                Ok(Sheet::Xlsx {
                    zip: Box::new(zip),
                    buf,
                })
            }
        }
    }

    fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), StorageError> {
        match self {
            Sheet::Csv(out) => {
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    csv_field(out, cell.as_ref());
                }
                out.extend_from_slice(b"\r\n");
                Ok(())
            }
            Sheet::Xlsx { zip, .. } => {
                let mut xml = String::from("<row>");
                for cell in cells {
                    xml.push_str(r#"<c t="inlineStr"><is><t xml:space="preserve">"#);
                    xml_escape(&mut xml, cell.as_ref());
                    xml.push_str("</t></is></c>");
                }
                xml.push_str("</row>");
                zip.write_all(xml.as_bytes()).map_err(io_error)
            }
        }
    }

    /// The bytes ready to send.
    fn take(&mut self) -> Vec<u8> {
        match self {
            Sheet::Csv(out) => std::mem::take(out),
            Sheet::Xlsx { buf, .. } => buf.take(),
        }
    }

    /// Closes the file and gives its last bytes.
    fn finish(self) -> Result<Vec<u8>, StorageError> {
        match self {
            Sheet::Csv(out) => Ok(out),
            Sheet::Xlsx { mut zip, buf } => {
                zip.write_all(b"</sheetData></worksheet>")
                    .map_err(io_error)?;
                zip.finish().map_err(io_error)?;
                Ok(buf.take())
            }
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Informatization objects.
    Objects,
    /// Gateway services.
    Services,
    /// Integration requests.
    IntegrationRequests,
}

fn invalid(param: &str) -> ApiError {
    ApiError::new(
        "INVALID_INPUT",
        format!("{param} параметрі қате"),
        format!("неверный параметр {param}"),
        format!("invalid parameter {param}"),
    )
    .on(param)
}

fn codes<T>(
    q: &HashMap<String, String>,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, ApiError> {
    match q.get(name) {
        None => Ok(vec![]),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| parse(c).ok_or_else(|| invalid(name)))
            .collect(),
    }
}

fn flag(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, ApiError> {
    q.get(name)
        .map(|v| match v.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid(name)),
        })
        .transpose()
}

fn instant(q: &HashMap<String, String>, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    q.get(name)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| invalid(name))
        })
        .transpose()
}

fn id(q: &HashMap<String, String>, name: &str) -> Result<Option<Uuid>, ApiError> {
    q.get(name)
        .map(|v| Uuid::parse_str(v).map_err(|_| invalid(name)))
        .transpose()
}

/// The object filter from query parameters named as in the GraphQL
/// `InformatizationObjectFilter` (lists comma-separated codes).
pub fn object_filter(
    q: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<ObjectFilter, ApiError> {
    Ok(ObjectFilter {
        organization_id: id(q, "organizationId")?,
        kinds: codes(q, "kinds", ObjectKind::from_code)?,
        stages: codes(q, "stages", LifeCycleStage::from_code)?,
        statuses: codes(q, "registrationStatuses", RegistrationStatus::from_code)?,
        contains_personal_data: flag(q, "containsPersonalData")?,
        include_archived: flag(q, "includeArchived")?.unwrap_or(false),
        accounting_code_prefix: q.get("accountingCodePrefix").cloned(),
        registered_from: instant(q, "registeredFrom")?,
        registered_to: instant(q, "registeredTo")?,
        updated_from: instant(q, "updatedFrom")?,
        updated_to: instant(q, "updatedTo")?,
        overdue_review: flag(q, "overdueReview")?,
        overdue_update: flag(q, "overdueUpdate")?,
        text: q.get("text").cloned(),
        has_document_kind: q
            .get("hasDocumentKind")
            .map(|c| DocumentKind::from_code(c.trim()).ok_or_else(|| invalid("hasDocumentKind")))
            .transpose()?,
        now: Some(now),
    })
}

/// The service filter from query parameters named as in the GraphQL service filter.
pub fn service_filter(q: &HashMap<String, String>) -> Result<ServiceFilter, ApiError> {
    Ok(ServiceFilter {
        gateways: codes(q, "gateways", Gateway::from_code)?,
        statuses: codes(q, "statuses", ServiceStatus::from_code)?,
        protocols: codes(q, "protocols", Protocol::from_code)?,
        personal_data: flag(q, "personalData")?,
        organization_id: id(q, "organizationId")?,
        object_id: id(q, "objectId")?,
    })
}

/// The integration-request filter from query parameters named as in the
/// GraphQL `IntegrationRequestFilter` (lists comma-separated codes).
pub fn request_filter(
    q: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<RequestFilter, ApiError> {
    let states = codes(q, "states", RequestState::from_code)?;
    let parties = codes(q, "awaiting", Party::from_code)?;
    let text = q.get("text").cloned();
    crate::graphql::integration_request::check_text(text.as_deref(), "text")?;
    Ok(RequestFilter {
        states: requests::states_awaiting((!states.is_empty()).then_some(states), &parties),
        service_key: q.get("serviceId").cloned(),
        consumer_organization_id: id(q, "consumerOrganizationId")?,
        service_organization_id: id(q, "serviceOrganizationId")?,
        overdue: flag(q, "overdue")?,
        filed_from: instant(q, "filedFrom")?,
        filed_to: instant(q, "filedTo")?,
        text,
        now: Some(now),
    })
}

const REQUEST_COLUMNS: [&str; 18] = [
    "id",
    "serviceId",
    "state",
    "awaiting",
    "dueAt",
    "overdue",
    "ownerOrganizationName",
    "objectName",
    "consumerOrganizationName",
    "consumerObjectName",
    "consumerShortName",
    "systemAddress",
    "consumerNonState",
    "basisLink",
    "purpose",
    "rowVersion",
    "createdAt",
    "updatedAt",
];

fn request_row(r: &requests::Request, now: DateTime<Utc>) -> [String; 18] {
    let m = &r.row;
    let overdue = !r.state.is_final() && m.due_at.is_some_and(|d| d < now);
    [
        m.id.to_string(),
        m.service_key.clone(),
        r.state.code().to_owned(),
        r.state
            .actor_and_due()
            .0
            .map(|p| p.code().to_owned())
            .unwrap_or_default(),
        time(m.due_at),
        overdue.to_string(),
        m.owner_organization_name.clone(),
        m.object_name.clone(),
        m.consumer_organization_name.clone(),
        m.consumer_object_name.clone(),
        m.consumer_short_name.clone(),
        m.system_address.clone(),
        m.consumer_non_state.to_string(),
        m.basis_link.clone(),
        m.purpose.clone(),
        m.row_version.to_string(),
        time(Some(m.created_at)),
        time(Some(m.updated_at)),
    ]
}

const OBJECT_COLUMNS: [&str; 16] = [
    "id",
    "accountingCode",
    "kind",
    "nameKk",
    "nameRu",
    "shortName",
    "stage",
    "stageStartedOn",
    "registrationStatus",
    "organizationBin",
    "organizationNameRu",
    "containsPersonalData",
    "registeredAt",
    "updatedAt",
    "updateDueAt",
    "archivedAt",
];

const SERVICE_COLUMNS: [&str; 12] = [
    "id",
    "serviceId",
    "nameKk",
    "nameRu",
    "gateway",
    "protocol",
    "interaction",
    "status",
    "version",
    "personalData",
    "organizationBin",
    "updatedAt",
];

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

async fn organizations(
    state: &AppState,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, organization::Organization>, StorageError> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(organization::get_many(&state.db, &ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

fn object_row(
    o: &InformatizationObject,
    orgs: &HashMap<Uuid, organization::Organization>,
) -> [String; 16] {
    let org = orgs.get(&o.organization_id);
    [
        o.id.to_string(),
        o.accounting_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        o.data.kind.code().to_owned(),
        o.data.name_kk.clone(),
        o.data.name_ru.clone(),
        o.data.short_name.clone(),
        o.stage.code().to_owned(),
        o.stage_started_on.to_string(),
        o.status.code().to_owned(),
        org.map(|o| o.bin.as_str().to_owned()).unwrap_or_default(),
        org.map(|o| o.name_ru.clone()).unwrap_or_default(),
        o.data.contains_personal_data.to_string(),
        time(o.registered_at),
        time(Some(o.updated_at)),
        time(o.update_due_at),
        time(o.archived_at),
    ]
}

type Tx = tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>;

async fn send(tx: &Tx, bytes: Vec<u8>) -> Result<(), StorageError> {
    if bytes.is_empty() {
        return Ok(());
    }
    tx.send(Ok(Bytes::from(bytes)))
        .await
        .map_err(|_| StorageError::Corrupt("export: the client went away".into()))
}

enum Query {
    Objects(ObjectFilter),
    Services(ServiceFilter),
    IntegrationRequests(RequestFilter),
}

async fn produce(
    state: Arc<AppState>,
    actor: Actor,
    query: Query,
    format: Format,
    tx: &Tx,
) -> Result<(), StorageError> {
    let mut sheet = Sheet::new(format)?;
    match query {
        Query::Objects(filter) => {
            sheet.row(&OBJECT_COLUMNS)?;
            let mut after = None;
            loop {
                let page =
                    objects::batch_after(&state.db, actor.read_scope(), &filter, after, PAGE)
                        .await?;
                let orgs = organizations(&state, page.iter().map(|o| o.organization_id)).await?;
                for o in &page {
                    sheet.row(&object_row(o, &orgs))?;
                }
                send(tx, sheet.take()).await?;
                match page.last() {
                    Some(last) if page.len() as u64 == PAGE => after = Some(last.id),
                    _ => break,
                }
            }
        }
        Query::Services(filter) => {
            sheet.row(&SERVICE_COLUMNS)?;
            let mut after = None;
            loop {
                let page =
                    services::batch_after(&state.db, actor.service_scope(), &filter, after, PAGE)
                        .await?;
                let orgs = organizations(&state, page.iter().map(|s| s.organization_id)).await?;
                for s in &page {
                    let d = &s.data;
                    sheet.row(&[
                        s.id.to_string(),
                        d.service_id.as_str().to_owned(),
                        d.name_kk.clone(),
                        d.name_ru.clone(),
                        d.gateway.code().to_owned(),
                        d.protocol.code().to_owned(),
                        d.interaction.code().to_owned(),
                        d.status.code().to_owned(),
                        d.version.clone(),
                        d.personal_data.to_string(),
                        orgs.get(&s.organization_id)
                            .map(|o| o.bin.as_str().to_owned())
                            .unwrap_or_default(),
                        time(Some(s.updated_at)),
                    ])?;
                }
                send(tx, sheet.take()).await?;
                match page.last() {
                    Some(last) if page.len() as u64 == PAGE => after = Some(last.id),
                    _ => break,
                }
            }
        }
        Query::IntegrationRequests(filter) => {
            sheet.row(&REQUEST_COLUMNS)?;
            let now = filter.now.unwrap_or_else(Utc::now);
            let scope = RequestScope::of(&actor);
            let mut after = None;
            loop {
                let page = requests::batch_after(&state.db, scope, &filter, after, PAGE).await?;
                for r in &page {
                    sheet.row(&request_row(r, now))?;
                }
                send(tx, sheet.take()).await?;
                match page.last() {
                    Some(last) if page.len() as u64 == PAGE => after = Some(last.row.id),
                    _ => break,
                }
            }
        }
    }
    send(tx, sheet.finish()?).await
}

/// Starts streaming an export; the body ends with an error (the connection
/// is cut) if the database fails midway, so a partial file never looks whole.
pub fn stream(
    state: Arc<AppState>,
    actor: Actor,
    dataset: Dataset,
    q: &HashMap<String, String>,
    format: Format,
) -> Result<Body, ApiError> {
    let query = match dataset {
        Dataset::Objects => Query::Objects(object_filter(q, state.clock.now())?),
        Dataset::Services => Query::Services(service_filter(q)?),
        Dataset::IntegrationRequests => {
            Query::IntegrationRequests(request_filter(q, state.clock.now())?)
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if let Err(e) = produce(state, actor, query, format, &tx).await {
            tracing::error!(error = %e, "export failed");
            let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
        }
    });
    let body = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(Body::from_stream(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut out = Vec::new();
        csv_field(&mut out, "a,\"b\"");
        out.push(b'|');
        csv_field(&mut out, "=SUM(A1)");
        out.push(b'|');
        csv_field(&mut out, "Ақпарат");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,\"\"b\"\"\"|\"'=SUM(A1)\"|Ақпарат"
        );
    }

    #[test]
    fn xml_text_is_escaped_and_control_characters_dropped() {
        let mut out = String::new();
        xml_escape(&mut out, "<a & \"b\">\u{1}");
        assert_eq!(out, "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
