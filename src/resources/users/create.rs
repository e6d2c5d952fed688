//! `POST /users` and the store-level [`insert_user`] that fixtures reuse.
//!
//! ```
//! use clerk_mock::resources::users::insert_user;
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! let user = insert_user(&mut store, &serde_json::json!({
//!     "email_address": ["ada@example.com"], "password": "correct horse"})).unwrap();
//! assert_eq!(user["primary_email_address_id"], user["email_addresses"][0]["id"]);
//! assert_eq!(user["password_enabled"], true);
//! // The same address, in other letters, is taken.
//! let again = insert_user(&mut store, &serde_json::json!({"email_address": ["ADA@example.com"]}));
//! assert_eq!(again.unwrap_err().errors[0].code, "form_identifier_exists");
//! ```

use serde_json::{Map, Value};

use super::checks::{self, opt_bool, opt_object, opt_string, opt_time, string_list};
use super::index;
use super::model::{self, Status};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::resources::passwords;
use crate::state::Store;

pub fn create_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    insert_user(&mut store, &ctx.body).map(Reply::Object)
}

/// Statuses per identifier from `*_identification_status` (default verified).
fn statuses(body: &Value, field: &str, count: usize) -> Result<Vec<Status>, ApiError> {
    let given = string_list(body, field)?;
    (0..count)
        .map(|i| match given.get(i) {
            None => Ok(Status::Verified),
            Some(s) => Status::parse(s).ok_or_else(|| ApiError::param_invalid(field, format!("{s} is not a valid identification status."))),
        })
        .collect()
}

/// The password a create or update body sets: a plaintext one (policy-checked,
/// hashed with a salt from `salt_source`) or an imported digest; `None` when
/// the body sets none.
pub fn password_from(body: &Value, salt_source: &str) -> Result<Option<Value>, ApiError> {
    let skip_checks = opt_bool(body, "skip_password_checks")?.unwrap_or(false);
    let plain = opt_string(body, "password")?;
    let digest = opt_string(body, "password_digest")?;
    let hasher = opt_string(body, "password_hasher")?;
    match (plain, digest, hasher) {
        (Some(_), Some(_), _) => Err(ApiError::value_invalid("password and password_digest cannot be used together.")
        .with_param("password_digest")),
        (Some(p), None, _) => {
            passwords::check_policy(&p, skip_checks)?;
            Ok(Some(passwords::hash(&p, salt_source)))
        }
        (None, Some(d), Some(h)) => passwords::from_digest(&d, &h).map(Some),
        (None, Some(_), None) => Err(ApiError::param_missing("password_hasher")),
        (None, None, Some(_)) => Err(ApiError::param_missing("password_digest")),
        (None, None, None) => Ok(None),
    }
}

/// Creates a user from a `POST /users` body: checks formats and uniqueness,
/// builds the complete `User` (identifiers inline, primary ids set) and
/// stores it in `users`. Returns the stored object.
pub fn insert_user(store: &mut Store, body: &Value) -> Result<Value, ApiError> {
    if !body.is_object() {
        return Err(ApiError::format_invalid("The request body must be a JSON object."));
    }
    index::ensure_fresh(store);
    let emails = string_list(body, "email_address")?;
    let phones = string_list(body, "phone_number")?;
    let wallets = string_list(body, "web3_wallet")?;
    let email_status = statuses(body, "email_address_identification_status", emails.len())?;
    let phone_status = statuses(body, "phone_number_identification_status", phones.len())?;
    let username = opt_string(body, "username")?;
    let external_id = opt_string(body, "external_id")?;

    let mut seen = std::collections::HashSet::new();
    for e in &emails {
        checks::check_email(e, "email_address")?;
        let key = index::normalize_email(e);
        checks::ensure_free(store, index::EMAIL, &key, "email_address", None)?;
        if !seen.insert((index::EMAIL, key)) {
            return Err(checks::taken(index::EMAIL, "email_address"));
        }
    }
    for p in &phones {
        checks::check_phone(p, "phone_number")?;
        let key = index::normalize_phone(p);
        checks::ensure_free(store, index::PHONE, &key, "phone_number", None)?;
        if !seen.insert((index::PHONE, key)) {
            return Err(checks::taken(index::PHONE, "phone_number"));
        }
    }
    for w in &wallets {
        checks::check_web3(w, "web3_wallet")?;
        let key = index::normalize_web3(w);
        checks::ensure_free(store, index::WEB3, &key, "web3_wallet", None)?;
        if !seen.insert((index::WEB3, key)) {
            return Err(checks::taken(index::WEB3, "web3_wallet"));
        }
    }
    if let Some(u) = &username {
        checks::check_username(u)?;
        checks::ensure_free(store, index::USERNAME, &index::normalize_username(u), "username", None)?;
    }
    if let Some(x) = &external_id {
        checks::ensure_free(store, index::EXTERNAL_ID, x, "external_id", None)?;
    }
    let salt_source = format!("{}:{}:{}", store.instance_key, store.seed, store.id_sequence);
    let password = password_from(body, &salt_source)?;
    let created_at = opt_time(body, "created_at")?;
    let legal_accepted_at = opt_time(body, "legal_accepted_at")?;
    let metadata: Vec<(&str, Option<Value>)> = ["public_metadata", "private_metadata", "unsafe_metadata"]
        .into_iter()
        .map(|f| opt_object(body, f).map(|v| (f, v)))
        .collect::<Result<_, _>>()?;
    let totp_secret = opt_string(body, "totp_secret")?;
    let backup_codes = string_list(body, "backup_codes")?;

    let user = store.try_create(&super::USER, |store, id, now| {
        let mut user = model::new_user(id, now);
        let email_objects: Vec<Value> =
            emails.iter().zip(&email_status).map(|(e, s)| model::email_object(&store.new_id("idn"), e.trim(), *s, now)).collect();
        let phone_objects: Vec<Value> = phones
            .iter()
            .zip(&phone_status)
            .map(|(p, s)| model::phone_object(&store.new_id("idn"), &index::normalize_phone(p), *s, now))
            .collect();
        let wallet_objects: Vec<Value> = wallets.iter().map(|w| model::web3_object(&store.new_id("idn"), w.trim(), now)).collect();
        user["email_addresses"] = Value::Array(email_objects);
        user["phone_numbers"] = Value::Array(phone_objects);
        user["web3_wallets"] = Value::Array(wallet_objects);
        model::fix_primaries(&mut user);

        user["username"] = username.map(Value::String).unwrap_or(Value::Null);
        user["external_id"] = external_id.map(Value::String).unwrap_or(Value::Null);
        for field in ["first_name", "last_name", "locale"] {
            user[field] = opt_string(body, field)?.map(Value::String).unwrap_or(Value::Null);
        }
        for (field, value) in metadata {
            user[field] = value.unwrap_or_else(|| Value::Object(Map::new()));
        }
        for field in ["delete_self_enabled", "create_organization_enabled", "bypass_client_trust", "banned", "locked"] {
            if let Some(b) = opt_bool(body, field)? {
                user[field] = Value::Bool(b);
            }
        }
        if let Some(limit) = body.get("create_organizations_limit").filter(|v| !v.is_null()) {
            if !limit.is_i64() {
                return Err(ApiError::format_invalid("create_organizations_limit must be an integer.")
                    .with_param("create_organizations_limit"));
            }
            user["create_organizations_limit"] = limit.clone();
        }
        if let Some(at) = created_at {
            user["created_at"] = Value::from(at);
        }
        if let Some(at) = legal_accepted_at {
            user["legal_accepted_at"] = Value::from(at);
        }
        if let Some(p) = password {
            user["_password"] = p;
            user["password_last_updated_at"] = Value::from(now);
        }
        if let Some(secret) = totp_secret {
            user["_totp_secret"] = Value::String(secret);
        }
        if !backup_codes.is_empty() {
            user["_backup_codes"] = Value::from(backup_codes);
        }
        // Flags follow the factors; a new user starts from "no MFA" without a
        // disabled-at stamp.
        model::refresh_flags(&mut user, now);

        index::index(store, &user);
        Ok::<_, ApiError>(user)
    })?;
    index::mark_fresh(store);
    Ok(user)
}
