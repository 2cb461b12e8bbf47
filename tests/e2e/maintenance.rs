//! Planned maintenance windows end to end (000 §12): announced at least 3
//! working days ahead (dates from the calendar, never literals), inside the
//! default night window or with a reason, cancelled before the start, and
//! the owner's and consumers' users notified in their language, others not.

use archportal_domain::calendar::local_midnight_utc;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::services::{REGISTER, service_input};
use crate::support::{Backend, TestApp, bin, code};

/// Thursday 6 March 2025, 10:00 in Almaty: the next working days skip the
/// weekend and Monday 10 March (Women's Day, 8 March, falls on a Saturday).
const START: &str = "2025-03-06T05:00:00Z";

pub const ANNOUNCE: &str = "mutation($i:AnnounceMaintenanceWindowInput!){ announceMaintenanceWindow(input:$i){ maintenanceWindow { id startsAt endsAt impact offHoursReason outsideDefaultWindow cancelledAt } } }";
pub const CANCEL: &str = "mutation($id:ID!,$r:String!){ cancelMaintenanceWindow(id:$id, reason:$r){ maintenanceWindow { id cancelledAt cancelReason } } }";

/// The Almaty date `n` working days after today, by the server's calendar.
pub async fn working_day(app: &TestApp, n: i32) -> NaiveDate {
    let today = archportal_domain::calendar::local_date(app.state().clock.now());
    let d = app
        .ok(
            None,
            "query($f:Date!,$n:Int!){ addWorkingDays(from:$f, days:$n) }",
            json!({"f": today.to_string(), "n": n}),
        )
        .await;
    d["addWorkingDays"].as_str().unwrap().parse().unwrap()
}

/// `day` at `hour` (may exceed 24) Almaty time, RFC 3339 UTC.
pub fn at(day: NaiveDate, hour: i64) -> String {
    (local_midnight_utc(day) + Duration::hours(hour)).to_rfc3339()
}

pub fn window(service: &str, starts: String, ends: String) -> Value {
    json!({"serviceId": service, "startsAt": starts, "endsAt": ends,
        "descriptionKk": "Дерекқорды жаңарту", "descriptionRu": "Обновление базы данных",
        "impact": "FULL_OUTAGE"})
}

fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

