//! Many parallel clients on one instance: no lost writes, ids unique,
//! counts exact, uniqueness held under contention.

mod common;

use std::collections::HashSet;

use common::TestServer;
use serde_json::json;

const CLIENTS: usize = 16;
const USERS_EACH: usize = 500;

#[test]
fn sixteen_clients_creating_five_hundred_users_each_lose_nothing() {
    let server = TestServer::start();
    let key = common::fresh_key();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let client = server.client_with_key(&key);
            std::thread::spawn(move || {
                (0..USERS_EACH)
                    .map(|i| {
                        let r = client.post("/v1/users", json!({"email_address": [format!("c{c}-u{i}@example.com")], "username": format!("c{c}_u{i}")}));
                        assert_eq!(r.status, 200, "{}", r.text);
                        r.body["id"].as_str().unwrap().to_string()
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let ids: Vec<String> = handles.into_iter().flat_map(|h| h.join().expect("a client thread")).collect();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), CLIENTS * USERS_EACH);
    assert_eq!(distinct.len(), ids.len(), "every id is distinct");
    let client = server.client_with_key(&key);
    assert_eq!(client.get("/v1/users/count").body["total_count"], CLIENTS * USERS_EACH);
    let page = client.get("/v1/users?limit=500&offset=7500");
    assert_eq!(page.body.as_array().unwrap().len(), 500);
}

#[test]
fn racing_for_one_email_address_lets_exactly_one_client_win() {
    let server = TestServer::start();
    let key = common::fresh_key();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let client = server.client_with_key(&key);
            std::thread::spawn(move || client.post("/v1/users", json!({"email_address": ["contested@example.com"]})).status)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), CLIENTS - 1, "{statuses:?}");
}
