//! How the generic engine serves each operation, decided once per spec at
//! start-up from path shapes and response schemas: the registry's job (a
//! resource module's handler wins over this, synthesis is the fallback).
//!
//! ```text
//! POST   /redirect_urls            create  (a GET list or /{id} op exists)
//! GET    /redirect_urls            list    (array or {data,total_count})
//! GET    /redirect_urls/{id}       get
//! PATCH  /domains/{domain_id}      update
//! DELETE /domains/{domain_id}      delete
//! GET    /instance/protect         singleton get   (object without id)
//! PATCH  /instance/protect         singleton update
//! ```

use serde_json::Value;

use crate::openapi::{resolve, Operation, Spec};

/// What the engine does for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crud {
    Create,
    List,
    Get,
    Update,
    Delete,
    SingletonGet,
    SingletonUpdate,
    /// `POST /things/{id}/revoke` and friends: a state change on a stored item.
    ItemAction,
}

impl Crud {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Crud::Create => "create",
            Crud::List => "list",
            Crud::Get => "get",
            Crud::Update => "update",
            Crud::Delete => "delete",
            Crud::SingletonGet => "singleton get",
            Crud::SingletonUpdate => "singleton update",
            Crud::ItemAction => "item action",
        }
    }
}

pub fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// `/organizations/{organization_id}/domains/{domain_id}` → (`/organizations/{organization_id}/domains`, Some(`domain_id`)).
pub fn split_item(path: &str) -> (&str, Option<&str>) {
    match path.rsplit_once('/') {
        Some((parent, last)) if is_param(last) => (parent, Some(&last[1..last.len() - 1])),
        _ => (path, None),
    }
}

/// The store collection of a collection path: parameters blanked, so every
/// organization's domains share `/organizations/{}/domains` (items remember
/// their parent).
pub fn collection_key(collection_path: &str) -> String {
    collection_path
        .split('/')
        .map(|s| if is_param(s) { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// Classifies every operation of a spec (by index); `None` = not a plain
/// collection or settings operation.
pub fn classify(spec: &Spec) -> Vec<Option<Crud>> {
    let has = |method: &str, path: &str| spec.operations.iter().any(|o| o.method == method && o.path == path);
    let item_paths = |collection: &str| -> bool {
        spec.operations.iter().any(|o| {
            let (parent, item) = split_item(&o.path);
            item.is_some() && parent == collection
        })
    };
    let lists_at = |path: &str| {
        spec.operations.iter().any(|o| {
            o.method == "GET"
                && o.path == path
                && o.success().and_then(|r| r.schema.as_ref()).map(|s| list_items_schema(spec, s).is_some()).unwrap_or(false)
        })
    };
    spec.operations
        .iter()
        .map(|op| {
            let success = op.success().and_then(|r| r.schema.as_ref()).map(|s| flatten_top(spec, s));
            let (collection, item) = split_item(&op.path);
            let has_id = success.as_ref().map(|s| has_property(s, "id")).unwrap_or(false);
            let is_list = success.as_ref().map(|s| list_items_schema(spec, s).is_some()).unwrap_or(false);
            let no_path_params = op.params.iter().all(|p| p.location != crate::openapi::ParamIn::Path);
            let collection_like = |path: &str| has("POST", path) && (lists_at(path) || item_paths(path)) || lists_at(path);
            match (op.method.as_str(), item) {
                ("POST", None) if has_id && (lists_at(&op.path) || item_paths(&op.path)) => Some(Crud::Create),
                ("GET", None) if is_list && (has("POST", &op.path) || item_paths(&op.path)) => Some(Crud::List),
                ("GET", Some(_)) if has_id && is_collection(spec, collection) => Some(Crud::Get),
                ("PATCH" | "PUT", Some(_)) if has_id && is_collection(spec, collection) => Some(Crud::Update),
                ("DELETE", Some(_)) if is_collection(spec, collection) => Some(Crud::Delete),
                _ if item_action_target(spec, &op.path).is_some() && (op.method == "POST" || op.method == "GET") && success.is_some() && !is_list => {
                    Some(Crud::ItemAction)
                }
                // A settings document: a literal path nothing creates or lists at.
                ("GET", None) if success.is_some() && !is_list && no_path_params && !collection_like(&op.path) => Some(Crud::SingletonGet),
                ("PATCH" | "PUT", None) if no_path_params && !collection_like(&op.path) && !has_id_in_body(op) => Some(Crud::SingletonUpdate),
                _ => None,
            }
        })
        .collect()
}

/// `/things/{id}/verb[/more]` where `/things/{id}` is an item of a collection:
/// an action on a stored item (revoke, reject, invite, rotate a secret, read
/// its secret). Returns the item path template and the verb segments.
pub fn item_action_target(spec: &Spec, path: &str) -> Option<(String, String)> {
    let segments: Vec<&str> = path.split('/').collect();
    let last_param = segments.iter().rposition(|s| is_param(s))?;
    if last_param + 1 >= segments.len() {
        return None;
    }
    let item_path = segments[..=last_param].join("/");
    let verb = segments[last_param + 1..].join("/");
    let (collection, _) = split_item(&item_path);
    let item_exists = spec.operations.iter().any(|o| o.path == item_path);
    (item_exists && is_collection(spec, collection) && ACTION_VERBS.iter().any(|v| verb.contains(v))).then_some((item_path, verb))
}

/// The verbs the engine knows how to apply to a stored item.
const ACTION_VERBS: &[&str] = &["revoke", "reject", "invite", "rotate", "secret"];

/// A settings update with no body declared `id` (not an item write).
fn has_id_in_body(op: &Operation) -> bool {
    op.body.as_ref().and_then(|b| b.schema.get("properties")).map(|p| p.get("id").is_some()).unwrap_or(false)
}

/// A path is a collection when something creates or lists at it.
fn is_collection(spec: &Spec, path: &str) -> bool {
    spec.operations.iter().any(|o| o.path == path && (o.method == "POST" || o.method == "GET"))
}

fn flatten_top(spec: &Spec, schema: &Value) -> Value {
    crate::openapi::synth::Synth::new(&spec.doc, 0).flatten(schema)
}

pub fn has_property(schema: &Value, name: &str) -> bool {
    schema.get("properties").and_then(|p| p.get(name)).is_some()
}

/// The item schema of a list response: a bare array, or the array property
/// of a `{data, total_count}`-style wrapper.
pub fn list_items_schema<'a>(spec: &'a Spec, schema: &'a Value) -> Option<&'a Value> {
    let schema = resolve(&spec.doc, schema);
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return schema.get("items");
    }
    let props = schema.get("properties")?.as_object()?;
    props.get("total_count")?;
    props.values().map(|p| resolve(&spec.doc, p)).find(|p| p.get("type").and_then(Value::as_str) == Some("array"))?.get("items")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_keys_blank_their_parameters() {
        assert_eq!(collection_key("/organizations/{organization_id}/domains"), "/organizations/{}/domains");
        assert_eq!(split_item("/domains/{domain_id}"), ("/domains", Some("domain_id")));
        assert_eq!(split_item("/domains"), ("/domains", None));
    }
}
