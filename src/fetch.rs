//! Downloading Clerk's official specs (YAML from the public clerk/openapi-specs
//! repository) into the per-user cache the server reads.
//!
//! Two ways in: `clerk-mock spec fetch` (explicit, any versions, any dir), and
//! the first start of `clerk-mock` when no spec is found anywhere (flags, env,
//! cache), which fetches [`DEFAULT_SPECS`] once so that a fresh clone's
//! `cargo run --release` just serves. Every download prints one progress line,
//! is checked before it is stored, and a set is stored only when all of it
//! downloaded, so a half-failed first start never leaves a half cache behind.
//!
//! ```no_run
//! use clerk_mock::fetch::{fetch_set, DEFAULT_SOURCE, DEFAULT_SPECS};
//! let dir = std::path::Path::new("/tmp/specs");
//! let stored = fetch_set(DEFAULT_SOURCE, DEFAULT_SPECS, dir, &mut |line| eprintln!("{line}")).unwrap();
//! assert_eq!(stored[0], dir.join("bapi/2021-02-05.yml"));
//! ```

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{FetchArgs, SpecArgs};
use crate::openapi::load::{self, SpecError};

/// Where Clerk publishes its specs (raw files of github.com/clerk/openapi-specs).
pub const DEFAULT_SOURCE: &str = "https://raw.githubusercontent.com/clerk/openapi-specs/main";

/// One document of the openapi-specs repository: `<kind>/<version>.yml`
/// there, and the same relative path in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecDoc {
    /// The repository folder: `bapi`, `fapi`, `webhooks`.
    pub kind: &'static str,
    pub version: Cow<'static, str>,
}

impl SpecDoc {
    pub const fn bapi(version: &'static str) -> SpecDoc {
        SpecDoc { kind: "bapi", version: Cow::Borrowed(version) }
    }

    /// `bapi/2025-11-10.yml`: the path in the repository and in the cache.
    pub fn path(&self) -> String {
        format!("{}/{}.yml", self.kind, self.version)
    }
}

/// What a first start fetches: every Backend API version Clerk publishes, so
/// each SDK's `Clerk-API-Version` finds its own spec, the two Frontend API
/// versions clerk-js 6 asks for (`__clerk_api_version`), and the webhook
/// event catalogue the webhooks are built from. They land in the cache as
/// `<kind>/<version>.yml` (the Frontend API documents in `fapi/`, dated by
/// that name, since their `info.version` is `v1` in both).
pub const DEFAULT_SPECS: &[SpecDoc] = &[
    SpecDoc::bapi("2021-02-05"),
    SpecDoc::bapi("2024-10-01"),
    SpecDoc::bapi("2025-03-12"),
    SpecDoc::bapi("2025-04-10"),
    SpecDoc::bapi("2025-11-10"),
    SpecDoc::bapi("2026-05-12"),
    SpecDoc { kind: "fapi", version: Cow::Borrowed("2025-11-10") },
    SpecDoc { kind: "fapi", version: Cow::Borrowed("2026-05-12") },
    SpecDoc { kind: "webhooks", version: Cow::Borrowed("2025-04-15") },
];

/// `clerk-mock spec fetch`: the named versions (or [`DEFAULT_SPECS`]) into
/// `--dir` (or the cache); returns the stored files.
pub fn fetch(args: &FetchArgs) -> Result<Vec<PathBuf>, SpecError> {
    let mut docs = Vec::new();
    for v in &args.api_versions {
        if crate::openapi::version_date(v).is_none() || v == "v1" {
            return Err(SpecError(format!("--api-version {v:?} is not an API version like 2025-11-10")));
        }
        docs.push(SpecDoc { kind: "bapi", version: Cow::Owned(v.clone()) });
    }
    if docs.is_empty() {
        docs.extend_from_slice(DEFAULT_SPECS);
    }
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => load::cache_dir().ok_or_else(|| SpecError("cannot tell the cache dir: set HOME or pass --dir".into()))?,
    };
    fetch_set(source(&args.from), &docs, &dir, &mut |line| eprintln!("{line}"))
}

/// The base URL to fetch from: the flag/env value, else Clerk's repository.
pub fn source(configured: &Option<String>) -> &str {
    configured.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_SOURCE)
}

/// Downloads every doc of `docs` from `base`, checks each, then stores them
/// all under `dir` (nothing is stored when any of them fails). `progress`
/// gets one line per file.
pub fn fetch_set(base: &str, docs: &[SpecDoc], dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<PathBuf>, SpecError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let mut downloaded = Vec::with_capacity(docs.len());
    for (i, doc) in docs.iter().enumerate() {
        let url = format!("{}/{}", base.trim_end_matches('/'), doc.path());
        let text = download(&agent, &url, doc)?;
        progress(&format!("clerk-mock: fetched {url} ({} KB) [{}/{}]", text.len().div_ceil(1024), i + 1, docs.len()));
        downloaded.push((doc, text));
    }
    let mut stored = Vec::with_capacity(downloaded.len());
    for (doc, text) in downloaded {
        stored.push(store(dir, &doc.path(), &text)?);
    }
    Ok(stored)
}

