//! From store changes to catalogue events.
//!
//! The store records every object a request touched with its value before
//! (`state/changes.rs`); here each touch becomes zero or more events by
//! comparing before and after:
//!
//! | collection | created | updated | deleted |
//! |---|---|---|---|
//! | `users` | `user.created` | `user.updated` | `user.deleted` (DeletedObject) |
//! | `organizations` | `organization.created` | `organization.updated` | `organization.deleted` (DeletedObject) |
//! | `organization_memberships` | `organizationMembership.created` | `….updated` | `….deleted` (the membership) |
//! | `organization_invitations` | `organizationInvitation.created` | status → `accepted` / `revoked` | – |
//! | `organization_domains` | `organizationDomain.created` | `….updated` | `….deleted` (DeletedObject) |
//! | `organization_roles` / `organization_permissions` | `role.created` / `permission.created` | `….updated` | `….deleted` (DeletedObject) |
//! | `sessions` | `session.created` (+ `session.pending` when pending) | status → `ended` / `removed` / `revoked` / `pending` | `session.removed` |
//! | `/waitlist_entries` | `waitlistEntry.created` | `waitlistEntry.updated` | – |
//! | `emails` (the outbox, `resources/outbox.rs`) | `email.created`: invitation emails (unless `notify: false`), verification codes | – | – |
//!
//! An update counts only when something other than `updated_at`, internal
//! `_` keys (and, for organizations, the derived member and invitation
//! counts) changed. `data` is the object as the BAPI handlers show it (the
//! same views: a membership with its organization and public user data, a
//! role with its permissions, a session with its user), written through the
//! catalogue's shape for that event type.
//!
//! ```
//! use clerk_mock::webhooks::events::{kinds_of, Kind};
//! use serde_json::json;
//! let before = json!({"id": "sess_1", "status": "active"});
//! let after = json!({"id": "sess_1", "status": "revoked"});
//! assert_eq!(kinds_of("sessions", Some(&before), Some(&after)), vec![Kind::Named("session.revoked")]);
//! ```

use std::borrow::Cow;

use serde_json::{json, Value};

use crate::resources::organizations::{self as orgs, domains, invitations, memberships, roles_permissions as roles};
use crate::state::changes::Change;
use crate::resources::collections::{self, SESSIONS, USERS};
use crate::resources::outbox::EMAILS;
use crate::state::{CollectionKey, Store};

const WAITLIST: CollectionKey = CollectionKey::new("/waitlist_entries");

/// Every event type the mock emits and what emits it (COVERAGE.md is
/// generated from this; `tests/webhooks.rs` produces each one and checks the
/// list is exactly what it received).
pub const EMITTED: &[(&str, &str)] = &[
    ("user.created", "POST /users"),
    ("user.updated", "any change of a stored user: PATCH /users/{id}, metadata, ban, lock, profile image, password, identifiers, MFA, sign-in (POST /sessions)"),
    ("user.deleted", "DELETE /users/{id} (DeletedObject)"),
    ("session.created", "POST /sessions"),
    ("session.revoked", "POST /sessions/{id}/revoke; ban, sign-out on password change, revoke-all (each live session)"),
    ("session.removed", "a session deleted with its user (DELETE /users/{id}); the Frontend API's POST /v1/client/sessions/{id}/remove"),
    ("session.ended", "the Frontend API's sign-out: POST /v1/client/sessions/{id}/end, DELETE /v1/client/sessions (each live session), a new sign-in on the same client"),
    ("organization.created", "POST /organizations"),
    ("organization.updated", "PATCH /organizations/{id}, metadata, logo"),
    ("organization.deleted", "DELETE /organizations/{id} (DeletedObject)"),
    ("organizationMembership.created", "POST /organizations/{id}/memberships; created_by of a new organization"),
    ("organizationMembership.updated", "PATCH …/memberships/{user_id} (role), metadata"),
    ("organizationMembership.deleted", "DELETE …/memberships/{user_id}; user and organization deletion"),
    ("organizationInvitation.created", "POST /organizations/{id}/invitations (and bulk)"),
    ("organizationInvitation.accepted", "the Frontend API's POST /v1/me/organization_invitations/{id}/accept"),
    ("organizationInvitation.revoked", "POST /organizations/{id}/invitations/{id}/revoke"),
    ("organizationDomain.created", "POST /organizations/{id}/domains"),
    ("organizationDomain.updated", "PATCH …/domains/{id}, verification"),
    ("organizationDomain.deleted", "DELETE …/domains/{id} (DeletedObject)"),
    ("role.created", "POST /organization_roles"),
    ("role.updated", "PATCH /organization_roles/{id}, permission assignment, a permission deleted"),
    ("role.deleted", "DELETE /organization_roles/{id} (DeletedObject)"),
    ("permission.created", "POST /organization_permissions"),
    ("permission.updated", "PATCH /organization_permissions/{id}"),
    ("permission.deleted", "DELETE /organization_permissions/{id} (DeletedObject)"),
    ("waitlistEntry.created", "POST /waitlist_entries (and bulk)"),
    ("waitlistEntry.updated", "POST /waitlist_entries/{id}/invite, …/reject"),
    ("email.created", "the email Clerk would send (kept in the outbox, GET /__admin/emails): POST /invitations (unless notify: false), organization invitations, Frontend API verification codes"),
];

