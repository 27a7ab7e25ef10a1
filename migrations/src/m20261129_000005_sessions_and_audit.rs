//! Login sessions (opaque bearer tokens, stored hashed) and the audit log of
//! organizer actions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::tenant_table;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                // A session is bound to one tenant: the token says who and for whom.
                tenant_table("user_session")
                    .col(uuid("user_id"))
                    // SHA-256 of the token: a database leak yields no usable token.
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_session_user")
                            .from_tbl("user_session")
                            .from_col("user_id")
                            .to_tbl("app_user")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_user_session_user").table("user_session").col("user_id").to_owned())
            .await?;

        manager
            .create_table(
                tenant_table("audit_log")
                    // Who: a person (user) or an integration (API key); ids only.
                    .col(uuid_null("actor_user_id"))
                    .col(uuid_null("actor_api_key_id"))
                    .col(string_len("action", 64))
                    .col(string_len("object_type", 32))
                    .col(uuid_null("object_id"))
                    // What changed, by field name; never personal data.
                    .col(json_binary_null("details"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_audit_log_tenant").table("audit_log").col("tenant_id").col("id").to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["audit_log", "user_session"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
