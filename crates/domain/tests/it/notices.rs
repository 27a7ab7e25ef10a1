//! Change notices: moving or cancelling a stop tells everyone registered,
//! once per change, in the change's transaction, with the stop's `.ics` whose
//! SEQUENCE counts changes (not registrations); the organizer may say no.

use chrono::Duration;
use escale_domain::entities::notification;
use escale_domain::manage::{self, StopPatch, TimeInput};
use escale_domain::messaging::notices::{self, Notify};
use escale_domain::messaging::outbox::{self, OutgoingMessage, SendDecision, SendOptions, Status};
use escale_domain::messaging::templates::{Channel, TemplateKey};
use escale_domain::registration::{Consents, RegisterInput, register};
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::support::*;

async fn rows_of(db: &escale_domain::DatabaseConnection, key: TemplateKey) -> Vec<notification::Model> {
    let mut rows = notification::Entity::find()
        .filter(notification::Column::TemplateKey.eq(key))
        .all(db)
        .await
        .expect("notifications");
    rows.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    rows
}

#[tokio::test]
async fn moving_a_stop_tells_everyone_registered_once_per_change() {
    for t in TestDb::each("moving_a_stop_tells_everyone_registered_once_per_change").await {
        let (db, name) = (&t.db, t.backend_name());
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.clone();
        set_capacity(db, stop.id, 1).await;
        let with_sms = RegisterInput {
            phone: Some("0612345678".into()),
            consents: Consents { sms_reminders: true, ..Consents::default() },
            ..person(stop.id, 1)
        };
        let first = register(db, scope, &with_sms, now()).await.expect("first");
        let second = register(db, scope, &RegisterInput { locale: Some("ar".into()), ..person(stop.id, 2) }, now())
            .await
            .expect("second, waiting");
        assert_eq!(reload_stop(db, stop.id).await.sequence, 0, "{name}: registrations are not changes");
        let owner = owner_actor(db, scope).await;
        let reach = notices::reach(db, scope, stop.id.0).await.expect("reach");
        assert_eq!((reach.people, reach.emails, reach.sms), (2, 2, 1), "{name}: the preview");

        let (start, end) = (stop.starts_at + Duration::days(1), stop.ends_at + Duration::days(1));
        let moved = |notify| {
            manage::reschedule_stop(
                db,
                &owner,
                stop.id.0,
                manage::Reschedule {
                    starts_at: TimeInput::Instant(start),
                    ends_at: TimeInput::Instant(end),
                    time_zone: None,
                    notify,
                },
                now(),
            )
        };
        moved(Notify::Participants).await.expect("reschedule");
        let rows = rows_of(db, TemplateKey::StopChanged).await;
        assert_eq!(rows.len(), 3, "{name}: email to both, SMS to the one who agreed");
        assert!(rows.iter().all(|r| r.idempotency_key.contains(":1:")), "{name}: named by change 1");
        assert!(rows.iter().any(|r| r.registration_id == Some(second.registration.id.0)), "{name}: waiting too");
        assert_eq!(reload_stop(db, stop.id).await.sequence, 1);
        // The same times again: nothing changed, nobody is told again.
        moved(Notify::Participants).await.expect("same times");
        assert_eq!(rows_of(db, TemplateKey::StopChanged).await.len(), 3, "{name}");
        assert_eq!(reload_stop(db, stop.id).await.sequence, 1);

        // A new venue is a change; the organizer may keep it quiet.
        let patch =
            StopPatch { venue: Some("Palais des congrès".into()), notify: Notify::Nobody, ..StopPatch::default() };
        manage::update_stop(db, &owner, stop.id.0, patch, now()).await.expect("quiet move");
        assert_eq!(reload_stop(db, stop.id).await.sequence, 2, "{name}: still a change for calendars");
        assert_eq!(rows_of(db, TemplateKey::StopChanged).await.len(), 3, "{name}: but nobody told");

        // What the participant reads: the new date, the one before, the .ics.
        let email = rows_of(db, TemplateKey::StopChanged)
            .await
            .into_iter()
            .find(|r| r.channel == Channel::Email && r.registration_id == Some(first.registration.id.0))
            .expect("her email");
        let options = SendOptions { public_url: Some(url::Url::parse("https://escale.example/").expect("url")) };
        let decision = outbox::start_sending(db, scope, escale_domain::ids::NotificationId(email.id), &options, now())
            .await
            .expect("decide");
        let SendDecision::Send(out) = decision else { panic!("{name}: {decision:?}") };
        let OutgoingMessage::Email(mail) = &out.message else { panic!("an email") };
        assert!(
            mail.content.text.contains("Nouvelle date") && mail.content.text.contains("Avant :"),
            "{}",
            mail.content.text
        );
        assert!(mail.content.html.contains("Gérer mon inscription"), "{name}: the manage link: {}", mail.content.html);
        assert!(mail.content.text.contains("https://escale.example/m/"), "{name}: {}", mail.content.text);
        let ics = mail.ics.as_deref().expect("the stop's .ics");
        assert!(ics.contains("SEQUENCE:2"), "{name}: {ics}");

        // Cancelled: told, and reminded of nothing any more.
        manage::set_stop_status(
            db,
            &owner,
            stop.id.0,
            escale_domain::catalog::StopStatus::Cancelled,
            Notify::Participants,
            now(),
        )
        .await
        .expect("cancel");
        assert_eq!(rows_of(db, TemplateKey::StopCancelled).await.len(), 3, "{name}");
        let reminders = rows_of(db, TemplateKey::Reminder).await;
        assert!(!reminders.is_empty(), "{name}: the demo policy planned reminders");
        assert!(reminders.iter().all(|r| r.status == Status::Cancelled), "{name}: no reminder of a cancelled stop");
        assert_eq!(reload_stop(db, stop.id).await.sequence, 3);
    }
}

