//! The schema holds invariants by itself, whatever the application does.

use escale_domain::entities::*;
use escale_domain::ids::new_uuid;
use escale_domain::values::{Locale, TimeZone};
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

use crate::support::{demo, open_stop, reload_stop};

/// Every entity reads back from the migrated schema: a column renamed in one and
/// not the other fails here, not in production.
#[tokio::test]
async fn entities_match_the_migrated_schema() {
    for t in TestDb::each("entities_match_the_migrated_schema").await {
        let db = &t.db;
        demo(db).await;
        macro_rules! check {
            ($($m:ident),*) => {$(
                $m::Entity::find().one(db).await.unwrap_or_else(|e| panic!("{} on {}: {e}", stringify!($m), t.backend_name()));
            )*};
        }
        check!(
            tenant,
            app_user,
            membership,
            api_key,
            api_request,
            series,
            edition,
            stop,
            session,
            speaker,
            session_speaker,
            partner,
            partnership,
            participant,
            consent_event,
            registration,
            session_seat,
            question,
            template,
            reminder_policy,
            notification,
            opt_out
        );
    }
}

#[tokio::test]
async fn the_database_refuses_more_confirmed_seats_than_capacity() {
    for t in TestDb::each("the_database_refuses_more_confirmed_seats_than_capacity").await {
        let (_, agenda) = demo(&t.db).await;
        let stop = reload_stop(&t.db, open_stop(&agenda).stop.id).await;
        let mut active = stop.clone().into_active_model();
        active.confirmed_count = Set(stop.capacity + 1);
        assert!(active.update(&t.db).await.is_err(), "{}: CHECK must refuse overbooking", t.backend_name());
    }
}

/// Typed columns refuse what they cannot read: a stop whose stored zone is
/// not a zone fails to load, instead of quietly becoming Casablanca.
#[tokio::test]
async fn a_bad_stored_zone_is_an_error_not_a_default() {
    for t in TestDb::each("a_bad_stored_zone_is_an_error_not_a_default").await {
        let (_, agenda) = demo(&t.db).await;
        let stop = open_stop(&agenda).stop.clone();
        let backend = t.db.get_database_backend();
        // Locales have a CHECK constraint of their own; zones do not.
        let sql = "UPDATE stop SET time_zone = 'Mars/Olympus' WHERE tenant_id = $1";
        t.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [stop.tenant.0.into()]))
            .await
            .expect("a raw write past the application");
        let read = stop::Entity::find_by_id(stop.id).one(&t.db).await;
        assert!(read.is_err(), "{}: the stop's zone must not read as a default: {read:?}", t.backend_name());
    }
}

/// A registration cannot point at another tenant's stop, even if application
/// code forgot a filter: the composite foreign key (tenant_id, stop_id) refuses it.
#[tokio::test]
async fn rows_cannot_reference_another_tenants_rows() {
    for t in TestDb::each("rows_cannot_reference_another_tenants_rows").await {
        let (scope, agenda) = demo(&t.db).await;
        let stop = open_stop(&agenda).stop.clone();
        let now = chrono::Utc::now();
        let other = tenant::ActiveModel {
            id: Set(new_uuid()),
            slug: Set("other-organizer".into()),
            name: Set("Other".into()),
            default_locale: Set(Locale::Fr),
            default_time_zone: Set(TimeZone::CASABLANCA),
            email_sender: Set(None),
            email_sender_name: Set(None),
            sms_sender_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&t.db)
        .await
        .expect("second tenant");
        let outsider = participant::ActiveModel {
            id: Set(new_uuid()),
            tenant_id: Set(other.id),
            full_name: Set("Outsider".into()),
            email: Set(Some("outsider@example.ma".into())),
            phone: Set(None),
            locale: Set(Locale::Fr),
            segment: Set(None),
            sector: Set(None),
            company: Set(None),
            region: Set(None),
            consent_email_at: Set(None),
            consent_sms_at: Set(None),
            consent_partners_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&t.db)
        .await
        .expect("participant of the other tenant");
        let cross = registration::ActiveModel {
            id: Set(new_uuid()),
            tenant_id: Set(other.id),
            stop_id: Set(stop.id.0),
            participant_id: Set(outsider.id),
            status: Set(registration::Status::Confirmed),
            waitlist_position: Set(None),
            ticket_code: Set("ABCDE12345".into()),
            source: Set("public".into()),
            checked_in_at: Set(None),
            cancelled_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&t.db)
        .await;
        assert!(cross.is_err(), "{}: a registration of tenant B for tenant A's stop must be refused", t.backend_name());
        assert_ne!(scope.uuid(), other.id);
    }
}

/// On PostgreSQL the claim (`queued_at`) and the start of a send (`status`,
/// `attempts`, `updated_at`) must stay heap-only updates: an index naming any
/// of those columns, even in its predicate, makes every such update write a
/// new entry in every index of the table (migrations 9 and 12).
#[tokio::test]
async fn no_notification_index_names_a_column_the_send_path_writes_first() {
    let Some(t) = TestDb::postgres("no_notification_index_names_a_column_the_send_path_writes_first").await else {
        return;
    };
    let rows =
        t.db.query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'notification'".to_owned(),
        ))
        .await
        .expect("reads the indexes");
    let indexes: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.try_get("", "indexname").expect("name"), r.try_get("", "indexdef").expect("definition")))
        .collect();
    assert!(
        indexes.iter().any(|(name, def)| name == "ix_notification_active_due" && def.contains("WHERE active")),
        "the due index: {indexes:?}"
    );
    for (name, def) in &indexes {
        for column in ["status", "attempts", "updated_at", "queued_at"] {
            assert!(!def.contains(column), "{name} names {column}: {def}");
        }
    }
}
