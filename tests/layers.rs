//! The layers of src/ (docs/architecture.md), checked from the code's own
//! imports: every `crate::…` path a product file names, `use` lines and
//! inline paths alike. Each floor below the application may name only the
//! floors listed for it (beside itself), so none reaches up:
//!
//! - `src/openapi/` knows only OpenAPI: it may name itself and the error
//!   envelope (`error`), nothing Clerk-specific (no state, resources, tokens…);
//! - `src/state/` is pure storage: it may name itself, `error` and `openapi`,
//!   never `resources/`, `handler`, the registry or the pipeline;
//! - `src/tokens/` is the key-and-signing service: no resource, handler or app;
//! - `handler.rs`, `registry/` and `render.rs` stand below the resources and
//!   know no app, pipeline or server (handlers get `handler::Services`);
//! - `resources/` knows no app, webhooks, admin or pipeline; `webhooks/`
//!   stands on the resources and below the app;
//! - `persist.rs`, `fixtures/` and `scenario/` take parts at start-up
//!   (`server/boot.rs`) and never name the app.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules each floor may import (beside itself). A floor is
/// a folder (`src/state/`) or a file (`src/handler.rs`).
const RULES: &[(&str, &[&str])] = &[
    ("openapi", &["error"]),
    ("state", &["error", "openapi"]),
    ("tokens", &["error", "config", "state"]),
    ("handler", &["error", "config", "openapi", "state", "tokens"]),
    ("registry", &["error", "handler", "openapi"]),
    ("render", &["error", "handler", "openapi", "state"]),
    ("resources", &["error", "config", "openapi", "state", "tokens", "handler", "registry", "render"]),
    ("webhooks", &["error", "config", "openapi", "state", "scenario", "resources"]),
    ("scenario", &["error", "openapi", "wire"]),
    ("persist", &["error", "state", "fixtures", "resources"]),
    ("fixtures", &["error", "config", "openapi", "state", "tokens", "registry", "resources", "webhooks"]),
];

fn allowed(floor: &str) -> &'static [&'static str] {
    RULES.iter().find(|(f, _)| *f == floor).map(|(_, a)| *a).unwrap_or_else(|| panic!("no rule for {floor}"))
}

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

/// The imports of `files` (name, text) that `floor` may not make.
fn violations_in(floor: &str, allowed: &[&str], files: &[(String, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (name, text) in files {
        for module in imported_modules(text) {
            if module != floor && !allowed.contains(&module.as_str()) {
                bad.push(format!("{name} imports crate::{module}"));
            }
        }
    }
    bad
}

/// What `src/<floor>/` (or `src/<floor>.rs`) imports beyond its rule.
fn violations_of(floor: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    match src.join(format!("{floor}.rs")) {
        file if file.is_file() => paths.push(file),
        _ => rust_files(&src.join(floor), &mut paths),
    }
    assert!(!paths.is_empty(), "no files for the floor {floor}");
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| (p.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    violations_in(floor, allowed(floor), &files)
}

fn assert_floor_keeps_its_rule(floor: &str) {
    let bad = violations_of(floor);
    assert!(bad.is_empty(), "src/{floor} reaches up a layer (it may import {:?}):\n{}", allowed(floor), bad.join("\n"));
}

#[test]
fn the_openapi_layer_imports_nothing_clerk_specific() {
    assert_floor_keeps_its_rule("openapi");
}

#[test]
fn state_is_pure_storage_and_imports_no_resource_handler_or_pipeline() {
    assert_floor_keeps_its_rule("state");
}

#[test]
fn tokens_sign_and_keep_keys_without_importing_resources_handlers_or_the_app() {
    assert_floor_keeps_its_rule("tokens");
}

#[test]
fn handlers_the_registry_and_the_renderer_import_no_app_pipeline_or_server() {
    for floor in ["handler", "registry", "render"] {
        assert_floor_keeps_its_rule(floor);
    }
}

#[test]
fn resources_import_no_app_webhooks_admin_or_pipeline() {
    assert_floor_keeps_its_rule("resources");
}

#[test]
fn webhooks_stand_on_the_resources_and_import_no_app() {
    assert_floor_keeps_its_rule("webhooks");
}

#[test]
fn persistence_fixtures_and_scenarios_take_parts_and_never_import_the_app() {
    for floor in ["persist", "fixtures", "scenario"] {
        assert_floor_keeps_its_rule(floor);
    }
}

#[test]
fn a_floor_that_imports_one_above_it_is_reported_with_the_file() {
    let files = [
        ("src/tokens/keys.rs".to_string(), "use crate::state::Instance;\nuse crate::app::App;".to_string()),
        ("src/tokens/mod.rs".to_string(), "use crate::config::ServeArgs;".to_string()),
    ];
    assert_eq!(violations_in("tokens", allowed("tokens"), &files), ["src/tokens/keys.rs imports crate::app"]);
}

#[test]
fn the_import_reader_sees_use_lines_groups_and_inline_paths() {
    let text = "use crate::state::Store;\nuse crate::{handler::Ctx, registry};\n// crate::pipeline in a comment\nlet x = crate::resources::kinds::id_prefix(\"user\");";
    let found: Vec<String> = imported_modules(text).into_iter().collect();
    assert_eq!(found, ["handler", "registry", "resources", "state"]);
}
