//! Issue 3, notifications and the working-day calendar with several server
//! processes, on both databases: mail kept and retried with backoff while
//! the SMTP server is down and delivered exactly once per recipient in the
//! recipient's language when it comes up (002 §9); review deadline
//! reminders, each once; two dispatchers on one database sending each
//! message once; a calendar edit in one process seen by another's deadline
//! computations. Times move with the injected clock; deadlines come from
//! the calendar through `addWorkingDays`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use archportal_domain::Lang;
use archportal_domain::notification::Notice;
use archportal_storage::outbox::{self, Message, Recipient};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use crate::both;
use crate::smtp_sink::SmtpSink;
use crate::support::{Backend, TestApp, bin};

/// Friday 7 March 2025, 10:00 in Almaty.
const START: &str = "2025-03-07T05:00:00Z";

fn local_today(app: &TestApp) -> NaiveDate {
    archportal_domain::calendar::local_date(app.state().clock.now())
}

async fn add_working_days(app: &TestApp, from: NaiveDate, n: i32) -> NaiveDate {
    let d = app
        .ok(
            None,
            "query($f:Date!,$n:Int!){ addWorkingDays(from:$f, days:$n) }",
            json!({"f": from.to_string(), "n": n}),
        )
        .await;
    d["addWorkingDays"].as_str().unwrap().parse().unwrap()
}

async fn is_working_day(app: &TestApp, day: NaiveDate) -> bool {
    let d = app
        .ok(
            None,
            "query($d:Date!){ isWorkingDay(date:$d) }",
            json!({"d": day.to_string()}),
        )
        .await;
    d["isWorkingDay"].as_bool().unwrap()
}

/// 10:00 Almaty on `day`.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    format!("{day}T05:00:00Z").parse().unwrap()
}

/// Creates a user with a language as `admin`; returns the token.
async fn user(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
    org: Option<&str>,
    lang: &str,
) -> String {
    app.ok(
        Some(admin),
        "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
        json!({"i": {"email": email, "fullName": email, "role": role, "organizationId": org,
            "language": lang, "password": crate::support::PASSWORD}}),
    )
    .await;
    app.login(email).await
}

async fn messages(app: &TestApp, event: &str) -> Vec<Message> {
    outbox::all(&app.state().db, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.event == event)
        .collect()
}

