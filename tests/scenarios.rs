//! Scenario rules over HTTP: counting (`times`, `after`, `every`), delays
//! that block nothing else, dropped connections, the bundled scenarios, the
//! per-request header, and scopes.

mod common;

use std::time::{Duration, Instant};

use clerk_mock::openapi::Spec;
use common::{Client, TestServer};
use serde_json::{json, Value};

const SPECS: &[&str] = &["openapi.json", "bapi-2025-11-10.json", "bapi-2026-05-12.json"];

fn add_scenario(client: &Client, scenario: Value) {
    let r = client.post("/__admin/scenarios", scenario);
    assert_eq!(r.status, 201, "{}", r.text);
}

fn statuses(client: &Client, path: &str, n: usize) -> Vec<u16> {
    (0..n).map(|_| client.get(path).status).collect()
}

#[test]
fn a_rule_with_times_2_fires_twice_then_expires() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "twice", "rules": [{
        "match": {"operation_id": "GetUserList"}, "times": 2,
        "respond": {"status": 503, "error": {"code": "service_unavailable"}}}]}));
    assert_eq!(statuses(&client, "/v1/users", 3), vec![503, 503, 200]);
    let listed = client.get("/__admin/scenarios");
    let rule = &listed.body["scenarios"][0]["rules"][0];
    assert_eq!((rule["fired"].as_u64(), rule["expired"].as_bool()), (Some(2), Some(true)), "{}", listed.text);
}

#[test]
fn after_3_lets_the_first_three_matches_through() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "later", "rules": [{
        "match": {"method": "GET", "path": "/v1/users"}, "after": 3, "respond": {"status": 500}}]}));
    assert_eq!(statuses(&client, "/v1/users", 5), vec![200, 200, 200, 500, 500]);
    let failed = client.get("/v1/users");
    assert_eq!(failed.code(), "internal_clerk_error");
    assert!(failed.body["errors"][0]["long_message"].as_str().unwrap().contains("GetUserList"));
}

#[test]
fn a_delay_holds_back_its_request_and_nothing_else() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "slow-users", "rules": [{
        "match": {"operation_id": "GetUserList"}, "delay": "800ms"}]}));
    let slow_client = client.clone();
    let slow = std::thread::spawn(move || {
        let started = Instant::now();
        let r = slow_client.get("/v1/users");
        (r.status, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(100));
    // While the delayed request waits, the same instance still answers at once.
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(client.get("/v1/organizations").status, 200);
    }
    assert!(started.elapsed() < Duration::from_millis(500), "other requests waited {:?}", started.elapsed());
    let (status, took) = slow.join().unwrap();
    assert_eq!(status, 200, "a delay-only rule serves the request normally afterwards");
    assert!(took >= Duration::from_millis(800), "took {took:?}");
}

/// `{param}` → a plausible value: the scenario stage runs before validation.
fn concrete_path(template: &str) -> String {
    let mut out = String::from("/v1");
    for segment in template.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(if segment.starts_with('{') { "x_123" } else { segment });
    }
    out
}

#[test]
fn deprecated_410_answers_every_deprecated_operation_of_every_spec() {
    let server = TestServer::start();
    let client = server.client();
    for file in SPECS {
        let spec = Spec::load(&common::spec_dir().join(file)).expect("spec loads");
        let version = (*file != "openapi.json").then(|| spec.version.clone());
        let client = client.clone().with_version(version.as_deref());
        let deprecated: Vec<_> = spec.operations.iter().filter(|op| op.deprecated).collect();
        assert!(!deprecated.is_empty(), "{file} marks operations deprecated");
        for op in &deprecated {
            let path = concrete_path(&op.path);
            let r = client.send(&op.method, &path, None, Some(&[("X-Clerk-Mock-Scenario", "deprecated-410")]));
            assert_eq!(r.status, 410, "{file} {} {path}: {}", op.id, r.text);
            assert_eq!(r.code(), "operation_deprecated", "{file} {}", op.id);
            let error = &r.body["errors"][0];
            assert!(error["message"].is_string() && error["long_message"].is_string() && r.body["clerk_trace_id"].is_string());
            if op.response_for(410).is_some() {
                assert_eq!(error["long_message"], "The endpoint is considered deprecated and is pending removal.", "{file} {}", op.id);
            }
        }
        // Operations that are not deprecated are served as usual.
        let r = client.send("GET", "/v1/users", None, Some(&[("X-Clerk-Mock-Scenario", "deprecated-410")]));
        assert_eq!(r.status, 200, "{file}: {}", r.text);
        // Without the header, deprecated operations are served normally.
        let op = deprecated.iter().find(|op| op.id == "GetTemplateList").expect("GetTemplateList is deprecated");
        assert_ne!(client.get(&concrete_path(&op.path).replace("x_123", "email")).status, 410, "{file}");
    }
}

