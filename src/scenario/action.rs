//! What a firing rule does: answer (a status with a Clerk error or a raw JSON
//! body, plus headers), close the connection without answering, or only wait.
//!
//! ```
//! use clerk_mock::scenario::action::Delay;
//! let d = Delay::parse(&serde_json::json!("100ms..300ms")).unwrap();
//! assert_eq!((d.min_ms, d.max_ms), (100, 300));
//! assert_eq!(Delay::parse(&serde_json::json!("2s")).unwrap().min_ms, 2000);
//! ```

use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::error::{code, ApiError, ErrorItem};
use crate::wire::Response;
use crate::openapi::{resolve, Operation, Spec};

/// Longest delay a rule may ask for (a typo like `delay: 300000` should not hang a suite for good).
pub const MAX_DELAY_MS: u64 = 600_000;

/// A fixed delay (`min == max`) or a range sampled per request from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub min_ms: u64,
    pub max_ms: u64,
}

impl Delay {
    /// `250` (ms), `"250ms"`, `"1.5s"`, `"100ms..400ms"` or `{min: 100, max: 400}`.
    pub fn parse(value: &Value) -> Result<Delay, String> {
        let (min_ms, max_ms) = match value {
            Value::Number(_) | Value::String(_) if !value.as_str().is_some_and(|s| s.contains("..")) => {
                let ms = duration_ms(value)?;
                (ms, ms)
            }
            Value::String(s) => {
                let (a, b) = s.split_once("..").unwrap_or((s, s));
                (duration_ms(&Value::String(a.trim().into()))?, duration_ms(&Value::String(b.trim().into()))?)
            }
            Value::Object(m) => {
                let unknown: Vec<&String> = m.keys().filter(|k| *k != "min" && *k != "max").collect();
                if !unknown.is_empty() {
                    return Err(format!("delay takes `min` and `max`, not {unknown:?}"));
                }
                let min = duration_ms(m.get("min").ok_or("delay range needs `min`")?)?;
                let max = duration_ms(m.get("max").ok_or("delay range needs `max`")?)?;
                (min, max)
            }
            other => return Err(format!("delay must be milliseconds, \"250ms\", \"1s\", \"100ms..400ms\" or {{min, max}}, not {other}")),
        };
        if min_ms > max_ms {
            return Err(format!("delay range is backwards: min {min_ms} ms > max {max_ms} ms"));
        }
        if max_ms > MAX_DELAY_MS {
            return Err(format!("delay {max_ms} ms is longer than the limit of {MAX_DELAY_MS} ms"));
        }
        Ok(Delay { min_ms, max_ms })
    }

    /// The delay for one request; `unit` is a seeded number in [0, 1).
    pub fn sample(&self, unit: f64) -> std::time::Duration {
        let span = (self.max_ms - self.min_ms) as f64;
        std::time::Duration::from_millis(self.min_ms + (span * unit).floor() as u64)
    }

    pub fn to_value(&self) -> Value {
        if self.min_ms == self.max_ms {
            json!(self.min_ms)
        } else {
            json!({"min": self.min_ms, "max": self.max_ms})
        }
    }
}

fn duration_ms(value: &Value) -> Result<u64, String> {
    let bad = || format!("`{value}` is not a duration (use milliseconds, \"250ms\" or \"2s\")");
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(bad),
        Value::String(s) => {
            let s = s.trim();
            let (number, factor) = if let Some(n) = s.strip_suffix("ms") {
                (n, 1.0)
            } else if let Some(n) = s.strip_suffix('s') {
                (n, 1000.0)
            } else {
                (s, 1.0)
            };
            let n: f64 = number.trim().parse().map_err(|_| bad())?;
            if !(n >= 0.0 && n.is_finite()) {
                return Err(bad());
            }
            Ok((n * factor).round() as u64)
        }
        _ => Err(bad()),
    }
}

/// One error of a canned answer; absent texts get defaults for the status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CannedError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub long_message: Option<String>,
    pub meta: Option<Value>,
}

/// A canned answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Respond {
    pub status: u16,
    pub errors: Vec<CannedError>,
    /// Sent as is (JSON) instead of an error envelope.
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

/// What a firing rule does after its delay.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Let the request through (a delay-only rule).
    Continue,
    Respond(Respond),
    /// Close the connection without answering.
    Drop,
}

