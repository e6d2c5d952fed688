//! A webhook receiver for scripts/bench-webhooks.sh: verifies every delivery's Svix signature
//! (HMAC-SHA256 written out here, independently of clerk-mock's signer), counts events and
//! checks each arrives once and in creation order. Optionally drives a burst of user creates.
//!
//!   cargo run --release --example webhook_receiver -- --secret whsec_… [--port P]
//!   cargo run --release --example webhook_receiver -- --secret whsec_… --burst 10000 --mock http://127.0.0.1:PORT
//!
//! Receiver mode prints `http://127.0.0.1:PORT/hook` as its first stdout line and serves until
//! killed. Burst mode registers itself as the endpoint of a fresh instance, creates N users
//! with 8 client threads, waits with POST /__admin/webhooks/flush, and prints one JSON line:
//! `{"created":N,"received":…,"distinct_ids":…,"in_order":true,"bad_signatures":0,…}`.

use std::collections::HashSet;
use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use bytes::Bytes;
use hmac::Mac;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

#[derive(Default)]
struct Seen {
    received: u64,
    bad_signatures: u64,
    ids: HashSet<String>,
    /// (created_at, user id) of each user.created, in arrival order.
    users: Vec<(i64, String)>,
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn verify(key: &[u8], id: &str, ts: &str, body: &[u8], signature: &str) -> bool {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key");
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    signature.split(' ').any(|s| s == expected)
}

async fn serve(listener: TcpListener, key: Arc<Vec<u8>>, seen: Arc<Mutex<Seen>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (key, seen) = (key.clone(), seen.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let (key, seen) = (key.clone(), seen.clone());
                async move {
                    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    let (id, ts, sig) = (header("svix-id"), header("svix-timestamp"), header("svix-signature"));
                    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let ok = verify(&key, &id, &ts, &body, &sig);
                    let mut s = seen.lock().unwrap();
                    s.received += 1;
                    if !ok {
                        s.bad_signatures += 1;
                    }
                    s.ids.insert(id);
                    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                        if v["type"] == "user.created" {
                            let user = (v["data"]["created_at"].as_i64().unwrap_or(0), v["data"]["id"].as_str().unwrap_or("").to_string());
                            s.users.push(user);
                        }
                    }
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::new())))
                }
            });
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn main() {
    let secret = arg("--secret").unwrap_or_else(|| "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
    let key = base64::engine::general_purpose::STANDARD.decode(secret.trim_start_matches("whsec_")).expect("a whsec_ secret");
    let port: u16 = arg("--port").and_then(|p| p.parse().ok()).unwrap_or(0);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = rt.block_on(TcpListener::bind(("127.0.0.1", port))).unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    rt.spawn(serve(listener, Arc::new(key), seen.clone()));

    let (Some(n), Some(mock)) = (arg("--burst").and_then(|n| n.parse::<usize>().ok()), arg("--mock")) else {
        println!("{url}");
        let _ = std::io::stdout().flush();
        rt.block_on(std::future::pending::<()>());
        return;
    };
    let key_header = format!("Bearer sk_test_burst_{}", std::process::id());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let post = |path: &str, body: Value| -> (u16, Value) {
        let mut r = agent
            .post(&format!("{mock}{path}"))
            .header("Authorization", &key_header)
            .header("Content-Type", "application/json")
            .send(serde_json::to_vec(&body).unwrap_or_default())
            .expect("the mock answers");
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    };
    let (status, _) = post("/__admin/webhooks", json!({"url": url, "secret": secret, "event_types": ["user.created"]}));
    assert_eq!(status, 200, "registering the endpoint");
    let started = std::time::Instant::now();
    let created: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let post = &post;
                scope.spawn(move || {
                    (0..n).filter(|i| i % 8 == t).map(|i| {
                        let (status, body) = post("/v1/users", json!({"email_address": [format!("burst-{i}@example.com")], "skip_password_requirement": true}));
                        assert_eq!(status, 200, "creating user {i}: {body}");
                        body["id"].as_str().unwrap_or("").to_string()
                    }).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let create_s = started.elapsed().as_secs_f64();
    let (flush_status, _) = post("/__admin/webhooks/flush?timeout_ms=600000", json!({}));
    let total_s = started.elapsed().as_secs_f64();
    let s = seen.lock().unwrap();
    let created_set: HashSet<&String> = created.iter().collect();
    let received_users: HashSet<&String> = s.users.iter().map(|(_, id)| id).collect();
    let in_order = s.users.windows(2).all(|w| w[0].0 < w[1].0);
    println!(
        "{}",
        json!({
            "created": created.len(),
            "received": s.received,
            "user_created_events": s.users.len(),
            "distinct_svix_ids": s.ids.len(),
            "same_users_as_created": received_users == created_set && s.users.len() == created.len(),
            "in_order": in_order,
            "bad_signatures": s.bad_signatures,
            "flush_status": flush_status,
            "create_seconds": (create_s * 100.0).round() / 100.0,
            "create_to_all_delivered_seconds": (total_s * 100.0).round() / 100.0,
        })
    );
}
