//! clerk-js and @clerk/ui, served locally: the browser bundles a Clerk app
//! loads from its Frontend API host (`/npm/@clerk/clerk-js@6/dist/clerk.browser.js`,
//! `/npm/@clerk/ui@1/dist/ui.browser.js`, then their lazy chunks at the exact
//! build version), answered from npm packages on this machine instead of
//! Clerk's CDN. Nothing of Clerk's is committed: the files come from
//!
//! 1. `--frontend-bundles DIR` (env `CLERK_MOCK_FRONTEND_BUNDLES`): a
//!    `node_modules` folder holding `@clerk/clerk-js` and `@clerk/ui`; when
//!    given, it is the only place looked at;
//! 2. else `./node_modules` of the directory the mock starts in;
//! 3. else the per-user cache (`~/.cache/clerk-mock/bundles`, beside the
//!    specs), which `clerk-mock bundles fetch` fills from the npm registry.
//!
//! Without a flag each package is taken from the first of 2–3 that holds it.
//!
//! ## How the Frontend listener calls it
//!
//! [`Bundles::serve`] is a pure lookup over the request path (query allowed):
//! `Some(file)` → answer 200 with `file.bytes` and the headers of
//! [`BundleFile::headers`], **plus `Access-Control-Allow-Origin: *`, which the
//! caller adds** (Next renders the script with `crossorigin="anonymous"`, so a
//! cross-origin bundle without it is blocked); `None` → the caller's 404.
//! Only `GET`/`HEAD` should reach it. Any version segment answers from the
//! package's one `dist/` (clerk-js rewrites its chunk path from `@6` to
//! `@6.40.0` at start-up, FAPI.md §1.4).
//!
//! ```no_run
//! use clerk_mock::bundles::Bundles;
//! let bundles = Bundles::locate(&[std::path::PathBuf::from("node_modules")]);
//! match bundles.serve("/npm/@clerk/clerk-js@6/dist/clerk.browser.js") {
//!     Some(file) => {
//!         let mut headers = file.headers();
//!         headers.push(("access-control-allow-origin", "*".to_string()));
//!         // 200 with headers and file.bytes
//!     }
//!     None => { /* 404 in Clerk's error envelope */ }
//! }
//! println!("{}", serde_json::to_string(&bundles.versions()).unwrap()); // {"clerk_js":"6.40.0","clerk_ui":"1.36.0"}
//! ```

pub mod fetch;
pub mod integrity;
pub mod locate;
pub mod path;
pub mod registry;
pub mod tls;
pub mod unpack;

use std::path::{Path, PathBuf};

pub use locate::{search_path, Located};

/// The two browser packages the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Package {
    ClerkJs,
    ClerkUi,
}

impl Package {
    pub const ALL: [Package; 2] = [Package::ClerkJs, Package::ClerkUi];

    /// The npm name: `@clerk/clerk-js`.
    pub fn npm_name(self) -> &'static str {
        match self {
            Package::ClerkJs => "@clerk/clerk-js",
            Package::ClerkUi => "@clerk/ui",
        }
    }

    /// The folder under `node_modules/@clerk/`: `clerk-js`.
    pub fn dir_name(self) -> &'static str {
        self.npm_name().trim_start_matches("@clerk/")
    }

    pub fn from_dir_name(name: &str) -> Option<Package> {
        Package::ALL.into_iter().find(|p| p.dir_name() == name)
    }

    /// What `bundles fetch` takes without a flag: the newest of this major
    /// (clerk-js 6 and @clerk/ui 1 go together; ui refuses a clerk-js < 6).
    pub fn default_range(self) -> &'static str {
        match self {
            Package::ClerkJs => "6",
            Package::ClerkUi => "1",
        }
    }
}

/// The served versions, for the start-up log and the health endpoint:
/// `{"clerk_js":"6.40.0","clerk_ui":null}` when ui was not found.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct BundleVersions {
    pub clerk_js: Option<String>,
    pub clerk_ui: Option<String>,
}

/// One file to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    pub package: Package,
    /// The version of the package the bytes come from.
    pub version: String,
    pub content_type: &'static str,
    pub cache_control: &'static str,
    pub bytes: Vec<u8>,
}

impl BundleFile {
    /// Content type, cache policy and `nosniff`; the caller adds
    /// `Access-Control-Allow-Origin: *` (and the length its server computes).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("content-type", self.content_type.to_string()),
            ("cache-control", self.cache_control.to_string()),
            ("x-content-type-options", "nosniff".to_string()),
        ]
    }
}

/// A path naming exactly the served version never changes; any other
/// (a major, a tag, another exact version) may point elsewhere next run.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The packages found at start-up.
#[derive(Debug, Clone, Default)]
pub struct Bundles {
    found: Vec<Located>,
}

impl Bundles {
    /// Where the configuration says to look (see the module doc for the order).
    pub fn from_config(config: &crate::config::ServeArgs) -> Bundles {
        let cwd = std::env::current_dir().ok();
        Bundles::locate(&search_path(config.frontend_bundles.as_deref(), cwd.as_deref(), cache_dir().as_deref()))
    }

    /// Each package from the first of `dirs` (node_modules-like folders) that holds it.
    pub fn locate(dirs: &[PathBuf]) -> Bundles {
        let found = Package::ALL.into_iter().filter_map(|p| dirs.iter().find_map(|d| Located::find(p, d))).collect();
        Bundles { found }
    }

    pub fn get(&self, package: Package) -> Option<&Located> {
        self.found.iter().find(|l| l.package == package)
    }

    pub fn versions(&self) -> BundleVersions {
        let version = |p| self.get(p).map(|l| l.version.clone());
        BundleVersions { clerk_js: version(Package::ClerkJs), clerk_ui: version(Package::ClerkUi) }
    }

    /// The file a bundle path names, or None (not a bundle path, package not
    /// found, no such file, or a path that would leave `dist/`).
    pub fn serve(&self, path: &str) -> Option<BundleFile> {
        let request = path::parse(path)?;
        let located = self.get(request.package)?;
        let file = located.file(&request.file)?;
        let bytes = std::fs::read(&file).ok()?;
        let exact = request.version == located.version;
        Some(BundleFile {
            package: located.package,
            version: located.version.clone(),
            content_type: content_type(&file),
            cache_control: if exact { IMMUTABLE } else { REVALIDATE },
            bytes,
        })
    }

    /// One log line per package: its version and folder, or how to get it.
    pub fn log(&self) {
        for package in Package::ALL {
            match self.get(package) {
                Some(l) => tracing::info!(package = package.npm_name(), version = %l.version, dir = %l.root.display(), "serving frontend bundle"),
                None => tracing::info!(
                    package = package.npm_name(),
                    "frontend bundle not found (--frontend-bundles, ./node_modules, cache): `clerk-mock bundles fetch` or `npm install {}`",
                    package.npm_name()
                ),
            }
        }
    }
}

/// `<cache>/clerk-mock/bundles`: beside the specs' cache, laid out like a
/// `node_modules` (`@clerk/clerk-js/{package.json,dist/}`).
pub fn cache_dir() -> Option<PathBuf> {
    crate::openapi::load::cache_dir().and_then(|specs| specs.parent().map(|root| root.join("bundles")))
}

/// By extension; what a browser needs for scripts, styles, maps and fonts.
pub fn content_type(file: &Path) -> &'static str {
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "js" | "mjs" | "cjs" => "application/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}