/// Polls `check` on the outbox rows of `event` until it holds (bounded).
async fn wait_for(app: &TestApp, event: &str, what: &str, check: impl Fn(&[Message]) -> bool) {
    let started = Instant::now();
    loop {
        let rows = messages(app, event).await;
        if check(&rows) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A local port where nothing listens (yet).
fn free_port() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

async fn mail_waits_for_the_smtp_server(backend: Backend) {
    let smtp = free_port();
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 50;
        c.notifications.retry_base_secs = 60;
        c.notifications.retry_max_secs = 3600;
        c.smtp_url = Some(format!("smtp://{smtp}"));
    })
    .await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    user(&app, &admin, "ru@nitec.kz", "INTEGRATOR", None, "RU").await;
    user(&app, &admin, "kk@nitec.kz", "INTEGRATOR", None, "KK").await;
    // The event: an account request in Kazakh; the applicant and both
    // integrators are told, each in their own language.
    app.request_account_kk().await;
    let expected: BTreeMap<&str, Lang> = [
        ("a.saparova@mdai.gov.kz", Lang::Kk),
        ("kk@nitec.kz", Lang::Kk),
        ("ru@nitec.kz", Lang::Ru),
    ]
    .into();
    const EVENT: &str = "ACCOUNT_REQUEST_RECEIVED";
    let t0 = app.state().clock.now();

    // The server is down: every message stays pending with its error, and
    // the next attempt waits retry_base_secs.
    wait_for(&app, EVENT, "a first failed attempt", |rows| {
        rows.len() == 3 && rows.iter().all(|m| m.attempts == 1)
    })
    .await;
    for m in messages(&app, EVENT).await {
        assert_eq!(m.status, outbox::PENDING);
        assert!(m.last_error.is_some(), "{m:#?}");
        assert_eq!(m.next_attempt_at, t0 + chrono::Duration::seconds(60));
        assert_eq!(m.language, expected[m.recipient.as_str()].code());
        let tries = outbox::attempts(&app.state().db, m.id).await.unwrap();
        assert_eq!(tries.len(), 1);
        assert!(tries[0].1.is_some());
    }
    // Nothing is due before then: an extra pass tries nothing.
    archportal_api::mail::run_once(app.state()).await.unwrap();
    assert!(messages(&app, EVENT).await.iter().all(|m| m.attempts == 1));

    // A minute later the second attempt fails too; the next one is backed
    // off twice as long.
    let t1 = t0 + chrono::Duration::seconds(60);
    app.state().clock.set(t1);
    wait_for(&app, EVENT, "a second failed attempt", |rows| {
        rows.iter().all(|m| m.attempts == 2)
    })
    .await;
    for m in messages(&app, EVENT).await {
        assert_eq!(m.status, outbox::PENDING);
        assert_eq!(m.next_attempt_at, t1 + chrono::Duration::seconds(120));
        let tries = outbox::attempts(&app.state().db, m.id).await.unwrap();
        assert_eq!(tries.len(), 2);
        assert!(tries.iter().all(|(_, e)| e.is_some()), "{tries:?}");
    }
    app.state().clock.set(t1 + chrono::Duration::seconds(119));
    archportal_api::mail::run_once(app.state()).await.unwrap();
    assert!(
        messages(&app, EVENT)
            .await
            .iter()
            .all(|m| m.attempts == 2 && m.status == outbox::PENDING)
    );

    // The server comes up; at the backed-off time everything is delivered.
    let sink = SmtpSink::start(smtp).await;
    app.state().clock.set(t1 + chrono::Duration::seconds(120));
    wait_for(&app, EVENT, "delivery", |rows| {
        rows.iter().all(|m| m.status == outbox::SENT)
    })
    .await;
    // Later passes send nothing again.
    app.state().clock.advance(chrono::Duration::days(1));
    archportal_api::mail::run_once(app.state()).await.unwrap();
    archportal_api::mail::run_once(app.state()).await.unwrap();

    let rows = messages(&app, EVENT).await;
    let got: Vec<_> = sink
        .received()
        .into_iter()
        .filter(|r| {
            rows.iter()
                .any(|m| r.to == vec![m.recipient.clone()] && r.body().trim() == m.body.trim())
        })
        .collect();
    assert_eq!(got.len(), 3, "{:#?}", sink.received());
    for (email, lang) in &expected {
        let mine: Vec<_> = got.iter().filter(|r| r.to == vec![*email]).collect();
        assert_eq!(mine.len(), 1, "{email}: {mine:#?}");
        assert_eq!(mine[0].from, "noreply@archportal.local");
        let body = mine[0].body();
        let phrase = match lang {
            Lang::Kk => "Есептік жазба өтінімі қабылданды",
            _ => "Заявка на учётную запись получена",
        };
        assert!(body.contains(phrase), "{email}: {body}");
        assert!(body.contains("Министерство цифрового развития"), "{body}");
    }
    for m in &rows {
        assert_eq!(m.attempts, 3);
        assert!(m.sent_at.is_some());
        let tries = outbox::attempts(&app.state().db, m.id).await.unwrap();
        let errors: Vec<bool> = tries.iter().map(|(_, e)| e.is_some()).collect();
        assert_eq!(errors, [true, true, false]);
    }
    sink.stop();
    app.finish().await;
}

both!(mail_waits_for_the_smtp_server);

const REVIEW_SOON: &str = "DEADLINE_SOON";
const REVIEW_PASSED: &str = "DEADLINE_PASSED";

/// The (object short name, recipient) pairs of the reminders of `event`.
async fn reminders(app: &TestApp, event: &str) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = messages(app, event)
        .await
        .into_iter()
        .filter(|m| m.idempotency_key.starts_with("review-"))
        .map(|m| {
            let object = ["РЕМ-A", "РЕМ-B", "РЕМ-C"]
                .into_iter()
                .find(|n| m.body.contains(n))
                .unwrap_or("?")
                .to_owned();
            (object, m.recipient)
        })
        .collect();
    got.sort();
    got
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

