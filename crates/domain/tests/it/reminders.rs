//! Reminders in the outbox: planned with the registration, moved by a
//! reschedule or a policy change without ever sending an offset twice, and
//! withdrawn with consent. Broadcasts and tenant templates ride the same outbox.

use chrono::Duration;
use escale_domain::entities::{notification, registration};
use escale_domain::ids::{NotificationId, StopId};
use escale_domain::manage::{self, TimeInput};
use escale_domain::messaging::organizer::{self, Broadcast, PolicyTarget};
use escale_domain::messaging::outbox::{self, OutgoingMessage, SendDecision, SendOptions, Status};
use escale_domain::messaging::reminders::{self, MINUTES_PER_DAY, Offset, Policy};
use escale_domain::messaging::templates::{Channel, TemplateKey, TemplateOverride};
use escale_domain::registration::participants::{self, ConsentKind};
use escale_domain::registration::{Consents, RegisterInput, register};
use escale_domain::tenancy::TenantScope;
use escale_domain::values::Locale;
use escale_domain::{DatabaseConnection, DomainError};
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use crate::support::*;

struct Setup {
    scope: TenantScope,
    stop: StopId,
    registration: escale_domain::registration::Registration,
}

async fn registered(db: &DatabaseConnection) -> Setup {
    let (scope, agenda) = demo(db).await;
    let stop = open_stop(&agenda).stop.id;
    let input = RegisterInput {
        phone: Some("0612345678".into()),
        consents: Consents { sms_reminders: true, email_reminders: true, ..Consents::default() },
        ..person(stop, 1)
    };
    let out = register(db, scope, &input, now()).await.expect("registers");
    assert_eq!(out.registration.status, registration::Status::Confirmed);
    Setup { scope, stop, registration: out.registration }
}

async fn reminder_rows(db: &DatabaseConnection, registration: uuid::Uuid) -> Vec<notification::Model> {
    let mut rows: Vec<_> = all_notifications_of(db, registration)
        .await
        .into_iter()
        .filter(|n| n.template_key == TemplateKey::Reminder)
        .collect();
    rows.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    rows
}

fn key(registration: uuid::Uuid, minutes: i32, channel: Channel) -> String {
    reminders::idempotency_key(registration, minutes, channel)
}

fn row<'a>(rows: &'a [notification::Model], key: &str) -> &'a notification::Model {
    rows.iter().find(|r| r.idempotency_key == key).unwrap_or_else(|| panic!("no reminder {key}"))
}

#[tokio::test]
async fn a_reschedule_moves_pending_reminders_and_never_resends_one() {
    for t in TestDb::each("a_reschedule_moves_pending_reminders_and_never_resends_one").await {
        let db = &t.db;
        let s = registered(db).await;
        let stop = reload_stop(db, s.stop).await;
        let zone = stop.time_zone.tz();
        let reg = s.registration.id.0;
        let rows = reminder_rows(db, reg).await;
        // Every reminder of the default policy whose instant is still ahead.
        let expected: Vec<_> = reminders::instants(&Policy::default(), stop.starts_at, zone, now(), now())
            .into_iter()
            .filter(|i| i.at.is_ok())
            .collect();
        assert!(!expected.is_empty(), "{}: the demo stop is far enough ahead", t.backend_name());
        assert_eq!(rows.len(), expected.len(), "{}", t.backend_name());
        let day_email = row(&rows, &key(reg, MINUTES_PER_DAY, Channel::Email));
        assert_eq!(day_email.scheduled_at, reminders::nominal(stop.starts_at, zone, MINUTES_PER_DAY));
        assert_eq!(day_email.status, Status::Pending);

        // The one-day email went out already (as if the stop had been nearer).
        let mut sent = day_email.clone().into_active_model();
        sent.status = Set(Status::Sent);
        sent.update(db).await.expect("mark sent");

        let owner = owner_actor(db, s.scope).await;
        let moved = stop.starts_at + Duration::days(7);
        let moved_end = stop.ends_at + Duration::days(7);
        for _ in 0..2 {
            // Twice: a re-plan run again changes nothing.
            manage::reschedule_stop(
                db,
                &owner,
                stop.id,
                manage::Reschedule {
                    starts_at: TimeInput::Instant(moved),
                    ends_at: TimeInput::Instant(moved_end),
                    time_zone: None,
                    notify: escale_domain::messaging::notices::Notify::Participants,
                },
                now(),
            )
            .await
            .expect("reschedule");
        }
        let after = reminder_rows(db, reg).await;
        assert_eq!(after.len(), rows.len(), "{}: one row per reminder, never a second", t.backend_name());
        let day_email = row(&after, &key(reg, MINUTES_PER_DAY, Channel::Email));
        assert_eq!(
            (day_email.status, day_email.scheduled_at),
            (Status::Sent, rows_sched(&rows, &day_email.idempotency_key))
        );
        let day_sms = row(&after, &key(reg, MINUTES_PER_DAY, Channel::Sms));
        assert_eq!(day_sms.status, Status::Pending);
        assert_eq!(day_sms.scheduled_at, reminders::nominal(moved, zone, MINUTES_PER_DAY));
        let week = row(&after, &key(reg, 7 * MINUTES_PER_DAY, Channel::Email));
        assert_eq!(
            (week.status, week.scheduled_at),
            (Status::Pending, reminders::nominal(moved, zone, 7 * MINUTES_PER_DAY))
        );
    }
}

