//! The pages' own stylesheet and script, in the binary: nothing is fetched
//! from another origin. Their URLs carry the build's version, so browsers
//! keep them for a year and a new release is fetched anew.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../assets/escale.css");
const JS: &str = include_str!("../assets/escale.js");

/// A short hash of the assets: their URLs change when they do.
pub(crate) fn version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (CSS, JS).hash(&mut h);
        format!("{:08x}", h.finish() & 0xffff_ffff)
    });
    &VERSION
}

pub(crate) async fn serve(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "escale.css" => (CSS, "text/css; charset=utf-8"),
        "escale.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// An organizer's stylesheet: its accent colour over the default one.
pub(crate) async fn theme(
    axum::extract::State(web): axum::extract::State<crate::Web>,
    Path(file): Path<String>,
) -> Response {
    let Some(slug) = file.strip_suffix(".css") else { return StatusCode::NOT_FOUND.into_response() };
    // Through the pages' shared reads: asked once per page view by every visitor.
    let accent = match web.reads.tenant(&web.state.db, slug).await {
        Ok(t) => t.accent_color.clone(),
        Err(escale_domain::DomainError::NotFound { .. }) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read an organizer's theme");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    // Stored only after `manage::look` checked it is `#rrggbb`.
    let css = accent.map(|c| format!(":root{{--accent:{c}}}\n")).unwrap_or_default();
    let mut response = css.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
