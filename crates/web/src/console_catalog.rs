//! The console's catalog screens: a new stop in an edition, a stop's
//! details and workshops, publishing. Each post calls the domain function
//! the GraphQL mutation calls (`manage::create_stop`, `update_stop`,
//! `create_session`, `set_stop_status`), with its role check and audit row;
//! a refusal comes back as the form with what was typed and the message
//! beside its field.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::{NaiveDateTime, Utc};
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog::{self, SessionKind, StopStatus};
use escale_domain::manage::{self, TimeInput};
use escale_domain::messaging::notices::Notify;
use escale_domain::paging::PageRequest;
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::page::{self, Chrome, Tr, choose_lang};
use crate::when;

pub(crate) type Fields = Vec<(String, String)>;

pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// `2027-03-20T09:00` from a `datetime-local` field, as a wall-clock time in
/// the stop's zone. What is not one is refused naming the field.
pub(crate) fn local_time(raw: &str, field: &str) -> Result<TimeInput, DomainError> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .map(TimeInput::Local)
        .map_err(|_| DomainError::validation(field, escale_domain::text!("console-time-invalid")))
}

pub(crate) fn optional(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

pub(crate) fn number(raw: &str, field: &str) -> Result<i64, DomainError> {
    raw.trim().parse().map_err(|_| DomainError::validation(field, escale_domain::text!("console-number-invalid")))
}

/// A form's errors by field name, for the template.
#[derive(Debug, Default)]
pub(crate) struct Errors(HashMap<String, String>);

impl Errors {
    /// The message beside `name`, or nothing.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// What no field of the form shows (a role's refusal), said above it.
    pub(crate) fn banner(&self, fields: &[&str]) -> String {
        self.0
            .iter()
            .filter(|(k, _)| !fields.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One message beside `name`.
    pub(crate) fn one(name: &str, message: String) -> Errors {
        Errors(HashMap::from([(name.to_owned(), message)]))
    }

    pub(crate) fn of(e: &DomainError, lang: Lang) -> Option<Errors> {
        match e {
            DomainError::Validation { field, message } => Some(Errors::one(field, message.render(lang))),
            DomainError::Conflict { message, .. } | DomainError::Forbidden(message) => {
                Some(Errors::one("", message.render(lang)))
            }
            _ => None,
        }
    }
}

// ------------------------------------------------------------- a new stop

#[derive(Template)]
#[template(path = "console_new_stop.html")]
struct NewStopPage {
    c: Chrome,
    f: Frame,
    edition: String,
    heading: String,
    typed: Fields,
    errors: Errors,
}

impl NewStopPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        self.errors.banner(&["name", "region", "city", "venue", "address", "startsAt", "endsAt", "capacity"])
    }
}

async fn edition_heading(web: &Web, actor: &Actor, edition: uuid::Uuid) -> Result<String, DomainError> {
    let scope = actor.require(Action::CatalogRead)?;
    let e = catalog::find::one_edition(&web.state.db, scope, edition).await?;
    let s = catalog::find::one_series(&web.state.db, scope, e.series_id.0).await?;
    Ok(format!("{} — {}", s.name, e.title))
}

#[expect(clippy::too_many_arguments, reason = "the parts of one page, read by two handlers")]
async fn new_stop_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    edition: uuid::Uuid,
    typed: Fields,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let heading = match edition_heading(web, actor, edition).await {
        Ok(h) => h,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(DomainError::Forbidden(_)) => {
            return console::to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        Tr(lang).s("console-new-stop"),
        &format!("/console/editions/{edition}/stops"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let page = NewStopPage { c, f, edition: edition.to_string(), heading, typed, errors };
    console::console_page(status, &page)
}

pub(crate) async fn new_stop(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(edition): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Ok(edition) = uuid::Uuid::parse_str(&edition) else { return page::not_found(lang) };
    new_stop_page(&web, lang, &token, &actor, edition, Vec::new(), Errors::default(), StatusCode::OK).await
}

pub(crate) async fn create_stop(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(edition): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Ok(edition) = uuid::Uuid::parse_str(&edition) else { return page::not_found(lang) };
    let created = async {
        let new = manage::NewStop {
            edition_id: edition,
            name: field(&typed, "name").to_owned(),
            region: field(&typed, "region").to_owned(),
            city: field(&typed, "city").to_owned(),
            venue: field(&typed, "venue").to_owned(),
            address: optional(field(&typed, "address")),
            directions: optional(field(&typed, "directions")),
            translations: Vec::new(),
            time_zone: None,
            starts_at: local_time(field(&typed, "startsAt"), "startsAt")?,
            ends_at: local_time(field(&typed, "endsAt"), "endsAt")?,
            capacity: number(field(&typed, "capacity"), "capacity")?,
            registration_opens_at: None,
            registration_closes_at: None,
        };
        manage::create_stop(&web.state.db, &actor, new, Utc::now()).await
    }
    .await;
    match created {
        Ok(stop) => Redirect::to(&format!("/console/stops/{}/edit?lang={}", stop.id.0, lang.as_str())).into_response(),
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => {
                new_stop_page(&web, lang, &token, &actor, edition, typed, errors, StatusCode::UNPROCESSABLE_ENTITY)
                    .await
            }
            None => page::unavailable(lang, &e),
        },
    }
}

// ------------------------------------------------------ a stop's details

struct SessionLine {
    time: String,
    title: String,
    kind: String,
    seats: String,
}

#[derive(Template)]
#[template(path = "console_stop_edit.html")]
struct StopEditPage {
    c: Chrome,
    f: Frame,
    id: String,
    heading: String,
    date: String,
    status: &'static str,
    status_text: String,
    /// The public page's address once published.
    public: String,
    sessions: Vec<SessionLine>,
    /// What was typed in the new workshop's form, and its errors.
    typed: Fields,
    errors: Errors,
    /// The day, for the workshop's default times.
    day: String,
    can_publish: bool,
}

impl StopEditPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        self.errors.banner(&["title", "startsAt", "endsAt", "capacity", "room"])
    }
}

