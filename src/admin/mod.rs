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
//! GET    /__admin/requests                    the journal, newest first (?method=&path=&status=&operation_id=&surface=&since=&limit=&bodies=true)
//! GET    /__admin/requests/SEQ                one entry, with its request and response bodies
//! DELETE /__admin/requests                    clear it
//! GET    /__admin/instances                   every instance by handle and masked key, with counts (instances.rs)
//! GET    /__admin/collections[/NAME]          stored objects for the dashboard's tables (collections.rs)
//! GET    /__admin/ui/                         the dashboard (ui/), open without the admin token
//! POST   /__admin/snapshot                    save every instance to --data-dir now
//! GET    /__admin/signing_key, POST …/rotate  the instance's signing key (tokens::admin)
//! …      /__admin/webhooks[/events|/deliveries|/flush]  endpoints, events, deliveries (webhooks.rs)
//! GET    /__admin/emails, /__admin/sms        what Clerk would have sent, newest first (?to=); DELETE clears (outbox.rs)
//! GET    /__admin/frontend/environment        the instance's environment URLs; PATCH overrides them (outbox.rs)
//! ```
//!
//! The instance is picked by the same `Authorization: Bearer sk_test_…` as
//! the Clerk API, or by its handle from `GET /__admin/instances` (header
//! `X-Clerk-Mock-Instance: ins_…` or `?instance=ins_…`), which is how the
//! dashboard names it without ever holding the key. With `--admin-token T`,
//! every route but health and the dashboard's static files needs the header
//! `X-Admin-Token: T`. `?scope=global|instance` chooses where a
//! scenario goes (default: the key's instance when a key is sent, else global).

mod collections;
pub mod instances;
pub mod outbox;
mod signing_key;
mod scenarios;
mod state;
pub mod ui;
pub mod webhooks;

use serde_json::{json, Value};

use crate::app::App;
use crate::error::ApiError;
use crate::journal::Filter;
use crate::wire::{Request, Response};

/// The header that carries `--admin-token`.
pub const TOKEN_HEADER: &str = "x-admin-token";

