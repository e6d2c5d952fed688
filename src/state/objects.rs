//! The objects of one collection, kept compact: each is stored packed
//! (`packed.rs`: bytes with interned keys) and turned into a
//! `serde_json::Value` only when read.
//!
//! Why: a stored user is ≈ 1.4 KB of JSON but ≈ 10.6 KB as a `Value` with
//! `preserve_order` (75 allocations: an index map per object, a `String`
//! per key and per text). Holding every object as bytes makes 100k users
//! cost less than their JSON size; the few objects a request reads are
//! decoded into a per-slot cell (`OnceLock`, so `get(&self) -> &Value` still
//! works and the store stays `Sync` for the shared fixture template), and
//! [`Objects::release`] (run by the instance lock's guard when a request lets
//! go, see `lock.rs`) packs the changed ones again and drops them all.
//!
//! Invariants, kept by every method here:
//! - a slot's index is in `noted` exactly when its value is materialized;
//! - a `dirty` slot is materialized and its bytes are stale.
//!
//! ```
//! use clerk_mock::state::objects::Objects;
//! use serde_json::json;
//! let mut objects = Objects::default();
//! objects.insert("user_1".into(), json!({"id": "user_1", "first_name": "Ada"}));
//! objects.release(); // what the instance lock does when a request ends
//! assert_eq!(objects.materialized(), 0);
//! assert_eq!(objects.get("user_1").unwrap()["first_name"], "Ada"); // decoded on read
//! assert_eq!(objects.materialized(), 1);
//! objects.get_mut("user_1").unwrap()["first_name"] = json!("Grace");
//! objects.release(); // encoded again, then dropped
//! assert_eq!(objects.get("user_1").unwrap()["first_name"], "Grace");
//! ```

use std::borrow::Cow;
use std::sync::OnceLock;

use indexmap::IndexMap;
use parking_lot::Mutex;
use serde_json::Value;

/// One stored object.
struct Slot {
    /// The object packed (stale while `dirty`).
    bytes: Box<[u8]>,
    /// The object decoded, between its first read and the next release.
    value: OnceLock<Value>,
    /// Changed through `get_mut` or `insert` since the last release.
    dirty: bool,
}

use super::packed::{pack as encode, unpack as decode};

impl Slot {
    fn changed(value: Value) -> Slot {
        Slot { bytes: Box::default(), value: OnceLock::from(value), dirty: true }
    }

    fn compact(bytes: Box<[u8]>) -> Slot {
        Slot { bytes, value: OnceLock::new(), dirty: false }
    }

    fn is_materialized(&self) -> bool {
        self.value.get().is_some()
    }

    /// The value, decoded on first use; `first` runs when this read decoded it.
    fn value(&self, first: impl FnOnce()) -> &Value {
        self.value.get_or_init(|| {
            first();
            decode(&self.bytes)
        })
    }

    /// The value without caching it: borrowed when materialized.
    fn peek(&self) -> Cow<'_, Value> {
        match self.value.get() {
            Some(v) => Cow::Borrowed(v),
            None => Cow::Owned(decode(&self.bytes)),
        }
    }

    /// Current bytes (encoded afresh when dirty).
    fn current_bytes(&self) -> Cow<'_, [u8]> {
        match (self.dirty, self.value.get()) {
            (true, Some(v)) => Cow::Owned(encode(v).into_vec()),
            _ => Cow::Borrowed(&self.bytes),
        }
    }

    fn into_value(mut self) -> Value {
        self.value.take().unwrap_or_else(|| decode(&self.bytes))
    }

    /// Writes a change back and drops the decoded value.
    fn settle(&mut self) {
        if let Some(value) = self.value.take() {
            if self.dirty {
                self.bytes = encode(&value);
                self.dirty = false;
            }
        }
    }
}

/// Id → object, in creation order, stored compact (see the module docs).
/// Its methods mirror the `IndexMap` it replaced, so call sites read the same.
#[derive(Default)]
pub struct Objects {
    map: IndexMap<String, Slot>,
    /// Indexes of the materialized slots: what [`Objects::release`] visits,
    /// so letting go costs what the request touched, not the collection size.
    noted: Mutex<Vec<u32>>,
    /// Changed at every write (see [`Objects::stamp`]).
    stamp: u64,
}

