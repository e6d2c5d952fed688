//! The Frontend API surface over HTTP (FAPI.md §2.1–2.3, §3.4): its own
//! listener, `_method` tunnelling, form bodies, the leniency rule, envelopes
//! of synthesized answers, Clerk's error envelope, CORS, which instance a
//! browser request belongs to, and `__clerk_api_version`. The server runs
//! with `--validate-responses`, against both official FAPI documents.

mod common;

use common::{Resp, TestServer};
use serde_json::Value;

/// The journal's newest Frontend API entry (read without a key: every instance).
fn last_fapi_entry(server: &TestServer) -> Value {
    let journal = server.client().without_key().get("/__admin/requests?surface=fapi&limit=1");
    assert_eq!(journal.status, 200, "{}", journal.text);
    journal.body["data"][0].clone()
}

fn assert_clerk_error(resp: &Resp, status: u16, code: &str) {
    assert_eq!(resp.status, status, "{}", resp.text);
    assert_eq!(resp.code(), code, "{}", resp.text);
    assert!(resp.body["errors"][0]["long_message"].is_string(), "{}", resp.text);
    assert!(resp.body["clerk_trace_id"].is_string(), "{}", resp.text);
}

#[test]
fn the_frontend_api_listens_on_its_own_port_and_health_names_it() {
    let server = TestServer::start();
    let frontend = server.frontend_url.clone().expect("a Frontend API URL");
    assert!(frontend.starts_with("http://localhost:"), "{frontend}");
    assert_ne!(frontend, server.url.replace("127.0.0.1", "localhost"));
    let health = server.client().without_key().get("/__admin/health");
    assert_eq!(health.body["frontend_api_url"], frontend.as_str());
    assert_eq!(health.body["frontend_specs"].as_array().map(Vec::len), Some(2), "{}", health.text);
    let pk = health.body["publishable_key"].as_str().unwrap();
    assert!(!pk.ends_with('='), "Clerk's publishable keys carry no base64 padding: {pk}");
}

#[test]
fn the_admin_api_is_not_served_on_the_frontend_listener() {
    let server = TestServer::start();
    assert_clerk_error(&server.frontend().get("/__admin/health"), 404, "resource_not_found");
}

#[test]
fn post_with_method_patch_is_routed_as_patch() {
    let server = TestServer::start();
    let resp = server.frontend().form("/v1/environment?_method=PATCH&__clerk_api_version=2025-11-10&_clerk_js_version=6.40.0", "", &[("origin", "http://localhost:3000")]);
    assert_eq!(resp.status, 200, "{}", resp.text);
    let entry = last_fapi_entry(&server);
    assert_eq!(entry["operation_id"], "updateEnvironment");
    assert_eq!(entry["method"], "POST", "the journal keeps the method as sent");
}

#[test]
fn real_verbs_and_paths_without_v1_reach_the_same_operations() {
    let server = TestServer::start();
    let fapi = server.frontend();
    assert_eq!(fapi.send("PATCH", "/v1/environment", None, None).status, 200);
    assert_eq!(last_fapi_entry(&server)["operation_id"], "updateEnvironment");
    assert_eq!(fapi.get("/client").status, 200);
    assert_eq!(last_fapi_entry(&server)["operation_id"], "getClient");
    // An unknown sign-up is the handler's 404, not the router's 405: the tunnelled verb was routed.
    let sign_up = fapi.form("/v1/client/sign_ups/sua_1?_method=PATCH", "first_name=Ada", &[]);
    assert_clerk_error(&sign_up, 404, "resource_not_found");
    assert_eq!(last_fapi_entry(&server)["operation_id"], "updateSignUps");
}

#[test]
fn a_synthesized_client_answer_has_the_response_and_client_envelope() {
    let server = TestServer::start();
    let resp = server.frontend().get("/v1/client?__clerk_api_version=2026-05-12&_clerk_js_version=6.40.0&__clerk_db_jwt=dvb_x");
    assert_eq!(resp.status, 200, "{}", resp.text);
    let body = resp.body.as_object().expect("a JSON object");
    assert!(body.contains_key("response") && body.contains_key("client"), "{}", resp.text);
}

