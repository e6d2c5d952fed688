//! State: one isolated instance per secret key, each a store behind one lock.
//!
//! Everything a resource keeps is JSON (`serde_json::Value`) in named
//! collections, so one generic engine can serve every plain collection, the
//! admin API can dump and load an instance, and a response can be reshaped to
//! any API version. Keys starting with `_` inside a stored object are internal
//! (password hashes, parent ids) and never leave the store.
//!
//! Objects are held packed (`packed.rs`) and decoded when read
//! (`objects.rs`); the instance lock's guard (`lock.rs`) writes changes back
//! and frees the decoded objects when a request lets go.

pub mod changes;
pub mod listing;
pub mod ids;
pub mod index;
pub mod kind;
pub mod lock;
pub mod objects;
pub mod packed;
pub mod search;

pub use kind::{CollectionKey, Kind};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use lock::{StoreGuard, StoreLock};
pub use objects::Objects;

/// One collection: id → object, in creation order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Collection {
    pub items: Objects,
}

/// All state of one instance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Store {
    /// Collections by name (`users`, `email_addresses`, `/domains`, …):
    /// private, so every write goes through a method that records it and
    /// marks rendered answers stale.
    collections: BTreeMap<String, Collection>,
    /// Settings documents with no id (instance settings, …).
    singletons: BTreeMap<String, Value>,
    /// How many ids this instance has handed out.
    pub id_sequence: u64,
    /// The last timestamp handed out, so `created_at` strictly increases.
    pub last_time_ms: i64,
    #[serde(skip)]
    pub seed: u64,
    #[serde(skip)]
    pub instance_key: String,
    /// Derived lookup tables (identifier → owner id); a cache rebuilt on
    /// demand, never dumped (see `index.rs`).
    #[serde(skip)]
    pub indexes: index::Indexes,
    /// While set, `now_ms` ignores the wall clock and only counts up from
    /// `last_time_ms`: fixtures are built this way, so the same fixtures and
    /// seed give byte-identical timestamps.
    #[serde(skip)]
    pub frozen_clock: bool,
    /// Changes whenever the store may have changed (see [`Store::touch`]):
    /// rendered answers cached under an older generation are stale.
    #[serde(skip)]
    pub generation: Generation,
    /// What handlers changed since the pipeline last asked (webhooks; see
    /// `changes.rs`). Off until [`Store::record_changes`], or while a
    /// request [`lock::StoreLock::recording`] holds the store.
    #[serde(skip)]
    pub recorder: changes::Recorder,
}

/// A store's version for caches: fresh from a process-wide counter, so a
/// replaced or reloaded store never reuses an old value. Ignored by equality.
#[derive(Debug, Clone, Copy)]
pub struct Generation(pub u64);