/// Stamps are drawn from one process-wide counter, so two collections never
/// share a stamp by chance (a collection replaced by another of the same
/// size and write count still reads as changed).
static NEXT_STAMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Objects {
    /// A number that changes whenever an object is inserted, removed or
    /// handed out to change (`get_mut`): a derived table that recorded the
    /// stamp it was last in step with knows whether anyone wrote since.
    ///
    /// ```
    /// use clerk_mock::state::objects::Objects;
    /// use serde_json::json;
    /// let mut objects = Objects::default();
    /// objects.insert("a".into(), json!({"id": "a"}));
    /// let seen = objects.stamp();
    /// let _ = objects.get("a"); // reads do not stamp
    /// assert_eq!(objects.stamp(), seen);
    /// let _ = objects.get_mut("a");
    /// assert_ne!(objects.stamp(), seen);
    /// ```
    pub fn stamp(&self) -> u64 {
        self.stamp
    }

    fn stamp_write(&mut self) {
        self.stamp = NEXT_STAMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.map.contains_key(id)
    }

    /// The position of `id` in creation order.
    pub fn get_index_of(&self, id: &str) -> Option<usize> {
        self.map.get_index_of(id)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.map.keys()
    }

    /// The object, decoded on first read (kept until [`Objects::release`]).
    pub fn get(&self, id: &str) -> Option<&Value> {
        let (index, _, slot) = self.map.get_full(id)?;
        Some(slot.value(|| self.noted.lock().push(index as u32)))
    }

    /// The object to change in place; written back on release.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        let index = self.map.get_index_of(id)?;
        self.stamp_write();
        self.materialize_mut(index);
        let slot = &mut self.map[index];
        slot.dirty = true;
        slot.value.get_mut()
    }

    fn materialize_mut(&mut self, index: usize) {
        let slot = &mut self.map[index];
        if !slot.is_materialized() {
            let _ = slot.value.set(decode(&slot.bytes));
            self.noted.get_mut().push(index as u32);
        }
    }

    /// Stores `value` under `id`: a new id goes last, a known one keeps its place.
    pub fn insert(&mut self, id: String, value: Value) {
        self.stamp_write();
        match self.map.get_index_of(&id) {
            Some(index) => {
                let slot = &mut self.map[index];
                if !slot.is_materialized() {
                    self.noted.get_mut().push(index as u32);
                }
                *slot = Slot::changed(value);
            }
            None => {
                self.noted.get_mut().push(self.map.len() as u32);
                self.map.insert(id, Slot::changed(value));
            }
        }
    }

    /// Removes `id`, keeping the order of the others.
    pub fn shift_remove(&mut self, id: &str) -> Option<Value> {
        let index = self.map.get_index_of(id)?;
        self.stamp_write();
        let (_, slot) = self.map.shift_remove_index(index)?;
        // The slots after it moved down one place: so do their notes.
        let removed = index as u32;
        self.noted.get_mut().retain_mut(|i| match (*i).cmp(&removed) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Greater => {
                *i -= 1;
                true
            }
        });
        Some(slot.into_value())
    }

    /// Every object in creation order, each decoded (until the next release).
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> {
        self.iter().map(|(_, v)| v)
    }

    /// Every (id, object) in creation order, each decoded (until the next release).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &Value)> {
        self.map.iter().enumerate().map(|(index, (id, slot))| (id, slot.value(|| self.noted.lock().push(index as u32))))
    }

    /// Every (id, object) decoded without keeping the decoded values: for
    /// dumps and comparisons that read everything once.
    pub fn peek_all(&self) -> impl DoubleEndedIterator<Item = (&String, Cow<'_, Value>)> {
        self.map.iter().map(|(id, slot)| (id, slot.peek()))
    }

    /// The bytes the objects take packed (for measurements).
    pub fn packed_len(&self) -> usize {
        self.map.values().map(|slot| slot.current_bytes().len()).sum()
    }

    /// How many objects are decoded right now.
    pub fn materialized(&self) -> usize {
        self.noted.lock().len()
    }

    /// Writes every changed object back to bytes and drops every decoded
    /// one: after it the collection costs its JSON size again.
    pub fn release(&mut self) {
        for index in self.noted.get_mut().drain(..) {
            if let Some(slot) = self.map.get_index_mut(index as usize).map(|(_, s)| s) {
                slot.settle();
            }
        }
    }
}

/// A copy holds bytes only (changed objects are encoded for it): cloning
/// the fixture template for a new instance copies buffers, not trees.
impl Clone for Objects {
    fn clone(&self) -> Objects {
        let map = self.map.iter().map(|(id, slot)| (id.clone(), Slot::compact(slot.current_bytes().into_owned().into_boxed_slice()))).collect();
        Objects { map, noted: Mutex::new(Vec::new()), stamp: self.stamp }
    }
}

