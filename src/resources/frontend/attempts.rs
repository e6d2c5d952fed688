//! The vocabulary the Frontend API's flows share, at the bottom of this
//! folder: the collections and [`Kind`]s of sign-in and sign-up attempts,
//! and how long an attempt and a code live.
//!
//! Everything else here imports downwards from it, one way:
//! `attempts`, `token` ← `view` ← `flow` ← `sessions` ← `sign_in`, `sign_up`, `client`, `me`, `handshake`.
//!
//! ```
//! use clerk_mock::resources::frontend::attempts::{SIGN_IN, SIGN_UP};
//! assert_eq!(SIGN_IN.collection.unwrap().as_str(), "sign_ins");
//! assert_eq!((SIGN_IN.prefix, SIGN_UP.prefix), ("sia", "sua"));
//! ```

use crate::state::{CollectionKey, Kind};

/// Sign-in attempts (`sign_in_attempt`, `sia_…`), with `_client_id` and `_user_id`.
pub const SIGN_INS: CollectionKey = CollectionKey::new("sign_ins");
pub const SIGN_IN: Kind = Kind::stored("sign_in_attempt", "sia", SIGN_INS);

/// Sign-up attempts (`sign_up_attempt`, `sua_…`), with `_client_id` and `_password`.
pub const SIGN_UPS: CollectionKey = CollectionKey::new("sign_ups");
pub const SIGN_UP: Kind = Kind::stored("sign_up_attempt", "sua", SIGN_UPS);

/// Clerk abandons an unfinished sign-in or sign-up after a day.
pub const ABANDON_AFTER_MS: i64 = 24 * 3600 * 1000;

/// Verification codes expire after 10 minutes.
pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
