//! The scenario document (YAML or JSON) and its compilation into rules.
//!
//! ```yaml
//! name: rate-limit-429
//! description: Every Nth request answers 429 with Retry-After.
//! params: { every: 5, retry_after: "1" }   # defaults; override with `rate-limit-429?every=2`
//! rules:
//!   - name: too-many-requests
//!     match: { method: [GET, POST] }        # operation_id, method, path, api_version,
//!                                           # deprecated, query, body, headers
//!     every: "{{every}}"                    # also: times, after, probability, priority
//!     delay: 100ms..300ms                   # optional
//!     respond:                              # or `drop: true`, or nothing (delay only)
//!       status: 429
//!       error: { code: too_many_requests, long_message: "Slow down." }
//!       headers: { Retry-After: "{{retry_after}}" }
//! ```
//!
//! `{{name}}` is replaced by a parameter; a string that is exactly one
//! placeholder takes the parameter's type (`every: "{{every}}"` is a number).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::action::{Action, CannedError, Delay, Respond};
use super::matcher::{Matcher, Predicate};

/// A scenario file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub params: Map<String, Value>,
    pub rules: Vec<RuleDoc>,
}

/// One rule as written (after parameters are filled in).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i64,
    #[serde(default, rename = "match", skip_serializing_if = "MatchDoc::is_empty")]
    pub matcher: MatchDoc,
    /// Fire at most this many times, then the rule has expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Let the first N matching requests through.
    #[serde(default, skip_serializing_if = "is_zero_u")]
    pub after: u64,
    /// Fire on every Nth match only (counting after `after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Fire on this share of matches, decided by the seed (0.0–1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Value>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<RespondDoc>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}
fn is_zero_u(n: &u64) -> bool {
    *n == 0
}

/// `match:` as written; lists accept a single value too.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
    /// `bapi` (the Backend API) or `fapi` (the Frontend API); absent: both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub query: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub body: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    /// `true`: the rule applies to webhook deliveries, not API requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<bool>,
    /// Webhook event types (globs like `user.*`); implies `webhook: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<OneOrMany>,
}

impl MatchDoc {
    fn is_empty(&self) -> bool {
        self.operation_id.is_none()
            && self.method.is_none()
            && self.path.is_none()
            && self.api_version.is_none()
            && self.surface.is_none()
            && self.deprecated.is_none()
            && self.query.is_empty()
            && self.body.is_empty()
            && self.headers.is_empty()
            && self.webhook.is_none()
            && self.event_type.is_none()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RespondDoc {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ErrorDoc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub priority: i64,
    pub matcher: Matcher,
    pub times: Option<u64>,
    pub after: u64,
    pub every: Option<u64>,
    pub probability: Option<f64>,
    pub delay: Option<Delay>,
    pub action: Action,
    /// As written, for listing.
    pub doc: RuleDoc,
}

/// A compiled scenario: a name and its rules.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Where it came from: `bundled`, a file path, or `admin`.
    pub source: String,
    pub params: Map<String, Value>,
    pub rules: Vec<Rule>,
}

/// Parses YAML (or JSON) text into a scenario value tree, YAML 1.2 booleans only.
pub fn parse_text(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str_with_options::<Value>(text, serde_saphyr::options! { strict_booleans: true })
        .map_err(|e| e.to_string())
}

/// Compiles a scenario document. `overrides` replace the document's
/// parameter defaults; `fallback_name` names a document without `name`.
pub fn compile(doc: &Value, overrides: &Map<String, Value>, fallback_name: &str, source: &str) -> Result<Scenario, String> {
    let mut params = doc.get("params").and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, v) in overrides {
        if !params.contains_key(k) {
            let known: Vec<&String> = params.keys().collect();
            return Err(format!("unknown parameter `{k}` (this scenario takes: {known:?})"));
        }
        params.insert(k.clone(), v.clone());
    }
    // Defaults may refer to other parameters (`long_message: "… {{param}} …"`).
    let snapshot = params.clone();
    for v in params.values_mut() {
        substitute(v, &snapshot)?;
    }
    let mut filled = doc.clone();
    if let Some(rules) = filled.get_mut("rules") {
        substitute(rules, &params)?;
    }
    let parsed: ScenarioDoc = serde_json::from_value(filled).map_err(|e| format!("not a scenario: {e}"))?;
    let name = parsed.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| fallback_name.to_string());
    if parsed.rules.is_empty() {
        return Err("a scenario needs at least one rule under `rules:`".into());
    }
    let rules = parsed
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let label = r.name.clone().unwrap_or_else(|| format!("{name}#{}", i + 1));
            compile_rule(r, &label).map_err(|e| format!("rule {} (`{label}`): {e}", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario { name, description: parsed.description, source: source.to_string(), params, rules })
}

