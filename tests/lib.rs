//! End-to-end tests live in `e2e/`. The library holds what other tools
//! share with them: the invariants every answer of `POST /graphql` keeps,
//! checked by the `graphql_request` fuzz target (`fuzz/graphql`) on every
//! input it generates and by `e2e/fuzz_inputs.rs` on the committed seeds
//! and findings.

use serde_json::Value;

/// The codes `/graphql` may answer (`INTERNAL` exists, but is a finding).
pub const KNOWN_CODES: &[&str] = archportal_api::error::ERROR_CODES;

/// Text that must not reach a client unless the client sent it: SQL,
/// database driver and ORM names, source and data paths, panics.
pub const LEAKS: &[&str] = &[
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

/// The invariants of one answer (`status`, `body`) to the request body
/// `input`: the answer is JSON; every error has a message and an
/// `extensions.code` from [`KNOWN_CODES`], never `INTERNAL`; no text of
/// [`LEAKS`] nor `data_dir` (lower case) appears unless the input held it.
/// `Err` says which one broke, with the answer.
pub fn check_graphql_answer(
    input: &[u8],
    status: u16,
    body: &[u8],
    data_dir: &str,
) -> Result<(), String> {
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
            if code == "INTERNAL" {
                return Err(format!("INTERNAL answered: {text}"));
            }
            if !KNOWN_CODES.contains(&code) {
                return Err(format!("unknown code {code}: {text}"));
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

#[cfg(test)]
mod tests {
    use super::check_graphql_answer;

    #[test]
    fn answers_that_break_an_invariant_are_told_apart() {
        let ok = br#"{"errors":[{"message":"no","extensions":{"code":"NOT_FOUND"}}]}"#;
        assert_eq!(check_graphql_answer(b"{}", 200, ok, "/d/"), Ok(()));
        let cases: [(&[u8], &[u8], &str); 5] = [
            (b"{}", b"<html>", "not JSON"),
            (
                b"{}",
                br#"{"errors":[{"message":"x","extensions":{"code":"INTERNAL"}}]}"#,
                "INTERNAL",
            ),
            (
                b"{}",
                br#"{"errors":[{"message":"x","extensions":{"code":"NOPE"}}]}"#,
                "unknown code",
            ),
            (
                b"{}",
                br#"{"errors":[{"message":"no such table: users"}]}"#,
                "without extensions.code",
            ),
            (b"{}", br#"{"data":{"x":"at /d/blobs/1"}}"#, "\"/d/\""),
        ];
        for (input, body, why) in cases {
            let got = check_graphql_answer(input, 200, body, "/d/").expect_err(why);
            assert!(got.contains(why), "{why}: {got}");
        }
        // Text the caller sent may be quoted back.
        let echoed = br#"{"errors":[{"message":"unknown field \"select \"","extensions":{"code":"INVALID_REQUEST"}}]}"#;
        assert_eq!(
            check_graphql_answer(br#"{"query":"{ select \" }"}"#, 400, echoed, "/d/"),
            Ok(())
        );
    }
}
