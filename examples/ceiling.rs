//! The load ceiling for scripts/bench.sh: a bare hyper 1 + tokio HTTP/1.1 server, built with the
//! same crates and runtime as clerk-mock, that answers every request with one fixed JSON body.
//! Whatever clerk-mock does beyond this (routing, auth, state, validation, serialisation) is what
//! the benchmark's ratios measure.
//!
//!   cargo run --release --example ceiling -- [--body-bytes N] [--port P]
//!
//! `--body-bytes` (or env CEILING_BODY_BYTES, default 1024) is the exact size of the answer.
//! Prints `http://127.0.0.1:PORT` as its first stdout line; Ctrl-C / SIGTERM stop it.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn usage() -> ! {
    eprintln!("usage: ceiling [--body-bytes N] [--port P]   (env CEILING_BODY_BYTES, CEILING_PORT)");
    std::process::exit(2);
}

/// A valid JSON object of exactly `n` bytes (at least 12).
fn json_body(n: usize) -> Bytes {
    let skeleton = r#"{"pad":""}"#;
    let n = n.max(skeleton.len());
    let mut s = String::with_capacity(n);
    s.push_str(r#"{"pad":""#);
    s.extend(std::iter::repeat_n('x', n - skeleton.len()));
    s.push_str(r#""}"#);
    debug_assert_eq!(s.len(), n);
    Bytes::from(s)
}

fn main() {
    let mut body_bytes: usize = std::env::var("CEILING_BODY_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let mut port: u16 = std::env::var("CEILING_PORT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--body-bytes" => body_bytes = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--port" => port = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(serve(SocketAddr::from(([127, 0, 0, 1], port)), json_body(body_bytes)));
}

async fn serve(addr: SocketAddr, body: Bytes) {
    let listener = TcpListener::bind(addr).await.expect("bind");
    let local = listener.local_addr().expect("local addr");
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "http://{local}").expect("stdout");
        out.flush().expect("stdout");
    }
    eprintln!("ceiling: answering every request with {} bytes of JSON", body.len());

    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    eprintln!("ceiling: accept failed: {e}");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let service = service_fn(move |_req: Request<Incoming>| {
                let body = body.clone();
                async move {
                    let mut res = Response::new(Full::new(body));
                    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    Ok::<_, Infallible>(res)
                }
            });
            // Connection errors (client resets at the end of a load run) are expected.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
