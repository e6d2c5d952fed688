//! Webhooks over real HTTP: endpoints, events from every state change,
//! Svix signatures, ordered delivery with retries, scenario faults, and the
//! flush that lets tests wait without sleeping. Receivers are small HTTP
//! servers on loopback inside the test.

mod common;

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

use base64::Engine;
use clerk_mock::webhooks::catalogue::Catalogue;
use clerk_mock::webhooks::events::EMITTED;
use common::{Client, TestServer};
use hmac::Mac;
use serde_json::{json, Value};

// ---------------------------------------------------------------- receiver

/// One POST a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// Statuses to answer, in order; 200 once empty.
    plan: VecDeque<u16>,
    /// While true, requests wait before being answered.
    hold: bool,
}

/// An HTTP receiver on a thread: records every request, answers from its plan.
struct Receiver {
    url: String,
    port: u16,
    inbox: Arc<(Mutex<Inbox>, Condvar)>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Receiver {
    fn start() -> Receiver {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap(), Arc::default())
    }

    fn on(listener: TcpListener, inbox: Arc<(Mutex<Inbox>, Condvar)>) -> Receiver {
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (inbox2, stop2) = (inbox.clone(), stop.clone());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || loop {
            if stop2.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            match listener.accept() {
                Ok((stream, _)) => {
                    let inbox = inbox2.clone();
                    std::thread::spawn(move || serve(stream, &inbox));
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(2)),
            }
        });
        Receiver { url: format!("http://127.0.0.1:{port}/hook"), port, inbox, stop }
    }

    fn answer(&self, statuses: &[u16]) {
        self.inbox.0.lock().unwrap().plan.extend(statuses);
    }

    fn hold(&self, on: bool) {
        self.inbox.0.lock().unwrap().hold = on;
        self.inbox.1.notify_all();
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.0.lock().unwrap().received.clone()
    }

    fn types(&self) -> Vec<String> {
        self.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_string()).collect()
    }

    /// Stops accepting: the port refuses connections until [`Receiver::restart`].
    fn stop(self) -> (u16, Arc<(Mutex<Inbox>, Condvar)>) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(20));
        (self.port, self.inbox.clone())
    }

    fn restart(port: u16, inbox: Arc<(Mutex<Inbox>, Condvar)>) -> Receiver {
        Self::on(TcpListener::bind(("127.0.0.1", port)).unwrap(), inbox)
    }
}

fn serve(mut stream: TcpStream, inbox: &(Mutex<Inbox>, Condvar)) {
    stream.set_nonblocking(false).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())))
        .collect();
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[header_end + 4..].to_vec();
    while body.len() < length {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        body.extend_from_slice(&chunk[..n]);
    }
    let status = {
        let (lock, cvar) = inbox;
        let mut guard = lock.lock().unwrap();
        while guard.hold {
            guard = cvar.wait(guard).unwrap();
        }
        guard.received.push(Received { headers, body: String::from_utf8_lossy(&body).to_string() });
        guard.plan.pop_front().unwrap_or(200)
    };
    let _ = write!(stream, "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
}

// ---------------------------------------------------------------- helpers

fn catalogue() -> Catalogue {
    let path = Catalogue::discover(None, Some(&common::spec_dir())).expect("the webhooks spec beside the BAPI specs");
    Catalogue::load(&path, 1).unwrap()
}

fn fast(args: &mut clerk_mock::config::ServeArgs) {
    args.webhooks.webhook_retry_scale = 0.001;
    args.webhooks.webhook_shutdown_grace_ms = 200;
}

