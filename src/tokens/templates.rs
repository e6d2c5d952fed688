//! How a JWT template's claims render for a session, and how a template
//! with a custom key signs them. The templates themselves are a resource
//! (`resources/tokens/jwt_templates.rs`); this is the part that knows JWTs.
//!
//! Claims are JSON with shortcodes: a string that is exactly one shortcode
//! becomes the value it names (an object stays an object), a string mixing
//! text and shortcodes is interpolated, and `||` gives fallbacks:
//!
//! ```
//! use clerk_mock::tokens::templates::{render, Shortcodes};
//! use serde_json::json;
//! let user = json!({"id": "user_1", "first_name": "Ada", "last_name": "Lovelace", "public_metadata": {"plan": "pro"}});
//! let data = Shortcodes { user: Some(&user), ..Shortcodes::default() };
//! let claims = json!({
//!     "uid": "{{user.id}}",
//!     "meta": "{{user.public_metadata}}",
//!     "greeting": "Hello {{user.full_name}}",
//!     "role": "{{user.public_metadata.role || 'member'}}",
//! });
//! assert_eq!(render(&claims, &data), json!({
//!     "uid": "user_1", "meta": {"plan": "pro"}, "greeting": "Hello Ada Lovelace", "role": "member"
//! }));
//! ```

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Clerk's defaults for a template without `lifetime` / `allowed_clock_skew`.
pub const DEFAULT_LIFETIME: i64 = 60;
pub const DEFAULT_CLOCK_SKEW: i64 = 5;

/// The encoding key of a custom template key.
pub fn encoding_key(algorithm: &str, key: &str) -> Result<(Algorithm, EncodingKey), String> {
    let alg = match algorithm {
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        other => return Err(format!("The mock signs custom-key templates with HS256/384/512 or RS256/384/512, not {other:?}.")),
    };
    if algorithm.starts_with("HS") {
        return Ok((alg, EncodingKey::from_secret(key.as_bytes())));
    }
    let private = rsa::RsaPrivateKey::from_pkcs1_pem(key.trim())
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(key.trim()))
        .map_err(|e| format!("signing_key is not an RSA private key PEM: {e}"))?;
    let der = private.to_pkcs1_der().map_err(|e| format!("signing_key cannot be encoded: {e}"))?;
    Ok((alg, EncodingKey::from_rsa_der(der.as_bytes())))
}

/// Signs template claims with the template's custom key (no `kid`).
pub fn sign_custom(template: &Value, claims: &Value) -> Result<String, ApiError> {
    let algorithm = template.get("signing_algorithm").and_then(Value::as_str).unwrap_or("RS256");
    let key = template.get("_signing_key").and_then(Value::as_str).unwrap_or("");
    let (alg, encoding) = encoding_key(algorithm, key).map_err(ApiError::internal)?;
    jsonwebtoken::encode(&Header::new(alg), claims, &encoding).map_err(|e| ApiError::internal(format!("signing failed: {e}")))
}

/// What shortcodes can name: the session's user, active organization and
/// membership, and the session itself.
#[derive(Default, Clone, Copy)]
pub struct Shortcodes<'a> {
    pub user: Option<&'a Value>,
    pub org: Option<&'a Value>,
    pub membership: Option<&'a Value>,
    pub session: Option<&'a Value>,
}

/// Renders template claims (see the module docs).
pub fn render(claims: &Value, data: &Shortcodes) -> Value {
    match claims {
        Value::String(s) => render_string(s, data),
        Value::Array(items) => Value::Array(items.iter().map(|v| render(v, data)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), render(v, data))).collect::<Map<_, _>>()),
        other => other.clone(),
    }
}

fn render_string(s: &str, data: &Shortcodes) -> Value {
    let trimmed = s.trim();
    if let Some(inner) = trimmed.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
        if !inner.contains("{{") && !inner.contains("}}") {
            return evaluate(inner, data);
        }
    }
    if !s.contains("{{") {
        return Value::String(s.to_string());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        match evaluate(&after[..end], data) {
            Value::Null => {}
            Value::String(text) => out.push_str(&text),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Value::String(out)
}

/// `a || b || 'literal'`: the first alternative that is not null.
fn evaluate(expression: &str, data: &Shortcodes) -> Value {
    for alternative in expression.split("||").map(str::trim) {
        let value = literal(alternative).unwrap_or_else(|| lookup(alternative, data));
        if !value.is_null() {
            return value;
        }
    }
    Value::Null
}

fn literal(text: &str) -> Option<Value> {
    for quote in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return Some(Value::String(inner.to_string()));
        }
    }
    match text {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "null" => Some(Value::Null),
        _ => serde_json::from_str::<serde_json::Number>(text).ok().map(Value::Number),
    }
}

fn lookup(path: &str, data: &Shortcodes) -> Value {
    let mut parts = path.split('.');
    let root = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let Some((field, deeper)) = rest.split_first() else { return Value::Null };
    let value = match root {
        "user" => data.user.map(|u| user_field(u, field)),
        "org" => data.org.map(|o| org_field(o, data.membership, field)),
        "org_membership" => data.membership.map(|m| public_field(m, field)),
        "session" => data.session.map(|s| public_field(s, field)),
        _ => None,
    };
    let mut current = value.unwrap_or(Value::Null);
    for key in deeper {
        current = current.get(*key).cloned().unwrap_or(Value::Null);
    }
    current
}

