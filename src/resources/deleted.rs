//! The answer to a delete, shared by the generic engine and the resource
//! modules that delete by hand (users): Clerk's `DeletedObject` where the
//! operation's spec answers one, else the removed object itself.
//!
//! ```text
//! DELETE /v1/users/user_1  → {"object": "user", "id": "user_1", "deleted": true}
//! ```
//!
//! Its own module, not the generic engine's, so a resource module that uses
//! it does not depend on the engine (which depends on every kind).

use serde_json::{Map, Value};

use crate::handler::Ctx;
use crate::registry::classify::has_property;

/// `DeletedObject` where the spec answers one, else the removed item.
pub fn deleted_answer(ctx: &Ctx, removed: &Value) -> Value {
    let success = ctx.success_schema().map(|s| ctx.synth().flatten(s)).unwrap_or_default();
    if has_property(&success, "deleted") {
        let mut out = Map::new();
        out.insert("object".into(), removed.get("object").cloned().unwrap_or(Value::String("deleted".into())));
        out.insert("id".into(), removed.get("id").cloned().unwrap_or(Value::Null));
        for extra in ["slug", "external_id"] {
            if let Some(v) = removed.get(extra).filter(|v| !v.is_null()) {
                out.insert(extra.into(), v.clone());
            }
        }
        out.insert("deleted".into(), Value::Bool(true));
        Value::Object(out)
    } else {
        removed.clone()
    }
}
