//! Raw-byte pass over the file syntax that a tolerant parser such as `lopdf`
//! accepts silently: ISO 19005-1 §6.1.2 header, §6.1.3 trailer and end of
//! file, §6.1.4 cross-reference table, §6.1.6 hexadecimal strings, §6.1.7
//! stream keywords and `Length`, §6.1.8 indirect object spacing and §6.1.12
//! implementation limits. One linear pass; stream data is skipped by its
//! `Length` and never decoded.

use super::{Limits, MAX_INDIRECT_OBJECTS, Sink, obj_ref};
use crate::conformance::Finding;
use std::collections::HashMap;

/// PDF 1.4 Table C.1 limits cited by ISO 19005-1 §6.1.12.
const MAX_INT: i64 = 2_147_483_647;
const MIN_INT: i64 = -2_147_483_648;
const MAX_REAL: f64 = 32_767.0;
const MAX_STRING: usize = 65_535;
const MAX_NAME: usize = 127;
const MAX_ARRAY: usize = 8_191;
const MAX_DICT: usize = 4_095;

/// A stream whose `Length` is an indirect object that could not be resolved
/// during the raw pass; the object pass compares it once the value is known.
#[derive(Debug, Clone)]
pub(crate) struct DeferredLength {
    /// The stream object.
    pub stream: (u32, u16),
    /// The object holding its `Length`.
    pub length_ref: (u32, u16),
    /// Offset of the first data byte.
    pub data_start: usize,
}

/// A well-formed stream with a direct `Length` whose data the parser need
/// not copy: the object pass reads it from the file's bytes when (and only
/// when) it must decode it (see [`super::Limits::elide_streams_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elidable {
    /// Byte range of the `Length` value's integer token.
    pub length_token: (usize, usize),
    /// Offset of the first data byte.
    pub data_start: usize,
    /// The number of data bytes (the `Length`, which matches the data).
    pub len: usize,
}

/// What the object pass needs from the raw pass.
#[derive(Debug, Default)]
pub(crate) struct RawScan {
    /// False when the file must not be handed to the parser (no PDF header,
    /// nesting or object count beyond the limits).
    pub parseable: bool,
    /// True when some trailer has `Encrypt`.
    pub encrypted: bool,
    /// For every trailer dictionary, in file order: does it have `ID`?
    pub trailer_ids: Vec<bool>,
    /// True when the first object is a linearization dictionary.
    pub linearized: bool,
    /// True when a classic `xref` table was found.
    pub has_xref_table: bool,
    /// Streams with indirect `Length` to compare in the object pass.
    pub deferred: Vec<DeferredLength>,
    /// Streams of at least [`super::Limits::elide_streams_from`] bytes that the
    /// parser may leave unread (not cross-reference or object streams).
    pub elidable: Vec<Elidable>,
}

/// Runs the raw pass.
pub(crate) fn scan(b: &[u8], limits: &Limits, sink: &mut Sink) -> RawScan {
    let mut out = RawScan {
        parseable: true,
        ..RawScan::default()
    };
    if !header(b, sink) {
        out.parseable = false;
        return out;
    }
    end_of_file(b, sink);
    let offsets = xref_offsets(b);
    let mut s = Scanner {
        b,
        pos: 0,
        max_depth: limits.nesting(),
        sink,
        out,
        stack: Vec::new(),
        ctx: Ctx::Top,
        top: TopDict::default(),
        objects: 0,
        first_object: true,
        offsets,
        elide_from: limits.elide_streams_from,
        last_int: (0, 0),
    };
    s.run();
    if s.objects > MAX_INDIRECT_OBJECTS {
        s.sink.push(
            "object-count",
            Finding::new(
                "6.1.12",
                format!(
                    "the file has {} indirect objects; at most {MAX_INDIRECT_OBJECTS} are allowed",
                    s.objects
                ),
            ),
        );
    }
    if s.objects > limits.max_objects {
        s.sink.push(
            "objects",
            Finding::new(
                "6.1",
                format!(
                    "the file has {} objects, more than the checker's limit of {}; not checked further",
                    s.objects, limits.max_objects
                ),
            ),
        );
        s.out.parseable = false;
    }
    if s.out.encrypted {
        s.out.parseable = s.out.parseable && !s.out.trailer_ids.is_empty();
    }
    s.out
}

