//! The DOCX draft check and its text extraction.
//!
//! 003 §7: every technical document is placed as a PDF/A-1 copy together
//! with its DOCX draft. Before the portal accepts the draft it checks, from
//! the bytes alone and without trusting anything the file declares, that the
//! file is a WordprocessingML package (ECMA-376 Part 1) in an Open Packaging
//! Conventions container (ECMA-376 Part 2) and that opening it is safe:
//! no macros, no zip bomb, no path traversal, no DTD, no remote template.
//!
//! [`check`] returns a [`Report`] whose findings carry the clause ids of
//! [`clause`]. [`extract_text`] returns the text of a conforming draft, for
//! search. Both make a single pass over the package: every entry is inflated
//! at most once, and never beyond its declared size or the [`DocxLimits`].

mod names;
mod package;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod xml;

use crate::conformance::Report;

/// The clause ids a DOCX finding carries.
///
/// `FMT-…` say what the file is when it is not a DOCX at all; `OPC-…` come
/// from ECMA-376 Part 2 (Open Packaging Conventions, 5th ed., 2021);
/// `WML-…` from ECMA-376 Part 1 (WordprocessingML); `XML-…` from XML 1.0;
/// `SEC-…` are the portal's own safety rules (003 §7 requires the portal to
/// accept only files it can check safely).
pub mod clause {
    /// The file is empty.
    pub const FMT_EMPTY: &str = "FMT-EMPTY";
    /// The file is a PDF (probably the PDF/A copy uploaded in the wrong slot).
    pub const FMT_PDF: &str = "FMT-PDF";
    /// The file is an OLE compound file: a legacy Word 97–2003 `.doc` or
    /// another legacy Office file.
    pub const FMT_OLE: &str = "FMT-OLE";
    /// The file is an encrypted (password-protected) OOXML document: an OLE
    /// compound file holding an `EncryptedPackage` stream (MS-OFFCRYPTO).
    /// Its content cannot be checked.
    pub const FMT_ENCRYPTED: &str = "FMT-ENCRYPTED";
    /// The file is an OpenDocument package (ODF 1.3 Part 2 §3.3: its
    /// `mimetype` entry names an `application/vnd.oasis.opendocument.*` type).
    pub const FMT_ODF: &str = "FMT-ODF";
    /// The file is not a ZIP archive (nor any of the formats above).
    pub const FMT_NOT_ZIP: &str = "FMT-NOT-ZIP";
    /// The file starts as a ZIP archive but cannot be read as one: truncated,
    /// damaged central directory, bad checksum.
    pub const FMT_ZIP_CORRUPT: &str = "FMT-ZIP-CORRUPT";

    /// OPC §7.2.3 [M1.1, M1.3–M1.9]: a part name is a non-empty sequence of
    /// non-empty segments, none `.` or ending with `.`.
    pub const OPC_PART_NAME: &str = "OPC-PART-NAME";
    /// OPC §7.2.3 [M1.12]: no two part names may be equivalent; names
    /// compare case-insensitively.
    pub const OPC_DUPLICATE: &str = "OPC-DUPLICATE";
    /// OPC Annex C (ZIP appnote restrictions): items are stored or deflated;
    /// no other compression method.
    pub const OPC_ZIP_METHOD: &str = "OPC-ZIP-METHOD";
    /// OPC §8.3.7 / §10.1.2.2: the package has a `[Content_Types].xml` item.
    pub const OPC_CT_MISSING: &str = "OPC-CT-MISSING";
    /// OPC §10.1.2.2: `[Content_Types].xml` is a well-formed `Types` document
    /// in the content-types namespace.
    pub const OPC_CT_XML: &str = "OPC-CT-XML";
    /// OPC §7.2.4 [M1.2]: every part has a content type.
    pub const OPC_CT_UNTYPED: &str = "OPC-CT-UNTYPED";
    /// OPC §7.3.4: the package relationships part `_rels/.rels` exists.
    pub const OPC_RELS_MISSING: &str = "OPC-RELS-MISSING";
    /// OPC §7.3.4: a relationships part is a well-formed `Relationships`
    /// document.
    pub const OPC_RELS_XML: &str = "OPC-RELS-XML";
    /// ECMA-376 Part 1 §11.3.10 / Part 2 Annex: the package has exactly one
    /// officeDocument relationship (transitional or strict URI).
    pub const OPC_REL_OFFICEDOC: &str = "OPC-REL-OFFICEDOC";
    /// OPC §7.3.3: the officeDocument target resolves (RFC 3986 §5.2,
    /// against the package root) to a part that is present in the package.
    pub const OPC_REL_TARGET: &str = "OPC-REL-TARGET";

    /// Part 1 §11.3.10: the main part has the WordprocessingML main document
    /// content type.
    pub const WML_MAIN_TYPE: &str = "WML-MAIN-TYPE";
    /// Part 1 §11.3.10: the main part is a template (`.dotx`), not a document.
    pub const WML_TEMPLATE: &str = "WML-TEMPLATE";
    /// Part 1 §17.2.3: the main part's root is `w:document` with a `w:body`.
    pub const WML_ROOT: &str = "WML-ROOT";

    /// XML 1.0 §2.1: an XML part is well-formed (one root, matched tags,
    /// valid attributes, known entities) and UTF-8 encoded.
    pub const XML_WELL_FORMED: &str = "XML-WF";