impl Respond {
    /// The answer for one request to `op`: the raw body, or a Clerk error
    /// envelope whose absent texts default to the spec's description of this
    /// status for the operation (for 410: "The endpoint is considered
    /// deprecated…") or a generic sentence.
    pub fn response(&self, spec: &Spec, op: &Operation) -> Response {
        let mut response = match (&self.body, self.status) {
            (Some(body), status) => Response::json(status, body),
            (None, 204) => Response { status: 204, headers: vec![], body: Bytes::new() },
            (None, status) if status < 400 => Response::json(status, &json!({})),
            (None, status) => {
                let described = declared_description(spec, op, status);
                let errors = if self.errors.is_empty() { vec![CannedError::default()] } else { self.errors.clone() };
                let items = errors.iter().map(|e| item(e, status, op, described.as_deref())).collect();
                Response::error(&ApiError::many(status, items))
            }
        };
        for (k, v) in &self.headers {
            response.headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
            response.headers.push((k.to_ascii_lowercase(), v.clone()));
        }
        response
    }
}

fn item(e: &CannedError, status: u16, op: &Operation, described: Option<&str>) -> ErrorItem {
    let (default_code, default_message) = defaults_for(status);
    let long = e.long_message.clone().or_else(|| described.map(str::to_string)).unwrap_or_else(|| {
        format!("{} answered {status} because a clerk-mock scenario rule asked for it.", op.id)
    });
    ErrorItem {
        message: e.message.clone().unwrap_or_else(|| default_message.to_string()),
        long_message: long,
        code: e.code.clone().unwrap_or_else(|| default_code.to_string()),
        meta: e.meta.clone().or_else(|| Some(Value::Object(Map::new()))),
    }
}

/// Clerk's code and short message for a status.
pub fn defaults_for(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => (code::MALFORMED_REQUEST, "malformed request"),
        401 => (code::AUTHENTICATION_INVALID, "Invalid authentication"),
        403 => ("authorization_invalid", "Unauthorized request"),
        404 => (code::RESOURCE_NOT_FOUND, "not found"),
        409 => ("conflict", "conflict"),
        410 => (code::DEPRECATED_ENDPOINT, "This endpoint is deprecated"),
        422 => (code::FORM_PARAM_VALUE_INVALID, "is invalid"),
        429 => (code::TOO_MANY_REQUESTS, "Too many requests"),
        503 => ("service_unavailable", "Service unavailable"),
        s if s >= 500 => (code::INTERNAL_ERROR, "Internal server error"),
        _ => ("request_failed", "request failed"),
    }
}

/// The description the spec gives this operation's response for `status`
/// (e.g. the shared `DeprecatedEndpoint` response of 410).
fn declared_description(spec: &Spec, op: &Operation, status: u16) -> Option<String> {
    let method = op.method.to_ascii_lowercase();
    let responses = spec.doc.get("paths")?.get(&op.path)?.get(&method)?.get("responses")?;
    let response = responses.get(status.to_string())?;
    resolve(&spec.doc, response).get("description")?.as_str().map(str::to_string).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_parse_from_numbers_units_and_ranges() {
        assert_eq!(Delay::parse(&json!(250)).unwrap(), Delay { min_ms: 250, max_ms: 250 });
        assert_eq!(Delay::parse(&json!("1.5s")).unwrap().max_ms, 1500);
        assert_eq!(Delay::parse(&json!({"min": "10ms", "max": 20})).unwrap(), Delay { min_ms: 10, max_ms: 20 });
        assert!(Delay::parse(&json!("soon")).unwrap_err().contains("not a duration"));
        assert!(Delay::parse(&json!("5s..1s")).unwrap_err().contains("backwards"));
        assert!(Delay::parse(&json!(3_600_000)).unwrap_err().contains("limit"));
    }

    #[test]
    fn a_sampled_delay_stays_inside_its_range() {
        let d = Delay { min_ms: 100, max_ms: 200 };
        assert_eq!(d.sample(0.0).as_millis(), 100);
        assert!(d.sample(0.999).as_millis() <= 200);
    }

    #[test]
    fn statuses_have_clerk_codes() {
        assert_eq!(defaults_for(429).0, "too_many_requests");
        assert_eq!(defaults_for(502).0, "internal_clerk_error");
    }
}
