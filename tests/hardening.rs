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
    // Past hyper's buffer (4 x 64 KiB) hyper answers by itself.
    let header = format!("X-Padding: {}\r\n", "x".repeat(300 * 1024));
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

// ---- integers outside their format, numbers that would be stored changed -------------------

/// Posts a raw JSON text (numbers exactly as written) with the SDKs' content type.
fn post_raw(client: &common::Client, path: &str, json: &str) -> common::Resp {
    client.send("POST", path, Some(("application/json", json.as_bytes().to_vec())), None)
}

fn price_count(client: &common::Client) -> usize {
    let list = client.get("/v1/billing/prices?limit=500");
    assert_eq!(list.status, 200, "{}", list.text);
    list.body["data"].as_array().map(Vec::len).unwrap_or_else(|| panic!("a list: {}", list.text))
}

#[test]
fn an_int64_amount_of_two_to_the_63_is_refused_with_its_param_name_and_not_stored() {
    let server = TestServer::start();
    let client = server.client();
    let before = price_count(&client);
    let r = post_raw(&client, "/v1/billing/prices", r#"{"plan_id": "cplan_x", "amount": 9223372036854775808}"#);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "amount"), "{}", r.text);
    assert_eq!(price_count(&client), before, "nothing is stored");
}

#[test]
fn an_int64_amount_below_its_minimum_is_refused() {
    let server = TestServer::start();
    let client = server.client();
    let r = post_raw(&client, "/v1/billing/prices", r#"{"plan_id": "cplan_x", "amount": -9223372036854775809}"#);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "amount"), "{}", r.text);
}

#[test]
fn the_int64_bounds_themselves_are_accepted_and_come_back_unchanged() {
    let server = TestServer::start();
    let client = server.client();
    for amount in ["9223372036854775807", "-9223372036854775808"] {
        let r = post_raw(&client, "/v1/billing/prices", &format!(r#"{{"plan_id": "cplan_x", "amount": {amount}}}"#));
        assert!(r.status < 300, "{}", r.text);
        assert!(r.text.contains(&format!(r#""amount":{amount}"#)), "echoed exactly: {}", r.text);
    }
}

#[test]
fn a_number_too_large_for_any_64_bit_integer_is_refused_and_not_stored() {
    let server = TestServer::start();
    let client = server.client();
    let before = price_count(&client);
    for amount in ["18446744073709551616", "123456789012345678901234567890", "1e30"] {
        let r = post_raw(&client, "/v1/billing/prices", &format!(r#"{{"plan_id": "cplan_x", "amount": {amount}}}"#));
        assert_eq!(r.status, 422, "{amount}: {}", r.text);
        assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "amount"), "{}", r.text);
    }
    assert_eq!(price_count(&client), before, "nothing is stored");
}

#[test]
fn a_decimal_a_double_cannot_hold_exactly_is_refused_rather_than_rounded() {
    let server = TestServer::start();
    let client = server.client();
    let user = client.post("/v1/users", serde_json::json!({"email_address": ["round@example.com"]}));
    assert_eq!(user.status, 200, "{}", user.text);
    let r = post_raw(
        &client,
        "/v1/api_keys",
        &format!(
            r#"{{"name": "k", "subject": "{}", "seconds_until_expiration": 3600.0000000000000000001}}"#,
            user.body["id"].as_str().unwrap()
        ),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "seconds_until_expiration"), "{}", r.text);
}

#[test]
fn an_integer_query_parameter_outside_int64_is_refused_and_one_inside_is_served() {
    let server = TestServer::start();
    let client = server.client();
    let r = client.get("/v1/users?created_at_after=9223372036854775808");
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "created_at_after"), "{}", r.text);
    assert_eq!(client.get("/v1/users?created_at_after=9223372036854775807").status, 200);
}

#[test]
fn huge_and_very_precise_numbers_never_crash_the_server() {
    let server = TestServer::start();
    let client = server.client();
    let digits = "9".repeat(5000);
    for amount in [digits.clone(), format!("0.{digits}"), "1e999999999999".into(), "-0".into(), "1E-999".into()] {
        let r = post_raw(&client, "/v1/billing/prices", &format!(r#"{{"plan_id": "cplan_x", "amount": {amount}}}"#));
        assert!(matches!(r.status, 400 | 422 | 200), "{}: {}", r.status, r.text);
        assert!(r.body["errors"].is_array() || r.status == 200, "{}", r.text);
    }
    assert_eq!(client.get("/v1/users").status, 200, "still serving");
}

/// Clerk's specs use `format: int32` only in answers, so the int32 bounds of
/// a request are checked on a spec of this test's own.
fn int32_server() -> TestServer {
    let spec = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "int32 (clerk-mock test spec)", "version": "2025-01-01"},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "paths": {"/counters": {"post": {
            "operationId": "CreateCounter",
            "parameters": [{"name": "step", "in": "query", "schema": {"type": "integer", "format": "int32"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["count"],
                "properties": {"count": {"type": "integer", "format": "int32"}}
            }}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "required": ["count"], "properties": {"count": {"type": "integer", "format": "int32"}}
            }}}}}
        }}}
    });
    let path = common::temp_dir("hardening-int32").join("int32.json");
    std::fs::write(&path, spec.to_string()).unwrap();
    TestServer::start_with(|a| {
        a.spec.spec_dir = None;
        a.spec.specs = vec![path];
    })
}

