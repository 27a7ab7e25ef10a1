//! Cancellation and promotion: a freed seat goes to the first in line, in the
//! same transaction, with exactly one message.

use escale_domain::DomainError;
use escale_domain::entities::{notification, registration, session, session_seat};
use escale_domain::ids::SessionId;
use escale_domain::registration::register;
use escale_domain::registration::tickets;
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::support::*;

#[tokio::test]
async fn a_cancellation_promotes_the_first_in_line_and_cancels_what_was_planned() {
    for t in TestDb::each("a_cancellation_promotes_the_first_in_line_and_cancels_what_was_planned").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        set_capacity(db, stop, 2).await;
        let mut regs = Vec::new();
        for n in 0..5 {
            regs.push(register(db, scope, &person(stop, n), now()).await.expect("registers").registration);
        }
        // #2 (position 1) and #3 (position 2) wait; #4 (position 3) leaves the line.
        let out = tickets::cancel_by_ticket(db, &regs[4].ticket_code, now()).await.expect("cancel waitlisted");
        assert!(out.promoted.is_empty(), "{name}: a waitlisted cancellation frees no seat");
        assert_eq!(reload_stop(db, stop).await.confirmed_count, 2);

        // #0 cancels with the code as printed (dash, lower case): #2 is promoted.
        let code = regs[0].ticket_code.to_lowercase();
        let printed = format!("{}-{}", &code[..5], &code[5..]);
        let out = tickets::cancel_by_ticket(db, &printed, now()).await.expect("cancel");
        assert_eq!(out.registration.status, registration::Status::Cancelled);
        assert_eq!(out.promoted, vec![regs[2].id.0], "{name}");
        assert_eq!(reload_stop(db, stop).await.confirmed_count, 2, "{name}: the freed seat is taken again");
        let promoted = registration::Entity::find_by_id(regs[2].id).one(db).await.expect("q").expect("reg");
        assert_eq!((promoted.status, promoted.waitlist_position), (registration::Status::Confirmed, None));
        let still = registration::Entity::find_by_id(regs[3].id).one(db).await.expect("q").expect("reg");
        assert_eq!(still.waitlist_position, Some(1), "{name}: next in line now, as they are told");

        use notification::Status::*;
        let email = |k: &str, s| (k.to_owned(), "email".to_owned(), s);
        assert_eq!(
            planned(db, regs[0].id.0).await,
            vec![email("cancellation", Pending), email("confirmation", Cancelled)],
            "{name}: the unsent confirmation is cancelled, the cancellation notice planned"
        );
        assert_eq!(
            planned(db, regs[2].id.0).await,
            vec![email("promotion", Pending), email("waitlisted", Pending)],
            "{name}"
        );

        // Cancelling again changes nothing and sends nothing more.
        let again = tickets::cancel_by_ticket(db, &regs[0].ticket_code, now()).await.expect("idempotent");
        assert!(again.already_cancelled);
        assert_eq!(planned(db, regs[0].id.0).await.len(), 2);

        // Unknown and malformed codes.
        let unknown = tickets::cancel_by_ticket(db, "ZZZZZ-ZZZZZ", now()).await;
        assert!(matches!(unknown, Err(DomainError::NotFound { .. })), "{name}: {unknown:?}");
        let malformed = tickets::cancel_by_ticket(db, "12", now()).await;
        assert!(
            matches!(&malformed, Err(DomainError::Validation { field, .. }) if field == "ticketCode"),
            "{name}: {malformed:?}"
        );

        // A signed link: the right signature cancels, any other is NOT_FOUND.
        let sig = tickets::cancel_signature(db, scope, regs[1].id.0, now()).await.expect("sign");
        let forged = tickets::cancel_by_link(db, scope, regs[1].id.0, "AAAAAAAAAAAAAAAAAAAAAA", now()).await;
        assert!(matches!(forged, Err(DomainError::NotFound { .. })), "{name}: {forged:?}");
        let other = tickets::cancel_by_link(db, scope, regs[3].id.0, &sig, now()).await;
        assert!(matches!(other, Err(DomainError::NotFound { .. })), "{name}: a link is for one registration");
        let out = tickets::cancel_by_link(db, scope, regs[1].id.0, &sig, now()).await.expect("cancel by link");
        assert_eq!(out.promoted, vec![regs[3].id.0], "{name}");
        let counts =
            escale_domain::registration::door::stop_counts(db, scope, &[stop.0]).await.expect("counts")[&stop.0];
        assert_eq!((counts.confirmed, counts.waitlisted, counts.cancelled), (2, 0, 3), "{name}");
    }
}

