//! One pass over the package: sniff, bound, read each entry once.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader, Cursor, Read};

use quick_xml::events::BytesStart;
use quick_xml::events::attributes::Attribute;
use zip::{CompressionMethod, ZipArchive};

use super::names::{check_item_name, extension_key, part_key, resolve_target};
use super::xml::{self, Namespaces, Ns, Visitor, XmlProblem};
use super::{DocxLimits, Inspection, clause};
use crate::conformance::{Finding, Report};

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ZIP_LOCAL: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";

const CT_NAMESPACE: &str = "http://schemas.openxmlformats.org/package/2006/content-types";
const RELS_NAMESPACE: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const REL_OFFICE_DOCUMENT: &[&str] = &[
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
];
const REL_VBA: &str = "http://schemas.microsoft.com/office/2006/relationships/vbaProject";
/// Relationship kinds that fetch content when Word opens the file.
const REL_FETCHING: &[&str] = &["attachedTemplate", "oleObject", "subDocument", "frame"];
const REL_PREFIXES: &[&str] = &[
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/",
];

const MAIN_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const TEMPLATE_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml";
const MACRO_TYPES: &[&str] = &[
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    "application/vnd.ms-office.vbaproject",
    "application/vnd.ms-word.vbadata+xml",
];

/// Collects findings up to the limit.
struct Sink {
    report: Report,
    max: usize,
    overflowed: bool,
}

impl Sink {
    fn push(&mut self, finding: Finding) {
        if self.report.findings.len() < self.max {
            self.report.push(finding);
        } else if !self.overflowed {
            self.overflowed = true;
            self.report.push(Finding::new(
                clause::SEC_TOO_MANY_FINDINGS,
                format!("more than {} findings; the rest are omitted", self.max),
            ));
        }
    }

    fn at(&mut self, clause: &str, message: impl Into<String>, object: &str) {
        self.push(Finding::at(clause, message, object));
    }

    fn general(&mut self, clause: &str, message: impl Into<String>) {
        self.push(Finding::new(clause, message));
    }
}

/// One entry of the central directory, as declared.
struct Entry {
    name: String,
    key: String,
    size: u64,
    /// May be read: stored or deflated, not encrypted, within the limits.
    readable: bool,
}

/// Checks the package and, when `want_text`, takes the main text.
pub(crate) fn inspect(bytes: &[u8], limits: &DocxLimits, want_text: bool) -> Inspection {
    let mut sink = Sink {
        report: Report::default(),
        max: limits.max_findings.max(1),
        overflowed: false,
    };
    let text = inspect_into(bytes, limits, want_text, &mut sink);
    Inspection {
        report: sink.report,
        text,
    }
}

