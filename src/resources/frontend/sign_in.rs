//! Sign-in (FAPI.md §2.4): `POST /v1/client/sign_ins` with an identifier
//! (→ `needs_first_factor` and the factors the user has), the one-shot
//! `identifier` + `password` + `strategy=password`, a `ticket` from BAPI's
//! `POST /v1/sign_in_tokens` (complete at once, the token consumed); then
//! `prepare_first_factor` (an email code in the outbox) and
//! `attempt_first_factor` (password or code). A completed attempt has
//! `created_session_id` and the piggybacked client holds that session.
//!
//! ```text
//! POST /v1/client/sign_ins identifier=ada@example.com        → needs_first_factor, [password, email_code]
//! POST …/attempt_first_factor strategy=password&password=…   → complete, created_session_id=sess_…
//! POST /v1/client/sign_ins strategy=ticket&ticket=eyJ…       → complete
//! ```

use serde_json::{json, Value};

use super::attempts::{ABANDON_AFTER_MS, CODE_LIFETIME_MS, SIGN_IN, SIGN_INS};
use super::flow::{self, Flow};
use super::{sessions, FrontendAnswer, FrontendCall};
use crate::error::ApiError;
use crate::resources::outbox;
use crate::resources::passwords;
use crate::resources::users::index;
use crate::resources::collections::USERS;
use crate::resources::tokens::sign_in as sign_in_tokens;

fn text<'b>(body: &'b Value, field: &str) -> Option<&'b str> {
    body.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The user an identifier names: email address, username or phone number.
pub fn find_user(store: &mut crate::state::Store, identifier: &str) -> Option<String> {
    index::user_with_email(store, identifier)
        .or_else(|| index::owner(store, index::USERNAME, &index::normalize_username(identifier)))
        .or_else(|| index::owner(store, index::PHONE, &index::normalize_phone(identifier)).filter(|_| identifier.starts_with('+')))
}

/// Banned and locked users cannot sign in.
pub fn check_allowed(user: &Value) -> Result<(), ApiError> {
    if user["banned"] == true {
        return Err(ApiError::sign_in_banned());
    }
    if user["locked"] == true {
        return Err(ApiError::sign_in_locked());
    }
    Ok(())
}

/// The first factors a user can sign in with.
fn first_factors(user: &Value) -> Vec<Value> {
    let mut factors = Vec::new();
    if user["password_enabled"] == true {
        factors.push(json!({"strategy": "password"}));
    }
    for email in user["email_addresses"].as_array().into_iter().flatten() {
        factors.push(json!({
            "strategy": "email_code",
            "email_address_id": email["id"],
            "safe_identifier": email["email_address"],
            "primary": email["id"] == user["primary_email_address_id"],
        }));
    }
    factors
}

fn user_data(user: &Value) -> Value {
    json!({"first_name": user["first_name"], "last_name": user["last_name"], "image_url": user["image_url"], "has_image": user["has_image"]})
}

/// A new attempt of this client, stored: made once every check of the
/// request it answers has passed, so a refused request leaves none behind.
fn new_attempt(flow: &mut Flow, identifier: Option<&str>, user: Option<&Value>) -> Value {
    let status = if user.is_some() { "needs_first_factor" } else { "needs_identifier" };
    let client_id = flow.client_id.clone();
    flow.store.create(&SIGN_IN, |_, _, now| {
        json!({
            "status": status,
            "supported_identifiers": ["email_address", "username"],
            "supported_first_factors": user.map(first_factors), "supported_second_factors": null,
            "first_factor_verification": null, "second_factor_verification": null,
            "identifier": identifier, "user_data": user.map(user_data), "created_session_id": null,
            "abandon_at": now + ABANDON_AFTER_MS, "created_at": now,
            "_user_id": user.and_then(|u| u["id"].as_str()), "_client_id": client_id,
        })
    })
}

/// The stored user of an id.
fn stored_user(flow: &Flow, user_id: &str) -> Option<Value> {
    flow.store.get(USERS, user_id).cloned()
}

/// Stores the attempt, points the client at it, answers it with the client.
fn save_and_answer(mut flow: Flow, attempt: Value) -> Result<FrontendAnswer, ApiError> {
    let id = attempt["id"].as_str().unwrap_or("").to_string();
    flow.store.insert(SIGN_INS, &id, attempt.clone());
    flow.update_client(|c| c["sign_in_id"] = json!(id));
    flow.wrapped(attempt)
}