fn compile_rule(doc: &RuleDoc, name: &str) -> Result<Rule, String> {
    let m = &doc.matcher;
    let predicates = |map: &Map<String, Value>, what: &str| -> Result<Vec<(String, Vec<Predicate>)>, String> {
        map.iter()
            .map(|(k, v)| Predicate::parse(v).map(|p| (k.clone(), p)).map_err(|e| format!("match.{what}.{k}: {e}")))
            .collect()
    };
    let matcher = Matcher {
        operation_ids: m.operation_id.as_ref().map(OneOrMany::to_vec).unwrap_or_default(),
        methods: m.method.as_ref().map(OneOrMany::to_vec).unwrap_or_default(),
        paths: m.path.as_ref().map(OneOrMany::to_vec).unwrap_or_default(),
        api_versions: m.api_version.as_ref().map(OneOrMany::to_vec).unwrap_or_default(),
        deprecated: m.deprecated,
        surfaces: m.surface.as_ref().map(OneOrMany::to_vec).unwrap_or_default(),
        query: predicates(&m.query, "query")?,
        body: predicates(&m.body, "body")?,
        headers: predicates(&m.headers, "headers")?,
        webhook: m.webhook.unwrap_or(false) || m.event_type.is_some(),
        event_types: m.event_type.as_ref().map(OneOrMany::to_vec).unwrap_or_default(),
    };
    if let Some(bad) = matcher.surfaces.iter().find(|s| !matches!(s.as_str(), "bapi" | "fapi")) {
        return Err(format!("match.surface must be `bapi` or `fapi`, not `{bad}`"));
    }
    if matcher.webhook && !(matcher.operation_ids.is_empty() && matcher.methods.is_empty() && matcher.paths.is_empty() && matcher.query.is_empty() && matcher.body.is_empty() && matcher.headers.is_empty()) {
        return Err("a webhook rule (`webhook: true` / `event_type`) matches deliveries, not requests: drop operation_id, method, path, query, body and headers".into());
    }
    if doc.every == Some(0) {
        return Err("`every` must be 1 or more".into());
    }
    if let Some(p) = doc.probability {
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("`probability` must be between 0 and 1, not {p}"));
        }
    }
    let delay = doc.delay.as_ref().map(Delay::parse).transpose()?;
    let action = match (&doc.respond, doc.drop) {
        (Some(_), true) => return Err("a rule either answers (`respond`) or drops the connection (`drop`), not both".into()),
        (None, true) => Action::Drop,
        (Some(r), false) => Action::Respond(compile_respond(r)?),
        (None, false) if delay.is_some() => Action::Continue,
        (None, false) => return Err("the rule does nothing: give it `respond`, `drop: true` or `delay`".into()),
    };
    Ok(Rule {
        name: name.to_string(),
        priority: doc.priority,
        matcher,
        times: doc.times,
        after: doc.after,
        every: doc.every,
        probability: doc.probability,
        delay,
        action,
        doc: doc.clone(),
    })
}

