//! The schema of Escale, as sea-orm migrations that run unchanged on PostgreSQL
//! (production) and SQLite (the embedded default).
//!
//! This crate is the only place the schema changes. Migrations are
//! expand/contract: each one must be safe to run while the previous release
//! still serves traffic (add, backfill, then remove in a later release), and
//! they run as a release step (`escale migrate`), never implicitly in a gateway.
//!
//! It depends on nothing of Escale's: the domain's entities mirror these tables,
//! and a test in the domain crate checks that they agree.

#![expect(
    elided_lifetimes_in_paths,
    reason = "MigrationTrait's async_trait signature only matches with an elided SchemaManager lifetime"
)]

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

mod helpers;
mod m20261129_000001_tenancy;
mod m20261129_000002_catalog;
mod m20261129_000003_participants;
mod m20261129_000004_notifications;
mod m20261129_000005_sessions_and_audit;
mod m20261129_000006_tenant_secrets;
mod m20261129_000007_api_requests;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_tenancy::Migration),
            Box::new(m20261129_000002_catalog::Migration),
            Box::new(m20261129_000003_participants::Migration),
            Box::new(m20261129_000004_notifications::Migration),
            Box::new(m20261129_000005_sessions_and_audit::Migration),
            Box::new(m20261129_000006_tenant_secrets::Migration),
            Box::new(m20261129_000007_api_requests::Migration),
        ]
    }
}

/// The name of the newest migration this build knows: what a ready database
/// must have applied.
pub fn latest_migration() -> String {
    Migrator::migrations().last().map(|m| m.name().to_owned()).unwrap_or_default()
}
