//! HTTP: routes, hardening layers, the GraphQL endpoint, health, and serving
//! with graceful shutdown.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, ErrorExtensionValues, Value};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::cache::Uncacheable;
use crate::error::{ApiError, Code};
use crate::schema::auth::RequestAuth;
use crate::schema::partners::Meter;
use crate::schema::{EscaleSchema, build_schema};
use escale_domain::DomainError;
use escale_domain::access::api_keys;

/// The largest request body accepted. A registration is well under 2 KiB; a
/// partner's largest query a few KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Operations accepted in one batched request.
pub const MAX_BATCH: usize = 10;

#[derive(Clone)]
pub(crate) struct Shared {
    schema: EscaleSchema,
    /// The same schema with the API keys' cost limit.
    key_schema: EscaleSchema,
    pub(crate) state: AppState,
}

/// The API's routes alone (the gateway's tests, and a deployment without
/// pages).
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The API's routes with `pages` beside them (the web crate's), all behind
/// the same hardening: request ids, logs without bearer segments, panics
/// caught, the timeout. `pages` also answers what no route matches, and
/// labels its own requests ([`crate::observe::track`] as a route layer).
pub fn router_with(state: AppState, pages: Router) -> Router {
    let (schema, key_schema) = build_schema(state.clone());
    let shared = Shared { schema, key_schema, state };
    Router::new()
        .route(
            "/graphql",
            get(explorer).post(graphql).options(|| async { StatusCode::NO_CONTENT }).layer(
                axum::middleware::from_fn_with_state(shared.clone(), crate::cors::layer),
            ),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/tickets/{code}/qr.svg", get(ticket_qr_svg))
        .route("/tickets/{code}/qr.png", get(ticket_qr_png))
        .route("/export/stops/{id}/registrations.csv", get(crate::export::stop_registrations))
        .route("/unsubscribe", get(crate::unsubscribe::show).post(crate::unsubscribe::confirm))
        .route("/sms/receipts/{provider}", post(crate::sms_webhooks::receipt))
        .route("/sms/inbound/{provider}", post(crate::sms_webhooks::inbound))
        .route("/metrics", get(metrics))
        // Inside the routing, so the matched pattern labels the request.
        .route_layer(axum::middleware::from_fn(crate::observe::track))
        .with_state(shared)
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("http", request.id = %id, method = %req.method(), path = %loggable_path(req.uri().path()))
                }))
                .layer(PropagateRequestIdLayer::x_request_id())
                // A panic in a handler becomes a 500 for that request, not a dead process.
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, Duration::from_secs(30))),
        )
}

/// Serves until `shutdown` is cancelled, then stops accepting and lets
/// in-flight requests finish — for at most the state's shutdown deadline,
/// after which the rest are dropped so that the process exits in time (before
/// an orchestrator's SIGKILL).
pub async fn serve(listener: TcpListener, state: AppState, shutdown: CancellationToken) -> std::io::Result<()> {
    let deadline = state.shutdown_deadline;
    serve_app(listener, router(state), deadline, shutdown).await
}

/// [`serve`] for a router built elsewhere ([`router_with`] and pages).
pub async fn serve_app(
    listener: TcpListener,
    app: Router,
    deadline: Duration,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let drained = shutdown.clone();
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move { drained.cancelled().await });
    tokio::select! {
        served = server => served,
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(deadline).await;
        } => {
            tracing::warn!(deadline_secs = deadline.as_secs(), "requests still in flight at the shutdown deadline; dropping them");
            Ok(())
        }
    }
}

async fn metrics(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let allowed = match &shared.state.metrics_access {
        crate::MetricsAccess::Open => true,
        crate::MetricsAccess::Token(token) => {
            bearer(&headers).is_some_and(|given| constant_time_eq(given.as_bytes(), token.as_bytes()))
        }
        crate::MetricsAccess::Off => false,
    };
    if !allowed {
        // The same answer as a route that does not exist: nothing to probe.
        return ApiError::new(Code::NotFound, "no such route").into_response();
    }
    if shared.state.metrics.is_some()
        && let Some(hook) = &shared.state.before_scrape
    {
        hook().await;
    }
    crate::observe::render(shared.state.metrics.as_ref())
}

