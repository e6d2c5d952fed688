//! Stages 2–7 of the Frontend API where they differ from the Backend API:
//! method tunnelling, which instance a browser request belongs to, lenient
//! validation ([`form`]), the handler table of [`crate::resources::frontend`]
//! with synthesis for the rest, and CORS ([`cors`]).
//!
//! **Which instance.** A browser sends no secret key, so the surface picks
//! the instance, in order:
//!
//! 1. the `Clerk-Secret-Key` request header: what `@clerk/backend`'s
//!    `frontendApiProxy` forwards (topology A), and what parallel suites with
//!    a key each send (a malformed one is a 401);
//! 2. `--frontend-secret-key` (env `CLERK_MOCK_FRONTEND_SECRET_KEY`);
//! 3. the first secret key the mock has seen on the Backend or admin API;
//! 4. before any key: an *unbound* instance ([`UNBOUND_INSTANCE`]) that the
//!    first secret key then adopts, state and all, so a suite that opens the
//!    browser before its first Backend call still shares one instance.
//!
//! **Identity is not the surface's business.** FAPI operations declare
//! `security` (dev browser, `__client` cookie, native token), but a request
//! without them is never a 401 here: the handler finds or creates the client.
//!
//! ```text
//! POST /v1/client/sign_ins?_method=PATCH → routed as PATCH /v1/client/sign_ins
//! GET  /client?__clerk_api_version=2025-11-10 → GET /v1/client of fapi 2025-11-10
//! ```

pub mod cors;
pub mod form;

use std::sync::Arc;

use super::stages::{catch_panics, response_of, synthesize, with_changes, Routed, Validated};
use crate::app::App;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::render::{self, Body, Rendered};
use crate::resources::frontend::{handlers, FrontendAnswer, FrontendCall, FrontendHandler};
use crate::state::Instance;
use crate::wire::{Request, Response};

pub use crate::state::UNBOUND_INSTANCE;

/// Query parameters clerk-js (and @clerk/testing, Expo, the backend proxy)
/// put on every kind of request: never validated, so never a 4xx; handlers
/// read them from `raw_query`.
pub const TRANSPORT_PARAMS: &[&str] = &[
    "__clerk_api_version",
    "_clerk_js_version",
    "__clerk_db_jwt",
    "__dev_session",
    "_clerk_session_id",
    "_clerk_retry_attempt",
    "__clerk_testing_token",
    "_is_native",
    "_method",
    "__domain",
    "rotating_token_nonce",
    "paginated",
];

/// `POST` + `?_method=PUT|PATCH|DELETE` is that verb (clerk-js's Safari
/// CORS workaround); any other method, or another `_method`, is as sent.
pub fn tunnelled_method(req: &Request) -> String {
    if req.method == "POST" {
        let asked = req.query_pairs().into_iter().find(|(k, _)| k == "_method").map(|(_, v)| v.to_ascii_uppercase());
        if let Some(verb) = asked.filter(|v| matches!(v.as_str(), "PUT" | "PATCH" | "DELETE")) {
            return verb;
        }
    }
    req.method.clone()
}

/// Stage 3 of the Frontend API: the instance rule above.
pub fn instance_key(app: &App, req: &Request) -> Result<String, ApiError> {
    if let Some(sent) = req.header("clerk-secret-key").map(str::trim).filter(|k| !k.is_empty()) {
        if !crate::wire::is_secret_key(sent) {
            return Err(ApiError::unauthorized(
                "The Clerk-Secret-Key header is malformed: expected the app's `sk_test_…` or `sk_live_…` key.",
            ));
        }
        return Ok(sent.to_string());
    }
    if let Some(key) = app.config.frontend_secret_key.as_deref().filter(|k| !k.is_empty()) {
        return Ok(key.to_string());
    }
    Ok(app.instances.first_secret_key().unwrap_or_else(|| UNBOUND_INSTANCE.to_string()))
}

/// Dispatches and checks one validated Frontend API request.
pub(super) fn answer(app: &App, routed: &Routed, instance: Arc<Instance>, input: Validated, req: &Request) -> Result<Response, ApiError> {
    let (spec, op) = (routed.spec, routed.op);
    let Validated { path, query, raw_query, body, .. } = input;

    // 6 dispatch: the handler table, else synthesis from the success schema.
    let handler = handler_for(&op.id);
    let response = with_changes(app, &instance, req, || {
        catch_panics(&op.id, || match handler {
            Some(handler) => {
                let call = FrontendCall {
                    services: app.services(),
                    spec: routed.spec,
                    op,
                    instance: instance.clone(),
                    method: &routed.method,
                    path,
                    query,
                    raw_query,
                    body,
                    headers: &req.headers,
                    frontend_url: frontend_url(app, req),
                };
                handler(&call).map(response_of_answer)
            }
            None if op.success().is_none() && redirect_status(op).is_some() => Ok(synthesized_redirect(op, &raw_query, &body)),
            None => {
                let ctx = Ctx { services: app.services(), spec, op, instance: instance.clone(), path, query, raw_query, body, files: Vec::new() };
                synthesize(&ctx).map(|reply| response_of(render::render(spec, op, reply, false, app.seed())))
            }
        })
    })?;

    // 7 check the answer against the FAPI spec's schema for its status.
    if app.config.validate_responses {
        if let Err(err) = check_answer(op, &response) {
            tracing::error!(operation = %op.id, "{}", err);
            return Err(err);
        }
    }
    Ok(response)
}

