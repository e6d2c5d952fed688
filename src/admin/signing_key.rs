//! `/__admin/signing_key…`: the instance's signing key for tests (picked by
//! the same `Authorization: Bearer sk_…` as the Clerk API).
//!
//! ```text
//! GET  /__admin/signing_key         → {"kid","public_key_pem","jwks","jwks_url","issuer","publishable_key"}
//! POST /__admin/signing_key/rotate  → the same for a fresh key, plus "previous_kid"
//! ```
//!
//! After a rotation `GET /v1/jwks` publishes only the new key, so a token
//! signed before it no longer verifies: what a test of key rotation needs.
//! Also the fields `GET /__admin/health` shows (see [`health_fields`]).

use serde_json::{json, Value};

use crate::app::App;
use crate::error::ApiError;
use crate::wire::{Request, Response};

use crate::tokens::keys::{self, SigningKey};

/// Serves every `/__admin/signing_key…` request.
pub fn handle(app: &App, req: &Request) -> Response {
    match serve(app, req) {
        Ok(body) => Response::json(200, &body),
        Err(e) => Response::error(&e),
    }
}

fn serve(app: &App, req: &Request) -> Result<Value, ApiError> {
    let rotate = match (req.method.as_str(), req.path.trim_end_matches('/')) {
        ("GET", "/__admin/signing_key") => false,
        ("POST", "/__admin/signing_key/rotate") => true,
        (_, "/__admin/signing_key" | "/__admin/signing_key/rotate") => {
            return Err(ApiError::method_not_allowed(&req.method, &req.path, &["GET /__admin/signing_key".into(), "POST /__admin/signing_key/rotate".into()]))
        }
        _ => return Err(ApiError::path_not_found(&req.path)),
    };
    let instance = app.instances.get_or_create(&instance_key(req)?);
    let current = keys::for_instance(&app.tokens, &instance)?;
    if !rotate {
        return Ok(describe(app, req, &current));
    }
    let fresh = keys::rotate(&app.tokens, &instance)?;
    let mut body = describe(app, req, &fresh);
    body["previous_kid"] = json!(current.kid);
    Ok(body)
}

/// The secret key of the request: the instance it means.
fn instance_key(req: &Request) -> Result<String, ApiError> {
    let header = req.header("authorization").unwrap_or("");
    let key = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or("").trim();
    if !(key.starts_with("sk_test_") || key.starts_with("sk_live_")) || key.len() <= 8 {
        return Err(ApiError::unauthorized(
            "Send the instance's secret key as `Authorization: Bearer sk_test_…` to manage its signing key.",
        ));
    }
    Ok(key.to_string())
}

fn describe(app: &App, req: &Request, key: &SigningKey) -> Value {
    json!({
        "kid": key.kid,
        "public_key_pem": key.public_pem,
        "jwks": {"keys": [key.jwk.clone()]},
        "jwks_url": jwks_url(req),
        "issuer": app.tokens.issuer,
        "publishable_key": app.tokens.publishable_key,
    })
}

/// `http://<Host>/v1/jwks`, from the request's Host header.
pub fn jwks_url(req: &Request) -> Value {
    match req.header("host") {
        Some(host) => json!(format!("http://{host}/v1/jwks")),
        None => Value::Null,
    }
}

/// What `GET /__admin/health` adds: how to configure an app's
/// `authenticateRequest` / `verifyToken` against the mock.
pub fn health_fields(app: &App, req: &Request) -> Value {
    json!({
        "frontend_host": app.tokens.frontend_host,
        "issuer": app.tokens.issuer,
        "publishable_key": app.tokens.publishable_key,
        "jwks_url": jwks_url(req),
        "signing_key": if app.tokens.signing_key_pem.is_some() { "configured" } else { "generated per instance" },
    })
}
