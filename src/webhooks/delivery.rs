//! Delivery like Svix, off the request path: one ordered queue and one tokio
//! task per endpoint, HTTP POSTs signed per attempt, retries on non-2xx,
//! timeouts and refused connections on Svix's schedule (immediately, 5 s,
//! 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) times `--webhook-retry-scale`, then
//! `failed`. A message waits until the one before it on the same endpoint
//! has succeeded or failed, so a receiver sees events in the order they
//! happened. The API side only pushes onto a channel: it never waits for a
//! receiver.
//!
//! ```
//! use clerk_mock::webhooks::delivery::schedule;
//! let s = schedule(0.001);
//! assert_eq!(s.len(), 8);
//! assert_eq!(s[1], std::time::Duration::from_millis(5));
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use super::endpoints::Endpoint;
use super::signing::sign;
use crate::scenario::{DeliveryFault, Scenarios};

/// Svix's retry schedule, in seconds after the previous attempt.
const SVIX_SCHEDULE_S: [u64; 8] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];
/// Svix gives a receiver 15 s to answer.
const TIMEOUT_S: f64 = 15.0;
/// Messages one endpoint may have waiting; past it new ones fail at once
/// ("queue full") so a dead receiver cannot grow memory without bound.
pub const MAX_QUEUED_PER_ENDPOINT: usize = 100_000;

/// The waits before each attempt, scaled.
pub fn schedule(scale: f64) -> Vec<Duration> {
    SVIX_SCHEDULE_S.iter().map(|s| Duration::from_secs_f64(*s as f64 * scale.max(0.0))).collect()
}

/// The attempt timeout: 15 s scaled, never below 1 s.
pub fn timeout(scale: f64) -> Duration {
    Duration::from_secs_f64((TIMEOUT_S * scale).max(1.0))
}

/// One emitted event, ready to send.
#[derive(Debug)]
pub struct Message {
    /// `msg_…`: the `svix-id`, the same on every attempt and endpoint.
    pub id: String,
    pub instance: String,
    pub event_type: String,
    pub timestamp_ms: i64,
    pub body: Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Succeeded,
    Failed,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub at_ms: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: f64,
}

/// One message to one endpoint, with its attempts.
#[derive(Debug)]
pub struct Delivery {
    pub id: String,
    pub message: Arc<Message>,
    pub endpoint: Arc<Endpoint>,
    pub status: Status,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<i64>,
}

impl Delivery {
    pub fn to_json(&self) -> Value {
        json!({
            "object": "webhook_delivery",
            "id": self.id,
            "event_id": self.message.id,
            "event_type": self.message.event_type,
            "endpoint_id": self.endpoint.id,
            "url": self.endpoint.url,
            "status": self.status.as_str(),
            "attempts": self.attempts.iter().map(|a| json!({
                "at": a.at_ms, "status_code": a.status_code, "error": a.error, "latency_ms": a.latency_ms,
            })).collect::<Vec<_>>(),
            "next_attempt_at": self.next_attempt_at,
        })
    }
}

pub type Shared = Arc<Mutex<Delivery>>;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Every delivery and the per-endpoint workers.
pub struct Deliveries {
    kept: Mutex<VecDeque<Shared>>,
    by_id: Mutex<HashMap<String, Shared>>,
    queues: Mutex<HashMap<String, (mpsc::UnboundedSender<Shared>, Arc<AtomicUsize>)>>,
    pending: AtomicUsize,
    /// Pending deliveries per instance, so one test suite's flush does not
    /// wait for another's receiver.
    pending_by_instance: Mutex<HashMap<String, usize>>,
    settled: Notify,
    client: Client<HttpConnector, Full<Bytes>>,
    scale: f64,
    scenarios: Arc<Scenarios>,
    sequence: std::sync::atomic::AtomicU64,
    /// Deliveries kept for `GET /__admin/webhooks/deliveries`: finished ones
    /// beyond this are forgotten, oldest first (`--webhook-log-size`).
    max_kept: usize,
}