/// One file: HTTP 200, a parseable OpenAPI 3.0 document, and for a BAPI doc
/// the API version the path promises.
fn download(agent: &ureq::Agent, url: &str, doc: &SpecDoc) -> Result<String, SpecError> {
    let mut response = agent.get(url).call().map_err(|e| SpecError(format!("cannot download {url}: {e}")))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(SpecError(format!("cannot download {url}: HTTP {status} (is {} a published API version?)", doc.version)));
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| SpecError(format!("cannot read {url}: {e}")))?;
    // The webhook catalogue is an OpenAPI document without paths: its events
    // sit under `x-webhooks`.
    let value = if doc.kind == "webhooks" {
        let value = load::parse_document(Path::new(&doc.path()), &text).map_err(|e| SpecError(format!("{url} is not a usable spec: {e}")))?;
        if value.get("x-webhooks").is_none_or(|w| !w.is_object()) {
            return Err(SpecError(format!("{url} is not a usable spec: it has no `x-webhooks` event catalogue")));
        }
        value
    } else {
        load::parse_spec_text(Path::new(&doc.path()), &text).map_err(|e| SpecError(format!("{url} is not a usable spec: {e}")))?
    };
    if doc.kind == "bapi" {
        let declared = value.pointer("/info/version").and_then(|v| v.as_str()).unwrap_or("");
        if crate::openapi::version_date(declared).as_deref() != Some(&*doc.version) {
            return Err(SpecError(format!(
                "{url} is not a usable spec: its info.version {declared:?} is not API version {}",
                doc.version
            )));
        }
    }
    Ok(text)
}

/// Writes `dir/relative` through a temporary file and a rename, so a reader
/// never sees half a spec.
fn store(dir: &Path, relative: &str, text: &str) -> Result<PathBuf, SpecError> {
    let target = dir.join(relative);
    let parent = target.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent).map_err(|e| SpecError(format!("cannot create {}: {e}", parent.display())))?;
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("spec.yml");
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, text).map_err(|e| SpecError(format!("cannot write {}: {e}", temp.display())))?;
    std::fs::rename(&temp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        SpecError(format!("cannot write {}: {e}", target.display()))
    })?;
    Ok(target)
}

/// The first start: when no spec is named (flags, env) and the cache holds
/// none, fetch [`DEFAULT_SPECS`] into the cache, unless `--offline`. Any
/// failure is one message saying where clerk-mock looked and how to provide
/// specs. A start that finds specs does nothing here (no network).
pub fn ensure_specs(spec: &SpecArgs, progress: &mut dyn FnMut(&str)) -> Result<(), SpecError> {
    if !spec.specs.is_empty() || spec.spec_dir.is_some() || load::discover(&[], None).is_ok() {
        return Ok(());
    }
    let cache = load::cache_dir();
    let looked = format!(
        "no Clerk OpenAPI spec found: no --spec / --spec-dir (env CLERK_MOCK_SPEC / CLERK_MOCK_SPEC_DIR) was given, \
and the cache {} holds none",
        cache.as_ref().map(|c| c.display().to_string()).unwrap_or_else(|| "(unknown: HOME is not set)".into())
    );
    let how = "Provide specs with `clerk-mock spec fetch` on a machine with network (add --dir DIR to choose where), \
or point --spec-dir DIR / CLERK_MOCK_SPEC_DIR at a folder of Clerk's OpenAPI files (in the container image: mount it at /specs).";
    if spec.offline {
        return Err(SpecError(format!("{looked}, and --offline forbids fetching them. {how}")));
    }
    let Some(cache) = cache else {
        return Err(SpecError(format!("{looked}. {how}")));
    };
    let base = source(&spec.spec_source);
    progress(&format!(
        "clerk-mock: no spec found; fetching the default specs from {base} into {} (once; --offline to never fetch)",
        cache.display()
    ));
    fetch_set(base, DEFAULT_SPECS, &cache, progress)
        .map(|_| ())
        .map_err(|e| SpecError(format!("{looked}, and fetching the default specs failed: {e}. {how}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_is_every_published_backend_api_version_as_cache_paths() {
        let paths: Vec<String> = DEFAULT_SPECS.iter().map(SpecDoc::path).collect();
        assert_eq!(paths.first().map(String::as_str), Some("bapi/2021-02-05.yml"));
        assert_eq!(DEFAULT_SPECS.iter().filter(|d| d.kind == "bapi").count(), 6);
        assert!(paths.contains(&"fapi/2025-11-10.yml".to_string()) && paths.contains(&"fapi/2026-05-12.yml".to_string()));
        assert!(DEFAULT_SPECS.iter().all(|d| crate::openapi::version_date(&d.version).as_deref() == Some(&*d.version)));
        assert_eq!(paths.last().map(String::as_str), Some("webhooks/2025-04-15.yml"), "the webhook catalogue comes along");
    }

    #[test]
    fn an_empty_source_means_clerks_repository() {
        assert_eq!(source(&Some(" ".into())), DEFAULT_SOURCE);
        assert_eq!(source(&Some("http://127.0.0.1:9/x".into())), "http://127.0.0.1:9/x");
    }
}
