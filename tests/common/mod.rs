//! Test support: an in-process server on port 0 with `--validate-responses`
//! on, and a small blocking HTTP client that speaks to it like an SDK would.
#![allow(dead_code)]

pub mod sweep;

use std::path::PathBuf;
use std::sync::mpsc;

use clerk_mock::config::ServeArgs;
use clerk_mock::server::MockServer;
use serde_json::Value;

/// The official specs beside the checkout (never copied into the project).
pub fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/clerk-openapi")
}

/// A running mock; stops when dropped.
pub struct TestServer {
    pub url: String,
    /// The Frontend API listener (`http://localhost:PORT`), when it listens.
    pub frontend_url: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// All three specs, response validation on, seed 1.
    pub fn start() -> TestServer {
        Self::start_with(|_| {})
    }

    pub fn start_with(configure: impl FnOnce(&mut ServeArgs)) -> TestServer {
        Self::try_start_with(configure).expect("the mock starts")
    }

    /// Serves on a runtime of its own thread until dropped.
    fn launch<F, Fut>(start: F) -> Result<TestServer, String>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<MockServer, Box<dyn std::error::Error + Send + Sync>>>,
    {
        let (url_tx, url_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                match start().await {
                    Ok(server) => {
                        url_tx.send(Ok((server.url(), server.frontend_url()))).unwrap();
                        let _ = stop_rx.await;
                        server.shutdown().await;
                    }
                    Err(e) => url_tx.send(Err(e.to_string())).unwrap(),
                }
            });
        });
        match url_rx.recv().unwrap() {
            Ok((url, frontend_url)) => Ok(TestServer { url, frontend_url, stop: Some(stop_tx), thread: Some(thread) }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }

    /// A client with its own secret key: its own isolated instance.
    pub fn client(&self) -> Client {
        Client::new(&self.url, &fresh_key())
    }

    pub fn client_with_key(&self, key: &str) -> Client {
        Client::new(&self.url, key)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A unique `sk_test_…` key.
pub fn fresh_key() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("sk_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// An answer: status, JSON body (Null when not JSON), headers.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first error code of a Clerk error envelope.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }

    pub fn codes(&self) -> Vec<String> {
        self.body["errors"].as_array().map(|a| a.iter().map(|e| e["code"].as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
    }

    pub fn param(&self) -> &str {
        self.body["errors"][0]["meta"]["param_name"].as_str().unwrap_or("")
    }
}

/// A blocking client with a secret key and an optional `Clerk-API-Version`.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub key: Option<String>,
    pub version: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str, key: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Client { base: base.to_string(), key: Some(key.to_string()), version: Some("2025-11-10".into()), agent }
    }

    pub fn with_version(mut self, version: Option<&str>) -> Client {
        self.version = version.map(str::to_string);
        self
    }

    /// A client that reports redirects instead of following them (a
    /// browser's `fetch` with `redirect: manual`, or a test of a `Location`).
    pub fn without_redirects(mut self) -> Client {
        self.agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        self
    }

    pub fn without_key(mut self) -> Client {
        self.key = None;
        self
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None, None)
    }
    pub fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None, None)
    }
    pub fn post(&self, path: &str, body: Value) -> Resp {
        self.send("POST", path, Some(("application/json", serde_json::to_vec(&body).unwrap())), None)
    }
    pub fn patch(&self, path: &str, body: Value) -> Resp {
        self.send("PATCH", path, Some(("application/json", serde_json::to_vec(&body).unwrap())), None)
    }
    pub fn put(&self, path: &str, body: Value) -> Resp {
        self.send("PUT", path, Some(("application/json", serde_json::to_vec(&body).unwrap())), None)
    }

    /// Any request: method, path (with query), optional (content type, bytes), extra headers.
    pub fn send(&self, method: &str, path: &str, body: Option<(&str, Vec<u8>)>, extra: Option<&[(&str, &str)]>) -> Resp {
        let url = format!("{}{}", self.base, path);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(k) = &self.key {
            builder = builder.header("Authorization", format!("Bearer {k}"));
        }
        if let Some(v) = &self.version {
            builder = builder.header("Clerk-API-Version", v.as_str());
        }
        for (k, v) in extra.unwrap_or(&[]) {
            builder = builder.header(*k, *v);
        }
        let bytes = match body {
            Some((ct, bytes)) => {
                builder = builder.header("Content-Type", ct);
                bytes
            }
            None => Vec::new(),
        };
        let request = builder.body(bytes).unwrap();
        let mut response = self.agent.run(request).expect("the mock answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, body, text, headers }
    }
}

