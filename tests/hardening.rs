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

// ---- request head limits, on the wire ------------------------------------------------------

/// Sends raw bytes and splits the answer into (status, JSON body).
fn raw_status_and_body(server: &TestServer, request: &[u8]) -> (u16, serde_json::Value) {
    let answer = common::raw_exchange(&server.url, request, std::time::Duration::from_secs(10))
        .expect("an answer, not a reset or a hang");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("a status line: {text:.200}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
}

fn get_with(target: &str, extra_header: &str) -> Vec<u8> {
    format!(
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_head\r\n{extra_header}Connection: close\r\n\r\n"
    )
    .into_bytes()
}

#[test]
fn a_100_kb_request_header_gets_431_in_clerks_envelope() {
    let server = TestServer::start();
    let cookie = format!("Cookie: c={}\r\n", "x".repeat(100 * 1024));
    let (status, body) = raw_status_and_body(&server, &get_with("/v1/users", &cookie));
    assert_eq!(status, 431);
    assert_eq!(body["errors"][0]["code"], "request_header_fields_too_large", "{body}");
    assert!(body["clerk_trace_id"].is_string(), "{body}");
}

#[test]
fn a_head_just_under_the_limit_is_served() {
    let server = TestServer::start();
    let header = format!("X-Padding: {}\r\n", "x".repeat(60 * 1024));
    let (status, _) = raw_status_and_body(&server, &get_with("/v1/users", &header));
    assert_eq!(status, 200);
}

#[test]
fn a_head_larger_than_hypers_buffer_still_gets_431_not_a_reset() {
    let server = TestServer::start();
    let header = format!("X-Padding: {}\r\n", "x".repeat(1024 * 1024));
    let (status, _) = raw_status_and_body(&server, &get_with("/v1/users", &header));
    assert_eq!(status, 431);
}

#[test]
fn a_20_kb_request_line_gets_414_in_clerks_envelope() {
    let server = TestServer::start();
    let target = format!("/v1/users?email_address={}", "a".repeat(20 * 1024));
    let (status, body) = raw_status_and_body(&server, &get_with(&target, ""));
    assert_eq!(status, 414);
    assert_eq!(body["errors"][0]["code"], "request_uri_too_long", "{body}");
}

#[test]
fn an_oversized_head_is_refused_before_its_body_is_read() {
    let server = TestServer::start();
    // The body is announced but never sent: an answer proves nobody waited for it.
    let request = format!(
        "POST /v1/users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_head\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Padding: {}\r\n\r\n",
        "x".repeat(100 * 1024)
    );
    let (status, _) = raw_status_and_body(&server, request.as_bytes());
    assert_eq!(status, 431);
}
