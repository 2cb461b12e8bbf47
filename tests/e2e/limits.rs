//! Limits: rate, time, depth, complexity, fragment expansion,
//! introspection; and the statement count of a nested list, which must not
//! grow with the page size (no N+1).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestApp, bin, code};

async fn rate_limit_per_caller(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.limits.rate_per_minute = 6;
        c.limits.rate_burst = 3;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await; // one anonymous request (login)
    let q = "{ organizations { totalCount } }";
    for _ in 0..3 {
        app.ok(Some(&admin), q, json!({})).await;
    }
    let resp = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&admin)
        .json(&json!({"query": q}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=10).contains(&wait),
        "retry after {wait} s at 6 per minute"
    );
    assert_eq!(code(&resp.json().await.unwrap()), "RATE_LIMITED");
    // Another caller (anonymous, by IP) has its own budget: 2 of 3 left after the login.
    for _ in 0..2 {
        app.ok(None, "{ vocabulary(name: ROLE) { code } }", json!({}))
            .await;
    }
    assert_eq!(
        code(
            &app.gql(None, "{ vocabulary(name: ROLE) { code } }", json!({}))
                .await
        ),
        "RATE_LIMITED"
    );
    // The public search shares the anonymous caller's per-IP budget.
    assert_eq!(
        code(
            &app.gql(
                None,
                "{ search(query: \"тест\") { totalCount } }",
                json!({})
            )
            .await
        ),
        "RATE_LIMITED"
    );
    app.finish().await;
}

