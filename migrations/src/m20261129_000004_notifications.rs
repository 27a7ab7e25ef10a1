//! Notifications: template overrides, reminder policies, opt-outs, and the
//! outbox itself — the single source of truth for every message Escale sends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{LOCALES, one_of, scoped_fk, tenant_table, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHANNELS: &[&str] = &["email", "sms"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    tenant_table("template")
                        .col(string_len("key", 32))
                        .col(string_len("channel", 8))
                        .col(string_len("locale", 8))
                        .col(text_null("subject"))
                        .col(text("body_text"))
                        .col(text_null("body_html"))
                        .index(
                            Index::create()
                                .unique()
                                .name("uq_template")
                                .col("tenant_id")
                                .col("key")
                                .col("channel")
                                .col("locale"),
                        )
                        .check(("ck_template_channel", one_of("channel", CHANNELS)))
                        .check(("ck_template_locale", one_of("locale", LOCALES))),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("reminder_policy")
                        .col(uuid_null("edition_id"))
                        .col(uuid_null("stop_id"))
                        // [{"minutes_before": 10080, "channels": ["email"]}, …]
                        .col(json_binary("offsets"))
                        // Local wall-clock minutes since midnight in the stop's zone.
                        .col(integer_null("quiet_start_minute"))
                        .col(integer_null("quiet_end_minute"))
                        .foreign_key(&mut scoped_fk("reminder_policy", "edition_id", "edition"))
                        .foreign_key(&mut scoped_fk("reminder_policy", "stop_id", "stop"))
                        .index(Index::create().unique().name("uq_reminder_policy_edition").col("edition_id"))
                        .index(Index::create().unique().name("uq_reminder_policy_stop").col("stop_id"))
                        .check((
                            "ck_reminder_policy_target",
                            Expr::col("edition_id").is_not_null().and(Expr::col("stop_id").is_null()).or(Expr::col(
                                "edition_id",
                            )
                            .is_null()
                            .and(Expr::col("stop_id").is_not_null())),
                        ))
                        .check((
                            "ck_reminder_policy_quiet",
                            Expr::col("quiet_start_minute")
                                .is_null()
                                .or(Expr::col("quiet_start_minute").between(0, 1439)),
                        ))
                        .check((
                            "ck_reminder_policy_quiet_end",
                            Expr::col("quiet_end_minute").is_null().or(Expr::col("quiet_end_minute").between(0, 1439)),
                        )),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("notification")
                        .col(uuid("participant_id"))
                        .col(uuid_null("registration_id"))
                        .col(string_len("template_key", 32))
                        .col(string_len("channel", 8))
                        .col(string_len("locale", 8))
                        .col(timestamp_with_time_zone("scheduled_at"))
                        .col(string_len("status", 16))
                        .col(integer("attempts").default(0))
                        .col(text_null("last_error"))
                        .col(string_len_null("provider_message_id", 128))
                        .col(integer_null("sms_segments"))
                        // Derived from what the message is (template · registration · channel…):
                        // a second row for the same message cannot exist.
                        .col(string_len_uniq("idempotency_key", 200))
                        .col(json_binary_null("payload"))
                        // The address actually used, recorded at send time.
                        .col(string_len_null("recipient", 254))
                        .col(timestamp_with_time_zone_null("queued_at"))
                        .col(timestamp_with_time_zone_null("sent_at"))
                        .col(timestamp_with_time_zone_null("delivered_at"))
                        .foreign_key(&mut scoped_fk("notification", "participant_id", "participant"))
                        .foreign_key(&mut scoped_fk("notification", "registration_id", "registration"))
                        .check(("ck_notification_channel", one_of("channel", CHANNELS)))
                        .check(("ck_notification_locale", one_of("locale", LOCALES)))
                        .check((
                            "ck_notification_status",
                            one_of(
                                "status",
                                &[
                                    "pending",
                                    "queued",
                                    "sending",
                                    "sent",
                                    "delivered",
                                    "failed",
                                    "cancelled",
                                    "suppressed",
                                ],
                            ),
                        ))
                        .check(("ck_notification_attempts", Expr::col("attempts").gte(0))),
                )
                .to_owned(),
            )
            .await?;
        // The dispatcher's hot path: only pending rows are in this index, so a
        // million future reminders cost nothing until they fall due.
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_due")
                    .table("notification")
                    .col("scheduled_at")
                    .and_where(Expr::col("status").eq("pending"))
                    .to_owned(),
            )
            .await?;
        // The sweeper's path: rows claimed but not finished.
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_in_flight")
                    .table("notification")
                    .col("updated_at")
                    .and_where(Expr::col("status").is_in(["queued", "sending"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_registration")
                    .table("notification")
                    .col("registration_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_participant")
                    .table("notification")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_provider_id")
                    .table("notification")
                    .col("provider_message_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_table("opt_out")
                    .col(string_len("channel", 8))
                    .col(string_len("address", 254))
                    .col(string_len("source", 32))
                    .col(timestamp_with_time_zone("created_at"))
                    .index(Index::create().unique().name("uq_opt_out").col("tenant_id").col("channel").col("address"))
                    .check(("ck_opt_out_channel", one_of("channel", CHANNELS)))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["opt_out", "notification", "reminder_policy", "template"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
