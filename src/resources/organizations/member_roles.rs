//! The roles that memberships hold, seen from the memberships collection:
//! what renaming or deleting a role does to the members that have it.
//!
//! It sits below both `memberships.rs` (which checks a role against the
//! role definitions) and `roles_permissions.rs` (which renames and deletes
//! roles), so the two never import each other both ways; it touches only
//! the memberships collection, which the memberships module owns.
//!
//! ```text
//! PATCH  /organization_roles/role_…  {"key": "org:lead"}   → members with the old key now hold org:lead
//! DELETE /organization_roles/role_…  (a member holds it)    → 422 organization_role_in_use
//! ```

use serde_json::{json, Value};

use crate::resources::collections::MEMBERSHIPS;
use crate::state::Store;

/// Whether any membership has the role `key`.
pub fn any_with_role(store: &Store, key: &str) -> bool {
    store.iter(MEMBERSHIPS).any(|m| m["role"] == key)
}

/// Memberships follow a role's new key.
pub fn rename_role(store: &mut Store, old_key: &str, new_key: &str) {
    store.update_where(MEMBERSHIPS, |m| m.get("role").and_then(Value::as_str) == Some(old_key), |m| m["role"] = json!(new_key));
}

