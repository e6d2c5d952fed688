//! The users' identifier indexes (see `state/index.rs`): normalized email,
//! phone, web3 wallet, username and external id → user id, plus every inline
//! identification id (`idn_…`) → user id, so uniqueness checks and
//! `GET /email_addresses/{id}` are O(1) among 100k users.
//!
//! Every write to a user goes `unindex(old)` → change → `index(new)` →
//! `mark_fresh`, which records the `users` collection's write stamp;
//! [`ensure_fresh`] rebuilds all tables whenever the stamp moved on without
//! them (a dump was loaded, a fixture or a test wrote users directly). So a
//! fresh table is exact, and [`owner`] answers from it without decoding the
//! user (a stored user is packed; decoding one costs more than the lookup).
//! Other modules change a user through [`change_user`].
//!
//! ```
//! use clerk_mock::resources::users::index::{normalize_email, normalize_phone};
//! assert_eq!(normalize_email(" Ada@Example.COM "), "ada@example.com");
//! assert_eq!(normalize_phone("+1 (555) 555-0100"), "+15555550100");
//! ```

use serde_json::Value;

use crate::state::Store;
use crate::resources::collections::USERS;

pub const FAMILY: &str = "users";
pub const EMAIL: &str = "users:email";
pub const PHONE: &str = "users:phone";
pub const WEB3: &str = "users:web3";
pub const USERNAME: &str = "users:username";
pub const EXTERNAL_ID: &str = "users:external_id";
/// Identification id (email, phone, web3, passkey, external account) → user id.
pub const IDN: &str = "users:idn";

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Digits with a leading `+`; spaces, dashes, dots and parentheses dropped.
pub fn normalize_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("+{digits}")
}

pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

pub fn normalize_web3(wallet: &str) -> String {
    wallet.trim().to_lowercase()
}

/// Every (table, key) a user owns.
fn keys_of(user: &Value) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    let each = |array: &str| user.get(array).and_then(Value::as_array).into_iter().flatten();
    for e in each("email_addresses") {
        if let Some(text) = e["email_address"].as_str() {
            keys.push((EMAIL, normalize_email(text)));
        }
    }
    for p in each("phone_numbers") {
        if let Some(text) = p["phone_number"].as_str() {
            keys.push((PHONE, normalize_phone(text)));
        }
    }
    for w in each("web3_wallets") {
        if let Some(text) = w["web3_wallet"].as_str() {
            keys.push((WEB3, normalize_web3(text)));
        }
    }
    for array in ["email_addresses", "phone_numbers", "web3_wallets", "passkeys", "external_accounts"] {
        for item in each(array) {
            if let Some(id) = item["id"].as_str() {
                keys.push((IDN, id.to_string()));
            }
        }
    }
    if let Some(u) = user["username"].as_str() {
        keys.push((USERNAME, normalize_username(u)));
    }
    if let Some(x) = user["external_id"].as_str() {
        keys.push((EXTERNAL_ID, x.to_string()));
    }
    keys
}

