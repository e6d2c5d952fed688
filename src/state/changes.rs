//! What one stretch of handler work changed in a store, for webhooks.
//!
//! The store's own write methods (`insert`, `get_mut`, `remove`,
//! `update_where`, `retain`) note each object they touch, once, with its
//! value before the first touch. Comparing that with the object afterwards
//! tells created / updated / deleted apart, cascades included (deleting a
//! user also removes its memberships and sessions through the same methods),
//! without any resource module calling an emit function. Recording is off
//! until switched on, so fixture builds and resets never produce changes.
//!
//! ```
//! use clerk_mock::state::{CollectionKey, Store};
//! use serde_json::json;
//! const USERS: CollectionKey = CollectionKey::new("users");
//! let mut store = Store::new(1, "sk_test_doc");
//! store.insert(USERS, "user_1", json!({"id": "user_1"})); // not recorded
//! store.record_changes(true);
//! store.get_mut(USERS, "user_1").unwrap()["first_name"] = json!("Ada");
//! store.get_mut(USERS, "user_1").unwrap()["last_name"] = json!("L");
//! let changes = store.take_changes();
//! assert_eq!(changes.len(), 1); // one object, touched twice
//! assert_eq!(changes[0].before, Some(json!({"id": "user_1"})));
//! ```

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// One touched object: where it lives and what it was before.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub collection: String,
    pub id: String,
    /// `None`: it did not exist before (a create, or a create then delete).
    pub before: Option<Value>,
}

/// The recorder a store carries (never dumped, ignored by equality).
///
/// It records while switched on ([`Recorder::set_enabled`]) or while the
/// lock that hands the store out says a recorded request holds it
/// ([`Recorder::set_for_request`], see `lock.rs`), unless muted.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    enabled: bool,
    for_request: bool,
    muted: bool,
    /// Collection → ids noted: looked up by `&str` on every write while
    /// recording, so a check allocates nothing.
    seen: HashMap<String, HashSet<String>>,
    changes: Vec<Change>,
}

impl PartialEq for Recorder {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Recorder {
    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    /// Set by the instance lock each time it hands the store out: whether
    /// the thread taking it runs a recorded request for this store.
    pub fn set_for_request(&mut self, on: bool) {
        self.for_request = on;
    }

    /// Records nothing while muted (writes no app hears about), whatever
    /// else says; returns whether it was muted, to restore.
    pub fn set_muted(&mut self, muted: bool) -> bool {
        std::mem::replace(&mut self.muted, muted)
    }

    pub fn is_enabled(&self) -> bool {
        (self.enabled || self.for_request) && !self.muted
    }

    /// Notes a touch of `collection/id` unless already noted; `before` is
    /// only evaluated for the first touch.
    pub fn note(&mut self, collection: &str, id: &str, before: impl FnOnce() -> Option<Value>) {
        if !self.is_enabled() || self.noted(collection, id) {
            return;
        }
        // The collection's String is made once, at its first noted id.
        let ids = match self.seen.get_mut(collection) {
            Some(ids) => ids,
            None => self.seen.entry(collection.to_string()).or_default(),
        };
        ids.insert(id.to_string());
        self.changes.push(Change { collection: collection.to_string(), id: id.to_string(), before: before() });
    }

    /// Whether this collection/id was already noted (its before value kept).
    pub fn noted(&self, collection: &str, id: &str) -> bool {
        self.is_enabled() && self.seen.get(collection).is_some_and(|ids| ids.contains(id))
    }

    /// Everything noted since the last take, in order of first touch.
    pub fn take(&mut self) -> Vec<Change> {
        self.seen.clear();
        std::mem::take(&mut self.changes)
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
