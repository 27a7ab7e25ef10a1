//! The job handler: a few notification ids of one tenant in, at most one
//! message out for each.

use std::sync::Arc;

use apalis::prelude::{AbortError, BoxDynError, Data};
use chrono::Utc;
use escale_domain::DatabaseConnection;
use escale_domain::ids::{NotificationId, TenantId};
use escale_domain::messaging::outbox::{self, Accepted, Outgoing, OutgoingMessage, SendDecision, SendOptions};
use escale_domain::tenancy::TenantScope;
use escale_domain::trace::redact;
use lettre::message::Mailbox;
use tracing::Instrument as _;

use crate::mail::{self, MailError, Mailer};
use crate::queue::SendJob;
use crate::sms::{SmsError, SmsProvider, SmsRequest};

/// Everything a sender needs, shared by all jobs.
#[derive(Debug)]
pub struct Sender {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub sms: Arc<dyn SmsProvider>,
    pub default_from: Mailbox,
    pub options: SendOptions,
    /// The first backoff after a transient failure.
    pub retry_base: std::time::Duration,
    /// Messages per channel sent and not yet recorded, at most: a killed
    /// worker can leave no more than these for the sweeper to send again.
    pub slots: Slots,
    /// How long to keep trying to write a send's outcome when the database
    /// is unreachable (a terminated connection, a failover). Kept below the
    /// sweeper's `sending` deadline: while the outcome is being retried,
    /// nobody sends the message again.
    pub record_patience: std::time::Duration,
    /// The jobs being sent, each on a task of its own so that the queue
    /// worker being dropped (Redis lost, a restart) does not abort sends and
    /// their recording; shutdown waits for them.
    pub jobs: tokio_util::task::TaskTracker,
}

/// One semaphore per channel, each with that channel's concurrency.
#[derive(Debug, Clone)]
pub struct Slots {
    pub email: Arc<tokio::sync::Semaphore>,
    pub sms: Arc<tokio::sync::Semaphore>,
}

impl Slots {
    pub fn new(email: usize, sms: usize) -> Slots {
        Slots {
            email: Arc::new(tokio::sync::Semaphore::new(email.max(1))),
            sms: Arc::new(tokio::sync::Semaphore::new(sms.max(1))),
        }
    }

    fn of(&self, message: &OutgoingMessage) -> Arc<tokio::sync::Semaphore> {
        match message {
            OutgoingMessage::Email(_) => Arc::clone(&self.email),
            OutgoingMessage::Sms(_) => Arc::clone(&self.sms),
        }
    }
}

/// What happened to one job, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Sent,
    Retrying,
    Failed,
    Skipped,
    AlreadyHandled,
}

impl Sender {
    /// Sends a job's rows: claimed and read in one go, sent concurrently, and
    /// each success recorded as soon as it is known — with whatever others have
    /// finished meanwhile, in one statement. Recording as they come keeps the
    /// window in which a killed worker leaves a sent message unrecorded (and
    /// the sweeper sends it again) to the sends in flight, not the whole job.
    pub async fn handle(self: &Arc<Self>, job: SendJob) -> Result<Vec<Handled>, escale_domain::DomainError> {
        let scope = TenantScope::new(TenantId(job.tenant_id));
        let ids: Vec<NotificationId> = job.ids().map(NotificationId).collect();
        let decisions = outbox::start_sending_many(&self.db, scope, &ids, &self.options, Utc::now()).await?;
        let mut handled = Vec::with_capacity(ids.len());
        let mut sends = tokio::task::JoinSet::new();
        for (id, decision) in decisions {
            match decision {
                SendDecision::Send(out) => {
                    let span = tracing::info_span!(
                        "send",
                        notification.id = %out.id,
                        tenant.id = %scope.id(),
                        request.id = out.request_id.as_deref().unwrap_or(""),
                    );
                    let sender = Arc::clone(self);
                    let slots = self.slots.of(&out.message);
                    // A task per send: they keep going while results are recorded.
                    // The slot is held until the result is written.
                    sends.spawn(
                        async move {
                            let slot = slots.acquire_owned().await.ok();
                            let result = sender.deliver(&out).await;
                            (out, result, slot)
                        }
                        .instrument(span),
                    );
                }
                SendDecision::AlreadyHandled => handled.push(Handled::AlreadyHandled),
                SendDecision::Skipped { status, reason } => {
                    metrics::counter!("escale_notifications_skipped_total").increment(1);
                    if let Some(label) = escale_domain::messaging::sms::limit_label(&reason) {
                        metrics::counter!("escale_sms_refused_total", "reason" => label).increment(1);
                    }
                    tracing::info!(notification.id = %id, tenant.id = %scope.id(), status = ?status, reason = %redact(&reason), "notification not sent");
                    handled.push(Handled::Skipped);
                }
            }
        }
        // From here on nothing returns early: every send in flight is awaited
        // and its outcome recorded (with retries), or left `sending` for the
        // sweeper only when the database stays away longer than
        // `record_patience`.
        let mut unrecorded = 0usize;
        while let Some(first) = sends.join_next().await {
            let mut done = vec![first];
            while let Some(more) = sends.try_join_next() {
                done.push(more);
            }
            let (mut finished, mut slots) = (Vec::with_capacity(done.len()), Vec::with_capacity(done.len()));
            for joined in done {
                match joined {
                    Ok((out, result, slot)) => {
                        finished.push((out, result));
                        slots.push(slot);
                    }
                    // A send that panicked stays `sending`: the sweeper returns it.
                    Err(e) => tracing::error!(tenant.id = %scope.id(), error = %e, "a send task failed"),
                }
            }
            unrecorded += self.record(scope, finished, &mut handled).await;
            drop(slots);
        }
        if unrecorded > 0 {
            metrics::counter!("escale_sends_unrecorded_total").increment(unrecorded as u64);
        }
        Ok(handled)
    }

