//! Changing a user: `PATCH /users/{id}` (profile, identifiers' primaries,
//! password, MFA secrets, settings; metadata replaced), `PATCH
//! /users/{id}/metadata` (Clerk's deep merge, `null` deletes) and `PUT
//! /users/{id}/metadata` (each given field replaced wholesale).
//!
//! ```text
//! PATCH /v1/users/user_…           {"primary_email_address_id": "idn_…", "password": "new password"}
//! PATCH /v1/users/user_…/metadata  {"public_metadata": {"plan": "pro", "trial": null}}
//! ```

use serde_json::Value;

use super::checks::{self, opt_bool, opt_object, opt_string, opt_time, string_list};
use super::create::password_from;
use super::{index, load, model, save, revoke_sessions};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::metadata::deep_merge;
use crate::state::Store;

pub fn register(registry: &mut Registry) {
    registry.add("UpdateUser", "users", update_user);
    registry.add("UpdateUserMetadata", "users", merge_metadata);
    registry.add("ReplaceUserMetadata", "users", replace_metadata);
}

const METADATA: [&str; 3] = ["public_metadata", "private_metadata", "unsafe_metadata"];

fn update_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    apply_update(&mut store, ctx.path_param("user_id"), &ctx.body).map(Reply::Object)
}

/// A nullable string field: `Some(None)` when the body clears it.
fn nullable_string(body: &Value, field: &str) -> Result<Option<Option<String>>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(_) => opt_string(body, field).map(Some),
    }
}

/// Applies a `PATCH /users/{id}` body; every check passes before anything changes.
pub fn apply_update(store: &mut Store, id: &str, body: &Value) -> Result<Value, ApiError> {
    let mut user = load(store, id)?;
    if let Some(username) = nullable_string(body, "username")? {
        if let Some(u) = &username {
            checks::check_username(u)?;
            checks::ensure_free(store, index::USERNAME, &index::normalize_username(u), "username", Some(id))?;
        }
        user["username"] = username.map(Value::String).unwrap_or(Value::Null);
    }
    if let Some(external_id) = nullable_string(body, "external_id")? {
        if let Some(x) = &external_id {
            checks::ensure_free(store, index::EXTERNAL_ID, x, "external_id", Some(id))?;
        }
        user["external_id"] = external_id.map(Value::String).unwrap_or(Value::Null);
    }
    for field in ["first_name", "last_name", "locale"] {
        if let Some(value) = nullable_string(body, field)? {
            user[field] = value.map(Value::String).unwrap_or(Value::Null);
        }
    }
    for (array, primary) in model::IDENTIFIER_ARRAYS {
        if let Some(wanted) = opt_string(body, primary)? {
            let item = user[*array].as_array().and_then(|a| a.iter().find(|i| i["id"] == wanted.as_str()));
            match item {
                None => {
                    return Err(ApiError::param_invalid(primary, format!("{wanted} is not an identification of this user.")));
                }
                Some(i) if !model::is_verified(i) => {
                    return Err(ApiError::identification_not_verified("The identification must be verified before it can become primary.")
                    .with_param(primary));
                }
                Some(_) => user[*primary] = Value::String(wanted),
            }
        }
    }
    let now = store.now_ms();
    let mut sign_out = false;
    let salt_source = format!("{}:{}:{id}:{}", store.instance_key, store.seed, store.id_sequence);
    if let Some(password) = password_from(body, &salt_source)? {
        user["_password"] = password;
        user["password_last_updated_at"] = Value::from(now);
        sign_out = opt_bool(body, "sign_out_of_other_sessions")?.unwrap_or(false);
    }
    if let Some(secret) = opt_string(body, "totp_secret")? {
        user["_totp_secret"] = Value::String(secret);
    }
    if body.get("backup_codes").is_some() {
        user["_backup_codes"] = Value::from(string_list(body, "backup_codes")?);
    }
    for field in METADATA {
        if let Some(meta) = opt_object(body, field)? {
            user[field] = meta;
        }
    }
    for field in ["delete_self_enabled", "create_organization_enabled", "bypass_client_trust"] {
        if let Some(b) = opt_bool(body, field)? {
            user[field] = Value::Bool(b);
        }
    }
    match body.get("create_organizations_limit") {
        None => {}
        Some(v) if v.is_null() || v.is_i64() => user["create_organizations_limit"] = v.clone(),
        Some(_) => {
            return Err(ApiError::format_invalid("create_organizations_limit must be an integer.")
                .with_param("create_organizations_limit"))
        }
    }
    if let Some(at) = opt_time(body, "created_at")? {
        user["created_at"] = Value::from(at);
    }
    if let Some(at) = opt_time(body, "legal_accepted_at")? {
        user["legal_accepted_at"] = Value::from(at);
    }
    if let Some(image) = nullable_string(body, "profile_image_id")? {
        match image {
            Some(image_id) => {
                user["image_url"] = Value::String(format!("https://img.clerk.com/uploaded/{image_id}"));
                user["has_image"] = Value::Bool(true);
            }
            None => {
                user["image_url"] = Value::String(model::default_image_url(id));
                user["has_image"] = Value::Bool(false);
            }
        }
        user["profile_image_url"] = user["image_url"].clone();
    }
    model::refresh_flags(&mut user, now);
    // Only once every check has passed does anything change.
    if sign_out {
        revoke_sessions(store, id, now);
    }
    Ok(save(store, user))
}

fn metadata_body(ctx: &Ctx) -> Result<Vec<(&'static str, Value)>, ApiError> {
    METADATA.iter().filter_map(|f| opt_object(&ctx.body, f).map(|v| v.map(|v| (*f, v))).transpose()).collect()
}

/// PATCH: deep merge into each given metadata object; `null` removes a key.
fn merge_metadata(ctx: &Ctx) -> Result<Reply, ApiError> {
    let patches = metadata_body(ctx)?;
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    for (field, patch) in patches {
        deep_merge(&mut user[field], &patch);
    }
    Ok(Reply::Object(save(&mut store, user)))
}

/// PUT: each given metadata object replaces the stored one; omitted ones stay.
fn replace_metadata(ctx: &Ctx) -> Result<Reply, ApiError> {
    let replacements = metadata_body(ctx)?;
    let mut store = ctx.instance.store.lock();
    let mut user = load(&mut store, ctx.path_param("user_id"))?;
    for (field, value) in replacements {
        user[field] = value;
    }
    Ok(Reply::Object(save(&mut store, user)))
}
