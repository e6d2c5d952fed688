//! The store's vocabulary: a typed collection name and the `Kind` of a
//! stored object (its Clerk object name, id prefix and collection).
//!
//! A store call takes a [`CollectionKey`], never a bare string, so a typo in a
//! collection name is a compile error wherever the owning module declared
//! the constant; dynamic names (the generic engine's path-derived collections,
//! a state import) say so with [`CollectionKey::named`]. Each owning resource
//! module declares its kinds as constants; `resources::kinds::ALL` lists them
//! all for synthesis, fixtures and persistence.
//!
//! ```
//! use clerk_mock::state::kind::{CollectionKey, Kind};
//! const USERS: CollectionKey = CollectionKey::new("users");
//! const USER: Kind = Kind::stored("user", "user", USERS);
//! assert_eq!(USER.collection.unwrap().as_str(), "users");
//! assert!(USER.prefix == "user");
//! ```

/// The name of one collection of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CollectionKey<'a>(&'a str);

impl<'a> CollectionKey<'a> {
    /// A declared collection (a `const` of its owning module).
    pub const fn new(name: &'static str) -> CollectionKey<'static> {
        CollectionKey(name)
    }

    /// A collection whose name is computed (the generic engine's
    /// `/organizations/{}/domains`, a key of an imported dump).
    pub fn named(name: &'a str) -> CollectionKey<'a> {
        CollectionKey(name)
    }

    pub const fn as_str(&self) -> &'a str {
        self.0
    }
}

impl PartialEq<str> for CollectionKey<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<CollectionKey<'_>> for &str {
    fn eq(&self, other: &CollectionKey<'_>) -> bool {
        *self == other.0
    }
}

impl PartialEq<CollectionKey<'_>> for String {
    fn eq(&self, other: &CollectionKey<'_>) -> bool {
        self.as_str() == other.0
    }
}

impl std::fmt::Display for CollectionKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// One kind of Clerk object: its `object` name, the prefix of its ids and,
/// when the mock keeps such objects itself, the collection they live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub object: &'static str,
    pub prefix: &'static str,
    pub collection: Option<CollectionKey<'static>>,
}

impl Kind {
    /// A kind the mock stores in `collection`.
    pub const fn stored(object: &'static str, prefix: &'static str, collection: CollectionKey<'static>) -> Kind {
        Kind { object, prefix, collection: Some(collection) }
    }

    /// A kind only synthesized or kept inline in another object (an email
    /// address inside its user): it still names its ids.
    pub const fn inline(object: &'static str, prefix: &'static str) -> Kind {
        Kind { object, prefix, collection: None }
    }
}
