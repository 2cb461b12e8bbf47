//! Applications for a portal user account (003 §6): an owner entity applies,
//! the service integrator grants the account within 2 working days, and the
//! person sets a password through a single-use activation link.

use chrono::{DateTime, Utc};

use crate::access::Actor;
use crate::error::{DomainError, text_field};
use crate::organization::NewOrganization;
use crate::text::Lang;
use crate::user::{Email, MAX_PERSON_NAME};
use crate::vocabulary;

/// 003 §6: the integrator grants the account within 2 working days of
/// receiving the application.
pub const GRANT_WORKING_DAYS: u32 = 2;

/// Longest position (job title) accepted.
pub const MAX_POSITION: usize = 300;
/// Longest basis for access accepted.
pub const MAX_BASIS: usize = 2000;
/// Longest rejection reason accepted.
pub const MAX_REASON: usize = 2000;

vocabulary! {
    /// Where an account request stands (003 §6).
    pub enum AccountRequestStatus {
        /// Received; the integrator has not decided yet.
        Pending = "PENDING" { kk: "Қаралуда", ru: "На рассмотрении", en: "Pending" },
        /// Granted: the user exists and an activation link was sent.
        Approved = "APPROVED" { kk: "Мақұлданды", ru: "Одобрена", en: "Approved" },
        /// Refused with a reason.
        Rejected = "REJECTED" { kk: "Қабылданбады", ru: "Отклонена", en: "Rejected" },
    }
}

/// A telephone number: digits with an optional leading `+`, spaces, dashes
/// and parentheses; 10 to 15 digits (ITU-T E.164 at most 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number as a person types it.
    pub fn parse(raw: &str) -> Result<Phone, DomainError> {
        let s = raw.trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let allowed = s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        });
        if !allowed || !(10..=15).contains(&digits) {
            return Err(DomainError::invalid(
                "phone",
                "телефон нөмірі қате: 10–15 цифр",
                "неверный номер телефона: 10–15 цифр",
                "not a phone number: 10 to 15 digits",
            ));
        }
        Ok(Phone(s.to_owned()))
    }

    /// The number as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated application (the form of Annex 2 to 003; the domain digest
/// lists its minimum: the organization, the person and the basis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequestData {
    /// The applicant organization.
    pub organization: NewOrganization,
    /// The person's full name.
    pub full_name: String,
    /// The person's position.
    pub position: String,
    /// The person's e-mail address: the future login.
    pub email: Email,
    /// The person's phone.
    pub phone: Phone,
    /// The basis for access (order, letter, contract …).
    pub basis: String,
    /// The language the person reads mail in.
    pub language: Lang,
}

impl AccountRequestData {
    /// Validates the raw fields of an application.
    pub fn parse(
        organization: NewOrganization,
        full_name: &str,
        position: &str,
        email: &str,
        phone: &str,
        basis: &str,
        language: Lang,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            organization,
            full_name: text_field("fullName", full_name, MAX_PERSON_NAME)?,
            position: text_field("position", position, MAX_POSITION)?,
            email: Email::parse(email)?,
            phone: Phone::parse(phone)?,
            basis: text_field("basis", basis, MAX_BASIS)?,
            language,
        })
    }
}

/// What the integrator decides on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRequestCommand {
    /// Grant the account.
    Approve,
    /// Refuse it, saying why.
    Reject {
        /// The reason, as typed.
        reason: String,
    },
}

/// What a decision caused, for storage to persist and notify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRequestEvent {
    /// Granted: create the organization if new, the user, and the activation link.
    Approved,
    /// Refused with this (validated) reason.
    Rejected {
        /// The reason.
        reason: String,
    },
}

/// The account-request state machine (003 §6): only a pending request is
/// decided, once, by the integrator or an admin; a rejection needs a reason.
pub fn decide(
    status: AccountRequestStatus,
    command: AccountRequestCommand,
    actor: &Actor,
) -> Result<(AccountRequestStatus, Vec<AccountRequestEvent>), DomainError> {
    actor.check_grant_accounts()?;
    if status != AccountRequestStatus::Pending {
        return Err(DomainError::state(
            "өтінім бойынша шешім бұрыннан қабылданған",
            "по заявке уже принято решение",
            "the request has already been decided",
        ));
    }
    match command {
        AccountRequestCommand::Approve => Ok((
            AccountRequestStatus::Approved,
            vec![AccountRequestEvent::Approved],
        )),
        AccountRequestCommand::Reject { reason } => {
            let reason = text_field("reason", &reason, MAX_REASON)?;
            Ok((
                AccountRequestStatus::Rejected,
                vec![AccountRequestEvent::Rejected { reason }],
            ))
        }
    }
}

/// Whether an activation link may still be used: once, before it expires.
pub fn check_activation(
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if used_at.is_some() {
        return Err(DomainError::InvalidState {
            reason: crate::LocalizedText::new(
                "белсендіру сілтемесі бұрын пайдаланылған",
                "ссылка активации уже использована",
                "the activation link has already been used",
            ),
        });
    }
    if now >= expires_at {
        return Err(DomainError::Expired {
            field: "token".into(),
            reason: crate::LocalizedText::new(
                "белсендіру сілтемесінің мерзімі өтті: интеграторға хабарласыңыз",
                "срок действия ссылки активации истёк: обратитесь к интегратору",
                "the activation link has expired: ask the integrator for a new one",
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::Role;
    use uuid::Uuid;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            role,
            organization_id: None,
        }
    }

    #[test]
    fn decided_once_by_integrator_or_admin() {
        use AccountRequestStatus::*;
        let integrator = actor(Role::Integrator);
        assert_eq!(
            decide(Pending, AccountRequestCommand::Approve, &integrator)
                .unwrap()
                .0,
            Approved
        );
        assert!(decide(Approved, AccountRequestCommand::Approve, &integrator).is_err());
        assert!(
            decide(
                Rejected,
                AccountRequestCommand::Approve,
                &actor(Role::Admin)
            )
            .is_err()
        );
        for role in [Role::Owner, Role::Analyst, Role::Operator] {
            assert!(matches!(
                decide(Pending, AccountRequestCommand::Approve, &actor(role)),
                Err(DomainError::Forbidden { .. })
            ));
        }
        let blank = AccountRequestCommand::Reject { reason: " ".into() };
        assert!(decide(Pending, blank, &integrator).is_err());
        let (status, events) = decide(
            Pending,
            AccountRequestCommand::Reject {
                reason: " no basis ".into(),
            },
            &integrator,
        )
        .unwrap();
        assert_eq!(status, Rejected);
        assert_eq!(
            events,
            vec![AccountRequestEvent::Rejected {
                reason: "no basis".into()
            }]
        );
    }

    #[test]
    fn activation_is_single_use_and_expires() {
        let now = Utc::now();
        let later = now + chrono::Duration::hours(1);
        assert!(check_activation(None, later, now).is_ok());
        assert!(matches!(
            check_activation(Some(now), later, now),
            Err(DomainError::InvalidState { .. })
        ));
        assert!(matches!(
            check_activation(None, now, now),
            Err(DomainError::Expired { .. })
        ));
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("+7 (717) 274-00-00").is_ok());
        assert!(Phone::parse("87172740000").is_ok());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("7717+2740000").is_err());
        assert!(Phone::parse("call me").is_err());
    }
}
