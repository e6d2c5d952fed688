//! Organizations from the browser (FAPI.md §2.3 #21–23): the signed-in user's
//! memberships, invitations and suggestions, creating an organization (the
//! creator becomes its `org:admin`, through `resources/organizations`), and
//! accepting an invitation. The user is the one of the session the request
//! acts for (`_clerk_session_id`, else the client's last active session);
//! without one the answer is the 401 that signs clerk-js out.
//!
//! ```text
//! GET  /v1/me/organization_memberships?paginated=true&limit=10&offset=0 → {response: {data: […], total_count}, client: null}
//! POST /v1/organizations name=Acme                                     → {response: organization, client}
//! ```

use serde_json::{json, Value};

use super::flow::{self, Flow};
use super::{view, FrontendAnswer, FrontendCall};
use crate::error::ApiError;
use crate::resources::organizations::{self, invitations, memberships};
use crate::resources::collections::{INVITATIONS, MEMBERSHIPS, USERS};
use crate::resources::collections::SESSIONS;

/// The acting session's user id.
fn user_id(flow: &Flow) -> Result<String, ApiError> {
    let session = flow.acting_session().ok_or_else(ApiError::signed_out)?;
    Ok(flow.store.get(SESSIONS, &session).and_then(|s| s["user_id"].as_str()).unwrap_or("").to_string())
}

/// `limit` (default 10, at most 500) and `offset` from the query.
fn page(call: &FrontendCall) -> (usize, usize) {
    let number = |name: &str| call.raw_query_value(name).and_then(|v| v.parse::<usize>().ok());
    (number("limit").unwrap_or(10).clamp(1, 500), number("offset").unwrap_or(0))
}

/// `{data, total_count}` when `paginated=true`, else the bare array.
fn listed(flow: Flow, items: Vec<Value>) -> Result<FrontendAnswer, ApiError> {
    let (limit, offset) = page(flow.call);
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let response = if flow.call.raw_query_value("paginated") == Some("true") {
        json!({"data": data, "total_count": total})
    } else {
        Value::Array(data)
    };
    flow.wrapped_alone(response)
}

pub fn memberships(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let flow = Flow::begin(call)?;
    let user = user_id(&flow)?;
    let items: Vec<Value> =
        flow.store.iter(MEMBERSHIPS).filter(|m| m["_user_id"] == user.as_str()).map(|m| view::membership(&flow.store, m)).collect();
    listed(flow, items)
}

fn emails_of(flow: &Flow, user_id: &str) -> Vec<String> {
    let user = flow.store.get(USERS, user_id).cloned().unwrap_or(Value::Null);
    user["email_addresses"].as_array().into_iter().flatten().filter_map(|e| e["email_address"].as_str()).map(str::to_lowercase).collect()
}

fn invitation_view(flow: &Flow, invitation: &Value) -> Value {
    let mut out = invitations::view(&flow.store, invitation, &flow.call.services.tokens.issuer);
    out["organization_id"] = invitation["_org_id"].clone();
    out
}

pub fn invitations(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let flow = Flow::begin(call)?;
    let user = user_id(&flow)?;
    let emails = emails_of(&flow, &user);
    let status = call.raw_query_value("status").map(String::from);
    let items: Vec<Value> = flow
        .store
        .iter(INVITATIONS)
        .filter(|i| i["email_address"].as_str().is_some_and(|e| emails.contains(&e.to_lowercase())))
        .map(|i| invitation_view(&flow, i))
        .filter(|i| status.as_deref().is_none_or(|s| i["status"] == s))
        .collect();
    listed(flow, items)
}

/// No domains are verified in the mock, so nobody gets suggestions.
pub fn suggestions(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let flow = Flow::begin(call)?;
    user_id(&flow)?;
    listed(flow, Vec::new())
}

pub fn create_organization(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let user = user_id(&flow)?;
    if flow.store.get(USERS, &user).is_some_and(|u| u["create_organization_enabled"] == false) {
        return Err(ApiError::organization_creation_not_allowed());
    }
    let mut body = json!({"name": call.body.get("name"), "created_by": user});
    if let Some(slug) = call.body.get("slug").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        body["slug"] = json!(slug);
    }
    let org = organizations::insert_organization(&mut flow.store, &body)?;
    flow.wrapped(org)
}

pub fn accept_invitation(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let mut flow = Flow::begin(call)?;
    let user_id = user_id(&flow)?;
    let id = call.path.get("invitation_id").and_then(Value::as_str).unwrap_or("").to_string();
    let emails = emails_of(&flow, &user_id);
    let invitation = flow
        .store
        .get(INVITATIONS, &id)
        .filter(|i| i["email_address"].as_str().is_some_and(|e| emails.contains(&e.to_lowercase())))
        .cloned()
        .ok_or_else(|| flow::not_found(call, "organization invitation"))?;
    if invitation_view(&flow, &invitation)["status"] != "pending" {
        return Err(ApiError::invitation_not_pending());
    }
    let user = flow.store.get(USERS, &user_id).cloned().unwrap_or(Value::Null);
    let org_id = invitation["_org_id"].as_str().unwrap_or("").to_string();
    let role = invitation["role"].as_str().unwrap_or("org:member").to_string();
    memberships::insert(&mut flow.store, &org_id, &user, &role, invitation["public_metadata"].clone(), invitation["private_metadata"].clone())?;
    let now = flow.store.now_ms();
    if let Some(i) = flow.store.get_mut(INVITATIONS, &id) {
        i["status"] = json!("accepted");
        i["updated_at"] = json!(now);
    }
    let accepted = flow.store.get(INVITATIONS, &id).cloned().unwrap_or(Value::Null);
    let answer = invitation_view(&flow, &accepted);
    flow.wrapped(answer)
}
