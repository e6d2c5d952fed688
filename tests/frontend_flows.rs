//! The Frontend API's stateful flows over HTTP (FAPI.md §2.4), step by step
//! as clerk-js sends them — form bodies, `?_method=` tunnelling, the
//! `__client` cookie or the `__clerk_db_jwt` dev browser, the piggybacked
//! client — against a server with `--validate-responses` on (every answer is
//! checked against the FAPI spec of the `__clerk_api_version` it asks for),
//! and what the same state looks like through the Backend API.

mod common;

use base64::Engine;
use common::{Client, Resp, TestServer};
use serde_json::{json, Value};

const ORIGIN: &str = "http://localhost:3000";

/// One browser: the Frontend API client, its `__client` cookie, and the
/// Backend API of the same instance (the app's secret key).
struct Browser {
    fapi: Client,
    bapi: Client,
    key: String,
    cookie: Option<String>,
    version: &'static str,
}

impl Browser {
    fn new(server: &TestServer) -> Browser {
        let bapi = server.client();
        let key = bapi.key.clone().unwrap();
        Browser { fapi: server.frontend(), bapi, key, cookie: None, version: "2025-11-10" }
    }

    fn url(&self, path: &str) -> String {
        let joiner = if path.contains('?') { '&' } else { '?' };
        format!("{path}{joiner}__clerk_api_version={}&_clerk_js_version=6.40.0", self.version)
    }

    /// A request as clerk-js sends it; remembers the `__client` cookie set.
    fn send(&mut self, method: &str, path: &str, form: Option<&str>) -> Resp {
        let cookie = self.cookie.as_ref().map(|c| format!("__client={c}"));
        let mut headers: Vec<(&str, &str)> = vec![("origin", ORIGIN), ("clerk-secret-key", &self.key)];
        if let Some(c) = &cookie {
            headers.push(("cookie", c));
        }
        let body = form.map(|f| ("application/x-www-form-urlencoded", f.as_bytes().to_vec()));
        let resp = self.fapi.send(method, &self.url(path), body, Some(&headers));
        for (name, value) in &resp.headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                if let Some(v) = value.strip_prefix("__client=").and_then(|r| r.split(';').next()) {
                    self.cookie = (!v.is_empty()).then(|| v.to_string());
                }
            }
        }
        resp
    }

    fn get(&mut self, path: &str) -> Resp {
        self.send("GET", path, None)
    }

    /// `POST` with a form body; `expect` is the status it must answer.
    fn post(&mut self, path: &str, form: &str, expect: u16) -> Resp {
        let resp = self.send("POST", path, Some(form));
        assert_eq!(resp.status, expect, "POST {path} {form}: {}", resp.text);
        resp
    }

    /// The newest email the outbox holds for `to`.
    fn last_email(&self, to: &str) -> Value {
        let list = self.bapi.get(&format!("/__admin/emails?to={to}"));
        assert_eq!(list.status, 200, "{}", list.text);
        list.body["data"][0].clone()
    }

    fn bapi_user(&self, email: &str, password: &str) -> String {
        let user = self.bapi.post("/v1/users", json!({"email_address": [email], "password": password}));
        assert_eq!(user.status, 200, "{}", user.text);
        user.body["id"].as_str().unwrap().to_string()
    }

    /// The one-shot password sign-in; returns the new session's id.
    fn sign_in(&mut self, email: &str, password: &str) -> String {
        let form = format!("identifier={email}&password={password}&strategy=password");
        let resp = self.post("/v1/client/sign_ins", &form, 200);
        assert_eq!(resp.body["response"]["status"], "complete", "{}", resp.text);
        resp.body["response"]["created_session_id"].as_str().unwrap().to_string()
    }
}

fn claims(jwt: &str) -> (Value, Value) {
    let part = |i: usize| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(i).unwrap()).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    (part(0), part(1))
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The completing answer's invariant (FAPI.md §2.2 item 9): the client holds
/// the new active session, with its `last_active_token`.
fn assert_signed_in(resp: &Resp, session_id: &str) {
    let client = &resp.body["client"];
    assert_eq!(client["last_active_session_id"], session_id, "{}", resp.text);
    let session = client["sessions"].as_array().unwrap().iter().find(|s| s["id"] == session_id).expect("the session in the client");
    assert_eq!(session["status"], "active");
    let jwt = session["last_active_token"]["jwt"].as_str().expect("a last_active_token");
    assert_eq!(claims(jwt).1["sid"], session_id);
}

