//! One error type, rendered in Clerk's error envelope.
//!
//! Every failure a client can see — routing, auth, validation, a missing
//! resource, a panic inside a handler — becomes an [`ApiError`], and every
//! `ApiError` renders as
//! `{"errors":[{"message","long_message","code","meta"}],"clerk_trace_id"}`,
//! because both official SDKs only surface Clerk's error codes when the body
//! has exactly that shape.
//!
//! ```
//! use clerk_mock::error::ApiError;
//! let e = ApiError::not_found("user");
//! assert_eq!(e.status, 404);
//! assert_eq!(e.errors[0].code, "resource_not_found");
//! ```

use serde_json::{json, Map, Value};

pub mod catalogue;
mod named;

pub use catalogue::code;

/// One entry of the `errors` array.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorItem {
    pub message: String,
    pub long_message: String,
    pub code: String,
    pub meta: Option<Value>,
}

/// An HTTP error in Clerk's envelope: a status and one or more error items.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub errors: Vec<ErrorItem>,
    /// Extra response headers (e.g. `Retry-After` from a scenario rule).
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    /// A single-item error. Private to the error module: call sites use a
    /// named constructor (here or in `named.rs`), so every code's status and
    /// message live beside the catalogue.
    fn new(status: u16, code: &str, message: &str, long_message: impl Into<String>) -> Self {
        ApiError {
            status,
            errors: vec![ErrorItem {
                message: message.to_string(),
                long_message: long_message.into(),
                code: code.to_string(),
                meta: None,
            }],
            headers: Vec::new(),
        }
    }

    /// A multi-item error (validation reports every violation).
    pub fn many(status: u16, errors: Vec<ErrorItem>) -> Self {
        ApiError { status, errors, headers: Vec::new() }
    }

    /// Attaches `meta` to the (first) error item.
    pub fn with_meta(mut self, meta: Value) -> Self {
        if let Some(first) = self.errors.first_mut() {
            first.meta = Some(meta);
        }
        self
    }

    /// The same error under another status, for the few codes Clerk answers
    /// with more than one (e.g. `token_invalid` is 401 when verifying, 400 when refreshing).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Attaches `meta.param_name`.
    pub fn with_param(self, param: &str) -> Self {
        self.with_meta(json!({ "param_name": param }))
    }

    pub fn unauthorized(long: &str) -> Self {
        Self::new(401, code::AUTHENTICATION_INVALID, "Invalid authentication", long)
    }

    /// 404 for an unknown resource; `what` names it ("user", "organization").
    pub fn not_found(what: &str) -> Self {
        Self::new(
            404,
            code::RESOURCE_NOT_FOUND,
            "not found",
            format!("The requested {what} was not found."),
        )
    }

    pub fn path_not_found(path: &str) -> Self {
        Self::new(
            404,
            code::RESOURCE_NOT_FOUND,
            "not found",
            format!("No Clerk Backend API operation matches the path {path}."),
        )
    }

    /// No Frontend API operation (or, with `why`, no Frontend API at all) for a path.
    pub fn frontend_path_not_found(path: &str, why: Option<&str>) -> Self {
        let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
        Self::new(404, code::RESOURCE_NOT_FOUND, "not found", format!("No Clerk Frontend API operation matches the path {path}{why}."))
    }

    pub fn method_not_allowed(method: &str, path: &str, allowed: &[String]) -> Self {
        Self::new(
            405,
            code::METHOD_NOT_ALLOWED,
            "method not allowed",
            format!("{method} is not allowed on {path}; allowed: {}.", allowed.join(", ")),
        )
    }

    pub fn malformed(long: impl Into<String>) -> Self {
        Self::new(400, code::MALFORMED_REQUEST, "malformed request", long)
    }

    pub fn identifier_exists(param: &str, long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_IDENTIFIER_EXISTS, "That identifier is taken.", long).with_param(param)
    }

    pub fn param_missing(param: &str) -> Self {
        Self::new(
            422,
            code::FORM_PARAM_MISSING,
            "missing required parameter",
            format!("{param} must be included."),
        )
        .with_param(param)
    }

    /// 422 `form_param_unknown`: a parameter the operation does not take
    /// (the admin API's filters name the ones it does in `long`).
    pub fn param_unknown(param: &str, long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_PARAM_UNKNOWN, "is unknown", long).with_param(param)
    }

    pub fn param_invalid(param: &str, long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_PARAM_VALUE_INVALID, "is invalid", long).with_param(param)
    }

    /// 422 `form_param_format_invalid` naming the one field at fault (a body
    /// field of the wrong JSON type, an email that is not one).
    pub fn param_format_invalid(param: &str, long: impl Into<String>) -> Self {
        Self::format_invalid(long).with_param(param)
    }

    pub fn internal(long: impl Into<String>) -> Self {
        Self::new(500, code::INTERNAL_ERROR, "Internal server error", long)
    }

    /// The status code as sent on the wire.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Renders the envelope with a fresh trace id.
    pub fn to_body(&self, trace_id: &str) -> Value {
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("message".into(), Value::String(e.message.clone()));
                m.insert("long_message".into(), Value::String(e.long_message.clone()));
                m.insert("code".into(), Value::String(e.code.clone()));
                m.insert("meta".into(), e.meta.clone().unwrap_or_else(|| json!({})));
                Value::Object(m)
            })
            .collect();
        json!({ "errors": errors, "clerk_trace_id": trace_id })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first = self.errors.first();
        write!(
            f,
            "{} {}: {}",
            self.status,
            first.map(|e| e.code.as_str()).unwrap_or(""),
            first.map(|e| e.long_message.as_str()).unwrap_or("")
        )
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_renders_in_clerks_envelope_with_all_three_texts() {
        let body = ApiError::param_missing("email_address").to_body("trace");
        let e = &body["errors"][0];
        assert_eq!(e["code"], "form_param_missing");
        assert_eq!(e["meta"]["param_name"], "email_address");
        assert!(e["message"].is_string() && e["long_message"].is_string());
        assert_eq!(body["clerk_trace_id"], "trace");
    }
}
