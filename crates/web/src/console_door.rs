//! The door of a stop in the console, phone first: one field that a handheld
//! scanner types into (the code, then Enter) or a person types by hand, and
//! one big answer after each scan — green with the person's name, or red with
//! the reason in the staff member's language (another stop or day, naming
//! it; cancelled; waiting; already in since HH:MM). The check is the API's
//! (`registration::door::check_in`: the stop and day, idempotent, the code's
//! usual confusions forgiven) under the same per-member limit.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog;
use escale_domain::registration::door::{self, StopCounts};
use escale_domain::{DomainError, Lang};
use escale_gateway::limits::{Bucket, actor_key};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::console_catalog::field;
use crate::page::{self, Chrome, Tr, choose_lang};

/// The answer to the last scan.
struct Answer {
    admitted: bool,
    /// The person's name (admitted), or the reason (refused).
    headline: String,
    detail: String,
    /// The code as it was typed, to be typed again if mistaken.
    code: String,
}

#[derive(Template)]
#[template(path = "console_door.html")]
struct DoorPage {
    c: Chrome,
    f: Frame,
    id: String,
    heading: String,
    counts: String,
    answer: Option<Answer>,
}

fn counts_text(t: Tr, counts: StopCounts) -> String {
    t.a("console-door-counts", &[("in", counts.checked_in.into()), ("confirmed", counts.confirmed.into())])
}

async fn door_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    stop_id: uuid::Uuid,
    answer: Option<Answer>,
    status: StatusCode,
) -> Response {
    let t = Tr(lang);
    let Ok(scope) = actor.require(Action::CheckIn) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let stop = match catalog::find::one_stop(db, scope, stop_id).await {
        Ok(s) => s,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let counts = match door::stop_counts(db, scope, &[stop_id]).await {
        Ok(mut c) => c.remove(&stop_id).unwrap_or_default(),
        Err(e) => return page::unavailable(lang, &e),
    };
    let heading = stop.name_in(lang.as_str()).to_owned();
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        format!("{} — {heading}", t.s("console-door")),
        &format!("/console/stops/{stop_id}/door"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let page = DoorPage { c, f, id: stop_id.to_string(), heading, counts: counts_text(t, counts), answer };
    console::console_page(status, &page)
}

pub(crate) async fn door(
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
    door_page(&web, lang, (&token, &actor), stop, None, StatusCode::OK).await
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct LiveCounts {
    checked_in: i64,
    confirmed: i64,
    /// As the screen says it, in the staff member's language.
    text: String,
}

/// The stop's live count, for the door screen to refresh without a reload
/// (`escale.js` asks every few seconds while the page is shown and online).
pub(crate) async fn counts(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (_, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Ok(stop_id) = uuid::Uuid::parse_str(&stop) else { return page::not_found(lang) };
    let Ok(scope) = actor.require(Action::CheckIn) else { return page::not_found(lang) };
    let read = async {
        catalog::find::one_stop(&web.state.db, scope, stop_id).await?;
        Ok::<_, DomainError>(
            door::stop_counts(&web.state.db, scope, &[stop_id]).await?.remove(&stop_id).unwrap_or_default(),
        )
    };
    match read.await {
        Ok(c) => {
            let body = LiveCounts { checked_in: c.checked_in, confirmed: c.confirmed, text: counts_text(Tr(lang), c) };
            ([(axum::http::header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}

/// A scan: the code checked at this stop's door now.
pub(crate) async fn scan(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let t = Tr(lang);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Ok(stop_id) = uuid::Uuid::parse_str(&stop) else { return page::not_found(lang) };
    if let Err(wait) = web.state.limits.check(Bucket::CheckInPerMember, &actor_key(&actor)).await {
        return page::too_many(lang, wait);
    }
    let code = field(&typed, "code").trim().to_owned();
    let answer = match door::check_in(&web.state.db, &actor, stop_id, &code, Utc::now()).await {
        Ok(done) if done.already => {
            Answer { admitted: false, headline: done.message().render(lang), detail: String::new(), code }
        }
        Ok(done) => Answer {
            admitted: true,
            headline: done.participant_name.clone(),
            detail: done.message().render(lang),
            code: String::new(),
        },
        // A stop of another organizer, or none: not a scan's answer.
        Err(DomainError::NotFound { entity: "stop" }) => return page::not_found(lang),
        Err(DomainError::NotFound { .. }) => {
            Answer { admitted: false, headline: t.s("console-door-unknown"), detail: String::new(), code }
        }
        Err(DomainError::Forbidden(_)) => return console::to_dashboard(lang),
        Err(DomainError::Validation { message, .. } | DomainError::Conflict { message, .. }) => {
            Answer { admitted: false, headline: message.render(lang), detail: String::new(), code }
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    door_page(&web, lang, (&token, &actor), stop_id, Some(answer), StatusCode::OK).await
}
