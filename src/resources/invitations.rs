//! Instance invitations (tag "Invitations"): create (one or a bulk of up to
//! ten), list with `status` / `query` / `order_by`, revoke.
//!
//! Clerk refuses a second pending invitation for the same address (422
//! `duplicate_record`) and an invitation for an address a user already has
//! (422 `form_identifier_exists`); `ignore_existing: true` skips both checks.
//! Pending invitations whose `expires_at` has passed read as `expired`.
//! Stored in collection `invitations`.
//!
//! ```
//! use clerk_mock::resources::invitations::insert_invitation;
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! let inv = insert_invitation(&mut store, &serde_json::json!({"email_address": "new@example.com"})).unwrap();
//! assert_eq!(inv["status"], "pending");
//! let again = insert_invitation(&mut store, &serde_json::json!({"email_address": "NEW@example.com"}));
//! assert_eq!(again.unwrap_err().errors[0].code, "duplicate_record");
//! ```

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::resources::params::{opt_bool, opt_object, opt_string, required_string};
use crate::resources::users::checks;
use crate::resources::users::index;
use crate::state::Store;

pub const COLLECTION: crate::state::CollectionKey = crate::state::CollectionKey::new("invitations");
pub const KIND: crate::state::Kind = crate::state::Kind::stored("invitation", "inv", COLLECTION);
/// Clerk's default invitation lifetime.
const DEFAULT_EXPIRY_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;
/// At most this many invitations per bulk request.
const BULK_MAX: usize = 10;

pub fn register(registry: &mut Registry) {
    registry.add("CreateInvitation", "invitations", create_invitation);
    registry.add("CreateBulkInvitations", "invitations", create_bulk);
    registry.add("ListInvitations", "invitations", list_invitations);
    registry.add("RevokeInvitation", "invitations", revoke_invitation);
}

/// A checked invitation request, not yet stored.
struct Request {
    email: String,
    public_metadata: Value,
    redirect_url: Option<String>,
    expires_in_days: i64,
    /// `notify: false` asks Clerk not to send the invitation email (webhooks
    /// report the email that would have been sent otherwise).
    notify: bool,
}

fn duplicate(email: &str) -> ApiError {
    ApiError::duplicate("duplicate invitation", format!("There are already pending invitations for the following email addresses: {email}"))
    .with_param("email_address")
}

/// Whether a pending (unexpired) invitation for the address exists.
fn pending_for(store: &Store, email: &str, now: i64) -> bool {
    let wanted = index::normalize_email(email);
    store
        .iter(COLLECTION)
        .any(|i| effective_status(i, now) == "pending" && i["email_address"].as_str().map(index::normalize_email).as_deref() == Some(wanted.as_str()))
}

/// Checks one request body against the store (and the addresses earlier in
/// the same bulk).
fn check(store: &mut Store, body: &Value, earlier: &[String]) -> Result<Request, ApiError> {
    if !body.is_object() {
        return Err(ApiError::format_invalid("Each invitation must be a JSON object."));
    }
    let email = required_string(body, "email_address")?;
    checks::check_email(&email, "email_address")?;
    let email = email.trim().to_string();
    let ignore_existing = opt_bool(body, "ignore_existing")?.unwrap_or(false);
    let now = store.now_ms();
    if !ignore_existing {
        if pending_for(store, &email, now) || earlier.iter().any(|e| index::normalize_email(e) == index::normalize_email(&email)) {
            return Err(duplicate(&email));
        }
        index::ensure_fresh(store);
        checks::ensure_free(store, index::EMAIL, &index::normalize_email(&email), "email_address", None)?;
    }
    let expires_in_days = match body.get("expires_in_days").filter(|v| !v.is_null()) {
        None => DEFAULT_EXPIRY_DAYS,
        Some(v) => match v.as_i64() {
            Some(d) if (1..=365).contains(&d) => d,
            _ => return Err(ApiError::param_invalid("expires_in_days", "expires_in_days must be a whole number of days between 1 and 365.")),
        },
    };
    Ok(Request {
        email,
        public_metadata: opt_object(body, "public_metadata")?.unwrap_or_else(|| Value::Object(Map::new())),
        redirect_url: opt_string(body, "redirect_url")?,
        expires_in_days,
        notify: body.get("notify").and_then(Value::as_bool).unwrap_or(true),
    })
}

fn store_invitation(store: &mut Store, request: Request) -> Value {
    store.create(&KIND, |store, _, now| {
        let ticket = store.new_hex_id("tkt");
        let url = match &request.redirect_url {
            Some(base) => {
                let joiner = if base.contains('?') { '&' } else { '?' };
                format!("{base}{joiner}__clerk_ticket={ticket}&__clerk_status=sign_up")
            }
            None => format!("https://accounts.clerk-mock.dev/sign-up?__clerk_ticket={ticket}"),
        };
        json!({
            "email_address": request.email,
            "public_metadata": request.public_metadata,
            "revoked": false,
            "status": "pending",
            "url": url,
            "expires_at": now + request.expires_in_days * DAY_MS,
            "created_at": now,
            "updated_at": now,
            "_redirect_url": request.redirect_url,
            "_notify": request.notify,
            "_ticket": ticket,
        })
    })
}

