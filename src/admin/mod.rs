//! The admin API under `/__admin/…` (DESIGN §7): control of the mock itself,
//! not part of Clerk's API. JSON in, JSON out, errors in Clerk's envelope.
//!
//! ```text
//! GET    /__admin/health                      status, specs, instances (never needs the admin token)
//! POST   /__admin/reset                       the key's instance back to its fixtures (no key: every instance)
//! GET    /__admin/state                       the key's instance in the fixture format
//! PUT    /__admin/state                       replace it with a fixture document (YAML or JSON)
//! GET    /__admin/scenarios                   global scenarios + the key's own, with counters
//! POST   /__admin/scenarios                   {"scenario": "rate-limit-429?every=2"} or a scenario document
//! DELETE /__admin/scenarios[/NAME]            remove (all / by name)
//! GET    /__admin/requests                    the journal, newest first (?method=&path=&status=&operation_id=&limit=)
//! DELETE /__admin/requests                    clear it
//! POST   /__admin/snapshot                    save every instance to --data-dir now
//! GET    /__admin/signing_key, POST …/rotate  the instance's signing key (tokens::admin)
//! …      /__admin/webhooks[/events|/deliveries|/flush]  endpoints, events, deliveries (webhooks.rs)
//! ```
//!
//! The instance is picked by the same `Authorization: Bearer sk_test_…` as
//! the Clerk API. With `--admin-token T`, every route but health needs the
//! header `X-Admin-Token: T`. `?scope=global|instance` chooses where a
//! scenario goes (default: the key's instance when a key is sent, else global).

mod scenarios;
mod state;
pub mod webhooks;

use serde_json::{json, Value};

use crate::app::App;
use crate::error::{code, ApiError};
use crate::journal::Filter;
use crate::pipeline::{Request, Response};

/// The header that carries `--admin-token`.
pub const TOKEN_HEADER: &str = "x-admin-token";

pub fn handle(app: &App, req: &Request) -> Response {
    let path = req.path.trim_end_matches('/');
    if !(req.method == "GET" && path == "/__admin/health") {
        if let Err(e) = check_token(app, req) {
            return Response::error(&e);
        }
    }
    let result = match (req.method.as_str(), path) {
        ("GET", "/__admin/health") => Ok(Response::json(200, &health(app, req))),
        (_, p) if p == "/__admin/signing_key" || p.starts_with("/__admin/signing_key/") => {
            return crate::tokens::admin::handle(app, req)
        }
        ("POST", "/__admin/reset") => Ok(reset(app, req)),
        ("GET", "/__admin/state") => state::get(app, req),
        ("PUT", "/__admin/state") => state::put(app, req),
        ("POST", "/__admin/snapshot") => state::snapshot(app),
        ("GET", "/__admin/scenarios") => Ok(scenarios::list(app, req)),
        ("POST", "/__admin/scenarios") => scenarios::add(app, req),
        ("DELETE", "/__admin/scenarios") => scenarios::remove(app, req, None),
        ("DELETE", p) if p.starts_with("/__admin/scenarios/") => scenarios::remove(app, req, Some(&p["/__admin/scenarios/".len()..])),
        (_, p) if p == "/__admin/webhooks" || p.starts_with("/__admin/webhooks/") => webhooks::handle(app, req, p),
        ("GET", "/__admin/requests") => requests(app, req),
        ("DELETE", "/__admin/requests") => Ok(clear_requests(app, req)),
        (method, p) => Err(match allowed(p) {
            Some(methods) => ApiError::method_not_allowed(method, p, &methods.iter().map(|m| m.to_string()).collect::<Vec<_>>()),
            None => ApiError::path_not_found(p),
        }),
    };
    result.unwrap_or_else(|e| Response::error(&e))
}

/// The methods a known admin path takes (for 405s).
fn allowed(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "/__admin/health" => &["GET"],
        "/__admin/reset" | "/__admin/snapshot" => &["POST"],
        "/__admin/state" => &["GET", "PUT"],
        "/__admin/scenarios" => &["GET", "POST", "DELETE"],
        "/__admin/requests" => &["GET", "DELETE"],
        p if p.starts_with("/__admin/scenarios/") => &["DELETE"],
        _ => return None,
    })
}

