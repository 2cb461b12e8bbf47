//! The authorization matrix: every mutation and sensitive query, run as
//! anonymous and as every role (with an owner of another organization), each
//! cell checked for the allowed answer or the right refusal.

use serde_json::{Value, json};

use crate::both;
use archportal_domain::object::LifeCycleStage;

use crate::support::{Backend, TestApp, bin};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    OwnerA,
    OwnerB,
    Integrator,
    Operator,
    Analyst,
    Admin,
}

use Who::*;

/// Denied cells run first; `OwnerA` last, since some of its allowed cells change state.
const ORDER: [Who; 7] = [
    Anonymous, OwnerB, Integrator, Operator, Analyst, Admin, OwnerA,
];

struct Op {
    name: &'static str,
    query: &'static str,
    vars: fn(&Fixture, Who) -> Value,
    allowed: &'static [Who],
    /// Checks an allowed answer's data beyond "no error".
    check: Option<fn(&Fixture, Who, &Value)>,
}

struct Fixture {
    org_a: String,
    object_a: String,
    archive_a: String,
    service_a: String,
    /// Integration requests of owner A for SVC_A, waiting for the
    /// integrator, the owner and the operator.
    ir_analysis: String,
    ir_agreement: String,
    ir_check: String,
    /// A's object with every pair required at its stage, not yet submitted.
    ready_a: String,
    /// A's object already submitted (for the return cell).
    submitted_a: String,
    /// A pending account request per caller, for the approve cells.
    to_approve: Vec<(Who, String)>,
    /// A pending account request per caller, for the reject cells.
    to_reject: Vec<(Who, String)>,
    /// An unused activation token per caller.
    activation: Vec<(Who, String)>,
    /// A night maintenance window of SVC_A, 5 working days ahead (start, end).
    mw_night: (String, String),
    /// An announced window of SVC_A per caller, for the cancel cells.
    mw_cancel: Vec<(Who, String)>,
    /// The base32 secret of a started TOTP enrolment per signed-in caller.
    totp_secrets: Vec<(Who, String)>,
    /// A user whose second factor the reset cells reset.
    totp_reset_target: String,
}

/// The TOTP code of caller `w`'s enrolment, `ahead` steps after now (each
/// step's code is accepted once, so a later cell uses a later step).
fn totp_code(f: &Fixture, w: Who, ahead: i64) -> String {
    if w == Anonymous {
        return "000000".to_owned();
    }
    archportal_domain::totp::TotpSecret::from_base32(Fixture::of(&f.totp_secrets, w))
        .unwrap()
        .code_at(chrono::Utc::now().timestamp() + ahead * archportal_domain::totp::STEP_SECS)
}

fn annex(f: &Fixture) -> Value {
    json!({"serviceId": "SVC_A", "consumerObjectId": f.object_a, "basisLink": "https://adilet.zan.kz/rus/docs/V1600013335", "systemAddress": "10.0.0.7", "purpose": "Тест"})
}

impl Fixture {
    fn of(list: &[(Who, String)], w: Who) -> &str {
        list.iter()
            .find(|(x, _)| *x == w)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no fixture for {w:?}"))
    }
}

/// Everyone, signed in or not (public operations).
const EVERYONE: &[Who] = &[
    Anonymous, OwnerA, OwnerB, Integrator, Operator, Analyst, Admin,
];
const ACCOUNT_DESK: &[Who] = &[Integrator, Admin];

/// The e-mail of the account request made for caller `w`'s cells.
fn applicant(purpose: &str, w: Who) -> String {
    format!("{purpose}-{}@applicant.gov.kz", who_tag(w))
}

fn request_input(email: &str) -> Value {
    json!({"bin": bin("24014000001"), "organizationNameKk": "А ұйымы", "organizationNameRu": "Организация А",
        "organizationKind": "STATE_BODY", "fullName": "Өтініш беруші", "position": "Маман",
        "email": email, "phone": "+7 (7172) 00-00-00", "basis": "Бұйрық № 1", "language": "RU"})
}