/// A small query explorer of our own (a query box, variables, headers, the
/// schema's docs from introspection): it works without internet, unlike
/// GraphiQL's page, whose scripts come from a CDN.
async fn explorer(State(shared): State<Shared>) -> Response {
    if !shared.state.explorer {
        return ApiError::new(
            Code::NotFound,
            "the explorer is off on this gateway (ESCALE_GRAPHQL_EXPLORER=1 turns it and introspection on); POST queries here",
        )
        .into_response();
    }
    ([(header::CACHE_CONTROL, "no-cache")], Html(include_str!("explorer.html"))).into_response()
}

/// Compares secrets without an early exit that would time the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers with every migration this build knows.
/// Redis is reported, not required: the gateway uses it only for shared
/// rate limits, which each replica enforces alone while it is away, so taking
/// every gateway out of service for a Redis outage would turn a looser limit
/// into a lost API.
async fn readyz(State(shared): State<Shared>) -> Response {
    let mut readiness = crate::observe::Readiness::default();
    crate::observe::check_database(&shared.state.db, &mut readiness).await;
    if let Some(Err(e)) = shared.state.limits.ping().await {
        readiness.notes.push(format!("redis unreachable ({e}): rate limits enforced by each replica alone"));
    }
    readiness.into_response()
}

/// The QR code of a ticket code. Any well-formed code gets its image and no
/// database is asked: the image says nothing the code does not, and the
/// endpoint cannot be used to learn which codes exist.
async fn ticket_qr_svg(Path(code): Path<String>) -> Response {
    ticket_qr(&code, "image/svg+xml", |t| escale_domain::messaging::qr::svg(t).map(String::into_bytes))
}

async fn ticket_qr_png(Path(code): Path<String>) -> Response {
    ticket_qr(&code, "image/png", |t| escale_domain::messaging::qr::png(t, 8))
}

fn ticket_qr(
    code: &str,
    content_type: &'static str,
    render: impl Fn(&escale_domain::values::TicketCode) -> escale_domain::DomainResult<Vec<u8>>,
) -> Response {
    let Ok(ticket) = escale_domain::values::TicketCode::parse(code) else {
        return ApiError::new(Code::NotFound, "not a ticket code").into_response();
    };
    match render(&ticket) {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=86400")],
            bytes,
        )
            .into_response(),
        Err(e) => ApiError::internal(&format!("cannot render a ticket QR code: {e}")).into_response(),
    }
}

/// 413, and the connection is closed: the unread rest of the body would
/// otherwise be taken for the next request on a kept-alive connection.
fn too_large() -> Response {
    let mut response = ApiError::new(Code::PayloadTooLarge, format!("request body larger than {MAX_BODY_BYTES} bytes"))
        .into_response();
    response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    response
}

/// The client's address, for per-address limits: the peer, or — behind a
/// trusted proxy (`ESCALE_TRUST_PROXY=1`) — the first `X-Forwarded-For` entry.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

pub fn client_ip(headers: &HeaderMap, peer: SocketAddr, trust_proxy: bool) -> IpAddr {
    if trust_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|first| first.trim().parse().ok())
    {
        return ip;
    }
    peer.ip()
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty())
}

