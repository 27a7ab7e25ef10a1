//! The door when the network comes and goes: the day's list a device keeps,
//! and scans sent live or later in a batch — each recorded once, the first
//! time kept, a ticket let in at two offline doors reported once.

use chrono::Duration;
use escale_domain::DomainError;
use escale_domain::access::authz::{Actor, KeyGrant, Principal, Scope};
use escale_domain::entities::{registration, stop};
use escale_domain::ids::StopId;
use escale_domain::registration::door::offline::{self, Door, Scan, ScanOutcome};
use escale_domain::registration::{register, tickets};
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::support::*;

/// Moves a stop to today: it starts in an hour and lasts six.
async fn held_today(db: &escale_domain::DatabaseConnection, id: StopId) {
    let mut active = reload_stop(db, id).await.into_active_model();
    active.starts_at = Set(now() + Duration::hours(1));
    active.ends_at = Set(now() + Duration::hours(7));
    active.update(db).await.expect("move the stop to today");
}

fn door_of(stop: uuid::Uuid) -> Door<'static> {
    Door { stop_id: stop, session_id: None, name: "", lang: "fr" }
}

fn scan(key: &str, code: &str, minutes_ago: i64, offline: bool) -> Scan {
    Scan {
        key: format!("{key}-0000000000"),
        code: code.to_owned(),
        scanned_at: now() - Duration::minutes(minutes_ago),
        offline,
    }
}

