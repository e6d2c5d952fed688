//! Session tokens the Frontend API mints: the same v2 claims, key and JWKS
//! as BAPI's `POST /sessions/{id}/tokens` (`tokens/session_token.rs`), plus
//! what clerk-js and `authenticateRequest` read on browser tokens (FAPI.md
//! §5): `azp` (the request's Origin), `jti`, and the header fields `cat`
//! (session category) and `oiat`.
//!
//! `iat` comes from the instance clock (`Store::now_ms`), the clock that
//! stamps `client.updated_at`, so a token minted after a change is never
//! older than the `__client_uat` cookie derived from it (which would make
//! the backend handshake again).
//!
//! ```text
//! header  {"alg":"RS256","kid":"ins_…","typ":"JWT","cat":"cl_B7d4PD111AAA","oiat":1767225600}
//! payload {"sub":"user_…","sid":"sess_…","iss":"https://clerk.mock.localhost","azp":"http://localhost:3000",
//!          "iat":1767225600,"nbf":1767225590,"exp":1767225660,"v":2,"fva":[0,-1],"jti":"…","o":{…}}
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::resources::organizations;
use crate::state::Store;
use crate::tokens::keys::SigningKey;
use crate::resources::tokens::session_token::{self, Loaded};
use crate::resources::collections::{ORGS, SESSIONS};

/// The JWT header category of session tokens.
pub const SESSION_CATEGORY: &str = "cl_B7d4PD111AAA";
/// The JWT header category of tokens from a JWT template (FAPI.md §2.3 #17).
pub const TEMPLATE_CATEGORY: &str = "cl_B7d4PD222AAA";

/// What a token is minted for.
#[derive(Clone, Copy)]
pub struct Mint<'a> {
    pub issuer: &'a str,
    /// The request's `Origin`, the token's `azp`.
    pub origin: Option<&'a str>,
    pub lifetime: i64,
    /// `Some("")`: the personal account; `Some(org)`: that organization (the
    /// user must belong to it); `None`: the session's active organization.
    pub organization: Option<&'a str>,
}

/// The session if it is live, with the organization to put in the token.
fn load(store: &Store, session_id: &str, organization: Option<&str>) -> Result<Loaded, ApiError> {
    let mut loaded = session_token::load_active(store, session_id).map_err(|e| match e.status {
        404 if store.get(SESSIONS, session_id).is_some() => ApiError::signed_out(),
        _ => e,
    })?;
    if let Some(org_id) = organization {
        let user_id = loaded.session["user_id"].as_str().unwrap_or("").to_string();
        loaded.membership = organizations::membership_of(store, org_id, &user_id).cloned();
        loaded.org = loaded.membership.as_ref().and_then(|_| store.get(ORGS, org_id).cloned());
    }
    Ok(loaded)
}

/// Mints a session token; returns it with its `iat` and `exp` (seconds).
pub fn mint(store: &mut Store, key: &SigningKey, session_id: &str, mint: &Mint) -> Result<(String, i64, i64), ApiError> {
    let loaded = load(store, session_id, mint.organization)?;
    if loaded.user.as_ref().is_some_and(|u| u["banned"] == true) {
        return Err(ApiError::signed_out());
    }
    let now = store.now_ms() / 1000;
    let mut claims = session_token::session_claims(store, &loaded, mint.issuer, now, mint.lifetime);
    if let Some(origin) = mint.origin.filter(|o| !o.is_empty()) {
        claims["azp"] = json!(origin);
    }
    let jti = store.new_hex_id("jti");
    claims["jti"] = json!(jti.trim_start_matches("jti_"));
    let jwt = key.sign_with_header(&json!({"cat": SESSION_CATEGORY, "oiat": now}), &claims)?;
    Ok((jwt, now, now + mint.lifetime))
}

/// The session's `last_active_token`: the cached one while it has more than
/// 10 s left, was minted for the session's current organization and is not
/// older than `not_before` (the client's `updated_at`, seconds); else a
/// fresh one, cached in the session's internal `_last_active_token`.
pub fn last_active_token(store: &mut Store, key: &SigningKey, session_id: &str, mint_for: &Mint, not_before: i64) -> Result<Value, ApiError> {
    let session = store.get(SESSIONS, session_id).cloned().unwrap_or(Value::Null);
    let org = session["last_active_organization_id"].clone();
    let cached = &session["_last_active_token"];
    let now = store.last_time_ms / 1000;
    let fresh = cached["exp"].as_i64().is_some_and(|exp| exp > now + 10)
        && cached["iat"].as_i64().is_some_and(|iat| iat >= not_before)
        && cached["org"] == org;
    if fresh {
        return Ok(json!({"object": "token", "jwt": cached["jwt"]}));
    }
    let (jwt, iat, exp) = mint(store, key, session_id, mint_for)?;
    if let Some(s) = store.get_mut(SESSIONS, session_id) {
        s["_last_active_token"] = json!({"jwt": jwt, "iat": iat, "exp": exp, "org": org});
    }
    Ok(json!({"object": "token", "jwt": jwt}))
}
