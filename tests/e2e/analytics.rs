//! The analysts' surface: filters, sorted paging, statistics computed from
//! seeded workflow data, objects as they were, and streamed exports.

use archportal_domain::document::required_kinds;
use archportal_domain::object::LifeCycleStage;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestApp, bin, code};

/// Monday 3 March 2025, 10:00 in Almaty.
const T0: &str = "2025-03-03T05:00:00Z";

struct World {
    app: TestApp,
    analyst: String,
    owner_a: String,
    owner_b: String,
    org_a: String,
    org_b: String,
    /// ALPHA (registered on time, then updated), BRAVO (registered late),
    /// DELTA (submitted, never decided), ЖҰЛДЫЗ (draft, organization B).
    ids: [String; 4],
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
}

async fn create(app: &TestApp, owner: &str, short: &str, kind: &str, pd: bool) -> String {
    let d = app
        .ok(
            Some(owner),
            "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
            json!({"i": {
                "kind": kind,
                "nameKk": format!("{short} ақпараттық жүйесі"),
                "nameRu": format!("Информационная система {short}"),
                "shortName": short,
                "purpose": "Мемлекеттік қызметтерді автоматтандыру",
                "stage": "INDUSTRIAL_OPERATION",
                "stageStartedOn": "2024-12-02",
                "containsPersonalData": pd,
            }}),
        )
        .await;
    d["createInformatizationObject"]["informatizationObject"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn world(backend: Backend) -> World {
    let t0: DateTime<Utc> = T0.parse().unwrap();
    let app = TestApp::spawn_with(backend, |c| c.clock.fixed_now = Some(t0)).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org_a = app
        .create_org(&admin, &bin("24014000001"), "Министерство А")
        .await;
    let org_b = app
        .create_org(&admin, &bin("24014000004"), "Министерство Б")
        .await;
    let owner_a = app
        .create_user(&admin, "a@gov.kz", "OWNER", Some(&org_a))
        .await;
    let owner_b = app
        .create_user(&admin, "b@gov.kz", "OWNER", Some(&org_b))
        .await;
    let integrator = app
        .create_user(&admin, "i@gov.kz", "INTEGRATOR", None)
        .await;
    let analyst = app
        .create_user(&admin, "analyst@gov.kz", "ANALYST", None)
        .await;
    let alpha = create(&app, &owner_a, "ALPHA", "INFORMATION_SYSTEM", true).await;
    let bravo = create(&app, &owner_a, "BRAVO", "INFORMATION_SYSTEM", false).await;
    let delta = create(&app, &owner_a, "DELTA", "INTERNET_RESOURCE", false).await;
    let star = create(&app, &owner_b, "ЖҰЛДЫЗ", "INFORMATION_SYSTEM", true).await;
    let submit = "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { dueAt } } }";
    let take = "mutation($id:ID!){ takeReview(objectId:$id){ review { id } } }";
    let register = "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }";
    for id in [&alpha, &bravo, &delta] {
        app.upload_required(&owner_a, id, LifeCycleStage::IndustrialOperation, &[])
            .await;
        app.ok(Some(&owner_a), submit, json!({"id": id})).await;
    }
    // ALPHA decided the same day: on time, 0 working days.
    app.ok(Some(&integrator), take, json!({"id": alpha})).await;
    app.ok(Some(&integrator), register, json!({"id": alpha}))
        .await;
    // Two weeks later BRAVO is decided: late.
    app.state().clock.advance(Duration::days(14));
    let t1 = app.state().clock.now();
    app.ok(Some(&integrator), take, json!({"id": bravo})).await;
    app.ok(Some(&integrator), register, json!({"id": bravo}))
        .await;
    // ALPHA changes: its 10-working-day update period starts; a month later it is overdue.
    app.ok(
        Some(&owner_a),
        "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { version } } }",
        json!({"i": {"id": alpha, "purpose": "Жаңартылған мақсат"}}),
    )
    .await;
    app.state().clock.advance(Duration::days(30));
    World {
        app,
        analyst,
        owner_a,
        owner_b,
        org_a,
        org_b,
        ids: [alpha, bravo, delta, star],
        t0,
        t1,
    }
}

const LIST: &str =
    "query($f:InformatizationObjectFilter,$o:InformatizationObjectOrder,$n:Int,$a:String){
  informatizationObjects(filter:$f, orderBy:$o, first:$n, after:$a) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id shortName } } } }";

