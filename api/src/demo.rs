//! `archportal demo seed`: a living portal for newcomers and the benchmark —
//! organizations with valid BINs, objects across stages and statuses with
//! review histories and accounting codes, and gateway services, in Kazakh and
//! Russian, reproducible from a fixed seed.
//!
//! Everything goes through the real repositories (the same transactions,
//! state machines, audit log and code assignment as the API), with the
//! operation clock set to the simulated instant, so the data keep every
//! invariant and the review deadlines are real working-day deadlines.

use std::sync::Arc;

use anyhow::Context as _;
use archportal_domain::Lang;
use archportal_domain::access::Actor;
use archportal_domain::object::{LifeCycleStage, ObjectData, ObjectKind, ObjectPatch};
use archportal_domain::organization::{NewOrganization, OrganizationKind};
use archportal_domain::service::{RawService, ServiceData};
use archportal_domain::user::Email;
use archportal_domain::user::Role;
use archportal_storage::audit::Op;
use archportal_storage::object::{self as objects, NewObject, ObjectChange};
use archportal_storage::user::NewUser;
use archportal_storage::{organization, review, service, user};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use futures::StreamExt as _;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::AppState;
use crate::config::Config;

/// How much to seed.
#[derive(Debug, Clone, Copy)]
pub struct SeedSize {
    /// Organizations (each with one owner account).
    pub organizations: usize,
    /// Informatization objects, spread over the organizations.
    pub objects: usize,
    /// Gateway services, provided by registered objects.
    pub services: usize,
    /// The random seed (the same seed gives the same data).
    pub seed: u64,
}

/// What a seed run created.
#[derive(Debug, Default, Clone, Copy)]
pub struct SeedSummary {
    /// Organizations.
    pub organizations: usize,
    /// Objects.
    pub objects: usize,
    /// Objects registered (with an accounting code).
    pub registered: usize,
    /// Services.
    pub services: usize,
    /// Notifications of the invented history, discarded unsent.
    pub discarded_mail: u64,
}

const REGIONS: [(&str, &str); 17] = [
    ("Абай", "Абай"),
    ("Ақмола", "Акмолинской"),
    ("Ақтөбе", "Актюбинской"),
    ("Алматы", "Алматинской"),
    ("Атырау", "Атырауской"),
    ("Батыс Қазақстан", "Западно-Казахстанской"),
    ("Жамбыл", "Жамбылской"),
    ("Жетісу", "Жетысуской"),
    ("Қарағанды", "Карагандинской"),
    ("Қостанай", "Костанайской"),
    ("Қызылорда", "Кызылординской"),
    ("Маңғыстау", "Мангистауской"),
    ("Павлодар", "Павлодарской"),
    ("Солтүстік Қазақстан", "Северо-Казахстанской"),
    ("Түркістан", "Туркестанской"),
    ("Ұлытау", "Улытауской"),
    ("Шығыс Қазақстан", "Восточно-Казахстанской"),
];

const SUBJECTS: [(&str, &str, &str); 12] = [
    ("денсаулық сақтау", "здравоохранения", "ДС"),
    ("білім беру", "образования", "ББ"),
    ("әлеуметтік қорғау", "социальной защиты", "ӘҚ"),
    ("жер қатынастары", "земельных отношений", "ЖҚ"),
    ("салық әкімшілендіру", "налогового администрирования", "СӘ"),
    ("мемлекеттік сатып алу", "государственных закупок", "МСА"),
    (
        "көлік құралдарын тіркеу",
        "регистрации транспортных средств",
        "КТ",
    ),
    ("құжаттар айналымы", "документооборота", "ҚА"),
    ("ауыл шаруашылығы", "сельского хозяйства", "АШ"),
    ("төтенше жағдайлар", "чрезвычайных ситуаций", "ТЖ"),
    ("мәдениет", "культуры", "М"),
    ("статистика", "статистики", "СТ"),
];

