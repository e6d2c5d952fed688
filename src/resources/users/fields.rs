//! One typed reading of a user body: the fields `POST /users` and
//! `PATCH /users/{id}` share are decoded here, once, and written by one
//! function, so a create and an update never read a field two ways.
//!
//! A body is handled in three steps, each complete before the next, so that
//! nothing changes unless every check passes: [`UserFields::decode`] (types
//! and formats of the values themselves), [`UserFields::check_free`]
//! (username rules and uniqueness against the store), then
//! [`UserFields::stored_password`] (the password policy, and the hash) and
//! [`UserFields::apply`].
//!
//! ```
//! use clerk_mock::resources::users::{fields::UserFields, model};
//! let body = serde_json::json!({"first_name": "Ada", "username": null, "public_metadata": {"plan": "pro"}});
//! let fields = UserFields::decode(&body).unwrap();
//! let mut user = model::new_user("user_1", 1);
//! user["username"] = "ada".into();
//! fields.apply(&mut user, None, 2);
//! assert_eq!(user["first_name"], "Ada");
//! assert!(user["username"].is_null(), "null clears a field");
//! assert_eq!(user["public_metadata"]["plan"], "pro");
//! ```

use serde_json::Value;

use super::{checks, index};
use crate::error::ApiError;
use crate::resources::params::{given_bools, given_objects, nullable_integer, nullable_string, opt_bool, opt_string, opt_time, string_list};
use crate::resources::passwords;
use crate::state::Store;

/// The metadata objects of a user, each replaced wholesale when given.
pub const METADATA: [&str; 3] = ["public_metadata", "private_metadata", "unsafe_metadata"];
/// Profile strings: `null` clears them.
const PROFILE: [&str; 3] = ["first_name", "last_name", "locale"];
/// The settings both operations take (a create also takes `banned` and `locked`).
const SETTINGS: [&str; 3] = ["delete_self_enabled", "create_organization_enabled", "bypass_client_trust"];

/// The password fields of a body, decoded but not yet checked.
#[derive(Debug)]
struct PasswordInput {
    plain: Option<String>,
    digest: Option<String>,
    hasher: Option<String>,
    skip_checks: bool,
}