impl Deliveries {
    pub fn new(scale: f64, max_kept: usize, scenarios: Arc<Scenarios>) -> Arc<Deliveries> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(timeout(scale)));
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        Arc::new(Deliveries {
            kept: Mutex::new(VecDeque::new()),
            by_id: Mutex::new(HashMap::new()),
            queues: Mutex::new(HashMap::new()),
            pending: AtomicUsize::new(0),
            pending_by_instance: Mutex::new(HashMap::new()),
            settled: Notify::new(),
            client,
            scale,
            scenarios,
            sequence: std::sync::atomic::AtomicU64::new(0),
            max_kept,
        })
    }

    /// Queues a message for an endpoint (behind that endpoint's earlier
    /// ones); returns the delivery id. Needs a tokio runtime (the first
    /// message of an endpoint starts its worker).
    pub fn enqueue(self: &Arc<Self>, message: Arc<Message>, endpoint: Arc<Endpoint>) -> String {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("whd_{n:027}");
        let delivery = Arc::new(Mutex::new(Delivery {
            id: id.clone(),
            message,
            endpoint: endpoint.clone(),
            status: Status::Pending,
            attempts: Vec::new(),
            next_attempt_at: Some(now_ms()),
        }));
        self.keep(&delivery);
        self.submit(delivery);
        id
    }

    fn keep(&self, delivery: &Shared) {
        let id = delivery.lock().id.clone();
        self.by_id.lock().insert(id, delivery.clone());
        let mut kept = self.kept.lock();
        kept.push_back(delivery.clone());
        while kept.len() > self.max_kept {
            let Some(front) = kept.front() else { break };
            if front.lock().status == Status::Pending {
                break;
            }
            if let Some(old) = kept.pop_front() {
                let old_id = old.lock().id.clone();
                self.by_id.lock().remove(&old_id);
            }
        }
    }

    fn submit(self: &Arc<Self>, delivery: Shared) {
        let (endpoint, instance) = {
            let d = delivery.lock();
            (d.endpoint.clone(), d.message.instance.clone())
        };
        self.pending.fetch_add(1, Ordering::SeqCst);
        *self.pending_by_instance.lock().entry(instance).or_default() += 1;
        let mut queues = self.queues.lock();
        let (tx, depth) = queues.entry(endpoint.id.clone()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let depth = Arc::new(AtomicUsize::new(0));
            let worker = self.clone();
            let worker_depth = depth.clone();
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(async move { worker.work(rx, worker_depth).await });
                }
                Err(_) => tracing::error!("webhook delivery needs a tokio runtime; nothing will be sent"),
            }
            (tx, depth)
        });
        if depth.load(Ordering::SeqCst) >= MAX_QUEUED_PER_ENDPOINT {
            drop(queues);
            self.finish(&delivery, Status::Failed, Some("queue full: the endpoint has too many undelivered messages".into()));
            return;
        }
        depth.fetch_add(1, Ordering::SeqCst);
        if tx.send(delivery.clone()).is_err() {
            drop(queues);
            self.finish(&delivery, Status::Failed, Some("the endpoint's worker stopped".into()));
        }
    }

    /// Sends a delivery again from the first attempt (admin retry); a
    /// pending one is left alone. `None`: unknown id.
    pub fn retry(self: &Arc<Self>, id: &str) -> Option<Value> {
        let delivery = self.by_id.lock().get(id).cloned()?;
        {
            let mut d = delivery.lock();
            if d.status == Status::Pending {
                return Some(d.to_json());
            }
            d.status = Status::Pending;
            d.next_attempt_at = Some(now_ms());
        }
        self.submit(delivery.clone());
        let out = delivery.lock().to_json();
        Some(out)
    }

    async fn work(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<Shared>, depth: Arc<AtomicUsize>) {
        while let Some(delivery) = rx.recv().await {
            self.attempt_all(&delivery).await;
            depth.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Every attempt of one delivery, until one succeeds or the schedule ends.
    async fn attempt_all(&self, delivery: &Shared) {
        let (message, endpoint) = {
            let d = delivery.lock();
            (d.message.clone(), d.endpoint.clone())
        };
        let waits = schedule(self.scale);
        let last = waits.len() - 1;
        for (i, wait) in waits.iter().enumerate() {
            if i > 0 {
                delivery.lock().next_attempt_at = Some(now_ms() + wait.as_millis() as i64);
                tokio::time::sleep(*wait).await;
            }
            let attempt = self.attempt(&message, &endpoint).await;
            let ok = attempt.status_code.is_some_and(|s| (200..300).contains(&s));
            delivery.lock().attempts.push(attempt);
            if ok {
                self.finish(delivery, Status::Succeeded, None);
                return;
            }
            if i == last {
                self.finish(delivery, Status::Failed, None);
                return;
            }
        }
    }

    fn finish(&self, delivery: &Shared, status: Status, error: Option<String>) {
        let instance = {
            let mut d = delivery.lock();
            d.status = status;
            d.next_attempt_at = None;
            if let Some(e) = error {
                d.attempts.push(Attempt { at_ms: now_ms(), status_code: None, error: Some(e), latency_ms: 0.0 });
            }
            d.message.instance.clone()
        };
        {
            let mut by_instance = self.pending_by_instance.lock();
            if let Some(n) = by_instance.get_mut(&instance) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    by_instance.remove(&instance);
                }
            }
        }
        self.pending.fetch_sub(1, Ordering::SeqCst);
        self.settled.notify_waiters();
    }

    /// One POST (or the failure a scenario rule asks for instead).
    async fn attempt(&self, message: &Message, endpoint: &Endpoint) -> Attempt {
        let at_ms = now_ms();
        let started = Instant::now();
        let decision = self.scenarios.decide_delivery(&message.instance, &message.event_type, &endpoint.url);
        if let Some(delay) = decision.delay {
            tokio::time::sleep(delay).await;
        }
        let latency = |started: Instant| (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
        match decision.fault {
            Some(DeliveryFault::Status(code)) => {
                return Attempt { at_ms, status_code: Some(code), error: Some(format!("scenario rule {}", decision.fired.join(", "))), latency_ms: latency(started) }
            }
            Some(DeliveryFault::Drop) => {
                return Attempt { at_ms, status_code: None, error: Some(format!("connection dropped by scenario rule {}", decision.fired.join(", "))), latency_ms: latency(started) }
            }
            None => {}
        }
        let timestamp = at_ms / 1000;
        let signature = sign(&endpoint.secret, &message.id, timestamp, &message.body);
        let request = hyper::Request::post(endpoint.uri.clone())
            .header("content-type", "application/json")
            .header("user-agent", "Svix-Webhooks/1.0 (clerk-mock)")
            .header("svix-id", message.id.as_str())
            .header("svix-timestamp", timestamp.to_string())
            .header("svix-signature", signature)
            .body(Full::new(message.body.clone()));
        let request = match request {
            Ok(r) => r,
            Err(e) => return Attempt { at_ms, status_code: None, error: Some(e.to_string()), latency_ms: 0.0 },
        };
        let sent = tokio::time::timeout(timeout(self.scale), async {
            let response = self.client.request(request).await?;
            let status = response.status().as_u16();
            // Read (and drop) the answer so the connection can be reused.
            let _ = response.into_body().collect().await;
            Ok::<u16, hyper_util::client::legacy::Error>(status)
        })
        .await;
        match sent {
            Ok(Ok(status)) => Attempt { at_ms, status_code: Some(status), error: None, latency_ms: latency(started) },
            Ok(Err(e)) => Attempt { at_ms, status_code: None, error: Some(error_text(&e)), latency_ms: latency(started) },
            Err(_) => Attempt { at_ms, status_code: None, error: Some(format!("timed out after {:?}", timeout(self.scale))), latency_ms: latency(started) },
        }
    }

    /// How many deliveries have not succeeded or failed yet.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// Pending deliveries of one instance (`None`: all).
    pub fn pending_of(&self, instance: Option<&str>) -> usize {
        match instance {
            None => self.pending(),
            Some(k) => self.pending_by_instance.lock().get(k).copied().unwrap_or(0),
        }
    }

    /// Waits until nothing of the instance (`None`: of any instance) is
    /// pending or the deadline passes; true when nothing is pending.
    pub async fn flush_instance(&self, instance: Option<&str>, deadline: Duration) -> bool {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            if self.pending_of(instance) == 0 {
                return true;
            }
            if tokio::time::timeout_at(until, settled).await.is_err() {
                return self.pending_of(instance) == 0;
            }
        }
    }

    /// Waits until nothing at all is pending (shutdown), or the deadline.
    pub async fn flush(&self, deadline: Duration) -> bool {
        self.flush_instance(None, deadline).await
    }

    /// How many deliveries pass `keep`, and the first `limit` of them, newest first.
    pub fn list(&self, keep: impl Fn(&Delivery) -> bool, limit: usize) -> (usize, Vec<Value>) {
        let kept = self.kept.lock();
        let mut total = 0;
        let mut page = Vec::new();
        for d in kept.iter().rev() {
            let d = d.lock();
            if keep(&d) {
                total += 1;
                if page.len() < limit {
                    page.push(d.to_json());
                }
            }
        }
        (total, page)
    }

    /// The ids and event types of what is still pending (for the shutdown log).
    pub fn pending_summary(&self) -> Vec<String> {
        self.kept.lock().iter().filter_map(|d| {
            let d = d.lock();
            (d.status == Status::Pending).then(|| format!("{} {} → {}", d.message.id, d.message.event_type, d.endpoint.url))
        }).collect()
    }
}

fn error_text(e: &hyper_util::client::legacy::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
