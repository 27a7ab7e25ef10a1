//! Escale's gateway: the GraphQL API at `/graphql` (its explorer on GET), health
//! endpoints, ticket QR codes, the registrations export, and the HTTP hardening around them (body limit, timeouts, request
//! ids, GraphQL depth and complexity limits).
//!
//! It translates between GraphQL and the domain: opaque global ids in and out,
//! domain errors to `extensions.code`, domain models to GraphQL objects. Rules
//! live in the domain; resolvers only call it.
//!
//! **Architecture invariant:** the gateway knows nothing of SMTP or the job
//! queue, and of SMS providers only the shape of their receipts and inbound
//! messages (`sms_webhooks`): it never sends. It writes to the outbox through
//! the domain and may nudge an in-process dispatcher (see [`OutboxSignal`]).
//!
//! Errors follow one policy, [`error::ApiError`]: the same value renders as a
//! GraphQL error and as an HTTP response.

pub mod cache;
mod cors;
pub mod error;
pub mod export;
pub mod http;
pub mod ids;
pub mod lang;
pub mod limits;
pub mod observe;
mod schema;
mod sms_webhooks;
mod unsubscribe;

use std::sync::Arc;

use escale_domain::DatabaseConnection;

pub use http::{router, router_with, serve, serve_app};
pub use schema::{EscaleSchema, build_schema, sdl};

/// Tells an in-process dispatcher that new messages are due now. In production
/// the gateway has none and the worker's poll picks them up.
pub type OutboxSignal = Arc<dyn Fn() + Send + Sync>;

/// What request handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub outbox_signal: Option<OutboxSignal>,
    /// Every rate limit (in this process, or shared in Redis).
    pub limits: Arc<limits::Limits>,
    /// Take the client address from `X-Forwarded-For` (behind a trusted proxy).
    pub trust_proxy: bool,
    /// Short-lived cache of anonymous query responses (None: off).
    pub public_cache: cache::SharedCache,
    /// What SMS providers' receipts and inbound messages must carry (`?key=`);
    /// None: those endpoints answer 404.
    pub sms_webhook_secret: Option<Arc<str>>,
    /// Renders `/metrics` (None: the route answers 404).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Runs before `/metrics` renders: `escale serve` refreshes the outbox
    /// gauges there, as the worker's admin port does in production.
    pub before_scrape: Option<ScrapeHook>,
    /// How long in-flight requests may take to finish after shutdown begins.
    pub shutdown_deadline: std::time::Duration,
    /// Introspection and the explorer page at `GET /graphql`: on for `escale
    /// serve`, off for `escale gateway` unless `ESCALE_GRAPHQL_EXPLORER=1`.
    pub explorer: bool,
    /// Who may read `/metrics`: metrics name tenants' operations and volumes.
    pub metrics_access: MetricsAccess,
    /// Where people reach the platform (`ESCALE_PUBLIC_URL`; `escale serve`
    /// uses its own address): the base of the links the API hands out
    /// (a session's speaker page). None: links are not given.
    pub public_url: Option<url::Url>,
    /// Organizers' own sites, which may call the public operations (CORS).
    pub embed_origins: cors::EmbedOrigins,
    /// What the SMS provider bills per segment (`ESCALE_SMS_SEGMENT_PRICE`):
    /// the cost a broadcast's preview shows. None: segments only.
    pub sms_price: Option<escale_domain::messaging::sms::SegmentPrice>,
}

/// Who may read the gateway's `/metrics`.
#[derive(Clone, Debug)]
pub enum MetricsAccess {
    /// Anyone who reaches the port (`escale serve`, on loopback by default).
    Open,
    /// Requests with `Authorization: Bearer <token>` (`ESCALE_METRICS_TOKEN`).
    Token(Arc<str>),
    /// Nobody: the route answers 404.
    Off,
}

/// Work to do before metrics are rendered (gauges read from the database).
pub type ScrapeHook = Arc<dyn Fn() -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

impl AppState {
    pub fn new(db: DatabaseConnection, outbox_signal: Option<OutboxSignal>) -> Self {
        Self {
            db,
            outbox_signal,
            limits: Arc::new(limits::Limits::default()),
            trust_proxy: false,
            public_cache: None,
            sms_webhook_secret: None,
            metrics: observe::recorder(),
            before_scrape: None,
            shutdown_deadline: std::time::Duration::from_secs(20),
            explorer: true,
            metrics_access: MetricsAccess::Open,
            public_url: None,
            embed_origins: cors::EmbedOrigins::default(),
            sms_price: None,
        }
    }

    pub fn sms_price(mut self, price: Option<escale_domain::messaging::sms::SegmentPrice>) -> Self {
        self.sms_price = price;
        self
    }

    pub fn public_url(mut self, url: Option<url::Url>) -> Self {
        self.public_url = url;
        self
    }

    pub fn explorer(mut self, on: bool) -> Self {
        self.explorer = on;
        self
    }

    pub fn metrics_access(mut self, access: MetricsAccess) -> Self {
        self.metrics_access = access;
        self
    }

    /// Caches anonymous query responses for `ttl` (zero: no cache).
    pub fn public_cache(mut self, ttl: std::time::Duration) -> Self {
        self.public_cache = (!ttl.is_zero()).then(|| Arc::new(cache::PublicCache::new(ttl, 32 * 1024 * 1024)));
        self
    }

    pub fn sms_webhook_secret(mut self, secret: Option<String>) -> Self {
        self.sms_webhook_secret = secret.map(Arc::from);
        self
    }

    pub fn limits(mut self, limits: limits::Limits) -> Self {
        self.limits = Arc::new(limits);
        self
    }

    pub fn before_scrape(mut self, hook: ScrapeHook) -> Self {
        self.before_scrape = Some(hook);
        self
    }

    pub fn shutdown_deadline(mut self, deadline: std::time::Duration) -> Self {
        self.shutdown_deadline = deadline;
        self
    }

    pub fn trust_proxy(mut self, trust: bool) -> Self {
        self.trust_proxy = trust;
        self
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("outbox_signal", &self.outbox_signal.is_some()).finish_non_exhaustive()
    }
}
