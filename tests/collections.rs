//! The generic collection engine on Clerk's own collections: every plain
//! collection of the specs (redirect URLs, domains, API keys, machines,
//! waitlist entries, OAuth applications, …) creates, lists, gets, updates and
//! deletes consistently; item actions and settings documents keep state.

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

fn client(server: &TestServer) -> Client {
    server.client().with_version(Some("2026-05-12"))
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

#[test]
fn a_created_redirect_url_can_be_read_listed_and_deleted() {
    let server = TestServer::start();
    let c = client(&server);
    let created = c.post("/v1/redirect_urls", json!({"url": "https://app.example.com/callback"}));
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["url"], "https://app.example.com/callback");
    assert_eq!(created.body["object"], "redirect_url");
    let id = id_of(&created.body);
    assert_eq!(c.get(&format!("/v1/redirect_urls/{id}")).body, created.body);
    let listed = c.get("/v1/redirect_urls");
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let paged = c.get("/v1/redirect_urls?paginated=true");
    assert_eq!(paged.body["total_count"], 1);
    let deleted = c.delete(&format!("/v1/redirect_urls/{id}"));
    assert_eq!(deleted.body["deleted"], true);
    assert_eq!(deleted.body["id"], id.as_str());
    assert!(deleted.body.get("slug").is_none(), "no invented fields: {}", deleted.text);
    assert_eq!(c.get(&format!("/v1/redirect_urls/{id}")).status, 404);
    assert_eq!(c.get(&format!("/v1/redirect_urls/{id}")).code(), "resource_not_found");
}

#[test]
fn an_update_merges_the_sent_fields_and_keeps_the_rest() {
    let server = TestServer::start();
    let c = client(&server);
    let created = c.post("/v1/machines", json!({"name": "billing-worker"}));
    assert_eq!(created.status, 200, "{}", created.text);
    let id = id_of(&created.body);
    let updated = c.patch(&format!("/v1/machines/{id}"), json!({"name": "billing-worker-2"}));
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["name"], "billing-worker-2");
    assert_eq!(updated.body["created_at"], created.body["created_at"]);
    assert!(updated.body["updated_at"].as_i64() >= created.body["updated_at"].as_i64());
    assert_eq!(c.get(&format!("/v1/machines/{id}")).body["name"], "billing-worker-2");
}

#[test]
fn a_list_filters_searches_orders_and_pages_with_an_exact_total() {
    let server = TestServer::start();
    let c = client(&server);
    for name in ["charlie", "alpha", "bravo", "alpha-2"] {
        assert_eq!(c.post("/v1/machines", json!({"name": name})).status, 200);
    }
    let all = c.get("/v1/machines?order_by=name&limit=2");
    assert_eq!(all.body["total_count"], 4);
    let names: Vec<&str> = all.body["data"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["alpha", "alpha-2"]);
    let second = c.get("/v1/machines?order_by=name&limit=2&offset=2");
    assert_eq!(second.body["data"][0]["name"], "bravo");
    let searched = c.get("/v1/machines?query=ALPHA");
    assert_eq!(searched.body["total_count"], 2);
    let newest_first = c.get("/v1/machines");
    assert_eq!(newest_first.body["data"][0]["name"], "alpha-2");
}

#[test]
fn an_api_key_id_matches_the_spec_pattern_and_its_revocation_sticks() {
    let server = TestServer::start();
    let c = client(&server);
    let created = c.post("/v1/api_keys", json!({"name": "ci key", "subject": "user_2NNEqL2nrIRdJ194ndJqAHwEfxC"}));
    assert_eq!(created.status, 200, "{}", created.text);
    let id = id_of(&created.body);
    assert!(id.starts_with("ak_") && id.len() == 35, "{id}");
    assert_eq!(created.body["description"], Value::Null, "unset fields are unknown, not example text");
    let secret = c.get(&format!("/v1/api_keys/{id}/secret"));
    assert_eq!(secret.status, 200, "{}", secret.text);
    assert_eq!(c.get(&format!("/v1/api_keys/{id}/secret")).body, secret.body, "a secret is stable");
    let revoked = c.post(&format!("/v1/api_keys/{id}/revoke"), json!({"revocation_reason": "leaked"}));
    assert_eq!(revoked.body["revoked"], true);
    assert_eq!(revoked.body["revocation_reason"], "leaked");
    assert_eq!(c.get(&format!("/v1/api_keys/{id}")).body["revoked"], true);
    assert_eq!(c.post("/v1/api_keys/ak_0123456789abcdef0123456789abcdef/revoke", json!({})).status, 404);
}

