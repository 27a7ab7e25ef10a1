use chrono::Duration;
use escale_domain::entities::{notification, participant};
use escale_domain::ids::{NotificationId, StopId};
use escale_domain::messaging::outbox::{self, Accepted, OutgoingMessage, SendDecision, SendOptions, Status};
use escale_domain::messaging::templates::Channel;
use escale_domain::registration::{Consents, RegisterInput, register};
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait as _, EntityTrait, IntoActiveModel, QueryFilter as _};

use crate::support::*;

async fn one_registration(db: &escale_domain::DatabaseConnection) -> (escale_domain::tenancy::TenantScope, uuid::Uuid) {
    let (scope, agenda) = demo(db).await;
    let input = RegisterInput {
        phone: Some("0612345678".into()),
        consents: Consents { sms_reminders: true, email_reminders: true, ..Consents::default() },
        ..person(open_stop(&agenda).stop.id, 1)
    };
    let out = register(db, scope, &input, now()).await.expect("registers");
    (scope, out.registration.id.0)
}

#[tokio::test]
async fn claiming_takes_due_rows_once() {
    for t in TestDb::each("claiming_takes_due_rows_once").await {
        let db = &t.db;
        one_registration(db).await;
        assert!(outbox::claim_due(db, now() - Duration::hours(1), 100).await.expect("claim").is_empty(), "not due yet");
        let claimed = outbox::claim_due(db, now(), 100).await.expect("claim");
        let mut channels: Vec<Channel> = claimed.iter().map(|c| c.channel).collect();
        channels.sort_by_key(|c| c.as_str());
        assert_eq!(channels, vec![Channel::Email, Channel::Sms], "{}", t.backend_name());
        assert!(
            outbox::claim_due(db, now(), 100).await.expect("claim").is_empty(),
            "claimed rows are not claimed again"
        );
        // Claimed is a lease: still pending, not claimable again until it runs
        // out or the row changes.
        let rows = notifications(db).await;
        assert!(rows.iter().all(|n| outbox::is_claimed(n, now(), outbox::CLAIM_LEASE)), "{}", t.backend_name());
        assert!(rows.iter().all(|n| n.status == Status::Pending));
        let counts = outbox::queued_by_channel(db, now(), outbox::CLAIM_LEASE).await.expect("queued");
        assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 2, "{}: {counts:?}", t.backend_name());
        // A lease older than its length is a lost job: the row is claimed again.
        let later = now() + Duration::minutes(11);
        let again = outbox::claim_due(db, later, 100).await.expect("claim after the lease");
        assert_eq!(again.len(), 2, "{}", t.backend_name());
        // Released (the queue refused it): claimable at once.
        let ids: Vec<_> = again.iter().map(|c| c.id).collect();
        assert_eq!(outbox::release(db, &ids, later).await.expect("release"), 2);
        assert_eq!(outbox::claim_due(db, later, 100).await.expect("claim").len(), 2, "{}", t.backend_name());
    }
}

