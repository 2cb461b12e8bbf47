//! 003 §9, both databases: the integrator flags a registered object's data
//! as missing; the owner sees the remarks and must update within 10 working
//! days of the flag (computed through `addWorkingDays`), after which the
//! object is overdue. Flagging a non-registered object or without remarks
//! is refused. Time moves only through the injected clock.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use archportal_domain::object::LifeCycleStage;

use crate::support::{Backend, TestApp, bin, code};

/// Friday 7 March 2025, 10:00 in Almaty.
const START: &str = "2025-03-07T05:00:00Z";

const OBJ: &str = "query($id:ID!){ informatizationObject(id:$id){ registrationStatus accountingCode
    updateDueAt updateOverdue updateRemarks { field documentKind text } } }";
const SUBMIT: &str =
    "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt kind } } }";
const REGISTER: &str =
    "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }";
const FLAG: &str = "mutation($id:ID!,$r:[RemarkInput!]!){ flagMissingData(id:$id, remarks:$r){ informatizationObject { updateDueAt updateOverdue } } }";

async fn add_working_days(app: &TestApp, day: NaiveDate, n: i32) -> NaiveDate {
    let d = app
        .ok(
            None,
            "query($f:Date!,$n:Int!){ addWorkingDays(from:$f, days:$n) }",
            json!({"f": day.to_string(), "n": n}),
        )
        .await;
    d["addWorkingDays"].as_str().unwrap().parse().unwrap()
}

/// 24:00 Almaty (UTC+5) of `day`.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    format!("{day}T19:00:00Z").parse().unwrap()
}

fn today(app: &TestApp) -> NaiveDate {
    archportal_domain::calendar::local_date(app.state().clock.now())
}

fn ts(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

async fn flag_missing_data_sets_the_update_duty(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 50;
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
    let id = app.create_object(&owner, "ИС-ФЛАГ").await;
    let remark = json!([{"field": "purpose", "text": "Укажите перечень автоматизируемых услуг"},
        {"documentKind": "TERMS_OF_REFERENCE", "text": "Приложите актуальное ТЗ"}]);

    // A draft, then an object in review: not registered, refused, no change.
    let refused = app
        .gql(Some(&integrator), FLAG, json!({"id": id, "r": remark}))
        .await;
    assert_eq!(code(&refused), "CONFLICT", "{refused:#}");
    app.upload_required(&owner, &id, LifeCycleStage::Creation, &[])
        .await;
    app.ok(Some(&owner), SUBMIT, json!({"id": id})).await;
    let refused = app
        .gql(Some(&integrator), FLAG, json!({"id": id, "r": remark}))
        .await;
    assert_eq!(code(&refused), "CONFLICT", "{refused:#}");
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(o["updateDueAt"], Value::Null);
    assert_eq!(o["updateRemarks"], json!([]));

    let reg = app.ok(Some(&integrator), REGISTER, json!({"id": id})).await;
    let accounting_code = reg["registerInformatizationObject"]["accountingCode"].clone();

    // Some days later (across the Women's Day weekend and its substitute day off).
    app.state().clock.advance(chrono::Duration::days(4));
    let flagged_on = today(&app);
    let body = app
        .gql(Some(&integrator), FLAG, json!({"id": id, "r": []}))
        .await;
    assert_eq!(code(&body), "INVALID_INPUT", "{body:#}");
    let body = app
        .gql(Some(&owner), FLAG, json!({"id": id, "r": remark}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body:#}");
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    assert_eq!(o["informatizationObject"]["updateDueAt"], Value::Null);

    let last_day = add_working_days(&app, flagged_on, 10).await;
    let due = end_of(last_day);
    let d = app
        .ok(Some(&integrator), FLAG, json!({"id": id, "r": remark}))
        .await;
    assert_eq!(
        ts(&d["flagMissingData"]["informatizationObject"]["updateDueAt"]),
        due
    );
    assert_eq!(
        d["flagMissingData"]["informatizationObject"]["updateOverdue"],
        false
    );

    // The owner sees the remarks; the code is unchanged.
    let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
    let o = &o["informatizationObject"];
    assert_eq!(o["registrationStatus"], "REGISTERED");
    assert_eq!(o["accountingCode"], accounting_code);
    assert_eq!(ts(&o["updateDueAt"]), due);
    assert_eq!(
        o["updateRemarks"],
        json!([{"field": "purpose", "documentKind": null, "text": "Укажите перечень автоматизируемых услуг"},
            {"field": null, "documentKind": "TERMS_OF_REFERENCE", "text": "Приложите актуальное ТЗ"}])
    );
    crate::support::assert_listed_like_fetched(&app, &owner, &id).await;
    // And is mailed them.
    let dir = app.data_dir.join("outbox");
    let started = Instant::now();
    while !std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .any(|t| t.contains("o@akimat.kz") && t.contains("Приложите актуальное ТЗ"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no remarks mail"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Not overdue through the last day; overdue once it has ended.
    let overdue = async || {
        let o = app.ok(Some(&owner), OBJ, json!({"id": id})).await;
        let listed = app
            .ok(Some(&integrator), "{ overdueUpdates { id } }", json!({}))
            .await;
        let in_list = listed["overdueUpdates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str());
        let flag = o["informatizationObject"]["updateOverdue"]
            .as_bool()
            .unwrap();
        assert_eq!(flag, in_list);
        flag
    };
    assert!(!overdue().await);
    app.state()
        .clock
        .set(format!("{last_day}T04:00:00Z").parse().unwrap());
    assert!(!overdue().await);
    app.state().clock.set(due - chrono::Duration::minutes(1));
    assert!(!overdue().await);
    app.state().clock.set(due);
    assert!(overdue().await);
    app.state().clock.set(due + chrono::Duration::days(2));
    assert!(overdue().await);
    app.finish().await;
}

both!(flag_missing_data_sets_the_update_duty);
