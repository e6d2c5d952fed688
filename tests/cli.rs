//! The binary as a user runs it: the URL as the first stdout line, clear
//! start-up errors, graceful shutdown, `spec fetch` and the first start's
//! fetch of the default specs (against a local HTTP server, never the
//! internet), `--version` and `health`.

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
    let yaml = String::from_utf8(yaml).unwrap().replace("version: v1", "version: 2021-02-05").into_bytes();
    let (base, server) = one_shot_server("200 OK", yaml, 1);
    let dir = temp_dir("fetch");
    let out = bin().args(["spec", "fetch", "--api-version", "2021-02-05", "--from", &base, "--dir"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(server.join().unwrap(), vec!["/bapi/2021-02-05.yml".to_string()]);
    let stored = dir.join("bapi/2021-02-05.yml");
    assert!(stored.is_file());
    // The stored spec serves.
    assert!(clerk_mock::openapi::Spec::load(&stored).is_ok());
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
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing is stored");
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

const DEFAULT_VERSIONS: [&str; 6] = ["2021-02-05", "2024-10-01", "2025-03-12", "2025-04-10", "2025-11-10", "2026-05-12"];
/// The two Frontend API documents, fetched after the six Backend API versions.
const FAPI_PATHS: [&str; 2] = ["/fapi/2025-11-10.yml", "/fapi/2026-05-12.yml"];
/// The webhook event catalogue, fetched last.
const WEBHOOKS_PATH: &str = "/webhooks/2025-04-15.yml";
/// What the stand-in repository serves as a Frontend API document: one operation.
const MINI_FAPI: &str = "openapi: 3.0.3\ninfo: {title: Clerk Frontend API, version: v1}\npaths:\n  /v1/client:\n    get:\n      operationId: getClient\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {type: object}}}}\n";

/// Clerk's specs beside the checkout (the catalogue the stand-in repository serves).
fn common_spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/clerk-openapi")
}

/// A local stand-in for Clerk's openapi-specs repository: `/bapi/<version>.yml`
/// is the mini test spec declaring that version, unless `broken` names the
/// version (then its answer is `broken`'s status and body). Records the paths.
struct SpecRepo {
    base: String,
    paths: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SpecRepo {
    fn start(broken: Option<(&'static str, &'static str, &'static str)>) -> SpecRepo {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let paths = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = paths.clone();
        let mini = std::fs::read_to_string(fixture("mini-v1.yaml")).unwrap();
        let catalogue = std::fs::read_to_string(common_spec_dir().join("webhooks/webhooks-2025-04-15.json")).unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
                        break;
                    }
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
                seen.lock().unwrap().push(path.clone());
                let version = path.strip_prefix("/bapi/").and_then(|p| p.strip_suffix(".yml")).unwrap_or("");
                let (status, body) = match broken {
                    Some((v, status, body)) if v == version => (status, body.to_string()),
                    _ if path == WEBHOOKS_PATH => ("200 OK", catalogue.clone()),
                    _ if FAPI_PATHS.contains(&path.as_str()) => ("200 OK", MINI_FAPI.to_string()),
                    _ if DEFAULT_VERSIONS.contains(&version) => ("200 OK", mini.replace("version: v1", &format!("version: {version}"))),
                    _ => ("404 Not Found", "404: Not Found".to_string()),
                };
                let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            }
        });
        SpecRepo { base, paths }
    }

    fn requested(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }
}

/// The binary with no spec named anywhere and an empty cache of its own.
fn fresh_install(tag: &str) -> (Command, PathBuf) {
    let home = temp_dir(tag);
    let mut cmd = bin();
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", &home)
        .env_remove("CLERK_MOCK_SPEC")
        .env_remove("CLERK_MOCK_SPEC_DIR")
        .env_remove("CLERK_MOCK_SPEC_SOURCE")
        .env_remove("CLERK_MOCK_OFFLINE");
    (cmd, home.join("cache/clerk-mock/specs"))
}