async fn review_deadline_reminders(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 50;
    })
    .await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let first = user(&app, &admin, "first@nitec.kz", "INTEGRATOR", None, "RU").await;
    user(&app, &admin, "second@nitec.kz", "INTEGRATOR", None, "KK").await;
    let org = app.create_org(&admin, &bin("24014000004"), "Акимат").await;
    let owner = app
        .create_user(&admin, "o@akimat.kz", "OWNER", Some(&org))
        .await;
    let mut ids = vec![];
    for short in ["РЕМ-A", "РЕМ-B", "РЕМ-C"] {
        let id = app.create_object(&owner, short).await;
        app.upload_required(
            &owner,
            &id,
            archportal_domain::object::LifeCycleStage::Creation,
            &[],
        )
        .await;
        app.ok(
            Some(&owner),
            "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt } } }",
            json!({"id": id}),
        )
        .await;
        ids.push(id);
    }
    let received = local_today(&app);
    // A is taken by the first integrator (reminders go to the reviewer);
    // B waits in the queue (reminders go to every integrator); C is
    // registered in time (no reminders).
    app.ok(
        Some(&first),
        "mutation($id:ID!){ takeReview(objectId:$id){ review { id } } }",
        json!({"id": ids[0]}),
    )
    .await;
    app.ok(
        Some(&first),
        "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }",
        json!({"id": ids[2]}),
    )
    .await;
    let last_day = add_working_days(&app, received, 5).await;

    let pass = async || {
        archportal_api::mail::run_once(app.state()).await.unwrap();
        archportal_api::mail::run_once(app.state()).await.unwrap();
    };
    // Two working days left: nothing yet.
    app.state()
        .clock
        .set(morning(add_working_days(&app, received, 3).await));
    pass().await;
    assert_eq!(reminders(&app, REVIEW_SOON).await, vec![]);

    // One working day left.
    let soon = pairs(&[
        ("РЕМ-A", "first@nitec.kz"),
        ("РЕМ-B", "first@nitec.kz"),
        ("РЕМ-B", "second@nitec.kz"),
    ]);
    app.state()
        .clock
        .set(morning(add_working_days(&app, received, 4).await));
    pass().await;
    assert_eq!(reminders(&app, REVIEW_SOON).await, soon);
    // Still so on the last day itself: not written again.
    app.state().clock.set(morning(last_day));
    pass().await;
    assert_eq!(reminders(&app, REVIEW_SOON).await, soon);
    assert_eq!(reminders(&app, REVIEW_PASSED).await, vec![]);

    // The deadline passes at the end of the last working day.
    let due: DateTime<Utc> = format!("{last_day}T19:00:00Z").parse().unwrap();
    app.state().clock.set(due);
    pass().await;
    let passed = soon.clone();
    assert_eq!(reminders(&app, REVIEW_PASSED).await, passed);
    app.state().clock.advance(chrono::Duration::days(3));
    pass().await;
    assert_eq!(reminders(&app, REVIEW_PASSED).await, passed);
    assert_eq!(reminders(&app, REVIEW_SOON).await, soon);

    // Each reminder is in its recipient's language and is delivered.
    for m in messages(&app, REVIEW_PASSED).await {
        if !m.idempotency_key.starts_with("review-") {
            continue;
        }
        let lang = if m.recipient == "second@nitec.kz" {
            "kk"
        } else {
            "ru"
        };
        assert_eq!(m.language, lang, "{m:#?}");
        assert!(m.body.contains(&last_day.to_string()), "{}", m.body);
    }
    wait_for(&app, REVIEW_PASSED, "delivery of the reminders", |rows| {
        rows.iter().all(|m| m.status == outbox::SENT)
    })
    .await;
    app.finish().await;
}

both!(review_deadline_reminders);

async fn two_dispatchers_send_each_message_once(backend: Backend) {
    let smtp = free_port();
    let sink = SmtpSink::start(smtp).await;
    let tweak = |c: &mut archportal_api::config::Config| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 10;
        c.notifications.batch_size = 3;
        c.smtp_url = Some(format!("smtp://{smtp}"));
    };
    let a = TestApp::spawn_with(backend, tweak).await;
    let b = a.spawn_sharing(tweak).await;

    // 30 events to two recipients each, written in one transaction as the
    // workflow writes them, while both dispatchers poll.
    let recipients = [
        Recipient {
            email: "one@nitec.kz".into(),
            language: Lang::Kk,
        },
        Recipient {
            email: "two@nitec.kz".into(),
            language: Lang::Ru,
        },
    ];
    let now = a.state().clock.now();
    let db = &a.state().db;
    let txn = db.begin_write().await.unwrap();
    for i in 0..30 {
        let notice = Notice::SubmissionReceived {
            object: format!("ИС-{i:02}"),
            due: local_today(&a),
        };
        outbox::enqueue(&txn, &format!("fanout:{i}"), &notice, &recipients, now)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    // The test's own passes race the two background dispatchers too.
    let (ra, rb) = tokio::join!(
        archportal_api::mail::run_once(a.state()),
        archportal_api::mail::run_once(b.state())
    );
    ra.unwrap();
    rb.unwrap();
    wait_for(&a, "SUBMISSION_RECEIVED", "delivery", |rows| {
        rows.len() == 60 && rows.iter().all(|m| m.status == outbox::SENT)
    })
    .await;
    for _ in 0..3 {
        let (ra, rb) = tokio::join!(
            archportal_api::mail::run_once(a.state()),
            archportal_api::mail::run_once(b.state())
        );
        ra.unwrap();
        rb.unwrap();
    }

    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in sink.received() {
        let object = r
            .body()
            .split_whitespace()
            .find_map(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
                w.starts_with("ИС-").then(|| w.to_owned())
            })
            .unwrap_or_default();
        *seen.entry((r.to.join(","), object)).or_default() += 1;
    }
    assert_eq!(seen.len(), 60, "{seen:#?}");
    assert!(seen.values().all(|n| *n == 1), "sent twice: {seen:#?}");
    for m in messages(&a, "SUBMISSION_RECEIVED").await {
        assert_eq!(m.attempts, 1, "{m:#?}");
        let tries = outbox::attempts(db, m.id).await.unwrap();
        assert_eq!(tries.len(), 1);
        assert!(tries[0].1.is_none());
    }
    b.finish().await;
    a.finish().await;
    sink.stop();
}

