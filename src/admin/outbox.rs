//! `GET|DELETE /__admin/emails` and `/__admin/sms`: the messages Clerk would
//! have sent for an instance (`resources/outbox.rs`), newest first,
//! so a test reads the code or link it must use; `?to=` filters by
//! recipient. `GET|PATCH /__admin/frontend/environment`: the instance's
//! environment URLs (`sign_in_url`, `sign_up_url`, `after_sign_in_url`,
//! `after_sign_up_url`, `home_url`; `null` drops an override).
//!
//! ```text
//! GET    /__admin/emails?to=ada@example.com   (X-Clerk-Mock-Instance: ins_… or Authorization: Bearer sk_test_…)
//!   → {"data":[{"object":"email","to_email_address":"ada@example.com","code":"424242",…}],"total_count":1}
//! DELETE /__admin/emails                       → {"deleted":3}
//! PATCH  /__admin/frontend/environment {"sign_in_url":"http://localhost:3000/sign-in"}
//! ```

use serde_json::{json, Map, Value};

use super::{query_value, require_instance};
use crate::app::App;
use crate::error::ApiError;
use crate::wire::{Request, Response};
use crate::resources::frontend::environment;
use crate::resources::outbox;

/// The collection an outbox path names.
pub fn collection(path: &str) -> Option<crate::state::CollectionKey<'static>> {
    match path {
        "/__admin/emails" => Some(outbox::EMAILS),
        "/__admin/sms" => Some(outbox::SMS),
        _ => None,
    }
}

pub fn list(app: &App, req: &Request, collection: crate::state::CollectionKey<'_>) -> Result<Response, ApiError> {
    let instance = app.instances.get_or_create(&require_instance(app, req)?);
    let store = instance.store.lock();
    let to = query_value(req, "to");
    let data: Vec<&Value> = outbox::list(&store, collection, to.as_deref());
    Ok(Response::json(200, &json!({"data": data, "total_count": data.len()})))
}

pub fn clear(app: &App, req: &Request, collection: crate::state::CollectionKey<'_>) -> Result<Response, ApiError> {
    let instance = app.instances.get_or_create(&require_instance(app, req)?);
    let mut store = instance.store.lock();
    let deleted = outbox::clear(&mut store, collection, query_value(req, "to").as_deref());
    Ok(Response::json(200, &json!({"deleted": deleted})))
}

fn environment_view(app: &App, overrides: &Value) -> Value {
    let urls = environment::urls(&app.config.flows, &app.tokens.frontend_host, overrides);
    json!({"urls": urls, "overrides": overrides})
}

pub fn get_environment(app: &App, req: &Request) -> Result<Response, ApiError> {
    let instance = app.instances.get_or_create(&require_instance(app, req)?);
    let overrides = environment::overrides(&instance.store.lock());
    Ok(Response::json(200, &environment_view(app, &overrides)))
}

pub fn patch_environment(app: &App, req: &Request) -> Result<Response, ApiError> {
    let instance = app.instances.get_or_create(&require_instance(app, req)?);
    let body: Map<String, Value> = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::malformed(format!("The body must be a JSON object of environment URLs: {e}.")))?;
    for (name, value) in &body {
        if !environment::URL_FIELDS.contains(&name.as_str()) {
            return Err(ApiError::param_unknown(name, format!("{name} is not an environment URL; known: {}.", environment::URL_FIELDS.join(", "))));
        }
        if !(value.is_null() || value.is_string()) {
            return Err(ApiError::param_invalid(name, format!("{name} must be a URL string, or null to drop the override.")));
        }
    }
    let mut store = instance.store.lock();
    let mut overrides = environment::overrides(&store);
    for (name, value) in body {
        match value {
            Value::Null => {
                overrides.as_object_mut().map(|o| o.remove(&name));
            }
            v => overrides[name] = v,
        }
    }
    store.set_singleton(environment::SINGLETON, overrides.clone());
    Ok(Response::json(200, &environment_view(app, &overrides)))
}
