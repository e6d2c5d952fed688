//! `GET /users` and `GET /users/count`: every filter the specs declare,
//! `order_by`, `limit` / `offset` / `starting_after`.
//!
//! Exact filters (`user_id`, `email_address`, `phone_number`, `username`,
//! `external_id`, `web3_wallet`) go through the identifier indexes, so a
//! filtered list over 100k users touches only the matches; the other filters
//! narrow what is left. Values of one parameter are OR-ed, parameters AND-ed.
//!
//! ```text
//! GET /v1/users?email_address=a@x.io&email_address=b@x.io&banned=false&order_by=+username
//! ```

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::index;
use super::model::primary_text;
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::state::Store;
use crate::resources::collections::USERS;

pub fn list_users(ctx: &Ctx) -> Result<Reply, ApiError> {
    let order = Order::parse(ctx.query.get("order_by").and_then(Value::as_str).unwrap_or(""))?;
    let mut store = ctx.instance.store.lock();
    index::ensure_fresh(&mut store);
    if let Some(page) = unfiltered_page_by_creation(ctx, &store, &order) {
        return Ok(page);
    }
    let mut matched = matching_ids(&store, &ctx.query);
    order.sort(&store, &mut matched);
    let total = matched.len();
    let start = match ctx.query.get("starting_after").and_then(Value::as_str) {
        Some(cursor) => matched.iter().position(|id| id == cursor).map(|i| i + 1).unwrap_or(total),
        None => 0,
    };
    let (limit, offset) = ctx.page();
    let ids = matched.into_iter().skip(start + offset).take(limit).collect();
    Ok(Reply::StoredList { collection: "users".into(), ids, total_count: total })
}

/// The common case — no filter, ordered by `created_at` — read off the
/// ordered index: a page costs its size, not the number of users.
fn unfiltered_page_by_creation(ctx: &Ctx, store: &Store, order: &Order) -> Option<Reply> {
    let paging_only = ctx.query.keys().all(|k| matches!(k.as_str(), "limit" | "offset" | "order_by"));
    let users = store.collection(USERS).map(|c| c.items.len()).unwrap_or(0);
    let ordered = store.indexes.ordered(index::CREATED_AT);
    if !paging_only || order.field != "created_at" || ordered.map(|o| o.len()).unwrap_or(0) != users {
        return None;
    }
    let ordered = ordered?;
    let (limit, offset) = ctx.page();
    let ids: Vec<String> = if order.descending {
        ordered.iter().rev().skip(offset).take(limit).map(|(_, id)| id.clone()).collect()
    } else {
        ordered.iter().skip(offset).take(limit).map(|(_, id)| id.clone()).collect()
    };
    Some(Reply::StoredList { collection: "users".into(), ids, total_count: users })
}

pub fn count_users(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    index::ensure_fresh(&mut store);
    // No filter: every user counts, without decoding them all.
    let total = if ctx.query.is_empty() {
        store.collection(USERS).map_or(0, |c| c.items.len())
    } else {
        matching_ids(&store, &ctx.query).len()
    };
    Ok(Reply::Object(json!({"object": "total_count", "total_count": total})))
}

fn strings(query: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    match query.get(name)? {
        Value::Array(items) => Some(items.iter().map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string())).collect()),
        Value::String(s) => Some(vec![s.clone()]),
        other => Some(vec![other.to_string()]),
    }
}

/// Users owning any of the values, through one index table.
fn by_index(store: &Store, table: &str, values: &[String], normalize: fn(&str) -> String) -> HashSet<String> {
    values.iter().filter_map(|v| index::owner(store, table, &normalize(v))).collect()
}

/// A query parameter answered by an index table, with the key normalizer.
type ExactFilter = (&'static str, &'static str, fn(&str) -> String);