async fn shorts(w: &World, token: &str, filter: Value) -> Vec<String> {
    let d = w
        .app
        .ok(Some(token), LIST, json!({"f": filter, "n": 50}))
        .await;
    let mut out: Vec<String> = d["informatizationObjects"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["shortName"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn filters_sorting_statistics_and_history(backend: Backend) {
    let w = world(backend).await;
    let (app, analyst) = (&w.app, w.analyst.as_str());
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();

    // Filters, one at a time and combined.
    assert_eq!(
        shorts(&w, analyst, json!({"text": "жұлдыз"})).await,
        s(&["ЖҰЛДЫЗ"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"text": "ИНФОРМАЦИОННАЯ система al"})).await,
        s(&["ALPHA"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"text": "ақпараттық"}))
            .await
            .len(),
        4
    );
    assert_eq!(
        shorts(&w, analyst, json!({"text": "100%_"})).await,
        Vec::<String>::new()
    );
    assert_eq!(
        shorts(&w, analyst, json!({"organizationId": w.org_b})).await,
        s(&["ЖҰЛДЫЗ"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"kinds": ["INTERNET_RESOURCE"]})).await,
        s(&["DELTA"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"registrationStatuses": ["REGISTERED"]})).await,
        s(&["ALPHA", "BRAVO"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"accountingCodePrefix": "io-2025-"})).await,
        s(&["ALPHA", "BRAVO"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"accountingCodePrefix": "IO-2024-"})).await,
        Vec::<String>::new()
    );
    let t1 = w.t1.to_rfc3339();
    assert_eq!(
        shorts(&w, analyst, json!({"registeredFrom": t1})).await,
        s(&["BRAVO"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"registeredTo": t1})).await,
        s(&["ALPHA"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"updatedTo": (w.t0 + Duration::hours(1)).to_rfc3339(), "organizationId": w.org_b})).await,
        s(&["ЖҰЛДЫЗ"])
    );
    assert_eq!(
        shorts(
            &w,
            analyst,
            json!({"updatedFrom": t1, "organizationId": w.org_b})
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        shorts(&w, analyst, json!({"overdueReview": true})).await,
        s(&["DELTA"])
    );
    assert_eq!(
        shorts(&w, analyst, json!({"overdueUpdate": true})).await,
        s(&["ALPHA"])
    );
    assert_eq!(
        shorts(
            &w,
            analyst,
            json!({"overdueUpdate": false, "containsPersonalData": true})
        )
        .await,
        s(&["ЖҰЛДЫЗ"])
    );
    // Owners see only their organization's, whatever the filter says.
    assert_eq!(
        shorts(&w, &w.owner_b, json!({"organizationId": w.org_a})).await,
        Vec::<String>::new()
    );
    assert_eq!(shorts(&w, &w.owner_b, json!({})).await, s(&["ЖҰЛДЫЗ"]));

    // Sorted paging, one item a page, both directions: the same order as one big page.
    for (field, dir, expected) in [
        (
            "SHORT_NAME",
            "ASC",
            s(&["ALPHA", "BRAVO", "DELTA", "ЖҰЛДЫЗ"]),
        ),
        (
            "SHORT_NAME",
            "DESC",
            s(&["ЖҰЛДЫЗ", "DELTA", "BRAVO", "ALPHA"]),
        ),
        (
            "UPDATED_AT",
            "DESC",
            s(&["ALPHA", "BRAVO", "DELTA", "ЖҰЛДЫЗ"]),
        ),
        ("CREATED", "ASC", s(&["ALPHA", "BRAVO", "DELTA", "ЖҰЛДЫЗ"])),
    ] {
        let order = json!({"field": field, "direction": dir});
        let mut after: Option<String> = None;
        let mut seen = vec![];
        loop {
            let d = app
                .ok(Some(analyst), LIST, json!({"o": order, "n": 1, "a": after}))
                .await;
            let c = &d["informatizationObjects"];
            assert_eq!(c["totalCount"], 4);
            for e in c["edges"].as_array().unwrap() {
                seen.push(e["node"]["shortName"].as_str().unwrap().to_owned());
            }
            if c["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        if field == "UPDATED_AT" {
            // ALPHA changed last; the rest in any stable order after it.
            assert_eq!(seen[0], "ALPHA", "{field} {dir}: {seen:?}");
            assert_eq!(seen.len(), 4);
        } else {
            assert_eq!(seen, expected, "{field} {dir}");
        }
    }
    // A cursor of one order is refused by another.
    let d = app
        .ok(
            Some(analyst),
            LIST,
            json!({"o": {"field": "SHORT_NAME"}, "n": 1}),
        )
        .await;
    let cursor = d["informatizationObjects"]["pageInfo"]["endCursor"].clone();
    let body = app
        .gql(
            Some(analyst),
            LIST,
            json!({"o": {"field": "NAME_RU"}, "n": 1, "a": cursor}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    let body = app
        .gql(
            Some(analyst),
            LIST,
            json!({"n": 1, "a": "bm90LWEtY3Vyc29y"}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");

    // Statistics, from the story above.
    let st = app
        .ok(
            Some(analyst),
            "{ statistics { totalObjects
                objectsByStage { code count } objectsByKind { code count }
                objectsByOrganization { count organization { nameRu } }
                objectsByRegistrationStatus { code count }
                registrationsPerMonth { month count }
                reviewSla { onTime late overduePending medianWorkingDays p90WorkingDays }
                overdueUpdates servicesByGateway { code count } servicesByStatus { code count } } }",
            json!({}),
        )
        .await;
    let st = &st["statistics"];
    assert_eq!(st["totalObjects"], 4);
    assert_eq!(
        st["objectsByStage"],
        json!([{"code": "INDUSTRIAL_OPERATION", "count": 4}])
    );
    assert_eq!(
        st["objectsByKind"],
        json!([{"code": "INFORMATION_SYSTEM", "count": 3}, {"code": "INTERNET_RESOURCE", "count": 1}])
    );
    assert_eq!(
        st["objectsByOrganization"],
        json!([{"count": 3, "organization": {"nameRu": "Министерство А"}}, {"count": 1, "organization": {"nameRu": "Министерство Б"}}])
    );
    assert_eq!(
        st["objectsByRegistrationStatus"],
        json!([{"code": "DRAFT", "count": 1}, {"code": "REGISTERED", "count": 2}, {"code": "SUBMITTED", "count": 1}])
    );
    assert_eq!(
        st["registrationsPerMonth"],
        json!([{"month": "2025-03", "count": 2}])
    );
    // 3 → 17 March 2025: ten weekdays, less the 10 March holiday (Women's Day moved from Saturday 8 March).
    let late_days = app
        .ok(
            None,
            "{ a: addWorkingDays(from:\"2025-03-03\", days:8) }",
            json!({}),
        )
        .await;
    assert_eq!(
        late_days["a"], "2025-03-14",
        "the calendar the expected values assume"
    );
    assert_eq!(
        st["reviewSla"],
        json!({"onTime": 1, "late": 1, "overduePending": 1, "medianWorkingDays": 4.5, "p90WorkingDays": 9.0})
    );
    assert_eq!(st["overdueUpdates"], 1);
    assert_eq!(st["servicesByGateway"], json!([]));
    // An owner's statistics cover only its organization.
    let own = app
        .ok(
            Some(&w.owner_b),
            "{ statistics { totalObjects reviewSla { onTime late } } }",
            json!({}),
        )
        .await;
    assert_eq!(own["statistics"]["totalObjects"], 1);
    assert_eq!(
        own["statistics"]["reviewSla"],
        json!({"onTime": 0, "late": 0})
    );

    // The object as it was.
    let asof = "query($id:ID!,$at:DateTime){ informatizationObject(id:$id, asOf:$at){ shortName purpose version registrationStatus accountingCode } }";
    let alpha = &w.ids[0];
    let now = app.ok(Some(analyst), asof, json!({"id": alpha})).await;
    let now = &now["informatizationObject"];
    assert_eq!(now["purpose"], "Жаңартылған мақсат");
    let before = app
        .ok(
            Some(analyst),
            asof,
            json!({"id": alpha, "at": (w.t0 - Duration::seconds(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(before["informatizationObject"], Value::Null);
    let then = app
        .ok(
            Some(analyst),
            asof,
            json!({"id": alpha, "at": (w.t0 + Duration::days(1)).to_rfc3339()}),
        )
        .await;
    let then = &then["informatizationObject"];
    assert_eq!(then["shortName"], "ALPHA");
    assert_eq!(then["purpose"], "Мемлекеттік қызметтерді автоматтандыру");
    assert_eq!(then["registrationStatus"], "REGISTERED");
    assert_eq!(then["accountingCode"], now["accountingCode"]);
    assert!(then["version"].as_i64().unwrap() < now["version"].as_i64().unwrap());
    let bravo = app
        .ok(
            Some(analyst),
            asof,
            json!({"id": w.ids[1], "at": (w.t0 + Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(
        bravo["informatizationObject"]["registrationStatus"],
        "SUBMITTED"
    );
    assert_eq!(
        bravo["informatizationObject"]["accountingCode"],
        Value::Null
    );
    // Another organization's object stays hidden, in the past too.
    let body = app
        .gql(
            Some(&w.owner_b),
            asof,
            json!({"id": alpha, "at": w.t1.to_rfc3339()}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");

    // Current documents per Annex 1 kind: ALPHA, BRAVO and DELTA hold a pair
    // of every kind their stage requires; ЖҰЛДЫЗ gets one kind twice, and only
    // the newer version counts.
    let required = required_kinds(LifeCycleStage::IndustrialOperation);
    let extra = required[0];
    for _ in 0..2 {
        let (status, body) = app.upload_pair(&w.owner_b, &w.ids[3], extra).await;
        assert!(status.is_success(), "{status} {body:#}");
    }
    let by_kind = "query($f:InformatizationObjectFilter){ statistics(filter:$f) { documentsByKind { code count } } }";
    let d = app.ok(Some(analyst), by_kind, json!({})).await;
    let mut expected: Vec<(String, u64)> = required
        .iter()
        .map(|k| (k.code().to_owned(), if *k == extra { 4 } else { 3 }))
        .collect();
    expected.sort();
    let got: Vec<(String, u64)> = d["statistics"]["documentsByKind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected, "{d:#}");
    // Filtered to organization B (and, for owner B, by its scope): ЖҰЛДЫЗ's one.
    let only_b = json!([{"code": extra.code(), "count": 1}]);
    let d = app
        .ok(
            Some(analyst),
            by_kind,
            json!({"f": {"organizationId": w.org_b}}),
        )
        .await;
    assert_eq!(d["statistics"]["documentsByKind"], only_b, "{d:#}");
    let d = app.ok(Some(&w.owner_b), by_kind, json!({})).await;
    assert_eq!(d["statistics"]["documentsByKind"], only_b, "{d:#}");
    let _ = (&w.owner_a, &w.ids[2], &w.ids[3]);
    w.app.finish().await;
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn exports(backend: Backend) {
    let w = world(backend).await;
    let (app, analyst) = (&w.app, w.analyst.as_str());

    let resp = get(app, Some(analyst), "/api/export/objects.csv").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = resp.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("id,accountingCode,kind,nameKk,nameRu,shortName,stage"));
    assert_eq!(lines.len(), 5, "{text}");
    assert!(text.contains("ЖҰЛДЫЗ ақпараттық жүйесі"));
    assert!(text.contains("Министерство А"));
    assert!(text.contains(&bin("24014000001")));

    // The same filters as the list.
    let resp = get(
        app,
        Some(analyst),
        "/api/export/objects.csv?registrationStatuses=REGISTERED&text=alp",
    )
    .await;
    let text = resp.text().await.unwrap();
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[1].contains(",ALPHA,"));
    assert!(rows[1].contains("IO-2025-"));

    // Owners export only their organization's.
    let text = get(app, Some(&w.owner_b), "/api/export/objects.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 2);
    assert!(text.contains("ЖҰЛДЫЗ"));

    // Authorization and input errors are typed.
    let resp = get(app, None, "/api/export/objects.csv").await;
    assert_eq!(resp.status(), 401);
    assert_eq!(code(&resp.json().await.unwrap()), "UNAUTHENTICATED");
    let resp = get(app, Some("not-a-token"), "/api/export/objects.csv").await;
    assert_eq!(resp.status(), 401);
    let resp = get(app, Some(analyst), "/api/export/objects.csv?stages=NOPE").await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "INVALID_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "stages");
    assert_eq!(
        get(app, Some(analyst), "/api/export/objects.pdf")
            .await
            .status(),
        404
    );

    // XLSX: a zip whose sheet holds the rows.
    let resp = get(
        app,
        Some(analyst),
        "/api/export/objects.xlsx?organizationId="
            .to_owned()
            .as_str(),
    )
    .await;
    assert_eq!(resp.status(), 400, "an empty id is not an id");
    let resp = get(
        app,
        Some(analyst),
        &format!("/api/export/objects.xlsx?organizationId={}", w.org_a),
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
    assert_eq!(
        sheet.matches("<row>").count(),
        4,
        "header and three objects"
    );
    assert!(sheet.contains("Информационная система DELTA"));
    assert!(!sheet.contains("ЖҰЛДЫЗ"));
    assert!(zip.by_name("[Content_Types].xml").is_ok());

    // Services: the header at least, with the same authorization.
    let resp = get(app, Some(analyst), "/api/export/services.csv?gateways=EGG").await;
    assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    let resp = get(app, None, "/api/export/services.xlsx").await;
    assert_eq!(resp.status(), 401);
    let _ = (&w.org_b, &w.owner_a);
    w.app.finish().await;
}

/// Anonymous visitors find registered objects (ALPHA, BRAVO) with their
/// public fields only, never the submitted DELTA nor the draft ЖҰЛДЫЗ, and the
/// facet counts count the registered ones alone.
async fn anonymous_search_sees_registered_objects_only(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    archportal_api::search::run_once(app.state()).await.unwrap();
    let q = "query($q:String!,$f:SearchFilterInput){ search(query:$q, filter:$f){ totalCount
        hits { kind highlights { field } object { id } publicObject { shortName nameKk kind stage accountingCode organizationNameRu } }
        facets { name values { value count } } } }";
    let d = app.ok(None, q, json!({"q": "ақпараттық жүйесі"})).await;
    let s = &d["search"];
    assert_eq!(s["totalCount"], 2, "{d:#}");
    let mut shorts: Vec<&str> = s["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["publicObject"]["shortName"].as_str().unwrap())
        .collect();
    shorts.sort_unstable();
    assert_eq!(shorts, ["ALPHA", "BRAVO"], "{d:#}");
    for h in s["hits"].as_array().unwrap() {
        assert_eq!(h["kind"], "OBJECT");
        assert!(h["object"].is_null(), "full object hidden: {h:#}");
        let p = &h["publicObject"];
        assert!(
            p["accountingCode"].as_str().is_some_and(|c| !c.is_empty()),
            "{h:#}"
        );
        assert_eq!(p["organizationNameRu"], "Министерство А");
        assert_eq!(p["stage"], "INDUSTRIAL_OPERATION");
        for hl in h["highlights"].as_array().unwrap() {
            assert!(
                ["titleKk", "titleRu", "shortName", "code"]
                    .contains(&hl["field"].as_str().unwrap()),
                "{h:#}"
            );
        }
    }
    let counts = |name: &str| -> Vec<(String, u64)> {
        s["facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| {
                f["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| {
                        (
                            v["value"].as_str().unwrap().to_owned(),
                            v["count"].as_u64().unwrap(),
                        )
                    })
                    .filter(|(_, n)| *n > 0)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(counts("registrationStatus"), [("REGISTERED".to_owned(), 2)]);
    assert_eq!(counts("objectKind"), [("INFORMATION_SYSTEM".to_owned(), 2)]);
    // Asking for drafts or submitted objects explicitly finds nothing.
    let d = app
        .ok(
            None,
            q,
            json!({"q": "ақпараттық", "f": {"registrationStatuses": ["DRAFT", "SUBMITTED"]}}),
        )
        .await;
    assert_eq!(d["search"]["totalCount"], 0, "{d:#}");
    let d = app.ok(None, q, json!({"q": "DELTA"})).await;
    assert_eq!(d["search"]["totalCount"], 0, "{d:#}");
    let d = app.ok(None, q, json!({"q": "ЖҰЛДЫЗ"})).await;
    assert_eq!(d["search"]["totalCount"], 0, "{d:#}");
    // Signed in, an analyst sees all four with the full object.
    let d = app
        .ok(Some(&w.analyst), q, json!({"q": "ақпараттық жүйесі"}))
        .await;
    assert_eq!(d["search"]["totalCount"], 4, "{d:#}");
    assert!(d["search"]["hits"][0]["object"]["id"].is_string(), "{d:#}");
    w.app.finish().await;
}

both!(
    filters_sorting_statistics_and_history,
    exports,
    anonymous_search_sees_registered_objects_only
);

/// `archportal demo seed`: consistent data (every registered object has a
/// code, statistics add up), the same seed gives the same data, and the
/// invented history's notifications are discarded, not left to be sent.
async fn demo_seed(backend: Backend) {
    use archportal_api::demo::{SeedSize, seed};
    let size = SeedSize {
        organizations: 4,
        objects: 40,
        services: 6,
        seed: 7,
    };
    let mut figures = vec![];
    for _ in 0..2 {
        // The mail dispatcher makes its first pass at start-up, then waits
        // an hour: what the seed leaves in the outbox stays there to be seen.
        let app = TestApp::spawn_with(backend, |c| {
            c.notifications.poll_interval_ms = 3_600_000;
        })
        .await;
        let s = seed(app.config.clone(), size).await.unwrap();
        assert_eq!((s.organizations, s.objects, s.services), (4, 40, 6));
        assert!(
            s.discarded_mail >= s.registered as u64,
            "a registration notice at least per registered object: {} < {}",
            s.discarded_mail,
            s.registered
        );
        let left = archportal_storage::outbox::all(&app.state().db, 10)
            .await
            .unwrap();
        assert!(left.is_empty(), "mail left to send: {left:#?}");
        let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
        let st = app
            .ok(
                Some(&admin),
                "{ statistics { totalObjects objectsByStage { code count } objectsByKind { code count }
                    objectsByRegistrationStatus { code count } reviewSla { onTime late }
                    servicesByGateway { code count } } }",
                json!({}),
            )
            .await;
        let registered = app
            .ok(
                Some(&admin),
                "{ informatizationObjects(first: 100, filter: {registrationStatuses: [REGISTERED]}) { totalCount edges { node { accountingCode organization { bin } } } } }",
                json!({}),
            )
            .await;
        let c = &registered["informatizationObjects"];
        assert_eq!(c["totalCount"], s.registered as u64);
        for e in c["edges"].as_array().unwrap() {
            assert!(
                e["node"]["accountingCode"]
                    .as_str()
                    .unwrap()
                    .starts_with("IO-")
            );
            assert_eq!(e["node"]["organization"]["bin"].as_str().unwrap().len(), 12);
        }
        assert_eq!(st["statistics"]["totalObjects"], 40);
        figures.push(st);
        // A second seed into the same database is refused.
        assert!(seed(app.config.clone(), size).await.is_err());
        app.finish().await;
    }
    assert_eq!(figures[0], figures[1], "the same seed gives the same data");
}

both!(demo_seed);

/// The per-organization object counts the triggers keep (and that answer an
/// unfiltered `totalCount`) follow every way objects come and go: creation,
/// concurrent creation in one organization, archiving, a change of
/// organization and a deletion; the migration fills them from the objects
/// already there; every total read from them equals the objects listed.
async fn object_counts_follow_the_objects(backend: Backend) {
    use crate::support::assert_object_counts_consistent;
    use archportal_migrations::{Migrator, MigratorTrait as _};
    use sea_orm::{ConnectionTrait as _, Statement};

    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let (orgs, owners) = app.orgs_with_owners(&admin, 3).await;
    let analyst = app
        .create_user(&admin, "analyst@gov.kz", "ANALYST", None)
        .await;
    // Twelve objects of organization 0 created at once, five of organization 1 one by one.
    let names: Vec<String> = (0..12).map(|i| format!("A-{i}")).collect();
    let a: Vec<String> =
        futures::future::join_all(names.iter().map(|n| app.create_object(&owners[0], n))).await;
    let mut b = vec![];
    for i in 0..5 {
        b.push(app.create_object(&owners[1], &format!("B-{i}")).await);
    }
    let archive = "mutation($i:ArchiveInformatizationObjectInput!){ archiveInformatizationObject(input:$i){ informatizationObject { archived } } }";
    for (owner, id) in [
        (&owners[0], &a[0]),
        (&owners[0], &a[1]),
        (&owners[0], &a[2]),
        (&owners[1], &b[0]),
    ] {
        app.ok(Some(owner), archive, json!({"i": {"id": id}})).await;
    }
    let db = app.state().db.conn();
    let figures = assert_object_counts_consistent(db).await;
    assert_eq!(
        figures
            .values()
            .copied()
            .collect::<Vec<_>>()
            .iter()
            .map(|(l, a)| l + a)
            .sum::<i64>(),
        17
    );

    // No writer of the registry does these; the triggers cover them anyway.
    let b_ = db.get_database_backend();
    let p = if backend == Backend::Postgres {
        "$1"
    } else {
        "?"
    };
    let uuid = |s: &str| sea_orm::Value::from(uuid::Uuid::parse_str(s).unwrap());
    db.execute_raw(Statement::from_sql_and_values(
        b_,
        format!(
            "UPDATE informatization_objects SET organization_id = {p} WHERE id = {}",
            if p == "?" { "?" } else { "$2" }
        ),
        [uuid(&orgs[2]), uuid(&b[1])],
    ))
    .await
    .unwrap();
    for table in [
        "object_stages",
        "object_versions",
        "informatization_objects",
    ] {
        let col = if table == "informatization_objects" {
            "id"
        } else {
            "object_id"
        };
        db.execute_raw(Statement::from_sql_and_values(
            b_,
            format!("DELETE FROM {table} WHERE {col} = {p}"),
            [uuid(&a[3])],
        ))
        .await
        .unwrap();
    }
    let figures = assert_object_counts_consistent(db).await;
    assert_eq!(figures.len(), 3, "{figures:?}");

    // Every total the counters answer equals what the list holds.
    let count = |token: String, filter: Value| {
        let app = &app;
        async move {
            let d = app
                .ok(
                    Some(&token),
                    "query($f:InformatizationObjectFilter){ informatizationObjects(filter:$f, first: 100) { totalCount edges { node { id } } } }",
                    json!({"f": filter}),
                )
                .await;
            let c = &d["informatizationObjects"];
            let listed = c["edges"].as_array().unwrap().len() as u64;
            assert_eq!(c["totalCount"], listed, "{filter}");
            listed
        }
    };
    let cases = [
        (&analyst, json!({}), 12),
        (&analyst, json!({"includeArchived": true}), 16),
        (&analyst, json!({"text": "  "}), 12),
        (&analyst, json!({"organizationId": orgs[0]}), 8),
        (
            &analyst,
            json!({"organizationId": orgs[0], "includeArchived": true}),
            11,
        ),
        (&analyst, json!({"organizationId": orgs[2]}), 1),
        (&owners[0], json!({}), 8),
        (&owners[0], json!({"includeArchived": true}), 11),
        (&owners[0], json!({"organizationId": orgs[0]}), 8),
        (&owners[0], json!({"organizationId": orgs[1]}), 0),
        (&owners[1], json!({}), 3),
        // Not answered by the counters: a scan, and the same figures.
        (&analyst, json!({"text": "A-"}), 8),
        (
            &analyst,
            json!({"kinds": ["INFORMATION_SYSTEM"], "includeArchived": true}),
            16,
        ),
    ];
    for (token, filter, expected) in &cases {
        assert_eq!(
            count((*token).clone(), filter.clone()).await,
            *expected,
            "{filter}"
        );
    }

    // Down and up again: the migration refills the counters from the objects.
    Migrator::down(db, Some(1)).await.unwrap();
    let gone = db
        .query_all_raw(Statement::from_string(
            b_,
            "SELECT organization_id FROM object_counts",
        ))
        .await;
    assert!(gone.is_err(), "the table is dropped");
    app.create_object(&owners[1], "B-without-counters").await;
    Migrator::up(db, None).await.unwrap();
    let refilled = assert_object_counts_consistent(db).await;
    assert_eq!(refilled.len(), 3);
    assert_eq!(count(analyst.clone(), json!({})).await, 13);
    app.create_object(&owners[1], "B-after").await;
    assert_object_counts_consistent(db).await;
    assert_eq!(count(owners[1].clone(), json!({})).await, 5);
    app.finish().await;
}

both!(object_counts_follow_the_objects);

/// On PostgreSQL the objects table is vacuumed after 2 % of its rows have
/// changed, not the default 20 %, so that the live-objects count of every
/// list stays an index-only scan (migration `m20261122_210000`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_table_is_vacuumed_early_on_postgres() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn(Backend::Postgres).await;
    let row = app
        .state()
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT array_to_string(reloptions, ',') AS o FROM pg_class \
             WHERE relname = 'informatization_objects' AND relkind = 'r'",
        ))
        .await
        .unwrap()
        .expect("the objects table");
    let options: String = row.try_get("", "o").unwrap();
    assert_eq!(
        options,
        "autovacuum_vacuum_scale_factor=0.02,autovacuum_vacuum_insert_scale_factor=0.02,\
         autovacuum_analyze_scale_factor=0.02"
    );
    app.finish().await;
}
