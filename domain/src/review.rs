//! Submission and the integrator's review (003 §7–§9): what a complete entry
//! needs, who may submit, take, register, return or flag an object, and what
//! each step causes. Storage persists what [`decide`] returns.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::access::Actor;
use crate::document::{DocumentKind, required_kinds};
use crate::error::{DomainError, text_field};
use crate::object::{LifeCycleStage, ObjectData, RegistrationStatus};
use crate::text::LocalizedText;
use crate::vocabulary;

/// 003 §8: the integrator checks a complete submission within 5 working days.
pub const REVIEW_WORKING_DAYS: u32 = 5;

/// 003 §9, second part: the owner updates the portal no later than 10
/// working days after the data changed or was found missing.
pub const UPDATE_WORKING_DAYS: u32 = 10;

/// Longest remark accepted.
pub const MAX_REMARK: usize = 4000;

/// The descriptive fields a remark may point at, as the API names them.
pub const REMARK_FIELDS: [&str; 10] = [
    "kind",
    "nameKk",
    "nameRu",
    "shortName",
    "purpose",
    "stage",
    "stageStartedOn",
    "containsPersonalData",
    "exclusion",
    "relations",
];

vocabulary! {
    /// The integrator's decision on a submission (003 §8).
    pub enum ReviewDecision {
        /// Complete and correct: the accounting code is assigned (or kept).
        Registered = "REGISTERED" { kk: "Тіркелді", ru: "Зарегистрирован", en: "Registered" },
        /// Incomplete or incorrect: returned with what must be added or changed.
        Returned = "RETURNED" { kk: "Пысықтауға қайтарылды", ru: "Возвращено на доработку", en: "Returned with remarks" },
    }
}

vocabulary! {
    /// What a submission asks the integrator to verify.
    pub enum SubmissionKind {
        /// The first entry of an object (003 §7–§8).
        Initial = "INITIAL" { kk: "Алғашқы енгізу", ru: "Первичное внесение", en: "Initial entry" },
        /// The changes to a registered object (003 §9).
        ChangeSet = "CHANGE_SET" { kk: "Өзгерістер жиынтығы", ru: "Набор изменений", en: "Change set" },
    }
}

/// What a remark is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "target", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemarkTarget {
    /// A descriptive field (one of [`REMARK_FIELDS`]).
    Field(String),
    /// A document kind of Annex 1.
    Document(DocumentKind),
}

/// One remark of the integrator: what must be added or changed (003 §8,
/// second part).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Remark {
    /// What it is about.
    pub target: RemarkTarget,
    /// What to do.
    pub text: String,
}

fn no_remarks() -> DomainError {
    DomainError::invalid(
        "remarks",
        "кемінде бір ескерту жазыңыз: нені толықтыру немесе өзгерту керек",
        "укажите хотя бы одно замечание: что нужно дополнить или изменить",
        "give at least one remark saying what must be added or changed",
    )
}

/// Validates remarks as typed: at least one; each names exactly one field or
/// one document kind and says something.
pub fn parse_remarks(
    raw: Vec<(Option<String>, Option<DocumentKind>, String)>,
) -> Result<Vec<Remark>, DomainError> {
    if raw.is_empty() {
        return Err(no_remarks());
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, (field, document, text))| {
            let at = format!("remarks.{i}");
            let target = match (field, document) {
                (Some(field), None) if REMARK_FIELDS.contains(&field.as_str()) => {
                    RemarkTarget::Field(field)
                }
                (None, Some(kind)) => RemarkTarget::Document(kind),
                (Some(_), None) => {
                    return Err(DomainError::invalid(
                        format!("{at}.field"),
                        "мұндай өріс жоқ",
                        "такого поля нет",
                        "no such field",
                    ));
                }
                _ => {
                    return Err(DomainError::invalid(
                        at,
                        "ескерту бір өріске немесе бір құжат түріне қатысты болуы керек",
                        "замечание относится ровно к одному полю или виду документа",
                        "a remark names exactly one field or one document kind",
                    ));
                }
            };
            Ok(Remark {
                target,
                text: text_field(&format!("{at}.text"), &text, MAX_REMARK)?,
            })
        })
        .collect()
}

