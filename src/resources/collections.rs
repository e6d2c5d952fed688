//! The collections and kinds of the owners that read one another's
//! objects: users, sessions and clients, organizations with their
//! memberships, invitations and domains.
//!
//! Each owner still answers for its collections (it alone writes them), but
//! the names stand here, below all of them, and are spelled only from here
//! (`collections::USERS`, never a re-export through an owner), because the
//! owners reach each other both ways: deleting a user goes through
//! memberships and sessions, while memberships, sessions, invitations and
//! session tokens read users, and session tokens read organizations. Naming
//! a collection from here never ties a module to another owner's handlers.
//!
//! ```
//! use clerk_mock::resources::collections::{USER, USERS};
//! assert_eq!(USER.prefix, "user");
//! assert_eq!(USER.collection, Some(USERS));
//! ```

use crate::state::{CollectionKey, Kind};

pub const USERS: CollectionKey = CollectionKey::new("users");
pub const USER: Kind = Kind::stored("user", "user", USERS);

pub const SESSIONS: CollectionKey = CollectionKey::new("sessions");
pub const CLIENTS: CollectionKey = CollectionKey::new("clients");
pub const SESSION: Kind = Kind::stored("session", "sess", SESSIONS);
pub const CLIENT: Kind = Kind::stored("client", "client", CLIENTS);

pub const ORGS: CollectionKey = CollectionKey::new("organizations");
pub const MEMBERSHIPS: CollectionKey = CollectionKey::new("organization_memberships");
pub const INVITATIONS: CollectionKey = CollectionKey::new("organization_invitations");
pub const DOMAINS: CollectionKey = CollectionKey::new("organization_domains");
pub const ORGANIZATION: Kind = Kind::stored("organization", "org", ORGS);
pub const MEMBERSHIP: Kind = Kind::stored("organization_membership", "orgmem", MEMBERSHIPS);
pub const INVITATION: Kind = Kind::stored("organization_invitation", "orginv", INVITATIONS);
pub const DOMAIN: Kind = Kind::stored("organization_domain", "orgdmn", DOMAINS);
