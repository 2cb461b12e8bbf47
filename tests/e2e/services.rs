//! The service registry: registration by the operator, validation, the
//! status life cycle, visibility, facets, and the import command.

use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestApp, bin, code};

pub const REGISTER: &str = "mutation($i:RegisterServiceInput!){ registerService(input:$i){ service { id serviceId status rowVersion organization { id } object { id } specification { format } } } }";
const UPDATE: &str = "mutation($i:UpdateServiceInput!){ updateService(input:$i){ service { status rowVersion productionAddress } } }";
const WSDL: &str = r#"<?xml version="1.0"?><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" name="PersonInfo"/>"#;

pub fn service_input(service_id: &str, name: &str) -> Value {
    json!({
        "serviceId": service_id,
        "nameKk": format!("{name} туралы мәліметтер"),
        "nameRu": format!("Сведения о {name}"),
        "description": format!("Мемлекеттік дерекқордан {name} туралы мәліметтер беру"),
        "gateway": "EGG",
        "protocol": "SOAP",
        "interaction": "SYNCHRONOUS",
        "version": "1.0",
        "personalData": true,
        "testAddress": "https://test.shep.gov.kz/bip-sync/",
    })
}

async fn register_validate_and_publish(backend: Backend) {
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
    let object = app.create_object(&owner_a, "ГБД ФЛ").await;

    let data = app
        .ok(Some(&operator), REGISTER, json!({"i": {"objectId": object, "service": service_input("GBDFL_PersonInfo", "жеке тұлғалар"), "specification": {"format": "WSDL", "content": WSDL}}}))
        .await;
    let s = &data["registerService"]["service"];
    assert_eq!(
        (
            s["serviceId"].as_str(),
            s["status"].as_str(),
            s["rowVersion"].as_i64()
        ),
        (Some("GBDFL_PersonInfo"), Some("IN_TESTING"), Some(1))
    );
    assert_eq!(
        s["organization"]["id"],
        org_a.as_str(),
        "the owner is the providing object's organization"
    );
    assert_eq!(s["specification"]["format"], "WSDL");
    let id = s["id"].as_str().unwrap().to_owned();

    // Bad input: each refused with its field, nothing stored.
    let cases: [(Value, &str, &str); 6] = [
        (
            json!({"objectId": object, "service": service_input("GBDFL_PersonInfo", "x")}),
            "CONFLICT",
            "serviceId",
        ),
        (
            json!({"objectId": object, "service": service_input("1bad id", "x")}),
            "INVALID_INPUT",
            "serviceId",
        ),
        (
            json!({"objectId": object, "service": with(service_input("P_SVC", "x"), "status", json!("IN_PRODUCTION"))}),
            "INVALID_INPUT",
            "productionAddress",
        ),
        (
            json!({"objectId": object, "service": service_input("S_SVC", "x"), "specification": {"format": "OPENAPI", "content": "{\"openapi\":\"3.0.0\"}"}}),
            "INVALID_INPUT",
            "specificationFormat",
        ),
        (
            json!({"objectId": object, "service": service_input("W_SVC", "x"), "specification": {"format": "WSDL", "content": "<html/>"}}),
            "INVALID_INPUT",
            "specification",
        ),
        (
            json!({"objectId": uuid::Uuid::now_v7().to_string(), "service": service_input("O_SVC", "x")}),
            "INVALID_INPUT",
            "objectId",
        ),
    ];
    for (input, expected, field) in cases {
        let body = app
            .gql(Some(&operator), REGISTER, json!({"i": input}))
            .await;
        assert_eq!(
            (
                code(&body),
                body["errors"][0]["extensions"]["field"].as_str()
            ),
            (expected, Some(field)),
            "{body}"
        );
    }
    let all = app
        .ok(Some(&operator), "{ services { totalCount } }", json!({}))
        .await;
    assert_eq!(
        all["services"]["totalCount"], 1,
        "refused registrations stored nothing"
    );

    // Owner B does not see A's service while it is in testing; owner A does.
    let q = "query($s:String!){ service(serviceId:$s){ serviceId object { id } } }";
    assert_eq!(
        app.ok(Some(&owner_b), q, json!({"s": "GBDFL_PersonInfo"}))
            .await["service"],
        Value::Null
    );
    assert_eq!(
        app.ok(Some(&owner_a), q, json!({"s": "GBDFL_PersonInfo"}))
            .await["service"]["object"]["id"],
        object.as_str()
    );

    // Publish: production needs its address; the life cycle refuses going back.
    let mut input = service_input("GBDFL_PersonInfo", "жеке тұлғалар");
    input["status"] = json!("IN_PRODUCTION");
    let body = app
        .gql(
            Some(&operator),
            UPDATE,
            json!({"i": {"id": id, "service": input}}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "productionAddress"
    );
    input["productionAddress"] = json!("https://shep.gov.kz/bip-sync/");
    let updated = app
        .ok(
            Some(&operator),
            UPDATE,
            json!({"i": {"id": id, "expectedVersion": 1, "service": input}}),
        )
        .await;
    assert_eq!(
        updated["updateService"]["service"]["status"],
        "IN_PRODUCTION"
    );
    let mut back = input.clone();
    back["status"] = json!("IN_TESTING");
    let body = app
        .gql(
            Some(&operator),
            UPDATE,
            json!({"i": {"id": id, "service": back}}),
        )
        .await;
    assert_eq!(
        (
            code(&body),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        ("INVALID_INPUT", Some("status"))
    );
    let body = app
        .gql(
            Some(&operator),
            UPDATE,
            json!({"i": {"id": id, "expectedVersion": 1, "service": input}}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "stale row version");

    // Published now: owner B sees it, but not A's object behind it.
    let seen = app
        .ok(Some(&owner_b), q, json!({"s": "GBDFL_PersonInfo"}))
        .await;
    assert_eq!(seen["service"]["serviceId"], "GBDFL_PersonInfo");
    assert_eq!(seen["service"]["object"], Value::Null);

    // Facets over what the caller sees.
    let second = app.create_object(&owner_a, "ЕНПФ").await;
    let mut rest = service_input("ENPF_Balance", "жинақтар");
    rest["protocol"] = json!("REST");
    rest["gateway"] = json!("EEGG");
    rest["personalData"] = json!(false);
    app.ok(
        Some(&operator),
        REGISTER,
        json!({"i": {"objectId": second, "service": rest}}),
    )
    .await;
    let facets = app
        .ok(
            Some(&operator),
            "{ services { totalCount facets { name values { value count } } } }",
            json!({}),
        )
        .await;
    let f = &facets["services"];
    assert_eq!(f["totalCount"], 2);
    let gateway = f["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "gateway")
        .unwrap();
    assert_eq!(
        gateway["values"],
        json!([{"value": "EEGG", "count": 1}, {"value": "EGG", "count": 1}])
    );
    let filtered = app
        .ok(
            Some(&operator),
            "{ services(filter: {protocols: [REST]}) { totalCount edges { node { serviceId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        filtered["services"]["edges"][0]["node"]["serviceId"],
        "ENPF_Balance"
    );
    let for_b = app
        .ok(Some(&owner_b), "{ services { totalCount } }", json!({}))
        .await;
    assert_eq!(
        for_b["services"]["totalCount"], 1,
        "owner B sees only the published service"
    );
    app.finish().await;
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

async fn import_reports_each_bad_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app.create_org(&admin, &bin("24014000001"), "Комитет").await;
    let owner = app
        .create_user(&admin, "o@gov.kz", "OWNER", Some(&org))
        .await;
    app.create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;
    let object = app.create_object(&owner, "АИС").await;
    let csv = format!(
        "service_id,name_kk,name_ru,name_en,description,object,gateway,protocol,interaction,status,version,personal_data,test_address,production_address\n\
         GOOD_One,Бір,Один,One,\"Сипаттама, бірінші\",{object},EGG,SOAP,SYNCHRONOUS,,1.0,иә,,\n\
         BAD_Gateway,Екі,Два,,Сипаттама,{object},SHEP,SOAP,SYNCHRONOUS,,1.0,жоқ,,\n\
         GOOD_One,Үш,Три,,Сипаттама,{object},EGG,REST,ASYNCHRONOUS,,1.0,жоқ,,\n\
         NO_Object,Төрт,Четыре,,Сипаттама,IO-2026-000001-16,EPG,REST,SYNCHRONOUS,,1.0,жоқ,,\n\
         GOOD_Two,Бес,Пять,,Сипаттама,{object},EPG,REST,SYNCHRONOUS,IN_PRODUCTION,2.1,false,,https://pay.gov.kz/api\n"
    );
    let file = app.data_dir.join("services.csv");
    std::fs::write(&file, csv).unwrap();
    let mut out = Vec::new();
    let summary = archportal_api::cli::services_import(
        app.config.clone(),
        &file,
        "operator@gov.kz",
        &mut out,
    )
    .await
    .unwrap();
    let report = String::from_utf8(out).unwrap();
    assert_eq!((summary.imported, summary.refused), (2, 3), "{report}");
    assert!(report.contains("line 2: imported GOOD_One"), "{report}");
    assert!(report.contains("line 3: refused: gateway"), "{report}");
    assert!(report.contains("line 4: refused: serviceId"), "{report}");
    assert!(
        report.contains("line 5: refused: object IO-2026-000001-16"),
        "{report}"
    );
    assert!(report.contains("line 6: imported GOOD_Two"), "{report}");
    let operator = app.login("operator@gov.kz").await;
    let all = app
        .ok(
            Some(&operator),
            "{ services { totalCount edges { node { serviceId personalData } } } }",
            json!({}),
        )
        .await;
    assert_eq!(all["services"]["totalCount"], 2);
    assert_eq!(
        all["services"]["edges"][0]["node"],
        json!({"serviceId": "GOOD_One", "personalData": true})
    );
    app.finish().await;
}

both!(register_validate_and_publish, import_reports_each_bad_row);