fn register(c: &Client, url: &str, extra: Value) -> Value {
    let mut body = json!({"url": url});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let r = c.post("/__admin/webhooks", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn flush(c: &Client) {
    let r = c.post("/__admin/webhooks/flush?timeout_ms=20000", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn ok(r: common::Resp) -> Value {
    assert!((200..300).contains(&r.status), "{} {}", r.status, r.text);
    r.body
}

/// One browser on the Frontend API of `c`'s instance (its key forwarded as
/// `Clerk-Secret-Key`), keeping the `__client` cookie it is given.
struct Browser<'a> {
    server: &'a TestServer,
    key: String,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    fn new(server: &'a TestServer, c: &Client) -> Browser<'a> {
        Browser { server, key: c.key.clone().unwrap(), cookie: None }
    }

    /// A form POST as clerk-js sends it; the answer's `response`.
    fn post(&mut self, path: &str, form: &str) -> Value {
        let cookie = self.cookie.as_ref().map(|c| format!("__client={c}"));
        let mut headers: Vec<(&str, &str)> = vec![("origin", "http://localhost:3000"), ("clerk-secret-key", &self.key)];
        if let Some(c) = &cookie {
            headers.push(("cookie", c));
        }
        let body = Some(("application/x-www-form-urlencoded", form.as_bytes().to_vec()));
        let resp = self.server.frontend().send("POST", path, body, Some(&headers));
        for (name, value) in &resp.headers {
            if let Some(v) = value.strip_prefix("__client=").and_then(|r| r.split(';').next()).filter(|_| name.eq_ignore_ascii_case("set-cookie")) {
                self.cookie = (!v.is_empty()).then(|| v.to_string());
            }
        }
        ok(resp)["response"].clone()
    }

    /// The one-shot password sign-in; the new session's id.
    fn sign_in(&mut self, email: &str, password: &str) -> String {
        let attempt = self.post("/v1/client/sign_ins", &format!("identifier={email}&password={password}&strategy=password"));
        assert_eq!(attempt["status"], "complete", "{attempt}");
        attempt["created_session_id"].as_str().unwrap().to_string()
    }

    /// clerk-js `signOut()`.
    fn sign_out(&mut self) {
        self.post("/v1/client/sessions?_method=DELETE", "");
    }
}

/// What Svix's libraries compute, written out independently of the mock.
fn svix_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

// ---------------------------------------------------------------- tests

#[test]
fn every_emitted_event_type_validates_against_the_webhooks_spec() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    register(&c, &receiver.url, json!({}));

    // Users, sessions, organizations and everything in them.
    let ada = id(&ok(c.post("/v1/users", json!({"email_address": ["ada@example.com"], "first_name": "Ada", "password": "correct-horse-battery-staple"}))));
    let bob = id(&ok(c.post("/v1/users", json!({"email_address": ["bob@example.com"], "first_name": "Bob"}))));
    ok(c.patch(&format!("/v1/users/{ada}"), json!({"last_name": "Lovelace"})));
    let session = id(&ok(c.post("/v1/sessions", json!({"user_id": ada}))));
    ok(c.post(&format!("/v1/sessions/{session}/revoke"), json!({})));
    ok(c.post("/v1/sessions", json!({"user_id": bob})));
    let org = ok(c.post("/v1/organizations", json!({"name": "Acme", "created_by": ada})));
    let org_id = id(&org);
    ok(c.patch(&format!("/v1/organizations/{org_id}"), json!({"name": "Acme Inc"})));
    ok(c.post(&format!("/v1/organizations/{org_id}/memberships"), json!({"user_id": bob, "role": "org:member"})));
    ok(c.patch(&format!("/v1/organizations/{org_id}/memberships/{bob}"), json!({"role": "org:admin"})));
    ok(c.delete(&format!("/v1/organizations/{org_id}/memberships/{bob}")));
    let inv = id(&ok(c.post(&format!("/v1/organizations/{org_id}/invitations"), json!({"email_address": "carol@example.com", "role": "org:member", "inviter_user_id": ada}))));
    ok(c.post(&format!("/v1/organizations/{org_id}/invitations/{inv}/revoke"), json!({"requesting_user_id": ada})));
    let domain = id(&ok(c.post(&format!("/v1/organizations/{org_id}/domains"), json!({"name": "acme.dev", "enrollment_mode": "manual_invitation"}))));
    ok(c.patch(&format!("/v1/organizations/{org_id}/domains/{domain}"), json!({"enrollment_mode": "automatic_invitation"})));
    ok(c.delete(&format!("/v1/organizations/{org_id}/domains/{domain}")));
    let perm = id(&ok(c.post("/v1/organization_permissions", json!({"name": "Read reports", "key": "org:reports:read"}))));
    ok(c.patch(&format!("/v1/organization_permissions/{perm}"), json!({"name": "Read all reports"})));
    let role = id(&ok(c.post("/v1/organization_roles", json!({"name": "Analyst", "key": "org:analyst", "permissions": [perm]}))));
    ok(c.patch(&format!("/v1/organization_roles/{role}"), json!({"name": "Data analyst"})));
    ok(c.delete(&format!("/v1/organization_roles/{role}")));
    ok(c.delete(&format!("/v1/organization_permissions/{perm}")));
    let entry = id(&ok(c.post("/v1/waitlist_entries", json!({"email_address": "wait@example.com"}))));
    ok(c.post(&format!("/v1/waitlist_entries/{entry}/invite"), json!({})));
    ok(c.post("/v1/invitations", json!({"email_address": "dave@example.com"})));
    // The Frontend API: an invitation accepted from the browser, then a sign-out.
    ok(c.post("/v1/users", json!({"email_address": ["erin@example.com"], "password": "erin-password-erin"})));
    let erins = id(&ok(c.post(&format!("/v1/organizations/{org_id}/invitations"), json!({"email_address": "erin@example.com", "role": "org:member"}))));
    let mut browser = Browser::new(&server, &c);
    browser.sign_in("erin@example.com", "erin-password-erin");
    browser.post(&format!("/v1/me/organization_invitations/{erins}/accept"), "");
    browser.sign_out();
    ok(c.delete(&format!("/v1/organizations/{org_id}")));
    ok(c.delete(&format!("/v1/users/{ada}")));
    flush(&c);

    let catalogue = catalogue();
    let received = receiver.received();
    let mut seen = BTreeSet::new();
    for r in &received {
        let payload = r.json();
        let ty = payload["type"].as_str().unwrap().to_string();
        let problems = catalogue.get(&ty).unwrap_or_else(|| panic!("{ty} is not in the catalogue")).problems(&payload);
        assert!(problems.is_empty(), "{ty} does not validate: {problems:?}\n{payload:#}");
        assert_eq!(payload["object"], "event");
        assert!(payload["instance_id"].as_str().unwrap().starts_with("ins_"));
        assert_eq!(payload["event_attributes"]["http_request"]["client_ip"], "127.0.0.1");
        seen.insert(ty);
    }
    // Exactly the list COVERAGE.md publishes, each type one the catalogue declares.
    let expected: BTreeSet<String> = EMITTED.iter().map(|(t, _)| t.to_string()).collect();
    assert_eq!(seen, expected, "emitted types");
    assert!(expected.iter().all(|t| catalogue.get(t).is_some()));
    // The event log has every one of them too, with no schema problems.
    let log = c.get("/__admin/webhooks/events");
    assert_eq!(log.body["total_count"].as_u64().unwrap() as usize, received.len());
    assert!(log.body["data"].as_array().unwrap().iter().all(|e| e["schema_problems"] == json!([])));
}

#[test]
fn a_frontend_api_sign_out_emits_session_ended_with_the_ended_session() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    ok(c.post("/v1/users", json!({"email_address": ["out@example.com"], "password": "out-password-out"})));
    let receiver = Receiver::start();
    register(&c, &receiver.url, json!({"event_types": ["session.ended"]}));
    let mut browser = Browser::new(&server, &c);
    let session = browser.sign_in("out@example.com", "out-password-out");
    flush(&c);
    assert!(receiver.received().is_empty(), "signing in ends no session");
    browser.sign_out();
    flush(&c);
    let got = receiver.received();
    assert_eq!(got.len(), 1, "one session ended");
    let payload = got[0].json();
    assert_eq!(payload["type"], "session.ended");
    assert_eq!(payload["data"]["id"], session.as_str());
    assert_eq!(payload["data"]["status"], "ended");
    assert!(catalogue().get("session.ended").unwrap().problems(&payload).is_empty(), "{payload:#}");
    assert_eq!(c.get(&format!("/v1/sessions/{session}")).body["status"], "ended");
}

#[test]
fn a_user_created_event_carries_the_user_in_the_catalogue_shape() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    register(&c, &receiver.url, json!({"event_types": ["user.*"]}));
    let user = ok(c.send("POST", "/v1/users", Some(("application/json", br#"{"email_address":["ada@example.com"],"first_name":"Ada"}"#.to_vec())), Some(&[("User-Agent", "my-app/1.0")])));
    ok(c.post("/v1/organizations", json!({"name": "Not a user event"})));
    flush(&c);
    let got = receiver.received();
    assert_eq!(got.len(), 1, "the filter keeps organization events out");
    let payload = got[0].json();
    assert_eq!(payload["type"], "user.created");
    assert_eq!(payload["data"]["id"], user["id"]);
    assert_eq!(payload["data"]["email_addresses"][0]["email_address"], "ada@example.com");
    assert_eq!(payload["event_attributes"]["http_request"]["user_agent"], "my-app/1.0");
    assert!(payload["data"].get("_password").is_none());
}

#[test]
fn deleting_a_user_emits_its_cascade_with_the_deleted_object_shape() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let u = id(&ok(c.post("/v1/users", json!({"email_address": ["sam@example.com"]}))));
    let org = id(&ok(c.post("/v1/organizations", json!({"name": "Org", "created_by": u}))));
    ok(c.post("/v1/sessions", json!({"user_id": u})));
    let receiver = Receiver::start();
    register(&c, &receiver.url, json!({}));
    ok(c.delete(&format!("/v1/users/{u}")));
    flush(&c);
    let got = receiver.received();
    let types: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(types, ["user.deleted", "organizationMembership.deleted", "session.removed"]);
    assert_eq!(got[0].json()["data"], json!({"object": "user", "id": u, "deleted": true}));
    assert_eq!(got[1].json()["data"]["organization"]["id"], org.as_str());
    assert_eq!(got[2].json()["data"]["user"]["id"], u.as_str());
}

#[test]
fn signatures_verify_with_the_endpoint_secret_and_fail_for_a_tampered_body_or_another_secret() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    let endpoint = register(&c, &receiver.url, json!({}));
    let secret = endpoint["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    ok(c.post("/v1/users", json!({"email_address": ["a@example.com"]})));
    ok(c.post("/v1/users", json!({"email_address": ["b@example.com"]})));
    flush(&c);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    for r in &got {
        assert!(r.header("svix-id").starts_with("msg_"));
        assert_eq!(r.header("content-type"), "application/json");
        let expected = svix_signature(secret, r.header("svix-id"), r.header("svix-timestamp"), &r.body);
        assert_eq!(r.header("svix-signature"), expected);
        let tampered = svix_signature(secret, r.header("svix-id"), r.header("svix-timestamp"), &r.body.replace("\"object\":\"event\"", "\"object\":\"tampered\""));
        assert_ne!(r.body, r.body.replace("\"object\":\"event\"", "\"object\":\"tampered\""));
        assert_ne!(r.header("svix-signature"), tampered);
        let other = svix_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", r.header("svix-id"), r.header("svix-timestamp"), &r.body);
        assert_ne!(r.header("svix-signature"), other);
    }
    assert_ne!(got[0].header("svix-id"), got[1].header("svix-id"), "one id per message");
}

#[test]
fn a_given_secret_is_used_and_a_malformed_one_is_refused() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assert_eq!(register(&c, "http://127.0.0.1:9/x", json!({"secret": secret}))["secret"], secret);
    let bad = c.post("/__admin/webhooks", json!({"url": "http://127.0.0.1:9/x", "secret": "plain"}));
    assert_eq!((bad.status, bad.code(), bad.param()), (422, "form_param_format_invalid", "secret"));
    let bad_url = c.post("/__admin/webhooks", json!({"url": "ftp://x"}));
    assert_eq!((bad_url.status, bad_url.param()), (422, "url"));
    let bad_type = c.post("/__admin/webhooks", json!({"url": "http://127.0.0.1:9/x", "event_types": ["user.exploded"]}));
    assert_eq!((bad_type.status, bad_type.code()), (422, "form_param_value_invalid"));
    let listed = c.get("/__admin/webhooks");
    assert_eq!(listed.body["total_count"], 1);
    assert_eq!(listed.body["event_types"].as_array().unwrap().len(), 45);
    let ep = id(&listed.body["data"][0]);
    assert_eq!(c.delete(&format!("/__admin/webhooks/{ep}")).status, 200);
    assert_eq!(c.get("/__admin/webhooks").body["total_count"], 0);
    assert_eq!(c.delete(&format!("/__admin/webhooks/{ep}")).code(), "resource_not_found");
}

#[test]
fn a_receiver_that_answers_500_twice_then_200_gets_the_event_three_times_with_the_same_svix_id() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    receiver.answer(&[500, 500]);
    register(&c, &receiver.url, json!({}));
    ok(c.post("/v1/users", json!({"email_address": ["retry@example.com"]})));
    flush(&c);
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.header("svix-id") == got[0].header("svix-id")));
    let deliveries = c.get("/__admin/webhooks/deliveries");
    let d = &deliveries.body["data"][0];
    assert_eq!(d["status"], "succeeded");
    let codes: Vec<Value> = d["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, [json!(500), json!(500), json!(200)]);
    assert!(d["attempts"][0]["latency_ms"].is_number());
}

#[test]
fn a_receiver_down_for_a_while_then_up_receives_everything_in_order() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    let url = receiver.url.clone();
    let (port, inbox) = receiver.stop();
    register(&c, &url, json!({}));
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id(&ok(c.post("/v1/users", json!({"email_address": [format!("down{i}@example.com")]})))));
    }
    // Refused connections so far: the first delivery is retrying.
    let pending = c.get("/__admin/webhooks/deliveries?status=pending");
    assert_eq!(pending.body["total_count"], 5);
    assert!(pending.body["data"].as_array().unwrap().iter().any(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty() && a[0]["status_code"].is_null())));
    let receiver = Receiver::restart(port, inbox);
    flush(&c);
    let got: Vec<String> = receiver.received().iter().map(|r| r.json()["data"]["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, ids, "each exactly once, in creation order");
    let page = c.get("/__admin/webhooks/deliveries?status=succeeded&limit=2");
    assert_eq!((page.body["total_count"].as_u64(), page.body["data"].as_array().map(Vec::len)), (Some(5), Some(2)));
}

#[test]
fn a_receiver_that_never_succeeds_is_marked_failed_after_the_schedule_and_can_be_retried() {
    // The whole schedule (about 27 hours) in about two seconds.
    let server = TestServer::start_with(|a| {
        fast(a);
        a.webhooks.webhook_retry_scale = 0.00002;
    });
    let c = server.client();
    let receiver = Receiver::start();
    receiver.answer(&[503; 8]);
    register(&c, &receiver.url, json!({}));
    ok(c.post("/v1/users", json!({"email_address": ["fail@example.com"]})));
    flush(&c);
    assert_eq!(receiver.received().len(), 8, "Svix's eight attempts");
    let failed = c.get("/__admin/webhooks/deliveries?status=failed");
    assert_eq!(failed.body["total_count"], 1);
    let delivery = id(&failed.body["data"][0]);
    let retried = c.post(&format!("/__admin/webhooks/deliveries/{delivery}/retry"), json!({}));
    assert_eq!(retried.status, 200, "{}", retried.text);
    flush(&c);
    assert_eq!(receiver.received().len(), 9);
    assert_eq!(c.get("/__admin/webhooks/deliveries?status=succeeded").body["total_count"], 1);
    assert_eq!(c.post("/__admin/webhooks/deliveries/whd_nope/retry", json!({})).code(), "resource_not_found");
}

#[test]
fn an_api_answer_never_waits_for_a_receiver() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    receiver.hold(true);
    register(&c, &receiver.url, json!({}));
    // The receiver holds every request: the API still answers each create.
    for i in 0..3 {
        ok(c.post("/v1/users", json!({"email_address": [format!("slow{i}@example.com")]})));
    }
    assert_eq!(c.get("/__admin/webhooks/deliveries?status=pending").body["total_count"], 3);
    let short = c.post("/__admin/webhooks/flush?timeout_ms=50", json!({}));
    assert_eq!((short.status, short.code()), (408, "webhooks_flush_timeout"));
    assert_eq!(short.body["errors"][0]["meta"]["pending"], 3);
    // Another instance's flush does not wait for this one's receiver.
    assert_eq!(server.client().post("/__admin/webhooks/flush?timeout_ms=50", json!({})).status, 200);
    receiver.hold(false);
    flush(&c);
    assert_eq!(receiver.types(), ["user.created"; 3]);
}

