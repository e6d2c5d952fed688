//! Email addresses and phone numbers (tags "Email Addresses", "Phone
//! Numbers"): create for a user, get, update (`verified`, `primary`,
//! `reserved_for_second_factor`), delete, replace all of a user's, and the
//! one-time-code verification flow.
//!
//! They live inline in their user (`users` collection, see
//! `users/model.rs`): every change here rewrites the user, so its arrays,
//! primary ids and MFA flags stay in sync, and `users/index.rs` finds the
//! owner of an `idn_…` id in O(1).
//!
//! The mock sends no messages: `prepare_verification` creates a pending code
//! verification whose code is always Clerk's test code `424242`.
//!
//! ```text
//! POST  /v1/email_addresses            {"user_id": "user_…", "email_address": "a@b.co", "verified": true, "primary": true}
//! PATCH /v1/phone_numbers/idn_…        {"verified": true, "reserved_for_second_factor": true}
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::params::{opt_bool, opt_string, required_string};
use crate::resources::users::checks;
use crate::resources::users::model::{self, Status};
use crate::resources::users::{index, load, save};
use crate::state::Store;

/// Identifications live inline in their user; their ids are `idn_…`.
pub const INLINE_KINDS: &[crate::state::Kind] = &[
    crate::state::Kind::inline("email_address", "idn"),
    crate::state::Kind::inline("phone_number", "idn"),
    crate::state::Kind::inline("web3_wallet", "idn"),
    crate::state::Kind::inline("passkey", "idn"),
    crate::state::Kind::inline("external_account", "idn"),
    crate::state::Kind::inline("saml_account", "idn"),
    crate::state::Kind::inline("enterprise_account", "idn"),
    crate::state::Kind::inline("facebook_account", "idn"),
    crate::state::Kind::inline("google_account", "idn"),
    crate::state::Kind::inline("verification", "ver"),
];

pub fn register(registry: &mut Registry) {
    registry.add("CreateEmailAddress", "identifiers", create_email);
    registry.add("GetEmailAddress", "identifiers", get_email);
    registry.add("UpdateEmailAddress", "identifiers", update_email);
    registry.add("DeleteEmailAddress", "identifiers", delete_email);
    registry.add("PrepareEmailAddressVerification", "identifiers", prepare_email);
    registry.add("AttemptEmailAddressVerification", "identifiers", attempt_email);
    registry.add("ReplaceUserEmailAddress", "identifiers", replace_email);
    registry.add("CreatePhoneNumber", "identifiers", create_phone);
    registry.add("GetPhoneNumber", "identifiers", get_phone);
    registry.add("UpdatePhoneNumber", "identifiers", update_phone);
    registry.add("DeletePhoneNumber", "identifiers", delete_phone);
    registry.add("PreparePhoneNumberVerification", "identifiers", prepare_phone);
    registry.add("AttemptPhoneNumberVerification", "identifiers", attempt_phone);
    registry.add("ReplaceUserPhoneNumber", "identifiers", replace_phone);
}

/// The code every verification the mock prepares accepts (Clerk's test code).
pub const TEST_CODE: &str = "424242";
/// How long a prepared code stays valid.
const CODE_TTL_MS: i64 = 10 * 60 * 1000;

/// One kind of identifier and where it lives on a user.
struct Kind {
    /// `email_address` / `phone_number`: the object type, body field and value field.
    name: &'static str,
    array: &'static str,
    primary: &'static str,
    table: &'static str,
    path_param: &'static str,
    strategy: &'static str,
}

const EMAIL: Kind = Kind {
    name: "email_address",
    array: "email_addresses",
    primary: "primary_email_address_id",
    table: index::EMAIL,
    path_param: "email_address_id",
    strategy: "email_code",
};

const PHONE: Kind = Kind {
    name: "phone_number",
    array: "phone_numbers",
    primary: "primary_phone_number_id",
    table: index::PHONE,
    path_param: "phone_number_id",
    strategy: "phone_code",
};

impl Kind {
    fn check(&self, text: &str) -> Result<(), ApiError> {
        if self.name == "email_address" { checks::check_email(text, self.name) } else { checks::check_phone(text, self.name) }
    }

    fn normalize(&self, text: &str) -> String {
        if self.name == "email_address" { index::normalize_email(text) } else { index::normalize_phone(text) }
    }

    /// The stored text: emails as given (trimmed), phones in E.164.
    fn stored_text(&self, text: &str) -> String {
        if self.name == "email_address" { text.trim().to_string() } else { index::normalize_phone(text) }
    }

    fn build(&self, id: &str, text: &str, status: Status, now: i64) -> Value {
        if self.name == "email_address" {
            model::email_object(id, &self.stored_text(text), status, now)
        } else {
            model::phone_object(id, &self.stored_text(text), status, now)
        }
    }
}

