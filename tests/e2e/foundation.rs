//! Issue 2's end-to-end story and its bad inputs, on both databases.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::both;
use crate::support::{Backend, TestApp, bin, code};

const OBJECT: &str = "query($id:ID!){ informatizationObject(id:$id){
    id kind nameKk nameRu shortName purpose stage stageStartedOn registrationStatus accountingCode version archived
    organization { id bin } createdBy { fullName role }
    lifeCycle { stage startedOn }
    history(first: 10) { totalCount edges { node { version action actor { fullName } changes { field from to } } } }
} }";

async fn full_story(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let me = app
        .ok(
            Some(&admin),
            "{ me { email role organization { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["me"],
        json!({"email": "admin@digital.gov.kz", "role": "ADMIN", "organization": null})
    );

    let org_bin = bin("24014000001");
    let org = app
        .create_org(&admin, &org_bin, "Министерство цифрового развития")
        .await;
    let owner = app
        .create_user(&admin, "owner@mdai.gov.kz", "OWNER", Some(&org))
        .await;
    let id = app.create_object(&owner, "ЕСЭДО").await;

    let data = app.ok(Some(&owner), OBJECT, json!({"id": id})).await;
    let o = &data["informatizationObject"];
    assert_eq!(o["registrationStatus"], "DRAFT");
    assert_eq!(o["stage"], "CREATION");
    assert_eq!(o["accountingCode"], json!(null));
    assert_eq!(o["version"], 1);
    assert_eq!(o["organization"]["bin"], org_bin);
    assert_eq!(o["createdBy"]["role"], "OWNER");
    assert_eq!(o["history"]["totalCount"], 1);
    assert_eq!(o["history"]["edges"][0]["node"]["action"], "CREATED");

    // Rename and move to pilot operation: one new version with exactly those changes.
    let updated = app
        .ok(
            Some(&owner),
            "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version shortName stage stageStartedOn } } }",
            json!({"i": {"id": id, "expectedVersion": 1, "shortName": "ЕСЭДО-2", "stage": "PILOT_OPERATION", "stageStartedOn": "2099-01-15"}}),
        )
        .await;
    assert_eq!(
        updated["updateInformatizationObject"]["informatizationObject"],
        json!({"version": 2, "shortName": "ЕСЭДО-2", "stage": "PILOT_OPERATION", "stageStartedOn": "2099-01-15"})
    );
    let data = app.ok(Some(&owner), OBJECT, json!({"id": id})).await;
    let o = &data["informatizationObject"];
    assert_eq!(
        o["lifeCycle"],
        json!([{"stage": "CREATION", "startedOn": o["lifeCycle"][0]["startedOn"]}, {"stage": "PILOT_OPERATION", "startedOn": "2099-01-15"}])
    );
    let v2 = &o["history"]["edges"][1]["node"];
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["action"], "UPDATED");
    assert_eq!(v2["actor"]["fullName"], "owner@mdai.gov.kz");
    let fields: Vec<&str> = v2["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["shortName", "stage", "stageStartedOn"]);
    assert_eq!(
        v2["changes"][0],
        json!({"field": "shortName", "from": "ЕСЭДО", "to": "ЕСЭДО-2"})
    );

    // An update that changes nothing writes no version.
    let same = app
        .ok(Some(&owner), "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }", json!({"i": {"id": id, "shortName": "ЕСЭДО-2"}}))
        .await;
    assert_eq!(
        same["updateInformatizationObject"]["informatizationObject"]["version"],
        2
    );

    // The integrator reads it; the list shows it.
    let integrator = app
        .create_user(&admin, "integrator@zerde.gov.kz", "INTEGRATOR", None)
        .await;
    let list = app
        .ok(
            Some(&integrator),
            "{ informatizationObjects(first: 10) { totalCount edges { node { id shortName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["informatizationObjects"]["totalCount"], 1);
    assert_eq!(
        list["informatizationObjects"]["edges"][0]["node"]["id"],
        id.as_str()
    );

    // Archive: gone from the default list, present with includeArchived, and frozen.
    let archived = app
        .ok(Some(&owner), "mutation($i:ArchiveInformatizationObjectInput!){ archiveInformatizationObject(input:$i){ informatizationObject { archived version } } }", json!({"i": {"id": id}}))
        .await;
    assert_eq!(
        archived["archiveInformatizationObject"]["informatizationObject"],
        json!({"archived": true, "version": 3})
    );
    let list = app
        .ok(
            Some(&owner),
            "{ informatizationObjects { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["informatizationObjects"]["totalCount"], 0);
    crate::support::assert_listed_like_fetched(&app, &owner, &id).await;
    let list = app
        .ok(
            Some(&owner),
            "{ informatizationObjects(filter: {includeArchived: true}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["informatizationObjects"]["totalCount"], 1);
    let refused = app
        .gql(Some(&owner), "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }", json!({"i": {"id": id, "purpose": "x"}}))
        .await;
    assert_eq!(code(&refused), "CONFLICT");
    app.finish().await;
}

const CREATE_ORG: &str =
    "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }";
const UPDATE: &str = "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }";

async fn bad_input_is_typed_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@digital.gov.kz", "ADMIN", None).await;
    let org_bin = bin("24014000001");
    let org = app
        .create_org(&admin, &org_bin, "Акимат города Алматы")
        .await;
    let count_orgs = || async {
        app.ok(Some(&admin), "{ organizations { totalCount } }", json!({}))
            .await["organizations"]["totalCount"]
            .clone()
    };

    // Malformed BIN (wrong check digit, too short), with the field named and the message in the caller's language.
    let mut wrong = org_bin.clone();
    let last = wrong.pop().unwrap();
    wrong.push(char::from(b'0' + (last as u8 - b'0' + 1) % 10));
    for bad in [wrong.as_str(), "123", "24014000001X"] {
        let body = app
            .gql(
                Some(&admin),
                CREATE_ORG,
                json!({"i": {"bin": bad, "nameKk": "А", "nameRu": "А", "kind": "STATE_BODY"}}),
            )
            .await;
        assert_eq!(code(&body), "INVALID_INPUT", "{bad}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "bin");
        assert!(
            body["errors"][0]["extensions"]["messages"]["kk"]
                .as_str()
                .unwrap()
                .contains("БСН")
        );
    }
    // The top-level message follows Accept-Language, with the field carried separately.
    for (lang, needle) in [("kk-KZ", "БСН"), ("ru", "БИН"), ("en;q=0.9", "BIN")] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&admin)
            .header("accept-language", lang)
            .json(&json!({"query": CREATE_ORG, "variables": {"i": {"bin": "123", "nameKk": "А", "nameRu": "А", "kind": "STATE_BODY"}}}))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = resp.json().await.unwrap();
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(needle) && !message.starts_with("bin:"),
            "{lang}: {message}"
        );
    }
    // Duplicate BIN: CONFLICT on bin.
    let body = app
        .gql(
            Some(&admin),
            CREATE_ORG,
            json!({"i": {"bin": org_bin, "nameKk": "Б", "nameRu": "Б", "kind": "STATE_BODY"}}),
        )
        .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("CONFLICT", &json!("bin"))
    );
    // Unknown enum value: INVALID_INPUT naming the argument.
    let body = app.gql(Some(&admin), CREATE_ORG, json!({"i": {"bin": bin("24014000002"), "nameKk": "В", "nameRu": "В", "kind": "MINISTRY"}})).await;
    assert_eq!(code(&body), "INVALID_INPUT", "{body}");
    // Empty and over-long names.
    let body = app.gql(Some(&admin), CREATE_ORG, json!({"i": {"bin": bin("24014000003"), "nameKk": "  ", "nameRu": "В", "kind": "STATE_BODY"}})).await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("INVALID_INPUT", &json!("nameKk"))
    );
    let body = app.gql(Some(&admin), CREATE_ORG, json!({"i": {"bin": bin("24014000003"), "nameKk": "В", "nameRu": "ж".repeat(501), "kind": "STATE_BODY"}})).await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("INVALID_INPUT", &json!("nameRu"))
    );
    assert_eq!(count_orgs().await, 1, "a refused mutation created a row");

    // Another organization's object: FORBIDDEN and unchanged.
    let other = app
        .create_org(&admin, &bin("24014000004"), "Министерство финансов")
        .await;
    let owner_a = app
        .create_user(&admin, "a@gov.kz", "OWNER", Some(&org))
        .await;
    let owner_b = app
        .create_user(&admin, "b@gov.kz", "OWNER", Some(&other))
        .await;
    let id = app.create_object(&owner_a, "АИС").await;
    let body = app
        .gql(
            Some(&owner_b),
            UPDATE,
            json!({"i": {"id": id, "shortName": "HACK"}}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app
        .gql(
            Some(&owner_b),
            "query($id:ID!){ informatizationObject(id:$id){ id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let v = app
        .ok(
            Some(&owner_a),
            "query($id:ID!){ informatizationObject(id:$id){ version shortName } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        v["informatizationObject"],
        json!({"version": 1, "shortName": "АИС"})
    );

    // Stale version: CONFLICT on expectedVersion.
    let body = app
        .gql(
            Some(&owner_a),
            UPDATE,
            json!({"i": {"id": id, "expectedVersion": 7, "shortName": "X"}}),
        )
        .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("CONFLICT", &json!("expectedVersion"))
    );
    // A stage move the life cycle forbids.
    let body = app
        .gql(
            Some(&owner_a),
            UPDATE,
            json!({"i": {"id": id, "stage": "DEVELOPMENT"}}),
        )
        .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("INVALID_INPUT", &json!("stage"))
    );
    // A malformed id and a malformed date.
    let body = app
        .gql(
            Some(&owner_a),
            UPDATE,
            json!({"i": {"id": "not-a-uuid", "shortName": "X"}}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    let body = app
        .gql(
            Some(&owner_a),
            UPDATE,
            json!({"i": {"id": id, "stage": "PILOT_OPERATION", "stageStartedOn": "15.01.2026"}}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    // A relation to itself, and a part-of cycle.
    let part = app.create_object(&owner_a, "Модуль").await;
    app.ok(
        Some(&owner_a),
        UPDATE,
        json!({"i": {"id": part, "relations": [{"kind": "PART_OF", "targetId": id}]}}),
    )
    .await;
    let body = app
        .gql(
            Some(&owner_a),
            UPDATE,
            json!({"i": {"id": id, "relations": [{"kind": "PART_OF", "targetId": part}]}}),
        )
        .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("INVALID_INPUT", &json!("relations"))
    );
    let body = app
        .gql(
            Some(&owner_a),
            UPDATE,
            json!({"i": {"id": id, "relations": [{"kind": "USES", "targetId": id}]}}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    let v = app
        .ok(
            Some(&owner_a),
            "query($id:ID!){ informatizationObject(id:$id){ version relations { kind } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        v["informatizationObject"],
        json!({"version": 1, "relations": []})
    );

    // A malformed body: a typed 400, never a 500.
    let resp = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("accept-language", "kk")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "INVALID_REQUEST");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("GraphQL JSON емес")
    );
    let body = app
        .gql(Some(&admin), "{ organizations { nosuchfield } }", json!({}))
        .await;
    assert_eq!(code(&body), "INVALID_REQUEST");
    app.finish().await;
}

async fn tokens_and_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let me = "{ me { email } }";

    // Forged: a flipped signature, and an unsigned `alg: none` token.
    let mut forged = admin.clone();
    let flip = if forged.ends_with('A') { 'B' } else { 'A' };
    forged.pop();
    forged.push(flip);
    assert_eq!(
        code(&app.gql(Some(&forged), me, json!({})).await),
        "UNAUTHENTICATED"
    );
    let payload = admin.split('.').nth(1).unwrap();
    let none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );
    assert_eq!(
        code(&app.gql(Some(&none), me, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql(
                Some("garbage"),
                "{ organizations { totalCount } }",
                json!({})
            )
            .await
        ),
        "UNAUTHENTICATED"
    );

    // Refresh: rotation, and reuse of a spent token revokes the whole session.
    let login = "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken refreshToken } }";
    let refresh =
        "mutation($t:String!){ refreshToken(input:{refreshToken:$t}){ accessToken refreshToken } }";
    let s = app
        .ok(
            None,
            login,
            json!({"e": "admin@gov.kz", "p": crate::support::PASSWORD}),
        )
        .await;
    let first = s["login"]["refreshToken"].as_str().unwrap().to_owned();
    let r = app.ok(None, refresh, json!({"t": first})).await;
    let second = r["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    let access = r["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.ok(Some(&access), me, json!({})).await["me"]["email"],
        "admin@gov.kz"
    );
    assert_eq!(
        code(&app.gql(None, refresh, json!({"t": first})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql(None, refresh, json!({"t": second})).await),
        "UNAUTHENTICATED",
        "reuse must revoke the family"
    );
    // Logout ends a session.
    let s = app
        .ok(
            None,
            login,
            json!({"e": "admin@gov.kz", "p": crate::support::PASSWORD}),
        )
        .await;
    let token = s["login"]["refreshToken"].as_str().unwrap().to_owned();
    let out = app
        .ok(
            None,
            "mutation($t:String!){ logout(input:{refreshToken:$t}){ revoked } }",
            json!({"t": token}),
        )
        .await;
    assert_eq!(out["logout"]["revoked"], true);
    assert_eq!(
        code(&app.gql(None, refresh, json!({"t": token})).await),
        "UNAUTHENTICATED"
    );

    // Lockout after five failures, even with the right password afterwards.
    for _ in 0..5 {
        let body = app
            .gql(
                None,
                login,
                json!({"e": "admin@gov.kz", "p": "wrong password 123"}),
            )
            .await;
        assert_eq!(code(&body), "UNAUTHENTICATED");
    }
    let body = app
        .gql(
            None,
            login,
            json!({"e": "admin@gov.kz", "p": crate::support::PASSWORD}),
        )
        .await;
    assert_eq!(code(&body), "TOO_MANY_REQUESTS");
    // An unknown account gets the same answer as a wrong password.
    let body = app
        .gql(
            None,
            login,
            json!({"e": "nobody@gov.kz", "p": "whatever password"}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    app.finish().await;
}

async fn expired_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.auth.access_token_ttl_secs = -60).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let body = app
        .gql(Some(&admin), "{ organizations { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    assert!(
        body["errors"][0]["extensions"]["messages"]["en"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    app.finish().await;
}

async fn pagination_and_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app.create_org(&admin, &bin("24014000001"), "Комитет").await;
    let owner = app
        .create_user(&admin, "o@gov.kz", "OWNER", Some(&org))
        .await;
    let mut ids = vec![];
    for i in 0..5 {
        ids.push(app.create_object(&owner, &format!("ИС-{i}")).await);
    }
    app.ok(
        Some(&owner),
        UPDATE,
        json!({"i": {"id": ids[4], "stage": "INDUSTRIAL_OPERATION"}}),
    )
    .await;
    let q = "query($a:String){ informatizationObjects(first: 2, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
    let mut seen = vec![];
    let mut after = serde_json::Value::Null;
    loop {
        let page = app.ok(Some(&owner), q, json!({"a": after})).await;
        let c = &page["informatizationObjects"];
        assert_eq!(c["totalCount"], 5);
        seen.extend(
            c["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
        );
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        seen, ids,
        "pages must list every object once, in creation order"
    );
    let f = app.ok(Some(&owner), "{ informatizationObjects(filter: {stages: [INDUSTRIAL_OPERATION]}) { totalCount edges { node { id } } } }", json!({})).await;
    assert_eq!(f["informatizationObjects"]["totalCount"], 1);
    assert_eq!(
        f["informatizationObjects"]["edges"][0]["node"]["id"],
        ids[4].as_str()
    );
    let body = app
        .gql(
            Some(&owner),
            "{ informatizationObjects(first: 100000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("INVALID_INPUT", &json!("first"))
    );
    let body = app
        .gql(
            Some(&owner),
            "{ informatizationObjects(after: \"???\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    app.finish().await;
}

async fn operational_endpoints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready = ready.json::<serde_json::Value>().await.unwrap();
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["searchBacklog"], 0, "{ready}");
    assert_eq!(ready["mailBacklog"], 0, "{ready}");
    let resp = app.client.post(format!("{}/graphql", app.base)).json(&json!({"query": "query Vocab { vocabulary(name: ROLE) { code } }", "operationName": "Vocab"})).send().await.unwrap();
    assert!(resp.headers().contains_key("x-request-id"));
    // Named only in the document, and one that fails (anonymous: no token).
    for query in [
        "query Kinds { vocabulary(name: ROLE) { code } }",
        "query Mine { informatizationObjects(first: 1) { totalCount } }",
    ] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.base))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(metrics.contains("archportal_graphql_operation_duration_seconds_count{operation=\"Vocab\",outcome=\"ok\"} 1"), "{metrics}");
    assert!(metrics.contains("archportal_graphql_operation_duration_seconds_count{operation=\"Kinds\",outcome=\"ok\"} 1"), "{metrics}");
    assert!(metrics.contains("archportal_graphql_operation_duration_seconds_count{operation=\"Mine\",outcome=\"error\"} 1"), "{metrics}");
    assert!(
        metrics.contains("route=\"/graphql\",status=\"200\""),
        "{metrics}"
    );
    let page = get("/graphql").await.unwrap().text().await.unwrap();
    assert!(
        page.contains("graphiql"),
        "GraphiQL is served on GET /graphql"
    );
    let home = get("/").await.unwrap().text().await.unwrap();
    assert!(home.contains("Архитектурный портал"));
    app.finish().await;
}

both!(
    full_story,
    bad_input_is_typed_and_changes_nothing,
    tokens_and_sessions,
    expired_tokens_are_refused,
    pagination_and_filters,
    operational_endpoints
);
