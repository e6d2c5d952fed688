//! Which requests a rule applies to: operationId, method, path (a spec
//! template or a glob), API version, deprecation, and predicates on query,
//! body and header fields.
//!
//! ```
//! use clerk_mock::scenario::matcher::glob;
//! assert!(glob("/users/*", "/users/user_123/ban"));
//! assert!(glob("*User", "CreateUser"));
//! assert!(!glob("/users/?", "/users/42"));
//! ```
//!
//! Every present condition must hold; a rule without `match` applies to every
//! API request (admin requests never see rules).

use std::cell::OnceCell;

use serde_json::{Map, Value};

use crate::openapi::{Operation, Spec};

/// What a rule can look at: the routed request, before validation.
pub struct Facts<'a> {
    pub spec: &'a Spec,
    pub op: &'a Operation,
    pub method: &'a str,
    /// The request path as sent (`/v1/users/user_1`).
    pub path: &'a str,
    pub query: &'a [(String, String)],
    /// Lower-case names.
    pub headers: &'a [(String, String)],
    pub raw_body: &'a [u8],
    pub instance: &'a str,
    /// `bapi` or `fapi` ([`Facts::on_surface`]; `bapi` unless said).
    pub surface: &'a str,
    body: OnceCell<Value>,
}

impl<'a> Facts<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        spec: &'a Spec,
        op: &'a Operation,
        method: &'a str,
        path: &'a str,
        query: &'a [(String, String)],
        headers: &'a [(String, String)],
        raw_body: &'a [u8],
        instance: &'a str,
    ) -> Facts<'a> {
        Facts { spec, op, method, path, query, headers, raw_body, instance, surface: "bapi", body: OnceCell::new() }
    }

    /// The API surface the request came in on (`bapi`, `fapi`).
    pub fn on_surface(mut self, surface: &'a str) -> Facts<'a> {
        self.surface = surface;
        self
    }

    /// The body as JSON (a form body as an object of its fields), parsed on
    /// first use only: most rules never look at it.
    pub fn body(&self) -> &Value {
        self.body.get_or_init(|| {
            if let Ok(v) = serde_json::from_slice::<Value>(self.raw_body) {
                return v;
            }
            let pairs: Map<String, Value> = form_urlencoded::parse(self.raw_body)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
            Value::Object(pairs)
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `/v1/users` and `/users` are the same path.
    fn api_path(&self) -> &str {
        match self.path.strip_prefix("/v1") {
            Some(rest) if rest.starts_with('/') => rest,
            _ => self.path,
        }
    }
}

/// A compiled `match:` block.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    pub operation_ids: Vec<String>,
    pub methods: Vec<String>,
    pub paths: Vec<String>,
    pub api_versions: Vec<String>,
    pub deprecated: Option<bool>,
    /// `bapi` / `fapi`; empty: both.
    pub surfaces: Vec<String>,
    pub query: Vec<(String, Vec<Predicate>)>,
    pub body: Vec<(String, Vec<Predicate>)>,
    pub headers: Vec<(String, Vec<Predicate>)>,
    /// Matches webhook deliveries instead of API requests.
    pub webhook: bool,
    /// Event type globs of a webhook rule (empty: every type).
    pub event_types: Vec<String>,
}

impl Matcher {
    /// Whether a webhook delivery of this event type is matched.
    pub fn matches_delivery(&self, event_type: &str) -> bool {
        self.webhook && (self.event_types.is_empty() || self.event_types.iter().any(|p| glob(p, event_type)))
    }

    pub fn matches(&self, f: &Facts) -> bool {
        let any = |list: &[String], test: &dyn Fn(&str) -> bool| list.is_empty() || list.iter().any(|p| test(p));
        !self.webhook
            && any(&self.operation_ids, &|p| glob(p, &f.op.id))
            && any(&self.methods, &|m| m.eq_ignore_ascii_case(f.method))
            && any(&self.paths, &|p| path_matches(p, f))
            && any(&self.api_versions, &|v| glob(v, &f.spec.version) || f.header("clerk-api-version").is_some_and(|h| glob(v, h)))
            && self.deprecated.is_none_or(|d| d == f.op.deprecated)
            && any(&self.surfaces, &|s| s.eq_ignore_ascii_case(f.surface))
            && self.query.iter().all(|(name, preds)| {
                let values: Vec<Value> =
                    f.query.iter().filter(|(k, _)| k == name).map(|(_, v)| Value::String(v.clone())).collect();
                let field = match values.len() {
                    0 => None,
                    1 => values.into_iter().next(),
                    _ => Some(Value::Array(values)),
                };
                preds.iter().all(|p| p.holds(field.as_ref()))
            })
            && self.headers.iter().all(|(name, preds)| {
                let field = f.header(name).map(|v| Value::String(v.to_string()));
                preds.iter().all(|p| p.holds(field.as_ref()))
            })
            && (self.body.is_empty()
                || self.body.iter().all(|(name, preds)| {
                    let field = field_at(f.body(), name);
                    preds.iter().all(|p| p.holds(field))
                }))
    }
}

/// A path pattern: with `{…}` it is a spec template compared segment by
/// segment with the operation's template; otherwise a glob over the sent path
/// (with or without `/v1`).
fn path_matches(pattern: &str, f: &Facts) -> bool {
    let pattern_api = pattern.strip_prefix("/v1").filter(|r| r.starts_with('/')).unwrap_or(pattern);
    if pattern.contains('{') {
        // Backend templates have no `/v1`, Frontend ones do: compare without it.
        let template = f.op.path.strip_prefix("/v1").filter(|r| r.starts_with('/')).unwrap_or(&f.op.path);
        let a: Vec<&str> = pattern_api.split('/').collect();
        let b: Vec<&str> = template.split('/').collect();
        return a.len() == b.len()
            && a.iter().zip(&b).all(|(x, y)| x == y || (x.starts_with('{') && y.starts_with('{')));
    }
    glob(pattern_api, f.api_path()) || glob(pattern, f.path)
}

/// `public_metadata.plan` → that nested value; `email_address.0` indexes arrays.
fn field_at<'v>(root: &'v Value, dotted: &str) -> Option<&'v Value> {
    if let Some(v) = root.get(dotted) {
        return Some(v);
    }
    dotted.split('.').try_fold(root, |v, seg| match v {
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        other => other.get(seg),
    })
}

