//! The short form of the `graphql_request` fuzz target (issue 7): every
//! committed seed under `fuzz/seeds/graphql_request/` and every minimised
//! finding under `tests/e2e/fuzz-regressions/graphql_request/` is posted as
//! the raw body of `POST /graphql`, anonymously and as a signed-in owner,
//! and the answer must keep the fuzz target's invariants (kept in step with
//! `fuzz/fuzz_targets/graphql_request.rs`): JSON; every error with a message
//! and an `extensions.code` from the known set, never `INTERNAL`; no SQL,
//! driver names or file paths the caller did not send. On SQLite and on
//! PostgreSQL (the fuzzer itself runs on SQLite only).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::both;
use crate::support::{Backend, TestApp, bin};

/// The codes `/graphql` may answer (`INTERNAL` exists, but is a finding).
const KNOWN_CODES: &[&str] = archportal_api::error::ERROR_CODES;

/// Text that must not reach a client unless the client sent it.
const LEAKS: &[&str] = &[
    "select \"",
    "insert into",
    "update \"",
    "delete from",
    "from \"",
    "where \"",
    "sqlite",
    "sqlx",
    "sea_orm",
    "sea-orm",
    "postgres",
    "constraint",
    "syntax error",
    "no such table",
    "no such column",
    "/tmp/",
    "/work/",
    "/home/",
    "/root/",
    ".rs:",
    "src/",
    "panicked",
    "archportal.db",
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = read
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Every key and string value of `v`, one a line.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => {
            for (k, i) in map {
                out.push_str(k);
                out.push('\n');
                strings(i, out);
            }
        }
        _ => {}
    }
}

/// The invariants of one answer to `input`; `Err` says which one broke.
fn check(input: &[u8], status: u16, body: &[u8], data_dir: &str) -> Result<(), String> {
    let text = String::from_utf8_lossy(body);
    let answer: Value = serde_json::from_slice(body)
        .map_err(|e| format!("status {status}, the answer is not JSON ({e}): {text}"))?;
    if let Some(errors) = answer.get("errors") {
        let errors = errors
            .as_array()
            .ok_or_else(|| format!("errors is not a list: {text}"))?;
        for error in errors {
            let code = error["extensions"]["code"]
                .as_str()
                .ok_or_else(|| format!("an error without extensions.code: {text}"))?;
            if code == "INTERNAL" || !KNOWN_CODES.contains(&code) {
                return Err(format!("code {code}: {text}"));
            }
            if error["message"].as_str().is_none_or(str::is_empty) {
                return Err(format!("an error without a message: {text}"));
            }
        }
    }
    let sent = String::from_utf8_lossy(input)
        .to_lowercase()
        .replace("\\\"", "\"");
    let mut shown = String::new();
    strings(&answer, &mut shown);
    let shown = shown.to_lowercase();
    for leak in LEAKS.iter().copied().chain([data_dir]) {
        if shown.contains(leak) && !sent.contains(leak) {
            return Err(format!("the answer contains {leak:?}: {text}"));
        }
    }
    Ok(())
}

async fn committed_graphql_fuzz_inputs_keep_the_invariants(backend: Backend) {
    // One caller sends every input twice in a burst: no rate limit here.
    let app = TestApp::spawn_with(backend, |c| {
        c.limits.rate_per_minute = 1_000_000;
        c.limits.rate_burst = 1_000_000;
        c.limits.ip_rate_per_minute = 0;
    })
    .await;
    // The fuzz target's data: two organizations, an owner in each, three objects.
    let admin = app.bootstrap("admin@fuzz.example.kz", "ADMIN", None).await;
    let org_a = app
        .create_org(&admin, &bin("24014000001"), "Министерство А")
        .await;
    let org_b = app
        .create_org(&admin, &bin("24014000004"), "Министерство Б")
        .await;
    let owner = app
        .create_user(&admin, "owner0@fuzz.example.kz", "OWNER", Some(&org_a))
        .await;
    let other = app
        .create_user(&admin, "owner1@fuzz.example.kz", "OWNER", Some(&org_b))
        .await;
    app.create_object(&owner, "ЕСЭДО").await;
    app.create_object(&owner, "ГБДЮЛ").await;
    app.create_object(&other, "АИС").await;

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let seeds = inputs(&root.join("fuzz/seeds/graphql_request"));
    assert!(seeds.len() >= 50, "committed seeds: {}", seeds.len());
    let regressions = inputs(&root.join("tests/e2e/fuzz-regressions/graphql_request"));
    let data_dir = app.data_dir.display().to_string().to_lowercase();
    let mut failures = Vec::new();
    for file in seeds.iter().chain(&regressions) {
        let input = std::fs::read(file).unwrap();
        for (caller, token) in [("anonymous", None), ("owner", Some(owner.as_str()))] {
            let mut req = app
                .client
                .post(format!("{}/graphql", app.base))
                .header("content-type", "application/json")
                .body(input.clone());
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let body = resp.bytes().await.unwrap();
            if let Err(why) = check(&input, status, &body, &data_dir) {
                failures.push(format!("{} as {caller}: {why}", file.display()));
            }
        }
    }
    // The server still answers after all of it.
    let data = app.ok(Some(&owner), "{ me { email } }", json!({})).await;
    assert_eq!(data["me"]["email"], "owner0@fuzz.example.kz");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    app.finish().await;
}

both!(committed_graphql_fuzz_inputs_keep_the_invariants);
