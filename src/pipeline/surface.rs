//! The two API surfaces over the same instances, and the stages where they
//! differ: which spec set and version a request gets, how its method and
//! path are read, which instance it belongs to, and how its query and body
//! are read for validation.
//!
//! ```text
//!                 Backend API (bapi)                     Frontend API (fapi)
//! specs           --spec / --spec-dir (Backend docs)     <spec-dir>/fapi/, --frontend-spec
//! version         Clerk-API-Version header               ?__clerk_api_version (newest not newer; none → newest)
//! method          as sent                                POST + ?_method=PUT|PATCH|DELETE, or as sent
//! path            /v1/users ≡ /users                     /v1/client as sent (/client tried as /v1/client)
//! instance        Authorization: Bearer sk_… (401)       Clerk-Secret-Key → --frontend-secret-key → first key seen → unbound
//! validate        every query pair; bodies strictly     transport parameters aside; forms leniently (form.rs)
//! registry        Registry plans (resources/)            resources::frontend::handlers(), else synthesis
//! envelope        shapes of the picked spec              the handler's own ({response, client} or bare)
//! ```

use std::borrow::Cow;

use serde_json::Value;

use super::stages::Routed;
use super::{backend, frontend};
use crate::app::App;
use crate::error::ApiError;
use crate::openapi::routes::RouteMatch;
use crate::openapi::validate::UploadedFile;
use crate::openapi::{Operation, Spec, SpecSet};
use crate::wire::Request;

/// Which API a request is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Clerk's Backend API: what server SDKs call with a secret key.
    Backend,
    /// Clerk's Frontend API: what clerk-js calls from the browser.
    Frontend,
}

impl Surface {
    /// The journal's and the dashboard's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Surface::Backend => "bapi",
            Surface::Frontend => "fapi",
        }
    }

    /// The version a request asks for, as sent.
    pub fn requested_version(self, req: &Request) -> Option<String> {
        match self {
            Surface::Backend => req.header("clerk-api-version").map(str::to_string),
            Surface::Frontend => req.query_pairs().into_iter().find(|(k, _)| k == "__clerk_api_version").map(|(_, v)| v),
        }
    }

    /// The specs this surface serves; `None` when none is loaded.
    pub fn specs(self, app: &App) -> Option<&SpecSet> {
        match self {
            Surface::Backend => Some(&app.specs),
            Surface::Frontend => app.frontend_specs.as_ref(),
        }
    }

    /// Stage 2: the spec for the requested version, then the operation.
    pub fn route<'a>(self, app: &'a App, req: &Request) -> Result<Routed<'a>, ApiError> {
        let Some(specs) = self.specs(app) else {
            let why = "no Frontend API spec is loaded: put Clerk's fapi/*.yml beside the Backend specs or pass --frontend-spec FILE";
            return Err(ApiError::frontend_path_not_found(&req.path, Some(why)));
        };
        let spec = specs.pick(self.requested_version(req).as_deref());
        let method = match self {
            Surface::Backend => req.method.clone(),
            Surface::Frontend => frontend::tunnelled_method(req),
        };
        let found = match self {
            // A declared path is exact and checked first: the spec's own
            // `/clients/{client_id}` would otherwise take `/clients/handshake_payload`.
            Surface::Backend => match super::declared::find(&method, strip_version_prefix(&req.path)) {
                Some(declared) if spec.operation(&declared.op.id).is_none() => {
                    return Ok(Routed { spec, op: &declared.op, op_index: None, params: Vec::new(), method })
                }
                _ => spec.router.find(&method, strip_version_prefix(&req.path)),
            },
            Surface::Frontend => {
                let first = spec.router.find(&method, &req.path);
                match first {
                    RouteMatch::NotFound if !req.path.starts_with("/v1/") => spec.router.find(&method, &format!("/v1{}", req.path)),
                    other => other,
                }
            }
        };
        match found {
            RouteMatch::Found { op, params } => Ok(Routed { spec, op: &spec.operations[op], op_index: Some(op), params, method }),
            RouteMatch::MethodNotAllowed { allowed } => Err(ApiError::method_not_allowed(&method, &req.path, &allowed)),
            RouteMatch::NotFound if self == Surface::Frontend => Err(ApiError::frontend_path_not_found(&req.path, None)),
            RouteMatch::NotFound => Err(ApiError::path_not_found(&req.path)),
        }
    }

    /// Stage 3: the key of the instance the request belongs to.
    pub fn instance_key(self, app: &App, op: &Operation, req: &Request) -> Result<String, ApiError> {
        match self {
            Surface::Backend => authenticate(app, op, req),
            Surface::Frontend => frontend::instance_key(app, req),
        }
    }

    /// Stage 5: the query pairs checked against the operation's parameters:
    /// all of them on the Backend API; on the Frontend API all but the
    /// transport parameters clerk-js puts on every request
    /// ([`frontend::TRANSPORT_PARAMS`]), which are never a 4xx.
    pub fn checked_query(self, raw_query: &[(String, String)]) -> Cow<'_, [(String, String)]> {
        match self {
            Surface::Backend => Cow::Borrowed(raw_query),
            Surface::Frontend => {
                Cow::Owned(raw_query.iter().filter(|(k, _)| !frontend::TRANSPORT_PARAMS.contains(&k.as_str())).cloned().collect())
            }
        }
    }

    /// Stage 5: the body, read and validated the surface's way: strictly by
    /// the spec layer on the Backend API, as a lenient form on the Frontend
    /// API ([`frontend::form`]; no uploaded files are kept there).
    pub fn read_body(self, spec: &Spec, op: &Operation, req: &Request) -> Result<(Value, Vec<UploadedFile>), ApiError> {
        match self {
            Surface::Backend => backend::read_body(spec, op, req),
            Surface::Frontend => Ok((frontend::form::read_body(spec, op, req.header("content-type"), &req.body)?, Vec::new())),
        }
    }
}

/// `/v1/users` and `/users` are the same Backend API operation.
fn strip_version_prefix(path: &str) -> &str {
    match path.strip_prefix("/v1") {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// The Backend API's rule: the secret key where the operation is secured
/// (401 without one), a shared public instance where it is not. The first
/// key seen is remembered: it is the Frontend API's instance until a
/// request names another.
fn authenticate(app: &App, op: &Operation, req: &Request) -> Result<String, ApiError> {
    if !op.secured {
        return Ok(String::from("public"));
    }
    match crate::wire::secret_key(req.header("authorization"))? {
        Some(key) => {
            app.instances.note_secret_key(&key);
            Ok(key)
        }
        None => Err(ApiError::unauthorized(
            "The request is missing the Authorization header: send `Authorization: Bearer sk_test_…`.",
        )),
    }
}