#[tokio::test]
async fn offline_doors_sync_once_keep_the_first_time_and_report_a_ticket_let_in_twice() {
    for t in TestDb::each("offline_doors_sync_once_keep_the_first_time_and_report_a_ticket_let_in_twice").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        let elsewhere = agenda.iter().find(|s| s.stop.id != stop).expect("another stop").stop.id;
        set_capacity(db, stop, 3).await;
        let mut codes = Vec::new();
        for (n, full) in
            ["Amina Benali", "Nadia Cherkaoui", "Salma Idrissi", "Karim Fassi", "Omar Alaoui"].into_iter().enumerate()
        {
            let input = escale_domain::registration::RegisterInput { full_name: full.into(), ..person(stop, n) };
            codes.push(register(db, scope, &input, now()).await.expect("registers").registration.ticket_code);
        }
        // Salma cancels: Karim, first in line, takes her seat; Omar waits.
        tickets::cancel_by_ticket(db, &codes[2], now()).await.expect("cancel");
        let actor = owner_actor(db, scope).await;

        let refused = offline::door_list(db, &actor, door_of(stop.0), now()).await;
        assert!(
            matches!(refused, Err(DomainError::Conflict { .. })),
            "{name}: no list before the stop's day: {refused:?}"
        );
        held_today(db, stop).await;
        let list = offline::door_list(db, &actor, door_of(stop.0), now()).await.expect("the day's list");
        assert_eq!(list.people.len(), 5, "{name}: every ticket of the stop, whatever its state");
        let amina = list.people.iter().find(|p| p.code == codes[0]).expect("Amina");
        assert_eq!((amina.name.as_str(), amina.status), ("Amina B.", registration::Status::Confirmed));
        let omar = list.people.iter().find(|p| p.code == codes[4]).expect("Omar");
        assert_eq!((omar.status, omar.waitlist_position), (registration::Status::Waitlisted, Some(1)));
        assert!(list.closes_at > now() + Duration::hours(7), "{name}: the device wipes it after the day");
        let partner = Actor {
            scope,
            principal: Principal::Key(KeyGrant {
                key_id: uuid::Uuid::nil(),
                partner_id: None,
                scopes: Scope::PARTNER.to_vec(),
            }),
        };
        assert!(
            matches!(offline::door_list(db, &partner, door_of(stop.0), now()).await, Err(DomainError::Forbidden(_))),
            "{name}: a partner's key does not read the door's list"
        );
        assert!(matches!(
            offline::door_list(db, &actor, door_of(elsewhere.0), now()).await,
            Err(DomainError::Conflict { .. })
        ));

        let north = Door { stop_id: stop.0, session_id: None, name: "  Entrée   nord ", lang: "fr" };
        let south = Door { stop_id: stop.0, session_id: None, name: "Entrée sud", lang: "fr" };
        // The north door loses the network and lets in Amina (20 min ago),
        // Nadia (15), Karim (10) — and Salma, whose cancellation it missed.
        let batch = vec![
            scan("north-1", &codes[0], 20, true),
            scan("north-2", &codes[1].to_lowercase(), 15, true),
            scan("north-3", &codes[3], 10, true),
            scan("north-4", &codes[2], 9, true),
        ];
        // Meanwhile the south door, online, lets Nadia in 12 minutes ago as
        // far as the server knows (its live scan is "now").
        let live = offline::scan(db, &actor, south, scan("south-1", &codes[1], 0, false), now()).await.expect("live");
        assert_eq!(live.outcome, ScanOutcome::Admitted, "{name}");
        assert_eq!(live.name.as_deref(), Some("Nadia Cherkaoui"));
        let again = offline::scan(db, &actor, south, scan("south-2", &codes[1], 0, false), now()).await.expect("live");
        assert!(matches!(again.outcome, ScanOutcome::AlreadyIn { .. }), "{name}: a live second scan is refused");
        assert!(!again.admitted());

        let answers = offline::sync(db, &actor, north, batch.clone(), now()).await.expect("sync");
        let outcomes: Vec<_> = answers.iter().map(|a| a.outcome.clone()).collect();
        assert_eq!(outcomes[0], ScanOutcome::Admitted, "{name}");
        match &outcomes[1] {
            ScanOutcome::Conflict { first_door, .. } => assert_eq!(first_door.as_deref(), Some("Entrée sud")),
            other => panic!("{name}: Nadia came in twice, got {other:?}"),
        }
        assert_eq!(outcomes[2], ScanOutcome::Admitted);
        assert!(matches!(&outcomes[3], ScanOutcome::Refused(why) if why.to_string().contains("cancelled")));
        assert!(!answers[3].admitted() && answers[1].admitted());

        // The answer was lost: the device sends the same batch again.
        let resent = offline::sync(db, &actor, north, batch, now()).await.expect("sync again");
        assert!(resent.iter().all(|a| a.outcome == ScanOutcome::Duplicate), "{name}: nothing reported twice");

        let regs = registration::Entity::find().all(db).await.expect("registrations");
        let at = |code: &str| regs.iter().find(|r| r.ticket_code == code).and_then(|r| r.checked_in_at);
        let close = |a: Option<chrono::DateTime<chrono::Utc>>, minutes: i64| {
            a.is_some_and(|a| (a - (now() - Duration::minutes(minutes))).num_seconds().abs() < 30)
        };
        assert!(close(at(&codes[0]), 20), "{name}: the scan's time, not the sync's");
        assert!(close(at(&codes[1]), 15), "{name}: the first time wins, though it synced second");
        assert!(close(at(&codes[3]), 10));
        assert_eq!(at(&codes[2]), None, "{name}: a cancelled ticket is not checked in");
        let counts = escale_domain::registration::door::stop_counts(db, scope, &[stop.0]).await.expect("counts");
        assert_eq!(counts[&stop.0].checked_in, 3, "{name}: each person once");
        assert_eq!(
            offline::door_counts(db, scope, stop.0, None).await.expect("per door"),
            vec![("Entrée nord".to_owned(), 2), ("Entrée sud".to_owned(), 1)],
            "{name}: each door counts whom it let in first"
        );
        let reported = offline::door_conflicts(db, scope, stop.0, None).await.expect("conflicts");
        assert_eq!(reported.len(), 2, "{name}: Nadia's second entry and Salma's, once each");

        // Two offline doors let Omar in, who waits: both are told, nothing changes.
        let (a, b) = tokio::join!(
            offline::sync(db, &actor, north, vec![scan("race-a", &codes[4], 5, true)], now()),
            offline::sync(db, &actor, south, vec![scan("race-b", &codes[4], 4, true)], now()),
        );
        let (a, b) = (a.expect("a"), b.expect("b"));
        assert!(
            matches!(a[0].outcome, ScanOutcome::Refused(_)) && matches!(b[0].outcome, ScanOutcome::Refused(_)),
            "{name}: Omar waits: both doors were wrong to let him in"
        );
        let nobody = stop::Entity::find_by_id(stop.0).one(db).await.expect("q").expect("stop");
        assert_eq!(nobody.confirmed_count, 3, "{name}: a door changes no seat");

        assert!(matches!(
            offline::sync(db, &actor, north, vec![scan("bad key!", &codes[0], 1, true)], now()).await,
            Err(DomainError::Validation { .. })
        ));
        let too_many: Vec<_> =
            (0..=offline::MAX_SCANS_PER_SYNC).map(|i| scan(&format!("bulk-{i}"), &codes[0], 1, true)).collect();
        assert!(matches!(offline::sync(db, &actor, north, too_many, now()).await, Err(DomainError::Validation { .. })));
    }
}

