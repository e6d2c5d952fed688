//! Users over HTTP, with response validation on: create, read, list with
//! every filter, count, update, delete with cascades, metadata, ban / lock,
//! passwords, TOTP and MFA, profile images, and the three API versions.

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

fn create(client: &Client, body: Value) -> Value {
    let r = client.post("/v1/users", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn ids(list: &Value) -> Vec<String> {
    let items = list.get("data").unwrap_or(list);
    items.as_array().expect("a list").iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn creating_a_user_stores_complete_identifiers_with_primaries_set() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(
        &client,
        json!({
            "email_address": ["ada@example.com", "ada.l@example.com"],
            "phone_number": ["+15555550100"],
            "web3_wallet": ["0x0123456789abcdef0123456789abcdef01234567"],
            "username": "ada_l",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "external_id": "ext-1",
            "password": "correct horse battery",
            "public_metadata": {"plan": "pro"},
            "private_metadata": {"secret": 1},
            "unsafe_metadata": {"theme": "dark"}
        }),
    );
    assert_eq!(user["object"], "user");
    assert!(user["id"].as_str().unwrap().starts_with("user_"));
    let email = &user["email_addresses"][0];
    assert!(email["id"].as_str().unwrap().starts_with("idn_"));
    assert_eq!(email["object"], "email_address");
    assert_eq!(email["verification"]["status"], "verified");
    assert_eq!(email["verification"]["strategy"], "admin");
    assert_eq!(email["linked_to"], json!([]));
    assert_eq!(email["reserved"], false);
    assert_eq!(user["primary_email_address_id"], email["id"]);
    assert_eq!(user["primary_phone_number_id"], user["phone_numbers"][0]["id"]);
    assert_eq!(user["primary_web3_wallet_id"], user["web3_wallets"][0]["id"]);
    assert_eq!(user["email_addresses"].as_array().unwrap().len(), 2);
    assert_eq!(user["password_enabled"], true);
    assert_eq!(user["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(user["private_metadata"], json!({"secret": 1}));
    assert_eq!(user["external_id"], "ext-1");
    assert!(user.get("_password").is_none(), "internal fields never leave the store");

    let fetched = client.get(&format!("/v1/users/{}", user["id"].as_str().unwrap()));
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, user);
}

#[test]
fn a_user_created_with_2026_05_12_reads_back_in_every_version() {
    let server = TestServer::start();
    let newest = server.client().with_version(Some("2026-05-12"));
    let user = create(
        &newest,
        json!({
            "email_address": ["grace@example.com"],
            "phone_number": ["+15555550142"],
            "web3_wallet": ["0x0123456789abcdef0123456789abcdef01234567"],
            "password": "a long password",
            "totp_secret": "JBSWY3DPEHPK3PXP",
            "locale": "en-GB"
        }),
    );
    let path = format!("/v1/users/{}", user["id"].as_str().unwrap());
    assert_eq!(user["locale"], "en-GB");

    let v1 = Client::new(&server.url, newest.key.as_deref().unwrap()).with_version(None);
    let old = v1.get(&path);
    assert_eq!(old.status, 200, "{}", old.text);
    assert_eq!(old.body["email_addresses"][0]["email_address"], "grace@example.com");
    assert!(old.body.get("locale").is_none(), "v1's User does not declare locale");
    assert_eq!(old.body["phone_numbers"][0]["phone_number"], "+15555550142");
    assert_eq!(old.body["web3_wallets"][0]["verification"]["strategy"], "admin");
    assert_eq!(old.body["two_factor_enabled"], true);

    let current = newest.clone().with_version(Some("2025-11-10")).get(&path);
    assert_eq!(current.status, 200, "{}", current.text);
    assert_eq!(current.body["locale"], "en-GB");
    assert_eq!(current.body["id"], user["id"]);
}

#[test]
fn taken_identifiers_are_rejected_with_the_param_that_clashed() {
    let server = TestServer::start();
    let client = server.client();
    create(
        &client,
        json!({"email_address": ["ada@example.com"], "phone_number": ["+15555550100"], "username": "ada_l", "external_id": "x1"}),
    );
    for (body, param) in [
        (json!({"email_address": ["ADA@Example.com"]}), "email_address"),
        (json!({"phone_number": ["+1 555 555 0100"]}), "phone_number"),
        (json!({"username": "ADA_L"}), "username"),
        (json!({"external_id": "x1"}), "external_id"),
        (json!({"email_address": ["new@example.com", "NEW@example.com"]}), "email_address"),
    ] {
        let r = client.post("/v1/users", body.clone());
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert_eq!(r.code(), "form_identifier_exists");
        assert_eq!(r.param(), param);
    }
    assert_eq!(client.get("/v1/users/count").body["total_count"], 1);
}

#[test]
fn identifiers_are_unique_per_instance_not_per_server() {
    let server = TestServer::start();
    create(&server.client(), json!({"email_address": ["same@example.com"]}));
    create(&server.client(), json!({"email_address": ["same@example.com"]}));
}

#[test]
fn bad_input_is_a_422_in_clerks_envelope() {
    let server = TestServer::start();
    let client = server.client();
    let cases = [
        (json!({"email_address": ["not-an-email"]}), "form_param_format_invalid", "email_address"),
        (json!({"phone_number": ["12"]}), "form_param_format_invalid", "phone_number"),
        (json!({"password": "short"}), "form_password_length_too_short", "password"),
        (json!({"username": "ab"}), "form_username_invalid_length", "username"),
        (json!({"password_digest": "abc"}), "form_param_missing", "password_hasher"),
        (json!({"password_digest": "nope", "password_hasher": "bcrypt"}), "form_param_format_invalid", "password_digest"),
        (json!({"created_at": "yesterday"}), "form_param_format_invalid", "created_at"),
    ];
    for (body, code, param) in cases {
        let r = client.post("/v1/users", body.clone());
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert_eq!(r.code(), code, "{body}");
        assert_eq!(r.param(), param, "{body}");
    }
    let wrong_type = client.post("/v1/users", json!({"first_name": 42}));
    assert_eq!(wrong_type.status, 422);
    assert!(!wrong_type.body["errors"].as_array().unwrap().is_empty());
    assert_eq!(client.get("/v1/users/count").body["total_count"], 0, "nothing half-created");
}

#[test]
fn skipping_password_checks_allows_a_short_password() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"password": "short", "skip_password_checks": true}));
    assert_eq!(user["password_enabled"], true);
}

