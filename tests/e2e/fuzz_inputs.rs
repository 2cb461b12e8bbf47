//! The short form of the `graphql_request` fuzz target (issue 7): every
//! committed seed under `fuzz/seeds/graphql_request/` and every minimised
//! finding under `tests/e2e/fuzz-regressions/graphql_request/` is posted as
//! the raw body of `POST /graphql`, anonymously and as a signed-in owner,
//! and the answer must keep the fuzz target's invariants (one check for
//! both, `archportal_tests::check_graphql_answer`): JSON; every error with a message
//! and an `extensions.code` from the known set, never `INTERNAL`; no SQL,
//! driver names or file paths the caller did not send. On SQLite and on
//! PostgreSQL (the fuzzer itself runs on SQLite only).

use std::path::{Path, PathBuf};

use archportal_tests::check_graphql_answer;
use serde_json::json;

use crate::both;
use crate::support::{Backend, TestApp, bin};

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
            if let Err(why) = check_graphql_answer(&input, status, &body, &data_dir) {
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