#[test]
fn deprecated_410_loaded_at_start_applies_to_every_instance() {
    let server = TestServer::start_with(|a| a.scenarios = vec!["deprecated-410".into()]);
    for _ in 0..2 {
        let r = server.client().with_version(Some("2026-05-12")).get("/v1/saml_connections");
        assert_eq!((r.status, r.code()), (410, "operation_deprecated"));
    }
}

#[test]
fn a_dropped_connection_gets_no_answer_at_all() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "cut", "rules": [{"match": {"operation_id": "GetUserList"}, "drop": true, "times": 1}]}));
    let key = client.key.clone().unwrap();
    let request = format!("GET /v1/users HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n");
    let bytes = common::raw_exchange(&server.url, request.as_bytes(), Duration::from_secs(5)).expect("the server closes the connection");
    assert!(bytes.is_empty(), "expected no bytes, got {:?}", String::from_utf8_lossy(&bytes));
    // The rule expired; the next request is answered, and the journal saw the drop.
    assert_eq!(client.get("/v1/users").status, 200);
    let journal = client.get("/__admin/requests?operation_id=GetUserList");
    let oldest = &journal.body["data"][1];
    assert_eq!((oldest["dropped"].as_bool(), oldest["status"].is_null()), (Some(true), true), "{}", journal.text);
    assert_eq!(oldest["matched_rules"], json!(["cut#1"]));
}

#[test]
fn rate_limit_429_answers_every_nth_request_with_retry_after() {
    let server = TestServer::start_with(|a| a.scenarios = vec!["rate-limit-429?every=3&retry_after=7".into()]);
    let client = server.client();
    assert_eq!(statuses(&client, "/v1/users", 6), vec![200, 200, 429, 200, 200, 429]);
    let limited = (0..3).map(|_| client.get("/v1/users")).find(|r| r.status == 429).unwrap();
    assert_eq!(limited.code(), "too_many_requests");
    assert_eq!(limited.header("retry-after"), Some("7"));
    // Counters are per instance: a new key starts from one.
    assert_eq!(statuses(&server.client(), "/v1/users", 2), vec![200, 200]);
}

#[test]
fn validation_422_rejects_only_the_chosen_operation_with_the_chosen_code() {
    let server = TestServer::start();
    let client = server.client();
    let header = [("X-Clerk-Mock-Scenario", "validation-422?operation_id=CreateOrganization&code=form_param_missing&param=name")];
    let body = serde_json::to_vec(&json!({"name": "Acme"})).unwrap();
    let r = client.send("POST", "/v1/organizations", Some(("application/json", body)), Some(&header));
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "name"), "{}", r.text);
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("name"));
    assert_eq!(client.send("GET", "/v1/users", None, Some(&header)).status, 200);
}

#[test]
fn outage_500_fails_every_request_until_removed() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"scenario": "outage-500"}));
    assert_eq!(statuses(&client, "/v1/users", 2), vec![500, 500]);
    assert_eq!(client.get("/v1/users").code(), "internal_clerk_error");
    assert_eq!(client.delete("/__admin/scenarios/outage-500").status, 200);
    assert_eq!(client.get("/v1/users").status, 200);
    assert_eq!(client.delete("/__admin/scenarios/outage-500").status, 404);
}

#[test]
fn slow_delays_within_its_range() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"scenario": "slow", "params": {"min_ms": 150, "max_ms": 250}}));
    let started = Instant::now();
    assert_eq!(client.get("/v1/users").status, 200);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(150) && took < Duration::from_millis(1500), "took {took:?}");
}

#[test]
fn flaky_fails_the_same_requests_for_the_same_seed() {
    let pattern = |seed: u64| {
        let server = TestServer::start_with(|a| {
            a.seed = seed;
            a.scenarios = vec!["flaky?rate=0.5".into()];
        });
        statuses(&server.client_with_key("sk_test_flaky_pattern"), "/v1/users", 24)
    };
    let first = pattern(5);
    assert_eq!(first, pattern(5));
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");
    assert_ne!(first, pattern(6));
}

