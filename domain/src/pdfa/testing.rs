//! Fixture writer for tests (cargo feature `testing`): a small PDF/A-1b file
//! with visible text, written byte by byte so that tests can break exactly
//! one ISO 19005-1 rule at a time.
//!
//! The text is set in a Type 3 font (exempt from embedding, §6.3.4) whose
//! glyphs are plain boxes; a `ToUnicode` map makes it extractable, so any
//! Unicode text (Kazakh, Russian) round-trips through
//! [`extract_text`](super::extract_text). At most 255 distinct characters are
//! encoded; further ones are written as `?`.

use std::fmt::Write as _;

/// Number of the first object of [`Fixture::extra_objects`]; the fixture's own
/// objects are numbered below it.
pub const FIRST_EXTRA_OBJECT: u32 = 12;

/// A conforming PDF/A-1b file showing `text` (lines split at `\n`).
pub fn minimal_pdfa1b(text: &str) -> Vec<u8> {
    Fixture::new(text).build()
}

/// A PDF/A-1b file under construction. Every field is spliced into the file
/// as written; the writer computes lengths and cross-reference offsets.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The text shown on the page.
    pub text: String,
    /// The header and binary comment (§6.1.2).
    pub header: Vec<u8>,
    /// Extra entries inside the catalog dictionary, e.g. `/OCProperties << >>`.
    pub catalog_extra: String,
    /// Extra entries inside the page dictionary.
    pub page_extra: String,
    /// Extra entries inside the page's Resources dictionary.
    pub resources_extra: String,
    /// Extra entries inside the font dictionary.
    pub font_extra: String,
    /// Content-stream operators drawn before the text.
    pub content_prefix: String,
    /// Bodies of extra objects, numbered from [`FIRST_EXTRA_OBJECT`]; a body
    /// containing `stream\n` … is written verbatim (give its own Length).
    pub extra_objects: Vec<String>,
    /// The Info dictionary entries.
    pub info: String,
    /// The XMP packet; `None` uses [`Fixture::default_xmp`].
    pub xmp: Option<String>,
    /// Extra entries inside the Metadata stream dictionary.
    pub metadata_extra: String,
    /// Whether the trailer has an ID (§6.1.3).
    pub with_id: bool,
    /// Whether the catalog has the PDF/A-1 output intent (§6.2.2).
    pub with_output_intent: bool,
    /// Extra entries inside the trailer dictionary.
    pub trailer_extra: String,
    /// Added to the content stream's true length when writing `Length` (§6.1.7).
    pub content_length_delta: i64,
    /// The separator between `xref` and the subsection header (§6.1.4).
    pub xref_eol: String,
    /// Bytes written after `%%EOF` (§6.1.3).
    pub after_eof: Vec<u8>,
}

/// The Producer written in Info and XMP.
pub const PRODUCER: &str = "archportal fixture writer";

