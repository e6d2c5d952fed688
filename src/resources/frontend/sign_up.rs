//! Sign-up with email + password and an email code (FAPI.md §2.4):
//! create → `missing_requirements` with `unverified_fields:["email_address"]`,
//! `prepare_verification` → the code in the outbox, `attempt_verification`
//! → the user created in the shared store through `resources/users`
//! (uniqueness, password policy and hashing, `user.created`), a session on
//! this client, `status: complete` with `created_user_id` and
//! `created_session_id`. `PATCH` updates the fields of an open sign-up.
//!
//!
//! **By invitation**: `strategy=ticket&ticket=…` (the `__clerk_ticket` of a
//! BAPI invitation's URL) takes the invitation's email address as verified
//! (`verification_ticket`) and its public metadata; once a password is set
//! (in the same create or a later `PATCH`) the user is created and the
//! invitation reads `accepted`. A ticket that is unknown, used, revoked or
//! expired is a 422 `ticket_invalid`.
//!
//! ```text
//! POST /v1/client/sign_ups strategy=ticket&ticket=tkt_…&password=…      → complete, the invitation accepted
//! POST /v1/client/sign_ups email_address=ada@example.com&password=…   → missing_requirements
//! POST …/prepare_verification strategy=email_code                     → an email to ada@example.com with 424242
//! POST …/attempt_verification strategy=email_code&code=424242         → complete, created_user_id=user_…
//! ```

use serde_json::{json, Map, Value};

use super::attempts::{ABANDON_AFTER_MS, CODE_LIFETIME_MS, SIGN_UP, SIGN_UPS};
use super::flow::{self, Flow};
use super::{sessions, FrontendAnswer, FrontendCall};
use crate::error::ApiError;
use crate::resources::{invitations, outbox};
use crate::resources::passwords;
use crate::resources::users::{checks, index, insert_user, model};
use crate::state::Store;

/// What the environment requires (`environment.rs`): an email and a password.
const REQUIRED: &[&str] = &["email_address", "password"];
const OPTIONAL: &[&str] = &["first_name", "last_name", "username", "phone_number"];

fn text<'b>(body: &'b Value, field: &str) -> Option<&'b str> {
    body.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The email verification once a code was sent. Before that the attempt
/// carries `null`: the spec's OTP verification has no "not yet prepared"
/// strategy, and @clerk/ui skips its own prepare call when it sees an
/// unverified `email_code` verification (it takes the code as already sent).
fn prepared_verification(now: i64) -> Value {
    json!({
        "object": "verification_otp", "status": "unverified", "strategy": "email_code", "attempts": 0,
        "expire_at": now + CODE_LIFETIME_MS, "next_action": "needs_attempt", "supported_strategies": ["email_code"],
    })
}

/// Takes the fields a create or update body sets, checked as Clerk does.
fn apply_fields(store: &mut Store, attempt: &mut Value, body: &Value) -> Result<(), ApiError> {
    index::ensure_fresh(store);
    if let Some(email) = text(body, "email_address") {
        checks::check_email(email, "email_address")?;
        checks::ensure_free(&*store, index::EMAIL, &index::normalize_email(email), "email_address", None)?;
        if attempt["email_address"].as_str() != Some(email) {
            attempt["email_address"] = json!(email);
            attempt["verifications"]["email_address"] = Value::Null;
        }
    }
    if let Some(username) = text(body, "username") {
        checks::check_username(username)?;
        checks::ensure_free(&*store, index::USERNAME, &index::normalize_username(username), "username", None)?;
        attempt["username"] = json!(username);
    }
    if let Some(password) = body.get("password").and_then(Value::as_str) {
        passwords::check_policy(password, false)?;
        let salt = format!("{}:{}:{}", store.instance_key, store.seed, store.id_sequence);
        attempt["_password"] = passwords::hash(password, &salt);
        attempt["password_enabled"] = json!(true);
    }
    for field in ["first_name", "last_name", "phone_number"] {
        if let Some(v) = text(body, field) {
            attempt[field] = json!(v);
        }
    }
    if let Some(metadata) = body.get("unsafe_metadata").filter(|m| m.is_object()) {
        attempt["unsafe_metadata"] = metadata.clone();
    }
    if body.get("legal_accepted").is_some_and(|v| v == true || v == "true") {
        attempt["legal_accepted_at"] = json!(store.now_ms());
    }
    Ok(())
}

