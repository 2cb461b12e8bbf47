//! Integration requests (000 §6, 001 §3–§4, §45-1…45-7): the initiator (owner
//! of the consuming object) files a request with the Annex 5 fields; the
//! integrator analyses it (7 working days), the service owner signs the
//! agreement or refuses with reasons (10), the operator checks completeness
//! (3) and returns it for rework (3 for the initiator) or grants test access
//! (10); joint testing lasts at most 3 months; an act puts the integration
//! into production. The state machine is [`decide`]: pure, no I/O.

use std::net::IpAddr;

use crate::DomainError;
use crate::object::IntegrationExclusion;
use crate::service::{Gateway, Interaction, ServiceStatus};

crate::vocabulary! {
    /// Where an integration request stands.
    pub enum RequestState {
        /// The integrator analyses it and checks for similar services (000 §6.2).
        Analysis = "ANALYSIS" { kk: "Интегратордың талдауы", ru: "Анализ интегратором", en: "Integrator's analysis" },
        /// The service owner signs the agreement or refuses (000 §6.4).
        OwnerAgreement = "OWNER_AGREEMENT" { kk: "Иесінің келісімі", ru: "Согласование владельцем", en: "Owner's agreement" },
        /// The operator checks completeness and correctness (001 §45-4).
        CompletenessCheck = "COMPLETENESS_CHECK" { kk: "Толықтығын тексеру", ru: "Проверка полноты", en: "Completeness check" },
        /// Returned to the initiator for rework (001 §45-4).
        Rework = "REWORK" { kk: "Пысықтау", ru: "Доработка", en: "Rework" },
        /// The operator grants test access to the gateways (001 §45-5).
        TestAccess = "TEST_ACCESS" { kk: "Тестілік қолжетімділік", ru: "Тестовый доступ", en: "Test access" },
        /// Joint testing, at most 3 months (001 §45-6).
        Testing = "TESTING" { kk: "Бірлескен тестілеу", ru: "Совместное тестирование", en: "Joint testing" },
        /// In industrial operation: the consumer is registered.
        InProduction = "IN_PRODUCTION" { kk: "Өнеркәсіптік пайдалануда", ru: "В промышленной эксплуатации", en: "In production" },
        /// The integrator recommended against it.
        Rejected = "REJECTED" { kk: "Қабылданбады", ru: "Отклонён", en: "Rejected" },
        /// The service owner refused with reasons.
        Refused = "REFUSED" { kk: "Иесі бас тартты", ru: "Отказано владельцем", en: "Refused by the owner" },
    }
}

crate::vocabulary! {
    /// Who takes a step.
    pub enum Party {
        /// The owner of the consuming object, who filed the request.
        Initiator = "INITIATOR" { kk: "Бастамашы", ru: "Инициатор", en: "Initiator" },
        /// The owner of the service.
        ServiceOwner = "SERVICE_OWNER" { kk: "Сервис иесі", ru: "Владелец сервиса", en: "Service owner" },
        /// The service integrator.
        Integrator = "INTEGRATOR" { kk: "Сервистік интегратор", ru: "Сервисный интегратор", en: "Service integrator" },
        /// The gateway operator.
        Operator = "OPERATOR" { kk: "Оператор", ru: "Оператор", en: "Operator" },
    }
}

/// How long a step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Working days from the calendar.
    WorkingDays(u32),
    /// Calendar months (joint testing: at most 3).
    Months(u32),
    /// No deadline (final states).
    None,
}

impl RequestState {
    /// Who acts in this state and how long they have.
    pub fn actor_and_due(self) -> (Option<Party>, Due) {
        match self {
            RequestState::Analysis => (Some(Party::Integrator), Due::WorkingDays(7)),
            RequestState::OwnerAgreement => (Some(Party::ServiceOwner), Due::WorkingDays(10)),
            RequestState::CompletenessCheck => (Some(Party::Operator), Due::WorkingDays(3)),
            RequestState::Rework => (Some(Party::Initiator), Due::WorkingDays(3)),
            RequestState::TestAccess => (Some(Party::Operator), Due::WorkingDays(10)),
            RequestState::Testing => (Some(Party::Operator), Due::Months(3)),
            RequestState::InProduction | RequestState::Rejected | RequestState::Refused => {
                (None, Due::None)
            }
        }
    }

    /// Whether nothing more happens.
    pub fn is_final(self) -> bool {
        self.actor_and_due().0.is_none()
    }
}

/// A step's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Integrator: analysis done, with the recommendation.
    Recommend {
        /// Whether the integration is recommended.
        positive: bool,
        /// The recommendation text.
        text: String,
    },
    /// Service owner: agreement signed.
    SignAgreement,
    /// Service owner: refused, with the reasons.
    RefuseAgreement {
        /// The reasons.
        reasons: String,
    },
    /// Operator: the completeness check passed or failed (with remarks).
    CheckCompleteness {
        /// Whether it passed.
        complete: bool,
        /// Remarks (required when it failed).
        remarks: String,
    },
    /// Initiator: reworked and sent back.
    Resubmit,
    /// Operator: test access granted.
    GrantTestAccess,
    /// Operator: the act putting it into production.
    PutIntoProduction {
        /// The act's number or link.
        act: String,
    },
}

