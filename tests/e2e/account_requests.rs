//! 003 §6 account requests beyond the happy path, on both databases: an
//! expired activation link, rejection with a reason, and the overdue flag
//! of a request past its 2-working-day due date. Deadlines come from the
//! public `addWorkingDays` query; time moves only through the injected clock.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, PASSWORD, TestApp, bin, code};

/// Friday 7 March 2025, 10:00 in Almaty (the day before Women's Day).
const START: &str = "2025-03-07T05:00:00Z";

const REQUEST: &str = "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id status dueAt overdue } } }";
const APPROVE: &str =
    "mutation($id:ID!){ approveAccountRequest(id:$id){ accountRequest { status } } }";
const REJECT: &str = "mutation($id:ID!,$r:String!){ rejectAccountRequest(id:$id, reason:$r){ accountRequest { status reason decidedAt } } }";
const ACTIVATE: &str =
    "mutation($t:String!,$p:String!){ activateAccount(input:{token:$t,password:$p}){ email } }";
const LIST: &str = "{ accountRequests { nodes { id status reason overdue dueAt } } }";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 50;
    })
    .await
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(5)).date_naive()
}

/// The `n`-th working day after `day`, from the calendar.
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

/// 24:00 Almaty (UTC+5) of `day`: the exclusive end of a deadline ending that day.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    format!("{day}T19:00:00Z").parse().unwrap()
}

