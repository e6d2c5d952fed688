//! Sessions and clients: create a session for a user (the newer specs'
//! testing-only `POST /sessions`, which also creates its client), get, list,
//! revoke, the deprecated verify, tokens (plain and from a JWT template),
//! refresh; clients: get, list (deprecated), verify a client token.
//!
//! Sessions live in collection `sessions` (`user_id`, `client_id`,
//! `status`), clients in `clients`; a client's `sessions` are read from the
//! session collection, so a revoked or deleted session shows as it is now.
//! The users module deletes a user's sessions and revokes them on a ban.
//!
//! ```text
//! POST /sessions {"user_id":"user_…"}          → {"object":"session","status":"active","client_id":"client_…",…}
//! POST /sessions/sess_…/tokens                 → {"object":"token","jwt":"eyJ…"}   (RS256, 60 s)
//! POST /sessions/sess_…/revoke                 → status "revoked"; tokens → 404
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::organizations;
use crate::state::Store;
use crate::resources::tokens::session_token;
use crate::tokens::keys;

/// Declared in `resources/collections.rs` (below the owners that read each other's).
use crate::resources::collections::{CLIENT, CLIENTS, SESSION, SESSIONS, USERS};
/// Clerk's defaults: a session expires after 7 days, is abandoned after 30.
const EXPIRE_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;
const ABANDON_AFTER_MS: i64 = 30 * 24 * 3600 * 1000;

pub fn register(registry: &mut Registry) {
    registry.add("createSession", "sessions", create);
    registry.add("GetSessionList", "sessions", list);
    registry.add("GetSession", "sessions", get);
    registry.add("RevokeSession", "sessions", revoke);
    registry.add("VerifySession", "sessions", verify);
    registry.add("CreateSessionToken", "sessions", create_token);
    registry.add("CreateSessionTokenFromTemplate", "sessions", create_template_token);
    registry.add("RefreshSession", "sessions", refresh);
    registry.add("GetClientList", "sessions", list_clients);
    registry.add("GetClient", "sessions", get_client);
    registry.add("VerifyClient", "sessions", verify_client);
}

/// A new active session (and its client) for `user_id`; the one store write
/// everything else builds on. `org_id` becomes the active organization.
pub fn start_session(store: &mut Store, user_id: &str, org_id: Option<&str>, actor: Option<Value>) -> Value {
    let session = store.create(&SESSION, |store, session_id, now| {
        let client = store.create_at(&CLIENT, now, |_, _, _| {
            json!({
                "last_active_session_id": session_id,
                "sign_in_id": null,
                "sign_up_id": null,
                "last_authentication_strategy": null,
            })
        });
        crate::resources::client_keys::insert(store, &client);
        session_fields(client["id"].as_str().unwrap_or_default(), user_id, org_id, actor, now)
    });
    mark_signed_in(store, user_id, &session);
    session
}

/// A new active session on an existing client (the Frontend API's browser
/// client): the same session object [`start_session`] stores, so BAPI lists,
/// revokes and mints tokens for it like any other.
pub fn start_session_on_client(store: &mut Store, client_id: &str, user_id: &str, org_id: Option<&str>) -> Value {
    let session = store.create(&SESSION, |_, _, now| session_fields(client_id, user_id, org_id, None, now));
    mark_signed_in(store, user_id, &session);
    session
}

/// Removes every session of a deleted user.
pub fn remove_all_of_user(store: &mut Store, user_id: &str) {
    store.remove_where(SESSIONS, |s| s["user_id"] == user_id);
}

/// A new session's fields (beside its id and object).
fn session_fields(client_id: &str, user_id: &str, org_id: Option<&str>, actor: Option<Value>, now: i64) -> Value {
    json!({
        "user_id": user_id,
        "client_id": client_id,
        "actor": actor.unwrap_or(Value::Null),
        "status": "active",
        "last_active_organization_id": org_id,
        "last_active_at": now,
        "latest_activity": null,
        "expire_at": now + EXPIRE_AFTER_MS,
        "abandon_at": now + ABANDON_AFTER_MS,
        "updated_at": now,
        "created_at": now,
        "tasks": null,
    })
}