#[test]
fn a_scenario_rule_fails_deliveries_on_purpose() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let receiver = Receiver::start();
    register(&c, &receiver.url, json!({}));
    let scenario = json!({"name": "flaky-webhooks", "rules": [
        {"match": {"event_type": "user.created"}, "times": 2, "respond": {"status": 502}}
    ]});
    assert_eq!(c.post("/__admin/scenarios", scenario).status, 201);
    ok(c.post("/v1/users", json!({"email_address": ["flaky@example.com"]})));
    flush(&c);
    // Two attempts failed by the rule (nothing sent), the third delivered.
    assert_eq!(receiver.types(), ["user.created"]);
    let d = &c.get("/__admin/webhooks/deliveries").body["data"][0];
    let codes: Vec<Value> = d["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, [json!(502), json!(502), json!(200)]);
    // API requests are not matched by webhook rules.
    assert_eq!(c.get("/v1/users").status, 200);
    let bad = c.post("/__admin/scenarios", json!({"name": "x", "rules": [{"match": {"webhook": true, "operation_id": "CreateUser"}, "drop": true}]}));
    assert_eq!(bad.status, 422);
}

#[test]
fn events_are_listed_with_type_and_time_filters_even_without_an_endpoint() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let u = id(&ok(c.post("/v1/users", json!({"email_address": ["log@example.com"]}))));
    ok(c.patch(&format!("/v1/users/{u}"), json!({"first_name": "Logged"})));
    let all = c.get("/__admin/webhooks/events");
    assert_eq!(all.body["total_count"], 2);
    assert_eq!(all.body["data"][0]["deliveries"], json!([]));
    let created = c.get("/__admin/webhooks/events?type=user.created");
    assert_eq!(created.body["total_count"], 1);
    assert_eq!(created.body["data"][0]["payload"]["data"]["id"], u.as_str());
    assert_eq!(c.get(&format!("/__admin/webhooks/events?since={before}")).body["total_count"], 2);
    assert_eq!(c.get(&format!("/__admin/webhooks/events?until={}", before - 1)).body["total_count"], 0);
    // Another instance sees only its own events.
    assert_eq!(server.client().get("/__admin/webhooks/events").body["total_count"], 0);
    assert_eq!(c.get("/__admin/webhooks/events?colour=red").code(), "form_param_unknown");
}

