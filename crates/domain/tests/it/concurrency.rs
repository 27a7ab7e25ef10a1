//! The day a stop opens: hundreds of registrations and cancellations at once.
//! These run on both databases; on PostgreSQL (CI) the transactions truly
//! overlap, which is the case that matters.

use std::collections::HashSet;

use escale_domain::entities::{notification, registration, session, session_seat};
use escale_domain::ids::SessionId;
use escale_domain::registration::tickets;
use escale_domain::registration::{RegisterOutcome, register};
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::support::*;

/// Runs `n` registrations at once; every one must succeed.
async fn register_all(
    db: &escale_domain::DatabaseConnection,
    scope: escale_domain::tenancy::TenantScope,
    inputs: Vec<escale_domain::registration::RegisterInput>,
) -> Vec<RegisterOutcome> {
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let db = db.clone();
            tokio::spawn(async move { register(&db, scope, &input, now()).await })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("task").expect("every registration succeeds"));
    }
    out
}

fn split(outcomes: &[RegisterOutcome]) -> (usize, Vec<i32>) {
    let confirmed = outcomes.iter().filter(|o| o.registration.status == registration::Status::Confirmed).count();
    let positions = outcomes.iter().filter_map(|o| o.registration.waitlist_position).collect();
    (confirmed, positions)
}

#[tokio::test]
async fn five_hundred_at_once_for_one_hundred_seats() {
    for t in TestDb::each("five_hundred_at_once_for_one_hundred_seats").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        set_capacity(db, stop, 100).await;
        let outcomes = register_all(db, scope, (0..500).map(|n| person(stop, n)).collect()).await;
        let (confirmed, positions) = split(&outcomes);
        assert_eq!(confirmed, 100, "{name}");
        let distinct: HashSet<i32> = positions.iter().copied().collect();
        assert_eq!(distinct, (1..=400).collect::<HashSet<_>>(), "{name}: 400 distinct positions, 1 to 400");
        assert_eq!(reload_stop(db, stop).await.confirmed_count, 100, "{name}");
        let rows = registration::Entity::find()
            .filter(registration::Column::StopId.eq(stop.0))
            .filter(registration::Column::Status.eq(registration::Status::Confirmed))
            .count(db)
            .await
            .expect("count");
        assert_eq!(rows, 100, "{name}: the counter and the rows agree");
    }
}

#[tokio::test]
async fn five_hundred_at_once_for_one_hundred_workshop_seats() {
    for t in TestDb::each("five_hundred_at_once_for_one_hundred_workshop_seats").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop = open.stop.id;
        let workshop = open.sessions[0].session.id;
        set_capacity(db, stop, 1000).await;
        set_session_capacity(db, workshop.0, Some(100)).await;
        let inputs = (0..500)
            .map(|n| {
                let mut input = person(stop, n);
                input.session_ids = vec![SessionId(workshop.0)];
                input
            })
            .collect();
        let outcomes = register_all(db, scope, inputs).await;
        assert!(outcomes.iter().all(|o| o.registration.status == registration::Status::Confirmed), "{name}");
        let seats: Vec<_> = outcomes.iter().map(|o| o.seats[0].clone()).collect();
        let seated = seats.iter().filter(|s| s.status == registration::Status::Confirmed).count();
        assert_eq!(seated, 100, "{name}");
        let positions: HashSet<i32> = seats.iter().filter_map(|s| s.waitlist_position).collect();
        assert_eq!(positions, (1..=400).collect::<HashSet<_>>(), "{name}");
        let row = session::Entity::find_by_id(workshop).one(db).await.expect("q").expect("session");
        assert_eq!(row.confirmed_count, 100, "{name}");
    }
}

