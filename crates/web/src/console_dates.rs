//! Moving dates in the console, each previewed before it is done: a stop
//! rescheduled (who will be told, by what) and an edition cloned into the
//! next one (each stop's new date). Confirming calls the GraphQL mutation's
//! domain function (`manage::reschedule_stop`, `manage::clone_edition`); the
//! preview reads with the same rules (`notices::reach`, `manage::clone_preview`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::{Datelike as _, Utc};
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog;
use escale_domain::manage::{self, CloneEdition, Reschedule, TimeInput};
use escale_domain::messaging::notices::{self, Notify};
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::console_catalog::{Errors, Fields, field, local_time, number};
use crate::page::{self, Chrome, Tr, choose_lang};
use crate::when;

const FORM: &str = "%Y-%m-%dT%H:%M";

// ------------------------------------------------------------ reschedule

/// What a confirmed move would do.
struct MovePreview {
    from: String,
    to: String,
    people: i64,
    emails: i64,
    sms: i64,
    notify: bool,
}

#[derive(Template)]
#[template(path = "console_reschedule.html")]
struct ReschedulePage {
    c: Chrome,
    f: Frame,
    id: String,
    heading: String,
    date: String,
    typed: Fields,
    errors: Errors,
    preview: Option<MovePreview>,
}

impl ReschedulePage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn notify(&self) -> bool {
        self.typed.iter().any(|(k, _)| k == "notify")
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        self.errors.banner(&["startsAt", "endsAt"])
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

async fn reschedule_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    stop_id: uuid::Uuid,
    typed: Option<Fields>,
    errors: Errors,
    preview: Option<MovePreview>,
) -> Response {
    let Ok(scope) = actor.require(Action::CatalogPublish) else { return console::to_dashboard(lang) };
    let stop = match catalog::find::one_stop(&web.state.db, scope, stop_id).await {
        Ok(s) => s,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let heading = stop.name_in(lang.as_str()).to_owned();
    let t = Tr(lang);
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        format!("{} — {heading}", t.s("console-reschedule")),
        &format!("/console/stops/{stop_id}/reschedule"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status = if errors.banner(&[]).is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    // First visit: the stop's own times, and participants told.
    let typed = typed.unwrap_or_else(|| {
        vec![
            ("startsAt".to_owned(), stop.local_starts_at().format(FORM).to_string()),
            ("endsAt".to_owned(), stop.local_ends_at().format(FORM).to_string()),
            ("notify".to_owned(), "on".to_owned()),
        ]
    });
    let page = ReschedulePage {
        c,
        f,
        id: stop_id.to_string(),
        heading,
        date: when::date_time(lang, stop.local_starts_at()),
        typed,
        errors,
        preview,
    };
    console::console_page(status, &page)
}

pub(crate) async fn reschedule_form(
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
    reschedule_page(&web, lang, (&token, &actor), stop, None, Errors::default(), None).await
}

/// `action=preview` says what would change and who would be told;
/// `action=confirm` moves the stop.
pub(crate) async fn reschedule(
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
    let notify = typed.iter().any(|(k, _)| k == "notify");
    let done = async {
        let starts = local_time(field(&typed, "startsAt"), "startsAt")?;
        let ends = local_time(field(&typed, "endsAt"), "endsAt")?;
        if field(&typed, "action") == "confirm" {
            let to = Reschedule {
                starts_at: starts,
                ends_at: ends,
                time_zone: None,
                notify: if notify { Notify::Participants } else { Notify::Nobody },
            };
            manage::reschedule_stop(&web.state.db, &actor, stop_id, to, Utc::now()).await?;
            crate::console_messages::wake(&web);
            return Ok(None);
        }
        let scope = actor.require(Action::CatalogPublish)?;
        let stop = catalog::find::one_stop(&web.state.db, scope, stop_id).await?;
        let reach = notices::reach(&web.state.db, scope, stop_id).await?;
        // The wall-clock times typed, in the stop's zone, read as the page
        // reads dates; the end's date only when it is another day.
        let local = |t: &TimeInput| match t {
            TimeInput::Local(l) => l.and_utc().fixed_offset(),
            TimeInput::Instant(i) => stop.time_zone.local(*i),
        };
        let (start, end) = (local(&starts), local(&ends));
        let to = if start.date_naive() == end.date_naive() {
            format!("{} – {}", when::date_time(lang, start), end.format("%H:%M"))
        } else {
            format!("{} – {}", when::date_time(lang, start), when::date_time(lang, end))
        };
        Ok(Some(MovePreview {
            from: format!(
                "{} – {}",
                when::date_time(lang, stop.local_starts_at()),
                stop.local_ends_at().format("%H:%M")
            ),
            to,
            people: count(reach.people),
            emails: count(reach.emails),
            sms: count(reach.sms),
            notify,
        }))
    }
    .await;
    match done {
        Ok(None) => Redirect::to(&format!("/console/stops/{stop_id}/edit?lang={}", lang.as_str())).into_response(),
        Ok(Some(preview)) => {
            reschedule_page(&web, lang, (&token, &actor), stop_id, Some(typed), Errors::default(), Some(preview)).await
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => reschedule_page(&web, lang, (&token, &actor), stop_id, Some(typed), errors, None).await,
            None => page::unavailable(lang, &e),
        },
    }
}

// ----------------------------------------------------------------- clone

struct ShiftLine {
    name: String,
    from: String,
    to: String,
    weekday_changes: bool,
}

#[derive(Template)]
#[template(path = "console_clone.html")]
struct ClonePage {
    c: Chrome,
    f: Frame,
    id: String,
    heading: String,
    typed: Fields,
    errors: Errors,
    preview: Option<Vec<ShiftLine>>,
}

impl ClonePage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        self.errors.banner(&["title", "number", "year", "shiftDays"])
    }
}

