//! PDF/A-1 conformance check (ISO 19005-1:2005 with Cor.1:2007 and Cor.2:2011,
//! level B plus the cheap level-A rules) and PDF text extraction.
//!
//! 003 §7: every technical document of an informatization object is placed as a
//! PDF/A-1 copy together with its DOCX draft, and the portal checks the copy
//! itself. [`check`] takes the bytes of an upload and returns a
//! [`Report`]; it never panics, never does I/O and bounds its memory by
//! [`Limits`]. Each [`Finding`](crate::conformance::Finding) names the clause of
//! ISO 19005-1 it comes from and, where there is one, the object (`12 0 R`).
//!
//! The check runs in three passes, each linear in the size of the file:
//! 1. a raw-byte pass over the file's syntax (header, objects, streams,
//!    cross-reference table, trailer, implementation limits), which `lopdf`
//!    tolerates and so cannot report;
//! 2. an object pass over the parsed document (`lopdf`): filters, fonts,
//!    colour, transparency, annotations, actions, forms, output intent;
//! 3. the XMP metadata pass (`quick-xml`).
//!
//! Image data is never decoded; each content stream is decoded at most once.

mod content;
mod encoding;
mod objects;
mod syntax;
#[cfg(feature = "testing")]
pub mod testing;
mod text;
mod xmp;

use crate::conformance::{Finding, Report};
use std::collections::HashMap;

pub use text::{extract_text, extract_text_lean, extract_text_with};

/// ISO 19005-1 §6.1.12 (PDF 1.4 Table C.1): at most 8,388,607 indirect objects.
pub const MAX_INDIRECT_OBJECTS: usize = 8_388_607;

/// Bounds on the work one check or extraction may do, so that a hostile upload
/// cannot exhaust memory or stack (the check runs inside the portal's server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most indirect objects the checker will load; a file with more gets a
    /// finding and is not checked further. ISO 19005-1 §6.1.12 allows 8,388,607.
    pub max_objects: usize,
    /// Most bytes any one stream may decode to (content streams, metadata,
    /// ICC profiles, CMaps, object streams). Larger streams get a finding.
    pub max_stream_size: usize,
    /// Deepest nesting of arrays and dictionaries the checker parses; deeper
    /// files get a finding and are not parsed further. At most 100.
    pub max_nesting: usize,
    /// Most characters [`extract_text_with`] returns.
    pub max_text_chars: usize,
    /// With [`inspect_lean`] and [`extract_text_lean`], streams of at least
    /// this many bytes (well-formed, with a direct `Length`) are not copied
    /// by the parser; the few that must be decoded are read from the file's
    /// bytes when needed. Image data and font programs are never copied.
    pub elide_streams_from: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_objects: 1_000_000,
            max_stream_size: 64 * 1024 * 1024,
            max_nesting: 64,
            max_text_chars: 16 * 1024 * 1024,
            elide_streams_from: 256 * 1024,
        }
    }
}

impl Limits {
    /// The nesting limit actually applied: never above what `lopdf` parses (100).
    pub(crate) fn nesting(&self) -> usize {
        self.max_nesting.clamp(1, 100)
    }
}

/// Why text could not be extracted from a PDF.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PdfError {
    /// The bytes are not a PDF file that can be read (the parser's reason is given).
    #[error("not a readable PDF file: {0}")]
    Unreadable(String),
    /// The file is encrypted; ISO 19005-1 §6.1.3 forbids encryption in PDF/A-1.
    #[error("the PDF file is encrypted")]
    Encrypted,
    /// The file exceeds one of the [`Limits`] (named).
    #[error("the PDF file exceeds the limit on {0}")]
    TooLarge(&'static str),
}

/// The PDF/A identification the file claims in its XMP metadata
/// (ISO 19005-1 §6.7.11: `pdfaid:part` and `pdfaid:conformance`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Claim {
    /// The value of `pdfaid:part` as written, e.g. `1`.
    pub part: String,
    /// The value of `pdfaid:conformance` as written, e.g. `B`, when present.
    pub conformance: Option<String>,
}