/// The project's own two-version test spec (tests/fixtures), not Clerk's.
pub fn mini_specs() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    vec![dir.join("mini-v1.yaml"), dir.join("mini-2025-01-01.json")]
}

impl TestServer {
    /// Serves an application built by the test (e.g. with its own handlers).
    pub fn start_app(app: std::sync::Arc<clerk_mock::app::App>) -> TestServer {
        Self::launch(move || MockServer::start_with(app)).expect("the mock starts")
    }

}

impl TestServer {
    /// Like [`TestServer::start_with`], but a start-up failure (a bad
    /// fixture, a corrupt data directory) comes back as its message.
    pub fn try_start_with(configure: impl FnOnce(&mut ServeArgs)) -> Result<TestServer, String> {
        let mut args = ServeArgs::default();
        args.spec.spec_dir = Some(spec_dir());
        args.validate_responses = true;
        args.seed = 1;
        args.log_level = "warn".into();
        configure(&mut args);
        if args.spec.specs.is_empty() && args.spec.spec_dir.as_deref() == Some(spec_dir().as_path()) {
            // Clerk's seven documents, parsed once per test binary rather than per server.
            let app = clerk_mock::app::App::with_loaded_specs(args, official_specs().to_vec())
                .and_then(|app| app.with_frontend_specs(official_frontend_specs().to_vec()))
                .map_err(|e| e.to_string())?;
            app.prepare()?;
            return Ok(Self::start_app(std::sync::Arc::new(app)));
        }
        Self::launch(move || MockServer::start(args))
    }
}

/// Every Backend API document of [`spec_dir`], loaded on first use and
/// shared by the servers of this test binary (specs are immutable; state
/// lives in each server's instances).
pub fn official_specs() -> &'static [std::sync::Arc<clerk_mock::openapi::Spec>] {
    static SPECS: std::sync::OnceLock<Vec<std::sync::Arc<clerk_mock::openapi::Spec>>> = std::sync::OnceLock::new();
    SPECS.get_or_init(|| {
        let files = clerk_mock::openapi::load::discover(&[], Some(&spec_dir())).expect("Clerk's specs beside the checkout");
        clerk_mock::openapi::SpecSet::load(&files, None).expect("Clerk's specs load").specs
    })
}

/// Both Frontend API documents of [`spec_dir`] (`fapi/`), dated by file
/// name, loaded on first use and shared like [`official_specs`].
pub fn official_frontend_specs() -> &'static [std::sync::Arc<clerk_mock::openapi::Spec>] {
    static SPECS: std::sync::OnceLock<Vec<std::sync::Arc<clerk_mock::openapi::Spec>>> = std::sync::OnceLock::new();
    SPECS.get_or_init(|| {
        let files = clerk_mock::openapi::load::discover_frontend(&[], Some(&spec_dir()), false).expect("the fapi/ folder beside the checkout");
        clerk_mock::openapi::SpecSet::load_files(&files, clerk_mock::openapi::load::version_in_file_name).expect("Clerk's FAPI specs load")
    })
}

/// Writes raw bytes to the server and reads until it closes the connection
/// (or `timeout` passes): what a client sees on the wire.
pub fn raw_exchange(url: &str, request: &[u8], timeout: std::time::Duration) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(request)?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

/// A unique temporary directory (removed first if it exists).
pub fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("clerk-mock-{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl TestServer {
    /// A client of the Frontend API listener as clerk-js is one: no secret
    /// key and no `Clerk-API-Version` (the version is a query parameter).
    pub fn frontend(&self) -> Client {
        let url = self.frontend_url.as_deref().expect("the Frontend API listens");
        Client::new(url, "").without_key().with_version(None).without_redirects()
    }
}

impl Client {
    /// A form POST as clerk-js sends it (`application/x-www-form-urlencoded`).
    pub fn form(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("POST", path, Some(("application/x-www-form-urlencoded", form.as_bytes().to_vec())), Some(headers))
    }
}
