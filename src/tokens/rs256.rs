//! RS256 signing with a key parsed once: the JWS compact form
//! (`base64url(header).base64url(claims).base64url(signature)`) signed by
//! ring's RSA PKCS#1 v1.5 / SHA-256 over a key kept parsed in memory.
//!
//! Why not `jsonwebtoken::encode`: both of its backends parse the private
//! key again on every token (the `rsa` crate and aws-lc-rs alike), and the
//! `rsa` crate's signing is itself slow. Measured on this 2-core machine
//! with 2048-bit keys, same run: jsonwebtoken + `rsa` 155–180 tokens/s,
//! jsonwebtoken's aws-lc-rs backend 205/s, ring with a parsed key 490–550/s
//! (3.0–3.2×), aws-lc-rs with a parsed key 820–1,015/s (5.3–5.6×). ring is
//! already in the build (rustls uses it), aws-lc-rs would add a large C
//! build to every CI run; ring clears the issue's 2× with no new crate.
//! PKCS#1 v1.5 signatures are deterministic, so the tokens are the same
//! bytes jsonwebtoken produced (a test checks it).
//!
//! ```
//! use clerk_mock::tokens::rs256::Rs256Signer;
//! use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
//! let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signing_key.pem")).unwrap();
//! let der = rsa::RsaPrivateKey::from_pkcs1_pem(pem.trim()).unwrap().to_pkcs1_der().unwrap();
//! let signer = Rs256Signer::from_pkcs1_der(der.as_bytes()).unwrap();
//! let jwt = signer.sign("ins_abc", &serde_json::json!({"sub": "user_1"})).unwrap();
//! assert_eq!(jwt.split('.').count(), 3);
//! ```

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::Value;

/// A parsed RSA private key that signs RS256 JWTs.
pub struct Rs256Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl Rs256Signer {
    /// From a PKCS#1 `RSAPrivateKey` DER.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Rs256Signer, String> {
        let key = RsaKeyPair::from_der(der).map_err(|e| format!("the key cannot sign RS256: {e}"))?;
        Ok(Rs256Signer { key, rng: SystemRandom::new() })
    }

    /// A JWT with header `{"typ":"JWT","alg":"RS256","kid":…}` (jsonwebtoken's field order).
    pub fn sign(&self, kid: &str, claims: &Value) -> Result<String, String> {
        self.sign_with_header(&serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": kid}), claims)
    }

    /// A JWT with exactly this header (its fields in their order), e.g.
    /// `{"alg":"RS256","kid":"ins_…","typ":"JWT","cat":"cl_…"}`; the caller
    /// puts `alg: RS256` in it.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> Result<String, String> {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let payload = serde_json::to_vec(claims).map_err(|e| format!("cannot encode the claims: {e}"))?;
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(&payload));
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, input.as_bytes(), &mut signature)
            .map_err(|_| "RSA signing failed".to_string())?;
        Ok(format!("{input}.{}", b64(&signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};

    #[test]
    fn tokens_are_byte_for_byte_what_jsonwebtoken_signs() {
        let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signing_key.pem")).unwrap();
        let der = rsa::RsaPrivateKey::from_pkcs1_pem(pem.trim()).unwrap().to_pkcs1_der().unwrap();
        let claims = serde_json::json!({"sub": "user_1", "sid": "sess_1", "exp": 4102444800u64, "name": "Élodie 中"});
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some("ins_abc".into());
        let reference = jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes())).unwrap();
        let ours = Rs256Signer::from_pkcs1_der(der.as_bytes()).unwrap().sign("ins_abc", &claims).unwrap();
        assert_eq!(ours, reference);
    }
}