const READERS: &[Who] = &[OwnerA, Integrator, Operator, Analyst, Admin];
const SIGNED_IN: &[Who] = &[OwnerA, OwnerB, Integrator, Operator, Analyst, Admin];

fn who_tag(w: Who) -> String {
    format!("{w:?}").to_lowercase()
}

fn ops() -> Vec<Op> {
    vec![
        Op {
            name: "createOrganization",
            query: "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }",
            vars: |_, _| json!({"i": {"bin": bin("24024000007"), "nameKk": "Жаңа", "nameRu": "Новая", "kind": "STATE_LEGAL_ENTITY"}}),
            allowed: &[Admin],
            check: None,
        },
        Op {
            name: "createUser",
            query: "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
            vars: |_, w| json!({"i": {"email": format!("new-{}@gov.kz", who_tag(w)), "fullName": "Жаңа қызметкер", "role": "ANALYST"}}),
            allowed: &[Admin],
            check: None,
        },
        Op {
            name: "createInformatizationObject",
            query: "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
            vars: |_, _| json!({"i": {"kind": "INTERNET_RESOURCE", "nameKk": "Сайт", "nameRu": "Сайт", "shortName": "web", "purpose": "Ақпарат"}}),
            allowed: &[OwnerA, OwnerB],
            check: None,
        },
        Op {
            name: "updateInformatizationObject",
            query: "mutation($i:UpdateInformatizationObjectInput!){ updateInformatizationObject(input:$i){ informatizationObject { purpose } } }",
            vars: |f, w| json!({"i": {"id": f.object_a, "purpose": format!("set by {}", who_tag(w))}}),
            allowed: &[OwnerA],
            check: Some(|_, _, d| {
                assert_eq!(
                    d["updateInformatizationObject"]["informatizationObject"]["purpose"],
                    "set by ownera"
                )
            }),
        },
        Op {
            name: "archiveInformatizationObject",
            query: "mutation($i:ArchiveInformatizationObjectInput!){ archiveInformatizationObject(input:$i){ informatizationObject { archived } } }",
            vars: |f, _| json!({"i": {"id": f.archive_a}}),
            allowed: &[OwnerA],
            check: None,
        },
        Op {
            name: "registerService",
            query: crate::services::REGISTER,
            vars: |f, w| json!({"i": {"objectId": f.object_a, "service": crate::services::service_input(&format!("SVC_{}", who_tag(w)), "тест")}}),
            allowed: &[Operator],
            check: None,
        },
        Op {
            name: "updateService",
            query: "mutation($i:UpdateServiceInput!){ updateService(input:$i){ service { version } } }",
            vars: |f, w| {
                let mut s = crate::services::service_input("SVC_A", "тест");
                s["version"] = json!(format!("by-{}", who_tag(w)));
                json!({"i": {"id": f.service_a, "service": s}})
            },
            allowed: &[Operator],
            check: Some(|_, _, d| {
                assert_eq!(d["updateService"]["service"]["version"], "by-operator")
            }),
        },
        Op {
            name: "services",
            query: "{ services(first: 50) { totalCount edges { node { serviceId } } } }",
            vars: |_, _| json!({}),
            // Public: anonymous visitors see the published services only.
            allowed: EVERYONE,
            check: Some(|_, w, d| {
                let ids: Vec<&str> = d["services"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["serviceId"].as_str().unwrap())
                    .collect();
                assert_eq!(
                    ids.contains(&"SVC_A"),
                    !matches!(w, OwnerB | Anonymous),
                    "{w:?} and A's service in testing"
                );
            }),
        },
        Op {
            name: "service",
            query: "{ service(serviceId: \"SVC_A\") { serviceId } }",
            vars: |_, _| json!({}),
            allowed: EVERYONE,
            check: Some(|_, w, d| {
                assert_eq!(
                    d["service"].is_null(),
                    matches!(w, OwnerB | Anonymous),
                    "{w:?}"
                )
            }),
        },
        Op {
            name: "search",
            query: "{ search(query: \"тест\") { totalCount hits { service { serviceId } } } }",
            vars: |_, _| json!({}),
            allowed: EVERYONE,
            check: Some(|_, w, d| {
                let ids: Vec<&str> = d["search"]["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|h| h["service"]["serviceId"].as_str())
                    .collect();
                assert_eq!(
                    ids.contains(&"SVC_A"),
                    !matches!(w, OwnerB | Anonymous),
                    "{w:?} searching A's service in testing"
                );
            }),
        },
        Op {
            name: "similarServices",
            query: "{ similarServices(text: \"тест туралы мәліметтер\") { score service { serviceId } } }",
            vars: |_, _| json!({}),
            allowed: SIGNED_IN,
            check: Some(|_, w, d| {
                let n = d["similarServices"].as_array().unwrap().len();
                assert_eq!(n > 0, w != OwnerB, "{w:?}");
            }),
        },
        Op {
            name: "integrationRequests",
            query: "query($id:ID!){ integrationRequests(filter:{consumerOrganizationId:$id}){ totalCount edges { node { id } } } }",
            vars: |f, _| json!({"id": f.org_a}),
            allowed: SIGNED_IN,
            check: Some(|f, w, d| {
                let ids: Vec<&str> = d["integrationRequests"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap())
                    .collect();
                if w == OwnerB {
                    // Neither consumer nor service owner: sees none of A's.
                    assert!(ids.is_empty(), "{ids:?}");
                    assert_eq!(d["integrationRequests"]["totalCount"], 0);
                } else {
                    for id in [&f.ir_analysis, &f.ir_agreement, &f.ir_check] {
                        assert!(ids.contains(&id.as_str()), "{w:?}: {ids:?}");
                    }
                }
            }),
        },
        Op {
            name: "announceMaintenanceWindow",
            query: crate::maintenance::ANNOUNCE,
            vars: |f, _| json!({"i": crate::maintenance::window("SVC_A", f.mw_night.0.clone(), f.mw_night.1.clone())}),
            allowed: &[OwnerA, Operator],
            check: Some(|_, _, d| {
                assert_eq!(
                    d["announceMaintenanceWindow"]["maintenanceWindow"]["outsideDefaultWindow"],
                    false
                );
            }),
        },
        Op {
            name: "maintenanceWindows",
            query: "{ maintenanceWindows(serviceId: \"SVC_A\") { totalCount edges { node { id } } } }",
            vars: |_, _| json!({}),
            allowed: SIGNED_IN,
            check: Some(|f, w, d| {
                let n = d["maintenanceWindows"]["totalCount"].as_u64().unwrap();
                if w == OwnerB {
                    // A's service is in testing: not B's to see.
                    assert_eq!(n, 0);
                } else {
                    assert!(n >= f.mw_cancel.len() as u64, "{w:?}: {n}");
                }
            }),
        },
        Op {
            name: "cancelMaintenanceWindow",
            query: "mutation($id:ID!){ cancelMaintenanceWindow(id:$id, reason:\"Кейінге қалдырылды\"){ maintenanceWindow { cancelledAt } } }",
            vars: |f, w| json!({"id": Fixture::of(&f.mw_cancel, w)}),
            allowed: &[OwnerA, Operator],
            check: Some(|_, _, d| {
                assert!(
                    d["cancelMaintenanceWindow"]["maintenanceWindow"]["cancelledAt"].is_string()
                );
            }),
        },
        Op {
            name: "fileIntegrationRequest",
            query: "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { state } } }",
            vars: |f, _| json!({"i": annex(f)}),
            allowed: &[OwnerA],
            check: Some(|_, _, d| {
                assert_eq!(
                    d["fileIntegrationRequest"]["integrationRequest"]["state"],
                    "ANALYSIS"
                )
            }),
        },
        Op {
            name: "recommendIntegration",
            query: "mutation($i:RecommendIntegrationInput!){ recommendIntegration(input:$i){ integrationRequest { state } } }",
            vars: |f, _| json!({"i": {"id": f.ir_analysis, "positive": true, "recommendation": "ok"}}),
            allowed: &[Integrator],
            check: None,
        },
        Op {
            name: "signIntegrationAgreement",
            query: "mutation($i:IntegrationStepInput!){ signIntegrationAgreement(input:$i){ integrationRequest { state } } }",
            vars: |f, _| json!({"i": {"id": f.ir_agreement}}),
            allowed: &[OwnerA],
            check: None,
        },
        Op {
            name: "checkIntegrationCompleteness",
            query: "mutation($i:CheckIntegrationCompletenessInput!){ checkIntegrationCompleteness(input:$i){ integrationRequest { state } } }",
            vars: |f, _| json!({"i": {"id": f.ir_check, "complete": true}}),
            allowed: &[Operator],
            check: None,
        },
        Op {
            name: "organization",
            query: "query($id:ID!){ organization(id:$id){ id bin } }",
            vars: |f, _| json!({"id": f.org_a}),
            allowed: READERS,
            check: Some(|f, _, d| assert_eq!(d["organization"]["id"], f.org_a.as_str())),
        },
        Op {
            name: "organizations",
            query: "{ organizations(first: 50) { totalCount edges { node { id } } } }",
            vars: |_, _| json!({}),
            allowed: SIGNED_IN,
            check: Some(|f, w, d| {
                let ids: Vec<&str> = d["organizations"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap())
                    .collect();
                match w {
                    OwnerB => assert!(
                        !ids.contains(&f.org_a.as_str()) && ids.len() == 1,
                        "an owner sees only its organization"
                    ),
                    _ => assert!(ids.contains(&f.org_a.as_str())),
                }
            }),
        },
        Op {
            name: "users",
            query: "{ users(first: 50) { totalCount edges { node { email } } } }",
            vars: |_, _| json!({}),
            allowed: &[Admin],
            check: None,
        },
        Op {
            name: "informatizationObject",
            query: "query($id:ID!){ informatizationObject(id:$id){ id history { totalCount } } }",
            vars: |f, _| json!({"id": f.object_a}),
            allowed: READERS,
            check: Some(|f, _, d| {
                assert_eq!(d["informatizationObject"]["id"], f.object_a.as_str())
            }),
        },
        Op {
            name: "informatizationObjects",
            query: "{ informatizationObjects(first: 50, filter: {includeArchived: true}) { totalCount edges { node { id organization { id } } } } }",
            vars: |_, _| json!({}),
            allowed: SIGNED_IN,
            check: Some(|f, w, d| {
                let orgs: Vec<&str> = d["informatizationObjects"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["organization"]["id"].as_str().unwrap())
                    .collect();
                if w == OwnerB {
                    assert!(
                        !orgs.contains(&f.org_a.as_str()),
                        "owner B must not list A's objects"
                    );
                } else if w != OwnerA {
                    assert!(orgs.contains(&f.org_a.as_str()));
                }
            }),
        },
        Op {
            name: "requestAccount",
            query: "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { status } } }",
            vars: |_, w| json!({"i": request_input(&applicant("new", w))}),
            allowed: EVERYONE,
            check: Some(|_, _, d| {
                assert_eq!(d["requestAccount"]["accountRequest"]["status"], "PENDING")
            }),
        },
        Op {
            name: "accountRequests",
            query: "{ accountRequests(first: 100) { totalCount edges { node { id } } } }",
            vars: |_, _| json!({}),
            allowed: ACCOUNT_DESK,
            check: Some(|_, _, d| {
                assert!(d["accountRequests"]["totalCount"].as_i64().unwrap() > 0)
            }),
        },
        Op {
            name: "approveAccountRequest",
            query: "mutation($id:ID!){ approveAccountRequest(id:$id){ accountRequest { status } } }",
            vars: |f, w| json!({"id": Fixture::of(&f.to_approve, w)}),
            allowed: ACCOUNT_DESK,
            check: Some(|_, _, d| {
                assert_eq!(
                    d["approveAccountRequest"]["accountRequest"]["status"],
                    "APPROVED"
                )
            }),
        },
        Op {
            name: "rejectAccountRequest",
            query: "mutation($id:ID!){ rejectAccountRequest(id:$id, reason: \"Негіз жоқ\"){ accountRequest { status } } }",
            vars: |f, w| json!({"id": Fixture::of(&f.to_reject, w)}),
            allowed: ACCOUNT_DESK,
            check: Some(|_, _, d| {
                assert_eq!(
                    d["rejectAccountRequest"]["accountRequest"]["status"],
                    "REJECTED"
                )
            }),
        },
        Op {
            name: "activateAccount",
            query: "mutation($t:String!){ activateAccount(input:{token:$t, password:\"Qwerty-12345-zxcv\"}){ email } }",
            vars: |f, w| json!({"t": Fixture::of(&f.activation, w)}),
            allowed: EVERYONE,
            check: Some(|_, w, d| assert_eq!(d["activateAccount"]["email"], applicant("act", w))),
        },
        Op {
            name: "submissionReadiness",
            query: "query($id:ID!){ submissionReadiness(objectId:$id){ ready documentsChecked } }",
            vars: |f, _| json!({"id": f.ready_a}),
            allowed: READERS,
            check: Some(|_, _, d| {
                assert_eq!(
                    d["submissionReadiness"],
                    json!({"ready": true, "documentsChecked": true})
                )
            }),
        },
        Op {
            name: "submitInformatizationObject",
            query: "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { kind } } }",
            vars: |f, _| json!({"id": f.ready_a}),
            allowed: &[OwnerA],
            check: None,
        },
        Op {
            name: "reviewQueue",
            query: "{ reviewQueue { informatizationObject { id } } }",
            vars: |_, _| json!({}),
            allowed: &[Integrator],
            check: Some(|f, _, d| {
                let ids: Vec<&str> = d["reviewQueue"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["informatizationObject"]["id"].as_str().unwrap())
                    .collect();
                assert!(ids.contains(&f.submitted_a.as_str()), "{ids:?}");
            }),
        },
        Op {
            name: "takeReview",
            query: "mutation($id:ID!){ takeReview(objectId:$id){ review { reviewer { fullName } } } }",
            vars: |f, _| json!({"id": f.ready_a}),
            allowed: &[Integrator],
            check: None,
        },
        Op {
            name: "releaseReview",
            query: "mutation($id:ID!){ releaseReview(objectId:$id){ review { reviewer { fullName } } } }",
            vars: |f, _| json!({"id": f.ready_a}),
            allowed: &[Integrator],
            check: Some(|_, _, d| assert!(d["releaseReview"]["review"]["reviewer"].is_null())),
        },
        Op {
            name: "registerInformatizationObject",
            query: "mutation($id:ID!){ registerInformatizationObject(id:$id){ accountingCode } }",
            vars: |f, _| json!({"id": f.ready_a}),
            allowed: &[Integrator],
            check: Some(|_, _, d| {
                assert!(
                    d["registerInformatizationObject"]["accountingCode"]
                        .as_str()
                        .unwrap()
                        .starts_with("IO-")
                )
            }),
        },
        Op {
            name: "returnInformatizationObject",
            query: "mutation($id:ID!){ returnInformatizationObject(id:$id, remarks:[{field:\"purpose\", text:\"Толықтырыңыз\"}]){ review { decision } } }",
            vars: |f, _| json!({"id": f.submitted_a}),
            allowed: &[Integrator],
            check: Some(|_, _, d| {
                assert_eq!(
                    d["returnInformatizationObject"]["review"]["decision"],
                    "RETURNED"
                )
            }),
        },
        Op {
            name: "flagMissingData",
            query: "mutation($id:ID!){ flagMissingData(id:$id, remarks:[{field:\"purpose\", text:\"Деректер жоқ\"}]){ informatizationObject { updateDueAt } } }",
            vars: |f, _| json!({"id": f.ready_a}),
            allowed: &[Integrator],
            check: None,
        },
        Op {
            name: "overdueUpdates",
            query: "{ overdueUpdates { id organization { id } } }",
            vars: |_, _| json!({}),
            allowed: SIGNED_IN,
            check: None,
        },
        // The second factor: confirm the enrolment started in the fixture,
        // turn it off with a later step's code, start one again; the reset is
        // the administrators'.
        Op {
            name: "confirmTotpEnrolment",
            query: "mutation($c:String!){ confirmTotpEnrolment(input:{code:$c}){ user { totpEnabled } recoveryCodes } }",
            vars: |f, w| json!({"c": totp_code(f, w, 0)}),
            allowed: SIGNED_IN,
            check: Some(|_, _, d| {
                assert_eq!(d["confirmTotpEnrolment"]["user"]["totpEnabled"], true);
                assert_eq!(
                    d["confirmTotpEnrolment"]["recoveryCodes"]
                        .as_array()
                        .unwrap()
                        .len(),
                    10
                );
            }),
        },
        Op {
            name: "disableTotp",
            query: "mutation($p:String!,$c:String!){ disableTotp(input:{password:$p, code:$c}){ user { totpEnabled } } }",
            vars: |f, w| json!({"p": crate::support::PASSWORD, "c": totp_code(f, w, 1)}),
            allowed: SIGNED_IN,
            check: Some(|_, _, d| assert_eq!(d["disableTotp"]["user"]["totpEnabled"], false)),
        },
        Op {
            name: "startTotpEnrolment",
            query: "mutation{ startTotpEnrolment{ secret otpauthUri qrSvg } }",
            vars: |_, _| json!({}),
            allowed: SIGNED_IN,
            check: Some(|_, _, d| {
                assert!(
                    d["startTotpEnrolment"]["otpauthUri"]
                        .as_str()
                        .unwrap()
                        .starts_with("otpauth://totp/archportal:")
                )
            }),
        },
        Op {
            name: "resetTotp",
            query: "mutation($id:ID!){ resetTotp(userId:$id){ user { totpEnabled } } }",
            vars: |f, _| json!({"id": f.totp_reset_target}),
            allowed: &[Admin],
            check: Some(|_, _, d| assert_eq!(d["resetTotp"]["user"]["totpEnabled"], false)),
        },
        Op {
            name: "setCalendarEntry",
            query: "mutation($i:CalendarEntryInput!){ setCalendarEntry(input:$i){ days { date } } }",
            vars: |_, _| json!({"i": {"date": "2027-11-17", "kind": "TRANSFERRED_DAY_OFF", "nameKk": "Демалыс", "nameRu": "Выходной", "basis": "Тест"}}),
            allowed: &[Admin],
            check: Some(|_, _, d| {
                assert!(
                    d["setCalendarEntry"]["days"]
                        .as_array()
                        .unwrap()
                        .contains(&json!({"date": "2027-11-17"}))
                )
            }),
        },
        Op {
            name: "removeCalendarEntry",
            query: "mutation{ removeCalendarEntry(date: \"2027-11-17\"){ days { date } } }",
            vars: |_, _| json!({}),
            allowed: &[Admin],
            check: Some(|_, _, d| {
                assert!(
                    !d["removeCalendarEntry"]["days"]
                        .as_array()
                        .unwrap()
                        .contains(&json!({"date": "2027-11-17"}))
                )
            }),
        },
    ]
}

async fn matrix(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.notifications.poll_interval_ms = 50;
        // The matrix makes a few hundred calls; rate limits have their own tests.
        c.limits.rate_burst = 10_000;
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org_a = app
        .create_org(&admin, &bin("24014000001"), "Организация А")
        .await;
    let org_b = app
        .create_org(&admin, &bin("24014000004"), "Организация Б")
        .await;
    let owner_a = app
        .create_user(&admin, "owner-a@gov.kz", "OWNER", Some(&org_a))
        .await;
    let owner_b = app
        .create_user(&admin, "owner-b@gov.kz", "OWNER", Some(&org_b))
        .await;
    let integrator = app
        .create_user(&admin, "integrator@gov.kz", "INTEGRATOR", None)
        .await;
    let operator = app
        .create_user(&admin, "operator@gov.kz", "OPERATOR", None)
        .await;
    let analyst = app
        .create_user(&admin, "analyst@gov.kz", "ANALYST", None)
        .await;
    let object_a = app.create_object(&owner_a, "А-1").await;
    let registered = app
        .ok(Some(&operator), crate::services::REGISTER, json!({"i": {"objectId": object_a, "service": crate::services::service_input("SVC_A", "тест")}}))
        .await;
    let ready_a = app.create_object(&owner_a, "А-3").await;
    app.upload_required(&owner_a, &ready_a, LifeCycleStage::Creation, &[])
        .await;
    let submitted_a = app.create_object(&owner_a, "А-4").await;
    app.upload_required(&owner_a, &submitted_a, LifeCycleStage::Creation, &[])
        .await;
    app.ok(
        Some(&owner_a),
        "mutation($id:ID!){ submitInformatizationObject(id:$id){ review { kind } } }",
        json!({"id": submitted_a}),
    )
    .await;
    let request = async |email: String| -> String {
        let d = app
            .ok(
                None,
                "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id } } }",
                json!({"i": request_input(&email)}),
            )
            .await;
        d["requestAccount"]["accountRequest"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (mut to_approve, mut to_reject, mut activation) = (vec![], vec![], vec![]);
    for w in EVERYONE.iter().copied() {
        to_approve.push((w, request(applicant("approve", w)).await));
        to_reject.push((w, request(applicant("reject", w)).await));
        let email = applicant("act", w);
        let id = request(email.clone()).await;
        app.ok(
            Some(&admin),
            "mutation($id:ID!){ approveAccountRequest(id:$id){ accountRequest { status } } }",
            json!({"id": id}),
        )
        .await;
        activation.push((w, app.activation_token(&email).await));
    }
    let mut fixture = Fixture {
        ready_a,
        submitted_a,
        to_approve,
        to_reject,
        activation,
        service_a: registered["registerService"]["service"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        archive_a: app.create_object(&owner_a, "А-2").await,
        object_a,
        org_a,
        ir_analysis: String::new(),
        ir_agreement: String::new(),
        ir_check: String::new(),
        mw_night: (String::new(), String::new()),
        mw_cancel: Vec::new(),
        totp_secrets: Vec::new(),
        totp_reset_target: String::new(),
    };
    for (w, t) in [
        (OwnerA, &owner_a),
        (OwnerB, &owner_b),
        (Integrator, &integrator),
        (Operator, &operator),
        (Analyst, &analyst),
        (Admin, &admin),
    ] {
        let d = app
            .ok(
                Some(t),
                "mutation{ startTotpEnrolment{ secret } }",
                json!({}),
            )
            .await;
        let secret = d["startTotpEnrolment"]["secret"]
            .as_str()
            .unwrap()
            .to_owned();
        fixture.totp_secrets.push((w, secret));
    }
    fixture.totp_reset_target =
        app.ok(Some(&analyst), "{ me { id } }", json!({})).await["me"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let day = crate::maintenance::working_day(&app, 5).await;
    fixture.mw_night = (
        crate::maintenance::at(day, 22),
        crate::maintenance::at(day, 26),
    );
    for w in EVERYONE.iter().copied() {
        let d = app
            .ok(
                Some(&operator),
                crate::maintenance::ANNOUNCE,
                json!({"i": crate::maintenance::window("SVC_A", fixture.mw_night.0.clone(), fixture.mw_night.1.clone())}),
            )
            .await;
        let id = d["announceMaintenanceWindow"]["maintenanceWindow"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        fixture.mw_cancel.push((w, id));
    }
    archportal_api::search::run_once(app.state()).await.unwrap();
    let mut requests = Vec::new();
    for steps in 0..3 {
        let d = app
            .ok(Some(&owner_a), "mutation($i:FileIntegrationRequestInput!){ fileIntegrationRequest(input:$i){ integrationRequest { id } } }", json!({"i": annex(&fixture)}))
            .await;
        let id = d["fileIntegrationRequest"]["integrationRequest"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        if steps >= 1 {
            app.ok(Some(&integrator), "mutation($i:RecommendIntegrationInput!){ recommendIntegration(input:$i){ integrationRequest { id } } }", json!({"i": {"id": id, "positive": true, "recommendation": "ok"}})).await;
        }
        if steps >= 2 {
            app.ok(Some(&owner_a), "mutation($i:IntegrationStepInput!){ signIntegrationAgreement(input:$i){ integrationRequest { id } } }", json!({"i": {"id": id}})).await;
        }
        requests.push(id);
    }
    fixture.ir_check = requests.pop().unwrap();
    fixture.ir_agreement = requests.pop().unwrap();
    fixture.ir_analysis = requests.pop().unwrap();
    let token = |w: Who| -> Option<&str> {
        match w {
            Anonymous => None,
            OwnerA => Some(&owner_a),
            OwnerB => Some(&owner_b),
            Integrator => Some(&integrator),
            Operator => Some(&operator),
            Analyst => Some(&analyst),
            Admin => Some(&admin),
        }
    };
    let mut table = String::new();
    for op in ops() {
        let mut row = format!("{:<30}", op.name);
        for who in ORDER {
            let body = app
                .gql(token(who), op.query, (op.vars)(&fixture, who))
                .await;
            let allowed = op.allowed.contains(&who);
            if allowed {
                assert!(
                    body.get("errors").is_none(),
                    "{} as {who:?} should be allowed: {body}",
                    op.name
                );
                if let Some(check) = op.check {
                    check(&fixture, who, &body["data"]);
                }
                row.push_str(" allow ");
            } else {
                let code = body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("none");
                let expected = if who == Anonymous {
                    "UNAUTHENTICATED"
                } else {
                    "FORBIDDEN"
                };
                assert_eq!(
                    code, expected,
                    "{} as {who:?} should be refused: {body}",
                    op.name
                );
                row.push_str(" deny  ");
            }
        }
        table.push_str(&row);
        table.push('\n');
    }
    // The refused mutations changed nothing.
    let o = app
        .ok(
            Some(&owner_a),
            "query($id:ID!){ informatizationObject(id:$id){ version history { totalCount } } }",
            json!({"id": fixture.object_a}),
        )
        .await;
    assert_eq!(
        o["informatizationObject"],
        json!({"version": 2, "history": {"totalCount": 2}})
    );
    let orgs = app
        .ok(Some(&admin), "{ organizations { totalCount } }", json!({}))
        .await;
    assert_eq!(orgs["organizations"]["totalCount"], 3);
    println!(
        "{:<30} {}\n{table}",
        "operation",
        ORDER
            .map(|w| format!(
                "{:<6}",
                format!("{w:?}").chars().take(6).collect::<String>()
            ))
            .join(" ")
    );
    app.finish().await;
}

both!(matrix);
