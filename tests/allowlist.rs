//! Allow-list and block-list identifiers over HTTP: create with the right
//! identifier type, refuse duplicates and junk, list, delete.

mod common;

use common::TestServer;
use serde_json::json;

#[test]
fn allowlist_identifiers_are_created_listed_and_deleted() {
    let server = TestServer::start();
    let client = server.client();
    let cases = [
        ("ada@example.com", "email_address"),
        ("*@example.org", "email_address"),
        ("+15555550100", "phone_number"),
        ("0x0123456789abcdef0123456789abcdef01234567", "web3_wallet"),
    ];
    let mut ids = Vec::new();
    for (identifier, kind) in cases {
        let r = client.post("/v1/allowlist_identifiers", json!({"identifier": identifier}));
        assert_eq!(r.status, 200, "{identifier}: {}", r.text);
        assert_eq!(r.body["object"], "allowlist_identifier");
        assert_eq!(r.body["identifier"], identifier);
        assert_eq!(r.body["identifier_type"], kind, "{identifier}");
        assert!(r.body["instance_id"].as_str().unwrap().starts_with("ins_"));
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    let list = client.get("/v1/allowlist_identifiers");
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body.as_array().unwrap().len(), 4);
    assert_eq!(list.body[0]["id"], ids[3].as_str(), "newest first");
    let paged = client.get("/v1/allowlist_identifiers?paginated=true&limit=1");
    assert_eq!((paged.body["total_count"].clone(), paged.body["data"].as_array().unwrap().len()), (json!(4), 1));

    let deleted = client.delete(&format!("/v1/allowlist_identifiers/{}", ids[0]));
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.body["deleted"], true);
    assert_eq!(deleted.body["id"], ids[0].as_str());
    assert_eq!(client.get("/v1/allowlist_identifiers").body.as_array().unwrap().len(), 3);
    let again = client.delete(&format!("/v1/allowlist_identifiers/{}", ids[0]));
    assert_eq!((again.status, again.code()), (404, "resource_not_found"));
}

#[test]
fn a_list_holds_an_identifier_once_and_rejects_junk() {
    let server = TestServer::start();
    let client = server.client();
    assert_eq!(client.post("/v1/blocklist_identifiers", json!({"identifier": "spam@example.com"})).status, 200);
    let dup = client.post("/v1/blocklist_identifiers", json!({"identifier": "SPAM@example.com"}));
    assert_eq!((dup.status, dup.code(), dup.param()), (422, "duplicate_record", "identifier"));
    let junk = client.post("/v1/blocklist_identifiers", json!({"identifier": "not an identifier"}));
    assert_eq!((junk.status, junk.code(), junk.param()), (422, "form_param_format_invalid", "identifier"));
    let missing = client.post("/v1/allowlist_identifiers", json!({}));
    assert_eq!(missing.status, 422);
    let wrong_type = client.post("/v1/allowlist_identifiers", json!({"identifier": 5}));
    assert_eq!(wrong_type.status, 422);
    // The two lists are separate.
    assert_eq!(client.post("/v1/allowlist_identifiers", json!({"identifier": "spam@example.com"})).status, 200);
}

#[test]
fn the_blocklist_lists_in_its_declared_wrapper_and_deletes() {
    let server = TestServer::start();
    let client = server.client();
    let a = client.post("/v1/blocklist_identifiers", json!({"identifier": "*@spam.example"})).body;
    client.post("/v1/blocklist_identifiers", json!({"identifier": "+15555550199"}));
    assert_eq!(a["object"], "blocklist_identifier");
    let list = client.get("/v1/blocklist_identifiers");
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total_count"], 2);
    assert_eq!(list.body["data"][1]["identifier"], "*@spam.example");
    let r = client.delete(&format!("/v1/blocklist_identifiers/{}", a["id"].as_str().unwrap()));
    assert_eq!(r.body["object"], "blocklist_identifier");
    assert_eq!(client.get("/v1/blocklist_identifiers").body["total_count"], 1);
}

#[test]
fn notifying_an_allowlisted_email_invites_it() {
    let server = TestServer::start();
    let client = server.client();
    let r = client.post("/v1/allowlist_identifiers", json!({"identifier": "vip@example.com", "notify": true}));
    assert_eq!(r.status, 200, "{}", r.text);
    let invitations = client.get("/v1/invitations").body;
    assert_eq!(invitations[0]["email_address"], "vip@example.com");
    assert_eq!(r.body["invitation_id"], invitations[0]["id"]);
}

#[test]
fn lists_answer_in_every_api_version() {
    let server = TestServer::start();
    let client = server.client();
    client.post("/v1/allowlist_identifiers", json!({"identifier": "all@example.com"}));
    client.post("/v1/blocklist_identifiers", json!({"identifier": "none@example.com"}));
    for version in [None, Some("2025-11-10"), Some("2026-05-12")] {
        let c = client.clone().with_version(version);
        assert_eq!(c.get("/v1/allowlist_identifiers").body[0]["identifier"], "all@example.com", "{version:?}");
        assert_eq!(c.get("/v1/blocklist_identifiers").body["data"][0]["identifier"], "none@example.com", "{version:?}");
    }
}
