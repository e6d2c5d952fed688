//! The socket side: hyper's HTTP/1 server on tokio, one accept loop per API
//! surface (the Backend API on `--port`, the Frontend API on
//! `--frontend-port`, same host and same head/body limits), and graceful
//! shutdown on SIGINT/SIGTERM (or a test's shutdown handle).
//!
//! ```no_run
//! # async fn f() {
//! let server = clerk_mock::server::MockServer::start(clerk_mock::config::ServeArgs::default()).await.unwrap();
//! println!("{}", server.url());
//! server.shutdown().await;
//! # }
//! ```

mod boot;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::config::ServeArgs;
use crate::error::ApiError;
use crate::pipeline::{self, Surface};
use crate::wire::{Outcome, Request, Response};

/// A running server: the Backend API listener and, beside it, the
/// Frontend API listener.
pub struct MockServer {
    addr: SocketAddr,
    frontend_addr: Option<SocketAddr>,
    app: Arc<App>,
    stop: watch::Sender<bool>,
    done: Vec<tokio::task::JoinHandle<()>>,
}

impl MockServer {
    /// Loads the specs, binds, and serves in the background.
    pub async fn start(config: ServeArgs) -> Result<MockServer, Box<dyn std::error::Error + Send + Sync>> {
        let app = Arc::new(App::new(config)?);
        app.prepare()?;
        Self::start_with(app).await
    }

    /// Serves an already built application.
    pub async fn start_with(app: Arc<App>) -> Result<MockServer, Box<dyn std::error::Error + Send + Sync>> {
        let listener = TcpListener::bind((app.config.host.as_str(), app.config.port)).await?;
        let addr = listener.local_addr()?;
        let _ = app.webhooks.public_url.set(format!("http://{addr}"));
        let frontend = bind_frontend(&app.config, addr.port()).await?;
        let frontend_addr = frontend.as_ref().and_then(|l| l.local_addr().ok());
        if let Some(frontend_addr) = frontend_addr {
            let _ = app.frontend_url.set(format!("http://{}", url_host(&app.config.host, frontend_addr)));
        }
        let (stop, stopped) = watch::channel(false);
        let mut done = vec![tokio::spawn(accept_loop(listener, app.clone(), stopped.clone(), Surface::Backend))];
        if let Some(frontend) = frontend {
            done.push(tokio::spawn(accept_loop(frontend, app.clone(), stopped, Surface::Frontend)));
        }
        Ok(MockServer { addr, frontend_addr, app, stop, done })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Frontend API's URL (`http://localhost:PORT` when bound to
    /// loopback: browsers treat `localhost` and `127.0.0.1` as different
    /// sites), if it listens.
    pub fn frontend_url(&self) -> Option<String> {
        self.frontend_addr.map(|a| format!("http://{}", url_host(&self.app.config.host, a)))
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Stops accepting, lets in-flight requests finish, then saves every
    /// instance when `--data-dir` is set.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for listener in self.done {
            let _ = listener.await;
        }
        // Give pending webhook deliveries a last chance, then say what is lost.
        let grace = std::time::Duration::from_millis(self.app.config.webhooks.webhook_shutdown_grace_ms);
        if self.app.webhooks.deliveries.pending() > 0 && !self.app.webhooks.deliveries.flush(grace).await {
            let pending = self.app.webhooks.deliveries.pending_summary();
            tracing::warn!(pending = pending.len(), "shutting down with undelivered webhooks: {}", pending.join("; "));
        }
        if self.app.config.data_dir.is_some() {
            match crate::persist::save_all(&self.app.instances, self.app.config.data_dir.as_deref(), self.app.seed()) {
                Ok(saved) => tracing::info!(instances = saved.len(), "state saved"),
                Err(e) => tracing::error!("saving state failed: {e}"),
            }
        }
    }
}

/// The Frontend API listener: `--frontend-port`, else the Backend port + 1
/// (0 when the Backend port was 0). A default port that is taken is logged
/// and skipped rather than stopping a Backend-only user's start-up; an
/// explicit one must bind.
async fn bind_frontend(config: &ServeArgs, backend_port: u16) -> std::io::Result<Option<TcpListener>> {
    let (port, explicit) = match config.frontend_port {
        Some(port) => (port, true),
        None if config.port == 0 => (0, false),
        None => (backend_port.wrapping_add(1), false),
    };
    match TcpListener::bind((config.host.as_str(), port)).await {
        Ok(listener) => Ok(Some(listener)),
        Err(e) if !explicit => {
            tracing::warn!(port, "the Frontend API does not listen: port {port} is not free ({e}); pass --frontend-port");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// `localhost` for a loopback bind, else the address itself.
fn url_host(host: &str, addr: SocketAddr) -> String {
    if addr.ip().is_loopback() || host == "localhost" {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    }
}

async fn accept_loop(listener: TcpListener, app: Arc<App>, mut stopped: watch::Receiver<bool>, surface: Surface) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let head_limit = app.config.max_header_bytes;
                let mut conn_stopped = stopped.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| serve_one(app.clone(), req, peer, surface));
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .max_buf_size(head_buffer_bytes(head_limit))
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = conn_stopped.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = stopped.changed() => break,
        }
        // Reap finished connection tasks so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    let grace = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while connections.join_next().await.is_some() {}
    });
    let _ = grace.await;
}

