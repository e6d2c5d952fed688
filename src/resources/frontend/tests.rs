//! Unit tests of the flows: each handler called with a hand-built
//! [`FrontendCall`] over the FAPI spec, like the surface calls it, and every
//! answer checked against the spec's response schema.

use std::sync::{Arc, LazyLock};

use serde_json::{json, Map, Value};

use super::{handlers, FrontendAnswer, FrontendCall};
use crate::config::{FlowArgs, ServeArgs};
use crate::error::ApiError;
use crate::handler::Services;
use crate::openapi::Spec;
use crate::render::{check_response, Body, Rendered};
use crate::state::{Instance, Instances};
use crate::tokens::{keys, TokenSettings};
use crate::resources::collections::{CLIENTS, SESSIONS, USERS};

const FAPI_SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/clerk-openapi/fapi/fapi-2026-05-12.json");

static SPEC: LazyLock<Option<Arc<Spec>>> = LazyLock::new(|| Spec::load(std::path::Path::new(FAPI_SPEC)).ok().map(Arc::new));

/// One browser against one instance: its cookie jar is the `__client` cookie.
pub struct Browser {
    /// What the surface would hand over from the application (defaults).
    pub seed: u64,
    pub tokens: TokenSettings,
    pub flows: FlowArgs,
    pub bound_url: std::sync::OnceLock<String>,
    pub spec: Arc<Spec>,
    pub instance: Arc<Instance>,
    pub cookie: Option<String>,
    pub origin: String,
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A browser over a fresh instance, or `None` when the FAPI spec is not there.
pub fn browser() -> Option<Browser> {
    let spec = SPEC.clone()?;
    let config = ServeArgs::default();
    // As the application does at start-up: synthesis names ids from the table of kinds.
    crate::openapi::synth::set_id_prefixes(crate::resources::kinds::id_prefix);
    let tokens = TokenSettings::from_config(&config).ok()?;
    let instance = Instances::new(config.seed).get_or_create("sk_test_flows");
    let (seed, flows, bound_url) = (config.seed, config.flows, std::sync::OnceLock::new());
    Some(Browser { seed, tokens, flows, bound_url, spec, instance, cookie: None, origin: "http://localhost:3000".into() })
}

impl Browser {
    /// Calls operation `op_id` like the surface does; `Err` is the error answer.
    pub fn call(&mut self, op_id: &str, path: &[(&str, &str)], query: &[(&str, &str)], body: Value) -> Result<Answer, ApiError> {
        let op = self.spec.operation(op_id).unwrap_or_else(|| panic!("{op_id} is not in the spec"));
        let handler = handlers().iter().find(|(id, _)| *id == op_id).map(|(_, h)| *h).expect("a handler");
        let mut headers = vec![("origin".to_string(), self.origin.clone())];
        if let Some(c) = &self.cookie {
            headers.push(("cookie".into(), format!("__client={c}")));
        }
        let call = FrontendCall {
            services: self.services(),
            spec: &self.spec,
            op,
            instance: self.instance.clone(),
            method: &op.method,
            path: path.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
            query: Map::new(),
            raw_query: query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body,
            headers: &headers,
            frontend_url: "http://localhost:8788".into(),
        };
        let answer: FrontendAnswer = handler(&call)?;
        for (k, v) in &answer.headers {
            if k == "set-cookie" {
                if let Some(value) = v.strip_prefix("__client=").and_then(|rest| rest.split(';').next()) {
                    self.cookie = (!value.is_empty()).then(|| value.to_string());
                }
            }
        }
        if let Some(body) = &answer.body {
            let rendered = Rendered { status: answer.status, body: Body::Json(serde_json::to_vec(body).unwrap()), paginated_wrapper: false };
            if let Err(e) = check_response(op, &rendered) {
                panic!("{op_id} answered outside its schema: {}\n{body:#}", e.errors[0].long_message);
            }
        }
        Ok(Answer { status: answer.status, body: answer.body.unwrap_or(Value::Null), headers: answer.headers })
    }