#[test]
fn int32_bounds_are_enforced_in_bodies_and_queries() {
    let server = int32_server();
    let client = server.client().with_version(None);
    for count in ["2147483648", "-2147483649"] {
        let r = post_raw(&client, "/counters", &format!(r#"{{"count": {count}}}"#));
        assert_eq!(r.status, 422, "{count}: {}", r.text);
        assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "count"), "{}", r.text);
    }
    for count in ["2147483647", "-2147483648"] {
        let r = post_raw(&client, "/counters", &format!(r#"{{"count": {count}}}"#));
        assert_eq!(r.status, 200, "{count}: {}", r.text);
    }
    let r = post_raw(&client, "/counters?step=2147483648", r#"{"count": 1}"#);
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_format_invalid", "step"), "{}", r.text);
    assert_eq!(post_raw(&client, "/counters?step=-2147483648", r#"{"count": 1}"#).status, 200);
}

// ---- a required body that is missing ---------------------------------------------------------

/// A request with no payload and no `Content-Type`: what no official SDK
/// sends to an operation whose spec requires a body.
fn bare(client: &common::Client, method: &str, path: &str) -> common::Resp {
    client.send(method, path, None, None)
}

/// An empty payload with `Content-Type: application/json`: what
/// `@clerk/backend` sends when a call's parameters are all unset.
fn empty_json(client: &common::Client, method: &str, path: &str) -> common::Resp {
    client.send(method, path, Some(("application/json", Vec::new())), None)
}

fn assert_body_missing(r: &common::Resp, what: &str) {
    assert_eq!(r.status, 400, "{what}: {}", r.text);
    assert_eq!(r.code(), "malformed_request", "{what}: {}", r.text);
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap_or("").contains("requires a request body"), "{}", r.text);
    assert!(r.body["clerk_trace_id"].is_string(), "{}", r.text);
}

#[test]
fn an_item_action_without_its_required_body_is_refused() {
    let server = TestServer::start();
    let client = server.client();
    assert_body_missing(&bare(&client, "POST", "/v1/api_keys/ak_0123456789abcdef0123456789abcdef/revoke"), "revokeApiKey");
    assert_body_missing(&bare(&client, "POST", "/v1/m2m_tokens/mt_0123456789abcdef0123456789abcdef/revoke"), "revokeM2MToken");
}

#[test]
fn token_creation_without_its_required_body_is_refused() {
    let server = TestServer::start();
    let client = server.client();
    assert_body_missing(&bare(&client, "POST", "/v1/m2m_tokens"), "createM2MToken");
    assert_body_missing(&bare(&client, "POST", "/v1/admin_portal_link_tokens"), "createAdminPortalLinkToken");
}

#[test]
fn a_verification_without_its_required_body_is_refused_naming_the_first_required_field() {
    let server = TestServer::start();
    let client = server.client();
    assert_body_missing(&bare(&client, "POST", "/v1/oauth_applications/access_tokens/verify"), "verifyOAuthAccessToken");
    let r = bare(&client, "POST", "/v1/api_keys/verify");
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "secret"), "{}", r.text);
}

#[test]
fn a_create_an_update_and_an_upload_without_their_required_body_are_refused_and_change_nothing() {
    let server = TestServer::start();
    let client = server.client();
    assert_body_missing(&bare(&client, "POST", "/v1/users"), "CreateUser");
    assert_eq!(client.get("/v1/users/count").body["total_count"], 0, "no user was created");
    let org = client.post("/v1/organizations", serde_json::json!({"name": "Acme"}));
    assert_eq!(org.status, 200, "{}", org.text);
    let org_path = format!("/v1/organizations/{}", org.body["id"].as_str().unwrap());
    assert_body_missing(&bare(&client, "PATCH", &org_path), "UpdateOrganization");
    let user = client.post("/v1/users", serde_json::json!({"email_address": ["img@example.com"]}));
    let image_path = format!("/v1/users/{}/profile_image", user.body["id"].as_str().unwrap());
    assert_body_missing(&bare(&client, "POST", &image_path), "SetUserProfileImage");
}

#[test]
fn an_empty_json_body_as_clerk_backend_sends_it_is_still_accepted() {
    let server = TestServer::start();
    let client = server.client();
    let user = client.post("/v1/users", serde_json::json!({"email_address": ["sdk@example.com"]}));
    let user_path = format!("/v1/users/{}", user.body["id"].as_str().unwrap());
    // users.updateUser(id) and organizations.updateOrganization(id, {}) in @clerk/backend 3.25.
    let r = empty_json(&client, "PATCH", &user_path);
    assert_eq!(r.status, 200, "{}", r.text);
    let org = client.post("/v1/organizations", serde_json::json!({"name": "Acme"}));
    let r = empty_json(&client, "PATCH", &format!("/v1/organizations/{}", org.body["id"].as_str().unwrap()));
    assert_eq!(r.status, 200, "{}", r.text);
    // A required field is still required.
    let r = empty_json(&client, "POST", "/v1/api_keys/verify");
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "secret"), "{}", r.text);
}

