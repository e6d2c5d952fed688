//! Finding an installed package: `<node_modules>/@clerk/<name>/package.json`
//! (for its version) beside a `dist/` folder.
//!
//! ```
//! use clerk_mock::bundles::search_path;
//! use std::path::{Path, PathBuf};
//! // A flag is the only place looked at; without one, ./node_modules, then the cache.
//! assert_eq!(search_path(Some(Path::new("/nm")), Some(Path::new("/app")), Some(Path::new("/c"))), [PathBuf::from("/nm")]);
//! assert_eq!(search_path(None, Some(Path::new("/app")), Some(Path::new("/c"))), [PathBuf::from("/app/node_modules"), PathBuf::from("/c")]);
//! ```

use std::path::{Path, PathBuf};

use super::Package;

/// The folders to look in, in order (see the module doc of `bundles`).
pub fn search_path(flag: Option<&Path>, cwd: Option<&Path>, cache: Option<&Path>) -> Vec<PathBuf> {
    if let Some(dir) = flag {
        return vec![dir.to_path_buf()];
    }
    cwd.map(|c| c.join("node_modules")).into_iter().chain(cache.map(Path::to_path_buf)).collect()
}

/// One package found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub package: Package,
    /// `version` of its package.json.
    pub version: String,
    /// `<node_modules>/@clerk/<name>` as found.
    pub root: PathBuf,
    /// Its `dist/`, with symlinks resolved (pnpm links packages), the
    /// boundary no served file may leave.
    pub dist: PathBuf,
}

impl Located {
    /// The package in `node_modules`, when it has a readable version and a `dist/`.
    pub fn find(package: Package, node_modules: &Path) -> Option<Located> {
        let root = node_modules.join("@clerk").join(package.dir_name());
        let manifest = std::fs::read_to_string(root.join("package.json")).ok()?;
        let version = match serde_json::from_str::<serde_json::Value>(&manifest).ok()?.get("version") {
            Some(serde_json::Value::String(v)) if !v.is_empty() => v.clone(),
            _ => {
                tracing::warn!(dir = %root.display(), "{} has no version in its package.json; skipped", package.npm_name());
                return None;
            }
        };
        let dist = std::fs::canonicalize(root.join("dist")).ok().filter(|d| d.is_dir())?;
        Some(Located { package, version, root, dist })
    }

    /// The regular file at `segments` inside `dist/`, never outside it (a
    /// symlink in `dist/` pointing elsewhere is refused too).
    pub fn file(&self, segments: &[String]) -> Option<PathBuf> {
        let mut path = self.dist.clone();
        path.extend(segments);
        let real = std::fs::canonicalize(&path).ok()?;
        (real.starts_with(&self.dist) && real.is_file()).then_some(real)
    }
}
