//! # clerk-mock
//!
//! A local, stateful fake of the Clerk Backend API. It loads Clerk's official
//! OpenAPI specs at run time, routes and validates every operation of every
//! loaded API version, keeps state per secret key, and answers in the shapes
//! the picked version declares.
//!
//! For in-process Rust tests:
//!
//! ```no_run
//! # async fn f() {
//! use clerk_mock::{config::ServeArgs, server::MockServer};
//! let mut args = ServeArgs::default();
//! args.spec.spec_dir = Some("../shared/clerk-openapi".into());
//! let server = MockServer::start(args).await.unwrap();
//! // point an SDK at server.url()
//! server.shutdown().await;
//! # }
//! ```

pub mod admin;
pub mod app;
pub mod config;
pub mod coverage;
pub mod error;
pub mod fetch;
pub mod fixtures;
pub mod handler;
pub mod journal;
pub mod persist;
pub mod pipeline;
pub mod registry;
pub mod render;
pub mod resources;
pub mod scenario;
pub mod server;
pub mod spec;
pub mod state;
pub mod tokens;
pub mod webhooks;
