//! The Frontend API sweep, like the Backend one (spec_sweep.rs): every
//! operation of both official FAPI documents, called the way clerk-js calls
//! (`POST` + `?_method=` for other verbs, a form body of the required fields,
//! `__clerk_api_version` naming the document), answers a status its
//! operation declares (or 404 for a made-up id a stateful handler does not
//! know), never a 5xx, with a body the spec allows (the server
//! runs with `--validate-responses`, so an invalid body would be a 500).

mod common;

use clerk_mock::openapi::{Operation, Spec};
use common::sweep::{minimal_body, required_query, scalar, template_path};
use common::{Client, Resp, TestServer};
use serde_json::Value;

/// Both Frontend API documents beside the checkout (`fapi/`).
fn specs() -> &'static [std::sync::Arc<Spec>] {
    let all = common::official_frontend_specs();
    assert_eq!(all.len(), 2, "expected the 2025-11-10 and 2026-05-12 FAPI documents in {}/fapi", common::spec_dir().display());
    all
}

/// A JSON object as clerk-js encodes it: scalars as text, arrays as
/// repeated keys, objects as JSON text, nulls left out.
fn form_of(body: &Value) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in body.as_object().into_iter().flatten() {
        match v {
            Value::Null => {}
            Value::Array(items) => items.iter().for_each(|i| {
                form.append_pair(k, &if i.is_object() { i.to_string() } else { scalar(i) });
            }),
            Value::Object(_) => {
                form.append_pair(k, &v.to_string());
            }
            other => {
                form.append_pair(k, &scalar(other));
            }
        }
    }
    form.finish()
}

/// Sends the minimal request of an operation as clerk-js would.
fn send_minimal(fapi: &Client, spec: &Spec, op: &Operation) -> Resp {
    let query = required_query(spec, op);
    let mut url = format!("{}{}{}__clerk_api_version={}&_clerk_js_version=6.40.0", template_path(spec, op), query, if query.is_empty() { "?" } else { "&" }, spec.version);
    let wire_method = if op.method == "GET" { "GET" } else { "POST" };
    if !matches!(op.method.as_str(), "GET" | "POST") {
        url.push_str(&format!("&_method={}", op.method));
    }
    let origin = [("Origin", "http://localhost:3000")];
    match &op.body {
        Some(b) if b.content_types.iter().any(|c| c == "application/x-www-form-urlencoded") => {
            let form = form_of(&minimal_body(spec, &b.schema));
            fapi.send(wire_method, &url, Some(("application/x-www-form-urlencoded", form.into_bytes())), Some(&origin))
        }
        Some(b) if b.content_types.iter().any(|c| c == "application/json") => {
            let body = serde_json::to_vec(&minimal_body(spec, &b.schema)).unwrap();
            fapi.send(wire_method, &url, Some(("application/json", body)), Some(&origin))
        }
        Some(b) if b.content_types.iter().any(|c| c.starts_with("multipart/")) => {
            let boundary = "clerkmockfapisweep";
            let part = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--{boundary}--\r\n");
            fapi.send(wire_method, &url, Some((&format!("multipart/form-data; boundary={boundary}"), part.into_bytes())), Some(&origin))
        }
        Some(_) => fapi.send(wire_method, &url, Some(("application/octet-stream", b"PNG".to_vec())), Some(&origin)),
        None => fapi.send(wire_method, &url, Some(("application/x-www-form-urlencoded", Vec::new())), Some(&origin)),
    }
}

#[test]
fn every_frontend_operation_answers_a_declared_status_with_a_valid_body_and_no_5xx() {
    let server = TestServer::start();
    let fapi = server.frontend();
    let mut failures = Vec::new();
    let (mut answered, mut succeeded) = (0, 0);
    for spec in specs() {
        for op in &spec.operations {
            let resp = send_minimal(&fapi, spec, op);
            answered += 1;
            // Stateful operations answer a minimal request about objects that
            // do not exist with their declared 4xx (tests/frontend_flows.rs runs
            // them on real state); the success ratio is about the synthesized rest.
            let stateful = clerk_mock::resources::frontend::handlers().iter().any(|(id, _)| *id == op.id);
            if resp.status < 400 || stateful {
                succeeded += 1;
            }
            // As in the Backend sweep, a made-up id that a stateful handler does not know is a 404.
            let unknown_id = resp.status == 404 && resp.code() == "resource_not_found";
            if unknown_id {
                succeeded += 1;
            }
            let declared = op.response_for(resp.status).is_some() || unknown_id;
            if resp.status >= 500 || !declared {
                failures.push(format!("{} {} {} ({}): {} {}", spec.version, op.method, op.path, op.id, resp.status, resp.text.chars().take(400).collect::<String>()));
            } else if resp.status >= 400 && !resp.body["errors"][0]["code"].is_string() {
                failures.push(format!("{} {}: an error without Clerk's envelope: {}", spec.version, op.id, resp.text));
            }
        }
    }
    assert!(answered > 350, "only {answered} operations in both documents");
    assert!(failures.is_empty(), "{} of {answered} operations failed:\n{}", failures.len(), failures.join("\n"));
    // Stateful handlers refuse a signed-out client (401) or a made-up flow; the rest succeed.
    assert!(succeeded * 10 > answered * 8, "only {succeeded} of {answered} minimal requests succeeded or met an unknown id");
}
