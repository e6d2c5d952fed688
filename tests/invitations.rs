//! Instance invitations over HTTP: create, the duplicate and existing-user
//! rules, list with status / query / order and paging, revoke, bulk create.

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

fn invite(client: &Client, body: Value) -> Value {
    let r = client.post("/v1/invitations", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn emails(list: &Value) -> Vec<String> {
    let items = list.get("data").unwrap_or(list);
    items.as_array().unwrap().iter().map(|i| i["email_address"].as_str().unwrap().to_string()).collect()
}

#[test]
fn creating_an_invitation_answers_a_pending_invitation_with_its_url() {
    let server = TestServer::start();
    let client = server.client();
    let inv = invite(
        &client,
        json!({"email_address": "new@example.com", "public_metadata": {"role": "beta"}, "redirect_url": "https://app.example.com/welcome", "notify": false}),
    );
    assert_eq!(inv["object"], "invitation");
    assert!(inv["id"].as_str().unwrap().starts_with("inv_"));
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["revoked"], false);
    assert_eq!(inv["public_metadata"], json!({"role": "beta"}));
    assert!(inv["url"].as_str().unwrap().starts_with("https://app.example.com/welcome?__clerk_ticket="));
    let thirty_days = 30 * 86_400_000i64;
    assert_eq!(inv["expires_at"].as_i64().unwrap() - inv["created_at"].as_i64().unwrap(), thirty_days);
}

#[test]
fn a_second_pending_invitation_for_the_same_email_is_a_duplicate() {
    let server = TestServer::start();
    let client = server.client();
    invite(&client, json!({"email_address": "dup@example.com"}));
    let r = client.post("/v1/invitations", json!({"email_address": "DUP@example.com"}));
    assert_eq!((r.status, r.code(), r.param()), (422, "duplicate_record", "email_address"), "{}", r.text);
    invite(&client, json!({"email_address": "dup@example.com", "ignore_existing": true}));
}

#[test]
fn inviting_an_existing_users_email_is_refused_unless_ignore_existing() {
    let server = TestServer::start();
    let client = server.client();
    assert_eq!(client.post("/v1/users", json!({"email_address": ["member@example.com"]})).status, 200);
    let r = client.post("/v1/invitations", json!({"email_address": "member@example.com"}));
    assert_eq!((r.status, r.code(), r.param()), (422, "form_identifier_exists", "email_address"));
    invite(&client, json!({"email_address": "member@example.com", "ignore_existing": true}));
}

#[test]
fn bad_invitation_bodies_are_422() {
    let server = TestServer::start();
    let client = server.client();
    for (body, param) in [
        (json!({}), "email_address"),
        (json!({"email_address": "not-an-email"}), "email_address"),
        (json!({"email_address": "x@example.com", "expires_in_days": 0}), "expires_in_days"),
    ] {
        let r = client.post("/v1/invitations", body.clone());
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(r.code().starts_with("form_param_"), "{body}: {}", r.text);
        assert_eq!(r.param(), param, "{body}");
    }
    assert_eq!(client.post("/v1/invitations", json!({"email_address": ["x@example.com"]})).status, 422);
}

#[test]
fn revoking_marks_the_invitation_revoked_once() {
    let server = TestServer::start();
    let client = server.client();
    let inv = invite(&client, json!({"email_address": "revoke@example.com"}));
    let path = format!("/v1/invitations/{}/revoke", inv["id"].as_str().unwrap());
    let r = client.post(&path, json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((r.body["status"].clone(), r.body["revoked"].clone()), (json!("revoked"), json!(true)));
    assert_eq!(client.post(&path, json!({})).status, 400, "already revoked");
    assert_eq!(client.post("/v1/invitations/inv_missing/revoke", json!({})).status, 404);
    // A revoked invitation no longer blocks a new one.
    invite(&client, json!({"email_address": "revoke@example.com"}));
}

#[test]
fn listing_filters_by_status_and_query_orders_and_pages() {
    let server = TestServer::start();
    let client = server.client();
    let a = invite(&client, json!({"email_address": "alpha@example.com"}));
    invite(&client, json!({"email_address": "bravo@example.org"}));
    invite(&client, json!({"email_address": "charlie@example.com"}));
    client.post(&format!("/v1/invitations/{}/revoke", a["id"].as_str().unwrap()), json!({}));

    assert_eq!(emails(&client.get("/v1/invitations").body), vec!["charlie@example.com", "bravo@example.org", "alpha@example.com"]);
    assert_eq!(emails(&client.get("/v1/invitations?status=revoked").body), vec!["alpha@example.com"]);
    assert_eq!(emails(&client.get("/v1/invitations?status=pending&query=example.com").body), vec!["charlie@example.com"]);
    assert_eq!(emails(&client.get("/v1/invitations?order_by=%2Bcreated_at&limit=1&offset=1").body), vec!["bravo@example.org"]);
    let paged = client.get("/v1/invitations?paginated=true&limit=2");
    assert_eq!(paged.body["total_count"], 3);
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 2);
    let bad = client.get("/v1/invitations?status=lost");
    assert_eq!(bad.status, 422);
}

#[test]
fn bulk_invitations_are_created_together_or_not_at_all() {
    let server = TestServer::start();
    let client = server.client();
    let r = client.post("/v1/invitations/bulk", json!([{"email_address": "b1@example.com"}, {"email_address": "b2@example.com", "public_metadata": {"n": 2}}]));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(emails(&r.body), vec!["b1@example.com", "b2@example.com"]);
    let clash = client.post("/v1/invitations/bulk", json!([{"email_address": "b3@example.com"}, {"email_address": "b1@example.com"}]));
    assert_eq!((clash.status, clash.code()), (422, "duplicate_record"));
    let twice = client.post("/v1/invitations/bulk", json!([{"email_address": "b4@example.com"}, {"email_address": "b4@example.com"}]));
    assert_eq!(twice.code(), "duplicate_record");
    assert_eq!(emails(&client.get("/v1/invitations?limit=100").body).len(), 2, "nothing from the failed bulks");
}

#[test]
fn invitations_answer_in_every_api_version() {
    let server = TestServer::start();
    let client = server.client();
    invite(&client, json!({"email_address": "versions@example.com"}));
    for version in [None, Some("2025-11-10"), Some("2026-05-12")] {
        let r = client.clone().with_version(version).get("/v1/invitations");
        assert_eq!(r.status, 200, "{version:?}: {}", r.text);
        assert_eq!(emails(&r.body), vec!["versions@example.com"]);
    }
}
