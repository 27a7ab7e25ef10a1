//! Logging: readable lines on a terminal, JSON in production; the filter from
//! `ESCALE_LOG` (or `RUST_LOG`), quiet about the libraries' chatter by default.
//! Traces to an OpenTelemetry collector when one is configured (see
//! docs/LOGGING.md).

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::WithHttpConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::config::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pretty,
    Json,
}

impl Format {
    /// `LOG_FORMAT=json|pretty`, else the role's default.
    pub fn from_env_or(default: Format) -> Format {
        match std::env::var("LOG_FORMAT").ok().as_deref().map(str::trim) {
            Some("json") => Format::Json,
            Some("pretty" | "text") => Format::Pretty,
            _ => default,
        }
    }
}

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,apalis=warn,apalis_core=warn,apalis_redis=warn,apalis_sqlite=warn,lettre=warn,tower_http=warn";

/// The trace exporter, when one is configured: flushed and stopped at exit.
static TRACER: std::sync::OnceLock<SdkTracerProvider> = std::sync::OnceLock::new();

/// Logs to standard error, and traces to an OpenTelemetry collector when
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
/// set — OTLP over HTTP/protobuf, service name from `OTEL_SERVICE_NAME` or
/// `escale-<role>`. Off otherwise: nothing is sent anywhere by default.
pub fn init(format: Format, role: &str) -> Result<(), ConfigError> {
    let directives = std::env::var("ESCALE_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    let filter = EnvFilter::try_new(&directives)
        .map_err(|e| ConfigError::new("ESCALE_LOG", format!("is not a valid log filter ({e})")))?;
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_span_events(FmtSpan::NONE);
    let fmt: Box<dyn Layer<Registry> + Send + Sync> = match format {
        Format::Json => fmt.json().flatten_event(true).with_current_span(true).with_span_list(false).boxed(),
        Format::Pretty => fmt.compact().boxed(),
    };
    let otel = otlp_tracer(role)?.map(|tracer| tracing_opentelemetry::layer().with_tracer(tracer));
    // A second init (tests running several commands in one process) keeps the first.
    let _ = tracing_subscriber::registry().with(fmt).with(otel).with(filter).try_init();
    Ok(())
}

fn otlp_tracer(role: &str) -> Result<Option<opentelemetry_sdk::trace::Tracer>, ConfigError> {
    let configured = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()).map(|s| (*v, s)));
    let Some((variable, endpoint)) = configured else { return Ok(None) };
    let variable: &'static str = variable;
    match url::Url::parse(endpoint.trim()) {
        Ok(u) if u.scheme() == "http" => {}
        Ok(_) => {
            return Err(ConfigError::new(
                variable,
                "only http:// is supported (send to a collector in the cluster or a sidecar, which forwards over TLS)",
            ));
        }
        Err(e) => return Err(ConfigError::new(variable, format!("is not a URL ({e})"))),
    }
    // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS, timeouts)
    // from the environment itself, per the OpenTelemetry specification.
    let client = RuntimeClient::new()
        .map_err(|e| ConfigError::new(variable, format!("cannot build the OTLP exporter's HTTP client ({e})")))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .build()
        .map_err(|e| ConfigError::new(variable, format!("cannot build the OTLP exporter ({e})")))?;
    let service = std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("escale-{role}"));
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(opentelemetry_sdk::Resource::builder().with_service_name(service).build())
        .build();
    let tracer = provider.tracer("escale");
    let _ = TRACER.set(provider);
    Ok(Some(tracer))
}

/// Sends the spans still buffered and stops the exporter (at exit).
pub fn shutdown() {
    if let Some(provider) = TRACER.get()
        && let Err(e) = provider.shutdown()
    {
        tracing::warn!(error = %e, "OTLP exporter did not shut down cleanly");
    }
}

/// The exporter's HTTP client: the workspace's reqwest, run on the process's
/// tokio runtime. The batch exporter calls it from a thread of its own that
/// has no runtime, so the request is spawned onto the one captured at start
/// and only its handle is awaited there. (opentelemetry-otlp's own clients are
/// a second reqwest major, or hyper without a runtime on that thread.)
#[derive(Debug)]
struct RuntimeClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl RuntimeClient {
    fn new() -> Result<Self, String> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
        // A collector that stops answering must not hold spans (and exit) for long.
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { client, runtime })
    }
}

#[async_trait::async_trait]
impl HttpClient for RuntimeClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request)?;
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let response = client.execute(request).await?.error_for_status()?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        });
        let (status, headers, body) = sent.await??;
        let mut response = Response::builder().status(status).body(body)?;
        *response.headers_mut() = headers;
        Ok(response)
    }
}