#[tokio::test]
async fn two_doors_syncing_one_ticket_at_once_admit_it_once() {
    for t in TestDb::each("two_doors_syncing_one_ticket_at_once_admit_it_once").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        held_today(db, stop).await;
        let mut codes = Vec::new();
        for n in 0..20 {
            codes.push(register(db, scope, &person(stop, n), now()).await.expect("registers").registration.ticket_code);
        }
        let actor = owner_actor(db, scope).await;
        let north = Door { stop_id: stop.0, session_id: None, name: "Nord", lang: "fr" };
        let south = Door { stop_id: stop.0, session_id: None, name: "Sud", lang: "fr" };
        let batch = |door: &str| -> Vec<Scan> {
            codes.iter().enumerate().map(|(i, c)| scan(&format!("{door}-{i:03}"), c, 3, true)).collect()
        };
        let (a, b) = tokio::join!(
            offline::sync(db, &actor, north, batch("north"), now()),
            offline::sync(db, &actor, south, batch("south"), now()),
        );
        let (a, b) = (a.expect("north"), b.expect("south"));
        for (x, y) in a.iter().zip(&b) {
            let admitted = [&x.outcome, &y.outcome].iter().filter(|o| ***o == ScanOutcome::Admitted).count();
            let conflicts =
                [&x.outcome, &y.outcome].iter().filter(|o| matches!(***o, ScanOutcome::Conflict { .. })).count();
            assert_eq!((admitted, conflicts), (1, 1), "{name}: {:?} / {:?}", x.outcome, y.outcome);
        }
        let per_door: i64 =
            offline::door_counts(db, scope, stop.0, None).await.expect("counts").iter().map(|d| d.1).sum();
        assert_eq!(per_door, 20, "{name}");
        assert_eq!(offline::door_conflicts(db, scope, stop.0, None).await.expect("conflicts").len(), 20, "{name}");
    }
}

#[tokio::test]
async fn a_workshops_door_lets_in_those_with_a_seat_once_and_counts_the_room() {
    for t in TestDb::each("a_workshops_door_lets_in_those_with_a_seat_once_and_counts_the_room").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop = open.stop.id;
        let workshop = open.sessions.first().expect("a workshop").session.id;
        let other_stop = agenda.iter().find(|s| s.stop.id != stop && !s.sessions.is_empty()).expect("another stop");
        held_today(db, stop).await;
        let with_seat = escale_domain::registration::RegisterInput { session_ids: vec![workshop], ..person(stop, 1) };
        let seated = register(db, scope, &with_seat, now()).await.expect("registers").registration.ticket_code;
        let without = register(db, scope, &person(stop, 2), now()).await.expect("registers").registration.ticket_code;
        let actor = owner_actor(db, scope).await;
        let room = Door { stop_id: stop.0, session_id: Some(workshop.0), name: "Salle 2", lang: "fr" };

        let list = offline::door_list(db, &actor, room, now()).await.expect("the room's list");
        let entry = list.people.iter().find(|p| p.code == seated).expect("seated");
        assert_eq!(entry.seats, vec![workshop.0], "{name}: the device checks the seat offline");

        let live = |key: &str, code: &str| scan(key, code, 0, false);
        let a = offline::scan(db, &actor, room, live("room-1", &seated), now()).await.expect("scan");
        assert_eq!(a.outcome, ScanOutcome::Admitted, "{name}");
        assert!(!a.workshops.is_empty(), "{name}: her workshops said");
        let again = offline::scan(db, &actor, room, live("room-2", &seated), now()).await.expect("scan");
        assert!(matches!(again.outcome, ScanOutcome::AlreadyIn { .. }), "{name}: once in the room");
        let no = offline::scan(db, &actor, room, live("room-3", &without), now()).await.expect("scan");
        assert!(
            matches!(&no.outcome, ScanOutcome::Refused(why) if why.to_string().contains("no seat")),
            "{name}: {:?}",
            no.outcome
        );
        // In the room is at the stop: the stop's door then says "already in".
        let hall = Door { session_id: None, name: "Hall", ..room };
        let at_stop = offline::scan(db, &actor, hall, live("hall-1", &seated), now()).await.expect("scan");
        assert!(matches!(at_stop.outcome, ScanOutcome::AlreadyIn { .. }), "{name}: {:?}", at_stop.outcome);
        // An offline room door that let her in too: reported.
        let late = offline::sync(db, &actor, room, vec![scan("room-4", &seated, 2, true)], now()).await.expect("sync");
        assert!(matches!(late[0].outcome, ScanOutcome::Conflict { .. }), "{name}: {:?}", late[0].outcome);

        let counts = offline::workshop_counts(db, scope, workshop.0).await.expect("counts");
        assert_eq!((counts.checked_in, counts.confirmed), (1, 1), "{name}");
        assert_eq!(
            offline::door_counts(db, scope, stop.0, Some(workshop.0)).await.expect("per door"),
            vec![("Salle 2".to_owned(), 1)],
            "{name}"
        );
        assert!(offline::door_counts(db, scope, stop.0, None).await.expect("stop doors").is_empty(), "{name}");
        // Another stop's workshop is not a door of this stop.
        let foreign = Door { session_id: Some(other_stop.sessions[0].session.id.0), ..room };
        assert!(matches!(
            offline::scan(db, &actor, foreign, live("room-5", &seated), now()).await,
            Err(DomainError::NotFound { .. })
        ));
    }
}
