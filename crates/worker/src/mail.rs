//! Email: building the MIME message from a rendered outbox row, and the two
//! transports (pooled async SMTP, or `.eml` files for the embedded default).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use escale_domain::messaging::outbox::{OutgoingEmail, TICKET_QR_CID};
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
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
    /// lettre's pooled transport: TLS (STARTTLS or implicit) and authentication.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Plain SMTP to a relay (`smtp://host:port`, no TLS, no login — the usual
    /// local MTA or in-cluster relay): our own pool of lettre connections over
    /// sockets with `TCP_NODELAY`.
    Relay(Arc<RelayPool>),
    Files {
        dir: PathBuf,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Relay(p) => f.debug_struct("Mailer::Relay").field("host", &p.host).field("port", &p.port).finish(),
            Mailer::Files { dir } => f.debug_struct("Mailer::Files").field("dir", dir).finish(),
        }
    }
}

/// How long one SMTP exchange may take before it counts as a transient failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a NOOP or a QUIT may take: a relay that does not answer them
/// quickly is treated as gone.
const SMTP_PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle connections older than this are closed rather than reused: relays
/// drop idle sessions after a while, and a message sent on a dead one would
/// wait out a retry backoff for nothing.
const SMTP_IDLE: Duration = Duration::from_secs(50);

/// Connections to a plain SMTP relay, reused across messages.
///
/// Why not lettre's pool: it never sets `TCP_NODELAY`, and an SMTP
/// conversation is a ping-pong of small writes (`MAIL FROM`, `RCPT TO`,
/// `DATA`, the body's last packet) — Nagle's algorithm holds each small write
/// until the previous one is acknowledged, and the server's delayed ACK takes
/// up to 40 ms: ~58 ms per message per connection in the notification
/// benchmark (docs/BENCHMARKS.md). lettre's connections accept a stream we
/// open ourselves, so this pool opens them with `TCP_NODELAY`.
pub struct RelayPool {
    host: String,
    port: u16,
    hello: ClientId,
    idle: tokio::sync::Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    permits: tokio::sync::Semaphore,
}

impl std::fmt::Debug for RelayPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayPool").field("host", &self.host).field("port", &self.port).finish_non_exhaustive()
    }
}

