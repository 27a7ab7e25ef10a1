//! What an organizer's SMS may cost: the destination countries allowed (a
//! stranger registering +1 numbers by the hundred must not make the organizer
//! pay for SMS to them), a daily cap per tenant and one per number.
//!
//! The caps count SMS handed to a provider in the last 24 hours, read per
//! batch through `ix_notification_sms_sent`, a partial index of the SMS rows
//! that were sent: small beside the table, written once per SMS.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            string_len("sms_countries", 64).default("MA").to_owned(),
            integer("sms_daily_cap").default(2000).to_owned(),
            integer("sms_per_number_daily_cap").default(10).to_owned(),
        ] {
            manager.alter_table(Table::alter().table("tenant").add_column(column).to_owned()).await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_notification_sms_sent ON notification (tenant_id, sent_at) \
                 WHERE channel = 'sms' AND sent_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX ix_notification_sms_sent").await?;
        for column in ["sms_per_number_daily_cap", "sms_daily_cap", "sms_countries"] {
            manager.alter_table(Table::alter().table("tenant").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
