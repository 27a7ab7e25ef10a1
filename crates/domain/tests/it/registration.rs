use std::collections::HashSet;

use escale_domain::entities::{participant, registration, stop};
use escale_domain::ids::StopId;
use escale_domain::registration::{Consents, RegisterInput, register};
use escale_domain::tenancy::TenantScope;
use escale_domain::{ConflictCode, DomainError};
use escale_testkit::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::support::*;

#[tokio::test]
async fn registering_confirms_and_writes_the_confirmations_to_the_outbox() {
    for t in TestDb::each("registering_confirms_and_writes_the_confirmations_to_the_outbox").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda);
        let workshop = stop.sessions[0].session.id;
        let input = RegisterInput {
            stop_id: stop.stop.id,
            full_name: "  Amina   Benali ".into(),
            email: Some("Amina.Benali@Example.MA".into()),
            phone: Some("06 12 34 56 78".into()),
            locale: Some("ar".into()),
            session_ids: vec![workshop],
            consents: Consents { email_reminders: true, sms_reminders: true, share_with_partners: false },
            ..RegisterInput::default()
        };
        let out = register(db, scope, &input, now()).await.expect("registers");
        assert_eq!(out.registration.status, registration::Status::Confirmed, "{}", t.backend_name());
        assert_eq!(out.registration.ticket_code.len(), 10);
        assert!(!out.already_registered);
        assert_eq!(out.seats.len(), 1);
        assert_eq!(out.seats[0].status, registration::Status::Confirmed);

        let person = participant::Entity::find().one(db).await.expect("query").expect("participant");
        assert_eq!(person.email.as_deref(), Some("amina.benali@example.ma"));
        assert_eq!(person.phone.as_deref(), Some("+212612345678"));
        assert_eq!(person.full_name, "Amina Benali");
        assert_eq!(person.locale, escale_domain::values::Locale::Ar);
        assert!(person.consent_sms_at.is_some() && person.consent_partners_at.is_none());

        let mut planned: Vec<(String, String, String)> = notifications_of(db, out.registration.id.0)
            .await
            .into_iter()
            .map(|n| (n.channel.to_string(), n.template_key.to_string(), n.idempotency_key))
            .collect();
        planned.sort();
        let id = out.registration.id;
        assert_eq!(
            planned,
            vec![
                ("email".into(), "confirmation".into(), format!("confirmation:{id}:email")),
                ("sms".into(), "confirmation".into(), format!("confirmation:{id}:sms")),
            ],
            "{}",
            t.backend_name()
        );
    }
}

#[tokio::test]
async fn the_same_person_typed_differently_is_one_participant_with_one_registration() {
    for t in TestDb::each("the_same_person_typed_differently_is_one_participant_with_one_registration").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        let first = RegisterInput {
            stop_id: stop,
            full_name: "Omar Alaoui".into(),
            phone: Some("0612345678".into()),
            consents: Consents { sms_reminders: true, ..Consents::default() },
            ..RegisterInput::default()
        };
        let a = register(db, scope, &first, now()).await.expect("first");
        let again = RegisterInput {
            phone: Some("+212 6 12 34 56 78".into()),
            email: Some("omar@example.ma".into()),
            ..first.clone()
        };
        let b = register(db, scope, &again, now()).await.expect("second");
        assert!(b.already_registered);
        assert_eq!(a.registration.id, b.registration.id);
        assert_eq!(participant::Entity::find().count(db).await.expect("count"), 1);
        assert_eq!(registration::Entity::find().count(db).await.expect("count"), 1);
        // The email given the second time was added to the same person.
        let person = participant::Entity::find().one(db).await.expect("query").expect("participant");
        assert_eq!(person.email.as_deref(), Some("omar@example.ma"));
        // Nothing new was planned by the repeat.
        assert_eq!(notifications_of(db, a.registration.id.0).await.len(), 1, "one SMS confirmation only");

        // "00212…" at another stop of the same tenant is still the same person.
        let other_stop = agenda.iter().filter(|s| s.window(now()).is_open()).nth(1).expect("second open stop");
        let elsewhere = RegisterInput { stop_id: other_stop.stop.id, phone: Some("00212612345678".into()), ..first };
        let c = register(db, scope, &elsewhere, now()).await.expect("other stop");
        assert!(!c.already_registered);
        assert_eq!(c.registration.participant_id, a.registration.participant_id);
    }
}

#[tokio::test]
async fn a_full_stop_waitlists_with_stable_positions_and_offers_other_cities() {
    for t in TestDb::each("a_full_stop_waitlists_with_stable_positions_and_offers_other_cities").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        set_capacity(db, stop, 2).await;
        let mut outcomes = Vec::new();
        for n in 0..5 {
            outcomes.push(register(db, scope, &person(stop, n), now()).await.expect("registers"));
        }
        let statuses: Vec<_> =
            outcomes.iter().map(|o| (o.registration.status, o.registration.waitlist_position)).collect();
        use registration::Status::*;
        assert_eq!(
            statuses,
            vec![
                (Confirmed, None),
                (Confirmed, None),
                (Waitlisted, Some(1)),
                (Waitlisted, Some(2)),
                (Waitlisted, Some(3))
            ]
        );
        let waitlisted = &outcomes[2];
        assert!(!waitlisted.alternatives.is_empty(), "other cities with seats are offered");
        assert!(waitlisted.alternatives.iter().all(|s| s.id != stop));
        let keys: Vec<String> = notifications_of(db, waitlisted.registration.id.0)
            .await
            .into_iter()
            .map(|n| n.template_key.to_string())
            .collect();
        assert_eq!(keys, vec!["waitlisted".to_owned()]);
    }
}

