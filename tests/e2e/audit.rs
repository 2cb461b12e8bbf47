//! The audit log of accounts and sessions (issue 3, item 8): creating an
//! organization or a user, signing in (success and each kind of failure),
//! refreshing and signing out each leave a row with actor, target and
//! request id, never a password or the e-mail tried; the chain still verifies.

use archportal_storage::audit::{AuditEntry, Verification};
use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, PASSWORD, TestApp, bin, code};

const LOGIN: &str = "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken refreshToken } }";
const WRONG_PASSWORD: &str = "not the password at all";
const UNKNOWN_EMAIL: &str = "nobody-here@gov.kz";

async fn id_of(app: &TestApp, token: &str) -> String {
    app.ok(Some(token), "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn rows_of<'a>(rows: &'a [AuditEntry], action: &str, target: &str) -> Vec<&'a AuditEntry> {
    rows.iter()
        .filter(|r| r.action == action && r.target_id == target)
        .collect()
}

async fn accounts_and_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let admin_id = id_of(&app, &admin).await;
    let org = app
        .create_org(&admin, &bin("24014000001"), "Министерство")
        .await;
    app.create_user(&admin, "owner@gov.kz", "OWNER", Some(&org))
        .await;

    // Refused sign-ins: a wrong password, an unknown account.
    let body = app
        .gql(
            None,
            LOGIN,
            json!({"e": "owner@gov.kz", "p": WRONG_PASSWORD}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let body = app
        .gql(None, LOGIN, json!({"e": UNKNOWN_EMAIL, "p": PASSWORD}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");

    // A session: sign in, refresh, sign out.
    let session = app
        .ok(None, LOGIN, json!({"e": "owner@gov.kz", "p": PASSWORD}))
        .await;
    let owner = session["login"]["accessToken"].as_str().unwrap().to_owned();
    let owner_id = id_of(&app, &owner).await;
    let refreshed = app
        .ok(
            None,
            "mutation($t:String!){ refreshToken(input:{refreshToken:$t}){ refreshToken } }",
            json!({"t": session["login"]["refreshToken"]}),
        )
        .await;
    let out = app
        .ok(
            None,
            "mutation($t:String!){ logout(input:{refreshToken:$t}){ revoked } }",
            json!({"t": refreshed["refreshToken"]["refreshToken"]}),
        )
        .await;
    assert_eq!(out["logout"]["revoked"], true);

    let mut rows = archportal_storage::audit::recent(&app.state().db, 1000)
        .await
        .unwrap();
    rows.sort_by_key(|r| r.seq);
    let details = |r: &AuditEntry| -> Value { serde_json::from_str(&r.details).unwrap() };

    // The first admin, from the command line: no actor, request `cli`.
    let created = rows_of(&rows, "user.create", &admin_id);
    assert_eq!(created.len(), 1, "{rows:#?}");
    assert_eq!(created[0].actor_id, None);
    assert_eq!(created[0].request_id, "cli");

    // The admin's HTTP mutations: the admin as actor, the request id kept.
    let org_rows = rows_of(&rows, "organization.create", &org);
    assert_eq!(org_rows.len(), 1, "{rows:#?}");
    assert_eq!(
        org_rows[0].actor_id.map(|a| a.to_string()),
        Some(admin_id.clone())
    );
    assert_eq!(details(org_rows[0])["bin"], bin("24014000001"));
    let user_rows = rows_of(&rows, "user.create", &owner_id);
    assert_eq!(user_rows.len(), 1, "{rows:#?}");
    assert_eq!(
        user_rows[0].actor_id.map(|a| a.to_string()),
        Some(admin_id.clone())
    );
    assert_eq!(details(user_rows[0])["role"], "OWNER");
    for r in org_rows.iter().chain(&user_rows) {
        assert!(!r.request_id.is_empty() && r.request_id != "cli", "{r:?}");
    }

    // Sign-ins: the admin once, the owner twice (create_user signs in, then the session above).
    assert_eq!(rows_of(&rows, "auth.login", &admin_id).len(), 1);
    assert_eq!(rows_of(&rows, "auth.login", &owner_id).len(), 2);
    let failed = rows_of(&rows, "auth.login_failed", &owner_id);
    assert_eq!(failed.len(), 1, "{rows:#?}");
    assert_eq!(
        details(failed[0]),
        json!({"reason": "wrong_password", "locked": false})
    );
    let unknown = rows_of(&rows, "auth.login_failed", "");
    assert_eq!(unknown.len(), 1, "{rows:#?}");
    assert_eq!(details(unknown[0]), json!({"reason": "unknown_account"}));
    assert_eq!(unknown[0].actor_id, None);
    assert_eq!(rows_of(&rows, "auth.refresh", &owner_id).len(), 1);
    assert_eq!(rows_of(&rows, "auth.logout", &owner_id).len(), 1);

    // Never a password, a token or the e-mail someone tried.
    let secrets = [
        PASSWORD,
        WRONG_PASSWORD,
        UNKNOWN_EMAIL,
        session["login"]["refreshToken"].as_str().unwrap(),
    ];
    for r in &rows {
        let text = format!("{r:?}");
        for s in secrets {
            assert!(!text.contains(s), "{s:?} in {r:?}");
        }
    }

    let verdict = archportal_api::cli::audit_verify(app.config.clone())
        .await
        .unwrap();
    assert_eq!(
        verdict,
        Verification::Intact {
            rows: rows.len() as u64
        }
    );
    app.finish().await;
}

both!(accounts_and_sessions);