#[test]
fn transport_parameters_never_cause_a_4xx() {
    let server = TestServer::start();
    let query = "__clerk_api_version=not-a-date&_clerk_js_version=6&__clerk_db_jwt=x&_clerk_session_id=sess_1\
&_clerk_retry_attempt=abc&__clerk_testing_token=t&paginated=maybe&_is_native=1&rotating_token_nonce=n";
    let resp = server.frontend().get(&format!("/v1/environment?{query}"));
    assert_eq!(resp.status, 200, "{}", resp.text);
    let list = server.frontend().get(&format!("/v1/me/organization_memberships?{query}&limit=5&offset=0"));
    assert_ne!(list.status, 422, "{}", list.text);
}

/// A user made through the Backend API (the first key seen: the browser's instance).
fn backend_user(server: &TestServer, email: &str) {
    let created = server.client().post("/v1/users", serde_json::json!({"email_address": [email], "password": "a-long-Passw0rd!"}));
    assert_eq!(created.status, 200, "{}", created.text);
}

#[test]
fn unknown_body_fields_are_ignored_and_declared_ones_are_still_checked() {
    let server = TestServer::start();
    backend_user(&server, "ada@example.com");
    let fapi = server.frontend();
    let lenient = fapi.form("/v1/client/sign_ins", "identifier=ada%40example.com&locale=en-US&protect_check=x&__clerk_protect=1", &[]);
    assert_eq!(lenient.status, 200, "{}", lenient.text);
    let wrong = fapi.form("/v1/client/sign_ins", "identifier=ada%40example.com&transfer=maybe", &[]);
    assert_clerk_error(&wrong, 422, "form_param_format_invalid");
    assert_eq!(wrong.param(), "transfer");
}

#[test]
fn an_empty_value_of_a_typed_field_means_unset() {
    let server = TestServer::start();
    let resp = server.frontend().form("/v1/client/sign_ups", "email_address=ada%40example.com&transfer=&legal_accepted=true", &[]);
    assert_eq!(resp.status, 200, "{}", resp.text);
}

#[test]
fn repeated_keys_and_a_json_array_both_fill_an_array_field() {
    let server = TestServer::start();
    let fapi = server.frontend();
    let path = "/v1/organizations/org_1/invitations/bulk";
    let repeated = fapi.form(path, "email_address=a%40x.io&email_address=b%40x.io&role=org%3Amember", &[]);
    assert_eq!(repeated.status, 200, "{}", repeated.text);
    let json_in_form = fapi.form(path, "email_address=%5B%22a%40x.io%22%2C%22b%40x.io%22%5D&role=org%3Amember", &[]);
    assert_eq!(json_in_form.status, 200, "{}", json_in_form.text);
    assert_clerk_error(&fapi.form(path, "role=org%3Amember", &[]), 422, "form_param_missing");
}

#[test]
fn a_json_body_is_read_like_a_form() {
    let server = TestServer::start();
    backend_user(&server, "ada@example.com");
    let body = serde_json::json!({"identifier": "ada@example.com", "locale": "en-US"});
    let resp = server.frontend().send("POST", "/v1/client/sign_ins", Some(("application/json", serde_json::to_vec(&body).unwrap())), None);
    assert_eq!(resp.status, 200, "{}", resp.text);
    let not_an_object = server.frontend().send("POST", "/v1/client/sign_ins", Some(("application/json", b"[1]".to_vec())), None);
    assert_clerk_error(&not_an_object, 400, "malformed_request");
}

#[test]
fn unknown_paths_and_methods_answer_in_clerks_envelope() {
    let server = TestServer::start();
    assert_clerk_error(&server.frontend().get("/v1/no_such_thing"), 404, "resource_not_found");
    let wrong_method = server.frontend().send("PUT", "/v1/environment", None, None);
    assert_eq!(wrong_method.status, 405, "{}", wrong_method.text);
    assert!(wrong_method.body["errors"][0]["code"].is_string());
}