/// Positions are the live rank among those still waiting, at the stop and in
/// a workshop's line: whoever leaves the line, those behind move up, and a
/// newcomer comes after the last.
#[tokio::test]
async fn waiting_list_positions_are_live_ranks() {
    for t in TestDb::each("waiting_list_positions_are_live_ranks").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop = open.stop.id;
        let workshop = open.sessions[0].session.id;
        set_capacity(db, stop, 1).await;
        let mut regs = Vec::new();
        for n in 0..5 {
            regs.push(register(db, scope, &person(stop, n), now()).await.expect("registers").registration);
        }
        let positions = |ids: Vec<uuid::Uuid>| async move {
            let mut out = Vec::new();
            for id in ids {
                out.push(
                    registration::Entity::find_by_id(id).one(db).await.expect("q").expect("reg").waitlist_position,
                );
            }
            out
        };
        let ids = |r: &[escale_domain::registration::Registration]| r.iter().map(|r| r.id.0).collect::<Vec<_>>();
        assert_eq!(positions(ids(&regs[1..])).await, vec![Some(1), Some(2), Some(3), Some(4)], "{name}");
        // The second in line leaves: the third and fourth move up.
        tickets::cancel_by_ticket(db, &regs[2].ticket_code, now()).await.expect("cancel waitlisted");
        assert_eq!(
            positions(ids(&[regs[1].clone(), regs[3].clone(), regs[4].clone()])).await,
            vec![Some(1), Some(2), Some(3)]
        );
        // The confirmed one leaves: the first in line is seated, the rest move up.
        tickets::cancel_by_ticket(db, &regs[0].ticket_code, now()).await.expect("cancel confirmed");
        assert_eq!(
            positions(ids(&[regs[1].clone(), regs[3].clone(), regs[4].clone()])).await,
            vec![None, Some(1), Some(2)]
        );
        // A newcomer comes third, not sixth.
        let late = register(db, scope, &person(stop, 9), now()).await.expect("registers").registration;
        assert_eq!(late.waitlist_position, Some(3), "{name}");

        // A workshop's line: capacity 1, three people confirmed at the stop.
        set_capacity(db, stop, 10).await;
        set_session_capacity(db, workshop.0, Some(1)).await;
        let mut seats = Vec::new();
        for n in 20..23 {
            let mut input = person(stop, n);
            input.session_ids = vec![SessionId(workshop.0)];
            seats.push(register(db, scope, &input, now()).await.expect("registers"));
        }
        let seat_position = |id: uuid::Uuid| async move {
            session_seat::Entity::find_by_id(id).one(db).await.expect("q").expect("seat").waitlist_position
        };
        assert_eq!(seat_position(seats[2].seats[0].id).await, Some(2), "{name}");
        tickets::cancel_by_ticket(db, &seats[1].registration.ticket_code, now()).await.expect("cancel");
        assert_eq!(seat_position(seats[2].seats[0].id).await, Some(1), "{name}: moved up in the workshop's line");
    }
}

#[tokio::test]
async fn more_capacity_promotes_as_many_as_it_adds() {
    for t in TestDb::each("more_capacity_promotes_as_many_as_it_adds").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        set_capacity(db, stop, 1).await;
        let mut regs = Vec::new();
        for n in 0..4 {
            regs.push(register(db, scope, &person(stop, n), now()).await.expect("registers").registration);
        }
        let owner = owner_actor(db, scope).await;
        let patch = escale_domain::manage::StopPatch { capacity: Some(3), ..Default::default() };
        escale_domain::manage::update_stop(db, &owner, stop.0, patch, now()).await.expect("more seats");
        let statuses: Vec<_> = futures_statuses(db, &regs).await;
        use registration::Status::*;
        assert_eq!(statuses, vec![Confirmed, Confirmed, Confirmed, Waitlisted], "{}", t.backend_name());
        assert_eq!(reload_stop(db, stop).await.confirmed_count, 3);
        for r in &regs[1..3] {
            let keys: Vec<_> = planned(db, r.id.0).await.into_iter().map(|p| p.0).collect();
            assert_eq!(keys, vec!["promotion", "waitlisted"], "{}", t.backend_name());
        }
    }
}

async fn futures_statuses(
    db: &escale_domain::DatabaseConnection,
    regs: &[escale_domain::registration::Registration],
) -> Vec<registration::Status> {
    let mut out = Vec::new();
    for r in regs {
        out.push(registration::Entity::find_by_id(r.id.0).one(db).await.expect("q").expect("reg").status);
    }
    out
}

