//! Reply → wire body, in the shapes the picked spec declares, and the
//! `--validate-responses` check of what goes out.
//!
//! Lists follow DESIGN §4/§10: a bare array where the spec declares one, the
//! declared wrapper (`{data,total_count}`, `{m2m_tokens,total_count}`)
//! otherwise, and `{data,total_count}` when the client sends `paginated=true`
//! (Node's invitation, allowlist and session lists need it).

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::handler::Reply;
use crate::spec::synth::Synth;
use crate::spec::validate::check;
use crate::spec::{resolve, Operation, Spec};

/// A response body ready to send.
#[derive(Debug)]
pub enum Body {
    Json(Value),
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

/// Shapes a handler's reply for the picked spec.
pub fn render(spec: &Spec, op: &Operation, reply: Reply, paginated: bool, seed: u64) -> Rendered {
    let synth = Synth::new(&spec.doc, seed);
    let success_status = op.success().and_then(|r| r.status).unwrap_or(200);
    let json = |status, body| Rendered { status, body: Body::Json(body), paginated_wrapper: false };
    match reply {
        Reply::Object(value) => {
            let key = value.get("id").and_then(Value::as_str).unwrap_or(&op.id).to_string();
            match op.success().and_then(|r| r.schema.as_ref()) {
                Some(schema) => json(success_status, synth.conform(&value, schema, &key)),
                None if success_status == 204 || success_status == 202 => {
                    Rendered { status: success_status, body: Body::Empty, paginated_wrapper: false }
                }
                None => json(success_status, value),
            }
        }
        Reply::Status(status, value) => match op.response_for(status).and_then(|r| r.schema.as_ref()) {
            Some(schema) => json(status, synth.conform(&value, schema, &op.id)),
            None => json(status, value),
        },
        Reply::List { items, total_count } => {
            let Some(schema) = op.success().and_then(|r| r.schema.as_ref()) else {
                return json(success_status, json!({"data": items, "total_count": total_count}));
            };
            let resolved = resolve(&spec.doc, schema);
            if resolved.get("type").and_then(Value::as_str) == Some("array") {
                let item_schema = resolved.get("items").cloned().unwrap_or(Value::Null);
                let data: Vec<Value> = items.iter().map(|i| conform_item(&synth, i, &item_schema)).collect();
                if paginated {
                    return Rendered {
                        status: success_status,
                        body: Body::Json(json!({"data": data, "total_count": total_count})),
                        paginated_wrapper: true,
                    };
                }
                return json(success_status, Value::Array(data));
            }
            // A wrapper: put the items under its array property.
            let flat = synth.flatten(schema);
            let array_prop = flat
                .get("properties")
                .and_then(Value::as_object)
                .and_then(|props| {
                    props.iter().find(|(_, p)| resolve(&spec.doc, p).get("type").and_then(Value::as_str) == Some("array"))
                })
                .map(|(name, p)| (name.clone(), resolve(&spec.doc, p).get("items").cloned().unwrap_or(Value::Null)));
            let (name, item_schema) = array_prop.unwrap_or(("data".into(), Value::Null));
            let data: Vec<Value> = items.iter().map(|i| conform_item(&synth, i, &item_schema)).collect();
            let mut wrapper = Map::new();
            wrapper.insert(name, Value::Array(data));
            wrapper.insert("total_count".into(), Value::from(total_count));
            let wrapped = synth.conform(&Value::Object(wrapper), &flat, &op.id);
            json(success_status, wrapped)
        }
        Reply::Empty(status) => Rendered { status, body: Body::Empty, paginated_wrapper: false },
        Reply::Raw { status, content_type, body } => {
            Rendered { status, body: Body::Raw { content_type, text: body }, paginated_wrapper: false }
        }
    }
}

fn conform_item(synth: &Synth, item: &Value, schema: &Value) -> Value {
    let key = item.get("id").and_then(Value::as_str).unwrap_or("item");
    synth.conform(item, schema, key)
}

/// Checks an outgoing JSON body against the response the spec declares for
/// its status. `Err` names every violated path.
pub fn check_response(op: &Operation, rendered: &Rendered) -> Result<(), ApiError> {
    let Body::Json(body) = &rendered.body else { return Ok(()) };
    let Some(validator) = op.response_for(rendered.status).and_then(|r| r.validator.as_ref()) else {
        return Ok(());
    };
    let target = if rendered.paginated_wrapper { body.get("data").unwrap_or(body) } else { body };
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
    Err(ApiError::new(
        500,
        crate::error::code::RESPONSE_INVALID,
        "mock response does not match the spec",
        format!("{} {} answered {} with a body the spec does not allow: {}", op.method, op.path, rendered.status, details.join("; ")),
    ))
}