/// One condition on a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// The field (or, for arrays, one element) equals the value, compared as text.
    Equals(Value),
    OneOf(Vec<Value>),
    /// Substring of a string field, or of one element of an array field.
    Contains(String),
    /// A glob over the field's text (or one element's).
    Glob(String),
    /// Present and not null (`true`) / absent or null (`false`).
    Exists(bool),
    Not(Box<Predicate>),
}

const OPERATORS: &[&str] = &["equals", "one_of", "contains", "matches", "exists", "not"];

impl Predicate {
    /// A YAML predicate: a scalar means equality, `null` means absent, a
    /// mapping uses the operators `equals`, `one_of`, `contains`, `matches`
    /// (glob), `exists`, `not`.
    pub fn parse(value: &Value) -> Result<Vec<Predicate>, String> {
        match value {
            Value::Null => Ok(vec![Predicate::Exists(false)]),
            Value::Array(options) => Ok(vec![Predicate::OneOf(options.clone())]),
            Value::Object(ops) => {
                let mut out = Vec::new();
                for (op, arg) in ops {
                    out.push(match (op.as_str(), arg) {
                        ("equals", v) => Predicate::Equals(v.clone()),
                        ("one_of", Value::Array(v)) => Predicate::OneOf(v.clone()),
                        ("contains", v) => Predicate::Contains(text(v)),
                        ("matches", Value::String(g)) => Predicate::Glob(g.clone()),
                        ("exists", Value::Bool(b)) => Predicate::Exists(*b),
                        ("not", v) => {
                            let inner = Predicate::parse(v)?;
                            match <[Predicate; 1]>::try_from(inner) {
                                Ok([p]) => Predicate::Not(Box::new(p)),
                                Err(_) => return Err("`not` takes exactly one condition".into()),
                            }
                        }
                        (known, _) if OPERATORS.contains(&known) => {
                            return Err(format!("`{known}` has the wrong kind of value ({arg})"))
                        }
                        (unknown, _) => {
                            return Err(format!("unknown condition `{unknown}` (use one of: {})", OPERATORS.join(", ")))
                        }
                    });
                }
                Ok(out)
            }
            scalar => Ok(vec![Predicate::Equals(scalar.clone())]),
        }
    }