// ---- synthesized answers are not constants ---------------------------------------------------

fn agent_task(client: &common::Client, agent_name: &str) -> serde_json::Value {
    let r = client.post(
        "/v1/agents/tasks",
        serde_json::json!({
            "on_behalf_of": {"user_id": "user_2xkqzRmVpL8sN3tYb7WcJ5hD9fA"},
            "permissions": "*",
            "agent_name": agent_name,
            "task_description": "nightly sync",
            "redirect_url": "https://example.com/done"
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[test]
fn a_synthesized_create_mints_a_fresh_task_id_per_call_and_per_instance() {
    let server = TestServer::start();
    let (one, other) = (server.client(), server.client());
    let first = agent_task(&one, "bot");
    let second = agent_task(&one, "bot");
    let elsewhere = agent_task(&other, "bot");
    let id = |v: &serde_json::Value| v["agent_task_id"].as_str().unwrap().to_string();
    assert_ne!(id(&first), id(&second), "a create mints a fresh id per call");
    assert_ne!(id(&first), id(&elsewhere), "and per instance");
    assert_eq!(first["task_id"], first["agent_task_id"], "the deprecated alias is the same task");
}

#[test]
fn a_synthesized_agent_id_is_stable_per_agent_name_within_an_instance() {
    let server = TestServer::start();
    let client = server.client();
    let (bot, bot_again, etl) = (agent_task(&client, "bot"), agent_task(&client, "bot"), agent_task(&client, "etl"));
    assert_eq!(bot["agent_id"], bot_again["agent_id"], "the same agent_name is the same agent");
    assert_ne!(bot["agent_id"], etl["agent_id"], "another agent_name is another agent");
    let elsewhere = agent_task(&server.client(), "bot");
    assert_ne!(bot["agent_id"], elsewhere["agent_id"], "agents belong to an instance");
}

#[test]
fn a_synthesized_item_action_answers_the_item_of_its_path() {
    let server = TestServer::start();
    let client = server.client();
    let task = agent_task(&client, "bot");
    let id = task["agent_task_id"].as_str().unwrap();
    let r = client.post(&format!("/v1/agents/tasks/{id}/revoke"), serde_json::json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["agent_task_id"], id, "{}", r.text);
}

#[test]
fn a_synthesized_answer_echoes_the_request_values_its_schema_has() {
    let server = TestServer::start();
    let client = server.client();
    let user = client.post("/v1/users", serde_json::json!({"email_address": ["credit@example.com"]}));
    let user_id = user.body["id"].as_str().unwrap().to_string();
    let r = client.post(
        &format!("/v1/users/{user_id}/billing/credits"),
        serde_json::json!({"amount": 500, "action": "increase", "idempotency_key": "k-1", "note": "welcome credit"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["note"], "welcome credit", "{}", r.text);
}
