//! The npm registry side of `bundles fetch`: which registry (as npm would
//! pick it), the packument URL, and which version a request resolves to.
//!
//! ```
//! use clerk_mock::bundles::registry::{registry_url, resolve};
//! let url = registry_url(None, &|_| None, Some("registry = http://npm.local/\n"));
//! assert_eq!(url, "http://npm.local/");
//! let packument = serde_json::json!({
//!     "dist-tags": {"latest": "7.0.0"},
//!     "versions": {
//!         "6.1.0": {"dist": {"tarball": "http://npm.local/a-6.1.0.tgz", "integrity": "sha512-x"}},
//!         "6.2.0": {"dist": {"tarball": "http://npm.local/a-6.2.0.tgz", "integrity": "sha512-y"}},
//!         "7.0.0": {"dist": {"tarball": "http://npm.local/a-7.0.0.tgz", "integrity": "sha512-z"}}
//!     }
//! });
//! assert_eq!(resolve(&packument, "6").unwrap().version, "6.2.0"); // newest of the major
//! assert_eq!(resolve(&packument, "latest").unwrap().version, "7.0.0");
//! assert_eq!(resolve(&packument, "6.1.0").unwrap().version, "6.1.0");
//! ```

use serde_json::Value;

/// npm's own default.
pub const NPMJS: &str = "https://registry.npmjs.org/";

/// `--registry`, else `npm_config_registry` / `NPM_CONFIG_REGISTRY`, else the
/// `registry=` line of `~/.npmrc` (its text as `npmrc`), else npmjs. Only
/// the registry line is read; credentials in `.npmrc` are never looked at.
pub fn registry_url(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>, npmrc: Option<&str>) -> String {
    let from_env = || ["npm_config_registry", "NPM_CONFIG_REGISTRY"].iter().find_map(|k| env(k));
    let from_rc = || npmrc.and_then(registry_line);
    flag.map(str::to_string)
        .or_else(from_env)
        .or_else(from_rc)
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| NPMJS.to_string())
}

fn registry_line(npmrc: &str) -> Option<String> {
    npmrc.lines().find_map(|line| {
        let (key, value) = line.trim().split_once('=')?;
        (key.trim() == "registry").then(|| value.trim().to_string())
    })
}

/// `<registry>/@clerk%2fclerk-js`: the packument (npm escapes the scope's slash).
pub fn packument_url(registry: &str, npm_name: &str) -> String {
    format!("{}/{}", registry.trim_end_matches('/'), npm_name.replace('/', "%2f"))
}

/// A tarball URL the packument names on npmjs is fetched from the configured
/// registry instead (npm's `replace-registry-host=npmjs` default), so a
/// mirror that copies npmjs' metadata still serves the file.
pub fn tarball_url(registry: &str, tarball: &str) -> String {
    match tarball.strip_prefix(NPMJS) {
        Some(rest) if registry.trim_end_matches('/') != NPMJS.trim_end_matches('/') => format!("{}/{rest}", registry.trim_end_matches('/')),
        _ => tarball.to_string(),
    }
}

/// One version picked from a packument, with what verifies its tarball.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub version: String,
    pub tarball: String,
    /// Subresource-integrity string (`sha512-<base64>`), when published.
    pub integrity: Option<String>,
    /// Hex SHA-1, the older check.
    pub shasum: Option<String>,
}

