//! Derived lookup tables of a [`Store`](super::Store): "which object owns
//! this identifier?" in O(1), so creating a user among 100k checks email,
//! phone, username and external id uniqueness without a scan.
//!
//! Indexes are derived data: they are not serialized (a dumped, loaded or
//! reset store starts with none), take no part in equality, and a family of
//! tables is rebuilt from its collection whenever the version it recorded
//! no longer matches the collection's (someone wrote to it without going
//! through the owning module). The version is the owner's choice: the users
//! use the collection's write stamp ([`Objects::stamp`](super::objects::Objects::stamp)),
//! so a fresh table is exact and a hit needs no re-check; clients use the
//! size and re-check their hits.
//!
//! ```
//! use clerk_mock::state::index::Indexes;
//! let mut ix = Indexes::default();
//! assert!(!ix.is_fresh("users", 0));
//! ix.table_mut("users:email").insert("a@example.com".into(), "user_1".into());
//! ix.mark_fresh("users", 1);
//! assert!(ix.is_fresh("users", 1));
//! assert_eq!(ix.get("users:email", "a@example.com"), Some("user_1"));
//! assert!(!ix.is_fresh("users", 2));
//! ```

use std::collections::HashMap;

/// Named tables (`family:name`, e.g. `users:email`) mapping a normalized key
/// to the id of the object that owns it.
#[derive(Debug, Clone, Default)]
pub struct Indexes {
    tables: HashMap<String, HashMap<String, String>>,
    /// Ordered tables: (sort key, owner id), for pages in a field's order
    /// without reading every object (`users:created_at`).
    ordered: HashMap<String, std::collections::BTreeSet<(i64, String)>>,
    /// Substring indexes: object id → searchable text, by trigram
    /// (`users:search`; see `search.rs`).
    search: HashMap<String, super::search::SearchIndex>,
    /// Per family: the collection version the tables were last in step with.
    fresh_for: HashMap<String, u64>,
}

/// Indexes are derived data: two stores with the same collections are equal
/// whatever their caches hold.
impl PartialEq for Indexes {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Indexes {
    /// Whether the family's tables were last synced with this version of its collection.
    pub fn is_fresh(&self, family: &str, version: u64) -> bool {
        self.fresh_for.get(family) == Some(&version)
    }

    /// Records that the family's tables match this version of its collection.
    pub fn mark_fresh(&mut self, family: &str, version: u64) {
        if let Some(known) = self.fresh_for.get_mut(family) {
            *known = version; // no key allocated on every write
        } else {
            self.fresh_for.insert(family.to_string(), version);
        }
    }

    /// Drops every table of a family (before a rebuild).
    pub fn clear_family(&mut self, family: &str) {
        let prefix = format!("{family}:");
        self.tables.retain(|name, _| !name.starts_with(&prefix));
        self.ordered.retain(|name, _| !name.starts_with(&prefix));
        self.search.retain(|name, _| !name.starts_with(&prefix));
        self.fresh_for.remove(family);
    }

    pub fn get(&self, table: &str, key: &str) -> Option<&str> {
        self.tables.get(table)?.get(key).map(String::as_str)
    }

    pub fn table(&self, table: &str) -> Option<&HashMap<String, String>> {
        self.tables.get(table)
    }

    pub fn remove(&mut self, table: &str, key: &str) {
        if let Some(t) = self.tables.get_mut(table) {
            t.remove(key);
        }
    }

    pub fn ordered(&self, table: &str) -> Option<&std::collections::BTreeSet<(i64, String)>> {
        self.ordered.get(table)
    }

    pub fn ordered_mut(&mut self, table: &str) -> &mut std::collections::BTreeSet<(i64, String)> {
        self.ordered.entry(table.to_string()).or_default()
    }

    pub fn search(&self, name: &str) -> Option<&super::search::SearchIndex> {
        self.search.get(name)
    }

    pub fn search_mut(&mut self, name: &str) -> &mut super::search::SearchIndex {
        self.search.entry(name.to_string()).or_default()
    }

    pub fn table_mut(&mut self, table: &str) -> &mut HashMap<String, String> {
        self.tables.entry(table.to_string()).or_default()
    }

    /// Removes `key` from `table` if it still points at `owner`.
    pub fn remove_if_owned(&mut self, table: &str, key: &str, owner: &str) {
        if let Some(t) = self.tables.get_mut(table) {
            if t.get(key).map(String::as_str) == Some(owner) {
                t.remove(key);
            }
        }
    }
}
