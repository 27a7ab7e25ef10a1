//! Fewer index entries per message sent. Moving a row to `sending` and then to
//! `sent` changes `status`, which partial indexes name, so each is a new row
//! version with an entry in every index of `notification`: the send path's
//! main cost in PostgreSQL (docs/BENCHMARKS.md). Two of those entries bought
//! nothing:
//! - `uq_notification_tenant_id (tenant_id, id)`, made for every tenant table
//!   so that children can reference `(tenant_id, id)`; nothing references a
//!   notification, and `id` alone is the primary key;
//! - `ix_notification_provider_id` held every row, though only a sent row has a
//!   provider id to look up when a delivery receipt arrives: it is replaced
//!   by a partial one, `ix_notification_provider_sent`.
//!
//! SQLite declares the tenant key inside `CREATE TABLE` and cannot drop it
//! without rebuilding the table; the embedded default keeps it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE notification DROP CONSTRAINT IF EXISTS uq_notification_tenant_id")
                .await?;
        }
        // A new name, created before the old index goes: on SQLite another
        // pooled connection may still see the old index by its name.
        manager
            .create_index(
                Index::create()
                    .name(PROVIDER_ID)
                    .table("notification")
                    .col("provider_message_id")
                    .and_where(Expr::col("provider_message_id").is_not_null())
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(OLD_PROVIDER_ID).table("notification").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create().name(OLD_PROVIDER_ID).table("notification").col("provider_message_id").to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(PROVIDER_ID).table("notification").to_owned()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE notification ADD CONSTRAINT uq_notification_tenant_id UNIQUE (tenant_id, id)",
                )
                .await?;
        }
        Ok(())
    }
}

const OLD_PROVIDER_ID: &str = "ix_notification_provider_id";
const PROVIDER_ID: &str = "ix_notification_provider_sent";