/// Signs the attempt's user in: a new session on this client.
fn complete(flow: &mut Flow, attempt: &mut Value, strategy: &str) {
    let user_id = attempt["_user_id"].as_str().unwrap_or("").to_string();
    let session = sessions::sign_in_user(flow, &user_id, strategy);
    attempt["status"] = json!("complete");
    attempt["created_session_id"] = session["id"].clone();
}

pub fn create(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    if flow.acting_session().is_some() {
        return Err(ApiError::session_exists());
    }
    let body = &call.body;
    if text(body, "strategy") == Some("ticket") || text(body, "ticket").is_some() {
        return ticket(flow, text(body, "ticket").unwrap_or(""));
    }
    let Some(identifier) = text(body, "identifier") else {
        let attempt = new_attempt(&mut flow, None, None);
        return save_and_answer(flow, attempt);
    };
    let user_id = find_user(&mut flow.store, identifier).ok_or_else(ApiError::identifier_not_found)?;
    let user = stored_user(&flow, &user_id).unwrap_or(Value::Null);
    check_allowed(&user)?;
    match (text(body, "strategy"), body.get("password").and_then(Value::as_str)) {
        (Some("password") | None, Some(password)) => {
            check_password(&user, password)?;
            let mut attempt = new_attempt(&mut flow, Some(identifier), Some(&user));
            attempt["first_factor_verification"] = json!({"object": "verification_password", "status": "verified", "strategy": "password", "attempts": 1});
            complete(&mut flow, &mut attempt, "password");
            save_and_answer(flow, attempt)
        }
        (Some("email_code"), _) => {
            let email_id = user["primary_email_address_id"].as_str().unwrap_or("").to_string();
            let address = email_address(&user, &email_id)?;
            let mut attempt = new_attempt(&mut flow, Some(identifier), Some(&user));
            send_email_code(&mut flow, &mut attempt, &address, &email_id);
            save_and_answer(flow, attempt)
        }
        _ => {
            let attempt = new_attempt(&mut flow, Some(identifier), Some(&user));
            save_and_answer(flow, attempt)
        }
    }
}

fn check_password(user: &Value, password: &str) -> Result<(), ApiError> {
    match user.get("_password").filter(|p| !p.is_null()) {
        Some(stored) if passwords::verify(stored, password) => Ok(()),
        Some(_) => Err(ApiError::password_incorrect()),
        None => Err(ApiError::strategy_invalid("password")),
    }
}

/// `strategy=ticket`: a pending, unexpired sign-in token of this instance.
fn ticket(mut flow: Flow, ticket: &str) -> Result<FrontendAnswer, ApiError> {
    if ticket.is_empty() {
        return Err(ApiError::param_missing("ticket"));
    }
    let claims = flow.key.verify(ticket, true).map_err(|why| ApiError::ticket_invalid(&why))?;
    let token_id = claims["sid"].as_str().unwrap_or("").to_string();
    let now = flow.store.now_ms();
    let stored = flow.store.get(sign_in_tokens::COLLECTION, &token_id).cloned().ok_or_else(|| ApiError::ticket_invalid("no such sign-in token"))?;
    if stored["status"] != "pending" || stored["_expires_at"].as_i64().is_some_and(|at| at <= now) {
        return Err(ApiError::ticket_invalid(&format!("the sign-in token is {}", stored["status"].as_str().unwrap_or("expired"))));
    }
    let user_id = stored["user_id"].as_str().unwrap_or("").to_string();
    let user = stored_user(&flow, &user_id).ok_or_else(|| ApiError::ticket_invalid("its user no longer exists"))?;
    check_allowed(&user)?;
    if let Some(t) = flow.store.get_mut(sign_in_tokens::COLLECTION, &token_id) {
        t["status"] = json!("accepted");
        t["updated_at"] = json!(now);
    }
    let identifier = crate::resources::organizations::user_identifier(&user);
    let mut attempt = new_attempt(&mut flow, identifier.as_deref(), Some(&user));
    attempt["first_factor_verification"] = json!({"object": "verification_ticket", "status": "verified", "strategy": "ticket", "attempts": 1});
    complete(&mut flow, &mut attempt, "ticket");
    save_and_answer(flow, attempt)
}

