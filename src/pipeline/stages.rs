//! What both API surfaces share below the stage list of `pipeline/mod.rs`:
//! the routed request ([`Routed`]) and what validation made of it
//! ([`Validated`]), the path/query check, the change recorder around a
//! handler (webhooks), panic catching, synthesis from the success schema and
//! a rendered answer on the wire.
//!
//! This is the bottom of the pipeline: `backend.rs`, `frontend/` and
//! `surface.rs` import it, it imports none of them, so the stages read as
//! one descent (`mod.rs` → `surface.rs` → `backend.rs` | `frontend/` → here).
//!
//! ```text
//! mod.rs     route → auth → scenario → validate → dispatch/render → journal
//! surface.rs where the two APIs differ (specs, version, method, instance, body reader)
//! backend.rs, frontend/   dispatch and render of one surface
//! stages.rs  Routed, Validated, validate_params, with_changes, catch_panics, synthesize, response_of
//! ```

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::app::App;
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::openapi::answer;
use crate::openapi::validate::{self, check, UploadedFile};
use crate::openapi::{Operation, Spec};
use crate::render::{Body, Rendered};
use crate::state::Instance;
use crate::wire::{Request, Response};

/// A request matched to an operation of one spec (or, on the Backend API,
/// to a project-declared operation: [`super::declared`]).
pub struct Routed<'a> {
    pub spec: &'a Arc<Spec>,
    pub op: &'a Operation,
    /// The operation's index in `spec.operations`; `None` for a declared one.
    pub op_index: Option<usize>,
    pub params: Vec<(String, String)>,
    /// The method after `?_method=` tunnelling (Frontend API) or as sent.
    pub method: String,
}

/// A routed request after stage 5: path and query typed and checked, the
/// body read by the surface's reader (strict on the Backend API, forms
/// leniently on the Frontend API), every query pair as sent beside them.
pub struct Validated {
    pub path: Map<String, Value>,
    pub query: Map<String, Value>,
    pub raw_query: Vec<(String, String)>,
    pub body: Value,
    /// Uploaded files of a multipart body (Backend API only).
    pub files: Vec<UploadedFile>,
}

/// Path and query parameters, typed and checked against their schemas
/// (every violation in one 422).
pub fn validate_params(
    spec: &Spec,
    op: &Operation,
    path_params: &[(String, String)],
    raw_query: &[(String, String)],
) -> Result<(Map<String, Value>, Map<String, Value>), ApiError> {
    let path = validate::path_object(path_params);
    let query = validate::typed_query(&spec.doc, op, raw_query);
    let mut problems = Vec::new();
    if let Some(v) = &op.path_validator {
        problems.extend(check(v, &Value::Object(path.clone())));
    }
    if let Some(v) = &op.query_validator {
        problems.extend(check(v, &Value::Object(query.clone())));
    }
    if problems.is_empty() {
        Ok((path, query))
    } else {
        Err(ApiError::many(422, problems))
    }
}

/// Runs a handler with the instance's change recorder on (when webhooks
/// are), then emits the webhook events of what changed: the same for both
/// surfaces, so a FAPI sign-up sends `user.created` like a BAPI create.
pub fn with_changes<T>(app: &App, instance: &Arc<Instance>, req: &Request, run: impl FnOnce() -> T) -> T {
    if !app.webhooks.enabled() {
        return run();
    }
    let (result, changed) = instance.store.recording(run);
    // Every store write marked cached renderings stale itself (`Store::touch`).
    // A request that changed nothing (every read) takes no second lock.
    if changed {
        let mut store = instance.store.lock();
        if !store.recorder.is_empty() {
            // Still under the lock: events of one instance queue in the
            // order their changes happened.
            let changes = store.take_changes();
            app.webhooks.emit(&store, &changes, &origin(req), &app.tokens.issuer);
        }
    }
    result
}

/// Who sent a request, as webhook events report it.
fn origin(req: &Request) -> crate::webhooks::Origin {
    let forwarded = req.header("x-forwarded-for").and_then(|v| v.split(',').next()).map(|v| v.trim().to_string());
    crate::webhooks::Origin {
        client_ip: forwarded.or_else(|| req.peer.map(|p| p.ip().to_string())).unwrap_or_default(),
        user_agent: req.header("user-agent").unwrap_or("").to_string(),
    }
}

/// Runs a handler; a panic inside becomes a 500 in Clerk's envelope.
pub fn catch_panics<T>(operation: &str, run: impl FnOnce() -> Result<T, ApiError>) -> Result<T, ApiError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        tracing::error!(operation = %operation, "handler panicked: {what}");
        Err(ApiError::internal(format!("The mock failed while serving {operation}: {what}")))
    })
}

/// The last resort: a valid answer built from the success schema, fresh per
/// create and echoing the request ([`answer`]).
pub fn synthesize(ctx: &Ctx) -> Result<Reply, ApiError> {
    let success = ctx.op.success();
    let status = success.and_then(|r| r.status).unwrap_or(200);
    match success.and_then(|r| r.schema.as_ref()) {
        Some(schema) => {
            let sequence = (ctx.op.method.eq_ignore_ascii_case("post")).then(|| ctx.instance.store.lock().next_sequence());
            let asked = answer::Asked { op: ctx.op, instance: &ctx.instance.key, path: &ctx.path, body: &ctx.body, sequence };
            Ok(Reply::Object(answer::synthesize(ctx.spec, ctx.services.seed, schema, &asked)))
        }
        None if status == 200 => Ok(Reply::Raw { status, content_type: "text/html".into(), body: String::new() }),
        None => Ok(Reply::Empty(status)),
    }
}

/// A rendered answer as it goes on the wire.
pub fn response_of(rendered: Rendered) -> Response {
    match rendered.body {
        Body::Json(bytes) => Response {
            status: rendered.status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(bytes),
        },
        Body::Empty => Response::empty(rendered.status),
        Body::Raw { content_type, text } => Response {
            status: rendered.status,
            headers: vec![("content-type".into(), content_type)],
            body: Bytes::from(text),
        },
    }
}
