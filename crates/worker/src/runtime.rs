//! Starting and stopping the worker: queues, apalis workers per channel, the
//! dispatcher loop, graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{BackendExt, Monitor, WorkerBuilder, WorkerBuilderExt};
use escale_domain::DatabaseConnection;
use escale_domain::messaging::outbox::SendOptions;
use lettre::message::Mailbox;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::{SmsConfig, WorkerConfig};
use crate::dispatcher;
use crate::mail::Mailer;
use crate::queue::{Queues, Storage};
use crate::sender::{Sender, Slots, send_job};
use crate::sms::{OutboxSms, SmsProvider};
use crate::sms_http::{OrangeSms, TwilioSms};

/// How often idle workers look at the embedded queue.
const EMBEDDED_POLL: Duration = Duration::from_millis(200);
/// How often idle workers look at the Redis queues.
const REDIS_POLL: Duration = Duration::from_millis(100);

/// Lets another part of the process (the gateway, in `escale serve`) start a
/// dispatcher round right away instead of at the next poll.
#[derive(Debug, Clone, Default)]
pub struct WakeHandle(pub Arc<Notify>);

impl WakeHandle {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// A name no other live worker has: apalis refuses to register a name that
/// heartbeated recently (apalis-redis#76), so a restarted process or a
/// restarted worker inside it must not reuse its predecessor's.
fn worker_name(channel: &str, restarts: usize) -> String {
    static STARTED: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default()
    });
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".to_owned());
    format!("escale-{channel}-{host}-{}-{started}-{restarts}", std::process::id())
}

/// Runs the worker until `shutdown` is cancelled, then drains: the dispatcher
/// stops claiming, in-flight sends get `drain_timeout` to finish.
pub async fn run(
    db: DatabaseConnection,
    config: WorkerConfig,
    wake: WakeHandle,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let queues = Queues::connect(&config.queue).await?;
    let pool = u32::try_from(config.email_concurrency).unwrap_or(16).max(1);
    let mailer = Mailer::from_config(&config.mail, pool)?;
    let sms: Arc<dyn SmsProvider> = match &config.sms {
        SmsConfig::Outbox { dir } => Arc::new(
            OutboxSms::new(dir.clone())
                .map_err(|e| anyhow::anyhow!("cannot create the SMS outbox {}: {e}", dir.display()))?,
        ),
        SmsConfig::Orange { config, receipts } => {
            Arc::new(OrangeSms::new(config.clone(), receipts.clone()).map_err(anyhow::Error::msg)?)
        }
        SmsConfig::Twilio { config, receipts } => {
            Arc::new(TwilioSms::new(config.clone(), receipts.clone()).map_err(anyhow::Error::msg)?)
        }
    };
    let default_from: Mailbox = config
        .default_from
        .parse()
        .map_err(|e| anyhow::anyhow!("MAIL_FROM is not a mailbox such as 'Escale <noreply@example.org>': {e}"))?;
    let options = SendOptions { public_url: config.public_url.clone() };
    let slots = Slots::new(config.email_concurrency, config.sms_concurrency);
    // Half the sweeper's `sending` deadline, at most a minute: an outcome
    // still being retried is never swept and sent again.
    let record_patience = (config.sending_timeout / 2).min(Duration::from_secs(60));
    let jobs = tokio_util::task::TaskTracker::new();
    let sender = Arc::new(Sender {
        db: db.clone(),
        mailer,
        sms,
        default_from,
        options,
        retry_base: config.retry_base,
        slots,
        record_patience,
        jobs: jobs.clone(),
    });

    let dispatcher =
        tokio::spawn(dispatcher::run(db, queues.clone(), config.clone(), wake.0.clone(), shutdown.clone()));

    let mut monitor = Monitor::new();
    for (channel, storage, in_flight) in
        [("email", queues.email.clone(), config.email_concurrency), ("sms", queues.sms.clone(), config.sms_concurrency)]
    {
        // A job sends its rows at once, as the channel's slots allow; two jobs
        // more than the slots need, so that the next jobs' database work (claim
        // and reads) is done while the slots are busy, and a job's tail of slow
        // sends does not leave the others idle.
        let concurrency = in_flight.div_ceil(config.job_size.max(1)) + 2;
        let sender = sender.clone();
        monitor = match storage {
            Storage::Redis(s) => monitor.register(move |restarts| {
                WorkerBuilder::new(worker_name(channel, restarts))
                    // Without a poll interval an idle apalis-redis worker only looks
                    // again at its next heartbeat (10 s): a confirmation would wait
                    // that long. An empty fetch every 100 ms costs Redis nothing.
                    .backend(s.clone().poll_with_interval(REDIS_POLL))
                    .data(sender.clone())
                    .concurrency(concurrency)
                    .build(send_job)
            }),
            Storage::Sqlite(s, ..) => monitor.register(move |restarts| {
                WorkerBuilder::new(worker_name(channel, restarts))
                    // The embedded queue is a local file: polling it often costs
                    // nothing and keeps the delay to the first email short.
                    .backend(s.clone().poll_with_interval(EMBEDDED_POLL))
                    .data(sender.clone())
                    .concurrency(concurrency)
                    .build(send_job)
            }),
        };
    }
    let monitor = monitor.should_restart(|ctx, err| {
        // A backend error (Redis restarting, say) ends a worker; a fresh one with a
        // new name takes over once the connection is back.
        tracing::warn!(worker = %ctx.name(), error = %err, "queue worker stopped; restarting it");
        true
    });
    let signal = shutdown.clone();
    let result = monitor
        .shutdown_timeout(config.drain_timeout)
        .run_with_signal(async move {
            signal.cancelled().await;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "queue workers ended with an error");
    }
    // Jobs whose queue worker was dropped (or timed out draining) may still
    // be finishing: their outcomes are written before the process exits.
    jobs.close();
    if tokio::time::timeout(config.drain_timeout, jobs.wait()).await.is_err() {
        tracing::warn!(jobs = jobs.len(), "send jobs still running at exit; the sweeper will return their rows");
    }
    shutdown.cancel();
    match tokio::time::timeout(Duration::from_secs(5), dispatcher).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "dispatcher task failed"),
        Err(_) => tracing::warn!("dispatcher did not stop within 5 s"),
    }
    tracing::info!("worker stopped");
    Ok(())
}