impl RelayPool {
    fn new(host: String, port: u16, hello: ClientId, size: u32) -> Self {
        let size = usize::try_from(size.max(1)).unwrap_or(1);
        Self {
            host,
            port,
            hello,
            idle: tokio::sync::Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(size),
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, MailError> {
        let transient = |e: String| MailError::Transient(format!("cannot reach {}:{}: {e}", self.host, self.port));
        let stream =
            tokio::time::timeout(SMTP_TIMEOUT, tokio::net::TcpStream::connect((self.host.as_str(), self.port)))
                .await
                .map_err(|_| transient("connection timed out".into()))?
                .map_err(|e| transient(e.to_string()))?;
        stream.set_nodelay(true).map_err(|e| transient(e.to_string()))?;
        tokio::time::timeout(SMTP_TIMEOUT, AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello))
            .await
            .map_err(|_| transient("no greeting in time".into()))?
            .map_err(|e| classify(&e))
    }

    /// A live connection: a recent idle one, one that still answers NOOP, or a
    /// new one. True when it was reused from the pool.
    async fn checkout(&self) -> Result<(AsyncSmtpConnection, bool), MailError> {
        loop {
            let Some((mut conn, since)) = self.idle.lock().await.pop() else { break };
            let age = since.elapsed();
            // NOOP under a short deadline: a half-open relay must not hold a
            // slot until the kernel gives up on the socket.
            if age < Duration::from_secs(1)
                || (age < SMTP_IDLE
                    && tokio::time::timeout(SMTP_PROBE_TIMEOUT, conn.test_connected()).await.unwrap_or(false))
            {
                return Ok((conn, true));
            }
            close(conn).await;
        }
        Ok((self.connect().await?, false))
    }

    async fn send(&self, message: &Message) -> Result<Response, MailError> {
        let _permit = self.permits.acquire().await.map_err(|e| MailError::Transient(e.to_string()))?;
        let (conn, reused) = self.checkout().await?;
        let raw = message.formatted();
        match self.send_on(conn, message, &raw).await {
            // A pooled connection the relay had just closed fails at its first
            // command: once, at once, on a fresh connection, rather than a whole
            // retry backoff for nothing. (Should the relay have cut it after
            // accepting the message instead, this can send it twice: the
            // mid-conversation window docs/ARCHITECTURE.md describes.)
            Err((e, true)) if reused => {
                tracing::debug!(error = %e, "pooled SMTP connection was closed; sending on a fresh one");
                let fresh = self.connect().await?;
                self.send_on(fresh, message, &raw).await.map_err(|(e, _)| e)
            }
            other => other.map_err(|(e, _)| e),
        }
    }

    /// Sends on `conn`, and pools it again on success. On failure, also whether
    /// the connection itself was broken (not a reply of the server's).
    async fn send_on(
        &self,
        mut conn: AsyncSmtpConnection,
        message: &Message,
        raw: &[u8],
    ) -> Result<Response, (MailError, bool)> {
        match tokio::time::timeout(SMTP_TIMEOUT, conn.send(message.envelope(), raw)).await {
            Ok(Ok(response)) => {
                self.idle.lock().await.push((conn, Instant::now()));
                Ok(response)
            }
            // The session's state after a failure is unknown: never reuse it.
            Ok(Err(e)) => {
                // No reply code (a reset, an EOF, an incomplete reply): the
                // connection itself broke, not the server's answer.
                let broken = !e.is_transient() && !e.is_permanent() && !e.is_timeout();
                close(conn).await;
                Err((classify(&e), broken))
            }
            Err(_) => {
                let e = MailError::Transient(format!("no answer from {}:{} within 20 s", self.host, self.port));
                Err((e, false))
            }
        }
    }
}

/// QUIT, under a short deadline, then the socket is dropped.
async fn close(mut conn: AsyncSmtpConnection) {
    let _ = tokio::time::timeout(SMTP_PROBE_TIMEOUT, conn.abort()).await;
}

/// 5xx: the server refused it for good. Everything else — 4xx, refused
/// connections, timeouts — may work later.
fn classify(e: &lettre::transport::smtp::Error) -> MailError {
    if e.is_permanent() { MailError::Permanent(e.to_string()) } else { MailError::Transient(e.to_string()) }
}

/// `smtp://host[:port][/hello-name]` with no TLS and no credentials: the case
/// [`RelayPool`] handles. Anything else goes to lettre's transport.
fn plain_relay(url: &str) -> Option<(String, u16, ClientId)> {
    let parsed = url::Url::parse(url).ok()?;
    let plain = parsed.scheme() == "smtp"
        && parsed.password().is_none()
        && parsed.username().is_empty()
        && parsed.query_pairs().all(|(k, _)| k != "tls");
    if !plain {
        return None;
    }
    let host = parsed.host_str()?.trim_matches(['[', ']']).to_owned();
    let hello = match parsed.path().trim_matches('/') {
        "" => ClientId::default(),
        name => ClientId::Domain(name.to_owned()),
    };
    Some((host, parsed.port().unwrap_or(25), hello))
}

impl Mailer {
    pub fn from_config(config: &MailConfig, pool_size: u32) -> anyhow::Result<Mailer> {
        match config {
            MailConfig::Smtp { url } => {
                if let Some((host, port, hello)) = plain_relay(url) {
                    return Ok(Mailer::Relay(Arc::new(RelayPool::new(host, port, hello, pool_size))));
                }
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
                Err(e) => Err(classify(&e)),
            },
            Mailer::Relay(pool) => {
                pool.send(&message).await.map(|response| response.message().collect::<Vec<_>>().join(" "))
            }
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

#[cfg(test)]
mod relay_tests {
    use super::*;

    fn message(n: usize) -> Message {
        Message::builder()
            .from("forum@example.ma".parse().expect("from"))
            .to(format!("p{n}@example.ma").parse().expect("to"))
            .subject("test")
            .body(String::from("hello"))
            .expect("message")
    }

    /// The relay restarts between two messages (its sessions cut): the pooled
    /// connection is dead, and the second message still goes at once, on a
    /// fresh connection, instead of failing as "try later".
    #[tokio::test]
    async fn a_pooled_connection_the_relay_closed_is_replaced_at_once() {
        let mut server = escale_testkit::SmtpServer::start().await.expect("smtp");
        let pool = RelayPool::new("127.0.0.1".into(), server.addr().port(), ClientId::default(), 1);
        pool.send(&message(1)).await.expect("first");
        server.restart().await.expect("restart");
        pool.send(&message(2)).await.expect("second, on a fresh connection");
        assert_eq!(server.wait_for(2, Duration::from_secs(5)).await.len(), 2);
    }

    #[test]
    fn plain_relays_are_told_from_tls_and_login() {
        let p = |u: &str| plain_relay(u).map(|(h, port, _)| (h, port));
        assert_eq!(p("smtp://relay.internal"), Some(("relay.internal".to_owned(), 25)));
        assert_eq!(p("smtp://127.0.0.1:2525/escale.example"), Some(("127.0.0.1".to_owned(), 2525)));
        assert_eq!(p("smtp://relay:587?tls=required"), None);
        assert_eq!(p("smtp://user:pass@relay:587"), None);
        assert_eq!(p("smtps://relay"), None);
    }
}