/// The state of one document kind's current pair, as the documents module
/// reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairState {
    /// The kind.
    pub kind: DocumentKind,
    /// Both files passed their checks (PDF/A-1 and DOCX).
    pub conforming: bool,
    /// The integrator accepted the pair although the checks found problems.
    pub accepted_with_findings: bool,
}

/// One thing a submission lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// A field is empty or wrong.
    Field {
        /// The field, as the API names it.
        field: &'static str,
        /// What is wrong.
        reason: LocalizedText,
    },
    /// A required document kind has no pair.
    DocumentAbsent(DocumentKind),
    /// A required document kind's pair did not pass its checks.
    DocumentNotConforming(DocumentKind),
}

/// What a submission lacks (003 §7: the data and the copies of Annex 1, each
/// a PDF/A-1 with its DOCX; 003 §8: complete and correct), in a stable order:
/// fields first, then document kinds in Annex 1 order. Empty = complete.
///
/// Fields: the names, short name and purpose must be filled (they are on a
/// valid [`ObjectData`], but stored data is checked again), and the current
/// stage cannot have begun after `today` (the entry must be reliable).
/// Documents: every kind of [`required_kinds`] at `stage` needs a pair that
/// conforms or that the integrator accepted with findings.
pub fn readiness(
    data: &ObjectData,
    stage: LifeCycleStage,
    stage_started_on: NaiveDate,
    today: NaiveDate,
    pairs: &[PairState],
) -> Vec<Missing> {
    let mut missing = Vec::new();
    let empty = || {
        LocalizedText::new(
            "өріс толтырылмаған",
            "поле не заполнено",
            "the field is empty",
        )
    };
    for (field, value) in [
        ("nameKk", &data.name_kk),
        ("nameRu", &data.name_ru),
        ("shortName", &data.short_name),
        ("purpose", &data.purpose),
    ] {
        if value.trim().is_empty() {
            missing.push(Missing::Field {
                field,
                reason: empty(),
            });
        }
    }
    if stage_started_on > today {
        missing.push(Missing::Field {
            field: "stageStartedOn",
            reason: LocalizedText::new(
                "ағымдағы кезең әлі басталмаған: басталу күні болашақта",
                "текущая стадия ещё не началась: дата начала в будущем",
                "the current stage has not begun yet: its start date is in the future",
            ),
        });
    }
    for kind in required_kinds(stage) {
        match pairs.iter().find(|p| p.kind == *kind) {
            None => missing.push(Missing::DocumentAbsent(*kind)),
            Some(p) if !p.conforming && !p.accepted_with_findings => {
                missing.push(Missing::DocumentNotConforming(*kind));
            }
            Some(_) => {}
        }
    }
    missing
}

/// What the review state machine needs to know about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewState {
    /// The owner organization.
    pub organization_id: Uuid,
    /// Verification status.
    pub status: RegistrationStatus,
    /// Whether an accounting code is assigned (it then never changes).
    pub has_code: bool,
    /// Whether the data differ from what was registered (a change set).
    pub has_changes: bool,
    /// The integrator who took the open review, if any.
    pub reviewer: Option<Uuid>,
    /// Archived objects change no more.
    pub archived: bool,
}

/// A step of the verification workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewCommand {
    /// The owner submits; `missing` is what [`readiness`] found.
    Submit {
        /// What the entry lacks.
        missing: Vec<Missing>,
    },
    /// An integrator takes the review (one reviewer at a time).
    Take,
    /// The reviewer gives it back to the queue.
    Release,
    /// Register: assign the accounting code, or keep it for a change set.
    Register,
    /// Return with remarks.
    Return {
        /// At least one.
        remarks: Vec<Remark>,
    },
    /// The integrator finds data of a registered object missing (003 §9).
    FlagMissing {
        /// At least one.
        remarks: Vec<Remark>,
    },
}

/// What a step caused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewEvent {
    /// In the queue with a new 5-working-day clock.
    Submitted(SubmissionKind),
    /// Taken by this reviewer.
    Taken(Uuid),
    /// Back in the queue.
    Released,
    /// Registered; `assign_code` when the object has no code yet.
    Registered {
        /// Allocate the next accounting code.
        assign_code: bool,
    },
    /// Returned with these remarks.
    Returned(Vec<Remark>),
    /// The owner must update within 10 working days.
    UpdateRequested(Vec<Remark>),
}

