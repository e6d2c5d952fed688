//! Webhooks: Clerk's events, delivered to an app's handler like Svix does.
//!
//! ```text
//! request → handlers change the store (recorded: state/changes.rs)
//!         → events.rs: changes → catalogue event types + data objects
//!         → catalogue.rs: data written in the event type's shape, payload built
//!         → the event log (GET /__admin/webhooks/events)
//!         → delivery.rs: one ordered queue per endpoint, signed (signing.rs), retried
//! ```
//!
//! Endpoints: `--webhook-url` (every instance, secret `--webhook-secret` or
//! generated at start), and per instance in the store's `webhook_endpoints`
//! settings document (admin API, BAPI's Svix operations, fixtures' `webhooks:`),
//! so they are reset with the fixtures, dumped with the state and saved with
//! `--data-dir`. Without the webhooks spec, webhooks are off (one log line;
//! the admin endpoints answer 409 saying why).

pub mod catalogue;
pub mod delivery;
pub mod endpoints;
pub mod events;
pub mod signing;

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use serde_json::{json, Value};

use crate::resources::svix::{self, ENDPOINTS_KEY};
use crate::scenario::Scenarios;
use crate::state::{changes::Change, ids, Store};
use catalogue::Catalogue;
use delivery::{Deliveries, Message};
use endpoints::{Endpoint, Scope};


/// Where an event came from (`event_attributes.http_request`).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub client_ip: String,
    pub user_agent: String,
}

/// One emitted event as the admin API lists it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub message: Arc<Message>,
    pub object_id: String,
    pub deliveries: Vec<String>,
    /// Schema problems, when `--validate-responses` checked it.
    pub problems: Vec<String>,
}

pub struct Webhooks {
    pub catalogue: Option<Arc<Catalogue>>,
    /// Why webhooks are off, when they are.
    pub disabled: Option<String>,
    global: RwLock<Vec<Arc<Endpoint>>>,
    log: Mutex<VecDeque<Logged>>,
    pub deliveries: Arc<Deliveries>,
    validate: bool,
    /// Events kept for `GET /__admin/webhooks/events`, oldest dropped first
    /// (`--webhook-log-size`).
    max_events: usize,
    /// The server's own URL once bound (Svix's app URL points there).
    pub public_url: std::sync::OnceLock<String>,
}

