//! The instance lock: a mutex around a [`Store`] whose guard, when a
//! request lets go, writes changed objects back to their compact bytes and
//! drops every object decoded meanwhile ([`Store::release`]). So an
//! instance's memory stays its objects' JSON size plus what one request
//! touches, and callers keep writing `instance.store.lock()` and using the
//! guard as a `&Store` / `&mut Store`.
//!
//! ```
//! use clerk_mock::state::{lock::StoreLock, CollectionKey, Store};
//! const NOTES: CollectionKey = CollectionKey::new("notes");
//! let lock = StoreLock::new(Store::new(1, "sk_test_doc"));
//! lock.lock().insert(NOTES, "n_1", serde_json::json!({"text": "hi"}));
//! let store = lock.lock();
//! assert_eq!(store.materialized(), 0); // released when the first guard dropped
//! assert_eq!(store.get(NOTES, "n_1").unwrap()["text"], "hi");
//! ```

use std::cell::Cell;
use std::ops::{Deref, DerefMut};

use parking_lot::{Mutex, MutexGuard};

use super::Store;

/// One instance's store behind its lock.
#[derive(Debug, Default)]
pub struct StoreLock {
    store: Mutex<Store>,
}

/// The locked store; releases decoded objects when dropped.
pub struct StoreGuard<'a> {
    store: MutexGuard<'a, Store>,
    lock: &'a StoreLock,
}

/// What this thread's current request records, while
/// [`StoreLock::recording`] runs.
#[derive(Clone, Copy, Default)]
struct Recording {
    /// The address of the lock whose store it records changes in (0: none).
    lock: usize,
    /// Whether one of its guards let go with changes recorded.
    changed: bool,
}

thread_local! {
    static RECORDING: Cell<Recording> = const { Cell::new(Recording { lock: 0, changed: false }) };
}

impl StoreLock {
    pub fn new(store: Store) -> StoreLock {
        StoreLock { store: Mutex::new(store) }
    }

    pub fn lock(&self) -> StoreGuard<'_> {
        let mut store = self.store.lock();
        store.recorder.set_for_request(RECORDING.get().lock == self.address());
        StoreGuard { store, lock: self }
    }

    /// Runs `request` with every write it makes to this store recorded
    /// (for webhooks), without taking the lock: the guards `request` takes
    /// on this thread switch recording on as they hand the store out.
    /// Returns its result and whether it left changes in the recorder, so
    /// the caller locks again to turn them into events only then (a read
    /// costs one lock, not three).
    ///
    /// ```
    /// use clerk_mock::state::{lock::StoreLock, CollectionKey, Store};
    /// const NOTES: CollectionKey = CollectionKey::new("notes");
    /// let lock = StoreLock::new(Store::new(1, "sk_test_doc"));
    /// lock.lock().insert(NOTES, "n_0", serde_json::json!({})); // not recorded
    /// let ((), changed) = lock.recording(|| { lock.lock().get(NOTES, "n_0"); });
    /// assert!(!changed, "a read records nothing");
    /// let ((), changed) = lock.recording(|| lock.lock().insert(NOTES, "n_1", serde_json::json!({"text": "hi"})));
    /// assert!(changed);
    /// let changes = lock.lock().take_changes();
    /// assert_eq!((changes.len(), changes[0].id.as_str()), (1, "n_1"));
    /// ```
    pub fn recording<T>(&self, request: impl FnOnce() -> T) -> (T, bool) {
        struct Restore(Recording);
        impl Drop for Restore {
            fn drop(&mut self) {
                RECORDING.set(self.0);
            }
        }
        let outer = RECORDING.replace(Recording { lock: self.address(), changed: false });
        let restore = Restore(outer);
        let result = request();
        let changed = RECORDING.get().changed;
        drop(restore);
        (result, changed)
    }

    fn address(&self) -> usize {
        self as *const StoreLock as usize
    }
}

