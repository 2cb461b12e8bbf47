//! The errors a domain rule returns, each with its message in three languages.

use crate::text::{Lang, LocalizedText};

/// Why a rule refused a value or a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field's value is not acceptable.
    #[error("{field}: {}", .reason.en)]
    InvalidInput {
        /// The input field concerned, as the API names it (camelCase).
        field: String,
        /// What is wrong, in the three languages.
        reason: LocalizedText,
    },
    /// The entity is in a state that does not allow the change.
    #[error("{}", .reason.en)]
    InvalidState {
        /// What prevents the change, in the three languages.
        reason: LocalizedText,
    },
    /// A time limit has passed (an expired link, a closed period).
    #[error("{field}: {}", .reason.en)]
    Expired {
        /// The input field concerned.
        field: String,
        /// What expired, in the three languages.
        reason: LocalizedText,
    },
    /// The actor's role or organization does not allow the action.
    #[error("{}", .reason.en)]
    Forbidden {
        /// What was refused, in the three languages.
        reason: LocalizedText,
    },
}

impl DomainError {
    /// An invalid field.
    pub fn invalid(field: impl Into<String>, kk: &str, ru: &str, en: &str) -> Self {
        DomainError::InvalidInput {
            field: field.into(),
            reason: LocalizedText::new(kk, ru, en),
        }
    }

    /// A state that forbids the change.
    pub fn state(kk: &str, ru: &str, en: &str) -> Self {
        DomainError::InvalidState {
            reason: LocalizedText::new(kk, ru, en),
        }
    }

    /// A refused action.
    pub fn forbidden(kk: &str, ru: &str, en: &str) -> Self {
        DomainError::Forbidden {
            reason: LocalizedText::new(kk, ru, en),
        }
    }

    /// The message in one language (the field is carried separately, in [`DomainError::field`]).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DomainError::InvalidInput { reason, .. }
            | DomainError::Expired { reason, .. }
            | DomainError::InvalidState { reason }
            | DomainError::Forbidden { reason } => reason.get(lang).to_owned(),
        }
    }

    /// The three messages.
    pub fn messages(&self) -> LocalizedText {
        LocalizedText::new(
            self.message(Lang::Kk),
            self.message(Lang::Ru),
            self.message(Lang::En),
        )
    }

    /// The input field concerned, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::InvalidInput { field, .. } | DomainError::Expired { field, .. } => {
                Some(field)
            }
            _ => None,
        }
    }
}

/// Checks a free-text field: trimmed, not empty, at most `max` characters, no
/// control characters. Returns the trimmed text.
pub fn text_field(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(
            field,
            "мән бос болмауы керек",
            "значение не может быть пустым",
            "must not be empty",
        ));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(DomainError::InvalidInput {
            field: field.into(),
            reason: LocalizedText::new(
                format!("ең көбі {max} таңба (берілгені {len})"),
                format!("не более {max} символов (получено {len})"),
                format!("at most {max} characters (got {len})"),
            ),
        });
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(DomainError::invalid(
            field,
            "басқару таңбалары рұқсат етілмейді",
            "управляющие символы недопустимы",
            "control characters are not allowed",
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_field_trims_and_bounds() {
        assert_eq!(
            text_field("name", "  Ақпарат  ", 10).as_deref(),
            Ok("Ақпарат")
        );
        assert!(text_field("name", "   ", 10).is_err());
        assert!(text_field("name", "ә".repeat(11).as_str(), 10).is_err());
        assert!(text_field("name", "a\u{0}b", 10).is_err());
        let err = text_field("nameRu", "", 10).unwrap_err();
        assert_eq!(err.field(), Some("nameRu"));
        assert!(err.message(Lang::Kk).contains("бос"));
    }
}
