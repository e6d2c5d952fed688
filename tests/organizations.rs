//! Organizations, memberships, invitations, domains, roles and permissions
//! over HTTP, with response validation on.

mod common;

use common::{Client, TestServer};
use serde_json::{json, Value};

fn user(client: &Client, email: &str, first: &str) -> String {
    let r = client.post("/v1/users", json!({"email_address": [email], "first_name": first, "last_name": "Tester"}));
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn org(client: &Client, body: Value) -> Value {
    let r = client.post("/v1/organizations", body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[test]
fn an_organization_gets_a_slug_from_its_name_and_is_found_by_id_or_slug() {
    let server = TestServer::start();
    let c = server.client();
    let created = org(&c, json!({"name": "Acme Inc.", "public_metadata": {"tier": "gold"}}));
    assert_eq!(created["object"], "organization");
    assert!(created["id"].as_str().unwrap().starts_with("org_"));
    assert_eq!(created["slug"], "acme-inc");
    assert_eq!(created["members_count"], 0);
    assert_eq!(created["public_metadata"]["tier"], "gold");

    let by_slug = c.get("/v1/organizations/acme-inc");
    assert_eq!(by_slug.status, 200);
    assert_eq!(by_slug.body["id"], created["id"]);
    let by_id = c.get(&format!("/v1/organizations/{}", created["id"].as_str().unwrap()));
    assert_eq!(by_id.body["slug"], "acme-inc");
    assert_eq!(c.get("/v1/organizations/nope").code(), "resource_not_found");
}

#[test]
fn a_taken_slug_is_refused_and_a_generated_one_stays_unique() {
    let server = TestServer::start();
    let c = server.client();
    org(&c, json!({"name": "Acme", "slug": "acme"}));
    let dup = c.post("/v1/organizations", json!({"name": "Other", "slug": "acme"}));
    assert_eq!(dup.status, 422);
    assert_eq!(dup.code(), "form_identifier_exists");
    assert_eq!(dup.param(), "slug");
    let generated = org(&c, json!({"name": "Acme"}));
    assert_eq!(generated["slug"], "acme-2");
    let bad = c.post("/v1/organizations", json!({"name": "X", "slug": "has space"}));
    assert_eq!((bad.status, bad.code()), (422, "form_param_format_invalid"));
}

#[test]
fn the_creator_becomes_an_admin_member() {
    let server = TestServer::start();
    let c = server.client();
    let ada = user(&c, "ada@example.com", "Ada");
    let created = org(&c, json!({"name": "Ada Co", "created_by": ada}));
    assert_eq!(created["created_by"], ada.as_str());
    assert_eq!(created["members_count"], 1);
    let id = created["id"].as_str().unwrap();
    let members = c.get(&format!("/v1/organizations/{id}/memberships"));
    assert_eq!(members.status, 200, "{}", members.text);
    assert_eq!(members.body["total_count"], 1);
    let m = &members.body["data"][0];
    assert_eq!(m["role"], "org:admin");
    assert_eq!(m["public_user_data"]["user_id"], ada.as_str());
    assert_eq!(m["public_user_data"]["identifier"], "ada@example.com");
    assert_eq!(m["organization"]["id"], id);
    assert!(m["permissions"].as_array().unwrap().iter().any(|p| p == "org:sys_memberships:manage"));

    let unknown = c.post("/v1/organizations", json!({"name": "Ghost Co", "created_by": "user_doesnotexist"}));
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.param(), "created_by");
}

#[test]
fn memberships_keep_members_count_exact_and_refuse_duplicates_and_strangers() {
    let server = TestServer::start();
    let c = server.client();
    let (a, b) = (user(&c, "a@example.com", "A"), user(&c, "b@example.com", "B"));
    let id = org(&c, json!({"name": "Team"}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/memberships");
    let m = c.post(&path, json!({"user_id": a, "role": "org:member"}));
    assert_eq!(m.status, 200, "{}", m.text);
    assert_eq!(m.body["role"], "org:member");
    assert_eq!(m.body["organization"]["members_count"], 1);
    assert_eq!(c.post(&path, json!({"user_id": b, "role": "org:admin"})).status, 200);

    let dup = c.post(&path, json!({"user_id": a, "role": "org:member"}));
    assert_eq!((dup.status, dup.code()), (422, "already_a_member_in_organization"));
    let stranger = c.post(&path, json!({"user_id": "user_nobody", "role": "org:member"}));
    assert_eq!((stranger.status, stranger.code()), (404, "resource_not_found"));
    let third = user(&c, "c@example.com", "C");
    let bad_role = c.post(&path, json!({"user_id": third, "role": "org:wizard"}));
    assert_eq!((bad_role.status, bad_role.param()), (422, "role"));

    assert_eq!(c.get(&format!("/v1/organizations/{id}")).body["members_count"], 2);
    let removed = c.delete(&format!("{path}/{a}"));
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.body["object"], "organization_membership");
    assert_eq!(c.get(&format!("/v1/organizations/{id}")).body["members_count"], 1);
    assert_eq!(c.delete(&format!("{path}/{a}")).status, 404);
}

#[test]
fn max_allowed_memberships_is_enforced() {
    let server = TestServer::start();
    let c = server.client();
    let (a, b) = (user(&c, "a@example.com", "A"), user(&c, "b@example.com", "B"));
    let id = org(&c, json!({"name": "Tiny", "max_allowed_memberships": 1}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/memberships");
    assert_eq!(c.post(&path, json!({"user_id": a, "role": "org:member"})).status, 200);
    let full = c.post(&path, json!({"user_id": b, "role": "org:member"}));
    assert_eq!((full.status, full.code()), (403, "organization_membership_quota_exceeded"));
}

#[test]
fn a_membership_role_and_metadata_can_change() {
    let server = TestServer::start();
    let c = server.client();
    let a = user(&c, "a@example.com", "A");
    let id = org(&c, json!({"name": "Team"}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/memberships");
    c.post(&path, json!({"user_id": a, "role": "org:member", "public_metadata": {"x": 1, "y": 2}}));
    let promoted = c.patch(&format!("{path}/{a}"), json!({"role": "org:admin"}));
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!(promoted.body["role"], "org:admin");
    assert_eq!(promoted.body["role_name"], "Admin");
    let merged = c.patch(&format!("{path}/{a}/metadata"), json!({"public_metadata": {"y": null, "z": 3}}));
    assert_eq!(merged.body["public_metadata"], json!({"x": 1, "z": 3}));
    let invalid = c.patch(&format!("{path}/{a}"), json!({"role": "org:wizard"}));
    assert_eq!((invalid.status, invalid.param()), (422, "role"));
}

#[test]
fn membership_lists_filter_order_and_page() {
    let server = TestServer::start();
    let c = server.client();
    let id = org(&c, json!({"name": "Team"}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/memberships");
    for (email, name) in [("zed@example.com", "Zed"), ("amy@example.com", "Amy"), ("bob@example.com", "Bob")] {
        let u = user(&c, email, name);
        c.post(&path, json!({"user_id": u, "role": if name == "Bob" { "org:admin" } else { "org:member" }}));
    }
    let by_name = c.get(&format!("{path}?order_by=%2Bfirst_name&limit=2"));
    assert_eq!(by_name.body["total_count"], 3);
    let names: Vec<&str> = by_name.body["data"].as_array().unwrap().iter().map(|m| m["public_user_data"]["first_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Amy", "Bob"]);
    let admins = c.get(&format!("{path}?role=org:admin"));
    assert_eq!(admins.body["total_count"], 1);
    let amy = c.get(&format!("{path}?email_address_query=amy"));
    assert_eq!(amy.body["data"][0]["public_user_data"]["identifier"], "amy@example.com");

    let all = c.get("/v1/organization_memberships");
    assert_eq!(all.body["total_count"], 3);
    let amy_id = amy.body["data"][0]["public_user_data"]["user_id"].as_str().unwrap();
    let mine = c.get(&format!("/v1/users/{amy_id}/organization_memberships"));
    assert_eq!(mine.body["total_count"], 1);
    assert_eq!(mine.body["data"][0]["organization"]["id"], id.as_str());
}

#[test]
fn listing_organizations_searches_filters_by_member_and_orders_by_members_count() {
    let server = TestServer::start();
    let c = server.client();
    let a = user(&c, "a@example.com", "A");
    let b = user(&c, "b@example.com", "B");
    let big = org(&c, json!({"name": "Big", "created_by": a}))["id"].as_str().unwrap().to_string();
    c.post(&format!("/v1/organizations/{big}/memberships"), json!({"user_id": b, "role": "org:member"}));
    org(&c, json!({"name": "Small", "created_by": b}));
    org(&c, json!({"name": "Empty"}));
    let all = c.get("/v1/organizations?include_members_count=true&order_by=-members_count");
    assert_eq!(all.body["total_count"], 3);
    assert_eq!(all.body["data"][0]["name"], "Big");
    assert_eq!(all.body["data"][0]["members_count"], 2);
    assert_eq!(c.get("/v1/organizations?query=smal").body["total_count"], 1);
    let of_a = c.get(&format!("/v1/organizations?user_id={a}"));
    assert_eq!(of_a.body["total_count"], 1);
    assert_eq!(of_a.body["data"][0]["id"], big.as_str());
    assert_eq!(c.get("/v1/organizations?limit=1&offset=1").body["data"].as_array().unwrap().len(), 1);
}

#[test]
fn updates_metadata_merges_and_replacements() {
    let server = TestServer::start();
    let c = server.client();
    let id = org(&c, json!({"name": "Acme", "public_metadata": {"a": 1, "b": {"c": 2}}}))["id"].as_str().unwrap().to_string();
    let updated = c.patch(&format!("/v1/organizations/{id}"), json!({"name": "Acme 2", "slug": "acme-two", "max_allowed_memberships": 5}));
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!((updated.body["name"].as_str(), updated.body["slug"].as_str()), (Some("Acme 2"), Some("acme-two")));
    assert_eq!(updated.body["max_allowed_memberships"], 5);
    let merged = c.patch(&format!("/v1/organizations/{id}/metadata"), json!({"public_metadata": {"a": null, "b": {"d": 3}}}));
    assert_eq!(merged.body["public_metadata"], json!({"b": {"c": 2, "d": 3}}));
    let replaced = c.put(&format!("/v1/organizations/{id}/metadata"), json!({"public_metadata": {"only": true}}));
    assert_eq!(replaced.body["public_metadata"], json!({"only": true}));
    org(&c, json!({"name": "Other", "slug": "other"}));
    let clash = c.patch(&format!("/v1/organizations/{id}"), json!({"slug": "other"}));
    assert_eq!((clash.status, clash.code()), (422, "form_identifier_exists"));
}

#[test]
fn deleting_an_organization_removes_its_memberships_invitations_and_domains() {
    let server = TestServer::start();
    let c = server.client();
    let a = user(&c, "a@example.com", "A");
    let id = org(&c, json!({"name": "Doomed", "created_by": a}))["id"].as_str().unwrap().to_string();
    c.post(&format!("/v1/organizations/{id}/invitations"), json!({"email_address": "x@example.com", "role": "org:member"}));
    c.post(&format!("/v1/organizations/{id}/domains"), json!({"name": "doomed.com"}));
    let deleted = c.delete(&format!("/v1/organizations/{id}"));
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.body, json!({"object": "organization", "id": id, "slug": "doomed", "deleted": true}));
    assert_eq!(c.get(&format!("/v1/organizations/{id}")).status, 404);
    assert_eq!(c.get(&format!("/v1/users/{a}/organization_memberships")).body["total_count"], 0);
    assert_eq!(c.get("/v1/organization_memberships").body["total_count"], 0);
    assert_eq!(c.with_version(Some("2026-05-12")).get("/v1/organization_domains").body["total_count"], 0);
}

#[test]
fn deleting_a_user_takes_its_membership_out_of_the_count() {
    let server = TestServer::start();
    let c = server.client();
    let a = user(&c, "a@example.com", "A");
    let id = org(&c, json!({"name": "Team", "created_by": a}))["id"].as_str().unwrap().to_string();
    assert_eq!(c.delete(&format!("/v1/users/{a}")).status, 200);
    assert_eq!(c.get(&format!("/v1/organizations/{id}")).body["members_count"], 0);
    assert_eq!(c.get(&format!("/v1/organizations/{id}/memberships")).body["total_count"], 0);
}

#[test]
fn a_logo_upload_sets_the_image_and_deleting_it_resets_it() {
    let server = TestServer::start();
    let c = server.client();
    let id = org(&c, json!({"name": "Pics"}))["id"].as_str().unwrap().to_string();
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n\u{89}PNG fake\r\n--{boundary}--\r\n"
    );
    let ct = format!("multipart/form-data; boundary={boundary}");
    let up = c.send("PUT", &format!("/v1/organizations/{id}/logo"), Some((&ct, body.into_bytes())), None);
    assert_eq!(up.status, 200, "{}", up.text);
    assert_eq!(up.body["has_image"], true);
    assert!(up.body["image_url"].as_str().unwrap().contains("logo.png"));
    let gone = c.delete(&format!("/v1/organizations/{id}/logo"));
    assert_eq!(gone.body["has_image"], false);
}

#[test]
fn old_api_versions_get_organizations_in_their_own_shape() {
    let server = TestServer::start();
    let c = server.client().with_version(None);
    let a = user(&c, "a@example.com", "A");
    let created = c.post("/v1/organizations", json!({"name": "Legacy", "created_by": a}));
    assert_eq!(created.status, 200, "{}", created.text);
    assert!(created.body.get("has_image").is_none(), "v1 does not declare has_image");
    let id = created.body["id"].as_str().unwrap();
    let members = c.get(&format!("/v1/organizations/{id}/memberships"));
    assert_eq!(members.status, 200, "{}", members.text);
    assert!(members.body["data"][0].get("role_name").is_none());
}

#[test]
fn invitations_are_pending_until_revoked_and_not_sent_twice() {
    let server = TestServer::start();
    let c = server.client();
    let inviter = user(&c, "boss@example.com", "Boss");
    let id = org(&c, json!({"name": "Inv", "created_by": inviter}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/invitations");
    let inv = c.post(&path, json!({"email_address": "New@Example.com", "role": "org:member", "inviter_user_id": inviter}));
    assert_eq!(inv.status, 200, "{}", inv.text);
    assert_eq!(inv.body["status"], "pending");
    assert_eq!(inv.body["email_address"], "new@example.com");
    assert_eq!(inv.body["public_inviter_data"]["identifier"], "boss@example.com");
    assert!(inv.body["expires_at"].as_i64().unwrap() > inv.body["created_at"].as_i64().unwrap());
    let again = c.post(&path, json!({"email_address": "new@example.com", "role": "org:member"}));
    assert_eq!((again.status, again.code()), (422, "duplicate_record"));
    let member = c.post(&path, json!({"email_address": "boss@example.com", "role": "org:member"}));
    assert_eq!(member.code(), "already_a_member_in_organization");
    let bad = c.post(&path, json!({"email_address": "not-an-email", "role": "org:member"}));
    assert_eq!((bad.status, bad.param()), (422, "email_address"));
    assert_eq!(c.post("/v1/organizations/org_missing/invitations", json!({"email_address": "a@b.co", "role": "org:member"})).status, 404);

    let inv_id = inv.body["id"].as_str().unwrap();
    assert_eq!(c.get(&format!("{path}/{inv_id}")).body["id"], inv_id);
    assert_eq!(c.get(&format!("{path}/pending")).body["total_count"], 1);
    let revoked = c.post(&format!("{path}/{inv_id}/revoke"), json!({"requesting_user_id": inviter}));
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(c.post(&format!("{path}/{inv_id}/revoke"), json!({})).status, 400);
    assert_eq!(c.get(&format!("{path}?status=revoked")).body["total_count"], 1);
    assert_eq!(c.get(&format!("{path}?status=pending")).body["total_count"], 0);
    assert_eq!(c.get(&format!("{path}/pending")).body["total_count"], 0);
}

#[test]
fn bulk_invitations_are_all_or_nothing_and_listed_instance_wide() {
    let server = TestServer::start();
    let c = server.client().with_version(Some("2026-05-12"));
    let id = org(&c, json!({"name": "Bulk"}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/invitations/bulk");
    let failed = c.post(&path, json!([
        {"email_address": "one@example.com", "role": "org:member"},
        {"email_address": "two@example.com", "role": "org:nope"}
    ]));
    assert_eq!(failed.status, 422);
    assert_eq!(c.get(&format!("/v1/organizations/{id}/invitations")).body["total_count"], 0);
    let ok = c.post(&path, json!([
        {"email_address": "one@example.com", "role": "org:member"},
        {"email_address": "two@example.com", "role": "org:admin"}
    ]));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["total_count"], 2);
    let everywhere = c.get("/v1/organization_invitations?status=pending");
    assert_eq!(everywhere.body["total_count"], 2);
    assert_eq!(everywhere.body["data"][0]["public_organization_data"]["slug"], "bulk");

    let invitee = user(&c, "one@example.com", "One");
    let theirs = c.get(&format!("/v1/users/{invitee}/organization_invitations"));
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert_eq!(theirs.body["total_count"], 1);
}

#[test]
fn domains_are_unique_and_filterable() {
    let server = TestServer::start();
    let c = server.client().with_version(Some("2026-05-12"));
    let id = org(&c, json!({"name": "Dom"}))["id"].as_str().unwrap().to_string();
    let path = format!("/v1/organizations/{id}/domains");
    let d = c.post(&path, json!({"name": "Acme.com", "enrollment_mode": "automatic_invitation", "verified": true}));
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.body["name"], "acme.com");
    assert_eq!(d.body["verification"]["status"], "verified");
    assert_eq!(d.body["public_organization_data"]["id"], id.as_str());
    let dup = c.post(&path, json!({"name": "acme.com"}));
    assert_eq!((dup.status, dup.code()), (422, "form_identifier_exists"));
    let bad_mode = c.post(&path, json!({"name": "b.com", "enrollment_mode": "telepathy"}));
    assert_eq!((bad_mode.status, bad_mode.param()), (422, "enrollment_mode"));
    c.post(&path, json!({"name": "other.com"}));

    assert_eq!(c.get(&format!("{path}?verified=true")).body["total_count"], 1);
    assert_eq!(c.get("/v1/organization_domains?enrollment_mode=-automatic_invitation").body["total_count"], 1);
    let dom_id = d.body["id"].as_str().unwrap();
    let updated = c.patch(&format!("{path}/{dom_id}"), json!({"verified": false, "enrollment_mode": "manual_invitation"}));
    assert_eq!(updated.body["verification"]["status"], "unverified");
    let owned = c.post(&format!("{path}/{dom_id}/verify_ownership"), json!({}));
    assert_eq!(owned.body["ownership_verification"]["status"], "verified");
    let deleted = c.delete(&format!("{path}/{dom_id}"));
    assert_eq!(deleted.body["deleted"], true);
    assert_eq!(c.delete(&format!("{path}/{dom_id}")).status, 404);
}

#[test]
fn custom_roles_and_permissions_reach_memberships() {
    let server = TestServer::start();
    let c = server.client().with_version(Some("2026-05-12"));
    let roles = c.get("/v1/organization_roles");
    assert_eq!(roles.status, 200, "{}", roles.text);
    assert_eq!(roles.body["total_count"], 2, "org:admin and org:member exist from the start");
    let perm = c.post("/v1/organization_permissions", json!({"name": "Read reports", "key": "org:reports:read"}));
    assert_eq!(perm.status, 200, "{}", perm.text);
    assert_eq!(perm.body["type"], "user");
    let perm_id = perm.body["id"].as_str().unwrap();
    let role = c.post("/v1/organization_roles", json!({"name": "Analyst", "key": "org:analyst", "permissions": [perm_id]}));
    assert_eq!(role.status, 200, "{}", role.text);
    assert_eq!(role.body["permissions"][0]["key"], "org:reports:read");
    let dup = c.post("/v1/organization_roles", json!({"name": "Again", "key": "org:analyst"}));
    assert_eq!(dup.code(), "form_identifier_exists");
    let bad = c.post("/v1/organization_roles", json!({"name": "Bad", "key": "analyst"}));
    assert_eq!(bad.code(), "form_param_format_invalid");

    let a = user(&c, "a@example.com", "A");
    let id = org(&c, json!({"name": "Data"}))["id"].as_str().unwrap().to_string();
    let m = c.post(&format!("/v1/organizations/{id}/memberships"), json!({"user_id": a, "role": "org:analyst"}));
    assert_eq!(m.status, 200, "{}", m.text);
    assert_eq!(m.body["permissions"], json!(["org:reports:read"]));
    assert_eq!(m.body["role_name"], "Analyst");

    let role_id = role.body["id"].as_str().unwrap();
    let in_use = c.delete(&format!("/v1/organization_roles/{role_id}"));
    assert_eq!(in_use.status, 422);
    let system = c.get("/v1/organization_permissions?query=sys_profile");
    let sys_id = system.body["data"][0]["id"].as_str().unwrap();
    assert_eq!(c.delete(&format!("/v1/organization_permissions/{sys_id}")).status, 403);
    let twice = c.post(&format!("/v1/organization_roles/{role_id}/permissions/{perm_id}"), json!({}));
    assert_eq!(twice.status, 409);
    let removed = c.delete(&format!("/v1/organization_roles/{role_id}/permissions/{perm_id}"));
    assert_eq!(removed.body["permissions"], json!([]));
}