/// Starts the server, returns its URL (first stdout line), the child and what it wrote to stderr before that.
fn start_serving(mut cmd: Command) -> Result<(String, std::process::Child), String> {
    let mut child = cmd
        .args(["--port", "0", "--no-fixtures", "--log-level", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    if first.trim().is_empty() {
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let _ = child.wait();
        return Err(err);
    }
    Ok((first.trim().to_string(), child))
}

fn stop(mut child: std::process::Child) -> String {
    unsafe { libc_kill(child.id() as i32, 15) };
    child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    err
}

fn http_get(url: &str, path: &str) -> String {
    let port = url.rsplit(':').next().unwrap();
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn a_first_start_without_specs_fetches_the_default_set_into_the_cache_and_serves() {
    let repo = SpecRepo::start(None);
    let (mut cmd, cache) = fresh_install("first");
    cmd.args(["--spec-source", &repo.base]);
    let (url, child) = start_serving(cmd).unwrap();
    let health = http_get(&url, "/__admin/health");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"2026-05-12\"") && health.contains("bapi/2021-02-05.yml"), "{health}");
    let stderr = stop(child);
    let mut expected: Vec<String> = DEFAULT_VERSIONS.iter().map(|v| format!("/bapi/{v}.yml")).collect();
    expected.extend(FAPI_PATHS.iter().map(|p| p.to_string()));
    expected.push(WEBHOOKS_PATH.to_string());
    assert_eq!(repo.requested(), expected);
    for v in DEFAULT_VERSIONS {
        assert!(cache.join(format!("bapi/{v}.yml")).is_file(), "{v} is cached");
    }
    assert!(cache.join("webhooks/2025-04-15.yml").is_file(), "the webhook catalogue is cached");
    assert!(cache.join("fapi/2026-05-12.yml").is_file(), "the Frontend API documents are cached");
    assert!(health.contains("\"frontend_specs\":[{"), "the cached Frontend API documents are served: {health}");
    assert!(health.contains("\"enabled\":true"), "webhooks are on from the cached catalogue: {health}");
    let progress: Vec<&str> = stderr.lines().filter(|l| l.starts_with("clerk-mock: fetched ")).collect();
    assert_eq!(progress.len(), 9, "one progress line per file:\n{stderr}");
}

#[test]
fn a_second_start_uses_the_cache_without_any_network() {
    let repo = SpecRepo::start(None);
    let (mut first, cache) = fresh_install("second");
    first.args(["--spec-source", &repo.base]);
    let (_, child) = start_serving(first).unwrap();
    stop(child);
    assert_eq!(repo.requested().len(), 9);
    // The same install again, its source now a port nobody listens on.
    let home = cache.parent().unwrap().parent().unwrap().parent().unwrap().to_path_buf();
    let mut second = bin();
    second
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", &home)
        .env_remove("CLERK_MOCK_SPEC")
        .env_remove("CLERK_MOCK_SPEC_DIR")
        .args(["--spec-source", &closed_port_url()]);
    let (url, child) = start_serving(second).expect("serves from the cache");
    assert!(http_get(&url, "/v1/public/ping").starts_with("HTTP/1.1 200"));
    let stderr = stop(child);
    assert!(!stderr.contains("fetch"), "no fetch on the second start:\n{stderr}");
    assert_eq!(repo.requested().len(), 9, "the repository saw no second round");
}

/// A URL on a loopback port that refuses connections: "no network".
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// A first start that cannot fetch: exit 2, no URL, one message saying where it looked and how to provide specs.
fn assert_first_start_fails(cmd: Command, cache: &std::path::Path, because: &str) -> String {
    let err = start_serving(cmd).err().expect("start-up fails");
    // Progress lines, then the message (a parser's error may add a snippet below it).
    assert_eq!(err.matches("clerk-mock: no Clerk OpenAPI spec found").count(), 1, "one message:\n{err}");
    let message = &err[err.find("clerk-mock: no Clerk OpenAPI spec found").unwrap()..];
    assert!(message.lines().skip(1).all(|l| !l.starts_with("clerk-mock:")), "nothing after the message:\n{err}");
    assert!(message.contains(because), "{message}");
    assert!(message.contains(&cache.display().to_string()), "says where it looked: {message}");
    assert!(message.contains("spec fetch") && message.contains("--spec-dir"), "says how to provide specs: {message}");
    assert!(!cache.join("bapi").exists(), "nothing half-fetched is left in the cache");
    message.to_string()
}

#[test]
fn a_first_start_whose_versions_are_not_published_fails_with_one_message() {
    let repo = SpecRepo::start(Some(("2025-04-10", "404 Not Found", "404: Not Found")));
    let (mut cmd, cache) = fresh_install("first404");
    cmd.args(["--spec-source", &repo.base]);
    assert_first_start_fails(cmd, &cache, "HTTP 404");
}

#[test]
fn a_first_start_that_downloads_a_broken_file_stores_nothing_and_fails() {
    let repo = SpecRepo::start(Some(("2026-05-12", "200 OK", "openapi: 3.0.3\ninfo: {title: t, version: 2026-05-12}\npaths: [unclosed")));
    let (mut cmd, cache) = fresh_install("firstbroken");
    cmd.args(["--spec-source", &repo.base]);
    let message = assert_first_start_fails(cmd, &cache, "not a usable spec");
    assert!(message.contains("/bapi/2026-05-12.yml"), "{message}");
}

#[test]
fn a_first_start_without_network_fails_with_one_message() {
    let (mut cmd, cache) = fresh_install("firstoffline-net");
    cmd.env("CLERK_MOCK_SPEC_SOURCE", closed_port_url());
    assert_first_start_fails(cmd, &cache, "cannot download");
}

#[test]
fn offline_never_fetches_and_says_where_it_looked() {
    let repo = SpecRepo::start(None);
    let (mut cmd, cache) = fresh_install("offline");
    cmd.args(["--offline", "--spec-source", &repo.base]);
    assert_first_start_fails(cmd, &cache, "--offline");
    assert!(repo.requested().is_empty(), "no request was made");
}

#[test]
fn version_prints_the_program_version_and_each_spec_it_would_load() {
    let out = bin().args(["--version", "--spec"]).arg(fixture("mini-v1.yaml")).arg("--spec").arg(fixture("mini-2025-01-01.json")).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("clerk-mock {}", env!("CARGO_PKG_VERSION")));
    assert!(lines[1].contains("v1") && lines[1].ends_with("mini-v1.yaml"), "{text}");
    assert!(lines[2].contains("2025-01-01") && lines[2].ends_with("mini-2025-01-01.json"), "{text}");
}

#[test]
fn version_without_specs_says_none_were_found_and_where_it_looked() {
    let (mut cmd, cache) = fresh_install("version-none");
    let out = cmd.arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no specs found") && text.contains(&cache.display().to_string()), "{text}");
    assert!(!cache.exists(), "--version never fetches");
}

#[test]
fn health_exits_0_for_a_serving_mock_and_1_when_nothing_answers() {
    let mut cmd = bin();
    cmd.arg("--spec").arg(fixture("mini-v1.yaml"));
    let (url, child) = start_serving(cmd).unwrap();
    let port = url.rsplit(':').next().unwrap().to_string();
    let ok = bin().args(["health", "--port", &port]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let by_env = bin().arg("health").env("CLERK_MOCK_PORT", &port).output().unwrap();
    assert!(by_env.status.success(), "CLERK_MOCK_PORT picks the port");
    stop(child);
    let down = bin().args(["health", "--port", &port]).output().unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).contains("/__admin/health"));
}
