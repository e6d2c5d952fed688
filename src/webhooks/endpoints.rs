//! Where events go: endpoints registered per instance (admin API, BAPI's
//! Svix operations, fixtures) or for every instance (`--webhook-url`).
//!
//! ```
//! use clerk_mock::webhooks::endpoints::{Endpoint, Scope};
//! let e = Endpoint::new("ep_1", "http://127.0.0.1:9/hook", None, vec!["user.*".into()], Scope::Instance("sk_test_a".into())).unwrap();
//! assert!(e.wants("user.created", "sk_test_a"));
//! assert!(!e.wants("session.created", "sk_test_a"));
//! assert!(!e.wants("user.created", "sk_test_b"));
//! ```

use serde_json::{json, Value};

use super::signing::Secret;
use crate::scenario::matcher::glob;

/// Whose events an endpoint receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every instance (`--webhook-url`).
    Global,
    Instance(String),
}

/// One receiver.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    /// Parsed once: only `http://host:port/path` (receivers are local).
    pub uri: hyper::Uri,
    pub secret: Secret,
    /// Event types (globs like `user.*`); empty = all.
    pub filter: Vec<String>,
    pub scope: Scope,
    pub created_at: i64,
}

impl Endpoint {
    /// Checks the URL and secret (generated when not given).
    pub fn new(id: &str, url: &str, secret: Option<&str>, filter: Vec<String>, scope: Scope) -> Result<Endpoint, String> {
        let uri: hyper::Uri = url.parse().map_err(|_| format!("{url:?} is not a URL"))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(format!("{url:?}: the mock delivers to plain http:// URLs with a host (receivers run locally)"));
        }
        let secret = match secret {
            Some(s) => Secret::parse(s)?,
            None => Secret::generate(),
        };
        let created_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        Ok(Endpoint { id: id.to_string(), url: url.to_string(), uri, secret, filter, scope, created_at })
    }

    /// Whether an event of this type from this instance goes here.
    pub fn wants(&self, event_type: &str, instance: &str) -> bool {
        let scoped = match &self.scope {
            Scope::Global => true,
            Scope::Instance(k) => k == instance,
        };
        scoped && (self.filter.is_empty() || self.filter.iter().any(|f| glob(f, event_type)))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "object": "webhook_endpoint",
            "id": self.id,
            "url": self.url,
            "secret": self.secret.text,
            "event_types": self.filter,
            "scope": match self.scope { Scope::Global => "global", Scope::Instance(_) => "instance" },
            "created_at": self.created_at,
        })
    }
}
