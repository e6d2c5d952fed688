//! User actions: ban / unban (one or many), lock / unlock, profile image,
//! password checks and removal, TOTP and backup codes, MFA, and removing
//! passkeys, web3 wallets and external accounts; plus the user's OAuth
//! access tokens and trusted devices (none exist in the mock).
//!
//! ```text
//! POST   /v1/users/user_…/ban               → User, banned, every session revoked
//! POST   /v1/users/user_…/verify_password   {"password": "…"} → {"verified": true} | 422 form_password_incorrect
//! DELETE /v1/users/user_…/mfa               → {"user_id": "user_…"}
//! ```

use serde_json::{json, Value};

use crate::resources::params::string_list;
use super::{find, load, model, save, revoke_sessions};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::{passwords, totp};
use crate::state::Store;

pub fn register(registry: &mut Registry) {
    registry.add("BanUser", "users", ban_user);
    registry.add("UnbanUser", "users", unban_user);
    registry.add("UsersBan", "users", ban_many);
    registry.add("UsersUnban", "users", unban_many);
    registry.add("LockUser", "users", lock_user);
    registry.add("UnlockUser", "users", unlock_user);
    registry.add("SetUserProfileImage", "users", set_profile_image);
    registry.add("DeleteUserProfileImage", "users", delete_profile_image);
    registry.add("VerifyPassword", "users", verify_password);
    registry.add("RemoveUserPassword", "users", remove_password);
    registry.add("SetUserPasswordCompromised", "users", set_password_compromised);
    registry.add("UnsetUserPasswordCompromised", "users", unset_password_compromised);
    registry.add("VerifyTOTP", "users", verify_totp);
    registry.add("CreateUserTOTP", "users", create_totp);
    registry.add("DeleteTOTP", "users", delete_totp);
    registry.add("DeleteBackupCode", "users", delete_backup_codes);
    registry.add("DisableMFA", "users", disable_mfa);
    registry.add("UserPasskeyDelete", "users", delete_passkey);
    registry.add("UserWeb3WalletDelete", "users", delete_web3_wallet);
    registry.add("DeleteExternalAccount", "users", delete_external_account);
    registry.add("GetOAuthAccessToken", "users", oauth_access_tokens);
    registry.add("ListUserTrustedDevices", "users", list_trusted_devices);
    registry.add("RevokeUserTrustedDevice", "users", revoke_trusted_device);
}

/// Loads the path's user, applies `change`, saves and answers the user.
fn change_user(ctx: &Ctx, change: impl FnOnce(&mut Store, &mut Value) -> Result<(), ApiError>) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    change(&mut store, &mut user)?;
    let now = store.now_ms();
    model::refresh_flags(&mut user, now);
    Ok(Reply::Object(save(&mut store, user)))
}

/// Banning marks the user and revokes every session it has.
fn set_banned(store: &mut Store, user: &mut Value, banned: bool) {
    user["banned"] = Value::Bool(banned);
    if banned {
        let now = store.now_ms();
        let id = user["id"].as_str().unwrap_or("").to_string();
        revoke_sessions(store, &id, now);
    }
}

fn ban_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |store, user| {
        set_banned(store, user, true);
        Ok(())
    })
}

fn unban_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |store, user| {
        set_banned(store, user, false);
        Ok(())
    })
}

/// Bulk ban / unban: every listed user that exists, in the order given
/// (unknown ids are skipped).
fn ban_or_unban_many(ctx: &Ctx, banned: bool) -> Result<Reply, ApiError> {
    let ids = string_list(&ctx.body, "user_ids")?;
    if ids.is_empty() {
        return Err(ApiError::param_missing("user_ids"));
    }
    let mut store = ctx.instance.store.lock();
    let mut changed = Vec::new();
    for id in ids {
        let Ok(mut user) = load(&mut store, &id) else { continue };
        set_banned(&mut store, &mut user, banned);
        changed.push(save(&mut store, user));
    }
    let total = changed.len();
    Ok(Reply::list(changed, total))
}

fn ban_many(ctx: &Ctx) -> Result<Reply, ApiError> {
    ban_or_unban_many(ctx, true)
}

fn unban_many(ctx: &Ctx) -> Result<Reply, ApiError> {
    ban_or_unban_many(ctx, false)
}

/// Clerk's default lockout lasts an hour.
const LOCKOUT_SECONDS: i64 = 3600;

