//! The e-mails the workflow sends, rendered in the recipient's language
//! (004 §5: the portal speaks Kazakh and Russian; English for foreign
//! readers). Delivery follows 002 §9: messages wait in an outbox and are
//! re-sent until delivered, so nothing is lost.

use chrono::{NaiveDate, NaiveDateTime};

use crate::text::Lang;

/// Which deadline a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    /// 003 §6: granting an account (to the integrator).
    AccountRequest,
    /// 003 §8: verifying a submission (to the integrator).
    Review,
    /// 003 §9: updating a registered object (to the owner).
    Update,
    /// 000 §6, 001 §45: the current step of an integration request (to its actor).
    IntegrationStep,
}

/// Something a person is told by e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// 003 §6: the application was received and is due on `due`.
    AccountRequestReceived {
        /// The applicant organization.
        organization: String,
        /// The last working day of the 2-day period.
        due: NaiveDate,
    },
    /// 003 §6: the account was granted; set a password through the link.
    AccountRequestApproved {
        /// The single-use activation link.
        link: String,
        /// When it stops working (Asia/Almaty local date).
        expires_on: NaiveDate,
    },
    /// 003 §6: the application was refused.
    AccountRequestRejected {
        /// Why.
        reason: String,
    },
    /// 003 §8: a submission is in the review queue.
    SubmissionReceived {
        /// The object's short name.
        object: String,
        /// The last working day of the 5-day review.
        due: NaiveDate,
    },
    /// 003 §8, second part: returned with what must be added or changed.
    ReturnedWithRemarks {
        /// The object's short name.
        object: String,
        /// The remarks, one per line.
        remarks: Vec<String>,
    },
    /// 003 §8: registered with an accounting code.
    Registered {
        /// The object's short name.
        object: String,
        /// Its accounting code.
        code: String,
    },
    /// 003 §9: data found missing; update within 10 working days.
    UpdateRequested {
        /// The object's short name.
        object: String,
        /// The remarks.
        remarks: Vec<String>,
        /// The last working day.
        due: NaiveDate,
    },
    /// A deadline ends after the next working day.
    DeadlineSoon {
        /// Which deadline.
        kind: DeadlineKind,
        /// What it is about.
        subject: String,
        /// Its last working day.
        due: NaiveDate,
    },
    /// A deadline has passed.
    DeadlinePassed {
        /// Which deadline.
        kind: DeadlineKind,
        /// What it is about.
        subject: String,
        /// Its last working day.
        due: NaiveDate,
    },
    /// 000 §6, 001 §45: an integration request moved to `state` (on filing,
    /// the service owner and the integrator are told it arrived).
    IntegrationRequestStep {
        /// The ServiceID.
        service: String,
        /// The consuming object's short name.
        consumer: String,
        /// Where the request now stands.
        state: crate::integration_request::RequestState,
        /// The last day of the step, when it has a deadline.
        due: Option<NaiveDate>,
    },
    /// 000 §12: planned maintenance of a service was announced.
    MaintenanceAnnounced {
        /// The ServiceID.
        service: String,
        /// Start, Asia/Almaty local time.
        starts: NaiveDateTime,
        /// End, Asia/Almaty local time.
        ends: NaiveDateTime,
        /// What users lose.
        impact: crate::maintenance::Impact,
        /// What is done, in the three languages (English may be empty).
        description: crate::text::LocalizedText,
    },
    /// 000 §12: an announced maintenance window was cancelled.
    MaintenanceCancelled {
        /// The ServiceID.
        service: String,
        /// The start it had, Asia/Almaty local time.
        starts: NaiveDateTime,
        /// Why.
        reason: String,
    },
}

fn pick<'a>(lang: Lang, kk: &'a str, ru: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Kk => kk,
        Lang::Ru => ru,
        Lang::En => en,
    }
}

