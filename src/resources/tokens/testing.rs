//! Testing tokens (`POST /testing_tokens`): short-lived tokens that let
//! end-to-end tests bypass bot protection. Each is stored in collection
//! `testing_tokens` (by token) so a later check can tell it was issued.
//!
//! ```text
//! POST /testing_tokens → {"object":"testing_token","token":"1713880800-c_…","expires_at":1713880800}
//! ```

use rand::RngExt;
use serde_json::json;

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;

pub const COLLECTION: crate::state::CollectionKey = crate::state::CollectionKey::new("testing_tokens");
pub const KIND: crate::state::Kind = crate::state::Kind::stored("testing_token", "tt", COLLECTION);
/// Testing tokens live an hour; `expires_at` is in unix seconds (as Clerk's example).
const LIFETIME_SECS: i64 = 3600;

pub fn register(registry: &mut Registry) {
    registry.add("CreateTestingToken", "tokens", create);
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let expires_at = crate::tokens::now_secs() + LIFETIME_SECS;
    let mut rng = rand::rng();
    let random: String = (0..48).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    let token = format!("{expires_at}-c_{random}");
    let answer = json!({"object": "testing_token", "token": token, "expires_at": expires_at});
    let mut store = ctx.instance.store.lock();
    let now = store.now_ms();
    let mut stored = answer.clone();
    stored["created_at"] = json!(now);
    store.insert(COLLECTION, &token, stored);
    Ok(Reply::Object(answer))
}
