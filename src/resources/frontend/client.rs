//! The browser's client (FAPI.md §2.3 #2, #4, #5): `GET /v1/client`
//! (`{response: client, client: null}`, created on first sight), `PUT` /
//! `POST /v1/client` (a fresh client and cookie), `DELETE /v1/client` (signed
//! out, the client forgotten, its cookie cleared) and `POST /v1/dev_browser`
//! (a new client bound to the returned token, bare `{id, token}`).
//!
//! Clients live in the Backend API's `clients` collection, so
//! `GET /v1/clients/{id}` and the (deprecated) client list show them.
//!
//! ```text
//! POST /v1/dev_browser                       → {"id":"dvb_…","token":"dvb_…"}
//! GET  /v1/client?__clerk_db_jwt=dvb_…        → {"response":{"object":"client","id":"client_…",…},"client":null}
//! ```

use serde_json::json;

use super::flow::{self, Flow};
use super::{sessions, FrontendAnswer, FrontendCall};
use crate::error::ApiError;

pub fn get(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    Flow::begin(call)?.client_alone()
}

/// `PUT` / `POST /v1/client`: clerk-js's `Client.create`.
pub fn create(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let (id, cookie) = flow::new_client(&mut flow.store, None);
    flow.client_id = id;
    flow.cookies = vec![flow::client_cookie(&cookie)];
    flow.wrapped_alone_client()
}

/// `DELETE /v1/client`: every session ended, the client removed.
pub fn delete(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    sessions::end_all(&mut flow);
    let view = flow.client_view()?;
    let id = flow.client_id.clone();
    crate::resources::client_keys::remove(&mut flow.store, &id);
    flow.cookies = vec![format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0", flow::CLIENT_COOKIE)];
    flow.bare(json!({"response": view, "client": null}))
}

/// `POST /v1/dev_browser`: a dev browser token for a new client. Sent without
/// credentials by clerk-js, so it never reuses a cookie's client.
pub fn dev_browser(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut store = call.instance.store.lock();
    let token = flow::random_token(&mut store, "dvb");
    flow::new_client(&mut store, Some(&token));
    let body = flow::conform(call, 200, json!({"id": token, "token": token}));
    let mut answer = FrontendAnswer::json(200, body);
    answer.headers.push(("clerk-db-jwt".into(), token));
    Ok(answer)
}

/// The dev browser token of a client, made when it has none (the handshake
/// sets it as the app's `__clerk_db_jwt` cookie).
pub fn ensure_dev_browser(flow: &mut Flow) -> String {
    if let Some(token) = flow.client()["_dev_browser"].as_str() {
        return token.to_string();
    }
    let token = flow::random_token(&mut flow.store, "dvb");
    let id = flow.client_id.clone();
    crate::resources::client_keys::set_dev_browser(&mut flow.store, &id, &token);
    token
}
