//! Clerk's webhook event catalogue, loaded from its own OpenAPI document
//! (`webhooks/webhooks-2025-04-15.json` beside the BAPI specs; never
//! committed). Each entry of `x-webhooks` is an event type whose
//! `requestBody` schema is the whole payload (`allOf: [WebhookEventPayload,
//! {properties: {data: …}}]`): the catalogue keeps, per type, a validator of
//! the payload and a compiled [`Shape`] of its `data`, so events are rendered
//! in the catalogue's shapes (its `Session` has no `tasks`, whatever BAPI's
//! has) and checked against them.
//!
//! **The closed-branch rule.** The catalogue contradicts itself in places:
//! `SessionEventPayload` is `allOf: [Session, {properties: {user}}]` where
//! `Session` says `additionalProperties: false`, so no value could ever have
//! both. Read literally, no session event validates. The rule applied at
//! load: an `allOf` with a closed member is read as one closed object that
//! accepts the properties every member declares (and requires what every
//! member requires); a property declared by several members must satisfy
//! all of them. Validation and rendering both use the rewritten document.
//!
//! ```
//! use clerk_mock::webhooks::catalogue::close_all_of;
//! use serde_json::json;
//! let mut doc = json!({"components": {"schemas": {
//!     "S": {"type": "object", "additionalProperties": false, "properties": {"id": {"type": "string"}}, "required": ["id"]},
//!     "P": {"allOf": [{"$ref": "#/components/schemas/S"}, {"properties": {"user": {"type": "object"}}, "required": ["user"]}]}}}});
//! close_all_of(&mut doc);
//! let p = &doc["components"]["schemas"]["P"];
//! assert_eq!(p["additionalProperties"], json!(false));
//! assert_eq!(p["required"], json!(["id", "user"]));
//! assert!(p["properties"]["user"].is_object());
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::openapi::shape::Shape;
use crate::openapi::validate::{Compiler, SharedValidator};
use crate::openapi::resolve;

/// One event type of the catalogue.
pub struct EventType {
    pub name: String,
    /// The OpenAPI schema of the whole payload (rewritten by the rule above).
    pub payload_schema: Value,
    pub validator: SharedValidator,
    /// How `data` is written.
    pub data_shape: Shape,
}

/// Every event type, by name (`user.created`, …).
pub struct Catalogue {
    pub source: PathBuf,
    pub types: BTreeMap<String, Arc<EventType>>,
    /// The rewritten document (schemas are read from here).
    pub doc: Value,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").field("source", &self.source).field("types", &self.types.len()).finish()
    }
}

impl Catalogue {
    /// Reads and compiles a webhooks document (JSON or YAML).
    pub fn load(path: &Path, seed: u64) -> Result<Catalogue, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the webhooks spec {}: {e}", path.display()))?;
        let doc = crate::openapi::load::parse_document(path, &text).map_err(|e| e.0)?;
        Self::from_document(path, doc, seed)
    }

    pub fn from_document(path: &Path, mut doc: Value, seed: u64) -> Result<Catalogue, String> {
        let Some(hooks) = doc.get("x-webhooks").and_then(Value::as_object).cloned() else {
            return Err(format!("{} has no `x-webhooks` object: not Clerk's webhooks spec", path.display()));
        };
        close_all_of(&mut doc);
        let compiler = Compiler::new(&doc, "urn:clerk-mock:webhooks").map_err(|e| format!("{}: {e}", path.display()))?;
        let mut types = BTreeMap::new();
        for (name, item) in &hooks {
            let Some(schema) = item.pointer("/post/requestBody/content/application~1json/schema") else { continue };
            let mut schema = schema.clone();
            close_all_of_value(&doc, &mut schema);
            let validator = compiler.compile(&schema).map_err(|e| format!("{}: event {name}: {e}", path.display()))?;
            let data_schema = data_schema(&doc, &schema).unwrap_or(json!({}));
            let data_shape = Shape::compile(&doc, &data_schema, seed);
            types.insert(name.clone(), Arc::new(EventType { name: name.clone(), payload_schema: schema, validator, data_shape }));
        }
        if types.is_empty() {
            return Err(format!("{}: `x-webhooks` declares no event with a JSON payload", path.display()));
        }
        Ok(Catalogue { source: path.to_path_buf(), types, doc })
    }

    pub fn get(&self, name: &str) -> Option<&Arc<EventType>> {
        self.types.get(name)
    }

    /// The webhooks document to load: `--webhooks-spec`, else the first
    /// `*.json|yml|yaml` in `<spec-dir>/webhooks/`.
    pub fn discover(explicit: Option<&Path>, spec_dir: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        let dir = spec_dir?.join("webhooks");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yml" | "yaml")))
            .collect();
        files.sort();
        files.pop()
    }
}

