//! OpenAPI 3.0 schema objects → JSON Schema 2020-12, for the `jsonschema` crate.
//!
//! OpenAPI 3.0 is *almost* JSON Schema; the differences matter on Clerk's
//! specs (STACK §4): `nullable`, boolean `exclusiveMinimum`, `$ref` siblings,
//! open enums. Without conversion 160 of 233 valid responses are rejected.
//!
//! ```
//! use serde_json::json;
//! use clerk_mock::openapi::schema::convert;
//! let s = convert(&json!({"type": "string", "nullable": true}), "urn:x#/$defs/");
//! assert_eq!(s, json!({"type": ["string", "null"]}));
//! ```

use serde_json::{json, Map, Value};

/// Keywords OpenAPI has and JSON Schema validation does not need.
const DROPPED_KEYWORDS: &[&str] = &[
    "discriminator",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "nullable",
];

/// Converts one OpenAPI schema; `#/components/schemas/X` refs become
/// `<ref_prefix>X` (JSON-pointer escaped).
pub fn convert(schema: &Value, ref_prefix: &str) -> Value {
    match schema {
        Value::Object(map) => convert_object(map, ref_prefix),
        Value::Array(items) => Value::Array(items.iter().map(|v| convert(v, ref_prefix)).collect()),
        other => other.clone(),
    }
}

