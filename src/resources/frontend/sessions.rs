//! Sessions seen from the browser (FAPI.md §2.3 #15–19): touch (with an
//! organization switch), tokens (bare `{object:"token", jwt}`), template
//! tokens, end, remove, sign out of all, get.
//!
//! A browser session IS a Backend API session (collection `sessions`, made by
//! `resources/sessions::start_session_on_client`): BAPI lists and revokes it,
//! and a session revoked or a user banned there answers the next token call
//! with a 401 (`signed_out`), on which clerk-js reloads the client, finds no
//! live session and signs out.
//!
//! ```text
//! POST /v1/client/sessions/sess_…/touch active_organization_id=org_…  → {response: session, client}
//! POST /v1/client/sessions/sess_…/tokens organization_id=org_…        → {"object":"token","jwt":"eyJ…"}
//! POST /v1/client/sessions?_method=DELETE                             → {response: client (no sessions), client: null}
//! ```

use serde_json::{json, Value};

use super::flow::{self, Flow};
use super::token::{self, Mint};
use super::{view, FrontendAnswer, FrontendCall};
use crate::error::ApiError;
use crate::resources::organizations;
use crate::resources::sessions::start_session_on_client;
use crate::resources::collections::SESSIONS;
use crate::resources::tokens::session_token;

/// Starts a session for `user_id` on this browser's client and makes it the
/// last active one. Single-session mode: other live sessions of the client end.
pub fn sign_in_user(flow: &mut Flow, user_id: &str, strategy: &str) -> Value {
    let now = flow.store.now_ms();
    let client_id = flow.client_id.clone();
    flow.store.update_where(
        SESSIONS,
        |s| s["client_id"] == client_id.as_str() && view::is_live(s),
        |s| {
            s["status"] = json!("ended");
            s["updated_at"] = json!(now);
        },
    );
    let session = start_session_on_client(&mut flow.store, &client_id, user_id, None);
    let session_id = session["id"].clone();
    flow.update_client(|c| {
        c["last_active_session_id"] = session_id;
        c["last_authentication_strategy"] = json!(strategy);
    });
    session
}

fn path_session<'c>(call: &'c FrontendCall) -> &'c str {
    call.path.get("session_id").and_then(Value::as_str).unwrap_or("")
}

/// The session a path names, if it belongs to this client (any status).
fn own_session(flow: &Flow) -> Result<Value, ApiError> {
    match flow.store.get(SESSIONS, path_session(flow.call)) {
        Some(s) if s["client_id"] == flow.client_id.as_str() => Ok(s.clone()),
        _ => Err(flow::not_found(flow.call, "session")),
    }
}

/// A live session of this client, else the 401 that signs clerk-js out.
fn live_session(flow: &Flow) -> Result<Value, ApiError> {
    let session = own_session(flow)?;
    if !view::is_live(&session) {
        return Err(ApiError::signed_out());
    }
    Ok(session)
}

fn session_answer(mut flow: Flow, session_id: &str) -> Result<FrontendAnswer, ApiError> {
    let mint = flow.mint();
    let not_before = flow.client()["updated_at"].as_i64().unwrap_or(0) / 1000;
    let session = view::session(&mut flow.store, &flow.key.clone(), session_id, &mint, not_before)?;
    flow.wrapped(session)
}

pub fn get(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let flow = Flow::begin(call)?;
    let session = own_session(&flow)?;
    let id = session["id"].as_str().unwrap_or("").to_string();
    session_answer(flow, &id)
}