/// ISO 19005-1 §6.1.2: `%PDF-n.m` at byte 0, then a comment of at least four
/// bytes above 127. Returns false when the bytes hold no PDF header at all.
fn header(b: &[u8], sink: &mut Sink) -> bool {
    let well_formed =
        |h: &[u8]| h.len() >= 8 && h[5].is_ascii_digit() && h[6] == b'.' && h[7].is_ascii_digit();
    if !b.starts_with(b"%PDF-") {
        let head = &b[..b.len().min(1024)];
        let found = find(head, b"%PDF-", 0);
        match found {
            Some(at) => sink.push(
                "header",
                Finding::new(
                    "6.1.2",
                    format!("the %PDF header starts at byte {at}, not at byte 0"),
                ),
            ),
            None => {
                sink.push(
                    "header",
                    Finding::new("6.1.2", "the file has no %PDF header: it is not a PDF file"),
                );
                return false;
            }
        }
        return true;
    }
    if !well_formed(b) {
        sink.push(
            "header",
            Finding::new("6.1.2", "the header is not of the form %PDF-n.m"),
        );
    }
    let mut p = 5;
    while p < b.len() && b[p] != b'\r' && b[p] != b'\n' {
        p += 1;
    }
    p = skip_eol(b, p);
    let comment = &b[p.min(b.len())..];
    let binary = comment.first() == Some(&b'%')
        && comment.len() >= 5
        && comment[1..5].iter().all(|&c| c > 127);
    if !binary {
        sink.push(
            "binary-comment",
            Finding::new(
                "6.1.2",
                "the header is not followed by a comment of at least four bytes with values above 127",
            ),
        );
    }
    true
}

/// ISO 19005-1 §6.1.3: nothing but a single optional EOL after the last `%%EOF`.
fn end_of_file(b: &[u8], sink: &mut Sink) {
    match rfind(b, b"%%EOF") {
        None => sink.push(
            "eof",
            Finding::new("6.1.3", "the file has no %%EOF end-of-file marker"),
        ),
        Some(at) => {
            let tail = &b[at + 5..];
            if !matches!(tail, b"" | b"\n" | b"\r" | b"\r\n") {
                sink.push(
                    "eof",
                    Finding::new(
                        "6.1.3",
                        format!(
                            "{} bytes follow the last %%EOF marker; at most one EOL is allowed",
                            tail.len()
                        ),
                    ),
                );
            }
        }
    }
}

/// Object offsets from the classic cross-reference tables reached from the
/// last `startxref` (newest first), used only to resolve indirect `Length`s.
fn xref_offsets(b: &[u8]) -> HashMap<u32, usize> {
    let mut map = HashMap::new();
    let tail_start = b.len().saturating_sub(2048);
    let Some(sx) = rfind(&b[tail_start..], b"startxref") else {
        return map;
    };
    let mut p = skip_ws(b, tail_start + sx + 9);
    let Some((mut offset, _)) = unsigned(b, p) else {
        return map;
    };
    let mut sections = 0;
    while sections < 64 {
        sections += 1;
        let Ok(start) = usize::try_from(offset) else {
            break;
        };
        if !b.get(start..).is_some_and(|r| r.starts_with(b"xref")) {
            break;
        }
        p = skip_ws(b, start + 4);
        while let Some((first, q)) = unsigned(b, p) {
            let q = skip_ws(b, q);
            let Some((count, q)) = unsigned(b, q) else {
                break;
            };
            p = skip_ws(b, q);
            let count = count.min(b.len() as u64 / 18);
            for i in 0..count {
                let Some((off, q)) = unsigned(b, p) else {
                    break;
                };
                let q = skip_ws(b, q);
                let Some((_gen, q)) = unsigned(b, q) else {
                    break;
                };
                let q = skip_ws(b, q);
                let kind = b.get(q).copied();
                p = skip_ws(b, q + 1);
                let Ok(num) = u32::try_from(first + i) else {
                    break;
                };
                if kind == Some(b'n')
                    && let Ok(off) = usize::try_from(off)
                {
                    map.entry(num).or_insert(off);
                }
            }
        }
        // The trailer of this section: follow /Prev.
        let Some(t) = find(b, b"trailer", p) else {
            break;
        };
        let end = find(b, b">>", t).unwrap_or(b.len()).min(t + 4096);
        let Some(prev) = find(&b[t..end], b"/Prev", 0) else {
            break;
        };
        let q = skip_ws(b, t + prev + 5);
        match unsigned(b, q) {
            Some((o, _)) => offset = o,
            None => break,
        }
    }
    map
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Object((u32, u16)),
    Trailer,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    dict: bool,
    count: usize,
}

