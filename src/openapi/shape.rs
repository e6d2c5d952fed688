//! Response shapes: a response schema compiled once into a tree that writes a
//! stored object straight to JSON bytes in the picked version's shape.
//!
//! Conforming by walking the OpenAPI schema on every response (resolving
//! refs, merging `allOf`, building intermediate maps) dominated the cost of a
//! read. A [`Shape`] does that work once per schema: properties in schema
//! order with their keys pre-escaped, `oneOf` branches with their
//! discriminating enums, and the bytes to write for a property the stored
//! object lacks. Writing is then one map lookup per declared property.
//!
//! The rules: declared properties only; a missing one is null where nullable, synthesized
//! where required (and for optional arrays and objects), left out for an
//! optional scalar; internal `_` keys never leave; a present value of the
//! wrong type is written as it is, so `--validate-responses` reports it.
//!
//! ```
//! use serde_json::json;
//! use clerk_mock::openapi::shape::Shape;
//! let doc = json!({});
//! let schema = json!({"type": "object", "additionalProperties": false, "required": ["id", "n"],
//!     "properties": {"id": {"type": "string"}, "n": {"type": "integer"}, "note": {"type": "string", "nullable": true}}});
//! let shape = Shape::compile(&doc, &schema, 1);
//! let mut out = Vec::new();
//! shape.write(&json!({"id": "x", "_secret": 1, "extra": true}), &mut out);
//! assert_eq!(String::from_utf8(out).unwrap(), r#"{"id":"x","n":0,"note":null}"#);
//! ```

use std::collections::HashSet;

use serde_json::Value;

use super::{is_nullable, resolve, undeclared_required_value};
use super::synth::Synth;

const MAX_DEPTH: usize = 14;

/// A compiled response schema.
#[derive(Debug)]
pub enum Shape {
    /// Written as it is (scalars, free-form objects, untyped schemas).
    Any,
    Object(ObjectShape),
    Array(Box<Shape>),
    /// `oneOf` / `anyOf`: the branch the value belongs to.
    OneOf(Vec<Branch>),
}

#[derive(Debug)]
pub struct ObjectShape {
    props: Vec<Prop>,
    /// `additionalProperties` allows more: undeclared keys pass (not `_` ones).
    open: bool,
    /// Required keys the schema does not declare (STACK §4 quirks), with their fallback.
    undeclared_required: Vec<(String, Value)>,
}

#[derive(Debug)]
struct Prop {
    name: String,
    /// `"name":` with JSON escaping, written before the value.
    key: String,
    shape: Shape,
    nullable: bool,
    /// Bytes for a value that is missing (or null where null is not allowed).
    fill: Option<Vec<u8>>,
    /// Whether a missing value is written at all.
    write_when_missing: bool,
}

#[derive(Debug)]
pub struct Branch {
    shape: Shape,
    ty: Option<String>,
    /// Enum-constrained properties: a value with another value there is not this branch.
    enums: Vec<(String, Vec<Value>)>,
    declared: HashSet<String>,
}

impl Shape {
    /// Compiles an OpenAPI schema of `doc`; `seed` makes the fill values.
    pub fn compile(doc: &Value, schema: &Value, seed: u64) -> Shape {
        let synth = Synth::new(doc, seed);
        compile(doc, &synth, schema, "", 0)
    }

    /// Writes `value` in this shape.
    pub fn write(&self, value: &Value, out: &mut Vec<u8>) {
        match (self, value) {
            (Shape::Object(obj), Value::Object(map)) => obj.write(map, out),
            (Shape::Array(item), Value::Array(items)) => item.write_items(items.iter(), out),
            (Shape::OneOf(branches), v) if !v.is_null() => match best_branch(branches, v) {
                Some(b) => b.shape.write(v, out),
                None => write_raw(v, out),
            },
            (_, v) => write_raw(v, out),
        }
    }

    /// Writes a list of values as a JSON array of this (item) shape.
    pub fn write_items<'a>(&self, items: impl Iterator<Item = &'a Value>, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, v) in items.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.write(v, out);
        }
        out.push(b']');
    }

    /// The item shape of an array shape.
    pub fn items(&self) -> Option<&Shape> {
        match self {
            Shape::Array(item) => Some(item),
            _ => None,
        }
    }

    /// The name and item shape of the array property of a list wrapper
    /// (`{data: [...], total_count}`).
    pub fn wrapper_array(&self) -> Option<(&str, &Shape)> {
        let Shape::Object(obj) = self else { return None };
        obj.props.iter().find_map(|p| match &p.shape {
            Shape::Array(item) => Some((p.name.as_str(), item.as_ref())),
            _ => None,
        })
    }
}

