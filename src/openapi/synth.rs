//! Values built from OpenAPI schemas: [`Synth::value`] makes a valid instance
//! of a schema (every property present; enums, formats, patterns and Clerk-style
//! ids respected; deterministic for a seed and a key). Reshaping a stored
//! object to the schema a request's API version declares is the job of
//! [`Shape`](super::shape::Shape), which uses this module for fill values.
//!
//! ```
//! use serde_json::json;
//! use clerk_mock::openapi::synth::{set_id_prefixes, Synth};
//! set_id_prefixes(clerk_mock::resources::kinds::id_prefix);
//! let doc = json!({});
//! let synth = Synth::new(&doc, 7);
//! let v = synth.value(&json!({"type": "object", "properties": {
//!     "id": {"type": "string"}, "object": {"type": "string", "enum": ["user"]},
//!     "created_at": {"type": "integer", "format": "int64"}}}), "GetUser");
//! assert!(v["id"].as_str().unwrap().starts_with("user_"));
//! assert_eq!(v, synth.value(&json!({"type": "object", "properties": {
//!     "id": {"type": "string"}, "object": {"type": "string", "enum": ["user"]},
//!     "created_at": {"type": "integer", "format": "int64"}}}), "GetUser"));
//! ```

use std::hash::{Hash, Hasher};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value};

use super::{is_nullable, resolve, undeclared_required_value};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const MAX_DEPTH: usize = 12;
/// 2025-01-01T00:00:00Z in unix ms: synthesized timestamps sit in 2025.
const BASE_TIME_MS: i64 = 1_735_689_600_000;

/// Synthesis over one spec document.
pub struct Synth<'a> {
    doc: &'a Value,
    seed: u64,
}

/// Names an object's ids: object name (`user`) → id prefix (`user`).
pub type IdPrefixes = fn(&str) -> &'static str;

static ID_PREFIXES: std::sync::OnceLock<IdPrefixes> = std::sync::OnceLock::new();

/// Hands synthesis the table of id prefixes. The OpenAPI layer knows no
/// Clerk object, so the resources layer (which declares every kind, see
/// `resources::kinds`) installs its table once at start-up; the first call
/// wins, later ones are ignored. Until then every id is `obj_…`.
pub fn set_id_prefixes(prefixes: IdPrefixes) {
    let _ = ID_PREFIXES.set(prefixes);
}

/// The id prefix of an object type, from the installed table.
pub fn id_prefix(object: &str) -> &'static str {
    ID_PREFIXES.get().map_or("obj", |prefixes| prefixes(object))
}

impl<'a> Synth<'a> {
    pub fn new(doc: &'a Value, seed: u64) -> Self {
        Synth { doc, seed }
    }

    fn rng(&self, key: &str) -> StdRng {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.seed.hash(&mut h);
        key.hash(&mut h);
        StdRng::seed_from_u64(h.finish())
    }

    /// A valid instance of `schema`, the same for the same seed and key.
    pub fn value(&self, schema: &Value, key: &str) -> Value {
        let mut rng = self.rng(key);
        self.gen(schema, "", None, &mut rng, 0)
    }

    /// Like [`Synth::value`] for the value of a property called `name`
    /// (`agent_id` gets an id, `created_at` a timestamp), seeded by `key`.
    pub fn named_value(&self, schema: &Value, name: &str, key: &str) -> Value {
        let mut rng = self.rng(key);
        self.gen(schema, name, None, &mut rng, 0)
    }

