//! Which client a browser credential names: dev-browser token → client id
//! and `__client` cookie → client id, as indexes (see `state/index.rs`), so
//! identifying the client of a Frontend API request reads one object instead
//! of decoding every stored client.
//!
//! The Frontend API flows are the only writers of a client's `_dev_browser`
//! and `_cookie`, and they go through this module: [`insert`] when a client
//! is made, [`set_dev_browser`] when a client gets a token, [`remove`] when it
//! is deleted. Like every index it is a cache: a family whose recorded size no
//! longer matches the `clients` collection (a dump was loaded, BAPI or a
//! fixture touched clients) is rebuilt, and a hit is checked against the
//! object it points to.
//!
//! ```
//! use clerk_mock::resources::client_keys::{self, COOKIE, DEV_BROWSER};
//! use clerk_mock::resources::collections::CLIENTS;
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! let client = serde_json::json!({"id": "client_1", "_cookie": "cli_a", "_dev_browser": null});
//! store.insert(CLIENTS, "client_1", client.clone());
//! client_keys::insert(&mut store, &client);
//! assert_eq!(client_keys::find(&mut store, COOKIE, "cli_a").as_deref(), Some("client_1"));
//! client_keys::set_dev_browser(&mut store, "client_1", "dvb_b");
//! assert_eq!(client_keys::find(&mut store, DEV_BROWSER, "dvb_b").as_deref(), Some("client_1"));
//! assert_eq!(client_keys::find(&mut store, DEV_BROWSER, "dvb_other"), None);
//! ```

use serde_json::Value;

use crate::resources::collections::CLIENTS;
use crate::state::Store;

const FAMILY: &str = "clients";
/// Dev-browser token (`__clerk_db_jwt`) → client id.
pub const DEV_BROWSER: &str = "clients:dev_browser";
/// The mock's `__client` cookie → client id.
pub const COOKIE: &str = "clients:cookie";

/// The stored field each table keys on.
fn field_of(table: &str) -> &'static str {
    if table == COOKIE {
        "_cookie"
    } else {
        "_dev_browser"
    }
}

/// Every (table, key) a client owns.
fn keys_of(client: &Value) -> Vec<(&'static str, String)> {
    [DEV_BROWSER, COOKIE].into_iter().filter_map(|table| Some((table, client[field_of(table)].as_str()?.to_string()))).collect()
}

/// The version the tables record: the collection's size (hits are re-checked).
fn size(store: &Store) -> u64 {
    store.collection(CLIENTS).map(|c| c.items.len() as u64).unwrap_or(0)
}

/// Rebuilds both tables when they are not in step with the collection.
fn ensure_fresh(store: &mut Store) {
    let len = size(store);
    if store.indexes.is_fresh(FAMILY, len) {
        return;
    }
    store.indexes.clear_family(FAMILY);
    let all: Vec<(String, Vec<(&'static str, String)>)> =
        store.iter(CLIENTS).filter_map(|c| Some((c["id"].as_str()?.to_string(), keys_of(c)))).collect();
    for (id, keys) in all {
        for (table, key) in keys {
            store.indexes.table_mut(table).insert(key, id.clone());
        }
    }
    store.indexes.mark_fresh(FAMILY, len);
}

/// The table's hit for `value`, if the client it names still holds that key.
fn checked_hit(store: &Store, table: &str, value: &str) -> Option<String> {
    let id = store.indexes.get(table, value)?;
    store.get(CLIENTS, id).is_some_and(|c| c[field_of(table)] == value).then(|| id.to_string())
}

/// The id of the client whose `table` key is `value`, if one is stored.
pub fn find(store: &mut Store, table: &str, value: &str) -> Option<String> {
    ensure_fresh(store);
    if let Some(id) = checked_hit(store, table, value) {
        return Some(id);
    }
    store.indexes.get(table, value)?;
    // A stale hit (the client changed behind the index): rebuild once and ask again.
    store.indexes.clear_family(FAMILY);
    ensure_fresh(store);
    checked_hit(store, table, value)
}

/// Indexes a client just stored (its cookie and dev-browser token).
pub fn insert(store: &mut Store, client: &Value) {
    let was_fresh = store.indexes.is_fresh(FAMILY, size(store).saturating_sub(1));
    let Some(id) = client["id"].as_str().filter(|_| was_fresh) else {
        return; // the next lookup rebuilds everything, this client included
    };
    for (table, key) in keys_of(client) {
        store.indexes.table_mut(table).insert(key, id.to_string());
    }
    let len = size(store);
    store.indexes.mark_fresh(FAMILY, len);
}

/// Gives a client a dev-browser token (stored and indexed).
pub fn set_dev_browser(store: &mut Store, client_id: &str, token: &str) {
    ensure_fresh(store);
    let old = store.get(CLIENTS, client_id).and_then(|c| c["_dev_browser"].as_str().map(String::from));
    let Some(client) = store.get_mut(CLIENTS, client_id) else { return };
    client["_dev_browser"] = Value::String(token.to_string());
    if let Some(old) = old {
        store.indexes.remove_if_owned(DEV_BROWSER, &old, client_id);
    }
    store.indexes.table_mut(DEV_BROWSER).insert(token.to_string(), client_id.to_string());
}

/// Removes a client and its keys.
pub fn remove(store: &mut Store, client_id: &str) -> Option<Value> {
    ensure_fresh(store);
    let removed = store.remove(CLIENTS, client_id)?;
    for (table, key) in keys_of(&removed) {
        store.indexes.remove_if_owned(table, &key, client_id);
    }
    let len = size(store);
    store.indexes.mark_fresh(FAMILY, len);
    Some(removed)
}
