//! What a participant changes herself through her manage link: workshops
//! joined and left under their capacity rules, consents given back.

use escale_domain::DomainError;
use escale_domain::access::links;
use escale_domain::entities::{consent_event, notification, registration, session};
use escale_domain::messaging::organizer::{self, PolicyTarget};
use escale_domain::messaging::reminders::{MINUTES_PER_DAY, Offset, Policy};
use escale_domain::messaging::templates::{Channel, TemplateKey};
use escale_domain::registration::participants::{self, ConsentKind};
use escale_domain::registration::{register, tickets, workshops};
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::support::*;

/// A registration's workshop reminders still to send.
async fn pending_session_reminders(db: &escale_domain::DatabaseConnection, registration: uuid::Uuid) -> usize {
    all_notifications_of(db, registration)
        .await
        .into_iter()
        .filter(|n| n.template_key == TemplateKey::SessionReminder && n.status == notification::Status::Pending)
        .count()
}

#[tokio::test]
async fn a_participant_joins_and_leaves_workshops_from_her_own_page() {
    for t in TestDb::each("a_participant_joins_and_leaves_workshops_from_her_own_page").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop = open.stop.id;
        let workshop = open.sessions[0].session.id.0;
        let elsewhere = agenda.iter().find(|a| a.stop.id != stop).expect("another stop").sessions[0].session.id.0;
        set_session_capacity(db, workshop, Some(1)).await;
        let owner = owner_actor(db, scope).await;
        let policy = Policy {
            offsets: vec![
                Offset::stop(MINUTES_PER_DAY, vec![Channel::Email]),
                Offset::session(30, vec![Channel::Email]),
            ],
            quiet_hours: None,
        };
        organizer::set_reminder_policy(db, &owner, PolicyTarget::Stop(stop.0), Some(policy), now())
            .await
            .expect("policy");
        let a = register(db, scope, &person(stop, 1), now()).await.expect("a").registration;
        let b = register(db, scope, &person(stop, 2), now()).await.expect("b").registration;
        let signer = links::signer(db, scope, now()).await.expect("signer");
        let (ta, tb) = (signer.manage_token(a.id.0).expect("a"), signer.manage_token(b.id.0).expect("b"));

        // A joins: the seat, and its reminder. Joining again changes nothing.
        let joined = workshops::join_by_manage_link(db, &ta, workshop, now()).await.expect("join");
        assert!(joined.changed && joined.seat.status == registration::Status::Confirmed, "{name}");
        let again = workshops::join_by_manage_link(db, &ta, workshop, now()).await.expect("join again");
        assert!(!again.changed && again.seat.id == joined.seat.id, "{name}");
        assert_eq!(pending_session_reminders(db, a.id.0).await, 1, "{name}");

        // B finds it full: its waiting list, and no reminder for a seat she lacks.
        let waiting = workshops::join_by_manage_link(db, &tb, workshop, now()).await.expect("b joins");
        assert_eq!((waiting.seat.status, waiting.seat.waitlist_position), (registration::Status::Waitlisted, Some(1)));
        assert_eq!(pending_session_reminders(db, b.id.0).await, 0, "{name}");

        // A leaves: the seat is B's at once, with her message and her reminder;
        // A's reminder is withdrawn.
        let left = workshops::leave_by_manage_link(db, &ta, workshop, now()).await.expect("leave");
        assert_eq!(left.seat.status, registration::Status::Cancelled, "{name}");
        assert_eq!(left.promoted, vec![waiting.seat.id], "{name}");
        assert_eq!(pending_session_reminders(db, a.id.0).await, 0, "{name}");
        assert_eq!(pending_session_reminders(db, b.id.0).await, 1, "{name}");
        let told: Vec<_> = planned(db, b.id.0).await.into_iter().map(|p| p.0).collect();
        assert!(told.contains(&"session_promotion".to_owned()), "{name}: {told:?}");
        let row = session::Entity::find_by_id(workshop).one(db).await.expect("q").expect("session");
        assert_eq!((row.confirmed_count, row.waitlist_seq), (1, 0), "{name}");

        // A comes back: the same row, now at the back of the line.
        let back = workshops::join_by_manage_link(db, &ta, workshop, now()).await.expect("back");
        assert_eq!(back.seat.id, joined.seat.id, "{name}: one row per registration and workshop");
        assert_eq!((back.seat.status, back.seat.waitlist_position), (registration::Status::Waitlisted, Some(1)));
        // …and leaves the line: nobody is waiting any more.
        workshops::leave_by_manage_link(db, &ta, workshop, now()).await.expect("leaves the line");
        let row = session::Entity::find_by_id(workshop).one(db).await.expect("q").expect("session");
        assert_eq!((row.confirmed_count, row.waitlist_seq), (1, 0), "{name}");

        // Another stop's workshop, an unknown one, a forged link, a cancelled registration.
        let err = workshops::join_by_manage_link(db, &ta, elsewhere, now()).await.expect_err("elsewhere");
        assert!(matches!(err, DomainError::Validation { .. }), "{name}: {err:?}");
        let err = workshops::join_by_manage_link(db, &ta, uuid::Uuid::now_v7(), now()).await.expect_err("unknown");
        assert!(matches!(err, DomainError::NotFound { .. }), "{name}: {err:?}");
        let forged = format!("{}x", &ta[..ta.len() - 1]);
        let err = workshops::join_by_manage_link(db, &forged, workshop, now()).await.expect_err("forged");
        assert!(matches!(err, DomainError::NotFound { .. }), "{name}: {err:?}");
        tickets::cancel_by_manage_link(db, &tb, now()).await.expect("b cancels");
        let err = workshops::join_by_manage_link(db, &tb, workshop, now()).await.expect_err("cancelled");
        assert!(matches!(err, DomainError::Conflict { .. }), "{name}: {err:?}");
        let row = session::Entity::find_by_id(workshop).one(db).await.expect("q").expect("session");
        assert_eq!(row.confirmed_count, 0, "{name}: B's cancellation freed the seat");
    }
}

