//! What every subsystem stands on: errors, connections and transactions, ids,
//! the tenant scope, pages, parsed values, the sea-orm entities, and the
//! request id in logs. Nothing here knows a business rule beyond its type.

pub mod db;
pub mod entities;
pub mod error;
pub mod ids;
pub mod paging;
pub mod tenancy;
pub mod trace;
pub mod values;
