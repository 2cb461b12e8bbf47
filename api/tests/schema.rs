//! The committed SDL (`api/schema.graphql`) is what the code serves; the
//! frontend's types are generated from it, so a drift must fail the build.

#[test]
fn committed_schema_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let actual = archportal_api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &actual).expect("writing api/schema.graphql");
        return;
    }
    assert!(
        committed == actual,
        "api/schema.graphql is stale: run `make schema` and commit it"
    );
}