static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Generation {
    pub fn fresh() -> Generation {
        Generation(GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for Generation {
    fn default() -> Self {
        Generation::fresh()
    }
}

impl PartialEq for Generation {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Rendered objects of one instance, by response shape and object id, with
/// the store generation they were rendered at: repeated reads of unchanged
/// objects copy bytes instead of decoding and rendering them again. Bounded:
/// it is cleared when it grows past [`RenderCache::MAX_ENTRIES`] (≈ 25 MB of
/// 1.2 KB users at most), so it never holds a second copy of a large store.
#[derive(Debug, Default)]
pub struct RenderCache {
    /// Shape → id → (generation, bytes): a lookup by `&str` builds no key.
    entries: HashMap<usize, HashMap<Box<str>, (u64, Box<[u8]>)>>,
    len: usize,
}

impl RenderCache {
    pub const MAX_ENTRIES: usize = 20_000;

    /// The cached bytes of an object, if rendered at this generation.
    pub fn get(&self, shape: usize, id: &str, generation: u64) -> Option<&[u8]> {
        self.entries.get(&shape)?.get(id).filter(|(g, _)| *g == generation).map(|(_, b)| &**b)
    }

    pub fn put(&mut self, shape: usize, id: &str, generation: u64, bytes: Vec<u8>) {
        if self.len >= Self::MAX_ENTRIES {
            self.entries.clear();
            self.len = 0;
        }
        if self.entries.entry(shape).or_default().insert(id.into(), (generation, bytes.into_boxed_slice())).is_none() {
            self.len += 1;
        }
    }
}

impl Store {
    /// Marks the store as changed: caches of what it held are stale.
    pub fn touch(&mut self) {
        self.generation = Generation::fresh();
    }

    pub fn new(seed: u64, instance_key: &str) -> Store {
        Store { seed, instance_key: instance_key.to_string(), ..Store::default() }
    }

    /// A fresh Clerk-style id.
    /// The next number of this instance's id sequence: what makes a
    /// synthesized create answer differ from the previous one.
    pub fn next_sequence(&mut self) -> u64 {
        self.id_sequence += 1;
        self.id_sequence
    }

    pub fn new_id(&mut self, prefix: &str) -> String {
        self.id_sequence += 1;
        ids::make_id(prefix, self.seed, &self.instance_key, self.id_sequence)
    }

    /// A fresh `prefix_<32 hex>` id.
    pub fn new_hex_id(&mut self, prefix: &str) -> String {
        self.id_sequence += 1;
        ids::make_hex_id(prefix, self.seed, &self.instance_key, self.id_sequence)
    }

    /// Unix ms, strictly increasing within the instance.
    pub fn now_ms(&mut self) -> i64 {
        let wall = if self.frozen_clock {
            0
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        };
        self.last_time_ms = wall.max(self.last_time_ms + 1);
        self.last_time_ms
    }

    pub fn collection(&self, name: CollectionKey<'_>) -> Option<&Collection> {
        self.collections.get(name.as_str())
    }

    /// Every collection by name, for the admin API's listing and dumps.
    pub fn collections(&self) -> impl Iterator<Item = (&str, &Collection)> {
        self.collections.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The whole collection, for bulk loads (fixtures, state import): its
    /// writes bypass change recording, so handlers use the methods below.
    pub fn collection_mut(&mut self, name: CollectionKey<'_>) -> &mut Collection {
        self.touch();
        self.collections.entry(name.as_str().to_string()).or_default()
    }

    /// Every collection, for bulk rewrites that are not changes an app hears
    /// about (fixtures renaming an id); marks the store changed.
    pub fn collections_mut(&mut self) -> impl Iterator<Item = &mut Collection> {
        self.touch();
        self.collections.values_mut()
    }

    /// The object, decoded on first read (until the lock is released).
    pub fn get(&self, collection: CollectionKey<'_>, id: &str) -> Option<&Value> {
        self.collections.get(collection.as_str())?.items.get(id)
    }

    /// Whether the collection holds `id`, without decoding the object.
    pub fn contains(&self, collection: CollectionKey<'_>, id: &str) -> bool {
        self.collections.get(collection.as_str()).is_some_and(|c| c.items.contains_key(id))
    }

    /// Writes changed objects back to their compact form and drops every
    /// decoded one (see `objects.rs`). The instance lock does it when a
    /// request lets go; code that builds a store outside a lock (fixture
    /// templates) calls it when done.
    pub fn release(&mut self) {
        for c in self.collections.values_mut() {
            c.items.release();
        }
    }

    /// How many objects are decoded right now, over every collection.
    pub fn materialized(&self) -> usize {
        self.collections.values().map(|c| c.items.materialized()).sum()
    }

    /// The object to change in place; recorded (before the change) when
    /// change recording is on.
    pub fn get_mut(&mut self, collection: CollectionKey<'_>, id: &str) -> Option<&mut Value> {
        let name = collection.as_str();
        if self.recorder.is_enabled() && !self.recorder.noted(name, id) {
            let before = self.get(collection, id).cloned();
            before.as_ref()?;
            self.recorder.note(name, id, || before);
        }
        let found = self.collections.get_mut(name)?.items.get_mut(id)?;
        self.generation = Generation::fresh();
        Some(found)
    }

    pub fn insert(&mut self, collection: CollectionKey<'_>, id: &str, value: Value) {
        let name = collection.as_str();
        if self.recorder.is_enabled() && !self.recorder.noted(name, id) {
            let before = self.get(collection, id).cloned();
            self.recorder.note(name, id, || before);
        }
        self.collection_mut(collection).items.insert(id.to_string(), value);
    }

    /// A new object of `kind`, stored and returned: `build` gets the store,
    /// a fresh id of the kind's prefix and the time, and returns the object;
    /// its `object`, `id`, `created_at` and `updated_at` are set from them
    /// (where `build` already wrote them, in place). The one way resources
    /// create objects, so the id, the clock and the change record agree.
    ///
    /// ```
    /// use clerk_mock::state::{CollectionKey, Kind, Store};
    /// const NOTES: Kind = Kind::stored("note", "note", CollectionKey::new("notes"));
    /// let mut store = Store::new(1, "sk_test_a");
    /// let note = store.create(&NOTES, |_, _, _| serde_json::json!({"text": "hi"}));
    /// assert!(note["id"].as_str().unwrap().starts_with("note_"));
    /// assert_eq!(store.get(CollectionKey::new("notes"), note["id"].as_str().unwrap()), Some(&note));
    /// ```
    pub fn create(&mut self, kind: &Kind, build: impl FnOnce(&mut Store, &str, i64) -> Value) -> Value {
        self.make(kind, None, |store, id, now| Ok::<_, std::convert::Infallible>(build(store, id, now))).unwrap_or_else(|e| match e {})
    }

    /// [`Store::create`] stamped `now`: an object made in the same instant
    /// as another (a session's client).
    pub fn create_at(&mut self, kind: &Kind, now: i64, build: impl FnOnce(&mut Store, &str, i64) -> Value) -> Value {
        self.make(kind, Some(now), |store, id, now| Ok::<_, std::convert::Infallible>(build(store, id, now))).unwrap_or_else(|e| match e {})
    }

    /// [`Store::create`] for a `build` that can refuse (nothing is stored then).
    pub fn try_create<E>(&mut self, kind: &Kind, build: impl FnOnce(&mut Store, &str, i64) -> Result<Value, E>) -> Result<Value, E> {
        self.make(kind, None, build)
    }

    fn make<E>(&mut self, kind: &Kind, at: Option<i64>, build: impl FnOnce(&mut Store, &str, i64) -> Result<Value, E>) -> Result<Value, E> {
        let collection = kind.collection.expect("Store::create takes a kind the store keeps");
        let id = self.new_id(kind.prefix);
        let now = at.unwrap_or_else(|| self.now_ms());
        let Value::Object(fields) = build(self, &id, now)? else {
            panic!("Store::create builds a JSON object");
        };
        let mut object = serde_json::Map::with_capacity(fields.len() + 4);
        object.insert("object".into(), Value::String(kind.object.to_string()));
        object.insert("id".into(), Value::String(id.clone()));
        object.extend(fields);
        object.entry("created_at").or_insert(Value::from(now));
        object.entry("updated_at").or_insert(Value::from(now));
        let value = Value::Object(object);
        self.insert(collection, &id, value.clone());
        Ok(value)
    }

    pub fn remove(&mut self, collection: CollectionKey<'_>, id: &str) -> Option<Value> {
        let name = collection.as_str();
        let removed = self.collections.get_mut(name)?.items.shift_remove(id)?;
        self.touch();
        if self.recorder.is_enabled() {
            let before = removed.clone();
            self.recorder.note(name, id, || Some(before));
        }
        Some(removed)
    }

    /// Changes every object of a collection that `matches`, in place
    /// (recorded like [`Store::get_mut`]). Returns how many it changed.
    pub fn update_where(&mut self, collection: CollectionKey<'_>, matches: impl Fn(&Value) -> bool, mut change: impl FnMut(&mut Value)) -> usize {
        let keyed: Vec<String> = match self.collections.get(collection.as_str()) {
            Some(c) => c.items.iter().filter(|(_, v)| matches(v)).map(|(k, _)| k.clone()).collect(),
            None => return 0,
        };
        for id in &keyed {
            if let Some(item) = self.get_mut(collection, id) {
                change(item);
            }
        }
        keyed.len()
    }

    /// Removes every object of a collection that `remove` picks (recorded
    /// like [`Store::remove`]). Returns how many it removed.
    pub fn remove_where(&mut self, collection: CollectionKey<'_>, remove: impl Fn(&Value) -> bool) -> usize {
        let keys: Vec<String> = match self.collections.get(collection.as_str()) {
            Some(c) => c.items.iter().filter(|(_, v)| remove(v)).map(|(k, _)| k.clone()).collect(),
            None => return 0,
        };
        for k in &keys {
            self.remove(collection, k);
        }
        keys.len()
    }

    /// A settings document (no id), by name.
    pub fn singleton(&self, name: &str) -> Option<&Value> {
        self.singletons.get(name)
    }

    /// Every settings document by name (dumps).
    pub fn singletons(&self) -> &BTreeMap<String, Value> {
        &self.singletons
    }

    /// The settings document `name`, made by `init` when absent; marks the store changed.
    pub fn singleton_mut(&mut self, name: &str, init: impl FnOnce() -> Value) -> &mut Value {
        self.touch();
        self.singletons.entry(name.to_string()).or_insert_with(init)
    }

    /// Every settings document, for bulk rewrites (fixtures renaming an id).
    pub fn singletons_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.touch();
        self.singletons.values_mut()
    }

    pub fn set_singleton(&mut self, name: &str, value: Value) {
        self.touch();
        self.singletons.insert(name.to_string(), value);
    }

    pub fn remove_singleton(&mut self, name: &str) -> Option<Value> {
        self.touch();
        self.singletons.remove(name)
    }

    /// Turns change recording on or off (the pipeline turns it on for
    /// instances that serve API requests while webhooks are enabled).
    pub fn record_changes(&mut self, on: bool) {
        self.recorder.set_enabled(on);
    }

    /// Runs `write` with change recording muted: writes that are not a
    /// change an app hears about (seeding what an instance has from the
    /// start).
    pub fn unrecorded<T>(&mut self, write: impl FnOnce(&mut Store) -> T) -> T {
        let was = self.recorder.set_muted(true);
        let out = write(self);
        self.recorder.set_muted(was);
        out
    }

    /// The changes recorded since the last call, in order of first touch.
    pub fn take_changes(&mut self) -> Vec<changes::Change> {
        self.recorder.take()
    }

    /// Every object of a collection, in creation order.
    pub fn iter(&self, collection: CollectionKey<'_>) -> impl Iterator<Item = &Value> {
        self.collections.get(collection.as_str()).into_iter().flat_map(|c| c.items.values())
    }
}

/// Builds the initial store of a new instance (fixtures plug in here).
pub type Initializer = Arc<dyn Fn(&mut Store) + Send + Sync>;

/// One Clerk application: an isolated store.
pub struct Instance {
    pub key: String,
    /// Locked for a whole request; its guard frees what the request decoded.
    pub store: StoreLock,
    pub rendered: Mutex<RenderCache>,
}

impl Instance {
    pub fn new(key: &str, store: Store) -> Instance {
        Instance { key: key.to_string(), store: StoreLock::new(store), rendered: Mutex::new(RenderCache::default()) }
    }
}

/// The key of the instance Frontend API requests use before any secret key
/// is known (see [`Instances::note_secret_key`]).
pub const UNBOUND_INSTANCE: &str = "unbound";

/// Every instance, by secret key; created on first use.
pub struct Instances {
    map: RwLock<HashMap<String, Arc<Instance>>>,
    seed: u64,
    initializer: RwLock<Option<Initializer>>,
    /// The first secret key a request named (see [`Instances::note_secret_key`]).
    first_secret_key: RwLock<Option<String>>,
}

impl Instances {
    pub fn new(seed: u64) -> Instances {
        Instances { map: RwLock::new(HashMap::new()), seed, initializer: RwLock::new(None), first_secret_key: RwLock::new(None) }
    }

    /// Remembers the first secret key the mock sees. That key adopts the
    /// instance stored under [`UNBOUND_INSTANCE`] (created by callers that
    /// had no key yet, e.g. a browser before the suite's first Backend
    /// call), state and all, unless the key already has an instance of its own.
    pub fn note_secret_key(&self, key: &str) {
        if self.first_secret_key.read().is_some() {
            return;
        }
        let mut first = self.first_secret_key.write();
        if first.is_some() {
            return;
        }
        *first = Some(key.to_string());
        let mut map = self.map.write();
        if map.contains_key(key) {
            return;
        }
        if let Some(orphan) = map.remove(UNBOUND_INSTANCE) {
            let store = std::mem::take(&mut *orphan.store.lock());
            map.insert(key.to_string(), Arc::new(Instance::new(key, store)));
        }
    }

    /// The first secret key seen, if any.
    pub fn first_secret_key(&self) -> Option<String> {
        self.first_secret_key.read().clone()
    }

    pub fn set_initializer(&self, init: Initializer) {
        *self.initializer.write() = Some(init);
    }

    /// The initial store of an instance: empty, then the initializer's state.
    pub fn initial_store(&self, key: &str) -> Store {
        let mut store = Store::new(self.seed, key);
        if let Some(init) = self.initializer.read().clone() {
            init(&mut store);
        }
        store
    }

    /// The instance of a secret key, created (from the initial state) on first use.
    pub fn get_or_create(&self, key: &str) -> Arc<Instance> {
        if let Some(found) = self.map.read().get(key) {
            return found.clone();
        }
        let mut map = self.map.write();
        map.entry(key.to_string())
            .or_insert_with(|| Arc::new(Instance::new(key, self.initial_store(key))))
            .clone()
    }

    /// Restores an instance to its initial state.
    pub fn reset(&self, key: &str) {
        let instance = self.get_or_create(key);
        let mut fresh = self.initial_store(key);
        fresh.touch();
        *instance.store.lock() = fresh;
    }

    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.map.read().keys().cloned().collect();
        keys.sort();
        keys
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
}
