//! `clerk-mock bundles fetch`: clerk-js and @clerk/ui from the npm registry
//! into the bundles cache, for machines that have no `node_modules` with them.
//!
//! Per package: the packument (`<registry>/@clerk%2fclerk-js`, npm's
//! abbreviated form) → the version (see [`registry::resolve`]) → the tarball,
//! checked against `dist.integrity` / `dist.shasum`. Only when every package
//! downloaded and verified is anything written, each package unpacked beside
//! its final place and then swapped in, so a failed fetch leaves the cache
//! as it was.
//!
//! ```no_run
//! use clerk_mock::bundles::{fetch::fetch_into, Package};
//! let dir = std::path::Path::new("/tmp/bundles");
//! let wanted = [(Package::ClerkJs, "6"), (Package::ClerkUi, "1")];
//! let fetched = fetch_into("https://registry.npmjs.org/", &wanted, dir, &mut |l| eprintln!("{l}")).unwrap();
//! assert_eq!(fetched[0].dir, dir.join("@clerk/clerk-js"));
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{integrity, registry, unpack, Package};
use crate::config::BundlesFetchArgs;

/// Largest tarball accepted (clerk-js 6 is a few MB).
pub const MAX_TARBALL_BYTES: u64 = 256 * 1024 * 1024;

/// One package stored in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub package: Package,
    pub version: String,
    /// `<dir>/@clerk/<name>`.
    pub dir: PathBuf,
    pub tarball_bytes: usize,
    pub files: usize,
}

/// The command: flags → registry, versions and folder, then [`fetch_into`].
pub fn fetch(args: &BundlesFetchArgs) -> Result<Vec<Fetched>, String> {
    let npmrc = npmrc();
    let registry = registry::registry_url(args.registry.as_deref(), &env, npmrc.as_deref());
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => super::cache_dir().ok_or("cannot tell the cache dir: set HOME or pass --dir")?,
    };
    let clerk_js = args.clerk_js.as_deref().unwrap_or(Package::ClerkJs.default_range());
    let clerk_ui = args.clerk_ui.as_deref().unwrap_or(Package::ClerkUi.default_range());
    fetch_into(&registry, &[(Package::ClerkJs, clerk_js), (Package::ClerkUi, clerk_ui)], &dir, &mut |l| eprintln!("{l}"))
}

/// Downloads and verifies every `(package, version or range)`, then stores
/// them all under `dir` as `@clerk/<name>/{package.json,dist/}`.
pub fn fetch_into(registry: &str, wanted: &[(Package, &str)], dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<Fetched>, String> {
    let agent = agent();
    let mut downloaded = Vec::with_capacity(wanted.len());
    for (package, range) in wanted {
        let name = package.npm_name();
        let url = registry::packument_url(registry, name);
        let packument: serde_json::Value = serde_json::from_slice(&get(&agent, &url, "application/vnd.npm.install-v1+json, application/json")?)
            .map_err(|e| format!("{url} is not a packument: {e}"))?;
        let resolved = registry::resolve(&packument, range).map_err(|e| format!("{name}: {e}"))?;
        let tarball_url = registry::tarball_url(registry, &resolved.tarball);
        let tarball = get(&agent, &tarball_url, "application/octet-stream")?;
        integrity::verify(&tarball, resolved.integrity.as_deref(), resolved.shasum.as_deref()).map_err(|e| {
            format!("refusing {name}@{} from {tarball_url}: {e} (the registry or a proxy served another file; nothing was stored)", resolved.version)
        })?;
        progress(&format!("clerk-mock: downloaded {name}@{} ({} KB, integrity ok)", resolved.version, tarball.len().div_ceil(1024)));
        downloaded.push((*package, resolved.version, tarball));
    }
    let mut stored = Vec::with_capacity(downloaded.len());
    for (package, version, tarball) in downloaded {
        let target = dir.join("@clerk").join(package.dir_name());
        let files = store(&tarball, &target)?;
        progress(&format!("clerk-mock: stored {}@{version} in {} ({files} files)", package.npm_name(), target.display()));
        stored.push(Fetched { package, version, dir: target, tarball_bytes: tarball.len(), files });
    }
    Ok(stored)
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// `~/.npmrc`, read for its `registry=` and `cafile=` lines only.
fn npmrc() -> Option<String> {
    std::env::var_os("HOME").and_then(|h| std::fs::read_to_string(Path::new(&h).join(".npmrc")).ok())
}

/// Trusts the CAs npm would ([`super::tls`]).
fn agent() -> ureq::Agent {
    let roots = super::tls::root_certs(&env, npmrc().as_deref());
    ureq::Agent::config_builder()
        .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str, accept: &str) -> Result<Vec<u8>, String> {
    let mut response = agent.get(url).header("accept", accept).call().map_err(|e| format!("cannot download {url}: {e}"))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!("cannot download {url}: HTTP {status}"));
    }
    response.body_mut().with_config().limit(MAX_TARBALL_BYTES).read_to_vec().map_err(|e| format!("cannot read {url}: {e}"))
}

/// Unpacks into `<target>.<pid>.tmp`, then swaps it in for `target`.
fn store(tarball: &[u8], target: &Path) -> Result<usize, String> {
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("package");
    let staging = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let files = unpack::unpack(tarball, &staging).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&staging);
    })?;
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(|e| format!("cannot replace {}: {e}", target.display()))?;
    }
    std::fs::rename(&staging, target).map_err(|e| format!("cannot store {}: {e}", target.display()))?;
    Ok(files)
}