#[test]
fn the_event_log_keeps_the_last_webhook_log_size_events_oldest_dropped_first() {
    let server = TestServer::start_with(|a| {
        fast(a);
        a.webhooks.webhook_log_size = 3;
    });
    let c = server.client();
    let users: Vec<String> = (0..5).map(|i| id(&ok(c.post("/v1/users", json!({"email_address": [format!("log{i}@example.com")]}))))).collect();
    let log = c.get("/__admin/webhooks/events");
    assert_eq!(log.body["total_count"], 3);
    let logged: Vec<&str> = log.body["data"].as_array().unwrap().iter().map(|e| e["payload"]["data"]["id"].as_str().unwrap()).collect();
    let mut newest: Vec<&str> = users[2..].iter().map(String::as_str).collect();
    let mut sorted = logged.clone();
    sorted.sort();
    newest.sort();
    assert_eq!(sorted, newest, "the two oldest events are gone");
}

#[test]
fn fixtures_and_reset_emit_nothing_and_reads_emit_nothing() {
    let server = TestServer::start_with(|a| {
        fast(a);
        a.fixtures = vec!["default".into()];
    });
    let c = server.client();
    assert_eq!(c.get("/v1/users").status, 200);
    assert_eq!(c.get("/v1/organization_roles").status, 200);
    assert_eq!(c.post("/__admin/reset", json!({})).status, 200);
    assert_eq!(c.get("/__admin/webhooks/events").body["total_count"], 0);
}

