//! Cross-origin calls of the public GraphQL operations from organizers' own
//! sites: an organizer that declares its sites (`setTenantLook`'s
//! `embedOrigins`) can show its agenda there and register from there, as
//! pretix's widget does. Only anonymous requests: the preflight allows no
//! `Authorization` header and no credentials, so a session or an API key is
//! never usable from another site's script. Any other origin gets no CORS
//! headers, and the browser keeps the answer from its script.
//!
//! The declared origins of every tenant are read at most once a minute
//! (`ORIGINS_TTL`): a site added is answered within that time.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::Shared;

const ORIGINS_TTL: Duration = Duration::from_secs(60);

/// Every tenant's declared sites, cached.
#[derive(Clone)]
pub struct EmbedOrigins {
    cache: moka::future::Cache<(), Arc<Vec<String>>>,
}

impl Default for EmbedOrigins {
    fn default() -> Self {
        EmbedOrigins { cache: moka::future::Cache::builder().max_capacity(1).time_to_live(ORIGINS_TTL).build() }
    }
}

impl std::fmt::Debug for EmbedOrigins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbedOrigins")
    }
}

impl EmbedOrigins {
    async fn allows(&self, db: &escale_domain::DatabaseConnection, origin: &str) -> bool {
        let all = self
            .cache
            .try_get_with((), async { escale_domain::tenancy::all_embed_origins(db).await.map(Arc::new) })
            .await;
        match all {
            Ok(all) => all.iter().any(|o| o == origin),
            Err(e) => {
                // No CORS answer rather than a failure: the page still works
                // on the platform's own origin.
                tracing::warn!(error = %e, "cannot read the organizers' sites for CORS");
                false
            }
        }
    }
}

fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// Answers preflights and marks answers to a declared site's anonymous calls.
pub(crate) async fn layer(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let Some(origin) = origin(request.headers()).map(str::to_owned) else { return next.run(request).await };
    let allowed = shared.state.embed_origins.allows(&shared.state.db, &origin).await;
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        if allowed && let Ok(value) = HeaderValue::from_str(&origin) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, accept-language"));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        return response;
    }
    let anonymous = !request.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if allowed
        && anonymous
        && let Ok(value) = HeaderValue::from_str(&origin)
    {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    response
}