#[test]
fn unknown_user_ids_are_404_resource_not_found() {
    let server = TestServer::start();
    let client = server.client();
    for r in [
        client.get("/v1/users/user_missing"),
        client.patch("/v1/users/user_missing", json!({"first_name": "X"})),
        client.delete("/v1/users/user_missing"),
        client.post("/v1/users/user_missing/ban", json!({})),
        client.patch("/v1/users/user_missing/metadata", json!({"public_metadata": {}})),
        client.post("/v1/users/user_missing/verify_password", json!({"password": "whatever1"})),
    ] {
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(r.code(), "resource_not_found");
    }
}

#[test]
fn listing_filters_by_every_exact_identifier_and_counts_the_same_way() {
    let server = TestServer::start();
    let client = server.client();
    let a = create(&client, json!({"email_address": ["a@example.com"], "username": "alpha", "external_id": "e-a", "phone_number": ["+15555550101"]}));
    let b = create(&client, json!({"email_address": ["b@example.com"], "username": "bravo", "external_id": "e-b"}));
    let c = create(&client, json!({"email_address": ["c@example.com"], "web3_wallet": ["0x0123456789abcdef0123456789abcdef01234567"]}));
    let id = |u: &Value| u["id"].as_str().unwrap().to_string();

    let cases = [
        ("email_address=A@example.com&email_address=b@example.com", vec![id(&b), id(&a)]),
        ("username=bravo", vec![id(&b)]),
        ("external_id=e-a", vec![id(&a)]),
        ("phone_number=%2B15555550101", vec![id(&a)]),
        ("web3_wallet=0x0123456789abcdef0123456789abcdef01234567", vec![id(&c)]),
        (&*format!("user_id={}&user_id={}", id(&a), id(&c)), vec![id(&c), id(&a)]),
        ("email_address=a@example.com&username=bravo", vec![]),
        ("email_address=nobody@example.com", vec![]),
    ];
    for (query, expected) in cases {
        let list = client.get(&format!("/v1/users?{query}"));
        assert_eq!(list.status, 200, "{query}: {}", list.text);
        assert_eq!(ids(&list.body), expected, "{query}");
        let count = client.get(&format!("/v1/users/count?{query}"));
        assert_eq!(count.body, json!({"object": "total_count", "total_count": expected.len()}), "{query}");
    }
}

