//! Cross-organization reads (issue 7, ASVS 4.2.1): signed in as the owner of
//! organization B, every GraphQL field and file endpoint that can return
//! organization A's data is asked for it by A's ids; each answer is a
//! refusal or holds nothing of A (none of A's ids, names, e-mails or texts).
//! Positive controls: the same probes as A's owner do return A's data, so
//! an empty answer to B is the scope at work, not a broken query.

use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestApp, bin};
use archportal_domain::object::LifeCycleStage;

/// Asserts `body` is a refusal or carries none of `markers`.
fn nothing_of_a(what: &str, body: &Value, markers: &[String]) {
    let text = body.to_string();
    for m in markers {
        assert!(
            !text.contains(m.as_str()),
            "{what}: owner B got A's {m:?}: {body:#}"
        );
    }
    if body.get("errors").is_some() {
        let code = body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("none");
        assert!(
            matches!(code, "FORBIDDEN" | "NOT_FOUND"),
            "{what}: unexpected refusal {code}: {body:#}"
        );
    }
}

async fn owner_b_reads_nothing_of_a(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.notifications.poll_interval_ms = 50;
        c.limits.rate_burst = 10_000;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org_a = app
        .create_org(&admin, &bin("24014000001"), "Организация Альфа")
        .await;
    let org_b = app
        .create_org(&admin, &bin("24014000004"), "Организация Бета")
        .await;
    let owner_a = app
        .create_user(&admin, "owner-alpha@gov.kz", "OWNER", Some(&org_a))
        .await;
    let owner_b = app
        .create_user(&admin, "owner-beta@gov.kz", "OWNER", Some(&org_b))
        .await;
    let integrator = app
        .create_user(&admin, "integrator@gov.kz", "INTEGRATOR", None)
        .await;
    let operator = app
        .create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;
    // A's registry: an object with a service, one with documents under
    // review returned with remarks, an integration request, a pending
    // account request from A's BIN.
    let object_a = app.create_object(&owner_a, "АЛЬФА-1").await;
    app.ok(Some(&operator), crate::services::REGISTER, json!({"i": {"objectId": object_a, "service": crate::services::service_input("SVC_ALPHA", "тест")}}))
        .await;
    let reviewed_a = app.create_object(&owner_a, "АЛЬФА-2").await;
    app.upload_required(&owner_a, &reviewed_a, LifeCycleStage::Creation, &[])
        .await;
    app.ok(
        Some(&owner_a),
        "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { kind } } }",
        json!({"id": reviewed_a}),
    )
    .await;
    app.ok(
        Some(&integrator),
        "mutation($id:ID!){ takeReview(objectId:$id){ review { id } } }",
        json!({"id": reviewed_a}),
    )
    .await;
    app.ok(
        Some(&integrator),
        "mutation($id:ID!){ returnInformatizationObject(id:$id, remarks:[{field:\"purpose\", text:\"АльфаЕскерту\"}]){ review { decision } } }",
        json!({"id": reviewed_a}),
    )
    .await;
    let docs = app
        .ok(
            Some(&owner_a),
            "query($id:ID!){ informatizationObject(id:$id){ documents { id pdf { downloadUrl sha256 } docx { downloadUrl } } reviews { id } } }",
            json!({"id": reviewed_a}),
        )
        .await;
    let doc = &docs["informatizationObject"]["documents"][0];
    let doc_id = doc["id"].as_str().unwrap().to_owned();
    let pdf_url = doc["pdf"]["downloadUrl"].as_str().unwrap().to_owned();
    let docx_url = doc["docx"]["downloadUrl"].as_str().unwrap().to_owned();
    let pdf_sha = doc["pdf"]["sha256"].as_str().unwrap().to_owned();
    let review_id = docs["informatizationObject"]["reviews"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ir = app
        .ok(Some(&owner_a), "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { id } } }",
            json!({"i": {"serviceId": "SVC_ALPHA", "consumerObjectId": object_a, "basisLink": "https://adilet.zan.kz/rus/docs/V1600013335", "systemAddress": "10.0.0.7", "purpose": "АльфаМақсат"}}))
        .await;
    let ir_id = ir["fileIntegrationRequest"]["integrationRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        None,
        "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id } } }",
        json!({"i": {"bin": bin("24014000001"), "organizationNameKk": "Альфа", "organizationNameRu": "Организация Альфа",
            "organizationKind": "STATE_BODY", "fullName": "Альфа Өтініш", "position": "Маман",
            "email": "applicant-alpha@gov.kz", "phone": "+7 (7172) 00-00-00", "basis": "Бұйрық № 1", "language": "RU"}}),
    )
    .await;
    archportal_api::search::run_once(app.state()).await.unwrap();
    // B has its own object, so lists are not trivially empty.
    let object_b = app.create_object(&owner_b, "БЕТА-1").await;
    archportal_api::search::run_once(app.state()).await.unwrap();

    let markers: Vec<String> = [
        org_a.as_str(),
        object_a.as_str(),
        reviewed_a.as_str(),
        "АЛЬФА",
        "owner-alpha@gov.kz",
        "applicant-alpha@gov.kz",
        "АльфаЕскерту",
        "АльфаМақсат",
        doc_id.as_str(),
        pdf_sha.as_str(),
        review_id.as_str(),
        ir_id.as_str(),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let obj_fields = "id organization { id nameRu bin } nameRu shortName purpose changeSet { field } updateRemarks { text } reviews { id remarks { text } } documents(includeSuperseded: true) { id pdf { downloadUrl sha256 fileName } } services { serviceId nameRu } history { totalCount edges { node { version changes { field } } } } createdBy { fullName }";
    let probes: Vec<(&str, String, Value)> = vec![
        ("organization(A)", "query($id:ID!){ organization(id:$id){ id bin nameRu } }".into(), json!({"id": org_a})),
        ("users(A)", "query($id:ID){ users(organizationId:$id, first:100){ totalCount edges { node { id email fullName } } } }".into(), json!({"id": org_a})),
        ("users", "query{ users(first:100){ totalCount edges { node { id email fullName } } } }".into(), json!({})),
        ("informatizationObject(A)", format!("query($id:ID!){{ informatizationObject(id:$id){{ {obj_fields} }} }}"), json!({"id": object_a})),
        ("informatizationObject(A, reviewed)", format!("query($id:ID!){{ informatizationObject(id:$id){{ {obj_fields} }} }}"), json!({"id": reviewed_a})),
        ("informatizationObject(A, asOf)", format!("query($id:ID!){{ informatizationObject(id:$id, asOf:\"2100-01-01T00:00:00Z\"){{ {obj_fields} }} }}"), json!({"id": object_a})),
        ("informatizationObjects", format!("query{{ informatizationObjects(first:100, filter:{{includeArchived:true}}){{ totalCount edges {{ node {{ {obj_fields} }} }} }} }}"), json!({})),
        ("informatizationObjects(org A)", "query($id:ID){ informatizationObjects(first:100, filter:{organizationId:$id}){ totalCount edges { node { id nameRu } } } }".into(), json!({"id": org_a})),
        ("submissionReadiness(A)", "query($id:ID!){ submissionReadiness(objectId:$id){ ready } }".into(), json!({"id": reviewed_a})),
        ("reviewQueue", "query{ reviewQueue(first:100){ id informatizationObject { id nameRu } remarks { text } } }".into(), json!({})),
        ("overdueUpdates", "query{ overdueUpdates { id nameRu } }".into(), json!({})),
        ("search", "query{ search(query:\"АЛЬФА\", first:50){ totalCount hits { object { id nameRu } service { serviceId object { id nameRu } organization { id } } } facets { name values { value count } } } }".into(), json!({})),
        ("search (purpose)", "query{ search(query:\"Мемлекеттік қызметтерді\", first:50){ totalCount hits { object { id nameRu } } } }".into(), json!({})),
        ("services", "query{ services(first:100){ edges { node { serviceId object { id nameRu purpose } } } } }".into(), json!({})),
        ("service(SVC_ALPHA).object", "query{ service(serviceId:\"SVC_ALPHA\"){ object { id nameRu documents { id } reviews { id } } } }".into(), json!({})),
        ("integrationRequest(A)", "query($id:ID!){ integrationRequest(id:$id){ id purpose consumerObjectName } }".into(), json!({"id": ir_id})),
        ("accountRequests", "query{ accountRequests(first:100){ edges { node { email fullName } } } }".into(), json!({})),
        ("statistics(A)", "query($id:ID){ statistics(filter:{organizationId:$id}){ totalObjects objectsByOrganization { organizationId organization { id nameRu } count } objectsByStage { code count } } }".into(), json!({"id": org_a})),
        ("statistics", "query{ statistics { totalObjects objectsByOrganization { organizationId organization { id nameRu } count } } }".into(), json!({})),
    ];
    let mut report = String::new();
    for (what, query, vars) in &probes {
        let body = app.gql(Some(&owner_b), query, vars.clone()).await;
        report.push_str(&format!("{what}: {body}\n"));
        nothing_of_a(what, &body, &markers);
    }
    eprintln!("{report}");
    // Controls: A's owner gets A's data from the same kind of probes.
    for (what, query, vars) in &probes {
        if !matches!(
            *what,
            "informatizationObject(A)"
                | "informatizationObjects"
                | "search"
                | "services"
                | "integrationRequest(A)"
                | "statistics(A)"
        ) {
            continue;
        }
        let body = app.gql(Some(&owner_a), query, vars.clone()).await;
        assert!(body.get("errors").is_none(), "{what} as A: {body:#}");
        let text = body.to_string();
        assert!(
            text.contains(&object_a)
                || text.contains(&ir_id)
                || text.contains("\"totalObjects\":2"),
            "{what} as A shows A's data: {body:#}"
        );
    }
    // The same lists do show B its own object (the probes are not vacuous).
    let own = app
        .ok(
            Some(&owner_b),
            "query{ informatizationObjects(first:100){ edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(own.to_string().contains(&object_b), "{own:#}");
    // Files: A's document downloads and exports.
    for url in [&pdf_url, &docx_url] {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}{url}", app.base)
        };
        let res = app
            .client
            .get(url)
            .bearer_auth(&owner_b)
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == 403 || res.status() == 404,
            "download as B: {}",
            res.status()
        );
        nothing_of_a("download", &json!(res.text().await.unwrap()), &markers);
    }
    for export in [
        format!("objects.csv?organizationId={org_a}"),
        "objects.csv".into(),
        "services.csv".into(),
    ] {
        let res = app
            .client
            .get(format!("{}/api/export/{export}", app.base))
            .bearer_auth(&owner_b)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(
            status.is_success() || status == 403,
            "{export}: {status} {text}"
        );
        nothing_of_a(&export, &json!(text), &markers);
    }
    app.finish().await;
}

both!(owner_b_reads_nothing_of_a);
