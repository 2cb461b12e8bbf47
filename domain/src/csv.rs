//! RFC 4180 CSV splitting for the import commands (calendar, services):
//! quoted fields may hold commas, doubled quotes and line breaks; every
//! record keeps the line it starts on, so errors can name it.

/// Why CSV text could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// A quoted field that never closes.
    #[error("line {line}: quoted field is not closed")]
    UnterminatedQuote {
        /// The line the field starts on.
        line: usize,
    },
    /// A `"` inside an unquoted field, or text after a closing quote.
    #[error("line {line}: stray quote")]
    StrayQuote {
        /// The line concerned.
        line: usize,
    },
}

/// One CSV record: its first line and its fields.
pub struct Record {
    /// The line the record starts on (1-based).
    pub line: usize,
    /// Its fields, unquoted.
    pub fields: Vec<String>,
}

/// Splits RFC 4180 text into records. A record made of one empty unquoted
/// field (a blank line) is dropped.
pub fn split(input: &str) -> Result<Vec<Record>, CsvError> {
    let mut records = Vec::new();
    let mut chars = input.chars().peekable();
    let mut line = 1;
    let mut record_line = 1;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted_record = false;

    loop {
        // At the start of a field.
        if chars.peek() == Some(&'"') {
            chars.next();
            quoted_record = true;
            let open_line = line;
            loop {
                match chars.next() {
                    None => return Err(CsvError::UnterminatedQuote { line: open_line }),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => {
                        if c == '\n' {
                            line += 1;
                        }
                        field.push(c);
                    }
                }
            }
            // After the closing quote only a separator may follow.
            match chars.peek() {
                None | Some(',' | '\n' | '\r') => {}
                Some(_) => return Err(CsvError::StrayQuote { line }),
            }
        } else {
            while let Some(&c) = chars.peek() {
                match c {
                    ',' | '\n' | '\r' => break,
                    '"' => return Err(CsvError::StrayQuote { line }),
                    _ => {
                        field.push(c);
                        chars.next();
                    }
                }
            }
        }
        fields.push(std::mem::take(&mut field));
        match chars.next() {
            Some(',') => {}
            end => {
                if end == Some('\r') && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                let blank = !quoted_record
                    && fields.len() == 1
                    && fields.first().is_some_and(|only| only.trim().is_empty());
                if !blank {
                    records.push(Record {
                        line: record_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                fields.clear();
                quoted_record = false;
                if end.is_none() {
                    break;
                }
                line += 1;
                record_line = line;
                if chars.peek().is_none() {
                    break;
                }
            }
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_handles_quotes_commas_newlines_and_crlf() {
        let text = "a,\"b, \"\"c\"\"\",d\r\n\"multi\nline\",x,\r\n\n";
        let records = split(text).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, 1);
        assert_eq!(records[0].fields, vec!["a", "b, \"c\"", "d"]);
        assert_eq!(records[1].line, 2);
        assert_eq!(records[1].fields, vec!["multi\nline", "x", ""]);
    }

    #[test]
    fn split_reports_quote_errors() {
        assert_eq!(
            split("a,\"open\nstill").err(),
            Some(CsvError::UnterminatedQuote { line: 1 })
        );
        assert_eq!(
            split("a,b\"c").err(),
            Some(CsvError::StrayQuote { line: 1 })
        );
        assert_eq!(
            split("x\n\"q\"z").err(),
            Some(CsvError::StrayQuote { line: 2 })
        );
    }
}