both!(two_dispatchers_send_each_message_once);

const SET: &str = "mutation($i:CalendarEntryInput!){ setCalendarEntry(input:$i){ days { date } } }";
const REMOVE: &str = "mutation($d:Date!){ removeCalendarEntry(date:$d){ days { date } } }";

/// Polls `B` until `check` holds (bounded wait; no fixed sleep is the assertion).
async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn calendar_edit_reaches_other_processes(backend: Backend) {
    let tweak = |c: &mut archportal_api::config::Config| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 50;
        // The polling below is anonymous: keep it clear of the per-IP limit.
        c.limits.rate_per_minute = 100_000;
        c.limits.rate_burst = 10_000;
    };
    let a = TestApp::spawn_with(backend, tweak).await;
    let b = a.spawn_sharing(tweak).await;
    let admin = a.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;

    // A working Wednesday far from any holiday, as both processes see it now.
    let day: NaiveDate = "2026-06-17".parse().unwrap();
    let before = day.pred_opt().unwrap();
    assert!(is_working_day(&b, day).await);
    let next = add_working_days(&b, before, 1).await;
    assert_eq!(next, day);

    // The admin makes it a day off through A.
    let set = json!({"i": {"date": day.to_string(), "kind": "TRANSFERRED_DAY_OFF",
        "nameKk": "Демалыс күнін ауыстыру", "nameRu": "Перенос выходного дня",
        "basis": "Постановление Правительства РК (тест)"}});
    a.ok(Some(&admin), SET, set).await;
    assert!(!is_working_day(&a, day).await);
    eventually("B sees the day off", async || {
        !is_working_day(&b, day).await
    })
    .await;
    let after = add_working_days(&b, before, 1).await;
    assert_eq!(after, add_working_days(&a, before, 1).await);
    assert!(after > day);
    assert!(is_working_day(&b, after).await);

    // And back.
    a.ok(Some(&admin), REMOVE, json!({"d": day.to_string()}))
        .await;
    eventually("B sees the working day again", async || {
        is_working_day(&b, day).await
    })
    .await;
    assert_eq!(add_working_days(&b, before, 1).await, day);

    // B's deadline computations (an account request's due date) follow too:
    // a transferred day off inside the 2-day period moves its end.
    let today = local_today(&b);
    let old = add_working_days(&b, today, 2).await;
    let inside = add_working_days(&b, today, 1).await;
    a.ok(
        Some(&admin),
        SET,
        json!({"i": {"date": inside.to_string(), "kind": "TRANSFERRED_DAY_OFF",
        "nameKk": "Демалыс күнін ауыстыру", "nameRu": "Перенос выходного дня",
        "basis": "Постановление Правительства РК (тест)"}}),
    )
    .await;
    eventually("B's deadline uses the new calendar", async || {
        add_working_days(&b, today, 2).await != old
    })
    .await;
    let expected = add_working_days(&b, today, 2).await;
    assert_eq!(expected, add_working_days(&a, today, 2).await);
    assert!(expected > old);
    let r = b
        .ok(
            None,
            "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { dueAt } } }",
            json!({"i": {"bin": bin("24014000002"), "organizationNameKk": "Министрлік",
                "organizationNameRu": "Министерство", "organizationKind": "STATE_BODY",
                "fullName": "Айгерим Сапарова", "position": "Эксперт", "email": "a@mdai.gov.kz",
                "phone": "+7 (7172) 74-00-00", "basis": "Приказ № 1", "language": "RU"}}),
        )
        .await;
    let due: DateTime<Utc> = r["requestAccount"]["accountRequest"]["dueAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        due,
        format!("{expected}T19:00:00Z")
            .parse::<DateTime<Utc>>()
            .unwrap()
    );
    b.finish().await;
    a.finish().await;
}

both!(calendar_edit_reaches_other_processes);