#[test]
fn first_load_in_cookie_mode_creates_one_client_and_keeps_it_by_its_cookie() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let env = b.post("/v1/environment?_method=PATCH", "", 200);
    assert_eq!(env.body["auth_config"]["single_session_mode"], true);
    let first = b.get("/v1/client");
    assert_eq!(first.status, 200, "{}", first.text);
    let set = first.header("set-cookie").expect("a __client cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
    assert!(first.body["client"].is_null());
    let id = first.body["response"]["id"].as_str().unwrap().to_string();
    let again = b.get("/v1/client");
    assert_eq!(again.body["response"]["id"], id.as_str());
    assert!(again.header("set-cookie").is_none());
    let through_bapi = b.bapi.get(&format!("/v1/clients/{id}"));
    assert_eq!(through_bapi.status, 200, "a browser client is a Backend API client: {}", through_bapi.text);
}

#[test]
fn dev_browser_mode_identifies_the_client_by_its_token() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let dev = b.post("/v1/dev_browser", "", 200);
    let token = dev.body["id"].as_str().unwrap().to_string();
    assert_eq!(dev.body["token"], token.as_str());
    b.cookie = None;
    let one = b.get(&format!("/v1/client?__clerk_db_jwt={token}"));
    b.cookie = None;
    let two = b.get(&format!("/v1/client?__clerk_db_jwt={token}"));
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["response"]["id"], two.body["response"]["id"]);
}

fn sign_up_with_an_email_code(version: &'static str) {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.version = version;
    b.get("/v1/client");
    let created = b.post("/v1/client/sign_ups", "email_address=ada%40example.com&password=correct-horse-battery&locale=en-US", 200);
    let su = &created.body["response"];
    assert_eq!((su["status"].as_str(), su["unverified_fields"].clone()), (Some("missing_requirements"), json!(["email_address"])));
    assert_eq!(created.body["client"]["sign_up"]["id"], su["id"], "the client piggybacks the sign-up");
    let id = su["id"].as_str().unwrap().to_string();
    b.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), "strategy=email_code", 200);
    let email = b.last_email("ada@example.com");
    assert_eq!(email["code"], "424242");
    assert_eq!(email["belongs_to"]["id"], id.as_str());
    let wrong = b.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), "strategy=email_code&code=111111", 422);
    assert_eq!((wrong.code(), wrong.param()), ("form_code_incorrect", "code"));
    let code = email["code"].as_str().unwrap();
    let done = b.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &format!("strategy=email_code&code={code}"), 200);
    let su = &done.body["response"];
    assert_eq!(su["status"], "complete");
    let user_id = su["created_user_id"].as_str().unwrap().to_string();
    let session_id = su["created_session_id"].as_str().unwrap().to_string();
    assert_signed_in(&done, &session_id);

    // setActive: touch, then a token.
    let touched = b.post(&format!("/v1/client/sessions/{session_id}/touch"), "intent=select_session", 200);
    assert_eq!(touched.body["response"]["id"], session_id.as_str());
    let token = b.post(&format!("/v1/client/sessions/{session_id}/tokens"), "organization_id=&tab_state=focused", 200);
    assert_eq!(token.body["object"], "token", "a bare token: {}", token.text);
    assert_eq!(claims(token.body["jwt"].as_str().unwrap()).1["sub"], user_id.as_str());

    // The same state through the Backend API.
    let list = b.bapi.get("/v1/users?email_address=ada@example.com");
    assert_eq!(list.body.as_array().map(Vec::len), Some(1), "{}", list.text);
    assert_eq!(b.bapi.get("/v1/users/count").body["total_count"], 1);
    let sessions = b.bapi.get(&format!("/v1/sessions?user_id={user_id}"));
    assert_eq!(sessions.body[0]["id"], session_id.as_str(), "{}", sessions.text);
}

#[test]
fn signing_up_with_an_email_code_against_the_2025_11_10_spec() {
    sign_up_with_an_email_code("2025-11-10");
}

#[test]
fn signing_up_with_an_email_code_against_the_2026_05_12_spec() {
    sign_up_with_an_email_code("2026-05-12");
}