    /// Runs [`Sender::handle`] on a task of its own, tracked for shutdown:
    /// the caller may be dropped (apalis drops a worker's futures when its
    /// backend fails) without abandoning the sends or their outcomes.
    pub async fn handle_detached(self: &Arc<Self>, job: SendJob) -> Result<Vec<Handled>, escale_domain::DomainError> {
        let sender = Arc::clone(self);
        let task = self.jobs.spawn(async move { sender.handle(job).await });
        task.await.map_err(|e| escale_domain::DomainError::internal(format!("a send job stopped: {e}")))?
    }

    /// Writes what became of finished sends: the successes first, in one
    /// statement (an unrecorded success is what the sweeper would send
    /// twice), then each failure. Returns how many outcomes could not be
    /// written within `record_patience`; those rows stay `sending`.
    async fn record(
        &self,
        scope: TenantScope,
        finished: Vec<(Box<Outgoing>, Result<Accepted, Failure>)>,
        handled: &mut Vec<Handled>,
    ) -> usize {
        let now = Utc::now();
        let mut sent = Vec::with_capacity(finished.len());
        let mut failed = Vec::new();
        for (out, result) in finished {
            match result {
                Ok(accepted) => sent.push((out, accepted)),
                Err(failure) => failed.push((out, failure)),
            }
        }
        let mut unrecorded = 0;
        if !sent.is_empty() {
            let rows: Vec<_> = sent.iter().map(|(out, accepted)| (out.id, accepted.clone())).collect();
            match self.persist(|| outbox::finish_sent_many(&self.db, scope, &rows, now)).await {
                Ok(_) => {
                    for (out, accepted) in &sent {
                        let channel = channel_of(out);
                        metrics::counter!("escale_notifications_total", "channel" => channel, "status" => "sent")
                            .increment(1);
                        if let Some(n) = accepted.sms_segments {
                            metrics::counter!("escale_sms_segments_total").increment(u64::from(n));
                        }
                        tracing::info!(notification.id = %out.id, tenant.id = %scope.id(), request.id = out.request_id.as_deref().unwrap_or(""), attempt = out.attempt, "notification sent");
                        handled.push(Handled::Sent);
                    }
                }
                Err(e) => {
                    unrecorded += sent.len();
                    tracing::error!(tenant.id = %scope.id(), rows = sent.len(), error = %e, "sent, but could not record it; the sweeper will return these rows");
                }
            }
        }
        for (out, failure) in failed {
            let (id, request, channel) = (out.id, out.request_id.as_deref().unwrap_or(""), channel_of(&out));
            let count = |status: &'static str| {
                metrics::counter!("escale_notifications_total", "channel" => channel, "status" => status).increment(1);
            };
            match failure {
                Failure::Transient(error) => {
                    let written = self
                        .persist(|| {
                            outbox::finish_retry(&self.db, scope, id, out.attempt, &error, self.retry_base, now)
                        })
                        .await;
                    let Ok(status) = written else {
                        unrecorded += 1;
                        continue;
                    };
                    if status == outbox::Status::Failed {
                        count("failed");
                    } else {
                        metrics::counter!("escale_job_retries_total", "channel" => channel).increment(1);
                        count("retrying");
                    }
                    tracing::warn!(notification.id = %id, tenant.id = %scope.id(), request.id = request, attempt = out.attempt, error = %redact(&error), next = ?status, "send failed; will retry");
                    handled.push(if status == outbox::Status::Failed { Handled::Failed } else { Handled::Retrying });
                }
                Failure::Permanent(error) => {
                    if self.persist(|| outbox::finish_failed(&self.db, scope, id, &error, now)).await.is_err() {
                        unrecorded += 1;
                        continue;
                    }
                    count("failed");
                    tracing::warn!(notification.id = %id, tenant.id = %scope.id(), request.id = request, error = %redact(&error), "send failed permanently");
                    handled.push(Handled::Failed);
                }
            }
        }
        unrecorded
    }

    /// Runs a write of outcomes until it succeeds or `record_patience` has
    /// passed, backing off from 50 ms to 2 s. Every outcome write is
    /// idempotent (it only moves rows still `sending`), so a write that
    /// succeeded but whose reply was lost is harmless to repeat. A lost
    /// connection is the common case: the pool opens a fresh one for the
    /// next attempt.
    async fn persist<T, F, Fut>(&self, write: F) -> Result<T, escale_domain::DomainError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, escale_domain::DomainError>>,
    {
        let deadline = tokio::time::Instant::now() + self.record_patience;
        let mut pause = std::time::Duration::from_millis(50);
        let mut attempt = 1u32;
        loop {
            match write().await {
                Ok(done) => {
                    if attempt > 1 {
                        tracing::info!(attempt, "recorded send outcomes after the database came back");
                    }
                    return Ok(done);
                }
                Err(e) if tokio::time::Instant::now() + pause < deadline => {
                    metrics::counter!("escale_record_retries_total").increment(1);
                    tracing::warn!(attempt, error = %e, "recording send outcomes failed; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_secs(2));
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn deliver(&self, out: &Outgoing) -> Result<Accepted, Failure> {
        match &out.message {
            OutgoingMessage::Email(email) => {
                let message = mail::build_message(email, &out.idempotency_key, out.id.0, &self.default_from)?;
                let provider_id = self.mailer.send(message, out.id.0).await?;
                Ok(Accepted {
                    provider_message_id: Some(truncate(provider_id)),
                    recipient: email.to.to_string(),
                    sms_segments: None,
                })
            }
            OutgoingMessage::Sms(sms) => {
                let request = SmsRequest {
                    tenant_id: out.tenant_id.0,
                    notification_id: out.id.0,
                    to: sms.to.as_e164().to_owned(),
                    sender_id: sms.sender_id.clone(),
                    text: sms.content.text.clone(),
                    segments: sms.content.length.segments,
                    idempotency_key: out.idempotency_key.clone(),
                };
                let accepted = self.sms.send(&request).await?;
                Ok(Accepted {
                    provider_message_id: Some(truncate(accepted.provider_message_id)),
                    recipient: request.to,
                    sms_segments: Some(request.segments),
                })
            }
        }
    }
}

fn channel_of(out: &Outgoing) -> &'static str {
    match &out.message {
        OutgoingMessage::Email(_) => "email",
        OutgoingMessage::Sms(_) => "sms",
    }
}

/// The column holds 128 characters; an SMTP server's reply can be longer.
fn truncate(mut s: String) -> String {
    if s.len() > 128 {
        let mut end = 128;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

enum Failure {
    Transient(String),
    Permanent(String),
}

impl From<MailError> for Failure {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Transient(m) => Failure::Transient(m),
            MailError::Permanent(m) => Failure::Permanent(m),
        }
    }
}

impl From<SmsError> for Failure {
    fn from(e: SmsError) -> Self {
        match e {
            SmsError::Transient(m) => Failure::Transient(m),
            SmsError::Permanent(m) => Failure::Permanent(m),
        }
    }
}

/// The apalis handler. It never asks apalis to retry: retries are the outbox's
/// business (the row goes back to pending with a backoff), so a job either
/// completes or is aborted. On a database error the row stays claimed and the
/// sweeper returns it to pending after its deadline.
pub async fn send_job(job: SendJob, sender: Data<Arc<Sender>>) -> Result<(), BoxDynError> {
    let (tenant, rows) = (job.tenant_id, job.ids().count());
    match sender.handle_detached(job).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(tenant.id = %tenant, rows, error = %e, "send job failed; the sweeper will retry its rows");
            Err(AbortError::new(e).into())
        }
    }
}