fn lock_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |_, user| {
        user["locked"] = Value::Bool(true);
        user["lockout_expires_in_seconds"] = Value::from(LOCKOUT_SECONDS);
        user["verification_attempts_remaining"] = Value::from(0);
        Ok(())
    })
}

fn unlock_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |_, user| {
        user["locked"] = Value::Bool(false);
        user["lockout_expires_in_seconds"] = Value::Null;
        user["verification_attempts_remaining"] = Value::Null;
        Ok(())
    })
}

/// Multipart `file`: the user gets an image (the mock keeps its name, type
/// and size, not the bytes).
fn set_profile_image(ctx: &Ctx) -> Result<Reply, ApiError> {
    let file = ctx.files.iter().find(|f| f.field == "file").or_else(|| ctx.files.first());
    let Some(file) = file.filter(|f| !f.bytes.is_empty()) else {
        return Err(ApiError::field_required("An image file must be uploaded in the `file` field.")
            .with_param("file"));
    };
    if !file.content_type.is_empty() && !file.content_type.starts_with("image/") && file.content_type != "application/octet-stream" {
        return Err(ApiError::image_not_supported(&file.content_type)
            .with_param("file"));
    }
    let meta = json!({"filename": file.filename, "content_type": file.content_type, "size": file.bytes.len()});
    change_user(ctx, |store, user| {
        let image_id = store.new_id("img");
        user["image_url"] = Value::String(format!("https://img.clerk.com/uploaded/{image_id}"));
        user["profile_image_url"] = user["image_url"].clone();
        user["has_image"] = Value::Bool(true);
        user["_image"] = meta;
        Ok(())
    })
}

fn delete_profile_image(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |_, user| {
        let id = user["id"].as_str().unwrap_or("").to_string();
        user["image_url"] = Value::String(model::default_image_url(&id));
        user["profile_image_url"] = user["image_url"].clone();
        user["has_image"] = Value::Bool(false);
        if let Some(m) = user.as_object_mut() {
            m.remove("_image");
        }
        Ok(())
    })
}

fn verify_password(ctx: &Ctx) -> Result<Reply, ApiError> {
    let plain = ctx.str_field("password").ok_or_else(|| ApiError::param_missing("password"))?.to_string();
    let store = ctx.instance.store.lock();
    let user = find(&store, ctx.path_param("user_id"))?;
    let Some(stored) = user.get("_password").filter(|p| !p.is_null()) else {
        return Err(ApiError::password_not_set());
    };
    if passwords::verify(stored, &plain) {
        Ok(Reply::Object(json!({"verified": true})))
    } else {
        Err(ApiError::password_incorrect()
            .with_param("password"))
    }
}

/// Revokes the user's sessions when the body asks for it (`field` = true).
fn maybe_sign_out(ctx: &Ctx, store: &mut Store, user: &Value, field: &str) {
    if ctx.field(field).and_then(Value::as_bool).unwrap_or(false) {
        let now = store.now_ms();
        revoke_sessions(store, user["id"].as_str().unwrap_or(""), now);
    }
}

fn remove_password(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |store, user| {
        if let Some(m) = user.as_object_mut() {
            m.remove("_password");
            m.remove("_password_compromised");
        }
        maybe_sign_out(ctx, store, user, "sign_out_of_other_sessions");
        Ok(())
    })
}

fn set_password_compromised(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |store, user| {
        if user.get("_password").map(Value::is_null).unwrap_or(true) {
            return Err(ApiError::password_not_set().with_status(422));
        }
        user["_password_compromised"] = Value::Bool(true);
        maybe_sign_out(ctx, store, user, "revoke_all_sessions");
        Ok(())
    })
}

fn unset_password_compromised(ctx: &Ctx) -> Result<Reply, ApiError> {
    change_user(ctx, |_, user| {
        if let Some(m) = user.as_object_mut() {
            m.remove("_password_compromised");
        }
        Ok(())
    })
}