#[test]
fn listing_searches_with_query_and_the_field_queries() {
    let server = TestServer::start();
    let client = server.client();
    let ada = create(&client, json!({"email_address": ["ada@lovelace.dev"], "first_name": "Ada", "last_name": "Lovelace", "username": "countess"}));
    let grace = create(&client, json!({"email_address": ["grace@navy.mil"], "first_name": "Grace", "last_name": "Hopper", "phone_number": ["+15555550177"]}));
    let id = |u: &Value| u["id"].as_str().unwrap().to_string();
    for (query, expected) in [
        ("query=LOVE", vec![id(&ada)]),
        ("query=grace", vec![id(&grace)]),
        ("query=count", vec![id(&ada)]),
        ("name_query=ada%20love", vec![id(&ada)]),
        ("email_address_query=navy", vec![id(&grace)]),
        ("phone_number_query=0177", vec![id(&grace)]),
        ("username_query=count", vec![id(&ada)]),
        ("query=nobody", vec![]),
    ] {
        let list = client.get(&format!("/v1/users?{query}"));
        assert_eq!(ids(&list.body), expected, "{query}");
    }
}

#[test]
fn listing_orders_pages_and_filters_by_time_and_ban() {
    let server = TestServer::start();
    let client = server.client();
    let names = ["carol", "alice", "bobby"];
    let users: Vec<Value> = names.iter().map(|n| create(&client, json!({"username": n}))).collect();
    let id = |i: usize| users[i]["id"].as_str().unwrap().to_string();

    assert_eq!(ids(&client.get("/v1/users").body), vec![id(2), id(1), id(0)], "newest first by default");
    assert_eq!(ids(&client.get("/v1/users?order_by=%2Busername").body), vec![id(1), id(2), id(0)]);
    assert_eq!(ids(&client.get("/v1/users?order_by=-username").body), vec![id(0), id(2), id(1)]);
    assert_eq!(ids(&client.get("/v1/users?order_by=%2Bcreated_at&limit=1&offset=1").body), vec![id(1)]);
    let bad = client.get("/v1/users?order_by=shoe_size");
    assert_eq!(bad.status, 422);
    assert_eq!(bad.param(), "order_by");

    let middle = users[1]["created_at"].as_i64().unwrap();
    assert_eq!(ids(&client.get(&format!("/v1/users?created_at_before={middle}")).body), vec![id(0)]);
    assert_eq!(ids(&client.get(&format!("/v1/users?created_at_after={middle}")).body), vec![id(2)]);

    client.post(&format!("/v1/users/{}/ban", id(0)), json!({}));
    assert_eq!(ids(&client.get("/v1/users?banned=true").body), vec![id(0)]);
    assert_eq!(client.get("/v1/users/count?banned=false").body["total_count"], 2);
}

#[test]
fn deleting_a_user_frees_its_identifiers_and_answers_a_deleted_object() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"email_address": ["gone@example.com"], "username": "goner"}));
    let id = user["id"].as_str().unwrap();
    let r = client.delete(&format!("/v1/users/{id}"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["object"], "user");
    assert_eq!(r.body["id"], id);
    assert_eq!(r.body["deleted"], true);
    assert_eq!(client.get(&format!("/v1/users/{id}")).status, 404);
    let email_id = user["email_addresses"][0]["id"].as_str().unwrap();
    assert_eq!(client.get(&format!("/v1/email_addresses/{email_id}")).status, 404);
    create(&client, json!({"email_address": ["gone@example.com"], "username": "goner"}));
}

#[test]
fn updating_a_user_changes_profile_fields_and_clears_nullable_ones() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"first_name": "Ada", "last_name": "Byron", "username": "ada_b"}));
    let path = format!("/v1/users/{}", user["id"].as_str().unwrap());
    let r = client.patch(&path, json!({"last_name": "Lovelace", "username": null, "external_id": "crm-7", "public_metadata": {"a": 1}}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["first_name"], "Ada");
    assert_eq!(r.body["last_name"], "Lovelace");
    assert_eq!(r.body["username"], Value::Null);
    assert_eq!(r.body["external_id"], "crm-7");
    assert_eq!(r.body["public_metadata"], json!({"a": 1}));
    assert!(r.body["updated_at"].as_i64() > user["updated_at"].as_i64());
    assert_eq!(client.get(&path).body, r.body);
    // The freed username can be taken by someone else; the new external id cannot.
    create(&client, json!({"username": "ada_b"}));
    let clash = client.post("/v1/users", json!({"external_id": "crm-7"}));
    assert_eq!((clash.status, clash.param()), (422, "external_id"));
}

