//! `/__admin/webhooks…`: endpoints, the event log, deliveries, and a flush
//! that lets tests wait for deliveries instead of sleeping.
//!
//! ```text
//! GET    /__admin/webhooks                         endpoints (global + the key's instance), event types
//! POST   /__admin/webhooks                         {"url": "http://127.0.0.1:9000/hook", "event_types": ["user.*"], "secret": "whsec_…"}
//! DELETE /__admin/webhooks[/ep_…]                  remove (all of the instance / one)
//! GET    /__admin/webhooks/events                  ?type=user.created&since=MS&until=MS&limit=N (oldest first)
//! GET    /__admin/webhooks/deliveries              ?status=pending|succeeded|failed&event_id=&endpoint_id=&limit=N (newest first)
//! POST   /__admin/webhooks/deliveries/whd_…/retry  send again from the first attempt
//! POST   /__admin/webhooks/flush?timeout_ms=N      returns when nothing of the key's instance (no key: of any) is pending (408 after N ms, default 10000)
//! ```
//!
//! With a key the instance's endpoints are managed; without one, the global
//! endpoints (those of every instance). Events and deliveries are filtered
//! to the key's instance when one is sent.

use serde_json::{json, Value};

use super::{instance_key, query_pairs};
use crate::app::App;
use crate::error::ApiError;
use crate::wire::{Request, Response};
use crate::scenario::matcher::glob;
use crate::webhooks::endpoints::{Endpoint, Scope};
use crate::webhooks::{self, delivery::Status};

fn enabled(app: &App) -> Result<&webhooks::catalogue::Catalogue, ApiError> {
    app.webhooks.catalogue.as_deref().ok_or_else(|| {
        ApiError::webhooks_disabled(app.webhooks.disabled.clone().unwrap_or_default())
    })
}

fn bad(param: &str, long: impl Into<String>) -> ApiError {
    ApiError::format_invalid(long).with_param(param)
}

/// Routes `/__admin/webhooks…` (all but flush, which waits: see [`flush`]).
pub fn handle(app: &App, req: &Request, path: &str) -> Result<Response, ApiError> {
    let rest = path.strip_prefix("/__admin/webhooks").unwrap_or("");
    match (req.method.as_str(), rest) {
        ("GET", "") => list(app, req),
        ("POST", "") => add(app, req),
        ("DELETE", "") => remove(app, req, None),
        ("GET", "/events") => events(app, req),
        ("GET", "/deliveries") => deliveries(app, req),
        ("POST", r) if r.starts_with("/deliveries/") && r.ends_with("/retry") => {
            let id = &r["/deliveries/".len()..r.len() - "/retry".len()];
            retry(app, id)
        }
        ("DELETE", r) if r.starts_with('/') && !r[1..].contains('/') && !matches!(r, "/events" | "/deliveries" | "/flush") => {
            remove(app, req, Some(&r[1..]))
        }
        (method, _) => {
            let allowed: &[&str] = match rest {
                "" => &["GET", "POST", "DELETE"],
                "/events" | "/deliveries" => &["GET"],
                "/flush" => &["POST"],
                r if r.starts_with("/deliveries/") && r.ends_with("/retry") => &["POST"],
                r if r.starts_with('/') && !r[1..].contains('/') => &["DELETE"],
                _ => return Err(ApiError::path_not_found(path)),
            };
            Err(ApiError::method_not_allowed(method, path, &allowed.iter().map(|m| m.to_string()).collect::<Vec<_>>()))
        }
    }
}

fn list(app: &App, req: &Request) -> Result<Response, ApiError> {
    let catalogue = enabled(app)?;
    let mut data: Vec<Value> = app.webhooks.global_endpoints().iter().map(|e| e.to_json()).collect();
    if let Some(key) = instance_key(app, req)? {
        let instance = app.instances.get_or_create(&key);
        let store = instance.store.lock();
        data.extend(webhooks::instance_endpoints(&store).iter().map(|e| e.to_json()));
    }
    Ok(Response::json(200, &json!({
        "data": data,
        "total_count": data.len(),
        "event_types": catalogue.types.keys().collect::<Vec<_>>(),
        "catalogue": catalogue.source.display().to_string(),
    })))
}