impl Notice {
    /// A stable event code, part of the idempotency key.
    pub fn code(&self) -> &'static str {
        match self {
            Notice::AccountRequestReceived { .. } => "ACCOUNT_REQUEST_RECEIVED",
            Notice::AccountRequestApproved { .. } => "ACCOUNT_REQUEST_APPROVED",
            Notice::AccountRequestRejected { .. } => "ACCOUNT_REQUEST_REJECTED",
            Notice::SubmissionReceived { .. } => "SUBMISSION_RECEIVED",
            Notice::ReturnedWithRemarks { .. } => "RETURNED_WITH_REMARKS",
            Notice::Registered { .. } => "REGISTERED",
            Notice::UpdateRequested { .. } => "UPDATE_REQUESTED",
            Notice::DeadlineSoon { .. } => "DEADLINE_SOON",
            Notice::DeadlinePassed { .. } => "DEADLINE_PASSED",
            Notice::IntegrationRequestStep { .. } => "INTEGRATION_REQUEST_STEP",
            Notice::MaintenanceAnnounced { .. } => "MAINTENANCE_ANNOUNCED",
            Notice::MaintenanceCancelled { .. } => "MAINTENANCE_CANCELLED",
        }
    }

    /// The subject and plain-text body in `lang`.
    pub fn render(&self, lang: Lang) -> (String, String) {
        let p = |kk, ru, en| pick(lang, kk, ru, en).to_owned();
        let what = |kind: &DeadlineKind| match kind {
            DeadlineKind::AccountRequest => p(
                "есептік жазба өтінімі",
                "заявка на учётную запись",
                "account request",
            ),
            DeadlineKind::Review => p("тексеру", "проверка", "review"),
            DeadlineKind::Update => p("деректерді жаңарту", "актуализация сведений", "data update"),
            DeadlineKind::IntegrationStep => p(
                "интеграцияға өтінім қадамы",
                "шаг заявки на интеграцию",
                "integration request step",
            ),
        };
        match self {
            Notice::AccountRequestReceived { organization, due } => (
                p(
                    "Сәулет порталы: өтінім қабылданды",
                    "Архитектурный портал: заявка получена",
                    "Architecture Portal: application received",
                ),
                format!(
                    "{} «{organization}». {} {due}.",
                    p(
                        "Есептік жазба өтінімі қабылданды:",
                        "Заявка на учётную запись получена:",
                        "Your account application was received:"
                    ),
                    p(
                        "Интегратор 2 жұмыс күні ішінде қарайды, соңғы күн:",
                        "Интегратор рассмотрит её в течение 2 рабочих дней, последний день:",
                        "The integrator decides within 2 working days, last day:"
                    )
                ),
            ),
            Notice::AccountRequestApproved { link, expires_on } => (
                p(
                    "Сәулет порталы: есептік жазба берілді",
                    "Архитектурный портал: учётная запись создана",
                    "Architecture Portal: your account is ready",
                ),
                format!(
                    "{}\n\n{link}\n\n{} {expires_on}.",
                    p(
                        "Құпиясөзді орнату үшін сілтемені ашыңыз (бір рет қолданылады):",
                        "Чтобы задать пароль, откройте ссылку (действует один раз):",
                        "Open the link to set your password (it works once):"
                    ),
                    p(
                        "Сілтеме мына күнге дейін жарамды:",
                        "Ссылка действительна до:",
                        "The link is valid until:"
                    )
                ),
            ),
            Notice::AccountRequestRejected { reason } => (
                p(
                    "Сәулет порталы: өтінім қабылданбады",
                    "Архитектурный портал: заявка отклонена",
                    "Architecture Portal: application rejected",
                ),
                format!("{} {reason}", p("Себебі:", "Причина:", "Reason:")),
            ),
            Notice::IntegrationRequestStep {
                service,
                consumer,
                state,
                due,
            } => {
                let l = state.label();
                let label = pick(lang, l.kk, l.ru, l.en);
                let due_line = due.map_or_else(String::new, |d| {
                    format!(" {} {d}.", p("Соңғы күн:", "Последний день:", "Last day:"))
                });
                (
                    format!(
                        "{} {service}: {label}",
                        p(
                            "Сәулет порталы: интеграцияға өтінім",
                            "Архитектурный портал: заявка на интеграцию",
                            "Architecture Portal: integration request"
                        )
                    ),
                    format!(
                        "{} {service} ← {consumer}: {label}.{due_line}",
                        p(
                            "Интеграцияға өтінім",
                            "Заявка на интеграцию",
                            "Integration request"
                        )
                    ),
                )
            }
            Notice::MaintenanceAnnounced {
                service,
                starts,
                ends,
                impact,
                description,
            } => {
                let (kk, ru, en) = impact.label();
                let text = description.get(lang);
                let f = "%Y-%m-%d %H:%M";
                (
                    format!(
                        "{} {service}: {}",
                        p(
                            "Сәулет порталы: жоспарлы техникалық жұмыстар",
                            "Архитектурный портал: плановые работы",
                            "Architecture Portal: planned maintenance"
                        ),
                        starts.format(f)
                    ),
                    format!(
                        "{service}: {} – {} ({}). {}: {}.\n{text}",
                        starts.format(f),
                        ends.format(f),
                        p("Алматы уақыты", "время Алматы", "Almaty time"),
                        p("Әсері", "Влияние", "Impact"),
                        pick(lang, kk, ru, en),
                    ),
                )
            }
            Notice::MaintenanceCancelled {
                service,
                starts,
                reason,
            } => (
                format!(
                    "{} {service}: {}",
                    p(
                        "Сәулет порталы: техникалық жұмыстар болдырылмады",
                        "Архитектурный портал: плановые работы отменены",
                        "Architecture Portal: planned maintenance cancelled"
                    ),
                    starts.format("%Y-%m-%d %H:%M")
                ),
                format!(
                    "{service}: {} {} ({}). {}: {reason}",
                    p(
                        "жоспарланған жұмыстар болдырылмады, басталуы",
                        "плановые работы отменены, начало было",
                        "the planned maintenance is cancelled, it was to start",
                    ),
                    starts.format("%Y-%m-%d %H:%M"),
                    p("Алматы уақыты", "время Алматы", "Almaty time"),
                    p("Себебі", "Причина", "Reason"),
                ),
            ),
            Notice::SubmissionReceived { object, due } => (
                format!(
                    "{} {object}",
                    p(
                        "Сәулет порталы: тексеруге жіберілді",
                        "Архитектурный портал: на проверке",
                        "Architecture Portal: submitted for review"
                    )
                ),
                format!(
                    "«{object}» {} {due}.",
                    p(
                        "тексеру кезегінде. Интегратор 5 жұмыс күні ішінде тексереді, соңғы күн:",
                        "в очереди проверки. Интегратор проверит в течение 5 рабочих дней, последний день:",
                        "is in the review queue. The integrator verifies it within 5 working days, last day:"
                    )
                ),
            ),
            Notice::ReturnedWithRemarks { object, remarks } => (
                format!(
                    "{} {object}",
                    p(
                        "Сәулет порталы: пысықтауға қайтарылды",
                        "Архитектурный портал: возвращено на доработку",
                        "Architecture Portal: returned with remarks"
                    )
                ),
                format!(
                    "«{object}» {}\n\n- {}",
                    p(
                        "пысықтауға қайтарылды. Ескертулер:",
                        "возвращено на доработку. Замечания:",
                        "was returned. Remarks:"
                    ),
                    remarks.join("\n- ")
                ),
            ),
            Notice::Registered { object, code } => (
                format!(
                    "{} {code}",
                    p(
                        "Сәулет порталы: тіркелді, есептік код",
                        "Архитектурный портал: зарегистрирован, учётный код",
                        "Architecture Portal: registered, accounting code"
                    )
                ),
                format!(
                    "«{object}» {} {code}.",
                    p(
                        "тіркелді. Есептік код:",
                        "зарегистрирован. Учётный код:",
                        "is registered. Accounting code:"
                    )
                ),
            ),
            Notice::UpdateRequested {
                object,
                remarks,
                due,
            } => (
                format!(
                    "{} {object}",
                    p(
                        "Сәулет порталы: деректерді жаңарту қажет",
                        "Архитектурный портал: требуется актуализация",
                        "Architecture Portal: update required"
                    )
                ),
                format!(
                    "«{object}»: {} {due}.\n\n- {}",
                    p(
                        "деректер толық емес, 10 жұмыс күні ішінде жаңартыңыз, соңғы күн:",
                        "сведения неполны, актуализируйте их в течение 10 рабочих дней, последний день:",
                        "data are missing; update them within 10 working days, last day:"
                    ),
                    remarks.join("\n- ")
                ),
            ),
            Notice::DeadlineSoon { kind, subject, due } => (
                format!(
                    "{}: {}",
                    p(
                        "Сәулет порталы: мерзім аяқталуда",
                        "Архитектурный портал: срок истекает",
                        "Architecture Portal: deadline approaching"
                    ),
                    what(kind)
                ),
                format!(
                    "{} — «{subject}»: {} {due}.",
                    what(kind),
                    p(
                        "мерзімге бір жұмыс күні қалды, соңғы күн:",
                        "до конца срока остался один рабочий день, последний день:",
                        "one working day is left, last day:"
                    )
                ),
            ),
            Notice::DeadlinePassed { kind, subject, due } => (
                format!(
                    "{}: {}",
                    p(
                        "Сәулет порталы: мерзім өтті",
                        "Архитектурный портал: срок истёк",
                        "Architecture Portal: deadline passed"
                    ),
                    what(kind)
                ),
                format!(
                    "{} — «{subject}»: {} {due}.",
                    what(kind),
                    p(
                        "мерзім өтті, соңғы күн:",
                        "срок истёк, последний день был",
                        "the deadline has passed; the last day was"
                    )
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_each_language() {
        let n = Notice::Registered {
            object: "ЕСЭДО".into(),
            code: "IO-2025-000001-42".into(),
        };
        let (kk, _) = n.render(Lang::Kk);
        let (ru, body) = n.render(Lang::Ru);
        assert!(kk.contains("тіркелді"));
        assert!(ru.contains("зарегистрирован"));
        assert!(body.contains("IO-2025-000001-42"));
        assert_eq!(n.code(), "REGISTERED");
    }
}
