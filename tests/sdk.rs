//! Runs Clerk's official backend SDKs (npm `@clerk/backend` and `@clerk/clerk-sdk-node` 5.x,
//! PyPI `clerk-backend-api`) unchanged against a freshly started clerk-mock, through the flow
//! scripts in tests/sdk/.
//!
//! The SDKs are installed by `scripts/install-sdks.sh`. Without them these tests print a
//! skip notice, unless `CLERK_MOCK_REQUIRE_SDKS=1` is set (as CI does): then they fail.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
const FLOW_TIMEOUT: Duration = Duration::from_secs(300);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec_dir() -> PathBuf {
    std::env::var_os("CLERK_MOCK_SPEC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/clerk-openapi"))
}

/// Kills the child process when dropped, also when the test panics.
struct KillOnDrop {
    child: Child,
    what: &'static str,
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        eprintln!("[sdk test] stopped {}", self.what);
    }
}

/// A running clerk-mock; stopped when dropped.
struct Server {
    url: String,
    _process: KillOnDrop,
}

fn start_server() -> Server {
    start_server_with(&[])
}

/// [`start_server`] with extra `serve` flags.
fn start_server_with(extra: &[&str]) -> Server {
    let spec_dir = spec_dir();
    assert!(
        spec_dir.is_dir(),
        "spec dir {} not found (shared/ must sit beside the checkout, or set CLERK_MOCK_SPEC_DIR)",
        spec_dir.display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_clerk-mock"))
        .arg("serve")
        .args(["--port", "0"])
        .arg("--spec-dir")
        .arg(&spec_dir)
        .arg("--validate-responses")
        // The flows count users from an empty instance; fixtures are tested elsewhere.
        .arg("--no-fixtures")
        // Webhook flows wait for every retry; Svix's schedule in milliseconds.
        .args(["--webhook-retry-scale", "0.001"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn clerk-mock");
    let stdout = child.stdout.take().expect("server stdout");
    let guard = KillOnDrop { child, what: "clerk-mock" };

    // First stdout line is the URL; keep draining the rest so the server never blocks on a full pipe.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next();
        let _ = tx.send(first);
        for line in lines.map_while(Result::ok) {
            println!("[clerk-mock] {line}");
        }
    });
    let first = match rx.recv_timeout(STARTUP_TIMEOUT) {
        Ok(Some(Ok(line))) => line,
        Ok(Some(Err(e))) => panic!("reading clerk-mock's stdout failed: {e}"),
        Ok(None) => panic!("clerk-mock exited before printing its URL"),
        Err(_) => panic!("clerk-mock printed no URL within {STARTUP_TIMEOUT:?}"),
    };
    let url = first.trim().to_string();
    assert!(url.starts_with("http://"), "clerk-mock's first stdout line is not a URL: {first:?}");
    eprintln!("[sdk test] clerk-mock listening on {url}");
    Server { url, _process: guard }
}

/// Whether the SDK is installed; when it is not, fails under CLERK_MOCK_REQUIRE_SDKS=1
/// and otherwise prints a skip notice. Returns true when the test should run.
fn sdk_available(name: &str, missing: Option<String>) -> bool {
    let Some(why) = missing else { return true };
    let required = std::env::var("CLERK_MOCK_REQUIRE_SDKS").is_ok_and(|v| v == "1");
    if required {
        panic!("{name} is not installed ({why}); run scripts/install-sdks.sh (CLERK_MOCK_REQUIRE_SDKS=1 is set)");
    }
    eprintln!("SKIPPED: {name} is not installed ({why}); run scripts/install-sdks.sh to enable this test");
    false
}

/// Runs `program args.. URL`, streaming its output, and asserts it exits 0 within FLOW_TIMEOUT.
fn run_flow(label: &str, program: &Path, script: &Path, url: &str) {
    let mut child = Command::new(program)
        .arg(script)
        .arg(url)
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {} {}: {e}", program.display(), script.display()));
    let stdout = child.stdout.take().expect("flow stdout");
    let stderr = child.stderr.take().expect("flow stderr");
    let mut guard = KillOnDrop { child, what: "flow script" };

    let out_label = label.to_string();
    let out = thread::spawn(move || stream(stdout, &out_label));
    let err_label = format!("{label} stderr");
    let err = thread::spawn(move || stream(stderr, &err_label));

    let start = Instant::now();
    let status = loop {
        if let Some(status) = guard.child.try_wait().expect("wait for flow script") {
            break status;
        }
        if start.elapsed() > FLOW_TIMEOUT {
            let _ = guard.child.kill();
            panic!("{label} flow did not finish within {FLOW_TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    let summary = out.join().expect("stdout reader");
    let _ = err.join();
    assert!(
        status.success(),
        "{label} flow failed ({status}); summary: {}; the FAIL lines above name the failing steps",
        summary.unwrap_or_else(|| "no summary line".into())
    );
}

/// Prints each line with a prefix; returns the last `N passed, M failed` line seen.
fn stream(r: impl Read, label: &str) -> Option<String> {
    let mut summary = None;
    for line in BufReader::new(r).lines().map_while(Result::ok) {
        if line.contains(" passed, ") && line.ends_with(" failed") {
            summary = Some(line.clone());
        }
        println!("[{label}] {line}");
    }
    summary
}

fn node_sdk_missing() -> Option<String> {
    node_package_missing("@clerk/backend")
}

fn node_package_missing(package: &str) -> Option<String> {
    let pkg = repo_root().join("tests/sdk/node/node_modules").join(package).join("package.json");
    if !pkg.is_file() {
        return Some(format!("{} not found", pkg.display()));
    }
    match Command::new("node").arg("--version").stdout(Stdio::null()).status() {
        Ok(s) if s.success() => None,
        _ => Some("`node` is not on PATH".into()),
    }
}

fn python_sdk_missing(python: &Path) -> Option<String> {
    if !python.is_file() {
        return Some(format!("{} not found", python.display()));
    }
    match Command::new(python)
        .args(["-c", "import clerk_backend_api"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => None,
        _ => Some(format!("{} cannot import clerk_backend_api", python.display())),
    }
}

#[test]
fn official_node_sdk_users_flow_passes() {
    if !sdk_available("@clerk/backend (npm)", node_sdk_missing()) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/node/users_flow.mjs");
    run_flow("node sdk", Path::new("node"), &script, &server.url);
}

#[test]
fn official_python_sdk_users_flow_passes() {
    let python = repo_root().join(".sdk/venv/bin/python");
    if !sdk_available("clerk-backend-api (PyPI)", python_sdk_missing(&python)) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/python/users_flow.py");
    run_flow("python sdk", &python, &script, &server.url);
}

#[test]
fn official_node_sdk_verifies_the_mocks_session_tokens() {
    if !sdk_available("@clerk/backend (npm)", node_sdk_missing()) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/node/tokens_flow.mjs");
    run_flow("node sdk tokens", Path::new("node"), &script, &server.url);
}

#[test]
fn official_python_sdk_verifies_the_mocks_session_tokens() {
    let python = repo_root().join(".sdk/venv/bin/python");
    if !sdk_available("clerk-backend-api (PyPI)", python_sdk_missing(&python)) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/python/tokens_flow.py");
    run_flow("python sdk tokens", &python, &script, &server.url);
}

/// `@clerk/clerk-sdk-node` 5.x sends `Clerk-API-Version: 2025-04-10` (its `@clerk/backend`
/// 1.x) and needs that version's operations (`sessions.createSession`, `getToken`).
#[test]
fn official_clerk_sdk_node_5_flow_passes_on_the_2025_04_10_spec() {
    if !sdk_available("@clerk/clerk-sdk-node 5.x (npm)", node_package_missing("@clerk/clerk-sdk-node")) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/node/sdk_node_v5_flow.mjs");
    run_flow("node clerk-sdk-node 5", Path::new("node"), &script, &server.url);
}

#[test]
fn official_node_packages_verify_the_mocks_webhooks() {
    if !sdk_available("@clerk/backend + svix (npm)", node_sdk_missing().or_else(|| node_package_missing("svix"))) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/node/webhooks_flow.mjs");
    run_flow("node webhooks", Path::new("node"), &script, &server.url);
}

#[test]
fn official_python_svix_verifies_the_mocks_webhooks() {
    let python = repo_root().join(".sdk/venv/bin/python");
    if !sdk_available("clerk-backend-api + svix (PyPI)", python_sdk_missing(&python).or_else(|| python_module_missing(&python, "svix"))) {
        return;
    }
    let server = start_server();
    let script = repo_root().join("tests/sdk/python/webhooks_flow.py");
    run_flow("python webhooks", &python, &script, &server.url);
}

fn python_module_missing(python: &Path, module: &str) -> Option<String> {
    match Command::new(python).args(["-c", &format!("import {module}")]).stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => None,
        _ => Some(format!("{} cannot import {module}", python.display())),
    }
}

#[test]
fn official_node_sdk_authenticate_request_resolves_every_handshake_branch() {
    if !sdk_available("@clerk/backend (npm)", node_sdk_missing()) {
        return;
    }
    // Short browser tokens: the expired-token branch waits for one to expire.
    let server = start_server_with(&["--frontend-token-lifetime", "5"]);
    let script = repo_root().join("tests/sdk/node/handshake_flow.mjs");
    run_flow("node handshake", Path::new("node"), &script, &server.url);
}