#[test]
fn a_credentialed_request_gets_its_origin_echoed() {
    let server = TestServer::start();
    let resp = server.frontend().send("GET", "/v1/client", None, Some(&[("Origin", "http://localhost:3000")]));
    assert_eq!(resp.header("access-control-allow-origin"), Some("http://localhost:3000"));
    assert_eq!(resp.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(resp.header("vary"), Some("Origin"));
    assert_eq!(resp.header("access-control-expose-headers"), Some("Clerk-Db-Jwt, x-country, retry-after, authorization"));
    let error = server.frontend().send("GET", "/v1/nothing", None, Some(&[("Origin", "http://localhost:3000")]));
    assert_eq!(error.header("access-control-allow-origin"), Some("http://localhost:3000"), "errors carry CORS too");
}

#[test]
fn a_preflight_answers_204_with_methods_and_the_requested_headers() {
    let server = TestServer::start();
    let headers = [("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization, content-type")];
    let resp = server.frontend().send("OPTIONS", "/v1/client/sign_ins", None, Some(&headers));
    assert_eq!(resp.status, 204);
    assert_eq!(resp.header("access-control-allow-origin"), Some("http://localhost:3000"));
    assert_eq!(resp.header("access-control-allow-headers"), Some("authorization, content-type"));
    assert!(resp.header("access-control-allow-methods").is_some_and(|m| m.contains("DELETE")));
}

#[test]
fn the_clerk_api_version_parameter_picks_the_newest_document_not_newer_than_it() {
    let server = TestServer::start();
    let fapi = server.frontend();
    for (asked, served) in [("2025-11-10", "2025-11-10"), ("2026-01-01", "2025-11-10"), ("2026-08-20", "2026-05-12"), ("", "2026-05-12"), ("someday", "2026-05-12")] {
        let query = if asked.is_empty() { String::new() } else { format!("?__clerk_api_version={asked}") };
        assert_eq!(fapi.get(&format!("/v1/environment{query}")).status, 200);
        assert_eq!(last_fapi_entry(&server)["api_version"], served, "asked for {asked:?}");
    }
}

/// The instance key the journal recorded for the newest FAPI request, as
/// seen by a caller holding `key` (the journal shows a caller its own key).
fn fapi_instance_seen_by(server: &TestServer, key: &str) -> Value {
    let journal = server.client_with_key(key).get("/__admin/requests?surface=fapi&limit=1");
    journal.body["data"][0]["instance"].clone()
}

#[test]
fn the_clerk_secret_key_header_picks_the_instance() {
    let server = TestServer::start();
    let key = common::fresh_key();
    assert_eq!(server.frontend().send("GET", "/v1/client", None, Some(&[("Clerk-Secret-Key", key.as_str())])).status, 200);
    assert_eq!(fapi_instance_seen_by(&server, &key), key.as_str());
    let malformed = server.frontend().send("GET", "/v1/client", None, Some(&[("Clerk-Secret-Key", "pk_test_nope")]));
    assert_clerk_error(&malformed, 401, "authentication_invalid");
}

#[test]
fn the_frontend_secret_key_flag_picks_the_instance_without_a_header() {
    let key = common::fresh_key();
    let server = TestServer::start_with(|args| args.frontend_secret_key = Some(key.clone()));
    server.client().get("/v1/users"); // another key seen first does not matter
    assert_eq!(server.frontend().get("/v1/client").status, 200);
    assert_eq!(fapi_instance_seen_by(&server, &key), key.as_str());
}

#[test]
fn without_header_or_flag_the_first_secret_key_seen_is_the_instance() {
    let server = TestServer::start();
    let first = server.client();
    first.get("/v1/users");
    server.client().get("/v1/users");
    assert_eq!(server.frontend().get("/v1/client").status, 200);
    assert_eq!(fapi_instance_seen_by(&server, &first.key.clone().unwrap()), first.key.clone().unwrap().as_str());
}

#[test]
fn a_browser_before_any_key_gets_an_instance_that_the_first_key_adopts() {
    let server = TestServer::start();
    assert_eq!(server.frontend().get("/v1/client").status, 200);
    assert_eq!(last_fapi_entry(&server)["instance"], clerk_mock::pipeline::UNBOUND_INSTANCE);
    // State written into the unbound instance (by its handle, without a key)…
    let handle = clerk_mock::admin::instances::handle_of(clerk_mock::pipeline::UNBOUND_INSTANCE);
    let fixture = r#"{"users": {"early": {"email_address": ["early@example.com"]}}}"#;
    let put = server.client().without_key().send("PUT", "/__admin/state", Some(("application/json", fixture.as_bytes().to_vec())), Some(&[("X-Clerk-Mock-Instance", handle.as_str())]));
    assert_eq!(put.status, 200, "{}", put.text);
    // …is the first key's state, and later browser requests use that key.
    let suite = server.client();
    let users = suite.get("/v1/users");
    assert_eq!(users.body.as_array().map(Vec::len), Some(1), "{}", users.text);
    assert_eq!(server.frontend().get("/v1/client").status, 200);
    assert_eq!(fapi_instance_seen_by(&server, suite.key.as_deref().unwrap()), suite.key.as_deref().unwrap());
}

/// A `node_modules` holding a tiny `@clerk/clerk-js` 6.40.0.
fn node_modules_with_clerk_js() -> std::path::PathBuf {
    let dir = common::temp_dir("fapi-bundles");
    let root = dir.join("@clerk/clerk-js");
    std::fs::create_dir_all(root.join("dist")).unwrap();
    std::fs::write(root.join("package.json"), r#"{"name":"@clerk/clerk-js","version":"6.40.0"}"#).unwrap();
    std::fs::write(root.join("dist/clerk.browser.js"), "/* clerk */").unwrap();
    dir
}

#[test]
fn bundle_files_are_served_on_the_frontend_listener_to_any_origin() {
    let dir = node_modules_with_clerk_js();
    let server = TestServer::start_with(|args| args.frontend_bundles = Some(dir.clone()));
    let resp = server.frontend().send("GET", "/npm/@clerk/clerk-js@6/dist/clerk.browser.js", None, Some(&[("Origin", "http://localhost:3000")]));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text, "/* clerk */");
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"), "scripts load crossorigin=anonymous");
    assert!(resp.header("content-type").is_some_and(|t| t.contains("javascript")));
    let missing = server.frontend().get("/npm/@clerk/clerk-js@6/dist/nope.js");
    assert_clerk_error(&missing, 404, "resource_not_found");
    assert_eq!(server.client().without_key().get("/npm/@clerk/clerk-js@6/dist/clerk.browser.js").status, 404, "not on the Backend listener");
    let _ = std::fs::remove_dir_all(dir);
}

/// Adds a scenario to one instance through the admin API.
fn add_scenario(server: &TestServer, key: &str, scenario: Value) {
    let resp = server.client_with_key(key).post("/__admin/scenarios", scenario);
    assert_eq!(resp.status, 201, "{}", resp.text);
}

#[test]
fn a_bundled_rate_limit_on_a_frontend_operation_answers_429_with_cors_and_is_journaled_as_fapi() {
    let server = TestServer::start();
    let key = common::fresh_key();
    add_scenario(&server, &key, serde_json::json!({"scenario": "rate-limit-429?every=1&operation_id=createSignIn"}));
    let headers = [("Clerk-Secret-Key", key.as_str()), ("Origin", "http://localhost:3000")];
    let limited = server.frontend().form("/v1/client/sign_ins", "identifier=ada%40example.com", &headers);
    assert_clerk_error(&limited, 429, "too_many_requests");
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.header("access-control-allow-origin"), Some("http://localhost:3000"), "clerk-js must be able to read a 429");
    let other = server.frontend().send("GET", "/v1/client", None, Some(&headers));
    assert_eq!(other.status, 200, "only the matched operation is limited");
    let journal = server.client_with_key(&key).get("/__admin/requests?surface=fapi&operation_id=createSignIn");
    let entry = &journal.body["data"][0];
    assert_eq!(entry["surface"], "fapi");
    assert_eq!(entry["status"], 429);
    assert_eq!(entry["matched_rules"][0], "rate-limited");
}

