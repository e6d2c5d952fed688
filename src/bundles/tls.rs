//! Which certificate authorities `bundles fetch` trusts: the ones npm would.
//!
//! ureq's default is Mozilla's bundled roots, which fails behind a
//! TLS-inspecting proxy or a private registry that npm itself reaches
//! through its `cafile`. So the roots come from, in order: `npm_config_cafile`
//! (env), the `cafile=` line of `~/.npmrc`, `SSL_CERT_FILE`, the system
//! bundle (`/etc/ssl/certs/ca-certificates.crt`); Mozilla's roots only when
//! none of them holds a certificate.
//!
//! ```
//! use clerk_mock::bundles::tls::ca_file_candidates;
//! let env = |k: &str| (k == "SSL_CERT_FILE").then(|| "/etc/my.pem".to_string());
//! let files = ca_file_candidates(&env, Some("cafile=/npm/ca.pem\n"));
//! assert_eq!(files[0], std::path::PathBuf::from("/npm/ca.pem"));
//! assert_eq!(files[1], std::path::PathBuf::from("/etc/my.pem"));
//! ```

use std::path::PathBuf;

use ureq::tls::{parse_pem, PemItem, RootCerts};

/// Debian's, Ubuntu's and Alpine's system bundle.
pub const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The CA files to try, in the order of the module doc.
pub fn ca_file_candidates(env: &dyn Fn(&str) -> Option<String>, npmrc: Option<&str>) -> Vec<PathBuf> {
    let rc = npmrc.and_then(|text| {
        text.lines().find_map(|line| {
            let (key, value) = line.trim().split_once('=')?;
            (key.trim() == "cafile").then(|| value.trim().to_string())
        })
    });
    [env("npm_config_cafile").or_else(|| env("NPM_CONFIG_CAFILE")), rc, env("SSL_CERT_FILE"), Some(SYSTEM_BUNDLE.to_string())]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from)
        .collect()
}

/// The certificates of the first candidate that holds any, else Mozilla's roots.
pub fn root_certs(env: &dyn Fn(&str) -> Option<String>, npmrc: Option<&str>) -> RootCerts {
    for file in ca_file_candidates(env, npmrc) {
        let Ok(pem) = std::fs::read(&file) else { continue };
        let certs: Vec<_> = parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            tracing::debug!(file = %file.display(), count = certs.len(), "bundles fetch trusts these CAs");
            return RootCerts::from(certs);
        }
    }
    RootCerts::WebPki
}
