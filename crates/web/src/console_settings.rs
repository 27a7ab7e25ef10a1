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
use escale_domain::manage::look::{self, TenantLook, TenantProfile};
use escale_domain::values::Locale;
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::console_catalog::{Errors, Fields, field};
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
    /// The organizer's profile as shown (or typed), and its refusal by field.
    profile: Fields,
    profile_errors: Errors,
    /// (code, name, selected) of each language.
    languages: Vec<(&'static str, String, bool)>,
}

impl SettingsPage {
    fn p(&self, name: &str) -> &str {
        field(&self.profile, name)
    }
    fn perror(&self, name: &str) -> &str {
        self.profile_errors.get(name)
    }
}

fn profile_fields(p: &TenantProfile) -> Fields {
    vec![
        ("name".into(), p.name.clone()),
        ("defaultLocale".into(), p.default_locale.as_str().to_owned()),
        ("defaultTimeZone".into(), p.default_time_zone.clone()),
        ("emailSenderName".into(), p.email_sender_name.clone().unwrap_or_default()),
        ("smsSenderId".into(), p.sms_sender_id.clone().unwrap_or_default()),
    ]
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
    profile: Option<(Fields, Errors)>,
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
    let (profile, profile_errors) = match profile {
        Some(typed) => typed,
        None => match look::tenant_profile(&web.state.db, actor).await {
            Ok(p) => (profile_fields(&p), Errors::default()),
            Err(e) => return page::unavailable(lang, &e),
        },
    };
    let chosen = field(&profile, "defaultLocale").to_owned();
    let languages = ["fr", "ar", "en"]
        .into_iter()
        .map(|code| (code, Tr(lang).s(&format!("language-{code}")), code == chosen))
        .collect();
    let page = SettingsPage {
        c,
        f,
        accent,
        origins,
        has_logo: current.logo.is_some(),
        error,
        saved,
        profile,
        profile_errors,
        languages,
    };
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
    settings_page(&web, lang, &token, &actor, None, String::new(), saved, StatusCode::OK, None).await
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
    if field(&fields, "form") == "profile" {
        return save_profile(&web, lang, (&token, &actor), fields).await;
    }
    let field = |name: &str| field(&fields, name).to_owned();
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
                None,
            )
            .await
        }
        Err(DomainError::Forbidden(_)) => console::to_dashboard(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}

/// The organizer's name, language, zone and senders' names.
async fn save_profile(web: &Web, lang: Lang, (token, actor): (&str, &Actor), typed: Fields) -> Response {
    let optional = |name: &str| Some(field(&typed, name).trim().to_owned()).filter(|v| !v.is_empty());
    let profile = TenantProfile {
        name: field(&typed, "name").to_owned(),
        default_locale: field(&typed, "defaultLocale").parse().unwrap_or(Locale::Fr),
        default_time_zone: field(&typed, "defaultTimeZone").to_owned(),
        email_sender_name: optional("emailSenderName"),
        sms_sender_id: optional("smsSenderId"),
    };
    match look::set_tenant_profile(&web.state.db, actor, profile, Utc::now()).await {
        Ok(_) => Redirect::to(&format!("/console/settings?lang={}&saved=1", lang.as_str())).into_response(),
        Err(DomainError::Forbidden(_)) => console::to_dashboard(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => {
                settings_page(
                    web,
                    lang,
                    token,
                    actor,
                    None,
                    String::new(),
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((typed, errors)),
                )
                .await
            }
            None => page::unavailable(lang, &e),
        },
    }
}

/// A new logo, uploaded as a file (`multipart/form-data`): its form token
/// and the image, kept up to the logo's limit and no further; its type from
/// its bytes (`look::logo_data_url`), then `set_tenant_look` as the API does.
pub(crate) async fn upload_logo(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (mut sent, mut image, mut too_big) = (String::new(), Vec::new(), false);
    'parts: loop {
        let part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            // Past the route's body limit (or not a multipart form): what
            // was read so far (the form token comes first) says who asks.
            Err(_) => {
                too_big = true;
                break;
            }
        };
        let name = part.name().unwrap_or("").to_owned();
        let mut part = part;
        let mut read = Vec::new();
        loop {
            match part.chunk().await {
                // Past the limit the rest is read and dropped (the body
                // limit bounds it) so that the parts after it are reached.
                Ok(Some(chunk)) if too_big || read.len() + chunk.len() > look::MAX_LOGO_BYTES => too_big = true,
                Ok(Some(chunk)) => read.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(_) => {
                    too_big = true;
                    break 'parts;
                }
            }
        }
        match name.as_str() {
            "csrf" => sent = String::from_utf8_lossy(&read).into_owned(),
            "logo" => image = read,
            _ => {}
        }
    }
    let (token, actor) = match console::posted_with(&web, &headers, &jar, lang, &sent).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let current = match look::tenant_look(&web.state.db, &actor).await {
        Ok(l) => l,
        Err(DomainError::Forbidden(_)) => return console::to_dashboard(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let logo = if too_big {
        Err(DomainError::validation("logo", escale_domain::text!("look-logo-size", max = look::MAX_LOGO_BYTES / 1024)))
    } else {
        look::logo_data_url(&image)
    };
    let saved = match logo {
        Ok(logo) => {
            let wanted = TenantLook { logo: Some(logo), ..current.clone() };
            look::set_tenant_look(&web.state.db, &actor, wanted, Utc::now()).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Redirect::to(&format!("/console/settings?lang={}&saved=1", lang.as_str())).into_response(),
        Err(DomainError::Validation { message, .. }) => {
            settings_page(
                &web,
                lang,
                &token,
                &actor,
                None,
                message.render(lang),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(DomainError::Forbidden(_)) => console::to_dashboard(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}
