//! The admin API: health, the admin token, the request journal, state dump
//! and load, reset, scenario listing, and its errors in Clerk's envelope.

mod common;

use common::TestServer;
use serde_json::json;

#[test]
fn health_is_open_but_every_other_route_needs_the_admin_token() {
    let server = TestServer::start_with(|a| a.admin_token = Some("s3cret".into()));
    let client = server.client();
    let health = client.get("/__admin/health");
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    assert_eq!(health.body["admin_token_required"], true);
    assert_eq!(health.body["clerk_mock_version"], env!("CARGO_PKG_VERSION"));
    let specs = health.body["specs"].as_array().unwrap();
    assert!(specs.iter().any(|s| s["version"] == "2025-11-10" && s["source"].as_str().unwrap().ends_with("bapi-2025-11-10.json")), "{specs:?}");
    let refused = client.get("/__admin/requests");
    assert_eq!((refused.status, refused.code()), (401, "authentication_invalid"));
    assert!(refused.body["errors"][0]["long_message"].as_str().unwrap().contains("X-Admin-Token"));
    let wrong = client.send("GET", "/__admin/requests", None, Some(&[("X-Admin-Token", "guess")]));
    assert_eq!(wrong.status, 401);
    let allowed = client.send("GET", "/__admin/requests", None, Some(&[("X-Admin-Token", "s3cret")]));
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let reset = client.send("POST", "/__admin/reset", None, None);
    assert_eq!(reset.status, 401, "mutations are protected too");
}

#[test]
fn the_journal_records_every_api_request_with_its_outcome() {
    let server = TestServer::start();
    let client = server.client();
    assert_eq!(client.post("/v1/users", json!({"email_address": ["j@example.com"]})).status, 200);
    assert_eq!(client.post("/v1/users", json!({"email_address": "not-a-list"})).status, 422);
    assert_eq!(client.get("/v1/users/user_missing").status, 404);
    server.client().get("/v1/users"); // another instance

    let all = client.get("/__admin/requests");
    assert_eq!(all.body["total_count"], 3, "{}", all.text);
    let newest = &all.body["data"][0];
    assert_eq!((newest["method"].as_str(), newest["path"].as_str(), newest["status"].as_u64()), (Some("GET"), Some("/v1/users/user_missing"), Some(404)));
    assert_eq!((newest["operation_id"].as_str(), newest["api_version"].as_str()), (Some("GetUser"), Some("2025-11-10")));
    assert_eq!(newest["requested_version"], "2025-11-10");
    assert!(newest["duration_ms"].as_f64().unwrap() >= 0.0 && newest["time"].as_i64().unwrap() > 0);
    assert_eq!(newest["instance"].as_str(), client.key.as_deref());

    let failed = client.get("/__admin/requests?status=422");
    assert_eq!((failed.body["total_count"].as_u64(), failed.body["data"][0]["operation_id"].as_str()), (Some(1), Some("CreateUser")));
    assert_eq!(client.get("/__admin/requests?method=post&limit=1").body["data"].as_array().unwrap().len(), 1);
    assert_eq!(client.get("/__admin/requests?path=/v1/users/*").body["total_count"], 1);
    assert_eq!(client.get("/__admin/requests?operation_id=Create*").body["total_count"], 2);
    let bad = client.get("/__admin/requests?colour=red");
    assert_eq!((bad.status, bad.code(), bad.param()), (422, "form_param_unknown", "colour"));

    assert_eq!(client.delete("/__admin/requests").body["deleted"], 3);
    assert_eq!(client.get("/__admin/requests").body["total_count"], 0);
    let everyone = client.clone().without_key().get("/__admin/requests");
    assert_eq!(everyone.body["total_count"], 1, "the other instance's entry stays: {}", everyone.text);
}

#[test]
fn the_journal_keeps_only_the_newest_entries() {
    let server = TestServer::start_with(|a| a.journal_size = 2);
    let client = server.client();
    for path in ["/v1/users", "/v1/organizations", "/v1/invitations"] {
        client.get(path);
    }
    let kept = client.get("/__admin/requests");
    let paths: Vec<&str> = kept.body["data"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["/v1/invitations", "/v1/organizations"]);
}

