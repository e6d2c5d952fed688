//! The request journal behind `GET /__admin/requests`: the last N API
//! requests (`--journal-size`, default 1000), so a test can assert what its
//! code sent and what the mock answered.
//!
//! ```
//! use clerk_mock::journal::{Entry, Filter, Journal};
//! let journal = Journal::new(2);
//! for path in ["/v1/users", "/v1/organizations", "/v1/jwks"] {
//!     journal.record(Entry { method: "GET".into(), path: path.into(), status: Some(200), ..Entry::default() });
//! }
//! let kept = journal.query(&Filter::default());
//! assert_eq!(kept.len(), 2);
//! assert_eq!(kept[0].path, "/v1/jwks"); // newest first
//! ```

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

use crate::scenario::matcher::glob;

/// One API request and its outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Entry {
    /// Increases by one per recorded request.
    pub seq: u64,
    /// Unix ms when the request arrived.
    pub time: i64,
    /// The instance's secret key (`public` for unauthenticated operations);
    /// null when the request never reached an instance (404, 401).
    pub instance: Option<String>,
    pub method: String,
    pub path: String,
    pub query: String,
    pub operation_id: Option<String>,
    /// The API version of the spec that served it.
    pub api_version: Option<String>,
    /// The `Clerk-API-Version` header as sent.
    pub requested_version: Option<String>,
    /// Null when the connection was dropped by a scenario.
    pub status: Option<u16>,
    pub dropped: bool,
    pub duration_ms: f64,
    /// Scenario rules that fired.
    pub matched_rules: Vec<String>,
}

/// Which entries `GET /__admin/requests` returns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub instance: Option<String>,
    pub method: Option<String>,
    /// A glob over the path (`/v1/users*`).
    pub path: Option<String>,
    pub status: Option<u16>,
    pub operation_id: Option<String>,
    pub limit: Option<usize>,
}

impl Filter {
    fn accepts(&self, e: &Entry) -> bool {
        self.instance.as_ref().is_none_or(|k| e.instance.as_deref() == Some(k))
            && self.method.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
            && self.path.as_ref().is_none_or(|p| glob(p, &e.path))
            && self.status.is_none_or(|s| e.status == Some(s))
            && self.operation_id.as_ref().is_none_or(|o| e.operation_id.as_deref().is_some_and(|id| glob(o, id)))
    }
}

/// A bounded, thread-safe ring of entries.
pub struct Journal {
    capacity: usize,
    inner: Mutex<(u64, VecDeque<Entry>)>,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal { capacity, inner: Mutex::new((0, VecDeque::with_capacity(capacity.min(4096)))) }
    }

    /// Appends an entry (its `seq` is assigned here), dropping the oldest when full.
    pub fn record(&self, mut entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        inner.0 += 1;
        entry.seq = inner.0;
        if inner.1.len() == self.capacity {
            inner.1.pop_front();
        }
        inner.1.push_back(entry);
    }

    /// Matching entries, newest first.
    pub fn query(&self, filter: &Filter) -> Vec<Entry> {
        let inner = self.inner.lock();
        inner.1.iter().rev().filter(|e| filter.accepts(e)).take(filter.limit.unwrap_or(usize::MAX)).cloned().collect()
    }

    /// Removes the entries of one instance (or all); returns how many.
    pub fn clear(&self, instance: Option<&str>) -> usize {
        let mut inner = self.inner.lock();
        let before = inner.1.len();
        match instance {
            Some(key) => inner.1.retain(|e| e.instance.as_deref() != Some(key)),
            None => inner.1.clear(),
        }
        before - inner.1.len()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(instance: &str, method: &str, path: &str, status: u16) -> Entry {
        Entry { instance: Some(instance.into()), method: method.into(), path: path.into(), status: Some(status), ..Entry::default() }
    }

    #[test]
    fn filters_combine_and_limit_counts_from_the_newest() {
        let j = Journal::new(10);
        j.record(entry("a", "POST", "/v1/users", 200));
        j.record(entry("a", "POST", "/v1/users", 422));
        j.record(entry("b", "GET", "/v1/users/u1", 404));
        let only_a = Filter { instance: Some("a".into()), ..Filter::default() };
        assert_eq!(j.query(&only_a).len(), 2);
        let failed = Filter { status: Some(422), method: Some("post".into()), ..Filter::default() };
        assert_eq!(j.query(&failed)[0].seq, 2);
        let glob = Filter { path: Some("/v1/users/*".into()), ..Filter::default() };
        assert_eq!(j.query(&glob).len(), 1);
        assert_eq!(j.query(&Filter { limit: Some(1), ..Filter::default() })[0].seq, 3);
    }

    #[test]
    fn clearing_one_instance_keeps_the_others() {
        let j = Journal::new(10);
        j.record(entry("a", "GET", "/x", 200));
        j.record(entry("b", "GET", "/x", 200));
        assert_eq!(j.clear(Some("a")), 1);
        assert_eq!(j.query(&Filter::default()).len(), 1);
    }

    #[test]
    fn a_zero_sized_journal_keeps_nothing() {
        let j = Journal::new(0);
        j.record(entry("a", "GET", "/x", 200));
        assert!(j.query(&Filter::default()).is_empty());
    }
}
