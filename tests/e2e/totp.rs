//! The optional second sign-in factor (issue 5): enrolment with an
//! authenticator app, sign-in in two steps, replay refusal, recovery codes,
//! turning it off, the administrators' reset, and the lockout counting wrong
//! codes. Codes are computed here from the secret the API showed, with the
//! domain's RFC 6238 function, at the server's (frozen) clock.

use archportal_domain::totp::{STEP_SECS, TotpSecret};
use archportal_storage::audit::AuditEntry;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, PASSWORD, TestApp, code};

const LOGIN: &str = "mutation($e:String!,$p:String!,$c:String){ login(input:{email:$e,password:$p,totpCode:$c}){ accessToken refreshToken user { totpEnabled } } }";
const START: &str = "mutation{ startTotpEnrolment{ secret otpauthUri qrSvg } }";
const CONFIRM: &str = "mutation($c:String!){ confirmTotpEnrolment(input:{code:$c}){ user { totpEnabled } recoveryCodes } }";
const DISABLE: &str = "mutation($p:String!,$c:String!){ disableTotp(input:{password:$p,code:$c}){ user { totpEnabled } } }";
const RESET: &str = "mutation($id:ID!){ resetTotp(userId:$id){ user { id totpEnabled } } }";

/// Freezes the server's clock 5 s into a time step near now, so that the
/// test knows which step the server is in.
fn freeze(app: &TestApp) -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    let t = Utc
        .timestamp_opt(now - now.rem_euclid(STEP_SECS) + 5, 0)
        .unwrap();
    app.state().clock.set(t);
    t
}

/// Moves the server's clock by whole steps.
fn advance(app: &TestApp, steps: i64) {
    app.state()
        .clock
        .advance(Duration::seconds(steps * STEP_SECS));
}

/// The code the app would show at the server's current time, `offset` steps away.
fn code_now(app: &TestApp, secret: &TotpSecret, offset: i64) -> String {
    secret.code_at(app.state().clock.now().timestamp() + offset * STEP_SECS)
}

/// Six digits that are not the code of any step within reach of now.
fn not_a_code(app: &TestApp, secret: &TotpSecret) -> String {
    let near: Vec<String> = (-3..=3).map(|o| code_now(app, secret, o)).collect();
    ["123456", "654321", "000000"]
        .into_iter()
        .find(|c| !near.iter().any(|n| n == c))
        .unwrap()
        .to_owned()
}

async fn login(app: &TestApp, email: &str, password: &str, totp: Option<&str>) -> Value {
    app.gql(None, LOGIN, json!({"e": email, "p": password, "c": totp}))
        .await
}