/// The ids of the users matching every filter of a query, in creation order.
///
/// Index answers are exact (`index::owner`, the trigram search), so a user
/// is decoded only when a filter the indexes cannot answer is left to check:
/// `email_address=` or `query=` over 100k users renders its one match from
/// the render cache without decoding anyone.
pub fn matching_ids(store: &Store, query: &Map<String, Value>) -> Vec<String> {
    let mut candidates: Option<HashSet<String>> = None;
    let mut narrow = |set: HashSet<String>| {
        candidates = Some(match candidates.take() {
            Some(prev) => prev.intersection(&set).cloned().collect(),
            None => set,
        });
    };
    if let Some(ids) = strings(query, "user_id") {
        narrow(ids.into_iter().filter(|id| store.contains(USERS, id)).collect());
    }
    let exact: [ExactFilter; 5] = [
        ("email_address", index::EMAIL, index::normalize_email),
        ("phone_number", index::PHONE, index::normalize_phone),
        ("username", index::USERNAME, index::normalize_username),
        ("web3_wallet", index::WEB3, index::normalize_web3),
        ("external_id", index::EXTERNAL_ID, |s: &str| s.to_string()),
    ];
    for (param, table, normalize) in exact {
        if let Some(values) = strings(query, param) {
            narrow(by_index(store, table, &values, normalize));
        }
    }
    if let Some(orgs) = strings(query, "organization_id") {
        let orgs: HashSet<String> = orgs.into_iter().collect();
        narrow(crate::resources::organizations::memberships::member_ids_of_any(store, &orgs));
    }
    // `query` and the field searches: the users whose search text (every
    // searched field, lowercase) contains the needle, from the trigram
    // index; the predicates below then check the named field itself.
    let search = store.indexes.search(index::SEARCH);
    if let Some(search) = search {
        for param in SUBSTRING_FILTERS {
            if let Some(q) = lower(query, param) {
                narrow(search.matching(&q).into_iter().map(String::from).collect());
            }
        }
    }
    let mut rest = Predicates::from_query(query);
    let Some(ids) = candidates else {
        return store.iter(USERS).filter(|u| rest.matches(u)).filter_map(|u| u["id"].as_str().map(String::from)).collect();
    };
    // A search hit already answers `query=` (see [`search_hit_answers_query`]).
    if search.is_some() && rest.query.as_deref().is_some_and(search_hit_answers_query) {
        rest.query = None;
    }
    let Some(users) = store.collection(USERS) else { return Vec::new() };
    let mut found: Vec<(usize, String)> = ids
        .into_iter()
        .filter(|id| rest.is_empty() || users.items.get(id).is_some_and(|u| rest.matches(u)))
        .filter_map(|id| Some((users.items.get_index_of(&id)?, id)))
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, id)| id).collect()
}

/// Whether a search-index hit for `needle` is exactly what the `query`
/// predicate answers, so the user need not be decoded to check it.
///
/// The search text is the searched fields lowercased, one per line, with the
/// names joined by a space as the predicate joins them. A needle without a
/// line break is in that text exactly when it is in one of the fields (or in
/// "first last"). Lowercasing the joined text is lowercasing each field: the
/// one rule that looks at neighbours, Greek final sigma, does not look past
/// a space or a line break. The property test below mixes `Σ`, `ß`, `É`,
/// dots, spaces and line breaks to hold this to the predicate.
///
/// ```text
/// needle "ada l"   → answered by the hit on "ada lovelace\nada@example.com\nuser_1"
/// needle "lace\nada" → checked on the user (it would span two fields)
/// ```
fn search_hit_answers_query(needle: &str) -> bool {
    !needle.contains('\n')
}

/// The substring filters; each searched field is part of the user's search text.
const SUBSTRING_FILTERS: [&str; 5] = ["query", "email_address_query", "phone_number_query", "username_query", "name_query"];

/// The filters that are not index lookups.
struct Predicates {
    query: Option<String>,
    email_query: Option<String>,
    phone_query: Option<String>,
    username_query: Option<String>,
    name_query: Option<String>,
    banned: Option<bool>,
    /// (field, bound, comparison) for the time ranges.
    ranges: Vec<(&'static str, i64, Bound)>,
    provider: Option<String>,
    provider_user_ids: Option<Vec<String>>,
}

#[derive(Clone, Copy)]
enum Bound {
    Before,
    After,
    Since,
}

fn lower(query: &Map<String, Value>, name: &str) -> Option<String> {
    query.get(name).and_then(Value::as_str).map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty())
}