fn inspect_into(
    bytes: &[u8],
    limits: &DocxLimits,
    want_text: bool,
    sink: &mut Sink,
) -> Option<String> {
    if !sniff(bytes, sink) {
        return None;
    }
    match count_entries(bytes) {
        Err(message) => {
            sink.general(clause::FMT_ZIP_CORRUPT, message);
            return None;
        }
        Ok(count) if count > limits.max_entries => {
            sink.general(
                clause::SEC_ENTRIES,
                format!(
                    "the central directory lists {count} entries; at most {} are accepted",
                    limits.max_entries
                ),
            );
            return None;
        }
        Ok(_) => {}
    }
    let mut archive = match ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(e) => {
            sink.general(
                clause::FMT_ZIP_CORRUPT,
                format!("the ZIP archive cannot be read: {e}"),
            );
            return None;
        }
    };
    if archive.len() as u64 > limits.max_entries {
        sink.general(
            clause::SEC_ENTRIES,
            format!(
                "the archive has {} entries; at most {} are accepted",
                archive.len(),
                limits.max_entries
            ),
        );
        return None;
    }
    if archive.has_duplicate_names() {
        sink.general(
            clause::OPC_DUPLICATE,
            "the central directory lists the same name more than once",
        );
    }
    let entries = directory(&archive, limits, sink)?;
    let by_key: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (e.key.as_str(), i))
        .collect();

    let content_types_index = by_key.get("[content_types].xml").copied();
    if content_types_index.is_none()
        && let Some(&i) = by_key.get("mimetype")
        && let Some(mimetype) = read_small(&mut archive, i, &entries[i], 256)
        && mimetype.starts_with("application/vnd.oasis.opendocument")
    {
        let what = if mimetype == "application/vnd.oasis.opendocument.text" {
            "an OpenDocument text (.odt)"
        } else {
            "an OpenDocument package"
        };
        sink.general(
            clause::FMT_ODF,
            format!(
                "the file is {what} with mimetype `{mimetype}`, not a DOCX; save it as Word (.docx)"
            ),
        );
        return None;
    }

    // [Content_Types].xml first: every other part's type comes from it.
    let content_types = match content_types_index {
        None => {
            sink.general(
                clause::OPC_CT_MISSING,
                "the ZIP has no [Content_Types].xml, so it is not an OPC package (a plain ZIP, not a DOCX)",
            );
            None
        }
        Some(i) => {
            let mut visitor = ContentTypes::default();
            if read_xml(&mut archive, i, &entries[i], limits, &mut visitor, sink) {
                visitor.finish(&entries[i].name, sink)
            } else {
                None
            }
        }
    };

    // The package relationships: where the main part is.
    let rels_index = by_key.get("_rels/.rels").copied();
    let mut main_key = None;
    match rels_index {
        None => sink.general(
            clause::OPC_RELS_MISSING,
            "the package has no _rels/.rels relationships part",
        ),
        Some(i) => {
            let mut visitor = Relationships::default();
            if read_xml(&mut archive, i, &entries[i], limits, &mut visitor, sink)
                && visitor.finish(&entries[i].name, sink)
            {
                main_key = office_document(&visitor.list, &entries[i].name, &by_key, sink);
            }
        }
    }

    // The main part's content type.
    let main_index = main_key.as_deref().and_then(|k| by_key.get(k).copied());
    if let (Some(types), Some(i)) = (&content_types, main_index) {
        main_type(types, &entries[i], sink);
    }

    // Every other entry, once, in central-directory order.
    let mut text = None;
    let done: HashSet<usize> = [content_types_index, rels_index]
        .into_iter()
        .flatten()
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        if done.contains(&i) || entry.key.ends_with('/') {
            continue;
        }
        let content_type = content_types.as_ref().and_then(|t| t.of(&entry.key));
        if content_types.is_some() && content_type.is_none() {
            sink.at(
                clause::OPC_CT_UNTYPED,
                "the part has no content type in [Content_Types].xml",
                &entry.name,
            );
        }
        if !entry.readable {
            continue;
        }
        let is_xml = content_type
            .is_some_and(|t| t.ends_with("+xml") || t == "application/xml" || t == "text/xml")
            || entry.key.ends_with(".xml")
            || entry.key.ends_with(".rels");
        if Some(i) == main_index {
            let mut visitor = MainDocument::new(want_text);
            if read_xml(&mut archive, i, entry, limits, &mut visitor, sink) {
                if !visitor.root_is_document {
                    sink.at(
                        clause::WML_ROOT,
                        "the root element is not w:document",
                        &entry.name,
                    );
                } else if !visitor.has_body {
                    sink.at(clause::WML_ROOT, "w:document has no w:body", &entry.name);
                }
                text = Some(visitor.text);
            }
        } else if entry.key.ends_with(".rels") {
            let mut visitor = Relationships::default();
            if read_xml(&mut archive, i, entry, limits, &mut visitor, sink) {
                visitor.finish(&entry.name, sink);
            }
        } else if is_xml {
            read_xml(&mut archive, i, entry, limits, &mut xml::Ignore, sink);
        } else {
            drain(&mut archive, i, entry, sink);
        }
    }
    text
}

