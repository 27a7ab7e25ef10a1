//! The catalog: series → editions → stops → sessions, speakers, partners and
//! their partnerships, and API keys (which may belong to a partner).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{LOCALES, one_of, scoped_fk, tenant_table, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    tenant_table("series")
                        .col(string_len("slug", 63))
                        .col(string_len("name", 200))
                        .col(text_null("description"))
                        .index(Index::create().unique().name("uq_series_slug").col("tenant_id").col("slug")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("edition")
                        .col(uuid("series_id"))
                        .col(integer("number"))
                        .col(integer("year"))
                        .col(string_len("title", 200))
                        .col(string_len("status", 16))
                        .foreign_key(&mut scoped_fk("edition", "series_id", "series"))
                        .index(Index::create().unique().name("uq_edition_number").col("series_id").col("number"))
                        .check(("ck_edition_number", Expr::col("number").gt(0)))
                        .check(("ck_edition_year", Expr::col("year").between(1900, 2999)))
                        .check(("ck_edition_status", one_of("status", &["draft", "published", "archived"]))),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("stop")
                        .col(uuid("edition_id"))
                        .col(string_len("name", 200))
                        .col(string_len("region", 120))
                        .col(string_len("city", 120))
                        .col(string_len("venue", 200))
                        .col(string_len_null("address", 300))
                        .col(string_len("time_zone", 64))
                        .col(timestamp_with_time_zone("starts_at"))
                        .col(timestamp_with_time_zone("ends_at"))
                        .col(integer("capacity"))
                        // Seats taken, kept by the same UPDATE that takes a seat, so that
                        // capacity holds under concurrency (see the CHECK below).
                        .col(integer("confirmed_count").default(0))
                        // Last waiting-list position handed out: positions are stable.
                        .col(integer("waitlist_seq").default(0))
                        .col(timestamp_with_time_zone_null("registration_opens_at"))
                        .col(timestamp_with_time_zone_null("registration_closes_at"))
                        .col(string_len("status", 16))
                        .foreign_key(&mut scoped_fk("stop", "edition_id", "edition"))
                        .check(("ck_stop_times", Expr::col("ends_at").gt(Expr::col("starts_at"))))
                        .check(("ck_stop_capacity", Expr::col("capacity").gt(0)))
                        .check((
                            "ck_stop_seats",
                            Expr::col("confirmed_count").between(Expr::val(0), Expr::col("capacity")),
                        ))
                        .check(("ck_stop_status", one_of("status", &["draft", "published", "cancelled"]))),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stop_edition")
                    .table("stop")
                    .col("tenant_id")
                    .col("edition_id")
                    .col("starts_at")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("session")
                        .col(uuid("stop_id"))
                        .col(string_len("kind", 16))
                        .col(string_len("title", 200))
                        .col(text_null("description"))
                        .col(json_binary("topics"))
                        .col(string_len_null("room", 120))
                        .col(timestamp_with_time_zone("starts_at"))
                        .col(timestamp_with_time_zone("ends_at"))
                        .col(integer_null("capacity"))
                        .col(integer("confirmed_count").default(0))
                        .col(integer("waitlist_seq").default(0))
                        .col(string_len("language", 8))
                        .foreign_key(&mut scoped_fk("session", "stop_id", "stop"))
                        .check(("ck_session_times", Expr::col("ends_at").gt(Expr::col("starts_at"))))
                        .check(("ck_session_capacity", Expr::col("capacity").is_null().or(Expr::col("capacity").gt(0))))
                        .check((
                            "ck_session_seats",
                            Expr::col("confirmed_count").gte(0).and(
                                Expr::col("capacity")
                                    .is_null()
                                    .or(Expr::col("confirmed_count").lte(Expr::col("capacity"))),
                            ),
                        ))
                        .check(("ck_session_kind", one_of("kind", &["workshop", "talk", "panel", "meeting"])))
                        .check(("ck_session_language", one_of("language", LOCALES))),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_session_stop").table("session").col("stop_id").col("starts_at").to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("speaker")
                        .col(string_len("full_name", 200))
                        .col(string_len_null("title", 200))
                        .col(string_len_null("organization", 200))
                        .col(text_null("bio"))
                        .col(string_len_null("email", 254)),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_table("session_speaker")
                    .col(uuid("session_id"))
                    .col(uuid("speaker_id"))
                    .col(integer("position").default(0))
                    .foreign_key(&mut scoped_fk("session_speaker", "session_id", "session"))
                    .foreign_key(&mut scoped_fk("session_speaker", "speaker_id", "speaker"))
                    .index(Index::create().unique().name("uq_session_speaker").col("session_id").col("speaker_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_session_speaker_speaker")
                    .table("session_speaker")
                    .col("speaker_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    tenant_table("partner")
                        .col(string_len("name", 200))
                        .col(string_len("kind", 24))
                        .col(string_len_null("website", 300))
                        .index(Index::create().unique().name("uq_partner_name").col("tenant_id").col("name"))
                        .check((
                            "ck_partner_kind",
                            one_of(
                                "kind",
                                &[
                                    "bank",
                                    "telecom",
                                    "public_agency",
                                    "chamber",
                                    "training",
                                    "cooperation",
                                    "media",
                                    "other",
                                ],
                            ),
                        )),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_table("partnership")
                    .col(uuid("partner_id"))
                    .col(uuid_null("edition_id"))
                    .col(uuid_null("stop_id"))
                    .col(string_len("tier", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut scoped_fk("partnership", "partner_id", "partner"))
                    .foreign_key(&mut scoped_fk("partnership", "edition_id", "edition"))
                    .foreign_key(&mut scoped_fk("partnership", "stop_id", "stop"))
                    .index(Index::create().unique().name("uq_partnership_edition").col("partner_id").col("edition_id"))
                    .index(Index::create().unique().name("uq_partnership_stop").col("partner_id").col("stop_id"))
                    // A partnership backs exactly one edition or one stop.
                    .check((
                        "ck_partnership_target",
                        Expr::col("edition_id").is_not_null().and(Expr::col("stop_id").is_null()).or(Expr::col(
                            "edition_id",
                        )
                        .is_null()
                        .and(Expr::col("stop_id").is_not_null())),
                    ))
                    .check((
                        "ck_partnership_tier",
                        one_of("tier", &["principal", "official", "institutional", "media", "supporter"]),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [("ix_partnership_edition", "edition_id"), ("ix_partnership_stop", "stop_id")] {
            manager.create_index(Index::create().name(name).table("partnership").col(col).to_owned()).await?;
        }

        manager
            .create_table(
                tenant_table("api_key")
                    .col(uuid_null("partner_id"))
                    .col(string_len("name", 200))
                    // The visible head of the secret (`esk_live_ab12cd34`): how a key is
                    // recognised in logs and lists without revealing it.
                    .col(string_len_uniq("prefix", 32))
                    .col(string("secret_hash"))
                    .col(json_binary("scopes"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut scoped_fk("api_key", "partner_id", "partner"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            ["api_key", "partnership", "partner", "session_speaker", "speaker", "session", "stop", "edition", "series"]
        {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