#[tokio::test]
async fn a_consent_withdrawn_and_given_back_brings_the_reminders_back() {
    for t in TestDb::each("a_consent_withdrawn_and_given_back_brings_the_reminders_back").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        let reg = register(db, scope, &person(stop, 1), now()).await.expect("registers").registration;
        let token = links::signer(db, scope, now()).await.expect("signer").manage_token(reg.id.0).expect("token");
        let pending = || async {
            all_notifications_of(db, reg.id.0)
                .await
                .into_iter()
                .filter(|n| n.template_key == TemplateKey::Reminder && n.status == notification::Status::Pending)
                .count()
        };
        let before = pending().await;
        assert!(before > 0, "{name}: the default policy reminds by email");

        participants::withdraw_consent_by_manage_link(db, &token, ConsentKind::EmailReminders, now())
            .await
            .expect("withdraw");
        assert_eq!(pending().await, 0, "{name}");
        let given = participants::give_consent_by_manage_link(db, &token, ConsentKind::EmailReminders, now())
            .await
            .expect("give");
        assert!(given.person.consents.email_reminders.is_some() && !given.sms_blocked, "{name}");
        assert_eq!(pending().await, before, "{name}: the same reminders, planned again");
        // Twice is harmless: one more history line would be a lie.
        participants::give_consent_by_manage_link(db, &token, ConsentKind::EmailReminders, now()).await.expect("again");
        let history: Vec<(bool, String)> = consent_event::Entity::find()
            .filter(consent_event::Column::ParticipantId.eq(reg.participant_id.0))
            .filter(consent_event::Column::Kind.eq(consent_event::Kind::EmailReminders))
            .order_by_asc(consent_event::Column::RecordedAt)
            .all(db)
            .await
            .expect("history")
            .into_iter()
            .map(|e| (e.granted, e.source))
            .collect();
        assert_eq!(
            history,
            vec![(true, "registration".into()), (false, "manage_link".into()), (true, "manage_link".into())],
            "{name}"
        );

        // SMS without a phone on record: refused, with the reason.
        let err = participants::give_consent_by_manage_link(db, &token, ConsentKind::SmsReminders, now())
            .await
            .expect_err("no phone");
        assert!(matches!(err, DomainError::Validation { .. }), "{name}: {err:?}");
    }
}
