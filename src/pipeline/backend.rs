//! Stages 6–7 of the Backend API and its body reader for stage 5: strict
//! body validation against the picked spec, the registry's plan (handler,
//! generic engine or synthesis), and rendering through the spec's compiled
//! shapes.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::stages::{catch_panics, response_of, synthesize, with_changes, Routed, Validated};
use crate::app::App;
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::openapi::validate::UploadedFile;
use crate::openapi::{Operation, Spec};
use crate::registry::Plan;
use crate::render;
use crate::resources::generic;
use crate::state::Instance;
use crate::wire::{Request, Response};

/// Dispatches and renders one validated Backend API request.
pub(super) fn answer(app: &App, routed: &Routed, instance: Arc<Instance>, input: Validated, req: &Request) -> Result<Response, ApiError> {
    let (spec, op) = (routed.spec, routed.op);
    let Validated { path, query, raw_query, body, files } = input;

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

/// Stage 5's body reader on the Backend API: read and validated by the
/// spec layer ([`crate::openapi::body`]).
pub(super) fn read_body(spec: &Spec, op: &Operation, req: &Request) -> Result<(Value, Vec<UploadedFile>), ApiError> {
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
