//! Issue 3's end-to-end story on both databases: account request →
//! approval → activation (link read from the outbox file) → object →
//! readiness → submit → return with remarks → resubmit → register → code →
//! stage change → update due date → overdue with the injected clock; plus
//! mail, audit and bad inputs. Every deadline is computed through the
//! public `addWorkingDays` query, never written as a literal.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use archportal_domain::document::{DocumentKind, required_kinds};
use archportal_domain::object::LifeCycleStage;

use crate::support::{Backend, PASSWORD, TestApp, bin, code};

/// Friday 7 March 2025, 10:00 in Almaty (the day before Women's Day).
const START: &str = "2025-03-07T05:00:00Z";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 50;
    })
    .await
}

/// The exclusive end of "within `n` working days of `day`": 24:00 Almaty
/// (UTC+5) of the `n`-th working day after `day`, from the calendar.
async fn deadline(app: &TestApp, day: NaiveDate, n: i32) -> DateTime<Utc> {
    let d = app
        .ok(
            None,
            "query($f:Date!,$n:Int!){ addWorkingDays(from:$f, days:$n) }",
            json!({"f": day.to_string(), "n": n}),
        )
        .await;
    let last: NaiveDate = d["addWorkingDays"].as_str().unwrap().parse().unwrap();
    format!("{last}T19:00:00Z").parse().unwrap()
}

fn today(app: &TestApp) -> NaiveDate {
    archportal_api_local_date(app.state().clock.now())
}

fn archportal_api_local_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(5)).date_naive()
}

