//! The spec sweep (DESIGN §8.3): every operation of each official spec
//! routes, accepts a minimal valid request built from its schema, and answers
//! a declared status with a body the spec allows (the server runs with
//! `--validate-responses`, so a body that does not validate is a 500 here);
//! every body rejects a wrong-typed field in Clerk's envelope; every secured
//! operation refuses a request without Authorization.

mod common;

use clerk_mock::openapi::synth::Synth;
use clerk_mock::openapi::{resolve, Operation, Spec};
use common::sweep::{minimal_body, required_query, template_path};
use common::{Client, TestServer};
use serde_json::Value;

/// Every Backend API document beside the checkout: `openapi.json` (v1) and
/// the six dated versions (two at the top, four in `bapi-more/`).
fn specs() -> impl Iterator<Item = (String, &'static Spec)> {
    let all = common::official_specs();
    assert_eq!(all.len(), 7, "expected v1 and six dated Backend API documents in {}", common::spec_dir().display());
    all.iter().map(|s| (s.source.file_name().unwrap().to_string_lossy().into_owned(), &**s))
}

/// A Backend API path with every parameter filled from its schema.
fn concrete_path(spec: &Spec, op: &Operation) -> String {
    format!("/v1{}", template_path(spec, op))
}

/// v1 is what a request without the header gets; a dated spec is asked for by name.
fn version_header(spec: &Spec) -> Option<String> {
    spec.is_dated().then(|| spec.version.clone())
}

fn multipart(fields: &[(&str, &str, bool)]) -> (String, Vec<u8>) {
    let boundary = "clerkmocksweep";
    let mut body = Vec::new();
    for (name, value, is_file) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if *is_file {
            body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
        } else {
            body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
        }
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Sends the minimal valid request of an operation.
fn send_minimal(client: &Client, spec: &Spec, op: &Operation) -> common::Resp {
    let url = format!("{}{}", concrete_path(spec, op), required_query(spec, op));
    match &op.body {
        Some(b) if b.content_types.iter().any(|c| c == "multipart/form-data") && !b.content_types.iter().any(|c| c == "application/json") => {
            let (ct, bytes) = multipart(&[("file", "PNGDATA", true)]);
            client.send(&op.method, &url, Some((&ct, bytes)), None)
        }
        Some(b) => {
            let body = minimal_body(spec, &b.schema);
            client.send(&op.method, &url, Some(("application/json", serde_json::to_vec(&body).unwrap())), None)
        }
        None => client.send(&op.method, &url, None, None),
    }
}

#[test]
fn every_operation_of_every_spec_answers_a_declared_status_with_a_valid_body() {
    let server = TestServer::start();
    let mut failures = Vec::new();
    let mut answered = 0;
    let mut succeeded = 0;
    let mut unknown_ids = 0;
    for (file, spec) in specs() {
        let client = server.client().with_version(version_header(spec).as_deref());
        for op in &spec.operations {
            let resp = send_minimal(&client, &spec, op);
            answered += 1;
            let declared = op.response_for(resp.status).is_some();
            let not_found = resp.status == 404 && resp.code() == "resource_not_found";
            if (200..300).contains(&resp.status) {
                succeeded += 1;
            }
            if not_found {
                unknown_ids += 1;
            }
            if resp.status >= 500 || resp.status == 401 || resp.status == 405 || !(declared || not_found) {
                failures.push(format!("{file} {} {} ({}): {} {}", op.method, op.path, op.id, resp.status, resp.text.chars().take(400).collect::<String>()));
            }
            if !(200..300).contains(&resp.status) && resp.body["errors"][0]["code"].as_str().is_none() {
                failures.push(format!("{file} {}: error without Clerk's envelope: {}", op.id, resp.text));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {answered} operations failed:\n{}", failures.len(), failures.join("\n"));
    // A minimal request mostly succeeds or finds its made-up id unknown; a
    // flood of other refusals would mean validation rejects valid requests.
    assert!((succeeded + unknown_ids) * 10 > answered * 9, "only {succeeded} of {answered} minimal requests succeeded ({unknown_ids} unknown ids)");
}

/// A value of the wrong type for a schema.
fn wrong_value(spec: &Spec, schema: &Value) -> Option<Value> {
    let s = resolve(&spec.doc, schema);
    match s.get("type").and_then(Value::as_str)? {
        "string" => Some(Value::from(12345)),
        "integer" | "number" | "boolean" | "array" | "object" => Some(Value::String("not-the-right-type".into())),
        _ => None,
    }
}

#[test]
fn every_body_rejects_a_wrong_typed_field_in_clerks_envelope() {
    let server = TestServer::start();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (file, spec) in specs() {
        let client = server.client().with_version(version_header(spec).as_deref());
        for op in &spec.operations {
            let Some(b) = &op.body else { continue };
            if !b.content_types.iter().any(|c| c == "application/json") {
                continue;
            }
            let synth = Synth::new(&spec.doc, 3);
            let is_array = resolve(&spec.doc, &b.schema).get("type").and_then(Value::as_str) == Some("array");
            let item_schema = if is_array { resolve(&spec.doc, &b.schema).get("items").cloned().unwrap_or(Value::Null) } else { b.schema.clone() };
            let flat = synth.flatten(&item_schema);
            let Some(props) = flat.get("properties").and_then(Value::as_object) else { continue };
            let Some((name, bad)) = props.iter().find_map(|(k, s)| wrong_value(&spec, s).map(|v| (k.clone(), v))) else { continue };
            let mut item = minimal_body(&spec, &item_schema);
            item[name.as_str()] = bad;
            let body = if is_array { Value::Array(vec![item]) } else { item };
            let url = format!("{}{}", concrete_path(&spec, op), required_query(&spec, op));
            let resp = client.send(&op.method, &url, Some(("application/json", serde_json::to_vec(&body).unwrap())), None);
            checked += 1;
            let ok = matches!(resp.status, 400 | 422) && resp.body["errors"][0]["code"].is_string() && resp.body["errors"][0]["long_message"].is_string();
            if !ok {
                failures.push(format!("{file} {} field {name}: {} {}", op.id, resp.status, resp.text.chars().take(300).collect::<String>()));
            }
        }
    }
    assert!(checked > 100, "only {checked} bodies checked");
    assert!(failures.is_empty(), "{} bodies accepted a wrong type:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_secured_operation_refuses_a_request_without_authorization() {
    let server = TestServer::start();
    let mut failures = Vec::new();
    for (file, spec) in specs() {
        let client = server.client().with_version(version_header(spec).as_deref()).without_key();
        for op in spec.operations.iter().filter(|o| o.secured) {
            let resp = send_minimal(&client, &spec, op);
            if resp.status != 401 || resp.code() != "authentication_invalid" {
                failures.push(format!("{file} {}: {} {}", op.id, resp.status, resp.text));
            }
        }
        let public: Vec<&Operation> = spec.operations.iter().filter(|o| !o.secured).collect();
        for op in public {
            let resp = send_minimal(&client, &spec, op);
            if resp.status == 401 {
                failures.push(format!("{file} {}: public operation refused", op.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