fn rows_sched(rows: &[notification::Model], key: &str) -> chrono::DateTime<chrono::Utc> {
    row(rows, key).scheduled_at
}

#[tokio::test]
async fn a_policy_change_replans_and_consent_withdrawal_holds() {
    for t in TestDb::each("a_policy_change_replans_and_consent_withdrawal_holds").await {
        let db = &t.db;
        let s = registered(db).await;
        let reg = s.registration.id.0;
        let owner = owner_actor(db, s.scope).await;
        let stop = reload_stop(db, s.stop).await;

        let only_three_days = Policy {
            offsets: vec![Offset::stop(3 * MINUTES_PER_DAY, vec![Channel::Email, Channel::Sms])],
            quiet_hours: None,
        };
        organizer::set_reminder_policy(
            db,
            &owner,
            PolicyTarget::Edition(stop.edition_id),
            Some(only_three_days),
            now(),
        )
        .await
        .expect("set policy");
        let rows = reminder_rows(db, reg).await;
        let pending: Vec<_> =
            rows.iter().filter(|r| r.status == Status::Pending).map(|r| r.idempotency_key.clone()).collect();
        let mut expected =
            vec![key(reg, 3 * MINUTES_PER_DAY, Channel::Email), key(reg, 3 * MINUTES_PER_DAY, Channel::Sms)];
        expected.sort();
        assert_eq!(pending, expected, "{}", t.backend_name());
        assert!(rows.iter().filter(|r| !expected.contains(&r.idempotency_key)).all(|r| r.status == Status::Cancelled));

        // A policy that breaks the rules is refused with the field named.
        let bad = Policy { offsets: vec![Offset::stop(0, vec![Channel::Sms])], quiet_hours: None };
        let err = organizer::set_reminder_policy(db, &owner, PolicyTarget::Stop(stop.id), Some(bad), now())
            .await
            .expect_err("refused");
        assert!(matches!(err, DomainError::Validation { .. }), "{err:?}");

        // SMS consent withdrawn: its reminders go, and the next re-plan does not bring them back.
        participants::withdraw_consent(db, &s.registration.ticket_code, ConsentKind::SmsReminders, now())
            .await
            .expect("withdraw");
        organizer::set_reminder_policy(db, &owner, PolicyTarget::Edition(stop.edition_id), None, now())
            .await
            .expect("back to default");
        let rows = reminder_rows(db, reg).await;
        let live: Vec<_> = rows.iter().filter(|r| r.status == Status::Pending).collect();
        assert!(!live.is_empty(), "{}: the default's email reminders are back", t.backend_name());
        assert!(
            live.iter().all(|r| r.channel.as_str() == "email"),
            "{}: no SMS reminder without consent",
            t.backend_name()
        );
    }
}