#[test]
fn updating_to_another_users_username_is_rejected() {
    let server = TestServer::start();
    let client = server.client();
    create(&client, json!({"username": "taken_name"}));
    let me = create(&client, json!({"username": "my_name"}));
    let path = format!("/v1/users/{}", me["id"].as_str().unwrap());
    let r = client.patch(&path, json!({"username": "Taken_Name"}));
    assert_eq!((r.status, r.code(), r.param()), (422, "form_identifier_exists", "username"));
    let same = client.patch(&path, json!({"username": "my_name"}));
    assert_eq!(same.status, 200, "keeping one's own username is fine");
}

#[test]
fn switching_the_primary_email_address_needs_one_of_the_users_verified_addresses() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"email_address": ["one@example.com", "two@example.com"]}));
    let other = create(&client, json!({"email_address": ["three@example.com"]}));
    let path = format!("/v1/users/{}", user["id"].as_str().unwrap());
    let second = user["email_addresses"][1]["id"].clone();
    let r = client.patch(&path, json!({"primary_email_address_id": second}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["primary_email_address_id"], second);
    let foreign = client.patch(&path, json!({"primary_email_address_id": other["email_addresses"][0]["id"]}));
    assert_eq!((foreign.status, foreign.param()), (422, "primary_email_address_id"));
}

#[test]
fn changing_the_password_replaces_the_old_one() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"password": "first password"}));
    let id = user["id"].as_str().unwrap();
    let verify = |password: &str| client.post(&format!("/v1/users/{id}/verify_password"), json!({"password": password}));
    assert_eq!(verify("first password").body, json!({"verified": true}));
    let short = client.patch(&format!("/v1/users/{id}"), json!({"password": "short"}));
    assert_eq!(short.code(), "form_password_length_too_short");
    let r = client.patch(&format!("/v1/users/{id}"), json!({"password": "second password"}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["password_last_updated_at"].is_i64());
    let wrong = verify("first password");
    assert_eq!((wrong.status, wrong.code()), (422, "form_password_incorrect"));
    assert_eq!(verify("second password").status, 200);
}

#[test]
fn verifying_a_password_the_user_does_not_have_is_a_400() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"username": "no_password"}));
    let r = client.post(&format!("/v1/users/{}/verify_password", user["id"].as_str().unwrap()), json!({"password": "anything1"}));
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(user["password_enabled"], false);
}

#[test]
fn an_imported_bcrypt_digest_verifies_the_original_password() {
    let server = TestServer::start();
    let client = server.client();
    let digest = bcrypt::hash("imported secret", 4).unwrap();
    let user = create(&client, json!({"password_digest": digest, "password_hasher": "bcrypt"}));
    assert_eq!(user["password_enabled"], true);
    let id = user["id"].as_str().unwrap();
    assert_eq!(client.post(&format!("/v1/users/{id}/verify_password"), json!({"password": "imported secret"})).status, 200);
    assert_eq!(client.post(&format!("/v1/users/{id}/verify_password"), json!({"password": "imported secreT"})).status, 422);
}

#[test]
fn removing_the_password_turns_password_enabled_off() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"password": "to be removed"}));
    let r = client.post(&format!("/v1/users/{}/remove_password", user["id"].as_str().unwrap()), json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["password_enabled"], false);
}

#[test]
fn metadata_patches_deep_merge_and_null_deletes_a_key() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"public_metadata": {"plan": "free", "prefs": {"theme": "dark", "lang": "en"}}, "private_metadata": {"keep": true}}));
    let path = format!("/v1/users/{}/metadata", user["id"].as_str().unwrap());
    let r = client.patch(&path, json!({"public_metadata": {"plan": "pro", "prefs": {"lang": null}}, "unsafe_metadata": {"seen": 1}}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["public_metadata"], json!({"plan": "pro", "prefs": {"theme": "dark"}}));
    assert_eq!(r.body["private_metadata"], json!({"keep": true}));
    assert_eq!(r.body["unsafe_metadata"], json!({"seen": 1}));

    let put = client.put(&path, json!({"public_metadata": {"only": "this"}}));
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["public_metadata"], json!({"only": "this"}));
    assert_eq!(put.body["unsafe_metadata"], json!({"seen": 1}), "omitted metadata stays");

    let bad = client.patch(&path, json!({"public_metadata": "not an object"}));
    assert_eq!(bad.status, 422);
}

