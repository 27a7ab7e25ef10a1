//! Who may do what: accounts and memberships, the role matrix, API keys, the
//! audit log (and the one audited write), signed participant links.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod authz;
pub mod links;
pub mod members;