/// The user owning identifier `id` of this kind and its position, or 404.
fn locate(store: &mut Store, kind: &Kind, id: &str) -> Result<(Value, usize), ApiError> {
    index::ensure_fresh(store);
    let missing = || ApiError::not_found(&kind.name.replace('_', " "));
    let owner = index::owner(store, index::IDN, id).ok_or_else(missing)?;
    let user = load(store, &owner)?;
    let at = user[kind.array].as_array().and_then(|a| a.iter().position(|i| i["id"] == id)).ok_or_else(missing)?;
    Ok((user, at))
}

/// Stores the user and answers its identifier at `at`.
fn save_and_answer(store: &mut Store, kind: &Kind, mut user: Value, at: usize) -> Reply {
    let now = store.now_ms();
    user[kind.array][at]["updated_at"] = Value::from(now);
    model::refresh_flags(&mut user, now);
    let user = save(store, user);
    Reply::Object(user[kind.array][at].clone())
}

fn create(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let user_id = required_string(&ctx.body, "user_id")?;
    let text = required_string(&ctx.body, kind.name)?;
    let verified = opt_bool(&ctx.body, "verified")?.unwrap_or(false);
    let primary = opt_bool(&ctx.body, "primary")?.unwrap_or(false);
    let second_factor = if kind.name == "phone_number" { opt_bool(&ctx.body, "reserved_for_second_factor")?.unwrap_or(false) } else { false };
    kind.check(&text)?;
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, &user_id)?;
    checks::ensure_free(&store, kind.table, &kind.normalize(&text), kind.name, None)?;
    if second_factor && !verified {
        return Err(not_verified("reserved_for_second_factor"));
    }
    let id = store.new_id("idn");
    let now = store.now_ms();
    let mut item = kind.build(&id, &text, Status::from_verified(Some(verified)), now);
    let items = user[kind.array].as_array_mut().ok_or_else(|| ApiError::internal("user without identifier array"))?;
    let first = items.is_empty();
    if second_factor {
        let default = !items.iter().any(|p| p["default_second_factor"] == true);
        item["reserved_for_second_factor"] = Value::Bool(true);
        item["default_second_factor"] = Value::Bool(default);
    }
    items.push(item);
    let at = items.len() - 1;
    if primary || first {
        user[kind.primary] = Value::String(id);
    }
    Ok(save_and_answer(&mut store, kind, user, at))
}

fn get(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let (user, at) = locate(&mut store, kind, ctx.path_param(kind.path_param))?;
    Ok(Reply::Object(user[kind.array][at].clone()))
}

fn not_verified(param: &str) -> ApiError {
    ApiError::identification_not_verified("The identification must be verified first.").with_param(param)
}

fn update(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let verified = opt_bool(&ctx.body, "verified")?;
    let primary = opt_bool(&ctx.body, "primary")?;
    let second_factor = if kind.name == "phone_number" { opt_bool(&ctx.body, "reserved_for_second_factor")? } else { None };
    let mut store = ctx.instance.store.lock();
    let (mut user, at) = locate(&mut store, kind, ctx.path_param(kind.path_param))?;
    if let Some(v) = verified {
        model::set_verified(&mut user[kind.array][at], v);
    }
    let is_verified = model::is_verified(&user[kind.array][at]);
    let id = user[kind.array][at]["id"].clone();
    if primary == Some(true) {
        if !is_verified {
            return Err(not_verified("primary"));
        }
        user[kind.primary] = id.clone();
    }
    if let Some(reserve) = second_factor {
        if reserve && !is_verified {
            return Err(not_verified("reserved_for_second_factor"));
        }
        set_second_factor(&mut user, at, reserve);
    }
    Ok(save_and_answer(&mut store, kind, user, at))
}

/// Reserves (or releases) phone `at` for MFA; the first reserved one is the
/// default second factor, and releasing the default promotes another.
fn set_second_factor(user: &mut Value, at: usize, reserve: bool) {
    let Some(phones) = user["phone_numbers"].as_array_mut() else { return };
    phones[at]["reserved_for_second_factor"] = Value::Bool(reserve);
    if reserve {
        if !phones.iter().any(|p| p["default_second_factor"] == true) {
            phones[at]["default_second_factor"] = Value::Bool(true);
        }
    } else {
        phones[at]["default_second_factor"] = Value::Bool(false);
        if !phones.iter().any(|p| p["default_second_factor"] == true) {
            if let Some(next) = phones.iter_mut().find(|p| p["reserved_for_second_factor"] == true) {
                next["default_second_factor"] = Value::Bool(true);
            }
        }
    }
}

fn delete(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let (mut user, at) = locate(&mut store, kind, ctx.path_param(kind.path_param))?;
    if kind.name == "phone_number" {
        set_second_factor(&mut user, at, false);
    }
    let removed = user[kind.array].as_array_mut().map(|a| a.remove(at)).unwrap_or_default();
    model::fix_primaries(&mut user);
    let now = store.now_ms();
    model::refresh_flags(&mut user, now);
    save(&mut store, user);
    Ok(Reply::Object(json!({"object": kind.name, "id": removed["id"], "deleted": true})))
}

