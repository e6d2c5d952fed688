//! The layers of src/ (docs/architecture.md), checked from the code's own
//! imports: every `crate::…` path a product file names, `use` lines and
//! inline paths alike. The two floors everything stands on must not reach up:
//!
//! - `src/openapi/` knows only OpenAPI: it may name itself and the error
//!   envelope (`error`), nothing Clerk-specific (no state, resources, tokens…);
//! - `src/state/` is pure storage: it may name itself, `error` and `openapi`,
//!   never `resources/`, `handler`, the registry or the pipeline.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules each floor may import (beside itself).
const RULES: &[(&str, &[&str])] = &[("openapi", &["error"]), ("state", &["error", "openapi"])];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names through `crate::` (comments skipped,
/// `use crate::{a, b::c}` groups opened).
fn imported_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                found.extend(inner.split(',').filter_map(|p| p.trim().split("::").next()).filter(|m| !m.is_empty()).map(String::from));
            } else {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

fn violations_of(floor: &str, allowed: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(floor);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no files under {}", root.display());
    let mut bad = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for module in imported_modules(&text) {
            if module != floor && !allowed.contains(&module.as_str()) {
                bad.push(format!("{} imports crate::{module}", file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display()));
            }
        }
    }
    bad
}

#[test]
fn the_openapi_layer_imports_nothing_clerk_specific() {
    let bad = violations_of("openapi", RULES[0].1);
    assert!(bad.is_empty(), "src/openapi/ reaches up a layer:\n{}", bad.join("\n"));
}

#[test]
fn state_is_pure_storage_and_imports_no_resource_handler_or_pipeline() {
    let bad = violations_of("state", RULES[1].1);
    assert!(bad.is_empty(), "src/state/ reaches up a layer:\n{}", bad.join("\n"));
}

#[test]
fn the_import_reader_sees_use_lines_groups_and_inline_paths() {
    let text = "use crate::state::Store;\nuse crate::{handler::Ctx, registry};\n// crate::pipeline in a comment\nlet x = crate::resources::kinds::id_prefix(\"user\");";
    let found: Vec<String> = imported_modules(text).into_iter().collect();
    assert_eq!(found, ["handler", "registry", "resources", "state"]);
}
