//! The worker's configuration, built by the command line from flags and the
//! environment (and in code by tests).

use std::path::PathBuf;
use std::time::Duration;

use crate::sms_http::{OrangeConfig, ReceiptTarget, TwilioConfig};

/// Where the queues live.
#[derive(Clone)]
pub enum QueueConfig {
    /// Production: Redis. `prefix` namespaces the keys (`escale:email:…`), so
    /// several deployments or tests can share one Redis.
    Redis { url: String, prefix: String },
    /// Embedded default: an SQLite file of its own (never the platform's
    /// database file: apalis switches its file to `synchronous=OFF`).
    Sqlite { path: PathBuf },
}

impl std::fmt::Debug for QueueConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueueConfig::Redis { url, prefix } => f
                .debug_struct("Redis")
                .field("url", &escale_domain::db::redact_url(url))
                .field("prefix", prefix)
                .finish(),
            QueueConfig::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
        }
    }
}

/// How email leaves.
#[derive(Clone)]
pub enum MailConfig {
    /// `smtp://host:port` (plain, or STARTTLS with `?tls=required`),
    /// `smtps://host:465`; credentials in the URL's user info.
    Smtp { url: String },
    /// One `.eml` file per message in this directory.
    Files { dir: PathBuf },
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailConfig::Smtp { url } => {
                f.debug_struct("Smtp").field("url", &escale_domain::db::redact_url(url)).finish()
            }
            MailConfig::Files { dir } => f.debug_struct("Files").field("dir", dir).finish(),
        }
    }
}

/// How SMS leave.
#[derive(Debug, Clone)]
pub enum SmsConfig {
    /// JSON lines in this directory: the embedded default's local outbox.
    Outbox { dir: PathBuf },
    /// An Orange-style API (OAuth2 client credentials, OneAPI `smsmessaging`).
    Orange { config: OrangeConfig, receipts: Option<ReceiptTarget> },
    /// A Twilio-style API.
    Twilio { config: TwilioConfig, receipts: Option<ReceiptTarget> },
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub queue: QueueConfig,
    pub mail: MailConfig,
    pub sms: SmsConfig,
    /// `From:` for tenants that have no sender of their own.
    pub default_from: String,
    /// How often the dispatcher looks for due notifications when not woken.
    pub poll_interval: Duration,
    /// Notifications claimed per dispatcher round.
    pub batch_size: u32,
    /// Jobs allowed to wait in each channel's queue; the rest wait in the outbox.
    pub max_queued: u32,
    /// Messages being sent at once by email (also the SMTP connections kept).
    pub email_concurrency: usize,
    /// SMS requests in flight at once.
    pub sms_concurrency: usize,
    /// Notifications per queue job: a job's database work is a few statements
    /// whatever its size.
    pub job_size: usize,
    /// How long a claim lasts: a row claimed longer ago lost its job and is claimed again.
    pub queued_timeout: Duration,
    /// A row sending longer than this lost its sender: it goes back to pending.
    pub sending_timeout: Duration,
    pub sweep_interval: Duration,
    /// How long shutdown waits for in-flight sends.
    pub drain_timeout: Duration,
    /// The gateway's public address, for unsubscribe links; none, no links.
    pub public_url: Option<url::Url>,
    /// The first backoff after a transient failure (then doubled each time).
    pub retry_base: Duration,
}

/// Rows claimed per statement by the dispatcher, by default.
pub const DEFAULT_DISPATCH_BATCH: u32 = 2000;

impl WorkerConfig {
    /// Sensible defaults around the three choices that differ per deployment.
    pub fn new(queue: QueueConfig, mail: MailConfig, sms: SmsConfig) -> Self {
        Self {
            queue,
            mail,
            sms,
            default_from: "Escale <noreply@escale.invalid>".to_owned(),
            poll_interval: Duration::from_millis(500),
            batch_size: DEFAULT_DISPATCH_BATCH,
            max_queued: 2000,
            email_concurrency: 32,
            sms_concurrency: 64,
            job_size: 64,
            queued_timeout: Duration::from_secs(600),
            sending_timeout: Duration::from_secs(300),
            sweep_interval: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(20),
            public_url: None,
            retry_base: escale_domain::messaging::outbox::RETRY_BASE,
        }
    }
}