async fn graphql(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let declared_too_big = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES);
    if declared_too_big {
        return too_large();
    }
    let body = match axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    // A batch is a JSON array, a single request an object. (async-graphql's
    // untagged BatchRequest reads `[]` as a single request with every field
    // defaulted, answered as a parse error of an empty query.)
    let is_batch = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let parsed = if is_batch {
        serde_json::from_slice::<Vec<async_graphql::Request>>(&body).map(BatchRequest::Batch)
    } else {
        serde_json::from_slice::<async_graphql::Request>(&body).map(BatchRequest::Single)
    };
    let batch: BatchRequest = match parsed {
        Ok(batch) => batch,
        Err(e) => {
            return ApiError::new(
                Code::BadRequest,
                format!("the body is not a GraphQL request (JSON with a \"query\" string): {e}"),
            )
            .into_response();
        }
    };
    if let BatchRequest::Batch(items) = &batch
        && (items.is_empty() || items.len() > MAX_BATCH)
    {
        return ApiError::new(Code::BadRequest, format!("a batch holds 1 to {MAX_BATCH} operations")).into_response();
    }
    let mut batch = batch;
    let mut queries_only = true;
    for request in batch.iter_mut() {
        // Parsed once here; the executor reuses the document.
        match request.parsed_query() {
            Ok(doc) => {
                if let Some(reason) = crate::schema::limits::check(doc) {
                    return ApiError::new(Code::GraphqlValidationFailed, reason).into_response();
                }
                queries_only &= doc.operations.iter().all(|(_, op)| op.node.ty == OperationType::Query);
            }
            Err(_) => queries_only = false,
        }
    }
    let token = bearer(&headers);
    let anonymous = token.is_none();
    // API keys are checked before the query runs: their rate limit and cost
    // limit apply to the whole request, and their requests are logged.
    let key_actor = match token.as_deref().filter(|t| api_keys::looks_like_key(t)) {
        None => None,
        Some(key) => match crate::schema::auth::authenticate(&shared.state.db, key, chrono::Utc::now()).await {
            Ok(actor) => Some(actor),
            // Fields that need a caller answer UNAUTHENTICATED; public ones still work.
            Err(DomainError::Unauthenticated(_)) => None,
            Err(e) => {
                tracing::error!(error = %e, "cannot check an API key");
                return ApiError::new(Code::Unavailable, "cannot check the API key now; retry").into_response();
            }
        },
    };
    let key_id = key_actor.as_ref().and_then(|a| a.key_id().map(|k| (a.scope, k)));
    if let Some((_, key)) = key_id
        && let Some(refused) = over_key_limit(&shared.state, key).await
    {
        return refused;
    }
    let operations = operation_names(&mut batch);
    let single = matches!(batch, BatchRequest::Single(_));
    let ip = ClientIp(client_ip(&headers, peer, shared.state.trust_proxy));
    let auth = match token {
        // A key is already checked: resolvers use the answer, not a second lookup.
        Some(token) if api_keys::looks_like_key(&token) => RequestAuth::resolved(token, key_actor),
        token => RequestAuth::new(token),
    };
    let schema = if key_id.is_some() { shared.key_schema.clone() } else { shared.schema.clone() };
    let meter = std::sync::Arc::new(Meter::default());
    let started = std::time::Instant::now();
    // What this request plans (a registration's confirmation, a broadcast)
    // records its id, so the worker's log lines about those messages name it.
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    // Boxed: the executor's future is large, and it is awaited in two places.
    let lang = crate::lang::of_headers(&headers);
    let run = Box::pin(escale_domain::trace::with_request_id(
        request_id,
        crate::lang::scope(lang, run(schema, batch.data(std::sync::Arc::new(auth)).data(ip).data(meter.clone()))),
    ));
    let operation = crate::observe::operation_label(operations.as_deref());
    let (bytes, outcome) = match &shared.state.public_cache {
        Some(cache) if anonymous && single && queries_only => {
            let cached = cache
                .get_or_execute(body, async move {
                    match run.await {
                        (bytes, None) => Ok(bytes),
                        (bytes, Some(_)) => Err(Uncacheable(bytes)),
                    }
                })
                .await;
            (cached, None)
        }
        _ => run.await,
    };
    metrics::histogram!("escale_graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    if let Some((scope, key)) = key_id {
        let record = api_keys::RequestRecord {
            scope,
            key_id: key,
            operation: operations,
            objects_returned: meter.objects.load(std::sync::atomic::Ordering::Relaxed),
            leads_returned: meter.leads.load(std::sync::atomic::Ordering::Relaxed),
            outcome: outcome.unwrap_or_else(|| "ok".to_owned()),
            duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
            at: chrono::Utc::now(),
        };
        // The answer is already computed: a failed log write is an ops alert,
        // not the partner's problem.
        if let Err(e) = api_keys::record_request(&shared.state.db, record).await {
            tracing::error!(error = %e, api_key.id = %key, "cannot record an API request");
        }
    }
    // An organizer changed something: public answers cached here are stale.
    if !anonymous
        && !queries_only
        && let Some(cache) = &shared.state.public_cache
    {
        cache.clear();
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], Body::from(bytes)).into_response()
}