#[tokio::test]
async fn reminder_emails_carry_the_calendar_and_a_working_unsubscribe_link() {
    for t in TestDb::each("reminder_emails_carry_the_calendar_and_a_working_unsubscribe_link").await {
        let db = &t.db;
        let s = registered(db).await;
        let rows = reminder_rows(db, s.registration.id.0).await;
        let email = rows.iter().find(|r| r.channel.as_str() == "email").expect("an email reminder");
        let when = email.scheduled_at + Duration::seconds(1);
        outbox::claim_due(db, when, 1000).await.expect("claim");
        let options = SendOptions { public_url: Some(url::Url::parse("https://escale.example/").expect("url")) };
        let decision =
            outbox::start_sending(db, s.scope, NotificationId(email.id), &options, when).await.expect("decide");
        let SendDecision::Send(out) = decision else { panic!("{}: send, got {decision:?}", t.backend_name()) };
        let OutgoingMessage::Email(mail) = &out.message else { panic!("an email") };
        assert!(mail.content.subject.starts_with("Rappel"), "{}", mail.content.subject);
        let ics = mail.ics.as_deref().expect("the stop's calendar entry");
        let stop = reload_stop(db, s.stop).await;
        assert!(ics.contains("BEGIN:VEVENT") && ics.contains(&format!("UID:stop-{}@escale", stop.id)), "{ics}");
        assert!(ics.contains(&format!("DTSTART:{}", stop.starts_at.format("%Y%m%dT%H%M%SZ"))), "{ics}");
        assert!(ics.contains("X-WR-TIMEZONE:Africa/Casablanca") && ics.contains("\r\n"), "{ics}");
        let link = mail.unsubscribe_url.as_deref().expect("unsubscribe link");
        assert!(link.starts_with("https://escale.example/unsubscribe?"), "{link}");
        let url = url::Url::parse(link).expect("link is a URL");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert!(mail.content.html.contains(&q["s"]), "the footer shows the link");

        // The link's signature withdraws the email consent; a forged one is NOT_FOUND.
        let participant: uuid::Uuid = q["p"].parse().expect("participant id");
        let forged = participants::withdraw_consent_by_link(
            db,
            s.scope,
            participant,
            "AAAAAAAAAAAAAAAAAAAAAA",
            ConsentKind::EmailReminders,
            now(),
        )
        .await;
        assert!(matches!(forged, Err(DomainError::NotFound { .. })), "{forged:?}");
        participants::withdraw_consent_by_link(db, s.scope, participant, &q["s"], ConsentKind::EmailReminders, now())
            .await
            .expect("withdrawn by link");
        let rows = reminder_rows(db, s.registration.id.0).await;
        assert!(
            rows.iter().filter(|r| r.channel.as_str() == "email").all(|r| r.status != Status::Pending),
            "{}",
            t.backend_name()
        );
    }
}

