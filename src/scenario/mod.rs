//! Scenario rules (DESIGN §6): failures, latency and dropped connections on
//! demand, so a test can see how its code copes with Clerk misbehaving.
//!
//! A rule matches routed, authenticated requests (see [`matcher`]) and, when
//! it fires, waits and/or answers or drops the connection (see [`action`]).
//! Rules come in named scenarios (see [`model`] for the YAML), active for
//! every instance (`--scenario`, or the admin API without a key), for one
//! instance (the admin API with that instance's key), or for one request
//! (header `X-Clerk-Mock-Scenario: NAME[?params][, NAME…]`).
//!
//! Rules are tried by `priority` (highest first; at equal priority: the
//! request's header scenarios, then the instance's, then global ones, each in
//! load order). A rule that matches counts the match, per instance; it fires
//! unless it expired (`times`), is still letting matches through (`after`),
//! waits for its turn (`every`) or loses its seeded draw (`probability`).
//! Firing delay-only rules add up and let the search go on; the first firing
//! rule that answers or drops ends it.
//!
//! ```
//! use clerk_mock::scenario::{bundled, Scenarios, Scope};
//! let book = Scenarios::new(1);
//! book.add(bundled::load("outage-500?times=1").unwrap(), Scope::Global);
//! assert_eq!(book.list(None)["scenarios"][0]["name"], "outage-500");
//! ```

pub mod action;
pub mod bundled;
pub mod matcher;
pub mod model;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::wire::Response;
use crate::openapi::SpecSet;
pub use action::Action;
pub use matcher::Facts;
pub use model::{Rule, Scenario};

/// The request header that applies scenarios to one request.
pub const HEADER: &str = "x-clerk-mock-scenario";

/// Who a loaded scenario applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Global,
    Instance(String),
    /// Picked by the request header.
    Request,
}

impl Scope {
    pub fn label(&self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Instance(_) => "instance",
            Scope::Request => "request",
        }
    }
}

/// A scenario as loaded: its rules, its scope and an id for its counters.
#[derive(Debug)]
pub struct Loaded {
    pub uid: u64,
    pub scope: Scope,
    pub scenario: Scenario,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counter {
    matched: u64,
    fired: u64,
}

/// What the scenario stage decided for one request.
#[derive(Debug)]
pub struct Decision {
    /// Wait this long first (sum of the delays of the rules that fired).
    pub delay: Option<Duration>,
    pub verdict: Verdict,
    /// Names of the rules that fired, in order.
    pub fired: Vec<String>,
}

#[derive(Debug)]
pub enum Verdict {
    /// Serve the request normally.
    Continue,
    Respond(Response),
    Drop,
}

impl Decision {
    fn pass() -> Decision {
        Decision { delay: None, verdict: Verdict::Continue, fired: Vec::new() }
    }
}

/// What the scenario stage decided for one webhook delivery attempt.
#[derive(Debug, Default)]
pub struct DeliveryDecision {
    pub delay: Option<Duration>,
    pub fault: Option<DeliveryFault>,
    pub fired: Vec<String>,
}

/// A failure a rule puts in place of a delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFault {
    /// As if the receiver answered this status.
    Status(u16),
    /// As if the connection was refused or dropped.
    Drop,
}

/// Every loaded scenario and its per-instance counters.
pub struct Scenarios {
    seed: u64,
    global: RwLock<Vec<Arc<Loaded>>>,
    by_instance: RwLock<HashMap<String, Vec<Arc<Loaded>>>>,
    /// Header references compiled once, so their counters persist.
    by_header: Mutex<HashMap<String, Arc<Loaded>>>,
    counters: Mutex<HashMap<(u64, usize, String), Counter>>,
    next_uid: AtomicU64,
}

impl Scenarios {
    pub fn new(seed: u64) -> Scenarios {
        Scenarios {
            seed,
            global: RwLock::new(Vec::new()),
            by_instance: RwLock::new(HashMap::new()),
            by_header: Mutex::new(HashMap::new()),
            counters: Mutex::new(HashMap::new()),
            next_uid: AtomicU64::new(1),
        }
    }

    fn wrap(&self, scenario: Scenario, scope: Scope) -> Arc<Loaded> {
        Arc::new(Loaded { uid: self.next_uid.fetch_add(1, Ordering::Relaxed), scope, scenario })
    }

    /// Activates a scenario; one of the same name in the same scope is
    /// replaced (and its counters start over).
    pub fn add(&self, scenario: Scenario, scope: Scope) -> Arc<Loaded> {
        let loaded = self.wrap(scenario, scope.clone());
        let replace = |list: &mut Vec<Arc<Loaded>>| match list.iter().position(|l| l.scenario.name == loaded.scenario.name) {
            Some(i) => list[i] = loaded.clone(),
            None => list.push(loaded.clone()),
        };
        match &scope {
            Scope::Global | Scope::Request => replace(&mut self.global.write()),
            Scope::Instance(key) => replace(self.by_instance.write().entry(key.clone()).or_default()),
        }
        loaded
    }

