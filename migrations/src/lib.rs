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
use sea_orm_migration::sea_orm::{DatabaseConnection, Statement};

mod helpers;
mod m20261129_000001_tenancy;
mod m20261129_000002_catalog;
mod m20261129_000003_participants;
mod m20261129_000004_notifications;
mod m20261129_000005_sessions_and_audit;
mod m20261129_000006_tenant_secrets;
mod m20261129_000007_api_requests;
mod m20261129_000008_notification_request_id;
mod m20261129_000009_notification_fillfactor;
mod m20261129_000010_notification_send_indexes;
mod m20261129_000011_notification_due_by_channel;
mod m20261130_000012_notification_active;
mod m20261201_000013_sms_limits;
mod m20261206_000014_stop_sequence;
mod m20261207_000015_tenant_look;
mod m20261208_000016_translations;
mod m20261209_000017_door_scans;

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
            Box::new(m20261129_000008_notification_request_id::Migration),
            Box::new(m20261129_000009_notification_fillfactor::Migration),
            Box::new(m20261129_000010_notification_send_indexes::Migration),
            Box::new(m20261129_000011_notification_due_by_channel::Migration),
            Box::new(m20261130_000012_notification_active::Migration),
            Box::new(m20261201_000013_sms_limits::Migration),
            Box::new(m20261206_000014_stop_sequence::Migration),
            Box::new(m20261207_000015_tenant_look::Migration),
            Box::new(m20261208_000016_translations::Migration),
            Box::new(m20261209_000017_door_scans::Migration),
        ]
    }
}

/// The name of the newest migration this build knows: what a ready database
/// must have applied.
pub fn latest_migration() -> String {
    Migrator::migrations().last().map(|m| m.name().to_owned()).unwrap_or_default()
}

/// This build's migrations that the database has not applied, oldest first.
///
/// Migrations the database has and this build does not know are fine: they
/// belong to a newer release that expanded the schema while this one still
/// serves (expand/contract). sea-orm's own status check refuses that case
/// ("migration file missing"), which would stop every previous-release pod
/// from restarting during a rollout — hence this check of our own. It reads
/// only: a database without the migrations table has everything pending.
pub async fn pending(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    // sea-orm's default table name; Migrator does not override it.
    let table_name = "seaql_migrations";
    let manager = SchemaManager::new(db);
    if !manager.has_table(table_name).await? {
        return Ok(Migrator::migrations().iter().map(|m| m.name().to_owned()).collect());
    }
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(Statement::from_string(backend, format!("SELECT version FROM {table_name}"))).await?;
    let applied: std::collections::HashSet<String> =
        rows.iter().map(|r| r.try_get::<String>("", "version")).collect::<Result<_, _>>()?;
    Ok(Migrator::migrations().iter().map(|m| m.name().to_owned()).filter(|name| !applied.contains(name)).collect())
}
