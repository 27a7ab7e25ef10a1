//! Logging: readable lines on a terminal, JSON in production; the filter from
//! `ESCALE_LOG` (or `RUST_LOG`), quiet about the libraries' chatter by default.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

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

pub fn init(format: Format) -> Result<(), ConfigError> {
    let directives = std::env::var("ESCALE_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    let filter = EnvFilter::try_new(&directives)
        .map_err(|e| ConfigError::new("ESCALE_LOG", format!("is not a valid log filter ({e})")))?;
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_span_events(FmtSpan::NONE);
    let result = match format {
        Format::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
        Format::Pretty => builder.compact().try_init(),
    };
    // A second init (tests running several commands in one process) keeps the first.
    let _ = result;
    Ok(())
}
