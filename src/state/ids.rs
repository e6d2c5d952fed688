//! Clerk-style ids: `prefix_` + 27 base62 characters, time-ordered and seeded.
//!
//! The first 8 characters encode a per-instance sequence number, so ids sort
//! in creation order (like Clerk's KSUIDs); the other 19 come from a hash of
//! the seed, the instance key and the sequence, so a run with `--seed N`
//! produces the same ids every time.
//!
//! ```
//! use clerk_mock::state::ids::make_id;
//! let a = make_id("user", 1, "sk_test_a", 1);
//! let b = make_id("user", 1, "sk_test_a", 2);
//! assert!(a.starts_with("user_") && a.len() == 32);
//! assert!(a < b);
//! assert_eq!(a, make_id("user", 1, "sk_test_a", 1));
//! ```

use std::hash::{Hash, Hasher};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The id number `sequence` of an instance.
pub fn make_id(prefix: &str, seed: u64, instance: &str, sequence: u64) -> String {
    let mut out = String::with_capacity(prefix.len() + 28);
    out.push_str(prefix);
    out.push('_');
    let mut head = [b'0'; 8];
    let mut n = sequence;
    for slot in head.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.push_str(std::str::from_utf8(&head).expect("ascii"));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (seed, instance, sequence).hash(&mut h);
    let mut state = h.finish() | 1;
    for _ in 0..19 {
        // xorshift64*: cheap, deterministic, good enough for ids.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        out.push(BASE62[(r >> 58) as usize % 62] as char);
    }
    out
}

/// `prefix_` + 32 lowercase hex characters (API keys, M2M tokens: their spec
/// patterns ask for hex).
pub fn make_hex_id(prefix: &str, seed: u64, instance: &str, sequence: u64) -> String {
    let mut h1 = std::collections::hash_map::DefaultHasher::new();
    (seed, instance, sequence, 1u8).hash(&mut h1);
    let mut h2 = std::collections::hash_map::DefaultHasher::new();
    (seed, instance, sequence, 2u8).hash(&mut h2);
    format!("{prefix}_{:08x}{:08x}{:016x}", sequence as u32, (h1.finish() >> 32) as u32, h2.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_different_instances_differ() {
        assert_ne!(make_id("user", 1, "a", 1), make_id("user", 1, "b", 1));
    }

    #[test]
    fn hex_ids_are_32_hex_characters() {
        let id = make_hex_id("ak", 1, "a", 5);
        assert_eq!(id.len(), 35);
        assert!(id[3..].chars().all(|c| c.is_ascii_hexdigit()));
    }
}