/// A valid BIN: 4 digits of the registration year and month, the entity
/// type 4 (legal entity), then random digits and the check digit computed
/// with the two weight passes; heads whose check would be 10 are skipped.
fn random_bin(rng: &mut StdRng) -> String {
    loop {
        let mut d: Vec<u32> = vec![
            rng.random_range(0..=2),
            rng.random_range(0..=9),
            0,
            rng.random_range(1..=9),
            4,
            rng.random_range(0..=2),
        ];
        d.extend((0..5).map(|_| rng.random_range(0..=9)));
        let w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        let w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
        let mut c = d.iter().zip(w1).map(|(a, b)| a * b).sum::<u32>() % 11;
        if c == 10 {
            c = d.iter().zip(w2).map(|(a, b)| a * b).sum::<u32>() % 11;
        }
        if c < 10 {
            d.push(c);
            return d
                .iter()
                .map(|x| char::from(b'0' + x.to_be_bytes()[3]))
                .collect();
        }
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A day between 1 January 2024 and 1 October 2026, 10:00 Almaty.
fn random_instant(rng: &mut StdRng) -> DateTime<Utc> {
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 5, 0, 0)
        .single()
        .unwrap_or_default();
    start + Duration::days(rng.random_range(0..1004))
}

struct Org {
    id: Uuid,
    owner: Actor,
}

/// Seeds the database of `config`; refuses a database that already holds objects.
pub async fn seed(config: Config, size: SeedSize) -> anyhow::Result<SeedSummary> {
    let state = crate::build_state(config).await?;
    let summary = seed_state(&state, size).await;
    if summary.is_ok() {
        // Fresh planner statistics for the bulk of rows just written, so the
        // first queries on a seeded database are planned for its real size
        // (before, PostgreSQL estimated 213 current documents of 153,322 and
        // chose a nested loop that took 2.8 s instead of 0.2 s).
        state.db.analyze().await?;
    }
    state.db.clone().close().await?;
    summary
}

async fn seed_state(state: &Arc<AppState>, size: SeedSize) -> anyhow::Result<SeedSummary> {
    let db = &state.db;
    let existing = objects::list(
        db,
        archportal_domain::access::Scope::All,
        &objects::ObjectFilter::default(),
        archportal_storage::page::PageRequest {
            after: None,
            limit: 1,
            count: true,
        },
    )
    .await?;
    let existing = existing.total.unwrap_or_default();
    anyhow::ensure!(
        existing == 0,
        "the database already holds {existing} objects: seed an empty one",
    );
    let mut rng = StdRng::seed_from_u64(size.seed);
    let calendar = state.calendar();
    // Accounts and organizations are recorded in the audit log as the demo seeder's work.
    let setup = Op::new(None, "demo-seed", state.clock.now());
    let staff = |email: &str, role: Role| NewUser {
        email: Email::parse(email).unwrap_or_else(|_| unreachable!("a literal address")),
        full_name: email.to_owned(),
        role,
        organization_id: None,
        language: Lang::Ru,
        password_hash: None,
    };
    let integrator = user::create(
        db,
        &setup,
        staff("integrator@demo.example", Role::Integrator),
    )
    .await?;
    let integrator = Actor {
        user_id: integrator.id,
        role: Role::Integrator,
        organization_id: None,
    };
    let operator = user::create(db, &setup, staff("operator@demo.example", Role::Operator)).await?;
    let operator = Actor {
        user_id: operator.id,
        role: Role::Operator,
        organization_id: None,
    };
    let mut orgs = Vec::with_capacity(size.organizations);
    for i in 0..size.organizations {
        let (region_kk, region_ru) = pick(&mut rng, &REGIONS);
        let (kind, kk, ru) = match i % 4 {
            0 => (
                OrganizationKind::LocalExecutiveBody,
                format!("{region_kk} облысының әкімдігі №{i}"),
                format!("Акимат {region_ru} области №{i}"),
            ),
            1 => (
                OrganizationKind::StateBody,
                format!("{region_kk} облысы бойынша департамент №{i}"),
                format!("Департамент по {region_ru} области №{i}"),
            ),
            2 => (
                OrganizationKind::StateLegalEntity,
                format!("«Ақпараттық технологиялар орталығы» РМК №{i}"),
                format!("РГП «Центр информационных технологий» №{i}"),
            ),
            _ => (
                OrganizationKind::QuasiPublicEntity,
                format!("«Цифрлық сервистер» АҚ №{i}"),
                format!("АО «Цифровые сервисы» №{i}"),
            ),
        };
        let new = loop {
            let bin = random_bin(&mut rng);
            if organization::get_by_bin(db, &archportal_domain::organization::Bin::parse(&bin)?)
                .await
                .is_err()
            {
                break NewOrganization::parse(&bin, &kk, &ru, kind)?;
            }
        };
        let org = organization::create(db, &setup, new).await?;
        let owner = user::create(
            db,
            &setup,
            NewUser {
                organization_id: Some(org.id),
                ..staff(&format!("owner{i}@demo.example"), Role::Owner)
            },
        )
        .await?;
        orgs.push(Org {
            id: org.id,
            owner: Actor {
                user_id: owner.id,
                role: Role::Owner,
                organization_id: Some(org.id),
            },
        });
    }
    anyhow::ensure!(
        !orgs.is_empty() || size.objects == 0,
        "objects need organizations"
    );
    let orgs = Arc::new(orgs);
    // Objects in parallel, each from its own seeded generator: the same data
    // whatever the interleaving (only ids and codes' order may differ).
    let results: Vec<anyhow::Result<Option<Uuid>>> = futures::stream::iter(0..size.objects)
        .map(|i| {
            let orgs = orgs.clone();
            let calendar = calendar.clone();
            let integrator = integrator.clone();
            async move {
                let mut rng = StdRng::seed_from_u64(
                    size.seed ^ (0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(i as u64 + 1)),
                );
                let org = &orgs[rng.random_range(0..orgs.len())];
                seed_object(state, &calendar, org, &integrator, i, &mut rng).await
            }
        })
        .buffer_unordered(6)
        .collect()
        .await;
    let mut registered = Vec::new();
    for r in results {
        if let Some(id) = r? {
            registered.push(id);
        }
    }
    registered.sort_unstable();
    let mut services = 0;
    for i in 0..size.services {
        let Some(object_id) = registered.get(rng.random_range(0..registered.len().max(1))) else {
            break;
        };
        let (subject_kk, subject_ru, _) = pick(&mut rng, &SUBJECTS);
        let gateway = *pick(&mut rng, &["EGG", "EGG", "EEGG", "EPG"]);
        let status = *pick(
            &mut rng,
            &[
                "IN_PRODUCTION",
                "IN_PRODUCTION",
                "IN_TESTING",
                "SUSPENDED",
                "WITHDRAWN",
            ],
        );
        let interaction = *pick(&mut rng, &["SYNCHRONOUS", "ASYNCHRONOUS"]);
        let data = ServiceData::parse(&RawService {
            service_id: format!("Demo{i:05}Service"),
            name_kk: format!("{subject_kk} бойынша мәліметтер беру сервисі №{i}"),
            name_ru: format!("Сервис предоставления сведений {subject_ru} №{i}"),
            name_en: None,
            description: format!("Сведения {subject_ru} для государственных органов"),
            gateway: gateway.to_owned(),
            protocol: pick(&mut rng, &["SOAP", "REST"]).to_string(),
            interaction: interaction.to_owned(),
            status: Some(status.to_owned()),
            version: format!("1.{}", rng.random_range(0..10)),
            personal_data: rng.random_bool(0.3),
            test_address: None,
            production_address: (status == "IN_PRODUCTION")
                .then(|| format!("https://shep.demo.example/service/{i}")),
        })
        .with_context(|| format!("service {i}"))?;
        service::register(db, &operator, *object_id, data, None).await?;
        services += 1;
    }
    Ok(SeedSummary {
        organizations: orgs.len(),
        objects: size.objects,
        registered: registered.len(),
        services,
        // The workflow queued a notification for every step of the history
        // above (50,000 for 20,000 objects); it is history, not news, and
        // its recipients are invented.
        discarded_mail: archportal_storage::outbox::discard_untried(db).await?,
    })
}

/// Places, for each document kind the stage requires (003 Annex 1), a
/// PDF/A-1b copy and its DOCX draft made by the domain's writers, stored and
/// checked the way an upload is, so that the object can be submitted as a
/// real owner's would be.
async fn attach_documents(
    state: &AppState,
    owner: &Actor,
    object_id: Uuid,
    stage: LifeCycleStage,
    title: &str,
) -> anyhow::Result<()> {
    use archportal_domain::{docx, pdfa, similarity};
    use archportal_storage::document::{self as documents, NewDocument, StoredFile};
    for kind in archportal_domain::document::required_kinds(stage) {
        let text = format!("{} — {title}", kind.label().ru);
        let pdf = pdfa::testing::minimal_pdfa1b(&text);
        let draft = docx::testing::minimal_docx(&[text.as_str()]);
        let pdf_put = state
            .blobs
            .put(Box::pin(std::io::Cursor::new(pdf.clone())), u64::MAX)
            .await?;
        let docx_put = state
            .blobs
            .put(Box::pin(std::io::Cursor::new(draft.clone())), u64::MAX)
            .await?;
        let pdf_text = pdfa::extract_text(&pdf).unwrap_or_default();
        let docx_text = docx::extract_text(&draft).unwrap_or_default();
        let new = NewDocument {
            object_id,
            kind: *kind,
            pdf: StoredFile {
                sha256: pdf_put.digest,
                size: pdf_put.size,
                file_name: format!("{}.pdf", kind.code()),
                media_type: "application/pdf".into(),
            },
            docx: StoredFile {
                sha256: docx_put.digest,
                size: docx_put.size,
                file_name: format!("{}.docx", kind.code()),
                media_type:
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
            },
            pdfa_report: pdfa::check(&pdf),
            docx_report: docx::check(&draft),
            text_similarity: similarity::text_similarity(&pdf_text, &docx_text),
            pdf_text,
            docx_text,
            accepted_with_findings: false,
        };
        documents::create(&state.db, owner, new).await?;
    }
    Ok(())
}

/// One object's life: recorded, often submitted, usually decided (on time
/// or late, sometimes returned first), sometimes changed afterwards.
/// Returns its id when it ends registered.
async fn seed_object(
    state: &Arc<AppState>,
    calendar: &archportal_domain::calendar::WorkingCalendar,
    org: &Org,
    integrator: &Actor,
    i: usize,
    rng: &mut StdRng,
) -> anyhow::Result<Option<Uuid>> {
    let db = &state.db;
    let (subject_kk, subject_ru, abbr) = pick(rng, &SUBJECTS);
    let kind = *pick(rng, ObjectKind::ALL);
    let stage = *pick(
        rng,
        &[
            LifeCycleStage::Creation,
            LifeCycleStage::PilotOperation,
            LifeCycleStage::IndustrialOperation,
            LifeCycleStage::IndustrialOperation,
            LifeCycleStage::IndustrialOperation,
            LifeCycleStage::Development,
            LifeCycleStage::Decommissioned,
        ],
    );
    let data = ObjectData::parse(
        kind,
        &format!("{subject_kk} саласындағы ақпараттық жүйе №{i}"),
        &format!("Информационная система в сфере {subject_ru} №{i}"),
        &format!("ИС-{abbr}-{i}"),
        &format!("Автоматизация процессов в сфере {subject_ru}"),
        rng.random_bool(0.4),
        None,
    )?;
    let mut t = random_instant(rng);
    let started: NaiveDate =
        archportal_domain::calendar::local_date(t) - Duration::days(rng.random_range(1..400));
    let op =
        |actor: &Actor, at: DateTime<Utc>| Op::new(Some(actor.user_id), format!("demo-{i}"), at);
    let o = objects::create(
        db,
        &op(&org.owner, t),
        &org.owner,
        NewObject {
            organization_id: org.id,
            data,
            stage,
            stage_started_on: started,
            relations: vec![],
        },
    )
    .await
    .with_context(|| format!("object {i}"))?;
    if rng.random_bool(0.25) {
        return Ok(None); // a draft
    }
    t += Duration::days(rng.random_range(1..10));
    attach_documents(state, &org.owner, o.id, stage, subject_ru).await?;
    review::submit(db, &op(&org.owner, t), calendar, &org.owner, o.id).await?;
    if rng.random_bool(0.1) {
        return Ok(None); // still under review
    }
    // Decided 0–12 calendar days later: mostly within the 5 working days, some late.
    t += Duration::days(rng.random_range(0..=12)) + Duration::hours(rng.random_range(0..8));
    review::take_or_release(db, &op(integrator, t), integrator, o.id, true).await?;
    if rng.random_bool(0.15) {
        review::return_object(
            db,
            &op(integrator, t),
            integrator,
            o.id,
            vec![archportal_domain::review::Remark {
                target: archportal_domain::review::RemarkTarget::Field("purpose".into()),
                text: "Назначение описано недостаточно подробно".into(),
            }],
        )
        .await?;
        if rng.random_bool(0.5) {
            return Ok(None); // returned, not corrected yet
        }
        t += Duration::days(rng.random_range(1..6));
        review::submit(db, &op(&org.owner, t), calendar, &org.owner, o.id).await?;
        t += Duration::days(rng.random_range(0..8));
        review::take_or_release(db, &op(integrator, t), integrator, o.id, true).await?;
    }
    review::register(db, &op(integrator, t), integrator, o.id).await?;
    if rng.random_bool(0.2) {
        t += Duration::days(rng.random_range(30..200));
        objects::update(
            db,
            &op(&org.owner, t),
            calendar,
            &org.owner,
            o.id,
            ObjectChange {
                patch: ObjectPatch {
                    purpose: Some(format!(
                        "Автоматизация процессов в сфере {subject_ru}; обновлено"
                    )),
                    ..ObjectPatch::default()
                },
                ..ObjectChange::default()
            },
        )
        .await?;
    }
    Ok(Some(o.id))
}
