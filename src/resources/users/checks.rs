//! Clerk's checks on identifiers: format (email, E.164 phone, web3 wallet,
//! username) and uniqueness across the instance, each failing with the
//! Clerk error and `meta.param_name` a client can show next to its field.
//!
//! ```
//! use clerk_mock::resources::users::checks::{check_email, check_phone};
//! assert!(check_email("ada@example.com", "email_address").is_ok());
//! assert_eq!(check_email("ada", "email_address").unwrap_err().errors[0].code, "form_param_format_invalid");
//! assert!(check_phone("+15555550100", "phone_number").is_ok());
//! ```

use super::index;
use crate::error::ApiError;
use crate::state::Store;

fn format_invalid(param: &str, long: String) -> ApiError {
    ApiError::param_format_invalid(param, long)
}

/// A plausible RFC 5322 address: `local@domain.tld`, no spaces.
pub fn check_email(email: &str, param: &str) -> Result<(), ApiError> {
    let ok = match email.trim().rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !email.trim().contains(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if ok { Ok(()) } else { Err(format_invalid(param, format!("{param} must be a valid email address."))) }
}

/// E.164-ish: an optional `+`, then 7 to 15 digits (separators allowed).
pub fn check_phone(phone: &str, param: &str) -> Result<(), ApiError> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.trim().trim_start_matches('+').chars().all(|c| c.is_ascii_digit() || " -().".contains(c));
    if allowed && (7..=15).contains(&digits) {
        Ok(())
    } else {
        Err(format_invalid(param, format!("{param} must be a valid phone number according to E.164 international standard.")))
    }
}

/// An Ethereum address (`0x` + 40 hex) or a Solana one (32–44 base58).
pub fn check_web3(wallet: &str, param: &str) -> Result<(), ApiError> {
    let w = wallet.trim();
    let eth = w.len() == 42 && w.starts_with("0x") && w[2..].chars().all(|c| c.is_ascii_hexdigit());
    let base58 = (32..=44).contains(&w.len())
        && w.chars().all(|c| c.is_ascii_alphanumeric() && !"0OIl".contains(c));
    if eth || base58 { Ok(()) } else { Err(format_invalid(param, format!("{param} must be a valid web3 wallet address."))) }
}

/// Clerk's username rules: 4 to 64 characters, letters, digits, `_` and `-`.
pub fn check_username(username: &str) -> Result<(), ApiError> {
    let length = username.chars().count();
    if !(4..=64).contains(&length) {
        return Err(ApiError::username_invalid_length()
        .with_param("username"));
    }
    if !username.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
        return Err(ApiError::username_invalid_character()
        .with_param("username"));
    }
    Ok(())
}

/// What each kind of identifier is called in Clerk's "taken" messages.
fn noun(table: &str) -> &'static str {
    match table {
        index::EMAIL => "email address",
        index::PHONE => "phone number",
        index::WEB3 => "web3 wallet",
        index::USERNAME => "username",
        index::EXTERNAL_ID => "external ID",
        _ => "identifier",
    }
}

/// 422 `form_identifier_exists` when another user (not `except`) owns `key`.
/// Call `index::ensure_fresh` first.
pub fn ensure_free(store: &Store, table: &str, key: &str, param: &str, except: Option<&str>) -> Result<(), ApiError> {
    match index::owner(store, table, key) {
        Some(owner) if Some(owner.as_str()) != except => Err(taken(table, param)),
        _ => Ok(()),
    }
}

pub fn taken(table: &str, param: &str) -> ApiError {
    let what = noun(table);
    ApiError::identifier_exists(param, format!("That {what} is taken. Please try another.")).with_param(param)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(check_email("a@b.co", "e").is_ok());
        for bad in ["", "a", "@b.co", "a@b", "a b@c.co", "a@.co"] {
            assert!(check_email(bad, "e").is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_need_seven_to_fifteen_digits() {
        assert!(check_phone("+1 (555) 555-0100", "p").is_ok());
        assert!(check_phone("+12", "p").is_err());
        assert!(check_phone("+1555abc0100", "p").is_err());
    }

    #[test]
    fn usernames_follow_clerks_length_and_character_rules() {
        assert!(check_username("ada_l").is_ok());
        assert_eq!(check_username("ada").unwrap_err().errors[0].code, "form_username_invalid_length");
        assert_eq!(check_username("ada lovelace").unwrap_err().errors[0].code, "form_username_invalid_character");
    }

    #[test]
    fn wallets_are_ethereum_or_solana_addresses() {
        assert!(check_web3("0x0123456789abcdef0123456789abcdef01234567", "w").is_ok());
        assert!(check_web3("0x123", "w").is_err());
    }
}