#[test]
fn a_rule_matches_a_frontend_path_template_and_its_surface() {
    let server = TestServer::start();
    let key = common::fresh_key();
    let rules = serde_json::json!({"name": "tokens-down", "rules": [
        {"match": {"path": "/v1/client/sessions/{session_id}/tokens", "surface": "fapi"}, "respond": {"status": 500, "error": {"code": "internal_clerk_error"}}},
        {"match": {"path": "/v1/client", "surface": "bapi"}, "respond": {"status": 503}}
    ]});
    add_scenario(&server, &key, rules);
    let headers = [("Clerk-Secret-Key", key.as_str())];
    let tokens = server.frontend().form("/v1/client/sessions/sess_1/tokens", "organization_id=", &headers);
    assert_clerk_error(&tokens, 500, "internal_clerk_error");
    assert_eq!(server.frontend().send("GET", "/v1/client", None, Some(&headers)).status, 200, "a bapi rule never fires on the Frontend API");
}

#[test]
fn a_slow_rule_on_get_client_fires_and_the_request_is_then_served() {
    let server = TestServer::start();
    let key = common::fresh_key();
    add_scenario(&server, &key, serde_json::json!({"scenario": "slow?min_ms=1&max_ms=2&operation_id=getClient"}));
    let resp = server.frontend().send("GET", "/v1/client", None, Some(&[("Clerk-Secret-Key", key.as_str())]));
    assert_eq!(resp.status, 200);
    let journal = server.client_with_key(&key).get("/__admin/requests?surface=fapi&limit=1");
    assert_eq!(journal.body["data"][0]["matched_rules"][0], "latency");
}

