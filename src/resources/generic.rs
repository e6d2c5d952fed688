//! The generic collection engine: every plain collection the spec's paths
//! describe (`/things`, `/things/{id}`, `/parents/{id}/things/{thing_id}`) and
//! every settings document (`GET|PATCH /instance/protect`) gets consistent
//! create / list / get / update / delete behaviour without a hand-written
//! module. Resource modules override it where Clerk's semantics differ; which
//! operations it serves is the registry's classification (`registry/classify.rs`).

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::openapi::synth::Synth;
use crate::openapi::{resolve, Operation, Spec};
use crate::state::Store;
use crate::registry::classify::{collection_key, is_param, item_action_target, list_items_schema, split_item, Crud};
use crate::resources::deleted::deleted_answer;
use crate::resources::kinds::id_prefix;
use crate::state::listing::{matches_filter, matches_query, sort_by_order};

/// The item schema this operation's collection stores.
fn item_schema(ctx: &Ctx) -> Option<Value> {
    created_item_schema(ctx.spec, &ctx.synth(), ctx.op)
}

/// The flattened schema of one item of the collection `op` serves: its
/// success answer, or that answer's list items (a create that answers the
/// list). Fixtures build their generic objects from it too.
pub fn created_item_schema(spec: &Spec, synth: &Synth, op: &Operation) -> Option<Value> {
    let success = op.success()?.schema.as_ref()?;
    let item = list_items_schema(spec, success).unwrap_or(success);
    Some(synth.flatten(item))
}

/// What a 404 calls an item of a collection (`/redirect_urls` → `redirect_url`).
fn item_name(collection_path: &str) -> String {
    collection_path.rsplit('/').next().unwrap_or("resource").trim_end_matches('s').to_string()
}

