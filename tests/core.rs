//! The spec-driven core on the project's own two-version test spec
//! (tests/fixtures/mini-v1.yaml and mini-2025-01-01.json): routing, auth,
//! validation, body formats, limits, synthesis, version selection, response
//! validation and robustness.

mod common;

use std::sync::Arc;

use clerk_mock::app::App;
use clerk_mock::config::ServeArgs;
use clerk_mock::error::ApiError;
use clerk_mock::handler::{Ctx, Reply};
use clerk_mock::registry::Registry;
use clerk_mock::openapi::SpecSet;
use common::{mini_specs, Client, TestServer};
use serde_json::{json, Value};

fn mini_args() -> ServeArgs {
    let mut args = ServeArgs::default();
    args.spec.specs = mini_specs();
    args.validate_responses = true;
    args.seed = 1;
    args
}

fn mini_server() -> TestServer {
    TestServer::start_with(|a| {
        a.spec.spec_dir = None;
        a.spec.specs = mini_specs();
    })
}

fn v1(server: &TestServer) -> Client {
    server.client().with_version(None)
}

#[test]
fn a_literal_segment_is_routed_before_a_parameter() {
    let server = mini_server();
    let resp = v1(&server).get("/v1/widgets/count");
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.body["object"], "total_count");
}

#[test]
fn the_v1_prefix_is_optional() {
    let server = mini_server();
    let client = v1(&server);
    let created = client.post("/widgets", json!({"name": "a"}));
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(client.get(&format!("/v1/widgets/{id}")).status, 200);
    assert_eq!(client.get(&format!("/widgets/{id}")).status, 200);
}

#[test]
fn an_unknown_path_is_404_and_a_wrong_method_is_405_in_clerks_envelope() {
    let server = mini_server();
    let client = v1(&server);
    let unknown = client.get("/v1/gadgets");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.code(), "resource_not_found");
    assert!(unknown.body["clerk_trace_id"].is_string());
    let wrong = client.send("PUT", "/v1/widgets", None, None);
    assert_eq!(wrong.status, 405);
    assert!(wrong.body["errors"][0]["long_message"].as_str().unwrap().contains("GET, POST"));
}

#[test]
fn a_missing_or_malformed_secret_key_is_401_and_public_operations_need_none() {
    let server = mini_server();
    let anonymous = v1(&server).without_key();
    assert_eq!(anonymous.get("/v1/widgets").status, 401);
    assert_eq!(anonymous.get("/v1/widgets").code(), "authentication_invalid");
    let malformed = server.client_with_key("pk_test_abc").with_version(None);
    assert_eq!(malformed.get("/v1/widgets").status, 401);
    assert_eq!(anonymous.get("/v1/public/ping").status, 200);
}

#[test]
fn each_secret_key_is_an_isolated_instance() {
    let server = mini_server();
    let a = v1(&server);
    let b = v1(&server);
    a.post("/v1/widgets", json!({"name": "only-in-a"}));
    assert_eq!(a.get("/v1/widgets").body.as_array().unwrap().len(), 1);
    assert_eq!(b.get("/v1/widgets").body.as_array().unwrap().len(), 0);
}

#[test]
fn query_parameters_are_typed_and_every_violation_is_reported() {
    let server = mini_server();
    let client = v1(&server);
    let resp = client.get("/v1/widgets?limit=abc&kind=huge&active=maybe");
    assert_eq!(resp.status, 422, "{}", resp.text);
    let params: Vec<&str> = resp.body["errors"].as_array().unwrap().iter().map(|e| e["meta"]["param_name"].as_str().unwrap()).collect();
    assert!(params.contains(&"limit") && params.contains(&"kind") && params.contains(&"active"), "{params:?}");
    assert!(resp.codes().contains(&"form_param_value_invalid".to_string()));
    assert_eq!(client.get("/v1/widgets?limit=5&kind=small&active=true&name=a,b").status, 200);
    assert_eq!(client.get("/v1/widgets?limit=501").status, 422);
}