impl Predicates {
    /// Whether no filter is left to check on the user itself.
    fn is_empty(&self) -> bool {
        self.query.is_none()
            && self.email_query.is_none()
            && self.phone_query.is_none()
            && self.username_query.is_none()
            && self.name_query.is_none()
            && self.banned.is_none()
            && self.ranges.is_empty()
            && self.provider.is_none()
            && self.provider_user_ids.is_none()
    }

    fn from_query(query: &Map<String, Value>) -> Predicates {
        let mut ranges = Vec::new();
        for (param, field, bound) in [
            ("created_at_before", "created_at", Bound::Before),
            ("created_at_after", "created_at", Bound::After),
            ("last_active_at_before", "last_active_at", Bound::Before),
            ("last_active_at_after", "last_active_at", Bound::After),
            ("last_active_at_since", "last_active_at", Bound::Since),
            ("last_sign_in_at_before", "last_sign_in_at", Bound::Before),
            ("last_sign_in_at_after", "last_sign_in_at", Bound::After),
        ] {
            if let Some(at) = query.get(param).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))) {
                ranges.push((field, at, bound));
            }
        }
        Predicates {
            query: lower(query, "query"),
            email_query: lower(query, "email_address_query"),
            phone_query: lower(query, "phone_number_query"),
            username_query: lower(query, "username_query"),
            name_query: lower(query, "name_query"),
            banned: query.get("banned").and_then(Value::as_bool),
            ranges,
            provider: query.get("provider").and_then(Value::as_str).map(String::from),
            provider_user_ids: strings(query, "provider_user_id"),
        }
    }

    fn matches(&self, user: &Value) -> bool {
        if let Some(b) = self.banned {
            if user["banned"].as_bool() != Some(b) {
                return false;
            }
        }
        for (field, at, bound) in &self.ranges {
            let Some(value) = user[*field].as_i64() else { return false };
            let ok = match bound {
                Bound::Before => value < *at,
                Bound::After => value > *at,
                Bound::Since => value >= *at,
            };
            if !ok {
                return false;
            }
        }
        // Searches run over 100k users: compare in place, allocate nothing.
        let in_array = |array: &str, field: &str, needle: &str| {
            user[array].as_array().map(|a| a.iter().any(|i| i[field].as_str().map(|t| contains_ci(t, needle)).unwrap_or(false))).unwrap_or(false)
        };
        let in_field = |f: &str, needle: &str| user[f].as_str().map(|t| contains_ci(t, needle)).unwrap_or(false);
        let in_name = |needle: &str| {
            if in_field("first_name", needle) || in_field("last_name", needle) {
                return true;
            }
            // "ada love" spans both names.
            needle.contains(' ')
                && contains_ci(&format!("{} {}", user["first_name"].as_str().unwrap_or(""), user["last_name"].as_str().unwrap_or("")), needle)
        };
        if let Some(q) = &self.email_query {
            if !in_array("email_addresses", "email_address", q) {
                return false;
            }
        }
        if let Some(q) = &self.phone_query {
            if !in_array("phone_numbers", "phone_number", q) {
                return false;
            }
        }
        if let Some(q) = &self.username_query {
            if !in_field("username", q) {
                return false;
            }
        }
        if let Some(q) = &self.name_query {
            if !in_name(q) {
                return false;
            }
        }
        if let Some(q) = &self.query {
            let hit = in_name(q)
                || in_array("email_addresses", "email_address", q)
                || in_array("phone_numbers", "phone_number", q)
                || in_array("web3_wallets", "web3_wallet", q)
                || ["username", "id", "external_id"].iter().any(|f| in_field(f, q));
            if !hit {
                return false;
            }
        }
        if self.provider.is_some() || self.provider_user_ids.is_some() {
            let accounts = user["external_accounts"].as_array().cloned().unwrap_or_default();
            let hit = accounts.iter().any(|a| {
                let provider_ok = self.provider.as_deref().map(|p| {
                    let have = a["provider"].as_str().unwrap_or("");
                    have == p || have.strip_prefix("oauth_") == Some(p)
                });
                let id_ok = self.provider_user_ids.as_ref().map(|ids| {
                    a["provider_user_id"].as_str().map(|id| ids.iter().any(|w| w == id)).unwrap_or(false)
                });
                provider_ok.unwrap_or(true) && id_ok.unwrap_or(true)
            });
            if !hit {
                return false;
            }
        }
        true
    }
}