/// Says what the file is when it is not a ZIP; true when it may be one.
fn sniff(bytes: &[u8], sink: &mut Sink) -> bool {
    if bytes.is_empty() {
        sink.general(clause::FMT_EMPTY, "the file is empty");
        return false;
    }
    if bytes.starts_with(OLE_MAGIC) {
        if contains(bytes, &utf16le("EncryptedPackage")) {
            sink.general(
                clause::FMT_ENCRYPTED,
                "the file is a password-protected (encrypted) Office document: an OLE compound file with an \
                 EncryptedPackage stream; remove the password and save it again",
            );
        } else if contains(bytes, &utf16le("WordDocument")) {
            sink.general(
                clause::FMT_OLE,
                "the file is a legacy Word 97–2003 document (.doc, OLE compound file), not a DOCX",
            );
        } else {
            sink.general(
                clause::FMT_OLE,
                "the file is an OLE compound file (legacy Office format), not a DOCX",
            );
        }
        return false;
    }
    if bytes.starts_with(ZIP_LOCAL) || bytes.starts_with(ZIP_EMPTY) {
        return true;
    }
    // ISO 32000-1 §7.5.2 lets readers find the header within the first 1,024 bytes.
    let head = &bytes[..bytes.len().min(1024)];
    if contains(head, b"%PDF-") {
        sink.general(clause::FMT_PDF, "the file is a PDF, not a DOCX");
        return false;
    }
    let what = if bytes.starts_with(b"{\\rtf") {
        "an RTF document".to_owned()
    } else if bytes.starts_with(b"<") || bytes.starts_with(b"\xEF\xBB\xBF<") {
        "an XML or HTML text".to_owned()
    } else {
        let shown: Vec<String> = bytes.iter().take(4).map(|b| format!("{b:02X}")).collect();
        format!(
            "of unknown format (it starts with bytes {})",
            shown.join(" ")
        )
    };
    sink.general(
        clause::FMT_NOT_ZIP,
        format!("the file is not a ZIP package but {what}"),
    );
    false
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn le_u16(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 2)?;
    Some(u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn le_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_le_bytes(a))
}

/// The number of entries the end-of-central-directory record (APPNOTE
/// 4.3.16, and the ZIP64 record 4.3.14) declares, read before any entry.
///
/// # Errors
///
/// A message when no such record is found: the ZIP is truncated.
fn count_entries(bytes: &[u8]) -> Result<u64, String> {
    const EOCD_LEN: usize = 22;
    if bytes.len() < EOCD_LEN {
        return Err(format!(
            "the ZIP is truncated: {} bytes, no end of central directory",
            bytes.len()
        ));
    }
    let last = bytes.len() - EOCD_LEN;
    let first = last.saturating_sub(u16::MAX as usize);
    // The record ends the file: its comment runs exactly to the last byte.
    let ends_file = |at: usize| {
        bytes[at..].starts_with(ZIP_EMPTY)
            && le_u16(bytes, at + 20)
                .is_some_and(|comment| at as u64 + EOCD_LEN as u64 + comment == bytes.len() as u64)
    };
    let Some(eocd) = (first..=last).rev().find(|&at| ends_file(at)) else {
        return Err(
            match (first..=last)
                .rev()
                .find(|&at| bytes[at..].starts_with(ZIP_EMPTY))
            {
                Some(at) => format!(
                    "bytes follow the end of the ZIP (its end record is at byte {at} of {}): a damaged or polyglot file",
                    bytes.len()
                ),
                None => {
                    "the ZIP is truncated or damaged: no end-of-central-directory record".to_owned()
                }
            },
        );
    };
    let count = le_u16(bytes, eocd + 10).unwrap_or(0);
    if count != 0xFFFF {
        return Ok(count);
    }
    // ZIP64: the locator sits just before the record and points to the ZIP64 record.
    let zip64 = eocd
        .checked_sub(20)
        .filter(|&at| bytes[at..].starts_with(b"PK\x06\x07"))
        .and_then(|at| le_u64(bytes, at + 8))
        .and_then(|offset| usize::try_from(offset).ok())
        .filter(|&at| {
            bytes
                .get(at..)
                .is_some_and(|b| b.starts_with(b"PK\x06\x06"))
        })
        .and_then(|at| le_u64(bytes, at + 32));
    Ok(zip64.unwrap_or(count))
}