/// Event types (globs) the mock never emits, and why.
pub const NOT_EMITTED: &[(&str, &str)] = &[
    ("session.pending", "no BAPI operation creates a pending session (a move to `pending` would emit it)"),
    ("sms.created", "no BAPI or Frontend API operation the mock serves sends an SMS"),
    ("subscription*", "no billing state is kept (billing operations are synthesized)"),
    ("paymentAttempt.*", "no billing state is kept (billing operations are synthesized)"),
];

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Created,
    Updated,
    Deleted,
    /// A type named outright (session and invitation status changes).
    Named(&'static str),
    /// The email the change would have sent.
    Email,
}

/// The catalogue family of a store collection.
pub fn family(collection: &str) -> Option<&'static str> {
    Some(match CollectionKey::named(collection) {
        USERS => "user",
        collections::ORGS => "organization",
        collections::MEMBERSHIPS => "organizationMembership",
        collections::INVITATIONS => "organizationInvitation",
        collections::DOMAINS => "organizationDomain",
        roles::ROLES => "role",
        roles::PERMISSIONS => "permission",
        SESSIONS => "session",
        WAITLIST => "waitlistEntry",
        EMAILS => "email",
        _ => return None,
    })
}

/// The kinds of event one touched object produces (see the module table).
pub fn kinds_of(collection: &str, before: Option<&Value>, after: Option<&Value>) -> Vec<Kind> {
    let status = |v: Option<&Value>| v.and_then(|v| v.get("status")).and_then(Value::as_str).map(str::to_string);
    match (CollectionKey::named(collection), before, after) {
        (_, None, None) => vec![],
        (SESSIONS, None, Some(a)) => {
            let mut out = vec![Kind::Named("session.created")];
            if a["status"] == "pending" {
                out.push(Kind::Named("session.pending"));
            }
            out
        }
        (SESSIONS, Some(_), None) => vec![Kind::Named("session.removed")],
        (SESSIONS, Some(_), Some(_)) => match (status(before), status(after)) {
            (b, Some(a)) if b.as_deref() != Some(a.as_str()) => match a.as_str() {
                "ended" => vec![Kind::Named("session.ended")],
                "removed" => vec![Kind::Named("session.removed")],
                "revoked" => vec![Kind::Named("session.revoked")],
                "pending" => vec![Kind::Named("session.pending")],
                _ => vec![],
            },
            _ => vec![],
        },
        (collections::INVITATIONS, None, Some(_)) => vec![Kind::Created],
        (collections::INVITATIONS, Some(_), Some(_)) => match (status(before), status(after)) {
            (b, Some(a)) if b.as_deref() != Some(a.as_str()) => match a.as_str() {
                "accepted" => vec![Kind::Named("organizationInvitation.accepted")],
                "revoked" => vec![Kind::Named("organizationInvitation.revoked")],
                _ => vec![],
            },
            _ => vec![],
        },
        (collections::INVITATIONS, Some(_), None) => vec![],
        (EMAILS, None, Some(_)) => vec![Kind::Email],
        (EMAILS, _, _) => vec![],
        (WAITLIST, _, None) => vec![],
        (_, None, Some(_)) => vec![Kind::Created],
        (_, Some(_), None) => vec![Kind::Deleted],
        (c, Some(b), Some(a)) => {
            if meaningful(c.as_str(), b) != meaningful(c.as_str(), a) {
                vec![Kind::Updated]
            } else {
                vec![]
            }
        }
    }
}

/// An object without what does not make an update.
fn meaningful(collection: &str, v: &Value) -> Value {
    let mut out = v.as_object().cloned().unwrap_or_default();
    // A role's permissions are kept as internal ids but shown in the role.
    out.retain(|k, _| (!k.starts_with('_') || (collection == roles::ROLES && k == "_permission_ids")) && k != "updated_at");
    if collection == collections::ORGS {
        out.remove("members_count");
        out.remove("pending_invitations_count");
    }
    Value::Object(out)
}

/// One event before rendering: its type and the object `data` shows
/// (borrowed from the store where the event shows the object as stored: a
/// created user is not copied to be written into its payload).
#[derive(Debug, Clone)]
pub struct Pending<'a> {
    pub event_type: String,
    pub data: Cow<'a, Value>,
    pub object_id: String,
}

