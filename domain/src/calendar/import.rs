//! Import and export of calendar entries, so that admins can update the
//! holiday calendar (domain digest, "Working days": "a calendar that admins
//! can update, not hard-coded per year").
//!
//! Two formats, told apart by the first non-space character (`[` = JSON):
//!
//! * CSV (RFC 4180): header `date,kind,name_kk,name_ru,name_en,basis`,
//!   fields separated by commas, records by LF or CRLF; a field may be
//!   quoted with `"`, and then may contain commas, line breaks and doubled
//!   quotes (`""`). Blank lines are skipped; a UTF-8 BOM is ignored.
//! * JSON: an array of objects with exactly those six string keys.
//!
//! `date` is `YYYY-MM-DD`; `kind` is `holiday`, `religious_holiday`,
//! `transferred_day_off` or `working_weekend`; `name_kk` and `name_ru` are
//! required (004 §5: the portal is in Kazakh and Russian), `name_en` may be
//! empty; `basis` is required. Values are trimmed. The whole import fails on
//! the first error: there is no partial result.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde_json::Value;

use super::{CalendarEntry, CalendarEntryKind, CalendarError, check_entry};
use crate::text::LocalizedText;

/// The CSV header, also the JSON keys.
const COLUMNS: [&str; 6] = ["date", "kind", "name_kk", "name_ru", "name_en", "basis"];

/// Where an import error is: a CSV line (1-based, the header is line 1; a
/// record is named by the line it starts on) or a JSON array index
/// (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A line of a CSV import.
    Line(usize),
    /// An index in a JSON import's array.
    Index(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) => write!(f, "line {line}"),
            Self::Index(index) => write!(f, "index {index}"),
        }
    }
}

/// Why an import was refused, with the line or index and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Nothing but whitespace.
    #[error("the import is empty")]
    Empty,
    /// The CSV's first line is not the expected header.
    #[error(
        "line 1: the CSV header must be `date,kind,name_kk,name_ru,name_en,basis`, found `{found}`"
    )]
    BadHeader {
        /// The header found.
        found: String,
    },
    /// A CSV record without exactly six fields.
    #[error("line {line}: expected 6 fields, found {found}")]
    FieldCount {
        /// The record's first line.
        line: usize,
        /// How many fields it has.
        found: usize,
    },
    /// A quoted CSV field that never closes.
    #[error("line {line}: quoted field is not closed")]
    UnterminatedQuote {
        /// The line the field starts on.
        line: usize,
    },
    /// A `"` in an unquoted CSV field, or text after a closing quote.
    #[error(
        "line {line}: stray `\"`: a field containing quotes must be quoted, with the quotes doubled"
    )]
    StrayQuote {
        /// The line of the quote.
        line: usize,
    },
    /// The input starts with `[` but is not valid JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// serde_json's line.
        line: usize,
        /// serde_json's column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// Valid JSON that is not an array.
    #[error("a JSON import must be an array of objects")]
    NotAnArray,
    /// A JSON array element that is not an object.
    #[error("{at}: expected an object")]
    NotAnObject {
        /// The element.
        at: Location,
    },
    /// A JSON key other than the six columns.
    #[error("{at}: unknown field `{field}`")]
    UnknownField {
        /// The element.
        at: Location,
        /// The key.
        field: String,
    },
    /// A JSON value that is not a string.
    #[error("{at}: field `{field}` must be a string")]
    NotAString {
        /// The element.
        at: Location,
        /// The key.
        field: &'static str,
    },
    /// `date`, `kind` or `basis` missing or empty.
    #[error("{at}: field `{field}` is missing or empty")]
    MissingField {
        /// The record.
        at: Location,
        /// The field.
        field: &'static str,
    },
    /// `name_kk` or `name_ru` missing or empty.
    #[error("{at}: field `{field}`: the name is missing")]
    MissingName {
        /// The record.
        at: Location,
        /// `name_kk` or `name_ru`.
        field: &'static str,
    },
    /// A `date` that is not a valid `YYYY-MM-DD`.
    #[error("{at}: field `date`: malformed date `{value}` (expected YYYY-MM-DD)")]
    MalformedDate {
        /// The record.
        at: Location,
        /// The value found.
        value: String,
    },
    /// A `kind` not in the four codes.
    #[error(
        "{at}: field `kind`: unknown kind `{value}` (expected holiday, religious_holiday, transferred_day_off or working_weekend)"
    )]
    UnknownKind {
        /// The record.
        at: Location,
        /// The value found.
        value: String,
    },
    /// A date already used earlier in the same import.
    #[error("{at}: field `date`: {date} already appears at {first}")]
    DuplicateDate {
        /// The later record.
        at: Location,
        /// The date.
        date: NaiveDate,
        /// The earlier record.
        first: Location,
    },
    /// A row that [`super::WorkingCalendar::new`] would refuse on its own
    /// (a working weekend on a weekday, a transfer on a weekend, a year out
    /// of range).
    #[error("{at}: field `{field}`: {source}")]
    InvalidEntry {
        /// The record.
        at: Location,
        /// `date` or `kind`.
        field: &'static str,
        /// The calendar's reason.
        source: CalendarError,
    },
}

/// Parses a CSV or JSON calendar import (see the module documentation).
/// Returns every entry or the first error; never a partial result.
pub fn parse_import(input: &str) -> Result<Vec<CalendarEntry>, ImportError> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    match input.trim_start().chars().next() {
        None => Err(ImportError::Empty),
        Some('[') => parse_json(input),
        Some(_) => parse_csv(input),
    }
}

