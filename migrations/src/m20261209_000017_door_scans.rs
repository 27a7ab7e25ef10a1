//! What each door scanned, for the doors that keep admitting people when the
//! venue's network drops: a device names every scan with its own key, so a
//! batch sent again after a lost answer changes nothing and a ticket admitted
//! at two offline doors is reported once, and each door's count is read from
//! the scans it admitted. A workshop's door records its session: who came
//! into that room, and when.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{one_of, scoped_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("door_scan")
                    .col(uuid("stop_id"))
                    .col(uuid_null("registration_id"))
                    // A workshop's door checks a seat in it; none: the stop's door.
                    .col(uuid_null("session_id"))
                    // The device's own name for the scan: unique per organizer.
                    .col(string_len("scan_key", 64))
                    .col(string_len("door", 40))
                    .col(string_len("outcome", 16))
                    .col(boolean("offline"))
                    .col(timestamp_with_time_zone("scanned_at"))
                    .col(timestamp_with_time_zone("synced_at"))
                    .foreign_key(&mut scoped_fk("door_scan", "stop_id", "stop"))
                    .foreign_key(&mut scoped_fk("door_scan", "registration_id", "registration"))
                    .foreign_key(&mut scoped_fk("door_scan", "session_id", "session"))
                    .index(Index::create().unique().name("uq_door_scan_key").col("tenant_id").col("scan_key"))
                    .check(("ck_door_scan_outcome", one_of("outcome", &["admitted", "conflict", "refused"])))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_door_scan_stop")
                    .table("door_scan")
                    .col("stop_id")
                    .col("outcome")
                    .col("session_id")
                    .col("door")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("door_scan").to_owned()).await
    }
}
