//! The handshake (FAPI.md §4): `GET /v1/client/handshake`, where the app's
//! middleware (`authenticateRequest` on a development key) sends a document
//! request whose cookies it cannot trust, and BAPI's
//! `GET /v1/clients/handshake_payload?nonce=…` ([`handshake_payload`]), where
//! it fetches the cookies to set.
//!
//! The handshake finds the browser's client (`__clerk_db_jwt` parameter, else
//! the `__client` cookie, else a new one), mints a fresh session token when a
//! session is live, and builds `Set-Cookie` directives for the app:
//! `__session`, `__client_uat` (seconds of the client's `updated_at`, never
//! newer than the token's `iat`) and `__clerk_db_jwt` — again with the
//! `_<suffix>` names when `suffixed_cookies=true`, for both spellings of the
//! publishable key (with and without base64 padding, §3.2). With
//! `format=nonce` the directives wait under a one-time nonce (5 minutes) and
//! the answer is a 307 to `redirect_url` with `__clerk_handshake_nonce` and
//! `__clerk_db_jwt`; any other format puts them in an RS256
//! `__clerk_handshake` JWT (`{"handshake": [...]}`).
//!
//! ```
//! use clerk_mock::resources::frontend::handshake::cookie_suffix;
//! assert_eq!(cookie_suffix("pk_test_Y2xlcmsubW9jay5sb2NhbGhvc3Qk"), "jMzOMYMr");
//! ```

use base64::Engine;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

use super::client::ensure_dev_browser;
use super::flow::{Flow, DEV_BROWSER};
use super::token::{self, Mint};
use super::{view, FrontendAnswer, FrontendCall};
use crate::error::ApiError;
use crate::resources::organizations;
use crate::resources::collections::SESSIONS;
use crate::state::Instance;

/// One-time handshake payloads by nonce.
pub const NONCES: crate::state::CollectionKey = crate::state::CollectionKey::new("handshake_payloads");
const NONCE_TTL_MS: i64 = 5 * 60 * 1000;
const YEAR: i64 = 365 * 24 * 3600;

/// `getCookieSuffix` of `@clerk/shared`: SHA-1 of the exact key string,
/// URL-safe base64, first 8 characters.
pub fn cookie_suffix(publishable_key: &str) -> String {
    let digest = Sha1::digest(publishable_key.as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(digest).replace('+', "-").replace('/', "_");
    b64.chars().take(8).collect()
}

/// The suffixes of both spellings of the key (padded as printed, unpadded as Clerk builds it).
fn suffixes(publishable_key: &str) -> Vec<String> {
    let mut out = vec![cookie_suffix(publishable_key)];
    let unpadded = cookie_suffix(publishable_key.trim_end_matches('='));
    if !out.contains(&unpadded) {
        out.push(unpadded);
    }
    out
}

/// Host (without port) of an absolute http(s) URL.
fn url_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') { host.split(']').next().map(|h| format!("{h}]")).unwrap_or_default() } else { host.split(':').next().unwrap_or("").to_string() };
    (!host.is_empty()).then_some(host)
}

/// `url` with `pairs` appended to its query (before any fragment).
pub fn with_params(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let encoded: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let joiner = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{joiner}{encoded}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The live session the handshake refreshes: the one named by the `__session`
/// token's `sid` when it is this client's, else the client's last active one.
fn session_to_refresh(flow: &Flow) -> Option<String> {
    let live_here = |id: &str| flow.store.get(SESSIONS, id).is_some_and(|s| s["client_id"] == flow.client_id.as_str() && view::is_live(s));
    let from_token = flow
        .call
        .raw_query_value("__session")
        .and_then(|t| flow.key.verify(t, false).ok())
        .and_then(|claims| claims["sid"].as_str().map(String::from))
        .filter(|sid| live_here(sid));
    from_token.or_else(|| flow.acting_session())
}

/// `organization_id`: empty = personal account, an organization the user is in, else ignored.
fn organization<'c>(flow: &Flow, call: &'c FrontendCall, session_id: &str) -> Option<&'c str> {
    let wanted = call.raw_query_value("organization_id")?;
    let user = flow.store.get(SESSIONS, session_id).and_then(|s| s["user_id"].as_str()).unwrap_or("");
    (wanted.is_empty() || organizations::membership_of(&flow.store, wanted, user).is_some()).then_some(wanted)
}

