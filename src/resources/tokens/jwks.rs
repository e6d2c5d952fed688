//! `GET /v1/jwks`: the instance's public signing key, so SDKs verify the
//! session tokens the mock mints (`verifyToken` with a secret key fetches it
//! and picks the key by the token's `kid`).
//!
//! ```text
//! {"keys":[{"use":"sig","kty":"RSA","kid":"ins_…","alg":"RS256","n":"…","e":"AQAB"}]}
//! ```

use serde_json::json;

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;

pub fn register(registry: &mut Registry) {
    registry.add("GetJWKS", "tokens", get_jwks);
}

/// Sent as is: the renderer would fill the schema's optional certificate
/// fields (`x5c`, `x5t`, `x5u`) with made-up values, and the mock has no
/// certificate to describe.
fn get_jwks(ctx: &Ctx) -> Result<Reply, ApiError> {
    let key = crate::tokens::keys::for_instance(ctx.services.tokens, &ctx.instance)?;
    let body = json!({ "keys": [key.jwk.clone()] });
    Ok(Reply::Raw { status: 200, content_type: "application/json".into(), body: body.to_string() })
}
