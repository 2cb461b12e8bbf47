//! Integration requests end to end (000 §6, 001 §3–§4, §45): filing with the
//! Annex 5 fields and the up-front refusals, then every step with its
//! deadline from the calendar (expectations from `addWorkingDays`, never
//! literals), steps out of order or by the wrong party, notifications, the
//! overdue flag, and the consumer added by the act into production.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::services::{REGISTER, service_input};
use crate::support::{Backend, TestApp, bin, code};

/// Friday 7 March 2025, 10:00 in Almaty (the day before Women's Day).
const START: &str = "2025-03-07T05:00:00Z";

const FIELDS: &str = "id state awaiting dueAt overdue rowVersion systemAddress serviceId ownerOrganizationName consumerShortName steps { state party dueAt completedAt overdue note }";

fn file_q() -> String {
    format!(
        "mutation($i:FileIntegrationRequestInput!){{ fileIntegrationRequest(input:$i){{ integrationRequest {{ {FIELDS} }} }} }}"
    )
}

async fn deadline(app: &TestApp, n: i32) -> DateTime<Utc> {
    let day = (app.state().clock.now() + chrono::Duration::hours(5)).date_naive();
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

fn ts(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

async fn step(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let input_type = match mutation {
        "recommendIntegration" => "RecommendIntegrationInput",
        "refuseIntegrationAgreement" => "RefuseIntegrationAgreementInput",
        "checkIntegrationCompleteness" => "CheckIntegrationCompletenessInput",
        "putIntegrationIntoProduction" => "PutIntegrationIntoProductionInput",
        _ => "IntegrationStepInput",
    };
    app.gql(
        Some(token),
        &format!("mutation($i:{input_type}!){{ {mutation}(input:$i){{ integrationRequest {{ {FIELDS} }} }} }}"),
        json!({"i": input}),
    )
    .await
}

async fn ok_step(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let body = step(app, token, mutation, input).await;
    assert!(body.get("errors").is_none(), "{mutation}: {body:#}");
    body["data"][mutation]["integrationRequest"].clone()
}

async fn every_step_with_calendar_deadlines(backend: Backend) {
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
    let owner_a = app
        .create_user(&admin, "a@gov.kz", "OWNER", Some(&org_a))
        .await;
    let owner_b = app
        .create_user(&admin, "b@gov.kz", "OWNER", Some(&org_b))
        .await;
    let operator = app
        .create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;
    let integrator = app
        .create_user(&admin, "integrator@gov.kz", "INTEGRATOR", None)
        .await;
    let provider = app.create_object(&owner_a, "ГБД ФЛ").await;
    let consumer = app.create_object(&owner_b, "ИС Салық").await;
    let secret = app
        .ok(
            Some(&owner_b),
            "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
            json!({"i": {"kind": "INFORMATION_SYSTEM", "nameKk": "Құпия жүйе", "nameRu": "Секретная система", "shortName": "СС", "purpose": "Мемлекеттік құпиялар", "exclusion": "STATE_SECRETS"}}),
        )
        .await["createInformatizationObject"]["informatizationObject"]["id"]
        .clone();
    let listed =
        crate::support::assert_listed_like_fetched(&app, &owner_b, secret.as_str().unwrap()).await;
    assert_eq!(listed["exclusion"], "STATE_SECRETS");
    app.ok(
        Some(&operator),
        REGISTER,
        json!({"i": {"objectId": provider, "service": service_input("GBDFL_PersonInfo", "жеке тұлғалар")}}),
    )
    .await;
    let mut async_svc = service_input("GBDFL_Notify", "хабарламалар");
    async_svc["interaction"] = json!("ASYNCHRONOUS");
    app.ok(
        Some(&operator),
        REGISTER,
        json!({"i": {"objectId": provider, "service": async_svc}}),
    )
    .await;
    archportal_api::search::run_once(app.state()).await.unwrap();

    let annex = |service: &str, object: &Value, address: &str| json!({"serviceId": service, "consumerObjectId": object, "basisLink": "https://adilet.zan.kz/rus/docs/V1600013335", "systemAddress": address, "purpose": "Салық берешегін есептеу үшін жеке тұлғалар туралы мәліметтерді алу"});
    let consumer_v = json!(consumer);
    // Refused up front, each with its reason and field.
    let refusals: Vec<(String, Value, &str, Option<&str>)> = vec![
        (
            owner_b.clone(),
            annex("GBDFL_PersonInfo", &consumer_v, "https://tax.kz/callback"),
            "INVALID_INPUT",
            Some("systemAddress"),
        ),
        (
            owner_b.clone(),
            annex("GBDFL_Notify", &consumer_v, "10.1.2.3"),
            "INVALID_INPUT",
            Some("systemAddress"),
        ),
        (
            owner_b.clone(),
            annex("GBDFL_PersonInfo", &secret, "10.1.2.3"),
            "INVALID_INPUT",
            Some("consumerObjectId"),
        ),
        (
            owner_b.clone(),
            {
                let mut a = annex("GBDFL_PersonInfo", &consumer_v, "10.1.2.3");
                a["consumerNonState"] = json!(true);
                a
            },
            "INVALID_INPUT",
            Some("serviceId"),
        ),
        (
            owner_a.clone(),
            annex("GBDFL_PersonInfo", &consumer_v, "10.1.2.3"),
            "FORBIDDEN",
            None,
        ),
        (
            operator.clone(),
            annex("GBDFL_PersonInfo", &consumer_v, "10.1.2.3"),
            "FORBIDDEN",
            None,
        ),
    ];
    for (who, input, expected, field) in refusals {
        let body = app.gql(Some(&who), &file_q(), json!({"i": input})).await;
        assert_eq!(
            (
                code(&body),
                body["errors"][0]["extensions"]["field"].as_str()
            ),
            (expected, field),
            "{body:#}"
        );
    }
    let body = app
        .gql(
            Some(&owner_b),
            &file_q(),
            json!({"i": annex("GBDFL_PersonInfo", &secret, "10.1.2.3")}),
        )
        .await;
    assert!(
        body["errors"][0]["extensions"]["messages"]["ru"]
            .as_str()
            .unwrap()
            .contains("Государственные секреты"),
        "the reason is given: {body:#}"
    );

    // Filed: the integrator has 7 working days; the service owner is told.
    let r = app
        .ok(
            Some(&owner_b),
            &file_q(),
            json!({"i": annex("GBDFL_PersonInfo", &consumer_v, " 10.1.2.3 ")}),
        )
        .await["fileIntegrationRequest"]["integrationRequest"]
        .clone();
    let id = r["id"].clone();
    assert_eq!(
        (r["state"].as_str(), r["awaiting"].as_str()),
        (Some("ANALYSIS"), Some("INTEGRATOR"))
    );
    assert_eq!(ts(&r["dueAt"]), deadline(&app, 7).await);
    assert_eq!(r["systemAddress"], "10.1.2.3");
    assert_eq!(r["ownerOrganizationName"], "Министерство юстиции");
    let mail = archportal_storage::outbox::all(&app.state().db, 100)
        .await
        .unwrap();
    assert!(
        mail.iter()
            .any(|m| m.recipient == "a@gov.kz" && m.event == "INTEGRATION_REQUEST_STEP"),
        "the service owner is notified: {mail:#?}"
    );
    assert!(mail.iter().any(|m| m.recipient == "integrator@gov.kz"));
    // The integrator sees similar services listed on the request.
    let sim = app
        .ok(Some(&integrator), "query($id:ID!){ integrationRequest(id:$id){ similarServices { score service { serviceId } } } }", json!({"id": id}))
        .await;
    assert_eq!(
        sim["integrationRequest"]["similarServices"][0]["service"]["serviceId"], "GBDFL_Notify",
        "{sim:#}"
    );

    // Out of order, and the wrong party.
    let body = step(
        &app,
        &operator,
        "checkIntegrationCompleteness",
        json!({"id": id, "complete": true}),
    )
    .await;
    assert_eq!(code(&body), "CONFLICT", "{body:#}");
    let body = step(
        &app,
        &owner_a,
        "recommendIntegration",
        json!({"id": id, "positive": true, "recommendation": "ok"}),
    )
    .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body:#}");

    let r = ok_step(&app, &integrator, "recommendIntegration", json!({"id": id, "positive": true, "recommendation": "Соответствует единым требованиям; аналогов нет"})).await;
    assert_eq!(
        (r["state"].as_str(), r["awaiting"].as_str()),
        (Some("OWNER_AGREEMENT"), Some("SERVICE_OWNER"))
    );
    assert_eq!(ts(&r["dueAt"]), deadline(&app, 10).await);

    app.state().clock.advance(chrono::Duration::days(1));
    let body = step(
        &app,
        &owner_b,
        "signIntegrationAgreement",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        code(&body),
        "FORBIDDEN",
        "the initiator cannot sign for the owner: {body:#}"
    );
    let r = ok_step(
        &app,
        &owner_a,
        "signIntegrationAgreement",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        (r["state"].as_str(), r["awaiting"].as_str()),
        (Some("COMPLETENESS_CHECK"), Some("OPERATOR"))
    );
    assert_eq!(ts(&r["dueAt"]), deadline(&app, 3).await);

    let body = step(
        &app,
        &operator,
        "checkIntegrationCompleteness",
        json!({"id": id, "complete": false}),
    )
    .await;
    assert_eq!(
        code(&body),
        "INVALID_INPUT",
        "remarks are required: {body:#}"
    );
    let r = ok_step(
        &app,
        &operator,
        "checkIntegrationCompleteness",
        json!({"id": id, "complete": false, "remarks": "Нет ссылки на приказ"}),
    )
    .await;
    assert_eq!(
        (r["state"].as_str(), r["awaiting"].as_str()),
        (Some("REWORK"), Some("INITIATOR"))
    );
    assert_eq!(ts(&r["dueAt"]), deadline(&app, 3).await);

    app.state().clock.advance(chrono::Duration::days(1));
    let r = ok_step(
        &app,
        &owner_b,
        "resubmitIntegrationRequest",
        json!({"id": id, "expectedVersion": r["rowVersion"]}),
    )
    .await;
    assert_eq!(r["state"], "COMPLETENESS_CHECK");
    assert_eq!(ts(&r["dueAt"]), deadline(&app, 3).await);
    let r = ok_step(
        &app,
        &operator,
        "checkIntegrationCompleteness",
        json!({"id": id, "complete": true}),
    )
    .await;
    assert_eq!(r["state"], "TEST_ACCESS");
    assert_eq!(ts(&r["dueAt"]), deadline(&app, 10).await);
    let r = ok_step(
        &app,
        &operator,
        "grantIntegrationTestAccess",
        json!({"id": id}),
    )
    .await;
    assert_eq!(r["state"], "TESTING");
    let now = app.state().clock.now();
    assert_eq!(
        ts(&r["dueAt"]),
        now.checked_add_months(Months::new(3)).unwrap(),
        "at most 3 months"
    );
    assert_eq!(r["overdue"], false);

    // Past the testing period: overdue.
    app.state()
        .clock
        .set(ts(&r["dueAt"]) + chrono::Duration::minutes(1));
    let late = app
        .ok(
            Some(&operator),
            &format!("query($id:ID!){{ integrationRequest(id:$id){{ {FIELDS} }} }}"),
            json!({"id": id}),
        )
        .await;
    assert_eq!(late["integrationRequest"]["overdue"], true);

    let body = step(
        &app,
        &operator,
        "putIntegrationIntoProduction",
        json!({"id": id, "act": " "}),
    )
    .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    let r = ok_step(
        &app,
        &operator,
        "putIntegrationIntoProduction",
        json!({"id": id, "act": "Акт № 17 от 2025-06-10"}),
    )
    .await;
    assert_eq!(
        (
            r["state"].as_str(),
            r["awaiting"].as_str(),
            r["dueAt"].as_str()
        ),
        (Some("IN_PRODUCTION"), None, None)
    );
    let states: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "ANALYSIS",
            "OWNER_AGREEMENT",
            "COMPLETENESS_CHECK",
            "REWORK",
            "COMPLETENESS_CHECK",
            "TEST_ACCESS",
            "TESTING",
            "IN_PRODUCTION"
        ]
    );
    assert!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["completedAt"].is_null())
    );
    assert_eq!(r["steps"][6]["overdue"], true, "testing ran past 3 months");
    assert_eq!(r["steps"][3]["note"], "Нет ссылки на приказ");
    let consumers = app
        .ok(
            Some(&operator),
            "{ service(serviceId:\"GBDFL_PersonInfo\"){ consumers { object { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        consumers["service"]["consumers"][0]["object"]["id"],
        consumer.as_str()
    );
    // Nothing happens after the end.
    let body = step(
        &app,
        &operator,
        "grantIntegrationTestAccess",
        json!({"id": id}),
    )
    .await;
    assert_eq!(code(&body), "CONFLICT");

    // A second request: an asynchronous service with a callback URL, refused by the owner with reasons.
    let r2 = app
        .ok(
            Some(&owner_b),
            &file_q(),
            json!({"i": annex("GBDFL_Notify", &consumer_v, "https://tax.kz/callback")}),
        )
        .await["fileIntegrationRequest"]["integrationRequest"]
        .clone();
    ok_step(
        &app,
        &integrator,
        "recommendIntegration",
        json!({"id": r2["id"], "positive": true, "recommendation": "ok"}),
    )
    .await;
    let r2 = ok_step(
        &app,
        &owner_a,
        "refuseIntegrationAgreement",
        json!({"id": r2["id"], "reasons": "Сервис выводится из эксплуатации"}),
    )
    .await;
    assert_eq!(
        (r2["state"].as_str(), r2["awaiting"].as_str()),
        (Some("REFUSED"), None)
    );
    // Another owner's organization cannot see the request.
    let other_org = app
        .create_org(&admin, &bin("24014000007"), "Министерство здравоохранения")
        .await;
    let owner_c = app
        .create_user(&admin, "c@gov.kz", "OWNER", Some(&other_org))
        .await;
    let hidden = app
        .ok(
            Some(&owner_c),
            "query($id:ID!){ integrationRequest(id:$id){ id } }",
            json!({"id": id}),
        )
        .await;
    assert!(hidden["integrationRequest"].is_null());
    app.finish().await;
}

both!(every_step_with_calendar_deadlines);
