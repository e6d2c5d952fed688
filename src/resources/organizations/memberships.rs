//! Organization memberships, addressed by user id: create, list (per
//! organization, per user, instance-wide), change role, merge metadata,
//! delete. Each write keeps the organization's `members_count` exact.
//!
//! Stored in collection `organization_memberships` with `_org_id` and
//! `_user_id`; answers embed the current `organization` and
//! `public_user_data` (the Node SDK crashes without them).
//!
//! ```text
//! POST /organizations/org_…/memberships {"user_id":"user_…","role":"org:member"}
//!   → {"object":"organization_membership","role":"org:member","permissions":["org:sys_memberships:read"],
//!      "organization":{…,"members_count":2},"public_user_data":{"user_id":"user_…","identifier":"a@example.com",…}}
//! the same again                    → 422 already_a_member_in_organization
//! PATCH  …/memberships/user_…       {"role":"org:admin"}
//! DELETE …/memberships/user_…       → the membership; members_count drops
//! ```

use serde_json::{json, Value};

use std::collections::HashSet;

use super::roles_permissions as roles;
use super::{org_view, public_user_data, require_org, MEMBERSHIPS, ORGS};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::metadata::deep_merge;
use crate::state::Store;
use crate::resources::collections::{MEMBERSHIP, USERS};

pub fn register(registry: &mut Registry) {
    registry.add("CreateOrganizationMembership", "organizations", create);
    registry.add("ListOrganizationMemberships", "organizations", list_for_org);
    registry.add("UpdateOrganizationMembership", "organizations", update_role);
    registry.add("UpdateOrganizationMembershipMetadata", "organizations", update_metadata);
    registry.add("DeleteOrganizationMembership", "organizations", delete);
    registry.add("InstanceGetOrganizationMemberships", "organizations", list_all);
    registry.add("UsersGetOrganizationMemberships", "organizations", list_for_user);
}

// ---- who belongs where: every other module asks here ----

/// A user's membership of an organization.
pub fn membership_of<'a>(store: &'a Store, org_id: &str, user_id: &str) -> Option<&'a Value> {
    if org_id.is_empty() || user_id.is_empty() {
        return None;
    }
    store.iter(MEMBERSHIPS).find(|m| {
        m.get("_org_id").and_then(Value::as_str) == Some(org_id) && m.get("_user_id").and_then(Value::as_str) == Some(user_id)
    })
}

/// The memberships of one organization, oldest first.
pub fn of_org<'a>(store: &'a Store, org_id: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    store.iter(MEMBERSHIPS).filter(move |m| m.get("_org_id").and_then(Value::as_str) == Some(org_id))
}

/// The memberships of one user, oldest first.
pub fn of_user<'a>(store: &'a Store, user_id: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    store.iter(MEMBERSHIPS).filter(move |m| m.get("_user_id").and_then(Value::as_str) == Some(user_id))
}

/// The ids of the users who are members of any of `org_ids`.
pub fn member_ids_of_any(store: &Store, org_ids: &HashSet<String>) -> HashSet<String> {
    store
        .iter(MEMBERSHIPS)
        .filter(|m| m.get("_org_id").and_then(Value::as_str).is_some_and(|o| org_ids.contains(o)))
        .filter_map(|m| m.get("_user_id").and_then(Value::as_str).map(String::from))
        .collect()
}

/// How many members an organization has, counted (for an organization that
/// does not store `members_count`).
pub fn count_of_org(store: &Store, org_id: &str) -> usize {
    of_org(store, org_id).count()
}

/// Removes every membership of a deleted organization.
pub fn remove_all_of_org(store: &mut Store, org_id: &str) {
    store.remove_where(MEMBERSHIPS, |m| m.get("_org_id").and_then(Value::as_str) == Some(org_id));
}

/// Adds `user` to the organization with `role`: the stored membership.
/// Refuses a second membership (422 `already_a_member_in_organization`), an
/// unknown role and a full organization (403 when `max_allowed_memberships`
/// > 0 is reached).
pub fn insert(store: &mut Store, org_id: &str, user: &Value, role: &str, public: Value, private: Value) -> Result<Value, ApiError> {
    let user_id = user.get("id").and_then(Value::as_str).unwrap_or("").to_string();
    if !roles::role_exists(store, role) {
        return Err(roles::unknown_role(role));
    }
    if membership_of(store, org_id, &user_id).is_some() {
        return Err(ApiError::already_a_member(format!("User {user_id} is already a member of organization {org_id}."))
        .with_param("user_id"));
    }
    let org = store.get(ORGS, org_id).cloned().unwrap_or_default();
    let max = org.get("max_allowed_memberships").and_then(Value::as_i64).unwrap_or(0);
    let members = org.get("members_count").and_then(Value::as_i64).unwrap_or(0);
    if max > 0 && members >= max {
        return Err(ApiError::membership_quota_exceeded(org_id, max));
    }
    let membership = store.create(&MEMBERSHIP, |store, _id, now| {
        json!({
            "role": role,
            "role_name": roles::role_name(store, role),
            "permissions": roles::permissions_for(store, role),
            "public_metadata": if public.is_object() { public } else { json!({}) },
            "private_metadata": if private.is_object() { private } else { json!({}) },
            "organization": org,
            "public_user_data": public_user_data(user),
            "created_at": now,
            "updated_at": now,
            "_org_id": org_id,
            "_user_id": user_id,
        })
    });
    let now = membership["updated_at"].as_i64().unwrap_or_default();
    adjust_members_count(store, org_id, 1, now);
    Ok(membership)
}