/// The `__clerk_ticket` of a BAPI invitation's URL, and the invitation's id.
fn invitation_ticket(b: &Browser, email: &str) -> (String, String) {
    let inv = b.bapi.post("/v1/invitations", json!({"email_address": email, "public_metadata": {"plan": "team"}, "redirect_url": "http://localhost:3000/accept"}));
    assert_eq!(inv.status, 200, "{}", inv.text);
    let url = inv.body["url"].as_str().unwrap();
    let ticket = url.split("__clerk_ticket=").nth(1).and_then(|t| t.split('&').next()).expect("a ticket in the invitation URL");
    (ticket.to_string(), inv.body["id"].as_str().unwrap().to_string())
}

#[test]
fn signing_up_with_an_invitation_ticket_creates_the_invited_user_verified_and_accepts_the_invitation() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let (ticket, invitation_id) = invitation_ticket(&b, "invited@example.com");
    b.get("/v1/client");
    let done = b.post("/v1/client/sign_ups", &format!("strategy=ticket&ticket={ticket}&password=invited-password-1&first_name=Ivy"), 200);
    let su = &done.body["response"];
    assert_eq!(su["status"], "complete", "{}", done.text);
    assert_eq!(su["email_address"], "invited@example.com");
    assert_eq!(su["verifications"]["email_address"]["strategy"], "ticket");
    let user_id = su["created_user_id"].as_str().unwrap().to_string();
    assert_signed_in(&done, su["created_session_id"].as_str().unwrap());

    // The Backend API sees the user, its address verified by the ticket, and the invitation accepted.
    let user = b.bapi.get(&format!("/v1/users/{user_id}"));
    assert_eq!(user.status, 200, "{}", user.text);
    assert_eq!(user.body["email_addresses"][0]["email_address"], "invited@example.com");
    assert_eq!(user.body["email_addresses"][0]["verification"]["status"], "verified");
    assert_eq!(user.body["email_addresses"][0]["verification"]["strategy"], "ticket");
    assert_eq!(user.body["public_metadata"], json!({"plan": "team"}), "the invitation's metadata");
    assert_eq!(user.body["first_name"], "Ivy");
    let invitations = b.bapi.get("/v1/invitations?status=accepted");
    assert_eq!(invitations.body[0]["id"], invitation_id.as_str(), "{}", invitations.text);

    // A used ticket signs nobody up again.
    b.post("/v1/client/sessions?_method=DELETE", "", 200);
    let again = b.post("/v1/client/sign_ups", &format!("strategy=ticket&ticket={ticket}&password=invited-password-2"), 422);
    assert_eq!((again.code(), again.param()), ("ticket_invalid", "ticket"));
}

#[test]
fn a_ticket_sign_up_without_a_password_waits_for_it_and_an_unknown_ticket_is_refused() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let (ticket, _) = invitation_ticket(&b, "later@example.com");
    let created = b.post("/v1/client/sign_ups", &format!("strategy=ticket&ticket={ticket}"), 200);
    let su = &created.body["response"];
    assert_eq!(su["status"], "missing_requirements", "{}", created.text);
    assert_eq!((su["missing_fields"].clone(), su["unverified_fields"].clone()), (json!(["password"]), json!([])));
    let id = su["id"].as_str().unwrap();
    assert_eq!(b.bapi.get("/v1/invitations?status=pending").body.as_array().map(Vec::len), Some(1), "not accepted yet");
    let done = b.post(&format!("/v1/client/sign_ups/{id}?_method=PATCH"), "password=later-password-1", 200);
    assert_eq!(done.body["response"]["status"], "complete", "{}", done.text);
    assert_eq!(b.bapi.get("/v1/invitations?status=accepted").body.as_array().map(Vec::len), Some(1));
    b.post("/v1/client/sessions?_method=DELETE", "", 200);
    let unknown = b.post("/v1/client/sign_ups", "strategy=ticket&ticket=tkt_0000", 422);
    assert_eq!(unknown.code(), "ticket_invalid", "{}", unknown.text);
}

