//! Configuration from the environment, checked before anything starts: each
//! problem is one line that names the variable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use escale_domain::DatabaseConnection;
use escale_domain::db::{self, DbConfig};
use escale_gateway::limits::{Bucket, Limits, Quota, Quotas};
use escale_worker::sms_http::{OrangeConfig, ReceiptTarget, Secret, TwilioConfig};
use escale_worker::{MailConfig, QueueConfig, SmsConfig, WorkerConfig};

/// A configuration problem an operator can fix.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self { variable, message: message.into() }
    }
}

pub fn required(variable: &'static str) -> Result<String, ConfigError> {
    match std::env::var(variable) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(ConfigError::new(variable, "is required for this command and is not set")),
    }
}

fn optional(variable: &'static str) -> Option<String> {
    std::env::var(variable).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(variable: &'static str, default: T) -> Result<T, ConfigError> {
    match optional(variable) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError::new(variable, format!("{v:?} is not a number"))),
    }
}

/// `ESCALE_TRUST_PROXY=1`: the gateway sits behind a proxy that sets
/// `X-Forwarded-For` (an ingress); per-address limits then use that address.
pub fn trust_proxy() -> Result<bool, ConfigError> {
    flag("ESCALE_TRUST_PROXY")
}

/// `ESCALE_GRAPHQL_EXPLORER=1`: introspection and the explorer page on a
/// production gateway (off by default: strangers need not see the schema).
pub fn graphql_explorer() -> Result<bool, ConfigError> {
    flag("ESCALE_GRAPHQL_EXPLORER")
}

/// `ESCALE_METRICS_TOKEN`: the bearer token Prometheus sends for the
/// gateway's `/metrics`; unset, the route answers 404 on `escale gateway`.
pub fn metrics_access() -> Result<escale_gateway::MetricsAccess, ConfigError> {
    match optional("ESCALE_METRICS_TOKEN") {
        None => Ok(escale_gateway::MetricsAccess::Off),
        Some(token) if token.len() < 24 => {
            Err(ConfigError::new("ESCALE_METRICS_TOKEN", "must be at least 24 characters (e.g. openssl rand -hex 24)"))
        }
        Some(token) => Ok(escale_gateway::MetricsAccess::Token(token.into())),
    }
}

fn flag(variable: &'static str) -> Result<bool, ConfigError> {
    match optional(variable).as_deref() {
        None | Some("0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(other) => Err(ConfigError::new(variable, format!("{other:?} is not 1/true or 0/false"))),
    }
}

/// How long anonymous query answers are shared (`ESCALE_PUBLIC_CACHE_MS`,
/// default 1000; 0 turns the cache off).
pub fn public_cache_ttl() -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(number("ESCALE_PUBLIC_CACHE_MS", 1000u64)?))
}

/// How long the gateway lets in-flight requests finish after SIGTERM
/// (`ESCALE_SHUTDOWN_TIMEOUT_SECS`, default 20): under an orchestrator's grace
/// period, so the process exits on its own, not by SIGKILL.
pub fn shutdown_deadline() -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(number("ESCALE_SHUTDOWN_TIMEOUT_SECS", 20u64)?))
}

/// The variable of each rate limit other than API keys', as
/// `PER_MINUTE:BURST` (docs/SECURITY.md lists the defaults).
const LIMIT_VARIABLES: [(Bucket, &str); 8] = [
    (Bucket::RegisterPerAddress, "ESCALE_LIMIT_REGISTER_PER_ADDRESS"),
    (Bucket::RegisterPerStop, "ESCALE_LIMIT_REGISTER_PER_STOP"),
    (Bucket::PublicPerAddress, "ESCALE_LIMIT_PUBLIC_PER_ADDRESS"),
    (Bucket::LoginPerAccountAddress, "ESCALE_LIMIT_LOGIN_PER_ACCOUNT_ADDRESS"),
    (Bucket::LoginPerAccount, "ESCALE_LIMIT_LOGIN_PER_ACCOUNT"),
    (Bucket::LoginPerAddress, "ESCALE_LIMIT_LOGIN_PER_ADDRESS"),
    (Bucket::CheckInPerMember, "ESCALE_LIMIT_CHECK_IN_PER_MEMBER"),
    (Bucket::TeamChangesPerMember, "ESCALE_LIMIT_TEAM_CHANGES_PER_MEMBER"),
];