/// Equal when they hold equal objects under the same ids in the same order.
impl PartialEq for Objects {
    fn eq(&self, other: &Objects) -> bool {
        self.len() == other.len() && self.peek_all().zip(other.peek_all()).all(|((a, x), (b, y))| a == b && x == y)
    }
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.peek_all()).finish()
    }
}

/// Written as the map `{id: object}` it always was.
impl serde::Serialize for Objects {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.peek_all())
    }
}

impl<'de> serde::Deserialize<'de> for Objects {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Objects, D::Error> {
        let map = IndexMap::<String, Value>::deserialize(deserializer)?;
        let mut objects: Objects = map.into_iter().collect();
        objects.release();
        Ok(objects)
    }
}

impl FromIterator<(String, Value)> for Objects {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(items: I) -> Objects {
        let mut objects = Objects::default();
        for (id, value) in items {
            objects.insert(id, value);
        }
        objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn two() -> Objects {
        let mut o: Objects = [("a".to_string(), json!({"id": "a", "n": 1})), ("b".to_string(), json!({"id": "b", "n": 2.5}))].into_iter().collect();
        o.release();
        o
    }

    #[test]
    fn an_object_is_decoded_only_when_read() {
        let o = two();
        assert_eq!(o.materialized(), 0);
        assert!(o.contains_key("a") && o.get_index_of("b") == Some(1));
        assert_eq!(o.materialized(), 0, "lookups by id decode nothing");
        assert_eq!(o.get("b").unwrap()["n"], 2.5);
        assert_eq!(o.materialized(), 1);
        assert_eq!(o.get("b").unwrap()["n"], 2.5);
        assert_eq!(o.materialized(), 1, "a second read reuses the decoded value");
    }

    #[test]
    fn a_change_through_get_mut_survives_release() {
        let mut o = two();
        o.get_mut("a").unwrap()["n"] = json!(10);
        o.release();
        assert_eq!(o.materialized(), 0);
        assert_eq!(o.get("a"), Some(&json!({"id": "a", "n": 10})));
    }

    #[test]
    fn removing_an_object_keeps_the_notes_of_the_others_true() {
        let mut o: Objects = (0..5).map(|i| (format!("k{i}"), json!({"i": i}))).collect();
        o.release();
        for k in ["k1", "k3", "k4"] {
            o.get(k);
        }
        o.get_mut("k4").unwrap()["i"] = json!(40);
        assert_eq!(o.shift_remove("k1"), Some(json!({"i": 1})));
        assert_eq!(o.shift_remove("k0"), Some(json!({"i": 0})), "an object never read is decoded to be returned");
        o.release();
        assert_eq!(o.materialized(), 0);
        assert!(o.map.values().all(|s| !s.is_materialized() && !s.dirty), "every decoded value was dropped");
        assert_eq!(o.keys().collect::<Vec<_>>(), ["k2", "k3", "k4"]);
        assert_eq!(o.get("k4"), Some(&json!({"i": 40})));
    }

    #[test]
    fn replacing_an_object_keeps_its_place() {
        let mut o = two();
        o.insert("a".into(), json!({"id": "a", "n": 3}));
        o.release();
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(o.get("a").unwrap()["n"], 3);
    }

    #[test]
    fn a_copy_and_a_comparison_decode_nothing_and_see_unreleased_changes() {
        let mut o = two();
        o.get_mut("b").unwrap()["n"] = json!("changed");
        let copy = o.clone();
        assert_eq!(copy.materialized(), 0);
        assert_eq!(copy, o);
        assert_eq!(copy.get("b").unwrap()["n"], "changed");
        assert_ne!(copy, two());
    }

    #[test]
    fn stored_values_come_back_exactly() {
        let tricky = json!({"z": 1, "a": [0.1, -0.0, 1e300, 18446744073709551615u64, -9223372036854775808i64], "é": "\u{0}\"\\", "m": {"b": null, "a": true}});
        let mut o = Objects::default();
        o.insert("x".into(), tricky.clone());
        o.release();
        let back = o.get("x").unwrap();
        assert_eq!(back, &tricky);
        assert_eq!(serde_json::to_string(back).unwrap(), serde_json::to_string(&tricky).unwrap(), "key order kept");
    }
}