/// `wanted` as npm reads it: an exact published version, a dist-tag, or a
/// range (`6`, `^6.40`, `~1.36.0`, `6.x`) → `latest` when it satisfies the
/// range, else the newest matching release.
pub fn resolve(packument: &Value, wanted: &str) -> Result<Resolved, String> {
    let versions = packument.get("versions").and_then(Value::as_object).ok_or("the packument has no `versions`")?;
    let tag = |name: &str| packument.pointer(&format!("/dist-tags/{name}")).and_then(Value::as_str).map(str::to_string);
    let version = if versions.contains_key(wanted) {
        wanted.to_string()
    } else if let Some(tagged) = tag(wanted) {
        tagged
    } else {
        let range = semver::VersionReq::parse(wanted).map_err(|e| format!("{wanted:?} is neither a version, a dist-tag nor a range: {e}"))?;
        let fits = |v: &str| semver::Version::parse(v).is_ok_and(|v| range.matches(&v));
        match tag("latest").filter(|l| fits(l)) {
            Some(latest) => latest,
            None => newest(versions.keys().filter(|v| fits(v))).ok_or_else(|| {
                format!("no published version matches {wanted:?} (latest is {})", tag("latest").unwrap_or_else(|| "unknown".into()))
            })?,
        }
    };
    let dist = versions.get(&version).and_then(|v| v.get("dist")).ok_or_else(|| format!("version {version} is not in the packument"))?;
    let text = |key: &str| dist.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(Resolved {
        tarball: text("tarball").ok_or_else(|| format!("version {version} has no dist.tarball"))?,
        integrity: text("integrity"),
        shasum: text("shasum"),
        version,
    })
}

fn newest<'a>(versions: impl Iterator<Item = &'a String>) -> Option<String> {
    versions.filter_map(|v| semver::Version::parse(v).ok()).max().map(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn packument() -> Value {
        let dist = |v: &str| json!({"dist": {"tarball": format!("{NPMJS}@clerk/ui/-/ui-{v}.tgz"), "shasum": "ab"}});
        json!({
            "dist-tags": {"latest": "1.36.0", "snapshot": "1.37.0-snapshot.1"},
            "versions": {"1.9.0": dist("1.9.0"), "1.36.0": dist("1.36.0"), "1.37.0-snapshot.1": dist("1.37.0-snapshot.1"), "0.9.0": dist("0.9.0")}
        })
    }

    #[test]
    fn a_major_is_the_newest_release_of_it_and_prereleases_need_asking_for() {
        assert_eq!(resolve(&packument(), "1").unwrap().version, "1.36.0");
        assert_eq!(resolve(&packument(), "0").unwrap().version, "0.9.0");
        assert_eq!(resolve(&packument(), "~1.9").unwrap().version, "1.9.0");
        assert_eq!(resolve(&packument(), "snapshot").unwrap().version, "1.37.0-snapshot.1");
        assert_eq!(resolve(&packument(), "1.37.0-snapshot.1").unwrap().version, "1.37.0-snapshot.1");
    }

    #[test]
    fn an_unknown_version_says_what_latest_is() {
        let e = resolve(&packument(), "2").unwrap_err();
        assert!(e.contains("\"2\"") && e.contains("1.36.0"), "{e}");
        assert!(resolve(&packument(), "not a range!").unwrap_err().contains("neither"));
    }

    #[test]
    fn the_registry_comes_from_the_flag_then_env_then_npmrc_then_npmjs() {
        let env = |k: &str| (k == "NPM_CONFIG_REGISTRY").then(|| "http://env/".to_string());
        let none = |_: &str| None;
        let rc = Some("; comment\n//host/:_authToken=secret\nregistry=http://rc/\n");
        assert_eq!(registry_url(Some("http://flag/"), &env, rc), "http://flag/");
        assert_eq!(registry_url(None, &env, rc), "http://env/");
        assert_eq!(registry_url(None, &none, rc), "http://rc/");
        assert_eq!(registry_url(None, &none, None), NPMJS);
    }

    #[test]
    fn npmjs_tarballs_are_fetched_through_the_configured_registry() {
        let t = format!("{NPMJS}@clerk/ui/-/ui-1.36.0.tgz");
        assert_eq!(tarball_url("http://mirror/npm/", &t), "http://mirror/npm/@clerk/ui/-/ui-1.36.0.tgz");
        assert_eq!(tarball_url(NPMJS, &t), t);
        assert_eq!(packument_url("http://mirror/npm/", "@clerk/ui"), "http://mirror/npm/@clerk%2fui");
    }
}