fn add(app: &App, req: &Request) -> Result<Response, ApiError> {
    let catalogue = enabled(app)?;
    let body: Value = serde_json::from_slice(&req.body).map_err(|e| ApiError::malformed(format!("The body must be JSON: {e}")))?;
    let url = body["url"].as_str().ok_or_else(|| ApiError::param_missing("url"))?;
    let secret = match &body["secret"] {
        Value::Null => None,
        Value::String(s) => Some(s.as_str()),
        _ => return Err(bad("secret", "secret must be a `whsec_…` string.")),
    };
    let filter: Vec<String> = match &body["event_types"] {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(String::from).ok_or_else(|| bad("event_types", "event_types must be a list of event type names."))).collect::<Result<_, _>>()?,
        _ => return Err(bad("event_types", "event_types must be a list of event type names.")),
    };
    for f in &filter {
        if !catalogue.types.keys().any(|t| glob(f, t)) {
            return Err(ApiError::value_invalid(format!("`{f}` names no event type of the webhooks spec (e.g. user.created, user.*).")).with_param("event_types"));
        }
    }
    let key = instance_key(app, req)?;
    let scope = match &key {
        Some(k) => Scope::Instance(k.clone()),
        None => Scope::Global,
    };
    let endpoint = Endpoint::new(&webhooks::endpoint_id(), url, secret, filter, scope).map_err(|e| {
        let param = if e.contains("secret") || e.contains("whsec") || e.contains("base64") { "secret" } else { "url" };
        bad(param, e)
    })?;
    let out = endpoint.to_json();
    match key {
        Some(k) => {
            let instance = app.instances.get_or_create(&k);
            webhooks::add_instance_endpoint(&mut instance.store.lock(), &endpoint);
        }
        None => app.webhooks.add_global(endpoint),
    }
    Ok(Response::json(200, &out))
}

fn remove(app: &App, req: &Request, id: Option<&str>) -> Result<Response, ApiError> {
    enabled(app)?;
    let removed = match instance_key(app, req)? {
        Some(k) => {
            let instance = app.instances.get_or_create(&k);
            let n = crate::resources::svix::remove_instance_endpoints(&mut instance.store.lock(), id);
            // A global endpoint can be removed by id from any instance's view.
            if n == 0 && id.is_some() { app.webhooks.remove_global(id) } else { n }
        }
        None => app.webhooks.remove_global(id),
    };
    if id.is_some() && removed == 0 {
        return Err(ApiError::not_found("webhook endpoint"));
    }
    Ok(Response::json(200, &json!({"object": "webhook_endpoint", "deleted": removed})))
}

fn number(k: &str, v: &str) -> Result<i64, ApiError> {
    v.parse().map_err(|_| bad(k, format!("{k} must be a whole number.")))
}

fn events(app: &App, req: &Request) -> Result<Response, ApiError> {
    enabled(app)?;
    let (mut types, mut since, mut until, mut limit) = (Vec::new(), None, None, usize::MAX);
    for (k, v) in query_pairs(req) {
        match k.as_str() {
            "type" => types.push(v),
            "since" => since = Some(number(&k, &v)?),
            "until" => until = Some(number(&k, &v)?),
            "limit" => limit = number(&k, &v)?.max(0) as usize,
            _ => return Err(ApiError::param_unknown(&k, format!("{k} is not a filter of /__admin/webhooks/events (use type, since, until, limit)."))),
        }
    }
    let key = instance_key(app, req)?;
    let logged = app.webhooks.events(key.as_deref(), |l| {
        (types.is_empty() || types.iter().any(|t| glob(t, &l.message.event_type)))
            && since.is_none_or(|s| l.message.timestamp_ms >= s)
            && until.is_none_or(|u| l.message.timestamp_ms <= u)
    });
    let data: Vec<Value> = logged
        .iter()
        .take(limit)
        .map(|l| {
            json!({
                "object": "webhook_event",
                "id": l.message.id,
                "type": l.message.event_type,
                "timestamp": l.message.timestamp_ms,
                "object_id": l.object_id,
                "payload": serde_json::from_slice::<Value>(&l.message.body).unwrap_or(Value::Null),
                "deliveries": l.deliveries,
                "schema_problems": l.problems,
            })
        })
        .collect();
    Ok(Response::json(200, &json!({"data": data, "total_count": logged.len()})))
}