#[derive(Debug, Default)]
enum LengthValue {
    #[default]
    Missing,
    Direct(i64),
    Ref((u32, u16)),
    Other,
}

/// Keys of the outermost dictionary of the current object or trailer.
#[derive(Debug, Default)]
struct TopDict {
    key: Option<Vec<u8>>,
    length: LengthValue,
    /// Byte range of the `Length` value when it is a direct integer.
    length_token: Option<(usize, usize)>,
    /// The `Type` name.
    type_name: Option<Vec<u8>>,
    has_id: bool,
    has_encrypt: bool,
}

enum Elem {
    Int(i64),
    Ref((u32, u16)),
    Name(Vec<u8>),
    Other,
}

struct Scanner<'a, 's> {
    b: &'a [u8],
    pos: usize,
    max_depth: usize,
    sink: &'s mut Sink,
    out: RawScan,
    stack: Vec<Frame>,
    ctx: Ctx,
    top: TopDict,
    objects: usize,
    first_object: bool,
    offsets: HashMap<u32, usize>,
    /// Streams of at least this many bytes are recorded as elidable.
    elide_from: usize,
    /// Byte range of the last integer token read.
    last_int: (usize, usize),
}

impl Scanner<'_, '_> {
    fn here(&self) -> Option<String> {
        match self.ctx {
            Ctx::Object(id) => Some(obj_ref(id)),
            Ctx::Trailer => Some("trailer".to_owned()),
            Ctx::Top => None,
        }
    }

    fn finding(&mut self, kind: &'static str, clause: &str, message: String) {
        let f = match self.here() {
            Some(at) => Finding::at(clause, message, at),
            None => Finding::new(clause, message),
        };
        self.sink.push(kind, f);
    }

