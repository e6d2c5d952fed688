//! Sessions and clients over HTTP: create, get, list (both shapes),
//! revoke, and what user bans and deletions do to them.

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

fn user(client: &Client, email: &str) -> String {
    let r = client.post("/v1/users", json!({"email_address": [email], "first_name": "Sam"}));
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn session(client: &Client, body: Value) -> Value {
    let r = client.post("/v1/sessions", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[test]
fn a_new_session_is_active_and_comes_with_its_client() {
    let server = TestServer::start();
    let c = server.client();
    let u = user(&c, "sam@example.com");
    let s = session(&c, json!({"user_id": u}));
    assert_eq!(s["object"], "session");
    assert!(s["id"].as_str().unwrap().starts_with("sess_"));
    assert_eq!(s["status"], "active");
    assert_eq!(s["user_id"], u.as_str());
    assert!(s["expire_at"].as_i64().unwrap() > s["created_at"].as_i64().unwrap());

    let got = c.get(&format!("/v1/sessions/{}", s["id"].as_str().unwrap()));
    assert_eq!(got.body, s);
    let client = c.get(&format!("/v1/clients/{}", s["client_id"].as_str().unwrap()));
    assert_eq!(client.status, 200, "{}", client.text);
    assert_eq!(client.body["object"], "client");
    assert_eq!(client.body["session_ids"], json!([s["id"]]));
    assert_eq!(client.body["last_active_session_id"], s["id"]);
    assert_eq!(client.body["sessions"][0]["status"], "active");
}

#[test]
fn sessions_for_unknown_users_or_foreign_organizations_are_refused() {
    let server = TestServer::start();
    let c = server.client();
    let missing = c.post("/v1/sessions", json!({"user_id": "user_ghost"}));
    assert_eq!((missing.status, missing.code()), (404, "resource_not_found"));
    let u = user(&c, "sam@example.com");
    let org = c.post("/v1/organizations", json!({"name": "Elsewhere"}));
    let not_member = c.post("/v1/sessions", json!({"user_id": u, "active_organization_id": org.body["id"]}));
    assert_eq!((not_member.status, not_member.param()), (422, "active_organization_id"));
    assert_eq!(c.get("/v1/sessions/sess_ghost").status, 404);
    assert_eq!(c.get("/v1/clients/client_ghost").status, 404);
}

#[test]
fn a_session_can_start_in_an_organization_of_the_user() {
    let server = TestServer::start();
    let c = server.client();
    let u = user(&c, "sam@example.com");
    let org = c.post("/v1/organizations", json!({"name": "Home", "created_by": u}));
    let s = session(&c, json!({"user_id": u, "active_organization_id": "home"}));
    assert_eq!(s["last_active_organization_id"], org.body["id"]);
}

#[test]
fn lists_filter_by_user_client_and_status_in_both_shapes() {
    let server = TestServer::start();
    let c = server.client();
    let (a, b) = (user(&c, "a@example.com"), user(&c, "b@example.com"));
    let first = session(&c, json!({"user_id": a}));
    session(&c, json!({"user_id": a}));
    session(&c, json!({"user_id": b}));
    c.post(&format!("/v1/sessions/{}/revoke", first["id"].as_str().unwrap()), json!({}));

    let bare = c.get(&format!("/v1/sessions?user_id={a}"));
    assert_eq!(bare.status, 200, "{}", bare.text);
    assert_eq!(bare.body.as_array().unwrap().len(), 2, "the spec declares a bare array");
    let paged = c.get(&format!("/v1/sessions?user_id={a}&paginated=true&limit=1"));
    assert_eq!(paged.body["total_count"], 2);
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(paged.body["data"][0]["status"], "active", "newest first");
    let revoked = c.get("/v1/sessions?status=revoked");
    assert_eq!(revoked.body.as_array().unwrap().len(), 1);
    let by_client = c.get(&format!("/v1/sessions?client_id={}", first["client_id"].as_str().unwrap()));
    assert_eq!(by_client.body[0]["id"], first["id"]);
}

#[test]
fn revoking_is_final_and_idempotent() {
    let server = TestServer::start();
    let c = server.client();
    let u = user(&c, "sam@example.com");
    let id = session(&c, json!({"user_id": u}))["id"].as_str().unwrap().to_string();
    let revoked = c.post(&format!("/v1/sessions/{id}/revoke"), json!({}));
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(revoked.body["status"], "revoked");
    let again = c.post(&format!("/v1/sessions/{id}/revoke"), json!({}));
    assert_eq!(again.body["status"], "revoked");
    assert_eq!(c.post("/v1/sessions/sess_ghost/revoke", json!({})).status, 404);
}

#[test]
fn banning_a_user_revokes_their_sessions_and_deleting_removes_them() {
    let server = TestServer::start();
    let c = server.client();
    let (a, b) = (user(&c, "a@example.com"), user(&c, "b@example.com"));
    let sa = session(&c, json!({"user_id": a}))["id"].as_str().unwrap().to_string();
    let sb = session(&c, json!({"user_id": b}))["id"].as_str().unwrap().to_string();
    assert_eq!(c.post(&format!("/v1/users/{a}/ban"), json!({})).status, 200);
    assert_eq!(c.get(&format!("/v1/sessions/{sa}")).body["status"], "revoked");
    let banned = c.post("/v1/sessions", json!({"user_id": a}));
    assert_eq!(banned.status, 422, "a banned user cannot sign in");
    assert_eq!(c.delete(&format!("/v1/users/{b}")).status, 200);
    assert_eq!(c.get(&format!("/v1/sessions/{sb}")).status, 404);
}

#[test]
fn the_deprecated_client_list_shows_every_client_with_its_sessions() {
    let server = TestServer::start();
    let c = server.client();
    let u = user(&c, "sam@example.com");
    session(&c, json!({"user_id": u}));
    session(&c, json!({"user_id": u}));
    let clients = c.get("/v1/clients");
    assert_eq!(clients.status, 200, "{}", clients.text);
    let list = clients.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|cl| cl["sessions"].as_array().unwrap().len() == 1));
}

#[test]
fn the_oldest_api_version_has_no_session_creation_but_lists_sessions() {
    let server = TestServer::start();
    let c = server.client();
    let u = user(&c, "sam@example.com");
    session(&c, json!({"user_id": u}));
    let v1 = c.clone().with_version(None);
    assert_eq!(v1.post("/v1/sessions", json!({"user_id": u})).status, 405);
    let listed = v1.get(&format!("/v1/sessions?user_id={u}"));
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert!(listed.body[0].get("latest_activity").is_none(), "v1 does not declare latest_activity");
}

#[test]
fn production_instances_cannot_create_sessions_from_the_backend() {
    let server = TestServer::start();
    let live = server.client_with_key(&format!("sk_live_{}", common::fresh_key().trim_start_matches("sk_test_")));
    let u = user(&live, "sam@example.com");
    let refused = live.post("/v1/sessions", json!({"user_id": u}));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.body["errors"][0]["long_message"].as_str().unwrap().contains("testing only"));
}
