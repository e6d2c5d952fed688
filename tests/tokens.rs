//! Tokens the mock mints, verified in Rust against the JWKS it serves:
//! session tokens, template tokens, key rotation, sign-in, actor and
//! testing tokens, and the issuer / publishable key it advertises.

mod common;

use common::{Client, TestServer};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A server whose instances all sign with the committed test key.
fn server() -> TestServer {
    TestServer::start_with(|args| args.signing_key = Some(fixture("signing_key.pem")))
}

fn user(c: &Client, email: &str) -> String {
    let r = c.post("/v1/users", json!({"email_address": [email], "first_name": "Tia", "public_metadata": {"plan": "pro"}}));
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn session_of(c: &Client, user_id: &str, org: Option<&str>) -> String {
    let mut body = json!({"user_id": user_id});
    if let Some(org) = org {
        body["active_organization_id"] = json!(org);
    }
    let r = c.post("/v1/sessions", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn mint(c: &Client, session: &str, body: Value) -> String {
    let r = c.post(&format!("/v1/sessions/{session}/tokens"), body);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["object"], "token");
    r.body["jwt"].as_str().unwrap().to_string()
}

/// Verifies a JWT against the JWKS the mock serves now, as an SDK would.
fn verify(c: &Client, jwt: &str) -> Result<Value, String> {
    let jwks: JwkSet = serde_json::from_value(c.get("/v1/jwks").body).map_err(|e| e.to_string())?;
    let kid = decode_header(jwt).map_err(|e| e.to_string())?.kid.ok_or("no kid")?;
    let jwk = jwks.find(&kid).ok_or_else(|| format!("kid {kid} is not in the JWKS"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    decode::<Value>(jwt, &key, &validation).map(|d| d.claims).map_err(|e| e.to_string())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn a_session_token_verifies_against_the_jwks_with_clerks_claims_and_no_audience() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let s = session_of(&c, &u, None);
    let jwt = mint(&c, &s, json!({}));

    let header = decode_header(&jwt).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let jwks = c.get("/v1/jwks").body;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    let published = &jwks["keys"][0];
    assert_eq!((published["kty"].as_str(), published["use"].as_str(), published["alg"].as_str()), (Some("RSA"), Some("sig"), Some("RS256")));
    assert_eq!(published["e"], "AQAB");
    assert_eq!(header.kid.as_deref(), published["kid"].as_str());

    let claims = verify(&c, &jwt).expect("the token verifies");
    assert_eq!(claims["sub"], u.as_str());
    assert_eq!(claims["sid"], s.as_str());
    assert_eq!(claims["iss"], "https://clerk.mock.localhost");
    assert_eq!(claims["v"], 2);
    let (iat, nbf, exp) = (claims["iat"].as_i64().unwrap(), claims["nbf"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!((iat - now()).abs() <= 5, "issued now");
    assert!(nbf <= iat);
    assert_eq!(exp - iat, 60, "Clerk's 60-second lifetime");
    for absent in ["aud", "azp", "o"] {
        assert!(claims.get(absent).is_none(), "{absent} must not be in {claims}");
    }
}

#[test]
fn expires_in_seconds_sets_the_lifetime_within_the_specs_bounds() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let s = session_of(&c, &u, None);
    let claims = verify(&c, &mint(&c, &s, json!({"expires_in_seconds": 3600}))).unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);
    let too_short = c.post(&format!("/v1/sessions/{s}/tokens"), json!({"expires_in_seconds": 5}));
    assert_eq!(too_short.status, 422);
}

#[test]
fn revoked_and_unknown_sessions_get_no_token() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let s = session_of(&c, &u, None);
    c.post(&format!("/v1/sessions/{s}/revoke"), json!({}));
    let refused = c.post(&format!("/v1/sessions/{s}/tokens"), json!({}));
    assert_eq!((refused.status, refused.code()), (404, "resource_not_found"));
    assert!(refused.body["errors"][0]["long_message"].as_str().unwrap().contains("revoked"));
    assert_eq!(c.post("/v1/sessions/sess_ghost/tokens", json!({})).status, 404);
    let templated = c.post(&format!("/v1/sessions/{s}/tokens/any"), json!({}));
    assert_eq!(templated.status, 404);
}

#[test]
fn an_active_organization_puts_v2_org_claims_with_custom_permissions_in_the_token() {
    let server = server();
    let c = server.client().with_version(Some("2026-05-12"));
    let u = user(&c, "tia@example.com");
    let perm = c.post("/v1/organization_permissions", json!({"name": "Read reports", "key": "org:reports:read"}));
    let role = c.post("/v1/organization_roles", json!({"name": "Analyst", "key": "org:analyst", "permissions": [perm.body["id"]]}));
    assert_eq!(role.status, 200, "{}", role.text);
    let org = c.post("/v1/organizations", json!({"name": "Acme", "slug": "acme"}));
    let org_id = org.body["id"].as_str().unwrap().to_string();
    let m = c.post(&format!("/v1/organizations/{org_id}/memberships"), json!({"user_id": u, "role": "org:analyst"}));
    assert_eq!(m.status, 200, "{}", m.text);
    let s = session_of(&c, &u, Some(&org_id));
    let claims = verify(&c, &mint(&c, &s, json!({}))).unwrap();
    assert_eq!(claims["o"]["id"], org_id.as_str());
    assert_eq!(claims["o"]["slg"], "acme");
    assert_eq!(claims["o"]["rol"], "analyst");
    assert_eq!(claims["o"]["per"], "read");
    assert_eq!(claims["o"]["fpm"], "1");
    assert_eq!(claims["fea"], "o:reports");
}

#[test]
fn a_template_token_renders_its_claims_with_the_templates_lifetime() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let org = c.post("/v1/organizations", json!({"name": "Acme", "created_by": u}));
    let org_id = org.body["id"].as_str().unwrap().to_string();
    let t = c.post("/v1/jwt_templates", json!({
        "name": "hasura",
        "claims": {"email": "{{user.primary_email_address}}", "meta": "{{user.public_metadata}}", "org": "{{org.id}}", "role": "{{org.role}}", "greeting": "hi {{user.first_name}}", "sub": "forged"},
        "lifetime": 300,
        "allowed_clock_skew": 10
    }));
    assert_eq!(t.status, 200, "{}", t.text);
    let dup = c.post("/v1/jwt_templates", json!({"name": "hasura", "claims": {}}));
    assert_eq!((dup.status, dup.code()), (422, "form_identifier_exists"));

    let s = session_of(&c, &u, Some(&org_id));
    let r = c.post(&format!("/v1/sessions/{s}/tokens/hasura"), json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let claims = verify(&c, r.body["jwt"].as_str().unwrap()).unwrap();
    assert_eq!(claims["email"], "tia@example.com");
    assert_eq!(claims["meta"], json!({"plan": "pro"}));
    assert_eq!(claims["org"], org_id.as_str());
    assert_eq!(claims["role"], "org:admin");
    assert_eq!(claims["greeting"], "hi Tia");
    assert_eq!(claims["sub"], u.as_str(), "templates cannot override default claims");
    assert_eq!(claims["iss"], "https://clerk.mock.localhost");
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 300);
    assert_eq!(iat - claims["nbf"].as_i64().unwrap(), 10);
    assert!(claims["jti"].is_string());
    assert_eq!(c.post(&format!("/v1/sessions/{s}/tokens/nope"), json!({})).status, 404);
}

#[test]
fn a_template_with_a_custom_hs256_key_signs_with_that_key() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let t = c.post("/v1/jwt_templates", json!({
        "name": "firebase", "claims": {"uid": "{{user.id}}"},
        "custom_signing_key": true, "signing_algorithm": "HS256", "signing_key": "shh-secret"
    }));
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["custom_signing_key"], true);
    assert!(t.body.get("signing_key").is_none() && !t.text.contains("shh-secret"), "the key is never answered");
    let s = session_of(&c, &u, None);
    let jwt = c.post(&format!("/v1/sessions/{s}/tokens/firebase"), json!({})).body["jwt"].as_str().unwrap().to_string();
    let claims = decode::<Value>(&jwt, &DecodingKey::from_secret(b"shh-secret"), &Validation::new(Algorithm::HS256)).unwrap().claims;
    assert_eq!(claims["uid"], u.as_str());
    let bad = c.post("/v1/jwt_templates", json!({"name": "x", "claims": {}, "custom_signing_key": true, "signing_algorithm": "RS256", "signing_key": "nope"}));
    assert_eq!((bad.status, bad.param()), (422, "signing_key"));
}