#[expect(clippy::too_many_arguments, reason = "the parts of one page, read by three handlers")]
async fn stop_edit_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    stop_id: uuid::Uuid,
    typed: Fields,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let t = Tr(lang);
    let scope = match actor.require(Action::CatalogRead) {
        Ok(s) => s,
        Err(_) => return console::to_dashboard(lang),
    };
    let db = &web.state.db;
    let stop = match catalog::find::one_stop(db, scope, stop_id).await {
        Ok(s) => s,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let sessions = match PageRequest::new(Some(100), None) {
        Ok(p) => catalog::list_sessions(db, scope, Some(stop_id), &p).await.map(|p| p.items),
        Err(e) => Err(e),
    };
    let sessions = match sessions {
        Ok(s) => s,
        Err(e) => return page::unavailable(lang, &e),
    };
    let zone = stop.time_zone;
    let mut sessions: Vec<catalog::Session> = sessions;
    sessions.sort_by_key(|s| s.starts_at);
    let lines = sessions
        .iter()
        .map(|s| SessionLine {
            time: format!("{} – {}", zone.local(s.starts_at).format("%H:%M"), zone.local(s.ends_at).format("%H:%M")),
            title: s.title_in(lang.as_str()).to_owned(),
            kind: crate::public::kind_label(t, s.kind),
            seats: s.capacity.map(|c| format!("{} / {c}", s.confirmed_count)).unwrap_or_default(),
        })
        .collect();
    let (status_class, status_text) = match stop.status {
        StopStatus::Draft => ("soon", t.s("console-stop-draft")),
        StopStatus::Published => ("open", t.s("console-stop-published")),
        StopStatus::Cancelled => ("off", t.s("console-stop-cancelled")),
    };
    let tenant_slug = match escale_domain::tenancy::get(db, scope).await {
        Ok(tenant) => tenant.slug,
        Err(e) => return page::unavailable(lang, &e),
    };
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        stop.name_in(lang.as_str()).to_owned(),
        &format!("/console/stops/{stop_id}/edit"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let page = StopEditPage {
        c,
        f,
        id: stop_id.to_string(),
        heading: stop.name_in(lang.as_str()).to_owned(),
        date: when::date(lang, stop.local_starts_at()),
        status: status_class,
        status_text,
        public: if stop.status == StopStatus::Published {
            format!("/{tenant_slug}/{}", crate::public::stop_slug(&stop))
        } else {
            String::new()
        },
        sessions: lines,
        typed,
        errors,
        day: stop.local_starts_at().format("%Y-%m-%d").to_string(),
        can_publish: actor.require(Action::CatalogPublish).is_ok(),
    };
    console::console_page(status, &page)
}

pub(crate) async fn stop_edit(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Ok(stop) = uuid::Uuid::parse_str(&stop) else { return page::not_found(lang) };
    stop_edit_page(&web, lang, &token, &actor, stop, Vec::new(), Errors::default(), StatusCode::OK).await
}

/// A new session (a workshop with seats, or a talk open to all) at the stop.
pub(crate) async fn add_session(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Ok(stop_id) = uuid::Uuid::parse_str(&stop) else { return page::not_found(lang) };
    let created = async {
        let capacity = optional(field(&typed, "capacity")).map(|c| number(&c, "capacity")).transpose()?;
        let new = manage::NewSession {
            stop_id,
            kind: if capacity.is_some() { SessionKind::Workshop } else { SessionKind::Talk },
            title: field(&typed, "title").to_owned(),
            description: optional(field(&typed, "description")),
            topics: Vec::new(),
            room: optional(field(&typed, "room")),
            translations: Vec::new(),
            starts_at: local_time(field(&typed, "startsAt"), "startsAt")?,
            ends_at: local_time(field(&typed, "endsAt"), "endsAt")?,
            capacity,
            language: None,
        };
        manage::create_session(&web.state.db, &actor, new, Utc::now()).await
    }
    .await;
    match created {
        Ok(_) => Redirect::to(&format!("/console/stops/{stop_id}/edit?lang={}", lang.as_str())).into_response(),
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => {
                stop_edit_page(&web, lang, &token, &actor, stop_id, typed, errors, StatusCode::UNPROCESSABLE_ENTITY)
                    .await
            }
            None => page::unavailable(lang, &e),
        },
    }
}

/// Publish (or back to draft): what participants see.
pub(crate) async fn set_status(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Ok(stop_id) = uuid::Uuid::parse_str(&stop) else { return page::not_found(lang) };
    let status = match field(&typed, "status") {
        "published" => StopStatus::Published,
        "draft" => StopStatus::Draft,
        _ => return page::not_found(lang),
    };
    match manage::set_stop_status(&web.state.db, &actor, stop_id, status, Notify::Participants, Utc::now()).await {
        Ok(_) => Redirect::to(&format!("/console/stops/{stop_id}/edit?lang={}", lang.as_str())).into_response(),
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => {
                stop_edit_page(&web, lang, &token, &actor, stop_id, Vec::new(), errors, StatusCode::CONFLICT).await
            }
            None => page::unavailable(lang, &e),
        },
    }
}
