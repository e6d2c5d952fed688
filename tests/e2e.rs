//! The browser suite: Clerk's example apps (examples/nextjs, examples/express,
//! examples/react-vite) signed in to, offline, through the mock, in Debian's
//! Chromium. The suite itself is a plain Playwright project (tests/e2e/,
//! @playwright/test + @clerk/testing, unpatched) that starts the mock and the
//! apps as its web servers; this test runs it once and fails when it fails.
//! Screenshots of each step land in `target/artifacts/e2e/`.
//!
//! Needs `scripts/install-browser.sh` and `scripts/install-examples.sh`.
//! Without them the test prints a skip notice, unless
//! `CLERK_MOCK_REQUIRE_BROWSER=1` is set (as CI does): then it fails.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Why the suite cannot run here, if it cannot.
fn missing() -> Option<String> {
    let chromium = std::env::var_os("CLERK_MOCK_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    let needed = [
        chromium,
        repo_root().join("tests/e2e/node_modules/@playwright/test/cli.js"),
        repo_root().join("examples/nextjs/.next/BUILD_ID"),
        repo_root().join("examples/react-vite/dist/index.html"),
        repo_root().join("examples/express/node_modules/@clerk/express/package.json"),
    ];
    needed.iter().find(|p| !p.exists()).map(|p| format!("{} not found", p.display()))
}

/// The first of six consecutive ports that are free now.
fn free_port_base() -> u16 {
    for _ in 0..50 {
        let first = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        if first > 60000 {
            continue;
        }
        let all_free = (0..6).all(|i| TcpListener::bind(("127.0.0.1", first + i)).is_ok());
        if all_free {
            return first;
        }
    }
    panic!("no six consecutive free ports found");
}

#[test]
fn three_example_apps_sign_up_sign_in_and_sign_out_in_a_real_browser() {
    if let Some(why) = missing() {
        if std::env::var("CLERK_MOCK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("the browser suite cannot run ({why}); run scripts/install-browser.sh and scripts/install-examples.sh");
        }
        eprintln!("SKIPPED: the browser suite needs Chromium and the example apps ({why}); run scripts/install-examples.sh");
        return;
    }
    let status = Command::new("node")
        .arg("node_modules/@playwright/test/cli.js")
        .arg("test")
        .current_dir(repo_root().join("tests/e2e"))
        .env("CLERK_MOCK_BIN", env!("CARGO_BIN_EXE_clerk-mock"))
        .env("E2E_PORT_BASE", free_port_base().to_string())
        .env("E2E_ARTIFACTS", repo_root().join("target/artifacts/e2e"))
        .status()
        .expect("run node");
    assert!(status.success(), "the browser suite failed (screenshots and traces in target/artifacts/e2e/)");
}
