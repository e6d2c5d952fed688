//! One request, top to bottom (DESIGN §2), for either API surface:
//!
//! ```text
//! 1 admin?    /__admin/* on the Backend listener               → admin API (outside every surface)
//! 2 route     the surface's spec set and version → operation   (404 / 405)
//! 3 auth      the surface's instance rule                        (401 on the Backend API only)
//! 4 scenario  rules for this instance and request: wait, answer or drop (scenario/)
//! 5 validate  path, query and body against the spec              (400 / 422)
//! 6 dispatch  the surface's registry: handler, generic engine or synthesis
//! 7 render    the surface's envelope; --validate-responses checks it (500)
//! 8 journal   every API request, with its outcome and surface (journal.rs)
//! ```
//!
//! A [`Surface`] is what differs between the Backend API (`bapi`, secret
//! keys, `Clerk-API-Version`, the resource registry and its shapes) and the
//! Frontend API (`fapi`, what clerk-js calls: `?_method=` tunnelling, form
//! bodies, `__clerk_api_version`, the instance of a forwarded
//! `Clerk-Secret-Key`, the handler table of `resources::frontend`, CORS).
//! The stages are the same function for both; each asks the surface where
//! they differ.
//!
//! The server has already buffered the body (413 over the limit); this module
//! knows nothing of sockets. It is async only for a scenario's delay, which
//! is awaited between stages, never while a lock is held.

mod backend;
pub mod declared;
pub mod frontend;
mod stages;
mod surface;

use std::sync::Arc;

use serde_json::Value;

use crate::app::App;
use crate::error::ApiError;
use crate::journal::{CappedBody, Entry, Problem};
use crate::scenario::{self, Facts, Verdict};

pub use crate::wire::{trace_id, Outcome, Request, Response};
pub use frontend::UNBOUND_INSTANCE;
pub use stages::{Routed, Validated};
pub use surface::Surface;

/// Serves one request that arrived on the Backend API listener.
pub async fn handle(app: &App, req: &Request) -> Outcome {
    if req.path.trim_end_matches('/') == "/__admin/webhooks/flush" {
        // The one admin call that waits: for webhook deliveries to settle.
        return Outcome::Respond(crate::admin::webhooks::flush(app, req).await);
    }
    if req.path == "/__admin" || req.path.starts_with("/__admin/") {
        return Outcome::Respond(crate::admin::handle(app, req));
    }
    if let Some(redirect) = crate::admin::ui::redirect_browser(req) {
        return Outcome::Respond(redirect);
    }
    serve_surface(app, Surface::Backend, req).await
}

/// Serves one request that arrived on the Frontend API listener: a CORS
/// preflight is answered at once, a bundle file (`/npm/@clerk/…`) from
/// [`crate::bundles`], everything else goes through the stages,
/// and every answer (errors and scenario answers too) carries the CORS
/// headers of FAPI.md §3.4.
pub async fn handle_frontend(app: &App, req: &Request) -> Outcome {
    if req.method == "OPTIONS" {
        return Outcome::Respond(frontend::cors::preflight(req));
    }
    if let Some(mut bundle) = frontend::bundle(app, req) {
        frontend::cors::decorate(req, &mut bundle);
        return Outcome::Respond(bundle);
    }
    match serve_surface(app, Surface::Frontend, req).await {
        Outcome::Respond(mut response) => {
            frontend::cors::decorate(req, &mut response);
            Outcome::Respond(response)
        }
        Outcome::Drop => Outcome::Drop,
    }
}

/// The answer to a request the server refused before any stage (a head over
/// `--max-header-bytes` or `--max-uri-bytes`, a body over `--max-body-bytes`:
/// 431, 414, 413). On the Frontend listener it carries the CORS headers of
/// every Frontend answer, so a browser reads Clerk's error rather than an
/// opaque network failure; the Backend listener's is the bare envelope.
///
/// `Origin: http://localhost:3000` + a 2 MB form on the Frontend listener →
/// 413 `request_body_too_large` with `Access-Control-Allow-Origin: http://localhost:3000`.
pub fn refused(surface: Surface, origin: Option<&str>, err: &ApiError) -> Response {
    let mut response = Response::error(err);
    if surface == Surface::Frontend {
        frontend::cors::decorate_for(origin, &mut response);
    }
    response
}

