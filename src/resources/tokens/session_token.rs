//! Session tokens (`POST /sessions/{id}/tokens`) and template tokens
//! (`POST /sessions/{id}/tokens/{template_name}`): RS256 JWTs signed with the
//! instance's key, for active sessions only.
//!
//! A session token carries Clerk's v2 claims and no `aud` (the Python SDK
//! rejects tokens with an audience it was not given):
//!
//! ```text
//! {"sub":"user_…","sid":"sess_…","iss":"https://clerk.mock.localhost","iat":…,"nbf":iat-10,
//!  "exp":iat+60,"v":2,"fva":[minutes since sign-in,-1],
//!  "o":{"id":"org_…","slg":"acme","rol":"admin","per":"read,manage","fpm":"3"},"fea":"o:reports"}
//! ```
//!
//! `o` is there when the session has an active organization the user belongs
//! to; `per`/`fpm`/`fea` list its custom permissions (Clerk leaves the
//! `org:sys_*` system permissions out of tokens) as the SDKs decode them:
//! feature `f` gets a bitmask over `per` in `fpm` (`tokens::claims`).

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::resources::organizations;
use crate::state::Store;
use crate::tokens::claims::encode_permissions;
use crate::tokens::keys::{self, SigningKey};
use crate::tokens::{now_secs, templates};
use crate::resources::collections::{ORGS, SESSIONS, USERS};

/// Clerk's session token lifetime.
pub const SESSION_TOKEN_LIFETIME: i64 = 60;
/// `nbf` sits this many seconds before `iat`, as in Clerk's tokens.
const NOT_BEFORE_SKEW: i64 = 10;

/// A session with what its tokens talk about.
pub struct Loaded {
    pub session: Value,
    pub user: Option<Value>,
    pub org: Option<Value>,
    pub membership: Option<Value>,
}

/// The session, if it exists and is active (or pending): only those get tokens.
pub fn load_active(store: &Store, session_id: &str) -> Result<Loaded, ApiError> {
    let Some(session) = store.get(SESSIONS, session_id).cloned() else {
        return Err(ApiError::not_found("session"));
    };
    let status = session.get("status").and_then(Value::as_str).unwrap_or("");
    if status != "active" && status != "pending" {
        return Err(ApiError::not_found_because(format!("Session {session_id} is {status}: only active sessions get tokens."))
        .with_meta(json!({"session_id": session_id, "status": status})));
    }
    let user_id = session.get("user_id").and_then(Value::as_str).unwrap_or("");
    let user = store.get(USERS, user_id).cloned();
    let org_id = session.get("last_active_organization_id").and_then(Value::as_str).unwrap_or("");
    let membership = organizations::membership_of(store, org_id, user_id).cloned();
    let org = membership.as_ref().and_then(|_| store.get(ORGS, org_id).cloned());
    Ok(Loaded { session, user, org, membership })
}

/// The v2 claims of a session token issued at `now` (unix seconds).
pub fn session_claims(store: &Store, loaded: &Loaded, issuer: &str, now: i64, lifetime: i64) -> Value {
    let s = &loaded.session;
    let signed_in_ms = s.get("created_at").and_then(Value::as_i64).unwrap_or(now * 1000);
    let minutes = ((now * 1000 - signed_in_ms) / 60_000).max(0);
    let mut claims = json!({
        "sub": s.get("user_id").cloned().unwrap_or(Value::Null),
        "sid": s.get("id").cloned().unwrap_or(Value::Null),
        "iss": issuer,
        "iat": now,
        "nbf": now - NOT_BEFORE_SKEW,
        "exp": now + lifetime,
        "v": 2,
        "fva": [minutes, -1],
    });
    if s.get("status").and_then(Value::as_str) == Some("pending") {
        claims["sts"] = json!("pending");
    }
    if let Some(actor) = s.get("actor").filter(|a| a.is_object()) {
        claims["act"] = actor.clone();
    }
    if let (Some(org), Some(membership)) = (&loaded.org, &loaded.membership) {
        let role = membership.get("role").and_then(Value::as_str).unwrap_or("");
        let mut o = Map::new();
        o.insert("id".into(), org.get("id").cloned().unwrap_or(Value::Null));
        o.insert("slg".into(), org.get("slug").cloned().unwrap_or(Value::Null));
        o.insert("rol".into(), json!(role.strip_prefix("org:").unwrap_or(role)));
        let permissions: Vec<String> = organizations::roles_permissions::permissions_for(store, role)
            .into_iter()
            .filter(|p| !p.starts_with("org:sys_"))
            .collect();
        if let Some((fea, per, fpm)) = encode_permissions(&permissions) {
            o.insert("per".into(), json!(per));
            o.insert("fpm".into(), json!(fpm));
            claims["fea"] = json!(fea);
        }
        claims["o"] = Value::Object(o);
    }
    claims
}

