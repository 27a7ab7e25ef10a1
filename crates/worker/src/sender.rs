//! The job handler: one notification id in, at most one message out.

use std::sync::Arc;

use apalis::prelude::{AbortError, BoxDynError, Data};
use chrono::Utc;
use escale_domain::DatabaseConnection;
use escale_domain::ids::{NotificationId, TenantId};
use escale_domain::outbox::{self, Accepted, Outgoing, OutgoingMessage, SendDecision, SendOptions};
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
    pub async fn handle(&self, job: SendJob) -> Result<Handled, escale_domain::DomainError> {
        let scope = TenantScope::new(TenantId(job.tenant_id));
        let id = NotificationId(job.notification_id);
        let out = match outbox::start_sending(&self.db, scope, id, &self.options, Utc::now()).await? {
            SendDecision::Send(out) => out,
            SendDecision::AlreadyHandled => return Ok(Handled::AlreadyHandled),
            SendDecision::Skipped { status, reason } => {
                metrics::counter!("escale_notifications_skipped_total").increment(1);
                tracing::info!(notification.id = %id, tenant.id = %scope.id(), status = ?status, %reason, "notification not sent");
                return Ok(Handled::Skipped);
            }
        };
        let span = tracing::info_span!(
            "send",
            notification.id = %id,
            tenant.id = %scope.id(),
            request.id = out.request_id.as_deref().unwrap_or(""),
        );
        let result = self.deliver(&out).instrument(span).await;
        let request = out.request_id.as_deref().unwrap_or("");
        let now = Utc::now();
        let channel = match &out.message {
            OutgoingMessage::Email(_) => "email",
            OutgoingMessage::Sms(_) => "sms",
        };
        let count = |status: &'static str| {
            metrics::counter!("escale_notifications_total", "channel" => channel, "status" => status).increment(1);
        };
        match result {
            Ok(accepted) => {
                let segments = accepted.sms_segments;
                outbox::finish_sent(&self.db, scope, id, accepted, now).await?;
                count("sent");
                if let Some(n) = segments {
                    metrics::counter!("escale_sms_segments_total").increment(u64::from(n));
                }
                tracing::info!(notification.id = %id, tenant.id = %scope.id(), request.id = request, attempt = out.attempt, "notification sent");
                Ok(Handled::Sent)
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
                Ok(if status == outbox::Status::Failed { Handled::Failed } else { Handled::Retrying })
            }
            Err(Failure::Permanent(error)) => {
                outbox::finish_failed(&self.db, scope, id, &error, now).await?;
                count("failed");
                tracing::warn!(notification.id = %id, tenant.id = %scope.id(), request.id = request, error = %redact(&error), "send failed permanently");
                Ok(Handled::Failed)
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
    match sender.handle(job).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(notification.id = %job.notification_id, error = %e, "send job failed; the sweeper will retry it");
            Err(AbortError::new(e).into())
        }
    }
}