pub fn handle(app: &App, req: &Request) -> Response {
    if ui::is_ui_path(&req.method, &req.path) {
        return ui::serve(&req.path);
    }
    let path = req.path.trim_end_matches('/');
    if !(req.method == "GET" && path == "/__admin/health") {
        if let Err(e) = check_token(app, req) {
            return Response::error(&e);
        }
    }
    let result = match (req.method.as_str(), path) {
        ("GET", "/__admin/health") => Ok(Response::json(200, &health(app, req))),
        (_, p) if p == "/__admin/signing_key" || p.starts_with("/__admin/signing_key/") => {
            return signing_key::handle(app, req)
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
        ("GET", p) if p.starts_with("/__admin/requests/") => request_detail(app, req, &p["/__admin/requests/".len()..]),
        ("DELETE", "/__admin/requests") => Ok(clear_requests(app, req)),
        ("GET", "/__admin/instances") => Ok(instances::list(app)),
        ("GET", "/__admin/collections") => require_instance(app, req).map(|key| collections::names(app, &key)),
        ("GET", p) if p.starts_with("/__admin/collections/") => require_instance(app, req)
            .and_then(|key| collections::page(app, req, &key, &p["/__admin/collections/".len()..])),
        ("GET", p) if outbox::collection(p).is_some() => outbox::list(app, req, outbox::collection(p).unwrap_or(crate::resources::outbox::EMAILS)),
        ("DELETE", p) if outbox::collection(p).is_some() => outbox::clear(app, req, outbox::collection(p).unwrap_or(crate::resources::outbox::EMAILS)),
        ("GET", "/__admin/frontend/environment") => outbox::get_environment(app, req),
        ("PATCH", "/__admin/frontend/environment") => outbox::patch_environment(app, req),
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
        "/__admin/instances" | "/__admin/collections" => &["GET"],
        "/__admin/emails" | "/__admin/sms" => &["GET", "DELETE"],
        "/__admin/frontend/environment" => &["GET", "PATCH"],
        p if p.starts_with("/__admin/scenarios/") => &["DELETE"],
        p if p.starts_with("/__admin/requests/") || p.starts_with("/__admin/collections/") || p.starts_with("/__admin/ui/") => &["GET"],
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

/// The instance key of an admin request, if it names one: its bearer key,
/// else the key behind the instance handle it sends (see [`instances`]).
pub(crate) fn instance_key(app: &App, req: &Request) -> Result<Option<String>, ApiError> {
    match crate::wire::secret_key(req.header("authorization"))? {
        Some(key) => {
            app.instances.note_secret_key(&key);
            Ok(Some(key))
        }
        None => instances::requested_handle(req).map(|h| instances::resolve(app, &h)).transpose(),
    }
}

/// The instance key, required.
pub(crate) fn require_instance(app: &App, req: &Request) -> Result<String, ApiError> {
    instance_key(app, req)?.ok_or_else(|| {
        ApiError::instance_missing("Pick the instance with `Authorization: Bearer sk_test_…`, the secret key your code uses, \
             or with `X-Clerk-Mock-Instance: ins_…` from GET /__admin/instances.")
    })
}

/// `name=value` pairs of the query string.
pub(crate) fn query_pairs(req: &Request) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub(crate) fn query_value(req: &Request, name: &str) -> Option<String> {
    query_pairs(req).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The admin features of this build (`features` in health): the dashboard
/// shows the sections these name. A build with webhooks adds `"webhooks"`
/// (its `/__admin/webhooks…` routes), one with the email/SMS outbox `"outbox"`.
pub const FEATURES: &[&str] = &["state", "journal", "scenarios", "signing_key", "instances", "collections", "outbox"];

/// [`FEATURES`], plus `webhooks` when a catalogue is loaded (the
/// dashboard shows its Webhooks tab then).
fn features(app: &App) -> Vec<&'static str> {
    let mut out = FEATURES.to_vec();
    if app.webhooks.disabled.is_none() {
        out.push("webhooks");
    }
    out
}

fn health(app: &App, req: &Request) -> Value {
    let specs: Vec<_> = app
        .specs
        .specs
        .iter()
        .map(|s| {
            let file = s.source.display().to_string();
            json!({"version": s.version, "version_date": s.version_date, "operations": s.operations.len(), "source": file, "file": file})
        })
        .collect();
    let mut body = json!({
        "status": "ok",
        "clerk_mock_version": crate::version::VERSION,
        "default_version": app.specs.default_spec().version,
        "specs": specs,
        "instances": app.instances.keys().len(),
        "admin_token_required": app.config.admin_token.as_deref().is_some_and(|t| !t.is_empty()),
        "data_dir": app.config.data_dir.as_ref().map(|d| d.display().to_string()),
        "journal_size": app.journal.capacity(),
        "dashboard": ui::ROOT,
        // What this build's admin API offers; the dashboard shows a tab per feature.
        "features": features(app),
        "webhooks": app.webhooks.health(),
        // Where clerk-js talks to (the Frontend API listener), and what it serves.
        "frontend_api_url": app.frontend_url.get(),
        "frontend_specs": app.frontend_specs.as_ref().map(|set| set.specs.iter().map(|s| json!({
            "version": s.version, "operations": s.operations.len(), "file": s.source.display().to_string()
        })).collect::<Vec<_>>()),
    });
    if let (Some(out), Some(tokens)) = (body.as_object_mut(), signing_key::health_fields(app, req).as_object()) {
        out.extend(tokens.clone());
    }
    body
}

/// Back to the fixtures: the instance's state, its own scenarios and its
/// scenario counters. Without a key, every instance.
fn reset(app: &App, req: &Request) -> Response {
    let keys = match instance_key(app, req) {
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
    let mut filter = Filter { instance: instance_key(app, req)?, ..Filter::default() };
    let mut bodies = false;
    for (k, v) in query_pairs(req) {
        let bad = |what: &str| ApiError::format_invalid(format!("{k} must be {what}.")).with_param(&k);
        match k.as_str() {
            "method" => filter.method = Some(v),
            "path" => filter.path = Some(v),
            "operation_id" => filter.operation_id = Some(v),
            "surface" => filter.surface = Some(v),
            "status" => filter.status = Some(v.parse().map_err(|_| bad("an HTTP status"))?),
            "limit" => filter.limit = Some(v.parse().map_err(|_| bad("a whole number"))?),
            "since" => filter.since = Some(v.parse().map_err(|_| bad("a journal seq (a whole number)"))?),
            "bodies" => bodies = v == "true",
            "instance" => {}
            _ => {
                return Err(ApiError::param_unknown(
                    &k,
                    format!("{k} is not a filter of /__admin/requests (use method, path, status, operation_id, surface, since, limit, bodies)."),
                ))
            }
        }
    }
    let entries = app.journal.query(&filter);
    let data: Vec<Value> = entries.iter().map(|e| entry_json(req, e, bodies)).collect();
    Ok(Response::json(200, &json!({"data": data, "total_count": data.len(), "last_seq": app.journal.last_seq()})))
}

/// `GET /__admin/requests/SEQ`: one entry with its bodies.
fn request_detail(app: &App, req: &Request, seq: &str) -> Result<Response, ApiError> {
    let instance = instance_key(app, req)?;
    let entry = seq
        .parse::<u64>()
        .ok()
        .and_then(|seq| app.journal.get(seq))
        .filter(|e| instance.is_none() || e.instance == instance)
        .ok_or_else(|| ApiError::not_found("journal entry"))?;
    Ok(Response::json(200, &entry_json(req, &entry, true)))
}

/// An entry as the admin API shows it. The `instance` field is the full key
/// only for a caller that sent that key; anyone else (the dashboard) sees it
/// masked, with `instance_id` (the handle) to pick it by.
fn entry_json(req: &Request, entry: &crate::journal::Entry, bodies: bool) -> Value {
    // Lists leave the bodies out: don't turn them into text only to drop them.
    let light;
    let shown = if bodies {
        entry
    } else {
        light = crate::journal::Entry { request_body: Default::default(), response_body: Default::default(), ..entry.clone() };
        &light
    };
    let mut out = serde_json::to_value(shown).unwrap_or_else(|_| json!({}));
    let caller_key = crate::wire::secret_key(req.header("authorization")).ok().flatten();
    if let Some(key) = entry.instance.as_deref() {
        out["instance_id"] = json!(instances::handle_of(key));
        if caller_key.as_deref() != Some(key) {
            out["instance"] = json!(instances::mask(key));
        }
    }
    if let Some(m) = out.as_object_mut() {
        if bodies {
            m.insert("request_body_truncated".into(), json!(entry.request_body.truncated));
            m.insert("response_body_truncated".into(), json!(entry.response_body.truncated));
        } else {
            m.remove("request_body");
            m.remove("response_body");
        }
    }
    out
}

fn clear_requests(app: &App, req: &Request) -> Response {
    match instance_key(app, req) {
        Ok(key) => Response::json(200, &json!({"object": "requests", "deleted": app.journal.clear(key.as_deref())})),
        Err(e) => Response::error(&e),
    }
}
