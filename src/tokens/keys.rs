//! Signing keys: one RSA-2048 key (e = 65537) per instance.
//!
//! The key's private PEM lives in the instance's store (singleton
//! [`SINGLETON`]), so a dumped or snapshotted instance keeps verifying the
//! tokens it minted. It comes from `--signing-key` when one is configured
//! (reproducible runs and fast tests), else it is taken at first use from
//! the pool of keys generated ahead (`key_pool.rs`), so the first token of a
//! new instance does not wait for a key generation.
//! Parsing a PEM costs about a millisecond and signing needs the parsed key, so
//! parsed keys are cached process-wide by their PEM text.
//!
//! ```
//! use clerk_mock::tokens::keys::SigningKey;
//! let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signing_key.pem")).unwrap();
//! let key = SigningKey::from_pem(&pem).unwrap();
//! assert!(key.kid.starts_with("ins_"));
//! assert_eq!(key.jwk["e"], "AQAB");
//! let jwt = key.sign(&serde_json::json!({"sub": "user_1", "exp": 4102444800u64})).unwrap();
//! assert_eq!(key.verify(&jwt, true).unwrap()["sub"], "user_1");
//! ```

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use parking_lot::Mutex;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::Instance;

/// Where an instance keeps its key: `{"private_key_pem": "...", "created_at": ms}`.
pub const SINGLETON: &str = "_signing_key";

/// A parsed signing key with everything derived from it.
pub struct SigningKey {
    /// `ins_` + 27 characters derived from the public key: stable for a key,
    /// new after a rotation (the SDKs look keys up by `kid`).
    pub kid: String,
    /// The public JWK as `GET /jwks` publishes it (`kid`, `use`, `alg`, `kty`, `n`, `e`).
    pub jwk: Value,
    /// The public key as a SPKI PEM (`-----BEGIN PUBLIC KEY-----`), what the
    /// SDKs take as `jwtKey` / `jwt_key` for networkless verification.
    pub public_pem: String,
    /// Signs with the key parsed once (`rs256.rs`: 3× jsonwebtoken's rate).
    signer: super::rs256::Rs256Signer,
    decoding: DecodingKey,
}

/// Shows the `kid` only: a key's material never goes to logs.
impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Parses a PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM; only
    /// RSA-2048 with e = 65537 is accepted, the one shape every SDK verifies.
    /// Parsed keys are cached by PEM text.
    pub fn from_pem(pem: &str) -> Result<Arc<SigningKey>, String> {
        static CACHE: LazyLock<Mutex<HashMap<String, Arc<SigningKey>>>> = LazyLock::new(Default::default);
        if let Some(found) = CACHE.lock().get(pem) {
            return Ok(found.clone());
        }
        let parsed = Arc::new(Self::parse(pem)?);
        let mut cache = CACHE.lock();
        if cache.len() > 4096 {
            cache.clear(); // a bound, not a policy: parsing again is cheap
        }
        cache.insert(pem.to_string(), parsed.clone());
        Ok(parsed)
    }

    fn parse(pem: &str) -> Result<SigningKey, String> {
        let private = RsaPrivateKey::from_pkcs1_pem(pem.trim())
            .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem.trim()))
            .map_err(|e| format!("not an RSA private key PEM (PKCS#1 or PKCS#8): {e}"))?;
        if private.size() != 256 || *private.e() != BigUint::from(65537u32) {
            return Err(format!(
                "the signing key must be RSA-2048 with e = 65537 (got {} bits, e = {}): Clerk SDKs verify only that shape",
                private.size() * 8,
                private.e()
            ));
        }
        let der = private.to_pkcs1_der().map_err(|e| format!("cannot encode the key: {e}"))?;
        let public = private.to_public_key();
        let public_pem = public.to_public_key_pem(LineEnding::LF).map_err(|e| format!("cannot encode the public key: {e}"))?;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let (n, e) = (b64(&public.n().to_bytes_be()), b64(&public.e().to_bytes_be()));
        let kid = kid_for(&public.n().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| format!("cannot build the verifying key: {e}"))?;
        Ok(SigningKey {
            jwk: json!({"use": "sig", "kty": "RSA", "kid": kid, "alg": "RS256", "n": n, "e": e}),
            kid,
            public_pem,
            signer: super::rs256::Rs256Signer::from_pkcs1_der(der.as_bytes())?,
            decoding,
        })
    }

    /// An RS256 JWT with header `{alg: RS256, kid, typ: JWT}`, as Clerk signs.
    pub fn sign(&self, claims: &Value) -> Result<String, ApiError> {
        self.signer.sign(&self.kid, claims).map_err(|e| ApiError::internal(format!("signing a token failed: {e}")))
    }

    /// An RS256 JWT with `kid` and the extra header fields Clerk's Frontend
    /// API puts there (`cat`, `oiat`), which `jsonwebtoken::Header` cannot hold.
    /// Example header: `{"alg":"RS256","kid":"ins_…","typ":"JWT","cat":"cl_B7d4PD111AAA","oiat":1700000000}`.
    pub fn sign_with_header(&self, extra_header: &Value, claims: &Value) -> Result<String, ApiError> {
        let mut header = json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"});
        if let (Some(out), Some(extra)) = (header.as_object_mut(), extra_header.as_object()) {
            out.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        self.signer.sign_with_header(&header, claims).map_err(|e| ApiError::internal(format!("signing a token failed: {e}")))
    }

    /// The claims of a token this key signed; `check_expiry` false accepts an
    /// expired one (refresh and client tokens).
    pub fn verify(&self, token: &str, check_expiry: bool) -> Result<Value, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| format!("not a JWT: {e}"))?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err("the token was not signed with this instance's current key".into());
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = check_expiry;
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| format!("the token does not verify: {e}"))
    }
}

