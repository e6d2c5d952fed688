//! Body decoders every resource module shares: one field of one JSON type
//! each. `null` counts as absent; another type is Clerk's 422
//! `form_param_format_invalid` naming the field; a required field that is
//! absent is 422 `form_param_missing`.
//!
//! The pipeline validates bodies against the spec before a handler runs, so
//! over HTTP a wrong type mostly reaches these decoders where a spec version
//! leaves a field untyped; fixtures and Rust callers that skip the pipeline
//! get the same errors from here.
//!
//! ```
//! use clerk_mock::resources::params;
//! let body = serde_json::json!({"first_name": "Ada", "last_name": null, "banned": "yes"});
//! assert_eq!(params::opt_string(&body, "first_name").unwrap().as_deref(), Some("Ada"));
//! // `null` clears a nullable field; an absent one stays as it is.
//! assert_eq!(params::nullable_string(&body, "last_name").unwrap(), Some(None));
//! assert_eq!(params::nullable_string(&body, "locale").unwrap(), None);
//! let wrong = params::opt_bool(&body, "banned").unwrap_err();
//! assert_eq!(wrong.errors[0].long_message, "banned must be a boolean.");
//! assert_eq!(params::required_string(&body, "email_address").unwrap_err().errors[0].code, "form_param_missing");
//! ```

use serde_json::Value;

use crate::error::ApiError;

/// The 422 for a field of the wrong type: "`{field}` must be `{what}`."
fn wrong_type(field: &str, what: &str) -> ApiError {
    ApiError::param_format_invalid(field, format!("{field} must be {what}."))
}

/// The field's value unless absent or `null`.
fn given<'a>(body: &'a Value, field: &str) -> Option<&'a Value> {
    body.get(field).filter(|v| !v.is_null())
}

/// A string-array field, also accepting a single string (form bodies and
/// hand-written fixtures send one); absent or `null` is the empty list.
pub fn string_list(body: &Value, field: &str) -> Result<Vec<String>, ApiError> {
    let not_strings = || wrong_type(field, "a list of strings");
    match given(body, field) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items.iter().map(|i| i.as_str().map(String::from).ok_or_else(not_strings)).collect(),
        Some(_) => Err(not_strings()),
    }
}

/// An optional string field.
pub fn opt_string(body: &Value, field: &str) -> Result<Option<String>, ApiError> {
    match given(body, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong_type(field, "a string")),
    }
}

/// A string field the operation needs.
pub fn required_string(body: &Value, field: &str) -> Result<String, ApiError> {
    opt_string(body, field)?.ok_or_else(|| ApiError::param_missing(field))
}

/// A trimmed, non-blank string field, or `None`. A value of another type
/// counts as absent: the organization operations read their text fields so.
pub fn opt_text<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    given(body, field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// A trimmed, non-blank string field the operation needs (422
/// `form_param_missing` when absent, blank or not a string).
pub fn required_text<'a>(body: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    opt_text(body, field).ok_or_else(|| ApiError::param_missing(field))
}

/// A nullable string field of an update: `None` when absent (keep the stored
/// value), `Some(None)` when the body clears it with `null`.
pub fn nullable_string(body: &Value, field: &str) -> Result<Option<Option<String>>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(_) => opt_string(body, field).map(Some),
    }
}

/// A nullable integer field: `None` when absent, `Some(None)` for `null`.
pub fn nullable_integer(body: &Value, field: &str) -> Result<Option<Option<i64>>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => v.as_i64().map(|n| Some(Some(n))).ok_or_else(|| wrong_type(field, "an integer")),
    }
}

/// An optional boolean field.
pub fn opt_bool(body: &Value, field: &str) -> Result<Option<bool>, ApiError> {
    match given(body, field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong_type(field, "a boolean")),
    }
}