#[test]
fn an_empty_value_of_a_typed_query_parameter_is_refused_not_taken_as_absent() {
    let server = mini_server();
    let client = v1(&server);
    let resp = client.get("/v1/widgets?limit=&active=");
    assert_eq!(resp.status, 422, "{}", resp.text);
    let params: Vec<&str> = resp.body["errors"].as_array().unwrap().iter().map(|e| e["meta"]["param_name"].as_str().unwrap()).collect();
    assert!(params.contains(&"limit") && params.contains(&"active"), "{params:?}");
    assert_eq!(client.get("/v1/widgets?name=").status, 200, "an empty comma-separated list filters nothing");
}

#[test]
fn undeclared_query_parameters_are_ignored() {
    let server = mini_server();
    assert_eq!(v1(&server).get("/v1/widgets?paginated=true&whatever=1").status, 200);
}

#[test]
fn a_json_content_type_with_an_empty_body_means_an_empty_object() {
    let server = mini_server();
    let resp = v1(&server).send("POST", "/v1/widgets", Some(("application/json", Vec::new())), None);
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.code(), "form_param_missing");
    assert_eq!(resp.param(), "name");
}

#[test]
fn a_body_with_wrong_types_unknown_fields_and_nulls_reports_each_with_clerks_codes() {
    let server = mini_server();
    let resp = v1(&server).post("/v1/widgets", json!({"name": null, "size": "big", "colour": "red"}));
    assert_eq!(resp.status, 422);
    let mut codes = resp.codes();
    codes.sort();
    assert_eq!(codes, vec!["form_param_format_invalid", "form_param_nil", "form_param_unknown"]);
}

#[test]
fn malformed_json_is_400() {
    let server = mini_server();
    let resp = v1(&server).send("POST", "/v1/widgets", Some(("application/json", b"{\"name\":".to_vec())), None);
    assert_eq!(resp.status, 400);
    assert!(resp.body["errors"][0]["long_message"].as_str().unwrap().contains("not valid JSON"));
}

#[test]
fn a_form_encoded_body_is_accepted_and_typed_by_the_schema() {
    let server = mini_server();
    let resp = v1(&server).send(
        "POST",
        "/v1/widgets",
        Some(("application/x-www-form-urlencoded", b"name=formed&size=3&enabled=true".to_vec())),
        None,
    );
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.body["name"], "formed");
    assert_eq!(resp.body["size"], 3);
    assert_eq!(resp.body["enabled"], true);
}

#[test]
fn a_multipart_upload_is_accepted_and_a_missing_file_is_422() {
    let server = mini_server();
    let client = v1(&server);
    let body = b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--XX--\r\n".to_vec();
    let ok = client.send("PUT", "/v1/widgets/w_1/image", Some(("multipart/form-data; boundary=XX", body)), None);
    assert_eq!(ok.status, 200, "{}", ok.text);
    let empty = b"--XX\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XX--\r\n".to_vec();
    let missing = client.send("PUT", "/v1/widgets/w_1/image", Some(("multipart/form-data; boundary=XX", empty)), None);
    assert_eq!(missing.status, 422);
    assert_eq!(missing.param(), "file");
}

#[test]
fn a_body_over_the_limit_is_413() {
    let server = TestServer::start_with(|a| {
        a.spec.spec_dir = None;
        a.spec.specs = mini_specs();
        a.max_body_bytes = 1000;
    });
    let big = json!({"name": "x".repeat(5000)});
    let resp = v1(&server).post("/v1/widgets", big);
    assert_eq!(resp.status, 413);
    assert_eq!(resp.code(), "request_body_too_large");
}

#[test]
fn responses_are_exactly_application_json() {
    let server = mini_server();
    let resp = v1(&server).get("/v1/widgets");
    assert_eq!(resp.header("content-type"), Some("application/json"));
}

#[test]
fn the_version_header_picks_the_spec_and_an_old_version_never_sees_newer_fields() {
    let server = mini_server();
    let new = server.client().with_version(Some("2025-01-01"));
    let created = new.post("/v1/widgets", json!({"name": "w", "color": "blue"}));
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["color"], "blue");
    let id = created.body["id"].as_str().unwrap().to_string();
    // Same instance (same key), no header: the v1 spec, whose Widget forbids `color`.
    let old = new.clone().with_version(None);
    let read = old.get(&format!("/v1/widgets/{id}"));
    assert_eq!(read.status, 200, "{}", read.text);
    assert!(read.body.get("color").is_none(), "{}", read.text);
    assert_eq!(read.body["enabled"], false);
    // A version between the two picks the older; a later one the newer.
    assert!(old.clone().with_version(Some("2024-06-01")).get(&format!("/v1/widgets/{id}")).body.get("color").is_none());
    assert_eq!(old.clone().with_version(Some("2026-01-01")).get(&format!("/v1/widgets/{id}")).body["color"], "blue");
    // Routing follows the picked spec too: v2 has no count operation.
    assert_eq!(new.get("/v1/widgets/count").status, 404);
}