fn under_review(state: &ReviewState) -> Result<(), DomainError> {
    if state.status != RegistrationStatus::Submitted {
        return Err(DomainError::state(
            "объект тексеруде емес",
            "объект не находится на проверке",
            "the object is not under review",
        ));
    }
    Ok(())
}

fn check_reviewer(state: &ReviewState, actor: &Actor) -> Result<(), DomainError> {
    match state.reviewer {
        Some(other) if other != actor.user_id => Err(DomainError::state(
            "тексеруді басқа интегратор қызметкері алған",
            "проверку уже взял другой сотрудник интегратора",
            "another reviewer has taken this review",
        )),
        _ => Ok(()),
    }
}

fn missing_error(missing: &[Missing]) -> DomainError {
    let list =
        |f: &dyn Fn(&Missing) -> String| missing.iter().map(f).collect::<Vec<_>>().join("; ");
    DomainError::InvalidState {
        reason: LocalizedText::new(
            format!(
                "енгізу толық емес: {}",
                list(&|m| describe(m, crate::Lang::Kk))
            ),
            format!(
                "сведения неполные: {}",
                list(&|m| describe(m, crate::Lang::Ru))
            ),
            format!(
                "the entry is incomplete: {}",
                list(&|m| describe(m, crate::Lang::En))
            ),
        ),
    }
}

/// One missing item in words.
pub fn describe(missing: &Missing, lang: crate::Lang) -> String {
    match missing {
        Missing::Field { field, reason } => format!("{field} — {}", reason.get(lang)),
        Missing::DocumentAbsent(kind) => {
            let what = match lang {
                crate::Lang::Kk => "құжат жоқ",
                crate::Lang::Ru => "документ отсутствует",
                crate::Lang::En => "document missing",
            };
            format!("{} — {what}", kind.label().get(lang))
        }
        Missing::DocumentNotConforming(kind) => {
            let what = match lang {
                crate::Lang::Kk => "PDF/A немесе DOCX тексеруден өтпеді",
                crate::Lang::Ru => "PDF/A или DOCX не прошли проверку",
                crate::Lang::En => "the PDF/A or DOCX failed its checks",
            };
            format!("{} — {what}", kind.label().get(lang))
        }
    }
}

