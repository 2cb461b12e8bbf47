//! Search over services and objects through HTTP (issue 4): both languages
//! with typos, prefixes and filters, visibility per role, highlights and
//! facets, ranked `services(query)`, `similarServices`, query hygiene, and
//! the index catching up from the outbox after an outage.

use serde_json::{Value, json};

use crate::both;
use crate::services::REGISTER;
use crate::support::{Backend, TestApp, bin, code};

const SEARCH: &str = "query($q:String!,$f:SearchFilterInput){ search(query:$q, filter:$f){ totalCount hits { kind score highlights { field html } service { serviceId } object { shortName } } facets { name values { value count } } } }";
const UPDATE: &str =
    "mutation($i:UpdateServiceInput!){ updateService(input:$i){ service { status } } }";

fn input(service_id: &str, kk: &str, ru: &str, gateway: &str) -> Value {
    json!({
        "serviceId": service_id,
        "nameKk": kk,
        "nameRu": ru,
        "description": format!("{ru}: предоставление сведений из государственной базы данных"),
        "gateway": gateway,
        "protocol": "SOAP",
        "interaction": "SYNCHRONOUS",
        "version": "1.0",
        "testAddress": "https://test.shep.gov.kz/bip-sync/",
    })
}

/// Applies every pending index update now (the dispatcher would within a poll).
async fn settle(app: &TestApp) {
    archportal_api::search::run_once(app.state()).await.unwrap();
    let pending = archportal_storage::indexing::pending(&app.state().db)
        .await
        .unwrap();
    assert_eq!(pending, 0, "index updates left pending");
}

fn service_ids(data: &Value) -> Vec<String> {
    data["search"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["service"]["serviceId"].as_str().map(str::to_owned))
        .collect()
}

fn facet(data: &Value, name: &str, value: &str) -> u64 {
    data["search"]["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| {
            f["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["value"] == value)
        })
        .and_then(|v| v["count"].as_u64())
        .unwrap_or(0)
}

struct World {
    app: TestApp,
    owner_a: String,
    owner_b: String,
    operator: String,
    integrator: String,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
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
    let obj_a = app.create_object(&owner_a, "ГБД ФЛ").await;
    let obj_b = app.create_object(&owner_b, "ИС Салық").await;
    for (object, i) in [
        (
            &obj_a,
            input(
                "GBDFL_PersonInfo",
                "Жеке тұлғалар туралы мәліметтер",
                "Сведения о физических лицах",
                "EGG",
            ),
        ),
        (
            &obj_a,
            input(
                "GBDUL_OrgInfo",
                "Заңды тұлғалар туралы мәліметтер",
                "Сведения о юридических лицах",
                "EEGG",
            ),
        ),
        (
            &obj_b,
            input(
                "TAX_Debts",
                "Салық берешегі туралы мәліметтер",
                "Сведения о налоговой задолженности",
                "EGG",
            ),
        ),
    ] {
        app.ok(
            Some(&operator),
            REGISTER,
            json!({"i": {"objectId": object, "service": i}}),
        )
        .await;
    }
    // The tax service goes into production: published, visible to every owner.
    let tax = app
        .ok(
            Some(&operator),
            "{ service(serviceId:\"TAX_Debts\"){ id } }",
            json!({}),
        )
        .await;
    let mut published = input(
        "TAX_Debts",
        "Салық берешегі туралы мәліметтер",
        "Сведения о налоговой задолженности",
        "EGG",
    );
    published["status"] = json!("IN_PRODUCTION");
    published["productionAddress"] = json!("https://shep.gov.kz/bip-sync/");
    app.ok(
        Some(&operator),
        UPDATE,
        json!({"i": {"id": tax["service"]["id"], "service": published}}),
    )
    .await;
    settle(&app).await;
    World {
        app,
        owner_a,
        owner_b,
        operator,
        integrator,
    }
}

