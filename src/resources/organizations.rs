//! Organizations (every spec version): create, get by id **or slug**, list,
//! update, metadata merge/replace, delete with its cascade, logo upload and
//! removal. Memberships, invitations, domains and roles/permissions live in
//! the submodules; the store helpers here are shared with them and with the
//! token code (an active organization's claims).
//!
//! Stored in collection `organizations` as Clerk's `Organization` with
//! `members_count` kept exact by every membership write (the users module
//! decrements it when a deleted user's memberships go).
//!
//! ```text
//! POST /organizations {"name":"Acme Inc","created_by":"user_…"}
//!   → {"object":"organization","id":"org_…","slug":"acme-inc","members_count":1,…}
//! GET  /organizations/acme-inc           (the slug works wherever an id does)
//! DELETE /organizations/org_…            → memberships, invitations and domains go too
//! ```

pub mod domains;
pub mod invitations;
pub mod member_roles;
pub mod memberships;
pub mod roles_permissions;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::metadata::deep_merge;
use crate::state::listing::matches_query;
use crate::state::Store;

/// Declared in `resources/collections.rs` (below the owners that read each other's).
use crate::resources::collections::{DOMAINS, INVITATIONS, MEMBERSHIPS, ORGANIZATION, ORGS, SESSIONS, USERS};

/// Largest accepted logo, as Clerk documents.
const MAX_LOGO_BYTES: usize = 10 * 1024 * 1024;

pub fn register(registry: &mut Registry) {
    registry.add("ListOrganizations", "organizations", list);
    registry.add("CreateOrganization", "organizations", create);
    registry.add("GetOrganization", "organizations", get);
    registry.add("UpdateOrganization", "organizations", update);
    registry.add("DeleteOrganization", "organizations", delete);
    registry.add("MergeOrganizationMetadata", "organizations", merge_metadata);
    registry.add("ReplaceOrganizationMetadata", "organizations", replace_metadata);
    registry.add("UploadOrganizationLogo", "organizations", upload_logo);
    registry.add("DeleteOrganizationLogo", "organizations", delete_logo);
    memberships::register(registry);
    invitations::register(registry);
    domains::register(registry);
    roles_permissions::register(registry);
}

// ---- store helpers shared by the submodules and the token code ----

/// The organization with this id or slug.
pub fn find_org<'a>(store: &'a Store, id_or_slug: &str) -> Option<&'a Value> {
    store.get(ORGS, id_or_slug).or_else(|| {
        store.iter(ORGS).find(|o| o.get("slug").and_then(Value::as_str) == Some(id_or_slug))
    })
}

/// The id of the organization a path names (id or slug), else 404.
/// The id of an object of `collection` named by the path parameter `param`,
/// when it belongs to the organization of the path; else 404 naming `what`.
pub fn require_child(store: &Store, ctx: &Ctx, collection: crate::state::CollectionKey<'_>, param: &str, what: &str) -> Result<String, ApiError> {
    let org_id = require_org(store, ctx.path_param("organization_id"))?;
    let id = ctx.path_param(param);
    match store.get(collection, id) {
        Some(child) if child.get("_org_id").and_then(Value::as_str) == Some(org_id.as_str()) => Ok(id.to_string()),
        _ => Err(ApiError::not_found(what)),
    }
}

pub fn require_org(store: &Store, id_or_slug: &str) -> Result<String, ApiError> {
    find_org(store, id_or_slug)
        .and_then(|o| o.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| ApiError::not_found("organization"))
}

/// Who belongs to which organization is the memberships module's to say;
/// the token and session code ask through here.
pub use memberships::membership_of;

/// The organization as answered: counts fresh from the store.
pub fn org_view(store: &Store, org: &Value) -> Value {
    let mut view = org.clone();
    let id = org.get("id").and_then(Value::as_str).unwrap_or("");
    view["pending_invitations_count"] = json!(invitations::pending_count(store, id));
    if view.get("members_count").and_then(Value::as_i64).is_none() {
        view["members_count"] = json!(memberships::count_of_org(store, id));
    }
    view
}