#[test]
fn the_command_line_endpoint_receives_every_instance_with_the_stable_secret() {
    let receiver = Receiver::start();
    let url = receiver.url.clone();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let server = TestServer::start_with(|a| {
        fast(a);
        a.webhooks.webhook_urls = vec![url];
        a.webhooks.webhook_secret = Some(secret.into());
    });
    let (a, b) = (server.client(), server.client());
    ok(a.post("/v1/users", json!({"email_address": ["a@example.com"]})));
    ok(b.post("/v1/users", json!({"email_address": ["b@example.com"]})));
    // Without a key, flush waits for every instance.
    flush(&a.clone().without_key());
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_ne!(got[0].json()["instance_id"], got[1].json()["instance_id"]);
    for r in &got {
        assert_eq!(r.header("svix-signature"), svix_signature(secret, r.header("svix-id"), r.header("svix-timestamp"), &r.body));
    }
    assert_eq!(a.get("/__admin/webhooks").body["data"][0]["scope"], "global");
}

#[test]
fn a_fixture_endpoint_belongs_to_every_instance_and_comes_back_on_reset() {
    let receiver = Receiver::start();
    let dir = common::temp_dir("webhook-fixtures");
    let file = dir.join("hooks.yaml");
    std::fs::write(&file, format!("webhooks:\n  - url: {}\n    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n    event_types: [user.created]\n", receiver.url)).unwrap();
    let server = TestServer::start_with(|a| {
        fast(a);
        a.fixtures = vec![file.display().to_string()];
    });
    let c = server.client();
    let listed = c.get("/__admin/webhooks");
    assert_eq!(listed.body["total_count"], 1, "{}", listed.text);
    assert_eq!(listed.body["data"][0]["secret"], "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assert_eq!(c.delete("/__admin/webhooks").status, 200);
    assert_eq!(c.get("/__admin/webhooks").body["total_count"], 0);
    assert_eq!(c.post("/__admin/reset", json!({})).status, 200);
    assert_eq!(c.get("/__admin/webhooks").body["total_count"], 1);
    ok(c.post("/v1/users", json!({"email_address": ["fix@example.com"]})));
    flush(&c);
    assert_eq!(receiver.types(), ["user.created"]);
}

#[test]
fn the_svix_operations_keep_state_over_the_same_endpoints() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let created = c.post("/v1/webhooks/svix", json!({}));
    assert_eq!(created.status, 200, "{}", created.text);
    assert!(created.body["svix_url"].as_str().unwrap().ends_with("/__admin/webhooks"));
    assert_eq!(c.post("/v1/webhooks/svix_url", json!({})).status, 200);
    register(&c, "http://127.0.0.1:9/a", json!({}));
    register(&c, "http://127.0.0.1:9/b", json!({}));
    assert_eq!(c.get("/__admin/webhooks").body["total_count"], 2);
    assert_eq!(c.delete("/v1/webhooks/svix").status, 204);
    assert_eq!(c.get("/__admin/webhooks").body["total_count"], 0);
}

