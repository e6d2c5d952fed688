//! Finding and parsing spec files (JSON or YAML), never bundled with the program.
//!
//! Order of precedence (DESIGN §1): `--spec FILE` (repeatable) / `--spec-dir
//! DIR`, then `CLERK_MOCK_SPEC` / `CLERK_MOCK_SPEC_DIR` (clap fills those from
//! the environment), then the per-user cache dir that `clerk-mock spec fetch`
//! writes to.
//!
//! ```no_run
//! let files = clerk_mock::openapi::load::discover(&[], None).unwrap();
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where to get a spec, appended to every "no spec" message.
pub const HOW_TO_GET_A_SPEC: &str = "Get them with `clerk-mock spec fetch` \
(downloads Clerk's official specs from the clerk/openapi-specs repository into the cache), \
or point --spec FILE / --spec-dir DIR (env CLERK_MOCK_SPEC / CLERK_MOCK_SPEC_DIR) at Clerk OpenAPI files.";

/// A failure that stops start-up: names the file and the problem.
#[derive(Debug)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for SpecError {}

/// The per-user cache directory (`$XDG_CACHE_HOME/clerk-mock/specs`, else
/// `~/.cache/clerk-mock/specs`).
pub fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("clerk-mock").join("specs"))
}

/// The spec files to load, in the order of precedence above.
///
/// A directory (`--spec-dir`, the cache) contributes the Backend API
/// documents at its top level and in its subfolders, one level down, so
/// Clerk's layout loads as it is: `--spec-dir ../shared/clerk-openapi` serves
/// `openapi.json`, the two dated files beside it and the four in
/// `bapi-more/`, while `fapi/` and `webhooks/` documents are skipped (with a
/// debug log) because they describe other APIs. Files named with `--spec`
/// are taken as they are.
pub fn discover(files: &[PathBuf], dir: Option<&Path>) -> Result<Vec<PathBuf>, SpecError> {
    if !files.is_empty() || dir.is_some() {
        let mut out: Vec<PathBuf> = files.to_vec();
        if let Some(dir) = dir {
            let found = backend_documents_in(dir)?;
            if found.is_empty() {
                return Err(SpecError(format!(
                    "no Backend API spec files (*.json, *.yaml, *.yml) in {} or its subfolders. {HOW_TO_GET_A_SPEC}",
                    dir.display()
                )));
            }
            out.extend(found);
        }
        return Ok(out);
    }
    if let Some(cache) = cache_dir() {
        if cache.is_dir() {
            let found = backend_documents_in(&cache)?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
    }
    Err(SpecError(format!("no Clerk OpenAPI spec found. {HOW_TO_GET_A_SPEC}")))
}

/// The Frontend API documents to load: the `--frontend-spec` files as they
/// are, then those found by content in `dir` and its subfolders (Clerk's
/// layout keeps them in `fapi/`). Without a `dir`, the cache when the
/// Backend documents come from it too (no `--spec` given). None found is
/// not an error: the Frontend API then answers 404 and says why.
///
/// ```no_run
/// let files = clerk_mock::openapi::load::discover_frontend(&[], Some("../shared/clerk-openapi".as_ref()), false).unwrap();
/// assert_eq!(files.len(), 2); // fapi/fapi-2025-11-10.json, fapi/fapi-2026-05-12.json
/// ```
pub fn discover_frontend(files: &[PathBuf], dir: Option<&Path>, backend_files_given: bool) -> Result<Vec<PathBuf>, SpecError> {
    let mut out: Vec<PathBuf> = files.to_vec();
    let cache = if dir.is_none() && !backend_files_given { cache_dir().filter(|c| c.is_dir()) } else { None };
    if let Some(dir) = dir.map(Path::to_path_buf).or(cache) {
        out.extend(documents_in(&dir, |kind| kind == DocumentKind::Frontend)?);
    }
    Ok(out)
}

/// The release date a file name carries (`fapi-2025-11-10.json`,
/// `2026-05-12.yml`), for documents whose `info.version` does not say.
///
/// ```
/// use clerk_mock::openapi::load::version_in_file_name;
/// assert_eq!(version_in_file_name("fapi/fapi-2025-11-10.json".as_ref()).as_deref(), Some("2025-11-10"));
/// assert_eq!(version_in_file_name("fapi/2026-05-12.yml".as_ref()).as_deref(), Some("2026-05-12"));
/// assert_eq!(version_in_file_name("openapi.json".as_ref()), None);
/// ```
pub fn version_in_file_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    (0..stem.len().saturating_sub(9))
        .filter(|&i| stem.is_char_boundary(i) && stem.is_char_boundary(i + 10))
        .find_map(|i| super::version_date(&stem[i..i + 10]))
}