    /// Removes scenarios (all, or those named `name`) of a scope; returns how many.
    pub fn remove(&self, scope: &Scope, name: Option<&str>) -> usize {
        let keep = |l: &Arc<Loaded>| name.is_some_and(|n| l.scenario.name != n);
        let prune = |list: &mut Vec<Arc<Loaded>>| {
            let before = list.len();
            list.retain(keep);
            before - list.len()
        };
        match scope {
            Scope::Global | Scope::Request => prune(&mut self.global.write()),
            Scope::Instance(key) => self.by_instance.write().get_mut(key).map(prune).unwrap_or(0),
        }
    }

    /// Forgets an instance's own scenarios and every counter of that instance
    /// (part of `POST /__admin/reset`).
    pub fn reset_instance(&self, key: &str) {
        self.by_instance.write().remove(key);
        self.counters.lock().retain(|(_, _, instance), _| instance != key);
    }

    /// Global scenarios, plus `instance`'s own, with that instance's counters.
    pub fn list(&self, instance: Option<&str>) -> Value {
        let mut out: Vec<Arc<Loaded>> = self.global.read().clone();
        if let Some(key) = instance {
            out.extend(self.by_instance.read().get(key).cloned().unwrap_or_default());
        }
        let counters = self.counters.lock();
        let scenarios: Vec<Value> = out
            .iter()
            .map(|l| {
                let rules: Vec<Value> = l
                    .scenario
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let c = instance.and_then(|k| counters.get(&(l.uid, i, k.to_string()))).copied().unwrap_or_default();
                        let mut doc = serde_json::to_value(&r.doc).unwrap_or_else(|_| json!({}));
                        doc["name"] = json!(r.name);
                        doc["matched"] = json!(c.matched);
                        doc["fired"] = json!(c.fired);
                        doc["expired"] = json!(r.times.is_some_and(|t| c.fired >= t));
                        doc
                    })
                    .collect();
                json!({
                    "name": l.scenario.name,
                    "description": l.scenario.description,
                    "scope": l.scope.label(),
                    "source": l.scenario.source,
                    "params": l.scenario.params,
                    "rules": rules,
                })
            })
            .collect();
        json!({ "scenarios": scenarios, "bundled": bundled::names() })
    }

    /// The scenario stage: which rules fire for this request, and what happens.
    pub fn decide(&self, facts: &Facts, header: Option<&str>) -> Result<Decision, ApiError> {
        let global = self.global.read().clone();
        let own = self.by_instance.read().get(facts.instance).cloned().unwrap_or_default();
        let requested = match header.map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => self.header_scenarios(h, &global, &own)?,
            None => Vec::new(),
        };
        if global.is_empty() && own.is_empty() && requested.is_empty() {
            return Ok(Decision::pass());
        }
        let mut candidates: Vec<(usize, &Arc<Loaded>, usize, &Rule)> = Vec::new();
        for (rank, list) in [&requested, &own, &global].into_iter().enumerate() {
            for loaded in list {
                for (i, rule) in loaded.scenario.rules.iter().enumerate() {
                    candidates.push((rank, loaded, i, rule));
                }
            }
        }
        candidates.sort_by_key(|(rank, _, _, rule)| (-rule.priority, *rank));

        let mut decision = Decision::pass();
        let mut delay = Duration::ZERO;
        for (_, loaded, index, rule) in candidates {
            if !rule.matcher.matches(facts) {
                continue;
            }
            let Some(n) = self.count(loaded, index, rule, facts.instance) else { continue };
            decision.fired.push(rule.name.clone());
            if let Some(d) = &rule.delay {
                delay += d.sample(self.unit(&loaded.scenario.name, index, facts.instance, n, 1));
            }
            match &rule.action {
                Action::Continue => continue,
                Action::Respond(r) => decision.verdict = Verdict::Respond(r.response(facts.spec, facts.op)),
                Action::Drop => decision.verdict = Verdict::Drop,
            }
            break;
        }
        decision.delay = (!delay.is_zero()).then_some(delay);
        Ok(decision)
    }

    /// The scenario stage of one webhook delivery attempt: rules with
    /// `webhook: true` (or `event_type`) may delay it, make it fail as if the
    /// receiver answered `respond.status` (nothing is sent), or fail it as
    /// a dropped connection (`drop: true`). Counters work as for requests.
    pub fn decide_delivery(&self, instance: &str, event_type: &str, _url: &str) -> DeliveryDecision {
        let global = self.global.read().clone();
        let own = self.by_instance.read().get(instance).cloned().unwrap_or_default();
        let mut decision = DeliveryDecision::default();
        if global.is_empty() && own.is_empty() {
            return decision;
        }
        let mut candidates: Vec<(usize, &Arc<Loaded>, usize, &Rule)> = Vec::new();
        for (rank, list) in [&own, &global].into_iter().enumerate() {
            for loaded in list {
                for (i, rule) in loaded.scenario.rules.iter().enumerate() {
                    candidates.push((rank, loaded, i, rule));
                }
            }
        }
        candidates.sort_by_key(|(rank, _, _, rule)| (-rule.priority, *rank));
        let mut delay = Duration::ZERO;
        for (_, loaded, index, rule) in candidates {
            if !rule.matcher.matches_delivery(event_type) {
                continue;
            }
            let Some(n) = self.count(loaded, index, rule, instance) else { continue };
            decision.fired.push(rule.name.clone());
            if let Some(d) = &rule.delay {
                delay += d.sample(self.unit(&loaded.scenario.name, index, instance, n, 1));
            }
            match &rule.action {
                Action::Continue => continue,
                Action::Respond(r) => decision.fault = Some(DeliveryFault::Status(r.status)),
                Action::Drop => decision.fault = Some(DeliveryFault::Drop),
            }
            break;
        }
        decision.delay = (!delay.is_zero()).then_some(delay);
        decision
    }

    /// Counts a match; `Some(match number)` when the rule fires.
    fn count(&self, loaded: &Loaded, index: usize, rule: &Rule, instance: &str) -> Option<u64> {
        let mut counters = self.counters.lock();
        let c = counters.entry((loaded.uid, index, instance.to_string())).or_default();
        if rule.times.is_some_and(|t| c.fired >= t) {
            return None;
        }
        c.matched += 1;
        let n = c.matched;
        let due = n > rule.after
            && rule.every.is_none_or(|e| (n - rule.after).is_multiple_of(e))
            && rule.probability.is_none_or(|p| self.unit(&loaded.scenario.name, index, instance, n, 0) < p);
        if due {
            c.fired += 1;
        }
        due.then_some(n)
    }

    /// A number in [0, 1) fixed by the seed, the rule, the instance and the
    /// match number: the same run draws the same failures and delays.
    fn unit(&self, scenario: &str, rule: usize, instance: &str, n: u64, purpose: u8) -> f64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.seed, scenario, rule, instance, n, purpose).hash(&mut h);
        let mut x = h.finish();
        // splitmix64 finaliser: DefaultHasher's low bits are fine, this spreads them.
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The scenarios a request header names. A name already active for the
    /// instance adds nothing (its rules apply anyway); an unknown one is a 400.
    fn header_scenarios(&self, header: &str, global: &[Arc<Loaded>], own: &[Arc<Loaded>]) -> Result<Vec<Arc<Loaded>>, ApiError> {
        let mut out = Vec::new();
        for reference in header.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            let (name, params) = bundled::split_reference(reference);
            if params.is_empty() && global.iter().chain(own).any(|l| l.scenario.name == name) {
                continue;
            }
            if let Some(found) = self.by_header.lock().get(reference) {
                out.push(found.clone());
                continue;
            }
            if !bundled::names().contains(&name) {
                return Err(ApiError::scenario_not_found(format!(
                        "The {HEADER} header names `{name}`, which is neither bundled ({}) nor loaded.",
                        bundled::names().join(", ")
                    )));
            }
            let scenario = bundled::load(reference).map_err(|e| ApiError::scenario_invalid(e).with_status(400))?;
            let loaded = self.wrap(scenario, Scope::Request);
            self.by_header.lock().insert(reference.to_string(), loaded.clone());
            out.push(loaded);
        }
        Ok(out)
    }
}

/// Refuses a scenario whose plain (non-glob) operation ids none of the loaded
/// specs has: a typo would otherwise silently match nothing.
pub fn check_operations(scenario: &Scenario, sets: &[&SpecSet]) -> Result<(), String> {
    for rule in &scenario.rules {
        for id in rule.matcher.operation_ids.iter().filter(|id| !id.contains(['*', '?'])) {
            if !sets.iter().flat_map(|set| set.specs.iter()).any(|s| s.operation(id).is_some()) {
                return Err(format!(
                    "scenario {}: rule `{}` matches operation_id `{id}`, which none of the loaded specs has",
                    scenario.name, rule.name
                ));
            }
        }
    }
    Ok(())
}

/// Loads the `--scenario` references for every instance (start-up), each
/// checked against the operations of `sets`.
pub fn install(references: &[String], sets: &[&SpecSet], scenarios: &Scenarios) -> Result<(), String> {
    for reference in references.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        let scenario = bundled::load(reference)?;
        check_operations(&scenario, sets)?;
        tracing::info!(scenario = %scenario.name, rules = scenario.rules.len(), "scenario active for every instance");
        scenarios.add(scenario, Scope::Global);
    }
    Ok(())
}