impl Webhooks {
    /// Loads the catalogue the configuration points at; `--webhook-url`s
    /// become endpoints of every instance.
    pub fn from_config(config: &crate::config::ServeArgs, scenarios: Arc<Scenarios>) -> Result<Webhooks, String> {
        // Beside the specs: `--spec-dir`, else the cache a first start filled
        // (`webhooks/<version>.yml` there).
        let spec_dir = config.spec.spec_dir.clone().or_else(|| config.spec.specs.is_empty().then(crate::openapi::load::cache_dir).flatten());
        let found = Catalogue::discover(config.webhooks.webhooks_spec.as_deref(), spec_dir.as_deref());
        let (catalogue, disabled) = match found {
            Some(path) => (Some(Arc::new(Catalogue::load(&path, config.seed)?)), None),
            None => (None, Some("no webhooks spec: pass --webhooks-spec FILE or put Clerk's webhooks-*.json in <spec-dir>/webhooks/".to_string())),
        };
        let hub = Webhooks {
            catalogue,
            disabled,
            global: RwLock::new(Vec::new()),
            log: Mutex::new(VecDeque::new()),
            deliveries: Deliveries::new(config.webhooks.webhook_retry_scale, config.webhooks.webhook_log_size, scenarios),
            validate: config.validate_responses,
            max_events: config.webhooks.webhook_log_size,
            public_url: std::sync::OnceLock::new(),
        };
        // One secret for every --webhook-url endpoint: given, or generated once.
        let secret = match config.webhooks.webhook_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => signing::Secret::parse(s).map_err(|e| format!("--webhook-secret: {e}"))?,
            None => signing::Secret::generate(),
        };
        for (i, url) in config.webhooks.webhook_urls.iter().filter(|u| !u.trim().is_empty()).enumerate() {
            let endpoint = Endpoint::new(&format!("ep_global_{}", i + 1), url.trim(), Some(&secret.text), Vec::new(), Scope::Global)
                .map_err(|e| format!("--webhook-url: {e}"))?;
            hub.global.write().push(Arc::new(endpoint));
        }
        Ok(hub)
    }

    /// Webhooks without a catalogue (in-process apps built without config).
    pub fn disabled(scenarios: Arc<Scenarios>) -> Webhooks {
        Webhooks {
            catalogue: None,
            disabled: Some("webhooks are not configured".into()),
            global: RwLock::new(Vec::new()),
            log: Mutex::new(VecDeque::new()),
            deliveries: Deliveries::new(1.0, crate::config::DEFAULT_WEBHOOK_LOG_SIZE, scenarios),
            validate: false,
            max_events: crate::config::DEFAULT_WEBHOOK_LOG_SIZE,
            public_url: std::sync::OnceLock::new(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.catalogue.is_some()
    }

    /// What `GET /__admin/health` says about webhooks.
    pub fn health(&self) -> Value {
        json!({
            "enabled": self.enabled(),
            "disabled_reason": self.disabled,
            "event_types": self.catalogue.as_ref().map_or(0, |c| c.types.len()),
            "global_endpoints": self.global.read().len(),
            "pending_deliveries": self.deliveries.pending(),
        })
    }

    /// The signing secret of the `--webhook-url` endpoints, if any (printed at start).
    pub fn global_secret(&self) -> Option<String> {
        self.global.read().first().map(|e| e.secret.text.clone())
    }

    pub fn global_endpoints(&self) -> Vec<Arc<Endpoint>> {
        self.global.read().clone()
    }

    pub fn add_global(&self, endpoint: Endpoint) {
        self.global.write().push(Arc::new(endpoint));
    }

    /// Removes global endpoints (`None`: all); how many went.
    pub fn remove_global(&self, id: Option<&str>) -> usize {
        let mut list = self.global.write();
        let before = list.len();
        list.retain(|e| id.is_some_and(|id| e.id != id));
        before - list.len()
    }

    /// Turns a request's store changes into events, logs them and queues
    /// their deliveries. Called with the store locked, so events of one
    /// instance are numbered and queued in the order their changes happened.
    pub fn emit(&self, store: &Store, changes: &[Change], origin: &Origin, issuer: &str) {
        let Some(catalogue) = &self.catalogue else { return };
        let pending = events::derive(store, changes, issuer);
        if pending.is_empty() {
            return;
        }
        let instance_id = ids::make_id("ins", store.seed, &store.instance_key, 0);
        let mut targets: Vec<Arc<Endpoint>> = self.global_endpoints();
        targets.extend(instance_endpoints(store));
        for event in pending {
            let Some(ty) = catalogue.get(&event.event_type) else { continue };
            let timestamp_ms = now_ms();
            let body = payload(ty, &event.data, &event.event_type, timestamp_ms, &instance_id, origin);
            let problems = if self.validate {
                let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let problems = ty.problems(&parsed);
                if !problems.is_empty() {
                    tracing::error!(event = %event.event_type, "emitted payload does not match the webhooks spec: {}", problems.join("; "));
                }
                problems
            } else {
                Vec::new()
            };
            let message = Arc::new(Message {
                id: message_id(),
                instance: store.instance_key.clone(),
                event_type: event.event_type.clone(),
                timestamp_ms,
                body: Bytes::from(body),
            });
            let deliveries = targets
                .iter()
                .filter(|e| e.wants(&event.event_type, &store.instance_key))
                .map(|e| self.deliveries.enqueue(message.clone(), e.clone()))
                .collect();
            self.record(Logged { message, object_id: event.object_id, deliveries, problems });
        }
    }

    fn record(&self, logged: Logged) {
        let mut log = self.log.lock();
        log.push_back(logged);
        while log.len() > self.max_events {
            log.pop_front();
        }
    }

    /// Logged events of an instance (all instances with `None`), oldest
    /// first, that pass `keep`.
    pub fn events(&self, instance: Option<&str>, keep: impl Fn(&Logged) -> bool) -> Vec<Logged> {
        self.log.lock().iter().filter(|l| instance.is_none_or(|k| l.message.instance == k)).filter(|l| keep(l)).cloned().collect()
    }
}

/// The endpoints an instance's store declares.
pub fn instance_endpoints(store: &Store) -> Vec<Arc<Endpoint>> {
    let Some(list) = store.singleton(ENDPOINTS_KEY).and_then(Value::as_array) else { return Vec::new() };
    list.iter().filter_map(|e| endpoint_from_json(e, &store.instance_key).map(Arc::new)).collect()
}

/// An endpoint stored as `{id, url, secret, event_types, created_at}`.
pub fn endpoint_from_json(v: &Value, instance: &str) -> Option<Endpoint> {
    let filter = v["event_types"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect()).unwrap_or_default();
    let mut e = Endpoint::new(v["id"].as_str()?, v["url"].as_str()?, v["secret"].as_str(), filter, Scope::Instance(instance.to_string())).ok()?;
    if let Some(at) = v["created_at"].as_i64() {
        e.created_at = at;
    }
    Some(e)
}

/// The stored form of an endpoint.
pub fn endpoint_to_stored(e: &Endpoint) -> Value {
    json!({"id": e.id, "url": e.url, "secret": e.secret.text, "event_types": e.filter, "created_at": e.created_at})
}

/// Adds an endpoint to an instance's store (the list `resources::svix` owns).
pub fn add_instance_endpoint(store: &mut Store, endpoint: &Endpoint) {
    svix::add_stored_endpoint(store, endpoint_to_stored(endpoint));
}

/// A fresh endpoint id.
pub fn endpoint_id() -> String {
    random_id("ep")
}

fn message_id() -> String {
    random_id("msg")
}

fn random_id(prefix: &str) -> String {
    use rand::RngExt;
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..27).map(|_| BASE62[rng.random_range(0..BASE62.len())] as char).collect();
    format!("{prefix}_{tail}")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The payload bytes: `{data, object: "event", type, timestamp, instance_id,
/// event_attributes: {http_request: {client_ip, user_agent}}}`, `data` in
/// the event type's shape.
fn payload(ty: &catalogue::EventType, data: &Value, event_type: &str, timestamp_ms: i64, instance_id: &str, origin: &Origin) -> Vec<u8> {
    let mut out = Vec::with_capacity(2048);
    out.extend_from_slice(b"{\"data\":");
    ty.data_shape.write(data, &mut out);
    let rest = json!({
        "object": "event",
        "type": event_type,
        "timestamp": timestamp_ms,
        "instance_id": instance_id,
        "event_attributes": {"http_request": {"client_ip": origin.client_ip, "user_agent": origin.user_agent}},
    });
    let rest = serde_json::to_vec(&rest).unwrap_or_default();
    out.push(b',');
    out.extend_from_slice(&rest[1..]);
    out
}
