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

fn size(store: &Store) -> usize {
    store.collection(CLIENTS).map(|c| c.items.len()).unwrap_or(0)
}

fn index_one(store: &mut Store, client: &Value) {
    let Some(id) = client["id"].as_str() else { return };
    for table in [DEV_BROWSER, COOKIE] {
        if let Some(key) = client[field_of(table)].as_str() {
            store.indexes.table_mut(table).insert(key.to_string(), id.to_string());
        }
    }
}

/// Rebuilds both tables when they are not in step with the collection.
fn ensure_fresh(store: &mut Store) {
    let len = size(store);
    if store.indexes.is_fresh(FAMILY, len) {
        return;
    }
    store.indexes.clear_family(FAMILY);
    let all: Vec<Value> = store
        .iter(CLIENTS)
        .map(|c| serde_json::json!({"id": c["id"], "_cookie": c["_cookie"], "_dev_browser": c["_dev_browser"]}))
        .collect();
    for client in &all {
        index_one(store, client);
    }
    store.indexes.mark_fresh(FAMILY, len);
}

/// The id of the client whose `table` key is `value`, if one is stored.
pub fn find(store: &mut Store, table: &str, value: &str) -> Option<String> {
    ensure_fresh(store);
    let id = store.indexes.get(table, value)?.to_string();
    let still_owns = store.get(CLIENTS, &id).is_some_and(|c| c[field_of(table)] == value);
    if still_owns {
        return Some(id);
    }
    // Stale (the client changed behind the index): rebuild once and ask again.
    store.indexes.clear_family(FAMILY);
    ensure_fresh(store);
    let id = store.indexes.get(table, value)?.to_string();
    store.get(CLIENTS, &id).is_some_and(|c| c[field_of(table)] == value).then_some(id)
}

/// Indexes a client just stored (its cookie and dev-browser token).
pub fn insert(store: &mut Store, client: &Value) {
    let was_fresh = store.indexes.is_fresh(FAMILY, size(store).saturating_sub(1));
    if !was_fresh {
        return; // the next lookup rebuilds everything, this client included
    }
    index_one(store, client);
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
    for table in [DEV_BROWSER, COOKIE] {
        if let Some(key) = removed[field_of(table)].as_str() {
            store.indexes.remove_if_owned(table, key, client_id);
        }
    }
    let len = size(store);
    store.indexes.mark_fresh(FAMILY, len);
    Some(removed)
}