#[test]
fn without_the_webhooks_spec_the_admin_api_says_webhooks_are_off() {
    let dir = common::temp_dir("no-webhooks-spec");
    std::fs::copy(common::spec_dir().join("bapi-2025-11-10.json"), dir.join("bapi-2025-11-10.json")).unwrap();
    let server = TestServer::start_with(|a| a.spec.spec_dir = Some(dir.clone()));
    let c = server.client();
    let r = c.get("/__admin/webhooks");
    assert_eq!((r.status, r.code()), (409, "webhooks_disabled"));
    assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("--webhooks-spec"));
    ok(c.post("/v1/users", json!({"email_address": ["quiet@example.com"]})));
}

#[test]
fn the_catalogue_check_rejects_payloads_the_spec_forbids() {
    let server = TestServer::start_with(fast);
    let c = server.client();
    let u = id(&ok(c.post("/v1/users", json!({"email_address": ["strict@example.com"]}))));
    ok(c.post("/v1/sessions", json!({"user_id": u})));
    let events = c.get("/__admin/webhooks/events").body["data"].as_array().unwrap().clone();
    let catalogue = catalogue();
    let user_created = catalogue.get("user.created").unwrap();
    let session_created = catalogue.get("session.created").unwrap();
    let (mut user, mut session) = (events[0]["payload"].clone(), events[1]["payload"].clone());
    assert!(user_created.problems(&user).is_empty());
    assert!(session_created.problems(&session).is_empty(), "the closed Session accepts its sibling's `user`");
    assert_eq!(session["data"]["user"]["id"], u.as_str());
    assert!(session["data"].get("tasks").is_none(), "the catalogue's Session has no tasks");
    user["data"]["undeclared"] = json!(1);
    assert!(!user_created.problems(&user).is_empty(), "User is closed");
    session["data"]["status"] = json!("sleeping");
    assert!(!session_created.problems(&session).is_empty());
    let mut untyped = events[0]["payload"].clone();
    untyped.as_object_mut().unwrap().remove("instance_id");
    assert!(!user_created.problems(&untyped).is_empty());
}

