//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits)
//! over base32 secrets, as authenticator apps and Clerk's `totp_secret` use.
//!
//! ```
//! use clerk_mock::resources::totp;
//! let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
//! // RFC 6238's SHA-1 test vector at T = 59 s ("94287082", 6 digits: "287082").
//! assert_eq!(totp::code_at(secret, 59).as_deref(), Some("287082"));
//! assert!(totp::verify(secret, "287082", 59));
//! assert!(!totp::verify(secret, "000000", 59));
//! ```

use hmac::{Hmac, Mac};
use sha1::Sha1;

const STEP_SECONDS: i64 = 30;
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Decodes RFC 4648 base32 (case-insensitive; spaces and padding ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase() as u8)? as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

/// Encodes bytes as unpadded base32.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut bits: u64 = 0;
    let mut count = 0;
    for b in bytes {
        bits = (bits << 8) | *b as u64;
        count += 8;
        while count >= 5 {
            count -= 5;
            out.push(ALPHABET[((bits >> count) & 31) as usize] as char);
        }
    }
    if count > 0 {
        out.push(ALPHABET[((bits << (5 - count)) & 31) as usize] as char);
    }
    out
}

/// The 6-digit code of `secret` at unix time `seconds`.
pub fn code_at(secret: &str, seconds: i64) -> Option<String> {
    let key = base32_decode(secret).filter(|k| !k.is_empty())?;
    let counter = (seconds.max(0) / STEP_SECONDS) as u64;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[hash.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    Some(format!("{:06}", binary % 1_000_000))
}

/// Whether `code` is the secret's code now, one step before or one after
/// (the clock skew authenticators are allowed).
pub fn verify(secret: &str, code: &str, now_seconds: i64) -> bool {
    [-STEP_SECONDS, 0, STEP_SECONDS]
        .iter()
        .any(|skew| code_at(secret, now_seconds + skew).as_deref() == Some(code.trim()))
}

/// A fresh random secret (160 bits, base32).
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    base32_encode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips() {
        let bytes = b"12345678901234567890";
        assert_eq!(base32_encode(bytes), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode("gezdgnbvgy3tqojq gezdgnbvgy3tqojq").unwrap(), bytes);
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn rfc_6238_vectors_hold() {
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(code_at(&secret, 1_111_111_109).as_deref(), Some("081804"));
        assert_eq!(code_at(&secret, 1_234_567_890).as_deref(), Some("005924"));
    }

    #[test]
    fn codes_one_step_off_still_verify_but_two_do_not() {
        let secret = new_secret();
        let code = code_at(&secret, 1_000_000).unwrap();
        assert!(verify(&secret, &code, 1_000_030));
        assert!(!verify(&secret, &code, 1_000_090));
    }
}