/// The `Set-Cookie` directives for the app at `app_host`.
fn directives(flow: &mut Flow, app_host: &str, dev_browser: &str) -> Result<Vec<String>, ApiError> {
    let session = session_to_refresh(flow);
    let (session_cookie, uat) = match &session {
        Some(id) => {
            let mint = Mint { organization: organization(flow, flow.call, id), ..flow.mint() };
            let key = flow.key.clone();
            let (jwt, _, _) = token::mint(&mut flow.store, &key, id, &mint)?;
            let uat = flow.client()["updated_at"].as_i64().unwrap_or(0) / 1000;
            (format!("{jwt}; Path=/; SameSite=Lax"), uat.to_string())
        }
        None => ("; Path=/; SameSite=Lax; Max-Age=0".to_string(), "0".to_string()),
    };
    let uat_cookie = format!("{uat}; Path=/; Domain={app_host}; SameSite=Lax; Max-Age={YEAR}");
    let db_cookie = format!("{dev_browser}; Path=/; SameSite=Lax; Max-Age={YEAR}");
    let mut names = vec![String::new()];
    if flow.call.raw_query_value("suffixed_cookies") == Some("true") {
        names.extend(suffixes(&flow.call.services.tokens.publishable_key).into_iter().map(|s| format!("_{s}")));
    }
    let mut out = Vec::new();
    for suffix in &names {
        out.push(format!("__session{suffix}={session_cookie}"));
        out.push(format!("__client_uat{suffix}={uat_cookie}"));
        out.push(format!("{DEV_BROWSER}{suffix}={db_cookie}"));
    }
    Ok(out)
}

/// `GET /v1/client/handshake`.
pub fn handshake(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let redirect = call.raw_query_value("redirect_url").filter(|u| !u.is_empty()).ok_or_else(|| ApiError::param_missing("redirect_url"))?;
    let app_host = url_host(redirect)
        .ok_or_else(|| ApiError::param_invalid("redirect_url", format!("{redirect} is not an absolute http(s) URL.")))?;
    let mut flow = Flow::begin(call)?;
    let dev_browser = ensure_dev_browser(&mut flow);
    let directives = directives(&mut flow, &app_host, &dev_browser)?;
    let location = if call.raw_query_value("format") == Some("nonce") {
        let nonce = super::flow::random_token(&mut flow.store, "hsn");
        let now = flow.store.now_ms();
        flow.store.remove_where(NONCES, |n| n["expires_at"].as_i64().is_some_and(|at| at < now));
        flow.store.insert(NONCES, &nonce, json!({"id": nonce, "directives": directives, "expires_at": now + NONCE_TTL_MS}));
        with_params(redirect, &[("__clerk_handshake_nonce", &nonce), (DEV_BROWSER, &dev_browser)])
    } else {
        let jwt = flow.key.sign(&json!({"handshake": directives}))?;
        with_params(redirect, &[("__clerk_handshake", &jwt), (DEV_BROWSER, &dev_browser)])
    };
    let mut headers: Vec<(String, String)> = flow.cookies.drain(..).map(|c| ("set-cookie".to_string(), c)).collect();
    headers.push(("location".into(), location));
    headers.push(("cache-control".into(), "no-store".into()));
    Ok(FrontendAnswer { status: 307, body: None, headers })
}

/// BAPI `GET /v1/clients/handshake_payload?nonce=…` (a route no spec
/// declares; the surface serves it): the directives stored under `nonce`,
/// once. Unknown, used or expired → 404.
///
/// Example answer: `{"directives": ["__session=eyJ…; Path=/; SameSite=Lax", "__client_uat=1767225600; …"]}`.
pub fn handshake_payload(instance: &Instance, nonce: &str) -> Result<Value, ApiError> {
    let mut store = instance.store.lock();
    let now = store.now_ms();
    let found = store.remove(NONCES, nonce).ok_or_else(ApiError::handshake_nonce_invalid)?;
    if found["expires_at"].as_i64().is_some_and(|at| at < now) {
        return Err(ApiError::handshake_nonce_invalid());
    }
    Ok(json!({"directives": found["directives"]}))
}