#[test]
fn state_is_dumped_in_the_fixture_format_and_replaced_from_one() {
    let server = TestServer::start();
    let (client, other) = (server.client(), server.client());
    let yaml = "users:\n  alice:\n    id: user_alice\n    email_address: alice@example.com\n";
    let put = client.send("PUT", "/__admin/state", Some(("application/yaml", yaml.as_bytes().to_vec())), None);
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(client.get("/v1/users/user_alice").body["email_addresses"][0]["email_address"], "alice@example.com");
    assert_eq!(other.get("/v1/users/user_alice").status, 404, "only the key's instance changes");
    let dump = client.get("/__admin/state");
    assert!(dump.body["collections"]["users"]["user_alice"].is_object(), "{}", dump.text);
    assert!(dump.body["id_sequence"].as_u64().unwrap() > 0);

    let bad = "users:\n  bob:\n    email_address: bob@@example\n";
    let refused = client.send("PUT", "/__admin/state", Some(("application/yaml", bad.as_bytes().to_vec())), None);
    assert_eq!((refused.status, refused.code()), (422, "fixture_invalid"), "{}", refused.text);
    let meta = &refused.body["errors"][0]["meta"];
    assert_eq!((meta["line"].as_u64(), meta["entry"].as_str()), (Some(3), Some("users.bob.email_address.0")), "{}", refused.text);
    assert_eq!(client.get("/v1/users/user_alice").status, 200, "a refused document changes nothing");

    // The dump itself loads back.
    let again = client.send("PUT", "/__admin/state", Some(("application/json", dump.text.into_bytes())), None);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(client.get("/v1/users/user_alice").status, 200);
}

#[test]
fn reset_without_a_key_resets_every_instance() {
    let server = TestServer::start();
    let (a, b) = (server.client(), server.client());
    for c in [&a, &b] {
        assert_eq!(c.post("/v1/users", json!({"username": "someone"})).status, 200);
    }
    let reset = a.clone().without_key().post("/__admin/reset", json!({}));
    assert_eq!(reset.status, 200);
    assert!(reset.body["instances"].as_u64().unwrap() >= 2);
    for c in [&a, &b] {
        assert_eq!(c.get("/v1/users/count").body["total_count"], 0);
    }
}

#[test]
fn scenarios_are_listed_with_their_counters() {
    let server = TestServer::start();
    let client = server.client();
    let added = client.post("/__admin/scenarios", json!({"scenario": "rate-limit-429?every=2"}));
    assert_eq!((added.status, added.body["loaded"]["scope"].as_str()), (201, Some("instance")), "{}", added.text);
    client.get("/v1/users");
    client.get("/v1/users");
    let listed = client.get("/__admin/scenarios");
    let scenario = &listed.body["scenarios"][0];
    assert_eq!((scenario["name"].as_str(), scenario["params"]["every"].as_u64()), (Some("rate-limit-429"), Some(2)));
    assert_eq!((scenario["rules"][0]["matched"].as_u64(), scenario["rules"][0]["fired"].as_u64()), (Some(2), Some(1)), "{}", listed.text);
    assert!(listed.body["bundled"].as_array().unwrap().iter().any(|n| n == "flaky"));
    assert_eq!(server.client().get("/__admin/scenarios").body["scenarios"].as_array().unwrap().len(), 0, "another key sees none");
    assert_eq!(client.delete("/__admin/scenarios").body["removed"], 1);
}

#[test]
fn admin_errors_come_in_clerks_envelope() {
    let server = TestServer::start();
    let client = server.client();
    let unknown = client.get("/__admin/nothing");
    assert_eq!((unknown.status, unknown.code()), (404, "resource_not_found"));
    assert!(unknown.body["clerk_trace_id"].is_string());
    assert_eq!(client.get("/__admin/reset").status, 405);
    let keyless = client.clone().without_key().get("/__admin/state");
    assert_eq!(keyless.status, 400);
    assert!(keyless.body["errors"][0]["long_message"].as_str().unwrap().contains("Bearer"));
    let snapshot = client.post("/__admin/snapshot", json!({}));
    assert_eq!((snapshot.status, snapshot.code()), (409, "data_dir_not_configured"));
}
