//! Email: building the MIME message from a rendered outbox row, and the two
//! transports (pooled async SMTP, or `.eml` files for the embedded default).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use escale_domain::outbox::{OutgoingEmail, TICKET_QR_CID};
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};

use crate::config::MailConfig;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("temporary mail failure: {0}")]
    Transient(String),
    #[error("mail refused: {0}")]
    Permanent(String),
}

/// Builds the message. Its `Message-ID` is derived from the notification's
/// idempotency key: a retry after a crash carries the same id, so receiving
/// systems that deduplicate on it show one message.
pub fn build_message(
    email: &OutgoingEmail,
    idempotency_key: &str,
    notification_id: uuid::Uuid,
    default_from: &Mailbox,
) -> Result<Message, MailError> {
    let from = match &email.from_address {
        Some(address) => address
            .parse()
            .map(|a| Mailbox::new(Some(email.from_name.clone()), a))
            .map_err(|e| MailError::Permanent(format!("tenant sender address is invalid: {e}")))?,
        None => Mailbox::new(Some(email.from_name.clone()), default_from.email.clone()),
    };
    let to: Mailbox = email
        .to
        .as_str()
        .parse()
        .map_err(|e| MailError::Permanent(format!("recipient address refused by the mailer: {e}")))?;
    let digest = hex::encode(Sha256::digest(idempotency_key.as_bytes()));
    let domain = from.email.domain().to_owned();
    let mut builder = Message::builder();
    if let Some(url) = &email.unsubscribe_url {
        // RFC 2369 + RFC 8058: mail clients show an unsubscribe button that
        // POSTs `List-Unsubscribe=One-Click` to the link, no page to visit.
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .from(from)
        .to(to)
        .subject(email.content.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", &digest[..32])))
        .date(SystemTime::now())
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            email.locale.as_str().to_owned(),
        ))
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_owned()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Escale-Notification"),
            notification_id.to_string(),
        ))
        .multipart(body(email))
        .map_err(|e| MailError::Permanent(format!("cannot build the message: {e}")))
}

/// Text and HTML alternatives; when the HTML shows the ticket's QR code, the
/// image travels inline with it (multipart/related), as clients do not fetch
/// remote images by default and do not display SVG.
/// The stop's `.ics`, when there is one, is an attachment beside the message
/// (multipart/mixed), where every client offers "add to calendar".
fn body(email: &OutgoingEmail) -> MultiPart {
    let text = SinglePart::plain(email.content.text.clone());
    let html = SinglePart::html(email.content.html.clone());
    let alternative = match &email.qr_png {
        Some(png) => {
            let content_type = ContentType::parse("image/png").expect("a valid MIME type literal");
            let image = Attachment::new_inline_with_name(TICKET_QR_CID.to_owned(), "ticket-qr.png".to_owned())
                .body(png.clone(), content_type);
            MultiPart::alternative().singlepart(text).multipart(MultiPart::related().singlepart(html).singlepart(image))
        }
        None => MultiPart::alternative().singlepart(text).singlepart(html),
    };
    match &email.ics {
        Some(ics) => {
            let content_type =
                ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH").expect("a valid MIME type literal");
            let calendar = Attachment::new("escale.ics".to_owned()).body(ics.clone(), content_type);
            MultiPart::mixed().multipart(alternative).singlepart(calendar)
        }
        None => alternative,
    }
}

/// Where email goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files { dir: PathBuf },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Files { dir } => f.debug_struct("Mailer::Files").field("dir", dir).finish(),
        }
    }
}

impl Mailer {
    pub fn from_config(config: &MailConfig, pool_size: u32) -> anyhow::Result<Mailer> {
        match config {
            MailConfig::Smtp { url } => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a usable SMTP URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .pool_config(PoolConfig::new().max_size(pool_size).idle_timeout(Duration::from_secs(60)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            MailConfig::Files { dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("cannot create the mail outbox {}: {e}", dir.display()))?;
                Ok(Mailer::Files { dir: dir.clone() })
            }
        }
    }

    /// Sends; returns what identifies the message at the provider (the SMTP
    /// server's reply, or the file written).
    pub async fn send(&self, message: Message, notification_id: uuid::Uuid) -> Result<String, MailError> {
        match self {
            Mailer::Smtp(transport) => match transport.send(message).await {
                Ok(response) => Ok(response.message().collect::<Vec<_>>().join(" ")),
                // 5xx: the server refused it for good. Everything else — 4xx,
                // refused connections, timeouts — may work later.
                Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
                Err(e) => Err(MailError::Transient(e.to_string())),
            },
            Mailer::Files { dir } => {
                let path = dir.join(format!("{notification_id}.eml"));
                let tmp = dir.join(format!(".{notification_id}.eml.tmp"));
                tokio::fs::write(&tmp, message.formatted())
                    .await
                    .map_err(|e| MailError::Transient(format!("cannot write {}: {e}", tmp.display())))?;
                // Rename is atomic: a reader never sees half a message.
                tokio::fs::rename(&tmp, &path)
                    .await
                    .map_err(|e| MailError::Transient(format!("cannot write {}: {e}", path.display())))?;
                Ok(path.display().to_string())
            }
        }
    }
}
