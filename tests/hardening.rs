//! Hardening found by fuzzing: integers outside their format's range,
//! required bodies that are missing, oversized request heads, fixture
//! errors the YAML parser finds, and synthesized answers that must not be
//! constants. Each test sends what a careless client (or schemathesis) sends
//! and checks the answer a Clerk SDK would need.

mod common;

use common::TestServer;

// ---- fixture errors found by the YAML parser ---------------------------------------------

/// Starts a server on one fixture file and returns (its start-up error, the file's name).
fn fixture_start_error(yaml: &str) -> (String, String) {
    let path = common::temp_dir("hardening-fixtures").join("app.yaml");
    std::fs::write(&path, yaml).unwrap();
    let shown = path.display().to_string();
    let err = TestServer::try_start_with(|a| a.fixtures = vec![shown.clone()]).err().expect("start-up fails");
    (err, shown)
}

#[test]
fn a_duplicate_fixture_key_is_reported_as_file_line_entry_reason_on_one_line() {
    let (err, file) =
        fixture_start_error("users:\n  alice:\n    first_name: Alice\n  alice:\n    first_name: Alicia\n");
    assert!(err.contains(&format!("{file}:4: users.alice: duplicate mapping key: alice")), "{err}");
    assert!(!err.contains('\n'), "one line, no excerpt: {err}");
    assert!(!err.contains("(document)") && !err.contains("column"), "{err}");
}

#[test]
fn a_yaml_syntax_error_in_a_fixture_is_reported_as_file_line_entry_reason_on_one_line() {
    let (err, file) = fixture_start_error(
        "users:\n  alice:\n    first_name: Alice\n  bob:\n    last_name: \"Smith\n    first_name: Bob\nsessions: {}\n",
    );
    let at = format!("{file}:");
    let rest = &err[err.find(&at).unwrap_or_else(|| panic!("names the file: {err}")) + at.len()..];
    let (line, rest) = rest.split_once(": ").expect("file:line: entry: reason");
    let line: u64 = line.parse().unwrap_or_else(|_| panic!("a line number: {err}"));
    assert!((5..=7).contains(&line), "the line of the broken string: {err}");
    let (entry, reason) = rest.split_once(": ").expect("entry: reason");
    assert!(entry.starts_with("users.bob") || entry == "sessions", "{err}");
    assert!(!reason.is_empty() && !err.contains('\n'), "{err}");
}
