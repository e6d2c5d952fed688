//! Organization invitations: create (one or a bulk of up to 10), list with a
//! status filter, the deprecated pending list, get, revoke; the instance-wide
//! list and a user's invitations (by their email addresses).
//!
//! Stored in collection `organization_invitations` with `_org_id`. An
//! invitation is `pending` until revoked (or accepted, which only Clerk's
//! Frontend API does); a pending one past `expires_at` reads as `expired`.
//!
//! ```text
//! POST /organizations/org_…/invitations {"email_address":"new@example.com","role":"org:member","inviter_user_id":"user_…"}
//!   → {"object":"organization_invitation","status":"pending","public_inviter_data":{…},"expires_at":…}
//! the same address again while pending → 422 duplicate_record
//! POST …/invitations/orginv_…/revoke   → status "revoked"
//! ```

use serde_json::{json, Value};

use super::roles_permissions as roles;
use super::memberships::membership_of;
use super::{public_org_data, require_org, user_identifier, INVITATIONS, ORGS};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::params::{opt_text, required_text};
use crate::state::listing::matches_query;
use crate::state::Store;
use crate::resources::collections::{INVITATION, USERS};

/// Clerk's default validity of an organization invitation.
const DEFAULT_EXPIRES_IN_DAYS: i64 = 30;
/// At most this many invitations per bulk call.
const MAX_BULK: usize = 10;
const DAY_MS: i64 = 24 * 3600 * 1000;

pub fn register(registry: &mut Registry) {
    registry.add("CreateOrganizationInvitation", "organizations", create);
    registry.add("CreateOrganizationInvitationBulk", "organizations", create_bulk);
    registry.add("ListOrganizationInvitations", "organizations", list_for_org);
    registry.add("ListPendingOrganizationInvitations", "organizations", list_pending);
    registry.add("GetOrganizationInvitation", "organizations", get);
    registry.add("RevokeOrganizationInvitation", "organizations", revoke);
    registry.add("ListInstanceOrganizationInvitations", "organizations", list_all);
    registry.add("UsersGetOrganizationInvitations", "organizations", list_for_user);
}

/// An invitation as answered: `expired` once past its expiry, the
/// organization's public data, and the Frontend API link that accepts it.
pub fn view(store: &Store, invitation: &Value, issuer: &str) -> Value {
    let mut out = invitation.clone();
    let id = invitation.get("id").and_then(Value::as_str).unwrap_or("");
    let mut url = format!("{issuer}/v1/tickets/accept?ticket={id}");
    if let Some(redirect) = invitation.get("_redirect_url").and_then(Value::as_str) {
        url.push_str("&redirect_url=");
        url.push_str(&form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>());
    }
    out["url"] = json!(url);
    let expires_at = invitation.get("expires_at").and_then(Value::as_i64);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    if invitation.get("status").and_then(Value::as_str) == Some("pending") && expires_at.is_some_and(|e| e < now) {
        out["status"] = json!("expired");
    }
    let org_id = invitation.get("_org_id").and_then(Value::as_str).unwrap_or("");
    if let Some(org) = store.get(ORGS, org_id) {
        out["public_organization_data"] = public_org_data(org);
    }
    let role = invitation.get("role").and_then(Value::as_str).unwrap_or("");
    out["role_name"] = json!(roles::role_name(store, role));
    out
}