impl ObjectShape {
    fn write(&self, map: &serde_json::Map<String, Value>, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first = true;
        let mut sep = |out: &mut Vec<u8>| {
            if !first {
                out.push(b',');
            }
            first = false;
        };
        // Stored objects keep their keys in roughly schema order: look each
        // property up by scanning on from where the last one was found, which
        // beats hashing every key (this loop is the hot path of every read).
        let entries: Vec<(&String, &Value)> = map.iter().collect();
        let mut cursor = 0;
        for p in &self.props {
            let found = (0..entries.len()).map(|step| (cursor + step) % entries.len()).find(|&i| *entries[i].0 == p.name).map(|i| {
                cursor = i + 1;
                entries[i].1
            });
            match found {
                Some(Value::Null) if !p.nullable && p.fill.is_some() => {
                    sep(out);
                    out.extend_from_slice(p.key.as_bytes());
                    out.extend_from_slice(p.fill.as_deref().unwrap_or(b"null"));
                }
                Some(v) => {
                    sep(out);
                    out.extend_from_slice(p.key.as_bytes());
                    p.shape.write(v, out);
                }
                None if p.write_when_missing => {
                    sep(out);
                    out.extend_from_slice(p.key.as_bytes());
                    out.extend_from_slice(p.fill.as_deref().unwrap_or(b"null"));
                }
                None => {}
            }
        }
        for (name, fallback) in &self.undeclared_required {
            sep(out);
            write_key(name, out);
            write_raw(map.get(name).unwrap_or(fallback), out);
        }
        if self.open {
            for (k, v) in map {
                if k.starts_with('_') || self.props.iter().any(|p| &p.name == k) || self.undeclared_required.iter().any(|(n, _)| n == k) {
                    continue;
                }
                sep(out);
                write_key(k, out);
                write_raw(v, out);
            }
        }
        out.push(b'}');
    }
}

fn write_key(name: &str, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, name);
    out.push(b':');
}

fn write_raw(v: &Value, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(out, v);
}

fn best_branch<'a>(branches: &'a [Branch], value: &Value) -> Option<&'a Branch> {
    let mut best: Option<(&Branch, i64)> = None;
    for b in branches {
        let score = match (b.ty.as_deref(), value) {
            (Some("null"), _) => continue,
            (Some("object"), Value::Object(map)) => {
                if b.enums.iter().any(|(k, options)| map.get(k).map(|v| !options.contains(v)).unwrap_or(false)) {
                    continue;
                }
                1 + map.keys().filter(|k| b.declared.contains(k.as_str())).count() as i64
            }
            (Some("string"), Value::String(_))
            | (Some("integer" | "number"), Value::Number(_))
            | (Some("boolean"), Value::Bool(_))
            | (Some("array"), Value::Array(_)) => 1,
            (None, _) => 0,
            _ => continue,
        };
        if best.map(|(_, s)| score > s).unwrap_or(true) {
            best = Some((b, score));
        }
    }
    best.map(|(b, _)| b)
}

fn declared_type(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str).or_else(|| schema.get("properties").map(|_| "object"))
}

