//! Content stream lexer (PDF 1.4 §3.7.1) shared by the checker and text
//! extraction, and the content-stream rules of ISO 19005-1: §6.1.10 (no LZW in
//! inline images), §6.1.12 (operand limits, `q` nesting at most 28), §6.2.3.3
//! (device colour operators), §6.2.9 (rendering intents) and §6.2.10 (only
//! operators defined in PDF 1.4).

use super::syntax::{hex_val, is_regular, is_ws};

/// One operand of a content stream operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// A name, without the slash, `#xx` decoded.
    Name(Vec<u8>),
    /// A string, literal or hexadecimal, decoded to bytes.
    Str(Vec<u8>),
    /// An array.
    Array(Vec<Operand>),
    /// A dictionary (inline image parameters, marked-content properties).
    Dict(Vec<(Vec<u8>, Operand)>),
    /// `true` or `false`.
    Bool(bool),
    /// `null` or anything unparseable.
    Other,
}

impl Operand {
    /// The number, if this is one.
    pub(crate) fn num(&self) -> Option<f64> {
        match self {
            Operand::Int(i) => Some(*i as f64),
            Operand::Real(r) => Some(*r),
            _ => None,
        }
    }
}

/// Most operands kept for one operator; more are dropped (no operator takes
/// more than a few dozen).
const MAX_OPERANDS: usize = 4096;

/// Calls `f(operator, operands)` for every operator of `data`. An inline image
/// is reported as operator `BI` with its parameters as one [`Operand::Dict`].
/// Stops early when `f` returns false.
pub(crate) fn for_each_op(
    data: &[u8],
    max_depth: usize,
    mut f: impl FnMut(&[u8], &[Operand]) -> bool,
) {
    let mut lx = Lexer {
        b: data,
        pos: 0,
        max_depth,
    };
    let mut operands: Vec<Operand> = Vec::new();
    while let Some(tok) = lx.next_token(0) {
        match tok {
            Token::Operand(o) => {
                if operands.len() < MAX_OPERANDS {
                    operands.push(o);
                }
            }
            Token::Keyword(start, end) => {
                let op = &data[start..end];
                if op == b"BI" {
                    let dict = lx.inline_image();
                    if !f(b"BI", &[Operand::Dict(dict)]) {
                        return;
                    }
                } else if !f(op, &operands) {
                    return;
                }
                operands.clear();
            }
        }
    }
}

