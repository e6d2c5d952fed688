//! Allow-list and block-list identifiers (tag "Allow-list / Block-list"):
//! create, list, delete, in collections `allowlist_identifiers` and
//! `blocklist_identifiers`.
//!
//! The `identifier_type` follows from the identifier: anything with an `@`
//! (also a whole domain, `*@example.com`) or a bare domain is an
//! `email_address`, `0x…` a `web3_wallet`, digits a `phone_number`. A list
//! holds an identifier once (case-insensitive): a second one is 422
//! `duplicate_record`. An allow-list entry created with `notify: true` for an
//! email address also invites it (`invitation_id`).
//!
//! ```
//! use clerk_mock::resources::allowlist::insert_identifier;
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! let entry = insert_identifier(&mut store, "blocklist", &serde_json::json!({"identifier": "*@spam.example"})).unwrap();
//! assert_eq!(entry["identifier_type"], "email_address");
//! assert_eq!(entry["object"], "blocklist_identifier");
//! ```

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::invitations;
use crate::resources::params::{opt_bool, required_string};
use crate::resources::users::checks;
use crate::state::{ids, Store};

pub fn register(registry: &mut Registry) {
    registry.add("CreateAllowlistIdentifier", "allowlist", create_allow);
    registry.add("ListAllowlistIdentifiers", "allowlist", list_allow);
    registry.add("DeleteAllowlistIdentifier", "allowlist", delete_allow);
    registry.add("CreateBlocklistIdentifier", "allowlist", create_block);
    registry.add("ListBlocklistIdentifiers", "allowlist", list_block);
    registry.add("DeleteBlocklistIdentifier", "allowlist", delete_block);
}

pub const ALLOWLIST: crate::state::Kind =
    crate::state::Kind::stored("allowlist_identifier", "alid", crate::state::CollectionKey::new("allowlist_identifiers"));
pub const BLOCKLIST: crate::state::Kind =
    crate::state::Kind::stored("blocklist_identifier", "blid", crate::state::CollectionKey::new("blocklist_identifiers"));

/// `allowlist` → its kind (`allowlist_identifier` objects in `allowlist_identifiers`, ids `alid_…`).
fn names(kind: &str) -> Result<&'static crate::state::Kind, ApiError> {
    match kind {
        "allowlist" => Ok(&ALLOWLIST),
        "blocklist" => Ok(&BLOCKLIST),
        other => Err(ApiError::internal(format!("unknown identifier list {other}"))),
    }
}

/// The `identifier_type` of an identifier, or a 422 when it is none of them.
pub fn identifier_type(identifier: &str) -> Result<&'static str, ApiError> {
    let text = identifier.trim();
    let invalid = || {
        ApiError::format_invalid("identifier must be an email address, an email domain, a phone number or a web3 wallet.")
        .with_param("identifier")
    };
    if text.contains('@') {
        // `*@example.com` and `@example.com` stand for a whole domain.
        let probe = match text.split_once('@') {
            Some(("" | "*", domain)) => format!("any@{domain}"),
            _ => text.to_string(),
        };
        return checks::check_email(&probe, "identifier").map(|_| "email_address").map_err(|_| invalid());
    }
    if text.starts_with("0x") {
        return checks::check_web3(text, "identifier").map(|_| "web3_wallet").map_err(|_| invalid());
    }
    if text.starts_with('+') || text.chars().next().map(|c| c.is_ascii_digit()).unwrap_or(false) {
        return checks::check_phone(text, "identifier").map(|_| "phone_number").map_err(|_| invalid());
    }
    // A bare domain (`example.com`).
    checks::check_email(&format!("any@{text}"), "identifier").map(|_| "email_address").map_err(|_| invalid())
}

/// The instance id identifiers report: stable per instance.
fn instance_id(store: &Store) -> String {
    ids::make_id("ins", store.seed, &store.instance_key, 0)
}