fn limit(variable: &'static str, default: Quota) -> Result<Quota, ConfigError> {
    let Some(raw) = optional(variable) else { return Ok(default) };
    let bad = || {
        ConfigError::new(variable, format!("{raw:?} is not PER_MINUTE:BURST (two numbers of at least 1, e.g. 30:20)"))
    };
    let (rate, burst) = raw.split_once(':').ok_or_else(bad)?;
    let rate: u32 = rate.trim().parse().map_err(|_| bad())?;
    let burst: u32 = burst.trim().parse().map_err(|_| bad())?;
    if rate == 0 || burst == 0 {
        return Err(bad());
    }
    Ok(Quota::per_minute(rate, burst))
}

/// Every rate limit. API keys: `ESCALE_API_KEY_RATE_PER_MINUTE` (default 120)
/// with a burst of `ESCALE_API_KEY_BURST` (default 30), per key; the others
/// from `LIMIT_VARIABLES`. Shared through Redis when `REDIS_URL` is set, so
/// replicas draw from one bucket.
pub fn limits() -> Result<Limits, ConfigError> {
    let per_minute = number("ESCALE_API_KEY_RATE_PER_MINUTE", 120u32)?;
    let burst = number("ESCALE_API_KEY_BURST", 30u32)?;
    if per_minute == 0 {
        return Err(ConfigError::new("ESCALE_API_KEY_RATE_PER_MINUTE", "must be at least 1"));
    }
    if burst == 0 {
        return Err(ConfigError::new("ESCALE_API_KEY_BURST", "must be at least 1"));
    }
    let mut quotas = Quotas::default().with(Bucket::ApiKey, Quota::per_minute(per_minute, burst));
    for (bucket, variable) in LIMIT_VARIABLES {
        quotas = quotas.with(bucket, limit(variable, quotas.of(bucket))?);
    }
    match optional("REDIS_URL") {
        Some(url) => {
            check_redis_url(&url)?;
            Limits::redis(&url, &queue_prefix(), quotas)
                .map_err(|e| ConfigError::new("REDIS_URL", format!("is not usable ({e})")))
        }
        None => Ok(Limits::memory(quotas)),
    }
}

/// `ESCALE_PUBLIC_URL`: where participants reach the gateway
/// (`https://escale.example.org`), for the links in messages.
pub fn public_url() -> Result<Option<url::Url>, ConfigError> {
    match optional("ESCALE_PUBLIC_URL") {
        Some(raw) => http_url("ESCALE_PUBLIC_URL", &raw).map(Some),
        None => Ok(None),
    }
}

/// `ESCALE_SMS_SEGMENT_PRICE` (`0.35 MAD`): the provider's price per SMS
/// segment, for the console's cost estimate.
pub fn sms_segment_price() -> Result<Option<escale_domain::messaging::sms::SegmentPrice>, ConfigError> {
    optional("ESCALE_SMS_SEGMENT_PRICE")
        .map(|raw| raw.parse().map_err(|why: String| ConfigError::new("ESCALE_SMS_SEGMENT_PRICE", why)))
        .transpose()
}

pub fn database_config(url: String) -> Result<DbConfig, ConfigError> {
    let parsed = url::Url::parse(&url).map_err(|e| ConfigError::new("DATABASE_URL", format!("is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql" | "sqlite") {
        return Err(ConfigError::new(
            "DATABASE_URL",
            format!("scheme {:?} is not supported (use postgres:// or sqlite://)", parsed.scheme()),
        ));
    }
    let mut config = DbConfig::new(url);
    config.max_connections = number("DATABASE_MAX_CONNECTIONS", 10u32)?;
    Ok(config)
}

/// `redis://` only: the Redis client is built without TLS (one TLS stack,
/// lettre's, is enough to audit), so a `rediss://` URL would fail at the first
/// job rather than here.
fn check_redis_url(url: &str) -> Result<(), ConfigError> {
    if url.trim_start().to_ascii_lowercase().starts_with("rediss:") {
        return Err(ConfigError::new(
            "REDIS_URL",
            "rediss:// (TLS) is not supported: reach Redis on a private network with redis://, or through a TLS sidecar",
        ));
    }
    check_url("REDIS_URL", url, &["redis"])
}

fn check_url(variable: &'static str, url: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(url).map_err(|e| ConfigError::new(variable, format!("is not a URL ({e})")))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(ConfigError::new(
            variable,
            format!("scheme {:?} is not supported (use {})", parsed.scheme(), schemes.join(" or ")),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::new(variable, "has no host"));
    }
    Ok(())
}

