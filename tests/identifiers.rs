//! Email addresses and phone numbers over HTTP: created for a user, read,
//! updated (verified / primary / reserved for MFA), deleted, replaced and
//! verified by code — always in step with the user that holds them.

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

fn user(client: &Client, body: Value) -> Value {
    let r = client.post("/v1/users", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn get_user(client: &Client, id: &Value) -> Value {
    client.get(&format!("/v1/users/{}", id.as_str().unwrap())).body
}

#[test]
fn an_email_address_created_for_a_user_appears_on_the_user() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["first@example.com"]}));
    let r = client.post("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "second@example.com", "verified": true}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["object"], "email_address");
    assert_eq!(r.body["email_address"], "second@example.com");
    assert_eq!(r.body["verification"]["status"], "verified");
    assert_eq!(r.body["linked_to"], json!([]));
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(client.get(&format!("/v1/email_addresses/{id}")).body, r.body);
    let after = get_user(&client, &u["id"]);
    assert_eq!(after["email_addresses"][1], r.body);
    assert_eq!(after["primary_email_address_id"], u["primary_email_address_id"], "not primary unless asked");
    // Listing by the new address finds the user.
    let list = client.get("/v1/users?email_address=second@example.com");
    assert_eq!(list.body[0]["id"], u["id"]);
}

#[test]
fn an_unverified_address_has_no_verification_and_cannot_become_primary() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["first@example.com"]}));
    let r = client.post("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "later@example.com", "verified": false}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["verification"], Value::Null);
    let path = format!("/v1/email_addresses/{}", r.body["id"].as_str().unwrap());
    let refused = client.patch(&path, json!({"primary": true}));
    assert_eq!((refused.status, refused.param()), (422, "primary"));
    let both = client.patch(&path, json!({"verified": true, "primary": true}));
    assert_eq!(both.status, 200, "{}", both.text);
    assert_eq!(both.body["verification"]["status"], "verified");
    assert_eq!(get_user(&client, &u["id"])["primary_email_address_id"], r.body["id"]);
}

#[test]
fn the_first_address_of_a_user_becomes_primary_and_primary_true_switches_it() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"username": "no_email"}));
    let first = client.post("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "one@example.com"}));
    assert_eq!(get_user(&client, &u["id"])["primary_email_address_id"], first.body["id"]);
    let second = client.post("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "two@example.com", "verified": true, "primary": true}));
    assert_eq!(get_user(&client, &u["id"])["primary_email_address_id"], second.body["id"]);
}

#[test]
fn creating_an_identifier_checks_the_user_the_format_and_uniqueness() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["taken@example.com"], "phone_number": ["+15555550100"]}));
    let cases = [
        ("/v1/email_addresses", json!({"user_id": "user_missing", "email_address": "x@example.com"}), 404, "resource_not_found", ""),
        ("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "TAKEN@example.com"}), 422, "form_identifier_exists", "email_address"),
        ("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "nope"}), 422, "form_param_format_invalid", "email_address"),
        ("/v1/email_addresses", json!({"email_address": "x@example.com"}), 422, "form_param_missing", "user_id"),
        ("/v1/phone_numbers", json!({"user_id": u["id"], "phone_number": "+1 555 555 0100"}), 422, "form_identifier_exists", "phone_number"),
        ("/v1/phone_numbers", json!({"user_id": u["id"], "phone_number": "call me"}), 422, "form_param_format_invalid", "phone_number"),
    ];
    for (path, body, status, code, param) in cases {
        let r = client.post(path, body.clone());
        assert_eq!(r.status, status, "{body}: {}", r.text);
        assert_eq!(r.code(), code, "{body}");
        if !param.is_empty() {
            assert_eq!(r.param(), param, "{body}");
        }
    }
    let wrong_type = client.post("/v1/email_addresses", json!({"user_id": u["id"], "email_address": 7}));
    assert_eq!(wrong_type.status, 422);
}

#[test]
fn deleting_the_primary_address_moves_primary_to_the_next_one() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["one@example.com", "two@example.com"]}));
    let first = u["email_addresses"][0]["id"].as_str().unwrap();
    let r = client.delete(&format!("/v1/email_addresses/{first}"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((&r.body["object"], &r.body["id"], &r.body["deleted"]), (&json!("email_address"), &json!(first), &json!(true)));
    let after = get_user(&client, &u["id"]);
    assert_eq!(after["email_addresses"].as_array().unwrap().len(), 1);
    assert_eq!(after["primary_email_address_id"], u["email_addresses"][1]["id"]);
    assert_eq!(client.get(&format!("/v1/email_addresses/{first}")).status, 404);
    // The address is free again.
    user(&client, json!({"email_address": ["one@example.com"]}));
}

#[test]
fn unknown_identifier_ids_are_404_and_kinds_do_not_mix() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["a@example.com"], "phone_number": ["+15555550100"]}));
    let email_id = u["email_addresses"][0]["id"].as_str().unwrap();
    for r in [
        client.get("/v1/email_addresses/idn_missing"),
        client.patch("/v1/email_addresses/idn_missing", json!({"verified": true})),
        client.delete("/v1/phone_numbers/idn_missing"),
        client.get(&format!("/v1/phone_numbers/{email_id}")),
    ] {
        assert_eq!((r.status, r.code()), (404, "resource_not_found"), "{}", r.text);
    }
}