impl Command {
    /// The party that takes this step.
    pub fn party(&self) -> Party {
        match self {
            Command::Recommend { .. } => Party::Integrator,
            Command::SignAgreement | Command::RefuseAgreement { .. } => Party::ServiceOwner,
            Command::Resubmit => Party::Initiator,
            Command::CheckCompleteness { .. }
            | Command::GrantTestAccess
            | Command::PutIntoProduction { .. } => Party::Operator,
        }
    }
}

/// What a decision causes (storage persists these, it decides nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The request entered a state.
    Entered(RequestState),
    /// A party is told.
    Notify(Party),
    /// The consumer becomes an approved consumer of the service.
    ConsumerApproved,
}

fn wrong_actor(expected: Party) -> DomainError {
    let l = expected.label();
    DomainError::forbidden(
        &format!("бұл қадамды {} жасайды", l.kk),
        &format!("этот шаг выполняет {}", l.ru),
        &format!("this step is taken by the {}", l.en.to_lowercase()),
    )
}

fn out_of_order(state: RequestState) -> DomainError {
    let l = state.label();
    DomainError::state(
        &format!("бұл қадам «{}» күйінде мүмкін емес", l.kk),
        &format!("этот шаг невозможен в состоянии «{}»", l.ru),
        &format!("this step is not possible in the state \"{}\"", l.en),
    )
}

fn required(field: &str, value: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::invalid(
            field,
            "себептерін көрсетіңіз",
            "укажите причины",
            "give the reasons",
        ));
    }
    Ok(())
}

/// The state machine: `(state, command, actor) -> (new state, events)`.
/// Out-of-order steps are `InvalidState`, the wrong party `Forbidden`.
pub fn decide(
    state: RequestState,
    command: &Command,
    actor: Party,
) -> Result<(RequestState, Vec<Event>), DomainError> {
    let expected_state = match command {
        Command::Recommend { .. } => RequestState::Analysis,
        Command::SignAgreement | Command::RefuseAgreement { .. } => RequestState::OwnerAgreement,
        Command::CheckCompleteness { .. } => RequestState::CompletenessCheck,
        Command::Resubmit => RequestState::Rework,
        Command::GrantTestAccess => RequestState::TestAccess,
        Command::PutIntoProduction { .. } => RequestState::Testing,
    };
    // The wrong party is refused whatever the state; the right party out of
    // order is told the state does not allow the step.
    if actor != command.party() {
        return Err(wrong_actor(command.party()));
    }
    if state != expected_state {
        return Err(out_of_order(state));
    }
    let next = match command {
        Command::Recommend { positive, text } => {
            required("recommendation", text)?;
            if *positive {
                RequestState::OwnerAgreement
            } else {
                RequestState::Rejected
            }
        }
        Command::SignAgreement => RequestState::CompletenessCheck,
        Command::RefuseAgreement { reasons } => {
            required("reasons", reasons)?;
            RequestState::Refused
        }
        Command::CheckCompleteness { complete, remarks } => {
            if *complete {
                RequestState::TestAccess
            } else {
                required("remarks", remarks)?;
                RequestState::Rework
            }
        }
        Command::Resubmit => RequestState::CompletenessCheck,
        Command::GrantTestAccess => RequestState::Testing,
        Command::PutIntoProduction { act } => {
            required("act", act)?;
            RequestState::InProduction
        }
    };
    let mut events = vec![Event::Entered(next), Event::Notify(Party::Initiator)];
    if let (Some(p), _) = next.actor_and_due()
        && p != Party::Initiator
    {
        events.push(Event::Notify(p));
    }
    if next == RequestState::InProduction {
        events.push(Event::Notify(Party::ServiceOwner));
        events.push(Event::ConsumerApproved);
    }
    Ok((next, events))
}

/// What filing needs to know besides the Annex 5 text fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingFacts {
    /// The service's gateway.
    pub gateway: Gateway,
    /// Synchronous or asynchronous.
    pub interaction: Interaction,
    /// The service's status.
    pub status: ServiceStatus,
    /// The consuming object's 001 §3 exclusion, if any.
    pub consumer_exclusion: Option<IntegrationExclusion>,
    /// The providing object's 001 §3 exclusion, if any.
    pub provider_exclusion: Option<IntegrationExclusion>,
    /// Whether the consuming system is a non-state system.
    pub consumer_non_state: bool,
}

/// Checks the system address: an IP address for synchronous services, an
/// `http(s)://` callback URL for asynchronous ones (Annex 5).
pub fn check_address(interaction: Interaction, address: &str) -> Result<String, DomainError> {
    let a = address.trim();
    match interaction {
        Interaction::Synchronous => a.parse::<IpAddr>().map(|ip| ip.to_string()).map_err(|_| {
            DomainError::invalid(
                "systemAddress",
                "синхронды сервис үшін жүйенің IP мекенжайы қажет",
                "для синхронного сервиса нужен IP-адрес системы",
                "a synchronous service needs the system's IP address",
            )
        }),
        Interaction::Asynchronous => {
            let ok = (a.starts_with("https://") || a.starts_with("http://"))
                && a.len() > "https://".len()
                && a.len() <= 2000
                && !a.chars().any(|c| c.is_whitespace() || c.is_control());
            if ok {
                Ok(a.to_owned())
            } else {
                Err(DomainError::invalid(
                    "systemAddress",
                    "асинхронды сервис үшін кері шақыру URL-і (http/https) қажет",
                    "для асинхронного сервиса нужен URL обратного вызова (http/https)",
                    "an asynchronous service needs a callback URL (http/https)",
                ))
            }
        }
    }
}

