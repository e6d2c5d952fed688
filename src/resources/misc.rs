//! Miscellaneous: the public interstitial page.

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;

pub fn register(registry: &mut Registry) {
    registry.add("GetPublicInterstitial", "misc", interstitial);
}

/// Clerk serves an HTML page that loads clerk.js; the mock serves a minimal one.
fn interstitial(_ctx: &Ctx) -> Result<Reply, ApiError> {
    Ok(Reply::Raw {
        status: 200,
        content_type: "text/html".into(),
        body: "<!DOCTYPE html><html><head><title>Clerk interstitial (clerk-mock)</title></head><body></body></html>".into(),
    })
}
