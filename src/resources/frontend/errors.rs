//! The Frontend API's own error answers, in Clerk's envelope with the codes
//! clerk-js and its UI map onto form fields (`meta.param_name`).
//!
//! ```
//! use clerk_mock::resources::frontend::errors;
//! let e = errors::password_incorrect();
//! assert_eq!((e.status, e.errors[0].code.as_str()), (422, "form_password_incorrect"));
//! assert_eq!(e.errors[0].meta.as_ref().unwrap()["param_name"], "password");
//! ```

use crate::error::{code, ApiError};

/// No user has the identifier a sign-in names.
pub fn identifier_not_found() -> ApiError {
    ApiError::new(422, "form_identifier_not_found", "Couldn't find your account.", "Couldn't find your account.")
        .with_param("identifier")
}

pub fn password_incorrect() -> ApiError {
    ApiError::new(
        422,
        code::FORM_PASSWORD_INCORRECT,
        "Password is incorrect. Try again, or use another method.",
        "Password is incorrect. Try again, or use another method.",
    )
    .with_param("password")
}

/// A verification code that is not the one sent.
pub fn code_incorrect() -> ApiError {
    ApiError::new(422, "form_code_incorrect", "is incorrect", "Incorrect code").with_param("code")
}

/// A strategy the sign-in or sign-up cannot use (not offered, or not prepared).
pub fn strategy_invalid(strategy: &str) -> ApiError {
    ApiError::new(
        422,
        "strategy_for_user_invalid",
        "Invalid verification strategy",
        format!("The verification strategy `{strategy}` is not valid for this account."),
    )
    .with_param("strategy")
}

/// Single-session mode: the browser already has an active session.
pub fn session_exists() -> ApiError {
    ApiError::new(400, "session_exists", "You're already signed in.", "You're already signed in.")
}

/// A banned user tries to sign in or sign up.
pub fn user_banned() -> ApiError {
    ApiError::new(
        403,
        "user_banned",
        "Banned account",
        "This account has been banned. Please contact the administrator.",
    )
}

/// The request acts for a session that is not one of this browser's live
/// sessions (ended, revoked through the Backend API, or never signed in):
/// clerk-js answers a 401 by reloading the client and signing out.
pub fn signed_out() -> ApiError {
    ApiError::new(401, "signed_out", "Signed out", "You are signed out.")
}

/// A ticket that does not verify, is used, revoked or expired.
pub fn ticket_invalid(why: &str) -> ApiError {
    ApiError::new(422, "ticket_invalid", "is invalid", format!("The ticket is not valid: {why}.")).with_param("ticket")
}

/// A sign-in or sign-up that is over: nothing more can be attempted on it.
pub fn already_complete(what: &str) -> ApiError {
    ApiError::new(400, "verification_already_verified", "already verified", format!("This {what} is already complete."))
}

/// An unknown handshake nonce (never issued, used already, or expired).
pub fn handshake_nonce_invalid() -> ApiError {
    ApiError::new(
        404,
        code::RESOURCE_NOT_FOUND,
        "not found",
        "No handshake payload for this nonce: it is unknown, used already, or expired.",
    )
    .with_param("nonce")
}