#[test]
fn after_a_rotation_old_tokens_no_longer_verify_and_new_ones_do() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let s = session_of(&c, &u, None);
    let before = mint(&c, &s, json!({}));
    assert!(verify(&c, &before).is_ok());
    let old_kid = c.get("/v1/jwks").body["keys"][0]["kid"].clone();

    let rotated = c.send("POST", "/__admin/signing_key/rotate", None, None);
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.body["previous_kid"], old_kid);
    assert_ne!(rotated.body["kid"], old_kid);
    let jwks = c.get("/v1/jwks").body;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], rotated.body["kid"]);

    let err = verify(&c, &before).unwrap_err();
    assert!(err.contains("not in the JWKS"), "{err}");
    assert!(verify(&c, &mint(&c, &s, json!({}))).is_ok());

    let other = server.client();
    assert_eq!(other.get("/v1/jwks").body["keys"][0]["kid"], old_kid, "rotation is per instance");
    assert_eq!(c.clone().without_key().send("POST", "/__admin/signing_key/rotate", None, None).status, 401);
}

#[test]
fn the_configured_key_is_published_and_its_pem_offered_for_networkless_checks() {
    let server = server();
    let c = server.client();
    let key = c.get("/__admin/signing_key");
    assert_eq!(key.status, 200, "{}", key.text);
    let expected = std::fs::read_to_string(fixture("signing_key.pub.pem")).unwrap();
    assert_eq!(key.body["public_key_pem"].as_str().unwrap().trim(), expected.trim());
    assert_eq!(key.body["jwks"], c.get("/v1/jwks").body);
    assert!(key.body["jwks_url"].as_str().unwrap().ends_with("/v1/jwks"));
    assert_eq!(server.client().get("/v1/jwks").body, c.get("/v1/jwks").body, "one configured key for every instance");
}

