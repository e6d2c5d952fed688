//! Tokens: what the mock signs and how a client verifies it.
//!
//! The low key-and-signing service: it knows keys, JWTs and the settings
//! they are made with, and no resource, handler or application. The token
//! *operations* (JWKS, session, template, sign-in, actor and testing tokens)
//! are resources (`resources/tokens/`); `/__admin/signing_key…` is the admin
//! API's (`admin/signing_key.rs`).
//!
//! - [`keys`]: one RSA-2048 signing key per instance (configured or generated),
//!   kept in the instance's store; [`key_pool`] generates keys ahead,
//!   [`rs256`] signs with a key parsed once.
//! - [`frontend`]: the frontend host, the issuer and the publishable key.
//! - [`claims`]: how v2 session tokens encode permissions; [`templates`]:
//!   rendering a JWT template's shortcodes, signing with a custom key.
//!
//! ```
//! use clerk_mock::tokens::TokenSettings;
//! let settings = TokenSettings::fallback();
//! assert_eq!(settings.issuer, "https://clerk.mock.localhost");
//! assert!(settings.publishable_key.starts_with("pk_test_"));
//! ```

pub mod claims;
pub mod frontend;
pub mod key_pool;
pub mod keys;
pub mod rs256;
pub mod templates;

use crate::config::ServeArgs;

/// Token-related configuration, checked once at start-up.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub frontend_host: String,
    /// `https://<frontend host>`: the `iss` of every token.
    pub issuer: String,
    /// `pk_test_…` for the frontend host.
    pub publishable_key: String,
    /// The PEM text of `--signing-key`, when given.
    pub signing_key_pem: Option<String>,
    /// Whether generated keys may share a prime (`--independent-signing-keys`).
    pub key_sharing: key_pool::Sharing,
}

impl TokenSettings {
    /// Reads `--frontend-host` and `--signing-key` (a PEM file or the PEM text);
    /// `Err` says what is wrong and how to fix it.
    pub fn from_config(config: &ServeArgs) -> Result<TokenSettings, String> {
        frontend::check_host(&config.frontend_host)?;
        let signing_key_pem = match config.signing_key.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) if text.starts_with("-----BEGIN") => Some(text.to_string()),
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("--signing-key {path}: cannot read the PEM file: {e}"))?,
            ),
        };
        if let Some(pem) = &signing_key_pem {
            keys::SigningKey::from_pem(pem).map_err(|e| format!("--signing-key: {e}"))?;
        }
        Ok(TokenSettings {
            issuer: frontend::issuer(&config.frontend_host),
            publishable_key: frontend::publishable_key(&config.frontend_host),
            frontend_host: config.frontend_host.clone(),
            signing_key_pem,
            key_sharing: if config.independent_signing_keys { key_pool::Sharing::None } else { key_pool::Sharing::Pairs },
        })
    }

    /// The defaults: `clerk.mock.localhost`, keys generated per instance.
    pub fn fallback() -> TokenSettings {
        let host = frontend::DEFAULT_FRONTEND_HOST;
        TokenSettings {
            frontend_host: host.to_string(),
            issuer: frontend::issuer(host),
            publishable_key: frontend::publishable_key(host),
            signing_key_pem: None,
            key_sharing: key_pool::Sharing::Pairs,
        }
    }
}

/// Unix seconds now (token claims are in seconds, stored timestamps in ms).
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signing_key_can_be_given_as_a_path_or_as_pem_text() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signing_key.pem");
        let by_path = ServeArgs { signing_key: Some(path.into()), ..ServeArgs::default() };
        let pem = TokenSettings::from_config(&by_path).unwrap().signing_key_pem.unwrap();
        let by_text = ServeArgs { signing_key: Some(pem.clone()), ..ServeArgs::default() };
        assert_eq!(TokenSettings::from_config(&by_text).unwrap().signing_key_pem.unwrap(), pem.trim());
    }

    #[test]
    fn a_bad_configuration_is_refused_with_the_flag_named() {
        let missing = ServeArgs { signing_key: Some("/nonexistent/key.pem".into()), ..ServeArgs::default() };
        assert!(TokenSettings::from_config(&missing).unwrap_err().contains("--signing-key"));
        let dotless = ServeArgs { frontend_host: "localhost".into(), ..ServeArgs::default() };
        assert!(TokenSettings::from_config(&dotless).unwrap_err().contains("--frontend-host"));
    }
}
