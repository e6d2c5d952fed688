//! The wire types every layer above the store speaks: a buffered
//! [`Request`], a [`Response`] ready for the socket, the [`Outcome`] of
//! serving one, and the one place a secret key is read off a request.
//!
//! The pipeline, the admin API and the scenario engine all build and read
//! these; none of them imports another for them.
//!
//! ```
//! use clerk_mock::wire::{secret_key, Response};
//! assert_eq!(secret_key(Some("Bearer sk_test_abc")).unwrap().as_deref(), Some("sk_test_abc"));
//! assert_eq!(secret_key(None).unwrap(), None);
//! assert!(secret_key(Some("Bearer pk_test_abc")).is_err());
//! assert_eq!(Response::json(201, &serde_json::json!({"ok": true})).status, 201);
//! ```

use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;

/// A buffered request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The client's address (webhook events report it as `client_ip`).
    pub peer: Option<std::net::SocketAddr>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every `name=value` pair of the query string, decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }
}

/// A response ready for the wire.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Response {
    pub fn json(status: u16, body: &Value) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        }
    }

    /// An error in Clerk's envelope, with a fresh trace id and the error's
    /// own headers (`Retry-After`, `Allow`, …).
    pub fn error(err: &ApiError) -> Response {
        let mut r = Response::json(err.status, &err.to_body(&trace_id()));
        r.headers.extend(err.headers.iter().cloned());
        r
    }

    pub fn empty(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Bytes::new() }
    }

    /// Sets a header, replacing one of the same name (case-insensitive).
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }
}

/// A fresh random trace id per response.
pub fn trace_id() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..32).map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0')).collect()
}

/// What the server does with a request: answer it, or close the connection
/// without a word (a scenario's `drop: true`).
#[derive(Debug)]
pub enum Outcome {
    Respond(Response),
    Drop,
}

/// The secret key of an `Authorization` header: `None` without the header,
/// the key for `Bearer sk_test_…` / `Bearer sk_live_…`, and a 401 in Clerk's
/// envelope for anything else. The Backend API and the admin API both read
/// keys through here, so they agree on what a well-formed key is.
pub fn secret_key(authorization: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(header) = authorization else { return Ok(None) };
    let token = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or("").trim();
    if !is_secret_key(token) {
        return Err(ApiError::unauthorized(
            "The secret key in the Authorization header is malformed: expected `Bearer sk_test_…` or `Bearer sk_live_…`.",
        ));
    }
    Ok(Some(token.to_string()))
}

/// Whether a string is a well-formed secret key (`sk_test_…` / `sk_live_…`,
/// letters, digits, `_` and `-`): also how the Frontend API checks the
/// `Clerk-Secret-Key` header a backend proxy forwards.
pub fn is_secret_key(token: &str) -> bool {
    (token.starts_with("sk_test_") || token.starts_with("sk_live_"))
        && token.len() > 8
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