/// Refuses a request up front (001 §3 exclusions, 001 §4 non-state systems),
/// with the reason; returns the cleaned system address otherwise.
pub fn check_filing(facts: &FilingFacts, address: &str) -> Result<String, DomainError> {
    for (field, excl) in [
        ("consumerObjectId", facts.consumer_exclusion),
        ("serviceId", facts.provider_exclusion),
    ] {
        if let Some(e) = excl {
            let l = e.label();
            return Err(DomainError::invalid(
                field,
                &format!("001 §3: шлюз арқылы интеграцияланбайды — {}", l.kk),
                &format!("001 §3: не интегрируется через шлюзы — {}", l.ru),
                &format!("001 §3: not integrated through the gateways — {}", l.en),
            ));
        }
    }
    if facts.consumer_non_state
        && (facts.gateway != Gateway::Eegg || facts.status != ServiceStatus::InProduction)
    {
        return Err(DomainError::invalid(
            "serviceId",
            "001 §4: мемлекеттік емес жүйе тек өнеркәсіптік пайдаланудағы сыртқы шлюз (ВШЭП) арқылы интеграцияланады",
            "001 §4: негосударственная система интегрируется только через внешний шлюз (ВШЭП) в промышленной эксплуатации",
            "001 §4: a non-state system integrates only through the external gateway (EEGG) in production",
        ));
    }
    check_address(facts.interaction, address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn happy_path_with_rework() {
        use Command::*;
        use RequestState as S;
        let steps: Vec<(Command, Party, S)> = vec![
            (
                Recommend {
                    positive: true,
                    text: "ok".into(),
                },
                Party::Integrator,
                S::OwnerAgreement,
            ),
            (SignAgreement, Party::ServiceOwner, S::CompletenessCheck),
            (
                CheckCompleteness {
                    complete: false,
                    remarks: "no basis".into(),
                },
                Party::Operator,
                S::Rework,
            ),
            (Resubmit, Party::Initiator, S::CompletenessCheck),
            (
                CheckCompleteness {
                    complete: true,
                    remarks: String::new(),
                },
                Party::Operator,
                S::TestAccess,
            ),
            (GrantTestAccess, Party::Operator, S::Testing),
            (
                PutIntoProduction {
                    act: "Act 1".into(),
                },
                Party::Operator,
                S::InProduction,
            ),
        ];
        let mut s = S::Analysis;
        for (c, p, want) in steps {
            let (next, events) = decide(s, &c, p).unwrap_or_else(|e| panic!("{c:?}: {e}"));
            assert_eq!(next, want);
            assert!(events.contains(&Event::Entered(want)));
            s = next;
        }
        assert!(s.is_final());
    }

    #[test]
    fn out_of_order_and_wrong_party_are_refused() {
        assert!(matches!(
            decide(
                RequestState::Analysis,
                &Command::SignAgreement,
                Party::ServiceOwner
            ),
            Err(DomainError::InvalidState { .. })
        ));
        assert!(matches!(
            decide(
                RequestState::Analysis,
                &Command::Recommend {
                    positive: true,
                    text: "x".into()
                },
                Party::Operator
            ),
            Err(DomainError::Forbidden { .. })
        ));
        assert!(
            decide(
                RequestState::OwnerAgreement,
                &Command::RefuseAgreement {
                    reasons: " ".into()
                },
                Party::ServiceOwner
            )
            .is_err()
        );
    }

    #[test]
    fn addresses_and_exclusions() {
        assert!(check_address(Interaction::Synchronous, "10.0.0.1").is_ok());
        assert!(check_address(Interaction::Synchronous, "https://x.kz/cb").is_err());
        assert!(check_address(Interaction::Asynchronous, "https://x.kz/cb").is_ok());
        assert!(check_address(Interaction::Asynchronous, "10.0.0.1").is_err());
        let facts = FilingFacts {
            gateway: Gateway::Egg,
            interaction: Interaction::Synchronous,
            status: ServiceStatus::InProduction,
            consumer_exclusion: Some(IntegrationExclusion::StateSecrets),
            provider_exclusion: None,
            consumer_non_state: false,
        };
        assert!(check_filing(&facts, "10.0.0.1").is_err());
        let non_state = FilingFacts {
            consumer_exclusion: None,
            consumer_non_state: true,
            ..facts
        };
        assert!(check_filing(&non_state, "10.0.0.1").is_err());
        let eegg = FilingFacts {
            gateway: Gateway::Eegg,
            ..non_state
        };
        assert!(check_filing(&eegg, "10.0.0.1").is_ok());
    }
}