#[tokio::test]
async fn broadcasts_reach_consenting_people_and_templates_are_checked_when_saved() {
    for t in TestDb::each("broadcasts_reach_consenting_people_and_templates_are_checked_when_saved").await {
        let db = &t.db;
        let s = registered(db).await;
        // A second person without any consent: nobody to reach by broadcast.
        register(db, s.scope, &RegisterInput { consents: Consents::default(), ..person(s.stop, 2) }, now())
            .await
            .expect("second");
        let owner = owner_actor(db, s.scope).await;

        let broken =
            TemplateOverride { subject: Some("{{ stop.nmae }}".into()), body_text: "x".into(), body_html: None };
        let err =
            organizer::save_template(db, &owner, TemplateKey::Broadcast, Channel::Email, Locale::Fr, broken, now())
                .await
                .expect_err("a misspelt variable is refused at save time");
        assert!(err.to_string().contains("nmae") || err.to_string().contains("undefined"), "{err}");
        let custom = TemplateOverride {
            subject: Some("[{{ stop.city }}] {{ broadcast.subject }}".into()),
            body_text: "{{ broadcast.body }}\n-- {{ tenant.name }}".into(),
            body_html: None,
        };
        organizer::save_template(db, &owner, TemplateKey::Broadcast, Channel::Email, Locale::Fr, custom, now())
            .await
            .expect("a good template is saved");

        let input = Broadcast {
            stop_id: s.stop.0,
            subject: "Changement de salle".into(),
            body: "La plénière a lieu en salle Atlas.".into(),
            locale: Locale::Fr,
            translations: Vec::new(),
            channels: vec![Channel::Email, Channel::Sms],
            urgent: true,
        };
        let outcome = organizer::broadcast(db, &owner, input.clone(), now()).await.expect("broadcast");
        assert_eq!((outcome.planned, outcome.unreachable), (2, 1), "{}", t.backend_name());
        let again = organizer::broadcast(db, &owner, input, now()).await.expect("a second broadcast");
        assert_ne!(again.id, outcome.id, "a new broadcast is a new message");

        let broadcast_email = notifications_of(db, s.registration.id.0)
            .await
            .into_iter()
            .find(|n| {
                n.template_key.as_str() == "broadcast"
                    && n.channel.as_str() == "email"
                    && n.idempotency_key.contains(&outcome.id.to_string())
            })
            .expect("broadcast email planned");
        outbox::claim_due(db, now() + Duration::seconds(1), 1000).await.expect("claim");
        let decision =
            outbox::start_sending(db, s.scope, NotificationId(broadcast_email.id), &SendOptions::default(), now())
                .await
                .expect("decide");
        let SendDecision::Send(out) = decision else { panic!("send: {decision:?}") };
        let OutgoingMessage::Email(mail) = &out.message else { panic!("email") };
        let stop = reload_stop(db, s.stop).await;
        assert_eq!(
            mail.content.subject,
            format!("[{}] Changement de salle", stop.city),
            "the tenant's template is used"
        );
        assert!(mail.content.text.starts_with("La plénière a lieu en salle Atlas."), "{}", mail.content.text);

        let counts = organizer::stop_message_counts(db, s.scope, s.stop.0).await.expect("counts");
        let broadcast_rows = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("broadcast"))
            .all(db)
            .await
            .expect("rows");
        assert_eq!(broadcast_rows.len(), 4);
        assert!(counts.iter().map(|c| c.count).sum::<i64>() >= 4, "{counts:?}");
    }
}

fn session_key(registration: uuid::Uuid, session: uuid::Uuid, minutes: i32, channel: Channel) -> String {
    reminders::session_idempotency_key(registration, session, minutes, channel)
}

async fn session_reminder_rows(db: &DatabaseConnection, registration: uuid::Uuid) -> Vec<notification::Model> {
    all_notifications_of(db, registration)
        .await
        .into_iter()
        .filter(|n| n.template_key == TemplateKey::SessionReminder)
        .collect()
}

