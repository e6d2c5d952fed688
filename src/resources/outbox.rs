//! The outbox: every email and SMS Clerk would send (verification codes,
//! sign-in/up links, invitations), kept per instance in the store
//! collections `emails` and `sms_messages` so a test reads the code it must
//! type (`GET /__admin/emails?to=…`, see `admin/outbox.rs`).
//!
//! The store writes are what the webhooks see: every email created here is
//! an `email.created` event (`webhooks/events.rs`), the invitation emails
//! of `POST /invitations` and `POST /organizations/{id}/invitations` included.
//!
//! Codes are one fixed value per run (`--verification-code`, default
//! `424242`, the code Clerk's test identifiers accept).
//!
//! ```
//! use clerk_mock::resources::outbox::{self, Message};
//! use clerk_mock::state::Store;
//! let mut store = Store::new(1, "sk_test_doc");
//! outbox::send_email(&mut store, Message {
//!     to: "ada@example.com", subject: "424242 is your verification code", text: "Enter 424242.", html: None,
//!     code: Some("424242"), link: None, object: "sign_up_attempt", object_id: "sua_1",
//!     slug: "verification_code", data: serde_json::json!({"otp_code": "424242"}) });
//! let sent: Vec<_> = outbox::list(&store, outbox::EMAILS, Some("ada@example.com"));
//! assert_eq!(sent[0]["code"], "424242");
//! ```

use serde_json::{json, Value};

use crate::state::{CollectionKey, Kind, Store};

/// Every email Clerk would have sent (`email`, `ema_…`).
pub const EMAILS: CollectionKey = CollectionKey::new("emails");
pub const EMAIL: Kind = Kind::stored("email", "ema", EMAILS);
/// Every SMS Clerk would have sent (`sms_message`, `sms_…`).
pub const SMS: CollectionKey = CollectionKey::new("sms_messages");
pub const SMS_MESSAGE: Kind = Kind::stored("sms_message", "sms", SMS);

/// What a message says and what it belongs to.
pub struct Message<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// The HTML body, when it differs from the text.
    pub html: Option<&'a str>,
    pub code: Option<&'a str>,
    pub link: Option<&'a str>,
    /// `sign_up_attempt`, `sign_in_attempt`, `organization_invitation`, …
    pub object: &'a str,
    pub object_id: &'a str,
    /// Clerk's template slug (`verification_code`, `invitation`, `organization_invitation`).
    pub slug: &'a str,
    /// The template data (`otp_code`, `action_url`, …).
    pub data: Value,
}

/// Keeps an email; returns it.
pub fn send_email(store: &mut Store, message: Message) -> Value {
    store.create(&EMAIL, |_, _, now| {
        json!({
            "to_email_address": message.to,
            "slug": message.slug,
            "from_email_name": "notifications",
            "reply_to_email_name": null,
            "email_address_id": null,
            "user_id": null,
            "subject": message.subject,
            "body": message.html.unwrap_or(message.text),
            "body_plain": message.text,
            "data": message.data,
            "delivered_by_clerk": true,
            "code": message.code,
            "link": message.link,
            "belongs_to": {"object": message.object, "id": message.object_id},
            "status": "delivered",
            "created_at": now,
        })
    })
}

/// Keeps an SMS; returns it.
pub fn send_sms(store: &mut Store, message: Message) -> Value {
    store.create(&SMS_MESSAGE, |_, _, now| {
        json!({
            "to_phone_number": message.to,
            "slug": message.slug,
            "message": message.text,
            "data": message.data,
            "code": message.code,
            "link": message.link,
            "belongs_to": {"object": message.object, "id": message.object_id},
            "status": "delivered",
            "created_at": now,
        })
    })
}

/// The messages of a collection, newest first, optionally only those to `to`
/// (case-insensitive; an email address or a phone number).
pub fn list<'a>(store: &'a Store, collection: CollectionKey<'_>, to: Option<&str>) -> Vec<&'a Value> {
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
pub fn clear(store: &mut Store, collection: CollectionKey<'_>, to: Option<&str>) -> usize {
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
    let data = json!({"otp_code": code});
    send_email(store, Message { to, subject: &subject, text: &text, html: None, code: Some(code), link: None, object, object_id, slug: "verification_code", data })
}

/// The email of an invitation (`invitations`) or organization invitation
/// (`organization_invitations`, with `org_name`), linking to `url`.
pub fn send_invitation_email(store: &mut Store, invitation: &Value, url: &str, org_name: Option<&str>) -> Value {
    let to = invitation["email_address"].as_str().unwrap_or("").to_string();
    let id = invitation["id"].as_str().unwrap_or("").to_string();
    let (slug, object, subject, data) = match org_name {
        Some(name) => (
            "organization_invitation",
            "organization_invitation",
            format!("You're invited to join {name}"),
            json!({"org": {"name": name}, "action_url": url, "inviter_name": invitation["public_inviter_data"]["first_name"]}),
        ),
        None => ("invitation", "invitation", "You're invited!".to_string(), json!({"action_url": url})),
    };
    let text = format!("{subject}\n\nAccept the invitation: {url}");
    let html = format!("<p>{subject}</p><p><a href=\"{url}\">Accept the invitation</a></p>");
    let message = Message { to: &to, subject: &subject, text: &text, html: Some(&html), code: None, link: Some(url), object, object_id: &id, slug, data };
    send_email(store, message)
}
