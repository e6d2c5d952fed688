//! The error catalogue: every error code clerk-mock answers, in one table,
//! each with when it fires and whether Clerk documents it or the project
//! chose it. `docs/errors.md` is generated from this table
//! (`clerk-mock errors > docs/errors.md`) and a test fails when it is stale.
//!
//! One macro writes both the `code::*` constants call sites use and
//! [`CATALOGUE`], so a code cannot exist without its line of documentation:
//!
//! ```
//! use clerk_mock::error::{catalogue::{CATALOGUE, Origin}, code};
//! let entry = CATALOGUE.iter().find(|e| e.code == code::RESOURCE_NOT_FOUND).unwrap();
//! assert_eq!(entry.origin, Origin::Clerk);
//! assert!(entry.when.contains("unknown"));
//! ```

use std::fmt::Write;

/// Who named a code: Clerk (its docs, specs or official client code use it)
/// or this project (Clerk-style names for cases Clerk does not publish).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Clerk,
    Project,
}

/// One catalogue line: the code, who named it and when it fires.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub code: &'static str,
    pub origin: Origin,
    pub when: &'static str,
}

macro_rules! catalogue {
    ($( #[doc = $when:literal] $name:ident = $code:literal, $origin:ident; )*) => {
        /// Every error code as a constant (see [`CATALOGUE`] for when each fires).
        pub mod code {
            $( #[doc = $when] pub const $name: &str = $code; )*
        }
        /// Every error code, in the order of the table below.
        pub const CATALOGUE: &[Entry] = &[
            $( Entry { code: $code, origin: Origin::$origin, when: $when.trim_ascii() }, )*
        ];
    };
}

catalogue! {
    /// A missing, malformed or unknown secret key (or an admin call that names no instance).
    AUTHENTICATION_INVALID = "authentication_invalid", Clerk;
    /// An unknown id, path, scenario name or instance handle.
    RESOURCE_NOT_FOUND = "resource_not_found", Clerk;
    /// An email address, phone number, username or other identifier already taken.
    FORM_IDENTIFIER_EXISTS = "form_identifier_exists", Clerk;
    /// A required body or form field is absent (`meta.param_name`).
    FORM_PARAM_MISSING = "form_param_missing", Clerk;
    /// A value of the wrong type or format (`meta.param_name`).
    FORM_PARAM_FORMAT_INVALID = "form_param_format_invalid", Clerk;
    /// A field the operation does not take (`meta.param_name`).
    FORM_PARAM_UNKNOWN = "form_param_unknown", Clerk;
    /// `null` where the schema does not allow it.
    FORM_PARAM_NIL = "form_param_nil", Clerk;
    /// A well-formed value the operation does not accept (outside an enum, an unknown role, …).
    FORM_PARAM_VALUE_INVALID = "form_param_value_invalid", Clerk;
    /// A password check (`verify_password`) with the wrong password.
    FORM_PASSWORD_INCORRECT = "form_password_incorrect", Clerk;
    /// A password found in breach lists (scenario `validation-422` only).
    FORM_PASSWORD_PWNED = "form_password_pwned", Clerk;
    /// A password shorter than 8 characters.
    FORM_PASSWORD_LENGTH_TOO_SHORT = "form_password_length_too_short", Clerk;
    /// A password longer than 72 characters.
    FORM_PASSWORD_LENGTH_TOO_LONG = "form_password_length_too_long", Project;
    /// A username shorter than 4 or longer than 64 characters.
    FORM_USERNAME_INVALID_LENGTH = "form_username_invalid_length", Project;
    /// A username with characters other than letters, digits, `_` and `-`.
    FORM_USERNAME_INVALID_CHARACTER = "form_username_invalid_character", Project;
    /// A wrong TOTP or backup code (`verify_totp`).
    FORM_CODE_INCORRECT = "form_code_incorrect", Clerk;
    /// An unverified email or phone made primary, or verified-only use of one.
    FORM_IDENTIFICATION_NOT_VERIFIED = "form_identification_not_verified", Project;
    /// A body that is not JSON, or no body where the operation needs one.
    MALFORMED_REQUEST = "malformed_request", Project;
    /// A request body (or an uploaded logo) over the size limit.
    REQUEST_BODY_TOO_LARGE = "request_body_too_large", Project;
    /// A request head over `--max-header-bytes`.
    REQUEST_HEADERS_TOO_LARGE = "request_header_fields_too_large", Project;
    /// A request target over `--max-uri-bytes`.
    REQUEST_URI_TOO_LONG = "request_uri_too_long", Project;
    /// A known path with a method no operation of it declares.
    METHOD_NOT_ALLOWED = "method_not_allowed", Project;
    /// A handler that panicked or an internal failure (persistence, signing).
    INTERNAL_ERROR = "internal_clerk_error", Project;
    /// A scenario rule that rate-limits (with `Retry-After`).
    TOO_MANY_REQUESTS = "too_many_requests", Clerk;
    /// A deprecated operation while scenario `deprecated-410` is on.
    DEPRECATED_ENDPOINT = "operation_deprecated", Project;
    /// `--validate-responses` found an answer the spec does not allow (a bug in the mock).
    RESPONSE_INVALID = "mock_response_invalid", Project;
    /// The admin webhooks API while no webhooks spec is loaded.
    WEBHOOKS_DISABLED = "webhooks_disabled", Project;
    /// `POST /__admin/webhooks/flush` gave up with deliveries still pending.
    WEBHOOKS_FLUSH_TIMEOUT = "webhooks_flush_timeout", Project;
    /// A fixture file (admin load or start-up) that cannot be applied.
    FIXTURE_INVALID = "fixture_invalid", Project;
    /// `POST /__admin/state/snapshot` without `--data-dir`.
    DATA_DIR_NOT_CONFIGURED = "data_dir_not_configured", Project;
    /// A scenario (admin upload or `X-Clerk-Mock-Scenario`) that does not parse.
    SCENARIO_INVALID = "scenario_invalid", Project;
    /// `X-Clerk-Mock-Scenario` names a scenario neither bundled nor loaded.
    SCENARIO_NOT_FOUND = "scenario_not_found", Project;
    /// A session (or fixture session) for a banned user (422); a Frontend API sign-in or token of one (403).
    USER_BANNED = "user_banned", Project;
    /// A profile image upload that is not an image.
    IMAGE_NOT_SUPPORTED = "image_not_supported", Project;
    /// A password operation on a user without a password.
    PASSWORD_NOT_SET = "password_not_set", Project;
    /// `verify_totp` for a user with neither TOTP nor backup codes.
    TOTP_NOT_ENABLED = "totp_not_enabled", Project;
    /// `POST /sessions` (testing only) on a production (`sk_live_`) instance.
    OPERATION_NOT_ALLOWED_ON_PRODUCTION = "operation_not_allowed_on_production", Project;
    /// A token this instance did not sign, or one of another session.
    TOKEN_INVALID = "token_invalid", Project;
    /// `verify_session` with a token of another session.
    SESSION_TOKEN_MISMATCH = "session_token_mismatch", Project;
    /// `verify_session` of a session that is no longer active.
    SESSION_NOT_ACTIVE = "session_not_active", Project;
    /// A second pending invitation, allowlist entry or role permission for the same thing.
    DUPLICATE_RECORD = "duplicate_record", Project;
    /// A membership or organization invitation for someone already a member.
    ALREADY_A_MEMBER_IN_ORGANIZATION = "already_a_member_in_organization", Project;
    /// A membership beyond the organization's `max_allowed_memberships`.
    ORGANIZATION_MEMBERSHIP_QUOTA_EXCEEDED = "organization_membership_quota_exceeded", Project;
    /// Deleting a role that members or pending invitations still hold.
    ORGANIZATION_ROLE_IN_USE = "organization_role_in_use", Project;
    /// Changing the key of a system role (`org:admin`, `org:member`).
    SYSTEM_ROLE_KEY_IMMUTABLE = "system_role_key_immutable", Project;
    /// Deleting a system role.
    SYSTEM_ROLE_NOT_DELETABLE = "system_role_not_deletable", Project;
    /// Changing or deleting a system permission.
    SYSTEM_PERMISSION_IMMUTABLE = "system_permission_immutable", Project;
    /// Revoking an organization invitation, sign-in token or testing token that is no longer pending.
    CANNOT_REVOKE = "cannot_revoke", Project;
    /// Attempting a verification that is already verified.
    VERIFICATION_ALREADY_VERIFIED = "verification_already_verified", Clerk;
    /// Revoking an invitation twice.
    INVITATION_ALREADY_REVOKED = "invitation_already_revoked", Project;
    /// Revoking an accepted invitation.
    INVITATION_ALREADY_ACCEPTED = "invitation_already_accepted", Project;
    /// A Frontend API sign-in whose identifier no user has.
    FORM_IDENTIFIER_NOT_FOUND = "form_identifier_not_found", Clerk;
    /// A Frontend API sign-in or sign-up strategy the account or attempt cannot use (not offered, not prepared).
    STRATEGY_FOR_USER_INVALID = "strategy_for_user_invalid", Clerk;
    /// A Frontend API sign-in or sign-up while the browser already has an active session (single-session mode).
    SESSION_EXISTS = "session_exists", Clerk;
    /// A Frontend API sign-in of a locked user.
    USER_LOCKED = "user_locked", Clerk;
    /// A Frontend API call for a session that is not live on this browser (ended, revoked or banned through the Backend API, or none): clerk-js signs out.
    SIGNED_OUT = "signed_out", Project;
    /// A sign-in `ticket` that does not verify, is used, revoked or expired.
    TICKET_INVALID = "ticket_invalid", Project;
    /// A Frontend API organization switch or token for an organization the user is not a member of.
    NOT_A_MEMBER_IN_ORGANIZATION = "not_a_member_in_organization", Project;
    /// Creating an organization from the browser for a user with `create_organization_enabled: false`.
    NOT_ALLOWED_ACCESS = "not_allowed_access", Project;
    /// Accepting an organization invitation that is no longer pending.
    ORGANIZATION_INVITATION_NOT_PENDING = "organization_invitation_not_pending", Project;
}

/// `docs/errors.md`: the catalogue as a table, in catalogue order.
pub fn markdown() -> String {
    let mut out = String::from("# Error codes\n\n");
    out.push_str(
        "Generated from `src/error/catalogue.rs` by `clerk-mock errors > docs/errors.md`; \
a test fails when this file is stale. Every answer that is not a success carries one of these codes \
in Clerk's envelope `{\"errors\":[{message,long_message,code,meta}],\"clerk_trace_id\"}`. \
Scenario rules may answer any code they name; those are not listed.\n\n\
- **Clerk**: Clerk's specs, docs or official client code use the code;\n\
- **project**: a Clerk-style code this project chose for a case Clerk does not publish.\n\n",
    );
    out.push_str("| code | named by | fires when |\n|---|---|---|\n");
    for e in CATALOGUE {
        let origin = match e.origin {
            Origin::Clerk => "Clerk",
            Origin::Project => "project",
        };
        let _ = writeln!(out, "| `{}` | {} | {} |", e.code, origin, e.when);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_with_a_sentence() {
        let mut codes: Vec<&str> = CATALOGUE.iter().map(|e| e.code).collect();
        codes.sort();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len(), "a code is listed twice");
        assert!(CATALOGUE.iter().all(|e| e.when.ends_with('.') && !e.when.starts_with(' ')));
    }
}
