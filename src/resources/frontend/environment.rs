//! `GET` / `PATCH /v1/environment` (bare EnvironmentJSON, FAPI.md §2.5): what
//! clerk-js and its UI are allowed to do, built from what the mock enforces —
//! single-session mode, email + password sign-up with an email code, sign-in
//! by password or email code, passwords of 8–72 characters and nothing else
//! (`resources/passwords.rs`), no captcha, organizations on.
//!
//! The `display_config` URLs come from `--sign-in-url`, `--sign-up-url`,
//! `--after-sign-in-url`, `--after-sign-up-url`, `--home-url`, overridden per
//! instance by `PATCH /__admin/frontend/environment` (kept in the instance's
//! singleton `frontend_environment`):
//!
//! ```
//! use clerk_mock::config::FlowArgs;
//! use clerk_mock::resources::frontend::environment::urls;
//! let flags = FlowArgs { sign_in_url: Some("http://localhost:3000/sign-in".into()), ..FlowArgs::default() };
//! let urls = urls(&flags, "clerk.mock.localhost", &serde_json::json!({"home_url": "http://localhost:3000"}));
//! assert_eq!(urls["sign_in_url"], "http://localhost:3000/sign-in");
//! assert_eq!(urls["home_url"], "http://localhost:3000");
//! assert_eq!(urls["sign_up_url"], "https://accounts.mock.localhost/sign-up");
//! ```

use serde_json::{json, Map, Value};

use super::{FrontendAnswer, FrontendCall};
use crate::config::FlowArgs;
use crate::error::ApiError;
use crate::resources::passwords;
use crate::state::Store;

/// The instance singleton holding per-instance URL overrides.
pub const SINGLETON: &str = "frontend_environment";
/// The URLs an instance may override.
pub const URL_FIELDS: &[&str] = &["sign_in_url", "sign_up_url", "after_sign_in_url", "after_sign_up_url", "home_url"];

/// The display URLs: instance override → flag → Clerk's Account Portal default.
pub fn urls(flags: &FlowArgs, frontend_host: &str, overrides: &Value) -> Map<String, Value> {
    let portal = format!("https://accounts.{}", frontend_host.strip_prefix("clerk.").unwrap_or(frontend_host));
    let flag = |name: &str| match name {
        "sign_in_url" => flags.sign_in_url.clone(),
        "sign_up_url" => flags.sign_up_url.clone(),
        "after_sign_in_url" => flags.after_sign_in_url.clone(),
        "after_sign_up_url" => flags.after_sign_up_url.clone(),
        _ => flags.home_url.clone(),
    };
    let fallback = |name: &str| match name {
        "sign_in_url" => format!("{portal}/sign-in"),
        "sign_up_url" => format!("{portal}/sign-up"),
        "home_url" => portal.clone(),
        _ => format!("{portal}/default-redirect"),
    };
    URL_FIELDS
        .iter()
        .map(|name| {
            let chosen = overrides.get(*name).and_then(Value::as_str).map(String::from).or_else(|| flag(name)).unwrap_or_else(|| fallback(name));
            (name.to_string(), json!(chosen))
        })
        .collect()
}

/// The instance's overrides (`{}` when none).
pub fn overrides(store: &Store) -> Value {
    store.singleton(SINGLETON).cloned().unwrap_or_else(|| json!({}))
}

fn attribute(enabled: bool, required: bool, first_factors: &[&str], verifications: &[&str]) -> Value {
    json!({
        "enabled": enabled, "required": required, "used_for_first_factor": !first_factors.is_empty(),
        "first_factors": first_factors, "used_for_second_factor": false, "second_factors": [],
        "verifications": verifications, "verify_at_sign_up": !verifications.is_empty(), "immutable": false,
    })
}

