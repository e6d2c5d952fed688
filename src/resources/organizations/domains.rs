//! Organization domains: create, list (per organization and instance-wide),
//! update, delete, and the newer specs' manual ownership verification.
//!
//! Stored in collection `organization_domains` with `_org_id`. A domain name
//! belongs to one organization of the instance at a time.
//!
//! ```text
//! POST /organizations/org_…/domains {"name":"acme.com","enrollment_mode":"automatic_invitation","verified":true}
//!   → {"object":"organization_domain","name":"acme.com","verification":{"status":"verified","strategy":"admin",…}}
//! GET  /organization_domains?verified=true&enrollment_mode=-manual_invitation
//! ```

use serde_json::{json, Value};

use super::{public_org_data, require_org, DOMAINS, ORGS};
use crate::error::ApiError;
use crate::handler::{Ctx, Reply};
use crate::registry::Registry;
use crate::state::listing::matches_query;
use crate::state::Store;
use crate::resources::collections::DOMAIN;

const ENROLLMENT_MODES: &[&str] = &["manual_invitation", "automatic_invitation", "automatic_suggestion", "enterprise_sso"];

pub fn register(registry: &mut Registry) {
    registry.add("CreateOrganizationDomain", "organizations", create);
    registry.add("ListOrganizationDomains", "organizations", list_for_org);
    registry.add("UpdateOrganizationDomain", "organizations", update);
    registry.add("DeleteOrganizationDomain", "organizations", delete);
    registry.add("VerifyOrganizationDomainOwnership", "organizations", verify_ownership);
    registry.add("ListAllOrganizationDomains", "organizations", list_all);
}

fn verification(verified: bool, now: i64) -> Value {
    json!({
        "status": if verified { "verified" } else { "unverified" },
        "strategy": if verified { "admin" } else { "email_code" },
        "attempts": 0,
        "expire_at": null,
        "verified_at": if verified { json!(now) } else { Value::Null },
    })
}

fn check_mode(mode: &str) -> Result<(), ApiError> {
    if ENROLLMENT_MODES.contains(&mode) {
        Ok(())
    } else {
        Err(ApiError::param_invalid("enrollment_mode", format!("enrollment_mode must be one of {}.", ENROLLMENT_MODES.join(", "))))
    }
}

/// A domain as answered, with its organization's public data.
pub fn view(store: &Store, domain: &Value) -> Value {
    let mut out = domain.clone();
    let org_id = domain.get("_org_id").and_then(Value::as_str).unwrap_or("");
    out["public_organization_data"] = store.get(ORGS, org_id).map(public_org_data).unwrap_or(Value::Null);
    out
}

fn create(ctx: &Ctx) -> Result<Reply, ApiError> {
    let name = crate::resources::params::required_text(&ctx.body, "name")?.to_lowercase();
    let valid_name = name.contains('.') && !name.starts_with('.') && !name.ends_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !valid_name {
        return Err(ApiError::format_invalid(format!("{name:?} is not a domain name.")).with_param("name"));
    }
    let mode = ctx.str_field("enrollment_mode").unwrap_or("manual_invitation").to_string();
    check_mode(&mode)?;
    let verified = ctx.field("verified").and_then(Value::as_bool).unwrap_or(false);
    let mut store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    if store.iter(DOMAINS).any(|d| d.get("name").and_then(Value::as_str) == Some(name.as_str())) {
        return Err(ApiError::identifier_exists("name", format!("The domain {name} already belongs to an organization.")));
    }
    let domain = store.create(&DOMAIN, |_store, _id, now| {
        json!({
            "organization_id": org_id,
            "name": name,
            "enrollment_mode": mode,
            "affiliation_email_address": null,
            "affiliation_verification": null,
            "ownership_verification": null,
            "verification": verification(verified, now),
            "total_pending_invitations": 0,
            "total_pending_suggestions": 0,
            "created_at": now,
            "updated_at": now,
            "_org_id": org_id,
        })
    });
    Ok(Reply::Object(view(&store, &domain)))
}