pub async fn connect(config: &DbConfig) -> Result<DatabaseConnection, ConfigError> {
    db::connect(config).await.map_err(|e| ConfigError::new("DATABASE_URL", e.to_string()))
}

fn tune(worker: &mut WorkerConfig) -> Result<(), ConfigError> {
    if let Some(from) = optional("MAIL_FROM") {
        worker.default_from = from;
    }
    worker.poll_interval = Duration::from_millis(number("ESCALE_DISPATCH_INTERVAL_MS", 500u64)?);
    worker.batch_size = number("ESCALE_DISPATCH_BATCH", escale_worker::config::DEFAULT_DISPATCH_BATCH)?.max(1);
    worker.max_queued = number("ESCALE_QUEUE_MAX_DEPTH", 2000u32)?.clamp(1, 5000);
    worker.email_concurrency = number("ESCALE_EMAIL_CONCURRENCY", 32usize)?.max(1);
    worker.sms_concurrency = number("ESCALE_SMS_CONCURRENCY", 64usize)?.max(1);
    worker.job_size = number("ESCALE_SEND_JOB_SIZE", 64usize)?.clamp(1, 100);
    worker.drain_timeout = Duration::from_secs(number("ESCALE_DRAIN_TIMEOUT_SECS", 20u64)?);
    worker.public_url = public_url()?;
    worker.retry_base = Duration::from_millis(number("ESCALE_RETRY_BASE_MS", 30_000u64)?.max(1));
    worker.sweep_interval = Duration::from_secs(number("ESCALE_SWEEP_INTERVAL_SECS", 30u64)?.max(1));
    worker.queued_timeout = Duration::from_secs(number("ESCALE_QUEUED_TIMEOUT_SECS", 600u64)?.max(1));
    worker.sending_timeout = Duration::from_secs(number("ESCALE_SENDING_TIMEOUT_SECS", 300u64)?.max(1));
    Ok(())
}