#[test]
fn ban_and_unban_flip_banned_one_by_one_and_in_bulk() {
    let server = TestServer::start();
    let client = server.client();
    let a = create(&client, json!({"username": "user_a"}));
    let b = create(&client, json!({"username": "user_b"}));
    let (ida, idb) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    assert_eq!(client.post(&format!("/v1/users/{ida}/ban"), json!({})).body["banned"], true);
    assert_eq!(client.get(&format!("/v1/users/{ida}")).body["banned"], true);
    assert_eq!(client.post(&format!("/v1/users/{ida}/unban"), json!({})).body["banned"], false);

    let bulk = client.post("/v1/users/ban", json!({"user_ids": [ida, idb]}));
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    assert_eq!(bulk.body.as_array().unwrap().len(), 2);
    assert!(bulk.body.as_array().unwrap().iter().all(|u| u["banned"] == true));
    assert_eq!(client.get("/v1/users/count?banned=true").body["total_count"], 2);
    let unbanned = client.post("/v1/users/unban", json!({"user_ids": [idb]}));
    assert_eq!(unbanned.body[0]["banned"], false);
}

#[test]
fn lock_and_unlock_report_the_lockout() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"username": "lockme"}));
    let id = user["id"].as_str().unwrap();
    let locked = client.post(&format!("/v1/users/{id}/lock"), json!({}));
    assert_eq!(locked.status, 200, "{}", locked.text);
    assert_eq!(locked.body["locked"], true);
    assert!(locked.body["lockout_expires_in_seconds"].as_i64().unwrap() > 0);
    let unlocked = client.post(&format!("/v1/users/{id}/unlock"), json!({}));
    assert_eq!(unlocked.body["locked"], false);
    assert_eq!(unlocked.body["lockout_expires_in_seconds"], Value::Null);
}

fn multipart(field: &str, filename: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "clerkmockboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn uploading_a_profile_image_sets_has_image_and_deleting_it_clears_it() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"username": "pictured"}));
    let id = user["id"].as_str().unwrap();
    assert_eq!(user["has_image"], false);
    let (ct, body) = multipart("file", "me.png", "image/png", b"\x89PNG\r\n\x1a\nfake image");
    let r = client.send("POST", &format!("/v1/users/{id}/profile_image"), Some((&ct, body)), None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["has_image"], true);
    assert_ne!(r.body["image_url"], user["image_url"]);
    let deleted = client.delete(&format!("/v1/users/{id}/profile_image"));
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.body["has_image"], false);
    assert_eq!(deleted.body["image_url"], user["image_url"]);

    let (ct, empty) = multipart("file", "empty.png", "image/png", b"");
    let missing = client.send("POST", &format!("/v1/users/{id}/profile_image"), Some((&ct, empty)), None);
    assert_eq!(missing.status, 400, "{}", missing.text);
}

#[test]
fn totp_codes_and_backup_codes_verify_and_mfa_can_be_disabled() {
    let server = TestServer::start();
    let client = server.client();
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let user = create(&client, json!({"username": "two_factor", "totp_secret": secret, "backup_codes": ["backup-1", "backup-2"]}));
    assert_eq!(user["totp_enabled"], true);
    assert_eq!(user["backup_code_enabled"], true);
    assert_eq!(user["two_factor_enabled"], true);
    let id = user["id"].as_str().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let code = clerk_mock::resources::totp::code_at(secret, now).unwrap();
    let ok = client.post(&format!("/v1/users/{id}/verify_totp"), json!({"code": code}));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body, json!({"verified": true, "code_type": "totp"}));
    let backup = client.post(&format!("/v1/users/{id}/verify_totp"), json!({"code": "backup-1"}));
    assert_eq!(backup.body["code_type"], "backup_code");
    let reused = client.post(&format!("/v1/users/{id}/verify_totp"), json!({"code": "backup-1"}));
    assert_eq!(reused.status, 422, "a backup code works once");

    let r = client.delete(&format!("/v1/users/{id}/backup_code"));
    assert_eq!(r.body, json!({"user_id": id}));
    assert_eq!(client.get(&format!("/v1/users/{id}")).body["backup_code_enabled"], false);
    let r = client.delete(&format!("/v1/users/{id}/mfa"));
    assert_eq!((r.status, &r.body), (200, &json!({"user_id": id})));
    let after = client.get(&format!("/v1/users/{id}")).body;
    assert_eq!((after["totp_enabled"].clone(), after["two_factor_enabled"].clone()), (json!(false), json!(false)));
    assert!(after["mfa_disabled_at"].is_i64());
    assert_eq!(client.post(&format!("/v1/users/{id}/verify_totp"), json!({"code": "123456"})).status, 400);
}