/// Starts and confirms an enrolment as `token`; returns the secret and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (TotpSecret, Vec<String>) {
    let started = app.ok(Some(token), START, json!({})).await;
    let secret =
        TotpSecret::from_base32(started["startTotpEnrolment"]["secret"].as_str().unwrap()).unwrap();
    let confirmed = app
        .ok(
            Some(token),
            CONFIRM,
            json!({"c": code_now(app, &secret, 0)}),
        )
        .await;
    let codes = confirmed["confirmTotpEnrolment"]["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

async fn audit_actions(app: &TestApp, user_id: &str) -> Vec<String> {
    let rows: Vec<AuditEntry> = archportal_storage::audit::recent(&app.state().db, 1000)
        .await
        .unwrap();
    let mut actions: Vec<String> = rows
        .into_iter()
        .filter(|r| {
            r.target_id == user_id && (r.action.contains("totp") || r.action.contains("recovery"))
        })
        .map(|r| r.action)
        .collect();
    actions.sort();
    actions
}

async fn enrol_sign_in_and_disable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let email = "analyst@gov.kz";
    let user = app.create_user(&admin, email, "ANALYST", None).await;
    let me = app
        .ok(Some(&user), "{ me { id totpEnabled } }", json!({}))
        .await;
    assert_eq!(me["me"]["totpEnabled"], false);
    let user_id = me["me"]["id"].as_str().unwrap().to_owned();
    freeze(&app);

    // Enrolment: the secret grouped by four, the key URI, a QR code as SVG.
    let started = app.ok(Some(&user), START, json!({})).await;
    let s = &started["startTotpEnrolment"];
    let grouped = s["secret"].as_str().unwrap();
    assert!(grouped.split(' ').all(|g| g.len() == 4), "{grouped}");
    let secret = TotpSecret::from_base32(grouped).unwrap();
    assert_eq!(secret.as_bytes().len(), 20);
    assert_eq!(
        s["otpauthUri"],
        format!(
            "otpauth://totp/archportal:{email}?secret={}&issuer=archportal&algorithm=SHA1&digits=6&period=30",
            secret.to_base32()
        )
    );
    let svg = s["qrSvg"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    // Not on until confirmed: the password alone still signs in.
    let body = login(&app, email, PASSWORD, None).await;
    assert!(body.get("errors").is_none(), "{body:#}");

    // A wrong code does not confirm; the app's current code does.
    let wrong = app
        .gql(
            Some(&user),
            CONFIRM,
            json!({"c": not_a_code(&app, &secret)}),
        )
        .await;
    assert_eq!(code(&wrong), "INVALID_INPUT");
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "code");
    let confirm_code = code_now(&app, &secret, 0);
    let confirmed = app
        .ok(Some(&user), CONFIRM, json!({"c": confirm_code}))
        .await;
    assert_eq!(
        confirmed["confirmTotpEnrolment"]["user"]["totpEnabled"],
        true
    );
    let recovery: Vec<String> = confirmed["confirmTotpEnrolment"]["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let distinct: std::collections::HashSet<_> = recovery.iter().collect();
    assert_eq!(distinct.len(), 10);
    assert!(recovery.iter().all(|c| c.len() == 11 && &c[5..6] == "-"));
    // Once on, a second enrolment is refused.
    assert_eq!(
        code(&app.gql(Some(&user), START, json!({})).await),
        "CONFLICT"
    );

    // Sign-in without the code: TOTP_REQUIRED and no session.
    let body = login(&app, email, PASSWORD, None).await;
    assert_eq!(code(&body), "TOTP_REQUIRED");
    assert!(body["data"].is_null(), "{body:#}");
    // A wrong password is still just a wrong password.
    let body = login(&app, email, "not the password", None).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    // The code that confirmed the enrolment was used: refused (replay).
    let body = login(&app, email, PASSWORD, Some(&confirm_code)).await;
    assert_eq!(code(&body), "INVALID_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "totpCode");
    assert!(body["data"].is_null());

    // The next step's code signs in, once.
    advance(&app, 1);
    let next = code_now(&app, &secret, 0);
    let body = login(&app, email, PASSWORD, Some(&next)).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["login"]["user"]["totpEnabled"], true);
    let refresh = body["data"]["login"]["refreshToken"].clone();
    let body = login(&app, email, PASSWORD, Some(&next)).await;
    assert_eq!(code(&body), "INVALID_INPUT", "replayed code: {body:#}");
    // Two steps away is outside the tolerance.
    let far = code_now(&app, &secret, 2);
    let body = login(&app, email, PASSWORD, Some(&far)).await;
    assert_eq!(code(&body), "INVALID_INPUT");
    // A step ahead (clock drift) is accepted.
    let ahead = code_now(&app, &secret, 1);
    let body = login(&app, email, PASSWORD, Some(&ahead)).await;
    assert!(body.get("errors").is_none(), "{body:#}");

    // Refresh keeps working without a code.
    let refreshed = app
        .gql(
            None,
            "mutation($t:String!){ refreshToken(input:{refreshToken:$t}){ accessToken } }",
            json!({"t": refresh}),
        )
        .await;
    assert!(refreshed.get("errors").is_none(), "{refreshed:#}");

    // A recovery code works once, typed in lower case with spaces.
    let typed = recovery[0].to_lowercase().replace('-', " ");
    let body = login(&app, email, PASSWORD, Some(&typed)).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let body = login(&app, email, PASSWORD, Some(&recovery[0])).await;
    assert_eq!(code(&body), "INVALID_INPUT", "used recovery code: {body:#}");

    // Turning it off needs the password and a fresh code.
    advance(&app, 2);
    let fresh = code_now(&app, &secret, 0);
    let body = app
        .gql(
            Some(&user),
            DISABLE,
            json!({"p": "not the password", "c": fresh}),
        )
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "password");
    let body = app
        .gql(Some(&user), DISABLE, json!({"p": PASSWORD, "c": next}))
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "code");
    let off = app
        .ok(Some(&user), DISABLE, json!({"p": PASSWORD, "c": fresh}))
        .await;
    assert_eq!(off["disableTotp"]["user"]["totpEnabled"], false);
    let body = login(&app, email, PASSWORD, None).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["login"]["user"]["totpEnabled"], false);
    // Off again: nothing to turn off.
    let body = app
        .gql(Some(&user), DISABLE, json!({"p": PASSWORD, "c": fresh}))
        .await;
    assert_eq!(code(&body), "CONFLICT");

    // The audit log has the enrolment, the recovery code and the disable,
    // never a secret or a code.
    assert_eq!(
        audit_actions(&app, &user_id).await,
        [
            "auth.recovery_code_used",
            "auth.totp_disabled",
            "auth.totp_enabled",
            "auth.totp_enrolment_started",
        ]
    );
    let rows = archportal_storage::audit::recent(&app.state().db, 1000)
        .await
        .unwrap();
    for r in &rows {
        for c in &recovery {
            assert!(!r.details.contains(c.as_str()), "{r:?}");
        }
        assert!(!r.details.contains(&secret.to_base32()), "{r:?}");
        assert!(!r.details.contains(&fresh), "{r:?}");
    }
    let failures = rows
        .iter()
        .filter(|r| r.action == "auth.login_failed" && r.details.contains("wrong_totp"))
        .count();
    // Two replays, too far, the used recovery code at sign-in; the wrong code at disable.
    assert_eq!(failures, 5);
    app.finish().await;
}

