//! Organization roles and permissions (the newer specs' `/organization_roles`
//! and `/organization_permissions`), and what every membership needs from
//! them: whether a role exists, its name and its permission keys.
//!
//! Every instance starts with Clerk's system roles `org:admin` and
//! `org:member` and the `org:sys_*` system permissions (seeded into the store
//! on first use, so they have ids and show in the lists). System permissions
//! cannot be changed or deleted; a role in use cannot be deleted.
//!
//! ```text
//! POST /organization_permissions {"name":"Read reports","key":"org:reports:read"}
//! POST /organization_roles {"name":"Analyst","key":"org:analyst","permissions":["perm_…"]}
//! POST /organizations/org_…/memberships {"user_id":"user_…","role":"org:analyst"}
//!   → membership.permissions == ["org:reports:read"]
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::state::listing::matches_query;
use crate::state::Store;
use crate::resources::collections::INVITATIONS;

pub const ROLES: crate::state::CollectionKey = crate::state::CollectionKey::new("organization_roles");
pub const PERMISSIONS: crate::state::CollectionKey = crate::state::CollectionKey::new("organization_permissions");
pub const ROLE: crate::state::Kind = crate::state::Kind::stored("role", "role", ROLES);
pub const PERMISSION: crate::state::Kind = crate::state::Kind::stored("permission", "perm", PERMISSIONS);
pub const ADMIN_ROLE: &str = "org:admin";
pub const MEMBER_ROLE: &str = "org:member";

/// Clerk's system permissions: (key, name, description).
const SYSTEM_PERMISSIONS: &[(&str, &str, &str)] = &[
    ("org:sys_profile:manage", "Manage organization", "Permission to manage an organization."),
    ("org:sys_profile:delete", "Delete organization", "Permission to delete an organization."),
    ("org:sys_memberships:read", "Read members", "Permission to read the members of an organization."),
    ("org:sys_memberships:manage", "Manage members", "Permission to manage the members of an organization."),
    ("org:sys_domains:read", "Read domains", "Permission to read the domains of an organization."),
    ("org:sys_domains:manage", "Manage domains", "Permission to manage the domains of an organization."),
];

/// What the system roles hold before anyone edits them.
fn builtin_permissions(role: &str) -> Vec<String> {
    match role {
        ADMIN_ROLE => SYSTEM_PERMISSIONS.iter().map(|p| p.0.to_string()).collect(),
        MEMBER_ROLE => vec!["org:sys_memberships:read".to_string()],
        _ => Vec::new(),
    }
}

pub fn register(registry: &mut Registry) {
    registry.add("ListOrganizationRoles", "organizations", list_roles);
    registry.add("CreateOrganizationRole", "organizations", create_role);
    registry.add("GetOrganizationRole", "organizations", get_role);
    registry.add("UpdateOrganizationRole", "organizations", update_role);
    registry.add("DeleteOrganizationRole", "organizations", delete_role);
    registry.add("AssignPermissionToOrganizationRole", "organizations", assign_permission);
    registry.add("RemovePermissionFromOrganizationRole", "organizations", remove_permission);
    registry.add("ListOrganizationPermissions", "organizations", list_permissions);
    registry.add("CreateOrganizationPermission", "organizations", create_permission);
    registry.add("GetOrganizationPermission", "organizations", get_permission);
    registry.add("UpdateOrganizationPermission", "organizations", update_permission);
    registry.add("DeleteOrganizationPermission", "organizations", delete_permission);
}

// ---- lookups every membership uses ----

fn by_key<'a>(store: &'a Store, collection: crate::state::CollectionKey<'_>, key: &str) -> Option<&'a Value> {
    store.iter(collection).find(|r| r.get("key").and_then(Value::as_str) == Some(key))
}

/// Whether memberships and invitations may use this role.
pub fn role_exists(store: &Store, role: &str) -> bool {
    role == ADMIN_ROLE || role == MEMBER_ROLE || by_key(store, ROLES, role).is_some()
}