fn convert_object(map: &Map<String, Value>, ref_prefix: &str) -> Value {
    let nullable = map.get("nullable").and_then(Value::as_bool).unwrap_or(false);

    // Rule 1: a $ref drops its siblings, except nullable.
    if let Some(Value::String(reference)) = map.get("$ref") {
        let target = Value::Object(Map::from_iter([(
            "$ref".to_string(),
            Value::String(rewrite_ref(reference, ref_prefix)),
        )]));
        return if nullable { json!({"anyOf": [target, {"type": "null"}]}) } else { target };
    }

    let open_enum = map.get("x-speakeasy-unknown-values").and_then(Value::as_str) == Some("allow");
    let mut out = Map::new();
    for (key, value) in map {
        if DROPPED_KEYWORDS.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        match key.as_str() {
            "enum" if open_enum => continue,
            // Rule 5: boolean exclusive bounds become numeric ones.
            "exclusiveMinimum" | "exclusiveMaximum" => {
                if value.as_bool() == Some(true) {
                    let bound = if key == "exclusiveMinimum" { "minimum" } else { "maximum" };
                    if let Some(limit) = map.get(bound) {
                        out.insert(key.clone(), limit.clone());
                    }
                } else if value.is_number() {
                    out.insert(key.clone(), value.clone());
                }
            }
            "properties" | "patternProperties" | "$defs" | "definitions" => {
                let converted = value
                    .as_object()
                    .map(|props| {
                        props
                            .iter()
                            .map(|(name, sub)| (name.clone(), convert(sub, ref_prefix)))
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(converted));
            }
            "items" | "additionalProperties" | "not" | "allOf" | "oneOf" | "anyOf" => {
                out.insert(key.clone(), convert(value, ref_prefix));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    // The numeric bound replaced the inclusive one.
    for (exclusive, inclusive) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if map.get(exclusive).and_then(Value::as_bool) == Some(true) {
            out.remove(inclusive);
        }
    }

    bound_integers(map, &mut out);

    if !nullable {
        return Value::Object(out);
    }
    let composed = ["allOf", "oneOf", "anyOf"].iter().any(|k| out.contains_key(*k));
    match out.get("type").cloned() {
        // Rule 2: a composition must be wrapped, `type: [T, null]` is not enough.
        _ if composed => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
        // Rule 3: add null to the type and to a closed enum.
        Some(Value::String(t)) => {
            out.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(options)) = out.get_mut("enum") {
                if !options.contains(&Value::Null) {
                    options.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        // Rule 4: no type and no composition already admits null.
        _ => Value::Object(out),
    }
}

/// Rule 6: `format: int32` / `int64` are annotations in JSON Schema, so
/// their ranges become `minimum` / `maximum` (the tighter bound wins). An
/// integer without a format is an int64: Clerk's API has no wider integer,
/// and a wider one could not be stored exactly anyway.
///
/// `{type: integer, format: int32}` → `{…, minimum: -2147483648, maximum: 2147483647}`.
fn bound_integers(map: &Map<String, Value>, out: &mut Map<String, Value>) {
    let is_integer = match map.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(types)) => types.iter().any(|t| t == "integer") && !types.iter().any(|t| t == "number"),
        _ => false,
    };
    if !is_integer {
        return;
    }
    let (low, high) = match map.get("format").and_then(Value::as_str) {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let declared = |key: &str| out.get(key).and_then(Value::as_f64);
    let (min_kept, max_kept) = (
        declared("minimum").or(declared("exclusiveMinimum")).is_some_and(|b| b >= low as f64),
        declared("maximum").or(declared("exclusiveMaximum")).is_some_and(|b| b <= high as f64),
    );
    if !min_kept {
        out.insert("minimum".into(), Value::from(low));
    }
    if !max_kept {
        out.insert("maximum".into(), Value::from(high));
    }
}

/// `#/components/schemas/User` → `<prefix>User`, escaping `~` and `/`.
fn rewrite_ref(reference: &str, ref_prefix: &str) -> String {
    match reference.strip_prefix("#/components/schemas/") {
        Some(name) => {
            let unescaped = name.replace("~1", "/").replace("~0", "~");
            format!("{ref_prefix}{}", unescaped.replace('~', "~0").replace('/', "~1"))
        }
        None => reference.to_string(),
    }
}

/// The registry document for one spec: every component schema, converted,
/// under `$defs`, addressed as `<base_uri>#/$defs/<Name>`.
pub fn components_document(spec: &Value, base_uri: &str) -> Value {
    let prefix = format!("{base_uri}#/$defs/");
    let defs: Map<String, Value> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas.iter().map(|(name, s)| (name.clone(), convert(s, &prefix))).collect()
        })
        .unwrap_or_default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base_uri,
        "$defs": defs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "urn:t#/$defs/";

    #[test]
    fn a_nullable_ref_keeps_null_and_drops_other_siblings() {
        let s = convert(
            &json!({"$ref": "#/components/schemas/User", "nullable": true, "description": "x"}),
            P,
        );
        assert_eq!(s, json!({"anyOf": [{"$ref": "urn:t#/$defs/User"}, {"type": "null"}]}));
    }

    #[test]
    fn a_plain_ref_loses_its_siblings() {
        let s = convert(&json!({"$ref": "#/components/schemas/A", "description": "d"}), P);
        assert_eq!(s, json!({"$ref": "urn:t#/$defs/A"}));
    }

    #[test]
    fn a_nullable_composition_is_wrapped_in_any_of() {
        let s = convert(
            &json!({"type": "object", "nullable": true, "oneOf": [{"$ref": "#/components/schemas/B"}]}),
            P,
        );
        assert_eq!(s["anyOf"][1], json!({"type": "null"}));
        assert_eq!(s["anyOf"][0]["oneOf"][0]["$ref"], "urn:t#/$defs/B");
        let validator = jsonschema::validator_for(&json!({"anyOf": [{"type": "object", "oneOf": [{"type": "object"}]}, {"type": "null"}]})).unwrap();
        assert!(validator.is_valid(&Value::Null));
    }

    #[test]
    fn a_nullable_enum_admits_null() {
        let s = convert(&json!({"type": "string", "enum": ["a"], "nullable": true}), P);
        assert_eq!(s, json!({"type": ["string", "null"], "enum": ["a", null]}));
    }

    #[test]
    fn an_untyped_nullable_is_dropped() {
        assert_eq!(convert(&json!({"nullable": true}), P), json!({}));
    }

    #[test]
    fn boolean_exclusive_minimum_becomes_numeric() {
        let s = convert(&json!({"type": "number", "minimum": 0, "exclusiveMinimum": true}), P);
        assert_eq!(s, json!({"type": "number", "exclusiveMinimum": 0}));
        let s = convert(&json!({"type": "number", "minimum": 0, "exclusiveMinimum": false}), P);
        assert_eq!(s, json!({"type": "number", "minimum": 0}));
        let s = convert(&json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}), P);
        assert_eq!((s.get("minimum"), &s["exclusiveMinimum"]), (None, &json!(0)), "the exclusive bound is the tighter one");
    }

    #[test]
    fn an_open_enum_is_dropped_and_vendor_keywords_go() {
        let s = convert(
            &json!({"type": "string", "enum": ["a"], "x-speakeasy-unknown-values": "allow", "example": "a"}),
            P,
        );
        assert_eq!(s, json!({"type": "string"}));
    }

    #[test]
    fn nested_properties_items_and_additional_properties_are_converted() {
        let s = convert(
            &json!({"type": "object", "additionalProperties": false, "properties": {
                "a": {"type": "array", "items": {"$ref": "#/components/schemas/X"}},
                "m": {"type": "object", "additionalProperties": {"type": "string", "nullable": true}},
                "c": {"allOf": [{"$ref": "#/components/schemas/Y"}]}
            }}),
            P,
        );
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["properties"]["a"]["items"]["$ref"], "urn:t#/$defs/X");
        assert_eq!(s["properties"]["m"]["additionalProperties"]["type"], json!(["string", "null"]));
        assert_eq!(s["properties"]["c"]["allOf"][0]["$ref"], "urn:t#/$defs/Y");
    }

    #[test]
    fn integer_formats_become_numeric_bounds_and_the_tighter_bound_wins() {
        let s = convert(&json!({"type": "integer", "format": "int32"}), P);
        assert_eq!((s["minimum"].clone(), s["maximum"].clone()), (json!(-2147483648i64), json!(2147483647)));
        let s = convert(&json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 365}), P);
        assert_eq!((s["minimum"].clone(), s["maximum"].clone()), (json!(1), json!(365)));
        let s = convert(&json!({"type": "integer"}), P);
        assert_eq!((s["minimum"].clone(), s["maximum"].clone()), (json!(i64::MIN), json!(i64::MAX)));
        assert!(convert(&json!({"type": "number", "format": "double"}), P).get("maximum").is_none());
    }

    #[test]
    fn an_int64_bound_is_exact_at_two_to_the_63() {
        let validator = jsonschema::validator_for(&convert(&json!({"type": "integer", "format": "int64"}), P)).unwrap();
        assert!(validator.is_valid(&json!(i64::MAX)) && validator.is_valid(&json!(i64::MIN)));
        assert!(!validator.is_valid(&json!(9223372036854775808u64)));
        assert!(!validator.is_valid(&serde_json::from_str::<Value>("18446744073709551616").unwrap()));
        let int32 = jsonschema::validator_for(&convert(&json!({"type": "integer", "format": "int32"}), P)).unwrap();
        assert!(int32.is_valid(&json!(2147483647)) && !int32.is_valid(&json!(2147483648u64)) && !int32.is_valid(&json!(-2147483649i64)));
    }

    #[test]
    fn a_property_named_like_a_keyword_is_kept() {
        let s = convert(&json!({"type": "object", "properties": {"example": {"type": "string"}}}), P);
        assert_eq!(s["properties"]["example"], json!({"type": "string"}));
    }
}