/// Removes every membership of a deleted user; each organization's
/// `members_count` follows (its `updated_at` stays: the organization itself
/// did not change).
pub fn remove_all_of_user(store: &mut Store, user_id: &str) {
    let memberships: Vec<(String, Option<String>)> = of_user(store, user_id)
        .filter_map(|m| Some((m["id"].as_str()?.to_string(), m["_org_id"].as_str().map(String::from))))
        .collect();
    for (membership, org) in memberships {
        store.remove(MEMBERSHIPS, &membership);
        if let Some(org) = org.and_then(|o| store.get_mut(ORGS, &o)) {
            let count = org["members_count"].as_i64().unwrap_or(1);
            org["members_count"] = Value::from((count - 1).max(0));
        }
    }
}

fn adjust_members_count(store: &mut Store, org_id: &str, delta: i64, now: i64) {
    if let Some(org) = store.get_mut(ORGS, org_id) {
        let count = org.get("members_count").and_then(Value::as_i64).unwrap_or(0);
        org["members_count"] = json!((count + delta).max(0));
        org["updated_at"] = json!(now);
    }
}

/// A membership as answered: its organization, user data, role name and
/// permissions as they are now.
pub fn view(store: &Store, membership: &Value) -> Value {
    let mut out = membership.clone();
    let org_id = membership.get("_org_id").and_then(Value::as_str).unwrap_or("");
    if let Some(org) = store.get(ORGS, org_id) {
        out["organization"] = org_view(store, org);
    }
    let user_id = membership.get("_user_id").and_then(Value::as_str).unwrap_or("");
    if let Some(user) = store.get(USERS, user_id) {
        out["public_user_data"] = public_user_data(user);
    }
    let role = membership.get("role").and_then(Value::as_str).unwrap_or("");
    out["role_name"] = json!(roles::role_name(store, role));
    out["permissions"] = json!(roles::permissions_for(store, role));
    out
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some(user_id) = ctx.str_field("user_id").map(str::to_string) else {
        return Err(ApiError::param_missing("user_id"));
    };
    let Some(role) = ctx.str_field("role").map(str::to_string) else {
        return Err(ApiError::param_missing("role"));
    };
    let mut store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    let user = store.get(USERS, &user_id).cloned().ok_or_else(|| ApiError::not_found("user"))?;
    let public = ctx.field("public_metadata").cloned().unwrap_or_else(|| json!({}));
    let private = ctx.field("private_metadata").cloned().unwrap_or_else(|| json!({}));
    let membership = insert(&mut store, &org_id, &user, &role, public, private)?;
    Ok(Reply::Object(view(&store, &membership)))
}

/// The id of a user's membership of the path's organization, else 404.
fn require_membership(store: &Store, ctx: &Ctx) -> Result<(String, String), ApiError> {
    let org_id = require_org(store, ctx.path_param("organization_id"))?;
    let membership = membership_of(store, &org_id, ctx.path_param("user_id"))
        .and_then(|m| m.get("id").and_then(Value::as_str))
        .ok_or_else(|| ApiError::not_found("organization membership"))?;
    Ok((org_id, membership.to_string()))
}

fn update_role(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some(role) = ctx.str_field("role").map(str::to_string) else {
        return Err(ApiError::param_missing("role"));
    };
    let mut store = ctx.instance.store.lock();
    let (_, id) = require_membership(&store, ctx)?;
    if !roles::role_exists(&store, &role) {
        return Err(roles::unknown_role(&role));
    }
    let now = store.now_ms();
    let membership = store.get_mut(MEMBERSHIPS, &id).expect("found above");
    membership["role"] = json!(role);
    membership["updated_at"] = json!(now);
    let membership = membership.clone();
    Ok(Reply::Object(view(&store, &membership)))
}

fn update_metadata(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let (_, id) = require_membership(&store, ctx)?;
    let now = store.now_ms();
    let membership = store.get_mut(MEMBERSHIPS, &id).expect("found above");
    for field in ["public_metadata", "private_metadata"] {
        if let Some(patch) = ctx.body.get(field) {
            deep_merge(&mut membership[field], patch);
        }
    }
    membership["updated_at"] = json!(now);
    let membership = membership.clone();
    Ok(Reply::Object(view(&store, &membership)))
}

fn delete(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let (org_id, id) = require_membership(&store, ctx)?;
    let removed = store.remove(MEMBERSHIPS, &id).unwrap_or_default();
    let now = store.now_ms();
    adjust_members_count(&mut store, &org_id, -1, now);
    Ok(Reply::Object(view(&store, &removed)))
}