impl Deref for StoreGuard<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        let recording = RECORDING.get();
        if recording.lock == self.lock.address() && !recording.changed && !self.store.recorder.is_empty() {
            RECORDING.set(Recording { changed: true, ..recording });
        }
        self.store.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::CollectionKey;
    use serde_json::{json, Value};

    const USERS: CollectionKey = CollectionKey::new("users");

    fn locked(n: usize) -> StoreLock {
        let lock = StoreLock::new(Store::new(1, "sk_test_unit"));
        let mut store = lock.lock();
        for i in 0..n {
            store.insert(USERS, &format!("user_{i}"), json!({"id": format!("user_{i}"), "n": i, "tags": ["a", {"b": i as f64 / 3.0}]}));
        }
        drop(store);
        lock
    }

    #[test]
    fn a_change_through_get_mut_is_seen_after_the_guard_is_dropped_and_taken_again() {
        let lock = locked(3);
        lock.lock().get_mut(USERS, "user_1").unwrap()["n"] = json!("changed");
        let store = lock.lock();
        assert_eq!(store.materialized(), 0, "the change was written back and its value dropped");
        assert_eq!(store.get(USERS, "user_1").unwrap()["n"], "changed");
        assert_eq!(store.get(USERS, "user_2").unwrap()["n"], 2);
    }

    #[test]
    fn an_object_is_materialized_only_when_read_and_only_until_the_guard_drops() {
        let lock = locked(50);
        {
            let store = lock.lock();
            assert_eq!(store.materialized(), 0);
            assert!(store.contains(USERS, "user_7"));
            assert_eq!(store.collection(USERS).unwrap().items.keys().count(), 50);
            assert_eq!(store.materialized(), 0, "ids and membership decode nothing");
            assert_eq!(store.get(USERS, "user_7").unwrap()["n"], 7);
            assert_eq!(store.materialized(), 1);
            assert_eq!(store.iter(USERS).count(), 50);
            assert_eq!(store.materialized(), 50, "a scan decodes what it reads");
        }
        assert_eq!(lock.lock().materialized(), 0, "and the guard frees it all");
    }

    #[test]
    fn removing_and_recording_through_the_guard_behave_as_with_values() {
        let lock = locked(4);
        let mut store = lock.lock();
        store.record_changes(true);
        store.get(USERS, "user_3");
        store.get_mut(USERS, "user_2").unwrap()["n"] = json!(20);
        assert_eq!(store.remove(USERS, "user_0").unwrap()["n"], 0);
        let changes = store.take_changes();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].before.as_ref().unwrap()["n"], 2);
        assert_eq!(changes[1].before.as_ref().unwrap()["n"], 0);
        drop(store);
        let store = lock.lock();
        let ns: Vec<&Value> = store.iter(USERS).map(|u| &u["n"]).collect();
        assert_eq!(ns, [&json!(1), &json!(20), &json!(3)]);
    }

    #[test]
    fn a_dump_equals_the_dump_of_the_same_objects_stored_as_values() {
        let lock = locked(5);
        // The old representation: id → Value in an index map.
        let mut old: indexmap::IndexMap<String, Value> = indexmap::IndexMap::new();
        for i in 0..5 {
            old.insert(format!("user_{i}"), json!({"id": format!("user_{i}"), "n": i, "tags": ["a", {"b": i as f64 / 3.0}]}));
        }
        old.get_mut("user_4").unwrap()["n"] = json!({"z": 1, "a": 2});
        lock.lock().get_mut(USERS, "user_4").unwrap()["n"] = json!({"z": 1, "a": 2});
        let store = lock.lock();
        let dumped = serde_json::to_string(&*store).unwrap();
        let items = format!("\"users\":{{\"items\":{}}}", serde_json::to_string(&old).unwrap());
        assert!(dumped.contains(&items), "{dumped}");
        assert_eq!(store.materialized(), 0, "dumping decodes without keeping");
        let loaded: Store = serde_json::from_str(&dumped).unwrap();
        assert!(loaded.collections().eq(store.collections()));
        assert_eq!(serde_json::to_string(&loaded).unwrap(), dumped);
    }
}