fn compile_respond(r: &RespondDoc) -> Result<Respond, String> {
    if !(100..=599).contains(&r.status) {
        return Err(format!("respond.status {} is not an HTTP status", r.status));
    }
    if r.body.is_some() && (r.error.is_some() || r.errors.is_some()) {
        return Err("respond takes `body` or `error`/`errors`, not both".into());
    }
    let errors = r.error.iter().chain(r.errors.iter().flatten()).map(|e| CannedError {
        code: e.code.clone(),
        message: e.message.clone(),
        long_message: e.long_message.clone(),
        meta: e.meta.clone(),
    });
    let headers = r
        .headers
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            Value::Number(n) => Ok((k.clone(), n.to_string())),
            other => Err(format!("respond.headers.{k} must be a string or number, not {other}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Respond { status: r.status, errors: errors.collect(), body: r.body.clone(), headers })
}

/// Replaces `{{name}}` placeholders in every string of the tree.
fn substitute(value: &mut Value, params: &Map<String, Value>) -> Result<(), String> {
    match value {
        Value::String(s) if s.contains("{{") => {
            let trimmed = s.trim();
            if let Some(name) = trimmed.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")).filter(|n| !n.contains("{{")) {
                let name = name.trim();
                *value = params.get(name).cloned().ok_or_else(|| format!("unknown parameter `{{{{{name}}}}}`"))?;
                return Ok(());
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                out.push_str(&rest[..start]);
                let end = rest[start..].find("}}").ok_or_else(|| format!("unclosed placeholder in `{s}`"))? + start;
                let name = rest[start + 2..end].trim();
                let v = params.get(name).ok_or_else(|| format!("unknown parameter `{{{{{name}}}}}`"))?;
                out.push_str(&match v {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                });
                rest = &rest[end + 2..];
            }
            out.push_str(rest);
            *s = out;
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| substitute(v, params)),
        Value::Object(map) => map.values_mut().try_for_each(|v| substitute(v, params)),
        _ => Ok(()),
    }
}

/// `a=1&b=x` → parameters; values that read as JSON (numbers, booleans,
/// null) take that type.
pub fn parse_params(query: &str) -> Map<String, Value> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| {
            let typed = serde_json::from_str::<Value>(&v).ok().filter(|t| !t.is_object() && !t.is_array() && !t.is_string());
            (k.into_owned(), typed.unwrap_or(Value::String(v.into_owned())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(yaml: &str) -> Value {
        parse_text(yaml).unwrap()
    }

    #[test]
    fn placeholders_take_the_parameters_type_or_are_spliced_into_text() {
        let d = doc("params: {every: 3, what: users}\nrules:\n  - every: '{{every}}'\n    match: {path: '/{{what}}/*'}\n    drop: true\n");
        let s = compile(&d, &Map::new(), "x", "test").unwrap();
        assert_eq!(s.rules[0].every, Some(3));
        assert_eq!(s.rules[0].matcher.paths, vec!["/users/*".to_string()]);
        let s = compile(&d, &parse_params("every=7"), "x", "test").unwrap();
        assert_eq!(s.rules[0].every, Some(7));
    }

    #[test]
    fn unknown_parameters_and_fields_are_reported() {
        let d = doc("params: {every: 3}\nrules: [{drop: true}]\n");
        assert!(compile(&d, &parse_params("evry=2"), "x", "t").unwrap_err().contains("evry"));
        let d = doc("rules: [{drop: true, tims: 2}]\n");
        assert!(compile(&d, &Map::new(), "x", "t").unwrap_err().contains("tims"));
    }

    #[test]
    fn a_rule_that_does_nothing_or_everything_is_refused() {
        let nothing = doc("rules: [{match: {method: GET}}]\n");
        assert!(compile(&nothing, &Map::new(), "x", "t").unwrap_err().contains("does nothing"));
        let both = doc("rules: [{drop: true, respond: {status: 500}}]\n");
        assert!(compile(&both, &Map::new(), "x", "t").unwrap_err().contains("not both"));
    }

    #[test]
    fn yaml_one_point_one_booleans_stay_strings() {
        let d = doc("rules: [{match: {query: {flag: no}}, drop: true}]\n");
        assert_eq!(d["rules"][0]["match"]["query"]["flag"], json!("no"));
    }
}