fn ts(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// Waits until an outbox file whose text contains `needle` exists; returns it.
async fn mail_containing(app: &TestApp, needle: &str) -> String {
    let dir = app.data_dir.join("outbox");
    let started = Instant::now();
    loop {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.path().extension().is_some_and(|x| x == "eml")
                    && let Ok(text) = std::fs::read_to_string(e.path())
                    && text.contains(needle)
                {
                    return text;
                }
            }
        }
        if started.elapsed() > Duration::from_secs(20) {
            let rows = archportal_storage::outbox::all(&app.state().db, 100).await;
            let pass = archportal_api::mail::run_once(app.state()).await;
            panic!(
                "no mail containing {needle:?} in {}: {rows:#?} {pass:?}",
                dir.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn mod97_valid(code: &str) -> bool {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    digits.len() == 12 && digits.parse::<u128>().unwrap() % 97 == 1
}

const OBJ: &str = "query($id:ID!){ informatizationObject(id:$id){ registrationStatus accountingCode stage
    updateDueAt updateOverdue changeSet { field from to } registeredData { field value }
    reviews { kind dueAt decision remarks { field documentKind text } accountingCode reviewer { fullName } } } }";

async fn the_story(backend: Backend) {
    let app = spawn(backend).await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let integrator = app
        .create_user(&admin, "check@nitec.kz", "INTEGRATOR", None)
        .await;
    let integrator2 = app
        .create_user(&admin, "check2@nitec.kz", "INTEGRATOR", None)
        .await;

    // 003 §6: the application, due in 2 working days.
    let org_bin = bin("24014000002");
    let req = app
        .ok(
            None,
            "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id status dueAt overdue } } }",
            json!({"i": {"bin": org_bin, "organizationNameKk": "Цифрлық даму министрлігі", "organizationNameRu": "Министерство цифрового развития",
                "organizationKind": "STATE_BODY", "fullName": "Айгерим Сапарова", "position": "Главный эксперт",
                "email": "a.saparova@mdai.gov.kz", "phone": "+7 (7172) 74-00-00", "basis": "Приказ № 1 от 01.03.2025", "language": "KK"}}),
        )
        .await;
    let r = &req["requestAccount"]["accountRequest"];
    assert_eq!(r["status"], "PENDING");
    assert_eq!(ts(&r["dueAt"]), deadline(&app, today(&app), 2).await);
    let request_id = r["id"].as_str().unwrap().to_owned();
    mail_containing(&app, "a.saparova@mdai.gov.kz").await;

    let approve = "mutation($id:ID!){ approveAccountRequest(id:$id){ accountRequest { status } } }";
    let body = app.gql(None, approve, json!({"id": request_id})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let data = app
        .ok(Some(&integrator), approve, json!({"id": request_id}))
        .await;
    assert_eq!(
        data["approveAccountRequest"]["accountRequest"]["status"],
        "APPROVED"
    );
    let again = app
        .gql(Some(&integrator), approve, json!({"id": request_id}))
        .await;
    assert_eq!(code(&again), "CONFLICT");

    // The link, from the .eml file, in Kazakh (the applicant's language).
    let mail = mail_containing(&app, "/activate?token=").await;
    assert!(mail.contains("Құпиясөзді орнату"), "{mail}");
    let token = mail
        .split("/activate?token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let activate =
        "mutation($t:String!,$p:String!){ activateAccount(input:{token:$t,password:$p}){ email } }";
    let data = app
        .ok(None, activate, json!({"t": token, "p": PASSWORD}))
        .await;
    assert_eq!(data["activateAccount"]["email"], "a.saparova@mdai.gov.kz");
    let twice = app
        .gql(None, activate, json!({"t": token, "p": PASSWORD}))
        .await;
    assert_eq!(code(&twice), "CONFLICT");
    let owner = app.login("a.saparova@mdai.gov.kz").await;

    // An object whose stage begins tomorrow: readiness names the field.
    let tomorrow = today(&app).succ_opt().unwrap();
    let created = app
        .ok(
            Some(&owner),
            "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
            json!({"i": {"kind": "INFORMATION_SYSTEM", "nameKk": "ЭҚАБЖ", "nameRu": "ЕСЭДО", "shortName": "ЕСЭДО",
                "purpose": "Электронный документооборот", "stageStartedOn": tomorrow.to_string()}}),
        )
        .await;
    let id = created["createInformatizationObject"]["informatizationObject"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let readiness = "query($id:ID!){ submissionReadiness(objectId:$id){ ready documentsChecked acceptedWithFindings missing { kind field documentKind message } } }";
    let submit =
        "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt kind } } }";
    // 003 §7, Annex 1 as data: the kinds required at the object's stage.
    let required = required_kinds(LifeCycleStage::Creation);
    let absent = |kinds: &[DocumentKind]| -> Vec<Value> {
        kinds
            .iter()
            .map(|k| json!({"kind": "DOCUMENT_ABSENT", "field": null, "documentKind": k.code()}))
            .collect()
    };
    let stage_gap = json!({"kind": "FIELD", "field": "stageStartedOn", "documentKind": null});
    let check_missing = async |expected: Vec<Value>| {
        let r = app.ok(Some(&owner), readiness, json!({"id": id})).await;
        let r = &r["submissionReadiness"];
        assert_eq!(r["documentsChecked"], true);
        assert_eq!(r["acceptedWithFindings"], json!([]));
        assert_eq!(r["ready"], expected.is_empty());
        let items = r["missing"].as_array().unwrap();
        let got: Vec<Value> = items
            .iter()
            .map(|m| json!({"kind": m["kind"], "field": m["field"], "documentKind": m["documentKind"]}))
            .collect();
        assert_eq!(got, expected);
        if expected.is_empty() {
            return;
        }
        // The refusal names exactly that list, in the same words.
        let listed = items
            .iter()
            .map(|m| m["message"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join("; ");
        let refused = app.gql(Some(&owner), submit, json!({"id": id})).await;
        assert_eq!(code(&refused), "CONFLICT");
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.ends_with(&format!(": {listed}")),
            "{message} / {listed}"
        );
    };
    let mut expected = vec![stage_gap.clone()];
    expected.extend(absent(required));
    check_missing(expected).await;

    // The pairs of every required kind but the terms of reference.
    let terms = DocumentKind::TermsOfReference;
    assert!(required.contains(&terms));
    app.upload_required(&owner, &id, LifeCycleStage::Creation, &[terms])
        .await;
    check_missing(vec![stage_gap, absent(&[terms])[0].clone()]).await;
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    assert_eq!(o["informatizationObject"]["registrationStatus"], "DRAFT");

    // Next day the stage has begun: only the terms of reference are missing.
    app.state().clock.advance(chrono::Duration::days(1));
    check_missing(absent(&[terms])).await;
    let (status, body) = app.upload_pair(&owner, &id, terms).await;
    assert!(status.is_success(), "{status} {body:#}");
    check_missing(vec![]).await;
    // Someone else's organization may not submit it.
    let foreign_org = app
        .create_org(&admin, &bin("24014000003"), "Другое министерство")
        .await;
    let stranger = app
        .create_user(&admin, "other@gov.kz", "OWNER", Some(&foreign_org))
        .await;
    let body = app.gql(Some(&stranger), submit, json!({"id": id})).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let s = app.ok(Some(&owner), submit, json!({"id": id})).await;
    assert_eq!(
        s["submitInformatizationObject"]["review"]["kind"],
        "INITIAL"
    );
    assert_eq!(
        ts(&s["submitInformatizationObject"]["review"]["dueAt"]),
        deadline(&app, today(&app), 5).await
    );

    // The queue; one reviewer at a time.
    let q = app
        .ok(
            Some(&integrator),
            "{ reviewQueue { overdue workingDaysLeft informatizationObject { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(q["reviewQueue"][0]["overdue"], false);
    assert_eq!(q["reviewQueue"][0]["workingDaysLeft"], 5);
    let take = "mutation($id:ID!){ takeReview(objectId:$id){ review { reviewer { fullName } } } }";
    app.ok(Some(&integrator), take, json!({"id": id})).await;
    assert_eq!(
        code(&app.gql(Some(&integrator2), take, json!({"id": id})).await),
        "CONFLICT"
    );
    let register = "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode informatizationObject { registrationStatus accountingCode } } }";
    assert_eq!(
        code(
            &app.gql(Some(&integrator2), register, json!({"id": id}))
                .await
        ),
        "CONFLICT"
    );
    assert_eq!(
        code(&app.gql(Some(&owner), register, json!({"id": id})).await),
        "FORBIDDEN"
    );

    // Return: at least one remark; then with remarks on a field and a document kind.
    let ret = "mutation($id:ID!,$r:[RemarkInput!]!){ returnInformatizationObject(id:$id, remarks:$r){ review { decision } } }";
    let none = app
        .gql(Some(&integrator), ret, json!({"id": id, "r": []}))
        .await;
    assert_eq!(code(&none), "INVALID_INPUT");
    app.ok(
        Some(&integrator),
        ret,
        json!({"id": id, "r": [{"field": "purpose", "text": "Опишите назначение подробнее"}, {"documentKind": "TERMS_OF_REFERENCE", "text": "Приложите ТЗ"}]}),
    )
    .await;
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(o["registrationStatus"], "RETURNED");
    assert_eq!(o["reviews"][0]["decision"], "RETURNED");
    assert_eq!(
        o["reviews"][0]["remarks"][1]["documentKind"],
        "TERMS_OF_REFERENCE"
    );
    mail_containing(&app, "Опишите назначение подробнее").await;

    // The owner fixes and resubmits: a new 5-day clock.
    app.state().clock.advance(chrono::Duration::days(1));
    app.ok(
        Some(&owner),
        "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }",
        json!({"i": {"id": id, "purpose": "Единая система электронного документооборота государственных органов"}}),
    )
    .await;
    let s = app.ok(Some(&owner), submit, json!({"id": id})).await;
    assert_eq!(
        ts(&s["submitInformatizationObject"]["review"]["dueAt"]),
        deadline(&app, today(&app), 5).await
    );

    // Register: a valid code of the registration year.
    let reg = app.ok(Some(&integrator), register, json!({"id": id})).await;
    let accounting_code = reg["registerInformatizationObject"]["accountingCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        accounting_code,
        "IO-2025-000001-".to_owned() + &accounting_code[15..]
    );
    assert!(mod97_valid(&accounting_code), "{accounting_code}");
    assert_eq!(
        code(
            &app.gql(Some(&integrator), register, json!({"id": id}))
                .await
        ),
        "CONFLICT"
    );
    mail_containing(&app, &accounting_code).await;

    // 003 §9: the owner changes the stage: code kept, registered data visible, 10-day duty.
    let changed_on = today(&app);
    app.ok(
        Some(&owner),
        "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }",
        json!({"i": {"id": id, "stage": "PILOT_OPERATION", "stageStartedOn": changed_on.to_string()}}),
    )
    .await;
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(o["accountingCode"], accounting_code.as_str());
    assert_eq!(o["registrationStatus"], "REGISTERED");
    let due = deadline(&app, changed_on, 10).await;
    assert_eq!(ts(&o["updateDueAt"]), due);
    assert_eq!(o["updateOverdue"], false);
    assert!(
        o["registeredData"]
            .as_array()
            .unwrap()
            .contains(&json!({"field": "stage", "value": "CREATION"}))
    );
    assert!(
        o["changeSet"]
            .as_array()
            .unwrap()
            .contains(&json!({"field": "stage", "from": "CREATION", "to": "PILOT_OPERATION"}))
    );

    // After the deadline: overdue, listed, and the owner is reminded.
    app.state().clock.set(due + chrono::Duration::minutes(1));
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    assert_eq!(o["informatizationObject"]["updateOverdue"], true);
    let overdue = app
        .ok(Some(&integrator), "{ overdueUpdates { id } }", json!({}))
        .await;
    assert_eq!(overdue["overdueUpdates"][0]["id"], id.as_str());
    mail_containing(&app, "мерзім өтті").await;

    // The audit chain holds, and tampering with a row shows.
    let verdict = archportal_api::cli::audit_verify(app.config.clone())
        .await
        .unwrap();
    assert!(
        matches!(verdict, archportal_storage::audit::Verification::Intact { rows } if rows > 10),
        "{verdict:?}"
    );
    let conn = sea_orm::Database::connect(app.config.database_url())
        .await
        .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &conn,
        "UPDATE audit_log SET action = 'object.delete' WHERE seq = 3",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let verdict = archportal_api::cli::audit_verify(app.config.clone())
        .await
        .unwrap();
    assert!(
        matches!(
            verdict,
            archportal_storage::audit::Verification::Broken { seq: 3, .. }
        ),
        "{verdict:?}"
    );
    app.finish().await;
}

both!(the_story);

/// A legacy pair stored with findings (`documents.accept_with_findings`)
/// counts for readiness, and readiness says so.
async fn accepted_with_findings_counts(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.documents.accept_with_findings = true;
    })
    .await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let org = app.create_org(&admin, &bin("24014000004"), "Акимат").await;
    let owner = app
        .create_user(&admin, "o@akimat.kz", "OWNER", Some(&org))
        .await;
    let id = app.create_object(&owner, "ИС").await;
    let terms = DocumentKind::TermsOfReference;
    app.upload_required(&owner, &id, LifeCycleStage::Creation, &[terms])
        .await;
    // A LibreOffice export that is not PDF/A-1 (committed fixture of issue 8).
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/fixtures");
    let (status, body) = app
        .upload_files(
            &owner,
            &id,
            terms,
            std::fs::read(fixtures.join("pdfa/libreoffice-kk-ru-plain.pdf")).unwrap(),
            std::fs::read(fixtures.join("docx/kazakh-russian.docx")).unwrap(),
        )
        .await;
    assert!(status.is_success(), "{status} {body:#}");
    assert_eq!(body["document"]["acceptedWithFindings"], true);
    let r = app
        .ok(
            Some(&owner),
            "query($id:ID!){ submissionReadiness(objectId:$id){ ready documentsChecked acceptedWithFindings missing { kind } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        r["submissionReadiness"],
        json!({"ready": true, "documentsChecked": true, "acceptedWithFindings": [terms.code()], "missing": []})
    );
    app.ok(
        Some(&owner),
        "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { kind } } }",
        json!({"id": id}),
    )
    .await;
    app.finish().await;
}

both!(accepted_with_findings_counts);

/// 20 registrations in parallel on PostgreSQL: 20 distinct consecutive valid codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_get_consecutive_codes() {
    let app = spawn(Backend::Postgres).await;
    app.state()
        .clock
        .set("2025-03-12T05:00:00Z".parse().unwrap());
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let org = app.create_org(&admin, &bin("24014000004"), "Акимат").await;
    let owner = app
        .create_user(&admin, "o@akimat.kz", "OWNER", Some(&org))
        .await;
    let mut integrators = vec![];
    for i in 0..4 {
        integrators.push(
            app.create_user(&admin, &format!("i{i}@nitec.kz"), "INTEGRATOR", None)
                .await,
        );
    }
    let mut ids = vec![];
    for i in 0..20 {
        let id = app.create_object(&owner, &format!("ИС-{i}")).await;
        app.upload_required(&owner, &id, LifeCycleStage::Creation, &[])
            .await;
        app.ok(
            Some(&owner),
            "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt } } }",
            json!({"id": id}),
        )
        .await;
        ids.push(id);
    }
    let app = std::sync::Arc::new(app);
    let mut tasks = vec![];
    for (i, id) in ids.into_iter().enumerate() {
        let app = app.clone();
        let token = integrators[i % 4].clone();
        tasks.push(tokio::spawn(async move {
            app.ok(
                Some(&token),
                "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }",
                json!({"id": id}),
            )
            .await["registerInformatizationObject"]["accountingCode"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut seqs = vec![];
    for t in tasks {
        let code = t.await.unwrap();
        assert!(mod97_valid(&code), "{code}");
        assert!(code.starts_with("IO-2025-"), "{code}");
        seqs.push(code[8..14].parse::<u32>().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    std::sync::Arc::into_inner(app).unwrap().finish().await;
}
