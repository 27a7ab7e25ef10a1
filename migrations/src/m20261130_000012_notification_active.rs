//! Starting a send becomes a heap-only update on PostgreSQL. Moving a row from
//! `pending` to `sending` changed `status`, and three indexes named it — the
//! due index and the sweeper's in-flight index in their predicates, the
//! registration index as a key — so each start wrote a new entry in every
//! index of `notification` (five), the second costliest statement of the
//! send path after recording the result (docs/BENCHMARKS.md).
//!
//! No index names `status` any more. They name `active`, a column PostgreSQL
//! computes from it (`pending`, `queued` or `sending`: the row still has a
//! message to send) and stores; `pending → sending` leaves it true, so
//! PostgreSQL sees no indexed value change and rewrites the row in place, as
//! it does for a claim (migration 9 keeps the room). Only leaving the active
//! set (`sent`, `failed`, `cancelled`…) writes index entries, once per message.
//!
//! - `ix_notification_active_due (channel, scheduled_at, id) WHERE active`
//!   replaces both the due index (migration 11) and the in-flight index:
//!   a row in flight was due when it started, so the sweeper and the backlog
//!   read the same range (`scheduled_at <= now`) of the same index. The id
//!   orders rows due at the same instant, so that each batch of a dispatcher
//!   round starts where the previous one ended (`outbox::ClaimCursor`);
//! - `ix_notification_registration_id (registration_id)` replaces
//!   `(registration_id, status)`: a registration has a handful of rows, and
//!   its status is read from them.
//!
//! Adding a stored computed column rewrites the table under an exclusive lock:
//! about 10 s for a million rows on the benchmark machine, during which
//! nothing is planned or sent. Run it when the outbox is quiet.
//!
//! SQLite gets the column as a virtual one, so that queries read the same on
//! both, and keeps its indexes: it has no heap-only updates to win.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() != DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "ALTER TABLE notification ADD COLUMN active INTEGER GENERATED ALWAYS AS ({ACTIVE}) VIRTUAL"
            ))
            .await?;
            return Ok(());
        }
        db.execute_unprepared(&format!(
            "ALTER TABLE notification ADD COLUMN active boolean GENERATED ALWAYS AS ({ACTIVE}) STORED"
        ))
        .await?;
        manager
            .create_index(
                Index::create()
                    .name(ACTIVE_DUE)
                    .table("notification")
                    .col("channel")
                    .col("scheduled_at")
                    .col("id")
                    .and_where(Expr::col("active"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name(REGISTRATION_ID).table("notification").col("registration_id").to_owned())
            .await?;
        for old in [DUE_BY_CHANNEL, IN_FLIGHT, REGISTRATION] {
            manager.drop_index(Index::drop().name(old).table("notification").to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .create_index(
                    Index::create()
                        .name(DUE_BY_CHANNEL)
                        .table("notification")
                        .col("channel")
                        .col("scheduled_at")
                        .and_where(Expr::col("status").eq("pending"))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(IN_FLIGHT)
                        .table("notification")
                        .col("updated_at")
                        .and_where(Expr::col("status").is_in(["queued", "sending"]))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(REGISTRATION)
                        .table("notification")
                        .col("registration_id")
                        .col("status")
                        .to_owned(),
                )
                .await?;
            for new in [ACTIVE_DUE, REGISTRATION_ID] {
                manager.drop_index(Index::drop().name(new).table("notification").to_owned()).await?;
            }
        }
        db.execute_unprepared("ALTER TABLE notification DROP COLUMN active").await?;
        Ok(())
    }
}

/// The statuses of a row that still has a message to send.
const ACTIVE: &str = "status IN ('pending', 'queued', 'sending')";
const ACTIVE_DUE: &str = "ix_notification_active_due";
const REGISTRATION_ID: &str = "ix_notification_registration_id";
const DUE_BY_CHANNEL: &str = "ix_notification_due_by_channel";
const IN_FLIGHT: &str = "ix_notification_in_flight";
const REGISTRATION: &str = "ix_notification_registration";
