//! The admin API the dashboard reads: instances by handle and masked key,
//! collections for its tables, the journal's bodies, refusal reasons and
//! live polling, and the dashboard's own files (content types, CSP, access).

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

/// The handle of `key`'s instance, as `GET /__admin/instances` lists it.
fn handle_of(admin: &Client, key: &str) -> String {
    let listed = admin.get("/__admin/instances");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let tail = &key[key.len() - 2..];
    let found: Vec<&Value> = listed.body["data"].as_array().unwrap().iter().filter(|i| i["key"].as_str().unwrap().ends_with(tail)).collect();
    assert_eq!(found.len(), 1, "{}", listed.text);
    found[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn instances_are_listed_by_handle_and_masked_key_never_the_full_key() {
    let server = TestServer::start_with(|a| a.no_fixtures = true);
    let key = "sk_test_dashboardsecret0001";
    let client = server.client_with_key(key);
    assert_eq!(client.post("/v1/users", json!({"email_address": ["ada@example.com"]})).status, 200);
    let admin = client.clone().without_key();
    let listed = admin.get("/__admin/instances");
    assert!(!listed.text.contains(key), "the full key leaks: {}", listed.text);
    let mine = &listed.body["data"][0];
    assert_eq!(mine["key"], "sk_test_…0001");
    assert_eq!(mine["counts"]["users"], 1);
    assert!(mine["id"].as_str().unwrap().starts_with("ins_"));
}

#[test]
fn every_admin_route_accepts_the_instance_handle_instead_of_the_key() {
    let server = TestServer::start_with(|a| a.no_fixtures = true);
    let (client, other) = (server.client(), server.client());
    assert_eq!(client.post("/v1/users", json!({"username": "handled"})).status, 200);
    assert_eq!(other.post("/v1/users", json!({"username": "someone_else"})).status, 200);
    let admin = client.clone().without_key();
    let handle = handle_of(&admin, client.key.as_deref().unwrap());
    let by_header = |method: &str, path: &str| admin.send(method, path, None, Some(&[("X-Clerk-Mock-Instance", handle.as_str())]));

    let state = by_header("GET", "/__admin/state");
    assert_eq!(state.status, 200, "{}", state.text);
    assert_eq!(state.body["collections"]["users"].as_object().unwrap().len(), 1);
    let by_query = admin.get(&format!("/__admin/collections/users?instance={handle}"));
    assert_eq!(by_query.body["data"][0]["username"], "handled", "{}", by_query.text);

    let on = admin.send("POST", "/__admin/scenarios", Some(("application/json", br#"{"scenario": "outage-500"}"#.to_vec())), Some(&[("X-Clerk-Mock-Instance", handle.as_str())]));
    assert_eq!((on.status, on.body["loaded"]["scope"].as_str()), (201, Some("instance")), "{}", on.text);
    assert_eq!(client.get("/v1/users").status, 500, "the handle's instance got the scenario");
    assert_eq!(other.get("/v1/users").status, 200, "the other instance did not");
    assert_eq!(by_header("DELETE", "/__admin/scenarios/outage-500").status, 200);

    assert_eq!(by_header("POST", "/__admin/reset").status, 200);
    assert_eq!(client.get("/v1/users/count").body["total_count"], 0, "reset by handle empties that instance");
    assert_eq!(other.get("/v1/users/count").body["total_count"], 1, "and only that one");

    let unknown = admin.send("GET", "/__admin/state", None, Some(&[("X-Clerk-Mock-Instance", "ins_000000000000")]));
    assert_eq!((unknown.status, unknown.code(), unknown.param()), (404, "resource_not_found", "instance"), "{}", unknown.text);
}

#[test]
fn collections_search_pages_and_hide_internal_fields() {
    let server = TestServer::start_with(|a| a.no_fixtures = true);
    let client = server.client();
    for i in 0..30 {
        let body = json!({"email_address": [format!("user{i}@example.com")], "first_name": if i == 7 { "Grace" } else { "Someone" }, "password": "correct-horse-battery-staple"});
        assert_eq!(client.post("/v1/users", body).status, 200);
    }
    let found = client.get("/__admin/collections/users?query=GRACE");
    assert_eq!((found.status, found.body["total_count"].as_u64()), (200, Some(1)), "{}", found.text);
    assert_eq!(found.body["data"][0]["email_addresses"][0]["email_address"], "user7@example.com");

    let page = client.get("/__admin/collections/users?limit=10&offset=25");
    assert_eq!(page.body["total_count"], 30);
    assert_eq!(page.body["data"].as_array().unwrap().len(), 5);
    let newest = client.get("/__admin/collections/users?limit=1");
    assert_eq!(newest.body["data"][0]["email_addresses"][0]["email_address"], "user29@example.com", "newest first");
    let dump = client.get("/__admin/state");
    assert!(dump.text.contains("\"_"), "the raw dump keeps internal fields (the password digest)");
    assert!(!client.get("/__admin/collections/users?limit=500").text.contains("\"_"), "the tables never get them");

    let bad = client.get("/__admin/collections/users?limit=many");
    assert_eq!((bad.status, bad.param()), (422, "limit"));
    let names = client.get("/__admin/collections");
    assert!(names.body["data"].as_array().unwrap().iter().any(|c| c["name"] == "users" && c["count"] == 30), "{}", names.text);
}

#[test]
fn an_organizations_members_are_its_owned_memberships() {
    let server = TestServer::start_with(|a| a.no_fixtures = true);
    let client = server.client();
    let user = client.post("/v1/users", json!({"username": "member_one"}));
    let user_id = user.body["id"].as_str().unwrap();
    let (a, b) = (client.post("/v1/organizations", json!({"name": "Alpha"})), client.post("/v1/organizations", json!({"name": "Beta"})));
    let (a, b) = (a.body["id"].as_str().unwrap(), b.body["id"].as_str().unwrap());
    let joined = client.post(&format!("/v1/organizations/{a}/memberships"), json!({"user_id": user_id, "role": "org:admin"}));
    assert_eq!(joined.status, 200, "{}", joined.text);
    let members = client.get(&format!("/__admin/collections/organization_memberships?owner={a}"));
    assert_eq!((members.body["total_count"].as_u64(), members.body["data"][0]["role"].as_str()), (Some(1), Some("org:admin")), "{}", members.text);
    assert_eq!(client.get(&format!("/__admin/collections/organization_memberships?owner={b}")).body["total_count"], 0);
}

#[test]
fn the_journal_keeps_bodies_surface_and_the_reasons_for_a_refusal() {
    let server = TestServer::start_with(|a| a.no_fixtures = true);
    let client = server.client();
    assert_eq!(client.post("/v1/users", json!({"email_address": "not-a-list"})).status, 422);
    let listed = client.get("/__admin/requests");
    let entry = &listed.body["data"][0];
    assert_eq!(entry["surface"], "bapi");
    assert!(entry.get("request_body").is_none(), "lists leave bodies out unless ?bodies=true");
    let problems = entry["problems"].as_array().unwrap();
    assert!(!problems.is_empty() && problems.iter().all(|p| p["message"].as_str().is_some_and(|m| !m.is_empty())), "{}", listed.text);
    assert!(problems.iter().any(|p| p["param"] == "email_address"), "{}", listed.text);

    let seq = entry["seq"].as_u64().unwrap();
    let detail = client.get(&format!("/__admin/requests/{seq}"));
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert_eq!(serde_json::from_str::<Value>(detail.body["request_body"].as_str().unwrap()).unwrap(), json!({"email_address": "not-a-list"}));
    let answer: Value = serde_json::from_str(detail.body["response_body"].as_str().unwrap()).unwrap();
    assert_eq!(answer["errors"][0]["code"], detail.body["problems"][0]["code"]);
    assert_eq!(detail.body["request_body_truncated"], false);
    assert_eq!(client.get("/__admin/requests/999999").status, 404);
    assert!(client.get("/__admin/requests?surface=fapi").body["total_count"] == 0);

    let huge = "x".repeat(20_000);
    client.post("/v1/users", json!({"username": huge}));
    let big = client.get("/__admin/requests?limit=1&bodies=true");
    assert_eq!(big.body["data"][0]["request_body_truncated"], true);
    assert_eq!(big.body["data"][0]["request_body"].as_str().unwrap().len(), 8 * 1024);
}

#[test]
fn polling_since_a_seq_returns_only_what_is_new() {
    let server = TestServer::start();
    let client = server.client();
    client.get("/v1/users");
    let first = client.get("/__admin/requests");
    let last = first.body["last_seq"].as_u64().unwrap();
    assert_eq!(client.get(&format!("/__admin/requests?since={last}")).body["total_count"], 0);
    client.get("/v1/organizations");
    let newer = client.get(&format!("/__admin/requests?since={last}"));
    assert_eq!((newer.body["total_count"].as_u64(), newer.body["data"][0]["path"].as_str()), (Some(1), Some("/v1/organizations")));
    assert_eq!(client.get("/__admin/requests?since=soon").param(), "since");
}

#[test]
fn the_dashboard_never_receives_a_full_key_from_the_journal() {
    let server = TestServer::start();
    let key = "sk_test_journalsecret9876";
    let client = server.client_with_key(key);
    client.get("/v1/users");
    let admin = client.clone().without_key();
    let handle = handle_of(&admin, key);
    let seen = admin.send("GET", "/__admin/requests?bodies=true", None, Some(&[("X-Clerk-Mock-Instance", handle.as_str())]));
    assert!(!seen.text.contains(key), "{}", seen.text);
    assert_eq!((seen.body["data"][0]["instance"].as_str(), seen.body["data"][0]["instance_id"].as_str()), (Some("sk_test_…9876"), Some(handle.as_str())));
    assert_eq!(client.get("/__admin/requests").body["data"][0]["instance"], key, "a caller sending the key sees it");
}

#[test]
fn the_dashboard_files_load_without_the_admin_token_and_block_external_loads() {
    let server = TestServer::start_with(|a| a.admin_token = Some("s3cret".into()));
    let browser = server.client().without_key().with_version(None);
    for (path, content_type) in [("/__admin/ui/", "text/html"), ("/__admin/ui/app.js", "text/javascript"), ("/__admin/ui/style.css", "text/css")] {
        let got = browser.get(path);
        assert_eq!(got.status, 200, "{path}");
        assert!(got.header("content-type").unwrap().starts_with(content_type), "{path}");
        let csp = got.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"), "{csp}");
    }
    assert!(browser.get("/__admin/ui/").text.contains("app.js"));
    assert_eq!(browser.get("/__admin/ui/secrets.json").status, 404);
    assert_eq!(browser.get("/__admin/instances").status, 401, "data still needs the token");
    let with_token = browser.send("GET", "/__admin/instances", None, Some(&[("X-Admin-Token", "s3cret")]));
    assert_eq!(with_token.status, 200);
    assert_eq!(browser.get("/__admin/health").body["dashboard"], "/__admin/ui/");
}

#[test]
fn a_browser_opening_the_root_is_sent_to_the_dashboard_and_an_sdk_is_not() {
    let server = TestServer::start();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let browser = agent.get(format!("{}/", server.url)).header("Accept", "text/html,application/xhtml+xml").call().unwrap();
    assert_eq!(browser.status(), 302);
    assert_eq!(browser.headers().get("location").unwrap(), "/__admin/ui/");
    let sdk = agent.get(format!("{}/", server.url)).header("Accept", "application/json").call().unwrap();
    assert_eq!(sdk.status(), 404);
    let bare = agent.get(format!("{}/__admin/ui", server.url)).call().unwrap();
    assert_eq!((bare.status().as_u16(), bare.headers().get("location").unwrap().to_str().unwrap()), (302, "/__admin/ui/"));
}