#[test]
fn without_a_configured_key_each_instance_generates_its_own() {
    let server = TestServer::start();
    let (a, b) = (server.client(), server.client());
    let (ka, kb) = (a.get("/v1/jwks").body, b.get("/v1/jwks").body);
    assert_eq!(ka["keys"][0]["kty"], "RSA");
    assert_ne!(ka["keys"][0]["kid"], kb["keys"][0]["kid"]);
    assert_eq!(a.get("/v1/jwks").body, ka, "stable once generated");
}

/// The moduli of `n` fresh instances' keys, as big integers from their JWKS.
fn moduli(server: &TestServer, n: usize) -> Vec<num_bigint_dig::BigUint> {
    use base64::Engine;
    (0..n)
        .map(|_| {
            let jwks = server.client().get("/v1/jwks").body;
            let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwks["keys"][0]["n"].as_str().unwrap()).unwrap();
            num_bigint_dig::BigUint::from_bytes_be(&n)
        })
        .collect()
}

fn gcd(mut a: num_bigint_dig::BigUint, mut b: num_bigint_dig::BigUint) -> num_bigint_dig::BigUint {
    while b != num_bigint_dig::BigUint::from(0u32) {
        let r = &a % &b;
        a = b;
        b = r;
    }
    a
}

#[test]
fn a_burst_of_new_instances_gets_distinct_2048_bit_keys_from_the_pool() {
    let server = TestServer::start();
    let keys = moduli(&server, 30);
    let distinct: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(distinct.len(), 30, "every instance has a modulus of its own");
    assert!(keys.iter().all(|n| n.bits() == 2048));
}

#[test]
fn with_independent_signing_keys_no_two_instances_moduli_share_a_prime() {
    let server = TestServer::start_with(|args| args.independent_signing_keys = true);
    let keys = moduli(&server, 3);
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            assert_eq!(gcd(a.clone(), b.clone()), num_bigint_dig::BigUint::from(1u32));
        }
    }
}

#[test]
fn health_advertises_the_issuer_publishable_key_and_jwks_url() {
    let server = TestServer::start_with(|args| args.frontend_host = "clerk.example.test".into());
    let health = server.client().without_key().get("/__admin/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.body["issuer"], "https://clerk.example.test");
    assert_eq!(health.body["publishable_key"], "pk_test_Y2xlcmsuZXhhbXBsZS50ZXN0JA");
    assert!(health.body["jwks_url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
}

#[test]
fn the_deprecated_verify_and_client_verify_accept_the_mocks_tokens() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let session = c.post("/v1/sessions", json!({"user_id": u})).body;
    let s = session["id"].as_str().unwrap();
    let jwt = mint(&c, s, json!({}));
    let client = c.post("/v1/clients/verify", json!({"token": jwt}));
    assert_eq!(client.status, 200, "{}", client.text);
    assert_eq!(client.body["id"], session["client_id"]);
    let forged = c.post("/v1/clients/verify", json!({"token": "eyJhbGciOiJub25lIn0.e30."}));
    assert_eq!((forged.status, forged.code()), (400, "token_invalid"));

    let v1 = c.clone().with_version(None);
    let verified = v1.post(&format!("/v1/sessions/{s}/verify"), json!({"token": jwt}));
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["id"], s);
}

#[test]
fn refresh_turns_an_old_token_of_an_active_session_into_a_new_one() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let s = session_of(&c, &u, None);
    let old = mint(&c, &s, json!({}));
    let body = json!({"expired_token": old, "refresh_token": "rt", "request_origin": "http://localhost:3000"});
    let fresh = c.post(&format!("/v1/sessions/{s}/refresh"), body.clone());
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(verify(&c, fresh.body["jwt"].as_str().unwrap()).unwrap()["sid"], s.as_str());
    c.post(&format!("/v1/sessions/{s}/revoke"), json!({}));
    assert_eq!(c.post(&format!("/v1/sessions/{s}/refresh"), body).status, 401);
}