/// The user's activity stamps follow a new session.
fn mark_signed_in(store: &mut Store, user_id: &str, session: &Value) {
    let now = session["created_at"].as_i64().unwrap_or_default();
    crate::resources::users::index::change_user(store, user_id, |user| {
        if user.get("last_active_at").is_some() {
            user["last_active_at"] = json!(now);
        }
        if user.get("last_sign_in_at").is_some() {
            user["last_sign_in_at"] = json!(now);
        }
    });
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    if ctx.instance.key.starts_with("sk_live_") {
        return Err(ApiError::not_on_production("POST /sessions is for testing only and is not available for production (sk_live_) instances."));
    }
    let Some(user_id) = ctx.str_field("user_id").map(str::to_string) else {
        return Err(ApiError::param_missing("user_id"));
    };
    let mut store = ctx.instance.store.lock();
    let session = open_session(&mut store, &user_id, ctx.str_field("active_organization_id")).map_err(|(e, _)| e)?;
    Ok(Reply::Object(session))
}

/// A session for `user_id` after the checks `POST /sessions` makes (the user
/// exists and is not banned, and belongs to the active organization); a
/// refusal names the body field at fault, for callers that report it
/// (fixtures). HTTP and fixtures both open sessions through it.
pub fn open_session(store: &mut Store, user_id: &str, active_org: Option<&str>) -> Result<Value, (ApiError, &'static str)> {
    let user = store.get(USERS, user_id).ok_or((ApiError::not_found("user"), "user_id"))?;
    if user.get("banned").and_then(Value::as_bool).unwrap_or(false) {
        return Err((ApiError::user_banned(user_id), "user_id"));
    }
    let org = match active_org {
        Some(wanted) => {
            let org_id = organizations::require_org(store, wanted).map_err(|e| (e, "active_organization_id"))?;
            if organizations::membership_of(store, &org_id, user_id).is_none() {
                let long = format!("User {user_id} is not a member of organization {org_id}.");
                return Err((ApiError::param_invalid("active_organization_id", long), "active_organization_id"));
            }
            Some(org_id)
        }
        None => None,
    };
    Ok(start_session(store, user_id, org.as_deref(), None))
}

fn get(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let session = store.get(SESSIONS, ctx.path_param("session_id")).ok_or_else(|| ApiError::not_found("session"))?;
    Ok(Reply::Object(session.clone()))
}

fn list(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let filter = |name: &str| ctx.query.get(name).and_then(Value::as_str).or_else(|| ctx.raw_query_value(name));
    let (client, user, status) = (filter("client_id"), filter("user_id"), filter("status"));
    let matched: Vec<&Value> = store
        .iter(SESSIONS)
        .filter(|s| client.is_none_or(|c| s["client_id"] == c))
        .filter(|s| user.is_none_or(|u| s["user_id"] == u))
        .filter(|s| status.is_none_or(|st| s["status"] == st))
        .collect();
    Ok(ctx.sorted_page(matched, "-created_at"))
}

/// Active and pending sessions can be revoked; revoking again is a no-op.
fn revoke(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let now = store.now_ms();
    let session = store.get_mut(SESSIONS, ctx.path_param("session_id")).ok_or_else(|| ApiError::not_found("session"))?;
    if matches!(session["status"].as_str(), Some("active" | "pending")) {
        session["status"] = json!("revoked");
        session["updated_at"] = json!(now);
    }
    Ok(Reply::Object(session.clone()))
}

fn expires_in(ctx: &Ctx) -> Option<i64> {
    ctx.field("expires_in_seconds").and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

fn create_token(ctx: &Ctx) -> Result<Reply, ApiError> {
    let jwt = session_token::mint(ctx, ctx.path_param("session_id"), expires_in(ctx))?;
    Ok(Reply::Object(json!({"object": "token", "jwt": jwt})))
}

fn create_template_token(ctx: &Ctx) -> Result<Reply, ApiError> {
    let jwt = session_token::mint_from_template(ctx, ctx.path_param("session_id"), ctx.path_param("template_name"), expires_in(ctx))?;
    Ok(Reply::Object(json!({"object": "token", "jwt": jwt})))
}

/// The claims of a token this instance signed, or an error with `status`
/// saying why not.
fn verified_claims(ctx: &Ctx, token: &str, check_expiry: bool, status: u16) -> Result<Value, ApiError> {
    let key = keys::for_instance(ctx.services.tokens, &ctx.instance)?;
    key.verify(token, check_expiry).map_err(|why| {
        ApiError::token_invalid(&why).with_status(status)
    })
}

/// A body field the operation needs, else a 400 (some versions declare it optional).
fn needed<'a>(ctx: &'a Ctx, field: &str) -> Result<&'a str, ApiError> {
    ctx.str_field(field).filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::field_required(format!("{field} must be included."))
            .with_param(field)
    })
}

