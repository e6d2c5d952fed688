//! Sign-in tokens (`POST /sign_in_tokens`, `POST /sign_in_tokens/{id}/revoke`):
//! a one-time ticket that signs a user in, stored in collection
//! `sign_in_tokens`.
//!
//! The `token` is a JWT signed with the instance key (`sub` = the user, `exp`
//! after `expires_in_seconds`, default 30 days) and `url` is the Frontend API
//! link that redeems it once. Only a `pending` token can be revoked:
//!
//! ```text
//! POST /sign_in_tokens {"user_id":"user_…","expires_in_seconds":600}
//!   → {"object":"sign_in_token","id":"sit_…","status":"pending","token":"eyJ…","url":"https://<host>/v1/tickets/accept?ticket=eyJ…"}
//! POST /sign_in_tokens/sit_…/revoke → status "revoked"; again → 400 cannot_revoke
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::collections::{ORGS, USERS};

pub const COLLECTION: crate::state::CollectionKey = crate::state::CollectionKey::new("sign_in_tokens");
pub const KIND: crate::state::Kind = crate::state::Kind::stored("sign_in_token", "sit", COLLECTION);
/// Clerk's default lifetime of a sign-in token: 30 days.
const DEFAULT_EXPIRES_IN: i64 = 30 * 24 * 3600;

pub fn register(registry: &mut Registry) {
    registry.add("CreateSignInToken", "tokens", create);
    registry.add("RevokeSignInToken", "tokens", revoke);
}

/// The Frontend API link that redeems a ticket.
pub fn ticket_url(ctx: &Ctx, ticket: &str) -> String {
    format!("{}/v1/tickets/accept?ticket={ticket}", ctx.services.tokens.issuer)
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some(user_id) = ctx.str_field("user_id").map(str::to_string) else {
        return Err(ApiError::param_missing("user_id"));
    };
    let expires_in = ctx.field("expires_in_seconds").and_then(Value::as_i64).unwrap_or(DEFAULT_EXPIRES_IN);
    if expires_in <= 0 {
        return Err(ApiError::param_invalid("expires_in_seconds", "expires_in_seconds must be a positive number of seconds."));
    }
    let key = crate::tokens::keys::for_instance(ctx.services.tokens, &ctx.instance)?;
    let mut store = ctx.instance.store.lock();
    if store.get(USERS, &user_id).is_none() {
        return Err(ApiError::not_found("user"));
    }
    let org_id = ctx.str_field("org_id");
    if let Some(org) = org_id {
        if store.get(ORGS, org).is_none() {
            return Err(ApiError::not_found("organization"));
        }
    }
    let token = store.try_create(&KIND, |_, id, now_ms| {
        let now = crate::tokens::now_secs();
        let ticket = key.sign(&json!({
            "iss": ctx.services.tokens.issuer, "sub": user_id, "sid": id, "st": "sign_in_token",
            "iat": now, "exp": now + expires_in,
        }))?;
        Ok::<_, ApiError>(json!({
            "status": "pending",
            "user_id": user_id,
            "token": ticket,
            "url": ticket_url(ctx, &ticket),
            "created_at": now_ms,
            "updated_at": now_ms,
            "_expires_at": now_ms + expires_in * 1000,
            "_org_id": org_id,
        }))
    })?;
    Ok(Reply::Object(token))
}

fn revoke(ctx: &Ctx) -> Result<Reply, ApiError> {
    let id = ctx.path_param("sign_in_token_id");
    revoke_pending(ctx, COLLECTION, id, "sign-in token")
}

/// Moves a `pending` token to `revoked`; anything else is a 400, as Clerk
/// answers for tokens already used or revoked.
pub fn revoke_pending(ctx: &Ctx, collection: crate::state::CollectionKey<'_>, id: &str, what: &str) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let now = store.now_ms();
    let Some(token) = store.get_mut(collection, id) else {
        return Err(ApiError::not_found(what));
    };
    let status = token.get("status").and_then(Value::as_str).unwrap_or("").to_string();
    if status != "pending" {
        return Err(ApiError::cannot_revoke(format!("The {what} {id} is {status}; only pending ones can be revoked."))
            .with_meta(json!({"status": status})));
    }
    token["status"] = json!("revoked");
    token["updated_at"] = json!(now);
    Ok(Reply::Object(token.clone()))
}
