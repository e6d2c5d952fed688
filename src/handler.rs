//! What a handler gets and gives: [`Ctx`] (the validated request, its
//! instance and its spec) and [`Reply`] (a canonical object or list that the
//! pipeline reshapes to the picked spec's response schema).
//!
//! Handlers never build version-specific JSON: they return the stored object
//! and the renderer conforms it to whatever the request's API version declares.
//!
//! ```
//! use clerk_mock::handler::Reply;
//! let r = Reply::list(vec![serde_json::json!({"id": "x"})], 1);
//! assert!(matches!(r, Reply::List { total_count: 1, .. }));
//! ```

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::config::FlowArgs;
use crate::error::ApiError;
use crate::openapi::synth::Synth;
use crate::openapi::validate::UploadedFile;
use crate::openapi::{Operation, Spec};
use crate::state::Instance;
use crate::tokens::TokenSettings;

/// What a handler may read besides its request: plain settings of the whole
/// server, borrowed for one request. Handlers get these parts rather than
/// the application that holds them, so nothing under the app (resources,
/// tokens, this module) depends on it (docs/architecture.md, "Layers").
///
/// ```
/// use clerk_mock::{config::FlowArgs, handler::Services, tokens::TokenSettings};
/// let (tokens, flows, bound) = (TokenSettings::fallback(), FlowArgs::default(), std::sync::OnceLock::new());
/// let services = Services { seed: 1, tokens: &tokens, flows: &flows, bound_url: &bound, listen: ("127.0.0.1", 8787) };
/// assert_eq!(services.public_url(), "http://127.0.0.1:8787");
/// bound.set("http://127.0.0.1:40123".to_string()).unwrap();
/// assert_eq!(services.public_url(), "http://127.0.0.1:40123");
/// ```
#[derive(Clone, Copy)]
pub struct Services<'a> {
    /// `--seed`: what synthesis and generated values are reproducible under.
    pub seed: u64,
    /// Frontend host, issuer, publishable key and the configured signing key.
    pub tokens: &'a TokenSettings,
    /// The Frontend API's flows: the verification code, token lifetime, URLs.
    pub flows: &'a FlowArgs,
    /// The Backend API's URL once its listener is bound (port 0 picks one).
    pub bound_url: &'a OnceLock<String>,
    /// `--host` and `--port`, the URL's parts before the listener is bound.
    pub listen: (&'a str, u16),
}

impl Services<'_> {
    /// Where clients reach the Backend API (`http://host:port`, no trailing slash).
    pub fn public_url(&self) -> String {
        self.bound_url.get().cloned().unwrap_or_else(|| format!("http://{}:{}", self.listen.0, self.listen.1))
    }
}

/// A validated request, ready for a handler.
pub struct Ctx<'a> {
    pub services: Services<'a>,
    pub spec: &'a Arc<Spec>,
    pub op: &'a Operation,
    pub instance: Arc<Instance>,
    /// Path parameters by name.
    pub path: Map<String, Value>,
    /// Declared query parameters, typed.
    pub query: Map<String, Value>,
    /// Every query pair as sent (also the undeclared ones, e.g. `paginated`).
    pub raw_query: Vec<(String, String)>,
    /// The body as JSON (`{}` when empty), form and multipart bodies included.
    pub body: Value,
    pub files: Vec<UploadedFile>,
}

impl<'a> Ctx<'a> {
    /// A path parameter (routing guarantees declared ones are present).
    pub fn path_param(&self, name: &str) -> &str {
        self.path.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// A body field, if present and not null.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.body.get(name).filter(|v| !v.is_null())
    }

    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(Value::as_str)
    }

    /// A raw query value (first occurrence), declared or not.
    pub fn raw_query_value(&self, name: &str) -> Option<&str> {
        self.raw_query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `limit` (default 10, at most 500) and `offset` (default 0).
    pub fn page(&self) -> (usize, usize) {
        let number = |name: &str| {
            self.query
                .get(name)
                .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
                .or_else(|| self.raw_query_value(name).and_then(|s| s.parse().ok()))
        };
        let limit = number("limit").unwrap_or(10).clamp(1, 500) as usize;
        let offset = number("offset").unwrap_or(0) as usize;
        (limit, offset)
    }

    /// Sorts every match by `order_by` (`+field` / `-field`; empty: newest
    /// first) and answers the page `limit` / `offset` ask for, with the count
    /// of all matches.
    pub fn sorted_page(&self, mut matches: Vec<&Value>, order_by: &str) -> Reply {
        crate::state::listing::sort_by_order(&mut matches, order_by);
        let total = matches.len();
        let (limit, offset) = self.page();
        Reply::list(matches.into_iter().skip(offset).take(limit).cloned().collect(), total)
    }

    /// Schema-driven synthesis over the picked spec.
    pub fn synth(&self) -> Synth<'_> {
        Synth::new(&self.spec.doc, self.services.seed)
    }

    /// The success response schema of this operation in the picked spec.
    pub fn success_schema(&self) -> Option<&Value> {
        self.op.success().and_then(|r| r.schema.as_ref())
    }
}

/// What a handler answers.
#[derive(Debug)]
pub enum Reply {
    /// The operation's success status, body conformed to its schema.
    Object(Value),
    /// An explicit status, body conformed to the schema declared for it.
    Status(u16, Value),
    /// A list: rendered as the spec declares (bare array, `{data,total_count}`,
    /// or `{data,total_count}` when the client sends `paginated=true`).
    List { items: Vec<Value>, total_count: usize },
    /// A list of stored objects by id, written straight from the store
    /// without copying them (the fast path for big reads); an id deleted in
    /// the meantime is skipped.
    StoredList { collection: String, ids: Vec<String>, total_count: usize },
    /// A status without a body (204, 202).
    Empty(u16),
    /// A non-JSON body (the interstitial page).
    Raw { status: u16, content_type: String, body: String },
}

impl Reply {
    pub fn list(items: Vec<Value>, total_count: usize) -> Reply {
        Reply::List { items, total_count }
    }
}

/// A handler: a plain function of the validated request.
pub type Handler = fn(&Ctx) -> Result<Reply, ApiError>;
