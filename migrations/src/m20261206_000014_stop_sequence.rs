//! A stop counts its changes: `sequence` rises by one each time what its
//! participants were told changes (rescheduled, moved to another venue,
//! cancelled). It is the `.ics` `SEQUENCE` (calendars replace their copy of
//! the event rather than add a second), and it names each change notice
//! (`stop_changed:<registration>:<sequence>:<channel>`), so a notice is
//! planned once per change, whatever retries the transaction takes.
//!
//! Expand only: a column with a default, which the previous release ignores.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("stop").add_column(integer("sequence").default(0).to_owned()).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("stop").drop_column("sequence").to_owned()).await
    }
}