/// Validates one CreateOrganizationInvitation body and stores the
/// invitation (fixtures call it too): a valid email that is neither a member's
/// nor pending already, a known role, an existing inviter.
pub fn insert_invitation(store: &mut Store, org_id: &str, request: &Value) -> Result<Value, ApiError> {
    let text = |field: &str| opt_text(request, field);
    let email = required_text(request, "email_address")?.to_lowercase();
    let role = required_text(request, "role")?.to_string();
    if !looks_like_email(&email) {
        return Err(ApiError::format_invalid(format!("{email:?} is not a valid email address."))
            .with_param("email_address"));
    }
    if !roles::role_exists(store, &role) {
        return Err(roles::unknown_role(&role));
    }
    let inviter = match text("inviter_user_id") {
        Some(id) => Some(store.get(USERS, id).cloned().ok_or_else(|| ApiError::not_found("user"))?),
        None => None,
    };
    let already_member = crate::resources::users::index::user_with_email(store, &email)
        .is_some_and(|user_id| membership_of(store, org_id, &user_id).is_some());
    if already_member {
        return Err(ApiError::already_a_member(format!("{email} already belongs to a member of this organization."))
        .with_param("email_address"));
    }
    let now = store.now_ms();
    let duplicate = store.iter(INVITATIONS).any(|i| {
        i.get("_org_id").and_then(Value::as_str) == Some(org_id)
            && i.get("email_address").and_then(Value::as_str) == Some(email.as_str())
            && i.get("status").and_then(Value::as_str) == Some("pending")
            && i.get("expires_at").and_then(Value::as_i64).is_none_or(|e| e >= now)
    });
    if duplicate {
        return Err(ApiError::duplicate("duplicate invitation", format!("{email} already has a pending invitation to this organization."))
            .with_param("email_address"));
    }
    let days = request.get("expires_in_days").and_then(Value::as_i64).unwrap_or(DEFAULT_EXPIRES_IN_DAYS);
    if days <= 0 {
        return Err(ApiError::param_invalid("expires_in_days", "expires_in_days must be a positive number of days."));
    }
    let invitation = store.create(&INVITATION, |store, _id, now| {
        let metadata = |field: &str| request.get(field).filter(|v| v.is_object()).cloned().unwrap_or_else(|| json!({}));
        json!({
            "email_address": email,
            "role": role,
            "role_name": roles::role_name(store, &role),
            "organization_id": org_id,
            "inviter_id": inviter.as_ref().and_then(|u| u.get("id")).cloned().unwrap_or(Value::Null),
            "public_inviter_data": inviter.as_ref().map(inviter_data).unwrap_or(Value::Null),
            "status": "pending",
            "public_metadata": metadata("public_metadata"),
            "private_metadata": metadata("private_metadata"),
            "url": null,
            "expires_at": now + days * DAY_MS,
            "created_at": now,
            "updated_at": now,
            "_org_id": org_id,
            "_redirect_url": text("redirect_url"),
        })
    });
    Ok(invitation)
}

fn inviter_data(user: &Value) -> Value {
    json!({
        "user_id": user.get("id"),
        "first_name": user.get("first_name").cloned().unwrap_or(Value::Null),
        "last_name": user.get("last_name").cloned().unwrap_or(Value::Null),
        "image_url": user.get("image_url").cloned().unwrap_or(json!("")),
        "has_image": user.get("has_image").and_then(Value::as_bool).unwrap_or(false),
        "identifier": user_identifier(user).unwrap_or_default(),
    })
}

fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !email.contains(char::is_whitespace),
        None => false,
    }
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    let invitation = insert_invitation(&mut store, &org_id, &ctx.body)?;
    let answered = view(&store, &invitation, &ctx.services.tokens.issuer);
    send_email(&mut store, &answered);
    Ok(Reply::Object(answered))
}

/// The invitation email into the outbox (`answered`: the invitation as viewed, with its url).
fn send_email(store: &mut Store, answered: &Value) {
    let org_name = answered["public_organization_data"]["name"].as_str().unwrap_or("an organization").to_string();
    let url = answered["url"].as_str().unwrap_or("").to_string();
    crate::resources::outbox::send_invitation_email(store, answered, &url, Some(&org_name));
}

/// All or nothing: every item is checked before any is kept.
fn create_bulk(ctx: &Ctx) -> Result<Reply, ApiError> {
    let items = ctx.body.as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(ApiError::param_missing("email_address"));
    }
    if items.len() > MAX_BULK {
        return Err(ApiError::param_invalid("invitations", format!("At most {MAX_BULK} invitations can be created at once.")));
    }
    let mut store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    let mut created: Vec<Value> = Vec::new();
    for item in &items {
        match insert_invitation(&mut store, &org_id, item) {
            Ok(invitation) => created.push(invitation),
            Err(e) => {
                for done in &created {
                    store.remove(INVITATIONS, done["id"].as_str().unwrap_or(""));
                }
                return Err(e);
            }
        }
    }
    let views: Vec<Value> = created.iter().map(|i| view(&store, i, &ctx.services.tokens.issuer)).collect();
    for answered in &views {
        send_email(&mut store, answered);
    }
    let total = views.len();
    Ok(Reply::list(views, total))
}

