//! Request validation against one spec: parameters are coerced from strings
//! to their declared types, bodies parsed by content type, then everything is
//! checked with validators compiled once (request validators at load,
//! response validators on first use: [`super::ResponseSpec`]). Every violation
//! is reported, each as a Clerk error item with `meta.param_name`.
//!
//! ```
//! use serde_json::json;
//! use clerk_mock::openapi::validate::coerce_scalar;
//! assert_eq!(coerce_scalar("10", &json!({"type": "integer"})), json!(10));
//! assert_eq!(coerce_scalar("true", &json!({"type": "boolean"})), json!(true));
//! assert_eq!(coerce_scalar("x", &json!({"type": "integer"})), json!("x"));
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Registry, ValidationError, Validator};
use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use super::{resolve, schema, Operation, Param, ParamIn};
use crate::error::{code, ApiError, ErrorItem};

pub type SharedValidator = Arc<Validator>;

/// Compiles OpenAPI schemas of one spec against one registry holding every
/// converted component, sharing validators between identical schemas
/// (`$ref: User` is the answer of a dozen operations).
pub struct Compiler {
    registry: Registry<'static>,
    prefix: String,
    cache: Mutex<HashMap<String, SharedValidator>>,
}

impl std::fmt::Debug for Compiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiler").field("prefix", &self.prefix).finish()
    }
}

impl Compiler {
    pub fn new(doc: &Value, base_uri: &str) -> Result<Compiler, String> {
        let components = schema::components_document(doc, base_uri);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(base_uri, components)
            .and_then(|b| b.prepare())
            .map_err(|e| e.to_string())?;
        Ok(Compiler { registry, prefix: format!("{base_uri}#/$defs/"), cache: Mutex::new(HashMap::new()) })
    }

    /// Compiles (or reuses) the validator of an OpenAPI schema.
    pub fn compile(&self, oas_schema: &Value) -> Result<SharedValidator, String> {
        let converted = schema::convert(oas_schema, &self.prefix);
        let key = converted.to_string();
        if let Some(v) = self.cache.lock().get(&key) {
            return Ok(v.clone());
        }
        // Formats are assertions, as Clerk checks them: `email`, `uri`,
        // `date-time`, `date`; OpenAPI's `int64`, `binary`, … are unknown to
        // the validator and ignored.
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&self.registry)
            .build(&converted)
            .map_err(|e| format!("schema does not compile: {e}"))?;
        let shared = Arc::new(validator);
        self.cache.lock().insert(key, shared.clone());
        Ok(shared)
    }

    /// One object validator for all parameters of a location.
    pub fn params_validator(&self, params: &[Param], location: ParamIn) -> Result<Option<SharedValidator>, String> {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for p in params.iter().filter(|p| p.location == location) {
            properties.insert(p.name.clone(), p.schema.clone());
            if p.required {
                required.push(Value::String(p.name.clone()));
            }
        }
        if properties.is_empty() {
            return Ok(None);
        }
        self.compile(&json!({"type": "object", "properties": properties, "required": required})).map(Some)
    }

    pub fn compiled_count(&self) -> usize {
        self.cache.lock().len()
    }
}

/// A file part of a multipart body.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

/// The primitive type an OpenAPI schema declares (`nullable` aside).
pub fn declared_type<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a str> {
    let schema = resolve(doc, schema);
    schema.get("type").and_then(Value::as_str).or_else(|| {
        ["allOf", "oneOf", "anyOf"].iter().find_map(|k| {
            schema.get(*k)?.as_array()?.iter().find_map(|s| declared_type(doc, s))
        })
    })
}

/// A string from a query or form field, read as the declared scalar type.
/// What cannot be read stays a string, so the validator reports it (an
/// integer must fit an `i64`).
pub fn coerce_scalar(raw: &str, schema: &Value) -> Value {
    coerce_with_type(raw, schema.get("type").and_then(Value::as_str))
}

/// Like [`coerce_scalar`], given the type name itself (`"boolean"`: `"true"`
/// → `true`; `"object"`: JSON text parsed): `coerce_with_type("5", Some("integer")) == 5`.
pub fn coerce_with_type(raw: &str, ty: Option<&str>) -> Value {
    match ty {
        Some("integer") => raw.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(raw.into())),
        // Only a JSON number that a double holds exactly: `1e999`, `NaN`, `+1`
        // or 30 significant digits stay strings, so the validator refuses them.
        Some("number") => Some(raw)
            .filter(|r| super::numbers::is_exact(r))
            .and_then(|r| r.parse::<f64>().ok())
            .and_then(|f| {
                if f.fract() == 0.0 && f.abs() < 9e15 { Some(Value::from(f as i64)) } else { serde_json::Number::from_f64(f).map(Value::Number) }
            })
            .unwrap_or_else(|| Value::String(raw.into())),
        Some("boolean") => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(raw.into()),
        },
        Some("object") => serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.into())),
        _ => Value::String(raw.into()),
    }
}

