//! Every kind of Clerk object the mock names, in one table: each owning
//! module declares its own (`roles::ROLE`, `invitations::KIND`, …; the
//! kinds owners read from one another stand in `collections`) and this
//! table lists them, with the kinds only the generic engine or synthesis
//! serve. Synthesis takes its id prefixes from here (`id_prefix`, handed to
//! the OpenAPI layer at start-up), fixtures and the generic engine too, and a
//! test checks each prefix against the id pattern Clerk's specs declare.
//!
//! ```
//! use clerk_mock::resources::kinds;
//! assert_eq!(kinds::id_prefix("organization_membership"), "orgmem");
//! assert_eq!(kinds::id_prefix("something_new"), "obj");
//! ```

use crate::resources::organizations::roles_permissions as roles;
use crate::resources::frontend::attempts;
use crate::resources::{allowlist, collections, identifiers, invitations, outbox};
use crate::state::Kind;
use crate::resources::tokens;

/// Kinds served by the generic engine or only synthesized: no module owns them.
const SERVED_GENERICALLY: &[Kind] = &[
    Kind::inline("instance", "ins"),
    Kind::inline("domain", "dmn"),
    Kind::inline("machine", "mch"),
    Kind::inline("redirect_url", "ru"),
    Kind::inline("oauth_application", "oa"),
    Kind::inline("saml_connection", "samlc"),
    Kind::inline("enterprise_connection", "entc"),
    Kind::inline("waitlist_entry", "wle"),
    Kind::inline("proxy_check", "prxc"),
    Kind::inline("template", "tmpl"),
];

/// The kinds the resource modules declare, owner by owner.
const OWNED: &[Kind] = &[
    collections::USER,
    collections::SESSION,
    collections::CLIENT,
    collections::ORGANIZATION,
    collections::MEMBERSHIP,
    collections::INVITATION,
    collections::DOMAIN,
    roles::ROLE,
    roles::PERMISSION,
    invitations::KIND,
    allowlist::ALLOWLIST,
    allowlist::BLOCKLIST,
    tokens::jwt_templates::KIND,
    tokens::sign_in::KIND,
    tokens::actor::KIND,
    tokens::testing::KIND,
    outbox::EMAIL,
    outbox::SMS_MESSAGE,
    attempts::SIGN_IN,
    attempts::SIGN_UP,
];

/// Every kind: owned ones, identifications (inline in their user), generic ones.
pub fn all() -> impl Iterator<Item = &'static Kind> {
    OWNED.iter().chain(identifiers::INLINE_KINDS).chain(SERVED_GENERICALLY)
}

/// The kind of an `object` name.
pub fn of_object(object: &str) -> Option<&'static Kind> {
    all().find(|k| k.object == object)
}

/// The id prefix of an `object` name; `obj` for a kind nobody declared.
pub fn id_prefix(object: &str) -> &'static str {
    of_object(object).map_or("obj", |k| k.prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ids::{make_hex_id, make_id};
    use serde_json::{json, Value};

    /// Clerk's Backend API specs beside the checkout.
    fn specs() -> Vec<Value> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/clerk-openapi");
        let mut docs = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("Clerk's specs in ../shared/clerk-openapi").flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) == Some("json") {
                docs.push(serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap());
            }
        }
        docs
    }

    /// Every `(object name, id pattern)` a spec declares, anywhere in it:
    /// a patterned `id` beside an `object` enum, a patterned `{object}_id`
    /// property or parameter.
    fn declared_patterns(node: &Value, found: &mut Vec<(String, String)>) {
        match node {
            Value::Object(map) => {
                if let Some(props) = map.get("properties").and_then(Value::as_object) {
                    for (name, prop) in props {
                        let Some(pattern) = prop["pattern"].as_str() else { continue };
                        let object = match name.as_str() {
                            "id" => props.get("object").and_then(|o| o["enum"][0].as_str()),
                            // Clerk's `created_by` is always a user's id.
                            "created_by" => Some("user"),
                            other => other.strip_suffix("_id"),
                        };
                        if let Some(object) = object {
                            found.push((object.to_string(), pattern.to_string()));
                        }
                    }
                }
                if let (Some(name), Some(pattern)) = (map.get("name").and_then(Value::as_str), map.get("schema").and_then(|s| s["pattern"].as_str())) {
                    if let Some(object) = name.strip_suffix("_id") {
                        found.push((object.to_string(), pattern.to_string()));
                    }
                }
                map.values().for_each(|v| declared_patterns(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| declared_patterns(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_kind_names_its_ids_the_way_the_specs_pattern_them() {
        let mut checked = 0;
        let mut seen = std::collections::BTreeSet::new();
        for doc in specs() {
            let mut found = Vec::new();
            declared_patterns(&doc, &mut found);
            for (object, pattern) in found {
                let Some(kind) = of_object(&object) else { continue };
                let matcher = jsonschema::validator_for(&json!({"type": "string", "pattern": pattern})).unwrap();
                let (base62, hex) = (make_id(kind.prefix, 1, "sk_test_a", 7), make_hex_id(kind.prefix, 1, "sk_test_a", 7));
                assert!(
                    matcher.is_valid(&json!(base62)) || matcher.is_valid(&json!(hex)),
                    "{object}: ids `{base62}` do not match the spec's pattern {pattern}"
                );
                checked += 1;
                seen.insert(object);
            }
        }
        assert!(checked >= 10, "only {checked} declared id patterns were checked");
        assert!(seen.len() >= 3, "only {seen:?} had declared id patterns");
    }

    #[test]
    fn no_object_name_is_declared_twice() {
        let mut names: Vec<&str> = all().map(|k| k.object).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