    fn run(&mut self) {
        let b = self.b;
        while self.pos < b.len() {
            let c = b[self.pos];
            match c {
                0 | 9 | 10 | 12 | 13 | 32 => self.pos += 1,
                b'%' => {
                    while self.pos < b.len() && b[self.pos] != b'\n' && b[self.pos] != b'\r' {
                        self.pos += 1;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    if !self.open(false) {
                        return;
                    }
                }
                b']' => {
                    self.pos += 1;
                    self.close();
                }
                b'<' if b.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    if !self.open(true) {
                        return;
                    }
                }
                b'>' if b.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    self.close();
                }
                b'<' => self.hex_string(),
                b'(' => self.literal_string(),
                b'/' => self.name(),
                b'+' | b'-' | b'.' | b'0'..=b'9' => self.number(),
                b')' | b'>' | b'{' | b'}' => self.pos += 1,
                _ => {
                    let start = self.pos;
                    while self.pos < b.len() && is_regular(b[self.pos]) {
                        self.pos += 1;
                    }
                    let word = &b[start..self.pos];
                    if !self.keyword(start, word) {
                        return;
                    }
                }
            }
        }
    }

    /// Opens an array or dictionary; false when the nesting limit is passed.
    fn open(&mut self, dict: bool) -> bool {
        self.element(Elem::Other);
        self.stack.push(Frame { dict, count: 0 });
        if self.stack.len() > self.max_depth {
            self.finding(
                "nesting",
                "6.1",
                format!(
                    "arrays and dictionaries nest deeper than the checker's limit of {}; not checked further",
                    self.max_depth
                ),
            );
            self.out.parseable = false;
            return false;
        }
        true
    }

    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        if frame.dict && frame.count / 2 > MAX_DICT {
            let n = frame.count / 2;
            self.finding(
                "dict-size",
                "6.1.12",
                format!("a dictionary has {n} entries; at most {MAX_DICT} are allowed"),
            );
        } else if !frame.dict && frame.count > MAX_ARRAY {
            let n = frame.count;
            self.finding(
                "array-size",
                "6.1.12",
                format!("an array has {n} elements; at most {MAX_ARRAY} are allowed"),
            );
        }
        if self.stack.is_empty() && self.ctx == Ctx::Trailer {
            self.out.trailer_ids.push(self.top.has_id);
            if self.top.has_encrypt {
                self.out.encrypted = true;
                self.finding(
                    "encrypt",
                    "6.1.3",
                    "the trailer has an Encrypt entry: encryption is not allowed".to_owned(),
                );
            }
            self.ctx = Ctx::Top;
        }
    }

    /// Records one element of the enclosing container.
    fn element(&mut self, e: Elem) {
        let depth = self.stack.len();
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let index = frame.count;
        frame.count += 1;
        if depth != 1 || !frame.dict {
            return;
        }
        if index % 2 == 0 {
            if let Elem::Name(n) = e {
                match n.as_slice() {
                    b"ID" => self.top.has_id = true,
                    b"Encrypt" => self.top.has_encrypt = true,
                    b"Linearized" if self.first_object => self.out.linearized = true,
                    _ => {}
                }
                self.top.key = Some(n);
            }
        } else if let Some(key) = self.top.key.take() {
            if key == b"Length" {
                self.top.length_token = None;
                self.top.length = match e {
                    Elem::Int(v) => {
                        self.top.length_token = Some(self.last_int);
                        LengthValue::Direct(v)
                    }
                    Elem::Ref(r) => LengthValue::Ref(r),
                    _ => LengthValue::Other,
                };
            } else if key == b"Type" {
                self.top.type_name = match e {
                    Elem::Name(n) => Some(n),
                    _ => None,
                };
            }
        }
    }

    fn name(&mut self) {
        let b = self.b;
        self.pos += 1;
        let mut decoded = Vec::new();
        while self.pos < b.len() && is_regular(b[self.pos]) {
            let c = b[self.pos];
            let hi = b.get(self.pos + 1).and_then(|&x| hex_val(x));
            let lo = b.get(self.pos + 2).and_then(|&x| hex_val(x));
            if let (b'#', Some(hi), Some(lo)) = (c, hi, lo) {
                decoded.push(hi * 16 + lo);
                self.pos += 3;
            } else {
                decoded.push(c);
                self.pos += 1;
            }
        }
        if decoded.len() > MAX_NAME {
            let n = decoded.len();
            self.finding(
                "name-length",
                "6.1.12",
                format!("a name is {n} bytes long; at most {MAX_NAME} are allowed"),
            );
        }
        self.element(Elem::Name(decoded));
    }

    fn number(&mut self) {
        let b = self.b;
        let start = self.pos;
        let mut p = self.pos;
        if matches!(b[p], b'+' | b'-') {
            p += 1;
        }
        let mut dot = false;
        let mut digits = 0usize;
        while p < b.len() {
            match b[p] {
                b'0'..=b'9' => digits += 1,
                b'.' if !dot => dot = true,
                _ => break,
            }
            p += 1;
        }
        self.pos = p.max(start + 1);
        let text = &b[start..p];
        if digits == 0 {
            self.element(Elem::Other);
            return;
        }
        if dot {
            let v: f64 = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0.0);
            if v.abs() > MAX_REAL {
                self.finding(
                    "real",
                    "6.1.12",
                    format!("the real number {v} exceeds ±{MAX_REAL}"),
                );
            }
            self.element(Elem::Other);
            return;
        }
        let significant = text
            .iter()
            .skip_while(|c| matches!(c, b'+' | b'-' | b'0'))
            .count();
        let value: i64 = if significant > 12 {
            if text[0] == b'-' { i64::MIN } else { i64::MAX }
        } else {
            std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0)
        };
        if !(MIN_INT..=MAX_INT).contains(&value) {
            let shown = String::from_utf8_lossy(text).into_owned();
            self.finding(
                "integer",
                "6.1.12",
                format!("the integer {shown} is outside the 32-bit range"),
            );
        }
        let unsigned_int = text[0].is_ascii_digit();
        if unsigned_int
            && (0..=i64::from(u32::MAX)).contains(&value)
            && let Some((gen_start, generation, kw_start, kw_end)) = self.ref_tail(p)
        {
            let word = &b[kw_start..kw_end];
            let num = u32::try_from(value).unwrap_or(0);
            if word == b"R" {
                self.pos = kw_end;
                self.element(Elem::Ref((num, generation)));
                return;
            }
            if word == b"obj" && self.stack.is_empty() {
                self.pos = kw_end;
                self.object_header(start, p, gen_start, kw_start, (num, generation));
                return;
            }
        }
        self.last_int = (start, p);
        self.element(Elem::Int(value));
    }

    /// After an unsigned integer ending at `p`: `generation` and a keyword?
    fn ref_tail(&self, p: usize) -> Option<(usize, u16, usize, usize)> {
        let b = self.b;
        let g = skip_ws(b, p);
        if g == p {
            return None;
        }
        let mut q = g;
        while q < b.len() && b[q].is_ascii_digit() && q - g < 6 {
            q += 1;
        }
        if q == g || b.get(q).is_some_and(|&c| is_regular(c)) {
            return None;
        }
        let generation: u16 = std::str::from_utf8(&b[g..q]).ok()?.parse().ok()?;
        let k = skip_ws(b, q);
        if k == q {
            return None;
        }
        let mut e = k;
        while e < b.len() && is_regular(b[e]) && e - k < 4 {
            e += 1;
        }
        if b.get(e).is_some_and(|&c| is_regular(c)) {
            return None;
        }
        match &b[k..e] {
            b"R" | b"obj" => Some((g, generation, k, e)),
            _ => None,
        }
    }

    /// ISO 19005-1 §6.1.8: `N G obj` with single spaces, preceded by an EOL
    /// and followed by one.
    fn object_header(
        &mut self,
        num_start: usize,
        num_end: usize,
        gen_start: usize,
        kw_start: usize,
        id: (u32, u16),
    ) {
        let b = self.b;
        self.ctx = Ctx::Object(id);
        self.top = TopDict::default();
        self.stack.clear();
        self.objects += 1;
        let gen_end = {
            let mut q = gen_start;
            while q < b.len() && b[q].is_ascii_digit() {
                q += 1;
            }
            q
        };
        let eol_before = num_start == 0 || matches!(b[num_start - 1], b'\r' | b'\n');
        let single = gen_start == num_end + 1 && kw_start == gen_end + 1;
        let eol_after = matches!(b.get(kw_start + 3), Some(b'\r' | b'\n'));
        if !(eol_before && single && eol_after) {
            self.finding(
                "obj-spacing",
                "6.1.8",
                "the object header is not 'N G obj' with single spaces between EOL markers"
                    .to_owned(),
            );
        }
    }

    /// Handles a keyword; false stops the scan.
    fn keyword(&mut self, start: usize, word: &[u8]) -> bool {
        let b = self.b;
        match word {
            b"endobj" => {
                if matches!(self.ctx, Ctx::Object(_)) {
                    let before = start > 0 && matches!(b[start - 1], b'\r' | b'\n');
                    let after = matches!(b.get(self.pos), None | Some(b'\r' | b'\n'));
                    if !(before && after) {
                        self.finding(
                            "endobj-spacing",
                            "6.1.8",
                            "the endobj keyword is not preceded and followed by an EOL marker"
                                .to_owned(),
                        );
                    }
                    self.ctx = Ctx::Top;
                    self.first_object = false;
                    self.stack.clear();
                }
            }
            b"stream" => {
                if let Ctx::Object(id) = self.ctx
                    && self.stack.is_empty()
                {
                    return self.stream(id);
                }
                self.element(Elem::Other);
            }
            b"xref" if self.ctx == Ctx::Top => {
                self.out.has_xref_table = true;
                self.xref_table();
            }
            b"trailer" => {
                self.ctx = Ctx::Trailer;
                self.top = TopDict::default();
                self.stack.clear();
            }
            b"startxref" | b"endstream" => {}
            _ => self.element(Elem::Other),
        }
        true
    }

    /// ISO 19005-1 §6.1.7: `stream` followed by CRLF or LF, data of exactly
    /// `Length` bytes, an EOL, then `endstream`.
    fn stream(&mut self, id: (u32, u16)) -> bool {
        let b = self.b;
        let p = self.pos;
        let data = match (b.get(p), b.get(p + 1)) {
            (Some(b'\r'), Some(b'\n')) => p + 2,
            (Some(b'\n'), _) => p + 1,
            (Some(b'\r'), _) => {
                self.finding(
                    "stream-eol",
                    "6.1.7",
                    "the stream keyword is followed by CR alone, not CRLF or LF".to_owned(),
                );
                p + 1
            }
            _ => {
                self.finding(
                    "stream-eol",
                    "6.1.7",
                    "the stream keyword is not followed by CRLF or LF".to_owned(),
                );
                skip_ws(b, p)
            }
        };
        let length = std::mem::take(&mut self.top.length);
        let length_token = self.top.length_token.take();
        let type_name = self.top.type_name.take();
        let declared = match length {
            LengthValue::Direct(v) => Some(v),
            LengthValue::Ref(r) => self.resolve_length(r),
            _ => None,
        };
        if let Some(len) = declared.and_then(|v| usize::try_from(v).ok())
            && let Some(end) = data.checked_add(len)
            && let Some(after) = endstream_after(b, end)
        {
            // The token must end at whitespace or a delimiter: `load_lean`
            // overwrites it with a name, and a name would run on into
            // regular bytes after it (`/Length 512\x9b…` parses as no
            // dictionary, `/LLL\x9b…` as one), so the lean parse would see
            // a stream the full parse does not (found by fuzzing pdfa_check).
            if len >= self.elide_from
                && let (LengthValue::Direct(_), Some(token)) = (&length, length_token)
                && b.get(token.1).is_none_or(|&c| is_ws(c) || is_delim(c))
                && !matches!(type_name.as_deref(), Some(b"XRef" | b"ObjStm"))
            {
                self.out.elidable.push(Elidable {
                    length_token: token,
                    data_start: data,
                    len,
                });
            }
            self.pos = after;
            return true;
        }
        // The declared length is wrong or unknown: find endstream.
        let Some(e) = find(b, b"endstream", data) else {
            self.finding(
                "stream-end",
                "6.1.7",
                "the stream has no endstream keyword".to_owned(),
            );
            return false;
        };
        let actual_end = if e >= data + 2 && &b[e - 2..e] == b"\r\n" {
            e - 2
        } else if e > data && matches!(b[e - 1], b'\r' | b'\n') {
            e - 1
        } else {
            self.finding(
                "endstream-eol",
                "6.1.7",
                "the endstream keyword is not preceded by an EOL marker".to_owned(),
            );
            e
        };
        let actual = actual_end - data;
        match (length, declared) {
            (LengthValue::Ref(r), None) => {
                self.out.deferred.push(DeferredLength {
                    stream: id,
                    length_ref: r,
                    data_start: data,
                });
            }
            (_, Some(v)) => self.finding(
                "stream-length",
                "6.1.7",
                format!("the stream Length is {v} but the stream has {actual} bytes"),
            ),
            _ => self.finding(
                "stream-length",
                "6.1.7",
                "the stream has no valid Length entry".to_owned(),
            ),
        }
        self.pos = e + 9;
        true
    }

    /// Reads the integer object `r` at its cross-reference offset.
    fn resolve_length(&self, r: (u32, u16)) -> Option<i64> {
        let b = self.b;
        let &off = self.offsets.get(&r.0)?;
        let (num, p) = unsigned(b, off)?;
        if num != u64::from(r.0) {
            return None;
        }
        let p = skip_ws(b, p);
        let (_, p) = unsigned(b, p)?;
        let p = skip_ws(b, p);
        if !b.get(p..)?.starts_with(b"obj") {
            return None;
        }
        let p = skip_ws(b, p + 3);
        let (v, _) = unsigned(b, p)?;
        i64::try_from(v).ok()
    }

    /// ISO 19005-1 §6.1.4: `xref`, a single EOL, subsection headers of two
    /// numbers separated by one space, and 20-byte entries.
    fn xref_table(&mut self) {
        let b = self.b;
        let mut p = self.pos;
        let after = skip_eol(b, p);
        if after == p || !b.get(after).is_some_and(u8::is_ascii_digit) {
            self.finding(
                "xref-eol",
                "6.1.4",
                "the xref keyword is not followed by a single EOL marker and a subsection header"
                    .to_owned(),
            );
        }
        p = skip_ws(b, p);
        let mut guard = 0usize;
        loop {
            guard += 1;
            if guard > 1_000_000 || p >= b.len() || !b[p].is_ascii_digit() {
                break;
            }
            let Some((_, q)) = unsigned(b, p) else { break };
            let r = skip_ws(b, q);
            let Some((count, s)) = unsigned(b, r) else {
                break;
            };
            if !(r == q + 1 && b[q] == b' ') {
                self.finding(
                    "xref-header",
                    "6.1.4",
                    "a cross-reference subsection header is not two numbers separated by a single space".to_owned(),
                );
            }
            p = skip_ws(b, s);
            let count = usize::try_from(count)
                .unwrap_or(usize::MAX)
                .min(b.len().saturating_sub(p) / 20 + 1);
            for _ in 0..count {
                if xref_entry_ok(b, p) {
                    p += 20;
                } else {
                    self.finding(
                        "xref-entry",
                        "6.1.4",
                        "a cross-reference entry is not 20 bytes 'nnnnnnnnnn ggggg n' ending in a 2-byte EOL".to_owned(),
                    );
                    while p < b.len() && b[p] != b'\n' && b[p] != b'\r' {
                        p += 1;
                    }
                    p = skip_ws(b, p);
                }
            }
            p = skip_ws(b, p);
        }
        self.pos = p;
    }

    fn hex_string(&mut self) {
        let b = self.b;
        let mut p = self.pos + 1;
        let mut digits = 0usize;
        let mut bad = false;
        while p < b.len() && b[p] != b'>' {
            let c = b[p];
            if hex_val(c).is_some() {
                digits += 1;
            } else if !is_ws(c) {
                bad = true;
            }
            p += 1;
        }
        self.pos = (p + 1).min(b.len());
        if bad {
            self.finding(
                "hex-chars",
                "6.1.6",
                "a hexadecimal string contains characters other than 0-9, A-F, a-f and white space"
                    .to_owned(),
            );
        }
        if !digits.is_multiple_of(2) {
            self.finding(
                "hex-odd",
                "6.1.6",
                "a hexadecimal string has an odd number of hexadecimal digits".to_owned(),
            );
        }
        if digits.div_ceil(2) > MAX_STRING {
            let n = digits.div_ceil(2);
            self.finding(
                "string-length",
                "6.1.12",
                format!("a string is {n} bytes long; at most {MAX_STRING} are allowed"),
            );
        }
        self.element(Elem::Other);
    }

    fn literal_string(&mut self) {
        let b = self.b;
        let mut p = self.pos + 1;
        let mut depth = 1usize;
        let mut len = 0usize;
        while p < b.len() {
            match b[p] {
                b'\\' => {
                    p += 1;
                    match b.get(p) {
                        Some(b'0'..=b'7') => {
                            let mut k = 0;
                            while k < 3 && b.get(p).is_some_and(|c| (b'0'..=b'7').contains(c)) {
                                p += 1;
                                k += 1;
                            }
                            len += 1;
                        }
                        Some(b'\r') => {
                            p += 1;
                            if b.get(p) == Some(&b'\n') {
                                p += 1;
                            }
                        }
                        Some(b'\n') => p += 1,
                        Some(_) => {
                            p += 1;
                            len += 1;
                        }
                        None => {}
                    }
                }
                b'(' => {
                    depth += 1;
                    len += 1;
                    p += 1;
                }
                b')' => {
                    depth -= 1;
                    p += 1;
                    if depth == 0 {
                        break;
                    }
                    len += 1;
                }
                _ => {
                    len += 1;
                    p += 1;
                }
            }
        }
        self.pos = p;
        if len > MAX_STRING {
            self.finding(
                "string-length",
                "6.1.12",
                format!("a string is {len} bytes long; at most {MAX_STRING} are allowed"),
            );
        }
        self.element(Elem::Other);
    }
}