/// A round claims in batches, each starting after the previous one's last row:
/// rows due at one instant (a broadcast, a benchmark) come out each exactly
/// once, in id order, and a batch past the end finds nothing.
#[tokio::test]
async fn batches_follow_the_cursor_through_rows_due_at_one_instant() {
    for t in TestDb::each("batches_follow_the_cursor_through_rows_due_at_one_instant").await {
        let db = &t.db;
        let (scope, registration) = one_registration(db).await;
        let row = notifications(db).await.remove(0);
        let at = now() - Duration::minutes(1);
        let txn = escale_domain::db::begin_write(db).await.expect("txn");
        for n in 0..7 {
            let new = outbox::NewNotification {
                participant_id: row.participant_id,
                registration_id: Some(registration),
                template: escale_domain::messaging::templates::TemplateKey::Broadcast,
                channel: Channel::Email,
                locale: escale_domain::values::Locale::Fr,
                scheduled_at: at,
                idempotency_key: format!("cursor-test:{n}"),
                payload: None,
            };
            assert!(outbox::plan(&txn, scope, new, now()).await.expect("plan"));
        }
        txn.commit().await.expect("commit");
        let (mut seen, mut after) = (Vec::new(), None);
        loop {
            let batch =
                outbox::claim_due_on(db, Channel::Email, now(), 3, outbox::CLAIM_LEASE, after).await.expect("claim");
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() <= 3);
            let next = outbox::ClaimCursor::after(&batch);
            assert!(next > after, "{}: the cursor moves forward", t.backend_name());
            after = next;
            seen.extend(batch.iter().map(|c| c.id.0));
        }
        // The registration's own confirmation email is due too: 8 in all.
        assert_eq!(seen.len(), 8, "{}: {seen:?}", t.backend_name());
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 8, "{}: each row once", t.backend_name());
        let same_instant: Vec<_> = notifications(db)
            .await
            .into_iter()
            .filter(|n| n.idempotency_key.starts_with("cursor-test:"))
            .map(|n| n.id)
            .collect();
        let mut in_order: Vec<_> = seen.iter().copied().filter(|id| same_instant.contains(id)).collect();
        let claimed_order = in_order.clone();
        in_order.sort();
        assert_eq!(claimed_order, in_order, "{}: rows due together come in id order", t.backend_name());
    }
}

#[tokio::test]
async fn two_senders_for_one_row_send_once() {
    for t in TestDb::each("two_senders_for_one_row_send_once").await {
        let db = &t.db;
        let (scope, _) = one_registration(db).await;
        let claimed = outbox::claim_due(db, now(), 100).await.expect("claim");
        let email = claimed.iter().find(|c| c.channel == Channel::Email).expect("email claimed");
        let first = outbox::start_sending(db, scope, email.id, &SendOptions::default(), now()).await.expect("first");
        let second = outbox::start_sending(db, scope, email.id, &SendOptions::default(), now()).await.expect("second");
        let SendDecision::Send(out) = first else { panic!("first sender must send: {first:?}") };
        assert!(matches!(second, SendDecision::AlreadyHandled), "{second:?}");
        let OutgoingMessage::Email(mail) = &out.message else { panic!("an email") };
        assert_eq!(mail.to.as_str(), "participant1@example.ma");
        assert!(mail.content.subject.contains("Inscription confirmée"), "{}", mail.content.subject);
        assert!(mail.content.text.contains(&format_ticket(db, out.id).await));
        outbox::finish_sent(
            db,
            scope,
            out.id,
            Accepted { recipient: mail.to.to_string(), ..Accepted::default() },
            now(),
        )
        .await
        .expect("sent");
        let row = notification::Entity::find_by_id(out.id.0).one(db).await.expect("query").expect("row");
        assert_eq!((row.status, row.attempts), (Status::Sent, 1));
        // A late duplicate job finds it done.
        assert!(matches!(
            outbox::start_sending(db, scope, out.id, &SendOptions::default(), now()).await.expect("third"),
            SendDecision::AlreadyHandled
        ));
    }
}

async fn format_ticket(db: &escale_domain::DatabaseConnection, id: NotificationId) -> String {
    let n = notification::Entity::find_by_id(id.0).one(db).await.expect("query").expect("row");
    let reg = escale_domain::entities::registration::Entity::find_by_id(n.registration_id.expect("registration"))
        .one(db)
        .await
        .expect("query")
        .expect("registration");
    format!("{}-{}", &reg.ticket_code[..5], &reg.ticket_code[5..])
}

#[tokio::test]
async fn consent_withdrawn_after_planning_suppresses_the_sms_at_send_time() {
    for t in TestDb::each("consent_withdrawn_after_planning_suppresses_the_sms_at_send_time").await {
        let db = &t.db;
        let (scope, _) = one_registration(db).await;
        let person = participant::Entity::find().one(db).await.expect("query").expect("participant");
        let mut active = person.into_active_model();
        active.consent_sms_at = Set(None);
        active.update(db).await.expect("withdraw");
        let claimed = outbox::claim_due(db, now(), 100).await.expect("claim");
        let sms = claimed.iter().find(|c| c.channel == Channel::Sms).expect("sms claimed");
        let decision = outbox::start_sending(db, scope, sms.id, &SendOptions::default(), now()).await.expect("decide");
        assert!(matches!(decision, SendDecision::Skipped { status: Status::Suppressed, .. }), "{decision:?}");
        let row = notification::Entity::find_by_id(sms.id.0).one(db).await.expect("query").expect("row");
        assert_eq!(row.status, Status::Suppressed);
    }
}