impl EventType {
    /// Every problem of a payload against this type's schema (empty: valid).
    pub fn problems(&self, payload: &Value) -> Vec<String> {
        self.validator.iter_errors(payload).map(|e| format!("{} at {}", e, e.instance_path())).collect()
    }
}

/// The schema of `data` inside a payload schema (through `allOf` members).
fn data_schema(doc: &Value, schema: &Value) -> Option<Value> {
    let schema = resolve(doc, schema);
    if let Some(d) = schema.pointer("/properties/data") {
        return Some(d.clone());
    }
    schema.get("allOf")?.as_array()?.iter().find_map(|m| data_schema(doc, m))
}

/// Applies the closed-branch rule (module doc) to every component schema.
pub fn close_all_of(doc: &mut Value) {
    let names: Vec<String> =
        doc.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    // Rewrite against a snapshot so refs resolve to the original members.
    for name in names {
        let snapshot = doc.clone();
        let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) else { continue };
        close_all_of_value(&snapshot, schema);
    }
}

/// Applies the rule to one schema and everything nested in it.
pub fn close_all_of_value(doc: &Value, schema: &mut Value) {
    close_rec(doc, schema, 0);
}

fn close_rec(doc: &Value, schema: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    if let Some(merged) = merge_if_closed(doc, schema) {
        *schema = merged;
    }
    match schema {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "properties" {
                    if let Value::Object(props) = v {
                        for p in props.values_mut() {
                            close_rec(doc, p, depth + 1);
                        }
                    }
                } else if matches!(k.as_str(), "items" | "additionalProperties") {
                    close_rec(doc, v, depth + 1);
                } else if matches!(k.as_str(), "allOf" | "oneOf" | "anyOf") {
                    if let Value::Array(members) = v {
                        for m in members {
                            close_rec(doc, m, depth + 1);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// The flattened closed object of an `allOf` with a closed member, if it has one.
fn merge_if_closed(doc: &Value, schema: &Value) -> Option<Value> {
    let members = schema.get("allOf")?.as_array()?;
    let flat: Vec<Value> = members.iter().map(|m| flatten(doc, m, 0)).collect();
    if !flat.iter().any(|m| m.get("additionalProperties") == Some(&Value::Bool(false))) {
        return None;
    }
    let mut out: Map<String, Value> = schema.as_object().cloned().unwrap_or_default();
    out.remove("allOf");
    let mut props: Map<String, Value> = out.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut required: Vec<Value> = out.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    for m in &flat {
        for (k, v) in m.get("properties").and_then(Value::as_object).into_iter().flatten() {
            match props.get(k) {
                // Declared twice: the value must satisfy both.
                Some(existing) if existing != v => {
                    let both = json!({"allOf": [existing.clone(), v.clone()]});
                    props.insert(k.clone(), both);
                }
                _ => {
                    props.insert(k.clone(), v.clone());
                }
            }
        }
        for r in m.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
    }
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(props));
    out.insert("required".into(), Value::Array(required));
    out.insert("additionalProperties".into(), Value::Bool(false));
    Some(Value::Object(out))
}

/// A member with refs resolved and its own `allOf` merged (open unless a
/// part of it is closed).
fn flatten(doc: &Value, schema: &Value, depth: usize) -> Value {
    let resolved = resolve(doc, schema).clone();
    if depth > 8 {
        return resolved;
    }
    if resolved.get("allOf").is_some() {
        if let Some(merged) = merge_if_closed(doc, &resolved) {
            return merged;
        }
        let mut out = resolved.as_object().cloned().unwrap_or_default();
        let members = out.remove("allOf").and_then(|m| m.as_array().cloned()).unwrap_or_default();
        let mut props = out.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut required = out.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
        for m in members {
            let f = flatten(doc, &m, depth + 1);
            for (k, v) in f.get("properties").and_then(Value::as_object).into_iter().flatten() {
                props.insert(k.clone(), v.clone());
            }
            required.extend(f.get("required").and_then(Value::as_array).into_iter().flatten().cloned());
        }
        out.insert("properties".into(), Value::Object(props));
        out.insert("required".into(), Value::Array(required));
        return Value::Object(out);
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allof_without_a_closed_member_is_left_alone() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"id": {"type": "string"}}},
            "P": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"x": {}}}]}}}});
        let before = doc.clone();
        close_all_of(&mut doc);
        assert_eq!(doc, before);
    }

    #[test]
    fn a_property_declared_by_two_members_must_satisfy_both() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"type": "object", "additionalProperties": false, "properties": {"data": {"type": "object"}}},
            "P": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"data": {"properties": {"n": {"type": "integer"}}}}}]}}}});
        close_all_of(&mut doc);
        assert_eq!(doc["components"]["schemas"]["P"]["properties"]["data"]["allOf"].as_array().map(Vec::len), Some(2));
    }
}
