//! JWT templates as a resource: create/update with Clerk's checks (unique
//! name, custom signing keys kept). Rendering a template's claims and
//! signing with a custom key is the token layer's (`tokens::templates`).
//!
//! Get, list and delete stay with the generic engine (collection
//! `/jwt_templates`); this module stores what it cannot: the custom signing
//! key (`_signing_key`, never rendered).

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::state::Store;
use crate::tokens::templates::{encoding_key, DEFAULT_CLOCK_SKEW, DEFAULT_LIFETIME};

/// The generic engine's collection for `/jwt_templates`.
pub const COLLECTION: crate::state::CollectionKey = crate::state::CollectionKey::new("/jwt_templates");
pub const KIND: crate::state::Kind = crate::state::Kind::stored("jwt_template", "jtmp", COLLECTION);

pub fn register(registry: &mut Registry) {
    registry.add("CreateJWTTemplate", "tokens", create_template);
    registry.add("UpdateJWTTemplate", "tokens", update_template);
}

/// The template named `name`, if any.
pub fn by_name<'a>(store: &'a Store, name: &str) -> Option<&'a Value> {
    store.iter(COLLECTION).find(|t| t.get("name").and_then(Value::as_str) == Some(name))
}

fn create_template(ctx: &Ctx) -> Result<Reply, ApiError> {
    let signing = custom_signing(ctx, None)?;
    let name = required_name(ctx)?;
    let mut store = ctx.instance.store.lock();
    insert_template(&mut store, &name, &ctx.body, signing).map(Reply::Object)
}

/// Stores a new template from a create body: a name no template has,
/// Clerk's defaults for `lifetime` and `allowed_clock_skew`, `signing` (a
/// custom key, or the instance's). `POST /jwt_templates` and fixtures both
/// create through it.
pub fn insert_template(store: &mut Store, name: &str, body: &Value, signing: CustomKey) -> Result<Value, ApiError> {
    if by_name(store, name).is_some() {
        return Err(ApiError::identifier_exists("name", format!("A JWT template named {name:?} already exists.")));
    }
    let field = |name: &str| body.get(name).filter(|v| !v.is_null());
    let number = |name: &str, default: i64| field(name).and_then(Value::as_f64).map(|f| f as i64).unwrap_or(default);
    Ok(store.create(&KIND, |_, _, now| {
        let mut template = json!({
            "name": name,
            "claims": field("claims").cloned().unwrap_or_else(|| json!({})),
            "lifetime": number("lifetime", DEFAULT_LIFETIME),
            "allowed_clock_skew": number("allowed_clock_skew", DEFAULT_CLOCK_SKEW),
            "custom_signing_key": signing.is_some(),
            "signing_algorithm": "RS256",
            "created_at": now,
            "updated_at": now,
            "_parent": "",
        });
        apply_signing(&mut template, signing);
        template
    }))
}

fn update_template(ctx: &Ctx) -> Result<Reply, ApiError> {
    let id = ctx.path_param("template_id").to_string();
    let mut store = ctx.instance.store.lock();
    let Some(existing) = store.get(COLLECTION, &id).cloned() else {
        return Err(ApiError::not_found("JWT template"));
    };
    let signing = custom_signing(ctx, Some(&existing))?;
    if let Some(name) = ctx.str_field("name") {
        if by_name(&store, name).is_some_and(|t| t["id"] != id.as_str()) {
            return Err(ApiError::identifier_exists("name", format!("A JWT template named {name:?} already exists.")));
        }
    }
    let now = store.now_ms();
    let template = store.get_mut(COLLECTION, &id).expect("checked above");
    for field in ["name", "claims"] {
        if let Some(v) = ctx.field(field) {
            template[field] = v.clone();
        }
    }
    for field in ["lifetime", "allowed_clock_skew"] {
        if let Some(v) = ctx.field(field).and_then(Value::as_f64) {
            template[field] = Value::from(v as i64);
        }
    }
    if ctx.field("custom_signing_key").is_some() {
        template["custom_signing_key"] = Value::Bool(signing.is_some());
        apply_signing(template, signing);
    }
    template["updated_at"] = Value::from(now);
    Ok(Reply::Object(template.clone()))
}

fn required_name(ctx: &Ctx) -> Result<String, ApiError> {
    match ctx.str_field("name").map(str::trim) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(ApiError::param_missing("name")),
    }
}

/// A custom key: (algorithm, key text), checked to be usable.
pub type CustomKey = Option<(String, String)>;

/// `custom_signing_key: true` needs `signing_algorithm` and `signing_key`
/// that the mock can sign with (HS256/384/512 with a secret, RS256/384/512
/// with an RSA private key PEM).
fn custom_signing(ctx: &Ctx, existing: Option<&Value>) -> Result<CustomKey, ApiError> {
    let wanted = ctx.field("custom_signing_key").and_then(Value::as_bool);
    let keep = existing.and_then(|t| t.get("custom_signing_key")).and_then(Value::as_bool).unwrap_or(false);
    if !wanted.unwrap_or(keep) {
        return Ok(None);
    }
    let algorithm = ctx
        .str_field("signing_algorithm")
        .or_else(|| existing.and_then(|t| t.get("signing_algorithm")).and_then(Value::as_str))
        .ok_or_else(|| ApiError::param_missing("signing_algorithm"))?
        .to_string();
    let key = ctx
        .str_field("signing_key")
        .or_else(|| existing.and_then(|t| t.get("_signing_key")).and_then(Value::as_str))
        .ok_or_else(|| ApiError::param_missing("signing_key"))?
        .to_string();
    encoding_key(&algorithm, &key).map_err(|long| ApiError::value_invalid(long).with_param("signing_key"))?;
    Ok(Some((algorithm, key)))
}

fn apply_signing(template: &mut Value, signing: CustomKey) {
    let Some(obj) = template.as_object_mut() else { return };
    match signing {
        Some((algorithm, key)) => {
            obj.insert("signing_algorithm".into(), Value::String(algorithm));
            obj.insert("_signing_key".into(), Value::String(key));
        }
        None => {
            obj.insert("signing_algorithm".into(), Value::String("RS256".into()));
            obj.remove("_signing_key");
        }
    }
}
