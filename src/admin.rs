//! The admin API under `/__admin/…` (DESIGN §7): control of the mock itself,
//! not part of Clerk's API.

use serde_json::json;

use crate::app::App;
use crate::error::ApiError;
use crate::pipeline::{Request, Response};

pub fn handle(app: &App, req: &Request) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/__admin/health") => Response::json(200, &health(app)),
        _ => Response::error(&ApiError::path_not_found(&req.path)),
    }
}

fn health(app: &App) -> serde_json::Value {
    let specs: Vec<_> = app
        .specs
        .specs
        .iter()
        .map(|s| json!({"version": s.version, "version_date": s.version_date, "operations": s.operations.len(), "file": s.source.display().to_string()}))
        .collect();
    json!({
        "status": "ok",
        "default_version": app.specs.default_spec().version,
        "specs": specs,
        "instances": app.instances.keys().len(),
    })
}