#[test]
fn removing_a_web3_wallet_moves_the_primary_and_unknown_ones_are_404() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"web3_wallet": ["0x0123456789abcdef0123456789abcdef01234567"]}));
    let id = user["id"].as_str().unwrap();
    let wallet = user["web3_wallets"][0]["id"].as_str().unwrap();
    let r = client.delete(&format!("/v1/users/{id}/web3_wallets/{wallet}"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((&r.body["object"], &r.body["id"], &r.body["deleted"]), (&json!("web3_wallet"), &json!(wallet), &json!(true)));
    assert_eq!(client.get(&format!("/v1/users/{id}")).body["primary_web3_wallet_id"], Value::Null);
    assert_eq!(client.delete(&format!("/v1/users/{id}/web3_wallets/{wallet}")).status, 404);
    assert_eq!(client.delete(&format!("/v1/users/{id}/passkeys/idn_nope")).status, 404);
}

#[test]
fn a_users_oauth_access_tokens_are_an_empty_list() {
    let server = TestServer::start();
    let client = server.client();
    let user = create(&client, json!({"username": "no_oauth"}));
    let r = client.get(&format!("/v1/users/{}/oauth_access_tokens/oauth_google", user["id"].as_str().unwrap()));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!([]));
}

#[test]
fn the_count_answers_clerks_total_count_object_in_every_version() {
    let server = TestServer::start();
    let client = server.client();
    create(&client, json!({"username": "counted"}));
    for version in [None, Some("2025-11-10"), Some("2026-05-12")] {
        let r = client.clone().with_version(version).get("/v1/users/count");
        assert_eq!(r.body, json!({"object": "total_count", "total_count": 1}), "{version:?}");
    }
}

#[test]
fn a_custom_created_at_is_kept_and_sorts_the_list() {
    let server = TestServer::start();
    let client = server.client();
    let old = create(&client, json!({"username": "old_timer", "created_at": "2020-01-01T00:00:00Z"}));
    create(&client, json!({"username": "newcomer"}));
    assert_eq!(old["created_at"], 1_577_836_800_000i64);
    let list = client.get("/v1/users?order_by=%2Bcreated_at&limit=1");
    assert_eq!(list.body[0]["id"], old["id"]);
}

#[test]
fn users_work_with_organizations_and_sessions_ban_revokes_and_delete_cascades() {
    let server = TestServer::start();
    let client = server.client();
    let member = create(&client, json!({"username": "member"}));
    create(&client, json!({"username": "outsider"}));
    let member_id = member["id"].as_str().unwrap();
    let org = client.post("/v1/organizations", json!({"name": "Acme"}));
    assert_eq!(org.status, 200, "{}", org.text);
    let org_id = org.body["id"].as_str().unwrap();
    let joined = client.post(&format!("/v1/organizations/{org_id}/memberships"), json!({"user_id": member_id, "role": "org:member"}));
    assert_eq!(joined.status, 200, "{}", joined.text);
    let members_before = client.get(&format!("/v1/organizations/{org_id}")).body["members_count"].as_i64().unwrap();

    let list = client.get(&format!("/v1/users?organization_id={org_id}"));
    assert_eq!(ids(&list.body), vec![member_id.to_string()]);

    let session = client.post("/v1/sessions", json!({"user_id": member_id}));
    assert_eq!(session.status, 200, "{}", session.text);
    let session_path = format!("/v1/sessions/{}", session.body["id"].as_str().unwrap());
    assert_eq!(client.post(&format!("/v1/users/{member_id}/ban"), json!({})).status, 200);
    assert_eq!(client.get(&session_path).body["status"], "revoked");

    assert_eq!(client.delete(&format!("/v1/users/{member_id}")).status, 200);
    assert_eq!(client.get(&session_path).status, 404);
    let members_after = client.get(&format!("/v1/organizations/{org_id}")).body["members_count"].as_i64().unwrap();
    assert_eq!(members_after, members_before - 1);
    assert_eq!(client.get(&format!("/v1/users/count?organization_id={org_id}")).body["total_count"], 0);
}
