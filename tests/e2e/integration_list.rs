//! The integration-request list (issue 6): a connection with `totalCount`,
//! every filter, stable sorting on filing and due dates with keyset cursors,
//! visibility per role, and a statement count that does not grow with the
//! page size. Deadlines come from the calendar (`addWorkingDays`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::services::{REGISTER, service_input};
use crate::support::{Backend, TestApp, bin, code};

/// Monday 3 March 2025, 10:00 in Almaty.
const START: &str = "2025-03-03T05:00:00Z";

const LIST: &str = "query($f:IntegrationRequestFilter,$o:IntegrationRequestOrder,$n:Int,$a:String){ integrationRequests(filter:$f, orderBy:$o, first:$n, after:$a){ totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id state createdAt dueAt overdue } } } }";

const NESTED: &str = "query($n:Int){ integrationRequests(first:$n){ totalCount edges { node { id serviceId service { serviceId nameRu } steps { state party dueAt overdue } } } } }";

/// The end of the `n`th working day from the clock's day (Almaty), from the calendar.
pub async fn deadline(app: &TestApp, n: i32) -> DateTime<Utc> {
    let day = (app.state().clock.now() + Duration::hours(5)).date_naive();
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

async fn file(app: &TestApp, owner: &str, service: &str, object: &str) -> String {
    let d = app
        .ok(
            Some(owner),
            "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { id } } }",
            json!({"i": {"serviceId": service, "consumerObjectId": object, "basisLink": "https://adilet.zan.kz/rus/docs/V1600013335", "systemAddress": "10.0.0.7", "purpose": "Деректерді алу"}}),
        )
        .await;
    d["fileIntegrationRequest"]["integrationRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn list(app: &TestApp, token: &str, filter: Value, order: Value, n: i32) -> Value {
    app.ok(Some(token), LIST, json!({"f": filter, "o": order, "n": n}))
        .await["integrationRequests"]
        .clone()
}

fn ids(conn: &Value) -> Vec<String> {
    let mut v: Vec<String> = conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Pages through the whole list `first` at a time; returns the nodes in order.
async fn all_pages(app: &TestApp, token: &str, order: Value, first: i32) -> Vec<Value> {
    let mut out = vec![];
    let mut after: Option<String> = None;
    loop {
        let d = app
            .ok(
                Some(token),
                LIST,
                json!({"o": order, "n": first, "a": after}),
            )
            .await;
        let conn = &d["integrationRequests"];
        out.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return out;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

async fn filters_sorting_visibility(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.limits.rate_burst = 10_000;
        // The statement counter is process-wide: keep the background loops
        // quiet so that it counts only the query.
        c.notifications.poll_interval_ms = 3_600_000;
        c.search.poll_interval_ms = 3_600_000;
        c.documents.gc_interval_secs = 0;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org_s = app
        .create_org(
            &admin,
            &bin("24014000001"),
            "Министерство цифрового развития",
        )
        .await;
    let org_a = app
        .create_org(&admin, &bin("24014000004"), "Министерство юстиции")
        .await;
    let org_b = app
        .create_org(&admin, &bin("24024000007"), "Министерство финансов")
        .await;
    let org_c = app
        .create_org(&admin, &bin("24024000010"), "Акимат города")
        .await;
    let owner_s = app
        .create_user(&admin, "s@gov.kz", "OWNER", Some(&org_s))
        .await;
    let owner_a = app
        .create_user(&admin, "a@gov.kz", "OWNER", Some(&org_a))
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
    let analyst = app
        .create_user(&admin, "analyst@gov.kz", "ANALYST", None)
        .await;
    let provider_s = app.create_object(&owner_s, "ЭЦП").await;
    let provider_a = app.create_object(&owner_a, "ГБД ЮЛ").await;
    let consumer_a = app.create_object(&owner_a, "ИС Юстиция").await;
    let consumer_b = app.create_object(&owner_b, "ИС Салық").await;
    for (object, key) in [(&provider_s, "SVC_S"), (&provider_a, "SVC_A")] {
        app.ok(
            Some(&operator),
            REGISTER,
            json!({"i": {"objectId": object, "service": service_input(key, "тест")}}),
        )
        .await;
    }
    archportal_api::search::run_once(app.state()).await.unwrap();

    // Day 0: r1 (B for S's service).
    let r1 = file(&app, &owner_b, "SVC_S", &consumer_b).await;
    // Day 1: r2 (A for S's service), recommended: now with S's owner.
    app.state().clock.advance(Duration::days(1));
    let day1 = app.state().clock.now();
    let r2 = file(&app, &owner_a, "SVC_S", &consumer_a).await;
    app.ok(Some(&integrator), "mutation($i:RecommendIntegrationInput!){ recommendIntegration(input:$i){ integrationRequest { id } } }", json!({"i": {"id": r2, "positive": true, "recommendation": "ok"}})).await;
    // Day 2: r3 (B for A's service) and ten more of B for S's, one rejected.
    app.state().clock.advance(Duration::days(1));
    let day2 = app.state().clock.now();
    let r3 = file(&app, &owner_b, "SVC_A", &consumer_b).await;
    let mut extra = vec![];
    for _ in 0..10 {
        extra.push(file(&app, &owner_b, "SVC_S", &consumer_b).await);
        app.state().clock.advance(Duration::minutes(1));
    }
    let rejected = extra[4].clone();
    app.ok(Some(&integrator), "mutation($i:RecommendIntegrationInput!){ recommendIntegration(input:$i){ integrationRequest { id } } }", json!({"i": {"id": rejected, "positive": false, "recommendation": "есть похожий сервис"}})).await;
    let analysis_due = deadline(&app, 7).await;

    let everything = {
        let mut v = vec![r1.clone(), r2.clone(), r3.clone()];
        v.extend(extra.iter().cloned());
        sorted(v)
    };
    let mut of_b = vec![r1.clone(), r3.clone()];
    of_b.extend(extra.iter().cloned());
    let mut of_s = vec![r1.clone(), r2.clone()];
    of_s.extend(extra.iter().cloned());

    // Visibility: staff see all, an owner its consumer's and its services' requests.
    for staff in [&analyst, &integrator, &operator, &admin] {
        let all = list(&app, staff, json!({}), json!({}), 50).await;
        assert_eq!(all["totalCount"], 13);
        assert_eq!(ids(&all), everything);
    }
    let seen = |conn: &Value| (conn["totalCount"].as_u64().unwrap(), ids(conn));
    assert_eq!(
        seen(&list(&app, &owner_a, json!({}), json!({}), 50).await),
        (2, sorted(vec![r2.clone(), r3.clone()]))
    );
    assert_eq!(
        seen(&list(&app, &owner_b, json!({}), json!({}), 50).await),
        (12, sorted(of_b.clone()))
    );
    assert_eq!(
        seen(&list(&app, &owner_s, json!({}), json!({}), 50).await),
        (12, sorted(of_s.clone()))
    );
    assert_eq!(
        seen(&list(&app, &owner_c, json!({}), json!({}), 50).await),
        (0, vec![])
    );
    // A filter cannot widen what an owner sees.
    assert_eq!(
        seen(
            &list(
                &app,
                &owner_c,
                json!({"serviceOrganizationId": org_s}),
                json!({}),
                50
            )
            .await
        ),
        (0, vec![])
    );
    let anon = app.gql(None, LIST, json!({})).await;
    assert_eq!(code(&anon), "UNAUTHENTICATED");

    // Filters.
    let f = async |filter: Value| seen(&list(&app, &analyst, filter, json!({}), 50).await);
    assert_eq!(
        f(json!({"states": ["OWNER_AGREEMENT"]})).await,
        (1, vec![r2.clone()])
    );
    assert_eq!(
        f(json!({"awaiting": ["SERVICE_OWNER"]})).await,
        (1, vec![r2.clone()])
    );
    assert_eq!(
        f(json!({"states": ["REJECTED"]})).await,
        (1, vec![rejected.clone()])
    );
    assert_eq!(f(json!({"awaiting": ["INTEGRATOR"]})).await.0, 11);
    assert_eq!(
        f(json!({"awaiting": ["OPERATOR"], "states": ["ANALYSIS"]})).await,
        (0, vec![])
    );
    assert_eq!(
        f(json!({"serviceId": "SVC_A"})).await,
        (1, vec![r3.clone()])
    );
    assert_eq!(
        f(json!({"consumerOrganizationId": org_a})).await,
        (1, vec![r2.clone()])
    );
    assert_eq!(
        f(json!({"serviceOrganizationId": org_a})).await,
        (1, vec![r3.clone()])
    );
    assert_eq!(f(json!({"serviceOrganizationId": org_s})).await.0, 12);
    assert_eq!(
        f(json!({"filedFrom": day1, "filedTo": day2})).await,
        (1, vec![r2.clone()])
    );
    assert_eq!(f(json!({"filedTo": day1})).await, (1, vec![r1.clone()]));
    // Case-insensitive Cyrillic: A's name is the consumer of r2 and the owner of r3.
    assert_eq!(
        f(json!({"text": "юстиЦИИ"})).await,
        (2, sorted(vec![r2.clone(), r3.clone()]))
    );
    assert_eq!(f(json!({"text": "svc_a"})).await, (1, vec![r3.clone()]));
    assert_eq!(f(json!({"text": "100%_"})).await, (0, vec![]));
    let long = app
        .gql(
            Some(&analyst),
            LIST,
            json!({"f": {"text": "я".repeat(10_000)}}),
        )
        .await;
    assert_eq!(code(&long), "INVALID_INPUT");
    assert_eq!(long["errors"][0]["extensions"]["field"], "filter.text");
    // Nothing is overdue yet.
    assert_eq!(f(json!({"overdue": true})).await, (0, vec![]));

    // Past the analysis deadline (7 working days from day 2, from the
    // calendar): every request still in analysis is overdue, r2 (10 working
    // days from day 1) and the rejected one are not.
    app.state().clock.set(analysis_due + Duration::hours(1));
    let (n, late) = f(json!({"overdue": true})).await;
    assert_eq!(n, 11);
    assert!(!late.contains(&r2) && !late.contains(&rejected));
    assert_eq!(
        f(json!({"overdue": false})).await,
        (2, sorted(vec![r2.clone(), rejected.clone()]))
    );
    let b_late = list(&app, &owner_b, json!({"overdue": true}), json!({}), 50).await;
    assert_eq!(b_late["totalCount"], 11);
    assert!(
        b_late["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["overdue"] == true)
    );

    // Sorting: paging 4 at a time through each order gives every request once, in order.
    for (order, key) in [
        (
            json!({"field": "FILED_AT", "direction": "ASC"}),
            "createdAt",
        ),
        (
            json!({"field": "FILED_AT", "direction": "DESC"}),
            "createdAt",
        ),
        (json!({"field": "DUE_AT", "direction": "ASC"}), "dueAt"),
        (json!({"field": "DUE_AT", "direction": "DESC"}), "dueAt"),
    ] {
        let nodes = all_pages(&app, &analyst, order.clone(), 4).await;
        let got = sorted(
            nodes
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned())
                .collect(),
        );
        assert_eq!(got, everything, "{order}");
        let keys: Vec<Option<DateTime<Utc>>> = nodes
            .iter()
            .map(|n| n[key].as_str().map(|s| s.parse().unwrap()))
            .collect();
        let desc = order["direction"] == "DESC";
        for w in keys.windows(2) {
            // No due date sorts last ascending, first descending.
            let rank = |k: &Option<DateTime<Utc>>| k.unwrap_or(DateTime::<Utc>::MAX_UTC);
            if desc {
                assert!(rank(&w[0]) >= rank(&w[1]), "{order}: {keys:?}");
            } else {
                assert!(rank(&w[0]) <= rank(&w[1]), "{order}: {keys:?}");
            }
        }
        if key == "dueAt" {
            let none_at = if desc { 0 } else { nodes.len() - 1 };
            assert_eq!(nodes[none_at]["id"], json!(rejected), "{order}");
        }
        if key == "createdAt" && !desc {
            assert_eq!(nodes[0]["id"], json!(r1));
        }
    }
    // A cursor of one order is refused by another.
    let page = list(&app, &analyst, json!({}), json!({"field": "FILED_AT"}), 2).await;
    let cursor = page["pageInfo"]["endCursor"].clone();
    let wrong = app
        .gql(
            Some(&analyst),
            LIST,
            json!({"o": {"field": "DUE_AT"}, "n": 2, "a": cursor}),
        )
        .await;
    assert_eq!(code(&wrong), "INVALID_INPUT");
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "after");
    let forged = app
        .gql(
            Some(&analyst),
            LIST,
            json!({"n": 2, "a": "bm90IGEgY3Vyc29y"}),
        )
        .await;
    assert_eq!(code(&forged), "INVALID_INPUT");

    // No N+1: the nested page (service and history per request) costs the
    // same statements for 2 and 12 requests, whatever the timing.
    let mut counts = vec![];
    for n in [2, 12, 2, 12, 2, 12] {
        let before = app.db_statements();
        let data = app.ok(Some(&analyst), NESTED, json!({"n": n})).await;
        counts.push(app.db_statements() - before);
        let edges = data["integrationRequests"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), usize::try_from(n).unwrap());
        assert!(edges.iter().all(
            |e| e["node"]["service"]["serviceId"] == e["node"]["serviceId"]
                && !e["node"]["steps"].as_array().unwrap().is_empty()
        ));
    }
    assert!(
        counts.iter().all(|c| *c == counts[0]),
        "statements for 2/12 requests: {counts:?}"
    );
    assert!(
        counts[0] <= 8,
        "a nested page costs {} statements",
        counts[0]
    );
    println!("nested integration-request page of 2 and 12: {counts:?} SQL statements");

    // Exports: the same filters and visibility, CSV and XLSX.
    let get = async |token: Option<&str>, path: &str| {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    };
    let csv_rows = |text: &str| -> Vec<String> {
        text.trim_start_matches('\u{feff}')
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let resp = get(Some(&owner_a), "/api/export/integration-requests.csv").await;
    assert_eq!(resp.status(), 200);
    let rows = csv_rows(&resp.text().await.unwrap());
    assert!(rows[0].starts_with("id,serviceId,state,awaiting,dueAt,overdue,"));
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&format!("{r2},SVC_S,OWNER_AGREEMENT,SERVICE_OWNER,")))
    );
    assert!(rows.iter().any(
        |r| r.starts_with(&format!("{r3},SVC_A,ANALYSIS,INTEGRATOR,")) && r.contains(",true,")
    ));
    let resp = get(
        Some(&analyst),
        "/api/export/integration-requests.csv?awaiting=INTEGRATOR&overdue=true&text=%D0%A4%D0%98%D0%9D%D0%90%D0%9D%D0%A1",
    )
    .await;
    let rows = csv_rows(&resp.text().await.unwrap());
    assert_eq!(rows.len(), 12, "header and the 11 overdue of B (финансов)");
    let resp = get(Some(&owner_c), "/api/export/integration-requests.csv").await;
    assert_eq!(
        csv_rows(&resp.text().await.unwrap()).len(),
        1,
        "C sees none"
    );
    let resp = get(
        Some(&analyst),
        &format!("/api/export/integration-requests.xlsx?serviceOrganizationId={org_a}"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert_eq!(sheet.matches("<row>").count(), 2, "header and r3");
    assert!(sheet.contains(&r3) && sheet.contains("Министерство юстиции"));
    let resp = get(
        Some(&analyst),
        "/api/export/integration-requests.csv?states=NOPE",
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "INVALID_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "states");
    assert_eq!(
        get(None, "/api/export/integration-requests.xlsx")
            .await
            .status(),
        401
    );
    app.finish().await;
}

both!(filters_sorting_visibility);

/// The reminder rows of integration requests in the outbox: (key prefix, event, recipient).
async fn ir_reminders(app: &TestApp) -> Vec<(String, String, String)> {
    archportal_api::mail::run_once(app.state()).await.unwrap();
    let mut v: Vec<(String, String, String)> =
        archportal_storage::outbox::all(&app.state().db, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.idempotency_key.starts_with("ir-"))
            .map(|m| {
                assert!(m.body.contains("SVC_S — ИС Салық"), "{}", m.body);
                let kind = m.idempotency_key.split(':').next().unwrap().to_owned();
                (kind, m.event, m.recipient)
            })
            .collect();
    v.sort();
    v
}

/// Reminders to the actor of the current step: one "deadline in 1 working
/// day" and one "deadline passed" per step, from the periodic scan, with the
/// days from the calendar.
async fn reminders_to_the_current_actor(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.clock.fixed_now = Some(START.parse().unwrap());
        c.notifications.poll_interval_ms = 3_600_000;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org_s = app
        .create_org(
            &admin,
            &bin("24014000001"),
            "Министерство цифрового развития",
        )
        .await;
    let org_b = app
        .create_org(&admin, &bin("24024000007"), "Министерство финансов")
        .await;
    let owner_s = app
        .create_user(&admin, "s@gov.kz", "OWNER", Some(&org_s))
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
    let provider = app.create_object(&owner_s, "ЭЦП").await;
    let consumer = app.create_object(&owner_b, "ИС Салық").await;
    app.ok(
        Some(&operator),
        REGISTER,
        json!({"i": {"objectId": provider, "service": service_input("SVC_S", "тест")}}),
    )
    .await;
    archportal_api::search::run_once(app.state()).await.unwrap();
    let r = file(&app, &owner_b, "SVC_S", &consumer).await;
    let analysis_due = deadline(&app, 7).await;
    // 10:00 in Almaty on the 6th working day: the last day is the next one.
    let day_before = deadline(&app, 6).await - Duration::hours(14);
    assert!(ir_reminders(&app).await.is_empty(), "7 working days ahead");

    let soon = (
        "ir-soon".to_owned(),
        "DEADLINE_SOON".to_owned(),
        "integrator@gov.kz".to_owned(),
    );
    app.state().clock.set(day_before);
    assert_eq!(ir_reminders(&app).await, vec![soon.clone()]);
    // Idempotent: the scan runs again and again.
    assert_eq!(ir_reminders(&app).await, vec![soon.clone()]);

    let passed = (
        "ir-passed".to_owned(),
        "DEADLINE_PASSED".to_owned(),
        "integrator@gov.kz".to_owned(),
    );
    app.state().clock.set(analysis_due + Duration::hours(1));
    assert_eq!(ir_reminders(&app).await, vec![passed.clone(), soon.clone()]);
    assert_eq!(ir_reminders(&app).await, vec![passed.clone(), soon.clone()]);

    // The next step waits for the service owner: its reminder goes to S's
    // owner, never to the consumer (the clock jumps past the due time, so
    // only "passed" is written for it).
    app.ok(Some(&integrator), "mutation($i:RecommendIntegrationInput!){ recommendIntegration(input:$i){ integrationRequest { id } } }", json!({"i": {"id": r, "positive": true, "recommendation": "ok"}})).await;
    let agreement_due = deadline(&app, 10).await;
    app.state().clock.set(agreement_due + Duration::minutes(1));
    let owner_passed = (
        "ir-passed".to_owned(),
        "DEADLINE_PASSED".to_owned(),
        "s@gov.kz".to_owned(),
    );
    let got = ir_reminders(&app).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.contains(&owner_passed), "{got:?}");
    assert!(got.iter().all(|(_, _, to)| to != "b@gov.kz"), "{got:?}");
    // The request is overdue and in the list's overdue filter.
    let list = app
        .ok(Some(&owner_s), LIST, json!({"f": {"overdue": true}}))
        .await;
    assert_eq!(list["integrationRequests"]["totalCount"], 1);
    app.finish().await;
}

both!(reminders_to_the_current_actor);