/// The spec files of a directory and of its subfolders (one level), minus
/// the documents of other Clerk APIs; top-level files first, each group
/// sorted by name.
fn backend_documents_in(dir: &Path) -> Result<Vec<PathBuf>, SpecError> {
    documents_in(dir, |kind| matches!(kind, DocumentKind::Backend | DocumentKind::Other))
}

/// The spec files of a directory and of its subfolders (one level) whose
/// kind `keep` accepts; top-level files first, each group sorted by name.
fn documents_in(dir: &Path, keep: fn(DocumentKind) -> bool) -> Result<Vec<PathBuf>, SpecError> {
    let mut out = Vec::new();
    for file in spec_files_in(dir)? {
        out.push(file);
    }
    for sub in subfolders_of(dir)? {
        // An unreadable subfolder is not a reason to refuse the top level.
        match spec_files_in(&sub) {
            Ok(files) => out.extend(files),
            Err(e) => tracing::debug!("skipping spec subfolder: {e}"),
        }
    }
    out.retain(|file| {
        let kind = document_kind(file);
        if !keep(kind) {
            tracing::debug!("skipping {}: a {kind:?} document", file.display());
        }
        keep(kind)
    });
    Ok(out)
}

/// What a spec file describes, told from its content (not its name: the
/// fetch cache and Clerk's repository name files differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// `info.title` "Clerk Backend API".
    Backend,
    /// Clerk's Frontend API (`info.title` "Clerk Frontend API", or its
    /// `/v1/client` paths).
    Frontend,
    /// Clerk's webhook events (`x-webhooks`, no `paths`).
    Webhooks,
    /// Anything else, loaded (and checked) as a spec: the project's own test
    /// specs, a user's trimmed copy, or a file that is broken — loading it
    /// then names the problem.
    Other,
}

/// Classifies a spec file by reading only its `info.title` and path names.
///
/// ```no_run
/// use clerk_mock::openapi::load::{document_kind, DocumentKind};
/// assert_eq!(document_kind("../shared/clerk-openapi/fapi/fapi-2025-11-10.json".as_ref()), DocumentKind::Frontend);
/// ```
pub fn document_kind(path: &Path) -> DocumentKind {
    #[derive(serde::Deserialize, Default)]
    struct Info {
        title: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Peek {
        info: Option<Info>,
        paths: Option<std::collections::BTreeMap<String, serde::de::IgnoredAny>>,
        #[serde(rename = "x-webhooks")]
        x_webhooks: Option<serde::de::IgnoredAny>,
        webhooks: Option<serde::de::IgnoredAny>,
    }
    let Ok(text) = std::fs::read_to_string(path) else { return DocumentKind::Other };
    let looks_like_json = path.extension().and_then(|e| e.to_str()) == Some("json") || text.trim_start().starts_with('{');
    let peek: Option<Peek> = if looks_like_json {
        serde_json::from_str(&text).ok()
    } else {
        serde_saphyr::from_str_with_options(&text, serde_saphyr::options! { strict_booleans: true }).ok()
    };
    let Some(peek) = peek else { return DocumentKind::Other };
    let title = peek.info.unwrap_or_default().title.unwrap_or_default();
    let paths = peek.paths.unwrap_or_default();
    if title == "Clerk Backend API" {
        DocumentKind::Backend
    } else if title.contains("Frontend API") || paths.contains_key("/v1/client") {
        DocumentKind::Frontend
    } else if title.contains("Webhook") || (paths.is_empty() && (peek.x_webhooks.is_some() || peek.webhooks.is_some())) {
        DocumentKind::Webhooks
    } else {
        DocumentKind::Other
    }
}

/// The folders directly inside a directory, sorted by name (hidden ones
/// skipped).
fn subfolders_of(dir: &Path) -> Result<Vec<PathBuf>, SpecError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| SpecError(format!("cannot read spec dir {}: {e}. {HOW_TO_GET_A_SPEC}", dir.display())))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Spec-looking files of a directory, sorted by name.
fn spec_files_in(dir: &Path) -> Result<Vec<PathBuf>, SpecError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| SpecError(format!("cannot read spec dir {}: {e}. {HOW_TO_GET_A_SPEC}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and parses one spec file into a JSON value, checking it is an
/// OpenAPI 3.0 document.
pub fn read_spec(path: &Path) -> Result<(String, Value), SpecError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpecError(format!("cannot read spec {}: {e}. {HOW_TO_GET_A_SPEC}", path.display())))?;
    let value = parse_spec_text(path, &text)?;
    Ok((text, value))
}

/// Parses the text of a spec (`path` only names it in messages and tells
/// JSON from YAML), checking it is an OpenAPI 3.0 document with `paths`.
pub fn parse_spec_text(path: &Path, text: &str) -> Result<Value, SpecError> {
    let value = parse_document(path, text)?;
    let version = value.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0") {
        return Err(SpecError(format!(
            "{} is not an OpenAPI 3.0 document (openapi: {:?}). {HOW_TO_GET_A_SPEC}",
            path.display(),
            version
        )));
    }
    if !value.get("paths").map(Value::is_object).unwrap_or(false) {
        return Err(SpecError(format!("{} has no `paths` object. {HOW_TO_GET_A_SPEC}", path.display())));
    }
    Ok(value)
}

