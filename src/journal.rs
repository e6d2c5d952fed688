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
//! // The dashboard polls for what is new since the last entry it saw.
//! let newer = journal.query(&Filter { since: Some(kept[1].seq), ..Filter::default() });
//! assert_eq!(newer.len(), 1);
//! ```
//!
//! Entries keep the first [`BODY_CAP`] bytes of the request and response
//! bodies and, for a request the mock rejected, the problems in words, so the
//! dashboard can show what the app sent and why it was refused.

use std::collections::VecDeque;

use bytes::Bytes;
use parking_lot::Mutex;
use serde::{Serialize, Serializer};

use crate::scenario::matcher::glob;

/// How many bytes of each body an entry keeps (8 KiB): enough to read a
/// request, small enough that a full journal stays a few MB.
pub const BODY_CAP: usize = 8 * 1024;

/// The first [`BODY_CAP`] bytes of a body, and whether more were cut off.
/// Always a copy of at most 8 KiB: a request body is often a slice of the
/// connection's read buffer, and keeping a reference to it would pin that
/// whole buffer (and make the connection allocate a new one) for as long as
/// the entry lives.
#[derive(Debug, Clone, Default)]
pub struct CappedBody {
    pub bytes: Bytes,
    pub truncated: bool,
}

impl CappedBody {
    /// ```
    /// use clerk_mock::journal::{CappedBody, BODY_CAP};
    /// let big = bytes::Bytes::from(vec![b'a'; BODY_CAP + 10]);
    /// let kept = CappedBody::keep(&big);
    /// assert!(kept.truncated && kept.bytes.len() == BODY_CAP);
    /// ```
    pub fn keep(body: &Bytes) -> CappedBody {
        let kept = body.len().min(BODY_CAP);
        let bytes = if kept == 0 { Bytes::new() } else { Bytes::copy_from_slice(&body[..kept]) };
        CappedBody { bytes, truncated: body.len() > BODY_CAP }
    }

    /// The body as text (lossy UTF-8), for JSON output.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl Serialize for CappedBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// One reason the mock refused a request (validation, auth, routing): the
/// error items of its answer, in words.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Problem {
    pub code: String,
    pub message: String,
    /// `meta.param_name` when the problem is about one parameter.
    pub param: Option<String>,
}

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
    /// Which API it was: `bapi` (the Backend API; the only surface today),
    /// `fapi` once the Frontend API exists.
    pub surface: &'static str,
    /// Why the mock refused it (empty when it answered 2xx or a scenario did).
    pub problems: Vec<Problem>,
    pub request_body: CappedBody,
    pub response_body: CappedBody,
    pub request_content_type: Option<String>,
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
    pub surface: Option<String>,
    /// Only entries newer than this `seq` (the dashboard's live view).
    pub since: Option<u64>,
    pub limit: Option<usize>,
}

impl Filter {
    fn accepts(&self, e: &Entry) -> bool {
        self.instance.as_ref().is_none_or(|k| e.instance.as_deref() == Some(k))
            && self.method.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
            && self.path.as_ref().is_none_or(|p| glob(p, &e.path))
            && self.status.is_none_or(|s| e.status == Some(s))
            && self.operation_id.as_ref().is_none_or(|o| e.operation_id.as_deref().is_some_and(|id| glob(o, id)))
            && self.surface.as_ref().is_none_or(|s| s.eq_ignore_ascii_case(e.surface))
            && self.since.is_none_or(|seq| e.seq > seq)
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
        // Entries are in seq order, so those at or before `since` end the walk.
        inner
            .1
            .iter()
            .rev()
            .take_while(|e| filter.since.is_none_or(|seq| e.seq > seq))
            .filter(|e| filter.accepts(e))
            .take(filter.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect()
    }

    /// The entry with this `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<Entry> {
        let inner = self.inner.lock();
        inner.1.iter().find(|e| e.seq == seq).cloned()
    }

    /// The `seq` of the newest entry ever recorded (0 before the first).
    pub fn last_seq(&self) -> u64 {
        self.inner.lock().0
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
    fn since_returns_only_newer_entries_and_surface_filters() {
        let j = Journal::new(10);
        for _ in 0..3 {
            j.record(Entry { surface: "bapi", ..entry("a", "GET", "/x", 200) });
        }
        let newer = j.query(&Filter { since: Some(1), ..Filter::default() });
        assert_eq!(newer.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 2]);
        assert!(j.query(&Filter { since: Some(3), ..Filter::default() }).is_empty());
        assert_eq!(j.query(&Filter { surface: Some("BAPI".into()), ..Filter::default() }).len(), 3);
        assert!(j.query(&Filter { surface: Some("fapi".into()), ..Filter::default() }).is_empty());
        assert_eq!(j.get(2).map(|e| e.seq), Some(2));
        assert_eq!(j.last_seq(), 3);
    }

    #[test]
    fn bodies_over_the_cap_are_cut_and_flagged() {
        let small = CappedBody::keep(&Bytes::from_static(b"{}"));
        assert_eq!((small.text().as_str(), small.truncated), ("{}", false));
        let big = CappedBody::keep(&Bytes::from(vec![b'x'; BODY_CAP * 3]));
        assert_eq!((big.bytes.len(), big.truncated), (BODY_CAP, true));
    }

    #[test]
    fn a_zero_sized_journal_keeps_nothing() {
        let j = Journal::new(0);
        j.record(entry("a", "GET", "/x", 200));
        assert!(j.query(&Filter::default()).is_empty());
    }
}