/// Declared query parameters, typed: repeated keys and `key[]` make arrays,
/// `explode: false` arrays are split on commas; undeclared ones are left out
/// (Clerk ignores them).
pub fn typed_query(doc: &Value, op: &Operation, pairs: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    for p in op.params.iter().filter(|p| p.location == ParamIn::Query) {
        let bracketed = format!("{}[]", p.name);
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == p.name || *k == bracketed)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            continue;
        }
        let schema = resolve(doc, &p.schema);
        if declared_type(doc, schema) == Some("array") {
            let item_schema = schema.get("items").map(|i| resolve(doc, i)).unwrap_or(&Value::Null);
            let item_type = declared_type(doc, item_schema);
            let items: Vec<Value> = values
                .iter()
                .flat_map(|v| if p.explode { vec![*v] } else { v.split(',').collect() })
                .filter(|v| !v.is_empty())
                .map(|v| coerce_with_type(v, item_type))
                .collect();
            if !items.is_empty() {
                out.insert(p.name.clone(), Value::Array(items));
            }
        } else {
            let last = values[values.len() - 1];
            // An empty value of a non-string parameter (`?limit=`) stays the
            // empty string, so the validator reports it like Clerk does: it
            // is not a number, not "no limit".
            out.insert(p.name.clone(), coerce_with_type(last, declared_type(doc, schema)));
        }
    }
    out
}

/// Path parameters as a JSON object of strings.
pub fn path_object(params: &[(String, String)]) -> Map<String, Value> {
    params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()
}

/// Form fields → a JSON object shaped by the body schema (`key[]` and repeated
/// keys make arrays; objects such as metadata arrive as JSON strings).
pub fn form_to_json(doc: &Value, body_schema: &Value, pairs: &[(String, String)]) -> Value {
    let schema = resolve(doc, body_schema);
    let props = schema.get("properties").and_then(Value::as_object);
    let mut out = Map::new();
    for (raw_key, value) in pairs {
        let key = raw_key.strip_suffix("[]").unwrap_or(raw_key);
        let prop = props.and_then(|p| p.get(key)).map(|s| resolve(doc, s));
        let ty = prop.and_then(|s| declared_type(doc, s));
        if ty == Some("array") || raw_key.ends_with("[]") {
            let item_ty = prop.and_then(|s| s.get("items")).and_then(|i| declared_type(doc, i));
            let entry = out.entry(key.to_string()).or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(items) = entry {
                items.push(coerce_with_type(value, item_ty));
            }
        } else {
            out.insert(key.to_string(), coerce_with_type(value, ty));
        }
    }
    Value::Object(out)
}

/// Parses a multipart body into fields (typed like a form) and files.
pub async fn parse_multipart(
    doc: &Value,
    body_schema: &Value,
    boundary: &str,
    body: bytes::Bytes,
) -> Result<(Value, Vec<UploadedFile>), ApiError> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(ApiError::malformed(format!("Malformed multipart body: {e}"))),
        };
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string()).unwrap_or_default();
        let data = field
            .bytes()
            .await
            .map_err(|e| ApiError::malformed(format!("Malformed multipart body: {e}")))?;
        match filename {
            Some(filename) => {
                pairs.push((name.clone(), filename.clone()));
                files.push(UploadedFile { field: name, filename, content_type, bytes: data });
            }
            None => pairs.push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    Ok((form_to_json(doc, body_schema, &pairs), files))
}

/// Runs a validator and turns every violation into a Clerk error item.
/// `prefix` names where the instance sits (empty for a body).
pub fn check(validator: &Validator, instance: &Value) -> Vec<ErrorItem> {
    if validator.is_valid(instance) {
        return Vec::new();
    }
    let mut items: Vec<ErrorItem> = validator.iter_errors(instance).map(|e| error_item(&e)).collect();
    items.dedup();
    items
}