#[test]
fn paginated_true_wraps_a_bare_array_list_in_data_and_total_count() {
    let server = mini_server();
    let client = server.client().with_version(Some("2025-01-01"));
    for n in 0..3 {
        client.post("/v1/widgets", json!({"name": format!("w{n}")}));
    }
    let bare = client.get("/v1/widgets?limit=2");
    assert_eq!(bare.body.as_array().unwrap().len(), 2);
    let paged = client.get("/v1/widgets?limit=2&paginated=true");
    assert_eq!(paged.body["total_count"], 3);
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 2);
}

#[test]
fn synthesized_answers_are_deterministic_under_a_seed() {
    let first = mini_server();
    let second = mini_server();
    let other_seed = TestServer::start_with(|a| {
        a.spec.spec_dir = None;
        a.spec.specs = mini_specs();
        a.seed = 2;
    });
    let ping = |s: &TestServer| v1(s).without_key().get("/v1/public/ping").body;
    assert_eq!(ping(&first), ping(&second));
    assert_ne!(ping(&first), ping(&other_seed));
    let body = ping(&first);
    assert_eq!(body["object"], "pong");
    assert!(body["id"].as_str().unwrap().len() > 5);
    assert!(body["created_at"].as_i64().unwrap() > 1_600_000_000_000, "timestamps are unix ms");
}

fn with_handlers(register: impl FnOnce(&mut Registry)) -> TestServer {
    let args = mini_args();
    let specs = SpecSet::load(&args.spec.specs, None).unwrap();
    let mut registry = Registry::new();
    register(&mut registry);
    TestServer::start_app(Arc::new(App::with_registry(args, specs, registry)))
}

fn explode(_: &Ctx) -> Result<Reply, ApiError> {
    panic!("boom")
}

fn wrong_shape(_: &Ctx) -> Result<Reply, ApiError> {
    Ok(Reply::Object(json!({"object": "widget", "id": "w", "name": "n", "size": "big", "enabled": true, "owner": null, "created_at": 1})))
}

#[test]
fn a_panic_in_a_handler_is_a_500_in_clerks_envelope_and_the_server_goes_on() {
    let server = with_handlers(|r| r.add("ExplodeWidget", "test", explode));
    let client = v1(&server);
    let resp = client.post("/v1/widgets/w_1/explode", json!({}));
    assert_eq!(resp.status, 500);
    assert_eq!(resp.code(), "internal_clerk_error");
    assert_eq!(client.get("/v1/widgets").status, 200);
}

#[test]
fn with_response_validation_a_body_that_breaks_the_spec_is_a_500_naming_the_path() {
    let server = with_handlers(|r| r.add("GetWidget", "test", wrong_shape));
    let resp = v1(&server).get("/v1/widgets/w");
    assert_eq!(resp.status, 500);
    let long = resp.body["errors"][0]["long_message"].as_str().unwrap();
    assert!(long.contains("/size"), "{long}");
}

#[test]
fn deleting_a_widget_answers_a_deleted_object_and_then_it_is_gone() {
    let server = mini_server();
    let client = v1(&server);
    let id = client.post("/v1/widgets", json!({"name": "gone"})).body["id"].as_str().unwrap().to_string();
    let deleted = client.delete(&format!("/v1/widgets/{id}"));
    assert_eq!(deleted.body, json!({"object": "widget", "id": id, "deleted": true}));
    assert_eq!(client.get(&format!("/v1/widgets/{id}")).status, 404);
}

#[test]
fn a_nullable_ref_may_be_null_and_a_non_nullable_field_may_not() {
    let server = with_handlers(|r| r.add("GetWidget", "test", |_| Ok(Reply::Object(json!({"object": "widget", "id": "w", "name": "n", "size": null, "enabled": true, "owner": null, "created_at": 1})))));
    let resp = v1(&server).get("/v1/widgets/w");
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.body["owner"], Value::Null);
}