/// The attempt a path names, if it belongs to this client.
fn load(flow: &Flow) -> Result<Value, ApiError> {
    let id = flow.call.path.get("sign_in_id").and_then(Value::as_str).unwrap_or("");
    match flow.store.get(SIGN_INS, id) {
        Some(a) if a["_client_id"] == flow.client_id.as_str() => Ok(a.clone()),
        _ => Err(flow::not_found(flow.call, "sign in")),
    }
}

/// What both factor steps start from: the path's attempt, still open, and its user.
fn open_for_factor(flow: &Flow) -> Result<(Value, Value), ApiError> {
    let attempt = load(flow)?;
    if attempt["status"] == "complete" {
        return Err(ApiError::verification_already_verified());
    }
    let user_id = attempt["_user_id"].as_str().unwrap_or("");
    let user = stored_user(flow, user_id).ok_or_else(ApiError::identifier_not_found)?;
    Ok((attempt, user))
}

pub fn get(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let flow = Flow::begin(call)?;
    let attempt = load(&flow)?;
    flow.wrapped(attempt)
}

/// The address of the user's email `email_id` (a 422 when it has none such).
fn email_address(user: &Value, email_id: &str) -> Result<String, ApiError> {
    user["email_addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["id"] == email_id)
        .and_then(|e| e["email_address"].as_str())
        .map(str::to_string)
        .ok_or_else(|| ApiError::param_invalid("email_address_id", format!("{email_id} is not an email address of this account.")))
}

/// Sends the code to `address` (the user's email `email_id`) and records the attempt's factor as prepared.
fn send_email_code(flow: &mut Flow, attempt: &mut Value, address: &str, email_id: &str) {
    let code = flow.call.services.flows.verification_code.clone();
    let now = flow.store.now_ms();
    let id = attempt["id"].as_str().unwrap_or("").to_string();
    outbox::send_code_email(&mut flow.store, address, &code, "sign_in_attempt", &id);
    attempt["first_factor_verification"] = json!({
        "object": "verification_otp", "status": "unverified", "strategy": "email_code",
        "attempts": 0, "expire_at": now + CODE_LIFETIME_MS,
    });
    attempt["_code_email_id"] = json!(email_id);
}

pub fn prepare_first_factor(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let (mut attempt, user) = open_for_factor(&flow)?;
    match text(&call.body, "strategy") {
        Some("email_code") => {
            let email_id = text(&call.body, "email_address_id").or(user["primary_email_address_id"].as_str()).unwrap_or("").to_string();
            let address = email_address(&user, &email_id)?;
            send_email_code(&mut flow, &mut attempt, &address, &email_id);
        }
        Some("password") => {}
        Some(other) => return Err(ApiError::strategy_invalid(other)),
        None => return Err(ApiError::param_missing("strategy")),
    }
    save_and_answer(flow, attempt)
}

pub fn attempt_first_factor(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let (mut attempt, user) = open_for_factor(&flow)?;
    check_allowed(&user)?;
    match text(&call.body, "strategy") {
        Some("password") => {
            let password = call.body.get("password").and_then(Value::as_str).ok_or_else(|| ApiError::param_missing("password"))?;
            check_password(&user, password)?;
            attempt["first_factor_verification"] = json!({"object": "verification_password", "status": "verified", "strategy": "password", "attempts": 1});
            complete(&mut flow, &mut attempt, "password");
        }
        Some("email_code") => {
            if attempt["first_factor_verification"]["strategy"] != "email_code" {
                return Err(ApiError::strategy_invalid("email_code"));
            }
            let code = text(&call.body, "code").ok_or_else(|| ApiError::param_missing("code"))?;
            let attempts = attempt["first_factor_verification"]["attempts"].as_i64().unwrap_or(0) + 1;
            attempt["first_factor_verification"]["attempts"] = json!(attempts);
            if code != call.services.flows.verification_code {
                let id = attempt["id"].as_str().unwrap_or("").to_string();
                flow.store.insert(SIGN_INS, &id, attempt);
                return Err(ApiError::verification_code_incorrect());
            }
            attempt["first_factor_verification"]["status"] = json!("verified");
            complete(&mut flow, &mut attempt, "email_code");
        }
        Some(other) => return Err(ApiError::strategy_invalid(other)),
        None => return Err(ApiError::param_missing("strategy")),
    }
    save_and_answer(flow, attempt)
}
