//! Portal users, their roles, e-mail addresses and password policy.

use crate::error::DomainError;
use crate::vocabulary;

vocabulary! {
    /// What a user may do on the portal (domain digest, "Who uses it").
    pub enum Role {
        /// An owner organization's employee: records its objects and documents.
        Owner = "OWNER" { kk: "Иеленуші", ru: "Владелец", en: "Owner" },
        /// The e-government service integrator: grants accounts, verifies entries, assigns codes.
        Integrator = "INTEGRATOR" { kk: "Сервистік интегратор", ru: "Сервисный интегратор", en: "Service integrator" },
        /// The operator of the e-government ICT infrastructure: runs the gateways and the service registry.
        Operator = "OPERATOR" { kk: "Оператор", ru: "Оператор", en: "Operator" },
        /// The authorized body, auditors and planners: read-only monitoring and analysis.
        Analyst = "ANALYST" { kk: "Талдаушы", ru: "Аналитик", en: "Analyst" },
        /// The portal's administrators: users, organizations, reference data.
        Admin = "ADMIN" { kk: "Әкімші", ru: "Администратор", en: "Administrator" },
    }
}

impl Role {
    /// Whether users of this role must belong to an organization.
    pub fn requires_organization(self) -> bool {
        matches!(self, Role::Owner)
    }
}

/// An e-mail address, trimmed and lower-cased, so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a dotted domain, no
    /// white space or control characters, at most 254 characters (RFC 5321).
    pub fn parse(raw: &str) -> Result<Email, DomainError> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() <= 254
            && !s.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
            })
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && domain.split('.').all(|label| {
                            !label.is_empty() && !label.starts_with('-') && !label.ends_with('-')
                        })
                }
                None => false,
            };
        if ok {
            Ok(Email(s))
        } else {
            Err(DomainError::invalid(
                "email",
                "электрондық пошта мекенжайы қате",
                "неверный адрес электронной почты",
                "not a valid e-mail address",
            ))
        }
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortest password accepted (OWASP ASVS 2.1.1: at least 12 characters).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (ASVS 2.1.2 allows at least 64; 128 bounds hashing work).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a new password against the policy (ASVS 2.1): 12 to 128
/// characters, no composition rules (2.1.9), not containing the e-mail
/// address or its local part (2.1.7, context words), not one character
/// repeated, and not on the embedded list of common passwords.
pub fn check_password(password: &str, email: &Email) -> Result<(), DomainError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(DomainError::invalid(
            "password",
            "құпиясөз 12-ден 128 таңбаға дейін болуы керек",
            "пароль должен содержать от 12 до 128 символов",
            "the password must be 12 to 128 characters long",
        ));
    }
    let lower = password.trim().to_lowercase();
    let local = email.as_str().split('@').next().unwrap_or_default();
    if lower.contains(email.as_str()) || local.chars().count() >= 4 && lower.contains(local) {
        return Err(DomainError::invalid(
            "password",
            "құпиясөзде электрондық пошта мекенжайы болмауы керек",
            "пароль не должен содержать адрес электронной почты",
            "the password must not contain the e-mail address",
        ));
    }
    if password.chars().all(|c| password.starts_with(c)) || is_common_password(&lower) {
        return Err(DomainError::invalid(
            "password",
            "құпиясөз тым оңай",
            "пароль слишком простой",
            "the password is too easy to guess",
        ));
    }
    Ok(())
}

/// Passwords refused as too common (ASVS 2.1.7), embedded at build time.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `lower` (a trimmed, lower-cased password) is on the embedded list
/// of common passwords.
fn is_common_password(lower: &str) -> bool {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower)
}

/// The longest full name of a person accepted.
pub const MAX_PERSON_NAME: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            Email::parse("  Aigerim.N@Gov.KZ ").map(|e| e.to_string()),
            Ok("aigerim.n@gov.kz".into())
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@gov.kz",
            "a@@gov.kz",
            "a b@gov.kz",
            "a@gov..kz",
            "a@-gov.kz",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn password_policy() {
        let email = Email::parse("owner@gov.kz").unwrap();
        assert!(check_password("short", &email).is_err());
        assert!(check_password("aaaaaaaaaaaaaa", &email).is_err());
        assert!(check_password("owner@gov.kz", &email).is_err());
        assert!(check_password("correct horse battery", &email).is_ok());
        assert!(check_password("my owner@gov.kz pass", &email).is_err());
        assert!(check_password("xx-Owner-2026-yy", &email).is_err());
        assert!(check_password("Password1234", &email).is_err());
        assert!(check_password(" QWERTY123456 ", &email).is_err());
        assert!(check_password("Пароль123456", &email).is_err());
        assert!(check_password(&"x".repeat(129), &email).is_err());
    }
}