/// Writes entries in the CSV import format (header included), quoting
/// fields as RFC 4180 requires; `parse_import` reads it back.
pub fn export_csv(entries: &[CalendarEntry]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for entry in entries {
        let date = entry.date.format("%Y-%m-%d").to_string();
        let fields = [
            date.as_str(),
            entry.kind.import_code(),
            entry.name.kk.as_str(),
            entry.name.ru.as_str(),
            entry.name.en.as_str(),
            entry.basis.as_str(),
        ];
        let quoted: Vec<String> = fields.iter().map(|field| quote_csv(field)).collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    }
    out
}

fn quote_csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.trim() != field {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// The six raw values of one record, before interpretation.
struct RawRow<'a> {
    at: Location,
    values: [&'a str; 6],
}

fn interpret(rows: Vec<RawRow<'_>>) -> Result<Vec<CalendarEntry>, ImportError> {
    let mut seen: HashMap<NaiveDate, Location> = HashMap::new();
    let mut entries = Vec::with_capacity(rows.len());
    for RawRow { at, values } in rows {
        let [date, kind, name_kk, name_ru, name_en, basis] = values.map(str::trim);
        if date.is_empty() {
            return Err(ImportError::MissingField { at, field: "date" });
        }
        let date = parse_date(date).ok_or_else(|| ImportError::MalformedDate {
            at,
            value: date.to_owned(),
        })?;
        if kind.is_empty() {
            return Err(ImportError::MissingField { at, field: "kind" });
        }
        let kind =
            CalendarEntryKind::from_import_code(kind).ok_or_else(|| ImportError::UnknownKind {
                at,
                value: kind.to_owned(),
            })?;
        if name_kk.is_empty() {
            return Err(ImportError::MissingName {
                at,
                field: "name_kk",
            });
        }
        if name_ru.is_empty() {
            return Err(ImportError::MissingName {
                at,
                field: "name_ru",
            });
        }
        if basis.is_empty() {
            return Err(ImportError::MissingField { at, field: "basis" });
        }
        check_entry(date, kind).map_err(|source| ImportError::InvalidEntry {
            at,
            field: match source {
                CalendarError::DateOutOfRange { .. } => "date",
                _ => "kind",
            },
            source,
        })?;
        if let Some(first) = seen.insert(date, at) {
            return Err(ImportError::DuplicateDate { at, date, first });
        }
        entries.push(CalendarEntry {
            date,
            kind,
            name: LocalizedText::new(name_kk, name_ru, name_en),
            basis: basis.to_owned(),
        });
    }
    Ok(entries)
}

/// Strict `YYYY-MM-DD` (four-digit year, zero-padded month and day).
fn parse_date(value: &str) -> Option<NaiveDate> {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range.clone())
            .filter(|part| part.iter().all(u8::is_ascii_digit))
            .and_then(|_| value.get(range))
    };
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = digits(0..4)?.parse().ok()?;
    let month = digits(5..7)?.parse().ok()?;
    let day = digits(8..10)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

// ---- CSV ------------------------------------------------------------------

fn parse_csv(input: &str) -> Result<Vec<CalendarEntry>, ImportError> {
    let records = crate::csv::split(input).map_err(|e| match e {
        crate::csv::CsvError::UnterminatedQuote { line } => ImportError::UnterminatedQuote { line },
        crate::csv::CsvError::StrayQuote { line } => ImportError::StrayQuote { line },
    })?;
    let mut records = records.into_iter();
    let header = records.next().ok_or(ImportError::Empty)?;
    let names: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
    if names != COLUMNS {
        return Err(ImportError::BadHeader {
            found: header.fields.join(","),
        });
    }
    let records: Vec<crate::csv::Record> = records.collect();
    let mut rows = Vec::with_capacity(records.len());
    for record in &records {
        let values: [&str; 6] = match record.fields.as_slice() {
            [a, b, c, d, e, f] => [a, b, c, d, e, f],
            other => {
                return Err(ImportError::FieldCount {
                    line: record.line,
                    found: other.len(),
                });
            }
        };
        rows.push(RawRow {
            at: Location::Line(record.line),
            values,
        });
    }
    interpret(rows)
}

// ---- JSON -----------------------------------------------------------------

fn parse_json(input: &str) -> Result<Vec<CalendarEntry>, ImportError> {
    let value: Value = serde_json::from_str(input).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Value::Array(items) = &value else {
        return Err(ImportError::NotAnArray);
    };
    let mut rows = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let at = Location::Index(index);
        let Value::Object(object) = item else {
            return Err(ImportError::NotAnObject { at });
        };
        if let Some(unknown) = object.keys().find(|key| !COLUMNS.contains(&key.as_str())) {
            return Err(ImportError::UnknownField {
                at,
                field: unknown.clone(),
            });
        }
        let mut values = [""; 6];
        for (slot, column) in values.iter_mut().zip(COLUMNS) {
            *slot = match object.get(column) {
                None | Some(Value::Null) => "",
                Some(Value::String(text)) => text.as_str(),
                Some(_) => {
                    return Err(ImportError::NotAString { at, field: column });
                }
            };
        }
        rows.push(RawRow { at, values });
    }
    interpret(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert!(parse_date("2024-03-21").is_some());
        for bad in [
            "2024-3-21",
            "21.03.2024",
            "2024-02-30",
            "2024/03/21",
            "+024-03-21",
            "２０２４-03-21",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
