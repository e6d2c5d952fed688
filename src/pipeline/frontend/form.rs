//! Frontend API request bodies as clerk-js sends them, decoded to a JSON
//! object and validated leniently.
//!
//! **Decoding** (`application/x-www-form-urlencoded`, also when no
//! `Content-Type` is sent): keys are kept as sent (clerk-js already writes
//! them in snake_case); a field the schema types as an array collects every
//! repeated key (and `key[]`), and a JSON array sent as one value is spread;
//! an object-typed field sent as JSON text (`unsafe_metadata={"plan":"pro"}`)
//! is parsed; booleans and numbers are typed by the schema; an **empty value
//! of a non-string field is left out**, because clerk-js sends `null` as an
//! empty string (`organization_id=` means "none"). An undeclared key that
//! repeats becomes an array. `application/json` bodies must be a JSON object.
//!
//! **The leniency rule**: Clerk refuses what its spec refuses, but clerk-js
//! sends more than the spec declares (`locale` on sign-in/up create, Protect
//! parameters on `/client/sign_ins*` and `/client/sign_ups*`). So the body is
//! validated *without its undeclared top-level fields*: a declared field of
//! the wrong type or a missing required one is a 422 in Clerk's envelope, an
//! unknown one is never an error. Handlers still see every field as sent.
//!
//! ```text
//! strategy=password&identifier=a@b.c&password=x&locale=en-US  → {"strategy","identifier","password","locale"}, valid
//! transfer=&legal_accepted=true                                → {"legal_accepted": true}
//! unsafe_metadata={"plan":"pro"}                               → {"unsafe_metadata": {"plan": "pro"}}
//! transfer=maybe                                               → 422 form_param_format_invalid (transfer)
//! ```

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::openapi::validate::{check, coerce_with_type, declared_type};
use crate::openapi::{resolve, Operation, Spec};

/// Reads the body of a Frontend API request and validates it leniently.
pub fn read_body(spec: &Spec, op: &Operation, content_type: Option<&str>, payload: &Bytes) -> Result<Value, ApiError> {
    let schema = op.body.as_ref().map(|b| &b.schema).unwrap_or(&Value::Null);
    let media = content_type.unwrap_or("").to_ascii_lowercase();
    let body = if payload.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else if media.starts_with("application/json") {
        match serde_json::from_slice::<Value>(payload) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return Err(ApiError::malformed("The request body must be a JSON object or a form.")),
            Err(e) => return Err(ApiError::malformed(format!("The request body is not valid JSON: {e}"))),
        }
    } else if media.starts_with("multipart/") || media.starts_with("application/octet-stream") {
        // Uploads (profile images): the spec layer reads them as it does for the Backend API.
        return match &op.body {
            Some(declared) => crate::openapi::body::read(&spec.doc, declared, content_type, payload).map(|(v, _)| v),
            None => Ok(Value::Object(Map::new())),
        };
    } else {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(payload).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        decode_form(&spec.doc, schema, &pairs)
    };
    if let Some(validator) = op.body.as_ref().and_then(|b| b.validator.as_ref()) {
        let problems = check(validator, &declared_only(&spec.doc, schema, &body));
        if !problems.is_empty() {
            return Err(ApiError::many(422, problems));
        }
    }
    Ok(body)
}

