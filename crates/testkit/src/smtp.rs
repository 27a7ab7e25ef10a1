//! A real SMTP server for tests, on loopback, speaking the protocol through the
//! `mailin` state machine: lettre's SMTP transport talks to it exactly as it talks
//! to Postfix. It can be stopped and restarted on the same port, and told to
//! answer the next messages with a chosen reply code, to test a dead or
//! temporarily failing mail server.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and body) as sent after DATA, dot-unstuffed.
    pub data: String,
}

impl ReceivedMail {
    /// The first value of a header, unfolded (continuation lines joined).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }
}

#[derive(Default)]
struct Shared {
    mails: Vec<ReceivedMail>,
    /// Reply code and count for the next messages' end of DATA (e.g. 451 × 3).
    fail_next: Option<(u16, usize)>,
    /// How long to think before answering the end of DATA (a slow relay).
    delay: Duration,
}

#[derive(Clone)]
struct Collector {
    shared: Arc<Mutex<Shared>>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

fn lock(m: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mut shared = lock(&self.shared);
        if let Some((code, left)) = shared.fail_next {
            shared.fail_next = if left > 1 { Some((code, left - 1)) } else { None };
            return Response::custom(code, "injected failure".to_owned());
        }
        let data = String::from_utf8_lossy(&self.data).into_owned();
        shared.mails.push(ReceivedMail { from: self.from.clone(), to: self.to.clone(), data });
        mailin::response::OK
    }
}

pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl SmtpServer {
    /// Starts on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), Arc::default()).await
    }

    async fn start_on(addr: SocketAddr, shared: Arc<Mutex<Shared>>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Ok(Self { addr, shared, stop, task: Some(task) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL for `SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        lock(&self.shared).mails.clone()
    }

    /// Answers the end of DATA of the next `count` messages with `code` (4xx: try
    /// again later; 5xx: refused for good) instead of accepting them.
    pub fn fail_next(&self, code: u16, count: usize) {
        lock(&self.shared).fail_next = Some((code, count));
    }

    /// Waits `delay` before answering each message's end of DATA, as a busy
    /// relay does: keeps sends in flight long enough to interrupt them.
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.shared).delay = delay;
    }

    /// How many messages arrived; unlike `messages()` it copies nothing, so
    /// polling it while thousands arrive does not hold up the sessions.
    pub fn count(&self) -> usize {
        lock(&self.shared).mails.len()
    }

    /// Waits until at least `n` messages arrived, or the timeout passes.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.count() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.messages()
    }

    /// Closes the listener and every open session: clients see the server die.
    pub async fn stop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Starts again on the same port, keeping what was received.
    pub async fn restart(&mut self) -> std::io::Result<()> {
        self.stop().await;
        let again = Self::start_on(self.addr, self.shared.clone()).await?;
        *self = again;
        Ok(())
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Mutex<Shared>>, mut stopped: watch::Receiver<bool>) {
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let handler = Collector { shared: shared.clone(), from: String::new(), to: Vec::new(), data: Vec::new() };
                sessions.spawn(session(stream, peer.ip(), handler, shared.clone()));
            }
        }
    }
    // Dropping the set aborts every session: connections are cut mid-conversation.
    sessions.abort_all();
}

async fn session(stream: TcpStream, peer: IpAddr, handler: Collector, shared: Arc<Mutex<Shared>>) {
    let mut session = SessionBuilder::new("escale-test-smtp").build(peer, handler);
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write.write_all(&session.greeting().buffer().unwrap_or_default()).await.is_err() {
        return;
    }
    let mut line = Vec::with_capacity(128);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = session.process(&line);
        if line == b".\r\n" {
            let delay = lock(&shared).delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        match response.action {
            Action::NoReply => {}
            Action::Reply | Action::UpgradeTls => {
                if write.write_all(&response.buffer().unwrap_or_default()).await.is_err() {
                    return;
                }
            }
            Action::Close => {
                let _ = write.write_all(&response.buffer().unwrap_or_default()).await;
                return;
            }
        }
    }
}