#[test]
fn rotating_an_oauth_application_secret_changes_it() {
    let server = TestServer::start();
    let c = client(&server);
    let created = c.post("/v1/oauth_applications", json!({"name": "partner", "callback_url": "https://partner.example.com/cb"}));
    assert_eq!(created.status, 200, "{}", created.text);
    let id = id_of(&created.body);
    let first = created.body["client_secret"].clone();
    let rotated = c.post(&format!("/v1/oauth_applications/{id}/rotate_secret"), json!({}));
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_ne!(rotated.body["client_secret"], first);
}

#[test]
fn a_waitlist_entry_can_be_invited_or_rejected() {
    let server = TestServer::start();
    let c = client(&server);
    let a = c.post("/v1/waitlist_entries", json!({"email_address": "wait@example.com"}));
    assert_eq!(a.status, 200, "{}", a.text);
    let invited = c.post(&format!("/v1/waitlist_entries/{}/invite", id_of(&a.body)), json!({}));
    assert_eq!(invited.body["status"], "invited", "{}", invited.text);
    let b = c.post("/v1/waitlist_entries", json!({"email_address": "nope@example.com"}));
    let rejected = c.post(&format!("/v1/waitlist_entries/{}/reject", id_of(&b.body)), json!({}));
    assert_eq!(rejected.body["status"], "rejected", "{}", rejected.text);
}

#[test]
fn a_settings_document_keeps_what_was_patched() {
    let server = TestServer::start();
    let c = client(&server);
    let before = c.get("/v1/instance/protect");
    assert_eq!(before.status, 200, "{}", before.text);
    let patched = c.patch("/v1/instance/protect", json!({"rules_enabled": true}));
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(c.get("/v1/instance/protect").body["rules_enabled"], true);
}

#[test]
fn collections_are_per_instance_and_survive_between_api_versions() {
    let server = TestServer::start();
    let c = client(&server);
    let created = c.post("/v1/jwt_templates", json!({"name": "hasura", "claims": {"role": "user"}}));
    assert_eq!(created.status, 200, "{}", created.text);
    let id = id_of(&created.body);
    for version in [None, Some("2025-11-10"), Some("2026-05-12")] {
        let read = c.clone().with_version(version).get(&format!("/v1/jwt_templates/{id}"));
        assert_eq!(read.status, 200, "{version:?}: {}", read.text);
        assert_eq!(read.body["name"], "hasura");
    }
    assert_eq!(server.client().get(&format!("/v1/jwt_templates/{id}")).status, 404);
}

#[test]
fn a_list_read_again_after_a_write_shows_the_write() {
    let server = TestServer::start();
    let c = client(&server);
    let id = id_of(&c.post("/v1/machines", json!({"name": "before"})).body);
    assert_eq!(c.get("/v1/machines").body["data"][0]["name"], "before");
    assert_eq!(c.get("/v1/machines").body["data"][0]["name"], "before");
    c.patch(&format!("/v1/machines/{id}"), json!({"name": "after"}));
    assert_eq!(c.get("/v1/machines").body["data"][0]["name"], "after");
    let users = server.client();
    let user = users.post("/v1/users", json!({"email_address": ["cache@example.com"], "first_name": "Before"}));
    let uid = id_of(&user.body);
    assert_eq!(users.get("/v1/users").body[0]["first_name"], "Before");
    users.patch(&format!("/v1/users/{uid}"), json!({"first_name": "After"}));
    assert_eq!(users.get("/v1/users").body[0]["first_name"], "After");
    // Another API version of the same list renders its own shape.
    assert_eq!(users.clone().with_version(Some("2026-05-12")).get("/v1/users").body[0]["first_name"], "After");
}

// Request schemas are looser than the answers that echo them (found by
// schemathesis): what the answer cannot hold must not be stored.