async fn admin_reset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let email = "integrator@gov.kz";
    let user = app.create_user(&admin, email, "INTEGRATOR", None).await;
    let user_id = app.ok(Some(&user), "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    freeze(&app);
    enrol(&app, &user).await;
    // Admins see who has the second factor on.
    let list = app
        .ok(
            Some(&admin),
            "{ users { nodes { id email totpEnabled } } }",
            json!({}),
        )
        .await;
    let row = list["users"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()
        .clone();
    assert_eq!(row["totpEnabled"], true);
    assert_eq!(
        code(&login(&app, email, PASSWORD, None).await),
        "TOTP_REQUIRED"
    );
    // Only an administrator resets; the user cannot skip the second factor.
    let body = app.gql(Some(&user), RESET, json!({"id": user_id})).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app
        .gql(Some(&admin), RESET, json!({"id": "not-an-id"}))
        .await;
    assert_eq!(code(&body), "INVALID_INPUT");
    let reset = app.ok(Some(&admin), RESET, json!({"id": user_id})).await;
    assert_eq!(reset["resetTotp"]["user"]["totpEnabled"], false);
    let body = login(&app, email, PASSWORD, None).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    // The user may enrol again.
    advance(&app, 1);
    enrol(&app, &user).await;
    assert_eq!(
        code(&login(&app, email, PASSWORD, None).await),
        "TOTP_REQUIRED"
    );
    let rows = archportal_storage::audit::recent(&app.state().db, 1000)
        .await
        .unwrap();
    let admin_id = app.ok(Some(&admin), "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resets: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "auth.totp_reset" && r.target_id == user_id)
        .collect();
    assert_eq!(resets.len(), 1);
    assert_eq!(resets[0].actor_id.map(|a| a.to_string()), Some(admin_id));
    app.finish().await;
}

async fn lockout_counts_wrong_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let email = "operator@gov.kz";
    let user = app.create_user(&admin, email, "OPERATOR", None).await;
    freeze(&app);
    let (secret, _) = enrol(&app, &user).await;
    advance(&app, 1);
    // Asking for the code is not a failure: many times over the limit, then a right code works.
    for _ in 0..7 {
        assert_eq!(
            code(&login(&app, email, PASSWORD, None).await),
            "TOTP_REQUIRED"
        );
    }
    let good = code_now(&app, &secret, 0);
    let body = login(&app, email, PASSWORD, Some(&good)).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    // Five wrong codes lock the account (the default limit), as wrong passwords do.
    advance(&app, 1);
    let right = code_now(&app, &secret, 0);
    let wrong = not_a_code(&app, &secret);
    for _ in 0..5 {
        assert_eq!(
            code(&login(&app, email, PASSWORD, Some(&wrong)).await),
            "INVALID_INPUT"
        );
    }
    let body = login(&app, email, PASSWORD, Some(&right)).await;
    assert_eq!(code(&body), "TOO_MANY_REQUESTS", "{body:#}");
    // Not a way around the lock either: turning the factor off is refused too.
    let body = app
        .gql(Some(&user), DISABLE, json!({"p": PASSWORD, "c": right}))
        .await;
    assert_eq!(code(&body), "TOO_MANY_REQUESTS", "{body:#}");
    app.finish().await;
}

both!(
    enrol_sign_in_and_disable,
    admin_reset,
    lockout_counts_wrong_codes
);