/// `active_organization_id`: absent keeps the current one, empty is the
/// personal account, else an organization (id or slug) the user belongs to.
fn organization_choice(flow: &Flow, user_id: &str, field: &str) -> Result<Option<Value>, ApiError> {
    let Some(wanted) = flow.call.body.get(field).filter(|v| !v.is_null()) else { return Ok(None) };
    let wanted = wanted.as_str().unwrap_or("").trim();
    if wanted.is_empty() {
        return Ok(Some(Value::Null));
    }
    let org_id = organizations::find_org(&flow.store, wanted)
        .and_then(|o| o["id"].as_str())
        .map(String::from)
        .ok_or_else(|| flow::not_found(flow.call, "organization"))?;
    if organizations::membership_of(&flow.store, &org_id, user_id).is_none() {
        return Err(ApiError::not_a_member(&org_id));
    }
    Ok(Some(json!(org_id)))
}

pub fn touch(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let session = live_session(&flow)?;
    let id = session["id"].as_str().unwrap_or("").to_string();
    let org = organization_choice(&flow, session["user_id"].as_str().unwrap_or(""), "active_organization_id")?;
    let now = flow.store.now_ms();
    if let Some(s) = flow.store.get_mut(SESSIONS, &id) {
        s["last_active_at"] = json!(now);
        if let Some(org) = org {
            s["last_active_organization_id"] = org;
        }
    }
    // The client changes (and `__client_uat` with it) only when the touch
    // picks another session: a focus touch keeps the cookies clerk-js holds.
    if flow.client()["last_active_session_id"] != id.as_str() {
        flow.update_client(|c| c["last_active_session_id"] = json!(id));
    }
    session_answer(flow, &id)
}

fn bare_token(flow: Flow, jwt: String) -> Result<FrontendAnswer, ApiError> {
    flow.exact(json!({"object": "token", "jwt": jwt}))
}

/// `organization_id` in the body: absent → the session's active organization.
pub fn create_token(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let session = live_session(&flow)?;
    let user_id = session["user_id"].as_str().unwrap_or("").to_string();
    let org = organization_choice(&flow, &user_id, "organization_id")?;
    let org_text = org.as_ref().map(|o| o.as_str().unwrap_or("").to_string());
    let mint = Mint { organization: org_text.as_deref(), ..flow.mint() };
    let key = flow.key.clone();
    let (jwt, _, _) = token::mint(&mut flow.store, &key, path_session(call), &mint)?;
    bare_token(flow, jwt)
}

pub fn create_template_token(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    live_session(&flow)?;
    let template = call.path.get("template_name").and_then(Value::as_str).unwrap_or("").to_string();
    let key = flow.key.clone();
    let category = json!({"cat": token::TEMPLATE_CATEGORY});
    let jwt = session_token::sign_template_token(&mut flow.store, &key, &call.services.tokens.issuer, path_session(call), &template, None, &category)?;
    bare_token(flow, jwt)
}

fn set_status(flow: &mut Flow, session_id: &str, status: &str) {
    let now = flow.store.now_ms();
    if let Some(s) = flow.store.get_mut(SESSIONS, session_id) {
        if view::is_live(s) {
            s["status"] = json!(status);
            s["updated_at"] = json!(now);
        }
    }
    let id = session_id.to_string();
    flow.update_client(|c| {
        if c["last_active_session_id"] == id.as_str() {
            c["last_active_session_id"] = Value::Null;
        }
    });
}

fn finish(call: &FrontendCall, status: &str) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let session = own_session(&flow)?;
    let id = session["id"].as_str().unwrap_or("").to_string();
    set_status(&mut flow, &id, status);
    session_answer(flow, &id)
}

pub fn end(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    finish(call, "ended")
}

pub fn remove(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    finish(call, "removed")
}

/// Ends every live session of this client (clerk-js `signOut()`).
pub fn end_all(flow: &mut Flow) {
    for id in view::live_sessions(&flow.store, &flow.client_id) {
        set_status(flow, &id, "ended");
    }
    flow.update_client(|c| {
        c["last_active_session_id"] = Value::Null;
        c["sign_in_id"] = Value::Null;
        c["sign_up_id"] = Value::Null;
    });
}

/// `DELETE /v1/client/sessions`: signed out, the client kept.
pub fn remove_all(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    end_all(&mut flow);
    flow.client_alone()
}
