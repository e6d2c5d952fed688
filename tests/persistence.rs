//! `--data-dir`: state survives a graceful restart, snapshots write on
//! demand, and a corrupt or foreign file stops start-up by name, untouched.

mod common;

use common::TestServer;
use serde_json::{json, Value};

const KEY: &str = "sk_test_persistence_roundtrip";

#[test]
fn state_written_before_a_graceful_stop_is_read_back_after_a_restart() {
    let dir = common::temp_dir("data");
    let id = {
        let server = TestServer::start_with(|a| a.data_dir = Some(dir.clone()));
        let client = server.client_with_key(KEY);
        let created = client.post("/v1/users", json!({"email_address": ["kept@example.com"], "public_metadata": {"n": 1}}));
        assert_eq!(created.status, 200, "{}", created.text);
        created.body["id"].as_str().unwrap().to_string()
        // dropping the server stops it gracefully, which saves every instance
    };
    assert!(dir.join(format!("{KEY}.json")).is_file());
    let server = TestServer::start_with(|a| a.data_dir = Some(dir.clone()));
    let client = server.client_with_key(KEY);
    let back = client.get(&format!("/v1/users/{id}"));
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.body["email_addresses"][0]["email_address"], "kept@example.com");
    assert_eq!(back.body["public_metadata"]["n"], 1);
    // New ids continue after the restored ones.
    let next = client.post("/v1/users", json!({"username": "another"}));
    assert_ne!(next.body["id"].as_str(), Some(id.as_str()));
    assert!(next.body["id"].as_str().unwrap() > id.as_str());
}

#[test]
fn a_snapshot_writes_every_instance_now() {
    let dir = common::temp_dir("snapshot");
    let server = TestServer::start_with(|a| a.data_dir = Some(dir.clone()));
    let client = server.client_with_key("sk_test_snapshot_now");
    client.post("/v1/users", json!({"username": "snap"}));
    let snap = client.post("/__admin/snapshot", json!({}));
    assert_eq!(snap.status, 200, "{}", snap.text);
    let file: Value = serde_json::from_slice(&std::fs::read(dir.join("sk_test_snapshot_now.json")).unwrap()).unwrap();
    assert_eq!((file["format"].as_str(), file["instance"].as_str()), (Some("clerk-mock-state"), Some("sk_test_snapshot_now")));
    let users = file["state"]["collections"]["users"].as_object().unwrap();
    assert_eq!(users.values().next().unwrap()["username"], "snap");
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));
}

#[test]
fn a_corrupt_state_file_stops_start_up_by_name_and_is_left_alone() {
    let dir = common::temp_dir("corrupt");
    let file = dir.join("sk_test_broken.json");
    std::fs::write(&file, b"{\"format\": \"clerk-mock-st").unwrap();
    let err = TestServer::try_start_with(|a| a.data_dir = Some(dir.clone())).err().expect("start-up fails");
    assert!(err.contains(&file.display().to_string()) && err.contains("corrupt"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"{\"format\": \"clerk-mock-st");
}

#[test]
fn a_foreign_file_in_the_data_directory_is_reported() {
    let dir = common::temp_dir("foreign");
    std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
    let err = TestServer::try_start_with(|a| a.data_dir = Some(dir.clone())).err().expect("start-up fails");
    assert!(err.contains("notes.txt") && err.contains("not a clerk-mock state file"), "{err}");
    std::fs::remove_file(dir.join("notes.txt")).unwrap();
    std::fs::write(dir.join("sk_test_other.json"), br#"{"users": []}"#).unwrap();
    let err = TestServer::try_start_with(|a| a.data_dir = Some(dir.clone())).err().expect("start-up fails");
    assert!(err.contains("sk_test_other.json") && err.contains("not a clerk-mock state file"), "{err}");
}
