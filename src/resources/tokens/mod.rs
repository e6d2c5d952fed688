//! The token resources: the Backend API operations that mint, store or
//! publish tokens. They stand on the token layer (`src/tokens/`: keys,
//! signing, claim helpers, settings), which knows no resource.
//!
//! - [`jwks`]: `GET /v1/jwks`, the instance's public key.
//! - [`session_token`]: session and template tokens of an active session.
//! - [`jwt_templates`]: JWT templates (create, update; the rest is generic).
//! - [`sign_in`], [`actor`], [`testing`]: the stateful one-off tokens.
//!
//! ```
//! let mut registry = clerk_mock::registry::Registry::new();
//! clerk_mock::resources::tokens::register(&mut registry);
//! assert!(registry.len() >= 8);
//! ```

pub mod actor;
pub mod jwks;
pub mod jwt_templates;
pub mod session_token;
pub mod sign_in;
pub mod testing;

use crate::registry::Registry;

/// Registers the token operations (JWKS, JWT templates, sign-in, actor and testing tokens).
pub fn register(registry: &mut Registry) {
    jwks::register(registry);
    jwt_templates::register(registry);
    sign_in::register(registry);
    actor::register(registry);
    testing::register(registry);
}
