//! The web security baseline through HTTP (issue 7, OWASP ASVS L2 as the
//! reference): security headers on every response, GraphiQL's own CSP,
//! CORS closed by default and opened only to listed origins, HSTS on
//! request, JWT key rotation with the algorithm pinned, the password policy
//! on user creation and activation, the per-IP rate limit that also covers
//! signed-in callers, and downloads that are never active content.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, PASSWORD, TestApp, bin, code};
use archportal_domain::document::DocumentKind;

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on {}", res.url()))
        .to_str()
        .unwrap()
}

async fn security_headers_and_closed_cors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let gql = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&admin)
        .header("origin", "https://evil.example")
        .json(&json!({"query": "{ me { email } }"}))
        .send()
        .await
        .unwrap();
    let page = app.client.get(&app.base).send().await.unwrap();
    let missing = app
        .client
        .get(format!("{}/no/such/route.js", app.base))
        .send()
        .await
        .unwrap();
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    for res in [&gql, &page, &missing, &health] {
        let csp = header(res, "content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(header(res, "x-content-type-options"), "nosniff");
        assert_eq!(header(res, "referrer-policy"), "no-referrer");
        assert_eq!(header(res, "x-frame-options"), "DENY");
        assert!(
            res.headers().get("strict-transport-security").is_none(),
            "no HSTS by default (http://localhost)"
        );
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "CORS is closed by default"
        );
    }
    assert_eq!(gql.status(), StatusCode::OK);
    // The placeholder page's inline style is allowed by its hash.
    assert!(header(&page, "content-security-policy").contains("style-src 'self' 'sha256-"));
    // A preflight from another origin gets no permission either.
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    // GraphiQL: its CDN and its inline boot script by hash, nothing inline-wide.
    let graphiql = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), StatusCode::OK);
    let csp = header(&graphiql, "content-security-policy").to_owned();
    assert!(
        csp.contains("script-src 'self' 'sha256-") && csp.contains("https://unpkg.com"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    app.finish().await;
}

async fn hsts_and_cors_allow_list_when_configured(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.security.hsts_max_age_secs = 31_536_000;
        c.security.cors_allowed_origins = vec!["https://portal.gov.kz".into()];
    })
    .await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
        .header("origin", "https://portal.gov.kz")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        "https://portal.gov.kz"
    );
    assert!(header(&preflight, "access-control-allow-methods").contains("POST"));
    assert!(
        header(&preflight, "access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("authorization")
    );
    let allowed = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("origin", "https://portal.gov.kz")
        .json(&json!({"query": "{ me { email } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        "https://portal.gov.kz"
    );
    assert_eq!(
        header(&allowed, "strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
    let other = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("origin", "https://portal.gov.kz.evil.example")
        .json(&json!({"query": "{ me { email } }"}))
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    app.finish().await;
}

const OLD_SECRET: &str = "the-old-signing-key-0123456789-abcdefghij";
const NEW_SECRET: &str = "the-new-signing-key-9876543210-zyxwvutsrq";

/// A token signed by an authenticator with this key, as an older
/// configuration of the portal would have issued it.
fn token_signed_with(
    app: &TestApp,
    kid: &str,
    secret: &str,
    user: &str,
    role: archportal_domain::user::Role,
) -> String {
    let mut config = app.config.auth.clone();
    config.jwt_key_id = kid.into();
    config.jwt_previous_keys = Vec::new();
    config.argon2_memory_kib = 8;
    config.argon2_iterations = 1;
    let auth =
        archportal_api::auth::Authenticator::new(config, &SecretString::from(secret)).unwrap();
    auth.issue(user.parse().unwrap(), role, None).unwrap().token
}

async fn jwt_key_rotation_with_the_algorithm_pinned(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.auth.jwt_secret = Some(SecretString::from(NEW_SECRET));
        c.auth.jwt_key_id = "2026-11".into();
        c.auth.jwt_previous_keys = vec![archportal_api::config::JwtKey {
            kid: "2026-05".into(),
            secret: SecretString::from(OLD_SECRET),
        }];
    })
    .await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let me = "{ me { id email } }";
    let id = app.ok(Some(&admin), me, json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // New tokens carry the current key's id.
    let head: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(admin.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(head["kid"], "2026-11");
    assert_eq!(head["alg"], "HS256");
    use archportal_domain::user::Role::Admin;
    // Signed with the previous key, named by its kid: still accepted.
    let old = token_signed_with(&app, "2026-05", OLD_SECRET, &id, Admin);
    let data = app.ok(Some(&old), me, json!({})).await;
    assert_eq!(data["me"]["email"], "admin@gov.kz");
    // An unknown kid, a known kid with the wrong key, no kid, alg none: refused.
    let unknown = token_signed_with(&app, "2025-01", OLD_SECRET, &id, Admin);
    let forged = token_signed_with(&app, "2026-11", OLD_SECRET, &id, Admin);
    let parts: Vec<&str> = old.split('.').collect();
    let none_head = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"2026-05"}"#);
    let alg_none = format!("{none_head}.{}.", parts[1]);
    let no_kid_head = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let no_kid = format!("{no_kid_head}.{}.{}", parts[1], parts[2]);
    for bad in [&unknown, &forged, &alg_none, &no_kid] {
        let body = app.gql(Some(bad), me, json!({})).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body:#}");
    }
    // Once the previous key is removed from the configuration, its tokens stop working.
    let rotated = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.auth.jwt_secret = Some(SecretString::from(NEW_SECRET));
        c.auth.jwt_key_id = "2026-11".into();
    })
    .await;
    let body = rotated.gql(Some(&old), me, json!({})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body:#}");
    rotated.finish().await;
    app.finish().await;
}

fn assert_password_refused(body: &Value) {
    assert_eq!(code(body), "INVALID_INPUT", "{body:#}");
    let ext = &body["errors"][0]["extensions"];
    assert_eq!(ext["field"], "password", "{body:#}");
    for lang in ["kk", "ru", "en"] {
        assert!(
            ext["messages"][lang]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{lang}: {body:#}"
        );
    }
}

async fn password_policy_on_creation_and_activation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let create = "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }";
    for bad in [
        "short-pass",
        "Password1234",
        "qwerty123456",
        "my analyst.one@gov.kz!",
        "ANALYST.ONE-2026-secret",
    ] {
        let body = app
            .gql(
                Some(&admin),
                create,
                json!({"i": {"email": "analyst.one@gov.kz", "fullName": "Талдаушы", "role": "ANALYST", "password": bad}}),
            )
            .await;
        assert_password_refused(&body);
    }
    app.ok(
        Some(&admin),
        create,
        json!({"i": {"email": "analyst.one@gov.kz", "fullName": "Талдаушы", "role": "ANALYST", "password": PASSWORD}}),
    )
    .await;
    // Activation through the mailed link applies the same policy.
    let email = "applicant@minfin.gov.kz";
    let requested = app
        .ok(
            None,
            "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id } } }",
            json!({"i": {"bin": bin("24014000001"), "organizationNameKk": "А ұйымы", "organizationNameRu": "Организация А",
                "organizationKind": "STATE_BODY", "fullName": "Өтініш беруші", "position": "Маман",
                "email": email, "phone": "+7 (7172) 00-00-00", "basis": "Бұйрық № 1", "language": "RU"}}),
        )
        .await;
    let request_id = requested["requestAccount"]["accountRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ approveAccountRequest(id:$id){ accountRequest { status } } }",
        json!({"id": request_id}),
    )
    .await;
    let token = app.activation_token(email).await;
    let activate = "mutation($t:String!,$p:String!){ activateAccount(input:{token:$t, password:$p}){ email } }";
    for bad in ["password12345", "APPLICANT-strong-phrase", "1qaz2wsx3edc"] {
        let body = app.gql(None, activate, json!({"t": token, "p": bad})).await;
        assert_password_refused(&body);
    }
    let done = app
        .ok(
            None,
            activate,
            json!({"t": token, "p": "Жаңа құпия сөз 2026"}),
        )
        .await;
    assert_eq!(done["activateAccount"]["email"], email);
    app.finish().await;
}

async fn per_ip_limit_covers_signed_in_callers(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.limits.ip_rate_per_minute = 6;
        c.limits.ip_rate_burst = 4;
    })
    .await;
    // The login is the address's first request; the user's own budget is the default.
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let q = "{ organizations { totalCount } }";
    for _ in 0..3 {
        app.ok(Some(&admin), q, json!({})).await;
    }
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&admin)
        .json(&json!({"query": q}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header(&res, "retry-after").parse().unwrap();
    assert!((1..=10).contains(&wait), "retry after {wait} s");
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), "RATE_LIMITED");
    app.finish().await;
}