/// A clerk-js or @clerk/ui file (`GET|HEAD /npm/@clerk/clerk-js@*/dist/*`,
/// `/npm/@clerk/ui@*/dist/*`) from the local packages, readable from any
/// origin; `None` when the path is not a bundle path. A bundle path with no
/// such file is a 404 in Clerk's envelope that says where the mock looked.
pub fn bundle(app: &App, req: &Request) -> Option<Response> {
    if !matches!(req.method.as_str(), "GET" | "HEAD") || !req.path.starts_with("/npm/@clerk/") {
        return None;
    }
    let mut response = match app.bundles.serve(&req.path) {
        Some(file) => {
            let headers = file.headers();
            let mut response = Response { status: 200, headers: Vec::new(), body: bytes::Bytes::from(file.bytes) };
            for (name, value) in headers {
                response.set_header(name, value);
            }
            response
        }
        None => Response::error(&ApiError::frontend_path_not_found(
            &req.path,
            Some("no such file in the local @clerk/clerk-js or @clerk/ui package: pass --frontend-bundles DIR or run `clerk-mock bundles fetch`"),
        )),
    };
    if req.method == "HEAD" {
        response.body = bytes::Bytes::new();
    }
    cors::public(&mut response);
    Some(response)
}

/// The stateful handler registered for an operationId, if any.
pub fn handler_for(operation_id: &str) -> Option<FrontendHandler> {
    handlers().iter().find(|(id, _)| *id == operation_id).map(|(_, h)| *h)
}

/// The lowest redirect status an operation declares.
fn redirect_status(op: &crate::openapi::Operation) -> Option<u16> {
    op.responses.iter().filter_map(|r| r.status).filter(|s| (300..400).contains(s)).min()
}

/// The synthesized answer of an operation that only redirects (the
/// handshake, OAuth callbacks, `/v1/client/sync`, …): its declared redirect
/// status, to the `redirect_url` it was given (query, then body), else `/`.
///
/// `GET /v1/redirect?redirect_url=http://localhost:3000/x` → `307 Location: http://localhost:3000/x`
fn synthesized_redirect(op: &crate::openapi::Operation, raw_query: &[(String, String)], body: &serde_json::Value) -> Response {
    let target = raw_query
        .iter()
        .find(|(k, _)| k == "redirect_url")
        .map(|(_, v)| v.clone())
        .or_else(|| body.get("redirect_url").and_then(serde_json::Value::as_str).map(str::to_string))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "/".to_string());
    let mut response = Response::empty(redirect_status(op).unwrap_or(307));
    response.set_header("location", target);
    response.set_header("cache-control", "no-store");
    response
}

/// A handler's answer on the wire: JSON when it has a body.
fn response_of_answer(answer: FrontendAnswer) -> Response {
    let mut response = match &answer.body {
        Some(body) => Response::json(answer.status, body),
        None => Response::empty(answer.status),
    };
    for (name, value) in answer.headers {
        // Several `Set-Cookie`s are several headers; others replace.
        if name.eq_ignore_ascii_case("set-cookie") {
            response.headers.push((name, value));
        } else {
            response.set_header(&name, value);
        }
    }
    response
}

/// `--validate-responses` for a Frontend answer: its JSON body against the
/// schema its operation declares for that status.
fn check_answer(op: &crate::openapi::Operation, response: &Response) -> Result<(), ApiError> {
    let json = response.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"));
    if !json || response.body.is_empty() {
        return Ok(());
    }
    let rendered = Rendered { status: response.status, body: Body::Json(response.body.to_vec()), paginated_wrapper: false };
    render::check_response(op, &rendered)
}

/// Where the browser reaches this Frontend API: the `Clerk-Proxy-Url` a
/// backend proxy forwards, else the (forwarded) host it called, else the
/// listener's own URL; without a trailing slash.
fn frontend_url(app: &App, req: &Request) -> String {
    if let Some(proxy) = req.header("clerk-proxy-url").filter(|p| !p.is_empty()) {
        return proxy.trim_end_matches('/').to_string();
    }
    let host = req.header("x-forwarded-host").or_else(|| req.header("host"));
    match host {
        Some(host) => {
            let scheme = req.header("x-forwarded-proto").unwrap_or("http");
            format!("{scheme}://{host}")
        }
        None => app.frontend_url.get().cloned().unwrap_or_default(),
    }
}
