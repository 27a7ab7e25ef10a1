//! A participant as the team sees her: contact, consents, and every
//! registration across stops and editions; a live one can be cancelled for
//! her (`tickets::cancel_by_organizer`: audited, the seat to the next in
//! line with their message, as when she cancels).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::registration::RegistrationStatus as S;
use escale_domain::registration::participants;
use escale_domain::registration::tickets;
use escale_domain::{DomainError, Lang};
use escale_i18n::Arg;

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::page::{self, Chrome, Tr, choose_lang};
use crate::when;

struct HistoryRow {
    id: String,
    stop: String,
    date: String,
    state: &'static str,
    status: String,
    code: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "console_person.html")]
struct PersonPage {
    c: Chrome,
    f: Frame,
    id: String,
    name: String,
    contact: String,
    consents: Vec<(String, String)>,
    rows: Vec<HistoryRow>,
    /// (when, kind · channel, state, the reason it failed).
    messages: Vec<(String, String, String, String)>,
    can_cancel: bool,
    error: String,
}

async fn person_page(web: &Web, lang: Lang, token: &str, actor: &Actor, id: uuid::Uuid, error: String) -> Response {
    let t = Tr(lang);
    let history = match participants::history_by_id(&web.state.db, actor, id).await {
        Ok(h) => h,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(DomainError::Forbidden(_)) => {
            return console::to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let p = &history.participant;
    let given = |at: Option<chrono::DateTime<Utc>>| {
        at.map(|at| t.a("manage-consent-given", &[("date", Arg::from(at.format("%Y-%m-%d").to_string()))]))
            .unwrap_or_else(|| t.s("manage-consent-not-given"))
    };
    let consents = vec![
        (t.s("form-consent-email"), given(p.consents.email_reminders)),
        (t.s("form-consent-sms"), given(p.consents.sms_reminders)),
        (t.s("form-consent-partners"), given(p.consents.partner_sharing)),
    ];
    let rows = history
        .registrations
        .iter()
        .map(|h| {
            let r = &h.registration;
            let (state, status) = match r.status {
                S::Confirmed => ("open", t.s("console-status-confirmed")),
                S::Waitlisted => (
                    "wait",
                    t.a("console-status-waitlisted", &[("position", Arg::from(r.waitlist_position.unwrap_or(0)))]),
                ),
                S::Cancelled => ("off", t.s("console-status-cancelled")),
            };
            HistoryRow {
                id: r.id.0.to_string(),
                stop: h.stop.name_in(lang.as_str()).to_owned(),
                date: when::date(lang, h.stop.local_starts_at()),
                state,
                status,
                code: r.display_code(),
                live: r.status != S::Cancelled && h.stop.starts_at > Utc::now(),
            }
        })
        .collect();
    let messages = match escale_domain::messaging::organizer::messages_of(&web.state.db, actor, id).await {
        Ok(m) => m,
        Err(e) => return page::unavailable(lang, &e),
    };
    // In the zone of her first registration's stop (the team's local time).
    let zone = history.registrations.first().map(|h| h.stop.time_zone).unwrap_or_default();
    let messages = messages
        .into_iter()
        .map(|m| {
            let at = zone.local(m.at);
            (
                format!("{} {}", when::short_day(lang, at.date_naive()), at.format("%H:%M")),
                format!(
                    "{} · {}",
                    t.s(&format!("console-message-{}", m.key)),
                    t.s(&format!("console-channel-{}", m.channel))
                ),
                t.s(&format!("console-message-state-{}", m.status)),
                m.reason.unwrap_or_default(),
            )
        })
        .collect();
    let (c, f) =
        match console::frame(web, lang, token, actor, p.full_name.clone(), &format!("/console/people/{id}")).await {
            Ok(framed) => framed,
            Err(e) => return page::unavailable(lang, &e),
        };
    let page = PersonPage {
        c,
        f,
        id: id.to_string(),
        name: p.full_name.clone(),
        contact: [p.email.as_deref(), p.phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" · "),
        consents,
        rows,
        messages,
        can_cancel: actor.require(Action::RegistrationsManage).is_ok(),
        error,
    };
    let status = if page.error.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
    console::console_page(status, &page)
}

pub(crate) async fn person(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(id): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else { return page::not_found(lang) };
    person_page(&web, lang, &token, &actor, id, String::new()).await
}

/// Cancels one of her registrations on her behalf.
pub(crate) async fn cancel(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(id): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, fields) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Ok(person) = uuid::Uuid::parse_str(&id) else { return page::not_found(lang) };
    let registration = fields.iter().find(|(k, _)| k == "registration").map(|(_, v)| v.as_str()).unwrap_or("");
    let Ok(registration) = uuid::Uuid::parse_str(registration) else { return page::not_found(lang) };
    match tickets::cancel_by_organizer(&web.state.db, &actor, registration, Utc::now()).await {
        Ok(outcome) => {
            if !outcome.promoted.is_empty() {
                crate::console_messages::wake(&web);
            }
            Redirect::to(&format!("/console/people/{person}?lang={}", lang.as_str())).into_response()
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(DomainError::Forbidden(_)) => console::to_dashboard(lang),
        Err(DomainError::Conflict { message, .. }) => {
            person_page(&web, lang, &token, &actor, person, message.render(lang)).await
        }
        Err(e) => page::unavailable(lang, &e),
    }
}
