//! The GraphQL request path, end to end: the input is the raw body of a
//! `POST /graphql` as a client would send it. It goes through the real axum
//! router (body limit, JSON decoding, the rate limiter, token check, parsing,
//! validation, depth and complexity limits, execution, error localization)
//! against the real schema on a real SQLite database file, once as an
//! anonymous caller and once as a signed-in owner.
//!
//! The server is built once per process (a tokio runtime and the router in a
//! static) and seeded through its own API with two organizations, an owner
//! in each and three informatization objects, so resolvers do real work.
//!
//! Invariants, for every input and both callers: no panic; the answer is
//! JSON; every error has `extensions.code` from the known set, and never
//! `INTERNAL`; the answer shows no SQL, no driver names and no file paths
//! (unless the input itself contained that text, which errors may quote).
#![no_main]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use archportal_api::config::Config;
use archportal_domain::organization::iin_bin_check_digit;
use archportal_domain::user::Role;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use tower::ServiceExt as _;


const PASSWORD: &str = "correct horse battery staple";

struct Harness {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    owner: String,
    data_dir: PathBuf,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

fn harness() -> &'static Harness {
    HARNESS.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let data_dir = std::env::temp_dir().join(format!("archportal-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        let (app, owner) = rt.block_on(setup(data_dir.clone()));
        Harness {
            rt,
            app,
            owner,
            data_dir,
        }
    })
}

/// A valid BIN: `head` (11 digits) and the check digit, skipping heads that
/// cannot be issued.
fn bin(mut head: u64) -> String {
    loop {
        let text = format!("{head:011}");
        let mut digits = [0u8; 11];
        for (d, c) in digits.iter_mut().zip(text.bytes()) {
            *d = c - b'0';
        }
        if let Some(check) = iin_bin_check_digit(&digits) {
            return format!("{text}{check}");
        }
        head += 1;
    }
}

async fn setup(data_dir: PathBuf) -> (axum::Router, String) {
    let mut config = Config {
        data_dir: data_dir.clone(),
        ..Config::default()
    };
    config.frontend_dir = data_dir.join("no-frontend");
    // The fuzzer is one caller sending thousands of requests a second: the
    // rate limits would answer RATE_LIMITED to nearly all of them.
    config.limits.rate_per_minute = u32::MAX;
    config.limits.rate_burst = u32::MAX;
    config.limits.ip_rate_per_minute = 0;
    config.limits.request_timeout_ms = 10_000;
    config.auth.access_token_ttl_secs = 7 * 24 * 3600;

    let admin = archportal_api::cli::admin_create(
        config.clone(),
        "admin@fuzz.example.kz",
        "ADMIN",
        None,
        None,
        "ru",
        PASSWORD.to_owned(),
    )
    .await
    .expect("admin user");
    let state = archportal_api::build_state(config)
        .await
        .expect("server state");
    let app = archportal_api::router(state.clone());
    let token = |id, role, org| state.auth.issue(id, role, org).expect("access token").token;
    let admin = token(admin.id, Role::Admin, None);

    let mut owners = Vec::new();
    for (n, name) in [
        (24_014_000_001, "Министерство А"),
        (24_014_000_100, "Министерство Б"),
    ] {
        let data = ok(
            &app,
            &admin,
            "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }",
            json!({"i": {"bin": bin(n), "nameKk": format!("{name} (kk)"), "nameRu": name, "kind": "STATE_BODY"}}),
        )
        .await;
        let org = data["createOrganization"]["organization"]["id"]
            .as_str()
            .expect("organization id")
            .to_owned();
        let email = format!("owner{}@fuzz.example.kz", owners.len());
        let data = ok(
            &app,
            &admin,
            "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
            json!({"i": {"email": email, "fullName": email, "role": "OWNER", "organizationId": org, "password": PASSWORD}}),
        )
        .await;
        let id = data["createUser"]["user"]["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("user id");
        let org = org.parse().expect("organization uuid");
        owners.push(token(id, Role::Owner, Some(org)));
    }
    for (owner, short) in [
        (&owners[0], "ЕСЭДО"),
        (&owners[0], "ГБДЮЛ"),
        (&owners[1], "АИС"),
    ] {
        ok(
            &app,
            owner,
            "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
            json!({"i": {
                "kind": "INFORMATION_SYSTEM",
                "nameKk": format!("{short} ақпараттық жүйесі"),
                "nameRu": format!("Информационная система {short}"),
                "shortName": short,
                "purpose": "Мемлекеттік қызметтерді автоматтандыру",
            }}),
        )
        .await;
    }
    (app, owners.swap_remove(0))
}

/// Posts `body` to `/graphql`; returns the status and the body bytes.
async fn post(
    app: &axum::Router,
    token: Option<&str>,
    lang: &str,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let mut req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, lang);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let mut req = req.body(Body::from(body)).expect("request");
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let response = app.clone().oneshot(req).await.expect("infallible router");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("response body");
    (status, bytes.to_vec())
}

async fn ok(app: &axum::Router, token: &str, query: &str, variables: Value) -> Value {
    let body = serde_json::to_vec(&json!({"query": query, "variables": variables})).expect("json");
    let (status, bytes) = post(app, Some(token), "ru", body).await;
    let answer: Value = serde_json::from_slice(&bytes).expect("JSON answer");
    assert!(
        status == 200 && answer.get("errors").is_none(),
        "setup failed: {status} {answer:#}"
    );
    answer["data"].clone()
}

/// The shared invariants (`archportal_tests::check_graphql_answer`); a
/// broken one is a crash, named with the caller.
fn check(data: &[u8], caller: &str, status: u16, bytes: &[u8], data_dir: &str) {
    if let Err(why) = archportal_tests::check_graphql_answer(data, status, bytes, data_dir) {
        panic!("{caller}: {why}");
    }
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    let data_dir = h.data_dir.display().to_string().to_lowercase();
    let langs = ["kk", "ru", "en"];
    let lang = langs[data.len() % 3];
    let (status, bytes) = h.rt.block_on(post(&h.app, None, lang, data.to_vec()));
    check(data, "anonymous", status, &bytes, &data_dir);
    let (status, bytes) =
        h.rt.block_on(post(&h.app, Some(&h.owner), lang, data.to_vec()));
    check(data, "owner", status, &bytes, &data_dir);
});