/// `{id, name, slug, image_url, has_image}`: what invitations and domains embed.
pub fn public_org_data(org: &Value) -> Value {
    json!({
        "id": org.get("id"), "name": org.get("name"), "slug": org.get("slug"),
        "image_url": org.get("image_url"), "has_image": org.get("has_image").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// The identifier Clerk shows for a user: primary email, else phone, else username, else web3 wallet.
pub fn user_identifier(user: &Value) -> Option<String> {
    let primary = |list: &str, id_field: &str, value: &str| -> Option<String> {
        let id = user.get(id_field)?.as_str()?;
        let found = user.get(list)?.as_array()?.iter().find(|i| i.get("id").and_then(Value::as_str) == Some(id))?;
        found.get(value)?.as_str().map(str::to_string)
    };
    primary("email_addresses", "primary_email_address_id", "email_address")
        .or_else(|| primary("phone_numbers", "primary_phone_number_id", "phone_number"))
        .or_else(|| user.get("username").and_then(Value::as_str).map(str::to_string))
        .or_else(|| primary("web3_wallets", "primary_web3_wallet_id", "web3_wallet"))
}

/// A membership's `public_user_data` (Node's SDK crashes without it).
pub fn public_user_data(user: &Value) -> Value {
    json!({
        "user_id": user.get("id"),
        "first_name": user.get("first_name").cloned().unwrap_or(Value::Null),
        "last_name": user.get("last_name").cloned().unwrap_or(Value::Null),
        "profile_image_url": user.get("profile_image_url").or_else(|| user.get("image_url")).cloned().unwrap_or(Value::Null),
        "image_url": user.get("image_url").cloned().unwrap_or(json!("")),
        "has_image": user.get("has_image").and_then(Value::as_bool).unwrap_or(false),
        "identifier": user_identifier(user).map(Value::String).unwrap_or(Value::Null),
        "username": user.get("username").cloned().unwrap_or(Value::Null),
        "banned": user.get("banned").and_then(Value::as_bool).unwrap_or(false),
        "deprovisioned": user.get("deprovisioned").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// Removes an organization's dependants (memberships, invitations, domains)
/// and clears it as any session's active organization.
fn cascade_delete(store: &mut Store, org_id: &str) {
    memberships::remove_all_of_org(store, org_id);
    for collection in [INVITATIONS, DOMAINS] {
        store.remove_where(collection, |item| item.get("_org_id").and_then(Value::as_str) == Some(org_id));
    }
    store.update_where(
        SESSIONS,
        |session| session.get("last_active_organization_id").and_then(Value::as_str) == Some(org_id),
        |session| session["last_active_organization_id"] = Value::Null,
    );
}

/// A `DeletedObject`, sent as is: conforming it would fill the optional
/// `external_id` with a made-up value.
pub fn deleted_reply(body: Value) -> Reply {
    Reply::Raw { status: 200, content_type: "application/json".into(), body: body.to_string() }
}

// ---- slugs ----

/// `"Acme Inc."` → `"acme-inc"`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() { "organization".to_string() } else { slug }
}

/// An explicit slug: lower-case letters, digits, `-` and `_`.
fn check_slug(slug: &str) -> Result<(), ApiError> {
    let ok = !slug.is_empty() && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::format_invalid(format!("The slug {slug:?} may contain only lower-case letters, digits, '-' and '_'."))
        .with_param("slug"))
    }
}

fn slug_taken(store: &Store, slug: &str, except_id: &str) -> bool {
    store.iter(ORGS).any(|o| o.get("slug").and_then(Value::as_str) == Some(slug) && o["id"] != except_id)
}

fn taken_error(slug: &str) -> ApiError {
    ApiError::identifier_exists("slug", format!("The slug {slug:?} is taken by another organization. Please choose a different one."))
}

// ---- handlers ----

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    insert_organization(&mut store, &ctx.body).map(Reply::Object)
}

/// Creates an organization from a CreateOrganization body, with every check
/// the HTTP operation makes (fixtures call it too): a name, a unique slug
/// (generated from the name when absent), an existing `created_by` user who
/// becomes its `org:admin`. Returns the organization as answered.
pub fn insert_organization(store: &mut Store, body: &Value) -> Result<Value, ApiError> {
    let field = |name: &str| body.get(name).filter(|v| !v.is_null());
    let text = |name: &str| field(name).and_then(Value::as_str);
    let name = crate::resources::params::required_text(body, "name")?.to_string();
    let creator = match text("created_by").filter(|s| !s.is_empty()) {
        Some(user_id) => match store.get(USERS, user_id) {
            Some(user) => Some(user.clone()),
            None => return Err(ApiError::param_invalid("created_by", format!("No user has the id {user_id}."))),
        },
        None => None,
    };
    let slug = match text("slug") {
        Some(slug) => {
            let slug = slug.trim().to_lowercase();
            check_slug(&slug)?;
            if slug_taken(store, &slug, "") {
                return Err(taken_error(&slug));
            }
            slug
        }
        None => {
            let base = slugify(&name);
            let mut slug = base.clone();
            let mut n = 2;
            while slug_taken(store, &slug, "") {
                slug = format!("{base}-{n}");
                n += 1;
            }
            slug
        }
    };
    let max = field("max_allowed_memberships").and_then(Value::as_i64).unwrap_or(0);
    if max < 0 {
        return Err(ApiError::param_invalid("max_allowed_memberships", "max_allowed_memberships cannot be negative (0 means unlimited)."));
    }
    let org = store.create(&ORGANIZATION, |_store, id, now| {
        let created_at = text("created_at").and_then(crate::resources::rfc3339::parse_ms).unwrap_or(now);
        let creator_id = creator.as_ref().and_then(|u| u.get("id")).and_then(Value::as_str).unwrap_or("").to_string();
        json!({
            "name": name,
            "slug": slug,
            "image_url": default_image_url(&id),
            "has_image": false,
            "members_count": 0,
            "missing_member_with_elevated_permissions": false,
            "pending_invitations_count": 0,
            "max_allowed_memberships": max,
            "admin_delete_enabled": true,
            "public_metadata": field("public_metadata").cloned().unwrap_or_else(|| json!({})),
            "private_metadata": field("private_metadata").cloned().unwrap_or_else(|| json!({})),
            "created_by": creator_id,
            "created_at": created_at,
            "updated_at": now,
            "last_active_at": now,
            "role_set_key": field("role_set_key").cloned().unwrap_or(Value::Null),
        })
    });
    let id = org["id"].as_str().unwrap_or_default().to_string();
    if let Some(user) = creator {
        if let Err(e) = memberships::insert(store, &id, &user, roles_permissions::ADMIN_ROLE, json!({}), json!({})) {
            store.remove(ORGS, &id);
            return Err(e);
        }
    }
    let org = store.get(ORGS, &id).cloned().unwrap_or_default();
    Ok(org_view(store, &org))
}

/// Clerk's image for an organization without a logo.
fn default_image_url(org_id: &str) -> String {
    format!("https://img.clerk.com/default/organization/{org_id}.png")
}

fn get(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let org = find_org(&store, ctx.path_param("organization_id")).ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(Reply::Object(org_view(&store, org)))
}

fn list(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let query = ctx.query.get("query").and_then(Value::as_str).map(str::to_lowercase);
    let strings = |name: &str| -> Option<Vec<String>> {
        ctx.query.get(name).map(|v| match v {
            Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        })
    };
    let org_ids = strings("organization_id");
    let user_ids = strings("user_id");
    let matched: Vec<Value> = store
        .iter(ORGS)
        .filter(|o| {
            let id = o.get("id").and_then(Value::as_str).unwrap_or("");
            org_ids.as_ref().map(|ids| ids.iter().any(|i| i == id)).unwrap_or(true)
                && user_ids
                    .as_ref()
                    .map(|users| users.iter().any(|u| membership_of(&store, id, u).is_some()))
                    .unwrap_or(true)
                && query.as_deref().map(|q| o["id"] == q || matches_query(o, q)).unwrap_or(true)
        })
        .map(|o| org_view(&store, o))
        .collect();
    let order = ctx.query.get("order_by").and_then(Value::as_str).unwrap_or("-created_at");
    let refs: Vec<&Value> = matched.iter().collect();
    Ok(ctx.sorted_page(refs, order))
}

fn update(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_org(&store, ctx.path_param("organization_id"))?;
    let slug = match ctx.str_field("slug") {
        Some(slug) => {
            let slug = slug.trim().to_lowercase();
            check_slug(&slug)?;
            if slug_taken(&store, &slug, &id) {
                return Err(taken_error(&slug));
            }
            Some(slug)
        }
        None => None,
    };
    if let Some(max) = ctx.field("max_allowed_memberships").and_then(Value::as_i64) {
        if max < 0 {
            return Err(ApiError::param_invalid("max_allowed_memberships", "max_allowed_memberships cannot be negative (0 means unlimited)."));
        }
    }
    if let Some(name) = ctx.str_field("name") {
        if name.trim().is_empty() {
            return Err(ApiError::param_invalid("name", "The organization name cannot be empty."));
        }
    }
    let now = store.now_ms();
    let org = store.get_mut(ORGS, &id).expect("found above");
    if let Some(name) = ctx.str_field("name") {
        org["name"] = json!(name.trim());
    }
    if let Some(slug) = slug {
        org["slug"] = json!(slug);
    }
    for field in ["max_allowed_memberships", "admin_delete_enabled", "public_metadata", "private_metadata", "role_set_key"] {
        if let Some(v) = ctx.field(field) {
            org[field] = v.clone();
        }
    }
    if let Some(created_at) = ctx.str_field("created_at").and_then(crate::resources::rfc3339::parse_ms) {
        org["created_at"] = json!(created_at);
    }
    org["updated_at"] = json!(now);
    let org = org.clone();
    Ok(Reply::Object(org_view(&store, &org)))
}

fn delete(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_org(&store, ctx.path_param("organization_id"))?;
    let removed = store.remove(ORGS, &id).unwrap_or_default();
    cascade_delete(&mut store, &id);
    Ok(deleted_reply(json!({"object": "organization", "id": id, "slug": removed.get("slug"), "deleted": true})))
}

fn merge_metadata(ctx: &Ctx) -> Result<Reply, ApiError> {
    write_metadata(ctx, true)
}

fn replace_metadata(ctx: &Ctx) -> Result<Reply, ApiError> {
    write_metadata(ctx, false)
}

/// PATCH deep-merges (`null` deletes a key); PUT replaces each given field wholesale.
fn write_metadata(ctx: &Ctx, merge: bool) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_org(&store, ctx.path_param("organization_id"))?;
    let now = store.now_ms();
    let org = store.get_mut(ORGS, &id).expect("found above");
    for field in ["public_metadata", "private_metadata"] {
        let Some(given) = ctx.body.get(field) else { continue };
        if merge {
            deep_merge(&mut org[field], given);
        } else {
            org[field] = if given.is_null() { json!({}) } else { given.clone() };
        }
    }
    org["updated_at"] = json!(now);
    let org = org.clone();
    Ok(Reply::Object(org_view(&store, &org)))
}

fn upload_logo(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some(file) = ctx.files.iter().find(|f| f.field == "file").or_else(|| ctx.files.first()) else {
        return Err(ApiError::param_missing("file"));
    };
    if file.bytes.len() > MAX_LOGO_BYTES {
        return Err(ApiError::file_too_large("An organization logo can be at most 10 MB."));
    }
    if file.bytes.is_empty() {
        return Err(ApiError::param_invalid("file", "The uploaded logo is empty."));
    }
    let mut store = ctx.instance.store.lock();
    let id = require_org(&store, ctx.path_param("organization_id"))?;
    if let Some(uploader) = ctx.str_field("uploader_user_id") {
        if store.get(USERS, uploader).is_none() {
            return Err(ApiError::not_found("user"));
        }
    }
    let now = store.now_ms();
    let org = store.get_mut(ORGS, &id).expect("found above");
    let url = format!("https://img.clerk.com/uploaded/{id}/{now}-{}", sanitize(&file.filename));
    org["image_url"] = json!(url);
    org["logo_url"] = json!(url);
    org["has_image"] = json!(true);
    org["updated_at"] = json!(now);
    let org = org.clone();
    Ok(Reply::Object(org_view(&store, &org)))
}

fn sanitize(filename: &str) -> String {
    let clean: String = filename.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-' || *c == '_').collect();
    if clean.is_empty() { "logo".into() } else { clean }
}

fn delete_logo(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_org(&store, ctx.path_param("organization_id"))?;
    let now = store.now_ms();
    let org = store.get_mut(ORGS, &id).expect("found above");
    org["image_url"] = json!(default_image_url(&id));
    if let Some(map) = org.as_object_mut() {
        map.remove("logo_url");
    }
    org["has_image"] = json!(false);
    org["updated_at"] = json!(now);
    let org = org.clone();
    Ok(Reply::Object(org_view(&store, &org)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_names_in_lower_case_with_dashes() {
        assert_eq!(slugify("Acme Inc."), "acme-inc");
        assert_eq!(slugify("  Ünïcode & Co  "), "n-code-co");
        assert_eq!(slugify("!!!"), "organization");
    }

    #[test]
    fn explicit_slugs_with_spaces_or_capitals_are_refused() {
        assert!(check_slug("acme_inc-2").is_ok());
        assert_eq!(check_slug("acme inc").unwrap_err().errors[0].code, "form_param_format_invalid");
    }

    #[test]
    fn the_identifier_prefers_the_primary_email() {
        let user = json!({
            "username": "ada", "primary_email_address_id": "idn_1",
            "email_addresses": [{"id": "idn_1", "email_address": "ada@example.com"}]
        });
        assert_eq!(user_identifier(&user).as_deref(), Some("ada@example.com"));
        assert_eq!(user_identifier(&json!({"username": "ada"})).as_deref(), Some("ada"));
    }
}