/// Executes, and says how it ended: None, or the first error's code.
async fn run(schema: EscaleSchema, batch: BatchRequest) -> (Bytes, Option<String>) {
    let mut response = schema.execute_batch(batch).await;
    classify_errors(&mut response);
    // classify_errors gave every error a code.
    let code = |e: &async_graphql::ServerError| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|v| if let Value::String(s) = v { Some(s.clone()) } else { None })
            .unwrap_or_else(|| Code::Internal.as_str().to_owned())
    };
    let errors: Vec<&async_graphql::ServerError> = match &response {
        BatchResponse::Single(r) => r.errors.iter().collect(),
        BatchResponse::Batch(rs) => rs.iter().flat_map(|r| r.errors.iter()).collect(),
    };
    for e in &errors {
        metrics::counter!("escale_graphql_errors_total", "code" => code(e)).increment(1);
    }
    let outcome = errors.first().map(|e| code(e));
    match serde_json::to_vec(&response) {
        Ok(bytes) => (Bytes::from(bytes), outcome),
        Err(e) => {
            let error = ApiError::internal(&format!("cannot encode a GraphQL response: {e}"));
            let body = serde_json::to_vec(&async_graphql::Response::from_errors(vec![
                error.graphql().into_server_error(async_graphql::Pos::default()),
            ]))
            .unwrap_or_default();
            (Bytes::from(body), Some(Code::Internal.as_str().to_owned()))
        }
    }
}

/// The operation names a request asked for (as given, or as named in the
/// document), for the access log.
fn operation_names(batch: &mut BatchRequest) -> Option<String> {
    let mut names = Vec::new();
    for request in batch.iter_mut() {
        let name = request.operation_name.clone().or_else(|| {
            let doc = request.parsed_query().ok()?;
            doc.operations.iter().find_map(|(name, _)| name.map(|n| n.to_string()))
        });
        names.extend(name);
    }
    (!names.is_empty()).then(|| names.join(","))
}

/// 429 when `key` is past its rate limit (counted), else None.
pub(crate) async fn over_key_limit(state: &AppState, key: uuid::Uuid) -> Option<Response> {
    let wait = state.limits.check(crate::limits::Bucket::ApiKey, &key.to_string()).await.err()?;
    metrics::counter!("escale_api_key_rate_limited_total").increment(1);
    let secs = crate::limits::retry_after_secs(wait);
    Some(ApiError::rate_limited_key(secs).into_response())
}

/// Gives every error a code: ours already have one; errors raised by
/// async-graphql itself (syntax, unknown fields, depth and complexity limits)
/// are the query's fault.
fn classify_errors(response: &mut BatchResponse) {
    let responses: Vec<&mut async_graphql::Response> = match response {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(rs) => rs.iter_mut().collect(),
    };
    for r in responses {
        for error in &mut r.errors {
            let extensions = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
            if extensions.get("code").is_none() {
                extensions.set("code", Value::from(crate::error::classify(&error.message).as_str()));
            }
        }
    }
}

/// The request's path without its bearer segments (`/m/<token>`,
/// `/tickets/<code>/qr.svg`): a link token or ticket code in a log is a key
/// to someone's registration. A segment of ten or more characters with a
/// digit in it stands for one.
fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|segment| if segment.len() >= 10 && segment.chars().any(|c| c.is_ascii_digit()) { "…" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn bearer_segments_stay_out_of_logs() {
        assert_eq!(super::loggable_path("/m/AZgZ7k3xQ4mT2pL9vW8rYw-kP3x9QmZ2"), "/m/…");
        assert_eq!(super::loggable_path("/tickets/K7Q2M9XD4T/qr.svg"), "/tickets/…/qr.svg");
        assert_eq!(super::loggable_path("/graphql"), "/graphql");
        assert_eq!(super::loggable_path("/sms/receipts/infobip"), "/sms/receipts/infobip");
    }
}
