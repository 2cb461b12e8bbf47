//! The working-day calendar through GraphQL: the public queries against
//! days off the 2026 seed documents (domain::calendar::kz), and the admin's
//! changes, which take effect at once, are audited, and are refused to
//! everyone else with nothing changed.

use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestApp, bin, code};

async fn is_working_day(app: &TestApp, date: &str) -> bool {
    app.ok(
        None,
        "query($d:Date!){ isWorkingDay(date:$d) }",
        json!({"d": date}),
    )
    .await["isWorkingDay"]
        .as_bool()
        .unwrap()
}

async fn add_working_days(app: &TestApp, from: &str, days: i32) -> String {
    app.ok(
        None,
        "query($f:Date!,$n:Int!){ addWorkingDays(from:$f, days:$n) }",
        json!({"f": from, "n": days}),
    )
    .await["addWorkingDays"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The 2026 rows of the seed, and what follows from them.
async fn seeded_2026_days(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Wednesday 7 January: Orthodox Christmas, a religious day off (no substitute).
    assert!(!is_working_day(&app, "2026-01-07").await);
    assert_eq!(add_working_days(&app, "2026-01-06", 1).await, "2026-01-08");
    // Sunday 8 March, International Women's Day: the day off moves to Monday 9 March.
    assert!(!is_working_day(&app, "2026-03-09").await);
    assert_eq!(add_working_days(&app, "2026-03-06", 1).await, "2026-03-10");
    // Wednesday 27 May: the first day of Kurban Ait.
    assert!(!is_working_day(&app, "2026-05-27").await);
    assert_eq!(add_working_days(&app, "2026-05-26", 1).await, "2026-05-28");
    // 30 August 2026 is no longer a holiday: Monday 31 August is a working day.
    assert!(is_working_day(&app, "2026-08-31").await);
    assert_eq!(add_working_days(&app, "2026-08-28", 1).await, "2026-08-31");
    // Wednesday 16 December, Independence Day.
    assert!(!is_working_day(&app, "2026-12-16").await);
    assert_eq!(add_working_days(&app, "2026-12-15", 1).await, "2026-12-17");
    // An ordinary Tuesday; zero days is the day itself; no counting backwards.
    assert!(is_working_day(&app, "2026-05-26").await);
    assert_eq!(add_working_days(&app, "2026-05-26", 0).await, "2026-05-26");
    let body = app
        .gql(
            None,
            "{ addWorkingDays(from: \"2026-05-28\", days: -1) }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    let days = app
        .ok(None, "{ calendar(year: 2026) { date } }", json!({}))
        .await;
    let dates: Vec<&str> = days["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert!(dates.contains(&"2026-05-27"), "{dates:?}");
    assert!(!dates.contains(&"2026-08-30"), "{dates:?}");
    app.finish().await;
}

const SET: &str = "mutation($i:CalendarEntryInput!){ setCalendarEntry(input:$i){ days { date } } }";
const REMOVE: &str = "mutation($d:Date!){ removeCalendarEntry(date:$d){ days { date } } }";

fn transfer(date: &str) -> Value {
    json!({"i": {"date": date, "kind": "TRANSFERRED_DAY_OFF", "nameKk": "Демалыс күнін ауыстыру",
        "nameRu": "Перенос выходного дня", "basis": "Постановление Правительства РК (тест)"}})
}

fn dates(payload: &Value) -> Vec<String> {
    payload["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap().to_owned())
        .collect()
}

/// The admin moves a day off onto Monday 31 August 2026 and back.
async fn admin_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app.create_org(&admin, &bin("24014000001"), "Акимат").await;
    let others = [
        app.create_user(&admin, "o@gov.kz", "OWNER", Some(&org))
            .await,
        app.create_user(&admin, "i@gov.kz", "INTEGRATOR", None)
            .await,
        app.create_user(&admin, "p@gov.kz", "OPERATOR", None).await,
        app.create_user(&admin, "a@gov.kz", "ANALYST", None).await,
    ];
    let before = add_working_days(&app, "2026-08-28", 1).await;
    assert_eq!(before, "2026-08-31");

    // Refused to everyone else, nothing changed.
    let body = app.gql(None, SET, transfer("2026-08-31")).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    for token in &others {
        assert_eq!(
            code(&app.gql(Some(token), SET, transfer("2026-08-31")).await),
            "FORBIDDEN"
        );
        assert_eq!(
            code(
                &app.gql(Some(token), REMOVE, json!({"d": "2026-05-27"}))
                    .await
            ),
            "FORBIDDEN"
        );
    }
    assert!(is_working_day(&app, "2026-08-31").await);
    assert!(!is_working_day(&app, "2026-05-27").await);

    // An inconsistent entry (a transfer onto a Sunday) is refused.
    let body = app.gql(Some(&admin), SET, transfer("2026-08-30")).await;
    assert_eq!(code(&body), "INVALID_INPUT", "{body:#}");
    assert!(is_working_day(&app, "2026-08-31").await);

    // The admin's change takes effect at once for every deadline.
    let set = app.ok(Some(&admin), SET, transfer("2026-08-31")).await;
    assert!(dates(&set["setCalendarEntry"]).contains(&"2026-08-31".to_owned()));
    assert!(!is_working_day(&app, "2026-08-31").await);
    assert_eq!(add_working_days(&app, "2026-08-28", 1).await, "2026-09-01");

    let removed = app
        .ok(Some(&admin), REMOVE, json!({"d": "2026-08-31"}))
        .await;
    assert!(!dates(&removed["removeCalendarEntry"]).contains(&"2026-08-31".to_owned()));
    assert!(is_working_day(&app, "2026-08-31").await);
    assert_eq!(add_working_days(&app, "2026-08-28", 1).await, before);

    // Both changes are in the audit log, by the admin.
    let rows = archportal_storage::audit::recent(&app.state().db, 200)
        .await
        .unwrap();
    let actions: Vec<&str> = rows
        .iter()
        .filter(|r| r.action.starts_with("calendar.") && r.action != "calendar.seed")
        .map(|r| r.action.as_str())
        .collect();
    assert_eq!(actions, ["calendar.remove", "calendar.set"], "{rows:#?}");
    app.finish().await;
}

both!(seeded_2026_days, admin_changes);