/// The user fields a create and an update body share. `None`: the body does
/// not set the field; `Some(None)`: it clears it with `null`.
#[derive(Debug)]
pub struct UserFields {
    pub username: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    profile: Vec<(&'static str, Option<String>)>,
    metadata: Vec<(&'static str, Value)>,
    settings: Vec<(&'static str, bool)>,
    create_organizations_limit: Option<Option<i64>>,
    created_at: Option<i64>,
    legal_accepted_at: Option<i64>,
    password: PasswordInput,
    totp_secret: Option<String>,
    /// Given (`null` is the empty list) or not.
    pub backup_codes: Option<Vec<String>>,
}

impl UserFields {
    /// Reads every shared field, refusing a value of the wrong type or an
    /// unparsable time (422 `form_param_format_invalid` naming the field).
    pub fn decode(body: &Value) -> Result<UserFields, ApiError> {
        let mut profile = Vec::new();
        for field in PROFILE {
            if let Some(value) = nullable_string(body, field)? {
                profile.push((field, value));
            }
        }
        Ok(UserFields {
            username: nullable_string(body, "username")?,
            external_id: nullable_string(body, "external_id")?,
            profile,
            metadata: given_objects(body, &METADATA)?,
            settings: given_bools(body, &SETTINGS)?,
            create_organizations_limit: nullable_integer(body, "create_organizations_limit")?,
            created_at: opt_time(body, "created_at")?,
            legal_accepted_at: opt_time(body, "legal_accepted_at")?,
            password: PasswordInput {
                skip_checks: opt_bool(body, "skip_password_checks")?.unwrap_or(false),
                plain: opt_string(body, "password")?,
                digest: opt_string(body, "password_digest")?,
                hasher: opt_string(body, "password_hasher")?,
            },
            totp_secret: opt_string(body, "totp_secret")?,
            backup_codes: match body.get("backup_codes") {
                None => None,
                Some(_) => Some(string_list(body, "backup_codes")?),
            },
        })
    }

    /// Clerk's username rules, and that the username and external id are not
    /// another user's (`except`: the user being updated).
    pub fn check_free(&self, store: &Store, except: Option<&str>) -> Result<(), ApiError> {
        if let Some(Some(u)) = &self.username {
            checks::check_username(u)?;
            checks::ensure_free(store, index::USERNAME, &index::normalize_username(u), "username", except)?;
        }
        if let Some(Some(x)) = &self.external_id {
            checks::ensure_free(store, index::EXTERNAL_ID, x, "external_id", except)?;
        }
        Ok(())
    }

    /// The `_password` the body sets: a plaintext one (policy-checked, hashed
    /// with a salt from `salt_source`, computed only then) or an imported
    /// digest; `None` when the body sets none.
    pub fn stored_password(&self, salt_source: impl FnOnce() -> String) -> Result<Option<Value>, ApiError> {
        let p = &self.password;
        match (&p.plain, &p.digest, &p.hasher) {
            (Some(_), Some(_), _) => {
                Err(ApiError::value_invalid("password and password_digest cannot be used together.").with_param("password_digest"))
            }
            (Some(plain), None, _) => {
                passwords::check_policy(plain, p.skip_checks)?;
                Ok(Some(passwords::hash(plain, &salt_source())))
            }
            (None, Some(d), Some(h)) => passwords::from_digest(d, h).map(Some),
            (None, Some(_), None) => Err(ApiError::param_missing("password_hasher")),
            (None, None, Some(_)) => Err(ApiError::param_missing("password_digest")),
            (None, None, None) => Ok(None),
        }
    }

    /// Writes every field the body set onto `user` (`password`: from
    /// [`UserFields::stored_password`]), then the flags that follow from the
    /// factors.
    pub fn apply(self, user: &mut Value, password: Option<Value>, now: i64) {
        let text = |value: Option<String>| value.map(Value::String).unwrap_or(Value::Null);
        if let Some(username) = self.username {
            user["username"] = text(username);
        }
        if let Some(external_id) = self.external_id {
            user["external_id"] = text(external_id);
        }
        for (field, value) in self.profile {
            user[field] = text(value);
        }
        for (field, value) in self.metadata {
            user[field] = value;
        }
        for (field, value) in self.settings {
            user[field] = Value::Bool(value);
        }
        if let Some(limit) = self.create_organizations_limit {
            user["create_organizations_limit"] = limit.map(Value::from).unwrap_or(Value::Null);
        }
        if let Some(at) = self.created_at {
            user["created_at"] = Value::from(at);
        }
        if let Some(at) = self.legal_accepted_at {
            user["legal_accepted_at"] = Value::from(at);
        }
        if let Some(p) = password {
            user["_password"] = p;
            user["password_last_updated_at"] = Value::from(now);
        }
        if let Some(secret) = self.totp_secret {
            user["_totp_secret"] = Value::String(secret);
        }
        if let Some(codes) = self.backup_codes {
            user["_backup_codes"] = Value::from(codes);
        }
        super::model::refresh_flags(user, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code_and_param(e: ApiError) -> (String, String) {
        let param = e.errors[0].meta.as_ref().and_then(|m| m["param_name"].as_str()).unwrap_or("").to_string();
        (e.errors[0].code.clone(), param)
    }

    #[test]
    fn a_password_and_a_digest_together_are_refused() {
        let fields = UserFields::decode(&json!({"password": "correct horse", "password_digest": "x"})).unwrap();
        assert_eq!(code_and_param(fields.stored_password(String::new).unwrap_err()), ("form_param_value_invalid".into(), "password_digest".into()));
    }

    #[test]
    fn a_digest_needs_its_hasher_and_a_hasher_its_digest() {
        let digest_only = UserFields::decode(&json!({"password_digest": "x"})).unwrap();
        assert_eq!(code_and_param(digest_only.stored_password(String::new).unwrap_err()).1, "password_hasher");
        let hasher_only = UserFields::decode(&json!({"password_hasher": "bcrypt"})).unwrap();
        assert_eq!(code_and_param(hasher_only.stored_password(String::new).unwrap_err()).1, "password_digest");
    }

    #[test]
    fn the_salt_is_computed_only_for_a_plaintext_password() {
        let none = UserFields::decode(&json!({"first_name": "Ada"})).unwrap();
        assert_eq!(none.stored_password(|| unreachable!("no password, no salt")).unwrap(), None);
        let plain = UserFields::decode(&json!({"password": "correct horse"})).unwrap();
        let stored = plain.stored_password(|| "salt".into()).unwrap().unwrap();
        assert!(passwords::verify(&stored, "correct horse"));
    }

    #[test]
    fn an_update_that_clears_the_limit_stores_null_and_one_that_omits_it_keeps_it() {
        let mut user = crate::resources::users::model::new_user("user_1", 1);
        user["create_organizations_limit"] = json!(3);
        UserFields::decode(&json!({})).unwrap().apply(&mut user, None, 2);
        assert_eq!(user["create_organizations_limit"], 3);
        UserFields::decode(&json!({"create_organizations_limit": null})).unwrap().apply(&mut user, None, 3);
        assert!(user["create_organizations_limit"].is_null());
    }

    #[test]
    fn a_field_of_the_wrong_type_is_refused_naming_it() {
        let e = UserFields::decode(&json!({"create_organization_enabled": "yes"})).unwrap_err();
        assert_eq!(code_and_param(e), ("form_param_format_invalid".into(), "create_organization_enabled".into()));
    }
}
