//! The binary as a user runs it: the URL as the first stdout line, clear
//! start-up errors, graceful shutdown, and `spec fetch` (against a local HTTP
//! server, never the internet).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_clerk-mock"))
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clerk-mock-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_first_stdout_line_is_the_url_and_sigterm_shuts_down_gracefully() {
    let mut child = bin()
        .args(["--port", "0", "--log-level", "warn", "--no-fixtures", "--spec"])
        .arg(fixture("mini-v1.yaml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port = url.rsplit(':').next().unwrap();
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    stream.write_all(b"GET /v1/public/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    unsafe { libc_kill(child.id() as i32, 15) };
    let status = child.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status:?}");
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn a_missing_spec_stops_start_up_naming_the_file_and_how_to_get_a_spec() {
    let out = bin().args(["--port", "0", "--spec", "/nonexistent/bapi.json"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/bapi.json") && err.contains("spec fetch"), "{err}");
}

#[test]
fn a_broken_spec_stops_start_up_naming_the_file_and_the_problem() {
    let dir = temp_dir("broken");
    let file = dir.join("broken.yaml");
    std::fs::write(&file, "openapi: 3.0.3\ninfo: {title: t, version: banana}\npaths: {}\n").unwrap();
    let out = bin().args(["--port", "0", "--spec"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml") && err.contains("banana"), "{err}");
}

/// Serves `body` with `status` to every request, for `count` requests.
fn one_shot_server(status: &'static str, body: Vec<u8>, count: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut paths = Vec::new();
        for stream in listener.incoming().take(count) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            paths.push(request_line.split_whitespace().nth(1).unwrap_or("").to_string());
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body).unwrap();
        }
        paths
    });
    (base, handle)
}

#[test]
fn spec_fetch_downloads_the_yaml_of_a_version_into_the_cache_dir() {
    let yaml = std::fs::read(fixture("mini-v1.yaml")).unwrap();
    let (base, server) = one_shot_server("200 OK", yaml, 1);
    let dir = temp_dir("fetch");
    let out = bin().args(["spec", "fetch", "--api-version", "2021-02-05", "--from", &base, "--dir"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(server.join().unwrap(), vec!["/bapi/2021-02-05.yml".to_string()]);
    let stored = dir.join("bapi-2021-02-05.yml");
    assert!(stored.is_file());
    // The stored spec serves.
    assert!(clerk_mock::spec::Spec::load(&stored).is_ok());
}

#[test]
fn spec_fetch_of_an_unknown_version_fails_and_writes_nothing() {
    let (base, server) = one_shot_server("404 Not Found", b"404: Not Found".to_vec(), 1);
    let dir = temp_dir("fetch404");
    let out = bin().args(["spec", "fetch", "--api-version", "1999-01-01", "--from", &base, "--dir"]).arg(&dir).output().unwrap();
    server.join().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 404"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn spec_fetch_refuses_a_download_that_is_not_a_spec() {
    let (base, server) = one_shot_server("200 OK", b"<html>rate limited</html>".to_vec(), 1);
    let dir = temp_dir("fetchbad");
    let out = bin().args(["spec", "fetch", "--api-version", "2025-11-10", "--from", &base, "--dir"]).arg(&dir).output().unwrap();
    server.join().unwrap();
    assert!(!out.status.success());
    assert!(!dir.join("bapi-2025-11-10.yml").exists());
}

#[test]
fn the_server_reads_specs_from_the_cache_dir_when_none_is_named() {
    let cache = temp_dir("xdg");
    let specs = cache.join("clerk-mock/specs");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::copy(fixture("mini-v1.yaml"), specs.join("bapi-v1.yaml")).unwrap();
    let out = bin()
        .args(["coverage"])
        .env("XDG_CACHE_HOME", &cache)
        .env_remove("CLERK_MOCK_SPEC")
        .env_remove("CLERK_MOCK_SPEC_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ListWidgets"));
}
