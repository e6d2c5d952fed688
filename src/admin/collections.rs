//! `GET /__admin/collections[/NAME]`: an instance's stored objects as the
//! dashboard's tables read them — newest first, searchable, paged, without
//! internal `_` fields.
//!
//! ```text
//! GET /__admin/collections                                   → {"data": [{"name": "users", "count": 3}, …]}
//! GET /__admin/collections/users?query=ada&limit=50&offset=0 → {"data": [user, …], "total_count": 1}
//! GET /__admin/collections/organization_memberships?owner=org_…   the children of one object
//! ```
//!
//! `query` matches, case-insensitively, any string or number anywhere in an
//! object (ids, emails, names, metadata): one walk over the collection under
//! the instance lock, a few ms for thousands of users, and the page only
//! receives `limit` objects. `owner` keeps objects whose internal parent field
//! (`_org_id`, `_user_id`, …) is that id: an organization's members.

use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::ApiError;
use crate::wire::{Request, Response};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// The collections of the instance, with their sizes.
pub fn names(app: &App, key: &str) -> Response {
    let instance = app.instances.get_or_create(key);
    let store = instance.store.lock();
    let data: Vec<Value> = store.collections().map(|(name, c)| json!({"name": name, "count": c.items.len()})).collect();
    Response::json(200, &json!({"data": data, "total_count": data.len()}))
}

/// One page of a collection.
pub fn page(app: &App, req: &Request, key: &str, name: &str) -> Result<Response, ApiError> {
    let mut query = String::new();
    let mut owner = None;
    let (mut limit, mut offset) = (DEFAULT_LIMIT, 0usize);
    for (k, v) in super::query_pairs(req) {
        let whole = |v: &str| {
            v.parse::<usize>().map_err(|_| {
                ApiError::format_invalid(format!("{k} must be a whole number.")).with_param(&k)
            })
        };
        match k.as_str() {
            "query" => query = v.to_lowercase(),
            "owner" => owner = Some(v),
            "limit" => limit = whole(&v)?.clamp(1, MAX_LIMIT),
            "offset" => offset = whole(&v)?,
            "instance" => {}
            _ => {
                return Err(ApiError::param_unknown(&k, format!("{k} is not a parameter of /__admin/collections (use query, owner, limit, offset).")))
            }
        }
    }
    let instance = app.instances.get_or_create(key);
    let store = instance.store.lock();
    let items = store.collection(crate::state::CollectionKey::named(name)).map(|c| &c.items);
    let matching = items.into_iter().flat_map(|m| m.values().rev()).filter(|o| {
        owner.as_deref().is_none_or(|id| owned_by(o, id)) && (query.is_empty() || mentions(o, &query))
    });
    let mut total = 0usize;
    let mut data = Vec::new();
    for object in matching {
        if total >= offset && data.len() < limit {
            data.push(public(object));
        }
        total += 1;
    }
    Ok(Response::json(200, &json!({"data": data, "total_count": total, "collection": name})))
}

/// Whether an internal `_…` field of the object's top level is `id`.
fn owned_by(object: &Value, id: &str) -> bool {
    object.as_object().is_some_and(|m| m.iter().any(|(k, v)| k.starts_with('_') && v.as_str() == Some(id)))
}

/// Whether any public string or number inside `value` contains `needle` (lower-case).
fn mentions(value: &Value, needle: &str) -> bool {
    match value {
        Value::String(s) => contains_folded(s, needle),
        Value::Number(n) => n.to_string().contains(needle),
        Value::Array(items) => items.iter().any(|v| mentions(v, needle)),
        Value::Object(m) => m.iter().any(|(k, v)| !k.starts_with('_') && mentions(v, needle)),
        Value::Bool(_) | Value::Null => false,
    }
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        haystack.as_bytes().windows(needle.len().max(1)).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

/// A copy without internal `_` fields, at any depth.
pub fn public(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(m.iter().filter(|(k, _)| !k.starts_with('_')).map(|(k, v)| (k.clone(), public(v))).collect::<Map<_, _>>()),
        Value::Array(items) => Value::Array(items.iter().map(public).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_folds_case_and_skips_internal_fields() {
        let user = json!({"id": "user_1", "email_addresses": [{"email_address": "Ada@Example.com"}], "_password": "secret-hash", "age": 36});
        assert!(mentions(&user, "ada@example"));
        assert!(mentions(&user, "36"));
        assert!(!mentions(&user, "secret-hash"));
        assert!(mentions(&json!("Ünïcode"), "ünï"));
    }

    #[test]
    fn public_copies_drop_underscore_fields_at_any_depth() {
        let stored = json!({"id": "x", "_org_id": "org_1", "nested": [{"_hidden": 1, "shown": 2}]});
        assert_eq!(public(&stored), json!({"id": "x", "nested": [{"shown": 2}]}));
        assert!(owned_by(&stored, "org_1") && !owned_by(&stored, "org_2"));
    }
}
