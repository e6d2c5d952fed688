//! The outbox: every email and SMS Clerk would send (verification codes,
//! sign-in/up links, invitations), kept per instance in the store
//! collections `emails` and `sms_messages` so a test reads the code it must
//! type (`GET /__admin/emails?to=…`, see `admin/outbox.rs`).
//!
//! Codes are one fixed value per run (`--verification-code`, default
//! `424242`, the code Clerk's test identifiers accept).
//!
//! ```
//! use clerk_mock::resources::frontend::outbox::{self, Message};
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! outbox::send_email(&mut store, Message {
//!     to: "ada@example.com", subject: "424242 is your verification code", text: "Enter 424242.",
//!     code: Some("424242"), link: None, object: "sign_up_attempt", object_id: "sua_1" });
//! let sent: Vec<_> = outbox::list(&store, outbox::EMAILS, Some("ada@example.com"));
//! assert_eq!(sent[0]["code"], "424242");
//! ```

use serde_json::{json, Value};

use crate::state::Store;

pub const EMAILS: &str = "emails";
pub const SMS: &str = "sms_messages";

/// What a message says and what it belongs to.
pub struct Message<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub code: Option<&'a str>,
    pub link: Option<&'a str>,
    /// `sign_up_attempt`, `sign_in_attempt`, `organization_invitation`, …
    pub object: &'a str,
    pub object_id: &'a str,
}

/// Keeps an email; returns it.
pub fn send_email(store: &mut Store, message: Message) -> Value {
    let id = store.new_id("ema");
    let now = store.now_ms();
    let email = json!({
        "object": "email",
        "id": id,
        "to_email_address": message.to,
        "from_email_name": "notifications",
        "subject": message.subject,
        "body": message.text,
        "code": message.code,
        "link": message.link,
        "belongs_to": {"object": message.object, "id": message.object_id},
        "status": "delivered",
        "created_at": now,
    });
    store.insert(EMAILS, &id, email.clone());
    email
}

/// Keeps an SMS; returns it.
pub fn send_sms(store: &mut Store, message: Message) -> Value {
    let id = store.new_id("sms");
    let now = store.now_ms();
    let sms = json!({
        "object": "sms_message",
        "id": id,
        "to_phone_number": message.to,
        "message": message.text,
        "code": message.code,
        "link": message.link,
        "belongs_to": {"object": message.object, "id": message.object_id},
        "status": "delivered",
        "created_at": now,
    });
    store.insert(SMS, &id, sms.clone());
    sms
}

/// The messages of a collection, newest first, optionally only those to `to`
/// (case-insensitive; an email address or a phone number).
pub fn list<'a>(store: &'a Store, collection: &str, to: Option<&str>) -> Vec<&'a Value> {
    let wanted = to.map(|t| t.trim().to_lowercase());
    let mut found: Vec<&Value> = store
        .iter(collection)
        .filter(|m| {
            let recipient = m["to_email_address"].as_str().or_else(|| m["to_phone_number"].as_str()).unwrap_or("");
            wanted.as_deref().is_none_or(|w| recipient.to_lowercase() == w)
        })
        .collect();
    found.reverse();
    found
}

/// Removes every message of a collection (optionally only those to `to`); returns how many.
pub fn clear(store: &mut Store, collection: &str, to: Option<&str>) -> usize {
    let wanted = to.map(|t| t.trim().to_lowercase());
    store.remove_where(collection, |m| {
        let recipient = m["to_email_address"].as_str().or_else(|| m["to_phone_number"].as_str()).unwrap_or("");
        wanted.as_deref().is_none_or(|w| recipient.to_lowercase() == w)
    })
}

/// The verification email of a sign-in or sign-up.
pub fn send_code_email(store: &mut Store, to: &str, code: &str, object: &str, object_id: &str) -> Value {
    let subject = format!("{code} is your verification code");
    let text = format!("Enter this verification code to continue: {code}\n\nThis code expires in 10 minutes.");
    send_email(store, Message { to, subject: &subject, text: &text, code: Some(code), link: None, object, object_id })
}