/// Reads the central directory and applies the rules that need no
/// decompression: names, duplicates, methods, encryption, sizes, ratios.
/// `None` when the package must not be read further (total size).
fn directory(
    archive: &ZipArchive<Cursor<&[u8]>>,
    limits: &DocxLimits,
    sink: &mut Sink,
) -> Option<Vec<Entry>> {
    let mut entries = Vec::with_capacity(archive.len());
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let data = match archive.by_index_data(i) {
            Ok(data) => data,
            Err(e) => {
                sink.general(
                    clause::FMT_ZIP_CORRUPT,
                    format!("entry {i} cannot be read: {e}"),
                );
                continue;
            }
        };
        let name = match data.name() {
            Ok(name) => name.into_owned(),
            Err(_) => String::from_utf8_lossy(data.name_raw()).into_owned(),
        };
        let mut readable = true;
        for (clause, message) in check_item_name(&name) {
            sink.at(clause, message, &name);
            readable = false;
        }
        let key = part_key(&name);
        if let Some(first) = seen.get(&key) {
            sink.at(
                clause::OPC_DUPLICATE,
                format!(
                    "the name is equivalent to `{first}` (part names compare case-insensitively)"
                ),
                &name,
            );
        } else {
            seen.insert(key.clone(), name.clone());
        }
        let size = data.size();
        let compressed = data.compressed_size();
        let is_dir = name.ends_with('/');
        if !is_dir && key.rsplit('/').next() == Some("vbaproject.bin") {
            sink.at(
                clause::SEC_MACRO,
                "the package carries a VBA macro project (vbaProject.bin)",
                &name,
            );
        }
        if data.encrypted() {
            sink.at(
                clause::SEC_ENCRYPTED_ENTRY,
                "the entry is encrypted and cannot be checked",
                &name,
            );
            readable = false;
        }
        let method = data.compression();
        if method != CompressionMethod::Stored && method != CompressionMethod::Deflated {
            sink.at(
                clause::OPC_ZIP_METHOD,
                format!("the entry uses compression method {method:?}; OPC allows only stored and deflated"),
                &name,
            );
            readable = false;
        }
        if size > limits.max_entry_uncompressed {
            sink.at(
                clause::SEC_SIZE,
                format!(
                    "the entry declares {size} bytes; at most {} are accepted per entry",
                    limits.max_entry_uncompressed
                ),
                &name,
            );
            readable = false;
        } else if size > limits.ratio_floor
            && size / compressed.max(1) > limits.max_compression_ratio
        {
            sink.at(
                clause::SEC_RATIO,
                format!(
                    "the entry inflates {compressed} bytes to {size} (ratio {}:1); at most {}:1 is accepted",
                    size / compressed.max(1),
                    limits.max_compression_ratio
                ),
                &name,
            );
            readable = false;
        }
        total = total.saturating_add(size);
        entries.push(Entry {
            name,
            key,
            size,
            readable,
        });
    }
    if total > limits.max_total_uncompressed {
        sink.general(
            clause::SEC_SIZE,
            format!(
                "the entries declare {total} bytes in all; at most {} are accepted",
                limits.max_total_uncompressed
            ),
        );
        return None;
    }
    Some(entries)
}

/// Why an entry reader stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ReadFailure {
    /// More bytes than the entry declares.
    OverDeclared,
    /// The entry cannot be inflated or its checksum is wrong.
    Corrupt(String),
}