#[tokio::test]
async fn lost_jobs_are_swept_back_and_transient_failures_retry_then_fail() {
    for t in TestDb::each("lost_jobs_are_swept_back_and_transient_failures_retry_then_fail").await {
        let db = &t.db;
        let (scope, _) = one_registration(db).await;
        let claimed = outbox::claim_due(db, now(), 100).await.expect("claim");
        // The queue lost the jobs: nothing happens until the claims' lease runs out.
        assert!(outbox::claim_due(db, now(), 100).await.expect("claim").is_empty());
        let later = now() + Duration::minutes(11);
        let again = outbox::claim_due(db, later, 100).await.expect("claim again");
        assert_eq!(again.len(), claimed.len(), "{}", t.backend_name());

        // A sender that died mid-send: the sweeper returns the row after its deadline.
        let stuck = again[1].id;
        let started = outbox::start_sending(db, scope, stuck, &SendOptions::default(), later).await.expect("start");
        assert!(matches!(started, SendDecision::Send(_)));
        assert_eq!(outbox::sweep(db, later, Duration::minutes(10), Duration::minutes(10)).await.expect("sweep"), 0);
        let much_later = later + Duration::minutes(11);
        assert_eq!(
            outbox::sweep(db, much_later, Duration::minutes(10), Duration::minutes(10)).await.expect("sweep"),
            1
        );
        let row = notification::Entity::find_by_id(stuck.0).one(db).await.expect("query").expect("row");
        assert_eq!(row.status, Status::Pending, "{}", t.backend_name());
        let id = again[0].id;
        let SendDecision::Send(out) =
            outbox::start_sending(db, scope, id, &SendOptions::default(), later).await.expect("start")
        else {
            panic!("send")
        };
        let status = outbox::finish_retry(db, scope, id, out.attempt, "451 try later", outbox::RETRY_BASE, later)
            .await
            .expect("retry");
        assert_eq!(status, Status::Pending);
        let row = notification::Entity::find_by_id(id.0).one(db).await.expect("query").expect("row");
        assert!(row.scheduled_at > later, "backed off");
        assert_eq!(row.last_error.as_deref(), Some("451 try later"));
        // Back to pending, it is no longer held by the claim it was sent under:
        // due again after its backoff, well within that claim's lease.
        let after_backoff = row.scheduled_at + Duration::seconds(1);
        let reclaimed = outbox::claim_due(db, after_backoff, 100).await.expect("claim after backoff");
        assert!(reclaimed.iter().any(|c| c.id == id), "{}", t.backend_name());
        outbox::release(db, &[id], after_backoff).await.expect("release");
        // The last allowed attempt fails too: the row becomes failed, with the reason.
        let mut active = row.into_active_model();
        active.attempts = Set(outbox::MAX_ATTEMPTS - 1);
        active.update(db).await.expect("fast-forward attempts");
        let much_later = later + Duration::days(1);
        let again = outbox::claim_due(db, much_later, 100).await.expect("claim");
        assert!(again.iter().any(|c| c.id == id));
        let SendDecision::Send(out) =
            outbox::start_sending(db, scope, id, &SendOptions::default(), much_later).await.expect("start")
        else {
            panic!("send")
        };
        assert_eq!(out.attempt, outbox::MAX_ATTEMPTS);
        let status =
            outbox::finish_retry(db, scope, id, out.attempt, "451 still later", outbox::RETRY_BASE, much_later)
                .await
                .expect("retry");
        assert_eq!(status, Status::Failed);
        let row = notification::Entity::find_by_id(id.0).one(db).await.expect("query").expect("row");
        assert_eq!(row.status, Status::Failed);
        assert!(
            row.last_error.as_deref().is_some_and(|e| e.contains("gave up after 8 attempts")),
            "{:?}",
            row.last_error
        );
    }
}

