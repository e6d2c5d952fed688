//! One Frontend API request in progress: the instance's signing key, its
//! store (locked for the whole request, so a flow is atomic), the browser's
//! client, and the answer helpers every handler ends with.
//!
//! Which client a request belongs to, in order (FAPI.md §1.3): the
//! `__clerk_db_jwt` query parameter (dev-browser mode; a token the mock never
//! issued joins the cookie's client, else a new client), the mock's own `__client` cookie (cookie mode),
//! a `__clerk_db_jwt` cookie (same-origin proxies forward the app's cookies),
//! else a new client whose cookie the answer sets. Never a 401.
//!
//! ```text
//! GET /v1/client                          → Set-Cookie: __client=…; Path=/; HttpOnly; SameSite=Lax
//! GET /v1/client  (Cookie: __client=…)    → the same client
//! GET /v1/client?__clerk_db_jwt=dvb_…     → the client of that dev browser
//! ```

use std::sync::Arc;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::token::Mint;
use super::{view, FrontendAnswer, FrontendCall};
use crate::error::ApiError;
use crate::resources::client_keys;
use crate::resources::collections::{CLIENT, CLIENTS, SESSIONS};
use crate::state::{Store, StoreGuard};
use crate::tokens::keys::{self, SigningKey};

/// The mock's client cookie on the Frontend API origin.
pub const CLIENT_COOKIE: &str = "__client";
/// The dev browser, as query parameter and app cookie.
pub const DEV_BROWSER: &str = "__clerk_db_jwt";

pub struct Flow<'a> {
    pub call: &'a FrontendCall<'a>,
    pub key: Arc<SigningKey>,
    pub store: StoreGuard<'a>,
    pub client_id: String,
    /// `Set-Cookie` values the answer carries.
    pub cookies: Vec<String>,
}

/// The value of a cookie the request sends (first match).
pub fn cookie<'c>(call: &'c FrontendCall, name: &str) -> Option<&'c str> {
    let header = call.header("cookie")?;
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v.trim()).filter(|v| !v.is_empty())
    })
}

/// A dev browser cookie, plain or suffixed (`__clerk_db_jwt_<suffix>`).
fn dev_browser_cookie<'c>(call: &'c FrontendCall) -> Option<&'c str> {
    let header = call.header("cookie")?;
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == DEV_BROWSER || k.starts_with("__clerk_db_jwt_")).then_some(v.trim()).filter(|v| !v.is_empty())
    })
}