/// `ins_` + 27 base62 characters of SHA-256(modulus).
fn kid_for(modulus: &[u8]) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(modulus);
    let tail: String = digest.iter().take(27).map(|b| BASE62[(*b % 62) as usize] as char).collect();
    format!("ins_{tail}")
}

fn stored_pem(instance: &Instance) -> Option<String> {
    let store = instance.store.lock();
    store.singleton(SINGLETON)?.get("private_key_pem")?.as_str().map(str::to_string)
}

/// The instance's current key, created on first use (the configured one, or
/// a generated one). Call it without holding the instance's store lock.
pub fn for_instance(settings: &super::TokenSettings, instance: &Instance) -> Result<Arc<SigningKey>, ApiError> {
    let pem = match stored_pem(instance) {
        Some(pem) => pem,
        None => {
            let candidate = match &settings.signing_key_pem {
                Some(pem) => pem.clone(),
                None => super::key_pool::take(settings.key_sharing)?,
            };
            let mut store = instance.store.lock();
            let now = store.now_ms();
            let entry = store.singleton_mut(SINGLETON, || json!({"private_key_pem": candidate, "created_at": now}));
            entry["private_key_pem"].as_str().unwrap_or_default().to_string()
        }
    };
    SigningKey::from_pem(&pem).map_err(|e| ApiError::internal(format!("the instance's signing key is unusable: {e}")))
}

/// Replaces the instance's key with a freshly generated one: tokens signed
/// before no longer verify against `GET /jwks`.
pub fn rotate(settings: &super::TokenSettings, instance: &Instance) -> Result<Arc<SigningKey>, ApiError> {
    let pem = super::key_pool::take(settings.key_sharing)?;
    let key = SigningKey::from_pem(&pem).map_err(ApiError::internal)?;
    let mut store = instance.store.lock();
    let now = store.now_ms();
    store.set_singleton(SINGLETON, json!({"private_key_pem": pem, "created_at": now}));
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signing_key.pem")).unwrap()
    }

    #[test]
    fn the_same_pem_always_gives_the_same_kid_and_jwk() {
        let a = SigningKey::parse(&fixture()).unwrap();
        let b = SigningKey::parse(&fixture()).unwrap();
        assert_eq!(a.kid, b.kid);
        assert_eq!(a.jwk, b.jwk);
        assert_eq!(a.kid.len(), 4 + 27);
    }

    #[test]
    fn a_token_verifies_with_its_key_and_not_after_expiry() {
        let key = SigningKey::from_pem(&fixture()).unwrap();
        let expired = key.sign(&json!({"sub": "u", "exp": 1000})).unwrap();
        assert!(key.verify(&expired, true).is_err());
        assert_eq!(key.verify(&expired, false).unwrap()["sub"], "u");
        let header = jsonwebtoken::decode_header(&expired).unwrap();
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
    }

    #[test]
    fn keys_that_are_not_rsa_2048_are_refused_with_a_reason() {
        assert!(SigningKey::parse("not a pem").unwrap_err().contains("PEM"));
        let small = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let pem = small.to_pkcs1_pem(LineEnding::LF).unwrap();
        assert!(SigningKey::parse(&pem).unwrap_err().contains("RSA-2048"));
    }

    #[test]
    fn the_public_pem_is_the_spki_shape_the_node_sdk_strips() {
        let key = SigningKey::from_pem(&fixture()).unwrap();
        let body: String = key.public_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(key.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(body.starts_with("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));
        assert!(body.ends_with("IDAQAB"));
    }
}
