//! `clerk-mock --version`: the program's version and, for each spec it would
//! load, that spec's API version and file, without compiling any spec (a
//! quick answer to "which Clerk API does this mock serve, from where?").
//!
//! ```text
//! clerk-mock 0.1.0
//! spec 2025-11-10  /home/me/.cache/clerk-mock/specs/bapi/2025-11-10.yml
//! spec v1          /home/me/.cache/clerk-mock/specs/bapi/2021-02-05.yml
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::config::SpecArgs;
use crate::openapi::load;

/// The clerk-mock version (Cargo's package version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The lines `--version` prints (each ends in a newline).
pub fn report(spec: &SpecArgs) -> String {
    let mut out = format!("clerk-mock {VERSION}\n");
    match load::discover(&spec.specs, spec.spec_dir.as_deref()) {
        Ok(files) => {
            for file in files {
                let version = info_version(&file).unwrap_or_else(|e| format!("unreadable ({e})"));
                out.push_str(&format!("spec {version:<11} {}\n", file.display()));
            }
        }
        Err(e) => {
            out.push_str(&format!("no specs found: {e}\n"));
            if spec.specs.is_empty() && spec.spec_dir.is_none() {
                let cache = load::cache_dir().map(|c| c.display().to_string()).unwrap_or_else(|| "(HOME is not set)".into());
                out.push_str(&format!(
                    "looked at: --spec / --spec-dir, CLERK_MOCK_SPEC / CLERK_MOCK_SPEC_DIR, the cache {cache}; \
a start without --offline fetches the default specs into the cache\n"
                ));
            }
        }
    }
    out
}

/// Only `info.version`; every other key is skipped unbuilt.
#[derive(Deserialize)]
struct Head {
    info: Info,
}

#[derive(Deserialize)]
struct Info {
    version: String,
}

/// `info.version` of a spec file, read without building the document tree.
pub fn info_version(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let json = path.extension().and_then(|e| e.to_str()) == Some("json") || text.trim_start().starts_with('{');
    let head: Head = if json {
        serde_json::from_str(&text).map_err(|e| e.to_string())?
    } else {
        serde_saphyr::from_str(&text).map_err(|e| e.to_string())?
    };
    Ok(head.info.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_info_version_of_a_yaml_spec_is_read_without_loading_it() {
        let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini-v1.yaml");
        assert_eq!(info_version(&file).unwrap(), "v1");
    }

    #[test]
    fn a_spec_dir_without_specs_reports_where_it_looked() {
        let dir = std::env::temp_dir().join(format!("clerk-mock-version-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let args = SpecArgs { spec_dir: Some(dir.clone()), ..SpecArgs::default() };
        let text = report(&args);
        assert!(text.starts_with(&format!("clerk-mock {VERSION}\n")), "{text}");
        assert!(text.contains("no specs found") && text.contains(&dir.display().to_string()), "{text}");
    }
}
