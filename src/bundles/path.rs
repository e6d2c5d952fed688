//! Reading a bundle request path: which package, which version segment, and
//! which file inside its `dist/`, refusing anything that could leave `dist/`.
//!
//! The path is percent-decoded *before* it is split, so `%2e%2e` and `%2F`
//! are judged as the `..` and `/` they stand for.
//!
//! ```
//! use clerk_mock::bundles::path::parse;
//! use clerk_mock::bundles::Package;
//! let request = parse("/npm/@clerk/clerk-js@6/dist/clerk.browser.js?x=1").unwrap();
//! assert_eq!(request.package, Package::ClerkJs);
//! assert_eq!(request.version, "6");
//! assert_eq!(request.file, vec!["clerk.browser.js".to_string()]);
//! assert!(parse("/npm/@clerk/clerk-js@6/dist/../package.json").is_none());
//! assert!(parse("/npm/@clerk/clerk-js@6/dist/%2e%2e/package.json").is_none());
//! ```

use super::Package;

/// A bundle request that names a file inside a package's `dist/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleRequest {
    pub package: Package,
    /// What came after `@` (`6`, `6.40.0`, `latest`, …); empty without one.
    pub version: String,
    /// The file's path inside `dist/`, one plain segment each (never `.`, `..` or empty).
    pub file: Vec<String>,
}

/// `/npm/@clerk/<package>[@<version>]/dist/<file…>` → the request, or None
/// for any other path or any path that is not a plain file name inside `dist/`.
pub fn parse(raw: &str) -> Option<BundleRequest> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let rest = decoded.strip_prefix("/npm/@clerk/")?;
    let mut segments = rest.split('/');
    let (name, version) = split_version(segments.next()?)?;
    let package = Package::from_dir_name(name)?;
    if segments.next()? != "dist" {
        return None;
    }
    let file: Vec<String> = segments.map(str::to_string).collect();
    if file.is_empty() || !file.iter().all(|s| is_plain_segment(s)) {
        return None;
    }
    Some(BundleRequest { package, version: version.to_string(), file })
}

/// `clerk-js@6.40.0` → (`clerk-js`, `6.40.0`); `clerk-js` → (`clerk-js`, ``);
/// `clerk-js@` (an empty version) → None.
fn split_version(segment: &str) -> Option<(&str, &str)> {
    match segment.split_once('@') {
        Some((_, "")) => None,
        Some((name, version)) => Some((name, version)),
        None => Some((segment, "")),
    }
}

/// A file or folder name that stays where it is: not empty, not `.`/`..`,
/// no backslash (a Windows separator), no NUL, no drive colon.
fn is_plain_segment(segment: &str) -> bool {
    !segment.is_empty() && segment != "." && segment != ".." && !segment.contains(['\\', '\0', ':'])
}

/// `%XX` → the byte; None for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_version_segment_and_nested_files_parse() {
        let r = parse("/npm/@clerk/ui@1.36.0/dist/chunks/a.js").unwrap();
        assert_eq!((r.package, r.version.as_str()), (Package::ClerkUi, "1.36.0"));
        assert_eq!(r.file, ["chunks", "a.js"]);
        assert_eq!(parse("/npm/@clerk/clerk-js/dist/clerk.js").unwrap().version, "");
        assert_eq!(parse("/npm/%40clerk/clerk-js@latest/dist/clerk.js").unwrap().version, "latest");
    }

    #[test]
    fn anything_that_could_leave_dist_is_refused() {
        for bad in [
            "/npm/@clerk/clerk-js@6/dist/../package.json",
            "/npm/@clerk/clerk-js@6/dist/a/../../package.json",
            "/npm/@clerk/clerk-js@6/dist/%2e%2e/package.json",
            "/npm/@clerk/clerk-js@6/dist/..%2Fpackage.json",
            "/npm/@clerk/clerk-js@6/dist//etc/passwd",
            "/npm/@clerk/clerk-js@6/dist/..%5Cpackage.json",
            "/npm/@clerk/clerk-js@6/dist/C:/x",
            "/npm/@clerk/clerk-js@6/dist/a%00.js",
            "/npm/@clerk/clerk-js@6/dist/%zz",
            "/npm/@clerk/clerk-js@6/dist/",
            "/npm/@clerk/clerk-js@6/package.json",
            "/npm/@clerk/clerk-js@/dist/clerk.js",
            "/npm/@clerk/backend@1/dist/index.js",
            "/v1/client",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
