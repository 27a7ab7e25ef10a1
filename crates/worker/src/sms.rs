//! SMS providers behind one trait. The embedded default writes SMS to a local
//! outbox file; production adapters (Orange-style, Twilio-style) implement the
//! same trait.

use std::path::PathBuf;

use async_trait::async_trait;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

/// One SMS to hand to a provider.
#[derive(Debug, Clone)]
pub struct SmsRequest {
    pub tenant_id: uuid::Uuid,
    pub notification_id: uuid::Uuid,
    /// E.164.
    pub to: String,
    pub sender_id: Option<String>,
    pub text: String,
    pub segments: u32,
    /// Stable per message: providers that support idempotency keys get it.
    pub idempotency_key: String,
}

#[derive(Debug, Clone)]
pub struct SmsAccepted {
    pub provider_message_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// Worth trying again later (timeout, 5xx, 429).
    #[error("temporary SMS failure: {0}")]
    Transient(String),
    /// Will never work (invalid number, refused content).
    #[error("SMS refused: {0}")]
    Permanent(String),
}

#[async_trait]
pub trait SmsProvider: Send + Sync + std::fmt::Debug {
    fn name(&self) -> &'static str;
    async fn send(&self, sms: &SmsRequest) -> Result<SmsAccepted, SmsError>;
}

/// The embedded default: each SMS is one JSON line appended to
/// `<dir>/outbox.jsonl`, where a developer can read what would have been sent.
#[derive(Debug)]
pub struct OutboxSms {
    file: PathBuf,
    lock: Mutex<()>,
}

impl OutboxSms {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { file: dir.join("outbox.jsonl"), lock: Mutex::new(()) })
    }
}

#[derive(Serialize)]
struct OutboxLine<'a> {
    id: String,
    at: String,
    to: &'a str,
    sender: Option<&'a str>,
    segments: u32,
    text: &'a str,
}

#[async_trait]
impl SmsProvider for OutboxSms {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn send(&self, sms: &SmsRequest) -> Result<SmsAccepted, SmsError> {
        let line = OutboxLine {
            id: sms.notification_id.to_string(),
            at: chrono::Utc::now().to_rfc3339(),
            to: &sms.to,
            sender: sms.sender_id.as_deref(),
            segments: sms.segments,
            text: &sms.text,
        };
        let mut bytes = serde_json::to_vec(&line).map_err(|e| SmsError::Permanent(e.to_string()))?;
        bytes.push(b'\n');
        // One writer at a time, so lines never interleave.
        let _guard = self.lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .await
            .map_err(|e| SmsError::Transient(format!("cannot open {}: {e}", self.file.display())))?;
        file.write_all(&bytes).await.map_err(|e| SmsError::Transient(e.to_string()))?;
        file.flush().await.map_err(|e| SmsError::Transient(e.to_string()))?;
        Ok(SmsAccepted { provider_message_id: format!("outbox-{}", sms.notification_id) })
    }
}