    /// `schema` with its `allOf` members merged into one object schema.
    pub fn flatten(&self, schema: &Value) -> Value {
        let schema = resolve(self.doc, schema);
        let Some(members) = schema.get("allOf").and_then(Value::as_array) else {
            return schema.clone();
        };
        let mut merged = schema.as_object().cloned().unwrap_or_default();
        merged.remove("allOf");
        let mut props = merged.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut required: Vec<Value> = merged.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
        for m in members {
            let flat = self.flatten(m);
            if let Some(p) = flat.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    props.insert(k.clone(), v.clone());
                }
            }
            if let Some(r) = flat.get("required").and_then(Value::as_array) {
                required.extend(r.iter().cloned());
            }
            if merged.get("type").is_none() {
                if let Some(t) = flat.get("type") {
                    merged.insert("type".into(), t.clone());
                }
            }
        }
        merged.insert("properties".into(), Value::Object(props));
        merged.insert("required".into(), Value::Array(required));
        Value::Object(merged)
    }

    fn gen(&self, schema: &Value, name: &str, object_kind: Option<&str>, rng: &mut StdRng, depth: usize) -> Value {
        let nullable = is_nullable(self.doc, schema);
        let schema = resolve(self.doc, schema);
        if depth > MAX_DEPTH {
            return if nullable { Value::Null } else { self.empty_of(schema) };
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            if let Some(first) = options.iter().find(|v| !v.is_null()) {
                return first.clone();
            }
        }
        if let Some(default) = schema.get("default") {
            if !default.is_null() {
                return default.clone();
            }
        }
        if schema.get("allOf").is_some() {
            if nullable && depth > 0 {
                return Value::Null;
            }
            return self.gen(&self.flatten(schema), name, object_kind, rng, depth + 1);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = super::alternatives(schema, key) {
                if nullable && depth > 0 {
                    return Value::Null;
                }
                let branch = branches.iter().find(|b| resolve(self.doc, b).get("type").and_then(Value::as_str) != Some("null"));
                return match branch {
                    Some(b) => self.gen(b, name, object_kind, rng, depth + 1),
                    None => Value::Null,
                };
            }
        }
        let ty = schema.get("type").and_then(Value::as_str).unwrap_or_else(|| {
            if schema.get("properties").is_some() { "object" } else { "" }
        });
        match ty {
            "object" => self.gen_object(schema, rng, depth),
            "array" => {
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let items = schema.get("items").cloned().unwrap_or(Value::Null);
                Value::Array((0..min).map(|_| self.gen(&items, name, None, rng, depth + 1)).collect())
            }
            "string" => Value::String(self.gen_string(schema, name, object_kind, rng)),
            "integer" => Value::from(self.gen_integer(schema, name, rng)),
            "number" => {
                let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
                serde_json::Number::from_f64(min.max(0.0) + 1.0).map(Value::Number).unwrap_or(Value::from(1))
            }
            "boolean" => Value::Bool(false),
            _ => {
                if nullable { Value::Null } else { Value::Object(Map::new()) }
            }
        }
    }

    fn empty_of(&self, schema: &Value) -> Value {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => Value::Array(vec![]),
            Some("string") => Value::String(String::new()),
            Some("integer") | Some("number") => Value::from(0),
            Some("boolean") => Value::Bool(false),
            _ => Value::Object(Map::new()),
        }
    }

    fn gen_object(&self, schema: &Value, rng: &mut StdRng, depth: usize) -> Value {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return Value::Object(Map::new());
        };
        // The `object` discriminator decides the id prefix.
        let kind = props.get("object").and_then(|o| {
            resolve(self.doc, o).get("enum").and_then(Value::as_array).and_then(|e| e.first()).and_then(Value::as_str)
        });
        let mut out = Map::new();
        for (name, sub) in props {
            out.insert(name.clone(), self.gen(sub, name, kind, rng, depth + 1));
        }
        fill_undeclared_required(schema, &mut out);
        Value::Object(out)
    }

    fn gen_integer(&self, schema: &Value, name: &str, rng: &mut StdRng) -> i64 {
        if name.ends_with("_at") || name == "iat" || name == "exp" || name == "nbf" {
            let offset = rng.random_range(0..31_536_000_000i64);
            return if name.starts_with("expire") || name == "exp" {
                BASE_TIME_MS + 2 * 31_536_000_000 + offset
            } else {
                BASE_TIME_MS + offset
            };
        }
        let min = schema.get("minimum").and_then(Value::as_i64);
        let exclusive = schema.get("exclusiveMinimum");
        let mut n = min.unwrap_or(0).max(0);
        if exclusive.and_then(Value::as_bool) == Some(true) || exclusive.map(Value::is_number).unwrap_or(false) {
            n = exclusive.and_then(Value::as_i64).unwrap_or(n) + 1;
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_i64) {
            n = n.min(max);
        }
        n
    }

    fn gen_string(&self, schema: &Value, name: &str, kind: Option<&str>, rng: &mut StdRng) -> String {
        let min_len = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            if let Some(s) = from_pattern(pattern, rng).filter(|s| s.len() >= min_len) {
                return s;
            }
        }
        if let Some(example) = schema.get("example").and_then(Value::as_str) {
            if schema.get("format").is_none() && name != "id" {
                return example.to_string();
            }
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("email") => return format!("user{}@example.com", rng.random_range(1000..9999)),
            Some("uri") | Some("url") => return format!("https://example.com/{}", random_base62(rng, 8)),
            Some("date-time") => return "2025-01-01T00:00:00Z".into(),
            Some("date") => return "2025-01-01".into(),
            Some("binary") => return String::new(),
            _ => {}
        }
        let generated = match name {
            "id" => clerk_id(id_prefix(kind.unwrap_or("")), rng),
            "email_address" => format!("user{}@example.com", rng.random_range(1000..9999)),
            "phone_number" => format!("+1{}55501{:02}", rng.random_range(201..=989), rng.random_range(0..100)),
            "first_name" => "Ada".into(),
            "last_name" => "Lovelace".into(),
            "name" => "Example".into(),
            "username" => format!("user_{}", random_base62(rng, 6).to_lowercase()),
            "slug" => format!("example-{}", random_base62(rng, 6).to_lowercase()),
            n if n.ends_with("_url") || n == "url" => format!("https://example.com/{}", random_base62(rng, 8)),
            n if n.ends_with("_id") => clerk_id(id_prefix(n.trim_end_matches("_id")), rng),
            _ => random_base62(rng, 12),
        };
        if generated.len() < min_len {
            format!("{generated}{}", "x".repeat(min_len - generated.len()))
        } else {
            generated
        }
    }
}

