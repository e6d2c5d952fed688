//! What the spec sweeps share: a concrete request for any operation, built
//! from its schemas (path parameters, required query parameters, a body of
//! only the required properties).
#![allow(dead_code)]

use clerk_mock::openapi::synth::Synth;
use clerk_mock::openapi::{resolve, Operation, ParamIn, Spec};
use serde_json::{Map, Value};

/// An operation's path template with every parameter filled from its schema.
pub fn template_path(spec: &Spec, op: &Operation) -> String {
    let synth = Synth::new(&spec.doc, 3);
    let mut path = op.path.clone();
    for p in op.params.iter().filter(|p| p.location == ParamIn::Path) {
        let v = synth.value(&p.schema, &p.name);
        let text = match v {
            Value::String(s) if !s.is_empty() => s,
            Value::String(_) => "x".into(),
            other => other.to_string(),
        };
        path = path.replace(&format!("{{{}}}", p.name), &text.replace('/', "%2F"));
    }
    path
}

/// The required query parameters, filled from their schemas.
pub fn required_query(spec: &Spec, op: &Operation) -> String {
    let synth = Synth::new(&spec.doc, 3);
    let mut pairs = Vec::new();
    for p in op.params.iter().filter(|p| p.location == ParamIn::Query && p.required) {
        match synth.value(&p.schema, &p.name) {
            Value::Array(items) if items.is_empty() => pairs.push((p.name.clone(), "x".to_string())),
            Value::Array(items) => items.iter().for_each(|i| pairs.push((p.name.clone(), scalar(i)))),
            other => pairs.push((p.name.clone(), scalar(&other))),
        }
    }
    if pairs.is_empty() {
        return String::new();
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(&k, &v);
    }
    format!("?{}", s.finish())
}

pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A body with only the required properties (one item for array bodies).
pub fn minimal_body(spec: &Spec, schema: &Value) -> Value {
    let synth = Synth::new(&spec.doc, 3);
    let flat = synth.flatten(schema);
    let full = synth.value(schema, "body");
    if resolve(&spec.doc, schema).get("type").and_then(Value::as_str) == Some("array") {
        let items = resolve(&spec.doc, schema).get("items").cloned().unwrap_or(Value::Null);
        return Value::Array(vec![minimal_body(spec, &items)]);
    }
    let Value::Object(full) = full else { return full };
    let required: Vec<&str> = flat.get("required").and_then(Value::as_array).map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    Value::Object(full.into_iter().filter(|(k, _)| required.contains(&k.as_str())).collect::<Map<_, _>>())
}