/// The values of an array (or single) query parameter.
fn strings(ctx: &Ctx, name: &str) -> Option<Vec<String>> {
    ctx.query.get(name).map(|v| match v {
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    })
}

/// Every `value_field` of the objects in the user's `list`.
fn identifiers(user: &Value, list: &str, value_field: &str) -> Vec<String> {
    user.get(list)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| i.get(value_field)?.as_str()).map(str::to_lowercase).collect())
        .unwrap_or_default()
}

fn text(user: &Value, field: &str) -> String {
    user.get(field).and_then(Value::as_str).unwrap_or("").to_lowercase()
}

/// Whether a membership passes the per-organization list's filters.
fn passes(ctx: &Ctx, membership: &Value, user: Option<&Value>) -> bool {
    let empty = json!({});
    let user = user.unwrap_or(&empty);
    let any_of = |param: &str, have: Vec<String>| {
        strings(ctx, param).map(|want| want.iter().any(|w| have.contains(&w.to_lowercase()))).unwrap_or(true)
    };
    let contains = |param: &str, have: Vec<String>| {
        ctx.query
            .get(param)
            .and_then(Value::as_str)
            .map(|q| have.iter().any(|h| h.contains(&q.to_lowercase())))
            .unwrap_or(true)
    };
    let number = |param: &str| ctx.query.get(param).and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
    let created = membership.get("created_at").and_then(Value::as_i64).unwrap_or(0);
    let last_active = user.get("last_active_at").and_then(Value::as_i64);
    let emails = identifiers(user, "email_addresses", "email_address");
    let phones = identifiers(user, "phone_numbers", "phone_number");
    let names = vec![text(user, "first_name"), text(user, "last_name"), format!("{} {}", text(user, "first_name"), text(user, "last_name"))];
    let username = vec![text(user, "username")];
    let everything: Vec<String> = [emails.clone(), phones.clone(), names.clone(), username.clone(), vec![text(user, "id")]].concat();
    any_of("user_id", vec![membership.get("_user_id").and_then(Value::as_str).unwrap_or("").to_lowercase()])
        && any_of("email_address", emails.clone())
        && any_of("phone_number", phones.clone())
        && any_of("username", username.clone())
        && any_of("web3_wallet", identifiers(user, "web3_wallets", "web3_wallet"))
        && any_of("role", vec![membership.get("role").and_then(Value::as_str).unwrap_or("").to_lowercase()])
        && contains("query", everything)
        && contains("email_address_query", emails)
        && contains("phone_number_query", phones)
        && contains("username_query", username)
        && contains("name_query", names)
        && number("created_at_before").map(|t| created < t).unwrap_or(true)
        && number("created_at_after").map(|t| created > t).unwrap_or(true)
        && number("last_active_at_before").map(|t| last_active.is_some_and(|l| l < t)).unwrap_or(true)
        && number("last_active_at_after").map(|t| last_active.is_some_and(|l| l > t)).unwrap_or(true)
}

/// Sorts, counts and pages memberships; `order_by` may name the member's
/// `first_name`, `last_name`, `username`, `email_address`, `phone_number` or
/// the membership's `created_at`.
fn page(ctx: &Ctx, store: &Store, memberships: Vec<&Value>) -> Reply {
    let keyed: Vec<Value> = memberships
        .into_iter()
        .map(|m| {
            let user = store.get(USERS, m.get("_user_id").and_then(Value::as_str).unwrap_or(""));
            let mut sortable = view(store, m);
            if let Some(user) = user {
                for field in ["first_name", "last_name", "username"] {
                    sortable[format!("_sort_{field}")] = user.get(field).cloned().unwrap_or(Value::Null);
                }
                sortable["_sort_email_address"] = json!(identifiers(user, "email_addresses", "email_address").first());
                sortable["_sort_phone_number"] = json!(identifiers(user, "phone_numbers", "phone_number").first());
            }
            sortable
        })
        .collect();
    let order = ctx.query.get("order_by").and_then(Value::as_str).unwrap_or("-created_at");
    let (sign, field) = match order.chars().next() {
        Some(c @ ('+' | '-')) => (c.to_string(), &order[1..]),
        _ => (String::new(), order),
    };
    let order = match field {
        "first_name" | "last_name" | "username" | "email_address" | "phone_number" => format!("{sign}_sort_{field}"),
        _ => format!("{sign}{field}"),
    };
    let refs: Vec<&Value> = keyed.iter().collect();
    ctx.sorted_page(refs, &order)
}

fn list_for_org(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    let matched: Vec<&Value> = of_org(&store, &org_id)
        .filter(|m| passes(ctx, m, store.get(USERS, m.get("_user_id").and_then(Value::as_str).unwrap_or(""))))
        .collect();
    Ok(page(ctx, &store, matched))
}

fn list_all(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let matched: Vec<&Value> = store.iter(MEMBERSHIPS).collect();
    Ok(page(ctx, &store, matched))
}

fn list_for_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let user_id = ctx.path_param("user_id");
    let matched: Vec<&Value> = of_user(&store, user_id).collect();
    Ok(page(ctx, &store, matched))
}
