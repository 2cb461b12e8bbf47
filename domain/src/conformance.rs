//! The report every file-conformance check returns (PDF/A-1, DOCX).
//!
//! 003 §7: each document is placed as a PDF/A-1 copy together with its DOCX
//! draft. A check takes bytes and returns findings; it never panics and never
//! does I/O. Each finding names the clause of the standard it comes from so
//! that the owner can fix the file and the reviewer can judge it.

use serde::{Deserialize, Serialize};

/// One rule a file breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The clause of the standard, e.g. `6.1.3` (ISO 19005-1) or `OPC-2.1`.
    pub clause: String,
    /// What is wrong, in plain English, naming the value found.
    pub message: String,
    /// The object concerned, e.g. `12 0 R` or `word/document.xml`, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

impl Finding {
    /// A finding with no particular object.
    pub fn new(clause: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            clause: clause.into(),
            message: message.into(),
            object: None,
        }
    }

    /// A finding about one object of the file.
    pub fn at(
        clause: impl Into<String>,
        message: impl Into<String>,
        object: impl Into<String>,
    ) -> Self {
        Self {
            clause: clause.into(),
            message: message.into(),
            object: Some(object.into()),
        }
    }
}

/// The result of checking one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Every rule the file breaks; empty when it conforms.
    pub findings: Vec<Finding>,
}

impl Report {
    /// True when no rule is broken.
    pub fn conforms(&self) -> bool {
        self.findings.is_empty()
    }

    /// Records a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}
