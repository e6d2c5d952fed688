//! Users (tag "Users"): Clerk's semantics for every user operation of the
//! three API versions. One operationId is one handler; the renderer narrows
//! the canonical (newest-version) `User` for older versions.
//!
//! Store: collection `users`, one complete `User` per id with its email
//! addresses, phone numbers and web3 wallets inline (see `model.rs`), kept
//! findable by identifier through `index.rs`. Deleting a user also removes
//! its organization memberships (keeping `members_count` exact) and sessions.
//!
//! ```
//! use clerk_mock::resources::users::{insert_user, remove_user};
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! let user = insert_user(&mut store, &serde_json::json!({"username": "ada_l"})).unwrap();
//! let id = user["id"].as_str().unwrap();
//! assert!(remove_user(&mut store, id).is_some());
//! assert!(store.get(clerk_mock::resources::collections::USERS, id).is_none());
//! ```

pub mod actions;
pub mod checks;
pub mod create;
pub mod fields;
pub mod index;
pub mod list;
pub mod model;
pub mod update;

use serde_json::Value;

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::deleted::deleted_answer;
use crate::state::Store;

pub use create::insert_user;

/// Users, with their email addresses, phone numbers and wallets inline.
/// Declared in `resources/collections.rs` (below the owners that read each other's).
use crate::resources::collections::{SESSIONS, USER, USERS};

pub fn register(registry: &mut Registry) {
    registry.add("CreateUser", "users", create::create_user);
    registry.add("GetUser", "users", get_user);
    registry.add("GetUserList", "users", list::list_users);
    registry.add("GetUsersCount", "users", list::count_users);
    registry.add("DeleteUser", "users", delete_user);
    update::register(registry);
    actions::register(registry);
}

/// The stored user, or Clerk's 404.
pub fn find<'a>(store: &'a Store, id: &str) -> Result<&'a Value, ApiError> {
    store.get(USERS, id).ok_or_else(|| ApiError::not_found("user"))
}

fn get_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    find(&store, ctx.path_param("user_id")).map(|u| Reply::Object(u.clone()))
}

fn delete_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let removed = remove_user(&mut store, ctx.path_param("user_id")).ok_or_else(|| ApiError::not_found("user"))?;
    Ok(Reply::Object(deleted_answer(ctx, &removed)))
}

/// Removes a user with everything that belongs to it: its identifiers (inline,
/// and from the indexes), its organization memberships (decrementing each
/// organization's `members_count`) and its sessions. Returns the removed user.
pub fn remove_user(store: &mut Store, id: &str) -> Option<Value> {
    index::ensure_fresh(store);
    let user = store.get(USERS, id)?.clone();
    index::unindex(store, &user);
    store.remove(USERS, id);
    index::mark_fresh(store);

    // The owners keep their own records: memberships their organizations'
    // `members_count`, sessions theirs.
    crate::resources::organizations::memberships::remove_all_of_user(store, id);
    crate::resources::sessions::remove_all_of_user(store, id);
    Some(user)
}

/// A copy of the stored user to change, or Clerk's 404 (indexes made fresh
/// first, so uniqueness checks can follow).
pub fn load(store: &mut Store, id: &str) -> Result<Value, ApiError> {
    index::ensure_fresh(store);
    find(store, id).cloned()
}

/// Stores a changed user: `updated_at` stamped, indexes kept in step.
pub fn save(store: &mut Store, mut user: Value) -> Value {
    let now = store.now_ms();
    user["updated_at"] = Value::from(now);
    index::replace_user(store, user.clone());
    user
}

/// Revokes a user's live sessions (`active` / `pending`); ended ones keep
/// their status. Ban, password changes with sign-out, and
/// `revoke_all_sessions` use it.
pub fn revoke_sessions(store: &mut Store, user_id: &str, now: i64) {
    store.update_where(
        SESSIONS,
        |s| s["user_id"] == user_id && (s["status"] == "active" || s["status"] == "pending"),
        |s| {
            s["status"] = Value::String("revoked".into());
            s["updated_at"] = Value::from(now);
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::collections::{MEMBERSHIPS, ORGS};
    use serde_json::{json, Map};

    fn store_with_member() -> (Store, String, String) {
        let mut store = Store::new(1, "sk_test_unit");
        let member = insert_user(&mut store, &json!({"username": "member"})).unwrap();
        insert_user(&mut store, &json!({"username": "outsider"})).unwrap();
        let user_id = member["id"].as_str().unwrap().to_string();
        store.insert(ORGS, "org_1", json!({"id": "org_1", "object": "organization", "members_count": 1}));
        store.insert(
            MEMBERSHIPS,
            "orgmem_1",
            json!({"id": "orgmem_1", "object": "organization_membership", "_org_id": "org_1", "_user_id": user_id}),
        );
        store.insert(SESSIONS, "sess_1", json!({"id": "sess_1", "object": "session", "user_id": user_id, "status": "active"}));
        store.insert(SESSIONS, "sess_2", json!({"id": "sess_2", "object": "session", "user_id": "user_other", "status": "active"}));
        (store, user_id, "org_1".into())
    }

    #[test]
    fn listing_by_organization_follows_the_memberships() {
        let (store, user_id, org) = store_with_member();
        let mut query = Map::new();
        query.insert("organization_id".into(), json!([org]));
        let found = list::matching_ids(&store, &query);
        assert_eq!(found, vec![user_id.as_str()]);
        query.insert("organization_id".into(), json!(["org_unknown"]));
        assert!(list::matching_ids(&store, &query).is_empty());
    }

    #[test]
    fn removing_a_user_removes_its_memberships_and_sessions_and_counts_the_org_down() {
        let (mut store, user_id, org) = store_with_member();
        remove_user(&mut store, &user_id).unwrap();
        assert!(store.get(MEMBERSHIPS, "orgmem_1").is_none());
        assert_eq!(store.get(ORGS, &org).unwrap()["members_count"], 0);
        assert!(store.get(SESSIONS, "sess_1").is_none());
        assert!(store.get(SESSIONS, "sess_2").is_some(), "other users' sessions stay");
    }

    #[test]
    fn banning_revokes_only_the_users_active_sessions() {
        let (mut store, user_id, _) = store_with_member();
        revoke_sessions(&mut store, &user_id, 5);
        assert_eq!(store.get(SESSIONS, "sess_1").unwrap()["status"], "revoked");
        assert_eq!(store.get(SESSIONS, "sess_2").unwrap()["status"], "active");
    }

    #[test]
    fn indexes_rebuild_after_users_are_inserted_behind_their_back() {
        let mut store = Store::new(1, "sk_test_unit");
        insert_user(&mut store, &json!({"email_address": ["a@example.com"]})).unwrap();
        // A loaded dump: the same collections, no indexes.
        let dumped = serde_json::to_string(&store).unwrap();
        let mut loaded: Store = serde_json::from_str(&dumped).unwrap();
        assert!(loaded.collections().eq(store.collections()));
        let again = insert_user(&mut loaded, &json!({"email_address": ["A@example.com"]}));
        assert_eq!(again.unwrap_err().errors[0].code, "form_identifier_exists");
        // A user inserted directly (as a fixture might) is seen too.
        let mut raw = model::new_user("user_raw", 1);
        raw["username"] = json!("rawuser");
        loaded.insert(USERS, "user_raw", raw);
        let clash = insert_user(&mut loaded, &json!({"username": "RawUser"}));
        assert_eq!(clash.unwrap_err().errors[0].meta.as_ref().unwrap()["param_name"], "username");
    }
}