/// Adds an identifier to the allow-list (`kind` = `"allowlist"`) or the
/// block-list (`"blocklist"`) from a create body (fixtures reuse it).
pub fn insert_identifier(store: &mut Store, kind: &str, body: &Value) -> Result<Value, ApiError> {
    let list = names(kind)?;
    let collection = list.collection.expect("stored");
    let identifier = required_string(body, "identifier")?;
    let identifier = identifier.trim().to_string();
    let identifier_type = identifier_type(&identifier)?;
    let wanted = identifier.to_lowercase();
    if store.iter(collection).any(|i| i["identifier"].as_str().map(str::to_lowercase).as_deref() == Some(wanted.as_str())) {
        return Err(ApiError::duplicate("duplicate identifier", format!("{identifier} is already in the {kind}."))
        .with_param("identifier"));
    }
    let notify = kind == "allowlist" && opt_bool(body, "notify")?.unwrap_or(false);
    let invitation_id = if notify && identifier_type == "email_address" && !identifier.starts_with(['*', '@']) {
        let invitation = invitations::insert_invitation(store, &json!({"email_address": identifier, "ignore_existing": true}))?;
        invitation["id"].clone()
    } else {
        Value::Null
    };
    Ok(store.create(list, |store, _, _| {
        let mut entry = json!({
            "identifier": identifier,
            "identifier_type": identifier_type,
            "instance_id": instance_id(store),
        });
        if !invitation_id.is_null() {
            entry["invitation_id"] = invitation_id;
        }
        entry
    }))
}

fn create(ctx: &Ctx, kind: &str) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    insert_identifier(&mut store, kind, &ctx.body).map(Reply::Object)
}

/// Newest first, paged like every Clerk list.
fn list(ctx: &Ctx, kind: &str) -> Result<Reply, ApiError> {
    let list = names(kind)?;
    let store = ctx.instance.store.lock();
    let all: Vec<&Value> = store.iter(list.collection.expect("stored")).collect();
    Ok(ctx.sorted_page(all, ""))
}

fn delete(ctx: &Ctx, kind: &str) -> Result<Reply, ApiError> {
    let list = names(kind)?;
    let object = list.object;
    let mut store = ctx.instance.store.lock();
    let id = ctx.path_param("identifier_id");
    store.remove(list.collection.expect("stored"), id).ok_or_else(|| ApiError::not_found(&object.replace('_', " ")))?;
    Ok(Reply::Object(json!({"object": object, "id": id, "deleted": true})))
}

fn create_allow(ctx: &Ctx) -> Result<Reply, ApiError> {
    create(ctx, "allowlist")
}
fn list_allow(ctx: &Ctx) -> Result<Reply, ApiError> {
    list(ctx, "allowlist")
}
fn delete_allow(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete(ctx, "allowlist")
}
fn create_block(ctx: &Ctx) -> Result<Reply, ApiError> {
    create(ctx, "blocklist")
}
fn list_block(ctx: &Ctx) -> Result<Reply, ApiError> {
    list(ctx, "blocklist")
}
fn delete_block(ctx: &Ctx) -> Result<Reply, ApiError> {
    delete(ctx, "blocklist")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_types_follow_the_identifier() {
        assert_eq!(identifier_type("ada@example.com").unwrap(), "email_address");
        assert_eq!(identifier_type("*@example.com").unwrap(), "email_address");
        assert_eq!(identifier_type("example.com").unwrap(), "email_address");
        assert_eq!(identifier_type("+15555550100").unwrap(), "phone_number");
        assert_eq!(identifier_type("0x0123456789abcdef0123456789abcdef01234567").unwrap(), "web3_wallet");
        assert!(identifier_type("not an identifier").is_err());
        assert!(identifier_type("0x12").is_err());
    }

    #[test]
    fn a_notified_allowlist_email_is_invited() {
        let mut store = Store::new(1, "sk_test_unit");
        let entry = insert_identifier(&mut store, "allowlist", &json!({"identifier": "vip@example.com", "notify": true})).unwrap();
        let invitation = store.get(invitations::COLLECTION, entry["invitation_id"].as_str().unwrap()).unwrap();
        assert_eq!(invitation["email_address"], "vip@example.com");
    }
}