/// Adds the fields a schema requires but does not declare.
fn fill_undeclared_required(schema: &Value, out: &mut Map<String, Value>) {
    let Some(required) = schema.get("required").and_then(Value::as_array) else { return };
    for r in required.iter().filter_map(Value::as_str) {
        out.entry(r.to_string()).or_insert_with(|| undeclared_required_value(r));
    }
}

/// `prefix_` + 27 base62 characters.
pub fn clerk_id(prefix: &str, rng: &mut StdRng) -> String {
    format!("{prefix}_{}", random_base62(rng, 27))
}

fn random_base62(rng: &mut StdRng, n: usize) -> String {
    (0..n).map(|_| BASE62[rng.random_range(0..62)] as char).collect()
}

/// A string matching the simple regexes Clerk's specs use for ids
/// (`^user_\w{27}$`, `^(ak|api_key)_[0-9A-Fa-f]{32}$`, `^[A-Z]{2}$`, …):
/// literals, groups (first alternative), classes, `\w \d \S .`, and the
/// quantifiers `{n}`, `{n,m}`, `+`, `*`, `?`. `None` for anything else.
pub fn from_pattern(pattern: &str, rng: &mut StdRng) -> Option<String> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').unwrap_or(body);
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    gen_sequence(&chars, &mut 0, rng, &mut out)?;
    Some(out)
}

fn gen_sequence(chars: &[char], i: &mut usize, rng: &mut StdRng, out: &mut String) -> Option<()> {
    while *i < chars.len() {
        match chars[*i] {
            ')' => return Some(()),
            '|' => {
                // Skip the other alternatives of this group.
                let mut depth = 0;
                while *i < chars.len() {
                    match chars[*i] {
                        '(' => depth += 1,
                        ')' if depth == 0 => return Some(()),
                        ')' => depth -= 1,
                        '\\' => *i += 1,
                        _ => {}
                    }
                    *i += 1;
                }
                return Some(());
            }
            _ => {}
        }
        let atom_start = out.len();
        let atom: Atom = match chars[*i] {
            '(' => {
                *i += 1;
                if chars.get(*i) == Some(&'?') && chars.get(*i + 1) == Some(&':') {
                    *i += 2;
                }
                let mut inner = String::new();
                gen_sequence(chars, i, rng, &mut inner)?;
                if chars.get(*i) != Some(&')') {
                    return None;
                }
                *i += 1;
                Atom::Literal(inner)
            }
            '[' => {
                let end = chars[*i..].iter().position(|c| *c == ']')? + *i;
                let class: Vec<char> = chars[*i + 1..end].to_vec();
                *i = end + 1;
                Atom::Class(expand_class(&class)?)
            }
            '\\' => {
                let c = *chars.get(*i + 1)?;
                *i += 2;
                match c {
                    'w' => Atom::Class(BASE62.iter().map(|b| *b as char).collect()),
                    'd' => Atom::Class(('0'..='9').collect()),
                    'S' => Atom::Class(('a'..='z').collect()),
                    other => Atom::Literal(other.to_string()),
                }
            }
            '.' => {
                *i += 1;
                Atom::Class(('a'..='z').collect())
            }
            c => {
                *i += 1;
                Atom::Literal(c.to_string())
            }
        };
        let (min, _max) = quantifier(chars, i)?;
        let _ = atom_start;
        for _ in 0..min {
            match &atom {
                Atom::Literal(s) => out.push_str(s),
                Atom::Class(set) => out.push(set[rng.random_range(0..set.len())]),
            }
        }
    }
    Some(())
}

