//! Text extraction from page content streams (PDF 1.4 §5.3 text operators
//! `Tj`, `TJ`, `'`, `"`), decoded through the font's `ToUnicode` CMap
//! (§5.9) when present, else its simple encoding (`WinAnsiEncoding`,
//! `Differences`).

use super::content::{Operand, for_each_op};
use super::encoding::{glyph, win_ansi};
use super::{Limits, PdfError, Sink, Source, load_lean, syntax};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Extracts the text of every page, in page order, with the default [`Limits`].
///
/// Cyrillic (Kazakh, Russian) comes out right when the fonts carry a
/// `ToUnicode` map, as LibreOffice's and most producers' output does.
pub fn extract_text(bytes: &[u8]) -> Result<String, PdfError> {
    extract_text_with(bytes, &Limits::default())
}

/// [`extract_text`] with explicit limits.
pub fn extract_text_with(bytes: &[u8], limits: &Limits) -> Result<String, PdfError> {
    extract_inner(bytes, None, limits)
}

/// [`extract_text_with`] with memory bounded independently of the file's
/// size; `scratch` is a private writable copy of `bytes`, as for
/// [`super::inspect_lean`]. The text is the one [`extract_text_with`] gives.
pub fn extract_text_lean(
    bytes: &[u8],
    scratch: &mut [u8],
    limits: &Limits,
) -> Result<String, PdfError> {
    extract_inner(bytes, Some(scratch), limits)
}

fn extract_inner(
    bytes: &[u8],
    scratch: Option<&mut [u8]>,
    limits: &Limits,
) -> Result<String, PdfError> {
    let raw = match scratch {
        Some(_) => syntax::scan(bytes, limits, &mut Sink::default()),
        None => syntax::RawScan::default(),
    };
    let (doc, elided) = load_lean(bytes, scratch, &raw, limits).map_err(PdfError::Unreadable)?;
    let src = Source {
        bytes,
        elided: &elided,
    };
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    if doc.objects.len() > limits.max_objects {
        return Err(PdfError::TooLarge("objects"));
    }
    let mut ex = Extractor {
        doc: &doc,
        src,
        limits,
        fonts: HashMap::new(),
        out: String::new(),
        chars: 0,
    };
    for (_, page_id) in doc.get_pages() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let resources = inherited(&doc, page, b"Resources");
        let mut data = Vec::new();
        for id in doc.get_page_contents(page_id) {
            if let Ok(Object::Stream(s)) = doc.get_object(id) {
                let decoded = src
                    .plain(s, limits.max_stream_size)
                    .map_err(|_| PdfError::TooLarge("stream size"))?;
                if data.len() + decoded.len() > limits.max_stream_size {
                    return Err(PdfError::TooLarge("stream size"));
                }
                data.extend_from_slice(&decoded);
                data.push(b'\n');
            }
        }
        let mut seen = HashSet::new();
        ex.run(&data, resources, 0, &mut seen)?;
        ex.newline();
    }
    let lines: Vec<&str> = ex.out.lines().map(str::trim_end).collect();
    Ok(lines.join("\n").trim_end().to_owned())
}

/// A resource or attribute inherited through the page tree (`Parent`).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return deref(doc, v).and_then(|o| o.as_dict().ok());
        }
        let parent = node
            .get(b"Parent")
            .ok()
            .and_then(|p| deref(doc, p))
            .and_then(|o| o.as_dict().ok())?;
        node = parent;
    }
    None
}

pub(crate) fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// How the codes of one font map to Unicode.
#[derive(Debug, Default)]
struct FontDecoder {
    /// Code-space ranges (byte length, low, high) from the CMap.
    codespace: Vec<(usize, u32, u32)>,
    /// Two-byte codes when there is no code space (Type0 fonts).
    two_byte: bool,
    /// ToUnicode entries keyed by (byte length, code).
    map: HashMap<(usize, u32), String>,
    /// Simple-font encoding for one-byte codes.
    simple: Vec<Option<String>>,
}

/// Most ToUnicode entries kept for one font.
const MAX_CMAP_ENTRIES: usize = 1 << 17;