/// Position after `EOL endstream` when it starts at `end`.
pub(crate) fn endstream_after(b: &[u8], end: usize) -> Option<usize> {
    let rest = b.get(end..)?;
    for eol in [&b"\r\n"[..], b"\n", b"\r"] {
        if rest.starts_with(eol) && rest[eol.len()..].starts_with(b"endstream") {
            return Some(end + eol.len() + 9);
        }
    }
    None
}

fn xref_entry_ok(b: &[u8], p: usize) -> bool {
    let Some(e) = b.get(p..p + 20) else {
        return false;
    };
    e[..10].iter().all(u8::is_ascii_digit)
        && e[10] == b' '
        && e[11..16].iter().all(u8::is_ascii_digit)
        && e[16] == b' '
        && matches!(e[17], b'n' | b'f')
        && matches!(&e[18..20], b" \r" | b" \n" | b"\r\n")
}

pub(crate) fn is_ws(c: u8) -> bool {
    matches!(c, 0 | 9 | 10 | 12 | 13 | 32)
}

pub(crate) fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

pub(crate) fn is_regular(c: u8) -> bool {
    !is_ws(c) && !is_delim(c)
}

pub(crate) fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn skip_ws(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && is_ws(b[p]) {
        p += 1;
    }
    p
}

fn skip_eol(b: &[u8], p: usize) -> usize {
    match (b.get(p), b.get(p + 1)) {
        (Some(b'\r'), Some(b'\n')) => p + 2,
        (Some(b'\r' | b'\n'), _) => p + 1,
        _ => p,
    }
}

/// An unsigned decimal integer at `p` (at most 19 digits) and the position after it.
fn unsigned(b: &[u8], p: usize) -> Option<(u64, usize)> {
    let mut q = p;
    let mut v: u64 = 0;
    while q < b.len() && b[q].is_ascii_digit() {
        if q - p >= 19 {
            return None;
        }
        v = v * 10 + u64::from(b[q] - b'0');
        q += 1;
    }
    (q > p).then_some((v, q))
}

/// First occurrence of `needle` in `hay` at or after `from`.
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let rel = hay[i..hay.len() - needle.len() + 1]
            .iter()
            .position(|&c| c == first)?;
        i += rel;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Last occurrence of `needle` in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}
