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

use super::fields::{UserFields, METADATA};
use super::{load, model, save, revoke_sessions};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::metadata::deep_merge;
use crate::resources::params::{given_objects, nullable_string, opt_bool, opt_string};
use crate::state::Store;

pub fn register(registry: &mut Registry) {
    registry.add("UpdateUser", "users", update_user);
    registry.add("UpdateUserMetadata", "users", merge_metadata);
    registry.add("ReplaceUserMetadata", "users", replace_metadata);
}

fn update_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    apply_update(&mut store, ctx.path_param("user_id"), &ctx.body).map(Reply::Object)
}

/// Applies a `PATCH /users/{id}` body; every check passes before anything changes.
pub fn apply_update(store: &mut Store, id: &str, body: &Value) -> Result<Value, ApiError> {
    let mut user = load(store, id)?;
    let fields = UserFields::decode(body)?;
    let image = nullable_string(body, "profile_image_id")?;
    fields.check_free(store, Some(id))?;
    set_primaries(&mut user, body)?;
    let now = store.now_ms();
    let password = fields.stored_password(|| format!("{}:{}:{id}:{}", store.instance_key, store.seed, store.id_sequence))?;
    let sign_out = password.is_some() && opt_bool(body, "sign_out_of_other_sessions")?.unwrap_or(false);
    if let Some(image_id) = image {
        set_image(&mut user, id, image_id.as_deref());
    }
    fields.apply(&mut user, password, now);
    // Only once every check has passed does anything change.
    if sign_out {
        revoke_sessions(store, id, now);
    }
    Ok(save(store, user))
}

/// `primary_*_id`: each must name a verified identifier of this user.
fn set_primaries(user: &mut Value, body: &Value) -> Result<(), ApiError> {
    for (array, primary) in model::IDENTIFIER_ARRAYS {
        let Some(wanted) = opt_string(body, primary)? else { continue };
        let item = user[*array].as_array().and_then(|a| a.iter().find(|i| i["id"] == wanted.as_str()));
        match item {
            None => return Err(ApiError::param_invalid(primary, format!("{wanted} is not an identification of this user."))),
            Some(i) if !model::is_verified(i) => {
                return Err(ApiError::identification_not_verified("The identification must be verified before it can become primary.")
                    .with_param(primary));
            }
            Some(_) => user[*primary] = Value::String(wanted),
        }
    }
    Ok(())
}

/// `profile_image_id`: an uploaded image, or `null` for the default avatar.
fn set_image(user: &mut Value, id: &str, image_id: Option<&str>) {
    match image_id {
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

fn metadata_body(ctx: &Ctx) -> Result<Vec<(&'static str, Value)>, ApiError> {
    given_objects(&ctx.body, &METADATA)
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
