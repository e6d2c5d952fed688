//! YAML fixtures: the initial state of every instance, checked at start-up
//! (a bad entry stops the server naming file, entry, line and reason),
//! readable references, fixed ids, generated data and determinism.

mod common;

use std::path::PathBuf;

use common::TestServer;
use serde_json::{json, Value};

fn fixture_file(name: &str, yaml: &str) -> PathBuf {
    let path = common::temp_dir("fixtures").join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

fn start_error(yaml: &str) -> (String, String) {
    let path = fixture_file("app.yaml", yaml);
    let shown = path.display().to_string();
    let err = TestServer::try_start_with(|a| a.fixtures = vec![shown.clone()]).err().expect("start-up fails");
    (err, shown)
}

fn serve(yaml: &str) -> TestServer {
    let path = fixture_file("app.yaml", yaml).display().to_string();
    TestServer::start_with(|a| a.fixtures = vec![path])
}

#[test]
fn a_fixture_with_a_bad_email_stops_start_up_naming_file_entry_line_and_reason() {
    let (err, file) = start_error(
        "users:\n  alice:\n    email_address: alice@example.com\n  bob:\n    first_name: Bob\n    email_address: [bob@example.com, bob-at-example.com]\n",
    );
    assert!(err.contains(&format!("{file}:6:")), "{err}");
    assert!(err.contains("users.bob.email_address.1"), "{err}");
    assert!(err.contains("valid email address"), "{err}");
}

#[test]
fn an_email_used_twice_is_refused_at_the_second_user() {
    let (err, file) = start_error(
        "users:\n  alice: {email_address: same@example.com}\n  twin:\n    email_address: SAME@example.com\n",
    );
    assert!(err.contains(&format!("{file}:4:")) && err.contains("users.twin"), "{err}");
    assert!(err.contains("form_identifier_exists"), "{err}");
}

#[test]
fn entries_are_checked_against_the_specs_request_schema() {
    let (err, file) = start_error("users:\n  alice:\n    first_name: Alice\n    emial_address: a@example.com\n");
    assert!(err.contains(&format!("{file}:")) && err.contains("users.alice.emial_address"), "{err}");
    assert!(err.contains("form_param_unknown"), "{err}");
    let (err, _) = start_error("users:\n  alice:\n    first_name: [not, a, name]\n");
    assert!(err.contains("users.alice.first_name") && err.contains(":3:"), "{err}");
}

#[test]
fn unknown_sections_and_references_are_reported() {
    let (err, _) = start_error("usres:\n  alice: {}\n");
    assert!(err.contains("usres") && err.contains("unknown section") && err.contains(":1:"), "{err}");
    let (err, _) = start_error("users:\n  alice: {username: alice}\nsessions:\n  web:\n    user: zed\n");
    assert!(err.contains("sessions.web.user") && err.contains("no user `zed`") && err.contains(":5:"), "{err}");
    let (err, _) = start_error("users:\n  alice: {id: usr-1}\n");
    assert!(err.contains("users.alice.id") && err.contains("user_"), "{err}");
}

#[test]
fn readable_keys_become_real_ids_and_fixed_ids_are_kept() {
    let server = serve(
        r#"
users:
  alice:
    id: user_alice
    first_name: Alice
    email_address: alice@example.com
    public_metadata: { plan: pro }
  mallory: { email_address: mallory@example.net, banned: true }
sessions:
  alice-web: { user: alice }
invitations: [ erin@example.com ]
allowlist: [ "@example.com" ]
blocklist: [ { identifier: spam@example.net } ]
jwt_templates:
  supabase: { claims: { aud: authenticated }, lifetime: 3600 }
redirect_urls: [ "https://app.example.com/callback" ]
"#,
    );
    let client = server.client();
    let alice = client.get("/v1/users/user_alice");
    assert_eq!(alice.status, 200, "{}", alice.text);
    assert_eq!(alice.body["email_addresses"][0]["email_address"], "alice@example.com");
    assert_eq!(alice.body["public_metadata"]["plan"], "pro");
    let users = client.get("/v1/users?order_by=created_at");
    let mallory = users.body.as_array().unwrap().iter().find(|u| u["first_name"].is_null() && u["banned"] == true);
    assert!(mallory.is_some(), "{}", users.text);
    let sessions = client.get("/v1/sessions?user_id=user_alice");
    assert_eq!(sessions.body.as_array().map(Vec::len), Some(1), "{}", sessions.text);
    assert_eq!(client.get("/v1/invitations").body[0]["email_address"], "erin@example.com");
    assert_eq!(client.get("/v1/allowlist_identifiers").body[0]["identifier"], "@example.com");
    assert_eq!(client.get("/v1/blocklist_identifiers").body["data"][0]["identifier"], "spam@example.net");
    let templates = client.get("/v1/jwt_templates");
    assert_eq!((templates.body[0]["name"].as_str(), templates.body[0]["lifetime"].as_i64()), (Some("supabase"), Some(3600)), "{}", templates.text);
    assert_eq!(client.get("/v1/redirect_urls").body[0]["url"], "https://app.example.com/callback");
}

#[test]
fn every_new_instance_starts_from_the_fixtures_and_reset_restores_them() {
    let server = serve("users:\n  alice: {id: user_alice, email_address: alice@example.com}\n");
    let (a, b) = (server.client(), server.client());
    assert_eq!(a.delete("/v1/users/user_alice").status, 200);
    assert_eq!(a.get("/v1/users/user_alice").status, 404);
    assert_eq!(b.get("/v1/users/user_alice").status, 200, "another instance keeps its own copy");
    assert_eq!(a.post("/__admin/reset", json!({})).status, 200);
    assert_eq!(a.get("/v1/users/user_alice").status, 200);
}

fn dump(seed: u64, yaml: &str) -> String {
    let path = fixture_file("gen.yaml", yaml).display().to_string();
    let server = TestServer::start_with(|a| {
        a.seed = seed;
        a.fixtures = vec![path];
    });
    server.client_with_key("sk_test_determinism").get("/__admin/state").text
}

#[test]
fn the_same_seed_gives_a_byte_identical_state_and_another_seed_does_not() {
    let yaml = r#"
users:
  alice: {email_address: alice@example.com, password: correct-horse-battery-staple}
organizations:
  acme: {name: Acme, created_by: alice, invitations: [dave@example.com]}
sessions:
  alice-web: {user: alice, active_organization: acme}
invitations: [erin@example.com]
generate:
  users: 25
  organizations: {count: 2, members: 3}
  memberships: 5
"#;
    let first = dump(7, yaml);
    let second = dump(7, yaml);
    if let Some(at) = first.bytes().zip(second.bytes()).position(|(a, b)| a != b) {
        panic!("dumps differ at byte {at}: {:?} vs {:?}", &first[at.saturating_sub(120)..at + 40], &second[at.saturating_sub(120)..at + 40]);
    }
    assert_eq!(first.len(), second.len());
    assert_ne!(first, dump(8, yaml));
    let state: Value = serde_json::from_str(&first).unwrap();
    let users = state["collections"]["users"].as_object().unwrap();
    assert_eq!(users.len(), 26);
    let count = |c: &str| state["collections"][c].as_object().map(|m| m.len()).unwrap_or(0);
    assert_eq!((count("organizations"), count("sessions"), count("invitations"), count("organization_invitations")), (3, 1, 1, 1));
    assert!(count("organization_memberships") >= 3 + 5, "{}", count("organization_memberships"));
    for user in users.values().skip(1) {
        let phone = user["phone_numbers"][0]["phone_number"].as_str().unwrap();
        assert!(phone.starts_with("+1") && phone.len() == 12 && &phone[5..10] == "55501", "{phone}");
        assert!(user["email_addresses"][0]["email_address"].as_str().unwrap().contains('@'));
        assert!(user["username"].as_str().unwrap().len() >= 4);
    }
}

#[test]
fn a_pinned_epoch_dates_every_fixture_object() {
    let text = dump(1, "epoch: 2025-06-01T00:00:00Z\nusers:\n  a: {username: first}\n  b: {username: second}\n");
    let state: Value = serde_json::from_str(&text).unwrap();
    let stamps: Vec<i64> = state["collections"]["users"].as_object().unwrap().values().map(|u| u["created_at"].as_i64().unwrap()).collect();
    assert!(stamps[0] >= 1_748_736_000_000 && stamps[0] < 1_748_736_000_100, "{stamps:?}");
    assert!(stamps[1] > stamps[0]);
}

#[test]
fn a_state_dump_loads_back_as_a_fixture() {
    let server = serve("users:\n  alice: {id: user_alice, email_address: alice@example.com}\n");
    let client = server.client();
    assert_eq!(client.post("/v1/users", json!({"email_address": ["new@example.com"]})).status, 200);
    let state = client.get("/__admin/state").text;
    let path = fixture_file("dump.json", &state).display().to_string();
    let again = TestServer::start_with(|a| a.fixtures = vec![path]);
    let users = again.client().get("/v1/users");
    let emails: Vec<&str> = users.body.as_array().unwrap().iter().map(|u| u["email_addresses"][0]["email_address"].as_str().unwrap()).collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(emails.contains(&"new@example.com") && emails.contains(&"alice@example.com"));
}

#[test]
fn no_fixtures_starts_every_instance_empty() {
    let server = TestServer::start_with(|a| {
        a.fixtures = vec!["default".into()];
        a.no_fixtures = true;
    });
    assert_eq!(server.client().get("/v1/users/count").body["total_count"], 0);
}

/// The fixed ids of the bundled fixtures (Clerk-shaped: prefix + 27 characters).
const ALICE: &str = "user_alice0000000000000000000000";
const ACME: &str = "org_acme00000000000000000000000";

#[test]
fn the_bundled_default_fixtures_describe_a_small_app() {
    let server = TestServer::start_with(|a| a.fixtures = vec!["default".into()]);
    let client = server.client();
    assert_eq!(client.get(&format!("/v1/users/{ALICE}")).body["username"], "alice");
    // The fixed ids pass the id patterns request bodies declare (an API key's subject).
    let key = client.clone().with_version(Some("2026-05-12")).post("/v1/api_keys", serde_json::json!({"name": "alice's key", "subject": ALICE}));
    assert_eq!(key.status, 200, "{}", key.text);
    assert_eq!(client.get("/v1/users/count").body["total_count"], 4);
    let org = client.get(&format!("/v1/organizations/{ACME}"));
    assert_eq!((org.status, org.body["members_count"].as_i64()), (200, Some(3)), "{}", org.text);
    let invitations = client.get(&format!("/v1/organizations/{ACME}/invitations"));
    assert_eq!(invitations.body["data"][0]["email_address"], "dave@example.com", "{}", invitations.text);
    assert_eq!(client.get("/v1/jwt_templates").body[0]["name"], "supabase");
}