#[test]
fn a_verified_phone_reserved_for_mfa_turns_two_factor_on_and_off() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"username": "phone_user"}));
    let phone = client.post("/v1/phone_numbers", json!({"user_id": u["id"], "phone_number": "+15555550123", "verified": true}));
    assert_eq!(phone.status, 200, "{}", phone.text);
    assert_eq!(phone.body["phone_number"], "+15555550123");
    assert_eq!(get_user(&client, &u["id"])["primary_phone_number_id"], phone.body["id"]);
    let path = format!("/v1/phone_numbers/{}", phone.body["id"].as_str().unwrap());
    let reserved = client.patch(&path, json!({"reserved_for_second_factor": true}));
    assert_eq!(reserved.status, 200, "{}", reserved.text);
    assert_eq!(reserved.body["reserved_for_second_factor"], true);
    assert_eq!(reserved.body["default_second_factor"], true);
    assert_eq!(get_user(&client, &u["id"])["two_factor_enabled"], true);
    client.patch(&path, json!({"reserved_for_second_factor": false}));
    assert_eq!(get_user(&client, &u["id"])["two_factor_enabled"], false);

    let unverified = client.post("/v1/phone_numbers", json!({"user_id": u["id"], "phone_number": "+15555550124", "verified": false}));
    let refused = client.patch(&format!("/v1/phone_numbers/{}", unverified.body["id"].as_str().unwrap()), json!({"reserved_for_second_factor": true}));
    assert_eq!((refused.status, refused.param()), (422, "reserved_for_second_factor"));
}

#[test]
fn replacing_a_users_email_addresses_leaves_exactly_one_primary() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["one@example.com", "two@example.com"]}));
    let path = format!("/v1/users/{}/email_address", u["id"].as_str().unwrap());
    let r = client.put(&path, json!({"email_address": "only@example.com"}));
    assert_eq!(r.status, 200, "{}", r.text);
    let after = get_user(&client, &u["id"]);
    assert_eq!(after["email_addresses"].as_array().unwrap().len(), 1);
    assert_eq!(after["primary_email_address_id"], r.body["id"]);
    let reserved = client.put(&path, json!({"email_address": "held@example.com", "identification_status": "reserved"}));
    assert_eq!(reserved.body["reserved"], true);
    // The old addresses are free again; the new one is not.
    user(&client, json!({"email_address": ["one@example.com"]}));
    let clash = client.post("/v1/users", json!({"email_address": ["held@example.com"]}));
    assert_eq!(clash.code(), "form_identifier_exists");
}

#[test]
fn a_prepared_code_verification_accepts_the_test_code() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"username": "verifier"}));
    let email = client.post("/v1/email_addresses", json!({"user_id": u["id"], "email_address": "code@example.com", "verified": false}));
    let base = format!("/v1/email_addresses/{}", email.body["id"].as_str().unwrap());
    let prepared = client.post(&format!("{base}/prepare_verification"), json!({}));
    assert_eq!(prepared.status, 200, "{}", prepared.text);
    assert_eq!(prepared.body["status"], "unverified");
    assert_eq!(prepared.body["strategy"], "email_code");
    let verification_id = prepared.body["id"].clone();
    let wrong = client.post(&format!("{base}/attempt_verification"), json!({"verification_id": verification_id, "code": "000000"}));
    assert_eq!(wrong.status, 200, "{}", wrong.text);
    assert_eq!(wrong.body["status"], "unverified");
    assert_eq!(wrong.body["attempts"], 1);
    let right = client.post(&format!("{base}/attempt_verification"), json!({"verification_id": verification_id, "code": "424242"}));
    assert_eq!(right.body["status"], "verified");
    assert_eq!(client.get(&base).body["verification"]["status"], "verified");
    let again = client.post(&format!("{base}/attempt_verification"), json!({"verification_id": verification_id, "code": "424242"}));
    assert_eq!((again.status, again.code()), (400, "verification_already_verified"));
    let unknown = client.post(&format!("{base}/attempt_verification"), json!({"verification_id": "ver_missing", "code": "424242"}));
    assert_eq!(unknown.status, 404);
}

#[test]
fn identifiers_read_the_same_in_every_api_version() {
    let server = TestServer::start();
    let client = server.client();
    let u = user(&client, json!({"email_address": ["multi@example.com"], "phone_number": ["+15555550155"]}));
    let email = format!("/v1/email_addresses/{}", u["email_addresses"][0]["id"].as_str().unwrap());
    let phone = format!("/v1/phone_numbers/{}", u["phone_numbers"][0]["id"].as_str().unwrap());
    for version in [None, Some("2025-11-10"), Some("2026-05-12")] {
        let c = client.clone().with_version(version);
        let e = c.get(&email);
        assert_eq!(e.status, 200, "{version:?}: {}", e.text);
        assert_eq!(e.body["email_address"], "multi@example.com");
        assert_eq!(e.body["verification"]["strategy"], "admin");
        let p = c.get(&phone);
        assert_eq!(p.body["phone_number"], "+15555550155", "{version:?}");
    }
}