    pub fn post(&mut self, op_id: &str, path: &[(&str, &str)], body: Value) -> Answer {
        self.call(op_id, path, &[], body).unwrap_or_else(|e| panic!("{op_id}: {:?}", e.errors))
    }

    pub fn fails(&mut self, op_id: &str, path: &[(&str, &str)], body: Value) -> ApiError {
        match self.call(op_id, path, &[], body) {
            Ok(a) => panic!("{op_id} should fail, answered {}: {}", a.status, a.body),
            Err(e) => e,
        }
    }

    fn services(&self) -> Services<'_> {
        Services { seed: self.seed, tokens: &self.tokens, flows: &self.flows, bound_url: &self.bound_url, listen: ("127.0.0.1", 8787) }
    }

    pub fn store(&self) -> crate::state::StoreGuard<'_> {
        self.instance.store.lock()
    }

    pub fn key(&self) -> Arc<keys::SigningKey> {
        keys::for_instance(&self.tokens, &self.instance).unwrap()
    }

    /// A user made the Backend API's way.
    pub fn bapi_user(&self, email: &str, password: &str) -> String {
        let user = crate::resources::users::insert_user(&mut self.store(), &json!({"email_address": [email], "password": password})).unwrap();
        user["id"].as_str().unwrap().to_string()
    }

    /// Signs in with the one-shot password form; returns the session id.
    pub fn sign_in(&mut self, email: &str, password: &str) -> String {
        let a = self.post("createSignIn", &[], json!({"identifier": email, "password": password, "strategy": "password"}));
        a.body["response"]["created_session_id"].as_str().unwrap().to_string()
    }
}

fn jwt_claims(jwt: &str) -> (Value, Value) {
    use base64::Engine;
    let part = |i: usize| -> Value {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(i).unwrap()).unwrap();
        serde_json::from_slice(&raw).unwrap()
    };
    (part(0), part(1))
}

macro_rules! browser_or_skip {
    () => {
        match browser() {
            Some(b) => b,
            None => {
                eprintln!("skipped: {FAPI_SPEC} is not there");
                return;
            }
        }
    };
}

