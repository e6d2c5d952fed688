//! Every published Backend API version served at once (`--spec-dir` over Clerk's documents and
//! `bapi-more/`): which document answers which `Clerk-API-Version`, read back from the journal
//! (`api_version` is the version of the spec that served the request).

mod common;

use common::{Client, TestServer};
use serde_json::json;

/// The version of the spec that answered the client's latest request.
fn served_version(client: &Client) -> String {
    let journal = client.get("/__admin/requests?limit=2");
    // The newest entry is this journal request itself only when it is journaled; skip admin paths.
    let entries = journal.body["data"].as_array().cloned().unwrap_or_default();
    let entry = entries.iter().find(|e| !e["path"].as_str().unwrap_or("").starts_with("/__admin")).expect("a journaled API request");
    entry["api_version"].as_str().unwrap_or("").to_string()
}

fn answered_by(server: &TestServer, header: Option<&str>) -> String {
    let client = server.client().with_version(header);
    let resp = client.get("/v1/users?limit=1");
    assert_eq!(resp.status, 200, "{header:?}: {}", resp.text);
    served_version(&client)
}

#[test]
fn a_request_without_a_version_is_answered_from_v1_and_an_exact_version_from_its_document() {
    let server = TestServer::start();
    assert_eq!(answered_by(&server, None), "v1");
    for version in ["2021-02-05", "2024-10-01", "2025-03-12", "2025-04-10", "2025-11-10", "2026-05-12"] {
        assert_eq!(answered_by(&server, Some(version)), version);
    }
}

#[test]
fn a_date_between_documents_gets_the_newest_dated_one_not_newer_than_it() {
    let server = TestServer::start();
    assert_eq!(answered_by(&server, Some("2023-06-01")), "2021-02-05", "v1 answers no date");
    assert_eq!(answered_by(&server, Some("2025-04-09")), "2025-03-12");
    assert_eq!(answered_by(&server, Some("2025-06-01")), "2025-04-10");
    assert_eq!(answered_by(&server, Some("2030-01-01")), "2026-05-12");
    assert_eq!(answered_by(&server, Some("2019-01-01")), "v1", "older than every dated document");
}

#[test]
fn clerk_sdk_node_5s_version_creates_sessions_that_v1_cannot() {
    let server = TestServer::start();
    let client = server.client().with_version(Some("2025-04-10"));
    let user = client.post("/v1/users", json!({"email_address": ["v5@example.com"]}));
    assert_eq!(user.status, 200, "{}", user.text);
    let user_id = user.body["id"].as_str().unwrap().to_string();
    let session = client.post("/v1/sessions", json!({"user_id": user_id}));
    assert_eq!(session.status, 200, "{}", session.text);
    let token = client.post(&format!("/v1/sessions/{}/tokens", session.body["id"].as_str().unwrap()), json!({}));
    assert_eq!(token.status, 200, "{}", token.text);
    assert!(token.body["jwt"].as_str().is_some_and(|j| j.split('.').count() == 3), "{}", token.text);

    let v1 = client.clone().with_version(None).post("/v1/sessions", json!({"user_id": user_id}));
    assert_eq!((v1.status, v1.code()), (405, "method_not_allowed"), "{}", v1.text);
}

#[test]
fn the_default_version_can_be_a_date() {
    let server = TestServer::start_with(|a| a.spec.default_version = Some("2025-04-10".into()));
    assert_eq!(answered_by(&server, None), "2025-04-10");
    assert_eq!(answered_by(&server, Some("v1")), "v1");
}