#[tokio::test]
async fn workshop_seats_follow_their_own_line() {
    for t in TestDb::each("workshop_seats_follow_their_own_line").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop = open.stop.id;
        let workshop = open.sessions[0].session.id;
        set_capacity(db, stop, 3).await;
        set_session_capacity(db, workshop.0, Some(1)).await;
        let mut regs = Vec::new();
        for n in 0..5 {
            let mut input = person(stop, n);
            input.session_ids = vec![SessionId(workshop.0)];
            regs.push(register(db, scope, &input, now()).await.expect("registers"));
        }
        // Stop: 0,1,2 confirmed; 3,4 waiting. Workshop: 0 seated; 1,2 wait (confirmed at the stop); 3,4 wait too.
        let seat = |i: usize| regs[i].seats[0].clone();
        assert_eq!(seat(0).status, registration::Status::Confirmed, "{name}");
        assert!((1..5).all(|i| seat(i).status == registration::Status::Waitlisted), "{name}");

        // #0 leaves: #3 gets the stop seat; the workshop seat goes to #1 (first in
        // the workshop's line among people with a seat at the stop), not #3.
        let out = tickets::cancel_by_ticket(db, &regs[0].registration.ticket_code, now()).await.expect("cancel");
        assert_eq!(out.promoted, vec![regs[3].registration.id.0], "{name}");
        assert_eq!(out.promoted_seats, vec![seat(1).id], "{name}");
        let seats = session_seat::Entity::find()
            .filter(session_seat::Column::SessionId.eq(workshop))
            .filter(session_seat::Column::Status.eq(registration::Status::Confirmed))
            .all(db)
            .await
            .expect("seats");
        assert_eq!(seats.iter().map(|s| s.registration_id).collect::<Vec<_>>(), vec![regs[1].registration.id.0]);
        let workshop_row = session::Entity::find_by_id(workshop).one(db).await.expect("q").expect("session");
        assert_eq!(workshop_row.confirmed_count, 1, "{name}");
        let keys: Vec<_> = planned(db, regs[1].registration.id.0).await.into_iter().map(|p| p.0).collect();
        assert_eq!(keys, vec!["confirmation", "session_promotion"], "{name}");

        // Unlimited workshop: #2 and #3 are seated when the limit goes.
        let owner = owner_actor(db, scope).await;
        let patch = escale_domain::manage::SessionPatch { capacity: Some(None), ..Default::default() };
        escale_domain::manage::update_session(db, &owner, workshop.0, patch, now()).await.expect("no limit");
        let seated = session_seat::Entity::find()
            .filter(session_seat::Column::SessionId.eq(workshop))
            .filter(session_seat::Column::Status.eq(registration::Status::Confirmed))
            .all(db)
            .await
            .expect("seats")
            .len();
        assert_eq!(seated, 3, "{name}: #1, #2, #3; #4 is still waiting for the stop");
    }
}

#[tokio::test]
async fn consents_given_at_registration_are_recorded_with_time_and_source() {
    use escale_domain::entities::consent_event;
    for t in TestDb::each("consents_given_at_registration_are_recorded_with_time_and_source").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        let mut input = person(stop, 1);
        input.phone = Some("0612345678".into());
        input.consents.sms_reminders = true;
        let out = register(db, scope, &input, now()).await.expect("registers");
        let events = consent_event::Entity::find().all(db).await.expect("events");
        let mut kinds: Vec<_> = events.iter().map(|e| (format!("{:?}", e.kind), e.granted, e.source.clone())).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            vec![
                ("EmailReminders".into(), true, "registration".into()),
                ("SmsReminders".into(), true, "registration".into())
            ],
            "{}",
            t.backend_name()
        );
        // Withdrawn by the participant: the flag goes, the history keeps both acts.
        let code = out.registration.ticket_code.clone();
        let p = escale_domain::registration::participants::withdraw_consent(
            db,
            &code,
            escale_domain::registration::participants::ConsentKind::SmsReminders,
            now(),
        )
        .await
        .expect("withdraw");
        assert!(p.consents.sms_reminders.is_none() && p.consents.email_reminders.is_some());
        let history =
            escale_domain::registration::participants::consent_history(db, scope, p.id.0).await.expect("history");
        assert_eq!(history.len(), 3, "{}", t.backend_name());
        assert!(history.iter().any(|e| !e.granted && e.source == "participant"));
        // Registering again without consents withdraws nothing.
        register(db, scope, &person(stop, 1), now()).await.expect("again");
        assert_eq!(consent_event::Entity::find().all(db).await.expect("events").len(), 3);
    }
}
