//! The dashboard in a real browser: Debian's Chromium, driven by
//! `tests/browser/dashboard.mjs` (playwright-core, pinned in
//! tests/browser/package-lock.json) against an in-process mock behind
//! `--admin-token`. The checks: the page loads with no console errors; a user
//! created through BAPI appears without a reload; switching a scenario on in
//! the page makes the next API call fail as the scenario says; the journal
//! shows a rejected request with its reason; reset empties the instance.
//! Screenshots go to `target/artifacts/dashboard/`.
//!
//! Needs `scripts/install-browser.sh` (chromium + `npm ci` in tests/browser).
//! Without them the test prints a skip notice, unless
//! `CLERK_MOCK_REQUIRE_BROWSER=1` is set (as CI does): then it fails.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestServer;

const TIMEOUT: Duration = Duration::from_secs(240);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> PathBuf {
    std::env::var_os("CLERK_MOCK_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let module = repo_root().join("tests/browser/node_modules/playwright-core/package.json");
    if !chromium().is_file() {
        return Some(format!("{} not found", chromium().display()));
    }
    if !module.is_file() {
        return Some(format!("{} not found", module.display()));
    }
    match Command::new("node").arg("--version").stdout(Stdio::null()).status() {
        Ok(s) if s.success() => None,
        _ => Some("`node` is not on PATH".into()),
    }
}

/// Kills the node process (and with it the browser it launched) when the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

#[test]
fn the_dashboard_passes_its_checks_in_a_real_browser() {
    if let Some(why) = missing() {
        if std::env::var("CLERK_MOCK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("the browser test cannot run ({why}); run scripts/install-browser.sh (CLERK_MOCK_REQUIRE_BROWSER=1 is set)");
        }
        eprintln!("SKIPPED: the dashboard browser test needs Chromium and playwright-core ({why}); run scripts/install-browser.sh");
        return;
    }
    let token = "dashboard-test-token";
    let server = TestServer::start_with(|a| {
        a.no_fixtures = true;
        a.admin_token = Some(token.into());
    });
    // Chromium treats localhost as a secure context (clipboard, etc.); 127.0.0.1 is the bound address.
    let url = server.url.replace("127.0.0.1", "localhost");
    let artifacts = repo_root().join("target/artifacts/dashboard");
    let mut child = Command::new("node")
        .arg(repo_root().join("tests/browser/dashboard.mjs"))
        .current_dir(repo_root().join("tests/browser"))
        .env("CLERK_MOCK_URL", &url)
        .env("CLERK_MOCK_ADMIN_TOKEN", token)
        .env("CLERK_MOCK_ARTIFACTS", &artifacts)
        .env("CLERK_MOCK_CHROMIUM", chromium())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node tests/browser/dashboard.mjs");
    let stdout = child.stdout.take().expect("node stdout");
    let mut node = KillOnDrop(child);
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("[dashboard] {line}");
            lines.push(line);
        }
        lines
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.0.try_wait().expect("wait for node") {
            break status;
        }
        assert!(started.elapsed() < TIMEOUT, "the browser checks did not finish within {TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let lines = reader.join().expect("stdout reader");
    let failures: Vec<&String> = lines.iter().filter(|l| l.starts_with("FAIL") || l.contains("checks failed")).collect();
    assert!(status.success() && failures.is_empty(), "browser checks failed ({status}): {failures:?}; screenshots in {}", artifacts.display());
    let passed = lines.iter().filter(|l| l.starts_with("ok ")).count();
    assert!(passed >= 5, "only {passed} checks ran: {lines:?}");
    for shot in ["1-users.png", "2-scenarios.png", "3-requests.png", "4-reset.png"] {
        assert!(artifacts.join(shot).is_file(), "screenshot {shot} missing");
    }
}
