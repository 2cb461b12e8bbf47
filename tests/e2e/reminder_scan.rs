//! The deadline reminder scan costs what is new, not what exists: after a
//! pass has written the reminders of many overdue reviews and update
//! duties, the next pass runs the same few statements whether there are 50
//! or 300 of them (counted with the server's statement counter), writes
//! nothing, and opens no write transaction. Rows reminded before the marks
//! existed are planned once more without a second mail; a new update duty
//! with a new due time is reminded again. On both databases.

use archportal_storage::audit::Op;
use archportal_storage::outbox;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::both;
use crate::support::{Backend, TestApp, bin};

/// Friday 7 March 2025, 10:00 in Almaty.
const START: &str = "2025-03-07T05:00:00Z";

async fn exec(app: &TestApp, sql: &str, values: Vec<Value>) {
    let db = app.state().db.conn();
    let backend = db.get_database_backend();
    // Positional parameters: `$n` on PostgreSQL, `?` on SQLite.
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::new();
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
}

/// `n` objects of the owner's organization (copies of one made through the
/// API) whose update period ended three days ago, each also with an open
/// review whose 5 working days ended then, nobody having taken it.
async fn seed(app: &TestApp, n: usize, now: DateTime<Utc>) -> Vec<Uuid> {
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    app.create_user(&admin, "i@nitec.kz", "INTEGRATOR", None)
        .await;
    let org = app.create_org(&admin, &bin("24014000004"), "Акимат").await;
    let owner = app
        .create_user(&admin, "o@akimat.kz", "OWNER", Some(&org))
        .await;
    let template: Uuid = app.create_object(&owner, "ҮЛГІ").await.parse().unwrap();
    let due = now - Duration::days(3);
    let mut ids = vec![];
    for i in 0..n {
        let id = Uuid::now_v7();
        exec(
            app,
            "INSERT INTO informatization_objects (id, organization_id, kind, name_kk, name_ru, \
             short_name, purpose, stage, stage_started_on, registration_status, accounting_code, \
             contains_personal_data, exclusion, version, archived_at, created_by, created_at, \
             updated_at, update_due_at, update_remarks, registered_data, registered_at, search_text) \
             SELECT ?, organization_id, kind, name_kk, name_ru, ?, purpose, stage, \
             stage_started_on, registration_status, accounting_code, contains_personal_data, \
             exclusion, version, archived_at, created_by, created_at, updated_at, ?, \
             update_remarks, registered_data, registered_at, search_text \
             FROM informatization_objects WHERE id = ?",
            vec![
                id.into(),
                format!("ЕСК-{i:03}").into(),
                due.into(),
                template.into(),
            ],
        )
        .await;
        exec(
            app,
            "INSERT INTO reviews (id, object_id, kind, object_version, submitted_at, submitted_by, \
             due_at) SELECT ?, id, 'INITIAL', version, ?, created_by, ? \
             FROM informatization_objects WHERE id = ?",
            vec![
                Uuid::now_v7().into(),
                (due - Duration::days(7)).into(),
                due.into(),
                id.into(),
            ],
        )
        .await;
        ids.push(id);
    }
    ids
}

/// One scan at the app's clock: (pairs written, statements run).
async fn scan(app: &TestApp) -> (usize, u64) {
    let state = app.state();
    let op = Op::new(None, "reminder-scan-test", state.clock.now());
    let before = app.db_statements();
    let written = archportal_storage::review::scan_deadlines(&state.db, &op, &state.calendar())
        .await
        .unwrap();
    (written, app.db_statements() - before)
}

async fn outbox_len(app: &TestApp) -> usize {
    outbox::all(&app.state().db, 100_000).await.unwrap().len()
}

