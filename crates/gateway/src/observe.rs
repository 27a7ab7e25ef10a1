//! Metrics: one Prometheus recorder per process (the `metrics` facade, so the
//! domain and the worker count without knowing who scrapes), rendered at
//! `/metrics`. This module holds the HTTP middleware and the GraphQL counters;
//! the readiness check every role's `/readyz` shares lives here too.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use escale_domain::DatabaseConnection;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets (seconds): a public agenda answers in milliseconds, a
/// registration in tens of them; the 30 s request timeout is the ceiling.
const BUCKETS: &[f64] = &[0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first call (tests start many apps in
/// one process; they share it). None when another recorder was installed first.
pub fn recorder() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS);
            match builder.and_then(PrometheusBuilder::install_recorder) {
                Ok(handle) => {
                    describe();
                    let upkeep = handle.clone();
                    // Histograms buffer samples until upkeep drains them; do it
                    // regularly so memory stays flat between scrapes.
                    std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || {
                            loop {
                                std::thread::sleep(Duration::from_secs(5));
                                upkeep.run_upkeep();
                            }
                        })
                        .ok();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .clone()
}

/// `/metrics`: the Prometheus text of `handle`, or 404 when this process
/// records none.
pub fn render(handle: Option<&PrometheusHandle>) -> Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    match handle {
        Some(handle) => {
            handle.run_upkeep();
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
        }
        None => (StatusCode::NOT_FOUND, "metrics are off in this process").into_response(),
    }
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("escale_http_requests_total", "HTTP requests by route, method and status");
    describe_histogram!("escale_http_request_duration_seconds", Unit::Seconds, "HTTP request latency by route");
    describe_histogram!(
        "escale_graphql_request_duration_seconds",
        Unit::Seconds,
        "GraphQL request latency by operation name"
    );
    describe_counter!("escale_graphql_errors_total", "GraphQL errors by code");
    describe_counter!("escale_registrations_total", "Registrations made, by outcome (confirmed, waitlisted)");
    describe_counter!("escale_notifications_total", "Messages handled by the worker, by channel and status");
    describe_counter!("escale_notifications_skipped_total", "Messages not sent at send time (consent, opt-out)");
    describe_counter!("escale_sms_segments_total", "SMS segments accepted by the provider (what is billed)");
    describe_counter!("escale_job_retries_total", "Transient send failures scheduled for retry, by channel");
    describe_counter!("escale_api_key_rate_limited_total", "API key requests refused by the rate limiter");
    describe_gauge!("escale_outbox_backlog", "Messages due and not yet sent, by channel");
    describe_gauge!("escale_outbox_oldest_due_age_seconds", "Age of the oldest message due and not yet sent");
    describe_gauge!("escale_queue_lag_seconds", "Age of the oldest message due and not yet sent, by channel");
}

/// Counts and times every request by its route pattern (`/tickets/{code}/qr.svg`,
/// never the code itself: labels must not grow with the data).
pub async fn track(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("escale_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("escale_http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

/// An operation name as a label: client-chosen, so only short identifiers
/// pass and the rest count as `other`.
pub fn operation_label(names: Option<&str>) -> String {
    match names {
        None => "anonymous".to_owned(),
        Some(n) if n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',') => {
            n.to_owned()
        }
        Some(_) => "other".to_owned(),
    }
}

/// What `/readyz` checks, with what failed.
#[derive(Debug, Default)]
pub struct Readiness {
    pub problems: Vec<String>,
    /// Looked at but not required (reported in the body only).
    pub notes: Vec<String>,
}

/// The database answers and holds every migration this build knows.
pub async fn check_database(db: &DatabaseConnection, r: &mut Readiness) {
    if let Err(e) = db.ping().await {
        tracing::warn!(error = %e, "readiness: database unreachable");
        r.problems.push("database unreachable".to_owned());
        return;
    }
    match escale_migrations::pending(db).await {
        Ok(pending) if pending.is_empty() => {}
        Ok(pending) => r.problems.push(format!("schema behind this build: {} migration(s) pending", pending.len())),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read the migration status");
            r.problems.push("cannot read the migration status".to_owned());
        }
    }
}

impl Readiness {
    /// 200 with `ready`, or 503 listing what is wrong.
    pub fn into_response(self) -> Response {
        use axum::http::StatusCode;
        use axum::response::IntoResponse;
        let mut lines = if self.problems.is_empty() { vec!["ready".to_owned()] } else { self.problems.clone() };
        lines.extend(self.notes);
        let status = if self.problems.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
        (status, lines.join("\n")).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_stay_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("Leads")), "Leads");
        assert_eq!(operation_label(Some("a b")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
    }
}
