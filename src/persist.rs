//! `--data-dir DIR`: every instance's state survives a restart. Each instance
//! is one file, `DIR/<secret key>.json`, holding the raw fixture format (see
//! `fixtures::raw`) in an envelope that says what it is:
//!
//! ```json
//! {"format": "clerk-mock-state", "format_version": 1, "instance": "sk_test_…",
//!  "seed": 1, "saved_at": 1767225600000, "state": {"collections": {…}, …}}
//! ```
//!
//! Files are written atomically (a temporary file in the same directory,
//! synced, then renamed over the old one) on graceful shutdown and on
//! `POST /__admin/snapshot`, and read back at start. A file that is not
//! valid JSON, or JSON that is not ours, stops start-up with its name: it is
//! never silently skipped, and never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::fixtures::raw;
use crate::state::{Instances, Store};

pub const FORMAT: &str = "clerk-mock-state";
pub const FORMAT_VERSION: u64 = 1;

/// A persistence problem, naming the file.
#[derive(Debug, Clone, PartialEq)]
pub struct PersistError(pub String);

impl std::fmt::Display for PersistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PersistError {}

/// An instance key as a file name; keys are `[A-Za-z0-9_-]` (checked at auth),
/// anything else is refused rather than escaped.
fn file_for(dir: &Path, key: &str) -> Option<PathBuf> {
    let safe = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    safe.then(|| dir.join(format!("{key}.json")))
}

/// Reads one state file: `(instance key, store)`.
pub fn read(path: &Path) -> Result<(String, Store), PersistError> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| PersistError(format!("cannot read state file {shown}: {e}")))?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| {
        PersistError(format!("state file {shown} is corrupt (not valid JSON: {e}); fix or move it away, clerk-mock will not overwrite it"))
    })?;
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(PersistError(format!(
            "{shown} is not a clerk-mock state file (no \"format\": \"{FORMAT}\"); move it out of the data directory"
        )));
    }
    let version = doc.get("format_version").and_then(Value::as_u64).unwrap_or(0);
    if version != FORMAT_VERSION {
        return Err(PersistError(format!(
            "state file {shown} has format_version {version}; this clerk-mock reads version {FORMAT_VERSION}"
        )));
    }
    let key = doc.get("instance").and_then(Value::as_str).unwrap_or("").to_string();
    let expected = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if key != expected {
        return Err(PersistError(format!("state file {shown} says it holds instance `{key}`, but its name says `{expected}`")));
    }
    let state = doc.get("state").filter(|s| s.is_object()).ok_or_else(|| PersistError(format!("state file {shown} has no \"state\" object")))?;
    let mut store = Store::default();
    raw::apply(state, &mut store).map_err(|(at, why)| PersistError(format!("state file {shown} is corrupt at {at}: {why}")))?;
    Ok((key, store))
}

/// Writes one instance's file atomically. An existing file that is not ours
/// is left alone and reported.
pub fn write(dir: &Path, key: &str, store: &Store, seed: u64) -> Result<PathBuf, PersistError> {
    let path = file_for(dir, key).ok_or_else(|| PersistError(format!("instance key `{key}` cannot be a file name")))?;
    if path.exists() {
        read(&path).map_err(|e| PersistError(format!("not saving instance `{key}`: {e}")))?;
    }
    let saved_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let doc = json!({
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "instance": key,
        "seed": seed,
        "saved_at": saved_at,
        "state": raw::dump(store),
    });
    let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| PersistError(format!("cannot encode instance `{key}`: {e}")))?;
    let tmp = dir.join(format!(".{key}.json.tmp"));
    let io = |e: std::io::Error| PersistError(format!("cannot write {}: {e}", path.display()));
    {
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}

/// Saves every instance into `--data-dir` (shutdown, `POST /__admin/snapshot`),
/// each file stamped with `seed`; returns the files.
pub fn save_all(instances: &Instances, data_dir: Option<&Path>, seed: u64) -> Result<Vec<PathBuf>, PersistError> {
    let Some(dir) = data_dir else {
        return Err(PersistError("no --data-dir is configured".into()));
    };
    std::fs::create_dir_all(dir).map_err(|e| PersistError(format!("cannot create data directory {}: {e}", dir.display())))?;
    let mut saved = Vec::new();
    let mut problems = Vec::new();
    for key in instances.keys() {
        let instance = instances.get_or_create(&key);
        // Copy under the lock, write without it.
        let store = instance.store.lock().clone();
        match write(dir, &key, &store, seed) {
            Ok(path) => saved.push(path),
            Err(e) => problems.push(e.0),
        }
    }
    if problems.is_empty() {
        Ok(saved)
    } else {
        Err(PersistError(problems.join("; ")))
    }
}

/// Restores every instance saved in `--data-dir` (start-up). Hidden files
/// (our temporary files among them) are ignored; anything else that is not a
/// state file stops start-up. A restored store keeps its instance's seed.
pub fn restore(instances: &Instances, data_dir: Option<&Path>) -> Result<usize, PersistError> {
    let Some(dir) = data_dir else { return Ok(0) };
    if !dir.exists() {
        return Ok(0);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| PersistError(format!("cannot read data directory {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut restored = 0;
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            return Err(PersistError(format!(
                "{} is not a clerk-mock state file (they are <key>.json); move it out of the data directory",
                path.display()
            )));
        }
        let (key, mut store) = read(&path)?;
        let instance = instances.get_or_create(&key);
        let mut slot = instance.store.lock();
        store.seed = slot.seed;
        store.instance_key = key.clone();
        *slot = store;
        restored += 1;
    }
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::collections::USERS;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("clerk-mock-persist-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_written_file_reads_back_as_the_same_store() {
        let dir = temp_dir("roundtrip");
        let mut store = Store::new(1, "sk_test_a");
        store.insert(USERS, "user_1", json!({"id": "user_1", "_password": "x"}));
        store.id_sequence = 9;
        let path = write(&dir, "sk_test_a", &store, 1).unwrap();
        let (key, back) = read(&path).unwrap();
        assert_eq!(key, "sk_test_a");
        assert_eq!(back.get(USERS, "user_1"), store.get(USERS, "user_1"));
        assert_eq!(back.id_sequence, 9);
        assert!(!dir.join(".sk_test_a.json.tmp").exists());
    }

    #[test]
    fn corrupt_and_foreign_files_are_reported_and_never_overwritten() {
        let dir = temp_dir("foreign");
        std::fs::write(dir.join("sk_test_b.json"), b"{\"hello\": 1}").unwrap();
        let err = write(&dir, "sk_test_b", &Store::new(1, "sk_test_b"), 1).unwrap_err();
        assert!(err.0.contains("not a clerk-mock state file"), "{err}");
        assert_eq!(std::fs::read(dir.join("sk_test_b.json")).unwrap(), b"{\"hello\": 1}");
        std::fs::write(dir.join("sk_test_c.json"), b"{not json").unwrap();
        assert!(read(&dir.join("sk_test_c.json")).unwrap_err().0.contains("corrupt"));
    }
}