/// The role's display name (`org:admin` → `Admin`).
pub fn role_name(store: &Store, role: &str) -> String {
    if let Some(found) = by_key(store, ROLES, role).and_then(|r| r.get("name")).and_then(Value::as_str) {
        return found.to_string();
    }
    let bare = role.strip_prefix("org:").unwrap_or(role);
    let mut chars = bare.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// The permission keys a role grants, as a membership lists them.
pub fn permissions_for(store: &Store, role: &str) -> Vec<String> {
    match by_key(store, ROLES, role) {
        Some(found) => permission_ids(found)
            .iter()
            .filter_map(|id| store.get(PERMISSIONS, id))
            .filter_map(|p| p.get("key").and_then(Value::as_str).map(str::to_string))
            .collect(),
        None => builtin_permissions(role),
    }
}

/// A 422 for a role nobody defined.
pub fn unknown_role(role: &str) -> ApiError {
    ApiError::value_invalid(format!("The role {role:?} does not exist: use org:admin, org:member or a role created with POST /organization_roles."))
    .with_param("role")
}

fn permission_ids(role: &Value) -> Vec<String> {
    role.get("_permission_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Puts the system roles and permissions into the store once. Not a
/// change an app would hear about: Clerk's instances have them from the
/// start, so it is not recorded for webhooks.
fn seed(store: &mut Store) {
    store.unrecorded(seed_system_roles);
}

fn seed_system_roles(store: &mut Store) {
    const FLAG: &str = "_organization_roles_seeded";
    if store.singleton(FLAG).is_some() {
        return;
    }
    let now = store.now_ms();
    for (key, name, description) in SYSTEM_PERMISSIONS {
        if by_key(store, PERMISSIONS, key).is_none() {
            store.create_at(&PERMISSION, now, |_, _, now| {
                json!({
                    "name": name, "key": key, "description": description,
                    "type": "system", "created_at": now, "updated_at": now,
                })
            });
        }
    }
    for (key, name, description) in [
        (ADMIN_ROLE, "Admin", "Role with elevated permissions in the organization."),
        (MEMBER_ROLE, "Member", "Role with non-privileged permissions in the organization."),
    ] {
        if by_key(store, ROLES, key).is_none() {
            let ids: Vec<Value> = builtin_permissions(key)
                .iter()
                .filter_map(|k| by_key(store, PERMISSIONS, k).and_then(|p| p.get("id")).cloned())
                .collect();
            store.create_at(&ROLE, now, |_, _, now| {
                json!({
                    "name": name, "key": key, "description": description,
                    "is_creator_eligible": key == ADMIN_ROLE, "created_at": now, "updated_at": now,
                    "_permission_ids": ids, "_system": true,
                })
            });
        }
    }
    store.set_singleton(FLAG, json!(true));
}

/// A role as answered: its permissions as objects.
pub fn role_view(store: &Store, role: &Value) -> Value {
    let mut view = role.clone();
    let permissions: Vec<Value> = permission_ids(role).iter().filter_map(|id| store.get(PERMISSIONS, id).cloned()).collect();
    view["permissions"] = Value::Array(permissions);
    view
}

fn role_key_format(key: &str) -> Result<(), ApiError> {
    let body = key.strip_prefix("org:").unwrap_or("");
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(format_error("key", format!("The role key {key:?} must be 'org:' followed by lower-case letters, digits and underscores.")));
    }
    Ok(())
}

fn permission_key_format(key: &str) -> Result<(), ApiError> {
    let parts: Vec<&str> = key.split(':').collect();
    let segment_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if parts.len() != 3 || parts[0] != "org" || !segment_ok(parts[1]) || !segment_ok(parts[2]) {
        return Err(format_error("key", format!("The permission key {key:?} must look like org:feature:action.")));
    }
    if parts[1].starts_with("sys_") {
        return Err(format_error("key", "Permission keys starting with org:sys_ are reserved for system permissions."));
    }
    Ok(())
}

fn format_error(param: &str, long: impl Into<String>) -> ApiError {
    ApiError::param_format_invalid(param, long)
}

fn required_text(ctx: &Ctx, field: &str) -> Result<String, ApiError> {
    crate::resources::params::required_text(&ctx.body, field).map(str::to_string)
}

/// Permission ids from a request, each checked to exist.
fn requested_permissions(ctx: &Ctx, store: &Store) -> Result<Option<Vec<Value>>, ApiError> {
    let Some(ids) = ctx.field("permissions").and_then(Value::as_array) else { return Ok(None) };
    let mut out = Vec::new();
    for id in ids.iter().filter_map(Value::as_str) {
        let found = store.get(PERMISSIONS, id).or_else(|| by_key(store, PERMISSIONS, id));
        match found.and_then(|p| p.get("id")) {
            Some(pid) if !out.contains(pid) => out.push(pid.clone()),
            Some(_) => {}
            None => return Err(ApiError::not_found("permission").with_meta(json!({"param_name": "permissions", "permission_id": id}))),
        }
    }
    Ok(Some(out))
}

fn paged(ctx: &Ctx, mut items: Vec<Value>, default_order: &str) -> Reply {
    if let Some(q) = ctx.query.get("query").and_then(Value::as_str).map(str::to_lowercase) {
        items.retain(|i| matches_query(i, &q));
    }
    let order = ctx.query.get("order_by").and_then(Value::as_str).unwrap_or(default_order);
    let refs: Vec<&Value> = items.iter().collect();
    ctx.sorted_page(refs, order)
}

// ---- roles ----

fn list_roles(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    seed(&mut store);
    let items = store.iter(ROLES).map(|r| role_view(&store, r)).collect();
    Ok(paged(ctx, items, "-created_at"))
}

fn create_role(ctx: &Ctx) -> Result<Reply, ApiError> {
    let name = required_text(ctx, "name")?;
    let key = required_text(ctx, "key")?;
    role_key_format(&key)?;
    let mut store = ctx.instance.store.lock();
    seed(&mut store);
    if by_key(&store, ROLES, &key).is_some() {
        return Err(ApiError::identifier_exists("key", format!("A role with the key {key:?} already exists.")));
    }
    let permissions = requested_permissions(ctx, &store)?.unwrap_or_default();
    let role = store.create(&ROLE, |_store, _id, now| {
        json!({
            "name": name, "key": key,
            "description": ctx.field("description").cloned().unwrap_or(Value::Null),
            "is_creator_eligible": false, "created_at": now, "updated_at": now,
            "_permission_ids": permissions,
            "_in_initial_role_set": ctx.field("include_in_initial_role_set").and_then(Value::as_bool).unwrap_or(false),
        })
    });
    Ok(Reply::Object(role_view(&store, &role)))
}

fn find_role(store: &mut Store, id_or_key: &str) -> Result<String, ApiError> {
    seed(store);
    store
        .get(ROLES, id_or_key)
        .or_else(|| by_key(store, ROLES, id_or_key))
        .and_then(|r| r.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| ApiError::not_found("organization role"))
}

fn get_role(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = find_role(&mut store, ctx.path_param("organization_role_id"))?;
    let role = store.get(ROLES, &id).cloned().unwrap_or_default();
    Ok(Reply::Object(role_view(&store, &role)))
}

fn update_role(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = find_role(&mut store, ctx.path_param("organization_role_id"))?;
    let old_key = store.get(ROLES, &id).and_then(|r| r.get("key")).and_then(Value::as_str).unwrap_or("").to_string();
    let new_key = match ctx.str_field("key") {
        Some(key) if key != old_key => {
            role_key_format(key)?;
            if old_key == ADMIN_ROLE || old_key == MEMBER_ROLE {
                return Err(ApiError::system_role_key_immutable(&old_key));
            }
            if by_key(&store, ROLES, key).is_some() {
                return Err(ApiError::identifier_exists("key", format!("A role with the key {key:?} already exists.")));
            }
            Some(key.to_string())
        }
        _ => None,
    };
    let permissions = requested_permissions(ctx, &store)?;
    let now = store.now_ms();
    let role = store.get_mut(ROLES, &id).expect("found above");
    if let Some(name) = ctx.str_field("name") {
        role["name"] = json!(name);
    }
    if ctx.body.get("description").is_some() {
        role["description"] = ctx.body["description"].clone();
    }
    if let Some(ids) = permissions {
        role["_permission_ids"] = Value::Array(ids);
    }
    if let Some(key) = &new_key {
        role["key"] = json!(key);
    }
    role["updated_at"] = json!(now);
    let role = role.clone();
    if let Some(key) = new_key {
        // Memberships and invitations refer to roles by key: they follow the rename.
        super::member_roles::rename_role(&mut store, &old_key, &key);
        store.update_where(INVITATIONS, |item| item.get("role").and_then(Value::as_str) == Some(old_key.as_str()), |item| {
            item["role"] = json!(key)
        });
    }
    Ok(Reply::Object(role_view(&store, &role)))
}

fn delete_role(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = find_role(&mut store, ctx.path_param("organization_role_id"))?;
    let key = store.get(ROLES, &id).and_then(|r| r.get("key")).and_then(Value::as_str).unwrap_or("").to_string();
    if key == ADMIN_ROLE || key == MEMBER_ROLE {
        return Err(ApiError::system_role_not_deletable(&key));
    }
    let in_use = super::member_roles::any_with_role(&store, &key)
        || store.iter(INVITATIONS).any(|i| i["role"] == key.as_str() && i["status"] == "pending");
    if in_use {
        return Err(ApiError::role_in_use(&key));
    }
    store.remove(ROLES, &id);
    Ok(super::deleted_reply(json!({"object": "role", "id": id, "deleted": true})))
}

fn role_and_permission(ctx: &Ctx, store: &mut Store) -> Result<(String, String), ApiError> {
    let role = find_role(store, ctx.path_param("organization_role_id"))?;
    let wanted = ctx.path_param("permission_id");
    let permission = store
        .get(PERMISSIONS, wanted)
        .or_else(|| by_key(store, PERMISSIONS, wanted))
        .and_then(|p| p.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| ApiError::not_found("permission"))?;
    Ok((role, permission))
}

fn assign_permission(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let (role_id, permission_id) = role_and_permission(ctx, &mut store)?;
    let now = store.now_ms();
    let role = store.get_mut(ROLES, &role_id).expect("found above");
    let mut ids = permission_ids(role);
    if ids.contains(&permission_id) {
        return Err(ApiError::permission_already_assigned());
    }
    ids.push(permission_id);
    role["_permission_ids"] = json!(ids);
    role["updated_at"] = json!(now);
    let role = role.clone();
    Ok(Reply::Object(role_view(&store, &role)))
}

fn remove_permission(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let (role_id, permission_id) = role_and_permission(ctx, &mut store)?;
    let now = store.now_ms();
    let role = store.get_mut(ROLES, &role_id).expect("found above");
    let mut ids = permission_ids(role);
    if !ids.contains(&permission_id) {
        return Err(ApiError::permission_not_assigned()
            .with_param("permission_id"));
    }
    ids.retain(|p| *p != permission_id);
    role["_permission_ids"] = json!(ids);
    role["updated_at"] = json!(now);
    let role = role.clone();
    Ok(Reply::Object(role_view(&store, &role)))
}

// ---- permissions ----

fn list_permissions(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    seed(&mut store);
    let items = store.iter(PERMISSIONS).cloned().collect();
    Ok(paged(ctx, items, "-created_at"))
}

fn create_permission(ctx: &Ctx) -> Result<Reply, ApiError> {
    let name = required_text(ctx, "name")?;
    let key = required_text(ctx, "key")?;
    permission_key_format(&key)?;
    let mut store = ctx.instance.store.lock();
    seed(&mut store);
    if by_key(&store, PERMISSIONS, &key).is_some() {
        return Err(ApiError::identifier_exists("key", format!("A permission with the key {key:?} already exists.")));
    }
    let permission = store.create(&PERMISSION, |_store, _id, now| {
        json!({
            "name": name, "key": key,
            "description": ctx.str_field("description").unwrap_or(""),
            "type": "user", "created_at": now, "updated_at": now,
        })
    });
    Ok(Reply::Object(permission))
}

fn find_permission(store: &mut Store, id: &str) -> Result<String, ApiError> {
    seed(store);
    store
        .get(PERMISSIONS, id)
        .or_else(|| by_key(store, PERMISSIONS, id))
        .and_then(|p| p.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| ApiError::not_found("permission"))
}

fn refuse_system(store: &Store, id: &str, action: &str) -> Result<(), ApiError> {
    if store.get(PERMISSIONS, id).and_then(|p| p.get("type")).and_then(Value::as_str) == Some("system") {
        return Err(ApiError::system_permission_immutable(action));
    }
    Ok(())
}

fn get_permission(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = find_permission(&mut store, ctx.path_param("permission_id"))?;
    Ok(Reply::Object(store.get(PERMISSIONS, &id).cloned().unwrap_or_default()))
}

fn update_permission(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = find_permission(&mut store, ctx.path_param("permission_id"))?;
    refuse_system(&store, &id, "updated")?;
    if let Some(key) = ctx.str_field("key") {
        permission_key_format(key)?;
        if by_key(&store, PERMISSIONS, key).is_some_and(|p| p["id"] != id.as_str()) {
            return Err(ApiError::identifier_exists("key", format!("A permission with the key {key:?} already exists.")));
        }
    }
    let now = store.now_ms();
    let permission = store.get_mut(PERMISSIONS, &id).expect("found above");
    for field in ["name", "key", "description"] {
        if let Some(v) = ctx.str_field(field) {
            permission[field] = json!(v);
        }
    }
    permission["updated_at"] = json!(now);
    Ok(Reply::Object(permission.clone()))
}

fn delete_permission(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = find_permission(&mut store, ctx.path_param("permission_id"))?;
    refuse_system(&store, &id, "deleted")?;
    store.remove(PERMISSIONS, &id);
    store.update_where(ROLES, |role| permission_ids(role).contains(&id), |role| {
        let kept: Vec<String> = permission_ids(role).into_iter().filter(|p| *p != id).collect();
        role["_permission_ids"] = json!(kept);
    });
    Ok(super::deleted_reply(json!({"object": "permission", "id": id, "deleted": true})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_roles_exist_before_anyone_creates_roles() {
        let store = Store::default();
        assert!(role_exists(&store, "org:admin") && role_exists(&store, "org:member"));
        assert!(!role_exists(&store, "org:nope"));
        assert_eq!(role_name(&store, "org:admin"), "Admin");
        assert_eq!(permissions_for(&store, "org:member"), vec!["org:sys_memberships:read"]);
    }

    #[test]
    fn seeding_gives_the_system_roles_their_permissions_once() {
        let mut store = Store::default();
        seed(&mut store);
        seed(&mut store);
        assert_eq!(store.iter(ROLES).count(), 2);
        assert_eq!(store.iter(PERMISSIONS).count(), SYSTEM_PERMISSIONS.len());
        assert_eq!(permissions_for(&store, "org:admin").len(), SYSTEM_PERMISSIONS.len());
    }

    #[test]
    fn keys_must_follow_clerks_formats() {
        assert!(role_key_format("org:billing_admin").is_ok());
        assert!(role_key_format("billing").is_err());
        assert!(permission_key_format("org:reports:read").is_ok());
        assert!(permission_key_format("org:sys_x:read").is_err());
        assert!(permission_key_format("org:reports").is_err());
    }
}
