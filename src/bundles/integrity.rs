//! Checking a downloaded tarball against what the packument promises:
//! `dist.integrity` (subresource integrity, `sha512-<base64>`, as npm does)
//! or, for packages published before it existed, `dist.shasum` (hex SHA-1).
//!
//! ```
//! use clerk_mock::bundles::integrity::{verify, sri_sha512};
//! let bytes = b"a tarball";
//! assert!(verify(bytes, Some(&sri_sha512(bytes)), None).is_ok());
//! assert!(verify(b"another file", Some(&sri_sha512(bytes)), None).unwrap_err().contains("expected"));
//! ```

use base64::Engine;
use sha2::Digest;

/// `sha512-<base64>` of `bytes`.
pub fn sri_sha512(bytes: &[u8]) -> String {
    format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(bytes)))
}

/// Ok when the strongest algorithm named in `integrity` matches (any of its
/// hashes, as ssri does), else when `shasum` matches; an error naming both
/// sides otherwise, and when there is nothing to check against.
pub fn verify(bytes: &[u8], integrity: Option<&str>, shasum: Option<&str>) -> Result<(), String> {
    let hashes: Vec<(&str, &str)> = integrity.unwrap_or("").split_whitespace().filter_map(|h| h.split_once('-')).collect();
    for algorithm in ["sha512", "sha384", "sha256", "sha1"] {
        let expected: Vec<&str> = hashes.iter().filter(|(a, _)| *a == algorithm).map(|(_, h)| h.split('?').next().unwrap_or(h)).collect();
        if expected.is_empty() {
            continue;
        }
        let actual = base64::engine::general_purpose::STANDARD.encode(digest(algorithm, bytes));
        return if expected.contains(&actual.as_str()) {
            Ok(())
        } else {
            Err(format!("integrity mismatch: expected {algorithm}-{}, got {algorithm}-{actual}", expected[0]))
        };
    }
    match shasum {
        Some(hex) => {
            let actual: String = sha1::Sha1::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
            if actual.eq_ignore_ascii_case(hex.trim()) {
                Ok(())
            } else {
                Err(format!("shasum mismatch: expected {hex}, got {actual}"))
            }
        }
        None => Err("the packument gives neither dist.integrity nor dist.shasum to check the tarball against".into()),
    }
}

fn digest(algorithm: &str, bytes: &[u8]) -> Vec<u8> {
    match algorithm {
        "sha512" => sha2::Sha512::digest(bytes).to_vec(),
        "sha384" => sha2::Sha384::digest(bytes).to_vec(),
        "sha256" => sha2::Sha256::digest(bytes).to_vec(),
        _ => sha1::Sha1::digest(bytes).to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shasum_is_checked_when_there_is_no_integrity() {
        let hex = "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"; // sha1("hello world")
        assert!(verify(b"hello world", None, Some(hex)).is_ok());
        assert!(verify(b"hello worle", None, Some(hex)).unwrap_err().starts_with("shasum mismatch"));
        assert!(verify(b"x", None, None).is_err(), "nothing to check is refused");
    }

    #[test]
    fn the_strongest_algorithm_decides() {
        let good = sri_sha512(b"x");
        assert!(verify(b"x", Some(&format!("sha1-AAAA {good}")), None).is_ok());
        assert!(verify(b"y", Some(&format!("{good} sha1-AAAA")), None).is_err());
    }
}
