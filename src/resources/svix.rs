//! BAPI's Svix operations over the mock's own endpoints, and the store
//! document they act on.
//!
//! Clerk gives each instance one Svix application whose endpoints receive
//! its webhooks. In the mock that application is the instance's endpoint
//! list ([`ENDPOINTS_KEY`] in its store), which this module owns: the
//! webhooks (`src/webhooks/`, a floor above the resources) read it to pick
//! receivers, the admin API and fixtures add to it through them.
//!
//! ```text
//! POST   /webhooks/svix      CreateSvixApp        the app exists; {svix_url}
//! POST   /webhooks/svix_url  GenerateSvixAuthURL  {svix_url} (creates the app if needed)
//! DELETE /webhooks/svix      DeleteSvixApp        the app and every endpoint of the instance go (204)
//! ```
//!
//! `svix_url` points at the mock's admin listing of the endpoints
//! (`/__admin/webhooks`), where Clerk's points at Svix's portal.

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::state::Store;

/// Marks that the instance's Svix app exists.
const APP_KEY: &str = "svix_app";
/// The instance's webhook endpoints: a settings document holding an array
/// of `{id, url, secret, event_types, created_at}`.
pub const ENDPOINTS_KEY: &str = "webhook_endpoints";

pub fn register(registry: &mut Registry) {
    registry.add("CreateSvixApp", "webhooks", create_app);
    registry.add("GenerateSvixAuthURL", "webhooks", auth_url);
    registry.add("DeleteSvixApp", "webhooks", delete_app);
}

fn svix_url(ctx: &Ctx) -> String {
    format!("{}/__admin/webhooks", ctx.services.public_url())
}

fn ensure_app(store: &mut Store) {
    if store.singleton(APP_KEY).is_none() {
        let now = store.now_ms();
        store.set_singleton(APP_KEY, json!({"created_at": now}));
        store.singleton_mut(ENDPOINTS_KEY, || Value::Array(vec![]));
    }
}

fn create_app(ctx: &Ctx) -> Result<Reply, ApiError> {
    ensure_app(&mut ctx.instance.store.lock());
    Ok(Reply::Object(json!({"svix_url": svix_url(ctx)})))
}

fn auth_url(ctx: &Ctx) -> Result<Reply, ApiError> {
    ensure_app(&mut ctx.instance.store.lock());
    Ok(Reply::Object(json!({"svix_url": svix_url(ctx)})))
}

/// Adds an endpoint, in its stored form, to an instance's list.
pub fn add_stored_endpoint(store: &mut Store, stored: Value) {
    let list = store.singleton_mut(ENDPOINTS_KEY, || json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    if let Some(a) = list.as_array_mut() {
        a.push(stored);
    }
}

/// Removes endpoints of an instance (`None`: all); how many went.
pub fn remove_instance_endpoints(store: &mut Store, id: Option<&str>) -> usize {
    if store.singleton(ENDPOINTS_KEY).is_none() {
        return 0;
    }
    let Some(list) = store.singleton_mut(ENDPOINTS_KEY, || json!([])).as_array_mut() else { return 0 };
    let before = list.len();
    list.retain(|e| id.is_some_and(|id| e["id"] != id));
    before - list.len()
}

fn delete_app(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    store.remove_singleton(APP_KEY);
    remove_instance_endpoints(&mut store, None);
    Ok(Reply::Empty(204))
}