    /// The package has too many entries ([`super::DocxLimits::max_entries`]).
    pub const SEC_ENTRIES: &str = "SEC-ENTRIES";
    /// An entry, or all entries together, inflate beyond the size limits.
    pub const SEC_SIZE: &str = "SEC-SIZE";
    /// An entry's compression ratio exceeds the limit (zip bomb).
    pub const SEC_RATIO: &str = "SEC-RATIO";
    /// An entry inflates to more bytes than its header declares (zip bomb
    /// hiding behind a false size).
    pub const SEC_DECLARED_SIZE: &str = "SEC-DECLARED-SIZE";
    /// An entry name escapes the package: `..`, an absolute path, a
    /// backslash, a drive letter or a NUL.
    pub const SEC_PATH: &str = "SEC-PATH";
    /// An entry is encrypted at the ZIP level and cannot be checked.
    pub const SEC_ENCRYPTED_ENTRY: &str = "SEC-ENCRYPTED-ENTRY";
    /// The document carries macros: a macro-enabled main type (`.docm`,
    /// `.dotm`), a `vbaProject.bin` part, a VBA content type or relationship.
    pub const SEC_MACRO: &str = "SEC-MACRO";
    /// An XML part has a `<!DOCTYPE` (entity expansion, external entities).
    pub const SEC_DOCTYPE: &str = "SEC-DOCTYPE";
    /// An XML part nests elements deeper than the limit, or an element has
    /// more attributes than the limit.
    pub const SEC_XML_DEPTH: &str = "SEC-XML-DEPTH";
    /// A relationship of a kind that fetches content when the document is
    /// opened (attachedTemplate, oleObject, subDocument, frame) points
    /// outside the package (`TargetMode="External"`).
    pub const SEC_EXTERNAL: &str = "SEC-EXTERNAL";
    /// More findings than [`super::DocxLimits::max_findings`]; the rest are
    /// omitted.
    pub const SEC_TOO_MANY_FINDINGS: &str = "SEC-TOO-MANY-FINDINGS";
}

/// The bounds within which a DOCX is read; beyond them the file is refused.
///
/// The defaults fit any real technical document (a 300-page DOCX with
/// drawings is some tens of MiB) while keeping the work for one upload
/// bounded on a 2-core server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocxLimits {
    /// At most this many entries in the central directory (default 10,000).
    /// Counted from the end-of-central-directory record before any entry is
    /// read.
    pub max_entries: u64,
    /// At most this many bytes inflated from all entries together
    /// (default 512 MiB).
    pub max_total_uncompressed: u64,
    /// At most this many bytes inflated from one entry (default 256 MiB).
    pub max_entry_uncompressed: u64,
    /// An entry larger than [`Self::ratio_floor`] may inflate to at most this
    /// many times its compressed size (default 100).
    pub max_compression_ratio: u64,
    /// Entries of at most this many uncompressed bytes are exempt from the
    /// ratio rule: small XML compresses very well (default 1 MiB).
    pub ratio_floor: u64,
    /// At most this depth of nested XML elements (default 256; Word's own
    /// documents stay under 30).
    pub max_xml_depth: usize,
    /// At most this many attributes on one XML element (default 1,024).
    pub max_xml_attributes: usize,
    /// At most this many findings are reported (default 100).
    pub max_findings: usize,
}

impl Default for DocxLimits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_total_uncompressed: 512 * 1024 * 1024,
            max_entry_uncompressed: 256 * 1024 * 1024,
            max_compression_ratio: 100,
            ratio_floor: 1024 * 1024,
            max_xml_depth: 256,
            max_xml_attributes: 1024,
            max_findings: 100,
        }
    }
}

/// Why no text could be taken from a DOCX.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocxError {
    /// The file is not a conforming DOCX (see [`check`]); its text is not
    /// read. The report says why.
    #[error("the DOCX does not conform: {}", summary(.0))]
    NotConforming(Report),
}

fn summary(report: &Report) -> String {
    match report.findings.first() {
        Some(first) => format!(
            "{} finding(s), the first {}: {}",
            report.findings.len(),
            first.clause,
            first.message
        ),
        None => "no finding".to_owned(),
    }
}

/// The result of one pass over a DOCX: the check and, when asked for and
/// the main part could be read, its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Every rule the file breaks.
    pub report: Report,
    /// The text of the main document, when it was asked for and the main
    /// part was read to its end.
    pub text: Option<String>,
}

/// Checks a DOCX draft with the default [`DocxLimits`].
///
/// 003 §7: the draft must be a WordprocessingML document that is safe to
/// open. Never panics and does no I/O.
pub fn check(bytes: &[u8]) -> Report {
    check_with(bytes, &DocxLimits::default())
}

/// Checks a DOCX draft within the given limits.
pub fn check_with(bytes: &[u8], limits: &DocxLimits) -> Report {
    package::inspect(bytes, limits, false).report
}

/// Checks a DOCX draft and takes its text in the same single pass, for an
/// upload that needs both.
pub fn check_and_extract(bytes: &[u8], limits: &DocxLimits) -> Inspection {
    package::inspect(bytes, limits, true)
}

/// The text of a conforming DOCX draft, with the default limits.
///
/// The `w:t` runs of the main document joined, `w:tab` as a tab, `w:br` and
/// `w:cr` as a line feed, and a line feed after each paragraph. Deleted
/// text, field codes and the fallback copies of text boxes are left out.
///
/// # Errors
///
/// [`DocxError::NotConforming`] when [`check`] finds anything.
pub fn extract_text(bytes: &[u8]) -> Result<String, DocxError> {
    extract_text_with(bytes, &DocxLimits::default())
}

/// [`extract_text`] within the given limits.
///
/// # Errors
///
/// [`DocxError::NotConforming`] when [`check_with`] finds anything.
pub fn extract_text_with(bytes: &[u8], limits: &DocxLimits) -> Result<String, DocxError> {
    let Inspection { report, text } = package::inspect(bytes, limits, true);
    match text {
        Some(text) if report.conforms() => Ok(text),
        _ => Err(DocxError::NotConforming(report)),
    }
}
