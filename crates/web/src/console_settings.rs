//! The console's settings: the organizer's look on its pages (an accent
//! colour held to WCAG AA by the domain, its logo) and the sites that may
//! show its pages in a frame — `manage::look`, the API's `setTenantLook`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::Actor;
use escale_domain::manage::look::{self, TenantLook};
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::page::{self, Chrome, Tr, choose_lang};

#[derive(Template)]
#[template(path = "console_settings.html")]
struct SettingsPage {
    c: Chrome,
    f: Frame,
    accent: String,
    origins: String,
    has_logo: bool,
    error: String,
    saved: bool,
}

#[expect(clippy::too_many_arguments, reason = "the parts of one page, read by two handlers")]
async fn settings_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    typed: Option<(String, String)>,
    error: String,
    saved: bool,
    status: StatusCode,
) -> Response {
    let current = match look::tenant_look(&web.state.db, actor).await {
        Ok(l) => l,
        Err(DomainError::Forbidden(_)) => {
            return console::to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let (c, f) =
        match console::frame(web, lang, token, actor, Tr(lang).s("console-settings"), "/console/settings").await {
            Ok(framed) => framed,
            Err(e) => return page::unavailable(lang, &e),
        };
    let (accent, origins) =
        typed.unwrap_or_else(|| (current.accent_color.clone().unwrap_or_default(), current.embed_origins.join("\n")));
    let page = SettingsPage { c, f, accent, origins, has_logo: current.logo.is_some(), error, saved };
    console::console_page(status, &page)
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SettingsQuery {
    lang: Option<String>,
    /// Just saved: the page says so.
    saved: Option<String>,
}

pub(crate) async fn settings(
    State(web): State<Web>,
    Query(q): Query<SettingsQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let saved = q.saved.is_some();
    settings_page(&web, lang, &token, &actor, None, String::new(), saved, StatusCode::OK).await
}

pub(crate) async fn save(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, fields) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let current = match look::tenant_look(&web.state.db, &actor).await {
        Ok(l) => l,
        Err(DomainError::Forbidden(_)) => {
            return console::to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let (accent, origins) = (field("accent"), field("origins"));
    let wanted = TenantLook {
        accent_color: Some(accent.clone()).filter(|a| !a.trim().is_empty()),
        // The logo is kept unless she asks to remove it (a new one goes
        // through the API's setTenantLook for now).
        logo: if field("removeLogo") == "on" { None } else { current.logo },
        embed_origins: origins.lines().map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect(),
    };
    match look::set_tenant_look(&web.state.db, &actor, wanted, Utc::now()).await {
        Ok(_) => Redirect::to(&format!("/console/settings?lang={}&saved=1", lang.as_str())).into_response(),
        Err(DomainError::Validation { message, .. }) => {
            let error = message.render(lang);
            settings_page(
                &web,
                lang,
                &token,
                &actor,
                Some((accent, origins)),
                error,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(DomainError::Forbidden(_)) => console::to_dashboard(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}
