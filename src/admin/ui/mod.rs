//! The dashboard's static files, compiled into the binary (no Node, no build
//! step): one HTML page, one vanilla JS module, one stylesheet.
//!
//! ```text
//! GET /__admin/ui/          index.html      (GET /__admin/ui and GET /__admin redirect here)
//! GET /__admin/ui/app.js    the page's code: it reads everything through the admin API
//! GET /__admin/ui/style.css
//! GET /  (Accept: text/html) → 302 /__admin/ui/   a browser opening the mock's URL
//! ```
//!
//! The files hold no data, so they load without `--admin-token`; every data
//! call the page makes sends the token (kept in sessionStorage) as
//! `X-Admin-Token`. A strict Content-Security-Policy allows nothing but the
//! mock's own origin: no external scripts, styles, fonts or beacons.

use bytes::Bytes;

use crate::wire::{Request, Response};

/// Where the dashboard lives.
pub const ROOT: &str = "/__admin/ui/";

const INDEX: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");
const STYLE: &str = include_str!("style.css");

/// Only the mock's own origin; `data:` images for the inline favicon.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Whether a request is for the dashboard's files (served without the admin token).
pub fn is_ui_path(method: &str, path: &str) -> bool {
    method == "GET" && (path == "/__admin" || path == "/__admin/" || path == "/__admin/ui" || path.starts_with(ROOT))
}

/// Serves a dashboard file, or `None` when the path names none.
///
/// ```
/// use clerk_mock::admin::ui::file;
/// let (content_type, _) = file("/__admin/ui/app.js").unwrap();
/// assert_eq!(content_type, "text/javascript; charset=utf-8");
/// assert!(file("/__admin/ui/missing.js").is_none());
/// ```
pub fn file(path: &str) -> Option<(&'static str, &'static str)> {
    Some(match path.strip_prefix(ROOT)? {
        "" | "index.html" => ("text/html; charset=utf-8", INDEX),
        "app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "style.css" => ("text/css; charset=utf-8", STYLE),
        _ => return None,
    })
}

/// The answer to a GET of a dashboard path.
pub fn serve(path: &str) -> Response {
    if matches!(path, "/__admin" | "/__admin/" | "/__admin/ui") {
        return redirect(ROOT);
    }
    match file(path) {
        Some((content_type, text)) => Response {
            status: 200,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("content-security-policy".into(), CSP.into()),
                ("x-content-type-options".into(), "nosniff".into()),
                ("referrer-policy".into(), "no-referrer".into()),
                ("cache-control".into(), "no-cache".into()),
            ],
            body: Bytes::from_static(text.as_bytes()),
        },
        None => Response::error(&crate::error::ApiError::path_not_found(path)),
    }
}

fn redirect(to: &str) -> Response {
    Response { status: 302, headers: vec![("location".into(), to.into())], body: Bytes::new() }
}

/// `GET /` from a browser (it asks for `text/html`) goes to the dashboard;
/// an SDK or curl asking for JSON still gets Clerk's 404.
pub fn redirect_browser(req: &Request) -> Option<Response> {
    let wants_html = req.header("accept").is_some_and(|a| a.contains("text/html"));
    (req.method == "GET" && req.path == "/" && wants_html).then(|| redirect(ROOT))
}
