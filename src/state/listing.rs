//! Pure listing helpers every list handler shares: exact filters, the
//! `query` substring search and `order_by` sorting over stored JSON.
//!
//! ```
//! use clerk_mock::state::listing::{matches_query, sort_by_order};
//! let (a, b) = (serde_json::json!({"created_at": 1, "name": "Ada"}), serde_json::json!({"created_at": 2}));
//! let mut items = vec![&a, &b];
//! sort_by_order(&mut items, "");
//! assert_eq!(items[0]["created_at"], 2);
//! assert!(matches_query(&a, "ada"));
//! ```

use serde_json::Value;

/// A filter matches when the item's field equals the value (or one of them,
/// for array parameters). A field the item does not have filters nothing.
pub fn matches_filter(field: Option<&Value>, want: &Value) -> bool {
    let Some(field) = field else { return true };
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match want {
        Value::Array(options) => options.iter().any(|o| as_text(o) == as_text(field)),
        single => as_text(single) == as_text(field),
    }
}

/// Case-insensitive substring search over the item's string fields.
pub fn matches_query(item: &Value, needle: &str) -> bool {
    item.as_object()
        .map(|m| m.iter().any(|(k, v)| !k.starts_with('_') && v.as_str().map(|s| s.to_lowercase().contains(needle)).unwrap_or(false)))
        .unwrap_or(false)
}

/// Sorts by `+field` / `-field` / `field`; without one, newest first
/// (Clerk's default `-created_at`).
pub fn sort_by_order(items: &mut [&Value], order_by: &str) {
    let (descending, field) = match order_by.strip_prefix('-') {
        Some(f) => (true, f),
        None => (false, order_by.strip_prefix('+').unwrap_or(order_by)),
    };
    let (descending, field) = if field.is_empty() { (true, "created_at") } else { (descending, field) };
    items.sort_by(|a, b| {
        let ord = compare_json(a.get(field), b.get(field));
        if descending { ord.reverse() } else { ord }
    });
}

fn compare_json(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Null) | None, Some(Value::Null) | None) => Ordering::Equal,
        (Some(Value::Null) | None, _) => Ordering::Less,
        (_, Some(Value::Null) | None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ordering_follows_order_by_and_defaults_to_newest_first() {
        let a = json!({"created_at": 1, "name": "b"});
        let b = json!({"created_at": 2, "name": "a"});
        let mut items = vec![&a, &b];
        sort_by_order(&mut items, "");
        assert_eq!(items[0]["created_at"], 2);
        sort_by_order(&mut items, "+name");
        assert_eq!(items[0]["name"], "a");
        sort_by_order(&mut items, "-name");
        assert_eq!(items[0]["name"], "b");
    }

    #[test]
    fn filters_match_scalars_and_any_of_arrays() {
        assert!(matches_filter(Some(&json!("x")), &json!(["y", "x"])));
        assert!(!matches_filter(Some(&json!("x")), &json!("y")));
        assert!(matches_filter(Some(&json!(true)), &json!(true)));
    }
}