/// The result of [`inspect`]: the report and what the file claims to be.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    /// Every ISO 19005-1 rule the file breaks.
    pub report: Report,
    /// The PDF/A part and conformance level the XMP metadata claims, if any.
    pub claim: Option<Claim>,
}

/// Checks the bytes of a file against PDF/A-1 (ISO 19005-1) with the default
/// [`Limits`]. Conformance level B is always checked; the level-A rules are
/// added when the file claims `pdfaid:conformance` `A`.
pub fn check(bytes: &[u8]) -> Report {
    check_with(bytes, &Limits::default())
}

/// [`check`] with explicit limits.
pub fn check_with(bytes: &[u8], limits: &Limits) -> Report {
    inspect(bytes, limits).report
}

/// Checks a file as [`check_with`] does and also returns the PDF/A part and
/// conformance level it claims (ISO 19005-1 §6.7.11).
pub fn inspect(bytes: &[u8], limits: &Limits) -> Inspection {
    inspect_inner(bytes, None, limits)
}

/// [`inspect`] with memory bounded independently of the file's size, for a
/// file the caller holds twice: `bytes`, read-only (e.g. a read-only map of
/// the stored file), and `scratch`, a private writable copy of the same
/// bytes (e.g. a copy-on-write map of the same file, whose untouched pages
/// stay shared page cache). The checker overwrites, in `scratch` only, the
/// `Length` of each stream of at least [`Limits::elide_streams_from`] bytes
/// so that the parser leaves its data unread, and reads the data of the
/// streams it must decode (content streams, metadata, ICC profiles, CMaps)
/// from `bytes`, one at a time, bounded by [`Limits::max_stream_size`].
/// The report is the one [`inspect`] gives (a filtered stream whose raw data
/// exceeds four times `max_stream_size` is reported as undecodable without
/// being copied). `scratch` of another length is ignored.
pub fn inspect_lean(bytes: &[u8], scratch: &mut [u8], limits: &Limits) -> Inspection {
    inspect_inner(bytes, Some(scratch), limits)
}

fn inspect_inner(bytes: &[u8], scratch: Option<&mut [u8]>, limits: &Limits) -> Inspection {
    let mut sink = Sink::default();
    let raw = syntax::scan(bytes, limits, &mut sink);
    let mut claim = None;
    if raw.parseable {
        match load_lean(bytes, scratch, &raw, limits) {
            Ok((doc, elided)) => {
                let src = Source {
                    bytes,
                    elided: &elided,
                };
                if doc.objects.len() > limits.max_objects {
                    sink.push(
                        "objects",
                        Finding::new(
                            "6.1",
                            format!(
                                "the file has {} objects, more than the checker's limit of {}; not checked further",
                                doc.objects.len(),
                                limits.max_objects
                            ),
                        ),
                    );
                } else {
                    claim = objects::check(&doc, &raw, src, limits, &mut sink);
                }
            }
            Err(message) => {
                if !raw.encrypted {
                    sink.push(
                        "unreadable",
                        Finding::new("6.1", format!("the file cannot be parsed: {message}")),
                    );
                }
            }
        }
    }
    Inspection {
        report: sink.finish(),
        claim,
    }
}

/// Loads a document with `lopdf`, bounded by `limits`, turning any parser
/// panic into an error (the input is untrusted).
pub(crate) fn load(bytes: &[u8], limits: &Limits) -> Result<lopdf::Document, String> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_stream_size),
        ..lopdf::LoadOptions::default()
    };
    match std::panic::catch_unwind(|| lopdf::Document::load_mem_with_options(bytes, options)) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the parser gave up on malformed input".to_owned()),
    }
}

/// Data of the streams the parser left unread: the stream's
/// `start_position` as the parser gives it (counted from the `%PDF-`
/// header) → (offset of the first data byte in the file, length).
pub(crate) type Elided = HashMap<usize, (usize, usize)>;

/// The file's bytes and the streams whose data was left in them.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    /// The whole file.
    pub bytes: &'a [u8],
    /// Streams whose data was not copied by the parser.
    pub elided: &'a Elided,
}

