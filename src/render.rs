//! Reply → wire body, in the shapes the picked spec declares, and the
//! `--validate-responses` check of what goes out.
//!
//! Objects are written straight to bytes through the response schema's
//! compiled [`Shape`](crate::openapi::shape::Shape) (declared fields only, missing
//! ones filled), so one stored object answers every API version.
//!
//! Lists follow DESIGN §4/§10: a bare array where the spec declares one, the
//! declared wrapper (`{data,total_count}`, `{m2m_tokens,total_count}`)
//! otherwise, and `{data,total_count}` when the client sends `paginated=true`
//! (Node's invitation, allowlist and session lists need it).

use serde_json::Value;

use crate::error::ApiError;
use crate::handler::Reply;
use crate::openapi::shape::Shape;
use crate::openapi::validate::check;
use crate::openapi::{Operation, Spec};
use crate::state::{RenderCache, Store};

/// A response body ready to send.
#[derive(Debug)]
pub enum Body {
    /// Serialized JSON.
    Json(Vec<u8>),
    Empty,
    Raw { content_type: String, text: String },
}

/// A status and a body.
#[derive(Debug)]
pub struct Rendered {
    pub status: u16,
    pub body: Body,
    /// The declared response is a bare array sent as `{data,total_count}`.
    pub paginated_wrapper: bool,
}

fn json(status: u16, bytes: Vec<u8>) -> Rendered {
    Rendered { status, body: Body::Json(bytes), paginated_wrapper: false }
}

/// Writes `value` through the shape of `schema` (as it is without one).
fn write_shaped(spec: &Spec, schema: Option<&Value>, value: &Value, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    match schema {
        Some(s) => spec.shape(s, seed).write(value, &mut out),
        None => {
            let _ = serde_json::to_writer(&mut out, value);
        }
    }
    out
}

/// Shapes a handler's reply for the picked spec.
pub fn render(spec: &Spec, op: &Operation, reply: Reply, paginated: bool, seed: u64) -> Rendered {
    let success = op.success();
    let success_status = success.and_then(|r| r.status).unwrap_or(200);
    let success_schema = success.and_then(|r| r.schema.as_ref());
    match reply {
        Reply::Object(value) => match success_schema {
            None if success_status == 204 || success_status == 202 => {
                Rendered { status: success_status, body: Body::Empty, paginated_wrapper: false }
            }
            schema => json(success_status, write_shaped(spec, schema, &value, seed)),
        },
        Reply::Status(status, value) => {
            let schema = op.response_for(status).and_then(|r| r.schema.as_ref());
            json(status, write_shaped(spec, schema, &value, seed))
        }
        Reply::List { items, total_count } => {
            let refs: Vec<&Value> = items.iter().collect();
            render_list(spec, success_schema, success_status, &refs, total_count, paginated, seed)
        }
        Reply::StoredList { .. } => {
            let error = crate::error::ApiError::internal("a stored list must be rendered with its store");
            json(500, serde_json::to_vec(&error.to_body("")).unwrap_or_default())
        },
        Reply::Empty(status) => Rendered { status, body: Body::Empty, paginated_wrapper: false },
        Reply::Raw { status, content_type, body } => {
            Rendered { status, body: Body::Raw { content_type, text: body }, paginated_wrapper: false }
        }
    }
}

/// Renders stored objects by id under the instance lock, without copies,
/// reusing the bytes of objects rendered before at the same store generation.
pub fn render_stored_list(
    spec: &Spec,
    op: &Operation,
    store: &Store,
    cache: &mut RenderCache,
    (collection, ids, total_count): (&str, &[String], usize),
    paginated: bool,
    seed: u64,
) -> Rendered {
    let success = op.success();
    let status = success.and_then(|r| r.status).unwrap_or(200);
    let shape = success.and_then(|r| r.schema.as_ref()).map(|s| spec.shape(s, seed));
    let generation = store.generation.0;
    write_list(status, shape.as_deref(), paginated, total_count, |item_shape, out| {
        let shape_id = item_shape as *const Shape as usize;
        out.push(b'[');
        let mut first = true;
        let collection = crate::state::CollectionKey::named(collection);
        let mut separate = |out: &mut Vec<u8>| {
            if !std::mem::replace(&mut first, false) {
                out.push(b',');
            }
        };
        for id in ids {
            // A cached object is copied without being decoded from the store.
            if let Some(bytes) = cache.get(shape_id, id, generation).filter(|_| store.contains(collection, id)) {
                separate(out);
                out.extend_from_slice(bytes);
                continue;
            }
            let Some(item) = store.get(collection, id) else { continue };
            separate(out);
            let start = out.len();
            item_shape.write(item, out);
            cache.put(shape_id, id, generation, out[start..].to_vec());
        }
        out.push(b']');
    })
}

fn render_list(
    spec: &Spec,
    schema: Option<&Value>,
    status: u16,
    items: &[&Value],
    total_count: usize,
    paginated: bool,
    seed: u64,
) -> Rendered {
    let shape = schema.map(|s| spec.shape(s, seed));
    write_list(status, shape.as_deref(), paginated, total_count, |item_shape, out| {
        item_shape.write_items(items.iter().copied(), out)
    })
}

static ANY: Shape = Shape::Any;

/// Writes a list in the layout its answer's shape declares: a bare array, or
/// `{<key>: [...], "total_count": N}` for a declared wrapper and for a bare
/// array asked for with `paginated=true`. `write_array` writes the `[...]`
/// with the item shape it is given.
fn write_list(
    status: u16,
    shape: Option<&Shape>,
    paginated: bool,
    total_count: usize,
    write_array: impl FnOnce(&Shape, &mut Vec<u8>),
) -> Rendered {
    let (item_shape, wrapper_key) = match shape {
        Some(Shape::Array(item)) => (item.as_ref(), paginated.then_some("data")),
        Some(other) => match other.wrapper_array() {
            Some((key, item)) => (item, Some(key)),
            None => (&ANY, Some("data")),
        },
        None => (&ANY, Some("data")),
    };
    let mut out = Vec::with_capacity(4096);
    if let Some(key) = wrapper_key {
        out.push(b'{');
        let _ = serde_json::to_writer(&mut out, key);
        out.push(b':');
    }
    write_array(item_shape, &mut out);
    if wrapper_key.is_some() {
        out.extend_from_slice(format!(",\"total_count\":{total_count}}}").as_bytes());
    }
    let paginated_wrapper = paginated && matches!(shape, Some(Shape::Array(_)));
    Rendered { status, body: Body::Json(out), paginated_wrapper }
}

/// Checks an outgoing JSON body against the response the spec declares for
/// its status. `Err` names every violated path.
pub fn check_response(op: &Operation, rendered: &Rendered) -> Result<(), ApiError> {
    let Body::Json(bytes) = &rendered.body else { return Ok(()) };
    let Some(validator) = op.response_for(rendered.status).and_then(|r| r.validator()) else {
        return Ok(());
    };
    let body: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let target = if rendered.paginated_wrapper { body.get("data").unwrap_or(&body) } else { &body };
    let problems = check(validator, target);
    if problems.is_empty() {
        return Ok(());
    }
    let details: Vec<String> = problems
        .iter()
        .map(|p| {
            let at = p.meta.as_ref().and_then(|m| m.get("param_name")).and_then(Value::as_str).unwrap_or("");
            format!("/{}: {}", at.replace('.', "/"), p.long_message)
        })
        .collect();
    Err(ApiError::response_invalid(format!("{} {} answered {} with a body the spec does not allow: {}", op.method, op.path, rendered.status, details.join("; "))))
}
