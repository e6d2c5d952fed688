//! The stored shape of a user and its identifiers, in the newest spec's
//! terms (the renderer narrows it for older API versions).
//!
//! A user is one JSON object in collection `users`, its email addresses,
//! phone numbers and web3 wallets inline (`idn_…` ids), with the internal
//! fields `_password` (see `passwords.rs`), `_totp_secret` and
//! `_backup_codes`. Identifier objects carry no internal fields, so what is
//! inline is exactly what `GET /email_addresses/{id}` answers.
//!
//! ```
//! use clerk_mock::resources::users::model::{email_object, Status};
//! let e = email_object("idn_1", "a@example.com", Status::Verified, 1);
//! assert_eq!(e["verification"]["strategy"], "admin");
//! assert_eq!(e["linked_to"], serde_json::json!([]));
//! ```

use serde_json::{json, Value};

/// How an identifier is created (`identification_status` in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Verified by the admin (the Backend API default).
    Verified,
    /// Unverified, but locked to this user so nobody else can claim it.
    Reserved,
    /// Unverified and not reserved.
    Unverified,
}

impl Status {
    /// `verified` / `reserved` / `unverified`; anything else is not a status.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "verified" => Some(Status::Verified),
            "reserved" => Some(Status::Reserved),
            "unverified" => Some(Status::Unverified),
            _ => None,
        }
    }

    /// From the `verified` flag of the create-identifier operations.
    pub fn from_verified(verified: Option<bool>) -> Status {
        if verified.unwrap_or(true) { Status::Verified } else { Status::Unverified }
    }
}

/// The verification an admin-created identifier carries.
pub fn admin_verification() -> Value {
    json!({
        "object": "verification_admin",
        "status": "verified",
        "strategy": "admin",
        "attempts": null,
        "expire_at": null,
        "verified_at_client": null,
    })
}

fn verification_for(status: Status) -> Value {
    match status {
        Status::Verified => admin_verification(),
        // Clerk answers unverified identifiers created by the Backend API
        // without a verification attempt.
        Status::Reserved | Status::Unverified => Value::Null,
    }
}

pub fn email_object(id: &str, email: &str, status: Status, now: i64) -> Value {
    json!({
        "id": id,
        "object": "email_address",
        "email_address": email,
        "reserved": status == Status::Reserved,
        "verification": verification_for(status),
        "linked_to": [],
        "matches_sso_connection": false,
        "created_at": now,
        "updated_at": now,
    })
}

pub fn phone_object(id: &str, phone: &str, status: Status, now: i64) -> Value {
    json!({
        "id": id,
        "object": "phone_number",
        "phone_number": phone,
        "reserved_for_second_factor": false,
        "default_second_factor": false,
        "reserved": status == Status::Reserved,
        "verification": verification_for(status),
        "linked_to": [],
        "backup_codes": null,
        "created_at": now,
        "updated_at": now,
    })
}

pub fn web3_object(id: &str, wallet: &str, now: i64) -> Value {
    json!({
        "id": id,
        "object": "web3_wallet",
        "web3_wallet": wallet,
        "verification": admin_verification(),
        "created_at": now,
        "updated_at": now,
    })
}

/// Whether an identifier object is verified.
pub fn is_verified(identifier: &Value) -> bool {
    identifier.pointer("/verification/status").and_then(Value::as_str) == Some("verified")
}

/// Marks an identifier verified (admin) or not.
pub fn set_verified(identifier: &mut Value, verified: bool) {
    if verified == is_verified(identifier) {
        return;
    }
    identifier["verification"] = if verified { admin_verification() } else { Value::Null };
}