#[test]
fn body_predicates_pick_requests_by_their_fields() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "blocked-domain", "rules": [{
        "match": {"operation_id": "CreateUser", "body": {"email_address": {"contains": "@blocked.test"}}},
        "respond": {"status": 422, "error": {"code": "form_identifier_not_allowed", "meta": {"param_name": "email_address"}}}}]}));
    let refused = client.post("/v1/users", json!({"email_address": ["x@blocked.test"]}));
    assert_eq!((refused.status, refused.code(), refused.param()), (422, "form_identifier_not_allowed", "email_address"));
    assert_eq!(client.post("/v1/users", json!({"email_address": ["x@fine.test"]})).status, 200);
}

#[test]
fn instance_scenarios_stay_with_their_key_and_global_ones_reach_everyone() {
    let server = TestServer::start();
    let (mine, other) = (server.client(), server.client());
    add_scenario(&mine, json!({"name": "mine", "rules": [{"match": {"operation_id": "GetUserList"}, "respond": {"status": 418}}]}));
    assert_eq!((mine.get("/v1/users").status, other.get("/v1/users").status), (418, 200));
    let global = mine.post("/__admin/scenarios?scope=global", json!({"name": "all", "rules": [{"match": {"operation_id": "ListOrganizations"}, "respond": {"status": 503}}]}));
    assert_eq!(global.status, 201, "{}", global.text);
    assert_eq!((mine.get("/v1/organizations").status, other.get("/v1/organizations").status), (503, 503));
    // Reset forgets the instance's own scenarios.
    assert_eq!(mine.post("/__admin/reset", json!({})).status, 200);
    assert_eq!(mine.get("/v1/users").status, 200);
}

#[test]
fn priority_decides_between_rules_that_both_match() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "ranked", "rules": [
        {"name": "low", "match": {"method": "GET"}, "respond": {"status": 500}},
        {"name": "high", "priority": 10, "match": {"path": "/users"}, "respond": {"status": 503}}]}));
    assert_eq!(client.get("/v1/users").status, 503);
    assert_eq!(client.get("/v1/organizations").status, 500);
}

#[test]
fn unknown_and_invalid_scenarios_are_refused_clearly() {
    let server = TestServer::start();
    let client = server.client();
    let r = client.send("GET", "/v1/users", None, Some(&[("X-Clerk-Mock-Scenario", "no-such-thing")]));
    assert_eq!((r.status, r.code()), (400, "scenario_not_found"));
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("rate-limit-429"));
    let r = client.post("/__admin/scenarios", json!({"name": "typo", "rules": [{"match": {"operation_id": "CreatUser"}, "drop": true}]}));
    assert_eq!((r.status, r.code()), (422, "scenario_invalid"));
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("CreatUser"), "{}", r.text);
    let r = client.post("/__admin/scenarios", json!({"rules": [{"times": 2, "respond": {"status": 500}, "delya": 5}]}));
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("delya"), "{}", r.text);
    let r = client.post("/__admin/scenarios", json!({"scenario": "rate-limit-429", "params": {"evry": 2}}));
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("evry"), "{}", r.text);
}

#[test]
fn a_bad_scenario_at_start_stops_the_server_with_its_reason() {
    let err = TestServer::try_start_with(|a| a.scenarios = vec!["no-such-scenario.yaml".into()]).err().expect("start-up fails");
    assert!(err.contains("no-such-scenario.yaml") && err.contains("bundled"), "{err}");
}

#[test]
fn api_version_query_and_header_conditions_narrow_a_rule() {
    let server = TestServer::start();
    let client = server.client();
    add_scenario(&client, json!({"name": "narrow", "rules": [{
        "match": {"api_version": "2026-05-12", "query": {"limit": "5"}, "headers": {"user-agent": {"matches": "python*"}}},
        "respond": {"status": 503}}]}));
    let send = |version: &str, path: &str, agent: &str| {
        client.clone().with_version(Some(version)).send("GET", path, None, Some(&[("User-Agent", agent)])).status
    };
    assert_eq!(send("2026-05-12", "/v1/users?limit=5", "python-httpx/0.27"), 503);
    assert_eq!(send("2025-11-10", "/v1/users?limit=5", "python-httpx/0.27"), 200);
    assert_eq!(send("2026-05-12", "/v1/users?limit=6", "python-httpx/0.27"), 200);
    assert_eq!(send("2026-05-12", "/v1/users?limit=5", "node-fetch"), 200);
}
