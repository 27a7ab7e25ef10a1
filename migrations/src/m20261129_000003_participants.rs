//! Participants (one per person per tenant, shared across stops and editions),
//! their consents, registrations, workshop seats and questions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{LOCALES, one_of, scoped_fk, tenant_table, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TOPICS: &[&str] =
    &["digital_marketing", "financial_education", "budgeting", "banking_relations", "digital_transformation", "other"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    tenant_table("participant")
                        .col(string_len("full_name", 200))
                        // Normalised: lower-case email, E.164 phone. At least one of them.
                        .col(string_len_null("email", 254))
                        .col(string_len_null("phone", 20))
                        .col(string_len("locale", 8))
                        .col(string_len_null("segment", 24))
                        .col(string_len_null("sector", 120))
                        .col(string_len_null("company", 200))
                        .col(string_len_null("region", 120))
                        // Current consents (NULL = not given or withdrawn); history in consent_event.
                        .col(timestamp_with_time_zone_null("consent_email_at"))
                        .col(timestamp_with_time_zone_null("consent_sms_at"))
                        .col(timestamp_with_time_zone_null("consent_partners_at"))
                        // One person per tenant: the same email or phone is the same participant.
                        .index(Index::create().unique().name("uq_participant_email").col("tenant_id").col("email"))
                        .index(Index::create().unique().name("uq_participant_phone").col("tenant_id").col("phone"))
                        .check((
                            "ck_participant_contact",
                            Expr::col("email").is_not_null().or(Expr::col("phone").is_not_null()),
                        ))
                        .check(("ck_participant_locale", one_of("locale", LOCALES)))
                        .check((
                            "ck_participant_segment",
                            Expr::col("segment").is_null().or(one_of(
                                "segment",
                                &["tpe", "micro_enterprise", "auto_entrepreneur", "project_holder", "other"],
                            )),
                        )),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_table("consent_event")
                    .col(uuid("participant_id"))
                    .col(string_len("kind", 24))
                    .col(boolean("granted"))
                    .col(string_len("source", 32))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut scoped_fk("consent_event", "participant_id", "participant"))
                    .check((
                        "ck_consent_kind",
                        one_of("kind", &["email_reminders", "sms_reminders", "partner_sharing"]),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_event_participant")
                    .table("consent_event")
                    .col("participant_id")
                    .col("recorded_at")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("registration")
                        .col(uuid("stop_id"))
                        .col(uuid("participant_id"))
                        .col(string_len("status", 16))
                        .col(integer_null("waitlist_position"))
                        .col(string_len_uniq("ticket_code", 16))
                        .col(string_len("source", 16))
                        .col(timestamp_with_time_zone_null("checked_in_at"))
                        .col(timestamp_with_time_zone_null("cancelled_at"))
                        .foreign_key(&mut scoped_fk("registration", "stop_id", "stop"))
                        .foreign_key(&mut scoped_fk("registration", "participant_id", "participant"))
                        .check(("ck_registration_status", one_of("status", &["confirmed", "waitlisted", "cancelled"])))
                        .check((
                            "ck_registration_waitlist",
                            Expr::col("status").ne("waitlisted").or(Expr::col("waitlist_position").is_not_null()),
                        )),
                )
                .to_owned(),
            )
            .await?;
        // One live registration per person per stop; a cancelled one does not block
        // registering again.
        manager
            .create_index(
                Index::create()
                    .name("uq_registration_live")
                    .table("registration")
                    .col("stop_id")
                    .col("participant_id")
                    .unique()
                    .and_where(Expr::col("status").ne("cancelled"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registration_stop")
                    .table("registration")
                    .col("stop_id")
                    .col("status")
                    .col("waitlist_position")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registration_participant")
                    .table("registration")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("session_seat")
                        .col(uuid("registration_id"))
                        .col(uuid("session_id"))
                        .col(string_len("status", 16))
                        .col(integer_null("waitlist_position"))
                        .foreign_key(&mut scoped_fk("session_seat", "registration_id", "registration"))
                        .foreign_key(&mut scoped_fk("session_seat", "session_id", "session"))
                        .index(
                            Index::create().unique().name("uq_session_seat").col("registration_id").col("session_id"),
                        )
                        .check(("ck_session_seat_status", one_of("status", &["confirmed", "waitlisted", "cancelled"])))
                        .check((
                            "ck_session_seat_waitlist",
                            Expr::col("status").ne("waitlisted").or(Expr::col("waitlist_position").is_not_null()),
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_session_seat_session")
                    .table("session_seat")
                    .col("session_id")
                    .col("status")
                    .col("waitlist_position")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_table("question")
                    .col(uuid("stop_id"))
                    .col(uuid_null("session_id"))
                    .col(uuid("participant_id"))
                    .col(uuid_null("registration_id"))
                    .col(string_len("topic", 32))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut scoped_fk("question", "stop_id", "stop"))
                    .foreign_key(&mut scoped_fk("question", "session_id", "session"))
                    .foreign_key(&mut scoped_fk("question", "participant_id", "participant"))
                    .foreign_key(&mut scoped_fk("question", "registration_id", "registration"))
                    .check(("ck_question_topic", one_of("topic", TOPICS)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_question_stop").table("question").col("stop_id").col("topic").to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["question", "session_seat", "registration", "consent_event", "participant"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
