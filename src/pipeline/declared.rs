//! Backend API operations the project declares because no spec does, but
//! the SDKs call: today `GET /v1/clients/handshake_payload?nonce=…`, which
//! `@clerk/backend`'s `authenticateRequest` calls to resolve a dev-instance
//! handshake (Clerk's BAPI documents list the path with no operation).
//!
//! They are served like any Backend API operation: authenticated by the
//! secret key, seen by scenarios (by their operationId here), journaled, and
//! listed in COVERAGE.md as *project-declared*. A declared path is matched
//! exactly and before the spec's routes (the specs' `GET /clients/{client_id}`
//! would otherwise take `/clients/handshake_payload`); a spec that one day
//! declares the operationId itself wins.
//!
//! ```text
//! GET /v1/clients/handshake_payload?nonce=n_1 + Bearer sk_test_… → 200 {"directives": ["__session=…", …]}
//! GET /v1/clients/handshake_payload                               → 400 form_param_missing (nonce)
//! ```

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Handler, Reply};
use crate::openapi::{Operation, Param, ParamIn, ResponseSpec};

/// One project-declared operation: where it is and who serves it.
pub struct Declared {
    pub op: Operation,
    pub handler: Handler,
    /// Why the project declares it (COVERAGE.md).
    pub why: &'static str,
}

/// (operationId, method, path without `/v1`, summary, why, handler).
type Entry = (&'static str, &'static str, &'static str, &'static str, &'static str, Handler);

const ENTRIES: &[Entry] = &[(
    "GetHandshakePayload",
    "GET",
    "/clients/handshake_payload",
    "The cookie directives of a handshake nonce",
    "@clerk/backend resolves dev-instance handshakes with it; the specs list the path without an operation",
    handshake_payload,
)];

/// Every project-declared operation, built once.
pub fn table() -> &'static [Declared] {
    static TABLE: OnceLock<Vec<Declared>> = OnceLock::new();
    TABLE.get_or_init(|| ENTRIES.iter().map(declare).collect())
}

/// The declared operation at a method and path (`/v1` already stripped).
pub fn find(method: &str, path: &str) -> Option<&'static Declared> {
    table().iter().find(|d| d.op.method.eq_ignore_ascii_case(method) && d.op.path == path)
}

/// The declared operation of an operationId.
pub fn by_id(id: &str) -> Option<&'static Declared> {
    table().iter().find(|d| d.op.id == id)
}

fn declare(&(id, method, path, summary, why, handler): &Entry) -> Declared {
    let nonce = Param { name: "nonce".into(), location: ParamIn::Query, required: true, explode: true, schema: json!({"type": "string"}) };
    let schema = json!({"type": "object", "required": ["directives"], "properties": {"directives": {"type": "array", "items": {"type": "string"}}}});
    let op = Operation {
        id: id.into(),
        method: method.into(),
        path: path.into(),
        tags: vec!["Project-declared".into()],
        summary: summary.into(),
        deprecated: false,
        secured: true,
        params: vec![nonce],
        body: None,
        responses: vec![ResponseSpec::unvalidated(Some(200), "200".into(), Some(schema))],
        query_validator: None,
        path_validator: None,
    };
    Declared { op, handler, why }
}

/// `GET /v1/clients/handshake_payload?nonce=`: the directives the Frontend
/// API stored under the nonce ([`crate::resources::frontend`]'s handshake).
fn handshake_payload(ctx: &Ctx) -> Result<Reply, ApiError> {
    let nonce = ctx.raw_query_value("nonce").filter(|n| !n.is_empty()).ok_or_else(|| {
        ApiError::field_required("nonce is required: the `__clerk_handshake_nonce` the handshake redirect carried.").with_param("nonce")
    })?;
    let payload: Value = crate::resources::frontend::handshake_payload(&ctx.instance, nonce)?;
    Ok(Reply::Object(payload))
}
