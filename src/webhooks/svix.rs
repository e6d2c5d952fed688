//! BAPI's Svix operations over the mock's own endpoints.
//!
//! Clerk gives each instance one Svix application whose endpoints receive
//! its webhooks. In the mock that application is the instance's endpoint
//! list (`webhook_endpoints` in its store):
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
        store.singleton_mut(super::ENDPOINTS_KEY, || Value::Array(vec![]));
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

fn delete_app(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    store.remove_singleton(APP_KEY);
    super::remove_instance_endpoints(&mut store, None);
    Ok(Reply::Empty(204))
}