#[test]
fn sign_in_tokens_are_signed_tickets_that_can_be_revoked_once() {
    let server = server();
    let c = server.client();
    let u = user(&c, "tia@example.com");
    let t = c.post("/v1/sign_in_tokens", json!({"user_id": u, "expires_in_seconds": 600}));
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["status"], "pending");
    let ticket = t.body["token"].as_str().unwrap();
    assert!(t.body["url"].as_str().unwrap().contains(ticket));
    let claims = verify(&c, ticket).unwrap();
    assert_eq!(claims["sub"], u.as_str());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);
    let id = t.body["id"].as_str().unwrap();
    let revoked = c.post(&format!("/v1/sign_in_tokens/{id}/revoke"), json!({}));
    assert_eq!(revoked.body["status"], "revoked");
    let again = c.post(&format!("/v1/sign_in_tokens/{id}/revoke"), json!({}));
    assert_eq!((again.status, again.code()), (400, "cannot_revoke"));
    assert_eq!(c.post("/v1/sign_in_tokens", json!({"user_id": "user_ghost"})).status, 404);
}

#[test]
fn actor_tokens_name_the_impersonator_and_can_be_revoked() {
    let server = server();
    let c = server.client();
    let (target, admin) = (user(&c, "t@example.com"), user(&c, "admin@example.com"));
    let t = c.post("/v1/actor_tokens", json!({"user_id": target, "actor": {"sub": admin}, "expires_in_seconds": 600}));
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["actor"]["sub"], admin.as_str());
    let claims = verify(&c, t.body["token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["act"]["sub"], admin.as_str());
    let id = t.body["id"].as_str().unwrap();
    assert_eq!(c.post(&format!("/v1/actor_tokens/{id}/revoke"), json!({})).body["status"], "revoked");
    assert_eq!(c.post(&format!("/v1/actor_tokens/{id}/revoke"), json!({})).status, 400);
    let no_sub = c.clone().with_version(None).post("/v1/actor_tokens", json!({"user_id": target, "actor": {}}));
    assert_eq!(no_sub.status, 422);
}

#[test]
fn testing_tokens_expire_within_the_hour() {
    let server = server();
    let c = server.client();
    let t = c.post("/v1/testing_tokens", json!({}));
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["object"], "testing_token");
    let expires = t.body["expires_at"].as_i64().unwrap();
    assert!(expires > now() && expires <= now() + 3600);
    assert!(t.body["token"].as_str().unwrap().starts_with(&expires.to_string()));
}

#[test]
fn start_up_prints_the_publishable_key_issuer_and_jwks_after_the_url() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-mock"))
        .args(["--port", "0", "--no-fixtures", "--frontend-host", "clerk.example.test", "--spec-dir"])
        .arg(common::spec_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap()).lines().take(4).map(Result::unwrap).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(lines[0].starts_with("http://127.0.0.1:"), "the URL stays first: {lines:?}");
    assert_eq!(lines[1], "publishable key: pk_test_Y2xlcmsuZXhhbXBsZS50ZXN0JA");
    assert_eq!(lines[2], "issuer: https://clerk.example.test");
    assert_eq!(lines[3], format!("jwks: {}/v1/jwks", lines[0]));
}

#[test]
fn an_unusable_signing_key_or_host_stops_start_up_with_the_reason() {
    for (flag, value, expected) in [
        ("--signing-key", fixture("signing_key.pub.pem"), "--signing-key"),
        ("--frontend-host", "localhost".to_string(), "--frontend-host"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-mock"))
            .args(["--port", "0", "--no-fixtures", flag, &value, "--spec-dir"])
            .arg(common::spec_dir())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
}