/// The boolean fields among `fields` that the body sets, in that order.
pub fn given_bools(body: &Value, fields: &[&'static str]) -> Result<Vec<(&'static str, bool)>, ApiError> {
    let mut set = Vec::new();
    for field in fields {
        if let Some(b) = opt_bool(body, field)? {
            set.push((*field, b));
        }
    }
    Ok(set)
}

/// An optional object field (metadata).
pub fn opt_object(body: &Value, field: &str) -> Result<Option<Value>, ApiError> {
    match given(body, field) {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(wrong_type(field, "an object")),
    }
}

/// The object fields among `fields` that the body sets, in that order.
pub fn given_objects(body: &Value, fields: &[&'static str]) -> Result<Vec<(&'static str, Value)>, ApiError> {
    let mut set = Vec::new();
    for field in fields {
        if let Some(v) = opt_object(body, field)? {
            set.push((*field, v));
        }
    }
    Ok(set)
}

/// An optional RFC 3339 timestamp field, as unix ms.
pub fn opt_time(body: &Value, field: &str) -> Result<Option<i64>, ApiError> {
    match opt_string(body, field)? {
        None => Ok(None),
        Some(text) => crate::resources::rfc3339::parse_ms(&text)
            .map(Some)
            .ok_or_else(|| wrong_type(field, "a date and time in RFC 3339 format")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param(e: &ApiError) -> &str {
        e.errors[0].meta.as_ref().and_then(|m| m["param_name"].as_str()).unwrap_or("")
    }

    #[test]
    fn a_string_list_takes_one_string_or_an_array_of_strings() {
        let body = json!({"one": "a", "many": ["a", "b"], "none": null, "mixed": ["a", 1]});
        assert_eq!(string_list(&body, "one").unwrap(), vec!["a"]);
        assert_eq!(string_list(&body, "many").unwrap(), vec!["a", "b"]);
        assert!(string_list(&body, "none").unwrap().is_empty());
        let e = string_list(&body, "mixed").unwrap_err();
        assert_eq!((e.errors[0].code.as_str(), param(&e)), ("form_param_format_invalid", "mixed"));
        assert_eq!(e.errors[0].long_message, "mixed must be a list of strings.");
    }

    #[test]
    fn an_integer_field_tells_null_from_absent_and_refuses_fractions() {
        let body = json!({"limit": 3, "cleared": null, "half": 1.5});
        assert_eq!(nullable_integer(&body, "limit").unwrap(), Some(Some(3)));
        assert_eq!(nullable_integer(&body, "cleared").unwrap(), Some(None));
        assert_eq!(nullable_integer(&body, "absent").unwrap(), None);
        assert_eq!(nullable_integer(&body, "half").unwrap_err().errors[0].long_message, "half must be an integer.");
    }

    #[test]
    fn given_fields_keep_the_order_asked_for_and_skip_absent_ones() {
        let body = json!({"b": true, "a": false, "m": {"x": 1}});
        assert_eq!(given_bools(&body, &["a", "b", "c"]).unwrap(), vec![("a", false), ("b", true)]);
        assert_eq!(given_objects(&body, &["m", "n"]).unwrap(), vec![("m", json!({"x": 1}))]);
        assert_eq!(param(&given_bools(&body, &["m"]).unwrap_err()), "m");
    }

    #[test]
    fn text_fields_are_trimmed_and_blank_ones_are_missing() {
        let body = json!({"name": "  Acme ", "blank": "  ", "number": 7});
        assert_eq!(required_text(&body, "name").unwrap(), "Acme");
        assert_eq!(required_text(&body, "blank").unwrap_err().errors[0].code, "form_param_missing");
        assert_eq!(opt_text(&body, "number"), None);
    }

    #[test]
    fn a_time_must_be_rfc_3339() {
        let body = json!({"at": "1970-01-01T00:00:01Z", "bad": "yesterday"});
        assert_eq!(opt_time(&body, "at").unwrap(), Some(1000));
        assert_eq!(opt_time(&body, "bad").unwrap_err().errors[0].long_message, "bad must be a date and time in RFC 3339 format.");
    }
}