/// Seeds `n` overdue objects and reviews and checks the passes; returns the
/// statements of the first and of the repeated pass.
async fn passes(backend: Backend, n: usize) -> (u64, u64) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        // The test runs the scan itself; the background dispatchers' first
        // passes run at start, before the seed, and then they sleep (the
        // statement counter is process-wide).
        c.notifications.poll_interval_ms = 3_600_000;
        c.search.poll_interval_ms = 3_600_000;
        c.documents.gc_interval_secs = 0;
    })
    .await;
    let now = app.state().clock.now();
    let ids = seed(&app, n, now).await;
    let before = outbox_len(&app).await;

    // Each review to the one integrator, each update to the one owner.
    let (written, first) = scan(&app).await;
    assert_eq!(written, 2 * n);
    let after = outbox_len(&app).await;
    assert_eq!(after - before, 2 * n);

    // Nothing new: nothing written, and a constant number of reads.
    let (written, repeated) = scan(&app).await;
    assert_eq!(written, 0);
    assert_eq!(outbox_len(&app).await, after);
    let (_, again) = scan(&app).await;
    assert_eq!(again, repeated);

    // Rows reminded before the marks existed: planned once more, no second
    // mail, then quiet again.
    exec(&app, "UPDATE reviews SET passed_reminded_at = NULL", vec![]).await;
    exec(
        &app,
        "UPDATE informatization_objects SET update_passed_reminded_for = NULL",
        vec![],
    )
    .await;
    let (written, _) = scan(&app).await;
    assert_eq!(written, 2 * n);
    assert_eq!(outbox_len(&app).await, after);
    assert_eq!(scan(&app).await, (0, repeated));

    // A new update duty (a new due time) is reminded again, once.
    exec(
        &app,
        "UPDATE informatization_objects SET update_due_at = ? WHERE id = ?",
        vec![(now - Duration::days(1)).into(), ids[0].into()],
    )
    .await;
    let (written, _) = scan(&app).await;
    assert_eq!(written, 1);
    assert_eq!(outbox_len(&app).await, after + 1);
    assert_eq!(scan(&app).await, (0, repeated));

    // Friday 7 March 2025: Monday 10 March is the day off for Saturday
    // 8 March, so a period ending on Tuesday 11 March has one working day
    // left (reminded), one ending on Wednesday 12 March two (not yet).
    exec(
        &app,
        "UPDATE informatization_objects SET update_due_at = ? WHERE id = ?",
        vec![
            "2025-03-11T19:00:00Z"
                .parse::<DateTime<Utc>>()
                .unwrap()
                .into(),
            ids[1].into(),
        ],
    )
    .await;
    exec(
        &app,
        "UPDATE informatization_objects SET update_due_at = ? WHERE id = ?",
        vec![
            "2025-03-12T19:00:00Z"
                .parse::<DateTime<Utc>>()
                .unwrap()
                .into(),
            ids[2].into(),
        ],
    )
    .await;
    let (written, _) = scan(&app).await;
    assert_eq!(written, 1);
    let soon: Vec<_> = outbox::all(&app.state().db, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.event == "DEADLINE_SOON")
        .map(|m| m.idempotency_key)
        .collect();
    assert_eq!(soon.len(), 1);
    assert!(
        soon[0].starts_with(&format!("update-soon:{}:", ids[1])),
        "{soon:?}"
    );
    assert_eq!(scan(&app).await, (0, repeated));

    app.finish().await;
    (first, repeated)
}

async fn repeated_scan_cost_is_constant(backend: Backend) {
    let (first_50, repeated_50) = passes(backend, 50).await;
    let (first_300, repeated_300) = passes(backend, 300).await;
    eprintln!(
        "{backend:?}: first pass {first_50} statements at 50 items, {first_300} at 300; \
         repeated pass {repeated_50} at 50, {repeated_300} at 300"
    );
    assert_eq!(repeated_50, repeated_300);
    // The three candidate queries (reviews, update duties, steps).
    assert!(repeated_300 <= 3, "{repeated_300}");
}

both!(repeated_scan_cost_is_constant);