/// An opaque random token (`prefix_` + 32 hex): cookie and dev browser values.
pub fn random_token(store: &mut Store, prefix: &str) -> String {
    let id = store.new_hex_id(prefix);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let digest = Sha256::digest(format!("{id}:{nanos}:{:p}", &id).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// A new browser client; `dev_browser` binds it to that token.
pub fn new_client(store: &mut Store, dev_browser: Option<&str>) -> (String, String) {
    let client = store.create(&CLIENT, |store, _, now| {
        json!({
            "last_active_session_id": null, "sign_in_id": null, "sign_up_id": null,
            "last_authentication_strategy": null, "created_at": now, "updated_at": now,
            "_cookie": random_token(store, "cli"), "_dev_browser": dev_browser,
        })
    });
    client_keys::insert(store, &client);
    let field = |name: &str| client[name].as_str().unwrap_or("").to_string();
    (field("id"), field("_cookie"))
}

/// The `Set-Cookie` of the client cookie.
pub fn client_cookie(value: &str) -> String {
    format!("{CLIENT_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000")
}


/// The request's client (see the module doc) and the cookies to set for it.
pub fn identify(call: &FrontendCall, store: &mut Store) -> (String, Vec<String>) {
    if let Some(token) = call.raw_query_value(DEV_BROWSER).filter(|t| !t.is_empty()) {
        if let Some(id) = client_keys::find(store, client_keys::DEV_BROWSER, token) {
            return (id, Vec::new());
        }
        // A dev browser this mock never issued (a restart, another run) joins
        // the browser's cookie client rather than signing it out.
        if let Some(id) = cookie(call, CLIENT_COOKIE).and_then(|c| client_keys::find(store, client_keys::COOKIE, c)) {
            client_keys::set_dev_browser(store, &id, token);
            return (id, Vec::new());
        }
        let (id, cookie) = new_client(store, Some(token));
        return (id, vec![client_cookie(&cookie)]);
    }
    if let Some(id) = cookie(call, CLIENT_COOKIE).and_then(|c| client_keys::find(store, client_keys::COOKIE, c)) {
        return (id, Vec::new());
    }
    if let Some(id) = dev_browser_cookie(call).and_then(|t| client_keys::find(store, client_keys::DEV_BROWSER, t)) {
        return (id, Vec::new());
    }
    let (id, cookie) = new_client(store, None);
    (id, vec![client_cookie(&cookie)])
}

/// Fits a body to the response schema the operation declares for `status`
/// in the request's spec version (declared properties, required ones filled).
pub fn conform(call: &FrontendCall, status: u16, body: Value) -> Value {
    let Some(schema) = call.op.response_for(status).and_then(|r| r.schema.as_ref()) else { return body };
    let shape = call.spec.shape(schema, call.services.seed);
    let mut out = Vec::new();
    shape.write(&body, &mut out);
    serde_json::from_slice(&out).unwrap_or(body)
}

/// Clerk's `resource_not_found` for `what`, as a 404 where the operation
/// declares one, else as the 400 it declares (`prepare_verification` and
/// `attempt_verification` of an unknown sign-up declare no 404).
pub fn not_found(call: &FrontendCall, what: &str) -> ApiError {
    let error = ApiError::not_found(what);
    if call.op.response_for(404).is_some() {
        return error;
    }
    ApiError { status: 400, ..error }
}

impl<'a> Flow<'a> {
    /// Starts a request: key first (never under the store lock), then the
    /// store, then the client.
    pub fn begin(call: &'a FrontendCall<'a>) -> Result<Flow<'a>, ApiError> {
        let key = keys::for_instance(call.services.tokens, &call.instance)?;
        let mut store = call.instance.store.lock();
        let (client_id, cookies) = identify(call, &mut store);
        Ok(Flow { call, key, store, client_id, cookies })
    }

    /// How tokens of this request are minted.
    pub fn mint(&self) -> Mint<'a> {
        Mint {
            issuer: &self.call.services.tokens.issuer,
            origin: self.call.header("origin"),
            lifetime: self.call.services.flows.frontend_token_lifetime.max(1),
            organization: None,
        }
    }

    pub fn client(&self) -> Value {
        self.store.get(CLIENTS, &self.client_id).cloned().unwrap_or(Value::Null)
    }

    /// Changes the stored client and stamps its `updated_at` (what `__client_uat` follows).
    pub fn update_client(&mut self, change: impl FnOnce(&mut Value)) {
        let now = self.store.now_ms();
        let id = self.client_id.clone();
        if let Some(client) = self.store.get_mut(CLIENTS, &id) {
            change(client);
            client["updated_at"] = json!(now);
        }
    }

    /// The session a `/me` or session call acts for: `_clerk_session_id` if
    /// it is a live session of this client, else the client's last active one.
    pub fn acting_session(&self) -> Option<String> {
        let live = |id: &str| {
            self.store.get(SESSIONS, id).is_some_and(|s| s["client_id"] == self.client_id.as_str() && view::is_live(s))
        };
        if let Some(id) = self.call.raw_query_value("_clerk_session_id").filter(|id| !id.is_empty()) {
            return live(id).then(|| id.to_string());
        }
        let client = self.client();
        client["last_active_session_id"].as_str().filter(|id| live(id)).map(String::from)
    }

    /// The full client as answered.
    pub fn client_view(&mut self) -> Result<Value, ApiError> {
        let mint = self.mint();
        let id = self.client_id.clone();
        view::client(&mut self.store, &self.key, &id, &mint)
    }

    fn answer(self, status: u16, body: Value) -> FrontendAnswer {
        let body = conform(self.call, status, body);
        let headers = self.cookies.into_iter().map(|c| ("set-cookie".to_string(), c)).collect();
        FrontendAnswer { status, body: Some(body), headers }
    }

    /// `{response, client}` with the full client piggybacked.
    pub fn wrapped(mut self, response: Value) -> Result<FrontendAnswer, ApiError> {
        let client = self.client_view()?;
        Ok(self.answer(200, json!({"response": response, "client": client})))
    }

    /// `{response, client: null}` (GETs of lists that do not carry the client).
    pub fn wrapped_alone(self, response: Value) -> Result<FrontendAnswer, ApiError> {
        Ok(self.answer(200, json!({"response": response, "client": null})))
    }

    /// `{response: client, client: null}`: `GET /v1/client`, sign-out of all.
    pub fn client_alone(mut self) -> Result<FrontendAnswer, ApiError> {
        let client = self.client_view()?;
        Ok(self.answer(200, json!({"response": client, "client": null})))
    }

    /// `{response: client, client}` for a client just made (`PUT /v1/client`).
    pub fn wrapped_alone_client(mut self) -> Result<FrontendAnswer, ApiError> {
        let client = self.client_view()?;
        Ok(self.answer(200, json!({"response": client.clone(), "client": client})))
    }

    /// A bare body sent exactly as given: tokens keep `object: "token"`,
    /// which the spec's `{jwt}` schema allows but does not declare.
    pub fn exact(self, body: Value) -> Result<FrontendAnswer, ApiError> {
        let headers = self.cookies.into_iter().map(|c| ("set-cookie".to_string(), c)).collect();
        Ok(FrontendAnswer { status: 200, body: Some(body), headers })
    }

    /// A bare body (environment, dev browser, tokens).
    pub fn bare(self, body: Value) -> Result<FrontendAnswer, ApiError> {
        Ok(self.answer(200, body))
    }
}