impl Source<'_> {
    /// The decoded data of `s` (`Stream::get_plain_content_with_limit`),
    /// reading the data of an elided stream from the file.
    pub(crate) fn plain(&self, s: &lopdf::Stream, limit: usize) -> lopdf::Result<Vec<u8>> {
        if s.content.is_empty()
            && let Some(start) = s.start_position
            && let Some(&(start, len)) = self.elided.get(&start)
            && let Some(raw) = start
                .checked_add(len)
                .and_then(|end| self.bytes.get(start..end))
        {
            let filtered = matches!(s.filters(), Ok(f) if !f.is_empty());
            if raw.len() > limit.saturating_mul(if filtered { 4 } else { 1 }) {
                return Err(lopdf::Error::InvalidStream(
                    "the stream exceeds the checker's size limit".to_owned(),
                ));
            }
            let copy = lopdf::Stream::new(s.dict.clone(), raw.to_vec());
            return copy.get_plain_content_with_limit(limit);
        }
        s.get_plain_content_with_limit(limit)
    }
}

/// Loads the document; with a `scratch` copy of `bytes`, the streams the raw
/// pass found elidable are left unread (their `Length` is overwritten in
/// `scratch`, then restored in the loaded dictionaries).
pub(crate) fn load_lean(
    bytes: &[u8],
    scratch: Option<&mut [u8]>,
    raw: &syntax::RawScan,
    limits: &Limits,
) -> Result<(lopdf::Document, Elided), String> {
    let Some(scratch) = scratch.filter(|s| s.len() == bytes.len() && !raw.elidable.is_empty())
    else {
        return load(bytes, limits).map(|doc| (doc, Elided::new()));
    };
    for e in &raw.elidable {
        // `/LLL…`: a name of the same width, which the parser takes for a
        // Length it cannot use, so it records where the data starts instead.
        if let Some(token) = scratch.get_mut(e.length_token.0..e.length_token.1) {
            for (i, byte) in token.iter_mut().enumerate() {
                *byte = if i == 0 { b'/' } else { b'L' };
            }
        }
    }
    let mut doc = load(scratch, limits)?;
    // The parser counts positions from the header (junk before it is skipped).
    let base = bytes.windows(5).position(|w| w == b"%PDF-").unwrap_or(0);
    let elided: Elided = raw
        .elidable
        .iter()
        .filter_map(|e| Some((e.data_start.checked_sub(base)?, (e.data_start, e.len))))
        .collect();
    for obj in doc.objects.values_mut() {
        if let lopdf::Object::Stream(s) = obj
            && s.content.is_empty()
            && let Some(&(_, len)) = s.start_position.and_then(|p| elided.get(&p))
        {
            s.dict.set("Length", i64::try_from(len).unwrap_or(i64::MAX));
        }
    }
    Ok((doc, elided))
}

/// How many findings of one kind are reported before they are summarised.
const PER_KIND: usize = 10;

/// Collects findings, reporting at most [`PER_KIND`] of each kind so that a file
/// with a million bad numbers yields a readable report.
#[derive(Default)]
pub(crate) struct Sink {
    findings: Vec<Finding>,
    counts: HashMap<&'static str, (usize, String)>,
}

impl Sink {
    /// Records `finding` under `kind` unless that kind is already full.
    pub(crate) fn push(&mut self, kind: &'static str, finding: Finding) {
        let entry = self
            .counts
            .entry(kind)
            .or_insert((0, finding.clause.clone()));
        entry.0 += 1;
        if entry.0 <= PER_KIND {
            self.findings.push(finding);
        }
    }

    fn finish(mut self) -> Report {
        let mut extra: Vec<_> = self
            .counts
            .iter()
            .filter(|(_, (n, _))| *n > PER_KIND)
            .map(|(kind, (n, clause))| {
                Finding::new(
                    clause.clone(),
                    format!(
                        "{} more findings of the kind '{kind}' not listed",
                        n - PER_KIND
                    ),
                )
            })
            .collect();
        extra.sort_by(|a, b| a.message.cmp(&b.message));
        self.findings.extend(extra);
        Report {
            findings: self.findings,
        }
    }
}

/// Formats an object id as PDF writes a reference: `12 0 R`.
pub(crate) fn obj_ref(id: (u32, u16)) -> String {
    format!("{} {} R", id.0, id.1)
}
