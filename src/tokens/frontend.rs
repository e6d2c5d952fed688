//! The mock's Frontend API identity: the host session tokens name as their
//! issuer and the publishable key that encodes it.
//!
//! `@clerk/backend`'s `authenticateRequest` decodes the publishable key
//! (`pk_test_` + base64 of `"<host>$"`, the host containing a dot) and, for
//! cookie-based requests, compares it with the token's `iss` minus its scheme;
//! so the mock prints both and signs every token with `iss: https://<host>`.
//!
//! ```
//! use clerk_mock::tokens::frontend::{publishable_key, issuer};
//! assert_eq!(publishable_key("clerk.example.test"), "pk_test_Y2xlcmsuZXhhbXBsZS50ZXN0JA");
//! assert_eq!(issuer("clerk.example.test"), "https://clerk.example.test");
//! ```

use base64::Engine;

/// The default host (a flag's default, so it lives with the flags).
pub use crate::config::DEFAULT_FRONTEND_HOST;

/// `pk_test_` + base64(`host$`) without `=` padding, as Clerk builds
/// development keys (`buildPublishableKey` strips it). The exact string
/// matters: clerk-js names its suffixed cookies after a hash of it.
pub fn publishable_key(host: &str) -> String {
    format!("pk_test_{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{host}$")))
}

/// The `iss` claim of every token the mock signs.
pub fn issuer(host: &str) -> String {
    format!("https://{host}")
}

/// Why a configured host cannot work with the SDKs, if it cannot.
pub fn check_host(host: &str) -> Result<(), String> {
    let valid_chars = host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':');
    if host.is_empty() || !host.contains('.') || !valid_chars || host.starts_with('.') || host.ends_with('.') {
        return Err(format!(
            "--frontend-host {host:?} is not a host name with a dot (e.g. clerk.mock.localhost): \
             Clerk SDKs reject publishable keys whose host has none"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publishable_key_decodes_to_the_host_followed_by_a_dollar() {
        let key = publishable_key(DEFAULT_FRONTEND_HOST);
        let encoded = key.strip_prefix("pk_test_").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD_NO_PAD.decode(encoded).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "clerk.mock.localhost$");
        assert_eq!(key.split('_').count(), 3, "the SDKs split the key on '_' into exactly three parts");
    }

    #[test]
    fn hosts_without_a_dot_or_with_odd_characters_are_refused() {
        assert!(check_host("localhost").is_err());
        assert!(check_host("clerk.mock$.test").is_err());
        assert!(check_host("").is_err());
        assert!(check_host("clerk.mock.localhost").is_ok());
        assert!(check_host("clerk.127.0.0.1.nip.io:8443").is_ok());
    }
}