#[test]
fn shutdown_waits_for_pending_deliveries_within_its_grace() {
    let receiver = Receiver::start();
    let url = receiver.url.clone();
    let (port, inbox) = receiver.stop();
    let server = TestServer::start_with(move |a| {
        fast(a);
        a.webhooks.webhook_urls = vec![url];
        a.webhooks.webhook_shutdown_grace_ms = 60_000;
    });
    let c = server.client();
    ok(c.post("/v1/users", json!({"email_address": ["late@example.com"]})));
    assert_eq!(c.get("/__admin/health").body["webhooks"]["pending_deliveries"], 1);
    // Shut down while the receiver is still down; it comes up during the grace period.
    let stopping = std::thread::spawn(move || drop(server));
    let receiver = Receiver::restart(port, inbox);
    stopping.join().unwrap();
    assert_eq!(receiver.types(), ["user.created"], "delivered before the server stopped");
}

#[test]
fn command_line_endpoints_share_one_generated_secret() {
    let server = TestServer::start_with(|a| {
        fast(a);
        a.webhooks.webhook_urls = vec!["http://127.0.0.1:9/a".into(), "http://127.0.0.1:9/b".into()];
    });
    let listed = server.client().get("/__admin/webhooks").body;
    let secrets: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|e| e["secret"].as_str().unwrap()).collect();
    assert_eq!(secrets.len(), 2);
    assert!(secrets[0].starts_with("whsec_"));
    assert_eq!(secrets[0], secrets[1]);
}
