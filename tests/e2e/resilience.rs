//! The worker process against what goes wrong in production: the SMTP server
//! dies during a batch and comes back, the worker is killed mid-batch, Redis
//! loses the jobs in flight, the worker restarts cleanly. Each time every
//! message arrives, and none twice (beyond what a `kill -9` in the middle of an
//! SMTP conversation can cause, which the Message-ID lets receivers fold).

use std::collections::HashMap;
use std::time::Duration;

use escale_domain::DatabaseConnection;
use escale_domain::catalog;
use escale_domain::ids::StopId;
use escale_domain::messaging::outbox::{self, Status};
use escale_domain::registration::{Consents, RegisterInput, register};
use escale_domain::tenancy::TenantScope;
use escale_testkit::{ReceivedMail, SmtpServer, TestDb, redis_or_skip};
use escale_worker::QueueConfig;
use escale_worker::queue::Queues;
use tokio::process::Child;

use crate::support::*;

struct World {
    pg: TestDb,
    redis: String,
    prefix: String,
    smtp: SmtpServer,
    scope: TenantScope,
    stop: StopId,
    registered: usize,
}

impl World {
    async fn new(test: &str) -> Option<World> {
        let pg = TestDb::postgres(test).await?;
        let redis = redis_or_skip(test).await?;
        let smtp = SmtpServer::start().await.expect("SMTP server");
        let summary = escale_domain::demo::load(&pg.db, chrono::Utc::now()).await.expect("demo");
        let agenda = catalog::agenda(&pg.db, summary.scope).await.expect("agenda");
        let stop = agenda.iter().find(|s| s.window(chrono::Utc::now()).is_open()).expect("an open stop");
        let prefix = format!("escale-e2e-{}", uuid::Uuid::now_v7().simple());
        Some(World { scope: summary.scope, stop: stop.stop.id, pg, redis, prefix, smtp, registered: 0 })
    }

    fn db(&self) -> &DatabaseConnection {
        &self.pg.db
    }

    /// `n` more people register (email only): `n` confirmations due now.
    async fn register(&mut self, n: usize) {
        for _ in 0..n {
            self.registered += 1;
            let input = RegisterInput {
                stop_id: self.stop,
                full_name: format!("Participant {}", self.registered),
                email: Some(format!("p{}@example.ma", self.registered)),
                consents: Consents { email_reminders: true, ..Consents::default() },
                ..RegisterInput::default()
            };
            register(self.db(), self.scope, &input, chrono::Utc::now()).await.expect("registers");
        }
    }