async fn downloads_are_never_active_content(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
    let org = app
        .create_org(&admin, &bin("24014000001"), "Министерство А")
        .await;
    let owner = app
        .create_user(&admin, "owner@gov.kz", "OWNER", Some(&org))
        .await;
    let object = app.create_object(&owner, "ЕЛИЦ").await;
    let (status, body) = app
        .upload_pair(&owner, &object, DocumentKind::TermsOfReference)
        .await;
    assert!(status.is_success(), "{status} {body:#}");
    for file in ["pdf", "docx"] {
        let url = body["document"][file]["downloadUrl"].as_str().unwrap();
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", app.base)
        };
        let res = app
            .client
            .get(url)
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(header(&res, "content-disposition").starts_with("attachment;"));
        assert_eq!(header(&res, "content-security-policy"), "sandbox");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        let media = header(&res, "content-type");
        assert!(
            media == "application/pdf" || media.starts_with("application/vnd.openxmlformats"),
            "{media}"
        );
    }
    // The exports too.
    let res = app
        .client
        .get(format!("{}/api/export/objects.csv", app.base))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(&res, "content-disposition").starts_with("attachment;"));
    assert_eq!(header(&res, "content-security-policy"), "sandbox");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    app.finish().await;
}

both!(
    security_headers_and_closed_cors,
    hsts_and_cors_allow_list_when_configured,
    jwt_key_rotation_with_the_algorithm_pinned,
    password_policy_on_creation_and_activation,
    per_ip_limit_covers_signed_in_callers,
    downloads_are_never_active_content,
);