#[test]
fn an_unknown_browser_gets_a_client_and_a_cookie_and_keeps_it() {
    let mut b = browser_or_skip!();
    let first = b.post("getClient", &[], json!({}));
    let cookie = first.header("set-cookie").unwrap().to_string();
    assert!(cookie.starts_with("__client=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(first.body["client"].is_null());
    let id = first.body["response"]["id"].as_str().unwrap().to_string();
    let again = b.post("getClient", &[], json!({}));
    assert!(again.header("set-cookie").is_none());
    assert_eq!(again.body["response"]["id"], id.as_str());
    assert!(b.store().get(CLIENTS, &id).is_some(), "clients are the Backend API's collection");
}

#[test]
fn a_dev_browser_token_names_its_client() {
    let mut b = browser_or_skip!();
    let dev = b.post("createDevBrowser", &[], json!({}));
    let token = dev.body["id"].as_str().unwrap().to_string();
    assert_eq!(dev.body["token"], token.as_str());
    b.cookie = None;
    let one = b.call("getClient", &[], &[("__clerk_db_jwt", &token)], json!({})).unwrap();
    let two = b.call("getClient", &[], &[("__clerk_db_jwt", &token)], json!({})).unwrap();
    assert_eq!(one.body["response"]["id"], two.body["response"]["id"]);
    let stored = b.store().iter(CLIENTS).filter(|c| c["_dev_browser"] == token.as_str()).count();
    assert_eq!(stored, 1);
}

#[test]
fn an_unknown_dev_browser_joins_the_cookie_client_instead_of_signing_it_out() {
    let mut b = browser_or_skip!();
    b.bapi_user("join@example.com", "join password");
    let sid = b.sign_in("join@example.com", "join password");
    let a = b.call("getClient", &[], &[("__clerk_db_jwt", "dvb_from_another_run")], json!({})).unwrap();
    assert_eq!(a.body["response"]["sessions"][0]["id"], sid.as_str());
    let stored = b.store().iter(CLIENTS).filter(|c| c["_dev_browser"] == "dvb_from_another_run").count();
    assert_eq!(stored, 1);
}

#[test]
fn the_environment_validates_and_follows_the_instance_urls() {
    let mut b = browser_or_skip!();
    b.store().set_singleton("frontend_environment", json!({"sign_in_url": "http://localhost:3000/sign-in"}));
    let env = b.post("getEnvironment", &[], json!({}));
    assert_eq!(env.body["display_config"]["sign_in_url"], "http://localhost:3000/sign-in");
    assert_eq!(env.body["auth_config"]["single_session_mode"], true);
    assert_eq!(env.body["user_settings"]["password_settings"]["min_length"], crate::resources::passwords::MIN_LENGTH);
    assert_eq!(env.body["user_settings"]["sign_up"]["captcha_enabled"], false);
    assert!(env.body.get("protect_config").is_none() && env.body.get("commerce_settings").is_none());
    assert!(b.store().iter(CLIENTS).next().is_none(), "the environment makes no client");
}

#[test]
fn signing_up_with_an_email_code_creates_the_user_and_an_active_session() {
    let mut b = browser_or_skip!();
    let created = b.post("createSignUps", &[], json!({"email_address": "ada@example.com", "password": "correct horse battery"}));
    let su = &created.body["response"];
    assert_eq!(su["status"], "missing_requirements");
    assert_eq!(su["unverified_fields"], json!(["email_address"]));
    assert_eq!(su["missing_fields"], json!([]));
    assert_eq!(created.body["client"]["sign_up"]["id"], su["id"]);
    let id = su["id"].as_str().unwrap().to_string();
    b.post("prepareSignUpsVerification", &[("sign_up_id", &id)], json!({"strategy": "email_code"}));
    let sent = crate::resources::outbox::list(&b.store(), crate::resources::outbox::EMAILS, Some("ada@example.com")).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["code"], "424242");
    assert_eq!(sent[0]["belongs_to"]["id"], id.as_str());
    let wrong = b.fails("attemptSignUpsVerification", &[("sign_up_id", &id)], json!({"strategy": "email_code", "code": "000000"}));
    assert_eq!((wrong.status, wrong.errors[0].code.as_str()), (422, "form_code_incorrect"));
    let done = b.post("attemptSignUpsVerification", &[("sign_up_id", &id)], json!({"strategy": "email_code", "code": "424242"}));
    let su = &done.body["response"];
    assert_eq!(su["status"], "complete");
    let user_id = su["created_user_id"].as_str().unwrap();
    let session_id = su["created_session_id"].as_str().unwrap();
    let client = &done.body["client"];
    assert_eq!(client["last_active_session_id"], session_id);
    let session = &client["sessions"][0];
    assert_eq!((session["id"].as_str(), session["status"].as_str()), (Some(session_id), Some("active")));
    assert_eq!(session["user"]["email_addresses"][0]["email_address"], "ada@example.com");
    let jwt = session["last_active_token"]["jwt"].as_str().unwrap();
    let claims = b.key().verify(jwt, true).unwrap();
    assert_eq!((claims["sub"].as_str(), claims["sid"].as_str()), (Some(user_id), Some(session_id)));
    assert!(claims["iat"].as_i64().unwrap() >= client["updated_at"].as_i64().unwrap() / 1000, "iat ≥ __client_uat");
    let store = b.store();
    let user = store.get(USERS, user_id).unwrap();
    assert_eq!(user["password_enabled"], true);
    assert!(crate::resources::passwords::verify(&user["_password"], "correct horse battery"));
    assert_eq!(store.get(SESSIONS, session_id).unwrap()["client_id"], client["id"]);
}

#[test]
fn signing_up_with_a_taken_email_or_a_short_password_answers_clerks_422s() {
    let mut b = browser_or_skip!();
    b.bapi_user("taken@example.com", "long enough password");
    let taken = b.fails("createSignUps", &[], json!({"email_address": "Taken@example.com", "password": "long enough password"}));
    assert_eq!((taken.status, taken.errors[0].code.as_str()), (422, "form_identifier_exists"));
    assert_eq!(taken.errors[0].meta.as_ref().unwrap()["param_name"], "email_address");
    let short = b.fails("createSignUps", &[], json!({"email_address": "new@example.com", "password": "short"}));
    assert_eq!(short.errors[0].code, "form_password_length_too_short");
    assert_eq!(short.errors[0].meta.as_ref().unwrap()["param_name"], "password");
}

#[test]
fn a_sign_up_can_be_completed_by_update_and_shows_what_is_missing() {
    let mut b = browser_or_skip!();
    let created = b.post("createSignUps", &[], json!({"email_address": "upd@example.com"}));
    assert_eq!(created.body["response"]["missing_fields"], json!(["password"]));
    let id = created.body["response"]["id"].as_str().unwrap().to_string();
    let updated = b.post("updateSignUps", &[("sign_up_id", &id)], json!({"password": "a fine password", "first_name": "Ada"}));
    assert_eq!(updated.body["response"]["missing_fields"], json!([]));
    assert_eq!(updated.body["response"]["first_name"], "Ada");
}

#[test]
fn a_bapi_user_signs_in_with_identifier_then_password() {
    let mut b = browser_or_skip!();
    let user_id = b.bapi_user("grace@example.com", "hopper hopper");
    let started = b.post("createSignIn", &[], json!({"identifier": "grace@example.com"}));
    let si = &started.body["response"];
    assert_eq!(si["status"], "needs_first_factor");
    let strategies: Vec<&str> = si["supported_first_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
    assert_eq!(strategies, vec!["password", "email_code"]);
    let id = si["id"].as_str().unwrap().to_string();
    let wrong = b.fails("attemptSignInFactorOne", &[("sign_in_id", &id)], json!({"strategy": "password", "password": "nope nope"}));
    assert_eq!((wrong.status, wrong.errors[0].code.as_str()), (422, "form_password_incorrect"));
    let done = b.post("attemptSignInFactorOne", &[("sign_in_id", &id)], json!({"strategy": "password", "password": "hopper hopper"}));
    assert_eq!(done.body["response"]["status"], "complete");
    let sid = done.body["response"]["created_session_id"].as_str().unwrap();
    assert_eq!(done.body["client"]["sessions"][0]["id"], sid);
    assert_eq!(done.body["client"]["sessions"][0]["user"]["id"], user_id.as_str());
    assert!(done.body["client"]["sessions"][0]["last_active_token"]["jwt"].is_string());
    let again = b.fails("createSignIn", &[], json!({"identifier": "grace@example.com"}));
    assert_eq!(again.errors[0].code, "session_exists", "single-session mode");
}

#[test]
fn the_one_shot_password_sign_in_completes_in_one_answer() {
    let mut b = browser_or_skip!();
    b.bapi_user("one@example.com", "one shot pass");
    let a = b.post("createSignIn", &[], json!({"identifier": "one@example.com", "password": "one shot pass", "strategy": "password"}));
    assert_eq!(a.body["response"]["status"], "complete");
    assert_eq!(a.body["client"]["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn signing_in_with_an_email_code_reads_the_code_from_the_outbox() {
    let mut b = browser_or_skip!();
    b.bapi_user("code@example.com", "some password");
    let started = b.post("createSignIn", &[], json!({"identifier": "code@example.com"}));
    let id = started.body["response"]["id"].as_str().unwrap().to_string();
    let email_id = started.body["response"]["supported_first_factors"][1]["email_address_id"].as_str().unwrap().to_string();
    let prepared = b.post("prepareSignInFactorOne", &[("sign_in_id", &id)], json!({"strategy": "email_code", "email_address_id": email_id}));
    assert_eq!(prepared.body["response"]["first_factor_verification"]["status"], "unverified");
    let code = crate::resources::outbox::list(&b.store(), crate::resources::outbox::EMAILS, Some("code@example.com"))[0]["code"].as_str().unwrap().to_string();
    let done = b.post("attemptSignInFactorOne", &[("sign_in_id", &id)], json!({"strategy": "email_code", "code": code}));
    assert_eq!(done.body["response"]["status"], "complete");
}

#[test]
fn unknown_identifiers_and_banned_users_are_refused() {
    let mut b = browser_or_skip!();
    let unknown = b.fails("createSignIn", &[], json!({"identifier": "nobody@example.com"}));
    assert_eq!((unknown.status, unknown.errors[0].code.as_str()), (422, "form_identifier_not_found"));
    let user_id = b.bapi_user("banned@example.com", "banned password");
    b.store().get_mut(USERS, &user_id).unwrap()["banned"] = json!(true);
    let banned = b.fails("createSignIn", &[], json!({"identifier": "banned@example.com", "password": "banned password", "strategy": "password"}));
    assert_eq!((banned.status, banned.errors[0].code.as_str()), (403, "user_banned"));
}

/// A sign-in token as BAPI's `POST /sign_in_tokens` stores it.
fn sign_in_token(b: &Browser, user_id: &str) -> String {
    let key = b.key();
    let ticket = key.sign(&json!({"sub": user_id, "sid": "sit_1", "exp": crate::tokens::now_secs() + 600})).unwrap();
    b.store().insert(crate::state::CollectionKey::named("sign_in_tokens"), "sit_1", json!({"id": "sit_1", "status": "pending", "user_id": user_id, "token": ticket}));
    ticket
}

#[test]
fn a_ticket_signs_in_at_once_and_only_once() {
    let mut b = browser_or_skip!();
    let user_id = b.bapi_user("ticket@example.com", "ticket password");
    let ticket = sign_in_token(&b, &user_id);
    let a = b.post("createSignIn", &[], json!({"strategy": "ticket", "ticket": ticket}));
    assert_eq!(a.body["response"]["status"], "complete");
    assert_eq!(b.store().get(crate::state::CollectionKey::named("sign_in_tokens"), "sit_1").unwrap()["status"], "accepted");
    b.post("removeClientSessionsAndRetainCookie", &[], json!({}));
    let reused = b.fails("createSignIn", &[], json!({"strategy": "ticket", "ticket": ticket}));
    assert_eq!(reused.errors[0].code, "ticket_invalid");
}

fn org_with_member(b: &Browser, user_id: &str) -> String {
    let mut store = b.store();
    let org = crate::resources::organizations::insert_organization(&mut store, &json!({"name": "Acme", "created_by": user_id})).unwrap();
    org["id"].as_str().unwrap().to_string()
}

#[test]
fn touching_with_an_organization_switches_it_and_tokens_carry_it() {
    let mut b = browser_or_skip!();
    let user_id = b.bapi_user("org@example.com", "org password");
    let org = org_with_member(&b, &user_id);
    let sid = b.sign_in("org@example.com", "org password");
    let touched = b.post("touchSession", &[("session_id", &sid)], json!({"active_organization_id": org, "intent": "select_org"}));
    assert_eq!(touched.body["response"]["last_active_organization_id"], org.as_str());
    let (header, claims) = jwt_claims(touched.body["response"]["last_active_token"]["jwt"].as_str().unwrap());
    assert_eq!(claims["o"]["id"], org.as_str());
    assert_eq!(claims["o"]["rol"], "admin");
    assert_eq!((header["cat"].as_str(), claims["azp"].as_str()), (Some("cl_B7d4PD111AAA"), Some("http://localhost:3000")));
    assert_eq!(claims["nbf"].as_i64().unwrap(), claims["iat"].as_i64().unwrap() - 10);
    assert_eq!(header["oiat"], claims["iat"]);
    assert_eq!(touched.body["response"]["user"]["organization_memberships"][0]["organization"]["id"], org.as_str());
    let personal = b.post("createSessionToken", &[("session_id", &sid)], json!({"organization_id": ""}));
    assert_eq!(personal.body["object"], "token");
    assert!(jwt_claims(personal.body["jwt"].as_str().unwrap()).1.get("o").is_none());
    let with_org = b.post("createSessionToken", &[("session_id", &sid)], json!({}));
    assert_eq!(jwt_claims(with_org.body["jwt"].as_str().unwrap()).1["o"]["id"], org.as_str());
    let outsider = b.fails("touchSession", &[("session_id", &sid)], json!({"active_organization_id": "org_unknown"}));
    assert_eq!(outsider.status, 404);
}

#[test]
fn a_session_revoked_through_the_backend_api_fails_its_next_token_call_and_leaves_the_client() {
    let mut b = browser_or_skip!();
    b.bapi_user("rev@example.com", "revoke password");
    let sid = b.sign_in("rev@example.com", "revoke password");
    b.post("createSessionToken", &[("session_id", &sid)], json!({}));
    b.store().get_mut(SESSIONS, &sid).unwrap()["status"] = json!("revoked");
    let refused = b.fails("createSessionToken", &[("session_id", &sid)], json!({}));
    assert_eq!((refused.status, refused.errors[0].code.as_str()), (401, "signed_out"));
    let client = b.post("getClient", &[], json!({}));
    assert_eq!(client.body["response"]["sessions"], json!([]));
    assert!(client.body["response"]["last_active_session_id"].is_null());
}

#[test]
fn ending_removing_and_signing_out_of_all_sessions() {
    let mut b = browser_or_skip!();
    b.bapi_user("end@example.com", "end password");
    let sid = b.sign_in("end@example.com", "end password");
    let got = b.post("getSession", &[("session_id", &sid)], json!({}));
    assert_eq!(got.body["response"]["status"], "active");
    let ended = b.post("endSession", &[("session_id", &sid)], json!({}));
    assert_eq!(ended.body["response"]["status"], "ended");
    assert_eq!(ended.body["client"]["sessions"], json!([]));
    let sid = b.sign_in("end@example.com", "end password");
    let removed = b.post("removeSession", &[("session_id", &sid)], json!({}));
    assert_eq!(removed.body["response"]["status"], "removed");
    let sid = b.sign_in("end@example.com", "end password");
    let out = b.post("removeClientSessionsAndRetainCookie", &[], json!({}));
    assert_eq!(out.body["response"]["sessions"], json!([]));
    assert!(out.body["client"].is_null());
    assert_eq!(b.store().get(SESSIONS, &sid).unwrap()["status"], "ended");
}

#[test]
fn the_browser_lists_its_memberships_and_creates_an_organization() {
    let mut b = browser_or_skip!();
    b.bapi_user("me@example.com", "me password");
    let sid = b.sign_in("me@example.com", "me password");
    let none = b.call("getOrganizationMemberships", &[], &[("paginated", "true"), ("_clerk_session_id", &sid)], json!({})).unwrap();
    assert_eq!(none.body["response"], json!({"data": [], "total_count": 0}));
    let created = b.post("createOrganization", &[], json!({"name": "Browser Org"}));
    let org = &created.body["response"];
    assert_eq!(org["slug"], "browser-org");
    let memberships = &created.body["client"]["sessions"][0]["user"]["organization_memberships"];
    assert_eq!(memberships[0]["role"], "org:admin");
    assert_eq!(memberships[0]["organization"]["id"], org["id"]);
    let listed = b.call("getOrganizationMemberships", &[], &[("paginated", "true"), ("limit", "5")], json!({})).unwrap();
    assert_eq!(listed.body["response"]["total_count"], 1);
    let sugg = b.call("getOrganizationSuggestions", &[], &[("paginated", "true")], json!({})).unwrap();
    assert_eq!(sugg.body["response"]["total_count"], 0);
    let inv = b.call("getUsersOrganizationInvitations", &[], &[("paginated", "true")], json!({})).unwrap();
    assert_eq!(inv.body["response"]["total_count"], 0);
}

#[test]
fn signed_out_browsers_get_a_401_from_me_calls() {
    let mut b = browser_or_skip!();
    let e = b.fails("getOrganizationMemberships", &[], json!({}));
    assert_eq!((e.status, e.errors[0].code.as_str()), (401, "signed_out"));
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

#[test]
fn a_nonce_handshake_redirects_back_and_its_payload_signs_the_app_in_once() {
    let mut b = browser_or_skip!();
    b.bapi_user("hs@example.com", "handshake pass");
    let sid = b.sign_in("hs@example.com", "handshake pass");
    let query = [("redirect_url", "http://localhost:3000/dashboard?x=1"), ("format", "nonce"), ("suffixed_cookies", "true")];
    let a = b.call("handshakeClient", &[], &query, json!({})).unwrap();
    assert_eq!(a.status, 307);
    let location = a.header("location").unwrap();
    assert!(location.starts_with("http://localhost:3000/dashboard?x=1&"), "{location}");
    let params = query_of(location);
    let nonce = &params.iter().find(|(k, _)| k == "__clerk_handshake_nonce").unwrap().1;
    let dev = &params.iter().find(|(k, _)| k == "__clerk_db_jwt").unwrap().1;
    let payload = super::handshake::handshake_payload(&b.instance, nonce).unwrap();
    let directives: Vec<&str> = payload["directives"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    let suffix = super::handshake::cookie_suffix(&b.tokens.publishable_key);
    for name in ["__session", "__client_uat", "__clerk_db_jwt", &format!("__session_{suffix}"), &format!("__client_uat_{suffix}")] {
        assert!(directives.iter().any(|d| d.starts_with(&format!("{name}="))), "{name} in {directives:?}");
    }
    let value = |name: &str| directives.iter().find_map(|d| d.strip_prefix(&format!("{name}="))).unwrap().split(';').next().unwrap().to_string();
    let claims = b.key().verify(&value("__session"), true).unwrap();
    assert_eq!(claims["sid"], sid.as_str());
    assert!(claims["iat"].as_i64().unwrap() >= value("__client_uat").parse::<i64>().unwrap());
    assert_eq!(&value("__clerk_db_jwt"), dev);
    assert!(directives.iter().any(|d| d.starts_with("__client_uat=") && d.contains("Domain=localhost")));
    let again = super::handshake::handshake_payload(&b.instance, nonce).unwrap_err();
    assert_eq!(again.status, 404, "a nonce is used once");
}

#[test]
fn a_signed_out_token_format_handshake_clears_the_session_cookies() {
    let mut b = browser_or_skip!();
    let a = b.call("handshakeClient", &[], &[("redirect_url", "http://localhost:3000/")], json!({})).unwrap();
    let params = query_of(a.header("location").unwrap());
    let jwt = &params.iter().find(|(k, _)| k == "__clerk_handshake").unwrap().1;
    let claims = b.key().verify(jwt, false).unwrap();
    let directives: Vec<&str> = claims["handshake"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(directives.iter().any(|d| d.starts_with("__session=;") && d.contains("Max-Age=0")));
    assert!(directives.iter().any(|d| d.starts_with("__client_uat=0;")));
    assert_eq!(directives.len(), 3, "no suffixed cookies unless asked");
    let missing = b.call("handshakeClient", &[], &[], json!({})).err().unwrap();
    assert_eq!(missing.errors[0].code, "form_param_missing");
}