fn compile(doc: &Value, synth: &Synth, schema: &Value, path: &str, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::Any;
    }
    let schema = resolve(doc, schema);
    if schema.get("allOf").is_some() {
        let flat = synth.flatten(schema);
        return compile(doc, synth, &flat, path, depth + 1);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = super::alternatives(schema, key) {
            let compiled = branches
                .iter()
                .map(|b| {
                    let flat = synth.flatten(b);
                    let props = flat.get("properties").and_then(Value::as_object);
                    let enums = props
                        .map(|p| {
                            p.iter()
                                .filter_map(|(k, s)| {
                                    resolve(doc, s).get("enum").and_then(Value::as_array).map(|e| (k.clone(), e.clone()))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    Branch {
                        shape: compile(doc, synth, b, path, depth + 1),
                        ty: declared_type(&flat).map(str::to_string),
                        enums,
                        declared: props.map(|p| p.keys().cloned().collect()).unwrap_or_default(),
                    }
                })
                .collect();
            return Shape::OneOf(compiled);
        }
    }
    match declared_type(schema) {
        Some("object") => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else { return Shape::Any };
            let required: Vec<&str> =
                schema.get("required").and_then(Value::as_array).map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let compiled = props
                .iter()
                .map(|(name, sub)| {
                    let nullable = is_nullable(doc, sub);
                    let resolved = resolve(doc, sub);
                    let scalar = matches!(resolved.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
                    let is_required = required.contains(&name.as_str());
                    let synthesized = synth.value(sub, &format!("{path}/{name}"));
                    let fill = if nullable { Some(b"null".to_vec()) } else { serde_json::to_vec(&synthesized).ok() };
                    let mut key = serde_json::to_string(name).unwrap_or_default();
                    key.push(':');
                    Prop {
                        name: name.clone(),
                        key,
                        shape: compile(doc, synth, sub, &format!("{path}/{name}"), depth + 1),
                        nullable,
                        fill,
                        write_when_missing: nullable || is_required || !scalar,
                    }
                })
                .collect();
            let undeclared_required = required
                .iter()
                .filter(|r| !props.contains_key(**r))
                .map(|r| (r.to_string(), undeclared_required_value(r)))
                .collect();
            let open = !matches!(schema.get("additionalProperties"), None | Some(Value::Bool(false)));
            Shape::Object(ObjectShape { props: compiled, open, undeclared_required })
        }
        Some("array") => Shape::Array(Box::new(compile(doc, synth, schema.get("items").unwrap_or(&Value::Null), path, depth + 1))),
        _ => Shape::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(shape: &Shape, v: &Value) -> Value {
        let mut out = Vec::new();
        shape.write(v, &mut out);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn a_shape_writes_what_conform_builds() {
        let doc = json!({"components": {"schemas": {"V": {"oneOf": [
            {"type": "object", "properties": {"strategy": {"type": "string", "enum": ["otp"]}, "a": {"type": "string"}}},
            {"type": "object", "properties": {"strategy": {"type": "string", "enum": ["admin"]}, "b": {"type": "string"}}}
        ]}}}});
        let schema = json!({"type": "object", "additionalProperties": false, "required": ["id", "v", "tags"], "properties": {
            "id": {"type": "string"}, "v": {"$ref": "#/components/schemas/V", "nullable": true},
            "tags": {"type": "array", "items": {"type": "string"}}, "meta": {"type": "object", "additionalProperties": true},
            "opt": {"type": "boolean"}}});
        let shape = Shape::compile(&doc, &schema, 1);
        let stored = json!({"id": "a", "v": {"strategy": "admin", "b": "x", "_hidden": 1}, "meta": {"k": [1]}, "extra": 1});
        // The oneOf branch of the value, free-form objects as they are, a
        // missing required array filled, the optional scalar left out.
        assert_eq!(render(&shape, &stored), json!({"id": "a", "v": {"strategy": "admin", "b": "x"}, "tags": [], "meta": {"k": [1]}}));
        assert_eq!(render(&shape, &json!({"id": "a", "v": null}))["v"], Value::Null);
    }

    #[test]
    fn a_missing_field_is_null_where_nullable_synthesized_where_required_and_absent_otherwise() {
        let doc = json!({});
        let schema = json!({"type": "object", "additionalProperties": false, "required": ["id", "old"], "properties": {
            "id": {"type": "string"}, "old": {"type": "boolean"}, "opt": {"type": "string", "nullable": true},
            "slug": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}});
        let out = render(&Shape::compile(&doc, &schema, 1), &json!({"id": "user_1", "newer_field": 1, "_password": "secret"}));
        assert_eq!(out, json!({"id": "user_1", "old": false, "opt": null, "tags": []}));
    }

    #[test]
    fn an_open_object_passes_undeclared_keys_but_never_internal_ones() {
        let doc = json!({});
        let schema = json!({"type": "object", "additionalProperties": true, "properties": {"id": {"type": "string"}}});
        let shape = Shape::compile(&doc, &schema, 1);
        assert_eq!(render(&shape, &json!({"id": "a", "x": 1, "_y": 2})), json!({"id": "a", "x": 1}));
    }

    #[test]
    fn a_wrong_type_is_written_as_it_is() {
        let doc = json!({});
        let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        assert_eq!(render(&Shape::compile(&doc, &schema, 1), &json!({"n": "big"})), json!({"n": "big"}));
    }
}