/// Rebuilds the tables if they are not in step with the `users` collection.
pub fn ensure_fresh(store: &mut Store) {
    if store.indexes.is_fresh(FAMILY, stamp(store)) {
        return;
    }
    store.indexes.clear_family(FAMILY);
    let all: Vec<(String, Option<i64>, String, Vec<(&'static str, String)>)> = store
        .iter(USERS)
        .filter_map(|u| Some((u["id"].as_str()?.to_string(), u["created_at"].as_i64(), search_text(u), keys_of(u))))
        .collect();
    for (id, created_at, text, keys) in all {
        if let Some(at) = created_at {
            store.indexes.ordered_mut(CREATED_AT).insert((at, id.clone()));
        }
        store.indexes.search_mut(SEARCH).insert(&id, &text);
        for (table, key) in keys {
            store.indexes.table_mut(table).insert(key, id.clone());
        }
    }
    mark_fresh(store);
}

/// The `users` collection's write stamp: what the tables are in step with.
fn stamp(store: &Store) -> u64 {
    store.collection(USERS).map_or(0, |c| c.items.stamp())
}

/// Users by `created_at`: the default list order, served page by page.
pub const CREATED_AT: &str = "users:created_at";

/// User id → the lowercase text `query` searches (names, identifiers, ids),
/// in a trigram index (`state/search.rs`): a search reads the few texts that
/// hold the needle's trigrams instead of every user.
pub const SEARCH: &str = "users:search";

/// The text a `query` search looks in, lowercase, one field per line.
pub fn search_text(user: &Value) -> String {
    // Written into one buffer and lowercased once (every create and update
    // computes it).
    let mut text = String::with_capacity(160);
    text.push_str(user["first_name"].as_str().unwrap_or(""));
    text.push(' ');
    text.push_str(user["last_name"].as_str().unwrap_or(""));
    let mut line = |part: &str| {
        text.push('\n');
        text.push_str(part);
    };
    for (array, field) in [("email_addresses", "email_address"), ("phone_numbers", "phone_number"), ("web3_wallets", "web3_wallet")] {
        for item in user.get(array).and_then(Value::as_array).into_iter().flatten() {
            if let Some(part) = item[field].as_str() {
                line(part);
            }
        }
    }
    for field in ["username", "id", "external_id"] {
        if let Some(part) = user[field].as_str() {
            line(part);
        }
    }
    text.to_lowercase()
}

/// Adds a user's keys (after inserting or changing it).
pub fn index(store: &mut Store, user: &Value) {
    let Some(id) = user["id"].as_str() else { return };
    if let Some(at) = user["created_at"].as_i64() {
        store.indexes.ordered_mut(CREATED_AT).insert((at, id.to_string()));
    }
    store.indexes.search_mut(SEARCH).insert(id, &search_text(user));
    for (table, key) in keys_of(user) {
        store.indexes.table_mut(table).insert(key, id.to_string());
    }
}

/// Removes a user's keys (before changing or deleting it).
pub fn unindex(store: &mut Store, user: &Value) {
    let Some(id) = user["id"].as_str() else { return };
    if let Some(at) = user["created_at"].as_i64() {
        store.indexes.ordered_mut(CREATED_AT).remove(&(at, id.to_string()));
    }
    store.indexes.search_mut(SEARCH).remove(id);
    for (table, key) in keys_of(user) {
        store.indexes.remove_if_owned(table, &key, id);
    }
}

/// Records that the tables match the collection again (after a write that
/// kept them in step).
pub fn mark_fresh(store: &mut Store) {
    let stamp = stamp(store);
    store.indexes.mark_fresh(FAMILY, stamp);
}

/// The user that owns `key` in `table`. Call [`ensure_fresh`] first: a fresh
/// table is exact (every write since its rebuild kept it in step).
pub fn owner(store: &Store, table: &str, key: &str) -> Option<String> {
    let id = store.indexes.get(table, key)?;
    debug_assert!(store.indexes.is_fresh(FAMILY, stamp(store)), "index::owner before ensure_fresh");
    Some(id.to_string())
}

/// Changes a stored user in place for another module (a session stamping
/// `last_sign_in_at`, a sign-up storing the password), keeping the indexes
/// in step. Returns whether the user exists.
///
/// ```
/// use clerk_mock::resources::{collections::USERS, users::index};
/// use clerk_mock::state::Store;
/// use serde_json::json;
/// let mut store = Store::new(1, "sk_test_a");
/// index::replace_user(&mut store, json!({"id": "user_1", "username": "ada"}));
/// index::change_user(&mut store, "user_1", |u| u["username"] = json!("grace"));
/// assert_eq!(index::owner(&store, index::USERNAME, "grace").as_deref(), Some("user_1"));
/// assert_eq!(index::owner(&store, index::USERNAME, "ada"), None);
/// ```
pub fn change_user(store: &mut Store, id: &str, change: impl FnOnce(&mut Value)) -> bool {
    let Some(mut user) = store.get(USERS, id).cloned() else { return false };
    change(&mut user);
    replace_user(store, user);
    true
}

/// The id of the user who owns `email` (any case), from the email index.
pub fn user_with_email(store: &mut Store, email: &str) -> Option<String> {
    ensure_fresh(store);
    owner(store, EMAIL, &normalize_email(email))
}

/// Replaces a stored user, keeping the indexes in step.
pub fn replace_user(store: &mut Store, user: Value) {
    let Some(id) = user["id"].as_str().map(String::from) else { return };
    ensure_fresh(store);
    if let Some(old) = store.get(USERS, &id).cloned() {
        unindex(store, &old);
    }
    index(store, &user);
    store.insert(USERS, &id, user);
    mark_fresh(store);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_search_text_holds_the_name_and_every_identifier_in_lower_case_one_per_line() {
        let user = json!({
            "id": "user_1", "first_name": "Ada", "last_name": "LOVELACE", "username": "Ada_L", "external_id": null,
            "email_addresses": [{"email_address": "Ada@Example.com"}], "phone_numbers": [{"phone_number": "+15555550100"}],
        });
        assert_eq!(search_text(&user), "ada lovelace\nada@example.com\n+15555550100\nada_l\nuser_1");
        assert_eq!(search_text(&json!({"id": "user_2"})), " \nuser_2");
    }
}