#[test]
fn sign_up_errors_carry_clerks_codes_and_the_field() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("taken@example.com", "long-enough-password");
    let taken = b.post("/v1/client/sign_ups", "email_address=taken%40example.com&password=long-enough-password", 422);
    assert_eq!((taken.code(), taken.param()), ("form_identifier_exists", "email_address"));
    let short = b.post("/v1/client/sign_ups", "email_address=new%40example.com&password=short", 422);
    assert_eq!((short.code(), short.param()), ("form_password_length_too_short", "password"));
    let created = b.post("/v1/client/sign_ups", "email_address=later%40example.com", 200);
    assert_eq!(created.body["response"]["missing_fields"], json!(["password"]));
    let id = created.body["response"]["id"].as_str().unwrap();
    let updated = b.post(&format!("/v1/client/sign_ups/{id}?_method=PATCH"), "password=now-a-password&first_name=Ada", 200);
    assert_eq!(updated.body["response"]["missing_fields"], json!([]));
    assert_eq!(updated.body["response"]["first_name"], "Ada");
}

#[test]
fn a_bapi_user_signs_in_with_identifier_then_password() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let user_id = b.bapi_user("grace@example.com", "hopper-hopper");
    let started = b.post("/v1/client/sign_ins", "identifier=grace%40example.com&locale=en-US", 200);
    let si = &started.body["response"];
    assert_eq!(si["status"], "needs_first_factor");
    let factors: Vec<&str> = si["supported_first_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
    assert!(factors.contains(&"password") && factors.contains(&"email_code"), "{factors:?}");
    let id = si["id"].as_str().unwrap().to_string();
    let wrong = b.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), "strategy=password&password=nope-nope", 422);
    assert_eq!((wrong.code(), wrong.param()), ("form_password_incorrect", "password"));
    let done = b.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), "strategy=password&password=hopper-hopper", 200);
    let session_id = done.body["response"]["created_session_id"].as_str().unwrap().to_string();
    assert_signed_in(&done, &session_id);
    assert_eq!(done.body["client"]["sessions"][0]["user"]["id"], user_id.as_str());
    let reread = b.get(&format!("/v1/client/sign_ins/{id}"));
    assert_eq!(reread.body["response"]["status"], "complete", "{}", reread.text);
}

#[test]
fn the_one_shot_password_form_completes_in_one_answer() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("one@example.com", "one-shot-pass");
    let done = b.post("/v1/client/sign_ins", "identifier=one%40example.com&password=one-shot-pass&strategy=password", 200);
    let sid = done.body["response"]["created_session_id"].as_str().unwrap().to_string();
    assert_signed_in(&done, &sid);
}

#[test]
fn signing_in_with_an_email_code_from_the_outbox() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("code@example.com", "some-password");
    let started = b.post("/v1/client/sign_ins", "identifier=code%40example.com", 200);
    let id = started.body["response"]["id"].as_str().unwrap().to_string();
    let factor = started.body["response"]["supported_first_factors"].as_array().unwrap().iter().find(|f| f["strategy"] == "email_code").unwrap().clone();
    assert_eq!(factor["safe_identifier"], "code@example.com");
    let email_id = factor["email_address_id"].as_str().unwrap();
    b.post(&format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &format!("strategy=email_code&email_address_id={email_id}"), 200);
    let code = b.last_email("code@example.com")["code"].as_str().unwrap().to_string();
    let done = b.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &format!("strategy=email_code&code={code}"), 200);
    let sid = done.body["response"]["created_session_id"].as_str().unwrap().to_string();
    assert_signed_in(&done, &sid);
}

#[test]
fn a_bapi_sign_in_token_is_a_ticket_that_signs_in_once() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let user_id = b.bapi_user("ticket@example.com", "ticket-password");
    let token = b.bapi.post("/v1/sign_in_tokens", json!({"user_id": user_id}));
    assert_eq!(token.status, 200, "{}", token.text);
    let ticket = token.body["token"].as_str().unwrap().to_string();
    let done = b.post("/v1/client/sign_ins", &format!("strategy=ticket&ticket={ticket}"), 200);
    assert_eq!(done.body["response"]["status"], "complete");
    let sid = done.body["response"]["created_session_id"].as_str().unwrap().to_string();
    assert_signed_in(&done, &sid);
    b.post("/v1/client/sessions?_method=DELETE", "", 200);
    let again = b.post("/v1/client/sign_ins", &format!("strategy=ticket&ticket={ticket}"), 422);
    assert_eq!(again.code(), "ticket_invalid");
}

