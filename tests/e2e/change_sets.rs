//! Issue 3 §6 (003 §9), both databases: a registered object's changes are
//! submitted as a change set that the integrator verifies the same way (5
//! working days, return with remarks, resubmit, register); the code never
//! changes and the registered data stays visible until the change set is
//! registered. Deadlines come from the calendar through `addWorkingDays`.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use archportal_domain::object::LifeCycleStage;

use crate::support::{Backend, TestApp, bin, code};

/// Friday 7 March 2025, 10:00 in Almaty.
const START: &str = "2025-03-07T05:00:00Z";

async fn deadline(app: &TestApp, day: NaiveDate, n: i32) -> DateTime<Utc> {
    let d = app
        .ok(
            None,
            "query($f:Date!,$n:Int!){ addWorkingDays(from:$f, days:$n) }",
            json!({"f": day.to_string(), "n": n}),
        )
        .await;
    format!("{}T19:00:00Z", d["addWorkingDays"].as_str().unwrap())
        .parse()
        .unwrap()
}

fn today(app: &TestApp) -> NaiveDate {
    archportal_domain::calendar::local_date(app.state().clock.now())
}

fn ts(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

const OBJ: &str =
    "query($id:ID!){ informatizationObject(id:$id){ registrationStatus accountingCode stage
    updateDueAt changeSet { field from to } registeredData { field value }
    reviews { kind dueAt decision accountingCode } } }";
const SUBMIT: &str =
    "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt kind } } }";
const REGISTER: &str =
    "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }";
const RETURN: &str = "mutation($id:ID!,$r:[RemarkInput!]!){ returnInformatizationObject(id:$id, remarks:$r){ review { decision } } }";
const UPDATE: &str = "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }";

fn registered_stage(o: &Value) -> Value {
    o["registeredData"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "stage")
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

async fn change_set_is_verified_like_a_submission(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
    })
    .await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let integrator = app
        .create_user(&admin, "check@nitec.kz", "INTEGRATOR", None)
        .await;
    let org = app.create_org(&admin, &bin("24014000004"), "Акимат").await;
    let owner = app
        .create_user(&admin, "o@akimat.kz", "OWNER", Some(&org))
        .await;
    let id = app.create_object(&owner, "ИС-ИЗМ").await;
    app.upload_required(&owner, &id, LifeCycleStage::Creation, &[])
        .await;
    app.ok(Some(&owner), SUBMIT, json!({"id": id})).await;
    let reg = app.ok(Some(&integrator), REGISTER, json!({"id": id})).await;
    let accounting_code = reg["registerInformatizationObject"]["accountingCode"]
        .as_str()
        .unwrap()
        .to_owned();

    // Next day the owner moves the object to pilot operation.
    app.state().clock.advance(chrono::Duration::days(1));
    let changed_on = today(&app);
    app.ok(
        Some(&owner),
        UPDATE,
        json!({"i": {"id": id, "stage": "PILOT_OPERATION", "stageStartedOn": changed_on.to_string()}}),
    )
    .await;
    app.upload_required(&owner, &id, LifeCycleStage::PilotOperation, &[])
        .await;
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(ts(&o["updateDueAt"]), deadline(&app, changed_on, 10).await);

    // The change set goes to review with its own 5-day clock; the code and
    // the registered data stay as they were meanwhile.
    let s = app.ok(Some(&owner), SUBMIT, json!({"id": id})).await;
    let review = &s["submitInformatizationObject"]["review"];
    assert_eq!(review["kind"], "CHANGE_SET");
    assert_eq!(ts(&review["dueAt"]), deadline(&app, today(&app), 5).await);
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(o["accountingCode"], accounting_code.as_str());
    assert_eq!(o["updateDueAt"], Value::Null);
    assert_eq!(registered_stage(o), "CREATION");
    assert!(
        o["changeSet"]
            .as_array()
            .unwrap()
            .contains(&json!({"field": "stage", "from": "CREATION", "to": "PILOT_OPERATION"}))
    );
    crate::support::assert_listed_like_fetched(&app, &owner, &id).await;

    // Returned with remarks, corrected, resubmitted: a new clock.
    let none = app
        .gql(Some(&integrator), RETURN, json!({"id": id, "r": []}))
        .await;
    assert_eq!(code(&none), "INVALID_INPUT");
    app.ok(
        Some(&integrator),
        RETURN,
        json!({"id": id, "r": [{"field": "purpose", "text": "Уточните назначение"}]}),
    )
    .await;
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    assert_eq!(
        o["informatizationObject"]["accountingCode"],
        accounting_code.as_str()
    );
    assert_eq!(registered_stage(&o["informatizationObject"]), "CREATION");
    app.state().clock.advance(chrono::Duration::days(1));
    app.ok(
        Some(&owner),
        UPDATE,
        json!({"i": {"id": id, "purpose": "Опытная эксплуатация электронного документооборота"}}),
    )
    .await;
    let s = app.ok(Some(&owner), SUBMIT, json!({"id": id})).await;
    assert_eq!(
        ts(&s["submitInformatizationObject"]["review"]["dueAt"]),
        deadline(&app, today(&app), 5).await
    );

    // Registered: the same code, the change set becomes the registered data.
    let reg = app.ok(Some(&integrator), REGISTER, json!({"id": id})).await;
    assert_eq!(
        reg["registerInformatizationObject"]["accountingCode"],
        accounting_code.as_str()
    );
    assert_eq!(
        code(
            &app.gql(Some(&integrator), REGISTER, json!({"id": id}))
                .await
        ),
        "CONFLICT"
    );
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(o["registrationStatus"], "REGISTERED");
    assert_eq!(o["accountingCode"], accounting_code.as_str());
    assert_eq!(registered_stage(o), "PILOT_OPERATION");
    assert_eq!(o["changeSet"], json!([]));
    let kinds: Vec<(&str, &str)> = o["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["decision"].as_str().unwrap()))
        .collect();
    let mut sorted = kinds.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            ("CHANGE_SET", "REGISTERED"),
            ("CHANGE_SET", "RETURNED"),
            ("INITIAL", "REGISTERED")
        ],
        "{kinds:?}"
    );
    app.finish().await;
}

both!(change_set_is_verified_like_a_submission);
