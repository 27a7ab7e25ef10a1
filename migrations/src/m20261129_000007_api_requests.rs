//! The partner access log: one row per request made with an API key — which
//! key, which operation, how many objects and how many people's contact details
//! it returned, how it ended. Law 09-08 and the GDPR expect whoever shares
//! personal data to be able to say with whom, when and how much; organizers
//! read this log through GraphQL.
//!
//! Rows name the key and counts, never the data returned.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{scoped_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("api_request")
                    .col(uuid("api_key_id"))
                    // The GraphQL operation name the client gave, if any (truncated).
                    .col(string_len_null("operation", 120))
                    .col(integer("objects_returned"))
                    .col(integer("leads_returned"))
                    // `ok` or the first error's code.
                    .col(string_len("outcome", 40))
                    .col(integer("duration_ms"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut scoped_fk("api_request", "api_key_id", "api_key"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_api_request_key").table("api_request").col("api_key_id").col("id").to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("api_request").if_exists().to_owned()).await
    }
}