/// Creates an invitation from a `POST /invitations` body (fixtures reuse it).
pub fn insert_invitation(store: &mut Store, body: &Value) -> Result<Value, ApiError> {
    let request = check(store, body, &[])?;
    Ok(store_invitation(store, request))
}

fn create_invitation(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let invitation = insert_invitation(&mut store, &ctx.body)?;
    send_email(&mut store, &invitation);
    Ok(Reply::Object(invitation))
}

/// The invitation email into the outbox, unless `notify: false`.
fn send_email(store: &mut Store, invitation: &Value) {
    if invitation["_notify"] != false {
        let url = invitation["url"].as_str().unwrap_or("").to_string();
        crate::resources::outbox::send_invitation_email(store, invitation, &url, None);
    }
}

/// All or nothing: every item is checked before any is stored.
fn create_bulk(ctx: &Ctx) -> Result<Reply, ApiError> {
    let Some(items) = ctx.body.as_array() else {
        return Err(ApiError::format_invalid("The request body must be an array of invitations."));
    };
    if items.is_empty() || items.len() > BULK_MAX {
        return Err(ApiError::param_invalid("invitations", format!("Send between 1 and {BULK_MAX} invitations at a time.")));
    }
    let mut store = ctx.instance.store.lock();
    let mut requests: Vec<Request> = Vec::new();
    for item in items {
        let earlier: Vec<String> = requests.iter().map(|r| r.email.clone()).collect();
        requests.push(check(&mut store, item, &earlier)?);
    }
    let created: Vec<Value> = requests.into_iter().map(|r| store_invitation(&mut store, r)).collect();
    for invitation in &created {
        send_email(&mut store, invitation);
    }
    let total = created.len();
    Ok(Reply::list(created, total))
}

/// `pending` until `expires_at`, then `expired`; other statuses stay.
fn effective_status(invitation: &Value, now: i64) -> &str {
    let status = invitation["status"].as_str().unwrap_or("pending");
    let expired = invitation["expires_at"].as_i64().map(|at| at < now).unwrap_or(false);
    if status == "pending" && expired { "expired" } else { status }
}

/// The pending invitation whose URL carries `ticket` (`__clerk_ticket=…`):
/// what a Frontend API sign-up with `strategy=ticket` signs up for. `Err`
/// says why there is none (unknown, accepted, revoked, expired).
pub fn pending_by_ticket(store: &mut Store, ticket: &str) -> Result<Value, String> {
    let now = store.now_ms();
    let invitation = store.iter(COLLECTION).find(|i| i["_ticket"] == ticket).ok_or("no invitation has this ticket")?;
    match effective_status(invitation, now) {
        "pending" => Ok(invitation.clone()),
        status => Err(format!("the invitation is {status}")),
    }
}

/// Marks an invitation accepted: its invitee signed up with its ticket.
pub fn accept(store: &mut Store, invitation_id: &str) {
    let now = store.now_ms();
    if let Some(invitation) = store.get_mut(COLLECTION, invitation_id) {
        invitation["status"] = Value::String("accepted".into());
        invitation["updated_at"] = Value::from(now);
    }
}

/// Writes the expired status of pending invitations whose time has passed.
fn expire_due(store: &mut Store) {
    let now = store.now_ms();
    store.update_where(COLLECTION, |i| effective_status(i, now) == "expired" && i["status"] == "pending", |i| {
        i["status"] = Value::String("expired".into())
    });
}

fn list_invitations(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    expire_due(&mut store);
    let status = ctx.query.get("status").and_then(Value::as_str);
    let query = ctx.query.get("query").and_then(Value::as_str).map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
    let matched: Vec<&Value> = store
        .iter(COLLECTION)
        .filter(|i| status.map(|s| i["status"] == s).unwrap_or(true))
        .filter(|i| {
            query.as_deref().map(|q| i["email_address"].as_str().map(|e| e.to_lowercase().contains(q)).unwrap_or(false)).unwrap_or(true)
        })
        .collect();
    Ok(ctx.sorted_page(matched, ctx.query.get("order_by").and_then(Value::as_str).unwrap_or("")))
}

fn revoke_invitation(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    expire_due(&mut store);
    let now = store.now_ms();
    let invitation = store.get_mut(COLLECTION, ctx.path_param("invitation_id")).ok_or_else(|| ApiError::not_found("invitation"))?;
    match invitation["status"].as_str() {
        Some("revoked") => {
            return Err(ApiError::invitation_already_revoked())
        }
        Some("accepted") => {
            return Err(ApiError::invitation_already_accepted())
        }
        _ => {}
    }
    invitation["status"] = Value::String("revoked".into());
    invitation["revoked"] = Value::Bool(true);
    invitation["updated_at"] = Value::from(now);
    Ok(Reply::Object(invitation.clone()))
}