/// Parent ids: the values of the path params before the item param.
fn parent_of(ctx: &Ctx, collection_path: &str) -> String {
    collection_path
        .split('/')
        .filter(|s| is_param(s))
        .map(|s| ctx.path_param(&s[1..s.len() - 1]).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Serves one operation with the engine.
pub fn handle(crud: Crud, ctx: &Ctx) -> Result<Reply, ApiError> {
    let (collection_path, item_param) = split_item(&ctx.op.path);
    let key = collection_key(collection_path);
    let parent = parent_of(ctx, collection_path);
    let what = item_name(collection_path);
    match crud {
        Crud::Create => create(ctx, &key, &parent),
        Crud::List => list(ctx, &key, &parent),
        Crud::Get | Crud::Update | Crud::Delete => {
            let id = ctx.path_param(item_param.unwrap_or("id")).to_string();
            let mut store = ctx.instance.store.lock();
            let found = store.get(crate::state::CollectionKey::named(&key), &id).filter(|v| v.get("_parent").and_then(Value::as_str).unwrap_or("") == parent);
            if found.is_none() {
                return Err(ApiError::not_found(&what));
            }
            match crud {
                Crud::Get => Ok(Reply::Object(found.cloned().unwrap_or_default())),
                Crud::Update => {
                    let schema = item_schema(ctx).unwrap_or_default();
                    let now = store.now_ms();
                    let item = store.get_mut(crate::state::CollectionKey::named(&key), &id).expect("checked above");
                    merge_declared_fields(ctx.spec, item, &ctx.body, &schema)?;
                    if item.get("updated_at").map(Value::is_i64).unwrap_or(false) {
                        item["updated_at"] = Value::from(now);
                    }
                    Ok(Reply::Object(item.clone()))
                }
                _ => {
                    let removed = store.remove(crate::state::CollectionKey::named(&key), &id).unwrap_or_default();
                    Ok(Reply::Object(deleted_answer(ctx, &removed)))
                }
            }
        }
        Crud::SingletonGet => {
            let mut store = ctx.instance.store.lock();
            if let Some(doc) = store.singleton(&ctx.op.path) {
                return Ok(Reply::Object(doc.clone()));
            }
            let doc = ctx.success_schema().map(|s| ctx.synth().value(s, &ctx.op.path)).unwrap_or_default();
            store.set_singleton(&ctx.op.path, doc.clone());
            Ok(Reply::Object(doc))
        }
        Crud::SingletonUpdate => {
            let mut store = ctx.instance.store.lock();
            let doc = store.singleton_mut(&ctx.op.path, || {
                ctx.success_schema().map(|s| ctx.synth().value(s, &ctx.op.path)).unwrap_or_else(|| Value::Object(Map::new()))
            });
            // Settings answered without a body (PATCH /instance → 204) keep every sent field.
            match ctx.success_schema().map(|s| ctx.synth().flatten(s)) {
                Some(schema) => {
                    merge_declared_fields(ctx.spec, doc, &ctx.body, &schema)?;
                    Ok(Reply::Object(doc.clone()))
                }
                None => {
                    if let (Some(target), Some(fields)) = (doc.as_object_mut(), ctx.body.as_object()) {
                        target.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                    Ok(Reply::Empty(ctx.op.success().and_then(|r| r.status).unwrap_or(204)))
                }
            }
        }
        Crud::ItemAction => item_action(ctx),
    }
}

/// Applies an action verb to a stored item and answers the item.
fn item_action(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some((item_path, verb)) = item_action_target(ctx.spec, &ctx.op.path) else {
        return Err(ApiError::not_found("resource"));
    };
    let (collection_path, item_param) = split_item(&item_path);
    let key = collection_key(collection_path);
    let parent = parent_of(ctx, collection_path);
    let id = ctx.path_param(item_param.unwrap_or("id")).to_string();
    let what = item_name(collection_path);
    // The answer's schema, flattened once: its `status` and `object` enums and
    // its `*secret*` string fields (a rotated secret, `GET …/secret`).
    let answer = ctx.success_schema().map(|s| ctx.synth().flatten(s)).unwrap_or_default();
    let answer_props = answer.get("properties").and_then(Value::as_object);
    let enum_of = |name: &str| -> Vec<Value> {
        answer_props
            .and_then(|p| p.get(name))
            .and_then(|prop| resolve(&ctx.spec.doc, prop).get("enum").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let status_enum = enum_of("status");
    let answer_kinds = enum_of("object");
    let secret_fields: Vec<String> = answer_props
        .map(|props| {
            props
                .iter()
                .filter(|(k, p)| k.contains("secret") && resolve(&ctx.spec.doc, p).get("type").and_then(Value::as_str) == Some("string"))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut store = ctx.instance.store.lock();
    let now = store.now_ms();
    let fresh_secret = format!("{}{}", store.new_id("secret"), store.new_id("x").trim_start_matches("x_"));
    let item = store
        .get_mut(crate::state::CollectionKey::named(&key), &id)
        .filter(|v| v.get("_parent").and_then(Value::as_str).unwrap_or("") == parent)
        .ok_or_else(|| ApiError::not_found(&what))?;
    let Some(obj) = item.as_object_mut() else { return Err(ApiError::not_found(&what)) };
    let answer_kind = obj.get("object").filter(|k| !answer_kinds.is_empty() && !answer_kinds.contains(k)).map(|_| answer_kinds[0].clone());
    let rotate = verb.contains("rotate");
    for field in &secret_fields {
        // A secret is made on first read and changes only when rotated.
        if rotate || !obj.contains_key(field) {
            obj.insert(field.clone(), Value::String(format!("{}_{}", field.trim_end_matches("_secret").replace('_', ""), fresh_secret.trim_start_matches("secret_"))));
        }
    }
    if ctx.op.method == "POST" {
        apply_verb(item, &verb, &status_enum, &ctx.body);
        if item.get("updated_at").map(Value::is_i64).unwrap_or(false) {
            item["updated_at"] = Value::from(now);
        }
    }
    let mut answer = item.clone();
    // Some actions answer another kind of object about the item (`GET
    // /machines/{id}/secret_key` → `machine_secret_key`): its `object` is the
    // answer's, not the stored item's.
    if let (Some(kind), Some(obj)) = (answer_kind, answer.as_object_mut()) {
        obj.insert("object".into(), kind);
    }
    Ok(Reply::Object(answer))
}

/// revoke → `revoked: true` / `status: revoked`; reject / invite → that
/// status (when the answer's `status` enum has it).
fn apply_verb(item: &mut Value, verb: &str, status_enum: &[Value], body: &Value) {
    let Some(obj) = item.as_object_mut() else { return };
    let status_for = |wanted: &str| {
        let v = Value::String(wanted.to_string());
        (status_enum.is_empty() || status_enum.contains(&v)).then_some(v)
    };
    let mut set_status = |wanted: &str| {
        if let Some(v) = status_for(wanted) {
            if obj.contains_key("status") {
                obj.insert("status".into(), v);
            }
        }
    };
    if verb.contains("revoke") {
        set_status("revoked");
        if obj.contains_key("revoked") {
            obj.insert("revoked".into(), Value::Bool(true));
        }
        if let Some(reason) = body.get("revocation_reason").filter(|v| v.is_string()) {
            obj.insert("revocation_reason".into(), reason.clone());
        }
    } else if verb.contains("reject") {
        set_status("rejected");
    } else if verb.contains("invite") {
        set_status("invited");
    }
}

/// Copies the body fields the item schema declares (top level) onto the
/// item, when their JSON type fits the declared one (a request's `amount: 5`
/// does not overwrite a response's `amount: {…}` object).
///
/// Request schemas are looser than the answers that echo them: a field whose
/// structure fits but which breaks the answer's constraints (an enum value
/// the answer does not list, an id pattern, an email format) is refused with
/// a 422 before anything is written, since storing it would make every later
/// read of the object break the spec. A field sent in another representation
/// (role keys where the answer holds role objects) is not stored.
pub fn merge_declared_fields(spec: &Spec, item: &mut Value, body: &Value, item_schema: &Value) -> Result<(), ApiError> {
    let doc = &spec.doc;
    let (Some(target), Some(fields)) = (item.as_object_mut(), body.as_object()) else { return Ok(()) };
    let Some(declared) = item_schema.get("properties").and_then(Value::as_object) else { return Ok(()) };
    let mut accepted = Vec::new();
    for (k, v) in fields {
        if k == "id" || k == "object" {
            continue;
        }
        let Some(schema) = declared.get(k) else { continue };
        if !fits_structure(doc, schema, v, 0) {
            continue;
        }
        // An email first: its own check names the problem (form_param_format_invalid), where
        // the schema check (formats are assertions) could only say "invalid value".
        if let (Some(text), Some("email")) = (v.as_str(), resolve(doc, schema).get("format").and_then(Value::as_str)) {
            crate::resources::users::checks::check_email(text, k)?;
        }
        if !spec.conforms(schema, v) {
            return Err(ApiError::param_invalid(k, format!("{k} has an invalid value.")));
        }
        accepted.push((k, v));
    }
    for (k, v) in accepted {
        target.insert(k.clone(), v.clone());
    }
    Ok(())
}

/// [`fits_type`] all the way down: array items and object members (declared
/// properties, else `additionalProperties`) have the types declared for them.
fn fits_structure(doc: &Value, schema: &Value, value: &Value, depth: usize) -> bool {
    if !fits_type(doc, schema, value) {
        return false;
    }
    if depth > 16 {
        return true;
    }
    let resolved = resolve(doc, schema);
    match value {
        Value::Array(items) => match resolved.get("items") {
            Some(item_schema) => items.iter().all(|i| fits_structure(doc, item_schema, i, depth + 1)),
            None => true,
        },
        Value::Object(members) => members.iter().all(|(k, v)| {
            let member = resolved.get("properties").and_then(|p| p.get(k)).or_else(|| resolved.get("additionalProperties").filter(|a| a.is_object()));
            member.map(|m| fits_structure(doc, m, v, depth + 1)).unwrap_or(true)
        }),
        _ => true,
    }
}

/// Whether a value has the JSON type a schema declares (untyped: anything).
pub fn fits_type(doc: &Value, schema: &Value, value: &Value) -> bool {
    let resolved = resolve(doc, schema);
    let nullable = crate::openapi::is_nullable(doc, schema);
    match (resolved.get("type").and_then(Value::as_str), value) {
        (_, Value::Null) => nullable,
        (None, _) => true,
        (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) | (Some("array"), Value::Array(_)) => true,
        (Some("object"), Value::Object(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        _ => false,
    }
}

fn create(ctx: &Ctx, key: &str, parent: &str) -> Result<Reply, ApiError> {
    let schema = item_schema(ctx).unwrap_or_default();
    let mut store = ctx.instance.store.lock();
    let item = store_new_item(&mut store, ctx.spec, &ctx.synth(), &schema, NewItem { collection: key, parent, body: &ctx.body })?;
    Ok(Reply::Object(item))
}

/// Where a new item goes and what the request sent for it.
pub struct NewItem<'a> {
    /// The collection key (`/redirect_urls`, `/organizations/{}/domains`).
    pub collection: &'a str,
    /// Parent ids joined by `/` (empty for a top-level collection).
    pub parent: &'a str,
    /// The request body; only the fields `schema` declares are stored.
    pub body: &'a Value,
}

/// The one create rule of the engine, for its `POST` and for fixtures: an
/// item synthesized from the collection's flattened item `schema`, with what
/// the body did not set null where the schema allows it (rather than the
/// spec's example text), fresh secrets, the body's declared fields on top,
/// a new id in the schema's id pattern (or the kind's prefix), timestamps
/// and `_parent`. Stores it and returns it.
///
/// ```text
/// POST /v1/redirect_urls {"url":"https://app.test/cb"}
///   → {"object":"redirect_url","id":"ru_…","url":"https://app.test/cb","created_at":…,"updated_at":…}
/// ```
pub fn store_new_item(store: &mut Store, spec: &Spec, synth: &Synth, schema: &Value, new: NewItem) -> Result<Value, ApiError> {
    let props = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let kind = props
        .get("object")
        .map(|o| resolve(&spec.doc, o))
        .and_then(|o| o.get("enum"))
        .and_then(|e| e.get(0))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let id_pattern = props.get("id").map(|i| resolve(&spec.doc, i)).and_then(|i| i.get("pattern")).and_then(Value::as_str);
    let id = match id_pattern {
        Some(p) if p.contains("0-9A-Fa-f") => {
            let prefix = p.trim_start_matches('^').split('_').next().unwrap_or("id").trim_start_matches('(');
            let prefix = prefix.split('|').next().unwrap_or(prefix);
            store.new_hex_id(prefix)
        }
        _ => store.new_id(id_prefix(&kind)),
    };
    let now = store.now_ms();
    let mut item = synth.value(schema, &id);
    if let Some(obj) = item.as_object_mut() {
        for (name, prop_schema) in &props {
            if new.body.get(name).is_some() {
                continue;
            }
            if name.contains("secret") && obj.get(name).map(Value::is_string).unwrap_or(false) {
                let fresh = store.new_id(name.trim_end_matches("_secret").trim_start_matches("client_"));
                obj.insert(name.clone(), Value::String(fresh));
            } else if fits_type(&spec.doc, prop_schema, &Value::Null) && !matches!(name.as_str(), "id" | "object") {
                obj.insert(name.clone(), Value::Null);
            }
        }
    }
    merge_declared_fields(spec, &mut item, new.body, schema)?;
    if let Some(obj) = item.as_object_mut() {
        obj.insert("id".into(), Value::String(id.clone()));
        for stamp in ["created_at", "updated_at"] {
            if props.get(stamp).map(|s| fits_type(&spec.doc, s, &Value::from(now))).unwrap_or(false) {
                obj.insert(stamp.into(), Value::from(now));
            }
        }
        obj.insert("_parent".into(), Value::String(new.parent.to_string()));
    }
    store.insert(crate::state::CollectionKey::named(new.collection), &id, item.clone());
    Ok(item)
}

/// Query parameters that shape the page rather than filter it.
const PAGING: &[&str] = &["limit", "offset", "order_by", "paginated", "query", "starting_after"];

fn list(ctx: &Ctx, key: &str, parent: &str) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let query = ctx.query.get("query").and_then(Value::as_str).map(str::to_lowercase);
    let filters: Vec<(&String, &Value)> = ctx.query.iter().filter(|(k, _)| !PAGING.contains(&k.as_str())).collect();
    let mut matched: Vec<&Value> = store
        .iter(crate::state::CollectionKey::named(key))
        .filter(|item| item.get("_parent").and_then(Value::as_str).unwrap_or("") == parent)
        .filter(|item| filters.iter().all(|(k, want)| matches_filter(item.get(k.as_str()), want)))
        .filter(|item| query.as_deref().map(|q| matches_query(item, q)).unwrap_or(true))
        .collect();
    let order = ctx.query.get("order_by").and_then(Value::as_str).unwrap_or("");
    sort_by_order(&mut matched, order);
    let total = matched.len();
    let (limit, offset) = ctx.page();
    let ids = matched.into_iter().skip(offset).take(limit).filter_map(|i| i.get("id").and_then(Value::as_str).map(String::from)).collect();
    Ok(Reply::StoredList { collection: key.to_string(), ids, total_count: total })
}
