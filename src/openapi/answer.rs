//! Synthesized answers that answer *this* request, as stripe-mock does: an
//! operation no handler or generic collection serves is answered from its
//! success schema, but not with a constant.
//!
//! - **Fresh per call, per instance.** The seed is the operation, the
//!   instance and the path; a `POST` adds the instance's next sequence
//!   number, so every create mints new ids and two test suites never share
//!   one.
//! - **Echoes.** A top-level answer field the request body or the path has
//!   by the same name takes that value (when it fits the field's schema);
//!   the id of the path's item (`/api_keys/{apiKeyID}/revoke` → `id`) too.
//! - **Stable relations the spec states.** A field described as unique or
//!   stable "per `<request field>`" is derived from that field's value
//!   only (`agent_id`: "unique per agent_name within an instance"), and a
//!   deprecated field that says "use `<field>` instead" is that field.
//!
//! ```text
//! POST /v1/agents/tasks {agent_name: "bot"}  → agent_task_id A1, agent_id G1, task_id A1
//! POST /v1/agents/tasks {agent_name: "bot"}  → agent_task_id A2, agent_id G1
//! POST /v1/agents/tasks {agent_name: "etl"}  → agent_task_id A3, agent_id G2
//! POST /v1/agents/tasks/A1/revoke            → agent_task_id A1
//! ```

use serde_json::{Map, Value};

use super::synth::Synth;
use super::{resolve, Operation, Spec};

/// What of the request the answer may reflect.
pub struct Asked<'a> {
    pub op: &'a Operation,
    pub instance: &'a str,
    pub path: &'a Map<String, Value>,
    pub body: &'a Value,
    /// The instance's next sequence number, for a `POST`; `None` otherwise.
    pub sequence: Option<u64>,
}

/// A valid instance of `schema` shaped by the request.
pub fn synthesize(spec: &Spec, seed: u64, schema: &Value, asked: &Asked<'_>) -> Value {
    let synth = Synth::new(&spec.doc, seed);
    let path_key = serde_json::to_string(asked.path).unwrap_or_default();
    let call = asked.sequence.map(|n| format!(":{n}")).unwrap_or_default();
    let mut answer = synth.value(schema, &format!("{}:{}:{path_key}{call}", asked.op.id, asked.instance));
    let Value::Object(fields) = &mut answer else { return answer };
    let flat = synth.flatten(schema);
    let Some(props) = flat.get("properties").and_then(Value::as_object) else { return answer };
    let body = asked.body.as_object();
    let item_param = item_id_param(&asked.op.path);

    for (name, prop) in props {
        let fits = |v: &Value| spec.conforms(prop, v);
        // `id` is the path's item unless the answer names that parameter itself.
        let item = item_param.filter(|p| name == "id" && !props.contains_key(*p)).and_then(|p| asked.path.get(p));
        let echoed = body.and_then(|b| b.get(name)).or_else(|| asked.path.get(name)).or(item).filter(|v| fits(v));
        if let Some(value) = echoed {
            fields.insert(name.clone(), value.clone());
            continue;
        }
        let described = resolve(&spec.doc, prop).get("description").and_then(Value::as_str).unwrap_or("");
        if let Some((field, value)) = stated_per(described).and_then(|f| body?.get(f).map(|v| (f, v))) {
            let key = format!("{}:{name}:{field}={value}", asked.instance);
            let derived = synth.named_value(prop, name, &key);
            if fits(&derived) {
                fields.insert(name.clone(), derived);
            }
        }
    }
    // Aliases last: they copy what the loop above settled.
    for (name, prop) in props {
        let described = resolve(&spec.doc, prop).get("description").and_then(Value::as_str).unwrap_or("");
        if let Some(target) = use_instead(described).filter(|t| *t != name && props.contains_key(*t)) {
            if let Some(value) = fields.get(target).cloned().filter(|v| spec.conforms(prop, v)) {
                fields.insert(name.clone(), value);
            }
        }
    }
    answer
}

/// The path parameter naming the item an operation acts on: the last one,
/// when the path ends at it or at one action after it
/// (`/api_keys/{apiKeyID}` and `/api_keys/{apiKeyID}/revoke`, not
/// `/users/{user_id}/billing/credits`).
fn item_id_param(path: &str) -> Option<&str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let last_param = segments.iter().rposition(|s| s.starts_with('{'))?;
    (segments.len() - last_param <= 2).then(|| segments[last_param].trim_matches(|c| c == '{' || c == '}'))
}

/// `… unique per agent_name within an instance.` → `agent_name`.
fn stated_per(description: &str) -> Option<&str> {
    let lower = description.to_ascii_lowercase();
    let at = ["unique per ", "stable per "].iter().find_map(|m| lower.find(m).map(|i| i + m.len()))?;
    let rest = description[at..].trim_start_matches('`');
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// `Deprecated: use agent_task_id instead.` → `agent_task_id`.
fn use_instead(description: &str) -> Option<&str> {
    let at = description.find("use ")? + 4;
    let rest = description[at..].trim_start_matches('`');
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let field = &rest[..end];
    rest[end..].trim_start_matches('`').trim_start().starts_with("instead").then_some(field).filter(|f| !f.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_is_the_last_parameter_when_at_most_an_action_follows() {
        assert_eq!(item_id_param("/api_keys/{apiKeyID}/revoke"), Some("apiKeyID"));
        assert_eq!(item_id_param("/agents/tasks/{agent_task_id}"), Some("agent_task_id"));
        assert_eq!(item_id_param("/users/{user_id}/billing/credits"), None);
        assert_eq!(item_id_param("/agents/tasks"), None);
    }

    #[test]
    fn stated_relations_are_read_from_descriptions() {
        assert_eq!(stated_per("A stable identifier for the agent, unique per agent_name within an instance.\n"), Some("agent_name"));
        assert_eq!(stated_per("Unique per `slug`."), Some("slug"));
        assert_eq!(stated_per("A unique identifier for this agent task."), None);
        assert_eq!(use_instead("A unique identifier. Deprecated: use agent_task_id instead.\n"), Some("agent_task_id"));
        assert_eq!(use_instead("Use this to sign in instead of a password"), None);
    }
}
