//! The worker's admin port (`ESCALE_ADMIN_LISTEN`): `/healthz`, `/readyz` and
//! `/metrics` for the orchestrator and Prometheus, since the worker serves no
//! other HTTP. And `escale probe`, the containers' health check: the runtime
//! image has no curl.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use escale_domain::DatabaseConnection;
use escale_gateway::limits::{redis_connection, redis_ping};
use escale_gateway::observe::{self, Readiness};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
struct Admin {
    db: DatabaseConnection,
    redis: Option<redis::aio::ConnectionManager>,
    metrics: Option<PrometheusHandle>,
}

/// Serves the admin port until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: DatabaseConnection,
    redis_url: Option<&str>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let redis = redis_url.map(|url| redis_connection(url, Duration::from_millis(500))).transpose()?;
    let state = Admin { db, redis, metrics: observe::recorder() };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state);
    axum::serve(listener, app).with_graceful_shutdown(async move { shutdown.cancelled().await }).await?;
    Ok(())
}

/// Ready when the database answers with this build's schema and the queue's
/// Redis answers: without either the worker can send nothing.
async fn readyz(State(admin): State<Admin>) -> Response {
    let mut readiness = Readiness::default();
    observe::check_database(&admin.db, &mut readiness).await;
    if let Some(conn) = &admin.redis
        && let Err(e) = redis_ping(conn).await
    {
        tracing::warn!(error = %e, "readiness: Redis unreachable");
        readiness.problems.push("redis unreachable".to_owned());
    }
    readiness.into_response()
}

async fn metrics(State(admin): State<Admin>) -> Response {
    if admin.metrics.is_some() {
        escale_worker::refresh_outbox_gauges(&admin.db).await;
    }
    observe::render(admin.metrics.as_ref())
}

/// `escale probe <url>`: GET over plain HTTP with a 3 s budget; true on 2xx.
/// Only what a health check needs — loopback, no TLS, no redirects.
pub async fn probe(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL ({e})"))?;
    if parsed.scheme() != "http" {
        return Err(format!("{url}: only http:// is probed"));
    }
    let host = parsed.host_str().ok_or_else(|| format!("{url} has no host"))?.to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|e| e.to_string())?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: escale-probe\r\n\r\n");
        stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut head = vec![0u8; 64];
        let n = stream.read(&mut head).await.map_err(|e| e.to_string())?;
        Ok::<String, String>(String::from_utf8_lossy(&head[..n]).into_owned())
    };
    let head = tokio::time::timeout(Duration::from_secs(3), exchange)
        .await
        .map_err(|_| format!("{url}: no answer within 3 s"))??;
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status.starts_with('2') && status.len() == 3 {
        Ok(())
    } else {
        Err(format!("{url}: {}", head.lines().next().unwrap_or("no status line")))
    }
}

/// Where the worker's admin port listens: `ESCALE_ADMIN_LISTEN`, loopback by
/// default (containers set `0.0.0.0:9091`); `off` disables it.
pub fn listen_address() -> Result<Option<SocketAddr>, crate::config::ConfigError> {
    match std::env::var("ESCALE_ADMIN_LISTEN").ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        None => Ok(Some(SocketAddr::from(([127, 0, 0, 1], 9091)))),
        Some(v) if v.eq_ignore_ascii_case("off") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            crate::config::ConfigError::new(
                "ESCALE_ADMIN_LISTEN",
                format!("{v:?} is not an address such as 0.0.0.0:9091"),
            )
        }),
    }
}