#[tokio::test]
async fn workshop_reminders_follow_the_seat_and_the_session() {
    use escale_domain::manage::SessionPatch;
    for t in TestDb::each("workshop_reminders_follow_the_seat_and_the_session").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let open = open_stop(&agenda);
        let stop_id = open.stop.id;
        let workshop = open.sessions.first().expect("the demo stop has sessions").session.clone();
        set_session_capacity(db, workshop.id.0, Some(1)).await;
        let owner = owner_actor(db, scope).await;
        let policy = Policy {
            offsets: vec![Offset::stop(MINUTES_PER_DAY, vec![Channel::Email]), Offset::session(30, vec![Channel::Sms])],
            quiet_hours: None,
        };
        organizer::set_reminder_policy(db, &owner, PolicyTarget::Stop(stop_id.0), Some(policy), now())
            .await
            .expect("policy");
        let with_workshop = |n| RegisterInput {
            phone: Some(format!("06123456{n:02}")),
            consents: Consents { sms_reminders: true, email_reminders: true, ..Consents::default() },
            session_ids: vec![workshop.id],
            ..person(stop_id, n)
        };
        let first = register(db, scope, &with_workshop(1), now()).await.expect("first").registration;
        let second = register(db, scope, &with_workshop(2), now()).await.expect("second").registration;

        // The seat holder is reminded 30 minutes before the workshop; the one
        // waiting for a seat is not.
        let rows = session_reminder_rows(db, first.id.0).await;
        let expected_key = session_key(first.id.0, workshop.id.0, 30, Channel::Sms);
        assert_eq!(rows.len(), 1, "{}: {rows:?}", t.backend_name());
        assert_eq!(rows[0].idempotency_key, expected_key);
        assert_eq!(rows[0].scheduled_at, workshop.starts_at - Duration::minutes(30));
        assert!(session_reminder_rows(db, second.id.0).await.is_empty(), "{}", t.backend_name());

        // The workshop moves an hour later, twice over: its reminder moves with
        // it and stays one row.
        let later = workshop.starts_at + Duration::hours(1);
        for _ in 0..2 {
            let patch = SessionPatch {
                starts_at: Some(TimeInput::Instant(later)),
                ends_at: Some(TimeInput::Instant(workshop.ends_at + Duration::hours(1))),
                ..SessionPatch::default()
            };
            manage::update_session(db, &owner, workshop.id.0, patch, now()).await.expect("reschedule the session");
        }
        let rows = session_reminder_rows(db, first.id.0).await;
        assert_eq!(rows.len(), 1, "{}", t.backend_name());
        assert_eq!((rows[0].status, rows[0].scheduled_at), (Status::Pending, later - Duration::minutes(30)));

        // The holder cancels: the seat passes to the second person, whose
        // reminder is planned in that same transaction; the holder's is cancelled.
        escale_domain::registration::tickets::cancel_by_ticket(db, &first.ticket_code, now()).await.expect("cancel");
        let rows = session_reminder_rows(db, first.id.0).await;
        assert_eq!(rows[0].status, Status::Cancelled, "{}", t.backend_name());
        let rows = session_reminder_rows(db, second.id.0).await;
        assert_eq!(rows.len(), 1, "{}: promoted into the workshop", t.backend_name());
        assert_eq!(rows[0].idempotency_key, session_key(second.id.0, workshop.id.0, 30, Channel::Sms));
        assert_eq!(rows[0].scheduled_at, later - Duration::minutes(30));

        // At send time it names the workshop and its (new) local time.
        let when = rows[0].scheduled_at + Duration::seconds(1);
        outbox::claim_due(db, when, 1000).await.expect("claim");
        let decision = outbox::start_sending(db, scope, NotificationId(rows[0].id), &SendOptions::default(), when)
            .await
            .expect("decide");
        let SendDecision::Send(out) = decision else { panic!("{}: send, got {decision:?}", t.backend_name()) };
        let OutgoingMessage::Sms(sms) = &out.message else { panic!("an SMS") };
        let zone = open.stop.time_zone.tz();
        let local = later.with_timezone(&zone).format("%H:%M").to_string();
        assert!(sms.content.text.contains(&workshop.title), "{}", sms.content.text);
        assert!(sms.content.text.contains(&local), "{}: {local} in {}", t.backend_name(), sms.content.text);

        // More seats: the third person, waiting, is seated and planned.
        let third = register(db, scope, &with_workshop(3), now()).await.expect("third").registration;
        assert!(session_reminder_rows(db, third.id.0).await.is_empty(), "waiting for a seat");
        let unlimited = SessionPatch { capacity: Some(None), ..SessionPatch::default() };
        manage::update_session(db, &owner, workshop.id.0, unlimited, now()).await.expect("more seats");
        let rows = session_reminder_rows(db, third.id.0).await;
        assert_eq!(rows.iter().map(|r| r.status).collect::<Vec<_>>(), [Status::Pending], "{}", t.backend_name());

        // A policy without workshop reminders withdraws those still to send.
        organizer::set_reminder_policy(db, &owner, PolicyTarget::Stop(stop_id.0), None, now())
            .await
            .expect("back to the default policy");
        assert_eq!(session_reminder_rows(db, third.id.0).await[0].status, Status::Cancelled, "{}", t.backend_name());
        let rows = session_reminder_rows(db, second.id.0).await;
        assert_eq!(rows[0].status, Status::Sending, "{}: being sent is past recall", t.backend_name());
        let plain = reminder_rows(db, third.id.0).await;
        assert!(plain.iter().any(|r| r.status == Status::Pending), "{}: the stop's reminders stay", t.backend_name());
    }
}
