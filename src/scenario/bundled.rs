//! The scenarios shipped in `scenarios/*.yaml`, compiled into the binary so
//! `--scenario rate-limit-429` works wherever clerk-mock is installed, and the
//! resolution of a scenario reference: `NAME`, `NAME?param=value&…`, or a
//! YAML file path (also with `?params`).
//!
//! ```
//! use clerk_mock::scenario::bundled;
//! let s = bundled::load("rate-limit-429?every=2").unwrap();
//! assert_eq!(s.name, "rate-limit-429");
//! assert_eq!(s.rules[0].every, Some(2));
//! ```

use std::path::Path;

use serde_json::Map;

use super::model::{compile, parse_params, parse_text, Scenario};

/// (name, YAML) of every bundled scenario.
pub const BUNDLED: &[(&str, &str)] = &[
    ("deprecated-410", include_str!("../../scenarios/deprecated-410.yaml")),
    ("validation-422", include_str!("../../scenarios/validation-422.yaml")),
    ("rate-limit-429", include_str!("../../scenarios/rate-limit-429.yaml")),
    ("outage-500", include_str!("../../scenarios/outage-500.yaml")),
    ("slow", include_str!("../../scenarios/slow.yaml")),
    ("flaky", include_str!("../../scenarios/flaky.yaml")),
];

pub fn names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}

/// Splits `name?a=1&b=2` into the reference and its parameters.
pub fn split_reference(reference: &str) -> (&str, Map<String, serde_json::Value>) {
    match reference.split_once('?') {
        Some((name, query)) => (name.trim(), parse_params(query)),
        None => (reference.trim(), Map::new()),
    }
}

/// A bundled scenario by name, else a scenario file; parameters after `?`.
pub fn load(reference: &str) -> Result<Scenario, String> {
    load_with(reference, &Map::new())
}

/// [`load`] with more parameters (they win over those after `?`).
pub fn load_with(reference: &str, extra: &Map<String, serde_json::Value>) -> Result<Scenario, String> {
    let (name, mut params) = split_reference(reference);
    params.extend(extra.clone());
    if let Some((_, text)) = BUNDLED.iter().find(|(n, _)| *n == name) {
        let doc = parse_text(text).map_err(|e| format!("bundled scenario {name}: {e}"))?;
        return compile(&doc, &params, name, "bundled").map_err(|e| format!("scenario {name}: {e}"));
    }
    let path = Path::new(name);
    if !path.is_file() {
        return Err(format!(
            "no bundled scenario and no file named `{name}` (bundled: {})",
            names().join(", ")
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("scenario file {}: {e}", path.display()))?;
    let doc = parse_text(&text).map_err(|e| format!("scenario file {}: {e}", path.display()))?;
    let fallback = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| name.to_string());
    compile(&doc, &params, &fallback, &path.display().to_string()).map_err(|e| format!("scenario file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_scenario_compiles_with_its_defaults() {
        for name in names() {
            let s = load(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.name, name);
            assert!(!s.rules.is_empty());
        }
    }

    #[test]
    fn an_unknown_reference_names_the_bundled_ones() {
        let err = load("rate-limit-492").unwrap_err();
        assert!(err.contains("rate-limit-429") && err.contains("rate-limit-492"), "{err}");
    }

    #[test]
    fn parameters_fill_nested_defaults() {
        let s = load("validation-422?param=password&code=form_password_pwned").unwrap();
        let super::super::action::Action::Respond(r) = &s.rules[0].action else { panic!("responds") };
        assert_eq!(r.errors[0].code.as_deref(), Some("form_password_pwned"));
        assert!(r.errors[0].long_message.as_deref().unwrap().contains("password"));
    }
}
