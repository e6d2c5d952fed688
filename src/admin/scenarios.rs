//! `GET|POST|DELETE /__admin/scenarios`.
//!
//! ```text
//! curl -X POST -H 'Authorization: Bearer sk_test_me' -d '{"scenario": "rate-limit-429?every=2"}' …/__admin/scenarios
//! curl -X POST -H 'Authorization: Bearer sk_test_me' -d '{"scenario": "validation-422", "params": {"code": "form_password_pwned"}}' …
//! curl -X POST --data-binary @my-scenario.yaml '…/__admin/scenarios?scope=global'
//! curl -X DELETE -H 'Authorization: Bearer sk_test_me' …/__admin/scenarios/rate-limit-429
//! ```

use serde_json::{json, Map, Value};

use super::{instance_key, query_value};
use crate::app::App;
use crate::error::ApiError;
use crate::wire::{Request, Response};
use crate::scenario::model::{compile, parse_text};
use crate::scenario::{bundled, check_operations, Scope};

fn invalid(reason: impl Into<String>) -> ApiError {
    ApiError::scenario_invalid(reason)
}

/// `?scope=` (or `"scope"` in the body): default the key's instance, else global.
fn scope(app: &App, req: &Request, body_scope: Option<&str>) -> Result<Scope, ApiError> {
    let key = instance_key(app, req)?;
    let wanted = query_value(req, "scope").or_else(|| body_scope.map(str::to_string));
    match (wanted.as_deref(), key) {
        (Some("global"), _) => Ok(Scope::Global),
        (Some("instance") | None, Some(key)) => Ok(Scope::Instance(key)),
        (None, None) => Ok(Scope::Global),
        (Some("instance"), None) => Err(ApiError::instance_missing("scope=instance needs the instance's key: `Authorization: Bearer sk_test_…`.")),
        (Some(other), _) => Err(ApiError::value_invalid(format!("scope must be `global` or `instance`, not `{other}`.")).with_param("scope")),
    }
}

pub fn list(app: &App, req: &Request) -> Response {
    match instance_key(app, req) {
        Ok(key) => Response::json(200, &app.scenarios.list(key.as_deref())),
        Err(e) => Response::error(&e),
    }
}

pub fn add(app: &App, req: &Request) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(&req.body).map_err(|_| ApiError::malformed("The scenario must be UTF-8 YAML or JSON."))?;
    let doc = parse_text(text).map_err(|e| invalid(format!("the body is not YAML or JSON: {e}")))?;
    let (scenario, body_scope) = match doc {
        Value::String(reference) => (bundled::load(&reference).map_err(invalid)?, None),
        Value::Object(mut m) => {
            let body_scope = m.remove("scope").and_then(|s| s.as_str().map(str::to_string));
            let scenario = match m.remove("scenario") {
                Some(Value::String(reference)) => {
                    let params = match m.remove("params") {
                        Some(Value::Object(p)) => p,
                        None | Some(Value::Null) => Map::new(),
                        Some(other) => return Err(invalid(format!("params must be a mapping, not {other}"))),
                    };
                    if let Some(extra) = m.keys().next() {
                        return Err(invalid(format!("unknown key `{extra}` beside `scenario` (use `params` and `scope`)")));
                    }
                    bundled::load_with(&reference, &params).map_err(invalid)?
                }
                Some(other) => return Err(invalid(format!("scenario must name a bundled scenario or file, not {other}"))),
                None => {
                    let fallback = format!("admin-{}", app.scenarios.list(None)["scenarios"].as_array().map(Vec::len).unwrap_or(0) + 1);
                    compile(&Value::Object(m), &Map::new(), &fallback, "admin").map_err(invalid)?
                }
            };
            (scenario, body_scope)
        }
        other => return Err(invalid(format!("send {{\"scenario\": \"NAME\"}} or a scenario document, not {other}"))),
    };
    check_operations(&scenario, &app.spec_sets()).map_err(invalid)?;
    let scope = scope(app, req, body_scope.as_deref())?;
    let name = scenario.name.clone();
    let loaded = app.scenarios.add(scenario, scope);
    let mut out = app.scenarios.list(instance_key(app, req)?.as_deref());
    out["loaded"] = json!({"name": name, "scope": loaded.scope.label(), "rules": loaded.scenario.rules.len()});
    Ok(Response::json(201, &out))
}

pub fn remove(app: &App, req: &Request, name: Option<&str>) -> Result<Response, ApiError> {
    let scope = scope(app, req, None)?;
    let name = name.map(|n| form_urlencoded::parse(format!("n={n}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default());
    let removed = app.scenarios.remove(&scope, name.as_deref());
    if let (Some(n), 0) = (&name, removed) {
        return Err(ApiError::not_found_because(format!("No {} scenario named `{n}` is loaded.", scope.label())));
    }
    Ok(Response::json(200, &json!({"object": "scenarios", "removed": removed, "scope": scope.label()})))
}