/// A TOTP code (within one 30 s step) or an unused backup code, which is
/// consumed.
fn verify_totp(ctx: &Ctx) -> Result<Reply, ApiError> {
    let submitted = ctx.str_field("code").ok_or_else(|| ApiError::param_missing("code"))?.trim().to_string();
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    let secret = user["_totp_secret"].as_str().map(String::from);
    let mut backup: Vec<String> =
        user["_backup_codes"].as_array().map(|a| a.iter().filter_map(|c| c.as_str().map(String::from)).collect()).unwrap_or_default();
    if secret.is_none() && backup.is_empty() {
        return Err(ApiError::totp_not_enabled());
    }
    let now_seconds = store.now_ms() / 1000;
    if secret.as_deref().map(|s| totp::verify(s, &submitted, now_seconds)).unwrap_or(false) {
        return Ok(Reply::Object(json!({"verified": true, "code_type": "totp"})));
    }
    if let Some(i) = backup.iter().position(|c| *c == submitted) {
        backup.remove(i);
        user["_backup_codes"] = Value::from(backup);
        let now = store.now_ms();
        model::refresh_flags(&mut user, now);
        save(&mut store, user);
        return Ok(Reply::Object(json!({"verified": true, "code_type": "backup_code"})));
    }
    Err(ApiError::code_incorrect().with_param("code"))
}

/// v1 only: enrolls a new TOTP secret and answers it with its otpauth URI.
fn create_totp(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    let secret = totp::new_secret();
    let label = model::primary_text(&user, "email_addresses", "primary_email_address_id", "email_address")
        .map(String::from)
        .or_else(|| user["username"].as_str().map(String::from))
        .unwrap_or_else(|| user["id"].as_str().unwrap_or("").to_string());
    let id = store.new_id("totp");
    let now = store.now_ms();
    user["_totp_secret"] = Value::String(secret.clone());
    model::refresh_flags(&mut user, now);
    save(&mut store, user);
    Ok(Reply::Object(json!({
        "object": "totp",
        "id": id,
        "secret": secret,
        "uri": format!("otpauth://totp/clerk-mock:{label}?secret={secret}&issuer=clerk-mock&algorithm=SHA1&digits=6&period=30"),
        "verified": true,
        "backup_codes": null,
        "created_at": now,
        "updated_at": now,
    })))
}

/// Removes MFA pieces and answers `{user_id}`.
fn strip_mfa(ctx: &Ctx, totp: bool, backup: bool, phones: bool) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    if let Some(m) = user.as_object_mut() {
        if totp {
            m.remove("_totp_secret");
        }
        if backup {
            m.remove("_backup_codes");
        }
    }
    if phones {
        for p in user["phone_numbers"].as_array_mut().into_iter().flatten() {
            p["reserved_for_second_factor"] = Value::Bool(false);
            p["default_second_factor"] = Value::Bool(false);
        }
    }
    let now = store.now_ms();
    model::refresh_flags(&mut user, now);
    let user = save(&mut store, user);
    Ok(Reply::Object(json!({"user_id": user["id"]})))
}

fn delete_totp(ctx: &Ctx) -> Result<Reply, ApiError> {
    strip_mfa(ctx, true, false, false)
}

fn delete_backup_codes(ctx: &Ctx) -> Result<Reply, ApiError> {
    strip_mfa(ctx, false, true, false)
}

fn disable_mfa(ctx: &Ctx) -> Result<Reply, ApiError> {
    strip_mfa(ctx, true, true, true)
}

/// Removes one item of a user's identification array; 404 when the user or
/// the item is unknown. Answers `DeletedObject`.
fn delete_inline(ctx: &Ctx, array: &str, param: &str, what: &str) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    let target = ctx.path_param(param).to_string();
    let items = user[array].as_array_mut().ok_or_else(|| ApiError::not_found(what))?;
    let at = items.iter().position(|i| i["id"] == target.as_str()).ok_or_else(|| ApiError::not_found(what))?;
    let removed = items.remove(at);
    model::fix_primaries(&mut user);
    save(&mut store, user);
    let object = removed["object"].as_str().unwrap_or(what).to_string();
    Ok(Reply::Object(json!({"object": object, "id": target, "deleted": true})))
}

fn delete_passkey(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete_inline(ctx, "passkeys", "passkey_identification_id", "passkey")
}

fn delete_web3_wallet(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete_inline(ctx, "web3_wallets", "web3_wallet_identification_id", "web3_wallet")
}

fn delete_external_account(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete_inline(ctx, "external_accounts", "external_account_id", "external_account")
}

/// The mock connects no OAuth providers: a known user has no tokens.
fn oauth_access_tokens(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    find(&store, ctx.path_param("user_id"))?;
    Ok(Reply::list(Vec::new(), 0))
}

/// Trusted devices come from sign-ins, which the mock does not perform.
fn list_trusted_devices(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    find(&store, ctx.path_param("user_id"))?;
    Ok(Reply::list(Vec::new(), 0))
}

fn revoke_trusted_device(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    find(&store, ctx.path_param("user_id"))?;
    Err(ApiError::not_found("trusted device"))
}
