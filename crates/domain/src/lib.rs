//! The Escale domain: tenants, the roadshow catalog, participants and their
//! registrations, and the outbox of messages — with the rules that hold them
//! together (tenant isolation, no overbooking, the outbox as the truth, correct
//! time).
//!
//! It owns the persistence of all of this (sea-orm entities over the schema of
//! `escale-migrations`) and pure logic such as message rendering and SMS
//! segment counting.
//!
//! Subsystems, each a folder, in the order they may depend on each other
//! (docs/ARCHITECTURE.md says why; a test refuses import circles): `kernel`
//! (errors, db, ids, tenancy, paging, values, entities, trace; re-exported
//! here), `catalog`, `access`, `messaging`, `registration`, `manage`, then
//! `partner_access` and `demo`.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP, GraphQL,
//! apalis, lettre or SMS providers. The gateway and the worker adapt it to
//! those; it is tested on SQLite and PostgreSQL directly.
//!
//! **Architecture invariant:** every function that touches tenant-owned rows
//! takes a [`tenancy::TenantScope`] and filters by it. The only cross-tenant
//! operations are the outbox's dispatcher claims and sweeps, which handle ids.

pub mod access;
pub mod catalog;
pub mod demo;
pub mod kernel;
pub mod manage;
pub mod messaging;
pub mod partner_access;
pub mod registration;

pub use kernel::{db, entities, error, ids, paging, tenancy, trace, values};

pub use error::{ConflictCode, DomainError, DomainResult};
pub use escale_i18n::{Lang, Text, text};
pub use sea_orm::DatabaseConnection;
