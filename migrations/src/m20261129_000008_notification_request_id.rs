//! The request that planned a notification (`x-request-id`), so a worker's log
//! lines about a message can be joined with the gateway's about the request
//! that caused it. Nullable: reminders planned by a policy change carry the
//! organizer's request, rows planned before this migration carry none.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("notification").add_column(string_len_null("request_id", 64)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("notification").drop_column("request_id").to_owned()).await
    }
}
