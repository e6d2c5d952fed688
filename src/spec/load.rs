//! Finding and parsing spec files (JSON or YAML), never bundled with the program.
//!
//! Order of precedence (DESIGN §1): `--spec FILE` (repeatable) / `--spec-dir
//! DIR`, then `CLERK_MOCK_SPEC` / `CLERK_MOCK_SPEC_DIR` (clap fills those from
//! the environment), then the per-user cache dir that `clerk-mock spec fetch`
//! writes to.
//!
//! ```no_run
//! let files = clerk_mock::spec::load::discover(&[], None).unwrap();
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where to get a spec, appended to every "no spec" message.
pub const HOW_TO_GET_A_SPEC: &str = "Get one with `clerk-mock spec fetch --api-version 2025-11-10` \
(downloads Clerk's official spec from the clerk/openapi-specs repository into the cache), \
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
pub fn discover(files: &[PathBuf], dir: Option<&Path>) -> Result<Vec<PathBuf>, SpecError> {
    if !files.is_empty() || dir.is_some() {
        let mut out: Vec<PathBuf> = files.to_vec();
        if let Some(dir) = dir {
            let found = spec_files_in(dir)?;
            if found.is_empty() {
                return Err(SpecError(format!(
                    "no spec files (*.json, *.yaml, *.yml) in {}. {HOW_TO_GET_A_SPEC}",
                    dir.display()
                )));
            }
            out.extend(found);
        }
        return Ok(out);
    }
    if let Some(cache) = cache_dir() {
        if cache.is_dir() {
            let found = spec_files_in(&cache)?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
    }
    Err(SpecError(format!("no Clerk OpenAPI spec found. {HOW_TO_GET_A_SPEC}")))
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
    let value = parse_document(path, &text)?;
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
    Ok((text, value))
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
}
