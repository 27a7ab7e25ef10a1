//! A signing secret per tenant, for links sent to participants (cancel a
//! registration, unsubscribe) that must work without an account and must not be
//! forgeable. Kept in the database so that every gateway and worker replica
//! signs and verifies alike with no shared configuration; per tenant so that one
//! organizer's secret leaking forges nothing of another's.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("tenant_secret")
                    .col(pk_uuid("tenant_id"))
                    // 32 random bytes, hex.
                    .col(string_len("secret", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenant_secret_tenant")
                            .from_tbl("tenant_secret")
                            .from_col("tenant_id")
                            .to_tbl("tenant")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("tenant_secret").if_exists().to_owned()).await
    }
}