pub(crate) fn check_token(app: &App, req: &Request) -> Result<(), ApiError> {
    let Some(expected) = app.config.admin_token.as_deref().filter(|t| !t.is_empty()) else { return Ok(()) };
    match req.header(TOKEN_HEADER) {
        Some(sent) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::unauthorized("The X-Admin-Token header does not match --admin-token.")),
        None => Err(ApiError::unauthorized(
            "This clerk-mock protects its admin API: send the --admin-token value in the X-Admin-Token header.",
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The instance key of an admin request, if it sends one.
pub(crate) fn instance_key(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(header) = req.header("authorization") else { return Ok(None) };
    let key = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or("").trim();
    let well_formed = (key.starts_with("sk_test_") || key.starts_with("sk_live_"))
        && key.len() > 8
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !well_formed {
        return Err(ApiError::unauthorized(
            "The secret key in the Authorization header is malformed: expected `Bearer sk_test_…` or `Bearer sk_live_…`.",
        ));
    }
    Ok(Some(key.to_string()))
}

/// The instance key, required.
pub(crate) fn require_instance(req: &Request) -> Result<String, ApiError> {
    instance_key(req)?.ok_or_else(|| {
        ApiError::new(
            400,
            code::AUTHENTICATION_INVALID,
            "instance missing",
            "Pick the instance with `Authorization: Bearer sk_test_…`, the secret key your code uses.",
        )
    })
}

/// `name=value` pairs of the query string.
pub(crate) fn query_pairs(req: &Request) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub(crate) fn query_value(req: &Request, name: &str) -> Option<String> {
    query_pairs(req).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn health(app: &App, req: &Request) -> Value {
    let specs: Vec<_> = app
        .specs
        .specs
        .iter()
        .map(|s| json!({"version": s.version, "version_date": s.version_date, "operations": s.operations.len(), "file": s.source.display().to_string()}))
        .collect();
    let mut body = json!({
        "status": "ok",
        "default_version": app.specs.default_spec().version,
        "specs": specs,
        "instances": app.instances.keys().len(),
        "admin_token_required": app.config.admin_token.as_deref().is_some_and(|t| !t.is_empty()),
        "data_dir": app.config.data_dir.as_ref().map(|d| d.display().to_string()),
        "journal_size": app.journal.capacity(),
        "webhooks": app.webhooks.health(),
    });
    if let (Some(out), Some(tokens)) = (body.as_object_mut(), crate::tokens::admin::health_fields(app, req).as_object()) {
        out.extend(tokens.clone());
    }
    body
}

/// Back to the fixtures: the instance's state, its own scenarios and its
/// scenario counters. Without a key, every instance.
fn reset(app: &App, req: &Request) -> Response {
    let keys = match instance_key(req) {
        Ok(Some(key)) => vec![key],
        Ok(None) => app.instances.keys(),
        Err(e) => return Response::error(&e),
    };
    for key in &keys {
        app.instances.reset(key);
        app.scenarios.reset_instance(key);
    }
    Response::json(200, &json!({"object": "reset", "instances": keys.len()}))
}

fn requests(app: &App, req: &Request) -> Result<Response, ApiError> {
    let mut filter = Filter { instance: instance_key(req)?, ..Filter::default() };
    for (k, v) in query_pairs(req) {
        let bad = |what: &str| ApiError::new(422, code::FORM_PARAM_FORMAT_INVALID, "is invalid", format!("{k} must be {what}.")).with_param(&k);
        match k.as_str() {
            "method" => filter.method = Some(v),
            "path" => filter.path = Some(v),
            "operation_id" => filter.operation_id = Some(v),
            "status" => filter.status = Some(v.parse().map_err(|_| bad("an HTTP status"))?),
            "limit" => filter.limit = Some(v.parse().map_err(|_| bad("a whole number"))?),
            _ => {
                return Err(ApiError::new(
                    422,
                    code::FORM_PARAM_UNKNOWN,
                    "is unknown",
                    format!("{k} is not a filter of /__admin/requests (use method, path, status, operation_id, limit)."),
                )
                .with_param(&k))
            }
        }
    }
    let entries = app.journal.query(&filter);
    Ok(Response::json(200, &json!({"data": entries, "total_count": entries.len()})))
}

fn clear_requests(app: &App, req: &Request) -> Response {
    match instance_key(req) {
        Ok(key) => Response::json(200, &json!({"object": "requests", "deleted": app.journal.clear(key.as_deref())})),
        Err(e) => Response::error(&e),
    }
}