#[test]
fn unknown_identifiers_and_banned_users_are_refused() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let unknown = b.post("/v1/client/sign_ins", "identifier=nobody%40example.com", 422);
    assert_eq!((unknown.code(), unknown.param()), ("form_identifier_not_found", "identifier"));
    let user_id = b.bapi_user("banned@example.com", "banned-password");
    assert_eq!(b.bapi.post(&format!("/v1/users/{user_id}/ban"), json!({})).status, 200);
    let banned = b.post("/v1/client/sign_ins", "identifier=banned%40example.com&password=banned-password&strategy=password", 403);
    assert_eq!(banned.code(), "user_banned");
}

#[test]
fn switching_organization_by_touch_changes_the_token_claims() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let user_id = b.bapi_user("org@example.com", "org-password");
    let org = b.bapi.post("/v1/organizations", json!({"name": "Acme", "created_by": user_id}));
    let org_id = org.body["id"].as_str().unwrap().to_string();
    let sid = b.sign_in("org@example.com", "org-password");
    let touched = b.post(&format!("/v1/client/sessions/{sid}/touch"), &format!("active_organization_id={org_id}&intent=select_org"), 200);
    let session = &touched.body["response"];
    assert_eq!(session["last_active_organization_id"], org_id.as_str());
    let (header, payload) = claims(session["last_active_token"]["jwt"].as_str().unwrap());
    assert_eq!((payload["o"]["id"].as_str(), payload["o"]["rol"].as_str()), (Some(org_id.as_str()), Some("admin")));
    assert_eq!((payload["azp"].as_str(), payload["v"].as_i64()), (Some(ORIGIN), Some(2)));
    assert_eq!(header["oiat"], payload["iat"]);
    let membership = &session["user"]["organization_memberships"][0];
    assert_eq!(membership["organization"]["id"], org_id.as_str(), "the active org is found in the session user's memberships");
    let personal = b.post(&format!("/v1/client/sessions/{sid}/tokens"), "organization_id=", 200);
    assert!(claims(personal.body["jwt"].as_str().unwrap()).1.get("o").is_none());
    let with_org = b.post(&format!("/v1/client/sessions/{sid}/tokens"), &format!("organization_id={org_id}"), 200);
    assert_eq!(claims(with_org.body["jwt"].as_str().unwrap()).1["o"]["id"], org_id.as_str());
}

#[test]
fn browser_tokens_verify_with_the_backend_jwks_and_name_the_publishable_key_host() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("jwks@example.com", "jwks-password");
    let sid = b.sign_in("jwks@example.com", "jwks-password");
    let token = b.post(&format!("/v1/client/sessions/{sid}/tokens"), "", 200);
    let (header, payload) = claims(token.body["jwt"].as_str().unwrap());
    let jwks = b.bapi.get("/v1/jwks");
    assert_eq!(jwks.body["keys"][0]["kid"], header["kid"], "{}", jwks.text);
    let health = b.bapi.get("/__admin/health");
    let pk = health.body["publishable_key"].as_str().unwrap();
    let host = base64::engine::general_purpose::STANDARD_NO_PAD.decode(pk.trim_start_matches("pk_test_").trim_end_matches('=')).unwrap();
    let host = String::from_utf8(host).unwrap();
    assert_eq!(payload["iss"], format!("https://{}", host.trim_end_matches('$')));
    assert_eq!(payload["nbf"].as_i64().unwrap(), payload["iat"].as_i64().unwrap() - 10);
    assert_eq!(payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(), 60, "the default lifetime");
}

#[test]
fn a_template_token_carries_the_template_category_in_its_header_and_the_templates_claims() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let template = b.bapi.post("/v1/jwt_templates", json!({"name": "supabase", "claims": {"role": "authenticated", "email": "{{user.primary_email_address}}"}}));
    assert_eq!(template.status, 200, "{}", template.text);
    b.bapi_user("tmpl@example.com", "tmpl-password");
    let sid = b.sign_in("tmpl@example.com", "tmpl-password");
    let token = b.post(&format!("/v1/client/sessions/{sid}/tokens/supabase"), "", 200);
    let (header, payload) = claims(token.body["jwt"].as_str().unwrap());
    assert_eq!(header["cat"], "cl_B7d4PD222AAA", "{header}");
    assert_eq!(header["alg"], "RS256");
    assert_eq!(payload["role"], "authenticated");
    assert_eq!(payload["email"], "tmpl@example.com");
    let jwks = b.bapi.get("/v1/jwks");
    assert_eq!(jwks.body["keys"][0]["kid"], header["kid"], "signed by the instance key");
    let session = b.post(&format!("/v1/client/sessions/{sid}/tokens"), "", 200);
    assert_eq!(claims(session.body["jwt"].as_str().unwrap()).0["cat"], "cl_B7d4PD111AAA", "session tokens keep theirs");
}