async fn request_timeout(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.limits.request_timeout_ms = 1).await;
    archportal_api::cli::admin_create(
        app.config.clone(),
        "admin@gov.kz",
        "ADMIN",
        None,
        None,
        "ru",
        crate::support::PASSWORD.into(),
    )
    .await
    .unwrap();
    // Verifying an argon2id hash takes well over a millisecond.
    let resp = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({"query": "mutation($p:String!){ login(input:{email:\"admin@gov.kz\",password:$p}){ accessToken } }", "variables": {"p": crate::support::PASSWORD}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(code(&resp.json().await.unwrap()), "TIMEOUT");
    app.finish().await;
}

async fn depth_complexity_and_introspection(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.limits.query_complexity = 40;
        c.graphql.introspection = false;
        c.graphql.graphiql = false;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let deep = "{ informatizationObjects { edges { node { relations { target { relations { target { relations { target { relations { target { relations { target { id } } } } } } } } } } } } } }";
    assert_eq!(
        code(&app.gql(Some(&admin), deep, json!({})).await),
        "QUERY_LIMIT"
    );
    let wide: String = (0..50)
        .map(|i| format!("v{i}: vocabulary(name: ROLE) {{ code }} "))
        .collect();
    assert_eq!(
        code(
            &app.gql(Some(&admin), &format!("{{ {wide} }}"), json!({}))
                .await
        ),
        "QUERY_LIMIT"
    );
    let body = app
        .gql(Some(&admin), "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(
        body["data"]["__schema"].is_null(),
        "introspection is off, so no schema is answered: {body}"
    );
    assert_eq!(
        app.client
            .get(format!("{}/graphql", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.finish().await;
}

/// `n` fragment definitions, each spreading the one before twice.
fn fragments(n: usize) -> String {
    let mut q = String::from("fragment F0 on Query { __typename me { id } } ");
    for i in 1..n {
        q.push_str(&format!(
            "fragment F{i} on Query {{ ...F{p} ...F{p} }} ",
            p = i - 1
        ));
    }
    q
}

/// [`fragments`] and `{ ...F(n-1) }`: `n` = 30 is the fuzzer's hang
/// (tests/e2e/fuzz-regressions/graphql_request/fragment-fanout-29.json).
fn fan_out(n: usize) -> String {
    format!("{}{{ ...F{} }}", fragments(n), n - 1)
}

/// Posts `body` as is and answers (status, JSON, seconds taken); fails the
/// test when no answer comes within 20 s (the hang took minutes).
async fn post_raw(app: &TestApp, token: Option<&str>, body: String) -> (u16, Value, f64) {
    let started = std::time::Instant::now();
    let mut req = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .header("accept-language", "en")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = tokio::time::timeout(std::time::Duration::from_secs(20), req.send())
        .await
        .expect("an answer within 20 s")
        .unwrap();
    let status = resp.status().as_u16();
    let json: Value = resp.json().await.unwrap();
    (status, json, started.elapsed().as_secs_f64())
}

async fn fragment_fan_out_is_refused_before_validation(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.limits.query_selections = 1_000).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;

    // The fuzzer's input, byte for byte, anonymously and signed in.
    let hang = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("e2e/fuzz-regressions/graphql_request/fragment-fanout-29.json"),
    )
    .unwrap();
    for token in [None, Some(admin.as_str())] {
        let (status, body, secs) = post_raw(&app, token, hang.clone()).await;
        println!("fragment-fanout-29: {status} in {secs:.3} s");
        assert_eq!(status, 400, "{body}");
        assert_eq!(code(&body), "QUERY_LIMIT");
        let error = &body["errors"][0];
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("the query is too large once its fragments are expanded"),
            "{body}"
        );
        for lang in ["kk", "ru", "en"] {
            assert!(
                error["extensions"]["messages"][lang]
                    .as_str()
                    .is_some_and(|m| m.ends_with("> 1000")),
                "{lang}: {body}"
            );
        }
        assert!(secs < 5.0, "refused after {secs} s");
    }

    // The limit is the configured one: 7 levels expand to 940 selections
    // and run; 8 levels to 1898 and are refused.
    let (status, body, secs) = post_raw(
        &app,
        Some(&admin),
        json!({ "query": fan_out(7) }).to_string(),
    )
    .await;
    println!("fan-out of 7 (940 selections): {status} in {secs:.3} s");
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__typename"], "Query");
    assert!(body["data"]["me"]["id"].is_string(), "{body}");
    let (status, body, _) = post_raw(
        &app,
        Some(&admin),
        json!({ "query": fan_out(8) }).to_string(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "QUERY_LIMIT"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("1898 > 1000"),
        "{body}"
    );

    // Every operation of a document counts, not only the one requested:
    // async-graphql walks them all.
    let two = format!(
        "query Small {{ __typename }} query Big {{ ...F29 }} {}",
        fragments(30)
    );
    let (status, body, _) = post_raw(
        &app,
        Some(&admin),
        json!({ "query": two, "operationName": "Small" }).to_string(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "QUERY_LIMIT"), "{body}");

    // So do fragments no operation spreads.
    let unused = format!("{}{{ __typename }}", fragments(30));
    let (status, body, _) = post_raw(&app, None, json!({ "query": unused }).to_string()).await;
    assert_eq!((status, code(&body)), (400, "QUERY_LIMIT"), "{body}");

    // A fragment that spreads itself is refused as such (unchecked, the
    // recursion-depth walk alone would be 2^33 visits).
    let (status, body, secs) = post_raw(
        &app,
        None,
        json!({ "query": "fragment F on Query { __typename ...F ...F } { ...F }" }).to_string(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "INVALID_REQUEST"), "{body}");
    assert_eq!(body["errors"][0]["message"], "a fragment spreads itself: F");
    assert!(secs < 5.0, "refused after {secs} s");

    // The endpoint takes no batches: an array of requests is refused whole
    // before any of them is parsed.
    let batch = format!("[{hang}, {hang}]");
    let (status, body, _) = post_raw(&app, None, batch).await;
    assert_eq!((status, code(&body)), (400, "INVALID_REQUEST"), "{body}");

    // The server still answers.
    let data = app.ok(Some(&admin), "{ me { email } }", json!({})).await;
    assert_eq!(data["me"]["email"], "admin@gov.kz");
    app.finish().await;
}

const NESTED: &str = "query($n:Int!){ informatizationObjects(first: $n) { totalCount edges { node {
    id shortName organization { nameRu bin } createdBy { fullName } lifeCycle { stage startedOn }
    relations { kind target { shortName organization { nameKk } } }
    documents { kind version pdf { sha256 size fileName } docx { sha256 } pdfaReport { conforms } }
    services { serviceId status }
} } } }";