/// An entry reader that never yields more than the declared size, and
/// remembers why it failed.
struct Capped<R> {
    inner: R,
    cap: u64,
    read: u64,
    failure: Option<ReadFailure>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failure.is_some() {
            return Err(io::Error::other("the entry reader has failed"));
        }
        // Ask for at most one byte past the cap: enough to see an overrun.
        let room = self.cap.saturating_sub(self.read).saturating_add(1);
        let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        match self.inner.read(&mut buf[..len]) {
            Ok(n) => {
                self.read = self.read.saturating_add(n as u64);
                if self.read > self.cap {
                    self.failure = Some(ReadFailure::OverDeclared);
                    return Err(io::Error::other(
                        "the entry inflates beyond its declared size",
                    ));
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let message = e.to_string();
                self.failure = Some(if message.contains("larger than its declared") {
                    ReadFailure::OverDeclared
                } else {
                    ReadFailure::Corrupt(message)
                });
                Err(e)
            }
        }
    }
}

fn report_failure(failure: Option<ReadFailure>, entry: &Entry, sink: &mut Sink) {
    match failure {
        Some(ReadFailure::OverDeclared) => sink.at(
            clause::SEC_DECLARED_SIZE,
            format!(
                "the entry inflates to more than the {} bytes it declares; reading stopped there",
                entry.size
            ),
            &entry.name,
        ),
        Some(ReadFailure::Corrupt(message)) => {
            sink.at(
                clause::FMT_ZIP_CORRUPT,
                format!("the entry cannot be inflated: {message}"),
                &entry.name,
            );
        }
        None => sink.at(
            clause::FMT_ZIP_CORRUPT,
            "the entry cannot be read",
            &entry.name,
        ),
    }
}

/// Opens entry `i` for reading, or records why it cannot be.
fn open<'a, 'b>(
    archive: &'a mut ZipArchive<Cursor<&'b [u8]>>,
    i: usize,
    entry: &Entry,
    sink: &mut Sink,
) -> Option<Capped<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>> {
    match archive.by_index(i) {
        Ok(file) => Some(Capped {
            inner: file,
            cap: entry.size,
            read: 0,
            failure: None,
        }),
        Err(e) => {
            sink.at(
                clause::FMT_ZIP_CORRUPT,
                format!("the entry cannot be opened: {e}"),
                &entry.name,
            );
            None
        }
    }
}

/// Inflates and discards a non-XML entry, checking its size and checksum.
fn drain(archive: &mut ZipArchive<Cursor<&[u8]>>, i: usize, entry: &Entry, sink: &mut Sink) {
    let Some(mut reader) = open(archive, i, entry, sink) else {
        return;
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return report_failure(reader.failure.take(), entry, sink),
        }
    }
}

/// Reads a small entry whole (the ODF `mimetype`), at most `max` bytes.
fn read_small(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    i: usize,
    entry: &Entry,
    max: u64,
) -> Option<String> {
    if !entry.readable || entry.size > max {
        return None;
    }
    let file = archive.by_index(i).ok()?;
    let mut reader = Capped {
        inner: file,
        cap: entry.size,
        read: 0,
        failure: None,
    };
    let mut out = Vec::new();
    reader.read_to_end(&mut out).ok()?;
    String::from_utf8(out).ok().map(|s| s.trim().to_owned())
}

