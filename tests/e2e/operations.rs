//! What operators rely on, against the real processes: health and readiness,
//! Prometheus metrics, the worker's admin port, `escale probe`, a schema one
//! release ahead (expand/contract), and SIGTERM with requests in flight.

use std::time::{Duration, Instant};

use escale_testkit::{SmtpServer, TestDb, redis_or_skip};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;

use crate::support::*;

async fn migrate_and_demo(url: &str) {
    for args in [&["migrate"][..], &["demo"][..]] {
        let out = escale(args).env("DATABASE_URL", url).output().await.expect("run");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

async fn get(http: &reqwest::Client, url: &str) -> (u16, String) {
    let r = http.get(url).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// What Prometheus sends for the gateway's `/metrics` in these tests.
const METRICS_TOKEN: &str = "e2e-metrics-token-0123456789";

async fn scrape(http: &reqwest::Client, base: &str) -> (u16, String) {
    let r = http.get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await.expect("GET /metrics");
    (r.status().as_u16(), r.text().await.expect("body"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Holds PostgreSQL's lock on `stop` so that any request reading stops waits:
/// a request that is in flight for as long as the test says.
async fn lock_stops(db: &DatabaseConnection) -> sea_orm::DatabaseTransaction {
    let txn = db.begin().await.expect("begin");
    txn.execute_raw(Statement::from_string(txn.get_database_backend(), "LOCK TABLE stop IN ACCESS EXCLUSIVE MODE"))
        .await
        .expect("lock");
    txn
}

async fn exit_within(child: &mut tokio::process::Child, limit: Duration) -> (std::process::ExitStatus, Duration) {
    let started = Instant::now();
    let status = tokio::time::timeout(limit, child.wait()).await.expect("exits in time").expect("wait");
    (status, started.elapsed())
}

#[tokio::test]
#[expect(clippy::print_stdout, reason = "prints the drain time it measured, quoted in docs/OPERATIONS.md")]
async fn gateway_health_metrics_and_graceful_shutdown() {
    const TEST: &str = "gateway_health_metrics_and_graceful_shutdown";
    let Some(pg) = TestDb::postgres_blank(TEST).await else { return };
    migrate_and_demo(&pg.url).await;
    // The next release has already expanded the schema: this one still starts and is ready.
    pg.db
        .execute_raw(Statement::from_string(
            pg.db.get_database_backend(),
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_next_release', 0)",
        ))
        .await
        .expect("a migration from the future");

    let mut cmd = escale(&["gateway"]);
    cmd.env("DATABASE_URL", &pg.url)
        .env("ESCALE_LISTEN", "127.0.0.1:0")
        .env("ESCALE_SHUTDOWN_TIMEOUT_SECS", "15")
        .env("ESCALE_METRICS_TOKEN", METRICS_TOKEN);
    let mut gateway = Server::start(cmd).await;
    let http = escale_testkit::http_client();
    assert_eq!(get(&http, &format!("{}/healthz", gateway.base)).await, (200, "ok".to_owned()));
    let (status, body) = get(&http, &format!("{}/readyz", gateway.base)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("ready"), "{body}");

    // Metrics after some traffic: latency by route and operation, errors by code.
    let agenda = gateway.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    assert!(agenda["errors"].is_null(), "{agenda}");
    let named = gateway.graphql("query Agenda { agenda(tenant: \"attitudes-conseil\") { id } }", json!({})).await;
    assert!(named["errors"].is_null());
    let broken = gateway.graphql("{ agenda(", json!({})).await;
    assert_eq!(error_code(&broken), Some("GRAPHQL_PARSE_FAILED"));
    assert_eq!(get(&http, &format!("{}/metrics", gateway.base)).await.0, 404, "no token, no metrics");
    let (status, metrics) = scrape(&http, &gateway.base).await;
    assert_eq!(status, 200);
    for expected in [
        "escale_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"}",
        "escale_http_request_duration_seconds_bucket{route=\"/graphql\"",
        "escale_graphql_request_duration_seconds_bucket{operation=\"Agenda\"",
        "escale_graphql_request_duration_seconds_count{operation=\"anonymous\"}",
        "escale_graphql_errors_total{code=\"GRAPHQL_PARSE_FAILED\"} 1",
    ] {
        assert!(metrics.contains(expected), "missing {expected} in:\n{metrics}");
    }

    // SIGTERM with a request in flight: the request is answered, new
    // connections are refused, the process exits 0 once it is done.
    let lock = lock_stops(&pg.db).await;
    let url = format!("{}/graphql", gateway.base);
    let slow_http = http.clone();
    // Not the agenda query above: its answer may still be in the public cache.
    let in_flight = tokio::spawn(async move {
        let r = slow_http
            .post(url)
            .json(&json!({ "query": "query InFlight { agenda(tenant: \"attitudes-conseil\") { id city } }" }))
            .send()
            .await
            .expect("the in-flight request is answered");
        (r.status().as_u16(), r.json::<serde_json::Value>().await.expect("JSON"))
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!in_flight.is_finished(), "the request waits on the lock");
    terminate(&gateway.child);
    let terminated = Instant::now();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(gateway.child.try_wait().expect("try_wait").is_none(), "still draining");
    let fresh = reqwest::Client::new().get(format!("{}/healthz", gateway.base)).send().await;
    assert!(fresh.is_err(), "no new connections while draining: {fresh:?}");
    lock.rollback().await.expect("release");
    let (status, answer) = in_flight.await.expect("join");
    assert_eq!(status, 200);
    assert!(answer["data"]["agenda"].as_array().is_some_and(|a| !a.is_empty()), "{answer}");
    let (exit, _) = exit_within(&mut gateway.child, Duration::from_secs(20)).await;
    assert!(exit.success(), "gateway exits 0 after draining: {exit:?}");
    println!("gateway: SIGTERM → exit with a request in flight: {:?}", terminated.elapsed());

    // A request still running at the deadline does not keep the process alive.
    let mut cmd = escale(&["gateway"]);
    cmd.env("DATABASE_URL", &pg.url).env("ESCALE_LISTEN", "127.0.0.1:0").env("ESCALE_SHUTDOWN_TIMEOUT_SECS", "1");
    let mut gateway = Server::start(cmd).await;
    let lock = lock_stops(&pg.db).await;
    let url = format!("{}/graphql", gateway.base);
    let stuck_http = http.clone();
    let stuck = tokio::spawn(async move {
        stuck_http.post(url).json(&json!({ "query": AGENDA, "variables": { "tenant": TENANT } })).send().await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    terminate(&gateway.child);
    let (exit, took) = exit_within(&mut gateway.child, Duration::from_secs(10)).await;
    assert!(exit.success(), "exits 0 at the deadline: {exit:?}");
    assert!(took < Duration::from_secs(5), "the 1 s deadline holds: {took:?}");
    assert!(stuck.await.expect("join").is_err(), "the request past the deadline was dropped");
    lock.rollback().await.expect("release");
}

#[tokio::test]
async fn the_worker_admin_port_and_probe() {
    const TEST: &str = "the_worker_admin_port_and_probe";
    let Some(pg) = TestDb::postgres_blank(TEST).await else { return };
    let Some(redis) = redis_or_skip(TEST).await else { return };
    let smtp = SmtpServer::start().await.expect("SMTP server");
    migrate_and_demo(&pg.url).await;
    let prefix = format!("escale-e2e-{}", uuid::Uuid::now_v7().simple());
    let admin = format!("127.0.0.1:{}", free_port());

    let mut cmd = escale(&["gateway"]);
    cmd.env("DATABASE_URL", &pg.url).env("ESCALE_LISTEN", "127.0.0.1:0").env("ESCALE_METRICS_TOKEN", METRICS_TOKEN);
    let gateway = Server::start(cmd).await;
    let mut worker = escale(&["worker"])
        .env("DATABASE_URL", &pg.url)
        .env("REDIS_URL", &redis)
        .env("ESCALE_QUEUE_PREFIX", &prefix)
        .env("SMTP_URL", smtp.url())
        .env("ESCALE_DISPATCH_INTERVAL_MS", "200")
        .env("ESCALE_ADMIN_LISTEN", &admin)
        .stdout(std::process::Stdio::null())
        .stderr(child_stderr())
        .spawn()
        .expect("spawn worker");

    // `escale probe` is the containers' health check.
    let healthz = format!("http://{admin}/healthz");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let probe = escale(&["probe", &healthz]).output().await.expect("probe");
        if probe.status.success() {
            break;
        }
        assert!(Instant::now() < deadline, "the admin port never answered: {}", String::from_utf8_lossy(&probe.stderr));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let dead = escale(&["probe", &format!("http://127.0.0.1:{}/healthz", free_port())]).output().await.expect("probe");
    assert_eq!(dead.status.code(), Some(1), "a dead port fails the probe");
    assert!(String::from_utf8_lossy(&dead.stderr).contains("probe failed"));
    let missing = escale(&["probe", &format!("http://{admin}/nothing-here")]).output().await.expect("probe");
    assert_eq!(missing.status.code(), Some(1), "a 404 fails the probe");

    let http = escale_testkit::http_client();
    let (status, body) = get(&http, &format!("http://{admin}/readyz")).await;
    assert_eq!((status, body.as_str()), (200, "ready"));

    // Three confirmations go out; the worker's metrics say so.
    let agenda = gateway.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    let stop = open_stop(&agenda)["id"].clone();
    for n in 0..3 {
        let r = gateway
            .graphql(
                REGISTER,
                json!({ "input": { "stopId": stop, "fullName": format!("Metric {n}"), "email": format!("metric{n}@example.ma") } }),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
    }
    assert_eq!(smtp.wait_for(3, Duration::from_secs(30)).await.len(), 3);
    // The server has the messages before the worker has recorded them (and
    // counted them): the scrape waits for the count, within a deadline.
    let sent = "escale_notifications_total{channel=\"email\",status=\"sent\"} 3";
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let metrics = get(&http, &format!("http://{admin}/metrics")).await.1;
        if metrics.contains(sent) || Instant::now() >= deadline {
            break metrics;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for expected in [
        sent,
        "escale_outbox_backlog{channel=\"email\"}",
        "escale_outbox_backlog{channel=\"sms\"}",
        "escale_queue_lag_seconds{channel=\"email\"}",
        "escale_outbox_oldest_due_age_seconds",
    ] {
        assert!(metrics.contains(expected), "missing {expected} in:\n{metrics}");
    }
    let gateway_metrics = scrape(&http, &gateway.base).await.1;
    assert!(gateway_metrics.contains("escale_registrations_total{status=\"confirmed\"} 3"), "{gateway_metrics}");

    terminate(&worker);
    let (exit, _) = exit_within(&mut worker, Duration::from_secs(30)).await;
    assert!(exit.success(), "worker exits 0 on SIGTERM: {exit:?}");
    let closed = escale(&["probe", &healthz]).output().await.expect("probe");
    assert!(!closed.status.success(), "the admin port closes with the worker");
    assert!(gateway.stop().await.success());
}

/// One OTLP export the collector received: its content type and body.
type Export = (String, Vec<u8>);

/// With an OTLP endpoint configured, the gateway's request spans reach the
/// collector (here a local HTTP server playing one), flushed at exit; with a
/// non-HTTP endpoint it refuses to start, naming the variable.
#[tokio::test]
async fn traces_go_to_the_configured_collector() {
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<Export>>> = Arc::default();
    let sink = received.clone();
    let collector = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let kind = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                if let Ok(mut got) = sink.lock() {
                    got.push((kind, body.to_vec()));
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let data = tempfile::tempdir().expect("tempdir");
    let mut cmd = escale(&["serve", "--listen", "127.0.0.1:0"]);
    cmd.env("ESCALE_DATA_DIR", data.path()).env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint);
    let server = Server::start(cmd).await;
    let agenda = server.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    assert!(agenda["errors"].is_null(), "{agenda}");
    assert!(server.stop().await.success());
    let got = received.lock().map(|g| g.clone()).unwrap_or_default();
    assert!(!got.is_empty(), "spans were exported at exit");
    assert!(
        got.iter().all(|(kind, _)| kind == "application/x-protobuf"),
        "{:?}",
        got.iter().map(|g| &g.0).collect::<Vec<_>>()
    );
    let all: Vec<u8> = got.iter().flat_map(|(_, b)| b.clone()).collect();
    let text = String::from_utf8_lossy(&all);
    assert!(text.contains("escale-serve"), "the service is named");
    assert!(text.contains("http"), "the request span is there");

    let refused = escale(&["serve", "--listen", "127.0.0.1:0"])
        .env("ESCALE_DATA_DIR", data.path())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example.org")
        .output()
        .await
        .expect("run");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("OTEL_EXPORTER_OTLP_ENDPOINT: only http://"));
}
