//! `clerk-mock health`: GET `/__admin/health` of a running mock and exit 0
//! when it answers 200 with `"status": "ok"`, else 1. It exists for the
//! container image's `HEALTHCHECK`, whose slim base has no curl:
//!
//! ```text
//! HEALTHCHECK CMD ["clerk-mock", "health"]      # port from CLERK_MOCK_PORT, default 8787
//! ```

use std::time::Duration;

use crate::config::HealthArgs;

/// `Ok(summary)` when healthy, `Err(reason)` otherwise.
pub fn check(args: &HealthArgs) -> Result<String, String> {
    let url = args.url.clone().unwrap_or_else(|| format!("http://127.0.0.1:{}/__admin/health", args.port));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(args.timeout.max(1))))
        .proxy(None)
        .build()
        .into();
    let mut response = agent.get(&url).call().map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        return Err(format!("{url}: HTTP {status}"));
    }
    let value: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON ({e})"))?;
    match value.get("status").and_then(|s| s.as_str()) {
        Some("ok") => Ok(format!("{url}: ok")),
        other => Err(format!("{url}: status {other:?}")),
    }
}