fn require_domain(store: &Store, ctx: &Ctx) -> Result<String, ApiError> {
    super::require_child(store, ctx, DOMAINS, "domain_id", "organization domain")
}

fn update(ctx: &Ctx) -> Result<Reply, ApiError> {
    if let Some(mode) = ctx.str_field("enrollment_mode") {
        check_mode(mode)?;
    }
    let mut store = ctx.instance.store.lock();
    let id = require_domain(&store, ctx)?;
    let now = store.now_ms();
    let domain = store.get_mut(DOMAINS, &id).expect("found above");
    if let Some(mode) = ctx.str_field("enrollment_mode") {
        domain["enrollment_mode"] = json!(mode);
    }
    if let Some(verified) = ctx.field("verified").and_then(Value::as_bool) {
        let was = domain.pointer("/verification/status").and_then(Value::as_str) == Some("verified");
        if verified != was {
            domain["verification"] = verification(verified, now);
        }
    }
    domain["updated_at"] = json!(now);
    let domain = domain.clone();
    Ok(Reply::Object(view(&store, &domain)))
}

fn delete(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_domain(&store, ctx)?;
    store.remove(DOMAINS, &id);
    Ok(super::deleted_reply(json!({"object": "organization_domain", "id": id, "deleted": true})))
}

/// Marks ownership verified by the admin; idempotent.
fn verify_ownership(ctx: &Ctx) -> Result<Reply, ApiError> {
    let mut store = ctx.instance.store.lock();
    let id = require_domain(&store, ctx)?;
    let now = store.now_ms();
    let domain = store.get_mut(DOMAINS, &id).expect("found above");
    if domain.pointer("/ownership_verification/status").and_then(Value::as_str) != Some("verified") {
        domain["ownership_verification"] = verification(true, now);
        domain["updated_at"] = json!(now);
    }
    let domain = domain.clone();
    Ok(Reply::Object(view(&store, &domain)))
}

/// `verified`, `enrollment_mode` (values, or `-value` to exclude), `domains`,
/// `organization_id` and `query` filters; then order and page.
fn page(ctx: &Ctx, store: &Store, domains: Vec<&Value>) -> Reply {
    let verified = ctx.query.get("verified").map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
    let modes: Vec<String> = match ctx.query.get("enrollment_mode") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let (excluded, included): (Vec<&String>, Vec<&String>) = modes.iter().partition(|m| m.starts_with('-'));
    let names: Option<Vec<String>> = ctx.query.get("domains").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_lowercase).collect());
    let org_filter = ctx.query.get("organization_id").and_then(Value::as_str);
    let query = ctx.query.get("query").and_then(Value::as_str).map(str::to_lowercase);
    let views: Vec<Value> = domains
        .into_iter()
        .filter(|d| {
            let mode = d.get("enrollment_mode").and_then(Value::as_str).unwrap_or("");
            let is_verified = d.pointer("/verification/status").and_then(Value::as_str) == Some("verified");
            verified.as_deref().is_none_or(|v| (v == "true") == is_verified)
                && (included.is_empty() || included.iter().any(|m| m.as_str() == mode))
                && !excluded.iter().any(|m| &m[1..] == mode)
                && names.as_ref().is_none_or(|n| n.iter().any(|x| d["name"] == x.as_str()))
                && org_filter.is_none_or(|o| d["_org_id"] == o)
                && query.as_deref().is_none_or(|q| matches_query(d, q))
        })
        .map(|d| view(store, d))
        .collect();
    let order = ctx.query.get("order_by").and_then(Value::as_str).unwrap_or("-created_at");
    let refs: Vec<&Value> = views.iter().collect();
    ctx.sorted_page(refs, order)
}

fn list_for_org(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    let org_id = require_org(&store, ctx.path_param("organization_id"))?;
    let domains = store.iter(DOMAINS).filter(|d| d.get("_org_id").and_then(Value::as_str) == Some(org_id.as_str())).collect();
    Ok(page(ctx, &store, domains))
}

fn list_all(ctx: &Ctx) -> Result<Reply, ApiError> {
    let store = ctx.instance.store.lock();
    Ok(page(ctx, &store, store.iter(DOMAINS).collect()))
}
