//! How the browser sees stored objects (FAPI.md §2.5): the client with its
//! live sessions, each session with its full user and `last_active_token`,
//! the user with its organization memberships inline.
//!
//! Everything is read from the shared store at answer time, so a change made
//! through the Backend API (a ban, a revoked session, a new membership) shows
//! in the very next Frontend API answer. Answers are then conformed to the
//! FAPI spec's response schema by the flow (`flow.rs`).
//!
//! ```text
//! {"object":"client","id":"client_…","sessions":[{"object":"session","status":"active",
//!   "user":{…,"organization_memberships":[…]},"last_active_token":{"object":"token","jwt":"eyJ…"}}],
//!  "sign_in":null,"sign_up":null,"last_active_session_id":"sess_…","cookie_expires_at":…,"captcha_bypass":true}
//! ```

use serde_json::{json, Value};

use super::attempts::{SIGN_INS, SIGN_UPS};
use super::token::{self, Mint};
use crate::error::ApiError;
use crate::resources::organizations::{self, memberships};
use crate::resources::collections::{MEMBERSHIPS, USERS};
use crate::resources::collections::{CLIENTS, SESSIONS};
use crate::state::Store;
use crate::tokens::keys::SigningKey;

/// The client cookie lives a year; clerk-js only redirects to
/// `/v1/client/touch` when it is within 8 days of expiring.
const COOKIE_LIFETIME_MS: i64 = 365 * 24 * 3600 * 1000;

/// Whether a session counts as signed in.
pub fn is_live(session: &Value) -> bool {
    matches!(session["status"].as_str(), Some("active" | "pending"))
}

/// The live sessions of a client, oldest first.
pub fn live_sessions(store: &Store, client_id: &str) -> Vec<String> {
    store
        .iter(SESSIONS)
        .filter(|s| s["client_id"] == client_id && is_live(s))
        .filter_map(|s| s["id"].as_str().map(String::from))
        .collect()
}

/// The user as the Frontend API shows it: no private metadata, memberships inline.
pub fn user(store: &Store, user: &Value) -> Value {
    let mut out = user.clone();
    if let Some(map) = out.as_object_mut() {
        map.remove("private_metadata");
    }
    let id = user["id"].as_str().unwrap_or("");
    let memberships: Vec<Value> = store
        .iter(MEMBERSHIPS)
        .filter(|m| m["_user_id"] == id)
        .map(|m| membership(store, m))
        .collect();
    out["organization_memberships"] = Value::Array(memberships);
    out
}

/// A membership as the browser sees it (its organization fresh, no private metadata).
pub fn membership(store: &Store, stored: &Value) -> Value {
    let mut out = memberships::view(store, stored);
    if let Some(map) = out.as_object_mut() {
        map.remove("private_metadata");
    }
    if let Some(org) = out.get_mut("organization").and_then(Value::as_object_mut) {
        org.remove("private_metadata");
        org.entry("admin_delete_enabled").or_insert(json!(true));
    }
    out
}

/// A session with its user, public user data and last active token.
pub fn session(store: &mut Store, key: &SigningKey, session_id: &str, mint: &Mint, not_before: i64) -> Result<Value, ApiError> {
    let mut out = store.get(SESSIONS, session_id).cloned().unwrap_or(Value::Null);
    let user_id = out["user_id"].as_str().unwrap_or("").to_string();
    let now = store.last_time_ms;
    if let Some(u) = store.get(USERS, &user_id) {
        let public = organizations::public_user_data(u);
        out["user"] = user(store, u);
        out["public_user_data"] = public;
    }
    let signed_in = out["created_at"].as_i64().unwrap_or(now);
    out["factor_verification_age"] = json!([((now - signed_in) / 60_000).max(0), -1]);
    out["last_active_token"] = if is_live(&out) {
        token::last_active_token(store, key, session_id, &Mint { organization: None, ..*mint }, not_before)?
    } else {
        Value::Null
    };
    Ok(out)
}

/// The whole client as clerk-js replaces its state with.
pub fn client(store: &mut Store, key: &SigningKey, client_id: &str, mint: &Mint) -> Result<Value, ApiError> {
    let stored = store.get(CLIENTS, client_id).cloned().unwrap_or(Value::Null);
    let not_before = stored["updated_at"].as_i64().unwrap_or(0) / 1000;
    let mut sessions = Vec::new();
    for id in live_sessions(store, client_id) {
        sessions.push(session(store, key, &id, mint, not_before)?);
    }
    let last = stored["last_active_session_id"].as_str().filter(|id| sessions.iter().any(|s| s["id"] == *id));
    let last = last.map(String::from).or_else(|| sessions.last().and_then(|s| s["id"].as_str().map(String::from)));
    let sign_in = stored["sign_in_id"].as_str().and_then(|id| store.get(SIGN_INS, id)).map(sign_in);
    let sign_up = stored["sign_up_id"].as_str().and_then(|id| store.get(SIGN_UPS, id)).cloned();
    let created = stored["created_at"].as_i64().unwrap_or(0);
    Ok(json!({
        "object": "client",
        "id": client_id,
        "sessions": sessions,
        "sign_in": sign_in,
        "sign_up": sign_up,
        "last_active_session_id": last,
        "last_authentication_strategy": stored["last_authentication_strategy"],
        "cookie_expires_at": created + COOKIE_LIFETIME_MS,
        "captcha_bypass": true,
        "created_at": created,
        "updated_at": stored["updated_at"],
    }))
}

/// A sign-in as answered: the stored attempt minus internal keys.
pub fn sign_in(stored: &Value) -> Value {
    stored.clone()
}