/// Deprecated (v1): the session if `token` is a valid session token of it.
fn verify(ctx: &Ctx) -> Result<Reply, ApiError> {
    let session_id = ctx.path_param("session_id").to_string();
    if ctx.instance.store.lock().get(SESSIONS, &session_id).is_none() {
        return Err(ApiError::not_found("session"));
    }
    let claims = verified_claims(ctx, needed(ctx, "token")?, true, 401)?;
    let store = ctx.instance.store.lock();
    let session = store.get(SESSIONS, &session_id).ok_or_else(|| ApiError::not_found("session"))?;
    if claims.get("sid").and_then(Value::as_str) != Some(session_id.as_str()) {
        return Err(ApiError::session_token_mismatch());
    }
    if session["status"] != "active" {
        return Err(ApiError::session_not_active(&session_id, session["status"].as_str().unwrap_or("")));
    }
    Ok(Reply::Object(session.clone()))
}

/// A new session token from an expired one of the same session: unknown
/// session 404, a token this instance did not sign 400, a session that is
/// no longer active 401 (what sends the SDKs back to the handshake).
fn refresh(ctx: &Ctx) -> Result<Reply, ApiError> {
    let session_id = ctx.path_param("session_id").to_string();
    if ctx.instance.store.lock().get(SESSIONS, &session_id).is_none() {
        return Err(ApiError::not_found("session"));
    }
    let expired = needed(ctx, "expired_token")?;
    needed(ctx, "refresh_token")?;
    let claims = verified_claims(ctx, expired, false, 400)?;
    if claims.get("sid").and_then(Value::as_str) != Some(session_id.as_str()) {
        return Err(ApiError::token_of_another_session("expired_token belongs to a different session."));
    }
    let jwt = session_token::mint(ctx, &session_id, None)
        .map_err(|e| ApiError::cannot_refresh(e.errors[0].long_message.clone()))?;
    if ctx.str_field("format") == Some("cookie") {
        let cookie = format!("__session={jwt}; Path=/; SameSite=Lax; Secure");
        return Ok(Reply::Object(json!({"object": "cookies", "cookies": [cookie]})));
    }
    Ok(Reply::Object(json!({"object": "token", "jwt": jwt})))
}

/// A client as answered: its sessions as they are now.
fn client_view(store: &Store, client: &Value) -> Value {
    let id = client.get("id").and_then(Value::as_str).unwrap_or("");
    let sessions: Vec<Value> = store.iter(SESSIONS).filter(|s| s["client_id"] == id).cloned().collect();
    let mut out = client.clone();
    out["session_ids"] = json!(sessions.iter().map(|s| s["id"].clone()).collect::<Vec<_>>());
    out["sessions"] = Value::Array(sessions);
    out
}

fn get_client(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let client = store.get(CLIENTS, ctx.path_param("client_id")).ok_or_else(|| ApiError::not_found("client"))?;
    Ok(Reply::Object(client_view(&store, client)))
}

fn list_clients(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let mut all: Vec<&Value> = store.iter(CLIENTS).collect();
    crate::state::listing::sort_by_order(&mut all, "-created_at");
    let total = all.len();
    let (limit, offset) = ctx.page();
    let page = all.into_iter().skip(offset).take(limit).map(|c| client_view(&store, c)).collect();
    Ok(Reply::list(page, total))
}

/// The client a token signed by this instance names: by its `sid` (a
/// session token) or its `id` (a client token).
fn verify_client(ctx: &Ctx) -> Result<Reply, ApiError> {
    let claims = verified_claims(ctx, needed(ctx, "token")?, false, 400)?;
    let store = ctx.instance.store.lock();
    let client_id = match claims.get("sid").and_then(Value::as_str).and_then(|sid| store.get(SESSIONS, sid)) {
        Some(session) => session["client_id"].as_str().unwrap_or("").to_string(),
        None => claims.get("id").and_then(Value::as_str).unwrap_or("").to_string(),
    };
    let client = store.get(CLIENTS, &client_id).ok_or_else(|| ApiError::not_found("client"))?;
    Ok(Reply::Object(client_view(&store, client)))
}
