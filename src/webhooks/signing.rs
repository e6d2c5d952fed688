//! Svix-style signatures, what `svix`'s `Webhook.verify` and
//! `@clerk/backend`'s `verifyWebhook` check.
//!
//! A secret is `whsec_` + base64 of its key bytes. A message is signed as
//! `base64(HMAC-SHA256(key, "<svix-id>.<svix-timestamp>.<body>"))` and sent
//! as `svix-signature: v1,<that>` beside `svix-id` and `svix-timestamp`
//! (Unix seconds).
//!
//! ```
//! use clerk_mock::webhooks::signing::{sign, Secret};
//! let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let sig = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
//! // The example from Svix's documentation.
//! assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A signing secret: its `whsec_…` text and key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub text: String,
    key: Vec<u8>,
}

impl Secret {
    /// Reads `whsec_<base64>`; anything else is refused with the reason.
    pub fn parse(text: &str) -> Result<Secret, String> {
        let encoded = text
            .strip_prefix("whsec_")
            .ok_or_else(|| format!("a webhook signing secret starts with `whsec_` (got {:?})", short(text)))?;
        let key = STANDARD.decode(encoded).map_err(|_| "the part after `whsec_` must be base64".to_string())?;
        if key.len() < 16 || key.len() > 64 {
            return Err(format!("the secret's key must be 16 to 64 bytes (got {})", key.len()));
        }
        Ok(Secret { text: text.to_string(), key })
    }

    /// A fresh random secret (24 key bytes, like Svix's).
    pub fn generate() -> Secret {
        use rand::RngExt;
        let mut rng = rand::rng();
        let key: Vec<u8> = (0..24).map(|_| rng.random::<u8>()).collect();
        Secret { text: format!("whsec_{}", STANDARD.encode(&key)), key }
    }
}

fn short(text: &str) -> String {
    text.chars().take(8).collect::<String>() + "…"
}

/// The `svix-signature` value of a message.
pub fn sign(secret: &Secret, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret.key).expect("HMAC takes any key length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_parses_back() {
        let s = Secret::generate();
        assert_eq!(Secret::parse(&s.text).unwrap(), s);
    }

    #[test]
    fn a_secret_without_the_prefix_or_base64_is_refused() {
        assert!(Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(Secret::parse("whsec_not base64!").is_err());
    }

    #[test]
    fn another_body_gives_another_signature() {
        let s = Secret::generate();
        assert_ne!(sign(&s, "msg_1", 1, b"{}"), sign(&s, "msg_1", 1, b"{ }"));
    }
}