/// Whether `haystack` contains `needle_lower` (already lowercase), ignoring
/// case, without allocating for ASCII text.
fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if haystack.is_ascii() && needle_lower.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle_lower.as_bytes());
        return h.len() >= n.len() && h.windows(n.len()).any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    haystack.to_lowercase().contains(needle_lower)
}

/// `order_by`: `[+|-]field`, default `-created_at`.
struct Order {
    field: &'static str,
    descending: bool,
}

/// Fields Clerk lets a user list be ordered by.
const ORDER_FIELDS: &[&str] = &[
    "created_at", "updated_at", "email_address", "web3wallet", "first_name", "last_name", "phone_number",
    "username", "last_active_at", "last_sign_in_at",
];

#[derive(PartialEq, PartialOrd)]
enum Key {
    Int(i64),
    Text(String),
    Missing,
}

impl Order {
    fn parse(text: &str) -> Result<Order, ApiError> {
        let text = text.trim();
        let (descending, name) = match text.strip_prefix('-') {
            Some(f) => (true, f),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        if name.is_empty() {
            return Ok(Order { field: "created_at", descending: true });
        }
        match ORDER_FIELDS.iter().find(|f| **f == name) {
            Some(field) => Ok(Order { field, descending }),
            None => Err(ApiError::param_invalid(
                "order_by",
                format!("{name} is not a valid order_by field; use one of {}.", ORDER_FIELDS.join(", ")),
            )),
        }
    }

    fn key(&self, user: &Value) -> Key {
        let text = |t: Option<&str>| t.map(|s| Key::Text(s.to_lowercase())).unwrap_or(Key::Missing);
        match self.field {
            "email_address" => text(primary_text(user, "email_addresses", "primary_email_address_id", "email_address")),
            "phone_number" => text(primary_text(user, "phone_numbers", "primary_phone_number_id", "phone_number")),
            "web3wallet" => text(primary_text(user, "web3_wallets", "primary_web3_wallet_id", "web3_wallet")),
            f => match &user[f] {
                Value::Number(n) => Key::Int(n.as_i64().unwrap_or(0)),
                Value::String(s) => Key::Text(s.to_lowercase()),
                _ => Key::Missing,
            },
        }
    }

    /// Sorts ids stably by their users' field; users without the field come
    /// last either way. One id or none needs no user decoded.
    fn sort(&self, store: &Store, ids: &mut Vec<String>) {
        if ids.len() < 2 {
            return;
        }
        let mut keyed: Vec<(Key, String)> =
            std::mem::take(ids).into_iter().map(|id| (store.get(USERS, &id).map_or(Key::Missing, |u| self.key(u)), id)).collect();
        keyed.sort_by(|(a, _), (b, _)| {
            use std::cmp::Ordering;
            match (a, b) {
                (Key::Missing, Key::Missing) => Ordering::Equal,
                (Key::Missing, _) => Ordering::Greater,
                (_, Key::Missing) => Ordering::Less,
                _ => {
                    let ord = a.partial_cmp(b).unwrap_or(Ordering::Equal);
                    if self.descending { ord.reverse() } else { ord }
                }
            }
        });
        *ids = keyed.into_iter().map(|(_, id)| id).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_search_matches_ascii_and_unicode_text() {
        assert!(contains_ci("Ada.Lovelace@Example.com", "lovelace@ex"));
        assert!(!contains_ci("ada@example.com", "grace"));
        assert!(contains_ci("ÉLODIE", "élo"));
        assert!(contains_ci("short", ""));
        assert!(!contains_ci("ab", "abc"));
    }

    #[test]
    fn order_by_accepts_clerks_fields_with_a_direction_and_rejects_others() {
        assert!(Order::parse("-created_at").unwrap().descending);
        assert!(!Order::parse("+username").unwrap().descending);
        assert_eq!(Order::parse("").unwrap().field, "created_at");
        assert_eq!(Order::parse("password").err().unwrap().errors[0].code, "form_param_value_invalid");
    }

    #[test]
    fn a_query_spanning_two_fields_finds_no_user_though_the_search_text_holds_it() {
        let mut store = Store::new(1, "sk_test_span");
        index::replace_user(&mut store, json!({
            "id": "user_1", "first_name": "Ada", "last_name": "Lovelace",
            "email_addresses": [{"id": "idn_1", "email_address": "ada@example.com"}],
        }));
        let mut query = Map::new();
        query.insert("query".into(), json!("lovelace\nada@"));
        assert!(store.indexes.search(index::SEARCH).unwrap().text("user_1").unwrap().contains("lovelace\nada@"));
        assert!(matching_ids(&store, &query).is_empty());
        query.insert("query".into(), json!("ADA LOVE"));
        assert_eq!(matching_ids(&store, &query), ["user_1"]);
    }

    /// The index against the scan it replaces: random users (non-ASCII
    /// names and identifiers), random creates, updates and deletes, and
    /// after each step every substring filter answers the same users in the
    /// same order as `Predicates` over every user, and so does an exact
    /// filter added to it (identifiers are unique, as the create rules keep them).
    #[test]
    fn substring_filters_served_by_the_index_answer_exactly_what_a_scan_answers() {
        use rand::rngs::StdRng;
        use rand::{RngExt, SeedableRng};
        const PIECES: &[&str] = &["a", "d", "A", "É", "é", "ß", "Σ", "中", "😀", " ", "@", ".", "-", "1", "+", "\n", "'"];
        let word = |rng: &mut StdRng, max: usize| -> String {
            let n = rng.random_range(0..=max);
            (0..n).map(|_| PIECES[rng.random_range(0..PIECES.len())]).collect()
        };
        for seed in 0..12u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut store = Store::new(seed, "sk_test_search");
            for step in 0..150 {
                let id = format!("user_{}", rng.random_range(0..40));
                if rng.random_range(0..5) == 0 {
                    super::super::remove_user(&mut store, &id);
                } else {
                    let user = json!({
                        "id": id, "object": "user", "created_at": step,
                        "first_name": word(&mut rng, 5), "last_name": word(&mut rng, 5),
                        "username": format!("{}{id}", word(&mut rng, 4)), "external_id": word(&mut rng, 4),
                        "email_addresses": [{"id": format!("idn_e{step}"), "email_address": format!("{}{id}", word(&mut rng, 6))}],
                        "phone_numbers": [{"id": format!("idn_p{step}"), "phone_number": word(&mut rng, 4)}],
                    });
                    index::replace_user(&mut store, user);
                }
                let param = SUBSTRING_FILTERS[rng.random_range(0..SUBSTRING_FILTERS.len())];
                let mut query = Map::new();
                query.insert(param.into(), json!(word(&mut rng, 3)));
                let scanned: Vec<String> = store
                    .iter(USERS)
                    .filter(|u| Predicates::from_query(&query).matches(u))
                    .map(|u| u["id"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(matching_ids(&store, &query), scanned, "seed {seed} step {step} {query:?}");
                // An exact filter (answered by its table alone) picks the
                // users whose field normalizes to the value's key.
                let some_user = store.iter(USERS).nth(rng.random_range(0..store.collection(USERS).map_or(1, |c| c.items.len().max(1))));
                let (filter, value) = match (rng.random_range(0..2), some_user) {
                    (0, Some(u)) => ("username", u["username"].as_str().unwrap().to_uppercase()),
                    (_, Some(u)) => ("email_address", u["email_addresses"][0]["email_address"].as_str().unwrap().to_string()),
                    (_, None) => ("username", word(&mut rng, 4)),
                };
                query.insert(filter.into(), json!(value));
                let key = |text: &str| if filter == "username" { index::normalize_username(text) } else { index::normalize_email(text) };
                let exact_scan: Vec<String> = store
                    .iter(USERS)
                    .filter(|u| Predicates::from_query(&query).matches(u))
                    .filter(|u| {
                        let field = if filter == "username" { &u["username"] } else { &u["email_addresses"][0]["email_address"] };
                        field.as_str().is_some_and(|t| key(t) == key(&value))
                    })
                    .map(|u| u["id"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(matching_ids(&store, &query), exact_scan, "seed {seed} step {step} {query:?}");
            }
        }
    }
}
