//! `POST /users` and the store-level [`insert_user`] that fixtures reuse.
//!
//! ```
//! use clerk_mock::resources::users::insert_user;
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! let user = insert_user(&mut store, &serde_json::json!({
//!     "email_address": ["ada@example.com"], "password": "correct horse"})).unwrap();
//! assert_eq!(user["primary_email_address_id"], user["email_addresses"][0]["id"]);
//! assert_eq!(user["password_enabled"], true);
//! // The same address, in other letters, is taken.
//! let again = insert_user(&mut store, &serde_json::json!({"email_address": ["ADA@example.com"]}));
//! assert_eq!(again.unwrap_err().errors[0].code, "form_identifier_exists");
//! ```

use std::collections::HashSet;

use serde_json::Value;

use super::fields::UserFields;
use super::index;
use super::model::{self, Status};
use super::checks;
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::resources::params::{given_bools, string_list};
use crate::state::Store;

pub fn create_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    insert_user(&mut store, &ctx.body).map(Reply::Object)
}

/// Settings only a create takes.
const CREATE_ONLY_SETTINGS: [&str; 2] = ["banned", "locked"];

/// Statuses per identifier from `*_identification_status` (default verified).
fn statuses(body: &Value, field: &str, count: usize) -> Result<Vec<Status>, ApiError> {
    let given = string_list(body, field)?;
    (0..count)
        .map(|i| match given.get(i) {
            None => Ok(Status::Verified),
            Some(s) => Status::parse(s).ok_or_else(|| ApiError::param_invalid(field, format!("{s} is not a valid identification status."))),
        })
        .collect()
}

/// How one kind of identifier is checked and indexed: its body field, its
/// index table, its format check and its normalization.
struct IdentifierRule {
    param: &'static str,
    table: &'static str,
    check: fn(&str, &str) -> Result<(), ApiError>,
    normalize: fn(&str) -> String,
}

const RULES: [IdentifierRule; 3] = [
    IdentifierRule { param: "email_address", table: index::EMAIL, check: checks::check_email, normalize: index::normalize_email },
    IdentifierRule { param: "phone_number", table: index::PHONE, check: checks::check_phone, normalize: index::normalize_phone },
    IdentifierRule { param: "web3_wallet", table: index::WEB3, check: checks::check_web3, normalize: index::normalize_web3 },
];

/// The identifiers a create body lists, in the order of [`RULES`], with the
/// status each email address and phone number is created in.
struct NewIdentifiers {
    lists: [Vec<String>; 3],
    email_status: Vec<Status>,
    phone_status: Vec<Status>,
}

impl NewIdentifiers {
    fn decode(body: &Value) -> Result<NewIdentifiers, ApiError> {
        let lists = [string_list(body, RULES[0].param)?, string_list(body, RULES[1].param)?, string_list(body, RULES[2].param)?];
        let email_status = statuses(body, "email_address_identification_status", lists[0].len())?;
        let phone_status = statuses(body, "phone_number_identification_status", lists[1].len())?;
        Ok(NewIdentifiers { lists, email_status, phone_status })
    }

    /// Each identifier well-formed, not another user's and not listed twice.
    fn check_free(&self, store: &Store) -> Result<(), ApiError> {
        let mut seen = HashSet::new();
        for (rule, values) in RULES.iter().zip(&self.lists) {
            for value in values {
                (rule.check)(value, rule.param)?;
                let key = (rule.normalize)(value);
                checks::ensure_free(store, rule.table, &key, rule.param, None)?;
                if !seen.insert((rule.table, key)) {
                    return Err(checks::taken(rule.table, rule.param));
                }
            }
        }
        Ok(())
    }

    /// Puts the identifier objects inline (fresh `idn_` ids) and points the
    /// primary ids at the first of each.
    fn attach(self, user: &mut Value, store: &mut Store, now: i64) {
        let [emails, phones, wallets] = self.lists;
        let emails = emails.iter().zip(&self.email_status).map(|(e, s)| model::email_object(&store.new_id("idn"), e.trim(), *s, now)).collect();
        let phones = phones
            .iter()
            .zip(&self.phone_status)
            .map(|(p, s)| model::phone_object(&store.new_id("idn"), &index::normalize_phone(p), *s, now))
            .collect();
        let wallets = wallets.iter().map(|w| model::web3_object(&store.new_id("idn"), w.trim(), now)).collect();
        user["email_addresses"] = Value::Array(emails);
        user["phone_numbers"] = Value::Array(phones);
        user["web3_wallets"] = Value::Array(wallets);
        model::fix_primaries(user);
    }
}

/// Creates a user from a `POST /users` body: checks formats and uniqueness,
/// builds the complete `User` (identifiers inline, primary ids set) and
/// stores it in `users`. Returns the stored object.
pub fn insert_user(store: &mut Store, body: &Value) -> Result<Value, ApiError> {
    if !body.is_object() {
        return Err(ApiError::format_invalid("The request body must be a JSON object."));
    }
    let identifiers = NewIdentifiers::decode(body)?;
    let mut fields = UserFields::decode(body)?;
    let create_only = given_bools(body, &CREATE_ONLY_SETTINGS)?;
    index::ensure_fresh(store);
    identifiers.check_free(store)?;
    fields.check_free(store, None)?;
    let password = fields.stored_password(|| format!("{}:{}:{}", store.instance_key, store.seed, store.id_sequence))?;
    // A new user keeps no empty list of backup codes.
    fields.backup_codes = fields.backup_codes.filter(|codes| !codes.is_empty());

    let user = store.create(&super::USER, |store, id, now| {
        let mut user = model::new_user(id, now);
        identifiers.attach(&mut user, store, now);
        for (field, value) in create_only {
            user[field] = Value::Bool(value);
        }
        // Flags follow the factors; a new user starts from "no MFA" without a
        // disabled-at stamp.
        fields.apply(&mut user, password, now);
        index::index(store, &user);
        user
    });
    index::mark_fresh(store);
    Ok(user)
}