/// A broadcast carries a body per language: each person reads theirs, and
/// whoever has none reads the organizer's main language.
#[tokio::test]
async fn a_broadcast_speaks_each_recipients_language() {
    for t in TestDb::each("a_broadcast_speaks_each_recipients_language").await {
        let (db, name) = (&t.db, t.backend_name());
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.clone();
        let with = |n, locale: &str| RegisterInput {
            locale: Some(locale.into()),
            consents: Consents { email_reminders: true, ..Consents::default() },
            ..person(stop.id, n)
        };
        for (n, locale) in [(1, "ar"), (2, "en"), (3, "fr")] {
            register(db, scope, &with(n, locale), now()).await.expect("registers");
        }
        let owner = owner_actor(db, scope).await;
        let input = escale_domain::messaging::organizer::Broadcast {
            stop_id: stop.id.0,
            subject: "Salle changée".into(),
            body: "La plénière a lieu en salle Atlas.".into(),
            locale: escale_domain::values::Locale::Fr,
            translations: vec![(
                escale_domain::values::Locale::Ar,
                "تغيير القاعة".into(),
                "تُعقد الجلسة العامة في قاعة الأطلس.".into(),
            )],
            channels: vec![Channel::Email],
            urgent: false,
        };
        escale_domain::messaging::organizer::broadcast(db, &owner, input, now()).await.expect("broadcast");
        let options = SendOptions::default();
        let mut read = Vec::new();
        for row in rows_of(db, TemplateKey::Broadcast).await {
            let id = escale_domain::ids::NotificationId(row.id);
            let SendDecision::Send(out) = outbox::start_sending(db, scope, id, &options, now()).await.expect("decide")
            else {
                panic!("{name}: a broadcast to send");
            };
            let OutgoingMessage::Email(mail) = &out.message else { panic!("an email") };
            read.push((row.locale, mail.content.subject.clone(), mail.content.text.clone()));
        }
        read.sort_by_key(|r| r.0);
        assert_eq!(read.len(), 3, "{name}");
        for (locale, subject, text) in &read {
            match locale {
                escale_domain::values::Locale::Ar => {
                    assert!(subject.starts_with("تغيير القاعة"), "{name}: {subject}");
                    assert!(text.contains("قاعة الأطلس"), "{name}: {text}");
                }
                _ => assert!(text.contains("salle Atlas"), "{name}: {locale} reads the main language: {text}"),
            }
        }
    }
}
