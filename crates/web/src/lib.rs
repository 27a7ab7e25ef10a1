//! Escale's web pages, server-rendered for a phone on a slow connection: the
//! organizer's public page (`/{tenant}`), a stop's page with its registration
//! form (`/{tenant}/{stop}`), a participant's own registration behind the
//! signed link of every message (`/m/{token}`) and a session's questions for
//! its speakers (`/s/{token}`), in French, Arabic (right to left) and English;
//! and the organizers' console (`/console`).
//!
//! Pages read the domain's read models and call the same domain functions as
//! the GraphQL mutations; no rule lives here. Every form works without
//! JavaScript; nothing is fetched from another origin (the CSP says so).
//!
//! **Architecture invariant:** this crate depends on the gateway (its state,
//! limits and client address), never the reverse: the gateway mounts what
//! [`pages`] returns through [`escale_gateway::router_with`].

mod assets;
mod chart;
mod console;
mod console_audit;
mod console_catalog;
mod console_dates;
mod console_details;
mod console_directory;
mod console_door;
mod console_keys;
mod console_messages;
mod console_people;
mod console_reminders;
mod console_settings;
mod console_team;
mod console_templates;
mod form;
mod own;
mod page;
mod public;
mod reads;
mod when;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use escale_gateway::AppState;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What the page handlers share.
#[derive(Clone)]
pub(crate) struct Web {
    pub(crate) state: AppState,
    /// Forms already accepted, by form id → where their answer is (a manage
    /// link): a second submit of the same form (a double tap, a reload)
    /// lands on the first one's answer instead of "already registered".
    pub(crate) answered: moka::future::Cache<uuid::Uuid, (u64, Arc<str>)>,
    /// Keys the fingerprints of who sent a form (see `public::Typed`).
    pub(crate) fingerprints: std::hash::RandomState,
    /// The public read models, shared for the public cache's time.
    pub(crate) reads: reads::Reads,
}

/// The pages' routes, with their state: mount them with
/// [`escale_gateway::router_with`] (as [`app`] does).
pub fn pages(state: AppState) -> Router {
    let answered = moka::future::Cache::builder()
        .max_capacity(100_000)
        .time_to_live(form::FORM_LIFETIME + Duration::from_secs(60))
        .build();
    Router::new()
        .route("/", get(public::home))
        .route("/assets/{name}", get(assets::serve))
        .route("/assets/theme/{file}", get(assets::theme))
        .route("/m/{token}", get(own::show))
        .route("/m/{token}/cancel", get(own::confirm_cancel).post(own::cancel))
        .route("/m/{token}/event.ics", get(own::calendar))
        .route("/m/{token}/{action}", axum::routing::post(own::act))
        .route("/s/{token}", get(own::speaker))
        .route("/console", get(console::dashboard))
        .route("/console/login", get(console::login_form).post(console::login))
        .route("/console/logout", axum::routing::post(console::logout))
        .route("/console/switch", axum::routing::post(console::switch))
        .route("/console/stops/{stop}", get(console::roster).post(console::roster_search))
        .route("/console/stops/{stop}/registrations.csv", get(console::roster_csv))
        .route("/console/editions/{edition}/stops", get(console_catalog::new_stop).post(console_catalog::create_stop))
        .route("/console/stops/{stop}/edit", get(console_catalog::stop_edit))
        .route("/console/members", get(console_team::team).post(console_team::change))
        .route("/console/keys", get(console_keys::keys).post(console_keys::change))
        .route("/console/audit", get(console_audit::audit_log))
        .route("/console/people/{id}", get(console_people::person))
        .route("/console/people/{id}/cancel", axum::routing::post(console_people::cancel))
        .route("/console/catalog", get(console_directory::directory).post(console_directory::act))
        .route("/console/templates", get(console_templates::templates).post(console_templates::act))
        // A logo is larger than a form: its own limit, twice the image's.
        .route(
            "/console/settings/logo",
            axum::routing::post(console_settings::upload_logo)
                .layer(axum::extract::DefaultBodyLimit::max(2 * escale_domain::manage::look::MAX_LOGO_BYTES)),
        )
        .route("/console/settings", get(console_settings::settings).post(console_settings::save))
        .route("/console/stops/{stop}/sessions", axum::routing::post(console_catalog::add_session))
        .route("/console/stops/{stop}/status", axum::routing::post(console_catalog::set_status))
        .route("/console/{kind}/{id}/reminders", get(console_reminders::reminders).post(console_reminders::save))
        .route("/console/stops/{stop}/details", get(console_details::details_form).post(console_details::save))
        .route("/console/stops/{stop}/reschedule", get(console_dates::reschedule_form).post(console_dates::reschedule))
        .route("/console/editions/{edition}/clone", get(console_dates::clone_form).post(console_dates::clone))
        .route("/console/stops/{stop}/door", get(console_door::door).post(console_door::scan))
        .route("/console/stops/{stop}/door/counts", get(console_door::counts))
        .route("/console/stops/{stop}/door/list", get(console_door::list))
        .route("/console/stops/{stop}/door/scans", axum::routing::post(console_door::scans))
        .route("/console/stops/{stop}/door/app.webmanifest", get(assets::door_manifest))
        .route("/console/door-sw.js", get(assets::door_worker))
        .route("/console/stops/{stop}/messages", get(console_messages::messages).post(console_messages::act))
        .route("/{tenant}", get(public::tenant))
        .route("/{tenant}/{stop}", get(public::stop).post(public::register))
        // Inside the routing, so the matched pattern labels the request.
        .route_layer(axum::middleware::from_fn(escale_gateway::observe::track))
        .fallback(page::fallback)
        .layer(axum::extract::DefaultBodyLimit::max(32 * 1024))
        .with_state(Web {
            reads: reads::Reads::new(state.public_cache.as_ref().map(|c| c.ttl())),
            state,
            answered,
            fingerprints: std::hash::RandomState::new(),
        })
}

/// The whole platform's HTTP side: the API and the pages.
pub fn app(state: AppState) -> Router {
    escale_gateway::router_with(state.clone(), pages(state))
}

/// Serves [`app`] until `shutdown`, as [`escale_gateway::serve`] does.
pub async fn serve(listener: TcpListener, state: AppState, shutdown: CancellationToken) -> std::io::Result<()> {
    let deadline = state.shutdown_deadline;
    escale_gateway::serve_app(listener, app(state), deadline, shutdown).await
}

impl Web {
    /// A new form id for one of the tenant's pages.
    pub(crate) async fn issue_form(
        &self,
        tenant: &escale_domain::tenancy::Tenant,
    ) -> escale_domain::DomainResult<String> {
        form::issue(&*self.reads.signer(&self.state.db, tenant).await?)
    }

    /// The form id of a post to one of the tenant's pages, when it is ours
    /// and fresh.
    pub(crate) async fn check_form(
        &self,
        tenant: &escale_domain::tenancy::Tenant,
        token: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> escale_domain::DomainResult<Result<uuid::Uuid, form::Refusal>> {
        Ok(form::check(&*self.reads.signer(&self.state.db, tenant).await?, token, now))
    }
}

/// The address a request came from, for per-address limits.
pub(crate) fn client_ip(web: &Web, headers: &axum::http::HeaderMap, peer: SocketAddr) -> std::net::IpAddr {
    escale_gateway::http::client_ip(headers, peer, web.state.trust_proxy)
}
