//! Instances without their secret keys: `GET /__admin/instances` and the
//! opaque handle every admin route accepts in place of the key.
//!
//! The dashboard must never show (or even receive) a full secret key, so it
//! names an instance by a handle — a short hash of the key — and shows the
//! key masked:
//!
//! ```text
//! GET /__admin/instances
//! → {"data": [{"id": "ins_5c1f0e9a2b7d", "key": "sk_test_…c0de", "counts": {"users": 3, …}}]}
//! GET /__admin/state -H 'X-Clerk-Mock-Instance: ins_5c1f0e9a2b7d'     (or ?instance=ins_5c1f0e9a2b7d)
//! ```
//!
//! ```
//! use clerk_mock::admin::instances::{handle_of, mask};
//! assert_eq!(mask("sk_test_0123456789abcdef"), "sk_test_…cdef");
//! assert_eq!(mask("sk_test_me"), "sk_test_…"); // too short to reveal any of it
//! assert!(handle_of("sk_test_a").starts_with("ins_") && handle_of("sk_test_a") != handle_of("sk_test_b"));
//! ```

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::error::ApiError;
use crate::wire::{Request, Response};

/// The header that names an instance by its handle.
pub const HEADER: &str = "x-clerk-mock-instance";

/// The collections whose sizes the instance list shows.
const COUNTED: &[&str] = &[
    "users",
    "organizations",
    "organization_memberships",
    "sessions",
    "invitations",
    "allowlist_identifiers",
    "blocklist_identifiers",
];

/// `ins_` + 12 hex digits of SHA-256(key): stable for a key, reveals nothing of it.
pub fn handle_of(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("ins_{hex}")
}

/// The key with its secret part hidden: the `sk_test_` / `sk_live_` prefix
/// and at most the last 4 characters (fewer for short keys, so at least two
/// thirds stay hidden). Keys without that prefix (`public`) are not secret.
pub fn mask(key: &str) -> String {
    let Some(prefix) = ["sk_test_", "sk_live_"].into_iter().find(|p| key.starts_with(p)) else {
        return key.to_string();
    };
    let secret: Vec<char> = key[prefix.len()..].chars().collect();
    let shown = (secret.len() / 3).min(4);
    let tail: String = secret[secret.len() - shown..].iter().collect();
    format!("{prefix}…{tail}")
}

/// The key of the instance a handle names, among the instances that exist.
pub fn resolve(app: &App, handle: &str) -> Result<String, ApiError> {
    app.instances.keys().into_iter().find(|k| handle_of(k) == handle).ok_or_else(|| {
        ApiError::instance_not_found(handle)
        .with_param("instance")
    })
}

/// The handle a request names its instance by (header, then `?instance=`).
pub fn requested_handle(req: &Request) -> Option<String> {
    req.header(HEADER)
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .or_else(|| super::query_value(req, "instance").filter(|h| !h.is_empty()))
}

/// `GET /__admin/instances`: every instance, by handle and masked key, with
/// the sizes of its main collections.
pub fn list(app: &App) -> Response {
    let data: Vec<Value> = app
        .instances
        .keys()
        .iter()
        .map(|key| {
            let instance = app.instances.get_or_create(key);
            let store = instance.store.lock();
            let counts: Map<String, Value> =
                COUNTED.iter().map(|c| (c.to_string(), json!(store.collection(crate::state::CollectionKey::named(c)).map_or(0, |c| c.items.len())))).collect();
            json!({
                "object": "instance",
                "id": handle_of(key),
                "key": mask(key),
                "counts": counts,
                "generation": store.generation.0,
            })
        })
        .collect();
    Response::json(200, &json!({"data": data, "total_count": data.len()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_never_reveals_more_than_a_third_of_the_secret() {
        for key in ["sk_test_x", "sk_test_abcdef", "sk_live_0123456789abcdefghij", "sk_test_1234_5"] {
            let masked = mask(key);
            let shown = masked.split('…').nth(1).unwrap().len();
            assert!(shown * 3 <= key.len() - 8 && shown <= 4, "{key} → {masked}");
            assert!(!masked.contains(&key[8..]) || key.len() - 8 == 0, "{key} → {masked}");
        }
        assert_eq!(mask("public"), "public");
    }

    #[test]
    fn handles_are_stable_and_distinct() {
        assert_eq!(handle_of("sk_test_one"), handle_of("sk_test_one"));
        assert_ne!(handle_of("sk_test_one"), handle_of("sk_test_two"));
        assert_eq!(handle_of("sk_test_one").len(), "ins_".len() + 12);
    }
}