/// An http(s) base URL from `variable` (or `default`), ending with `/` so that
/// joining a path keeps its last segment.
fn http_url(variable: &'static str, default: &str) -> Result<url::Url, ConfigError> {
    let raw = optional(variable).unwrap_or_else(|| default.to_owned());
    check_url(variable, &raw, &["http", "https"])?;
    let mut url = url::Url::parse(&raw).map_err(|e| ConfigError::new(variable, format!("is not a URL ({e})")))?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `ESCALE_SMS_WEBHOOK_SECRET`: what providers' delivery receipts and inbound
/// messages must carry (`?key=`). Long enough not to be guessed.
pub fn sms_webhook_secret() -> Result<Option<String>, ConfigError> {
    match optional("ESCALE_SMS_WEBHOOK_SECRET") {
        Some(s) if s.len() < 24 => Err(ConfigError::new(
            "ESCALE_SMS_WEBHOOK_SECRET",
            "must be at least 24 characters (e.g. `openssl rand -hex 24`)",
        )),
        other => Ok(other),
    }
}

/// `SMS_PROVIDER`: `outbox` (JSON lines under `outbox_dir`), `orange` or `twilio`.
fn sms_config(outbox_dir: PathBuf, public_url: Option<&url::Url>) -> Result<SmsConfig, ConfigError> {
    let receipts = match (public_url, sms_webhook_secret()?) {
        (Some(url), Some(secret)) => Some(ReceiptTarget { public_url: url.clone(), secret: Secret(secret) }),
        _ => None,
    };
    match optional("SMS_PROVIDER").as_deref() {
        None | Some("outbox") => Ok(SmsConfig::Outbox { dir: outbox_dir }),
        Some("orange") => Ok(SmsConfig::Orange {
            config: OrangeConfig {
                base_url: http_url("ORANGE_API_URL", "https://api.orange.com/")?,
                client_id: required("ORANGE_CLIENT_ID")?,
                client_secret: Secret(required("ORANGE_CLIENT_SECRET")?),
                sender_address: {
                    let sender = required("ORANGE_SENDER_ADDRESS")?;
                    if !sender.starts_with("tel:+") {
                        return Err(ConfigError::new("ORANGE_SENDER_ADDRESS", "must look like tel:+212XXXXXXXXX"));
                    }
                    sender
                },
                sender_name: optional("ORANGE_SENDER_NAME"),
            },
            receipts,
        }),
        Some("twilio") => Ok(SmsConfig::Twilio {
            config: TwilioConfig {
                base_url: http_url("TWILIO_API_URL", "https://api.twilio.com/")?,
                account_sid: required("TWILIO_ACCOUNT_SID")?,
                auth_token: Secret(required("TWILIO_AUTH_TOKEN")?),
                from: required("TWILIO_FROM")?,
            },
            receipts,
        }),
        Some(other) => Err(ConfigError::new("SMS_PROVIDER", format!("{other:?} is not one of outbox, orange, twilio"))),
    }
}

fn queue_prefix() -> String {
    optional("ESCALE_QUEUE_PREFIX").unwrap_or_else(|| "escale".to_owned())
}

/// `escale serve`: embedded adapters under the data directory, each replaced by
/// its production counterpart when its variable is set.
pub struct Embedded {
    pub database: DbConfig,
    pub worker: WorkerConfig,
    /// What to tell the person who started it.
    pub describe: Vec<String>,
}

impl Embedded {
    pub fn resolve(data_dir: &Path) -> Result<Embedded, ConfigError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| ConfigError::new("ESCALE_DATA_DIR", format!("cannot create {}: {e}", data_dir.display())))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|e| ConfigError::new("ESCALE_DATA_DIR", format!("cannot use {}: {e}", data_dir.display())))?;
        let mut describe = Vec::new();
        let database = match optional("DATABASE_URL") {
            Some(url) => {
                describe.push(format!("Database:  {}", db::redact_url(&url)));
                database_config(url)?
            }
            None => {
                let path = data_dir.join("escale.db");
                describe.push(format!("Database:  {} (SQLite)", path.display()));
                let mut config = DbConfig::new(format!("sqlite://{}?mode=rwc", path.display()));
                config.max_connections = 8;
                config
            }
        };
        let queue = match optional("REDIS_URL") {
            Some(url) => {
                check_redis_url(&url)?;
                describe.push(format!("Queue:     {} (Redis)", db::redact_url(&url)));
                QueueConfig::Redis { url, prefix: queue_prefix() }
            }
            None => {
                let path = data_dir.join("queue.db");
                describe.push(format!("Queue:     {} (embedded)", path.display()));
                QueueConfig::Sqlite { path }
            }
        };
        let mail = match optional("SMTP_URL") {
            Some(url) => {
                check_url("SMTP_URL", &url, &["smtp", "smtps"])?;
                describe.push(format!("Email:     {} (SMTP)", db::redact_url(&url)));
                MailConfig::Smtp { url }
            }
            None => {
                let dir = data_dir.join("outbox").join("mail");
                describe.push(format!("Email:     {}/*.eml", dir.display()));
                MailConfig::Files { dir }
            }
        };
        let sms_dir: PathBuf = data_dir.join("outbox").join("sms");
        let sms = sms_config(sms_dir.clone(), public_url()?.as_ref())?;
        describe.push(match &sms {
            SmsConfig::Outbox { .. } => format!("SMS:       {}/outbox.jsonl", sms_dir.display()),
            SmsConfig::Orange { config, .. } => format!("SMS:       Orange API at {}", config.base_url),
            SmsConfig::Twilio { config, .. } => format!("SMS:       Twilio API at {}", config.base_url),
        });
        let mut worker = WorkerConfig::new(queue, mail, sms);
        tune(&mut worker)?;
        Ok(Embedded { database, worker, describe })
    }
}

/// `escale worker`: production adapters only; every missing variable is an error.
pub struct Production {
    pub database: DbConfig,
    pub worker: WorkerConfig,
}

impl Production {
    pub fn resolve() -> Result<Production, ConfigError> {
        let database = database_config(required("DATABASE_URL")?)?;
        let redis = required("REDIS_URL")?;
        check_redis_url(&redis)?;
        let smtp = required("SMTP_URL")?;
        check_url("SMTP_URL", &smtp, &["smtp", "smtps"])?;
        let sms_dir =
            PathBuf::from(optional("ESCALE_SMS_OUTBOX_DIR").unwrap_or_else(|| "./escale-data/outbox/sms".to_owned()));
        let sms = sms_config(sms_dir, public_url()?.as_ref())?;
        let mut worker = WorkerConfig::new(
            QueueConfig::Redis { url: redis, prefix: queue_prefix() },
            MailConfig::Smtp { url: smtp },
            sms,
        );
        tune(&mut worker)?;
        Ok(Production { database, worker })
    }
}
