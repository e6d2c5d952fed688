//! Unpacking an npm tarball (`.tgz` whose entries sit under one top folder,
//! `package/`) into a package folder, keeping only what serving needs:
//! `package.json` and `dist/`. Links, devices and any entry whose path is
//! not plain (absolute, `..`) are skipped, so a tarball cannot write outside
//! the folder.
//!
//! ```no_run
//! let tgz = std::fs::read("ui-1.36.0.tgz").unwrap();
//! let files = clerk_mock::bundles::unpack::unpack(&tgz, std::path::Path::new("/tmp/ui")).unwrap();
//! assert!(files > 1);
//! ```

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Most a package may unpack to (the real ones are ~10–30 MB).
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// Writes the kept files of `tgz` under `into` (created); returns how many.
pub fn unpack(tgz: &[u8], into: &Path) -> Result<usize, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let entries = archive.entries().map_err(|e| format!("not a .tgz: {e}"))?;
    let (mut files, mut total) = (0usize, 0u64);
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("broken tarball: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let Some(relative) = kept_path(&entry.path().map_err(|e| format!("broken tarball entry: {e}"))?) else { continue };
        total += entry.size();
        if total > MAX_UNPACKED_BYTES {
            return Err(format!("the tarball unpacks to more than {MAX_UNPACKED_BYTES} bytes"));
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes).map_err(|e| format!("broken tarball entry {}: {e}", relative.display()))?;
        write(&into.join(&relative), &bytes)?;
        files += 1;
    }
    if !into.join("package.json").is_file() {
        return Err("the tarball has no package/package.json".into());
    }
    Ok(files)
}

/// `package/dist/a.js` → `dist/a.js`; `package/package.json` → itself;
/// anything else (other files, odd paths) → None. The top folder's name is
/// not checked: npm strips whatever it is.
pub fn kept_path(path: &Path) -> Option<PathBuf> {
    let mut parts = path.components();
    if !matches!(parts.next(), Some(Component::Normal(_))) {
        return None;
    }
    let rest: PathBuf = parts.clone().collect();
    if !parts.all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let keep = rest == Path::new("package.json") || (rest.starts_with("dist") && rest != Path::new("dist"));
    keep.then_some(rest)
}

fn write(target: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(target, bytes).map_err(|e| format!("cannot write {}: {e}", target.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_package_json_and_dist_are_kept_and_odd_paths_never() {
        assert_eq!(kept_path(Path::new("package/dist/a/b.js")), Some(PathBuf::from("dist/a/b.js")));
        assert_eq!(kept_path(Path::new("node/package.json")), Some(PathBuf::from("package.json")));
        assert_eq!(kept_path(Path::new("package/README.md")), None);
        assert_eq!(kept_path(Path::new("package/dist")), None);
        assert_eq!(kept_path(Path::new("package/dist/../../x")), None);
        assert_eq!(kept_path(Path::new("/etc/dist/x")), None);
        assert_eq!(kept_path(Path::new("package/distx/a.js")), None);
    }
}