#[test]
fn a_session_revoked_through_the_backend_api_signs_the_browser_out_at_its_next_token_call() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("rev@example.com", "revoke-password");
    let sid = b.sign_in("rev@example.com", "revoke-password");
    b.post(&format!("/v1/client/sessions/{sid}/tokens"), "", 200);
    assert_eq!(b.bapi.post(&format!("/v1/sessions/{sid}/revoke"), json!({})).status, 200);
    let refused = b.post(&format!("/v1/client/sessions/{sid}/tokens"), "", 401);
    assert_eq!(refused.code(), "signed_out");
    let client = b.get("/v1/client");
    assert_eq!(client.body["response"]["sessions"], json!([]), "{}", client.text);
}

#[test]
fn ending_a_session_and_signing_out_of_all_show_through_the_backend_api() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("end@example.com", "end-password");
    let sid = b.sign_in("end@example.com", "end-password");
    let got = b.get(&format!("/v1/client/sessions/{sid}"));
    assert_eq!(got.body["response"]["status"], "active", "{}", got.text);
    let ended = b.post(&format!("/v1/client/sessions/{sid}/end"), "", 200);
    assert_eq!(ended.body["response"]["status"], "ended");
    assert_eq!(b.bapi.get(&format!("/v1/sessions/{sid}")).body["status"], "ended");
    let sid = b.sign_in("end@example.com", "end-password");
    let removed = b.post(&format!("/v1/client/sessions/{sid}/remove"), "", 200);
    assert_eq!(removed.body["response"]["status"], "removed");
    let sid = b.sign_in("end@example.com", "end-password");
    let out = b.post("/v1/client/sessions?_method=DELETE", "", 200);
    assert_eq!(out.body["response"]["sessions"], json!([]), "{}", out.text);
    assert!(out.body["client"].is_null());
    assert_eq!(b.bapi.get(&format!("/v1/sessions/{sid}")).body["status"], "ended");
}

#[test]
fn the_browser_lists_its_memberships_and_creates_an_organization_the_backend_api_sees() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("me@example.com", "me-password-1");
    let sid = b.sign_in("me@example.com", "me-password-1");
    let none = b.get(&format!("/v1/me/organization_memberships?paginated=true&limit=10&offset=0&_clerk_session_id={sid}"));
    assert_eq!(none.body["response"], json!({"data": [], "total_count": 0}), "{}", none.text);
    let created = b.post(&format!("/v1/organizations?_clerk_session_id={sid}"), "name=Browser%20Org", 200);
    let org_id = created.body["response"]["id"].as_str().unwrap().to_string();
    let memberships = &created.body["client"]["sessions"][0]["user"]["organization_memberships"];
    assert_eq!(memberships[0]["role"], "org:admin", "{}", created.text);
    let listed = b.get(&format!("/v1/me/organization_memberships?paginated=true&_clerk_session_id={sid}"));
    assert_eq!(listed.body["response"]["total_count"], 1);
    let bapi = b.bapi.get(&format!("/v1/organizations/{org_id}/memberships"));
    assert_eq!(bapi.body["data"][0]["role"], "org:admin", "{}", bapi.text);
    for path in ["/v1/me/organization_invitations", "/v1/me/organization_suggestions"] {
        let r = b.get(&format!("{path}?paginated=true&_clerk_session_id={sid}"));
        assert_eq!(r.body["response"]["total_count"], 0, "{path}: {}", r.text);
    }
}

