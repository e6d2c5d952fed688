//! # clerk-mock
//!
//! A local, stateful fake of the Clerk Backend API. It loads Clerk's official
//! OpenAPI specs at run time, routes and validates every operation of every
//! loaded API version, keeps state per secret key, and answers in the shapes
//! the picked version declares.
//!
//! ## In-process, for Rust test suites
//!
//! [`server::MockServer::start`] serves on a port of its own (port 0 picks a
//! free one) inside your test process: no binary to build or spawn, no Docker.
//! Point your Clerk client's API URL at [`server::MockServer::url`]. Each
//! secret key is its own isolated instance, so tests that run in parallel use
//! one server with a key each; `POST /__admin/reset` with a key puts that
//! instance back to its fixtures (with [`config::ServeArgs::default`]: empty).
//!
//! ```
//! use clerk_mock::{config::ServeArgs, server::MockServer};
//!
//! // The server answers on this runtime's worker threads while the test below
//! // makes blocking calls (an async test would `.await` instead).
//! let runtime = tokio::runtime::Runtime::new().unwrap();
//! let mut args = ServeArgs::default(); // 127.0.0.1, port 0, no fixtures
//! args.spec.spec_dir = Some("../shared/clerk-openapi".into()); // Clerk's specs, never bundled
//! let server = runtime.block_on(MockServer::start(args)).unwrap();
//! let url = server.url(); // http://127.0.0.1:PORT: an SDK's apiUrl / server_url
//!
//! let http: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
//! let call = |method: &str, path: &str, key: &str, body: &str| -> serde_json::Value {
//!     let request = ureq::http::Request::builder()
//!         .method(method)
//!         .uri(format!("{url}{path}"))
//!         .header("Authorization", format!("Bearer {key}"))
//!         .header("Content-Type", "application/json")
//!         .body(body.to_string())
//!         .unwrap();
//!     let text = http.run(request).unwrap().body_mut().read_to_string().unwrap();
//!     serde_json::from_str(&text).unwrap()
//! };
//! let users = |key: &str| call("GET", "/v1/users/count", key, "")["total_count"].as_u64().unwrap();
//!
//! // One key per test: what one test creates, another never sees.
//! call("POST", "/v1/users", "sk_test_first_test", r#"{"email_address": ["ada@example.com"]}"#);
//! assert_eq!(users("sk_test_first_test"), 1);
//! assert_eq!(users("sk_test_second_test"), 0);
//!
//! // Reset between tests: the key's instance is back to its fixtures.
//! call("POST", "/__admin/reset", "sk_test_first_test", "");
//! assert_eq!(users("sk_test_first_test"), 0);
//!
//! runtime.block_on(server.shutdown());
//! ```

pub mod admin;
pub mod app;
pub mod bundles;
pub mod config;
pub mod coverage;
pub mod error;
pub mod fetch;
pub mod fixtures;
pub mod handler;
pub mod healthcheck;
pub mod journal;
pub mod persist;
pub mod pipeline;
pub mod wire;
pub mod registry;
pub mod render;
pub mod resources;
pub mod scenario;
pub mod server;
pub mod openapi;
pub mod state;
pub mod tokens;
pub mod version;
pub mod webhooks;