async fn clone_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    edition_id: uuid::Uuid,
    typed: Option<Fields>,
    errors: Errors,
    preview: Option<Vec<ShiftLine>>,
) -> Response {
    let Ok(scope) = actor.require(Action::CatalogPublish) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let edition = match catalog::find::one_edition(db, scope, edition_id).await {
        Ok(e) => e,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let series = match catalog::find::one_series(db, scope, edition.series_id.0).await {
        Ok(s) => s,
        Err(e) => return page::unavailable(lang, &e),
    };
    let heading = format!("{} — {}", series.name, edition.title);
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        Tr(lang).s("console-clone"),
        &format!("/console/editions/{edition_id}/clone"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status = if errors.banner(&[]).is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    // The next edition by default: a year on, 364 days later (same weekday).
    let typed = typed.unwrap_or_else(|| {
        vec![
            ("title".to_owned(), edition.title.clone()),
            ("number".to_owned(), (edition.number + 1).to_string()),
            ("year".to_owned(), (edition.year + 1).to_string()),
            ("shiftDays".to_owned(), "364".to_owned()),
        ]
    });
    let page = ClonePage { c, f, id: edition_id.to_string(), heading, typed, errors, preview };
    console::console_page(status, &page)
}

pub(crate) async fn clone_form(
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
    clone_page(&web, lang, (&token, &actor), edition, None, Errors::default(), None).await
}

enum Cloned {
    Preview(Vec<ShiftLine>),
    Created(uuid::Uuid),
}

/// `action=preview` lists each stop's new date; `action=confirm` clones.
pub(crate) async fn clone(
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
    let Ok(edition_id) = uuid::Uuid::parse_str(&edition) else { return page::not_found(lang) };
    let done = async {
        let shift_days = number(field(&typed, "shiftDays"), "shiftDays")?;
        if field(&typed, "action") == "confirm" {
            let int = |name: &str| -> Result<i32, DomainError> {
                i32::try_from(number(field(&typed, name), name)?)
                    .map_err(|_| DomainError::validation(name, escale_domain::text!("console-number-invalid")))
            };
            let input = CloneEdition {
                source_id: edition_id,
                number: int("number")?,
                year: int("year")?,
                title: field(&typed, "title").to_owned(),
                shift_days,
            };
            let created = manage::clone_edition(&web.state.db, &actor, input, Utc::now()).await?;
            return Ok(Cloned::Created(created.id.0));
        }
        let shifted = manage::clone_preview(&web.state.db, &actor, edition_id, shift_days).await?;
        Ok(Cloned::Preview(
            shifted
                .into_iter()
                .map(|s| {
                    let (from, to) = (s.time_zone.local(s.starts_at), s.time_zone.local(s.new_starts_at));
                    ShiftLine {
                        name: s.name,
                        from: when::date_time(lang, from),
                        to: format!(
                            "{} – {}",
                            when::date_time(lang, to),
                            s.time_zone.local(s.new_ends_at).format("%H:%M")
                        ),
                        weekday_changes: from.weekday() != to.weekday(),
                    }
                })
                .collect::<Vec<_>>(),
        ))
    }
    .await;
    match done {
        // The new edition opens on the dashboard, its stops drafts.
        Ok(Cloned::Created(created)) => {
            Redirect::to(&format!("/console?edition={created}&lang={}", lang.as_str())).into_response()
        }
        Ok(Cloned::Preview(lines)) => {
            clone_page(&web, lang, (&token, &actor), edition_id, Some(typed), Errors::default(), Some(lines)).await
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => clone_page(&web, lang, (&token, &actor), edition_id, Some(typed), errors, None).await,
            None => page::unavailable(lang, &e),
        },
    }
}
