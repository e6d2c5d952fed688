//! Resource modules: Clerk's semantics per spec tag, on top of the generic
//! engine. Each module registers its handlers by operationId.

pub mod client_keys;
pub mod collections;
pub mod deleted;
pub mod frontend;
pub mod generic;
pub mod misc;
pub mod organizations;
pub mod outbox;
pub mod sessions;
pub mod allowlist;
pub mod identifiers;
pub mod invitations;
pub mod kinds;
pub mod metadata;
pub mod params;
pub mod passwords;
pub mod rfc3339;
pub mod svix;
pub mod tokens;
pub mod totp;
pub mod users;

use crate::registry::Registry;

/// The registry every resource module fills: what the server serves.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    register_all(&mut registry);
    registry
}

pub fn register_all(registry: &mut Registry) {
    misc::register(registry);
    organizations::register(registry);
    sessions::register(registry);
    tokens::register(registry);
    users::register(registry);
    identifiers::register(registry);
    invitations::register(registry);
    allowlist::register(registry);
    svix::register(registry);
}