enum Token {
    Operand(Operand),
    Keyword(usize, usize),
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl Lexer<'_> {
    fn skip_ws_comments(&mut self) {
        let b = self.b;
        while self.pos < b.len() {
            if is_ws(b[self.pos]) {
                self.pos += 1;
            } else if b[self.pos] == b'%' {
                while self.pos < b.len() && b[self.pos] != b'\n' && b[self.pos] != b'\r' {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn next_token(&mut self, depth: usize) -> Option<Token> {
        let b = self.b;
        loop {
            self.skip_ws_comments();
            let c = *b.get(self.pos)?;
            let op = match c {
                b'/' => Operand::Name(self.name()),
                b'(' => Operand::Str(self.literal()),
                b'<' if b.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    Operand::Dict(self.dict(depth + 1))
                }
                b'<' => Operand::Str(self.hex()),
                b'[' => {
                    self.pos += 1;
                    Operand::Array(self.array(depth + 1))
                }
                b'+' | b'-' | b'.' | b'0'..=b'9' => self.number(),
                b']' | b'>' | b')' | b'{' | b'}' => {
                    self.pos += 1;
                    continue;
                }
                _ => {
                    let start = self.pos;
                    while self.pos < b.len() && is_regular(b[self.pos]) {
                        self.pos += 1;
                    }
                    match &b[start..self.pos] {
                        b"true" => Operand::Bool(true),
                        b"false" => Operand::Bool(false),
                        b"null" => Operand::Other,
                        _ => return Some(Token::Keyword(start, self.pos)),
                    }
                }
            };
            return Some(Token::Operand(op));
        }
    }

    fn array(&mut self, depth: usize) -> Vec<Operand> {
        let mut items = Vec::new();
        if depth > self.max_depth {
            self.pos = self.b.len();
            return items;
        }
        loop {
            self.skip_ws_comments();
            match self.b.get(self.pos) {
                None => return items,
                Some(b']') => {
                    self.pos += 1;
                    return items;
                }
                Some(_) => match self.next_token(depth) {
                    Some(Token::Operand(o)) => {
                        if items.len() < MAX_OPERANDS {
                            items.push(o);
                        }
                    }
                    Some(Token::Keyword(..)) => {}
                    None => return items,
                },
            }
        }
    }

    fn dict(&mut self, depth: usize) -> Vec<(Vec<u8>, Operand)> {
        let mut items = Vec::new();
        if depth > self.max_depth {
            self.pos = self.b.len();
            return items;
        }
        loop {
            self.skip_ws_comments();
            match (self.b.get(self.pos), self.b.get(self.pos + 1)) {
                (None, _) => return items,
                (Some(b'>'), Some(b'>')) => {
                    self.pos += 2;
                    return items;
                }
                (Some(b'/'), _) => {
                    let key = self.name();
                    self.skip_ws_comments();
                    if self.b.get(self.pos) == Some(&b'>') {
                        continue;
                    }
                    match self.next_token(depth) {
                        Some(Token::Operand(v)) => {
                            if items.len() < MAX_OPERANDS {
                                items.push((key, v));
                            }
                        }
                        Some(Token::Keyword(..)) => items.push((key, Operand::Other)),
                        None => return items,
                    }
                }
                _ => {
                    if self.next_token(depth).is_none() {
                        return items;
                    }
                }
            }
        }
    }

    /// Reads inline image parameters up to `ID`, then skips the image data
    /// to the `EI` that follows white space.
    fn inline_image(&mut self) -> Vec<(Vec<u8>, Operand)> {
        let b = self.b;
        let mut items = Vec::new();
        loop {
            self.skip_ws_comments();
            if self.pos >= b.len() {
                return items;
            }
            if b[self.pos] == b'/' {
                let key = self.name();
                match self.next_token(1) {
                    Some(Token::Operand(v)) => items.push((key, v)),
                    Some(Token::Keyword(s, e)) => {
                        if &b[s..e] == b"ID" {
                            break;
                        }
                    }
                    None => return items,
                }
            } else {
                match self.next_token(1) {
                    Some(Token::Keyword(s, e)) if &b[s..e] == b"ID" => break,
                    None => return items,
                    _ => {}
                }
            }
        }
        // One white-space byte separates ID from the data.
        self.pos += 1;
        let mut p = self.pos;
        while p + 1 < b.len() {
            if b[p] == b'E'
                && b[p + 1] == b'I'
                && p > 0
                && is_ws(b[p - 1])
                && b.get(p + 2).is_none_or(|&c| is_ws(c) || !is_regular(c))
            {
                self.pos = p + 2;
                return items;
            }
            p += 1;
        }
        self.pos = b.len();
        items
    }

    fn name(&mut self) -> Vec<u8> {
        let b = self.b;
        self.pos += 1;
        let mut out = Vec::new();
        while self.pos < b.len() && is_regular(b[self.pos]) {
            let c = b[self.pos];
            if c == b'#' {
                let hi = b.get(self.pos + 1).and_then(|&x| hex_val(x));
                let lo = b.get(self.pos + 2).and_then(|&x| hex_val(x));
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi * 16 + lo);
                    self.pos += 3;
                    continue;
                }
            }
            out.push(c);
            self.pos += 1;
        }
        out
    }

    fn number(&mut self) -> Operand {
        let b = self.b;
        let start = self.pos;
        let mut p = self.pos;
        if matches!(b[p], b'+' | b'-') {
            p += 1;
        }
        let mut dot = false;
        while p < b.len() && (b[p].is_ascii_digit() || (b[p] == b'.' && !dot)) {
            dot |= b[p] == b'.';
            p += 1;
        }
        self.pos = p.max(start + 1);
        let text = std::str::from_utf8(&b[start..p]).unwrap_or("");
        if dot {
            Operand::Real(text.parse().unwrap_or(0.0))
        } else {
            match text.parse::<i64>() {
                Ok(i) => Operand::Int(i),
                Err(_) if text.len() > 1 => Operand::Real(text.parse().unwrap_or(0.0)),
                Err(_) => Operand::Other,
            }
        }
    }

    fn hex(&mut self) -> Vec<u8> {
        let b = self.b;
        self.pos += 1;
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        while self.pos < b.len() && b[self.pos] != b'>' {
            if let Some(v) = hex_val(b[self.pos]) {
                match hi.take() {
                    Some(h) => out.push(h * 16 + v),
                    None => hi = Some(v),
                }
            }
            self.pos += 1;
        }
        if let Some(h) = hi {
            out.push(h * 16);
        }
        self.pos += 1;
        out
    }

    fn literal(&mut self) -> Vec<u8> {
        let b = self.b;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        while self.pos < b.len() {
            let c = b[self.pos];
            self.pos += 1;
            match c {
                b'\\' => {
                    let Some(&e) = b.get(self.pos) else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            let mut k = 1;
                            while k < 3
                                && b.get(self.pos).is_some_and(|c| (b'0'..=b'7').contains(c))
                            {
                                v = v * 8 + u32::from(b[self.pos] - b'0');
                                self.pos += 1;
                                k += 1;
                            }
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            if b.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }
}

/// Device colour spaces a content stream uses directly.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DeviceUse {
    pub rgb: bool,
    pub cmyk: bool,
    pub gray: bool,
}

/// A finding about a content stream: (kind, clause, message).
pub(crate) type ContentFinding = (&'static str, &'static str, String);

/// The operators PDF 1.4 defines (Table A.1); ISO 19005-1 §6.2.10 forbids any other.
const OPERATORS: &[&[u8]] = &[
    b"b", b"B", b"b*", b"B*", b"BDC", b"BI", b"BMC", b"BT", b"BX", b"c", b"cm", b"CS", b"cs", b"d",
    b"d0", b"d1", b"Do", b"DP", b"EI", b"EMC", b"ET", b"EX", b"f", b"F", b"f*", b"G", b"g", b"gs",
    b"h", b"i", b"ID", b"j", b"J", b"K", b"k", b"l", b"m", b"M", b"MP", b"n", b"q", b"Q", b"re",
    b"RG", b"rg", b"ri", b"s", b"S", b"SC", b"sc", b"SCN", b"scn", b"sh", b"T*", b"Tc", b"Td",
    b"TD", b"Tf", b"Tj", b"TJ", b"TL", b"Tm", b"Tr", b"Ts", b"Tw", b"Tz", b"v", b"w", b"W", b"W*",
    b"y", b"'", b"\"",
];

/// ISO 19005-1 §6.2.9: the four rendering intents of PDF 1.4.
pub(crate) fn valid_intent(name: &[u8]) -> bool {
    matches!(
        name,
        b"RelativeColorimetric" | b"AbsoluteColorimetric" | b"Perceptual" | b"Saturation"
    )
}

/// Checks one decoded content stream; returns the device colour spaces it
/// uses directly and pushes findings through `out`.
pub(crate) fn check(data: &[u8], max_depth: usize, out: &mut Vec<ContentFinding>) -> DeviceUse {
    let mut used = DeviceUse::default();
    let mut q_depth = 0usize;
    let mut q_reported = false;
    for_each_op(data, max_depth, |op, operands| {
        for o in operands {
            operand_limits(o, out);
        }
        match op {
            b"q" => {
                q_depth += 1;
                if q_depth > 28 && !q_reported {
                    q_reported = true;
                    out.push((
                        "q-depth",
                        "6.1.12",
                        "graphics states nest deeper than 28 q operators".to_owned(),
                    ));
                }
            }
            b"Q" => q_depth = q_depth.saturating_sub(1),
            b"rg" | b"RG" => used.rgb = true,
            b"k" | b"K" => used.cmyk = true,
            b"g" | b"G" => used.gray = true,
            b"cs" | b"CS" => {
                if let Some(Operand::Name(n)) = operands.first() {
                    mark_device(n, &mut used);
                }
            }
            b"ri" => {
                if let Some(Operand::Name(n)) = operands.first()
                    && !valid_intent(n)
                {
                    out.push(bad_intent(n));
                }
            }
            b"BI" => {
                if let Some(Operand::Dict(d)) = operands.first() {
                    inline_image(d, &mut used, out);
                }
            }
            _ => {
                if !OPERATORS.contains(&op) {
                    out.push((
                        "operator",
                        "6.2.10",
                        format!(
                            "the content stream uses the operator '{}' not defined in PDF 1.4",
                            String::from_utf8_lossy(op)
                        ),
                    ));
                }
            }
        }
        true
    });
    used
}

pub(crate) fn bad_intent(n: &[u8]) -> ContentFinding {
    (
        "intent",
        "6.2.9",
        format!(
            "the rendering intent '{}' is not one of the four defined in PDF 1.4",
            String::from_utf8_lossy(n)
        ),
    )
}

fn mark_device(n: &[u8], used: &mut DeviceUse) {
    match n {
        b"DeviceRGB" | b"RGB" => used.rgb = true,
        b"DeviceCMYK" | b"CMYK" => used.cmyk = true,
        b"DeviceGray" | b"G" => used.gray = true,
        _ => {}
    }
}

fn inline_image(d: &[(Vec<u8>, Operand)], used: &mut DeviceUse, out: &mut Vec<ContentFinding>) {
    for (k, v) in d {
        match k.as_slice() {
            b"F" | b"Filter" => {
                let lzw = |n: &[u8]| matches!(n, b"LZW" | b"LZWDecode");
                let has = match v {
                    Operand::Name(n) => lzw(n),
                    Operand::Array(a) => a.iter().any(|x| matches!(x, Operand::Name(n) if lzw(n))),
                    _ => false,
                };
                if has {
                    out.push((
                        "lzw",
                        "6.1.10",
                        "an inline image uses the LZW filter".to_owned(),
                    ));
                }
            }
            b"CS" | b"ColorSpace" => match v {
                Operand::Name(n) => mark_device(n, used),
                Operand::Array(a) => {
                    for x in a {
                        if let Operand::Name(n) = x {
                            mark_device(n, used);
                        }
                    }
                }
                _ => {}
            },
            b"Intent" => {
                if let Operand::Name(n) = v
                    && !valid_intent(n)
                {
                    out.push(bad_intent(n));
                }
            }
            b"I" | b"Interpolate" => {
                if matches!(v, Operand::Bool(true)) {
                    out.push((
                        "interpolate",
                        "6.2.4",
                        "an inline image has Interpolate true".to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }
}

fn operand_limits(o: &Operand, out: &mut Vec<ContentFinding>) {
    match o {
        Operand::Int(i) if !(-2_147_483_648..=2_147_483_647).contains(i) => {
            out.push((
                "integer",
                "6.1.12",
                format!("the integer {i} is outside the 32-bit range"),
            ));
        }
        Operand::Real(r) if r.abs() > 32_767.0 => {
            out.push((
                "real",
                "6.1.12",
                format!("the real number {r} exceeds ±32767"),
            ));
        }
        Operand::Str(s) if s.len() > 65_535 => {
            out.push((
                "string-length",
                "6.1.12",
                format!(
                    "a string is {} bytes long; at most 65535 are allowed",
                    s.len()
                ),
            ));
        }
        Operand::Array(a) => {
            for x in a {
                operand_limits(x, out);
            }
        }
        _ => {}
    }
}