#[tokio::test]
async fn planning_the_same_message_twice_writes_one_row() {
    for t in TestDb::each("planning_the_same_message_twice_writes_one_row").await {
        let db = &t.db;
        let (scope, registration) = one_registration(db).await;
        let before = notifications(db).await.len();
        let row = notifications(db).await.remove(0);
        let again = outbox::NewNotification {
            participant_id: row.participant_id,
            registration_id: Some(registration),
            template: row.template_key,
            channel: row.channel,
            locale: escale_domain::values::Locale::Fr,
            scheduled_at: now(),
            idempotency_key: row.idempotency_key.clone(),
            payload: None,
        };
        let txn = escale_domain::db::begin_write(db).await.expect("txn");
        assert!(!outbox::plan(&txn, scope, again, now()).await.expect("plan"));
        sea_orm::TransactionTrait::begin(&txn).await.expect("nested").commit().await.expect("commit nested");
        txn.commit().await.expect("commit");
        assert_eq!(notifications(db).await.len(), before);
    }
}

#[tokio::test]
async fn a_batch_is_decided_together_and_each_row_keeps_its_own_result() {
    for t in TestDb::each("a_batch_is_decided_together_and_each_row_keeps_its_own_result").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        for n in 1..=4 {
            register(db, scope, &person(stop, n), now()).await.expect("registers");
        }
        let claimed = outbox::claim_due(db, now(), 100).await.expect("claim");
        let ids: Vec<NotificationId> = claimed.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 4, "{}: one confirmation email each", t.backend_name());
        // Another sender already has the first row.
        let taken = outbox::start_sending(db, scope, ids[0], &SendOptions::default(), now()).await.expect("first");
        assert!(matches!(taken, SendDecision::Send(_)));

        let options = SendOptions { public_url: Some(url::Url::parse("https://escale.example/").expect("url")) };
        let decided = outbox::start_sending_many(db, scope, &ids, &options, now()).await.expect("batch");
        assert_eq!(decided.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ids, "one decision per id, in order");
        assert!(matches!(decided[0].1, SendDecision::AlreadyHandled), "{:?}", decided[0].1);
        let mut accepted = Vec::new();
        for (id, decision) in &decided[1..] {
            let SendDecision::Send(out) = decision else { panic!("{}: {decision:?}", t.backend_name()) };
            let OutgoingMessage::Email(mail) = &out.message else { panic!("an email") };
            // Each message is its own person's, with its own signed link.
            let ticket = format_ticket(db, *id).await;
            assert!(mail.content.text.contains(&ticket), "{}", t.backend_name());
            assert!(mail.unsubscribe_url.as_deref().is_some_and(|u| u.contains("/unsubscribe?")));
            let provider_message_id = Some(format!("<{}@relay>", id.0));
            accepted.push((*id, Accepted { provider_message_id, recipient: mail.to.to_string(), sms_segments: None }));
        }
        // Another tenant's scope records nothing.
        let other = escale_domain::tenancy::TenantScope::new(escale_domain::ids::TenantId(uuid::Uuid::now_v7()));
        assert_eq!(outbox::finish_sent_many(db, other, &accepted, now()).await.expect("other tenant"), 0);
        assert_eq!(outbox::finish_sent_many(db, scope, &accepted, now()).await.expect("recorded"), 3);
        for (id, a) in &accepted {
            let row = notification::Entity::find_by_id(id.0).one(db).await.expect("query").expect("row");
            assert_eq!(row.status, Status::Sent, "{}", t.backend_name());
            assert_eq!(row.provider_message_id, a.provider_message_id, "{}", t.backend_name());
            assert_eq!(row.recipient.as_deref(), Some(a.recipient.as_str()));
            assert!(row.sent_at.is_some());
        }
        // Recorded twice (a retried statement): nothing moves.
        assert_eq!(outbox::finish_sent_many(db, scope, &accepted, now()).await.expect("again"), 0);
        let first = notification::Entity::find_by_id(ids[0].0).one(db).await.expect("query").expect("row");
        assert_eq!(first.status, Status::Sending, "the other sender's row is left to it");
    }
}