async fn search_in_both_languages_with_typos(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;

    // Russian with a missing letter.
    let d = app
        .ok(Some(&w.integrator), SEARCH, json!({"q": "физичских"}))
        .await;
    assert_eq!(
        service_ids(&d).first().map(String::as_str),
        Some("GBDFL_PersonInfo"),
        "{d:#}"
    );
    assert!(
        d["search"]["hits"][0]["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["html"].as_str().unwrap().contains("<em>")),
        "{d:#}"
    );
    // Kazakh typed without the Kazakh letters (тулгалар for тұлғалар), with a gateway filter.
    let d = app
        .ok(
            Some(&w.integrator),
            SEARCH,
            json!({"q": "тулгалар", "f": {"kinds": ["SERVICE"]}}),
        )
        .await;
    let mut ids = service_ids(&d);
    ids.sort();
    assert_eq!(ids, ["GBDFL_PersonInfo", "GBDUL_OrgInfo"], "{d:#}");
    assert_eq!(facet(&d, "gateway", "EGG"), 1);
    assert_eq!(facet(&d, "gateway", "EEGG"), 1);
    let d = app
        .ok(
            Some(&w.integrator),
            SEARCH,
            json!({"q": "тұлғалар", "f": {"gateways": ["EEGG"]}}),
        )
        .await;
    assert_eq!(service_ids(&d), ["GBDUL_OrgInfo"], "{d:#}");
    // Prefix, Russian.
    let d = app
        .ok(Some(&w.operator), SEARCH, json!({"q": "налог"}))
        .await;
    assert_eq!(service_ids(&d), ["TAX_Debts"], "{d:#}");
    // Objects are searched too, with their kind facet.
    let d = app
        .ok(
            Some(&w.integrator),
            SEARCH,
            json!({"q": "ақпараттық жүйесі", "f": {"kinds": ["OBJECT"]}}),
        )
        .await;
    assert_eq!(d["search"]["totalCount"], 2, "{d:#}");
    assert_eq!(facet(&d, "objectKind", "INFORMATION_SYSTEM"), 2);

    // Visibility: owner B sees the published tax service and its own object,
    // not owner A's services in testing nor A's object.
    let d = app
        .ok(Some(&w.owner_b), SEARCH, json!({"q": "тұлғалар"}))
        .await;
    assert_eq!(d["search"]["totalCount"], 0, "{d:#}");
    let d = app
        .ok(Some(&w.owner_b), SEARCH, json!({"q": "мәліметтер"}))
        .await;
    assert_eq!(service_ids(&d), ["TAX_Debts"], "{d:#}");
    let d = app
        .ok(Some(&w.owner_b), SEARCH, json!({"q": "ақпараттық"}))
        .await;
    assert_eq!(d["search"]["totalCount"], 1, "{d:#}");
    assert_eq!(d["search"]["hits"][0]["object"]["shortName"], "ИС Салық");
    let d = app
        .ok(Some(&w.owner_a), SEARCH, json!({"q": "тұлғалар"}))
        .await;
    assert_eq!(
        d["search"]["totalCount"], 2,
        "owner A sees its own services: {d:#}"
    );

    // services(query): ranked, with facets.
    let d = app
        .ok(
            Some(&w.integrator),
            "{ services(query:\"юридичских\"){ totalCount edges { node { serviceId } } facets { name values { value count } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        d["services"]["edges"][0]["node"]["serviceId"], "GBDUL_OrgInfo",
        "{d:#}"
    );
    assert!(
        d["services"]["facets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "gateway")
    );

    // Query hygiene: a 10,000-character query and control characters are cleaned, never a 500.
    let long = "ж".repeat(10_000);
    let body = app
        .gql(Some(&w.integrator), SEARCH, json!({"q": long}))
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let d = app
        .ok(
            Some(&w.integrator),
            SEARCH,
            json!({"q": "\u{0}\u{7}\u{1b}налоговой\u{8}"}),
        )
        .await;
    assert_eq!(service_ids(&d), ["TAX_Debts"], "{d:#}");
    w.app.finish().await;
}

async fn similar_services_ranked_with_scores(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let q = "query($s:String,$t:String){ similarServices(serviceId:$s, text:$t){ score service { serviceId } } }";
    let d = app
        .ok(Some(&w.integrator), q, json!({"s": "GBDFL_PersonInfo"}))
        .await;
    let list = d["similarServices"].as_array().unwrap();
    assert_eq!(list[0]["service"]["serviceId"], "GBDUL_OrgInfo", "{d:#}");
    assert!(
        list.iter()
            .all(|s| s["service"]["serviceId"] != "GBDFL_PersonInfo")
    );
    let scores: Vec<f64> = list.iter().map(|s| s["score"].as_f64().unwrap()).collect();
    assert!(scores.iter().all(|s| *s > 0.0 && *s <= 1.0), "{scores:?}");
    assert!(
        scores.windows(2).all(|p| p[0] >= p[1]),
        "best first: {scores:?}"
    );
    let d = app
        .ok(
            Some(&w.operator),
            q,
            json!({"t": "Сведения о налоговой задолженности физических лиц"}),
        )
        .await;
    assert_eq!(
        d["similarServices"][0]["service"]["serviceId"], "TAX_Debts",
        "{d:#}"
    );
    // An owner sees only what it may see: A's services in testing are hidden from B.
    let d = app.ok(Some(&w.owner_b), q, json!({"s": "TAX_Debts"})).await;
    assert!(d["similarServices"].as_array().unwrap().is_empty(), "{d:#}");
    let body = app
        .gql(
            Some(&w.integrator),
            q,
            json!({"s": "GBDFL_PersonInfo", "t": "x"}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    w.app.finish().await;
}

async fn index_catches_up_after_an_outage(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let object = app.create_object(&w.owner_a, "ЭЦП").await;
    app.state().search.set_online(false);
    // Writes still succeed while the index is down; the update waits in the outbox.
    app.ok(
        Some(&w.operator),
        REGISTER,
        json!({"i": {"objectId": object, "service": input("NUC_Signature", "Электрондық қолтаңбаны тексеру", "Проверка электронной подписи", "EGG")}}),
    )
    .await;
    archportal_api::search::run_once(app.state()).await.unwrap();
    let db = &app.state().db;
    assert!(archportal_storage::indexing::pending(db).await.unwrap() >= 2);
    let body = app
        .gql(Some(&w.integrator), SEARCH, json!({"q": "подписи"}))
        .await;
    assert_eq!(code(&body), "UNAVAILABLE", "{body:#}");
    // Back online: the retries deliver (backoff starts at one second).
    app.state().search.set_online(true);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while archportal_storage::indexing::pending(db).await.unwrap() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox did not catch up"
        );
        archportal_api::search::run_once(app.state()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let d = app
        .ok(Some(&w.integrator), SEARCH, json!({"q": "подписи"}))
        .await;
    assert_eq!(service_ids(&d), ["NUC_Signature"], "{d:#}");
    let d = app
        .ok(
            Some(&w.owner_a),
            SEARCH,
            json!({"q": "ЭЦП", "f": {"kinds": ["OBJECT"]}}),
        )
        .await;
    assert_eq!(d["search"]["totalCount"], 1, "{d:#}");

    // `search reindex` rebuilds everything from the database.
    let n = archportal_api::search::reindex(app.state()).await.unwrap();
    assert_eq!(n, 4 + 3, "four services and three objects");
    let d = app
        .ok(Some(&w.integrator), SEARCH, json!({"q": "мәліметтер"}))
        .await;
    assert_eq!(d["search"]["totalCount"], 3, "{d:#}");
    w.app.finish().await;
}

/// Anonymous visitors search the public registry: published services only
/// (listed, ranked, looked up one by one and in `search`), facet counts over
/// those alone, no drafts; a stale token is still refused, not served the
/// public view.
async fn anonymous_search_sees_published_services_only(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;

    let d = app.ok(None, SEARCH, json!({"q": "мәліметтер"})).await;
    assert_eq!(service_ids(&d), ["TAX_Debts"], "{d:#}");
    assert_eq!(d["search"]["totalCount"], 1, "{d:#}");
    assert_eq!(facet(&d, "status", "IN_PRODUCTION"), 1, "{d:#}");
    assert_eq!(facet(&d, "status", "IN_TESTING"), 0, "{d:#}");
    assert_eq!(facet(&d, "gateway", "EEGG"), 0, "{d:#}");
    // Asking for the unpublished status explicitly finds nothing.
    let d = app
        .ok(
            None,
            SEARCH,
            json!({"q": "тұлғалар", "f": {"statuses": ["IN_TESTING"]}}),
        )
        .await;
    assert_eq!(d["search"]["totalCount"], 0, "{d:#}");
    // Draft objects are never found.
    let d = app.ok(None, SEARCH, json!({"q": "ақпараттық"})).await;
    assert_eq!(d["search"]["totalCount"], 0, "{d:#}");
    assert!(d["search"]["hits"].as_array().unwrap().is_empty());

    // services(…) listed and ranked, service(…) one by one.
    let d = app
        .ok(
            None,
            "{ services(first: 50) { totalCount edges { node { serviceId object { id } } } facets { name values { value count } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["services"]["totalCount"], 1, "{d:#}");
    assert_eq!(d["services"]["edges"][0]["node"]["serviceId"], "TAX_Debts");
    assert!(d["services"]["edges"][0]["node"]["object"].is_null());
    let d = app
        .ok(
            None,
            "{ services(query: \"сведения\") { totalCount edges { node { serviceId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["services"]["totalCount"], 1, "{d:#}");
    assert_eq!(d["services"]["edges"][0]["node"]["serviceId"], "TAX_Debts");
    let one = "query($s:String!){ service(serviceId:$s){ serviceId status } }";
    let d = app.ok(None, one, json!({"s": "TAX_Debts"})).await;
    assert_eq!(d["service"]["status"], "IN_PRODUCTION");
    let d = app.ok(None, one, json!({"s": "GBDFL_PersonInfo"})).await;
    assert!(d["service"].is_null(), "{d:#}");
    // Who consumes a service is for signed-in callers.
    let body = app
        .gql(
            None,
            "{ service(serviceId:\"TAX_Debts\"){ consumers { since } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body:#}");
    // A bad token is refused rather than downgraded to the public view.
    let body = app
        .gql(Some("not-a-token"), SEARCH, json!({"q": "мәліметтер"}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body:#}");
    w.app.finish().await;
}

/// The index dispatcher runs apart from the mail dispatcher: with the mail
/// server answering nothing (a connection that is accepted and then left
/// silent, so a delivery hangs until lettre's timeout), new objects still
/// become searchable within the index's own poll interval. (They once
/// waited for every due message to be sent: after `demo seed` the index
/// stayed empty until 50,000 mails had gone out.)
async fn index_does_not_wait_for_mail(backend: Backend) {
    // A mail server that accepts connections and never says a word.
    let tarpit = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = tarpit.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = tarpit.accept().await {
            sockets.push(socket);
        }
    });
    let app = TestApp::spawn_with(backend, |c| {
        c.notifications.poll_interval_ms = 50;
        c.search.poll_interval_ms = 50;
        c.smtp_url = Some(format!("smtp://{smtp}"));
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app
        .create_org(&admin, &bin("24014000001"), "Министерство юстиции")
        .await;
    let owner = app
        .create_user(&admin, "a@gov.kz", "OWNER", Some(&org))
        .await;
    // An account request: mail for the applicant, due at once.
    app.request_account_kk().await;
    let db = &app.state().db;
    let stuck = || async {
        archportal_storage::outbox::all(db, 100)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.status == archportal_storage::outbox::PENDING && m.attempts == 0)
            .count()
    };
    assert!(stuck().await > 0, "the account request queued mail");
    app.create_object(&owner, "Тарпит").await;
    // No `run_once` here: the server's own dispatchers do the work.
    let started = std::time::Instant::now();
    loop {
        let d = app
            .ok(
                Some(&owner),
                SEARCH,
                json!({"q": "Тарпит", "f": {"kinds": ["OBJECT"]}}),
            )
            .await;
        if d["search"]["totalCount"] == 1 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the object was not indexed while the mail server hung: {d:#}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The mail dispatcher was stuck all along: no attempt has come back.
    assert!(stuck().await > 0, "the mail was still being delivered");
    // The mail server goes away: deliveries fail fast and the server stops.
    held.abort();
    let _ = held.await;
    app.finish().await;
}

both!(
    anonymous_search_sees_published_services_only,
    search_in_both_languages_with_typos,
    similar_services_ranked_with_scores,
    index_catches_up_after_an_outage,
    index_does_not_wait_for_mail
);