/// A new user with every property of the newest `User` schema.
pub fn new_user(id: &str, now: i64) -> Value {
    // Two halves: one `json!` of ~50 keys exceeds the macro recursion limit.
    let mut user = json!({
        "id": id,
        "object": "user",
        "external_id": null,
        "primary_email_address_id": null,
        "primary_phone_number_id": null,
        "primary_web3_wallet_id": null,
        "username": null,
        "first_name": null,
        "last_name": null,
        "locale": null,
        "profile_image_url": default_image_url(id),
        "image_url": default_image_url(id),
        "has_image": false,
        "public_metadata": {},
        "private_metadata": {},
        "unsafe_metadata": {},
        "email_addresses": [],
        "phone_numbers": [],
        "web3_wallets": [],
        "passkeys": [],
        "password_enabled": false,
        "two_factor_enabled": false,
        "totp_enabled": false,
        "backup_code_enabled": false,
        "mfa_enabled_at": null,
        "mfa_disabled_at": null,
        "password_last_updated_at": null,
    });
    let rest = json!({
        "external_accounts": [],
        "saml_accounts": [],
        "enterprise_accounts": [],
        "organization_memberships": [],
        "last_sign_in_at": null,
        "banned": false,
        "locked": false,
        "deprovisioned": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": null,
        "created_at": now,
        "updated_at": now,
        "delete_self_enabled": true,
        "create_organization_enabled": true,
        "create_organizations_limit": null,
        "last_active_at": null,
        "legal_accepted_at": null,
        "bypass_client_trust": false,
        "scim": null,
    });
    if let (Some(user), Value::Object(rest)) = (user.as_object_mut(), rest) {
        user.extend(rest);
    }
    user
}

/// The image a user without an uploaded one shows (Clerk serves an avatar
/// from its image CDN).
pub fn default_image_url(user_id: &str) -> String {
    format!("https://img.clerk.com/default-avatar/{user_id}")
}

/// Recomputes the flags that follow from a user's factors, after any change
/// to its password, TOTP, backup codes or phone numbers.
pub fn refresh_flags(user: &mut Value, now: i64) {
    let totp = user.get("_totp_secret").map(|v| !v.is_null()).unwrap_or(false);
    let backup = user.get("_backup_codes").and_then(Value::as_array).map(|c| !c.is_empty()).unwrap_or(false);
    let phone_2fa = user
        .get("phone_numbers")
        .and_then(Value::as_array)
        .map(|p| p.iter().any(|n| n["reserved_for_second_factor"] == true))
        .unwrap_or(false);
    let was = user["two_factor_enabled"] == true;
    let now_enabled = totp || phone_2fa || backup;
    user["totp_enabled"] = Value::Bool(totp);
    user["backup_code_enabled"] = Value::Bool(backup);
    user["two_factor_enabled"] = Value::Bool(now_enabled);
    user["password_enabled"] = Value::Bool(user.get("_password").map(|v| !v.is_null()).unwrap_or(false));
    if now_enabled && !was {
        user["mfa_enabled_at"] = Value::from(now);
    } else if !now_enabled && was {
        user["mfa_disabled_at"] = Value::from(now);
    }
}

/// The identifier arrays of a user and the primary-id field each keeps.
pub const IDENTIFIER_ARRAYS: &[(&str, &str)] = &[
    ("email_addresses", "primary_email_address_id"),
    ("phone_numbers", "primary_phone_number_id"),
    ("web3_wallets", "primary_web3_wallet_id"),
];

/// After an identifier array changed: a primary id that no longer points at
/// an item falls back to the first item (or null).
pub fn fix_primaries(user: &mut Value) {
    for (array, primary) in IDENTIFIER_ARRAYS {
        let ids: Vec<String> = user
            .get(*array)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|i| i["id"].as_str().map(String::from)).collect())
            .unwrap_or_default();
        let current = user.get(*primary).and_then(Value::as_str).map(String::from);
        let keep = current.filter(|c| ids.contains(c));
        user[*primary] = match keep.or_else(|| ids.first().cloned()) {
            Some(id) => Value::String(id),
            None => Value::Null,
        };
    }
}

/// The primary email address text of a user (for sorting and display).
pub fn primary_text<'a>(user: &'a Value, array: &str, primary: &str, field: &str) -> Option<&'a str> {
    let id = user.get(primary)?.as_str()?;
    user.get(array)?.as_array()?.iter().find(|i| i["id"] == id)?.get(field)?.as_str()
}