/// SMS pumping: a number from a country the organizer does not send to is
/// refused at registration and dropped at send; a number past its daily cap
/// and a tenant past its own get no more SMS that day, with the reason.
#[tokio::test]
async fn sms_go_only_to_allowed_countries_and_within_daily_caps() {
    use escale_domain::entities::tenant;
    use escale_domain::messaging::sms;
    for t in TestDb::each("sms_go_only_to_allowed_countries_and_within_daily_caps").await {
        let db = &t.db;
        let (scope, agenda) = demo(db).await;
        let stop = open_stop(&agenda).stop.id;
        let sms_person = |n: usize, phone: &str| RegisterInput {
            phone: Some(phone.into()),
            consents: Consents { sms_reminders: true, ..Consents::default() },
            ..person(stop, n)
        };
        let refused = register(db, scope, &sms_person(1, "+1 202 555 0123"), now()).await.expect_err("US number");
        let text = refused.to_string();
        assert!(text.contains("phone") && text.contains("MA") && text.contains("US"), "{text}");
        let no_sms = RegisterInput { phone: Some("+12025550123".into()), ..person(stop, 1) };
        register(db, scope, &no_sms, now()).await.expect("a foreign number without SMS registers");

        let mut row =
            tenant::Entity::find_by_id(scope.uuid()).one(db).await.expect("query").expect("tenant").into_active_model();
        row.sms_per_number_daily_cap = Set(1);
        row.sms_daily_cap = Set(2);
        row.update(db).await.expect("caps");

        // Sends one SMS to a number and records it as sent; the next answer.
        let send_next = |label: &'static str| async move {
            let claimed = outbox::claim_due(db, now(), 100).await.expect("claim");
            let sms_row =
                claimed.iter().find(|c| c.channel == Channel::Sms).unwrap_or_else(|| panic!("{label}: an SMS"));
            let decision =
                outbox::start_sending(db, scope, sms_row.id, &SendOptions::default(), now()).await.expect("decide");
            if let SendDecision::Send(out) = &decision
                && let OutgoingMessage::Sms(m) = &out.message
            {
                let accepted = Accepted { recipient: m.to.as_e164().to_owned(), ..Accepted::default() };
                outbox::finish_sent(db, scope, sms_row.id, accepted, now()).await.expect("sent");
            }
            for c in claimed.iter().filter(|c| c.channel != Channel::Sms) {
                outbox::finish_failed(db, scope, c.id, "not this test", now()).await.expect("done");
            }
            decision
        };
        register(db, scope, &sms_person(2, "0612345678"), now()).await.expect("registers");
        assert!(matches!(send_next("first").await, SendDecision::Send(_)));
        // A second stop's confirmation to the same number: past its cap.
        let other =
            StopId(agenda.iter().filter(|s| s.window(now()).is_open()).nth(1).expect("a second open stop").stop.id.0);
        register(db, scope, &RegisterInput { stop_id: other, ..sms_person(2, "0612345678") }, now())
            .await
            .expect("again");
        let SendDecision::Skipped { status, reason } = send_next("same number").await else { panic!("capped") };
        assert_eq!(status, Status::Failed, "{reason}");
        assert_eq!(sms::limit_label(&reason), Some("number_cap"), "{reason}");
        // Another number: the tenant's cap of two is reached by the second SMS sent.
        register(db, scope, &sms_person(3, "0712345678"), now()).await.expect("registers");
        assert!(matches!(send_next("second number").await, SendDecision::Send(_)));
        register(db, scope, &sms_person(4, "0661234567"), now()).await.expect("registers");
        let SendDecision::Skipped { reason, .. } = send_next("tenant cap").await else { panic!("capped") };
        assert_eq!(sms::limit_label(&reason), Some("tenant_cap"), "{reason}");

        // A foreign number that got SMS consent another way is dropped at send.
        let mut row =
            tenant::Entity::find_by_id(scope.uuid()).one(db).await.expect("query").expect("tenant").into_active_model();
        row.sms_daily_cap = Set(100);
        row.update(db).await.expect("caps");
        let foreign = participant::Entity::find()
            .all(db)
            .await
            .expect("people")
            .into_iter()
            .find(|p| p.phone.as_deref() == Some("+12025550123"))
            .expect("the US number");
        let mut active = foreign.into_active_model();
        active.consent_sms_at = Set(Some(now()));
        active.update(db).await.expect("consent");
        register(db, scope, &RegisterInput { stop_id: other, ..no_sms }, now()).await.expect("registers");
        let SendDecision::Skipped { status, reason } = send_next("foreign").await else { panic!("dropped") };
        assert_eq!(status, Status::Suppressed, "{reason}");
        assert_eq!(sms::limit_label(&reason), Some("country"), "{reason}");
    }
}