fn user_settings() -> Value {
    let off = attribute(false, false, &[], &[]);
    json!({
        "attributes": {
            "email_address": attribute(true, true, &["email_code"], &["email_code"]),
            "password": attribute(true, true, &[], &[]),
            "first_name": attribute(true, false, &[], &[]), "last_name": attribute(true, false, &[], &[]),
            "phone_number": off, "username": off, "web3_wallet": off, "authenticator_app": off,
            "ticket": attribute(true, false, &["ticket"], &[]), "backup_code": off, "passkey": off,
        },
        "social": {},
        "saml": {"enabled": false}, "enterprise_sso": {"enabled": false},
        "restrictions": {"allowlist": {"enabled": false}, "blocklist": {"enabled": false},
            "allowlist_blocklist_disabled_on_sign_in": {"enabled": false}, "block_email_subaddresses": {"enabled": false},
            "block_disposable_email_domains": {"enabled": false}},
        "username_settings": {"min_length": 4, "max_length": 64, "allow_extended_special_characters": false, "allow_numeric_usernames": true},
        "actions": {"delete_self": true, "create_organization": true, "create_organizations_limit": null},
        "attack_protection": {"user_lockout": {"enabled": false, "max_attempts": 100, "duration_in_minutes": 60},
            "pii": {"enabled": false}, "email_link": {"require_same_client": false}, "enumeration_protection": {"enabled": false}},
        "passkey_settings": {"allow_autofill": false, "show_sign_in_button": false, "satisfies_second_factor": false},
        "sign_in": {"second_factor": {"required": false}},
        "sign_up": {"captcha_enabled": false, "captcha_widget_type": "smart", "custom_action_required": false,
                    "progressive": true, "mode": "public", "legal_consent_enabled": false},
        "password_settings": {
            "disable_hibp": true, "disable_password_reverification": true,
            "min_length": passwords::MIN_LENGTH, "max_length": passwords::MAX_LENGTH,
            "require_special_char": false, "require_numbers": false, "require_uppercase": false, "require_lowercase": false,
            "show_zxcvbn": false, "min_zxcvbn_strength": 0, "enforce_hibp_on_sign_in": false,
            "allowed_special_characters": "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~",
        },
    })
}

/// The whole environment document of an instance.
pub fn document(call: &FrontendCall, store: &Store) -> Value {
    let mut display = json!({
        "object": "display_config", "id": "display_config_mock", "instance_environment_type": "development",
        "application_name": "clerk-mock", "theme": {}, "preferred_sign_in_strategy": "password",
        "branded": false, "show_devmode_warning": false, "experimental_force_oauth_first": false,
        "captcha_public_key": null, "captcha_widget_type": null, "captcha_public_key_invisible": null,
        "captcha_provider": null, "captcha_oauth_bypass": [], "captcha_heartbeat": false,
        "support_email": null, "clerk_js_version": null, "google_one_tap_client_id": null, "help_url": null,
        "privacy_policy_url": null, "terms_url": null, "logo_url": null, "favicon_url": null, "logo_image": null,
        "favicon_image": null, "logo_image_url": null, "favicon_image_url": null,
    });
    let urls = urls(&call.services.flows, &call.services.tokens.frontend_host, &overrides(store));
    let home = urls["home_url"].clone();
    for derived in ["user_profile_url", "waitlist_url", "oauth_consent_url", "after_sign_out_one_url", "after_sign_out_all_url",
        "after_switch_session_url", "after_join_waitlist_url", "organization_profile_url", "create_organization_url",
        "after_leave_organization_url", "after_create_organization_url", "logo_link_url"] {
        display[derived] = home.clone();
    }
    if let Some(d) = display.as_object_mut() {
        d.extend(urls);
    }
    json!({
        "auth_config": {
            "object": "auth_config", "id": "auth_config_mock", "first_name": "on", "last_name": "on",
            "email_address": "required", "phone_number": "off", "username": "off", "password": "required",
            "identification_requirements": [["email_address"]], "identification_strategies": ["email_address"],
            "first_factors": ["email_code", "password", "ticket"], "second_factors": [],
            "email_address_verification_strategies": ["email_code"], "single_session_mode": true,
            "enhanced_email_deliverability": false, "test_mode": true, "cookieless_dev": false,
            "url_based_session_syncing": false, "claimed_at": null, "reverification": false,
            "native_settings": {"object": "native_settings", "api_enabled": false, "trusted_device_sign_in_enabled": false,
                "trusted_device_enrollment_prompt_after_sign_in_enabled": false,
                "trusted_device_enrollment_prompt_after_sign_up_enabled": false},
        },
        "display_config": display,
        "user_settings": user_settings(),
        "organization_settings": {
            "enabled": true, "max_allowed_memberships": 0, "creator_role": "org:admin",
            "actions": {"admin_delete": true},
            "domains": {"enabled": false, "enrollment_modes": [], "default_role": "org:member"},
            "slug": {"disabled": false},
        },
        "client_debug_mode": false, "partitioned_cookies": false, "maintenance_mode": false,
    })
}

/// `GET` and `PATCH /v1/environment` (clerk-js's dev "touch") answer the same
/// document, bare. No client is looked up or created: clerk-js calls this in
/// parallel with `GET /v1/client`, which makes the client.
pub fn get(call: &FrontendCall) -> Result<FrontendAnswer, ApiError> {
    let body = document(call, &call.instance.store.lock());
    Ok(FrontendAnswer::json(200, body))
}
