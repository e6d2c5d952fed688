//! clerk-js / @clerk/ui served from local npm packages (`bundles::Bundles`),
//! and `clerk-mock bundles fetch` against a registry this test serves.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clerk_mock::bundles::fetch::fetch_into;
use clerk_mock::bundles::integrity::sri_sha512;
use clerk_mock::bundles::{search_path, Bundles, BundleVersions, Package, IMMUTABLE, REVALIDATE};
use common::temp_dir;

/// A `node_modules` with `@clerk/<name>` at `version`, its `dist/` holding `files`.
fn install(node_modules: &Path, name: &str, version: &str, files: &[(&str, &str)]) {
    let root = node_modules.join("@clerk").join(name);
    std::fs::create_dir_all(root.join("dist")).unwrap();
    std::fs::write(root.join("package.json"), format!(r#"{{"name":"@clerk/{name}","version":"{version}"}}"#)).unwrap();
    for (path, text) in files {
        let file = root.join("dist").join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
}

fn node_modules_with_both() -> PathBuf {
    let dir = temp_dir("bundles-nm");
    install(&dir, "clerk-js", "6.40.0", &[("clerk.browser.js", "/* clerk */"), ("framework_clerk_6.40.0.js", "/* chunk */"), ("chunks/deep/a.css", "a{}")]);
    install(&dir, "ui", "1.36.0", &[("ui.browser.js", "/* ui */")]);
    dir
}

fn body(bundles: &Bundles, path: &str) -> Option<String> {
    bundles.serve(path).map(|f| String::from_utf8(f.bytes).unwrap())
}

#[test]
fn a_major_version_segment_serves_the_packages_one_dist() {
    let bundles = Bundles::locate(&[node_modules_with_both()]);
    let file = bundles.serve("/npm/@clerk/clerk-js@6/dist/clerk.browser.js").expect("served");
    assert_eq!(String::from_utf8(file.bytes.clone()).unwrap(), "/* clerk */");
    assert_eq!(file.content_type, "application/javascript; charset=utf-8");
    assert_eq!(file.cache_control, REVALIDATE, "a major may point at another build next run");
    assert_eq!(body(&bundles, "/npm/@clerk/ui@1/dist/ui.browser.js").as_deref(), Some("/* ui */"));
}

#[test]
fn the_exact_version_chunk_path_is_served_and_cacheable_forever() {
    let bundles = Bundles::locate(&[node_modules_with_both()]);
    let chunk = bundles.serve("/npm/@clerk/clerk-js@6.40.0/dist/framework_clerk_6.40.0.js").expect("served");
    assert_eq!(chunk.cache_control, IMMUTABLE);
    assert_eq!(chunk.version, "6.40.0");
    assert!(chunk.headers().contains(&("x-content-type-options", "nosniff".into())));
}

#[test]
fn any_other_version_segment_or_none_still_answers_from_the_same_dist() {
    let bundles = Bundles::locate(&[node_modules_with_both()]);
    for path in ["/npm/@clerk/clerk-js@latest/dist/clerk.browser.js", "/npm/@clerk/clerk-js@6.39.1/dist/clerk.browser.js", "/npm/@clerk/clerk-js/dist/clerk.browser.js?v=1"] {
        let file = bundles.serve(path).unwrap_or_else(|| panic!("{path} is served"));
        assert_eq!((file.bytes.as_slice(), file.cache_control), (b"/* clerk */".as_slice(), REVALIDATE), "{path}");
    }
}

#[test]
fn nested_files_inside_dist_are_served_with_their_content_type() {
    let bundles = Bundles::locate(&[node_modules_with_both()]);
    let css = bundles.serve("/npm/@clerk/clerk-js@6/dist/chunks/deep/a.css").expect("served");
    assert_eq!((css.bytes.as_slice(), css.content_type), (b"a{}".as_slice(), "text/css; charset=utf-8"));
}

#[test]
fn paths_that_would_leave_dist_are_refused() {
    let dir = node_modules_with_both();
    std::fs::write(dir.join("secret.txt"), "secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("@clerk/clerk-js/dist/link.js")).unwrap();
    let bundles = Bundles::locate(&[dir]);
    for path in [
        "/npm/@clerk/clerk-js@6/dist/../package.json",
        "/npm/@clerk/clerk-js@6/dist/%2e%2e/package.json",
        "/npm/@clerk/clerk-js@6/dist/..%2F..%2F..%2Fsecret.txt",
        "/npm/@clerk/clerk-js@6/dist//etc/passwd",
        "/npm/@clerk/clerk-js@6/dist/link.js",
        "/npm/@clerk/clerk-js@6/dist/chunks",
    ] {
        assert_eq!(bundles.serve(path), None, "{path}");
    }
}

#[test]
fn an_unknown_file_or_package_is_none_for_the_callers_404() {
    let bundles = Bundles::locate(&[node_modules_with_both()]);
    assert_eq!(bundles.serve("/npm/@clerk/clerk-js@6/dist/nope.js"), None);
    assert_eq!(bundles.serve("/npm/@clerk/backend@2/dist/index.js"), None);
    assert_eq!(bundles.serve("/v1/environment"), None);
}

#[test]
fn the_served_versions_are_reported_and_a_missing_package_is_none() {
    let both = Bundles::locate(&[node_modules_with_both()]);
    assert_eq!(both.versions(), BundleVersions { clerk_js: Some("6.40.0".into()), clerk_ui: Some("1.36.0".into()) });
    assert_eq!(serde_json::to_value(both.versions()).unwrap(), serde_json::json!({"clerk_js": "6.40.0", "clerk_ui": "1.36.0"}));
    let only_js = temp_dir("bundles-js-only");
    install(&only_js, "clerk-js", "6.1.0", &[("clerk.browser.js", "x")]);
    let bundles = Bundles::locate(&[only_js]);
    assert_eq!(bundles.versions(), BundleVersions { clerk_js: Some("6.1.0".into()), clerk_ui: None });
    assert_eq!(bundles.serve("/npm/@clerk/ui@1/dist/ui.browser.js"), None);
}

#[test]
fn without_a_flag_each_package_comes_from_node_modules_first_then_the_cache() {
    let app = temp_dir("bundles-app");
    let cache = temp_dir("bundles-cache");
    install(&app.join("node_modules"), "clerk-js", "6.40.0", &[("clerk.browser.js", "local")]);
    install(&cache, "clerk-js", "6.2.0", &[("clerk.browser.js", "cached")]);
    install(&cache, "ui", "1.1.0", &[("ui.browser.js", "cached ui")]);
    let bundles = Bundles::locate(&search_path(None, Some(&app), Some(&cache)));
    assert_eq!(body(&bundles, "/npm/@clerk/clerk-js@6/dist/clerk.browser.js").as_deref(), Some("local"));
    assert_eq!(body(&bundles, "/npm/@clerk/ui@1/dist/ui.browser.js").as_deref(), Some("cached ui"));
    let flagged = Bundles::locate(&search_path(Some(&cache), Some(&app), None));
    assert_eq!(flagged.versions().clerk_js.as_deref(), Some("6.2.0"), "a flag is the only place looked at");
}

#[test]
fn the_frontend_bundles_flag_reaches_the_app() {
    let dir = node_modules_with_both();
    let args = clerk_mock::config::ServeArgs { frontend_bundles: Some(dir), ..Default::default() };
    assert_eq!(Bundles::from_config(&args).versions().clerk_ui.as_deref(), Some("1.36.0"));
}

// ---- bundles fetch against a registry served by this test ----

/// A `.tgz` laid out like npm's: `package/package.json`, `package/dist/…`, and a README that is not kept.
fn tarball(name: &str, version: &str, files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    let manifest = format!(r#"{{"name":"@clerk/{name}","version":"{version}"}}"#);
    let mut entries: Vec<(String, &str)> = vec![("package/package.json".into(), manifest.as_str()), ("package/README.md".into(), "readme")];
    entries.extend(files.iter().map(|(p, t)| (format!("package/dist/{p}"), *t)));
    for (path, text) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, text.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// Answers GET `path` with its bytes (404 otherwise), one connection at a time, until the test ends.
fn registry(routes: impl FnOnce(&str) -> HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let routes = Arc::new(routes(&base));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let line = String::from_utf8_lossy(&head).lines().next().unwrap_or("").to_string();
            let path = line.split(' ').nth(1).unwrap_or("");
            let (status, body) = match routes.get(path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"{}".to_vec()),
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(&body);
        }
    });
    base
}

/// A registry with clerk-js 6.40.0 (and a 7.0.0 that must not be picked) and ui 1.36.0;
/// `tamper` corrupts the ui tarball after its integrity was computed.
fn clerk_registry(tamper: bool) -> String {
    registry(|base| {
        let js = tarball("clerk-js", "6.40.0", &[("clerk.browser.js", "/* fetched clerk */"), ("chunks/c_6.40.0.js", "/* chunk */")]);
        let js7 = tarball("clerk-js", "7.0.0", &[("clerk.browser.js", "/* seven */")]);
        let ui = tarball("ui", "1.36.0", &[("ui.browser.js", "/* fetched ui */")]);
        let dist = |name: &str, v: &str, t: &[u8]| serde_json::json!({"dist": {"tarball": format!("{base}/@clerk/{name}/-/{name}-{v}.tgz"), "integrity": sri_sha512(t)}});
        let js_doc = serde_json::json!({"name": "@clerk/clerk-js", "dist-tags": {"latest": "7.0.0"}, "versions": {"6.40.0": dist("clerk-js", "6.40.0", &js), "7.0.0": dist("clerk-js", "7.0.0", &js7)}});
        let ui_doc = serde_json::json!({"name": "@clerk/ui", "dist-tags": {"latest": "1.36.0"}, "versions": {"1.36.0": dist("ui", "1.36.0", &ui)}});
        let mut served_ui = ui.clone();
        if tamper {
            let n = served_ui.len();
            served_ui[n - 10] ^= 0xff;
        }
        HashMap::from([
            ("/@clerk%2fclerk-js".to_string(), js_doc.to_string().into_bytes()),
            ("/@clerk%2fui".to_string(), ui_doc.to_string().into_bytes()),
            ("/@clerk/clerk-js/-/clerk-js-6.40.0.tgz".to_string(), js),
            ("/@clerk/clerk-js/-/clerk-js-7.0.0.tgz".to_string(), js7),
            ("/@clerk/ui/-/ui-1.36.0.tgz".to_string(), served_ui),
        ])
    })
}

#[test]
fn fetching_verifies_the_tarballs_and_fills_the_cache_that_then_serves() {
    let base = clerk_registry(false);
    let cache = temp_dir("bundles-fetch");
    let wanted = [(Package::ClerkJs, "6"), (Package::ClerkUi, "1")];
    let mut lines = Vec::new();
    let fetched = fetch_into(&base, &wanted, &cache, &mut |l| lines.push(l.to_string())).expect("fetched");
    assert_eq!(fetched.iter().map(|f| f.version.as_str()).collect::<Vec<_>>(), ["6.40.0", "1.36.0"], "the newest of each major, not latest 7");
    assert!(lines.iter().any(|l| l.contains("@clerk/clerk-js@6.40.0") && l.contains("integrity ok")), "{lines:?}");
    assert!(!cache.join("@clerk/clerk-js/README.md").exists(), "only package.json and dist/ are kept");
    let bundles = Bundles::locate(&search_path(None, Some(&temp_dir("bundles-empty-app")), Some(&cache)));
    assert_eq!(body(&bundles, "/npm/@clerk/clerk-js@6/dist/clerk.browser.js").as_deref(), Some("/* fetched clerk */"));
    assert_eq!(body(&bundles, "/npm/@clerk/clerk-js@6.40.0/dist/chunks/c_6.40.0.js").as_deref(), Some("/* chunk */"));
    assert_eq!(body(&bundles, "/npm/@clerk/ui@1/dist/ui.browser.js").as_deref(), Some("/* fetched ui */"));
}

#[test]
fn a_tarball_that_fails_its_integrity_is_refused_and_nothing_is_stored() {
    let base = clerk_registry(true);
    let cache = temp_dir("bundles-tampered");
    let wanted = [(Package::ClerkJs, "6"), (Package::ClerkUi, "1")];
    let error = fetch_into(&base, &wanted, &cache, &mut |_| {}).unwrap_err();
    assert!(error.contains("refusing @clerk/ui@1.36.0") && error.contains("integrity mismatch: expected sha512-"), "{error}");
    assert!(!cache.join("@clerk").exists(), "not even the good clerk-js is stored");
}

#[test]
fn an_unpublished_version_is_a_clear_error() {
    let base = clerk_registry(false);
    let error = fetch_into(&base, &[(Package::ClerkJs, "5")], &temp_dir("bundles-v5"), &mut |_| {}).unwrap_err();
    assert!(error.contains("@clerk/clerk-js") && error.contains("latest is 7.0.0"), "{error}");
}

#[test]
fn the_bundles_fetch_command_fills_the_per_user_cache() {
    let base = clerk_registry(false);
    let home = temp_dir("bundles-home");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-mock"))
        .args(["bundles", "fetch", "--registry", &base, "--clerk-js", "6.40.0"])
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("xdg"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let cache = home.join("xdg/clerk-mock/bundles");
    assert!(stdout.contains(&format!("@clerk/clerk-js@6.40.0 {}", cache.join("@clerk/clerk-js").display())), "{stdout}");
    assert!(stdout.contains("@clerk/ui@1.36.0"), "{stdout}");
    assert_eq!(Bundles::locate(&[cache]).versions().clerk_js.as_deref(), Some("6.40.0"));
}
