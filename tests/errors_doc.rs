//! docs/errors.md is generated from the error catalogue (src/error/catalogue.rs);
//! this test fails when the committed file no longer matches it.
//! Regenerate with `cargo run -- errors > docs/errors.md`.

#[test]
fn the_committed_error_catalogue_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == clerk_mock::error::catalogue::markdown(),
        "docs/errors.md is stale: run `cargo run -- errors > docs/errors.md`"
    );
}

#[test]
fn the_cli_prints_the_catalogue() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-mock")).arg("errors").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| `resource_not_found` | Clerk |"), "{text}");
}