#[tokio::test]
async fn cancellations_and_registrations_interleaved() {
    for t in TestDb::each("cancellations_and_registrations_interleaved").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        const CAPACITY: i32 = 40;
        set_capacity(db, stop, CAPACITY).await;
        // 80 registered: 40 confirmed, 40 waiting.
        let first = register_all(db, scope, (0..80).map(|n| person(stop, n)).collect()).await;
        // Then at once: 30 of them cancel (every other one of the first 60,
        // confirmed and waiting alike) while 50 newcomers register.
        let mut cancels = Vec::new();
        for o in first.iter().take(60).step_by(2) {
            let (db, code) = (db.clone(), o.registration.ticket_code.clone());
            cancels.push(tokio::spawn(async move { tickets::cancel_by_ticket(&db, &code, now()).await }));
        }
        let newcomers = register_all(db, scope, (80..130).map(|n| person(stop, n)).collect()).await;
        let mut promoted = 0;
        for task in cancels {
            promoted += task.await.expect("task").unwrap_or_else(|e| panic!("{name}: {e}")).promoted.len();
        }
        // Where everyone stood in line when they registered.
        let position_at_registration: std::collections::HashMap<_, _> = first
            .iter()
            .chain(&newcomers)
            .filter_map(|o| o.registration.waitlist_position.map(|p| (o.registration.id.0, p)))
            .collect();

        let live_demand = 80 - 30 + 50;
        let all = registration::Entity::find()
            .filter(registration::Column::StopId.eq(stop.0))
            .all(db)
            .await
            .expect("registrations");
        let confirmed: Vec<_> = all.iter().filter(|r| r.status == registration::Status::Confirmed).collect();
        let waiting: Vec<_> = all.iter().filter(|r| r.status == registration::Status::Waitlisted).collect();
        assert_eq!(confirmed.len() as i32, CAPACITY.min(live_demand), "{name}");
        assert_eq!(confirmed.len() + waiting.len(), live_demand as usize, "{name}");
        assert_eq!(reload_stop(db, stop).await.confirmed_count, CAPACITY, "{name}");
        assert!(promoted > 0, "{name}: confirmed cancellations promoted someone");

        // Every promotion has exactly one promotion message (per channel: email here),
        // and nobody else has one.
        let promotions = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("promotion"))
            .all(db)
            .await
            .expect("notifications");
        let promoted_regs: HashSet<_> = promotions.iter().filter_map(|n| n.registration_id).collect();
        assert_eq!(promotions.len(), promoted, "{name}: one message per promotion");
        assert_eq!(promoted_regs.len(), promoted, "{name}: no registration promoted twice");
        for id in &promoted_regs {
            // Promoted, then possibly cancelled by its owner a moment later: never back in line.
            let r = all.iter().find(|r| r.id == *id).expect("promoted registration");
            assert_ne!(r.status, registration::Status::Waitlisted, "{name}");
        }
        // The line kept its order: of the first 80, everyone promoted stood
        // ahead of everyone still waiting (positions at registration, when the
        // first 80 lined up); newcomers lined up behind all of them.
        let firsts: HashSet<_> = first.iter().map(|o| o.registration.id.0).collect();
        let first_waiting: Vec<_> = waiting.iter().filter(|r| firsts.contains(&r.id)).collect();
        if let Some(first_still_waiting) = first_waiting.iter().map(|r| position_at_registration[&r.id]).min() {
            let last_promoted =
                promoted_regs.iter().filter(|id| firsts.contains(id)).map(|id| position_at_registration[id]).max();
            assert!(
                last_promoted < Some(first_still_waiting),
                "{name}: promoted up to {last_promoted:?}, waiting from {first_still_waiting}"
            );
            assert!(promoted_regs.iter().all(|id| firsts.contains(id)), "{name}: no newcomer passed an earlier one");
            let behind = waiting.iter().filter(|r| !firsts.contains(&r.id)).filter_map(|r| r.waitlist_position).min();
            let ahead = first_waiting.iter().filter_map(|r| r.waitlist_position).max();
            assert!(behind.is_none() || ahead < behind, "{name}: newcomers wait behind the first 80");
        }
        // Positions are live ranks: 1, 2, … as many as are waiting.
        let mut waiting_positions: Vec<_> = waiting.iter().filter_map(|r| r.waitlist_position).collect();
        waiting_positions.sort_unstable();
        let ranks: Vec<i32> = (1..=i32::try_from(waiting.len()).unwrap_or(i32::MAX)).collect();
        assert_eq!(waiting_positions, ranks, "{name}: positions are the live ranks");
    }
}

#[tokio::test]
async fn a_double_submit_is_one_registration() {
    for t in TestDb::each("a_double_submit_is_one_registration").await {
        let db = &t.db;
        let name = t.backend_name();
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        let outcomes = register_all(db, scope, (0..20).map(|_| person(stop, 7)).collect()).await;
        let ids: HashSet<_> = outcomes.iter().map(|o| o.registration.id).collect();
        assert_eq!(ids.len(), 1, "{name}: one registration");
        assert_eq!(outcomes.iter().filter(|o| !o.already_registered).count(), 1, "{name}");
        let id = *ids.iter().next().expect("id");
        assert_eq!(planned(db, id.0).await.len(), 1, "{name}: one confirmation");
        let seats = session_seat::Entity::find().count(db).await.expect("count");
        assert_eq!(seats, 0);
    }
}