/// hyper's read buffer: room for a head up to four times the limit, so an
/// oversized head is still parsed and answered by [`check_head`] in Clerk's
/// envelope. Past that hyper itself answers 431 (with an empty body); either
/// way the connection is never left hanging.
fn head_buffer_bytes(max_header_bytes: usize) -> usize {
    max_header_bytes.saturating_mul(4).max(16 * 1024)
}

/// Refuses an oversized request head before any of the body is read: a
/// request target over `--max-uri-bytes` gets 414, a head (request line and
/// headers, as sent) over `--max-header-bytes` gets 431.
///
/// A 100 KB `Cookie` header with the default 64 KiB limit → 431
/// `request_header_fields_too_large`; `GET /v1/users?x=<20 KB>` → 414.
fn check_head(config: &ServeArgs, parts: &hyper::http::request::Parts) -> Result<(), ApiError> {
    let target = parts.uri.path_and_query().map(|pq| pq.as_str().len()).unwrap_or(0);
    if target > config.max_uri_bytes {
        return Err(ApiError::uri_too_long(target, config.max_uri_bytes));
    }
    // `METHOD target HTTP/1.1\r\n`, then `name: value\r\n` per header, then `\r\n`.
    let request_line = parts.method.as_str().len() + 1 + target + 11;
    let headers: usize = parts.headers.iter().map(|(k, v)| k.as_str().len() + 2 + v.len() + 2).sum();
    let head = request_line + headers + 2;
    if head > config.max_header_bytes {
        return Err(ApiError::headers_too_large(head, config.max_header_bytes));
    }
    Ok(())
}

/// A scenario asked to close the connection without answering. Returning it
/// as the service's error makes hyper drop the connection, writing nothing.
#[derive(Debug)]
pub struct DroppedByScenario;

impl std::fmt::Display for DroppedByScenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a clerk-mock scenario rule")
    }
}

impl std::error::Error for DroppedByScenario {}

async fn serve_one(
    app: Arc<App>,
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    surface: Surface,
) -> Result<hyper::Response<Full<Bytes>>, DroppedByScenario> {
    // Read before the request is consumed: a refusal of its head or body on
    // the Frontend listener still echoes it (CORS).
    let origin = match surface {
        Surface::Frontend => req.headers().get(hyper::header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string),
        Surface::Backend => None,
    };
    let outcome = match buffer(&app, req, peer).await {
        // Handlers are synchronous and short; they hold the instance lock
        // only while they run, never across an await (a scenario's delay is
        // awaited between stages).
        Ok(request) => match surface {
            Surface::Backend => pipeline::handle(&app, &request).await,
            Surface::Frontend => pipeline::handle_frontend(&app, &request).await,
        },
        Err(err) => Outcome::Respond(pipeline::refused(surface, origin.as_deref(), &err)),
    };
    match outcome {
        Outcome::Respond(response) => Ok(to_hyper(response)),
        Outcome::Drop => Err(DroppedByScenario),
    }
}

/// Buffers the whole request, refusing bodies over the limit with 413.
async fn buffer(app: &App, req: hyper::Request<Incoming>, peer: SocketAddr) -> Result<Request, ApiError> {
    let (parts, body) = req.into_parts();
    check_head(&app.config, &parts)?;
    let limit = app.config.max_body_bytes;
    let too_large = || {
        ApiError::body_too_large(limit)
    };
    let declared_length = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared_length.map(|n| n > limit).unwrap_or(false) {
        return Err(too_large());
    }
    let body = Limited::new(body, limit).collect().await.map_err(|e| {
        if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
            too_large()
        } else {
            ApiError::malformed(format!("The request body could not be read: {e}"))
        }
    })?;
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    Ok(Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body: body.to_bytes(),
        peer: Some(peer),
    })
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (k, v) in &response.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder.body(Full::new(response.body)).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// Installs the SIGINT/SIGTERM handlers now and returns a future that
/// completes on either. Installing before the URL is printed matters: a
/// script that reads the URL and signals at once must not kill the process
/// before its handlers exist.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(interrupt) => {}
                _ = wait(terminate) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
