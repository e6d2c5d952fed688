//! `GET|PUT /__admin/state` and `POST /__admin/snapshot`.
//!
//! ```text
//! curl -s -H 'Authorization: Bearer sk_test_me' http://127.0.0.1:8787/__admin/state > state.json
//! curl -s -X PUT -H 'Authorization: Bearer sk_test_me' --data-binary @state.json http://127.0.0.1:8787/__admin/state
//! ```
//!
//! The dump is the raw fixture format, so it also works as a `--fixtures` file.

use serde_json::{json, Value};

use super::require_instance;
use crate::app::App;
use crate::error::ApiError;
use crate::fixtures::{self, raw, FixtureError};
use crate::wire::{Request, Response};

pub fn get(app: &App, req: &Request) -> Result<Response, ApiError> {
    let key = require_instance(app, req)?;
    let instance = app.instances.get_or_create(&key);
    let dump = raw::dump(&instance.store.lock());
    Ok(Response::json(200, &dump))
}

pub fn put(app: &App, req: &Request) -> Result<Response, ApiError> {
    let key = require_instance(app, req)?;
    let text = std::str::from_utf8(&req.body).map_err(|_| ApiError::malformed("The state document must be UTF-8 YAML or JSON."))?;
    let built = fixtures::from_text(text, "PUT /__admin/state", Some(app.specs.newest()), app.seed()).map_err(fixture_error)?;
    let instance = app.instances.get_or_create(&key);
    let mut store = instance.store.lock();
    fixtures::copy_into(&built, &mut store);
    Ok(Response::json(200, &raw::dump(&store)))
}

/// A fixture problem as a Clerk error: 422 with where and why in `meta`.
pub fn fixture_error(e: FixtureError) -> ApiError {
    ApiError::fixture_invalid(e.to_string())
        .with_meta(json!({"file": e.file, "entry": e.entry, "line": e.line, "reason": e.reason}))
}

pub fn snapshot(app: &App) -> Result<Response, ApiError> {
    if app.config.data_dir.is_none() {
        return Err(ApiError::data_dir_not_configured());
    }
    let files = crate::persist::save_all(&app.instances, app.config.data_dir.as_deref(), app.seed()).map_err(|e| ApiError::internal(e.0))?;
    let files: Vec<Value> = files.iter().map(|p| Value::String(p.display().to_string())).collect();
    Ok(Response::json(200, &json!({"object": "snapshot", "saved": files.len(), "files": files})))
}
