//! The Frontend API's semantics (what clerk-js talks to): clients, sign-ins,
//! sign-ups, sessions seen from the browser, the dev browser, the handshake
//! and the outbox of emails and SMS Clerk would send.
//!
//! This module is the contract between the Frontend API *surface* (the
//! pipeline's second surface: FAPI specs, its own listener, `_method`
//! tunnelling, form decoding, CORS, journal, scenarios) and the stateful
//! handlers. The surface resolves the instance, routes and validates the
//! request against the FAPI spec, then calls the handler registered for the
//! operationId in [`handlers`]; an operation without one is synthesized from
//! its schema by the surface.
//!
//! A handler owns everything Clerk-specific about the answer: which client
//! the request belongs to (dev browser, `__client` cookie or a new one), the
//! `{response, client}` envelope or a bare body, and any `Set-Cookie`.
//!
//! The flows, one module each, over the shared vocabulary of [`attempts`]: [`client`] (clients, dev browser), [`flow`]
//! (identity and answers), [`environment`], [`sign_up`], [`sign_in`],
//! [`sessions`], [`me`] (organizations), [`handshake`] (also
//! [`handshake::handshake_payload`] for BAPI's `GET /v1/clients/handshake_payload`),
//! `resources/outbox` (emails and SMS), [`token`] (browser session tokens), [`view`].
//!
//! ```
//! use clerk_mock::resources::frontend::{handlers, FrontendAnswer};
//! let answer = FrontendAnswer::json(200, serde_json::json!({"object": "client"}));
//! assert_eq!(answer.status, 200);
//! assert!(handlers().iter().all(|(id, _)| !id.is_empty()));
//! ```

pub mod attempts;
pub mod client;
pub mod environment;
pub mod flow;
pub mod handshake;
pub mod me;
pub mod sessions;
pub mod sign_in;
pub mod sign_up;
pub mod token;
pub mod view;

/// BAPI `GET /v1/clients/handshake_payload?nonce=…` (served by the surface): see [`handshake`].
pub use handshake::handshake_payload;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::handler::Services;
use crate::openapi::{Operation, Spec};
use crate::state::Instance;

/// One validated Frontend API request, as the surface hands it over.
pub struct FrontendCall<'a> {
    /// The server's settings a flow reads (seed, tokens, flows).
    pub services: Services<'a>,
    /// The FAPI spec version the request was routed against.
    pub spec: &'a Arc<Spec>,
    pub op: &'a Operation,
    /// The instance (secret key) this request belongs to, resolved by the surface.
    pub instance: Arc<Instance>,
    /// The method after `?_method=` tunnelling (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`).
    pub method: &'a str,
    /// Path parameters by name.
    pub path: Map<String, Value>,
    /// Declared query parameters, typed.
    pub query: Map<String, Value>,
    /// Every query pair as sent (`__clerk_db_jwt`, `_clerk_session_id`, `redirect_url`, …).
    pub raw_query: Vec<(String, String)>,
    /// The form (or JSON) body decoded to a JSON object (`{}` when empty);
    /// JSON-in-form values are already parsed where the schema wants an object.
    pub body: Value,
    /// Request headers, names lower-case (`cookie`, `origin`, `host`, `clerk-proxy-url`, …).
    pub headers: &'a [(String, String)],
    /// The URL the browser reaches this Frontend API at (`http://localhost:PORT`,
    /// or the `Clerk-Proxy-Url` a backend proxy forwards), without a trailing slash.
    pub frontend_url: String,
}

impl FrontendCall<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A raw query value (first occurrence), declared or not.
    pub fn raw_query_value(&self, name: &str) -> Option<&str> {
        self.raw_query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// What a handler answers: status, the JSON body exactly as it goes on the
/// wire (already enveloped or bare), and extra headers (`Set-Cookie`,
/// `Location`, `Clerk-Db-Jwt`, …). The surface adds CORS headers.
#[derive(Debug)]
pub struct FrontendAnswer {
    pub status: u16,
    /// `None`: no body (204, or a redirect).
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl FrontendAnswer {
    pub fn json(status: u16, body: Value) -> FrontendAnswer {
        FrontendAnswer { status, body: Some(body), headers: Vec::new() }
    }
}

pub type FrontendHandler = fn(&FrontendCall) -> Result<FrontendAnswer, ApiError>;

/// Every stateful FAPI operation: operationId → handler. Filled by the
/// flow modules of this folder; COVERAGE.md lists what is here as stateful.
pub fn handlers() -> &'static [(&'static str, FrontendHandler)] {
    &[
        ("createDevBrowser", client::dev_browser),
        ("getEnvironment", environment::get),
        ("updateEnvironment", environment::get),
        ("getClient", client::get),
        ("putClient", client::create),
        ("postClient", client::create),
        ("deleteClientSessions", client::delete),
        ("createSignIn", sign_in::create),
        ("getSignIn", sign_in::get),
        ("prepareSignInFactorOne", sign_in::prepare_first_factor),
        ("attemptSignInFactorOne", sign_in::attempt_first_factor),
        ("createSignUps", sign_up::create),
        ("getSignUps", sign_up::get),
        ("updateSignUps", sign_up::update),
        ("prepareSignUpsVerification", sign_up::prepare_verification),
        ("attemptSignUpsVerification", sign_up::attempt_verification),
        ("getSession", sessions::get),
        ("touchSession", sessions::touch),
        ("createSessionToken", sessions::create_token),
        ("createSessionTokenWithTemplate", sessions::create_template_token),
        ("endSession", sessions::end),
        ("removeSession", sessions::remove),
        ("removeClientSessionsAndRetainCookie", sessions::remove_all),
        ("getOrganizationMemberships", me::memberships),
        ("getUsersOrganizationInvitations", me::invitations),
        ("getOrganizationSuggestions", me::suggestions),
        ("acceptOrganizationInvitation", me::accept_invitation),
        ("createOrganization", me::create_organization),
        ("handshakeClient", handshake::handshake),
    ]
}

#[cfg(test)]
mod tests;