/// Form pairs → a JSON object, typed by the body schema (rules above).
pub fn decode_form(doc: &Value, schema: &Value, pairs: &[(String, String)]) -> Value {
    let props = properties(doc, schema);
    let mut out = Map::new();
    for (raw_key, value) in pairs {
        let key = raw_key.strip_suffix("[]").unwrap_or(raw_key);
        let prop = props.get(key).map(|s| resolve(doc, s));
        let ty = prop.and_then(|s| field_type(doc, s));
        if value.is_empty() && !matches!(ty, None | Some("string")) {
            continue;
        }
        match ty {
            Some("array") => {
                let item_ty = prop.and_then(|s| s.get("items")).and_then(|i| field_type(doc, resolve(doc, i)));
                let items = array_entry(&mut out, key);
                match serde_json::from_str::<Value>(value) {
                    Ok(Value::Array(spread)) if value.trim_start().starts_with('[') => items.extend(spread),
                    _ => items.push(coerce_with_type(value, item_ty)),
                }
            }
            Some("object") => {
                let parsed = serde_json::from_str::<Value>(value).unwrap_or_else(|_| Value::String(value.clone()));
                out.insert(key.to_string(), parsed);
            }
            Some(_) => {
                out.insert(key.to_string(), coerce_with_type(value, ty));
            }
            None if raw_key.ends_with("[]") || out.contains_key(key) => array_entry(&mut out, key).push(Value::String(value.clone())),
            None => {
                out.insert(key.to_string(), Value::String(value.clone()));
            }
        }
    }
    Value::Object(out)
}

/// The array stored under `key`, made one if a single value is there.
fn array_entry<'m>(out: &'m mut Map<String, Value>, key: &str) -> &'m mut Vec<Value> {
    let entry = out.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        let single = entry.take();
        *entry = Value::Array(vec![single]);
    }
    match entry {
        Value::Array(items) => items,
        _ => unreachable!("made an array above"),
    }
}

/// The type a field's value takes: its declared type, else `object` for a
/// schema with properties and `array` for one with items.
fn field_type<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a str> {
    declared_type(doc, schema).or_else(|| {
        if schema.get("properties").is_some() {
            Some("object")
        } else if schema.get("items").is_some() {
            Some("array")
        } else {
            None
        }
    })
}

/// The declared top-level properties of a body schema (`allOf` members
/// merged); empty when the schema declares none.
fn properties<'a>(doc: &'a Value, schema: &'a Value) -> Map<String, Value> {
    let schema = resolve(doc, schema);
    let mut out: Map<String, Value> = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        out.extend(properties(doc, member));
    }
    out
}

/// The body without the fields its schema does not declare (see the
/// leniency rule); a schema that declares no properties keeps everything.
fn declared_only(doc: &Value, schema: &Value, body: &Value) -> Value {
    let props = properties(doc, schema);
    match body {
        Value::Object(fields) if !props.is_empty() => {
            Value::Object(fields.iter().filter(|(k, _)| props.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "transfer": {"type": "boolean", "nullable": true},
            "limit": {"type": "integer"},
            "unsafe_metadata": {"type": "object"},
            "email_address": {"type": "array", "items": {"type": "string"}},
            "identifier": {"type": "string"}
        }})
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn form_values_are_typed_by_the_schema_and_empty_non_strings_are_left_out() {
        let got = decode_form(&Value::Null, &schema(), &pairs(&[("transfer", ""), ("limit", "5"), ("identifier", "")]));
        assert_eq!(got, json!({"limit": 5, "identifier": ""}));
    }

    #[test]
    fn json_in_form_and_repeated_keys_become_objects_and_arrays() {
        let got = decode_form(
            &Value::Null,
            &schema(),
            &pairs(&[("unsafe_metadata", r#"{"plan":"pro"}"#), ("email_address", "a@x.io"), ("email_address", "b@x.io"), ("tag", "1"), ("tag", "2")]),
        );
        assert_eq!(got, json!({"unsafe_metadata": {"plan": "pro"}, "email_address": ["a@x.io", "b@x.io"], "tag": ["1", "2"]}));
    }

    #[test]
    fn a_json_array_sent_as_one_value_is_spread() {
        let got = decode_form(&Value::Null, &schema(), &pairs(&[("email_address", r#"["a@x.io","b@x.io"]"#)]));
        assert_eq!(got, json!({"email_address": ["a@x.io", "b@x.io"]}));
    }

    #[test]
    fn undeclared_fields_are_not_validated() {
        let body = json!({"identifier": "a", "locale": "en-US"});
        assert_eq!(declared_only(&Value::Null, &schema(), &body), json!({"identifier": "a"}));
    }
}
