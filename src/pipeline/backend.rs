//! Stages 5–7 of the Backend API: strict validation against the picked
//! spec, the registry's plan (handler, generic engine or synthesis), and
//! rendering through the spec's compiled shapes.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Map, Value};

use super::surface::Routed;
use super::{catch_panics, with_changes};
use crate::app::App;
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::openapi::answer;
use crate::openapi::validate::{self, check, UploadedFile};
use crate::openapi::{Operation, Spec};
use crate::registry::Plan;
use crate::render::{self, Body, Rendered};
use crate::resources::generic;
use crate::state::Instance;
use crate::wire::{Request, Response};

/// Validates, dispatches and renders one routed Backend API request.
pub(super) fn answer(
    app: &App,
    routed: &Routed,
    instance: Arc<Instance>,
    raw_query: Vec<(String, String)>,
    req: &Request,
) -> Result<Response, ApiError> {
    let (spec, op) = (routed.spec, routed.op);
    // 5 validate
    let (path, query) = validate_params(spec, op, &routed.params, &raw_query)?;
    let (body, files) = parse_and_validate_body(spec, op, req)?;

    // 6 dispatch
    let ctx = Ctx { services: app.services(), spec, op, instance, path, query, raw_query, body, files };
    let plan = match routed.op_index {
        Some(index) => app.plan(spec, index),
        // A project-declared operation: its own handler (declared.rs).
        None => super::declared::by_id(&op.id).map_or(Plan::Synthesized, |d| Plan::Stateful { handler: d.handler, module: "declared" }),
    };
    let reply = with_changes(app, &ctx.instance, req, || catch_panics(&op.id, || dispatch(plan, &ctx)))?;

    // 7 render
    let paginated = ctx.raw_query_value("paginated") == Some("true");
    let rendered = match reply {
        Reply::StoredList { collection, ids, total_count } => {
            let store = ctx.instance.store.lock();
            let mut cache = ctx.instance.rendered.lock();
            render::render_stored_list(spec, op, &store, &mut cache, (&collection, &ids, total_count), paginated, app.seed())
        }
        reply => render::render(spec, op, reply, paginated, app.seed()),
    };
    if app.config.validate_responses {
        if let Err(err) = render::check_response(op, &rendered) {
            tracing::error!(operation = %op.id, "{}", err);
            return Err(err);
        }
    }
    Ok(response_of(rendered))
}

/// A rendered answer as it goes on the wire.
pub(super) fn response_of(rendered: Rendered) -> Response {
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

/// Path and query parameters, typed and checked against their schemas.
pub(super) fn validate_params(
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

/// The body, read and validated by the spec layer ([`crate::openapi::body`]).
fn parse_and_validate_body(spec: &Spec, op: &Operation, req: &Request) -> Result<(Value, Vec<UploadedFile>), ApiError> {
    match &op.body {
        Some(declared) => crate::openapi::body::read(&spec.doc, declared, req.header("content-type"), &req.body),
        // Nothing declared: whatever was sent (often `{}` from Node) is ignored.
        None => Ok((Value::Object(Map::new()), Vec::new())),
    }
}

/// Runs the operation's plan.
fn dispatch(plan: Plan, ctx: &Ctx) -> Result<Reply, ApiError> {
    match plan {
        Plan::Stateful { handler, .. } => handler(ctx),
        Plan::Generic(crud) => generic::handle(crud, ctx),
        Plan::Synthesized => synthesize(ctx),
    }
}

/// The last resort: a valid answer built from the success schema, fresh per
/// create and echoing the request ([`answer`]).
pub(super) fn synthesize(ctx: &Ctx) -> Result<Reply, ApiError> {
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