fn error_item(e: &ValidationError<'_>) -> ErrorItem {
    let path: Vec<String> = e
        .instance_path()
        .as_str()
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let at = path.join(".");
    let (code, param, message, long) = match e.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("").to_string();
            let full = if at.is_empty() { name } else { format!("{at}.{name}") };
            let long = format!("{full} must be included.");
            (code::FORM_PARAM_MISSING, full, "missing required parameter", long)
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let name = unexpected.first().cloned().unwrap_or_default();
            let full = if at.is_empty() { name } else { format!("{at}.{name}") };
            let long = format!("{full} is not a valid parameter for this request.");
            (code::FORM_PARAM_UNKNOWN, full, "is unknown", long)
        }
        ValidationErrorKind::Type { .. } if e.instance().is_null() => {
            (code::FORM_PARAM_NIL, at.clone(), "cannot be null", format!("{at} cannot be null."))
        }
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => (
            code::FORM_PARAM_VALUE_INVALID,
            at.clone(),
            "is invalid",
            format!("{at} has an invalid value: {e}"),
        ),
        _ => (
            code::FORM_PARAM_FORMAT_INVALID,
            at.clone(),
            "is invalid",
            format!("{} is invalid: {e}", if at.is_empty() { "the request body" } else { &at }),
        ),
    };
    ErrorItem {
        message: message.to_string(),
        long_message: long,
        code: code.to_string(),
        meta: Some(json!({ "param_name": param })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Body": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                "name": {"type": "string"},
                "age": {"type": "integer", "nullable": true},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "meta": {"type": "object", "additionalProperties": true},
                "flag": {"type": "boolean"},
                "email": {"type": "string", "format": "email"},
                "url": {"type": "string", "format": "uri"},
                "at": {"type": "string", "format": "date-time"},
                "count": {"type": "integer", "format": "int64"}
            }}
        }}})
    }

    fn compiler() -> Compiler {
        Compiler::new(&doc(), "urn:test").unwrap()
    }

    #[test]
    fn every_violation_is_reported_with_its_param_name() {
        let v = compiler().compile(&json!({"$ref": "#/components/schemas/Body"})).unwrap();
        let items = check(&v, &json!({"age": "x", "kind": "c", "extra": 1}));
        let codes: Vec<(&str, String)> = items
            .iter()
            .map(|i| (i.code.as_str(), i.meta.as_ref().unwrap()["param_name"].as_str().unwrap().to_string()))
            .collect();
        assert!(codes.contains(&("form_param_missing", "name".into())), "{codes:?}");
        assert!(codes.contains(&("form_param_format_invalid", "age".into())), "{codes:?}");
        assert!(codes.contains(&("form_param_value_invalid", "kind".into())), "{codes:?}");
        assert!(codes.contains(&("form_param_unknown", "extra".into())), "{codes:?}");
    }

    #[test]
    fn a_null_where_not_nullable_is_form_param_nil_and_nullable_accepts_it() {
        let v = compiler().compile(&json!({"$ref": "#/components/schemas/Body"})).unwrap();
        let items = check(&v, &json!({"name": null, "age": null}));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].code, "form_param_nil");
    }

    #[test]
    fn formats_are_checked_and_openapis_own_formats_ignored() {
        let v = compiler().compile(&json!({"$ref": "#/components/schemas/Body"})).unwrap();
        let good = json!({"name": "n", "email": "ada@example.com", "url": "https://example.com/cb", "at": "2025-04-10T12:00:00Z", "count": 3});
        assert!(check(&v, &good).is_empty(), "{:?}", check(&v, &good));
        let bad = json!({"name": "n", "email": "", "url": "", "at": "yesterday"});
        let mut params: Vec<String> = check(&v, &bad).iter().map(|i| i.meta.as_ref().unwrap()["param_name"].as_str().unwrap().to_string()).collect();
        params.sort();
        assert_eq!(params, ["at", "email", "url"]);
    }

    #[test]
    fn identical_schemas_share_one_validator() {
        let c = compiler();
        c.compile(&json!({"$ref": "#/components/schemas/Body"})).unwrap();
        c.compile(&json!({"$ref": "#/components/schemas/Body"})).unwrap();
        assert_eq!(c.compiled_count(), 1);
    }

    #[test]
    fn form_fields_are_typed_by_the_body_schema() {
        let d = doc();
        let pairs: Vec<(String, String)> = vec![
            ("name".into(), "n".into()),
            ("age".into(), "3".into()),
            ("tags[]".into(), "x".into()),
            ("tags[]".into(), "y".into()),
            ("meta".into(), "{\"k\":1}".into()),
            ("flag".into(), "true".into()),
        ];
        let body = form_to_json(&d, &json!({"$ref": "#/components/schemas/Body"}), &pairs);
        assert_eq!(body, json!({"name": "n", "age": 3, "tags": ["x", "y"], "meta": {"k": 1}, "flag": true}));
    }
}