/// Recomputes `missing_fields`, `unverified_fields` and `status`.
fn refresh_status(attempt: &mut Value) {
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|f| match *f {
            "password" => attempt["password_enabled"] != true,
            field => attempt[field].is_null(),
        })
        .collect();
    let unverified: Vec<&str> =
        if !attempt["email_address"].is_null() && attempt["verifications"]["email_address"]["status"] != "verified" {
            vec!["email_address"]
        } else {
            vec![]
        };
    let done = missing.is_empty() && unverified.is_empty();
    attempt["missing_fields"] = json!(missing);
    attempt["unverified_fields"] = json!(unverified);
    if attempt["status"] != "complete" {
        attempt["status"] = json!(if done { "complete" } else { "missing_requirements" });
    }
}

/// The email verification a sign-up by invitation ticket starts with.
fn ticket_verification() -> Value {
    json!({
        "object": "verification_ticket", "status": "verified", "strategy": "ticket", "attempts": null, "expire_at": null,
        "next_action": "", "supported_strategies": ["ticket"],
    })
}

/// The verification the created user's email address keeps.
fn user_email_verification(attempt: &Value, now: i64) -> Value {
    if attempt["verifications"]["email_address"]["strategy"] == "ticket" {
        json!({"object": "verification_ticket", "status": "verified", "strategy": "ticket", "attempts": null, "expire_at": null})
    } else {
        json!({"object": "verification_otp", "status": "verified", "strategy": "email_code", "attempts": 1, "expire_at": now + CODE_LIFETIME_MS})
    }
}

/// The pending invitation a create body's ticket names, if it sends one.
fn invitation_of(store: &mut Store, body: &Value) -> Result<Option<Value>, ApiError> {
    if text(body, "strategy") != Some("ticket") && text(body, "ticket").is_none() {
        return Ok(None);
    }
    let ticket = text(body, "ticket").ok_or_else(|| ApiError::param_missing("ticket"))?;
    invitations::pending_by_ticket(store, ticket).map(Some).map_err(|why| ApiError::ticket_invalid(&why))
}

/// A new attempt of this client with the fields `body` sets (and, by
/// ticket, the invitation's address and metadata), stored only when they
/// pass their checks (a refused create leaves no attempt behind).
fn new_attempt(flow: &mut Flow, body: &Value, invitation: Option<&Value>) -> Result<Value, ApiError> {
    let client_id = flow.client_id.clone();
    flow.store.try_create(&SIGN_UP, |store, _, now| {
        let mut attempt = json!({
            "status": "missing_requirements",
            "required_fields": REQUIRED, "optional_fields": OPTIONAL, "missing_fields": [], "unverified_fields": [],
            "verifications": {"email_address": null, "phone_number": null, "web3_wallet": null, "external_account": null},
            "username": null, "email_address": null, "phone_number": null, "web3_wallet": null, "password_enabled": false,
            "first_name": null, "last_name": null, "unsafe_metadata": {}, "public_metadata": {}, "custom_action": false,
            "external_id": null, "created_session_id": null, "created_user_id": null,
            "abandon_at": now + ABANDON_AFTER_MS, "legal_accepted_at": null, "created_at": now, "_client_id": client_id,
        });
        apply_fields(store, &mut attempt, body)?;
        if let Some(invitation) = invitation {
            attempt["email_address"] = invitation["email_address"].clone();
            attempt["verifications"]["email_address"] = ticket_verification();
            attempt["public_metadata"] = invitation["public_metadata"].clone();
            attempt["_invitation_id"] = invitation["id"].clone();
        }
        Ok(attempt)
    })
}

/// Creates the user and its session once nothing is missing.
fn finish_if_ready(flow: &mut Flow, attempt: &mut Value) -> Result<(), ApiError> {
    refresh_status(attempt);
    if attempt["status"] != "complete" || !attempt["created_user_id"].is_null() {
        return Ok(());
    }
    let mut body = Map::new();
    body.insert("email_address".into(), json!([attempt["email_address"]]));
    for field in ["username", "first_name", "last_name", "unsafe_metadata", "public_metadata"] {
        if !attempt[field].is_null() {
            body.insert(field.into(), attempt[field].clone());
        }
    }
    let user = insert_user(&mut flow.store, &Value::Object(body))?;
    let user_id = user["id"].as_str().unwrap_or("").to_string();
    let now = flow.store.now_ms();
    index::change_user(&mut flow.store, &user_id, |stored| {
        stored["_password"] = attempt["_password"].clone();
        stored["password_last_updated_at"] = json!(now);
        stored["legal_accepted_at"] = attempt["legal_accepted_at"].clone();
        model::refresh_flags(stored, now);
        for email in stored["email_addresses"].as_array_mut().into_iter().flatten() {
            email["verification"] = user_email_verification(attempt, now);
        }
    });
    let by_ticket = attempt["verifications"]["email_address"]["strategy"] == "ticket";
    if let Some(invitation_id) = attempt["_invitation_id"].as_str() {
        invitations::accept(&mut flow.store, invitation_id);
    }
    let session = sessions::sign_in_user(flow, &user_id, if by_ticket { "ticket" } else { "email_code" });
    attempt["created_user_id"] = json!(user_id);
    attempt["created_session_id"] = session["id"].clone();
    Ok(())
}

