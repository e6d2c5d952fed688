//! Resource modules: Clerk's semantics per spec tag, on top of the generic
//! engine. Each module registers its handlers by operationId.

pub mod misc;

use crate::registry::Registry;

pub fn register_all(registry: &mut Registry) {
    misc::register(registry);
}