/// The stages, then the journal, for one surface.
async fn serve_surface(app: &App, surface: Surface, req: &Request) -> Outcome {
    let started = std::time::Instant::now();
    let mut trace = Trace::default();
    let outcome = match serve(app, surface, req, &mut trace).await {
        Ok(outcome) => outcome,
        Err(err) => {
            if app.journal.capacity() > 0 {
                trace.problems = problems(&err);
            }
            Outcome::Respond(Response::error(&err))
        }
    };
    // 8 journal
    record(app, surface, req, trace, &outcome, started);
    outcome
}

/// What the stages learnt about a request, for the journal.
#[derive(Default)]
struct Trace {
    operation_id: Option<String>,
    api_version: Option<String>,
    instance: Option<String>,
    rules: Vec<String>,
    problems: Vec<Problem>,
}

/// The error items of a refusal, as the journal keeps them.
fn problems(err: &ApiError) -> Vec<Problem> {
    err.errors
        .iter()
        .map(|e| Problem {
            code: e.code.clone(),
            message: e.long_message.clone(),
            param: e.meta.as_ref().and_then(|m| m.get("param_name")).and_then(Value::as_str).map(str::to_string),
        })
        .collect()
}

async fn serve(app: &App, surface: Surface, req: &Request, trace: &mut Trace) -> Result<Outcome, ApiError> {
    // 2 route
    let routed = surface.route(app, req)?;
    let (spec, op) = (routed.spec, routed.op);
    trace.operation_id = Some(op.id.clone());
    trace.api_version = Some(spec.version.clone());

    // 3 auth
    let instance_key = surface.instance_key(app, op, req)?;
    let instance = app.instances.get_or_create(&instance_key);
    trace.instance = Some(instance_key.clone());
    let raw_query = req.query_pairs();

    // 4 scenario
    let decision = {
        let facts = Facts::new(spec, op, &routed.method, &req.path, &raw_query, &req.headers, &req.body, &instance_key)
            .on_surface(surface.name());
        app.scenarios.decide(&facts, req.header(scenario::HEADER))?
    };
    trace.rules = decision.fired;
    if let Some(delay) = decision.delay {
        tokio::time::sleep(delay).await;
    }
    match decision.verdict {
        Verdict::Respond(response) => return Ok(Outcome::Respond(response)),
        Verdict::Drop => return Ok(Outcome::Drop),
        Verdict::Continue => {}
    }

    // 5 validate
    let input = validate(surface, &routed, raw_query, req)?;

    // 6 dispatch, 7 render
    let response = match surface {
        Surface::Backend => backend::answer(app, &routed, instance, input, req)?,
        Surface::Frontend => frontend::answer(app, &routed, instance, input, req)?,
    };
    Ok(Outcome::Respond(response))
}

/// Stage 5, one stage for both surfaces: path and query against their
/// schemas (400/422, every violation), then the body by the surface's reader.
fn validate(surface: Surface, routed: &Routed, raw_query: Vec<(String, String)>, req: &Request) -> Result<Validated, ApiError> {
    let (spec, op) = (routed.spec, routed.op);
    let (path, query) = stages::validate_params(spec, op, &routed.params, &surface.checked_query(&raw_query))?;
    let (body, files) = surface.read_body(spec, op, req)?;
    Ok(Validated { path, query, raw_query, body, files })
}

/// Adds the request to the journal.
fn record(app: &App, surface: Surface, req: &Request, trace: Trace, outcome: &Outcome, started: std::time::Instant) {
    if app.journal.capacity() == 0 {
        return;
    }
    let elapsed = started.elapsed();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let (status, response_body) = match outcome {
        Outcome::Respond(r) => (Some(r.status), CappedBody::keep(&r.body)),
        Outcome::Drop => (None, CappedBody::default()),
    };
    app.journal.record(Entry {
        seq: 0,
        time: now_ms - elapsed.as_millis() as i64,
        instance: trace.instance,
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        operation_id: trace.operation_id,
        api_version: trace.api_version,
        requested_version: surface.requested_version(req),
        status,
        dropped: status.is_none(),
        duration_ms: (elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        matched_rules: trace.rules,
        surface: surface.name(),
        problems: trace.problems,
        request_body: CappedBody::keep(&req.body),
        response_body,
        request_content_type: req.header("content-type").map(str::to_string),
    });
}

/// Shared with tests: an `Arc<App>` is what the server holds.
pub type SharedApp = Arc<App>;
