//! Named constructors for every catalogue code beyond the common ones in
//! `mod.rs`: each fixes the status, code and short message, so call sites
//! say what went wrong (`ApiError::user_banned(id)`), never `422` + a string.
//!
//! ```
//! use clerk_mock::error::ApiError;
//! let e = ApiError::user_banned("user_1");
//! assert_eq!((e.status, e.errors[0].code.as_str()), (422, "user_banned"));
//! ```

use super::{code, ApiError};

impl ApiError {
    // --- parameters ------------------------------------------------------

    /// 422 `form_param_format_invalid`; add `.with_param(..)` when one field is at fault.
    pub fn format_invalid(long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_PARAM_FORMAT_INVALID, "is invalid", long)
    }

    /// 400 `form_param_missing` for a field some spec versions declare optional
    /// but the operation needs (an upload's `file`, a session's `token`).
    pub fn field_required(long: impl Into<String>) -> Self {
        Self::new(400, code::FORM_PARAM_MISSING, "missing required parameter", long)
    }

    /// 422 `form_param_value_invalid`: an identifier linked to a connected account.
    pub fn identifier_linked(long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_PARAM_VALUE_INVALID, "is linked", long)
    }

    /// 422 `form_param_value_invalid`; add `.with_param(..)` (or use [`ApiError::param_invalid`]).
    pub fn value_invalid(long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_PARAM_VALUE_INVALID, "is invalid", long)
    }

    /// 422 `form_param_value_invalid`: removing a permission the role does not have.
    pub fn permission_not_assigned() -> Self {
        Self::new(422, code::FORM_PARAM_VALUE_INVALID, "not assigned", "The permission is not assigned to this role.")
    }

    /// 422 `form_identification_not_verified`.
    pub fn identification_not_verified(long: impl Into<String>) -> Self {
        Self::new(422, code::FORM_IDENTIFICATION_NOT_VERIFIED, "is not verified", long)
    }

    // --- passwords, usernames, codes --------------------------------------

    pub fn password_too_short(min: usize) -> Self {
        Self::new(
            422,
            code::FORM_PASSWORD_LENGTH_TOO_SHORT,
            "Passwords must be 8 characters or more.",
            format!("Passwords must be {min} characters or more."),
        )
        .with_param("password")
    }

    pub fn password_too_long(max: usize) -> Self {
        Self::new(
            422,
            code::FORM_PASSWORD_LENGTH_TOO_LONG,
            "Passwords must be less than 72 characters.",
            format!("Passwords must be less than {max} characters."),
        )
        .with_param("password")
    }

    pub fn password_incorrect() -> Self {
        Self::new(422, code::FORM_PASSWORD_INCORRECT, "Password is incorrect.", "Password is incorrect. Try again, or use another method.")
            .with_param("password")
    }

    /// 400 `password_not_set` (422 where the user is being changed: `.with_status(422)`).
    pub fn password_not_set() -> Self {
        Self::new(400, code::PASSWORD_NOT_SET, "no password", "The user does not have a password set.")
    }

    pub fn username_invalid_length() -> Self {
        let text = "Usernames must be between 4 and 64 characters long.";
        Self::new(422, code::FORM_USERNAME_INVALID_LENGTH, text, text).with_param("username")
    }

    pub fn username_invalid_character() -> Self {
        let text = "Usernames can only contain letters, numbers, and '_' or '-'.";
        Self::new(422, code::FORM_USERNAME_INVALID_CHARACTER, text, text).with_param("username")
    }

    pub fn totp_not_enabled() -> Self {
        Self::new(400, code::TOTP_NOT_ENABLED, "TOTP is not enabled", "The user has neither TOTP nor backup codes.")
    }

    pub fn code_incorrect() -> Self {
        Self::new(422, code::FORM_CODE_INCORRECT, "Incorrect code", "The TOTP or backup code is incorrect.").with_param("code")
    }

    pub fn image_not_supported(content_type: &str) -> Self {
        Self::new(400, code::IMAGE_NOT_SUPPORTED, "unsupported image", format!("{content_type} is not a supported image type."))
            .with_param("file")
    }

    pub fn verification_already_verified() -> Self {
        Self::new(400, code::VERIFICATION_ALREADY_VERIFIED, "already verified", "This verification has already been verified.")
    }

    // --- sessions and tokens ----------------------------------------------

    /// 422 `user_banned`: a banned user cannot get a session.
    pub fn user_banned(user_id: &str) -> Self {
        Self::new(422, code::USER_BANNED, "user is banned", format!("User {user_id} is banned and cannot sign in."))
    }

    pub fn not_on_production(long: impl Into<String>) -> Self {
        Self::new(400, code::OPERATION_NOT_ALLOWED_ON_PRODUCTION, "not available for production instances", long)
    }

    /// 400 `token_invalid`: a token this instance did not sign (`why` says how it failed).
    pub fn token_invalid(why: &str) -> Self {
        Self::new(400, code::TOKEN_INVALID, "invalid token", format!("The token is not valid for this instance: {why}."))
    }

    /// 400 `token_invalid`: a valid token of another session.
    pub fn token_of_another_session(long: impl Into<String>) -> Self {
        Self::new(400, code::TOKEN_INVALID, "token of another session", long)
    }

    pub fn session_token_mismatch() -> Self {
        Self::new(400, code::SESSION_TOKEN_MISMATCH, "token of another session", "The token belongs to a different session.")
    }

    pub fn session_not_active(session_id: &str, status: &str) -> Self {
        Self::new(400, code::SESSION_NOT_ACTIVE, "session not active", format!("Session {session_id} is {status}."))
    }

    /// 401 `authentication_invalid`: a session that can no longer be refreshed.
    pub fn cannot_refresh(long: impl Into<String>) -> Self {
        Self::new(401, code::AUTHENTICATION_INVALID, "cannot refresh", long)
    }

    /// 404 `resource_not_found` with its own sentence (an inactive session, an unknown scenario).
    pub fn not_found_because(long: impl Into<String>) -> Self {
        Self::new(404, code::RESOURCE_NOT_FOUND, "not found", long)
    }

    // --- organizations, invitations, allowlists ----------------------------

    /// `duplicate_record`: a second pending thing of the same kind (`message` names it).
    pub fn duplicate(message: &str, long: impl Into<String>) -> Self {
        Self::new(422, code::DUPLICATE_RECORD, message, long)
    }

    /// 409 `duplicate_record`: the permission is already on the role.
    pub fn permission_already_assigned() -> Self {
        Self::new(409, code::DUPLICATE_RECORD, "already assigned", "The permission is already assigned to this role.")
    }

    pub fn already_a_member(long: impl Into<String>) -> Self {
        Self::new(422, code::ALREADY_A_MEMBER_IN_ORGANIZATION, "already a member", long)
    }

    pub fn membership_quota_exceeded(org_id: &str, max: impl std::fmt::Display) -> Self {
        Self::new(
            403,
            code::ORGANIZATION_MEMBERSHIP_QUOTA_EXCEEDED,
            "membership quota exceeded",
            format!("Organization {org_id} allows at most {max} members (max_allowed_memberships)."),
        )
    }

    pub fn role_in_use(key: &str) -> Self {
        Self::new(
            422,
            code::ORGANIZATION_ROLE_IN_USE,
            "role in use",
            format!("The role {key} is assigned to members or pending invitations; reassign them first."),
        )
    }

    pub fn system_role_key_immutable(key: &str) -> Self {
        Self::new(403, code::SYSTEM_ROLE_KEY_IMMUTABLE, "cannot change a system role's key", format!("{key} is a system role; its key cannot change."))
    }

    pub fn system_role_not_deletable(key: &str) -> Self {
        Self::new(403, code::SYSTEM_ROLE_NOT_DELETABLE, "cannot delete a system role", format!("{key} is a system role and cannot be deleted."))
    }

    /// `action` is what was tried: "changed", "deleted".
    pub fn system_permission_immutable(action: &str) -> Self {
        Self::new(403, code::SYSTEM_PERMISSION_IMMUTABLE, "system permission", format!("System permissions cannot be {action}."))
    }

    pub fn cannot_revoke(long: impl Into<String>) -> Self {
        Self::new(400, code::CANNOT_REVOKE, "cannot revoke", long)
    }

    pub fn invitation_already_revoked() -> Self {
        Self::new(400, code::INVITATION_ALREADY_REVOKED, "already revoked", "This invitation has already been revoked.")
    }

    pub fn invitation_already_accepted() -> Self {
        Self::new(400, code::INVITATION_ALREADY_ACCEPTED, "already accepted", "An accepted invitation cannot be revoked.")
    }

    // --- limits and the wire ----------------------------------------------

    pub fn uri_too_long(target: impl std::fmt::Display, limit: impl std::fmt::Display) -> Self {
        Self::new(414, code::REQUEST_URI_TOO_LONG, "request URI too long", format!("The request target is {target} bytes long; the limit is {limit} bytes."))
    }

    pub fn headers_too_large(head: impl std::fmt::Display, limit: impl std::fmt::Display) -> Self {
        Self::new(431, code::REQUEST_HEADERS_TOO_LARGE, "request header fields too large", format!("The request head is {head} bytes; the limit is {limit} bytes."))
    }

    pub fn body_too_large(limit: impl std::fmt::Display) -> Self {
        Self::new(413, code::REQUEST_BODY_TOO_LARGE, "request body too large", format!("The request body is larger than the limit of {limit} bytes."))
    }

    /// 413 `request_body_too_large` for one uploaded file (`long` names the limit).
    pub fn file_too_large(long: impl Into<String>) -> Self {
        Self::new(413, code::REQUEST_BODY_TOO_LARGE, "file too large", long)
    }

    pub fn body_missing() -> Self {
        Self::malformed_titled(
            "request body missing",
            "This operation requires a request body: send JSON with `Content-Type: application/json` (`{}` when no field is set).",
        )
    }

    fn malformed_titled(message: &str, long: &str) -> Self {
        Self::new(400, code::MALFORMED_REQUEST, message, long)
    }

    /// 500 `mock_response_invalid`: `--validate-responses` caught the mock.
    pub fn response_invalid(long: impl Into<String>) -> Self {
        Self::new(500, code::RESPONSE_INVALID, "mock response does not match the spec", long)
    }

    // --- the admin API and scenarios ---------------------------------------

    /// 400 `authentication_invalid`: an admin call that needs an instance named none.
    pub fn instance_missing(long: impl Into<String>) -> Self {
        Self::new(400, code::AUTHENTICATION_INVALID, "instance missing", long)
    }

    pub fn instance_not_found(handle: &str) -> Self {
        Self::new(
            404,
            code::RESOURCE_NOT_FOUND,
            "instance not found",
            format!("No instance has the handle `{handle}`; GET /__admin/instances lists them."),
        )
        .with_param("instance")
    }

    pub fn fixture_invalid(long: impl Into<String>) -> Self {
        Self::new(422, code::FIXTURE_INVALID, "invalid fixture", long)
    }

    pub fn data_dir_not_configured() -> Self {
        Self::new(
            409,
            code::DATA_DIR_NOT_CONFIGURED,
            "no data directory",
            "Start clerk-mock with --data-dir DIR (or CLERK_MOCK_DATA_DIR) to take snapshots.",
        )
    }

    /// 422 `scenario_invalid` (400 for one named in a request header: `.with_status(400)`).
    pub fn scenario_invalid(reason: impl Into<String>) -> Self {
        Self::new(422, code::SCENARIO_INVALID, "invalid scenario", reason)
    }

    pub fn scenario_not_found(long: impl Into<String>) -> Self {
        Self::new(400, code::SCENARIO_NOT_FOUND, "unknown scenario", long)
    }

    pub fn webhooks_disabled(long: impl Into<String>) -> Self {
        Self::new(409, code::WEBHOOKS_DISABLED, "webhooks are off", long)
    }

    pub fn webhooks_flush_timeout(pending: impl std::fmt::Display, timeout_ms: impl std::fmt::Display) -> Self {
        Self::new(
            408,
            code::WEBHOOKS_FLUSH_TIMEOUT,
            "deliveries still pending",
            format!("{pending} webhook deliveries were still pending after {timeout_ms} ms."),
        )
    }

    // --- the Frontend API's flows (resources/frontend) ---------------------

    /// 422 `form_identifier_not_found` on `identifier`.
    pub fn identifier_not_found() -> Self {
        Self::new(422, code::FORM_IDENTIFIER_NOT_FOUND, "Couldn't find your account.", "Couldn't find your account.")
            .with_param("identifier")
    }

    /// 422 `form_code_incorrect`: a verification code that is not the one sent.
    pub fn verification_code_incorrect() -> Self {
        Self::new(422, code::FORM_CODE_INCORRECT, "Incorrect code", "Incorrect code").with_param("code")
    }

    /// 422 `strategy_for_user_invalid` on `strategy`.
    pub fn strategy_invalid(strategy: &str) -> Self {
        Self::new(
            422,
            code::STRATEGY_FOR_USER_INVALID,
            "Invalid verification strategy",
            format!("The verification strategy `{strategy}` is not valid for this account."),
        )
        .with_param("strategy")
    }

    /// 400 `session_exists`: single-session mode, already signed in.
    pub fn session_exists() -> Self {
        Self::new(400, code::SESSION_EXISTS, "You're already signed in.", "You're already signed in.")
    }

    /// 403 `user_banned`: a banned user signs in through the Frontend API.
    pub fn sign_in_banned() -> Self {
        Self::new(403, code::USER_BANNED, "Banned account", "This account has been banned. Please contact the administrator.")
    }

    /// 403 `user_locked`.
    pub fn sign_in_locked() -> Self {
        Self::new(403, code::USER_LOCKED, "Account locked", "Your account is locked. Please try again later.")
    }

    /// 401 `signed_out`: clerk-js answers it by reloading the client and signing out.
    pub fn signed_out() -> Self {
        Self::new(401, code::SIGNED_OUT, "Signed out", "You are signed out.")
    }

    /// 422 `ticket_invalid` on `ticket` (`why` says how).
    pub fn ticket_invalid(why: &str) -> Self {
        Self::new(422, code::TICKET_INVALID, "is invalid", format!("The ticket is not valid: {why}.")).with_param("ticket")
    }

    /// 403 `not_a_member_in_organization`.
    pub fn not_a_member(org_id: &str) -> Self {
        Self::new(403, code::NOT_A_MEMBER_IN_ORGANIZATION, "not a member", format!("You are not a member of organization {org_id}."))
    }

    /// 403 `not_allowed_access`: the user may not create organizations.
    pub fn organization_creation_not_allowed() -> Self {
        Self::new(403, code::NOT_ALLOWED_ACCESS, "not allowed", "You are not allowed to create organizations.")
    }

    /// 422 `organization_invitation_not_pending`.
    pub fn invitation_not_pending() -> Self {
        Self::new(422, code::ORGANIZATION_INVITATION_NOT_PENDING, "not pending", "This invitation is no longer pending.")
    }

    /// 404 `resource_not_found` on `nonce`: a handshake nonce unknown, used or expired.
    pub fn handshake_nonce_invalid() -> Self {
        Self::new(404, code::RESOURCE_NOT_FOUND, "not found", "No handshake payload for this nonce: it is unknown, used already, or expired.")
            .with_param("nonce")
    }
}