/// The verification state machine (003 §7–§9).
///
/// * Submit (the owner's organization only): a draft, a returned entry, or a
///   registered object with changes; refused with the list of what is
///   missing when incomplete. A new 5-working-day clock starts.
/// * Take / Release (integrator): one reviewer at a time.
/// * Register / Return (integrator, the one who took it or anyone if nobody
///   did): only an object under review; a return needs remarks.
/// * FlagMissing (integrator): a registered object's data are missing; the
///   owner has 10 working days.
pub fn decide(
    state: &ReviewState,
    command: ReviewCommand,
    actor: &Actor,
) -> Result<(ReviewState, Vec<ReviewEvent>), DomainError> {
    let mut next = state.clone();
    if state.archived {
        return Err(DomainError::state(
            "объект мұрағатта",
            "объект в архиве",
            "the object is archived",
        ));
    }
    let events = match command {
        ReviewCommand::Submit { missing } => {
            actor.check_change_objects_of(state.organization_id)?;
            let kind = match state.status {
                RegistrationStatus::Submitted => {
                    return Err(DomainError::state(
                        "объект тексеруде тұр",
                        "объект уже на проверке",
                        "the object is already under review",
                    ));
                }
                RegistrationStatus::Registered if !state.has_changes => {
                    return Err(DomainError::state(
                        "тіркелген деректерде өзгеріс жоқ: тексеруге жіберетін ештеңе жоқ",
                        "изменений зарегистрированных сведений нет: отправлять нечего",
                        "nothing changed since registration: there is nothing to submit",
                    ));
                }
                _ if state.has_code => SubmissionKind::ChangeSet,
                _ => SubmissionKind::Initial,
            };
            if !missing.is_empty() {
                return Err(missing_error(&missing));
            }
            next.status = RegistrationStatus::Submitted;
            next.reviewer = None;
            vec![ReviewEvent::Submitted(kind)]
        }
        ReviewCommand::Take => {
            actor.check_integrator()?;
            under_review(state)?;
            check_reviewer(state, actor)?;
            next.reviewer = Some(actor.user_id);
            vec![ReviewEvent::Taken(actor.user_id)]
        }
        ReviewCommand::Release => {
            actor.check_integrator()?;
            under_review(state)?;
            if state.reviewer != Some(actor.user_id) {
                return Err(DomainError::state(
                    "тексеруді сіз алған жоқсыз",
                    "эту проверку взяли не вы",
                    "you have not taken this review",
                ));
            }
            next.reviewer = None;
            vec![ReviewEvent::Released]
        }
        ReviewCommand::Register => {
            actor.check_integrator()?;
            under_review(state)?;
            check_reviewer(state, actor)?;
            next.status = RegistrationStatus::Registered;
            next.has_code = true;
            next.has_changes = false;
            next.reviewer = None;
            vec![ReviewEvent::Registered {
                assign_code: !state.has_code,
            }]
        }
        ReviewCommand::Return { remarks } => {
            actor.check_integrator()?;
            under_review(state)?;
            check_reviewer(state, actor)?;
            if remarks.is_empty() {
                return Err(no_remarks());
            }
            next.status = RegistrationStatus::Returned;
            next.reviewer = None;
            vec![ReviewEvent::Returned(remarks)]
        }
        ReviewCommand::FlagMissing { remarks } => {
            actor.check_integrator()?;
            if state.status != RegistrationStatus::Registered {
                return Err(DomainError::state(
                    "тек тіркелген объект бойынша деректердің жоқтығын белгілеуге болады",
                    "отметить отсутствие сведений можно только у зарегистрированного объекта",
                    "only a registered object's data can be flagged as missing",
                ));
            }
            if remarks.is_empty() {
                return Err(no_remarks());
            }
            vec![ReviewEvent::UpdateRequested(remarks)]
        }
    };
    Ok((next, events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectKind;
    use crate::user::Role;

    fn data() -> ObjectData {
        ObjectData::parse(
            ObjectKind::InformationSystem,
            "ЭҮП",
            "ЭП",
            "ЭП",
            "Қызметтер",
            false,
            None,
        )
        .unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn actor(role: Role, org: Option<Uuid>, id: u128) -> Actor {
        Actor {
            user_id: Uuid::from_u128(id),
            role,
            organization_id: org,
        }
    }

    #[test]
    fn readiness_lists_fields_then_documents_in_annex_order() {
        let all_creation: Vec<PairState> = required_kinds(LifeCycleStage::Creation)
            .iter()
            .map(|k| PairState {
                kind: *k,
                conforming: true,
                accepted_with_findings: false,
            })
            .collect();
        assert!(
            readiness(
                &data(),
                LifeCycleStage::Creation,
                d("2025-01-01"),
                d("2025-02-01"),
                &all_creation
            )
            .is_empty()
        );
        let mut pairs = all_creation.clone();
        pairs[0].conforming = false;
        pairs.remove(1);
        let missing = readiness(
            &data(),
            LifeCycleStage::Creation,
            d("2025-03-01"),
            d("2025-02-01"),
            &pairs,
        );
        assert!(matches!(
            missing[0],
            Missing::Field {
                field: "stageStartedOn",
                ..
            }
        ));
        assert_eq!(
            missing[1..],
            [
                Missing::DocumentNotConforming(required_kinds(LifeCycleStage::Creation)[0]),
                Missing::DocumentAbsent(required_kinds(LifeCycleStage::Creation)[1]),
            ]
        );
        pairs[0].accepted_with_findings = true;
        let missing = readiness(
            &data(),
            LifeCycleStage::Creation,
            d("2025-01-01"),
            d("2025-02-01"),
            &pairs,
        );
        assert_eq!(missing.len(), 1);
    }

    #[test]
    fn remarks_need_one_target_and_text() {
        assert!(parse_remarks(vec![]).is_err());
        assert!(parse_remarks(vec![(Some("nope".into()), None, "x".into())]).is_err());
        assert!(
            parse_remarks(vec![(
                Some("purpose".into()),
                Some(DocumentKind::Contracts),
                "x".into()
            )])
            .is_err()
        );
        assert!(parse_remarks(vec![(None, None, "x".into())]).is_err());
        assert!(parse_remarks(vec![(Some("purpose".into()), None, " ".into())]).is_err());
        let ok = parse_remarks(vec![
            (Some("purpose".into()), None, " more detail ".into()),
            (None, Some(DocumentKind::Contracts), "sign it".into()),
        ])
        .unwrap();
        assert_eq!(ok[0].text, "more detail");
        assert_eq!(
            ok[1].target,
            RemarkTarget::Document(DocumentKind::Contracts)
        );
    }

    #[test]
    fn the_workflow() {
        let org = Uuid::from_u128(7);
        let owner = actor(Role::Owner, Some(org), 1);
        let stranger = actor(Role::Owner, Some(Uuid::from_u128(8)), 2);
        let integrator = actor(Role::Integrator, None, 3);
        let other_integrator = actor(Role::Integrator, None, 4);
        let draft = ReviewState {
            organization_id: org,
            status: RegistrationStatus::Draft,
            has_code: false,
            has_changes: false,
            reviewer: None,
            archived: false,
        };
        let submit = || ReviewCommand::Submit { missing: vec![] };
        assert!(decide(&draft, submit(), &stranger).is_err());
        assert!(decide(&draft, submit(), &integrator).is_err());
        let incomplete = ReviewCommand::Submit {
            missing: vec![Missing::DocumentAbsent(DocumentKind::Contracts)],
        };
        let err = decide(&draft, incomplete, &owner).unwrap_err();
        assert!(err.message(crate::Lang::En).contains("Contracts"));
        let (submitted, ev) = decide(&draft, submit(), &owner).unwrap();
        assert_eq!(ev, vec![ReviewEvent::Submitted(SubmissionKind::Initial)]);
        assert!(decide(&submitted, submit(), &owner).is_err());
        assert!(decide(&draft, ReviewCommand::Register, &integrator).is_err());
        assert!(decide(&submitted, ReviewCommand::Register, &owner).is_err());
        let (taken, _) = decide(&submitted, ReviewCommand::Take, &integrator).unwrap();
        assert!(decide(&taken, ReviewCommand::Take, &other_integrator).is_err());
        assert!(decide(&taken, ReviewCommand::Register, &other_integrator).is_err());
        assert!(decide(&taken, ReviewCommand::Release, &other_integrator).is_err());
        let (released, _) = decide(&taken, ReviewCommand::Release, &integrator).unwrap();
        assert_eq!(released.reviewer, None);
        assert!(
            decide(
                &taken,
                ReviewCommand::Return { remarks: vec![] },
                &integrator
            )
            .is_err()
        );
        let remarks = parse_remarks(vec![(Some("purpose".into()), None, "x".into())]).unwrap();
        let (returned, _) = decide(
            &taken,
            ReviewCommand::Return {
                remarks: remarks.clone(),
            },
            &integrator,
        )
        .unwrap();
        assert_eq!(returned.status, RegistrationStatus::Returned);
        let (again, _) = decide(&returned, submit(), &owner).unwrap();
        let (registered, ev) = decide(&again, ReviewCommand::Register, &integrator).unwrap();
        assert_eq!(ev, vec![ReviewEvent::Registered { assign_code: true }]);
        assert!(decide(&registered, ReviewCommand::Register, &integrator).is_err());
        assert!(decide(&registered, submit(), &owner).is_err());
        let changed = ReviewState {
            has_changes: true,
            ..registered.clone()
        };
        let (resubmitted, ev) = decide(&changed, submit(), &owner).unwrap();
        assert_eq!(ev, vec![ReviewEvent::Submitted(SubmissionKind::ChangeSet)]);
        let (_, ev) = decide(&resubmitted, ReviewCommand::Register, &integrator).unwrap();
        assert_eq!(ev, vec![ReviewEvent::Registered { assign_code: false }]);
        assert!(
            decide(
                &registered,
                ReviewCommand::FlagMissing {
                    remarks: remarks.clone()
                },
                &integrator
            )
            .is_ok()
        );
        assert!(decide(&draft, ReviewCommand::FlagMissing { remarks }, &integrator).is_err());
    }
}