async fn nested_list_has_no_n_plus_one(backend: Backend) {
    // The statement counter is process-wide: keep the background loops (mail
    // and index dispatchers, blob collector) quiet so that it counts only the query.
    let app = TestApp::spawn_with(backend, |c| {
        c.notifications.poll_interval_ms = 3_600_000;
        c.search.poll_interval_ms = 3_600_000;
        c.documents.gc_interval_secs = 0;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let (_, owners) = app.orgs_with_owners(&admin, 3).await;
    let operator = app
        .create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;
    let mut previous: Option<String> = None;
    for i in 0..25 {
        let owner = &owners[i % owners.len()];
        let id = app.create_object(owner, &format!("ИС-{i}")).await;
        if let Some(prev) = &previous {
            let _ = app
                .gql(Some(owner), "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { id } } }", json!({"i": {"id": id, "relations": [{"kind": "USES", "targetId": prev}]}}))
                .await;
        }
        // Every fourth object has a document pair and a gateway service.
        if i.is_multiple_of(4) {
            let kind = archportal_domain::document::DocumentKind::ALL[0];
            let (status, body) = app.upload_pair(owner, &id, kind).await;
            assert_eq!(status, 201, "{body}");
            app.ok(
                Some(&operator),
                crate::services::REGISTER,
                json!({"i": {"objectId": id, "service": crate::services::service_input(&format!("NPLUS_{i}"), "ИС")}}),
            )
            .await;
        }
        previous = Some(id);
    }
    let analyst = app
        .create_user(&admin, "analyst@gov.kz", "ANALYST", None)
        .await;
    // Each size three times: the count must not depend on the page size, nor on timing.
    let mut counts = vec![];
    for n in [5, 25, 5, 25, 5, 25] {
        let before = app.db_statements();
        let data = app.ok(Some(&analyst), NESTED, json!({"n": n})).await;
        counts.push(app.db_statements() - before);
        let edges = data["informatizationObjects"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n);
        // Objects ИС-0, ИС-4, ИС-8, … carry what was attached to them.
        for e in edges {
            let node = &e["node"];
            let i: usize = node["shortName"].as_str().unwrap()["ИС-".len()..]
                .parse()
                .unwrap();
            let with = usize::from(i.is_multiple_of(4));
            assert_eq!(node["documents"].as_array().unwrap().len(), with, "{node}");
            assert_eq!(node["services"].as_array().unwrap().len(), with, "{node}");
        }
    }
    assert!(
        counts.iter().all(|c| *c == counts[0]),
        "statements for 5/25/5/25/5/25 objects: {counts:?}"
    );
    assert!(
        counts[0] <= 10,
        "a nested page costs {} statements",
        counts[0]
    );
    println!("nested list of 5 and 25 objects: {counts:?} SQL statements");

    // Sorted and filtered pages cost no more than the plain ones, at any
    // size (a loader whose keys are all cached already costs nothing, so a
    // page may cost less, depending on which objects it holds).
    let sorted = NESTED.replace(
        "informatizationObjects(first: $n)",
        "informatizationObjects(first: $n, orderBy: {field: NAME_RU, direction: DESC}, filter: {text: \"ис-\", overdueReview: false})",
    );
    let mut sorted_counts = vec![];
    for n in [5, 25, 5, 25] {
        let before = app.db_statements();
        let data = app.ok(Some(&analyst), &sorted, json!({"n": n})).await;
        sorted_counts.push(app.db_statements() - before);
        assert_eq!(
            data["informatizationObjects"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            n
        );
    }
    assert!(
        sorted_counts.iter().all(|c| *c <= counts[0]),
        "sorted pages: {sorted_counts:?}, plain: {counts:?}"
    );

    // The total is counted only when asked for, through whatever spelling:
    // without it a page costs one statement less; through a fragment, an
    // inline fragment or an alias it is counted and right.
    let uncounted = NESTED.replace("{ totalCount edges", "{ edges");
    let before = app.db_statements();
    let data = app.ok(Some(&analyst), &uncounted, json!({"n": 25})).await;
    assert_eq!(app.db_statements() - before, counts[0] - 1);
    assert_eq!(
        data["informatizationObjects"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        25
    );
    for (spelling, at) in [
        (
            NESTED.replace("{ totalCount edges", "{ ...Total edges")
                + " fragment Total on InformatizationObjectConnection { totalCount }",
            "totalCount",
        ),
        (
            NESTED.replace(
                "{ totalCount edges",
                "{ ... on InformatizationObjectConnection { totalCount } edges",
            ),
            "totalCount",
        ),
        (
            NESTED.replace("{ totalCount edges", "{ all: totalCount edges"),
            "all",
        ),
    ] {
        let before = app.db_statements();
        let data = app.ok(Some(&analyst), &spelling, json!({"n": 5})).await;
        assert_eq!(app.db_statements() - before, counts[0], "{spelling}");
        assert_eq!(data["informatizationObjects"][at], 25, "{spelling}");
    }

    // Every other connection counts only when asked too (the decision is
    // the shared page request's): the same list without `totalCount` costs
    // one statement less, and with it the total is right.
    let first = app
        .ok(
            Some(&analyst),
            "{ informatizationObjects(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["informatizationObjects"]["edges"][0]["node"]["id"]
        .clone();
    for (query, path, total) in [
        (
            "{ organizations { totalCount edges { node { id } } } }",
            &["organizations"][..],
            3,
        ),
        (
            "{ users { totalCount edges { node { id } } } }",
            &["users"][..],
            6,
        ),
        (
            "{ services { totalCount edges { node { id } } } }",
            &["services"][..],
            7,
        ),
        (
            "{ services(filter: {gateways: [EGG]}) { totalCount facets { name } edges { node { id } } } }",
            &["services"][..],
            7,
        ),
        (
            "{ integrationRequests { totalCount edges { node { id } } } }",
            &["integrationRequests"][..],
            0,
        ),
        (
            "{ accountRequests { totalCount edges { node { id } } } }",
            &["accountRequests"][..],
            0,
        ),
        (
            "{ maintenanceWindows { totalCount edges { node { id } } } }",
            &["maintenanceWindows"][..],
            0,
        ),
        (
            "query($id:ID!){ informatizationObject(id:$id) { history { totalCount edges { node { version } } } } }",
            &["informatizationObject", "history"][..],
            1,
        ),
    ] {
        let vars = json!({"id": first});
        let before = app.db_statements();
        let counted = app.ok(Some(&admin), query, vars.clone()).await;
        let with = app.db_statements() - before;
        let at = path.iter().fold(&counted, |v, k| &v[*k]);
        assert_eq!(at["totalCount"], total, "{query}: {counted}");
        let before = app.db_statements();
        let _ = app
            .ok(Some(&admin), &query.replace("totalCount ", ""), vars)
            .await;
        assert_eq!(app.db_statements() - before, with - 1, "{query}");
    }

    // Statistics with each organization resolved: one organization or all
    // three cost the same statements.
    let stats = "query($f:InformatizationObjectFilter){ statistics(filter:$f) { totalObjects objectsByOrganization { count organization { nameRu bin } } reviewSla { onTime } } }";
    let mut stat_counts = vec![];
    let one = app
        .ok(
            Some(&analyst),
            "{ organizations(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let one = one["organizations"]["edges"][0]["node"]["id"].clone();
    for f in [json!({}), json!({"organizationId": one}), json!({})] {
        let before = app.db_statements();
        let data = app.ok(Some(&analyst), stats, json!({"f": f})).await;
        stat_counts.push(app.db_statements() - before);
        assert!(data["statistics"]["totalObjects"].as_u64().unwrap() > 0);
    }
    assert!(
        stat_counts.iter().all(|c| *c == stat_counts[0]),
        "statistics over 3 and 1 organizations: {stat_counts:?}"
    );
    println!("statistics: {stat_counts:?} SQL statements");
    app.finish().await;
}

/// `archportal_graphql_operations_waiting` from `/metrics`.
async fn operations_waiting(app: &TestApp) -> u64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("archportal_graphql_operations_waiting "))
        .expect("the waiting gauge")
        .parse()
        .unwrap()
}

/// Polls `/metrics` until `n` operations wait for their turn.
async fn until_waiting(app: &TestApp, n: u64) {
    until(&format!("{n} operations waiting"), async || {
        operations_waiting(app).await == n
    })
    .await;
}

/// Polls until `check` holds, for at most 10 s.
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `limits.concurrent_operations`: beyond the limit an operation waits its
/// turn, in arrival order; the wait counts toward the request timeout, and
/// `/metrics` shows how many wait.
async fn operations_take_turns_in_arrival_order(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.limits.concurrent_operations = 2;
        c.limits.request_timeout_ms = 2_000;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let slots = app.state().turns.slots().clone();
    assert_eq!(slots.available_permits(), 2);
    let q = "{ organizations { totalCount } }";
    let before = app.ok(Some(&admin), q, json!({})).await["organizations"]["totalCount"]
        .as_u64()
        .unwrap();
    // Both turns held (as by two long operations): the next one waits, and
    // is answered TIMEOUT when its wait reaches the request timeout.
    let first = slots.clone().acquire_owned().await.unwrap();
    let second = slots.clone().acquire_owned().await.unwrap();
    let started = Instant::now();
    let timed_out = app.gql(Some(&admin), q, json!({})).await;
    assert_eq!(code(&timed_out), "TIMEOUT", "{timed_out}");
    assert!(started.elapsed() >= Duration::from_millis(2_000));
    assert_eq!(
        operations_waiting(&app).await,
        0,
        "a cut request no longer waits"
    );
    // Two operations queue: A, which creates an organization, then B, which
    // counts them; then one turn comes back (the other stays held). A must
    // get it, and B runs after A has committed: B counts A's organization.
    let a = app.spawn_gql(
        Some(&admin),
        "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }",
        json!({"i": {"bin": bin("24014000004"), "nameKk": "А (kk)", "nameRu": "Министерство А", "kind": "STATE_BODY"}}),
    );
    until_waiting(&app, 1).await;
    let b = app.spawn_gql(Some(&admin), q, json!({}));
    until_waiting(&app, 2).await;
    drop(first);
    let both = async { (a.await.unwrap(), b.await.unwrap()) };
    let (a, b) = tokio::time::timeout(Duration::from_secs(10), both)
        .await
        .expect("both run on the one turn given back");
    assert!(
        a["data"]["createOrganization"]["organization"]["id"].is_string(),
        "{a}"
    );
    assert_eq!(
        b["data"]["organizations"]["totalCount"].as_u64(),
        Some(before + 1),
        "B ran before A: {b}"
    );
    assert_eq!(operations_waiting(&app).await, 0);
    assert_eq!(slots.available_permits(), 1, "A and B gave their turn back");
    drop(second);
    assert_eq!(slots.available_permits(), 2);
    app.finish().await;
}

/// A `statistics` request that joins an identical one in flight gives its
/// turn back while it waits for that computation, so that the waiting keeps
/// no other operation from running. PostgreSQL only: the test holds the
/// computing request in the database with a table lock, and SQLite (WAL)
/// never makes a reader wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_joiners_give_their_turn_back() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::spawn_with(Backend::Postgres, |c| {
        c.limits.concurrent_operations = 2;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let slots = app.state().turns.slots().clone();
    let db = sea_orm::Database::connect(app.config.database_url())
        .await
        .unwrap();
    let lock = db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE informatization_objects IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let statistics = || app.spawn_gql(Some(&admin), "{ statistics { totalObjects } }", json!({}));
    // The first computes, holding a turn, and waits for the lock.
    let first = statistics();
    until("the computing request waits for the lock", async || {
        db.query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*)::int AS n FROM pg_stat_activity \
             WHERE wait_event_type = 'Lock' AND datname = current_database()",
        ))
        .await
        .unwrap()
        .and_then(|row| row.try_get::<i32>("", "n").ok())
            == Some(1)
    })
    .await;
    assert_eq!(
        slots.available_permits(),
        1,
        "the computing request holds a turn"
    );
    // The other turn is held here, so the identical second request waits
    // for it; once let go, it takes that turn, joins the computation in
    // flight and gives the turn back, though it has no answer yet.
    let other = slots.clone().acquire_owned().await.unwrap();
    let second = statistics();
    until_waiting(&app, 1).await;
    drop(other);
    until("the joining request gives its turn back", async || {
        slots.available_permits() == 1 && operations_waiting(&app).await == 0
    })
    .await;
    assert!(!first.is_finished() && !second.is_finished());
    // Meanwhile another operation runs on that turn.
    app.ok(Some(&admin), "{ organizations { totalCount } }", json!({}))
        .await;
    lock.commit().await.unwrap();
    let (first, second) = (first.await.unwrap(), second.await.unwrap());
    assert!(
        first["data"]["statistics"]["totalObjects"].is_u64(),
        "{first}"
    );
    assert_eq!(first, second, "one computation, one answer");
    assert_eq!(slots.available_permits(), 2);
    db.close().await.unwrap();
    app.finish().await;
}

both!(
    rate_limit_per_caller,
    request_timeout,
    operations_take_turns_in_arrival_order,
    depth_complexity_and_introspection,
    fragment_fan_out_is_refused_before_validation,
    nested_list_has_no_n_plus_one
);