/// Replaces every identifier of this kind a user has with one primary one.
fn replace(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let text = required_string(&ctx.body, kind.name)?;
    let status = match opt_string(&ctx.body, "identification_status")? {
        None => Status::Verified,
        Some(s) => Status::parse(&s).ok_or_else(|| ApiError::param_invalid("identification_status", format!("{s} is not a valid identification status.")))?,
    };
    kind.check(&text)?;
    let mut store = ctx.instance.store.lock();
    let user_id = ctx.path_param("user_id").to_string();
    let mut user = load(&mut store, &user_id)?;
    checks::ensure_free(&store, kind.table, &kind.normalize(&text), kind.name, Some(&user_id))?;
    let linked = user[kind.array].as_array().map(|a| a.iter().any(|i| i["linked_to"].as_array().map(|l| !l.is_empty()).unwrap_or(false)));
    if linked == Some(true) {
        return Err(ApiError::identifier_linked(format!("A {} linked to a connected account cannot be replaced.", kind.name.replace('_', " ")))
        .with_param(kind.name));
    }
    let id = store.new_id("idn");
    let now = store.now_ms();
    user[kind.array] = Value::Array(vec![kind.build(&id, &text, status, now)]);
    user[kind.primary] = Value::String(id);
    Ok(save_and_answer(&mut store, kind, user, 0))
}

/// A pending code verification for the identifier, kept on its user.
fn prepare(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let identifier_id = ctx.path_param(kind.path_param).to_string();
    let (mut user, _) = locate(&mut store, kind, &identifier_id)?;
    let id = store.new_id("ver");
    let now = store.now_ms();
    let verification = json!({
        "object": "verification",
        "id": id,
        "status": "unverified",
        "strategy": kind.strategy,
        "attempts": 0,
        "expire_at": now + CODE_TTL_MS,
        "channel": if kind.name == "phone_number" { json!("sms") } else { Value::Null },
        "_identifier_id": identifier_id,
    });
    if !user["_verifications"].is_object() {
        user["_verifications"] = json!({});
    }
    user["_verifications"][&id] = verification.clone();
    save(&mut store, user);
    Ok(Reply::Object(verification))
}

/// Checks a code: `424242` verifies the identifier; a wrong one counts an
/// attempt (three fail the verification); an old one has expired.
fn attempt(ctx: &Ctx, kind: &Kind) -> Result<Reply, ApiError> {
    let verification_id = required_string(&ctx.body, "verification_id")?;
    let submitted = required_string(&ctx.body, "code")?;
    let mut store = ctx.instance.store.lock();
    let identifier_id = ctx.path_param(kind.path_param).to_string();
    let (mut user, at) = locate(&mut store, kind, &identifier_id)?;
    let mut verification = user["_verifications"]
        .get(&verification_id)
        .filter(|v| v["_identifier_id"] == identifier_id.as_str())
        .cloned()
        .ok_or_else(|| ApiError::not_found("verification"))?;
    if verification["status"] == "verified" {
        return Err(ApiError::verification_already_verified());
    }
    let now = store.now_ms();
    let attempts = verification["attempts"].as_i64().unwrap_or(0) + 1;
    verification["attempts"] = Value::from(attempts);
    let status = if verification["status"] == "failed" {
        "failed"
    } else if now > verification["expire_at"].as_i64().unwrap_or(0) {
        "expired"
    } else if submitted.trim() == TEST_CODE {
        "verified"
    } else if attempts >= 3 {
        "failed"
    } else {
        "unverified"
    };
    verification["status"] = Value::String(status.into());
    if status == "verified" {
        user[kind.array][at]["verification"] = json!({
            "object": "verification_otp",
            "status": "verified",
            "strategy": kind.strategy,
            "attempts": attempts,
            "expire_at": verification["expire_at"],
            "verified_at_client": null,
        });
        user[kind.array][at]["reserved"] = Value::Bool(false);
        user[kind.array][at]["updated_at"] = Value::from(now);
    }
    user["_verifications"][&verification_id] = verification.clone();
    save(&mut store, user);
    Ok(Reply::Object(verification))
}

fn create_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    create(ctx, &EMAIL)
}
fn get_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    get(ctx, &EMAIL)
}
fn update_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    update(ctx, &EMAIL)
}
fn delete_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete(ctx, &EMAIL)
}
fn prepare_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    prepare(ctx, &EMAIL)
}
fn attempt_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    attempt(ctx, &EMAIL)
}
fn replace_email(ctx: &Ctx) -> Result<Reply, ApiError> {
    replace(ctx, &EMAIL)
}
fn create_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    create(ctx, &PHONE)
}
fn get_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    get(ctx, &PHONE)
}
fn update_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    update(ctx, &PHONE)
}
fn delete_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete(ctx, &PHONE)
}
fn prepare_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    prepare(ctx, &PHONE)
}
fn attempt_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    attempt(ctx, &PHONE)
}
fn replace_phone(ctx: &Ctx) -> Result<Reply, ApiError> {
    replace(ctx, &PHONE)
}