/// A field of a stored object, never an internal (`_`) or private one.
fn public_field(object: &Value, field: &str) -> Value {
    if field.starts_with('_') || field == "private_metadata" {
        return Value::Null;
    }
    object.get(field).cloned().unwrap_or(Value::Null)
}

fn primary<'a>(user: &'a Value, list: &str, id_field: &str) -> Option<&'a Value> {
    let id = user.get(id_field)?.as_str()?;
    user.get(list)?.as_array()?.iter().find(|i| i.get("id").and_then(Value::as_str) == Some(id))
}

fn verified(identifier: Option<&Value>) -> Value {
    Value::Bool(identifier.and_then(|i| i.pointer("/verification/status")).and_then(Value::as_str) == Some("verified"))
}

fn user_field(user: &Value, field: &str) -> Value {
    match field {
        "full_name" => {
            let part = |k: &str| user.get(k).and_then(Value::as_str).unwrap_or("").trim().to_string();
            let full = format!("{} {}", part("first_name"), part("last_name")).trim().to_string();
            if full.is_empty() { Value::Null } else { Value::String(full) }
        }
        "primary_email_address" => primary(user, "email_addresses", "primary_email_address_id")
            .and_then(|e| e.get("email_address").cloned())
            .unwrap_or(Value::Null),
        "primary_phone_number" | "primary_phone_address" => primary(user, "phone_numbers", "primary_phone_number_id")
            .and_then(|p| p.get("phone_number").cloned())
            .unwrap_or(Value::Null),
        "primary_web3_wallet" => primary(user, "web3_wallets", "primary_web3_wallet_id")
            .and_then(|w| w.get("web3_wallet").cloned())
            .unwrap_or(Value::Null),
        "email_verified" => verified(primary(user, "email_addresses", "primary_email_address_id")),
        "phone_number_verified" => verified(primary(user, "phone_numbers", "primary_phone_number_id")),
        "profile_image_url" => user.get("image_url").cloned().unwrap_or(Value::Null),
        other => public_field(user, other),
    }
}

fn org_field(org: &Value, membership: Option<&Value>, field: &str) -> Value {
    match field {
        "role" => membership.and_then(|m| m.get("role").cloned()).unwrap_or(Value::Null),
        "membership_permissions" | "permissions" => membership.and_then(|m| m.get("permissions").cloned()).unwrap_or(Value::Null),
        other => public_field(org, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "id": "user_1", "first_name": "Ada", "last_name": null,
            "primary_email_address_id": "idn_2",
            "email_addresses": [
                {"id": "idn_1", "email_address": "old@example.com", "verification": {"status": "verified"}},
                {"id": "idn_2", "email_address": "ada@example.com", "verification": {"status": "unverified"}}
            ],
            "public_metadata": {"tier": 3}, "private_metadata": {"secret": 1}, "_password": "x"
        })
    }

    #[test]
    fn a_lone_shortcode_keeps_the_type_of_what_it_names() {
        let u = user();
        let data = Shortcodes { user: Some(&u), ..Shortcodes::default() };
        assert_eq!(render(&json!("{{user.public_metadata.tier}}"), &data), json!(3));
        assert_eq!(render(&json!("{{ user.email_verified }}"), &data), json!(false));
        assert_eq!(render(&json!(["{{user.primary_email_address}}", 7]), &data), json!(["ada@example.com", 7]));
    }

    #[test]
    fn text_around_shortcodes_is_interpolated_and_nulls_vanish() {
        let u = user();
        let data = Shortcodes { user: Some(&u), ..Shortcodes::default() };
        assert_eq!(render(&json!("{{user.first_name}}-{{user.last_name}}!"), &data), json!("Ada-!"));
        assert_eq!(render(&json!("{{user.full_name}}"), &data), json!("Ada"));
    }

    #[test]
    fn private_and_internal_fields_and_absent_roots_render_null() {
        let u = user();
        let data = Shortcodes { user: Some(&u), ..Shortcodes::default() };
        assert_eq!(render(&json!("{{user.private_metadata}}"), &data), Value::Null);
        assert_eq!(render(&json!("{{user._password}}"), &data), Value::Null);
        assert_eq!(render(&json!("{{org.id}}"), &data), Value::Null);
        assert_eq!(render(&json!("{{org.id || \"none\"}}"), &data), json!("none"));
    }

    #[test]
    fn org_role_comes_from_the_membership() {
        let org = json!({"id": "org_1", "slug": "acme", "public_metadata": {}});
        let membership = json!({"role": "org:admin", "permissions": ["org:sys_profile:manage"]});
        let data = Shortcodes { org: Some(&org), membership: Some(&membership), ..Shortcodes::default() };
        assert_eq!(render(&json!({"o": "{{org.slug}}", "r": "{{org.role}}"}), &data), json!({"o": "acme", "r": "org:admin"}));
    }

    #[test]
    fn custom_keys_must_be_usable() {
        assert!(encoding_key("HS256", "secret").is_ok());
        assert!(encoding_key("ES256", "x").unwrap_err().contains("ES256"));
        assert!(encoding_key("RS256", "not a pem").is_err());
    }
}
