//! Single-byte text encodings of PDF 1.4 Appendix D (WinAnsiEncoding,
//! PDFDocEncoding) and glyph-name to Unicode mapping for `Differences`.

/// WinAnsiEncoding (PDF 1.4 Appendix D, CP1252) bytes 0x80–0x9F; the rest is Latin-1.
const WIN_ANSI_80: [u16; 32] = [
    0x20AC, 0x2022, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x2022, 0x017D, 0x2022, 0x2022, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x2022, 0x017E, 0x0178,
];

/// PDFDocEncoding bytes 0x80–0x9F (PDF 1.4 Table D.1); 0xA0 is the euro sign.
const PDF_DOC_80: [u16; 32] = [
    0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039, 0x203A, 0x2212, 0x2030,
    0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160,
    0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0xFFFD,
];

/// PDFDocEncoding bytes 0x18–0x1F.
const PDF_DOC_18: [u16; 8] = [
    0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC,
];

/// The character WinAnsiEncoding gives `code`.
pub(crate) fn win_ansi(code: u8) -> char {
    let u = match code {
        0x80..=0x9F => WIN_ANSI_80[usize::from(code - 0x80)],
        _ => u16::from(code),
    };
    char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}')
}

/// Decodes a PDF text string (PDF 1.4 §3.8.1): UTF-16BE with BOM, else PDFDocEncoding.
pub(crate) fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes
        .iter()
        .map(|&b| {
            let u = match b {
                0x18..=0x1F => PDF_DOC_18[usize::from(b - 0x18)],
                0x80..=0x9F => PDF_DOC_80[usize::from(b - 0x80)],
                0xA0 => 0x20AC,
                _ => u16::from(b),
            };
            char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}')
        })
        .collect()
}

/// ASCII glyph names of the standard Latin character set, from 0x20.
const ASCII_NAMES: [&str; 95] = [
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quotesingle",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "grave",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
];

const OTHER_NAMES: &[(&str, char)] = &[
    ("quoteright", '\u{2019}'),
    ("quoteleft", '\u{2018}'),
    ("quotedblleft", '\u{201C}'),
    ("quotedblright", '\u{201D}'),
    ("quotesinglbase", '\u{201A}'),
    ("quotedblbase", '\u{201E}'),
    ("endash", '\u{2013}'),
    ("emdash", '\u{2014}'),
    ("bullet", '\u{2022}'),
    ("ellipsis", '\u{2026}'),
    ("guillemotleft", '\u{AB}'),
    ("guillemotright", '\u{BB}'),
    ("degree", '\u{B0}'),
    ("copyright", '\u{A9}'),
    ("registered", '\u{AE}'),
    ("section", '\u{A7}'),
    ("nbspace", '\u{A0}'),
    ("minus", '\u{2212}'),
    ("numero", '\u{2116}'),
    ("afii61352", '\u{2116}'),
    ("Euro", '\u{20AC}'),
    ("fi", '\u{FB01}'),
    ("fl", '\u{FB02}'),
];

/// Unicode for a glyph name: `uniXXXX`, `uXXXX[XX]`, the Latin set, and the
/// Cyrillic `afii100xx` names of the Adobe Glyph List.
pub(crate) fn glyph(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let base = name.split('.').next().unwrap_or(name);
    if let Some(i) = ASCII_NAMES.iter().position(|n| *n == base) {
        return char::from_u32(0x20 + u32::try_from(i).ok()?).map(String::from);
    }
    if let Some((_, c)) = OTHER_NAMES.iter().find(|(n, _)| *n == base) {
        return Some(c.to_string());
    }
    if let Some(hex) = base.strip_prefix("uni")
        && hex.len() % 4 == 0
        && !hex.is_empty()
    {
        let units: Option<Vec<u16>> = hex
            .as_bytes()
            .chunks(4)
            .map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
            .collect();
        return Some(String::from_utf16_lossy(&units?));
    }
    if let Some(hex) = base.strip_prefix('u')
        && (4..=6).contains(&hex.len())
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from);
    }
    if let Some(n) = base
        .strip_prefix("afii")
        .and_then(|n| n.parse::<u32>().ok())
    {
        let u = match n {
            10017..=10022 => 0x0410 + (n - 10017),
            10023 => 0x0401,
            10024..=10049 => 0x0416 + (n - 10024),
            10065..=10070 => 0x0430 + (n - 10065),
            10071 => 0x0451,
            10072..=10097 => 0x0436 + (n - 10072),
            _ => return None,
        };
        return char::from_u32(u).map(String::from);
    }
    None
}
