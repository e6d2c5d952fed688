//! A request body, read as its operation declares it: parsed by content
//! type (JSON, form, multipart), refused when a number in it would not come
//! back as sent ([`numbers`](super::numbers)), refused when the spec requires
//! a body and none was sent, then validated against the body schema.
//!
//! **When is a required body missing?** When the request has neither a
//! payload nor a `Content-Type`. An empty payload *with* a JSON
//! `Content-Type` is read as `{}`: that is what `@clerk/backend` sends
//! whenever a call's parameters are all unset (its request builder always
//! sets `Content-Type: application/json` and drops a body whose object has
//! no keys), e.g. `users.updateUser(id)`, `apiKeys.update({apiKeyId})`,
//! `organizations.updateOrganization(id, {})`. Clerk answers those SDK calls,
//! so the mock must too; the body schema still decides whether `{}` is
//! enough (a required field is `form_param_missing`).
//!
//! ```text
//! POST /v1/m2m_tokens                                  (no body, no Content-Type) → 400 malformed_request
//! POST /v1/api_keys/verify                             (no body, no Content-Type) → 422 form_param_missing secret
//! PATCH /v1/users/user_… + Content-Type: application/json, empty payload         → 200, read as {}
//! ```

use bytes::Bytes;
use serde_json::{Map, Value};

use super::validate::{self, check, UploadedFile};
use super::{numbers, resolve, RequestBody};
use crate::error::{code, ApiError, ErrorItem};

/// Reads and validates the body of a request to an operation that declares
/// one. `content_type` is the raw header, if sent.
pub fn read(
    doc: &Value,
    declared: &RequestBody,
    content_type: Option<&str>,
    payload: &Bytes,
) -> Result<(Value, Vec<UploadedFile>), ApiError> {
    let empty = payload.iter().all(u8::is_ascii_whitespace);
    if empty {
        let body = empty_value(doc, &declared.schema);
        if declared.required {
            let problems = declared.validator.as_ref().map(|v| check(v, &body)).unwrap_or_default();
            if !problems.is_empty() {
                return Err(ApiError::many(422, problems));
            }
            if content_type.is_none() {
                return Err(missing_body());
            }
        }
        return Ok((body, Vec::new()));
    }
    let media_type = content_type.unwrap_or("").to_ascii_lowercase();
    let mut files = Vec::new();
    let body = if media_type.starts_with("application/x-www-form-urlencoded") {
        let pairs = form_urlencoded::parse(payload).map(|(k, v)| (k.into_owned(), v.into_owned())).collect::<Vec<_>>();
        validate::form_to_json(doc, &declared.schema, &pairs)
    } else if media_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type.unwrap_or(""))
            .map_err(|e| ApiError::malformed(format!("Malformed multipart Content-Type: {e}")))?;
        let parsed = validate::parse_multipart(doc, &declared.schema, &boundary, payload.clone());
        // multer is async; the body is already in memory, so one poll suffices.
        let (fields, uploaded) = futures_util::FutureExt::now_or_never(parsed)
            .unwrap_or_else(|| Err(ApiError::malformed("multipart body could not be read")))?;
        files = uploaded;
        fields
    } else {
        let value: Value = serde_json::from_slice(payload)
            .map_err(|e| ApiError::malformed(format!("The request body is not valid JSON: {e}")))?;
        let inexact = numbers::inexact_numbers(payload);
        if !inexact.is_empty() {
            return Err(ApiError::many(422, inexact.iter().map(|(at, n)| inexact_number(at, n)).collect()));
        }
        value
    };
    if let Some(v) = &declared.validator {
        let problems = check(v, &body);
        if !problems.is_empty() {
            return Err(ApiError::many(422, problems));
        }
    }
    Ok((body, files))
}

/// What an empty payload stands for: `[]` where the body is an array, `{}`
/// otherwise.
fn empty_value(doc: &Value, schema: &Value) -> Value {
    if resolve(doc, schema).get("type").and_then(Value::as_str) == Some("array") {
        Value::Array(vec![])
    } else {
        Value::Object(Map::new())
    }
}

fn missing_body() -> ApiError {
    ApiError::body_missing()
}

/// A number that would be stored changed: `form_param_format_invalid`.
fn inexact_number(at: &str, lexeme: &str) -> ErrorItem {
    let name = if at.is_empty() { "the request body" } else { at };
    ErrorItem {
        message: "is invalid".into(),
        long_message: format!(
            "{name} is {lexeme}, which cannot be stored exactly: integers must fit in 64 bits and decimals in a double."
        ),
        code: code::FORM_PARAM_FORMAT_INVALID.into(),
        meta: Some(serde_json::json!({ "param_name": at })),
    }
}