#[tokio::test]
async fn concurrent_registrations_never_overbook() {
    for t in TestDb::each("concurrent_registrations_never_overbook").await {
        let db = t.db.clone();
        let (scope, agenda) = demo(&db).await;
        let stop = open_stop(&agenda).stop.id;
        set_capacity(&db, stop, 7).await;
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { register(&db, scope, &person(stop, n), now()).await })
            })
            .collect();
        let mut confirmed = 0;
        let mut positions = HashSet::new();
        for task in tasks {
            let out = task.await.expect("task").unwrap_or_else(|e| panic!("{}: {e}", t.backend_name()));
            match out.registration.status {
                registration::Status::Confirmed => confirmed += 1,
                registration::Status::Waitlisted => {
                    assert!(positions.insert(out.registration.waitlist_position.expect("position")));
                }
                registration::Status::Cancelled => panic!("cancelled?"),
            }
        }
        assert_eq!(confirmed, 7, "{}", t.backend_name());
        assert_eq!(positions, (1..=33).collect::<HashSet<i32>>(), "{}", t.backend_name());
    }
}

#[tokio::test]
async fn the_2019_casablanca_stop_is_closed() {
    for t in TestDb::each("the_2019_casablanca_stop_is_closed").await {
        let (scope, agenda) = demo(&t.db).await;
        let casa = agenda
            .iter()
            .find(|s| s.stop.city == "Casablanca" && s.edition.year == 2019)
            .expect("2019 Casablanca stop");
        assert_eq!(casa.stop.starts_at.to_rfc3339(), "2019-11-23T08:00:00+00:00");
        let err = register(&t.db, scope, &person(casa.stop.id, 1), now()).await.expect_err("closed");
        assert!(matches!(err, DomainError::Conflict { code: ConflictCode::RegistrationClosed, .. }), "{err:?}");
    }
}

/// A stop in draft (or in a draft edition) was never shown to anyone: to a
/// registering stranger it does not exist, rather than being "closed" (which
/// would tell them it is there). Published again, it takes registrations.
#[tokio::test]
async fn a_draft_stop_is_not_found_not_closed() {
    for t in TestDb::each("a_draft_stop_is_not_found_not_closed").await {
        let (scope, agenda) = demo(&t.db).await;
        let open = reload_stop(&t.db, open_stop(&agenda).stop.id).await;
        let mut draft: stop::ActiveModel = open.clone().into();
        draft.status = sea_orm::ActiveValue::Set(stop::Status::Draft);
        sea_orm::ActiveModelTrait::update(draft, &t.db).await.expect("back to draft");
        let err = register(&t.db, scope, &person(StopId(open.id), 1), now()).await.expect_err("a draft");
        assert!(matches!(err, DomainError::NotFound { entity: "stop" }), "{}: {err:?}", t.backend_name());
        let mut published: stop::ActiveModel = open.clone().into();
        published.status = sea_orm::ActiveValue::Set(stop::Status::Published);
        sea_orm::ActiveModelTrait::update(published, &t.db).await.expect("published again");
        register(&t.db, scope, &person(StopId(open.id), 1), now()).await.expect("open again");
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    for t in TestDb::each("bad_input_names_the_field_and_writes_nothing").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop = open.stop.id;
        let other_stop_session = agenda
            .iter()
            .find(|s| s.stop.id != open.stop.id)
            .and_then(|s| s.sessions.first())
            .map(|s| s.session.id)
            .expect("a session elsewhere");
        let cases: Vec<(RegisterInput, &str)> = vec![
            (RegisterInput { email: Some("not-an-email".into()), ..person(stop, 1) }, "email"),
            (RegisterInput { phone: Some("12345".into()), ..person(stop, 1) }, "phone"),
            (RegisterInput { full_name: "   ".into(), ..person(stop, 1) }, "fullName"),
            (RegisterInput { locale: Some("es".into()), ..person(stop, 1) }, "locale"),
            (RegisterInput { email: None, phone: None, ..person(stop, 1) }, "email"),
            (RegisterInput { session_ids: vec![other_stop_session], ..person(stop, 1) }, "sessionIds"),
            (
                RegisterInput {
                    phone: Some("0522123456".into()),
                    consents: Consents { sms_reminders: true, ..Consents::default() },
                    ..person(stop, 1)
                },
                "phone",
            ),
        ];
        for (input, field) in cases {
            match register(db, scope, &input, now()).await {
                Err(DomainError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: expected a validation error, got {other:?}"),
            }
        }
        assert_eq!(registration::Entity::find().count(db).await.expect("count"), 0);
        assert_eq!(participant::Entity::find().count(db).await.expect("count"), 0);

        let unknown = register(db, scope, &person(StopId::new(), 1), now()).await;
        assert!(matches!(unknown, Err(DomainError::NotFound { entity: "stop" })));
        // Another tenant's scope does not see this tenant's stop: NOT_FOUND, not FORBIDDEN.
        let stranger = TenantScope::new(escale_domain::ids::TenantId::new());
        let cross = register(db, stranger, &person(stop, 1), now()).await;
        assert!(matches!(cross, Err(DomainError::NotFound { entity: "stop" })));
    }
}