    /// `n` more people register at once, from 8 tasks: a crowd large enough
    /// that a send takes seconds. The stop is made large enough for all of
    /// them, so each gets exactly one message now (their confirmation).
    async fn register_crowd(&mut self, n: usize) {
        use sea_orm::ConnectionTrait as _;
        self.db()
            .execute_unprepared(&format!("UPDATE stop SET capacity = 1000000 WHERE id = '{}'", self.stop.0))
            .await
            .expect("room for the crowd");
        let first = self.registered + 1;
        self.registered += n;
        let mut tasks = tokio::task::JoinSet::new();
        for lane in 0..8 {
            let (db, scope, stop) = (self.db().clone(), self.scope, self.stop);
            tasks.spawn(async move {
                for i in (first..first + n).filter(|i| i % 8 == lane) {
                    let input = RegisterInput {
                        stop_id: stop,
                        full_name: format!("Participant {i}"),
                        email: Some(format!("p{i}@example.ma")),
                        consents: Consents { email_reminders: true, ..Consents::default() },
                        ..RegisterInput::default()
                    };
                    register(&db, scope, &input, chrono::Utc::now()).await.expect("registers");
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("registration task");
        }
    }

    fn worker(&self) -> Child {
        self.worker_with(&[])
    }

    /// The worker with settings changed from [`World::worker`]'s.
    fn worker_with(&self, overrides: &[(&str, &str)]) -> Child {
        let mut cmd = escale(&["worker"]);
        cmd.env("DATABASE_URL", &self.pg.url)
            .env("REDIS_URL", &self.redis)
            .env("ESCALE_QUEUE_PREFIX", &self.prefix)
            .env("SMTP_URL", self.smtp.url())
            .env("ESCALE_DISPATCH_INTERVAL_MS", "100")
            .env("ESCALE_DISPATCH_BATCH", "10")
            .env("ESCALE_EMAIL_CONCURRENCY", "4")
            .env("ESCALE_RETRY_BASE_MS", "300")
            .env("ESCALE_SWEEP_INTERVAL_SECS", "1")
            .env("ESCALE_QUEUED_TIMEOUT_SECS", "3")
            .env("ESCALE_SENDING_TIMEOUT_SECS", "3")
            .stdout(std::process::Stdio::null())
            .stderr(child_stderr());
        cmd.envs(overrides.iter().copied());
        cmd.spawn().expect("spawn worker")
    }

    /// Confirmations by status, from the outbox. Read again when a read
    /// fails: some tests terminate every connection to the database, the
    /// test's own included, and each failed read takes one dead connection
    /// out of the pool.
    async fn confirmations(&self) -> HashMap<Status, usize> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let mut tries = 0;
        loop {
            let rows: Result<Vec<(Status, i64)>, _> = escale_domain::entities::notification::Entity::find()
                .select_only()
                .column(escale_domain::entities::notification::Column::Status)
                .column_as(escale_domain::entities::notification::Column::Id.count(), "n")
                .filter(escale_domain::entities::notification::Column::TemplateKey.eq("confirmation"))
                .group_by(escale_domain::entities::notification::Column::Status)
                .into_tuple()
                .all(self.db())
                .await;
            match rows {
                Ok(rows) => return rows.into_iter().map(|(s, n)| (s, usize::try_from(n).unwrap_or(0))).collect(),
                Err(e) if tries < 50 => {
                    tries += 1;
                    eprintln!("reading the outbox failed ({e}); again");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("reading the outbox: {e}"),
            }
        }
    }

    /// Confirmations that needed more than one attempt.
    async fn retried(&self) -> usize {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        escale_domain::entities::notification::Entity::find()
            .filter(escale_domain::entities::notification::Column::TemplateKey.eq("confirmation"))
            .filter(escale_domain::entities::notification::Column::Attempts.gt(1))
            .all(self.db())
            .await
            .expect("rows")
            .len()
    }

    /// Waits until every registration's confirmation is marked sent.
    async fn wait_all_sent(&self, timeout: Duration) -> HashMap<Status, usize> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let counts = self.confirmations().await;
            if counts.get(&Status::Sent).copied().unwrap_or(0) >= self.registered
                || tokio::time::Instant::now() >= deadline
            {
                return counts;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// How many messages each recipient got.
fn per_recipient(mails: &[ReceivedMail]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for m in mails {
        for to in &m.to {
            *out.entry(to.clone()).or_default() += 1;
        }
    }
    out
}

async fn stop_gracefully(worker: &mut Child) {
    terminate(worker);
    let status =
        tokio::time::timeout(Duration::from_secs(30), worker.wait()).await.expect("worker stops").expect("wait");
    assert!(status.success(), "worker exits 0 on SIGTERM: {status:?}");
}

#[tokio::test]
async fn smtp_down_then_back_and_a_worker_killed_mid_batch_lose_nothing() {
    const TEST: &str = "smtp_down_then_back_and_a_worker_killed_mid_batch_lose_nothing";
    let Some(mut w) = World::new(TEST).await else { return };

    // The SMTP server refuses the first messages with 421 (try later), then dies
    // for a moment in the middle of the batch, then comes back.
    w.smtp.fail_next(421, 5);
    w.register(30).await;
    let mut worker = w.worker();
    w.smtp.wait_for(3, Duration::from_secs(30)).await;
    w.smtp.stop().await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    w.smtp.restart().await.expect("SMTP back");
    let counts = w.wait_all_sent(Duration::from_secs(60)).await;
    assert_eq!(counts.get(&Status::Sent), Some(&30), "{counts:?}");
    let got = per_recipient(&w.smtp.messages());
    assert_eq!(got.len(), 30, "everyone got their confirmation");
    assert!(got.values().all(|n| *n == 1), "nobody got it twice: {got:?}");
    assert!(w.retried().await >= 5, "the refused messages were tried again");

    // Killed (SIGKILL, no drain) while a batch is on its way: a new worker
    // takes over once the sweeper's deadline passes; nothing is lost.
    w.register(40).await;
    w.smtp.wait_for(32, Duration::from_secs(30)).await;
    let _ = worker.start_kill();
    let _ = worker.wait().await;
    let mut worker = w.worker();
    let counts = w.wait_all_sent(Duration::from_secs(60)).await;
    assert_eq!(counts.get(&Status::Sent), Some(&70), "{counts:?}");
    let mails = w.smtp.messages();
    let got = per_recipient(&mails);
    assert_eq!(got.len(), 70, "every recipient got their message");
    // Only a message in the middle of its SMTP conversation at the kill can go
    // twice, and then with the same Message-ID.
    let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.len() <= 4, "at most the in-flight sends (concurrency 4): {twice:?}");
    let ids: std::collections::HashSet<_> = mails.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids.len(), 70, "one Message-ID per message");
    stop_gracefully(&mut worker).await;
}

/// SIGTERM while a batch is being sent to a slow relay: the sends in flight
/// finish and are recorded, the worker exits 0 within its drain deadline, and
/// the next worker sends the rest — everyone gets exactly one message.
#[tokio::test]
#[expect(clippy::print_stdout, reason = "prints the drain time it measured, quoted in docs/OPERATIONS.md")]
async fn sigterm_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice() {
    const TEST: &str = "sigterm_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice";
    let Some(mut w) = World::new(TEST).await else { return };
    w.smtp.set_delay(Duration::from_millis(150));
    w.register(40).await;
    let mut worker = w.worker();
    w.smtp.wait_for(6, Duration::from_secs(30)).await;
    let signalled = std::time::Instant::now();
    terminate(&worker);
    let status =
        tokio::time::timeout(Duration::from_secs(30), worker.wait()).await.expect("worker stops").expect("wait");
    let drained = signalled.elapsed();
    assert!(status.success(), "worker exits 0 on SIGTERM mid-batch: {status:?}");
    assert!(drained < Duration::from_secs(20), "within the drain deadline: {drained:?}");
    println!("worker: SIGTERM → exit with sends in flight to a 150 ms relay: {drained:?}");
    let counts = w.confirmations().await;
    let sent = counts.get(&Status::Sent).copied().unwrap_or(0);
    assert!(sent < 40, "the batch was interrupted: {counts:?}");
    assert_eq!(counts.get(&Status::Sending), None, "no send left half-recorded: {counts:?}");
    // What the relay accepted is exactly what the outbox says was sent.
    assert_eq!(per_recipient(&w.smtp.messages()).len(), sent, "{counts:?}");

    w.smtp.set_delay(Duration::ZERO);
    let mut worker = w.worker();
    let counts = w.wait_all_sent(Duration::from_secs(60)).await;
    assert_eq!(counts.get(&Status::Sent), Some(&40), "{counts:?}");
    let got = per_recipient(&w.smtp.messages());
    assert_eq!(got.len(), 40, "everyone got their confirmation");
    assert!(got.values().all(|n| *n == 1), "nobody got it twice: {got:?}");
    stop_gracefully(&mut worker).await;
}

#[tokio::test]
async fn redis_flushed_with_jobs_in_flight_and_a_clean_restart() {
    const TEST: &str = "redis_flushed_with_jobs_in_flight_and_a_clean_restart";
    let Some(mut w) = World::new(TEST).await else { return };

    // Dispatched to Redis, then Redis loses everything before any worker runs.
    w.register(20).await;
    let queues =
        Queues::connect(&QueueConfig::Redis { url: w.redis.clone(), prefix: w.prefix.clone() }).await.expect("queues");
    let lease = chrono::Duration::seconds(3);
    let queued =
        escale_worker::dispatcher::dispatch_once(w.db(), &queues, 100, 2000, 4, lease).await.expect("dispatch");
    assert_eq!(queued, 20);
    let waiting = outbox::queued_by_channel(w.db(), chrono::Utc::now(), lease).await.expect("queued");
    assert_eq!(waiting, vec![(escale_domain::messaging::templates::Channel::Email, 20)], "claimed for the queue");
    let client = redis::Client::open(w.redis.as_str()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{}*", w.prefix)).query_async(&mut conn).await.expect("keys");
    assert!(!keys.is_empty(), "the jobs are in Redis");
    let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.expect("flush");

    // The worker finds no jobs; the claims' leases run out after the queued
    // deadline, the dispatcher claims the rows again, and they go out once.
    let mut worker = w.worker();
    let counts = w.wait_all_sent(Duration::from_secs(60)).await;
    assert_eq!(counts.get(&Status::Sent), Some(&20), "{counts:?}");
    let got = per_recipient(&w.smtp.messages());
    assert_eq!(got.len(), 20);
    assert!(got.values().all(|n| *n == 1), "{got:?}");

    // SIGTERM, start again (apalis-redis refuses a worker name that heartbeated
    // recently; ours are unique per process), and it keeps working.
    stop_gracefully(&mut worker).await;
    let mut worker = w.worker();
    w.register(5).await;
    let counts = w.wait_all_sent(Duration::from_secs(60)).await;
    assert_eq!(counts.get(&Status::Sent), Some(&25), "{counts:?}");
    let got = per_recipient(&w.smtp.messages());
    assert_eq!(got.len(), 25);
    assert!(got.values().all(|n| *n == 1), "{got:?}");
    stop_gracefully(&mut worker).await;
}

/// The dispatcher fills each queue up to its depth, counted by the queue
/// itself (jobs waiting, each as if full), and the rest waits in the outbox;
/// the same on Redis and on the embedded queue.
#[tokio::test]
async fn a_queue_holds_at_most_its_depth_and_the_backlog_waits_in_the_outbox() {
    const TEST: &str = "a_queue_holds_at_most_its_depth_and_the_backlog_waits_in_the_outbox";
    let Some(mut w) = World::new(TEST).await else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let backends = [
        QueueConfig::Redis { url: w.redis.clone(), prefix: w.prefix.clone() },
        QueueConfig::Sqlite { path: dir.path().join("queue.db") },
    ];
    let lease = chrono::Duration::minutes(10);
    for config in backends {
        w.register(10).await;
        let queues = Queues::connect(&config).await.expect("queues");
        assert_eq!(queues.email.waiting_jobs().await.expect("depth"), 0, "{config:?}");
        // Depth 8 rows in jobs of 4: two jobs, then nothing more while they wait.
        let queued =
            escale_worker::dispatcher::dispatch_once(w.db(), &queues, 100, 8, 4, lease).await.expect("dispatch");
        assert_eq!(queued, 8, "{config:?}");
        assert_eq!(queues.email.waiting_jobs().await.expect("depth"), 2, "{config:?}");
        let again =
            escale_worker::dispatcher::dispatch_once(w.db(), &queues, 100, 8, 4, lease).await.expect("dispatch");
        assert_eq!(again, 0, "a full queue takes nothing more ({config:?})");
        // A deeper queue takes the rest: two rows still due in the outbox.
        let rest =
            escale_worker::dispatcher::dispatch_once(w.db(), &queues, 100, 100, 4, lease).await.expect("dispatch");
        assert_eq!(rest, 2, "{config:?}");
        assert_eq!(queues.email.waiting_jobs().await.expect("depth"), 3, "{config:?}");
    }
}

/// A crowd's confirmations going out (`CROWD` of them, 10,000 by default) to a
/// relay taking 1 ms per message, with 32 email slots.
const CROWD_DEFAULT: usize = 10_000;

fn crowd() -> usize {
    std::env::var("ESCALE_E2E_CROWD").ok().and_then(|v| v.parse().ok()).unwrap_or(CROWD_DEFAULT)
}

impl World {
    fn worker_for_crowd(&self) -> Child {
        self.worker_with(&[
            ("ESCALE_EMAIL_CONCURRENCY", "32"),
            ("ESCALE_QUEUED_TIMEOUT_SECS", "5"),
            // The record writes' patience is half of this: 4 s.
            ("ESCALE_SENDING_TIMEOUT_SECS", "8"),
        ])
    }

    /// Every message the relay got went to a different person, the outbox
    /// says all were sent, and nothing is left half-recorded.
    #[expect(clippy::print_stdout, reason = "prints the duplicates it counted, quoted in docs/ARCHITECTURE.md")]
    async fn assert_each_got_exactly_one(&self, what: &str) {
        let counts = self.wait_all_sent(Duration::from_secs(180)).await;
        assert_eq!(counts.get(&Status::Sent), Some(&self.registered), "{what}: {counts:?}");
        let got = per_recipient(&self.smtp.messages());
        let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
        println!("{what}: {} messages, {} recipients, {} got one twice", self.registered, got.len(), twice.len());
        assert!(twice.is_empty(), "{what}: nobody gets their message twice: {} did ({twice:?})", twice.len());
        assert_eq!(got.len(), self.registered, "{what}: everyone got theirs");
    }
}

/// Terminates every backend connected to the test's database (the worker's
/// and the test's own), as a failover or an administrator would.
async fn terminate_backends(url: &str) -> i64 {
    use sea_orm::{ConnectionTrait as _, Statement};
    let db = escale_domain::db::connect(&escale_domain::db::DbConfig {
        max_connections: 1,
        ..escale_domain::db::DbConfig::new(url.to_owned())
    })
    .await
    .expect("a connection to terminate the others");
    let row = db
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(pg_terminate_backend(pid))::bigint AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .expect("terminate")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("count")
}

/// The database drops every connection twice while a crowd's confirmations
/// are being sent: the sends in flight finish, their outcomes are written on
/// fresh connections, and nobody gets a message twice.
#[tokio::test]
#[expect(clippy::print_stdout, reason = "prints what it measured, quoted in the closing notes and docs")]
async fn connections_terminated_twice_during_a_large_send_duplicate_nothing() {
    const TEST: &str = "connections_terminated_twice_during_a_large_send_duplicate_nothing";
    let Some(mut w) = World::new(TEST).await else { return };
    let n = crowd();
    let started = std::time::Instant::now();
    w.register_crowd(n).await;
    println!("registered {n} in {:.1} s", started.elapsed().as_secs_f64());
    w.smtp.set_delay(Duration::from_millis(1));
    let started = std::time::Instant::now();
    let mut worker = w.worker_for_crowd();
    for at in [n / 5, n / 2] {
        w.smtp.wait_for(at, Duration::from_secs(120)).await;
        let killed = terminate_backends(&w.pg.url).await;
        println!("terminated {killed} connections after {} messages", w.smtp.count());
        assert!(killed > 0, "the worker had connections to lose");
    }
    w.assert_each_got_exactly_one("connections terminated twice").await;
    println!("sent {n} in {:.1} s", started.elapsed().as_secs_f64());
    stop_gracefully(&mut worker).await;
}

/// The queue's keys are deleted from Redis while a crowd's confirmations are
/// being sent: jobs in flight still finish and record their outcomes, what
/// was waiting in Redis comes back through the claims' leases, and nobody
/// gets a message twice.
#[tokio::test]
#[expect(clippy::print_stdout, reason = "prints what it measured, quoted in the closing notes and docs")]
async fn queue_keys_deleted_during_a_large_send_duplicate_nothing() {
    const TEST: &str = "queue_keys_deleted_during_a_large_send_duplicate_nothing";
    let Some(mut w) = World::new(TEST).await else { return };
    let n = crowd();
    let started = std::time::Instant::now();
    w.register_crowd(n).await;
    println!("registered {n} in {:.1} s", started.elapsed().as_secs_f64());
    w.smtp.set_delay(Duration::from_millis(1));
    let started = std::time::Instant::now();
    let mut worker = w.worker_for_crowd();
    let client = redis::Client::open(w.redis.as_str()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    for at in [n / 5, n / 2] {
        w.smtp.wait_for(at, Duration::from_secs(120)).await;
        let keys: Vec<String> =
            redis::cmd("KEYS").arg(format!("{}*", w.prefix)).query_async(&mut conn).await.expect("keys");
        assert!(!keys.is_empty(), "the queue is in Redis");
        let deleted: i64 = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.expect("delete");
        println!("deleted {deleted} queue keys after {} messages", w.smtp.count());
    }
    w.assert_each_got_exactly_one("queue keys deleted twice").await;
    println!("sent {n} in {:.1} s", started.elapsed().as_secs_f64());
    stop_gracefully(&mut worker).await;
}
