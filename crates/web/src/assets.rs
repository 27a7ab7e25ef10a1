//! The pages' own stylesheet and script, in the binary: nothing is fetched
//! from another origin. Their URLs carry the build's version, so browsers
//! keep them for a year and a new release is fetched anew.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../assets/escale.css");
const JS: &str = include_str!("../assets/escale.js");
const DOOR_WORKER: &str = include_str!("../assets/door-sw.js");
const DOOR_ICON: &str = include_str!("../assets/door-icon.svg");

/// A short hash of the assets: their URLs change when they do.
pub(crate) fn version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (CSS, JS, DOOR_ICON).hash(&mut h);
        format!("{:08x}", h.finish() & 0xffff_ffff)
    });
    &VERSION
}

pub(crate) async fn serve(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "escale.css" => (CSS, "text/css; charset=utf-8"),
        "escale.js" => (JS, "text/javascript; charset=utf-8"),
        "door-icon.svg" => (DOOR_ICON, "image/svg+xml"),
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

/// The door's service worker. Browsers look for a new one at each visit
/// (`no-cache`); it may control the console's paths, but only answers for
/// the door screens and the assets (see the script).
pub(crate) async fn door_worker() -> Response {
    let mut response = DOOR_WORKER.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[derive(serde::Serialize)]
struct Manifest {
    name: String,
    short_name: String,
    lang: &'static str,
    dir: &'static str,
    start_url: String,
    scope: &'static str,
    display: &'static str,
    background_color: &'static str,
    theme_color: &'static str,
    icons: [Icon; 1],
}

#[derive(serde::Serialize)]
struct Icon {
    src: String,
    sizes: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    purpose: &'static str,
}

#[derive(serde::Deserialize)]
pub(crate) struct ManifestQuery {
    lang: Option<String>,
    session: Option<String>,
}

/// The door screen of a stop as an app to put on the home screen: it opens
/// on that stop's door, full screen.
pub(crate) async fn door_manifest(
    Path(stop): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ManifestQuery>,
) -> Response {
    let Ok(stop) = uuid::Uuid::parse_str(&stop) else { return StatusCode::NOT_FOUND.into_response() };
    // A workshop's door opens on that workshop.
    let session = match q.session.as_deref().map(uuid::Uuid::parse_str) {
        None => String::new(),
        Some(Ok(s)) => format!("&session={s}"),
        Some(Err(_)) => return StatusCode::NOT_FOUND.into_response(),
    };
    let lang = q.lang.as_deref().and_then(escale_domain::Lang::parse).unwrap_or(escale_domain::Lang::Fr);
    let t = crate::page::Tr(lang);
    let manifest = Manifest {
        name: format!("Escale — {}", t.s("console-door")),
        short_name: t.s("console-door"),
        lang: lang.as_str(),
        dir: if lang == escale_domain::Lang::Ar { "rtl" } else { "ltr" },
        start_url: format!("/console/stops/{stop}/door?lang={}{session}", lang.as_str()),
        scope: "/console/",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#0b5d4b",
        icons: [Icon {
            src: format!("/assets/door-icon.svg?v={}", version()),
            sizes: "any",
            kind: "image/svg+xml",
            purpose: "any maskable",
        }],
    };
    let mut response = axum::Json(manifest).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    response
}
