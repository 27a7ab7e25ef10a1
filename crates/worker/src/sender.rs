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
            self.record(scope, finished, &mut handled).await?;
            drop(slots);
        }
        Ok(handled)
    }

    /// Writes what became of finished sends: the successes in one statement.
    async fn record(
        &self,
        scope: TenantScope,
        finished: Vec<(Box<Outgoing>, Result<Accepted, Failure>)>,
        handled: &mut Vec<Handled>,
    ) -> Result<(), escale_domain::DomainError> {
        let now = Utc::now();
        let mut sent = Vec::with_capacity(finished.len());
        for (out, result) in finished {
            let (id, request) = (out.id, out.request_id.as_deref().unwrap_or(""));
            let channel = match &out.message {
                OutgoingMessage::Email(_) => "email",
                OutgoingMessage::Sms(_) => "sms",
            };
            let count = |status: &'static str| {
                metrics::counter!("escale_notifications_total", "channel" => channel, "status" => status).increment(1);
            };
            match result {
                Ok(accepted) => {
                    count("sent");
                    if let Some(n) = accepted.sms_segments {
                        metrics::counter!("escale_sms_segments_total").increment(u64::from(n));
                    }
                    tracing::info!(notification.id = %id, tenant.id = %scope.id(), request.id = request, attempt = out.attempt, "notification sent");
                    sent.push((id, accepted));
                    handled.push(Handled::Sent);
                }
                Err(Failure::Transient(error)) => {
                    let status =
                        outbox::finish_retry(&self.db, scope, id, out.attempt, &error, self.retry_base, now).await?;
                    if status == outbox::Status::Failed {
                        count("failed");
                    } else {
                        metrics::counter!("escale_job_retries_total", "channel" => channel).increment(1);
                        count("retrying");
                    }
                    tracing::warn!(notification.id = %id, tenant.id = %scope.id(), request.id = request, attempt = out.attempt, error = %redact(&error), next = ?status, "send failed; will retry");
                    handled.push(if status == outbox::Status::Failed { Handled::Failed } else { Handled::Retrying });
                }
                Err(Failure::Permanent(error)) => {
                    outbox::finish_failed(&self.db, scope, id, &error, now).await?;
                    count("failed");
                    tracing::warn!(notification.id = %id, tenant.id = %scope.id(), request.id = request, error = %redact(&error), "send failed permanently");
                    handled.push(Handled::Failed);
                }
            }
        }
        if !sent.is_empty() {
            outbox::finish_sent_many(&self.db, scope, &sent, now).await?;
        }
        Ok(())
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
    match sender.handle(job).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(tenant.id = %tenant, rows, error = %e, "send job failed; the sweeper will retry its rows");
            Err(AbortError::new(e).into())
        }
    }
}