#[test]
fn an_organization_invitation_is_in_the_outbox_and_accepted_from_the_browser() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let owner = b.bapi_user("owner@example.com", "owner-password");
    b.bapi_user("guest@example.com", "guest-password");
    let org = b.bapi.post("/v1/organizations", json!({"name": "Guests", "created_by": owner}));
    let org_id = org.body["id"].as_str().unwrap().to_string();
    let inv = b.bapi.post(&format!("/v1/organizations/{org_id}/invitations"), json!({"email_address": "guest@example.com", "role": "org:member"}));
    assert_eq!(inv.status, 200, "{}", inv.text);
    let email = b.last_email("guest@example.com");
    assert!(email["subject"].as_str().unwrap().contains("Guests"), "{email}");
    assert!(email["link"].as_str().unwrap().contains("ticket="), "{email}");
    b.sign_in("guest@example.com", "guest-password");
    let listed = b.get("/v1/me/organization_invitations?paginated=true");
    assert_eq!(listed.body["response"]["total_count"], 1, "{}", listed.text);
    let inv_id = inv.body["id"].as_str().unwrap();
    let accepted = b.post(&format!("/v1/me/organization_invitations/{inv_id}/accept"), "", 200);
    assert_eq!(accepted.body["response"]["status"], "accepted");
    assert_eq!(accepted.body["client"]["sessions"][0]["user"]["organization_memberships"][0]["organization"]["id"], org_id.as_str());
}

#[test]
fn environment_urls_follow_the_admin_override_of_the_instance() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    let patched = b.bapi.patch("/__admin/frontend/environment", json!({"sign_in_url": "http://localhost:3000/sign-in", "home_url": "http://localhost:3000"}));
    assert_eq!(patched.status, 200, "{}", patched.text);
    let env = b.get("/v1/environment");
    assert_eq!(env.body["display_config"]["sign_in_url"], "http://localhost:3000/sign-in", "{}", env.text);
    assert_eq!(env.body["display_config"]["home_url"], "http://localhost:3000");
    let other = TestServer::start_with(|a| a.flows.sign_up_url = Some("http://localhost:4000/join".into()));
    let mut c = Browser::new(&other);
    assert_eq!(c.get("/v1/environment").body["display_config"]["sign_up_url"], "http://localhost:4000/join");
}

#[test]
fn the_verification_code_is_configurable() {
    let server = TestServer::start_with(|a| a.flows.verification_code = "135790".into());
    let mut b = Browser::new(&server);
    let created = b.post("/v1/client/sign_ups", "email_address=conf%40example.com&password=configured-code", 200);
    let id = created.body["response"]["id"].as_str().unwrap().to_string();
    b.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), "strategy=email_code", 200);
    assert_eq!(b.last_email("conf@example.com")["code"], "135790");
    b.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), "strategy=email_code&code=424242", 422);
    b.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), "strategy=email_code&code=135790", 200);
}

#[test]
fn the_handshake_redirects_with_a_nonce_whose_payload_the_backend_api_hands_out_once() {
    let server = TestServer::start();
    let mut b = Browser::new(&server);
    b.bapi_user("hs@example.com", "handshake-pass");
    let sid = b.sign_in("hs@example.com", "handshake-pass");
    let redirect = enc("http://localhost:3000/dashboard?tab=1");
    let hs = b.get(&format!("/v1/client/handshake?redirect_url={redirect}&format=nonce&suffixed_cookies=true&__clerk_hs_reason=dev-browser-missing"));
    assert_eq!(hs.status, 307, "{}", hs.text);
    let location = hs.header("location").unwrap().to_string();
    assert!(location.starts_with("http://localhost:3000/dashboard?tab=1&"), "{location}");
    let query: Vec<(String, String)> = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
    let nonce = query.iter().find(|(k, _)| k == "__clerk_handshake_nonce").map(|(_, v)| v.clone()).expect("a nonce");
    assert!(query.iter().any(|(k, _)| k == "__clerk_db_jwt"));
    let payload = b.bapi.get(&format!("/v1/clients/handshake_payload?nonce={nonce}"));
    assert_eq!(payload.status, 200, "{}", payload.text);
    let directives: Vec<String> = payload.body["directives"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_string()).collect();
    let session = directives.iter().find(|d| d.starts_with("__session=")).unwrap();
    let jwt = session.trim_start_matches("__session=").split(';').next().unwrap();
    assert_eq!(claims(jwt).1["sid"], sid.as_str());
    assert!(directives.iter().any(|d| d.starts_with("__session_")), "suffixed cookies too: {directives:?}");
    assert!(directives.iter().any(|d| d.starts_with("__clerk_db_jwt=")));
    let again = b.bapi.get(&format!("/v1/clients/handshake_payload?nonce={nonce}"));
    assert!((400..500).contains(&again.status), "a nonce is used once: {}", again.text);
}