/// Mints a session token for an active session of the request's instance.
pub fn mint(ctx: &Ctx, session_id: &str, expires_in: Option<i64>) -> Result<String, ApiError> {
    let key = keys::for_instance(ctx.services.tokens, &ctx.instance)?;
    let claims = {
        let store = ctx.instance.store.lock();
        let loaded = load_active(&store, session_id)?;
        let lifetime = expires_in.unwrap_or(SESSION_TOKEN_LIFETIME);
        session_claims(&store, &loaded, &ctx.services.tokens.issuer, now_secs(), lifetime)
    };
    key.sign(&claims)
}

/// Mints a token from the JWT template `template_name` for an active session:
/// the rendered claims plus `iss`, `sub`, `iat`, `nbf` (iat − clock skew),
/// `exp` (iat + lifetime, or `expires_in`) and `jti`, which templates cannot
/// override. Templates with a custom key are signed with it.
pub fn mint_from_template(ctx: &Ctx, session_id: &str, template_name: &str, expires_in: Option<i64>) -> Result<String, ApiError> {
    let key = keys::for_instance(ctx.services.tokens, &ctx.instance)?;
    let mut store = ctx.instance.store.lock();
    sign_template_token(&mut store, &key, &ctx.services.tokens.issuer, session_id, template_name, expires_in, &Value::Null)
}

/// [`mint_from_template`] over a store the caller holds (the Frontend API's
/// `POST /v1/client/sessions/{id}/tokens/{template}` keeps its lock for the
/// whole request). Templates with a custom key are signed with it, others
/// with `key`, with `extra_header` fields beside `alg`/`kid`/`typ` when it
/// is an object: the Frontend API's `{"cat": "cl_B7d4PD222AAA"}` (FAPI.md
/// §2.3 #17); the Backend API passes `Value::Null`.
pub fn sign_template_token(
    store: &mut Store,
    key: &SigningKey,
    issuer: &str,
    session_id: &str,
    template_name: &str,
    expires_in: Option<i64>,
    extra_header: &Value,
) -> Result<String, ApiError> {
    let (template, claims) = template_claims(store, issuer, session_id, template_name, expires_in)?;
    if template.get("custom_signing_key").and_then(Value::as_bool).unwrap_or(false) {
        templates::sign_custom(&template, &claims)
    } else if extra_header.is_null() {
        key.sign(&claims)
    } else {
        key.sign_with_header(extra_header, &claims)
    }
}

/// The template and the claims a token from it carries.
fn template_claims(store: &mut Store, issuer: &str, session_id: &str, template_name: &str, expires_in: Option<i64>) -> Result<(Value, Value), ApiError> {
    let loaded = load_active(store, session_id)?;
    let Some(template) = super::jwt_templates::by_name(store, template_name).cloned() else {
        return Err(ApiError::not_found("JWT template"));
    };
    let data = templates::Shortcodes {
        user: loaded.user.as_ref(),
        org: loaded.org.as_ref(),
        membership: loaded.membership.as_ref(),
        session: Some(&loaded.session),
    };
    let mut claims = templates::render(template.get("claims").unwrap_or(&Value::Null), &data);
    if !claims.is_object() {
        claims = json!({});
    }
    let now = now_secs();
    let lifetime = expires_in.or_else(|| template.get("lifetime").and_then(Value::as_i64)).unwrap_or(templates::DEFAULT_LIFETIME);
    let skew = template.get("allowed_clock_skew").and_then(Value::as_i64).unwrap_or(templates::DEFAULT_CLOCK_SKEW);
    let jti = store.new_hex_id("jti");
    let defaults = json!({
        "iss": issuer,
        "sub": loaded.session.get("user_id").cloned().unwrap_or(Value::Null),
        "iat": now,
        "nbf": now - skew,
        "exp": now + lifetime,
        "jti": jti.trim_start_matches("jti_"),
    });
    if let (Some(out), Some(fixed)) = (claims.as_object_mut(), defaults.as_object()) {
        for (k, v) in fixed {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok((template, claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_session_has_the_v2_claims_and_no_audience_or_org() {
        let mut store = Store::default();
        store.insert(SESSIONS, "sess_1", json!({"id": "sess_1", "user_id": "user_1", "status": "active", "created_at": 0}));
        let loaded = load_active(&store, "sess_1").unwrap();
        let claims = session_claims(&store, &loaded, "https://clerk.x.test", 1_000, 60);
        assert_eq!(claims["sub"], "user_1");
        assert_eq!(claims["sid"], "sess_1");
        assert_eq!((claims["iat"].as_i64(), claims["nbf"].as_i64(), claims["exp"].as_i64()), (Some(1000), Some(990), Some(1060)));
        assert_eq!(claims["v"], 2);
        assert!(claims.get("aud").is_none() && claims.get("o").is_none() && claims.get("azp").is_none());
    }

    #[test]
    fn revoked_and_unknown_sessions_get_no_token() {
        let mut store = Store::default();
        store.insert(SESSIONS, "sess_1", json!({"id": "sess_1", "user_id": "u", "status": "revoked"}));
        let err = load_active(&store, "sess_1").err().unwrap();
        assert_eq!(err.status, 404);
        assert!(err.errors[0].long_message.contains("revoked"));
        assert_eq!(load_active(&store, "sess_2").err().unwrap().status, 404);
    }
}