    pub fn holds(&self, field: Option<&Value>) -> bool {
        let present = field.filter(|v| !v.is_null());
        let any_text = |test: &dyn Fn(&str) -> bool| match present {
            Some(Value::Array(items)) => items.iter().any(|i| test(&text(i))),
            Some(v) => test(&text(v)),
            None => false,
        };
        match self {
            Predicate::Exists(want) => present.is_some() == *want,
            Predicate::Equals(want) => any_text(&|t| t == text(want)),
            Predicate::OneOf(options) => any_text(&|t| options.iter().any(|o| t == text(o))),
            Predicate::Contains(needle) => any_text(&|t| t.contains(needle.as_str())),
            Predicate::Glob(pattern) => any_text(&|t| glob(pattern, t)),
            Predicate::Not(inner) => !inner.holds(field),
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A glob: `*` matches any run of characters (also `/`), `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs_match_any_run_and_single_characters() {
        assert!(glob("*", ""));
        assert!(glob("/users/*/ban", "/users/u1/ban"));
        assert!(!glob("/users/*/ban", "/users/u1/unban"));
        assert!(glob("Create*", "CreateUser"));
        assert!(glob("us?r", "user"));
        assert!(!glob("user", "users"));
    }

    #[test]
    fn a_scalar_predicate_matches_a_field_or_an_element_of_an_array_field() {
        let p = Predicate::parse(&json!("a@example.com")).unwrap();
        assert!(p[0].holds(Some(&json!("a@example.com"))));
        assert!(p[0].holds(Some(&json!(["b@example.com", "a@example.com"]))));
        assert!(!p[0].holds(Some(&json!("b@example.com"))));
        assert!(!p[0].holds(None));
    }

    #[test]
    fn operators_cover_contains_globs_existence_and_negation() {
        let holds = |p: Value, v: Option<Value>| Predicate::parse(&p).unwrap().iter().all(|p| p.holds(v.as_ref()));
        assert!(holds(json!({"contains": "@blocked"}), Some(json!("x@blocked.dev"))));
        assert!(holds(json!({"matches": "*@example.*"}), Some(json!(["x@example.org"]))));
        assert!(holds(json!({"exists": false}), Some(Value::Null)));
        assert!(holds(json!(null), None));
        assert!(holds(json!({"not": "admin"}), Some(json!("member"))));
        assert!(holds(json!(["10", "20"]), Some(json!(20))));
        assert!(!holds(json!({"exists": true}), None));
    }

    #[test]
    fn unknown_operators_are_reported() {
        let err = Predicate::parse(&json!({"startswith": "x"})).unwrap_err();
        assert!(err.contains("startswith") && err.contains("contains"), "{err}");
    }

    #[test]
    fn dotted_names_reach_nested_fields_and_array_elements() {
        let body = json!({"public_metadata": {"plan": "pro"}, "email_address": ["a@x.dev"]});
        assert_eq!(field_at(&body, "public_metadata.plan"), Some(&json!("pro")));
        assert_eq!(field_at(&body, "email_address.0"), Some(&json!("a@x.dev")));
        assert_eq!(field_at(&body, "missing.x"), None);
    }
}