/// Scans an XML entry with `visitor`; true when it was read to its end
/// without a problem.
fn read_xml(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    i: usize,
    entry: &Entry,
    limits: &DocxLimits,
    visitor: &mut dyn Visitor,
    sink: &mut Sink,
) -> bool {
    if !entry.readable {
        return false;
    }
    let Some(reader) = open(archive, i, entry, sink) else {
        return false;
    };
    let mut source = BufReader::with_capacity(64 * 1024, reader);
    let name = entry.name.as_str();
    match xml::scan(&mut source, limits, visitor) {
        Ok(()) => true,
        Err(XmlProblem::Doctype) => {
            sink.at(
                clause::SEC_DOCTYPE,
                "the XML part has a <!DOCTYPE> declaration (entity expansion risk); OOXML parts never need one",
                name,
            );
            false
        }
        Err(XmlProblem::TooDeep(max)) => {
            sink.at(
                clause::SEC_XML_DEPTH,
                format!("elements nest deeper than {max} levels"),
                name,
            );
            false
        }
        Err(XmlProblem::TooManyAttributes(max)) => {
            sink.at(
                clause::SEC_XML_DEPTH,
                format!("an element has more than {max} attributes"),
                name,
            );
            false
        }
        Err(XmlProblem::Malformed(message)) => {
            sink.at(
                clause::XML_WELL_FORMED,
                format!("the XML is not well-formed: {message}"),
                name,
            );
            false
        }
        Err(XmlProblem::Read) => {
            let failure = source.get_mut().failure.take();
            report_failure(failure, entry, sink);
            false
        }
    }
}

/// `[Content_Types].xml`: the defaults by extension and the overrides by
/// part name (OPC §10.1.2.2).
#[derive(Default)]
struct ContentTypes {
    root_ok: Option<bool>,
    defaults: HashMap<String, String>,
    overrides: HashMap<String, String>,
    problems: Vec<String>,
}

/// The parsed content types.
struct TypeMap {
    defaults: HashMap<String, String>,
    overrides: HashMap<String, String>,
}

impl TypeMap {
    /// The content type of a part, by its key; lower-cased (RFC 7231 media
    /// types compare case-insensitively).
    fn of(&self, key: &str) -> Option<&str> {
        self.overrides
            .get(key)
            .or_else(|| extension_key(key).and_then(|ext| self.defaults.get(ext)))
            .map(String::as_str)
    }
}