fn save_and_answer(mut flow: Flow, attempt: Value) -> Result<FrontendAnswer, ApiError> {
    let id = attempt["id"].as_str().unwrap_or("").to_string();
    flow.store.insert(SIGN_UPS, &id, attempt.clone());
    flow.update_client(|c| c["sign_up_id"] = json!(id));
    flow.wrapped(attempt)
}

pub fn create(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    if flow.acting_session().is_some() {
        return Err(ApiError::session_exists());
    }
    let invitation = invitation_of(&mut flow.store, &call.body)?;
    let mut attempt = new_attempt(&mut flow, &call.body, invitation.as_ref())?;
    finish_if_ready(&mut flow, &mut attempt)?;
    save_and_answer(flow, attempt)
}

fn load(flow: &Flow) -> Result<Value, ApiError> {
    let id = flow.call.path.get("sign_up_id").and_then(Value::as_str).unwrap_or("");
    match flow.store.get(SIGN_UPS, id) {
        Some(a) if a["_client_id"] == flow.client_id.as_str() => Ok(a.clone()),
        _ => Err(flow::not_found(flow.call, "sign up")),
    }
}

fn open(flow: &Flow) -> Result<Value, ApiError> {
    let attempt = load(flow)?;
    if attempt["status"] == "complete" {
        return Err(ApiError::verification_already_verified());
    }
    Ok(attempt)
}

pub fn get(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let flow = Flow::begin(call)?;
    let attempt = load(&flow)?;
    flow.wrapped(attempt)
}

pub fn update(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let mut attempt = open(&flow)?;
    apply_fields(&mut flow.store, &mut attempt, &call.body)?;
    finish_if_ready(&mut flow, &mut attempt)?;
    save_and_answer(flow, attempt)
}

fn strategy(call: &FrontendCall) -> Result<(), ApiError> {
    match text(&call.body, "strategy") {
        Some("email_code") => Ok(()),
        Some(other) => Err(ApiError::strategy_invalid(other)),
        None => Err(ApiError::param_missing("strategy")),
    }
}

pub fn prepare_verification(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let mut attempt = open(&flow)?;
    strategy(call)?;
    let Some(email) = attempt["email_address"].as_str().map(String::from) else {
        return Err(ApiError::param_missing("email_address"));
    };
    let code = call.services.flows.verification_code.clone();
    let id = attempt["id"].as_str().unwrap_or("").to_string();
    outbox::send_code_email(&mut flow.store, &email, &code, "sign_up_attempt", &id);
    let now = flow.store.now_ms();
    attempt["verifications"]["email_address"] = prepared_verification(now);
    save_and_answer(flow, attempt)
}

pub fn attempt_verification(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let mut attempt = open(&flow)?;
    strategy(call)?;
    if attempt["verifications"]["email_address"]["next_action"] != "needs_attempt" {
        return Err(ApiError::strategy_invalid("email_code"));
    }
    let code = text(&call.body, "code").ok_or_else(|| ApiError::param_missing("code"))?;
    let attempts = attempt["verifications"]["email_address"]["attempts"].as_i64().unwrap_or(0) + 1;
    attempt["verifications"]["email_address"]["attempts"] = json!(attempts);
    if code != call.services.flows.verification_code {
        let id = attempt["id"].as_str().unwrap_or("").to_string();
        flow.store.insert(SIGN_UPS, &id, attempt);
        return Err(ApiError::verification_code_incorrect());
    }
    attempt["verifications"]["email_address"]["status"] = json!("verified");
    attempt["verifications"]["email_address"]["next_action"] = json!("");
    finish_if_ready(&mut flow, &mut attempt)?;
    save_and_answer(flow, attempt)
}
