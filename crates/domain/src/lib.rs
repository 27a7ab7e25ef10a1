//! The Escale domain: tenants, the roadshow catalog, participants and their
//! registrations, and the outbox of messages — with the rules that hold them
//! together (tenant isolation, no overbooking, the outbox as the truth, correct
//! time).
//!
//! It owns the persistence of all of this (sea-orm entities over the schema of
//! `escale-migrations`) and pure logic such as message rendering and SMS
//! segment counting.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP, GraphQL,
//! apalis, lettre or SMS providers. The gateway and the worker adapt it to
//! those; it is tested on SQLite and PostgreSQL directly.
//!
//! **Architecture invariant:** every function that touches tenant-owned rows
//! takes a [`tenancy::TenantScope`] and filters by it. The only cross-tenant
//! operations are the outbox's dispatcher claims and sweeps, which handle ids.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod catalog;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod ids;
pub mod links;
pub mod manage;
pub mod messages;
pub mod notifications;
pub mod outbox;
pub mod paging;
pub mod participants;
pub mod partner_access;
pub mod qr;
pub mod registration;
pub mod reminders;
pub(crate) mod seating;
pub mod sms;
pub mod tenancy;
pub mod tickets;
pub mod trace;
pub mod values;

pub use error::{ConflictCode, DomainError, DomainResult};
pub use sea_orm::DatabaseConnection;