#[test]
fn a_settings_value_the_answer_does_not_allow_is_refused_and_not_stored() {
    let server = TestServer::start();
    let c = client(&server);
    let refused = c.patch("/v1/instance/organization_settings", json!({"domains_enrollment_modes": [""]}));
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!((refused.code(), refused.param()), ("form_param_value_invalid", "domains_enrollment_modes"));
    assert_eq!(c.get("/v1/instance/organization_settings").status, 200, "the document still reads");
    let kept = c.patch("/v1/instance/organization_settings", json!({"domains_enrollment_modes": ["automatic_invitation"]}));
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert_eq!(kept.body["domains_enrollment_modes"], json!(["automatic_invitation"]));
    let dupes = c.patch("/v1/instance/oauth_application_settings", json!({"default_scopes": ["email", "email"]}));
    assert_eq!((dupes.status, dupes.param()), (422, "default_scopes"), "{}", dupes.text);
    assert_eq!(c.get("/v1/instance/oauth_application_settings").status, 200);
}

#[test]
fn ids_sent_where_the_answer_holds_objects_are_not_stored_as_objects() {
    let server = TestServer::start();
    let c = client(&server);
    let machine = c.post("/v1/machines", json!({"name": "worker", "scoped_machines": ["", "mch_x"]}));
    assert_eq!(machine.status, 200, "{}", machine.text);
    assert_eq!(c.get("/v1/machines").status, 200);
    let set = c.post(
        "/v1/role_sets",
        json!({"name": "set", "key": "role_set:set", "type": "custom", "roles": ["org:a"], "default_role_key": "org:a", "creator_role_key": "org:a"}),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(c.get("/v1/role_sets").status, 200);
}

#[test]
fn a_waitlist_entry_needs_a_valid_email_address() {
    let server = TestServer::start();
    let c = client(&server);
    let refused = c.post("/v1/waitlist_entries", json!({"email_address": ""}));
    assert_eq!((refused.status, refused.code(), refused.param()), (422, "form_param_format_invalid", "email_address"), "{}", refused.text);
    assert_eq!(c.get("/v1/waitlist_entries").body["total_count"], 0);
}

#[test]
fn a_directory_mapping_with_null_entries_keeps_the_directory_readable() {
    let server = TestServer::start();
    let c = client(&server);
    let created = c.post("/v1/directories", json!({"name": "dir", "provider": "okta", "enterprise_connection_id": "entc_2NNEqL2nrIRdJ194ndJqAHwEfxC"}));
    assert_eq!(created.status, 200, "{}", created.text);
    let id = id_of(&created.body);
    let patched = c.patch(&format!("/v1/directories/{id}"), json!({"attribute_mapping": {"email": null}}));
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(c.get(&format!("/v1/directories/{id}")).status, 200);
}

#[test]
fn a_machine_secret_key_answer_is_a_machine_secret_key() {
    let server = TestServer::start();
    let c = client(&server);
    let id = id_of(&c.post("/v1/machines", json!({"name": "worker"})).body);
    let secret = c.get(&format!("/v1/machines/{id}/secret_key"));
    assert_eq!(secret.status, 200, "{}", secret.text);
    assert_eq!(secret.body["object"], "machine_secret_key");
    let rotated = c.post(&format!("/v1/machines/{id}/secret_key/rotate"), json!({"previous_token_ttl": 0}));
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.body["object"], "machine_secret_key");
    assert_ne!(rotated.body["secret"], secret.body["secret"]);
    assert_eq!(c.get(&format!("/v1/machines/{id}")).body["object"], "machine", "the stored machine stays a machine");
}

#[test]
fn a_saml_connection_answers_every_field_its_schema_requires() {
    // SAMLConnection is an object with `anyOf: [{required: [domain]}, {required: [domains]}]`
    // beside its properties: the branches constrain it, they are not its shape.
    let server = TestServer::start();
    for version in ["2025-11-10", "2026-05-12"] {
        let c = server.client().with_version(Some(version));
        let created = c.post("/v1/saml_connections", json!({"name": "okta", "provider": "saml_okta", "domains": ["example.com"]}));
        assert_eq!(created.status, 200, "{version}: {}", created.text);
        assert_eq!(created.body["object"], "saml_connection");
        assert!(created.body["acs_url"].is_string(), "{}", created.text);
        assert_eq!(c.get("/v1/saml_connections").status, 200);
        assert_eq!(c.get(&format!("/v1/saml_connections/{}", id_of(&created.body))).status, 200);
    }
}
