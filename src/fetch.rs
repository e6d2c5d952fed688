//! `clerk-mock spec fetch`: downloads Clerk's official spec of one API version
//! (YAML from the public clerk/openapi-specs repository) into the cache the
//! server reads. Nothing downloads silently: only this command touches the
//! network.

use std::path::PathBuf;

use crate::config::FetchArgs;
use crate::spec::load::{self, SpecError};

/// Downloads, checks and atomically stores the spec; returns where it went.
pub fn fetch(args: &FetchArgs) -> Result<PathBuf, SpecError> {
    if crate::spec::version_date(&args.api_version).is_none() {
        return Err(SpecError(format!("--api-version {:?} is not an API version like 2025-11-10", args.api_version)));
    }
    let url = format!("{}/bapi/{}.yml", args.from.trim_end_matches('/'), args.api_version);
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => load::cache_dir().ok_or_else(|| SpecError("cannot tell the cache dir: set HOME or pass --dir".into()))?,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    let mut response = agent.get(&url).call().map_err(|e| SpecError(format!("cannot download {url}: {e}")))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(SpecError(format!("cannot download {url}: HTTP {status} (is {} a published API version?)", args.api_version)));
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| SpecError(format!("cannot read {url}: {e}")))?;
    std::fs::create_dir_all(&dir).map_err(|e| SpecError(format!("cannot create {}: {e}", dir.display())))?;
    let target = dir.join(format!("bapi-{}.yml", args.api_version));
    let temp = dir.join(format!(".bapi-{}.yml.{}.tmp", args.api_version, std::process::id()));
    std::fs::write(&temp, &text).map_err(|e| SpecError(format!("cannot write {}: {e}", temp.display())))?;
    // Only a spec that loads may replace the cached one.
    if let Err(e) = crate::spec::Spec::load(&temp) {
        let _ = std::fs::remove_file(&temp);
        return Err(SpecError(format!("{url} is not a usable spec: {e}")));
    }
    std::fs::rename(&temp, &target).map_err(|e| SpecError(format!("cannot write {}: {e}", target.display())))?;
    Ok(target)
}
