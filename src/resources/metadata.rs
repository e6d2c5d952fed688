//! Clerk's metadata merge (`PATCH …/metadata`): a deep merge where an object
//! merges into an object key by key, any other value replaces, and `null`
//! deletes the key.
//!
//! ```
//! use clerk_mock::resources::metadata::deep_merge;
//! use serde_json::json;
//! let mut meta = json!({"plan": "free", "prefs": {"theme": "dark", "lang": "en"}, "old": 1});
//! deep_merge(&mut meta, &json!({"plan": "pro", "prefs": {"lang": null, "tz": "UTC"}, "old": null}));
//! assert_eq!(meta, json!({"plan": "pro", "prefs": {"theme": "dark", "tz": "UTC"}}));
//! ```

use serde_json::{Map, Value};

/// Merges `patch` into `target` (both objects; a non-object target becomes one).
pub fn deep_merge(target: &mut Value, patch: &Value) {
    let Some(patch) = patch.as_object() else { return };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(map) = target.as_object_mut() else { return };
    for (key, value) in patch {
        match value {
            Value::Null => {
                map.remove(key);
            }
            Value::Object(_) => {
                let slot = map.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
                deep_merge(slot, value);
            }
            other => {
                map.insert(key.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_replaces_a_scalar_and_nested_nulls_delete_only_their_key() {
        let mut meta = json!({"a": 1, "b": {"c": {"d": 1, "e": 2}}});
        deep_merge(&mut meta, &json!({"a": {"x": true}, "b": {"c": {"d": null}}}));
        assert_eq!(meta, json!({"a": {"x": true}, "b": {"c": {"e": 2}}}));
    }

    #[test]
    fn arrays_are_replaced_not_merged() {
        let mut meta = json!({"tags": [1, 2]});
        deep_merge(&mut meta, &json!({"tags": [3]}));
        assert_eq!(meta, json!({"tags": [3]}));
    }
}