fn deliveries(app: &App, req: &Request) -> Result<Response, ApiError> {
    enabled(app)?;
    let (mut status, mut event_id, mut endpoint_id, mut limit) = (None, None, None, usize::MAX);
    for (k, v) in query_pairs(req) {
        match k.as_str() {
            "status" => {
                status = Some(match v.as_str() {
                    "pending" => Status::Pending,
                    "succeeded" => Status::Succeeded,
                    "failed" => Status::Failed,
                    _ => return Err(ApiError::value_invalid("status must be pending, succeeded or failed.").with_param("status")),
                })
            }
            "event_id" => event_id = Some(v),
            "endpoint_id" => endpoint_id = Some(v),
            "limit" => limit = number(&k, &v)?.max(0) as usize,
            _ => return Err(ApiError::param_unknown(&k, format!("{k} is not a filter of /__admin/webhooks/deliveries (use status, event_id, endpoint_id, limit)."))),
        }
    }
    let key = instance_key(app, req)?;
    let (total, data) = app.webhooks.deliveries.list(
        |d| {
            key.as_deref().is_none_or(|k| d.message.instance == k)
                && status.is_none_or(|s| d.status == s)
                && event_id.as_deref().is_none_or(|e| d.message.id == e)
                && endpoint_id.as_deref().is_none_or(|e| d.endpoint.id == e)
        },
        limit,
    );
    Ok(Response::json(200, &json!({"total_count": total, "data": data, "pending": app.webhooks.deliveries.pending()})))
}

fn retry(app: &App, id: &str) -> Result<Response, ApiError> {
    enabled(app)?;
    let out = app.webhooks.deliveries.retry(id).ok_or_else(|| ApiError::not_found("webhook delivery"))?;
    Ok(Response::json(200, &out))
}

/// `POST /__admin/webhooks/flush?timeout_ms=N`: waits (asynchronously)
/// until every delivery has succeeded or failed.
pub async fn flush(app: &App, req: &Request) -> Response {
    if req.method != "POST" {
        return Response::error(&ApiError::method_not_allowed(&req.method, &req.path, &["POST".to_string()]));
    }
    if let Err(e) = super::check_token(app, req) {
        return Response::error(&e);
    }
    if let Err(e) = enabled(app) {
        return Response::error(&e);
    }
    let timeout_ms = match super::query_value(req, "timeout_ms").map(|v| number("timeout_ms", &v)) {
        None => 10_000,
        Some(Ok(n)) => n.max(0) as u64,
        Some(Err(e)) => return Response::error(&e),
    };
    let key = match instance_key(app, req) {
        Ok(k) => k,
        Err(e) => return Response::error(&e),
    };
    let started = std::time::Instant::now();
    let done = app.webhooks.deliveries.flush_instance(key.as_deref(), std::time::Duration::from_millis(timeout_ms)).await;
    let waited_ms = started.elapsed().as_millis() as u64;
    if done {
        Response::json(200, &json!({"object": "webhook_flush", "pending": 0, "waited_ms": waited_ms}))
    } else {
        let pending = app.webhooks.deliveries.pending_of(key.as_deref());
        Response::error(
            &ApiError::webhooks_flush_timeout(pending, timeout_ms)
                .with_meta(json!({"pending": pending})),
        )
    }
}
