//! One request, top to bottom (DESIGN §2):
//!
//! ```text
//! 1 admin?    /__admin/*                                   → admin API
//! 2 route     spec picked by Clerk-API-Version → operation  (404 / 405)
//! 3 auth      Authorization: Bearer sk_… → instance         (401)
//! 4 scenario  rules for this instance and request: wait, answer or drop (scenario/)
//! 5 validate  path, query and body against the spec          (400 / 422, every violation)
//! 6 dispatch  registry plan: handler, generic engine or synthesis
//! 7 render    shapes for the picked spec; --validate-responses checks them (500)
//! 8 journal   every API request, with its outcome (journal.rs, GET /__admin/requests)
//! ```
//!
//! The server has already buffered the body (413 over the limit); this module
//! knows nothing of sockets. It is async only for a scenario's delay, which
//! is awaited between stages, never while a lock is held.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::app::App;
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::journal::{CappedBody, Entry, Problem};
use crate::scenario::{self, Facts, Verdict};
use crate::registry::Plan;
use crate::render::{self, Body, Rendered};
use crate::openapi::answer;
use crate::openapi::routes::RouteMatch;
use crate::openapi::validate::{self, check, UploadedFile};
use crate::openapi::{Operation, Spec};
use crate::state::generic;

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

    pub fn error(err: &ApiError) -> Response {
        let mut r = Response::json(err.status, &err.to_body(&trace_id()));
        r.headers.extend(err.headers.iter().cloned());
        r
    }

    fn from_rendered(rendered: Rendered) -> Response {
        match rendered.body {
            Body::Json(bytes) => Response {
                status: rendered.status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: Bytes::from(bytes),
            },
            Body::Empty => Response { status: rendered.status, headers: vec![], body: Bytes::new() },
            Body::Raw { content_type, text } => Response {
                status: rendered.status,
                headers: vec![("content-type".into(), content_type)],
                body: Bytes::from(text),
            },
        }
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

/// Serves one request.
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
    let started = std::time::Instant::now();
    let mut trace = Trace::default();
    let outcome = match serve_api(app, req, &mut trace).await {
        Ok(outcome) => outcome,
        Err(err) => {
            if app.journal.capacity() > 0 {
                trace.problems = problems(&err);
            }
            Outcome::Respond(Response::error(&err))
        }
    };
    // 8 journal
    record(app, req, trace, &outcome, started);
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

async fn serve_api(app: &App, req: &Request, trace: &mut Trace) -> Result<Outcome, ApiError> {
    // 2 route
    let spec = app.specs.pick(req.header("clerk-api-version"));
    let path = strip_version_prefix(&req.path);
    let (op_index, path_params) = match spec.router.find(&req.method, path) {
        RouteMatch::Found { op, params } => (op, params),
        RouteMatch::MethodNotAllowed { allowed } => {
            return Err(ApiError::method_not_allowed(&req.method, &req.path, &allowed))
        }
        RouteMatch::NotFound => return Err(ApiError::path_not_found(&req.path)),
    };
    let op = &spec.operations[op_index];
    trace.operation_id = Some(op.id.clone());
    trace.api_version = Some(spec.version.clone());

    // 3 auth
    let instance_key = authenticate(op, req)?;
    let instance = app.instances.get_or_create(&instance_key);
    trace.instance = Some(instance_key.clone());
    let raw_query = parse_pairs(&req.query);

    // 4 scenario
    let decision = {
        let facts = Facts::new(spec, op, &req.method, &req.path, &raw_query, &req.headers, &req.body, &instance_key);
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
    let (path, query) = validate_params(spec, op, &path_params, &raw_query)?;
    let (body, files) = parse_and_validate_body(spec, op, req)?;

    // 6 dispatch
    let webhooks = app.webhooks.enabled();
    if webhooks {
        instance.store.lock().record_changes(true);
    }
    let ctx = Ctx { app, spec, op, instance, path, query, raw_query, body, files };
    let reply = dispatch(app.plan(spec, op_index), &ctx);
    // Every store write marked cached renderings stale itself (`Store::touch`).
    if webhooks {
        let mut store = ctx.instance.store.lock();
        if !store.recorder.is_empty() {
            // Still under the lock: events of one instance queue in the
            // order their changes happened.
            let changes = store.take_changes();
            app.webhooks.emit(&store, &changes, &origin(req), &app.tokens.issuer);
        }
    }
    let reply = reply?;

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
    Ok(Outcome::Respond(Response::from_rendered(rendered)))
}

/// Who sent a request, as webhook events report it.
fn origin(req: &Request) -> crate::webhooks::Origin {
    let forwarded = req.header("x-forwarded-for").and_then(|v| v.split(',').next()).map(|v| v.trim().to_string());
    crate::webhooks::Origin {
        client_ip: forwarded.or_else(|| req.peer.map(|p| p.ip().to_string())).unwrap_or_default(),
        user_agent: req.header("user-agent").unwrap_or("").to_string(),
    }
}

/// Adds the request to the journal.
fn record(app: &App, req: &Request, trace: Trace, outcome: &Outcome, started: std::time::Instant) {
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
        requested_version: req.header("clerk-api-version").map(str::to_string),
        status,
        dropped: status.is_none(),
        duration_ms: (elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        matched_rules: trace.rules,
        surface: "bapi",
        problems: trace.problems,
        request_body: CappedBody::keep(&req.body),
        response_body,
        request_content_type: req.header("content-type").map(str::to_string),
    });
}

/// `/v1/users` and `/users` are the same operation.
fn strip_version_prefix(path: &str) -> &str {
    match path.strip_prefix("/v1") {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// The instance key of a request: the secret key where the operation is
/// secured, a shared public instance where it is not.
fn authenticate(op: &Operation, req: &Request) -> Result<String, ApiError> {
    if !op.secured {
        return Ok(String::from("public"));
    }
    let Some(header) = req.header("authorization") else {
        return Err(ApiError::unauthorized(
            "The request is missing the Authorization header: send `Authorization: Bearer sk_test_…`.",
        ));
    };
    let token = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or("").trim();
    let well_formed = (token.starts_with("sk_test_") || token.starts_with("sk_live_"))
        && token.len() > 8
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !well_formed {
        return Err(ApiError::unauthorized(
            "The secret key in the Authorization header is malformed: expected `Bearer sk_test_…` or `Bearer sk_live_…`.",
        ));
    }
    Ok(token.to_string())
}

fn parse_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn validate_params(
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

/// Runs the operation's plan; a panic inside becomes a 500 in Clerk's envelope.
fn dispatch(plan: Plan, ctx: &Ctx) -> Result<Reply, ApiError> {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match plan {
        Plan::Stateful { handler, .. } => handler(ctx),
        Plan::Generic(crud) => generic::handle(crud, ctx),
        Plan::Synthesized => synthesize(ctx),
    }));
    outcome.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        tracing::error!(operation = %ctx.op.id, "handler panicked: {what}");
        Err(ApiError::internal(format!("The mock failed while serving {}: {what}", ctx.op.id)))
    })
}

/// The last resort: a valid answer built from the success schema, fresh per
/// create and echoing the request ([`answer`]).
fn synthesize(ctx: &Ctx) -> Result<Reply, ApiError> {
    let success = ctx.op.success();
    let status = success.and_then(|r| r.status).unwrap_or(200);
    match success.and_then(|r| r.schema.as_ref()) {
        Some(schema) => {
            let sequence = (ctx.op.method.eq_ignore_ascii_case("post")).then(|| ctx.instance.store.lock().next_sequence());
            let asked = answer::Asked { op: ctx.op, instance: &ctx.instance.key, path: &ctx.path, body: &ctx.body, sequence };
            Ok(Reply::Object(answer::synthesize(ctx.spec, ctx.app.seed(), schema, &asked)))
        }
        None if status == 200 => Ok(Reply::Raw { status, content_type: "text/html".into(), body: String::new() }),
        None => Ok(Reply::Empty(status)),
    }
}

/// Shared with tests: an `Arc<App>` is what the server holds.
pub type SharedApp = Arc<App>;