impl Visitor for ContentTypes {
    fn start(
        &mut self,
        depth: usize,
        element: &BytesStart<'_>,
        attributes: &[Attribute<'_>],
        _: bool,
    ) {
        let local = xml::local_name(element);
        if depth == 1 {
            let ns = xml::attribute(attributes, b"xmlns");
            self.root_ok = Some(local == b"Types" && ns.as_deref() == Some(CT_NAMESPACE));
            return;
        }
        if depth != 2 {
            return;
        }
        let content_type =
            xml::attribute(attributes, b"ContentType").map(|t| t.trim().to_ascii_lowercase());
        match local {
            b"Default" => match (xml::attribute(attributes, b"Extension"), content_type) {
                (Some(ext), Some(t)) => {
                    self.defaults.insert(ext.to_lowercase(), t);
                }
                _ => self
                    .problems
                    .push("a Default without Extension or ContentType".to_owned()),
            },
            b"Override" => match (xml::attribute(attributes, b"PartName"), content_type) {
                (Some(part), Some(t)) => {
                    self.overrides.insert(part_key(&part), t);
                }
                _ => self
                    .problems
                    .push("an Override without PartName or ContentType".to_owned()),
            },
            other => self.problems.push(format!(
                "an unexpected element `{}`",
                String::from_utf8_lossy(other)
            )),
        }
    }
}

impl ContentTypes {
    fn finish(self, name: &str, sink: &mut Sink) -> Option<TypeMap> {
        if self.root_ok != Some(true) {
            sink.at(
                clause::OPC_CT_XML,
                format!("the root element is not Types in the namespace {CT_NAMESPACE}"),
                name,
            );
            return None;
        }
        for problem in self.problems {
            sink.at(clause::OPC_CT_XML, problem, name);
        }
        let map = TypeMap {
            defaults: self.defaults,
            overrides: self.overrides,
        };
        let mut macro_types: Vec<&String> = map
            .defaults
            .values()
            .chain(map.overrides.values())
            .filter(|t| MACRO_TYPES[2..].contains(&t.as_str()))
            .collect();
        macro_types.sort();
        macro_types.dedup();
        for t in macro_types {
            sink.at(
                clause::SEC_MACRO,
                format!("the package declares the VBA content type `{t}`"),
                name,
            );
        }
        Some(map)
    }
}

/// One relationship (OPC §9.3.2.2).
struct Relationship {
    kind: String,
    target: String,
    external: bool,
}

/// A relationships part.
#[derive(Default)]
struct Relationships {
    root_ok: Option<bool>,
    list: Vec<Relationship>,
    problems: Vec<String>,
}

impl Visitor for Relationships {
    fn start(
        &mut self,
        depth: usize,
        element: &BytesStart<'_>,
        attributes: &[Attribute<'_>],
        _: bool,
    ) {
        let local = xml::local_name(element);
        if depth == 1 {
            let ns = xml::attribute(attributes, b"xmlns");
            self.root_ok = Some(local == b"Relationships" && ns.as_deref() == Some(RELS_NAMESPACE));
            return;
        }
        if depth != 2 || local != b"Relationship" {
            return;
        }
        let kind = xml::attribute(attributes, b"Type");
        let target = xml::attribute(attributes, b"Target");
        let mode = xml::attribute(attributes, b"TargetMode");
        match (kind, target) {
            (Some(kind), Some(target)) => self.list.push(Relationship {
                kind: kind.trim().to_owned(),
                target: target.trim().to_owned(),
                external: mode.as_deref() == Some("External"),
            }),
            _ => self
                .problems
                .push("a Relationship without Type or Target".to_owned()),
        }
    }
}

impl Relationships {
    /// Reports the part's own problems and its dangerous relationships;
    /// true when the part can be relied on.
    fn finish(&self, name: &str, sink: &mut Sink) -> bool {
        if self.root_ok != Some(true) {
            sink.at(
                clause::OPC_RELS_XML,
                format!("the root element is not Relationships in the namespace {RELS_NAMESPACE}"),
                name,
            );
            return false;
        }
        for problem in &self.problems {
            sink.at(clause::OPC_RELS_XML, problem.clone(), name);
        }
        for rel in &self.list {
            if rel.kind == REL_VBA {
                sink.at(
                    clause::SEC_MACRO,
                    "a relationship to a VBA macro project",
                    name,
                );
            }
            let short = REL_PREFIXES.iter().find_map(|p| rel.kind.strip_prefix(p));
            if rel.external
                && let Some(short) = short
                && REL_FETCHING.contains(&short)
            {
                sink.at(
                    clause::SEC_EXTERNAL,
                    format!("an external {short} relationship to `{}` (fetched when the file is opened)", rel.target),
                    name,
                );
            }
        }
        true
    }
}

/// Finds and resolves the officeDocument relationship; the key of the main
/// part when it is present.
fn office_document(
    rels: &[Relationship],
    rels_name: &str,
    by_key: &HashMap<&str, usize>,
    sink: &mut Sink,
) -> Option<String> {
    let office: Vec<&Relationship> = rels
        .iter()
        .filter(|r| REL_OFFICE_DOCUMENT.contains(&r.kind.as_str()))
        .collect();
    let rel = match office.as_slice() {
        [] => {
            sink.at(
                clause::OPC_REL_OFFICEDOC,
                "no officeDocument relationship: the package has no main part",
                rels_name,
            );
            return None;
        }
        [rel] => *rel,
        more => {
            sink.at(
                clause::OPC_REL_OFFICEDOC,
                format!(
                    "{} officeDocument relationships; exactly one is allowed",
                    more.len()
                ),
                rels_name,
            );
            more[0]
        }
    };
    if rel.external {
        sink.at(
            clause::OPC_REL_TARGET,
            format!(
                "the officeDocument relationship is external (`{}`)",
                rel.target
            ),
            rels_name,
        );
        return None;
    }
    match resolve_target("", &rel.target) {
        Err(message) => {
            sink.at(clause::OPC_REL_TARGET, message, rels_name);
            None
        }
        Ok(key) if by_key.contains_key(key.as_str()) => Some(key),
        Ok(_) => {
            sink.at(
                clause::OPC_REL_TARGET,
                format!(
                    "the officeDocument relationship points to `{}`, which is not in the package",
                    rel.target
                ),
                rels_name,
            );
            None
        }
    }
}

fn main_type(types: &TypeMap, entry: &Entry, sink: &mut Sink) {
    match types.of(&entry.key) {
        Some(MAIN_TYPE) => {}
        Some(TEMPLATE_TYPE) => sink.at(
            clause::WML_TEMPLATE,
            "the main part is a Word template (.dotx), not a document; save it as .docx",
            &entry.name,
        ),
        Some(t) if MACRO_TYPES[..2].contains(&t) => sink.at(
            clause::SEC_MACRO,
            format!("the main part is macro-enabled (`{t}`, .docm/.dotm); save it as .docx"),
            &entry.name,
        ),
        Some(t) => sink.at(
            clause::WML_MAIN_TYPE,
            format!("the main part has content type `{t}`, not {MAIN_TYPE}"),
            &entry.name,
        ),
        None => sink.at(
            clause::WML_MAIN_TYPE,
            "the main part has no content type",
            &entry.name,
        ),
    }
}

/// What an open element of the main document is, for text extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Run,
    Text,
    Paragraph,
    /// `mc:Fallback`: a second copy of content already in `mc:Choice`.
    Fallback,
    Other,
}

/// The main document: root check and text.
struct MainDocument {
    want_text: bool,
    namespaces: Namespaces,
    stack: Vec<Kind>,
    skipping: usize,
    root_is_document: bool,
    has_body: bool,
    text: String,
}

impl MainDocument {
    fn new(want_text: bool) -> Self {
        Self {
            want_text,
            namespaces: Namespaces::default(),
            stack: Vec::new(),
            skipping: 0,
            root_is_document: false,
            has_body: false,
            text: String::new(),
        }
    }
}

impl Visitor for MainDocument {
    fn start(
        &mut self,
        depth: usize,
        element: &BytesStart<'_>,
        attributes: &[Attribute<'_>],
        _: bool,
    ) {
        self.namespaces.declare(depth, attributes);
        let ns = self.namespaces.of(element);
        let local = xml::local_name(element);
        if depth == 1 {
            self.root_is_document = ns == Ns::Wml && local == b"document";
        } else if depth == 2 && ns == Ns::Wml && local == b"body" {
            self.has_body = true;
        }
        let parent = self.stack.last().copied();
        let kind = match (ns, local) {
            (Ns::Wml, b"r") => Kind::Run,
            (Ns::Wml, b"t") => Kind::Text,
            (Ns::Wml, b"p") => Kind::Paragraph,
            (Ns::Mc, b"Fallback") => Kind::Fallback,
            _ => Kind::Other,
        };
        if kind == Kind::Fallback {
            self.skipping += 1;
        }
        if self.want_text && self.skipping == 0 && parent == Some(Kind::Run) && ns == Ns::Wml {
            match local {
                b"tab" => self.text.push('\t'),
                b"br" | b"cr" => self.text.push('\n'),
                b"noBreakHyphen" => self.text.push('\u{2011}'),
                _ => {}
            }
        }
        self.stack.push(kind);
    }

    fn end(&mut self, depth: usize) {
        self.namespaces.end(depth);
        match self.stack.pop() {
            Some(Kind::Paragraph) if self.want_text && self.skipping == 0 => self.text.push('\n'),
            Some(Kind::Fallback) => self.skipping = self.skipping.saturating_sub(1),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.want_text && self.skipping == 0 && self.stack.last() == Some(&Kind::Text) {
            self.text.push_str(text);
        }
    }
}
