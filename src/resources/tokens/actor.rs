//! Actor tokens (impersonation): `POST /actor_tokens` lets `actor.sub`
//! sign in as `user_id`; `POST /actor_tokens/{id}/revoke` withdraws a
//! pending one. Stored in collection `actor_tokens`.
//!
//! ```text
//! POST /actor_tokens {"user_id":"user_A","actor":{"sub":"user_B"},"expires_in_seconds":600}
//!   → {"object":"actor_token","id":"act_…","status":"pending","actor":{"sub":"user_B"},"token":"eyJ…","url":"https://<host>/v1/tickets/accept?ticket=eyJ…"}
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::collections::USERS;

pub const COLLECTION: crate::state::CollectionKey = crate::state::CollectionKey::new("actor_tokens");
pub const KIND: crate::state::Kind = crate::state::Kind::stored("actor_token", "act", COLLECTION);
/// Clerk's defaults: the ticket lives an hour, the impersonation session 30 minutes.
const DEFAULT_EXPIRES_IN: i64 = 3600;
const DEFAULT_SESSION_MAX: i64 = 1800;

pub fn register(registry: &mut Registry) {
    registry.add("CreateActorToken", "tokens", create);
    registry.add("RevokeActorToken", "tokens", revoke);
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some(user_id) = ctx.str_field("user_id").map(str::to_string) else {
        return Err(ApiError::param_missing("user_id"));
    };
    let actor = ctx.field("actor").cloned().unwrap_or(Value::Null);
    if actor.get("sub").and_then(Value::as_str).map(str::is_empty).unwrap_or(true) {
        return Err(ApiError::param_missing("actor.sub"));
    }
    let expires_in = ctx.field("expires_in_seconds").and_then(Value::as_i64).unwrap_or(DEFAULT_EXPIRES_IN);
    let session_max = ctx.field("session_max_duration_in_seconds").and_then(Value::as_i64).unwrap_or(DEFAULT_SESSION_MAX);
    if expires_in <= 0 || session_max <= 0 {
        return Err(ApiError::param_invalid("expires_in_seconds", "Durations must be positive numbers of seconds."));
    }
    let key = crate::tokens::keys::for_instance(ctx.services.tokens, &ctx.instance)?;
    let mut store = ctx.instance.store.lock();
    if store.get(USERS, &user_id).is_none() {
        return Err(ApiError::param_invalid("user_id", format!("No user has the id {user_id}.")));
    }
    let token = store.try_create(&KIND, |_, id, now_ms| {
        let now = crate::tokens::now_secs();
        let ticket = key.sign(&json!({
            "iss": ctx.services.tokens.issuer, "sub": user_id, "sid": id, "st": "actor_token", "act": actor,
            "iat": now, "exp": now + expires_in,
        }))?;
        Ok::<_, ApiError>(json!({
            "status": "pending",
            "user_id": user_id,
            "actor": actor,
            "token": ticket,
            "url": super::sign_in::ticket_url(ctx, &ticket),
            "created_at": now_ms,
            "updated_at": now_ms,
            "_expires_at": now_ms + expires_in * 1000,
            "_session_max_duration_in_seconds": session_max,
        }))
    })?;
    Ok(Reply::Object(token))
}

fn revoke(ctx: &Ctx) -> Result<Reply, ApiError> {
    super::sign_in::revoke_pending(ctx, COLLECTION, ctx.path_param("actor_token_id"), "actor token")
}