/// Every event of a request's changes, in order of first touch.
pub fn derive<'a>(store: &'a Store, changes: &'a [Change], issuer: &str) -> Vec<Pending<'a>> {
    let mut out = Vec::new();
    for change in changes {
        let Some(family) = family(&change.collection) else { continue };
        let after = store.get(crate::state::CollectionKey::named(&change.collection), &change.id);
        for kind in kinds_of(&change.collection, change.before.as_ref(), after) {
            // Borrowed: `view` makes the one copy an event keeps.
            let object = after.or(change.before.as_ref()).unwrap_or(&Value::Null);
            let (event_type, data) = match kind {
                Kind::Created => (format!("{family}.created"), view(store, changes, &change.collection, object, issuer)),
                Kind::Updated => (format!("{family}.updated"), view(store, changes, &change.collection, object, issuer)),
                Kind::Deleted => {
                    let data = if change.collection == collections::MEMBERSHIPS {
                        view(store, changes, &change.collection, object, issuer)
                    } else {
                        Cow::Owned(deleted_object(object))
                    };
                    (format!("{family}.deleted"), data)
                }
                Kind::Named(name) => {
                    let mut data = view(store, changes, &change.collection, object, issuer);
                    if name == "session.removed" && after.is_none() {
                        data.to_mut()["status"] = json!("removed");
                    }
                    (name.to_string(), data)
                }
                Kind::Email => ("email.created".to_string(), Cow::Borrowed(object)),
            };
            out.push(Pending { event_type, data, object_id: change.id.clone() });
        }
    }
    out
}

/// Clerk's `DeletedObject` for a removed object.
fn deleted_object(object: &Value) -> Value {
    let mut out = json!({"object": object["object"], "id": object["id"], "deleted": true});
    if let Some(slug) = object.get("slug").filter(|s| s.is_string()) {
        out["slug"] = slug.clone();
    }
    if let Some(ext) = object.get("external_id").filter(|s| s.is_string()) {
        out["external_id"] = ext.clone();
    }
    out
}

/// The stored user of an id, or its value before this request (a cascade
/// removed it).
fn user_of<'a>(store: &'a Store, changes: &'a [Change], id: &str) -> Option<&'a Value> {
    store.get(USERS, id).or_else(|| {
        changes.iter().find(|c| c.collection == "users" && c.id == id).and_then(|c| c.before.as_ref())
    })
}

/// The object as the BAPI handlers show it.
fn view<'a>(store: &Store, changes: &[Change], collection: &str, object: &'a Value, issuer: &str) -> Cow<'a, Value> {
    Cow::Owned(match CollectionKey::named(collection) {
        collections::ORGS => orgs::org_view(store, object),
        collections::MEMBERSHIPS => {
            let mut v = memberships::view(store, object);
            if v.get("public_user_data").is_none() {
                if let Some(user) = object["_user_id"].as_str().and_then(|id| user_of(store, changes, id)) {
                    v["public_user_data"] = orgs::public_user_data(user);
                }
            }
            v
        }
        collections::INVITATIONS => {
            let mut v = invitations::view(store, object, issuer);
            // The catalogue nests the organization's public data under `data`.
            if let Some(public) = v.get("public_organization_data").cloned() {
                v["data"] = json!({"public_organization_data": public});
            }
            v
        }
        collections::DOMAINS => domains::view(store, object),
        roles::ROLES => roles::role_view(store, object),
        SESSIONS => {
            let mut v = object.clone();
            let user = object["user_id"].as_str().and_then(|id| user_of(store, changes, id)).cloned();
            v["user"] = user.unwrap_or(Value::Null);
            v
        }
        _ => return Cow::Borrowed(object),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_of_only_updated_at_or_internal_keys_is_not_an_event() {
        let before = json!({"id": "user_1", "updated_at": 1, "_password": "a"});
        let after = json!({"id": "user_1", "updated_at": 2, "_password": "b"});
        assert!(kinds_of("users", Some(&before), Some(&after)).is_empty());
        assert_eq!(kinds_of("users", Some(&before), Some(&json!({"id": "user_1", "first_name": "A"}))), vec![Kind::Updated]);
    }

    #[test]
    fn a_pending_session_is_created_and_pending() {
        let s = json!({"id": "sess_1", "status": "pending"});
        assert_eq!(kinds_of("sessions", None, Some(&s)), vec![Kind::Named("session.created"), Kind::Named("session.pending")]);
    }

    #[test]
    fn an_organization_invitation_accepted_or_revoked_is_named_by_its_status() {
        let b = json!({"id": "orginv_1", "status": "pending"});
        assert_eq!(kinds_of(collections::INVITATIONS.as_str(), Some(&b), Some(&json!({"status": "accepted"}))), vec![Kind::Named("organizationInvitation.accepted")]);
        assert_eq!(kinds_of(collections::INVITATIONS.as_str(), Some(&b), Some(&json!({"status": "revoked"}))), vec![Kind::Named("organizationInvitation.revoked")]);
    }

    #[test]
    fn an_email_put_in_the_outbox_is_an_email_created_event() {
        assert_eq!(kinds_of("emails", None, Some(&json!({"id": "ema_1"}))), vec![Kind::Email]);
        assert!(family("invitations").is_none(), "the invitation itself is no event: its email is");
    }

    #[test]
    fn a_created_then_removed_object_is_no_event() {
        assert!(kinds_of("users", None, None).is_empty());
    }
}