enum Atom {
    Literal(String),
    Class(Vec<char>),
}

fn expand_class(class: &[char]) -> Option<Vec<char>> {
    if class.first() == Some(&'^') {
        // A negated class: any lowercase letter not excluded.
        let excluded: Vec<char> = class[1..].to_vec();
        return Some(('a'..='z').filter(|c| !excluded.contains(c)).collect());
    }
    let mut set = Vec::new();
    let mut j = 0;
    while j < class.len() {
        if j + 2 < class.len() && class[j + 1] == '-' {
            set.extend(class[j]..=class[j + 2]);
            j += 3;
        } else {
            set.push(class[j]);
            j += 1;
        }
    }
    (!set.is_empty()).then_some(set)
}

/// Reads a quantifier after an atom; generation uses its minimum (at least 1
/// for `+`).
fn quantifier(chars: &[char], i: &mut usize) -> Option<(usize, usize)> {
    match chars.get(*i) {
        Some('{') => {
            let end = chars[*i..].iter().position(|c| *c == '}')? + *i;
            let inner: String = chars[*i + 1..end].iter().collect();
            *i = end + 1;
            let mut parts = inner.split(',');
            let min = parts.next()?.trim().parse().ok()?;
            let max = parts.next().map(|m| m.trim().parse().unwrap_or(min)).unwrap_or(min);
            Some((min, max))
        }
        Some('+') => {
            *i += 1;
            Some((1, usize::MAX))
        }
        Some('*') => {
            *i += 1;
            Some((0, usize::MAX))
        }
        Some('?') => {
            *i += 1;
            Some((0, 1))
        }
        _ => Some((1, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rng() -> StdRng {
        StdRng::seed_from_u64(1)
    }

    #[test]
    fn id_patterns_generate_matching_ids() {
        let id = from_pattern("^user_\\w{27}$", &mut rng()).unwrap();
        assert!(id.starts_with("user_") && id.len() == 32, "{id}");
        let ak = from_pattern("^(ak|api_key)_[0-9A-Fa-f]{32}$", &mut rng()).unwrap();
        assert!(ak.starts_with("ak_") && ak.len() == 35, "{ak}");
        assert_eq!(from_pattern("^[A-Z]{2}$", &mut rng()).unwrap().len(), 2);
        let oauth = from_pattern("^oauth_(?:(?:token_)|(?:custom_))?[a-z]+$", &mut rng()).unwrap();
        assert!(oauth.starts_with("oauth_") && oauth.len() > 6, "{oauth}");
    }

    #[test]
    fn synthesis_fills_every_property_and_respects_enums_and_formats() {
        let doc = json!({"components": {"schemas": {"E": {"type": "object", "properties": {
            "object": {"type": "string", "enum": ["email_address"]},
            "id": {"type": "string"},
            "email_address": {"type": "string"},
            "verified": {"type": "boolean"},
            "linked_to": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string", "format": "uri"},
            "when": {"type": "string", "format": "date-time"},
            "nick": {"type": "string", "nullable": true}
        }}}}});
        let v = Synth::new(&doc, 1).value(&json!({"$ref": "#/components/schemas/E"}), "k");
        assert_eq!(v["object"], "email_address");
        // Ids take the prefix of the installed table (`idn` once the resources layer installed it).
        assert!(v["id"].as_str().unwrap().starts_with(&format!("{}_", id_prefix("email_address"))));
        assert!(v["email_address"].as_str().unwrap().contains('@'));
        assert_eq!(v["linked_to"], json!([]));
        assert!(v["url"].as_str().unwrap().starts_with("https://"));
        assert!(v.get("nick").is_some());
    }

    #[test]
    fn synthesis_is_deterministic_for_a_seed_and_differs_between_seeds() {
        let doc = json!({});
        let s = json!({"type": "object", "properties": {"id": {"type": "string"}, "created_at": {"type": "integer"}}});
        assert_eq!(Synth::new(&doc, 1).value(&s, "a"), Synth::new(&doc, 1).value(&s, "a"));
        assert_ne!(Synth::new(&doc, 1).value(&s, "a"), Synth::new(&doc, 2).value(&s, "a"));
    }
}
