//! Credentialed CORS for the Frontend API (FAPI.md §3.4): a browser on the
//! app's origin calls the mock directly (topology B) with
//! `credentials: 'include'`, so the answer echoes its `Origin` (never `*`),
//! allows credentials and exposes the headers clerk-js reads. Bundle files
//! (scripts fetched `crossorigin=anonymous`) get `*` instead.
//!
//! ```text
//! Origin: http://localhost:3000
//! → Access-Control-Allow-Origin: http://localhost:3000
//!   Access-Control-Allow-Credentials: true
//!   Access-Control-Expose-Headers: Clerk-Db-Jwt, x-country, retry-after, authorization
//!   Vary: Origin
//! OPTIONS … → 204, plus Allow-Methods and the echoed Access-Control-Request-Headers
//! ```

use crate::wire::{Request, Response};

/// The response headers clerk-js reads cross-origin.
pub const EXPOSED_HEADERS: &str = "Clerk-Db-Jwt, x-country, retry-after, authorization";

/// Every method the Frontend API answers (clerk-js itself sends GET and POST).
pub const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// Adds the CORS headers to an answer; one that already names its allowed
/// origin (a bundle file's `*`) is left as it is.
pub fn decorate(req: &Request, response: &mut Response) {
    decorate_for(req.header("origin"), response);
}

/// [`decorate`] for the `Origin` a request sent (`None`: sent none), where
/// no [`Request`] was built: an answer to a head or body over the
/// listener's limits.
pub fn decorate_for(origin: Option<&str>, response: &mut Response) {
    if response.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("access-control-allow-origin")) {
        return;
    }
    let vary = response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("vary"))
        .map(|(_, v)| v.clone())
        .filter(|v| !v.to_ascii_lowercase().contains("origin"))
        .map_or_else(|| "Origin".to_string(), |v| if v.is_empty() { "Origin".into() } else { format!("{v}, Origin") });
    response.set_header("vary", vary);
    let Some(origin) = origin.filter(|o| !o.is_empty()) else { return };
    response.set_header("access-control-allow-origin", origin);
    response.set_header("access-control-allow-credentials", "true");
    response.set_header("access-control-expose-headers", EXPOSED_HEADERS);
}

/// The answer to a preflight (`OPTIONS`, any path): 204 with the methods
/// and the request headers the browser asked about.
pub fn preflight(req: &Request) -> Response {
    let mut response = Response::empty(204);
    decorate(req, &mut response);
    response.set_header("access-control-allow-methods", ALLOWED_METHODS);
    if let Some(asked) = req.header("access-control-request-headers").filter(|h| !h.is_empty()) {
        response.set_header("access-control-allow-headers", asked);
    }
    response.set_header("access-control-max-age", "600");
    response
}

/// Marks a public file (a bundle) as readable from any origin.
pub fn public(response: &mut Response) {
    response.set_header("access-control-allow-origin", "*");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            path: "/v1/client".into(),
            query: String::new(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: bytes::Bytes::new(),
            peer: None,
        }
    }

    #[test]
    fn an_origin_is_echoed_with_credentials_never_as_a_star() {
        let mut response = Response::empty(200);
        decorate(&request(&[("origin", "http://localhost:3000")]), &mut response);
        let get = |n: &str| response.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("access-control-allow-origin"), Some("http://localhost:3000"));
        assert_eq!(get("access-control-allow-credentials"), Some("true"));
        assert_eq!(get("vary"), Some("Origin"));
    }

    #[test]
    fn a_bundle_keeps_its_star() {
        let mut response = Response::empty(200);
        public(&mut response);
        decorate(&request(&[("origin", "http://localhost:3000")]), &mut response);
        assert_eq!(response.headers.len(), 1);
    }
}