impl FontDecoder {
    fn new(doc: &Document, src: Source<'_>, font: &Dictionary, limits: &Limits) -> Self {
        let subtype = font
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let mut dec = FontDecoder {
            two_byte: subtype == b"Type0",
            ..Self::default()
        };
        if let Some(Object::Stream(s)) = font.get(b"ToUnicode").ok().and_then(|o| deref(doc, o))
            && let Ok(data) = src.plain(s, limits.max_stream_size)
        {
            dec.read_cmap(&data, limits);
        }
        if !dec.two_byte {
            dec.simple = (0..=255u8).map(|c| Some(win_ansi(c).to_string())).collect();
            let enc = font.get(b"Encoding").ok().and_then(|o| deref(doc, o));
            if let Some(Object::Dictionary(d)) = enc
                && let Ok(Object::Array(diffs)) = d.get(b"Differences")
            {
                let mut code: i64 = 0;
                for item in diffs {
                    match item {
                        Object::Integer(i) => code = *i,
                        Object::Name(n) => {
                            if let Ok(c) = usize::try_from(code)
                                && c < 256
                            {
                                dec.simple[c] = glyph(n);
                            }
                            code += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
        dec
    }

    fn read_cmap(&mut self, data: &[u8], limits: &Limits) {
        let code_of = |s: &[u8]| -> Option<(usize, u32)> {
            if s.is_empty() || s.len() > 4 {
                return None;
            }
            Some((
                s.len(),
                s.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)),
            ))
        };
        let utf16 = |s: &[u8]| -> String {
            let units: Vec<u16> = s
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        };
        let map = &mut self.map;
        let codespace = &mut self.codespace;
        for_each_op(data, limits.nesting(), |op, operands| {
            match op {
                b"endcodespacerange" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Operand::Str(lo), Operand::Str(hi)) = (&pair[0], &pair[1])
                            && let (Some((n, l)), Some((_, h))) = (code_of(lo), code_of(hi))
                        {
                            codespace.push((n, l, h));
                        }
                    }
                }
                b"endbfchar" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Operand::Str(src), Operand::Str(dst)) = (&pair[0], &pair[1])
                            && let Some(k) = code_of(src)
                        {
                            map.insert(k, utf16(dst));
                        }
                    }
                }
                b"endbfrange" => {
                    for triple in operands.chunks_exact(3) {
                        let (Operand::Str(lo), Operand::Str(hi)) = (&triple[0], &triple[1]) else {
                            continue;
                        };
                        let (Some((n, l)), Some((_, h))) = (code_of(lo), code_of(hi)) else {
                            continue;
                        };
                        if h < l {
                            continue;
                        }
                        match &triple[2] {
                            Operand::Str(dst) if !dst.is_empty() => {
                                let mut units: Vec<u16> = dst
                                    .chunks(2)
                                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                                    .collect();
                                for code in l..=h {
                                    if map.len() >= MAX_CMAP_ENTRIES {
                                        break;
                                    }
                                    map.insert((n, code), String::from_utf16_lossy(&units));
                                    if let Some(last) = units.last_mut() {
                                        *last = last.wrapping_add(1);
                                    }
                                }
                            }
                            Operand::Array(items) => {
                                for (code, item) in (l..=h).zip(items) {
                                    if let Operand::Str(dst) = item {
                                        map.insert((n, code), utf16(dst));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            map.len() < MAX_CMAP_ENTRIES
        });
    }

    fn decode(&self, bytes: &[u8], out: &mut String) {
        let mut p = 0;
        while p < bytes.len() {
            let n = self.code_len(&bytes[p..]);
            let end = (p + n).min(bytes.len());
            let code = bytes[p..end]
                .iter()
                .fold(0u32, |a, &b| (a << 8) | u32::from(b));
            if let Some(s) = self.map.get(&(end - p, code)) {
                out.extend(s.chars().filter(|&c| c != '\0'));
            } else if !self.two_byte && end - p == 1 {
                if let Some(Some(s)) = self.simple.get(usize::from(bytes[p])) {
                    out.push_str(s);
                }
            } else {
                out.push('\u{FFFD}');
            }
            p = end;
        }
    }

    fn code_len(&self, rest: &[u8]) -> usize {
        if !self.codespace.is_empty() {
            for n in 1..=4 {
                if rest.len() < n {
                    break;
                }
                let code = rest[..n].iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
                if self
                    .codespace
                    .iter()
                    .any(|&(len, lo, hi)| len == n && (lo..=hi).contains(&code))
                {
                    return n;
                }
            }
        }
        if self.two_byte { 2 } else { 1 }
    }
}

struct Extractor<'a> {
    doc: &'a Document,
    src: Source<'a>,
    limits: &'a Limits,
    fonts: HashMap<ObjectId, Rc<FontDecoder>>,
    out: String,
    chars: usize,
}

impl Extractor<'_> {
    fn newline(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn space(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with(char::is_whitespace) {
            self.out.push(' ');
        }
    }

    fn font(&mut self, resources: Option<&Dictionary>, name: &[u8]) -> Option<Rc<FontDecoder>> {
        let fonts = resources?
            .get(b"Font")
            .ok()
            .and_then(|o| deref(self.doc, o))?
            .as_dict()
            .ok()?;
        let entry = fonts.get(name).ok()?;
        let key = match entry {
            Object::Reference(id) => *id,
            _ => (0, 0),
        };
        if key != (0, 0)
            && let Some(d) = self.fonts.get(&key)
        {
            return Some(Rc::clone(d));
        }
        let dict = deref(self.doc, entry)?.as_dict().ok()?;
        let dec = Rc::new(FontDecoder::new(self.doc, self.src, dict, self.limits));
        if key != (0, 0) {
            self.fonts.insert(key, Rc::clone(&dec));
        }
        Some(dec)
    }

    fn run(
        &mut self,
        data: &[u8],
        resources: Option<&Dictionary>,
        depth: usize,
        seen: &mut HashSet<ObjectId>,
    ) -> Result<(), PdfError> {
        let mut font: Option<Rc<FontDecoder>> = None;
        let mut forms: Vec<ObjectId> = Vec::new();
        let mut last_y: Option<f64> = None;
        let mut error = None;
        for_each_op(data, self.limits.nesting(), |op, operands| {
            match op {
                b"Tf" => {
                    if let Some(Operand::Name(n)) = operands.first() {
                        font = self.font(resources, n);
                    }
                }
                b"Tj" | b"'" | b"\"" => {
                    if op != b"Tj" {
                        self.newline();
                    }
                    if let (Some(Operand::Str(s)), Some(f)) = (operands.last(), &font) {
                        f.decode(s, &mut self.out);
                    }
                }
                b"TJ" => {
                    if let (Some(Operand::Array(items)), Some(f)) = (operands.first(), &font) {
                        for item in items {
                            match item {
                                Operand::Str(s) => f.decode(s, &mut self.out),
                                other => {
                                    if other.num().is_some_and(|n| n < -250.0) {
                                        self.space();
                                    }
                                }
                            }
                        }
                    }
                }
                b"Td" | b"TD" => {
                    let tx = operands.first().and_then(Operand::num).unwrap_or(0.0);
                    let ty = operands.get(1).and_then(Operand::num).unwrap_or(0.0);
                    if ty.abs() > 0.01 {
                        self.newline();
                    } else if tx.abs() > 0.01 {
                        self.space();
                    }
                }
                b"T*" => self.newline(),
                b"Tm" => {
                    let y = operands.get(5).and_then(Operand::num);
                    if let (Some(y), Some(prev)) = (y, last_y) {
                        if (y - prev).abs() > 0.01 {
                            self.newline();
                        } else {
                            self.space();
                        }
                    }
                    last_y = y;
                }
                b"ET" => {}
                b"BT" if last_y.is_none() => {
                    self.space();
                }
                b"Do" => {
                    if let Some(Operand::Name(n)) = operands.first() {
                        let id = resources
                            .and_then(|r| r.get(b"XObject").ok())
                            .and_then(|o| deref(self.doc, o))
                            .and_then(|o| o.as_dict().ok())
                            .and_then(|x| x.get(n).ok())
                            .and_then(|o| o.as_reference().ok());
                        if let Some(id) = id {
                            forms.push(id);
                        }
                    }
                }
                _ => {}
            }
            self.chars = self.out.len();
            if self.chars > self.limits.max_text_chars {
                error = Some(PdfError::TooLarge("extracted text"));
                return false;
            }
            true
        });
        if let Some(e) = error {
            return Err(e);
        }
        if depth >= 8 {
            return Ok(());
        }
        for id in forms {
            if !seen.insert(id) {
                continue;
            }
            let doc = self.doc;
            let Ok(Object::Stream(s)) = doc.get_object(id) else {
                continue;
            };
            if s.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
                continue;
            }
            let Ok(data) = self.src.plain(s, self.limits.max_stream_size) else {
                continue;
            };
            let res = s
                .dict
                .get(b"Resources")
                .ok()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok())
                .or(resources);
            self.run(&data, res, depth + 1, seen)?;
        }
        Ok(())
    }
}