fn require_invitation(store: &Store, ctx: &Ctx) -> Result<String, ApiError> {
    super::require_child(store, ctx, INVITATIONS, "invitation_id", "organization invitation")
}

fn get(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let id = require_invitation(&store, ctx)?;
    Ok(Reply::Object(view(&store, store.get(INVITATIONS, &id).expect("found above"), &ctx.services.tokens.issuer)))
}

fn revoke(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_invitation(&store, ctx)?;
    if let Some(user) = ctx.str_field("requesting_user_id") {
        if store.get(USERS, user).is_none() {
            return Err(ApiError::not_found("user"));
        }
    }
    let current = view(&store, store.get(INVITATIONS, &id).expect("found above"), &ctx.services.tokens.issuer);
    let status = current.get("status").and_then(Value::as_str).unwrap_or("").to_string();
    if status != "pending" {
        return Err(ApiError::cannot_revoke(format!("The invitation {id} is {status}; only pending invitations can be revoked."))
            .with_meta(json!({"status": status})));
    }
    let now = store.now_ms();
    let invitation = store.get_mut(INVITATIONS, &id).expect("found above");
    invitation["status"] = json!("revoked");
    invitation["updated_at"] = json!(now);
    let invitation = invitation.clone();
    Ok(Reply::Object(view(&store, &invitation, &ctx.services.tokens.issuer)))
}

/// Filters by `status` (and `email_address`, `query` where declared), sorts, pages.
fn page(ctx: &Ctx, store: &Store, invitations: Vec<&Value>, forced_status: Option<&str>) -> Reply {
    let status = forced_status.or_else(|| ctx.query.get("status").and_then(Value::as_str));
    let email = ctx.query.get("email_address").and_then(Value::as_str).map(str::to_lowercase);
    let query = ctx.query.get("query").and_then(Value::as_str).map(str::to_lowercase);
    let views: Vec<Value> = invitations
        .into_iter()
        .map(|i| view(store, i, &ctx.services.tokens.issuer))
        .filter(|i| status.is_none_or(|s| i.get("status").and_then(Value::as_str) == Some(s)))
        .filter(|i| email.as_deref().is_none_or(|e| i.get("email_address").and_then(Value::as_str) == Some(e)))
        .filter(|i| query.as_deref().is_none_or(|q| matches_query(i, q)))
        .collect();
    let order = ctx.query.get("order_by").and_then(Value::as_str).unwrap_or("-created_at");
    let refs: Vec<&Value> = views.iter().collect();
    ctx.sorted_page(refs, order)
}

fn of_org<'a>(store: &'a Store, org_id: &str) -> Vec<&'a Value> {
    store.iter(INVITATIONS).filter(|i| i.get("_org_id").and_then(Value::as_str) == Some(org_id)).collect()
}

/// How many invitations to an organization are pending (stored status; an
/// expired one still counts, as Clerk's `pending_invitations_count` does).
pub fn pending_count(store: &Store, org_id: &str) -> usize {
    of_org(store, org_id).into_iter().filter(|i| i.get("status").and_then(Value::as_str) == Some("pending")).count()
}

fn list_for_org(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    Ok(page(ctx, &store, of_org(&store, &org_id), None))
}

fn list_pending(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    Ok(page(ctx, &store, of_org(&store, &org_id), Some("pending")))
}

fn list_all(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    Ok(page(ctx, &store, store.iter(INVITATIONS).collect(), None))
}

/// Invitations sent to any of the user's email addresses.
fn list_for_user(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let user = store.get(USERS, ctx.path_param("user_id")).ok_or_else(|| ApiError::not_found("user"))?;
    let emails: Vec<String> = user
        .get("email_addresses")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(|e| e.get("email_address")?.as_str()).map(str::to_lowercase).collect())
        .unwrap_or_default();
    let matched = store
        .iter(INVITATIONS)
        .filter(|i| i.get("email_address").and_then(Value::as_str).is_some_and(|e| emails.iter().any(|m| m == e)))
        .collect();
    Ok(page(ctx, &store, matched, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_need_a_local_part_and_a_dotted_domain() {
        assert!(looks_like_email("a@example.com"));
        assert!(!looks_like_email("a@localhost"));
        assert!(!looks_like_email("@example.com"));
        assert!(!looks_like_email("a b@example.com"));
    }
}