/// JSON when the file looks like JSON, else YAML (strict YAML 1.2 booleans,
/// so `off` and JWK `n`/`y` stay strings — STACK §7).
pub(crate) fn parse_document(path: &Path, text: &str) -> Result<Value, SpecError> {
    let looks_like_json = path.extension().and_then(|e| e.to_str()) == Some("json")
        || text.trim_start().starts_with('{');
    if looks_like_json {
        serde_json::from_str(text)
            .map_err(|e| SpecError(format!("{} is not valid JSON: {e}. {HOW_TO_GET_A_SPEC}", path.display())))
    } else {
        serde_saphyr::from_str_with_options(text, serde_saphyr::options! { strict_booleans: true })
            .map_err(|e| SpecError(format!("{} is not valid YAML: {e}. {HOW_TO_GET_A_SPEC}", path.display())))
    }
}

/// Gives the memory that loading freed back to the system.
///
/// Specs load on one thread each ([`super::SpecSet::load_files`]), so glibc's
/// allocator serves each from an arena of its own; the text, the typed
/// OpenAPI document and the temporaries of a load are freed at its end, but
/// an arena keeps freed pages it cannot hand back from its top, so a server
/// that loaded Clerk's documents idled with ≈ 30 MiB of RSS holding nothing.
/// `malloc_trim` returns the free pages of every arena. Called once, when
/// start-up has loaded everything; elsewhere than glibc it does nothing.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim takes no pointer, locks each arena
        // while it trims it, and may be called at any time from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_spec_keeps_yaml_1_1_booleans_as_strings() {
        let dir = std::env::temp_dir().join(format!("clerk-mock-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("s.yaml");
        std::fs::write(&file, "openapi: 3.0.3\ninfo: {title: t, version: v1}\npaths: {}\nx: off\n").unwrap();
        let (_, v) = read_spec(&file).unwrap();
        assert_eq!(v["x"], "off");
    }

    #[test]
    fn a_broken_spec_names_the_file_and_says_how_to_get_one() {
        let dir = std::env::temp_dir().join(format!("clerk-mock-load2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("broken.json");
        std::fs::write(&file, "{ not json").unwrap();
        let err = read_spec(&file).unwrap_err().to_string();
        assert!(err.contains("broken.json") && err.contains("spec fetch"), "{err}");
    }

    #[test]
    fn an_empty_spec_dir_is_an_error_that_says_how_to_get_a_spec() {
        let dir = std::env::temp_dir().join(format!("clerk-mock-load3-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = discover(&[], Some(&dir)).unwrap_err().to_string();
        assert!(err.contains("spec fetch"), "{err}");
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_spec_dir_serves_backend_documents_of_its_subfolders_and_skips_other_apis() {
        let dir = std::env::temp_dir().join(format!("clerk-mock-load4-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let bapi = r#"{"openapi":"3.0.3","info":{"title":"Clerk Backend API","version":"V"},"paths":{"/users":{}}}"#;
        write(&dir.join("openapi.json"), &bapi.replace('V', "v1"));
        write(&dir.join("bapi-more/bapi-2024-10-01.json"), &bapi.replace('V', "2024-10-01"));
        write(&dir.join("bapi/2025-04-10.yml"), "openapi: 3.0.3\ninfo: {title: Clerk Backend API, version: 2025-04-10}\npaths: {}\n");
        write(&dir.join("fapi/fapi-2025-11-10.json"), r#"{"openapi":"3.0.3","info":{"title":"Clerk Frontend API","version":"v1"},"paths":{"/v1/client":{}}}"#);
        write(&dir.join("webhooks/webhooks.json"), r#"{"openapi":"3.0.3","info":{"title":"Clerk Webhook Events","version":"v1"},"x-webhooks":{}}"#);
        write(&dir.join("bapi-more/deeper/bapi-2030-01-01.json"), &bapi.replace('V', "2030-01-01"));
        let found: Vec<String> = discover(&[], Some(&dir))
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["openapi.json", "bapi/2025-04-10.yml", "bapi-more/bapi-2024-10-01.json"]);
    }

    #[test]
    fn a_document_of_another_title_is_still_loaded_as_a_spec() {
        let dir = std::env::temp_dir().join(format!("clerk-mock-load5-{}", std::process::id()));
        let file = dir.join("widgets.yaml");
        write(&file, "openapi: 3.0.3\ninfo: {title: Widgets, version: v1}\npaths: {/widgets: {}}\n");
        assert_eq!(document_kind(&file), DocumentKind::Other);
        assert_eq!(discover(&[], Some(&dir)).unwrap(), vec![file]);
    }
}