/// The send path's reads keep their plan when a tenant imports 100k people
/// before autovacuum's next pass: with no statistics at all, and with
/// statistics taken while the tables were nearly empty (the case that cost
/// 2.4 s per 64-row job), each read goes through an index and a 64-row job
/// is decided in full. Checked on the plans, not on a time.
#[tokio::test]
async fn send_path_reads_use_indexes_without_fresh_statistics() {
    const TEST: &str = "send_path_reads_use_indexes_without_fresh_statistics";
    for analyzed_when_small in [false, true] {
        let Some(t) = TestDb::postgres(TEST).await else { return };
        send_path_after_an_import(&t, analyzed_when_small).await;
    }
}

async fn send_path_after_an_import(t: &TestDb, analyzed_when_small: bool) {
    let db = &t.db;
    use sea_orm::{ConnectionTrait as _, Statement};
    const CROWD: i64 = 100_000;
    let sql = |s: &str| Statement::from_string(sea_orm::DbBackend::Postgres, s.to_owned());
    let count = async |q: &str| -> i64 {
        let row = db.query_one_raw(sql(q)).await.expect("count").expect("a row");
        row.try_get("", "n").expect("n")
    };
    for table in ["participant", "registration", "session_seat", "notification"] {
        db.execute_raw(sql(&format!("ALTER TABLE {table} SET (autovacuum_enabled = false)")))
            .await
            .expect("no autovacuum");
    }
    let (scope, agenda) = demo(db).await;
    let stop = open_stop(&agenda).stop.id;
    set_capacity(db, stop, 1_000_000).await;
    // 64 people register (each confirmation is planned), then the import lands.
    let mut registrations = Vec::new();
    for n in 0..64 {
        let out = register(db, scope, &person(stop, n), now()).await.expect("registers");
        registrations.push(out.registration.id.0);
        if n == 0 && analyzed_when_small {
            db.execute_raw(sql("ANALYZE participant, registration, notification")).await.expect("analyze");
        }
    }
    // The import comes through a connection of its own, as an administrator's
    // would, without foreign-key triggers (as `pg_restore --disable-triggers`):
    // their checks are planned on the same stale statistics and would take
    // minutes over 100k rows that are consistent by construction.
    let import = escale_domain::db::connect(&escale_domain::db::DbConfig {
        max_connections: 1,
        ..escale_domain::db::DbConfig::new(t.url.clone())
    })
    .await
    .expect("import connection");
    let (tenant, stop) = (scope.uuid(), stop.0);
    for statement in [
        "SET session_replication_role = replica".to_owned(),
        format!(
            "INSERT INTO participant (id, tenant_id, full_name, email, locale, consent_email_at, created_at, updated_at) \
             SELECT gen_random_uuid(), '{tenant}', 'Imported ' || g, 'imported' || g || '@example.ma', 'fr', now(), now(), now() \
             FROM generate_series(1, {CROWD}) g"
        ),
        format!(
            "INSERT INTO registration (id, tenant_id, stop_id, participant_id, status, ticket_code, source, created_at, updated_at) \
             SELECT gen_random_uuid(), tenant_id, '{stop}', id, 'confirmed', upper(substr(md5(id::text), 1, 12)), 'import', now(), now() \
             FROM participant WHERE email LIKE 'imported%'"
        ),
    ] {
        import.execute_raw(sql(&statement)).await.expect("imported");
    }
    import.close().await.expect("import connection closed");
    let stats =
        count("SELECT count(*)::bigint AS n FROM pg_stats WHERE tablename IN ('participant', 'registration')").await;
    let analyzed_rows =
        count("SELECT coalesce(sum(reltuples), 0)::bigint AS n FROM pg_class WHERE relname = 'participant'").await;
    if analyzed_when_small {
        assert!(
            stats > 0 && analyzed_rows < 100,
            "statistics from before the import: {stats} columns, {analyzed_rows} rows"
        );
    } else {
        assert_eq!(stats, 0, "no statistics at all");
    }

    let participants: Vec<uuid::Uuid> = escale_domain::entities::registration::Entity::find()
        .filter(escale_domain::entities::registration::Column::Id.is_in(registrations.clone()))
        .all(db)
        .await
        .expect("registrations")
        .into_iter()
        .map(|r| r.participant_id)
        .collect();
    for statement in outbox::send_path_reads(sea_orm::DbBackend::Postgres, &registrations, &participants) {
        let explain = Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
            statement.values.clone().map(|v| v.0).unwrap_or_default(),
        );
        let row = db.query_one_raw(explain).await.expect("explain").expect("a plan");
        let plan: serde_json::Value = row.try_get("", "QUERY PLAN").expect("json plan");
        let scans = scans_by_tenant_or_whole(&plan);
        assert!(
            scans.is_empty(),
            "statistics {}: {} reads {scans:?}:\n{plan:#}",
            if analyzed_when_small { "from before the import" } else { "absent" },
            statement.sql
        );
    }

    if analyzed_when_small {
        // The check has teeth: the join the send path used before is caught.
        let ids: Vec<String> = registrations.iter().map(|r| format!("'{r}'")).collect();
        let before = format!(
            "EXPLAIN (FORMAT JSON) SELECT r.*, p.* FROM registration r \
             JOIN participant p ON p.id = r.participant_id AND p.tenant_id = r.tenant_id \
             WHERE r.tenant_id = '{tenant}' AND r.id = ANY(ARRAY[{}]::uuid[])",
            ids.join(", ")
        );
        let row = db.query_one_raw(sql(&before)).await.expect("explain").expect("a plan");
        let plan: serde_json::Value = row.try_get("", "QUERY PLAN").expect("json plan");
        assert!(!scans_by_tenant_or_whole(&plan).is_empty(), "the former join walks the tenant's rows: {plan:#}");
    }

    let claimed = outbox::claim_due(db, now(), 1000).await.expect("claim");
    let ids: Vec<NotificationId> = claimed.iter().filter(|c| c.channel == Channel::Email).map(|c| c.id).collect();
    assert_eq!(ids.len(), 64, "one confirmation each");
    let decided = outbox::start_sending_many(db, scope, &ids, &SendOptions::default(), now()).await.expect("decided");
    let sends = decided.iter().filter(|(_, d)| matches!(d, SendDecision::Send(_))).count();
    assert_eq!(sends, 64, "every confirmation is sent: {decided:?}");
}

/// The plan's reads that walk a whole table (sequential scans) or all of a
/// tenant's rows (an index searched on `tenant_id` alone, the key being a
/// mere filter): either costs in proportion to the tenant's size.
fn scans_by_tenant_or_whole(plan: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    match plan {
        serde_json::Value::Object(node) => {
            let relation = node.get("Relation Name").and_then(|v| v.as_str()).unwrap_or("?");
            let kind = node.get("Node Type").and_then(|v| v.as_str()).unwrap_or_default();
            let cond = node.get("Index Cond").and_then(|v| v.as_str()).unwrap_or_default();
            if kind == "Seq Scan" {
                out.push(format!("{relation}: every row"));
            } else if cond.contains("tenant_id") && !cond.contains("ANY") {
                out.push(format!("{relation}: every row of the tenant"));
            }
            node.values().for_each(|v| out.extend(scans_by_tenant_or_whole(v)));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| out.extend(scans_by_tenant_or_whole(v))),
        _ => {}
    }
    out
}