impl Fixture {
    /// A conforming fixture showing `text`.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            header: b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            catalog_extra: String::new(),
            page_extra: String::new(),
            resources_extra: String::new(),
            font_extra: String::new(),
            content_prefix: String::new(),
            extra_objects: Vec::new(),
            info: format!(
                "/Producer ({PRODUCER}) /Title (Fixture) /CreationDate (D:20250101120000+05'00')"
            ),
            xmp: None,
            metadata_extra: String::new(),
            with_id: true,
            with_output_intent: true,
            trailer_extra: String::new(),
            content_length_delta: 0,
            xref_eol: "\n".to_owned(),
            after_eof: b"\n".to_vec(),
        }
    }

    /// The XMP packet matching the default Info dictionary, with
    /// `pdfaid:part` 1 and `pdfaid:conformance` B; `extra` is inserted into
    /// the `rdf:Description` (properties with their namespace declarations).
    pub fn default_xmp(extra: &str) -> String {
        format!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
<pdfaid:part>1</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n\
<pdf:Producer>{PRODUCER}</pdf:Producer>\n\
<xmp:CreateDate>2025-01-01T12:00:00+05:00</xmp:CreateDate>\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Fixture</rdf:li></rdf:Alt></dc:title>\n\
{extra}\
</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
        )
    }

    /// Writes the file.
    pub fn build(&self) -> Vec<u8> {
        // Assign one-byte codes to the distinct characters.
        let mut chars: Vec<char> = Vec::new();
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for line in self.text.split('\n') {
            let mut codes = Vec::new();
            for c in line.chars() {
                let pos = match chars.iter().position(|&x| x == c) {
                    Some(p) => p,
                    None if chars.len() < 255 => {
                        chars.push(c);
                        chars.len() - 1
                    }
                    None => chars.iter().position(|&x| x == '?').unwrap_or(0),
                };
                codes.push(u8::try_from(pos + 1).unwrap_or(1));
            }
            lines.push(codes);
        }
        if chars.is_empty() {
            chars.push(' ');
        }
        let mut content = self.content_prefix.clone();
        content.push_str("BT\n/F1 12 Tf\n14 TL\n72 770 Td\n");
        for (i, codes) in lines.iter().enumerate() {
            if i > 0 {
                content.push_str("T*\n");
            }
            content.push('<');
            for c in codes {
                let _ = write!(content, "{c:02X}");
            }
            content.push_str("> Tj\n");
        }
        content.push_str("ET\n");

        let mut differences = String::from("1");
        let mut widths = String::new();
        for c in &chars {
            differences.push_str(if c.is_whitespace() { " /sp" } else { " /box" });
            widths.push_str(if c.is_whitespace() { "300 " } else { "600 " });
        }
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n",
        );
        for chunk in chars.chunks(100).enumerate() {
            let (block, cs) = chunk;
            let _ = writeln!(cmap, "{} beginbfchar", cs.len());
            for (i, c) in cs.iter().enumerate() {
                let code = block * 100 + i + 1;
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                let _ = writeln!(cmap, "<{code:02X}> <{hex}>");
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");

        let xmp = self.xmp.clone().unwrap_or_else(|| Self::default_xmp(""));
        let icc = srgb_icc();
        let intent = if self.with_output_intent {
            "/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB) /DestOutputProfile 5 0 R >>] "
        } else {
            ""
        };
        let last = chars.len();
        let mut objects: Vec<Vec<u8>> = vec![
            format!("<< /Type /Catalog /Pages 3 0 R /Metadata 4 0 R {intent}{} >>", self.catalog_extra).into_bytes(),
            format!("<< {} >>", self.info).into_bytes(),
            b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>".to_vec(),
            stream(&format!("/Type /Metadata /Subtype /XML {}", self.metadata_extra), xmp.as_bytes(), 0),
            stream("/N 3", &icc, 0),
            format!(
                "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 8 0 R >> {} >> /Contents 7 0 R {} >>",
                self.resources_extra, self.page_extra
            )
            .into_bytes(),
            stream("", content.as_bytes(), self.content_length_delta),
            format!(
                "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /box 10 0 R /sp 11 0 R >> /Encoding << /Type /Encoding /Differences [{differences}] >> /FirstChar 1 /LastChar {last} /Widths [{widths}] /Resources << >> /ToUnicode 9 0 R {} >>",
                self.font_extra
            )
            .into_bytes(),
            stream("", cmap.as_bytes(), 0),
            stream("", b"600 0 0 0 500 700 d1\n60 0 440 700 re f\n", 0),
            stream("", b"300 0 0 0 0 0 d1\n", 0),
        ];
        for extra in &self.extra_objects {
            objects.push(extra.clone().into_bytes());
        }
        let mut out = self.header.clone();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref_at = out.len();
        out.extend_from_slice(
            format!(
                "xref{}0 {}\n0000000000 65535 f \n",
                self.xref_eol,
                objects.len() + 1
            )
            .as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        let id = if self.with_id {
            "/ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] "
        } else {
            ""
        };
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 2 0 R {id}{} >>\nstartxref\n{xref_at}\n%%EOF",
                objects.len() + 1,
                self.trailer_extra
            )
            .as_bytes(),
        );
        out.extend_from_slice(&self.after_eof);
        out
    }
}

/// A stream object body with `extra` dictionary entries.
pub fn stream(extra: &str, data: &[u8], length_delta: i64) -> Vec<u8> {
    let len = i64::try_from(data.len()).unwrap_or(0) + length_delta;
    let mut out = format!("<< {extra} /Length {len} >>\nstream\n").into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A minimal ICC version 2 display profile for an RGB colour space (sRGB
/// primaries, gamma 2.2), enough for the PDF/A-1 output intent (§6.2.2).
pub fn srgb_icc() -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        // s15Fixed16Number.
        let fixed = (v * 65536.0).round() as i32;
        fixed.to_be_bytes()
    }
    fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            t.extend_from_slice(&s15(v));
        }
        t
    }
    let mut desc = b"desc\0\0\0\0".to_vec();
    let name = b"archportal sRGB\0";
    desc.extend_from_slice(&u32::try_from(name.len()).unwrap_or(0).to_be_bytes());
    desc.extend_from_slice(name);
    desc.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);
    let curve = {
        let mut t = b"curv\0\0\0\0".to_vec();
        t.extend_from_slice(&1u32.to_be_bytes());
        t.extend_from_slice(&[0x02, 0x33, 0, 0]);
        t
    };
    let mut cprt = b"text\0\0\0\0".to_vec();
    cprt.extend_from_slice(b"No copyright, use freely\0");
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve.clone()),
        (b"gTRC", curve.clone()),
        (b"bTRC", curve),
        (b"cprt", cprt),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut entries = Vec::new();
    for (sig, body) in &tags {
        let offset = 128 + table_len + data.len();
        entries.push((*sig, offset, body.len()));
        data.extend_from_slice(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
    }
    let size = 128 + table_len + data.len();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&u32::try_from(size).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(b"\0\0\0\0");
    out.extend_from_slice(&[2, 0x10, 0, 0]);
    out.extend_from_slice(b"mntrRGB XYZ ");
    out.extend_from_slice(&[0x07, 0xE9, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(b"acsp");
    out.extend_from_slice(&[0; 4 + 4 + 4 + 4 + 8 + 4]);
    out.extend_from_slice(&s15(0.9642));
    out.extend_from_slice(&s15(1.0));
    out.extend_from_slice(&s15(0.8249));
    out.extend_from_slice(&[0; 4 + 16 + 28]);
    debug_assert_eq!(out.len(), 128);
    out.extend_from_slice(&u32::try_from(tags.len()).unwrap_or(0).to_be_bytes());
    for (sig, offset, len) in entries {
        out.extend_from_slice(sig);
        out.extend_from_slice(&u32::try_from(offset).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(&u32::try_from(len).unwrap_or(0).to_be_bytes());
    }
    out.extend_from_slice(&data);
    out
}