fn ts(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// Applies for an account as `email` in `language`; returns the request id.
async fn apply(app: &TestApp, email: &str, language: &str) -> String {
    let d = app
        .ok(
            None,
            REQUEST,
            json!({"i": {"bin": bin("24014000002"), "organizationNameKk": "Цифрлық даму министрлігі",
                "organizationNameRu": "Министерство цифрового развития", "organizationKind": "STATE_BODY",
                "fullName": "Айгерим Сапарова", "position": "Главный эксперт", "email": email,
                "phone": "+7 (7172) 74-00-00", "basis": "Приказ № 1 от 01.03.2025", "language": language}}),
        )
        .await;
    let r = &d["requestAccount"]["accountRequest"];
    assert_eq!(r["status"], "PENDING");
    r["id"].as_str().unwrap().to_owned()
}

/// The outbox `.eml` files whose text contains every one of `needles`.
fn mails_containing(app: &TestApp, needles: &[&str]) -> Vec<String> {
    let dir = app.data_dir.join("outbox");
    std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter(|t| needles.iter().all(|n| t.contains(n)))
        .collect()
}

/// Waits for one outbox file containing every one of `needles`; returns it.
async fn mail_containing(app: &TestApp, needles: &[&str]) -> String {
    let started = Instant::now();
    loop {
        if let Some(m) = mails_containing(app, needles).into_iter().next() {
            return m;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no mail containing {needles:?}: {:#?}",
            archportal_storage::outbox::all(&app.state().db, 100).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of every activation link mailed to `email` so far.
fn activation_tokens(app: &TestApp, email: &str) -> Vec<String> {
    mails_containing(app, &[email, "/activate?token="])
        .iter()
        .filter_map(|m| m.split("/activate?token=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

async fn login_fails(app: &TestApp, email: &str) {
    let body = app
        .gql(
            None,
            "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken } }",
            json!({"e": email, "p": PASSWORD}),
        )
        .await;
    assert!(
        body.get("errors").is_some(),
        "{email} could sign in: {body:#}"
    );
}

/// An activation link used after it expired: EXPIRED, no password set, the
/// account stays unusable; a fresh application approved again works.
async fn expired_activation_link(backend: Backend) {
    let app = spawn(backend).await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let integrator = app
        .create_user(&admin, "check@nitec.kz", "INTEGRATOR", None)
        .await;
    let email = "a.saparova@mdai.gov.kz";
    let first = apply(&app, email, "KK").await;
    app.ok(Some(&integrator), APPROVE, json!({"id": first}))
        .await;
    let token = app.activation_token(email).await;

    // One minute past the link's lifetime.
    let ttl = app.config.notifications.activation_ttl_hours;
    app.state()
        .clock
        .advance(chrono::Duration::hours(ttl) + chrono::Duration::minutes(1));
    let body = app
        .gql(None, ACTIVATE, json!({"t": token, "p": PASSWORD}))
        .await;
    assert_eq!(code(&body), "EXPIRED", "{body:#}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "token",
        "{body:#}"
    );
    login_fails(&app, email).await;
    // Still expired on a second try: nothing was consumed or set.
    let body = app
        .gql(None, ACTIVATE, json!({"t": token, "p": PASSWORD}))
        .await;
    assert_eq!(code(&body), "EXPIRED", "{body:#}");
    login_fails(&app, email).await;

    // A fresh application, approved again: a new link that works.
    let second = apply(&app, email, "KK").await;
    let d = app
        .ok(Some(&integrator), APPROVE, json!({"id": second}))
        .await;
    assert_eq!(
        d["approveAccountRequest"]["accountRequest"]["status"],
        "APPROVED"
    );
    let started = Instant::now();
    let fresh = loop {
        if let Some(t) = activation_tokens(&app, email)
            .into_iter()
            .find(|t| *t != token)
        {
            break t;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no new link");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let d = app
        .ok(None, ACTIVATE, json!({"t": fresh, "p": PASSWORD}))
        .await;
    assert_eq!(d["activateAccount"]["email"], email);
    app.login(email).await;
    // The old link stays dead.
    let body = app
        .gql(None, ACTIVATE, json!({"t": token, "p": PASSWORD}))
        .await;
    assert!(body.get("errors").is_some(), "{body:#}");
    app.finish().await;
}

/// Rejection with a reason: stored, mailed in the applicant's language;
/// rejecting twice or approving after it, or an empty reason: typed errors,
/// no change.
async fn rejection_with_reason(backend: Backend) {
    let app = spawn(backend).await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let integrator = app
        .create_user(&admin, "check@nitec.kz", "INTEGRATOR", None)
        .await;
    let email = "b.nurlanov@mdai.gov.kz";
    let id = apply(&app, email, "KK").await;

    for blank in ["", "   "] {
        let body = app
            .gql(Some(&integrator), REJECT, json!({"id": id, "r": blank}))
            .await;
        assert_eq!(code(&body), "INVALID_INPUT", "{body:#}");
    }
    let list = app.ok(Some(&integrator), LIST, json!({})).await;
    assert_eq!(list["accountRequests"]["nodes"][0]["status"], "PENDING");

    let reason = "Приказ о назначении не приложен";
    let d = app
        .ok(Some(&integrator), REJECT, json!({"id": id, "r": reason}))
        .await;
    let r = &d["rejectAccountRequest"]["accountRequest"];
    assert_eq!(r["status"], "REJECTED");
    assert_eq!(r["reason"], reason);
    let decided_at = r["decidedAt"].clone();

    // Mailed to the applicant, in Kazakh, with the reason.
    let mail = mail_containing(&app, &[email, reason]).await;
    assert!(mail.contains(&format!("Себебі: {reason}")), "{mail}");

    let again = app
        .gql(
            Some(&integrator),
            REJECT,
            json!({"id": id, "r": "Другая причина"}),
        )
        .await;
    assert_eq!(code(&again), "CONFLICT", "{again:#}");
    let approve = app.gql(Some(&admin), APPROVE, json!({"id": id})).await;
    assert_eq!(code(&approve), "CONFLICT", "{approve:#}");

    let list = app.ok(Some(&integrator), LIST, json!({})).await;
    let node = &list["accountRequests"]["nodes"][0];
    assert_eq!(node["status"], "REJECTED");
    assert_eq!(node["reason"], reason);
    let after = app
        .ok(
            Some(&integrator),
            "{ accountRequests { nodes { decidedAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        after["accountRequests"]["nodes"][0]["decidedAt"],
        decided_at
    );
    // No user came of it, and no second decision mail went out.
    login_fails(&app, email).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(activation_tokens(&app, email).is_empty());
    assert_eq!(mails_containing(&app, &[email, "Себебі:"]).len(), 1);
    app.finish().await;
}

/// A request pending past its 2-working-day due date is overdue; on its
/// last day it is not.
async fn overdue_request(backend: Backend) {
    let app = spawn(backend).await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let integrator = app
        .create_user(&admin, "check@nitec.kz", "INTEGRATOR", None)
        .await;
    let received = local_date(app.state().clock.now());
    let id = apply(&app, "c.ospanova@mdai.gov.kz", "RU").await;
    let last_day = add_working_days(&app, received, 2).await;
    let due = end_of(last_day);

    let overdue = async || {
        let list = app.ok(Some(&integrator), LIST, json!({})).await;
        let node = &list["accountRequests"]["nodes"][0];
        assert_eq!(node["id"], id.as_str());
        assert_eq!(ts(&node["dueAt"]), due);
        node["overdue"].as_bool().unwrap()
    };
    assert!(!overdue().await);
    // The morning and the last minute of the last day: not overdue.
    app.state()
        .clock
        .set(format!("{last_day}T04:00:00Z").parse().unwrap());
    assert!(!overdue().await);
    app.state().clock.set(due - chrono::Duration::minutes(1));
    assert!(!overdue().await);
    // The next day begins: overdue.
    app.state().clock.set(due);
    assert!(overdue().await);
    app.state().clock.set(due + chrono::Duration::days(3));
    assert!(overdue().await);
    // Once decided it is no longer overdue.
    app.ok(
        Some(&integrator),
        REJECT,
        json!({"id": id, "r": "Не указано основание"}),
    )
    .await;
    assert!(!overdue().await);
    app.finish().await;
}

both!(
    expired_activation_link,
    rejection_with_reason,
    overdue_request
);
