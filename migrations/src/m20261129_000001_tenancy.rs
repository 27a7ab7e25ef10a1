//! Tenants (organizers), people who log in, and their roles per tenant.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{LOCALES, one_of, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("tenant")
                        .col(pk_uuid("id"))
                        .col(string_len_uniq("slug", 63))
                        .col(string_len("name", 200))
                        .col(string_len("default_locale", 8))
                        .col(string_len("default_time_zone", 64))
                        .col(string_len_null("email_sender", 254))
                        .col(string_len_null("email_sender_name", 200))
                        // Alphanumeric sender ids are limited to 11 characters by the SMS networks.
                        .col(string_len_null("sms_sender_id", 11))
                        .check(("ck_tenant_locale", one_of("default_locale", LOCALES))),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("app_user")
                        .col(pk_uuid("id"))
                        .col(string_len_uniq("email", 254))
                        .col(string_len("display_name", 200))
                        .col(string_null("password_hash"))
                        .col(timestamp_with_time_zone_null("disabled_at")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("membership")
                    .col(pk_uuid("id"))
                    .col(uuid("tenant_id"))
                    .col(uuid("user_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_tenant")
                            .from_tbl("membership")
                            .from_col("tenant_id")
                            .to_tbl("tenant")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_user")
                            .from_tbl("membership")
                            .from_col("user_id")
                            .to_tbl("app_user")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .index(Index::create().unique().name("uq_membership_tenant_user").col("tenant_id").col("user_id"))
                    .check(("ck_membership_role", one_of("role", &["owner", "admin", "staff", "checkin"])))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_membership_user").table("membership").col("user_id").to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["membership", "app_user", "tenant"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
