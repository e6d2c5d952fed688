//! Passwords: Clerk's policy checks, the mock's own (fast) hashing, and
//! imported digests (`password_digest` + `password_hasher`).
//!
//! A test double must not spend 100 ms per user, so passwords the mock hashes
//! itself use salted SHA-256 (one hash, microseconds). The salt is derived
//! from a caller-given source (instance, seed, sequence), so a run with the
//! same seed stores the same state. Imported digests keep
//! the hasher they came with and are checked with it: `bcrypt` (and Django's
//! `bcrypt_sha256`), plain `sha256` hex, `pbkdf2_sha256` / `pbkdf2_sha256_django`.
//! Other hashers Clerk accepts are stored as given; `verify` says no for them.
//!
//! A stored password is the JSON `{"hasher": "...", "digest": "..."}` kept in
//! the user's internal `_password` field.
//!
//! ```
//! use clerk_mock::resources::passwords;
//! let stored = passwords::hash("correct horse", "sk_test_doc:1:7");
//! assert!(passwords::verify(&stored, "correct horse"));
//! assert!(!passwords::verify(&stored, "wrong horse"));
//! ```

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Clerk's minimum password length.
pub const MIN_LENGTH: usize = 8;
/// Clerk's maximum password length (bcrypt's input limit).
pub const MAX_LENGTH: usize = 72;

/// The hasher name the mock uses for passwords it hashes itself.
const OWN_HASHER: &str = "clerk_mock_sha256";

/// Hashers Clerk accepts for `password_hasher` (its documented list).
const KNOWN_HASHERS: &[&str] = &[
    "argon2i", "argon2id", "bcrypt", "bcrypt_peppered", "bcrypt_sha256_django", "hmac_sha256_utf16_b64", "md5",
    "md5_salted", "pbkdf2_sha1", "pbkdf2_sha256", "pbkdf2_sha256_django", "pbkdf2_sha512", "pbkdf2_sha512_hex",
    "phpass", "md5_phpass", "scrypt_firebase", "scrypt_werkzeug", "sha256", "sha256_salted", "ldap_ssha",
    "sha512_symfony", "awscognito",
];

/// Clerk's policy for a new plaintext password, unless `skip_password_checks`.
pub fn check_policy(plain: &str, skip_checks: bool) -> Result<(), ApiError> {
    if skip_checks {
        return Ok(());
    }
    let length = plain.chars().count();
    if length < MIN_LENGTH {
        return Err(ApiError::password_too_short(MIN_LENGTH)
        .with_param("password"));
    }
    if length > MAX_LENGTH {
        return Err(ApiError::password_too_long(MAX_LENGTH)
        .with_param("password"));
    }
    Ok(())
}

/// Hashes a plaintext password (salted SHA-256: fast on purpose); the salt
/// comes from `salt_source`, which should differ per user.
pub fn hash(plain: &str, salt_source: &str) -> Value {
    let salt = sha256_hex(salt_source)[..32].to_string();
    json!({ "hasher": OWN_HASHER, "digest": format!("{salt}${}", sha256_hex(&format!("{salt}{plain}"))) })
}

/// An imported digest, checked for a known hasher and (where the mock can
/// verify it) a well-formed digest.
pub fn from_digest(digest: &str, hasher: &str) -> Result<Value, ApiError> {
    if !KNOWN_HASHERS.contains(&hasher) {
        return Err(ApiError::value_invalid(format!("{hasher} is not a supported password hasher."))
        .with_param("password_hasher"));
    }
    let well_formed = match hasher {
        "bcrypt" => digest.parse::<bcrypt::HashParts>().is_ok(),
        "bcrypt_sha256_django" => digest.strip_prefix("bcrypt_sha256$").map(|d| d.parse::<bcrypt::HashParts>().is_ok()).unwrap_or(false),
        "sha256" => digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()),
        _ => !digest.is_empty(),
    };
    if !well_formed {
        return Err(ApiError::format_invalid(format!("The password digest is not a valid {hasher} digest."))
        .with_param("password_digest"));
    }
    Ok(json!({ "hasher": hasher, "digest": digest }))
}

/// Whether `plain` matches a stored password.
pub fn verify(stored: &Value, plain: &str) -> bool {
    let hasher = stored.get("hasher").and_then(Value::as_str).unwrap_or("");
    let digest = stored.get("digest").and_then(Value::as_str).unwrap_or("");
    match hasher {
        OWN_HASHER => match digest.split_once('$') {
            Some((salt, expected)) => sha256_hex(&format!("{salt}{plain}")) == expected,
            None => false,
        },
        "bcrypt" => bcrypt::verify(plain, digest).unwrap_or(false),
        "bcrypt_sha256_django" => digest
            .strip_prefix("bcrypt_sha256$")
            .map(|d| bcrypt::verify(sha256_hex(plain), d).unwrap_or(false))
            .unwrap_or(false),
        "sha256" => sha256_hex(plain).eq_ignore_ascii_case(digest),
        "pbkdf2_sha256" | "pbkdf2_sha256_django" => verify_pbkdf2_sha256(digest, plain),
        _ => false,
    }
}

/// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (Django's format, which
/// Clerk also expects for `pbkdf2_sha256`).
fn verify_pbkdf2_sha256(digest: &str, plain: &str) -> bool {
    let parts: Vec<&str> = digest.split('$').collect();
    let [_, iterations, salt, expected] = parts.as_slice() else { return false };
    let Ok(iterations) = iterations.parse::<u32>() else { return false };
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(expected) else { return false };
    if iterations == 0 || expected.is_empty() || iterations > 10_000_000 {
        return false;
    }
    pbkdf2_hmac_sha256(plain.as_bytes(), salt.as_bytes(), iterations, expected.len()) == expected
}

fn pbkdf2_hmac_sha256(password: &[u8], salt: &[u8], iterations: u32, length: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(length);
    let mut block = 1u32;
    while out.len() < length {
        let mut mac = Hmac::<Sha256>::new_from_slice(password).expect("HMAC takes any key length");
        mac.update(salt);
        mac.update(&block.to_be_bytes());
        let mut u = mac.finalize().into_bytes();
        let mut t = u;
        for _ in 1..iterations {
            let mut mac = Hmac::<Sha256>::new_from_slice(password).expect("HMAC takes any key length");
            mac.update(&u);
            u = mac.finalize().into_bytes();
            t.iter_mut().zip(u.iter()).for_each(|(a, b)| *a ^= b);
        }
        out.extend_from_slice(&t);
        block += 1;
    }
    out.truncate(length);
    out
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_hashes_are_salted_and_verify_only_the_right_password() {
        let a = hash("password123", "user_a");
        let b = hash("password123", "user_b");
        assert_ne!(a["digest"], b["digest"]);
        assert!(verify(&a, "password123"));
        assert!(!verify(&a, "password124"));
        assert_eq!(a, hash("password123", "user_a"), "the same source gives the same state");
    }

    #[test]
    fn a_bcrypt_digest_verifies_with_bcrypt() {
        let digest = bcrypt::hash("hunter2hunter2", 4).unwrap();
        let stored = from_digest(&digest, "bcrypt").unwrap();
        assert!(verify(&stored, "hunter2hunter2"));
        assert!(!verify(&stored, "hunter3hunter3"));
    }

    #[test]
    fn a_malformed_bcrypt_digest_is_rejected_on_the_digest_param() {
        let err = from_digest("not-a-bcrypt-hash", "bcrypt").unwrap_err();
        assert_eq!(err.errors[0].code, "form_param_format_invalid");
        assert_eq!(err.errors[0].meta.as_ref().unwrap()["param_name"], "password_digest");
    }

    #[test]
    fn an_unknown_hasher_is_rejected() {
        let err = from_digest("abc", "rot13").unwrap_err();
        assert_eq!(err.errors[0].meta.as_ref().unwrap()["param_name"], "password_hasher");
    }

    #[test]
    fn sha256_and_django_pbkdf2_digests_verify() {
        let stored = from_digest(&sha256_hex("s3cretpass"), "sha256").unwrap();
        assert!(verify(&stored, "s3cretpass"));
        // Django: pbkdf2_sha256$1000$salt$<b64>, computed with this module's PBKDF2
        // and cross-checked against RFC 7914's PBKDF2-HMAC-SHA256 test vector below.
        let dk = pbkdf2_hmac_sha256(b"passwd", b"salt", 1, 64);
        assert_eq!(hex(&dk[..8]), "55ac046e56e3089f");
        let b64 = base64::engine::general_purpose::STANDARD.encode(pbkdf2_hmac_sha256(b"s3cretpass", b"abc", 10, 32));
        let stored = from_digest(&format!("pbkdf2_sha256$10$abc${b64}"), "pbkdf2_sha256_django").unwrap();
        assert!(verify(&stored, "s3cretpass"));
        assert!(!verify(&stored, "s3cretpasx"));
    }

    #[test]
    fn short_passwords_fail_the_policy_unless_checks_are_skipped() {
        assert_eq!(check_policy("short", false).unwrap_err().errors[0].code, "form_password_length_too_short");
        assert!(check_policy("short", true).is_ok());
        assert!(check_policy("long enough", false).is_ok());
    }
}
