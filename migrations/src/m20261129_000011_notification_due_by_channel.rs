//! The due index by channel. The dispatcher claims each channel's due rows
//! separately (each queue fills to its own depth), but `ix_notification_due`
//! ordered pending rows by `scheduled_at` alone: claiming SMS walked past
//! every due email first — 21 000 index entries per 500 rows claimed in the
//! notification benchmark, where both channels fall due together
//! (docs/BENCHMARKS.md). With the channel first, each claim reads its own
//! channel's due rows and nothing else. Only pending rows are in it, as
//! before, so moving a row to `sending` or `sent` writes no entry here.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_CHANNEL)
                    .table("notification")
                    .col("channel")
                    .col("scheduled_at")
                    .and_where(Expr::col("status").eq("pending"))
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(DUE).table("notification").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(DUE)
                    .table("notification")
                    .col("scheduled_at")
                    .and_where(Expr::col("status").eq("pending"))
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(BY_CHANNEL).table("notification").to_owned()).await
    }
}

const DUE: &str = "ix_notification_due";
const BY_CHANNEL: &str = "ix_notification_due_by_channel";