async fn windows_rules_and_notices(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org_a = app
        .create_org(&admin, &bin("24014000001"), "Министерство юстиции")
        .await;
    let org_b = app
        .create_org(&admin, &bin("24014000004"), "Министерство финансов")
        .await;
    let org_c = app
        .create_org(&admin, &bin("24014000007"), "Министерство культуры")
        .await;
    let owner_a = app
        .create_user(&admin, "a@gov.kz", "OWNER", Some(&org_a))
        .await;
    app.ok(
        Some(&admin),
        "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
        json!({"i": {"email": "a-kk@gov.kz", "fullName": "Қазақша", "role": "OWNER", "organizationId": org_a, "language": "KK"}}),
    )
    .await;
    let owner_b = app
        .create_user(&admin, "b@gov.kz", "OWNER", Some(&org_b))
        .await;
    let owner_c = app
        .create_user(&admin, "c@gov.kz", "OWNER", Some(&org_c))
        .await;
    let operator = app
        .create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;
    let integrator = app
        .create_user(&admin, "integrator@gov.kz", "INTEGRATOR", None)
        .await;
    let provider = app.create_object(&owner_a, "ГБД ФЛ").await;
    let consumer = app.create_object(&owner_b, "ИС Салық").await;
    let consumer_c = app.create_object(&owner_c, "ИС Мәдениет").await;
    app.ok(
        Some(&operator),
        REGISTER,
        json!({"i": {"objectId": provider, "service": service_input("GBDFL_PersonInfo", "жеке тұлғалар")}}),
    )
    .await;
    archportal_api::search::run_once(app.state()).await.unwrap();

    // B consumes the service in production; C only filed a request.
    let annex = |object: &str| json!({"i": {"serviceId": "GBDFL_PersonInfo", "consumerObjectId": object, "basisLink": "https://adilet.zan.kz/rus/docs/V1600013335", "systemAddress": "10.1.2.3", "purpose": "Салық берешегін есептеу"}});
    let ir = app
        .ok(Some(&owner_b), "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { id } } }", annex(&consumer))
        .await["fileIntegrationRequest"]["integrationRequest"]["id"]
        .clone();
    app.ok(Some(&owner_c), "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { id } } }", annex(&consumer_c))
        .await;
    app.ok(Some(&integrator), "mutation($i:RecommendIntegrationInput!){ recommendIntegration(input:$i){ integrationRequest { id } } }", json!({"i": {"id": ir, "positive": true, "recommendation": "ok"}})).await;
    app.ok(Some(&owner_a), "mutation($i:IntegrationStepInput!){ signIntegrationAgreement(input:$i){ integrationRequest { id } } }", json!({"i": {"id": ir}})).await;
    app.ok(Some(&operator), "mutation($i:CheckIntegrationCompletenessInput!){ checkIntegrationCompleteness(input:$i){ integrationRequest { id } } }", json!({"i": {"id": ir, "complete": true}})).await;
    app.ok(Some(&operator), "mutation($i:IntegrationStepInput!){ grantIntegrationTestAccess(input:$i){ integrationRequest { id } } }", json!({"i": {"id": ir}})).await;
    let prod = app.ok(Some(&operator), "mutation($i:PutIntegrationIntoProductionInput!){ putIntegrationIntoProduction(input:$i){ integrationRequest { state } } }", json!({"i": {"id": ir, "act": "Акт № 17"}})).await;
    assert_eq!(
        prod["putIntegrationIntoProduction"]["integrationRequest"]["state"],
        "IN_PRODUCTION"
    );
    let before = archportal_storage::outbox::all(&app.state().db, 10_000)
        .await
        .unwrap()
        .len();

    // Two working days ahead is refused, though it is 5 calendar days away.
    let today = archportal_domain::calendar::local_date(app.state().clock.now());
    let d2 = working_day(&app, 2).await;
    let d3 = working_day(&app, 3).await;
    assert!(
        (d2 - today).num_days() >= 3,
        "the weekend and the holiday lie between"
    );
    let body = app
        .gql(
            Some(&owner_a),
            ANNOUNCE,
            json!({"i": window("GBDFL_PersonInfo", at(d2, 22), at(d2, 27))}),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("INVALID_INPUT", Some("startsAt")),
        "{body:#}"
    );
    for lang in ["kk", "ru", "en"] {
        assert!(
            body["errors"][0]["extensions"]["messages"][lang]
                .as_str()
                .unwrap()
                .contains(&d3.to_string()),
            "{body:#}"
        );
    }
    // End before start; daytime without a reason.
    let body = app
        .gql(
            Some(&owner_a),
            ANNOUNCE,
            json!({"i": window("GBDFL_PersonInfo", at(d3, 23), at(d3, 22))}),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("INVALID_INPUT", Some("endsAt")),
        "{body:#}"
    );
    let body = app
        .gql(
            Some(&owner_a),
            ANNOUNCE,
            json!({"i": window("GBDFL_PersonInfo", at(d3, 10), at(d3, 12))}),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("INVALID_INPUT", Some("offHoursReason")),
        "{body:#}"
    );
    assert_eq!(
        archportal_storage::outbox::all(&app.state().db, 10_000)
            .await
            .unwrap()
            .len(),
        before,
        "refusals write nothing"
    );

    // Three working days ahead, at night across midnight: accepted.
    let night = app
        .ok(
            Some(&owner_a),
            ANNOUNCE,
            json!({"i": window("GBDFL_PersonInfo", at(d3, 22), at(d3, 27))}),
        )
        .await["announceMaintenanceWindow"]["maintenanceWindow"]
        .clone();
    assert_eq!(night["outsideDefaultWindow"], false);
    assert_eq!(
        night["startsAt"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        local_midnight_utc(d3) + Duration::hours(22)
    );
    // Daytime with a reason (by the operator): accepted and flagged.
    let mut day = window("GBDFL_PersonInfo", at(d3, 10), at(d3, 12));
    day["offHoursReason"] = json!("Авариялық жаңарту");
    day["impact"] = json!("DEGRADED");
    let daytime = app.ok(Some(&operator), ANNOUNCE, json!({"i": day})).await["announceMaintenanceWindow"]["maintenanceWindow"].clone();
    assert_eq!(
        (
            daytime["outsideDefaultWindow"].as_bool(),
            daytime["offHoursReason"].as_str(),
            daytime["impact"].as_str()
        ),
        (Some(true), Some("Авариялық жаңарту"), Some("DEGRADED"))
    );

    // Notices: one per recipient and window, the owner's and the consumer's users only.
    let mail = archportal_storage::outbox::all(&app.state().db, 10_000)
        .await
        .unwrap();
    let of = |id: &Value, event: &str| -> Vec<(String, String, String)> {
        let mut v: Vec<_> = mail
            .iter()
            .filter(|m| {
                m.idempotency_key
                    .starts_with(&format!("mw:{}:{event}:", id.as_str().unwrap()))
            })
            .map(|m| (m.recipient.clone(), m.language.clone(), m.subject.clone()))
            .collect();
        v.sort();
        v
    };
    let announced = of(&night["id"], "announce");
    let to: Vec<&str> = announced.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        to,
        ["a-kk@gov.kz", "a@gov.kz", "b@gov.kz"],
        "{announced:#?}"
    );
    assert!(
        announced[0].2.contains("жоспарлы техникалық жұмыстар"),
        "Kazakh for the Kazakh reader"
    );
    assert!(announced[1].2.contains("плановые работы"));
    assert_eq!(of(&daytime["id"], "announce").len(), 3);
    assert!(
        !mail
            .iter()
            .any(|m| m.recipient == "c@gov.kz" && m.event.starts_with("MAINTENANCE")),
        "non-consumers are not told"
    );

    // The service page lists upcoming windows; the list query too.
    let q = "query($s:String!){ service(serviceId:$s){ maintenanceWindows { id } all: maintenanceWindows(upcomingOnly:false) { id cancelledAt } } }";
    let s = app
        .ok(Some(&owner_a), q, json!({"s": "GBDFL_PersonInfo"}))
        .await;
    assert_eq!(
        s["service"]["maintenanceWindows"].as_array().unwrap().len(),
        2
    );
    let list = app
        .ok(Some(&operator), "query($s:String!,$f:DateTime!){ maintenanceWindows(serviceId:$s, from:$f, first:1){ totalCount pageInfo { hasNextPage } edges { node { id service { serviceId } } } } }", json!({"s": "GBDFL_PersonInfo", "f": at(d3, 0)}))
        .await;
    assert_eq!(
        (
            list["maintenanceWindows"]["totalCount"].as_u64(),
            list["maintenanceWindows"]["pageInfo"]["hasNextPage"].as_bool()
        ),
        (Some(2), Some(true))
    );

    // Cancel: refused to a non-consumer owner and without a reason; then done, notified, idempotent refusal.
    let body = app
        .gql(
            Some(&owner_c),
            CANCEL,
            json!({"id": night["id"], "r": "жоқ"}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app
        .gql(Some(&owner_a), CANCEL, json!({"id": night["id"], "r": " "}))
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("INVALID_INPUT", Some("reason"))
    );
    let c = app
        .ok(
            Some(&owner_a),
            CANCEL,
            json!({"id": night["id"], "r": "Жұмыстар кейінге қалдырылды"}),
        )
        .await;
    assert!(c["cancelMaintenanceWindow"]["maintenanceWindow"]["cancelledAt"].is_string());
    let body = app
        .gql(
            Some(&owner_a),
            CANCEL,
            json!({"id": night["id"], "r": "тағы"}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT");
    let mail = archportal_storage::outbox::all(&app.state().db, 10_000)
        .await
        .unwrap();
    let cancelled: Vec<&str> = {
        let mut v: Vec<&str> = mail
            .iter()
            .filter(|m| m.event == "MAINTENANCE_CANCELLED")
            .map(|m| m.recipient.as_str())
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(cancelled, ["a-kk@gov.kz", "a@gov.kz", "b@gov.kz"]);
    let s = app
        .ok(Some(&owner_a), q, json!({"s": "GBDFL_PersonInfo"}))
        .await;
    assert_eq!(
        s["service"]["maintenanceWindows"].as_array().unwrap().len(),
        1,
        "a cancelled window is no longer upcoming"
    );
    assert_eq!(s["service"]["all"].as_array().unwrap().len(), 2);

    // Once started, a window can no longer be cancelled.
    app.state()
        .clock
        .set(local_midnight_utc(d3) + Duration::hours(11));
    let body = app
        .gql(
            Some(&operator),
            CANCEL,
            json!({"id": daytime["id"], "r": "кеш"}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body:#}");

    let audit = archportal_storage::audit::recent(&app.state().db, 1000)
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|e| e.target_type == "maintenanceWindow")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "maintenanceWindow.announce")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "maintenanceWindow.cancel")
            .count(),
        1
    );
    app.finish().await;
}

both!(windows_rules_and_notices);