#[test]
fn an_unknown_surface_in_a_rule_is_refused() {
    let server = TestServer::start();
    let resp = server.client().post("/__admin/scenarios", serde_json::json!({"rules": [{"match": {"surface": "web"}, "respond": {"status": 500}}]}));
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert!(resp.text.contains("surface"), "{}", resp.text);
}

#[test]
fn the_backend_api_serves_the_project_declared_handshake_payload_with_the_secret_key() {
    let server = TestServer::start();
    let key = common::fresh_key();
    let redirect = "http://localhost:3000/dashboard";
    let handshake = server.frontend().send(
        "GET",
        &format!("/v1/client/handshake?redirect_url={}&format=nonce&suffixed_cookies=false", urlencode(redirect)),
        None,
        Some(&[("Clerk-Secret-Key", key.as_str())]),
    );
    assert_eq!(handshake.status, 307, "{}", handshake.text);
    let location = handshake.header("location").unwrap().to_string();
    let nonce = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "__clerk_handshake_nonce")
        .map(|(_, v)| v.into_owned())
        .expect("a nonce on the redirect");
    let bapi = server.client_with_key(&key);
    let payload = bapi.get(&format!("/v1/clients/handshake_payload?nonce={nonce}"));
    assert_eq!(payload.status, 200, "{}", payload.text);
    assert!(payload.body["directives"].as_array().is_some_and(|d| !d.is_empty()), "{}", payload.text);
    let journal = bapi.get("/__admin/requests?surface=bapi&limit=1");
    assert_eq!(journal.body["data"][0]["operation_id"], "GetHandshakePayload");
    assert_clerk_error(&bapi.get("/v1/clients/handshake_payload"), 400, "form_param_missing");
    assert_clerk_error(&server.client().without_key().get(&format!("/v1/clients/handshake_payload?nonce={nonce}")), 401, "authentication_invalid");
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The CORS headers a credentialed browser needs to read an answer.
fn assert_cors_for(resp: &Resp, origin: &str) {
    assert_eq!(resp.header("access-control-allow-origin"), Some(origin), "{}", resp.text);
    assert_eq!(resp.header("access-control-allow-credentials"), Some("true"), "{}", resp.text);
    assert_eq!(resp.header("vary"), Some("Origin"), "{}", resp.text);
}

#[test]
fn the_frontend_listener_has_the_backend_listeners_body_limit() {
    let server = TestServer::start_with(|args| args.max_body_bytes = 1024);
    let big = format!("identifier={}", "a".repeat(4096));
    let resp = server.frontend().form("/v1/client/sign_ins", &big, &[("Origin", "http://localhost:3000")]);
    assert_clerk_error(&resp, 413, "request_body_too_large");
    assert_cors_for(&resp, "http://localhost:3000");
}

#[test]
fn a_head_or_uri_over_the_limit_on_the_frontend_listener_is_a_431_or_414_a_browser_can_read() {
    let server = TestServer::start();
    let cookie = format!("c={}", "x".repeat(100 * 1024));
    let headers = [("Origin", "http://localhost:3000"), ("Cookie", cookie.as_str())];
    let resp = server.frontend().send("GET", "/v1/client", None, Some(&headers));
    assert_clerk_error(&resp, 431, "request_header_fields_too_large");
    assert_cors_for(&resp, "http://localhost:3000");
    let long = format!("/v1/client?redirect_url={}", "a".repeat(20 * 1024));
    let resp = server.frontend().send("GET", &long, None, Some(&[("Origin", "http://localhost:3000")]));
    assert_clerk_error(&resp, 414, "request_uri_too_long");
    assert_cors_for(&resp, "http://localhost:3000");
}

#[test]
fn the_backend_listeners_limit_answers_stay_without_cors() {
    let server = TestServer::start_with(|args| args.max_body_bytes = 1024);
    let big = serde_json::json!({"first_name": "a".repeat(4096)});
    let resp = server.client().send(
        "POST",
        "/v1/users",
        Some(("application/json", serde_json::to_vec(&big).unwrap())),
        Some(&[("Origin", "http://localhost:3000")]),
    );
    assert_eq!(resp.status, 413, "{}", resp.text);
    assert_eq!(resp.header("access-control-allow-origin"), None);
}
