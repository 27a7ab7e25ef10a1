//! The door of a stop in the console, phone first: one field that a handheld
//! scanner types into (the code, then Enter), a person types by hand, or the
//! phone's camera fills; one big answer after each scan — green with the
//! person's name and workshops, or red with the reason in the staff member's
//! language (another stop or day, naming it; cancelled; waiting; already in
//! since HH:MM).
//!
//! Without JavaScript the form posts and the page answers. With it the
//! screen is an installable app (`door.webmanifest`, `door-sw.js`) that keeps
//! the day's list (`door/list`: first name and initial, status, workshops)
//! and sends each scan as JSON (`door/scans`); when the network is gone it
//! answers from the list and queues the scans, sent when it is back. Every
//! path goes through `registration::door::offline`, under the API's
//! per-member check-in limit.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog;
use escale_domain::entities::registration::Status;
use escale_domain::registration::door::offline::{self, Door, Scan, ScanAnswer, ScanOutcome};
use escale_domain::registration::door::{self, StopCounts};
use escale_domain::tenancy::TenantScope;
use escale_domain::{DomainError, Lang};
use escale_gateway::limits::{Bucket, actor_key};
use escale_i18n::Arg;

use crate::Web;
use crate::console::{self, Frame};
use crate::console_catalog::field;
use crate::page::{self, Chrome, Tr, choose_lang};

/// `?lang=` and, at a workshop's door, `?session=`.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct DoorQuery {
    lang: Option<String>,
    session: Option<String>,
}

impl DoorQuery {
    /// The stop of the path and the workshop of the query, if they parse.
    fn ids(&self, stop: &str) -> Option<(uuid::Uuid, Option<uuid::Uuid>)> {
        let stop = uuid::Uuid::parse_str(stop).ok()?;
        match self.session.as_deref().filter(|s| !s.is_empty()) {
            None => Some((stop, None)),
            Some(s) => uuid::Uuid::parse_str(s).ok().map(|s| (stop, Some(s))),
        }
    }

    /// What the door's addresses carry after `?`.
    fn suffix(lang: Lang, session: Option<uuid::Uuid>) -> String {
        match session {
            Some(s) => format!("lang={}&session={s}", lang.as_str()),
            None => format!("lang={}", lang.as_str()),
        }
    }
}

/// The answer to the last scan.
struct Answer {
    admitted: bool,
    /// The person's name (admitted), or the reason (refused).
    headline: String,
    detail: String,
    workshops: Vec<String>,
    /// The code as it was typed, to be typed again if mistaken.
    code: String,
}

/// The words the screen needs when it answers from its own list, with
/// `{name}`-style places the script fills.
struct Words {
    welcome: String,
    already: String,
    cancelled: String,
    waitlisted: String,
    unknown: String,
    online: String,
    offline: String,
    queued: String,
    list: String,
    no_list: String,
    saved: String,
    camera: String,
    camera_stop: String,
    inputs_camera: String,
    inputs_plain: String,
    conflict: String,
    signed_out: String,
    leave: String,
    counts: String,
    /// At a workshop's door: no seat in it.
    no_seat: String,
}

impl Words {
    fn new(t: Tr, workshop: Option<&str>) -> Words {
        let place = |k: &'static str| (k, Arg::from(format!("{{{k}}}")));
        Words {
            welcome: escale_domain::text!("door-welcome", name = "{name}").render(t.0),
            already: escale_domain::text!("door-already", name = "{name}", time = "{time}").render(t.0),
            cancelled: escale_domain::text!("door-cancelled", date = "{date}", time = "{time}").render(t.0),
            waitlisted: escale_domain::text!("door-waitlisted", position = "{position}").render(t.0),
            unknown: t.s("console-door-unknown-offline"),
            online: t.s("console-door-online"),
            offline: t.s("console-door-offline"),
            queued: t.a("console-door-queued", &[place("count")]),
            list: t.a("console-door-list", &[place("count"), place("time")]),
            no_list: t.s("console-door-no-list"),
            saved: t.s("console-door-saved-offline"),
            camera: t.s("console-door-camera"),
            camera_stop: t.s("console-door-camera-stop"),
            inputs_camera: t.s("console-door-inputs-camera"),
            inputs_plain: t.s("console-door-inputs-plain"),
            conflict: t.s("console-door-reported"),
            signed_out: t.s("console-door-signed-out"),
            leave: t.s("console-door-leave"),
            counts: t.a("console-door-counts", &[place("in"), place("confirmed")]),
            no_seat: workshop
                .map(|w| escale_domain::text!("door-no-seat", workshop = w).render(t.0))
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console_door.html")]
struct DoorPage {
    c: Chrome,
    f: Frame,
    id: String,
    /// The workshop whose door this is, if it is one's: (id, title).
    session: Option<(String, String)>,
    /// What the door's addresses carry after `?`.
    query: String,
    /// The stop's workshops, each with its own door: (id, title).
    workshops: Vec<(String, String)>,
    heading: String,
    zone: String,
    counts: String,
    /// Each door's count, as the screen says it.
    doors: Vec<String>,
    /// Scans that found someone let in twice or against the list.
    reports: Vec<String>,
    answer: Option<Answer>,
    words: Words,
}

/// The dashboard's checked-in cell: "12 (40 %)" of the confirmed.
pub(crate) fn checked_in_cell(c: StopCounts) -> String {
    if c.confirmed > 0 {
        format!("{} ({} %)", c.checked_in, c.checked_in * 100 / c.confirmed)
    } else {
        "—".to_owned()
    }
}

fn counts_text(t: Tr, counts: StopCounts) -> String {
    t.a("console-door-counts", &[("in", counts.checked_in.into()), ("confirmed", counts.confirmed.into())])
}

/// Each door's count, and who came in another way (the API, another tool),
/// as the screen says them.
fn per_door(t: Tr, counts: StopCounts, doors: Vec<(String, i64)>) -> Vec<String> {
    let through_doors: i64 = doors.iter().map(|d| d.1).sum();
    let mut out: Vec<(String, i64)> = doors
        .into_iter()
        .map(|(name, n)| (if name.is_empty() { t.s("console-door-unnamed") } else { name }, n))
        .collect();
    if counts.checked_in > through_doors && !out.is_empty() {
        out.push((t.s("console-door-elsewhere"), counts.checked_in - through_doors));
    }
    out.into_iter().map(|(door, n)| t.a("console-door-at", &[("door", door.into()), ("count", n.into())])).collect()
}

async fn door_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    (stop_id, session_id): (uuid::Uuid, Option<uuid::Uuid>),
    answer: Option<Answer>,
) -> Response {
    let t = Tr(lang);
    let Ok(scope) = actor.require(Action::CheckIn) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let stop = match catalog::find::one_stop(db, scope, stop_id).await {
        Ok(s) => s,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let workshops = match workshops_of(db, scope, stop_id, lang).await {
        Ok(w) => w,
        Err(e) => return page::unavailable(lang, &e),
    };
    let session = match session_id {
        None => None,
        Some(id) => match workshops.iter().find(|(w, _)| *w == id.to_string()) {
            Some(w) => Some(w.clone()),
            None => return page::not_found(lang),
        },
    };
    let read = async {
        let counts = counts_of(db, scope, stop_id, session_id).await?;
        let doors = offline::door_counts(db, scope, stop_id, session_id).await?;
        let reports = offline::door_conflicts(db, scope, stop_id, session_id).await?;
        Ok::<_, DomainError>((counts, doors, reports))
    };
    let (counts, doors, reports) = match read.await {
        Ok(r) => r,
        Err(e) => return page::unavailable(lang, &e),
    };
    let zone = stop.time_zone;
    let reports = reports
        .iter()
        .map(|r| {
            let kind = match r.outcome {
                escale_domain::entities::door_scan::Outcome::Conflict => t.s("console-door-report-twice"),
                _ => t.s("console-door-report-refused"),
            };
            let at = zone.local(r.scanned_at).format("%H:%M").to_string();
            t.a("console-door-report", &[("kind", kind.into()), ("door", r.door.clone().into()), ("time", at.into())])
        })
        .collect();
    let stop_name = stop.name_in(lang.as_str()).to_owned();
    let heading = match &session {
        Some((_, title)) => format!("{title} — {stop_name}"),
        None => stop_name,
    };
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
    let words = Words::new(t, session.as_ref().map(|(_, title)| title.as_str()));
    let page = DoorPage {
        c,
        f,
        id: stop_id.to_string(),
        query: DoorQuery::suffix(lang, session_id),
        session,
        workshops,
        heading,
        zone: zone.to_string(),
        counts: counts_text(t, counts),
        doors: per_door(t, counts, doors),
        reports,
        answer,
        words,
    };
    console::console_page(StatusCode::OK, &page)
}

/// The stop's workshops, each a door of its own: (id, title).
async fn workshops_of(
    db: &escale_domain::DatabaseConnection,
    scope: TenantScope,
    stop_id: uuid::Uuid,
    lang: Lang,
) -> Result<Vec<(String, String)>, DomainError> {
    let mut by_stop = catalog::sessions_with_speakers(db, scope, vec![stop_id]).await?;
    let sessions = by_stop.remove(&stop_id).unwrap_or_default();
    Ok(sessions.iter().map(|s| (s.session.id.0.to_string(), s.session.title_in(lang.as_str()).to_owned())).collect())
}

/// The stop's door count, or a workshop's (in the room / seats).
async fn counts_of(
    db: &escale_domain::DatabaseConnection,
    scope: TenantScope,
    stop_id: uuid::Uuid,
    session_id: Option<uuid::Uuid>,
) -> Result<StopCounts, DomainError> {
    match session_id {
        Some(session) => offline::workshop_counts(db, scope, session).await,
        None => Ok(door::stop_counts(db, scope, &[stop_id]).await?.remove(&stop_id).unwrap_or_default()),
    }
}

pub(crate) async fn door(
    State(web): State<Web>,
    Query(q): Query<DoorQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Some(ids) = q.ids(&stop) else { return page::not_found(lang) };
    door_page(&web, lang, (&token, &actor), ids, None).await
}

/// A JSON refusal, in the reader's language, for the door's script.
fn json_error(status: StatusCode, message: String) -> Response {
    #[derive(serde::Serialize)]
    struct Refusal {
        error: String,
    }
    (status, no_store(), axum::Json(Refusal { error: message })).into_response()
}

fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

fn json_domain_error(lang: Lang, e: &DomainError) -> Response {
    let status = match e {
        DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
        DomainError::Forbidden(_) | DomainError::Unauthenticated(_) => StatusCode::FORBIDDEN,
        DomainError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::Conflict { .. } => StatusCode::CONFLICT,
        DomainError::Contention(_) | DomainError::Internal(_) => {
            tracing::error!(error = %e, "the door could not answer");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    let text = e.text().map(|m| m.render(lang)).unwrap_or_else(|| Tr(lang).s("page-unavailable"));
    json_error(status, text)
}

/// The API's per-member check-in limit, answered in JSON with Retry-After.
async fn door_limit(web: &Web, actor: &Actor, lang: Lang) -> Result<(), Response> {
    let Err(wait) = web.state.limits.check(Bucket::CheckInPerMember, &actor_key(actor)).await else { return Ok(()) };
    let secs = escale_gateway::limits::retry_after_secs(wait);
    let mut response =
        json_error(StatusCode::TOO_MANY_REQUESTS, escale_domain::text!("rate-limited", seconds = secs).render(lang));
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    Err(response)
}

/// The signed-in member of a JSON request, or the JSON answer to give instead
/// (a script cannot follow the pages' redirect to the sign-in form).
async fn member(web: &Web, jar: &CookieJar, lang: Lang) -> Result<(String, Actor), Response> {
    console::arrive(web, jar, lang)
        .await
        .map_err(|_| json_error(StatusCode::UNAUTHORIZED, Tr(lang).s("console-door-signed-out")))
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct LiveCounts {
    checked_in: i64,
    confirmed: i64,
    /// As the screen says it, in the staff member's language.
    text: String,
    /// How many each door let in first, as the screen says it.
    doors: Vec<String>,
    /// As the dashboard's cell says it.
    cell: String,
}

async fn live_counts(
    web: &Web,
    lang: Lang,
    scope: TenantScope,
    (stop_id, session_id): (uuid::Uuid, Option<uuid::Uuid>),
) -> Result<LiveCounts, DomainError> {
    let db = &web.state.db;
    let c = counts_of(db, scope, stop_id, session_id).await?;
    let doors = offline::door_counts(db, scope, stop_id, session_id).await?;
    let t = Tr(lang);
    Ok(LiveCounts {
        checked_in: c.checked_in,
        confirmed: c.confirmed,
        text: counts_text(t, c),
        doors: per_door(t, c, doors),
        cell: checked_in_cell(c),
    })
}

/// The stop's live count, for the door screen and the dashboard to refresh
/// without a reload (`escale.js` asks every few seconds while the page is
/// shown and online).
pub(crate) async fn counts(
    State(web): State<Web>,
    Query(q): Query<DoorQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (_, actor) = match member(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return away,
    };
    let Some((stop_id, session_id)) = q.ids(&stop) else {
        return json_domain_error(lang, &DomainError::not_found("stop"));
    };
    let read = async {
        let scope = actor.require(Action::CheckIn)?;
        catalog::find::one_stop(&web.state.db, scope, stop_id).await?;
        if let Some(s) = session_id
            && catalog::find::one_session(&web.state.db, scope, s).await?.stop_id.0 != stop_id
        {
            return Err(DomainError::not_found("session"));
        }
        live_counts(&web, lang, scope, (stop_id, session_id)).await
    };
    match read.await {
        Ok(body) => (no_store(), axum::Json(body)).into_response(),
        Err(e) => json_domain_error(lang, &e),
    }
}

/// [code, name, status (c, w, x), waiting position, cancelled at, checked in
/// at (in the room, at a workshop's door), workshops, their ids]: an array,
/// not an object, as the list of a big stop is large.
type ListRow = (String, String, &'static str, Option<i32>, Option<i64>, Option<i64>, Vec<String>, Vec<String>);

#[derive(serde::Serialize)]
struct ListBody {
    stop: String,
    name: String,
    zone: String,
    /// Milliseconds since the epoch: when the door opens, when the device
    /// must wipe the list, when it was read.
    opens: i64,
    until: i64,
    fetched: i64,
    people: Vec<ListRow>,
}

/// The day's list of a stop's door, for the device to answer without the
/// network: no email, no phone, and only on the stop's day.
pub(crate) async fn list(
    State(web): State<Web>,
    Query(q): Query<DoorQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (_, actor) = match member(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return away,
    };
    let Some((stop_id, session_id)) = q.ids(&stop) else {
        return json_domain_error(lang, &DomainError::not_found("stop"));
    };
    // A big stop's list is the door's heaviest read: under the same
    // per-member budget as the scans (a device asks once a minute).
    if let Err(slow_down) = door_limit(&web, &actor, lang).await {
        return slow_down;
    }
    let now = Utc::now();
    let here = Door { stop_id, session_id, name: "", lang: lang.as_str() };
    let list = match offline::door_list(&web.state.db, &actor, here, now).await {
        Ok(l) => l,
        Err(e) => return json_domain_error(lang, &e),
    };
    let ms = |at: DateTime<Utc>| at.timestamp_millis();
    let body = ListBody {
        stop: list.stop_id.to_string(),
        name: list.stop_name,
        zone: list.time_zone.to_string(),
        opens: ms(list.opens_at),
        until: ms(list.closes_at),
        fetched: ms(now),
        people: list
            .people
            .into_iter()
            .map(|p| {
                let status = match p.status {
                    Status::Confirmed => "c",
                    Status::Waitlisted => "w",
                    Status::Cancelled => "x",
                };
                let seats = p.seats.iter().map(uuid::Uuid::to_string).collect();
                (
                    p.code,
                    p.name,
                    status,
                    p.waitlist_position,
                    p.cancelled_at.map(ms),
                    p.checked_in_at.map(ms),
                    p.workshops,
                    seats,
                )
            })
            .collect(),
    };
    (no_store(), axum::Json(body)).into_response()
}

#[derive(serde::Deserialize)]
struct SyncScan {
    key: String,
    code: String,
    /// Milliseconds since the epoch, by the device's clock.
    at: i64,
    offline: bool,
}

#[derive(serde::Deserialize)]
struct SyncBody {
    #[serde(default)]
    door: String,
    scans: Vec<SyncScan>,
}

#[derive(serde::Serialize)]
struct SyncAnswer {
    key: String,
    /// admitted, already, conflict, refused, unknown, duplicate.
    outcome: &'static str,
    admitted: bool,
    name: String,
    workshops: Vec<String>,
    /// What the screen says, in the member's language.
    message: String,
    /// When the person first came in (ms), if they had.
    first: Option<i64>,
}

#[derive(serde::Serialize)]
struct SyncReply {
    answers: Vec<SyncAnswer>,
    counts: LiveCounts,
}

fn sync_answer(lang: Lang, a: ScanAnswer) -> SyncAnswer {
    let (outcome, first) = match &a.outcome {
        ScanOutcome::Admitted => ("admitted", None),
        ScanOutcome::AlreadyIn { at, .. } => ("already", Some(at.timestamp_millis())),
        ScanOutcome::Conflict { first_at, .. } => ("conflict", Some(first_at.timestamp_millis())),
        ScanOutcome::Refused(_) => ("refused", None),
        ScanOutcome::Unknown => ("unknown", None),
        ScanOutcome::Duplicate => ("duplicate", None),
    };
    SyncAnswer {
        outcome,
        first,
        admitted: a.admitted(),
        message: a.message().render(lang),
        name: a.name.clone().unwrap_or_default(),
        workshops: a.workshops.clone(),
        key: a.key,
    }
}

/// Scans from the door's script: one live scan, or a batch made offline.
/// The form token travels in `X-CSRF-Token`; the origin is checked as for
/// every post.
pub(crate) async fn scans(
    State(web): State<Web>,
    Query(q): Query<DoorQuery>,
    Path(stop): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let t = Tr(lang);
    let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    let actor = match console::posted_with(&web, &headers, &jar, lang, sent).await {
        Ok((_, actor)) => actor,
        Err(refused) => return json_error(refused.status(), t.s("console-forged")),
    };
    let Some((stop_id, session_id)) = q.ids(&stop) else {
        return json_domain_error(lang, &DomainError::not_found("stop"));
    };
    if let Err(slow_down) = door_limit(&web, &actor, lang).await {
        return slow_down;
    }
    let Ok(axum::Json(batch)) = axum::Json::<SyncBody>::from_bytes(&body) else {
        return json_error(StatusCode::UNPROCESSABLE_ENTITY, t.s("console-door-bad-batch"));
    };
    let now = Utc::now();
    let scans = batch
        .scans
        .into_iter()
        .map(|s| Scan {
            key: s.key,
            code: s.code,
            scanned_at: DateTime::from_timestamp_millis(s.at).unwrap_or(now),
            offline: s.offline,
        })
        .collect();
    let here = Door { stop_id, session_id, name: &batch.door, lang: lang.as_str() };
    let answers = match offline::sync(&web.state.db, &actor, here, scans, now).await {
        Ok(a) => a,
        Err(e) => return json_domain_error(lang, &e),
    };
    let Ok(scope) = actor.require(Action::CheckIn) else {
        return json_error(StatusCode::FORBIDDEN, t.s("console-forged"));
    };
    let counts = match live_counts(&web, lang, scope, (stop_id, session_id)).await {
        Ok(c) => c,
        Err(e) => return json_domain_error(lang, &e),
    };
    let reply = SyncReply { answers: answers.into_iter().map(|a| sync_answer(lang, a)).collect(), counts };
    (no_store(), axum::Json(reply)).into_response()
}

/// A scan posted by the form (no script): the code checked at this stop's
/// door now.
pub(crate) async fn scan(
    State(web): State<Web>,
    Query(q): Query<DoorQuery>,
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
    let Some((stop_id, session_id)) = q.ids(&stop) else { return page::not_found(lang) };
    if let Err(wait) = web.state.limits.check(Bucket::CheckInPerMember, &actor_key(&actor)).await {
        return page::too_many(lang, wait);
    }
    let code = field(&typed, "code").trim().to_owned();
    let live = Scan {
        key: escale_domain::ids::new_uuid().to_string(),
        code: code.clone(),
        scanned_at: Utc::now(),
        offline: false,
    };
    let here = Door { stop_id, session_id, name: field(&typed, "door"), lang: lang.as_str() };
    let answer = match offline::scan(&web.state.db, &actor, here, live, Utc::now()).await {
        Ok(done) => {
            let admitted = done.outcome == ScanOutcome::Admitted;
            let message = done.message().render(lang);
            match (admitted, done.name.clone()) {
                (true, Some(name)) => {
                    Answer { admitted, headline: name, detail: message, workshops: done.workshops, code: String::new() }
                }
                _ => Answer { admitted, headline: message, detail: String::new(), workshops: Vec::new(), code },
            }
        }
        // A stop of another organizer, or none: not a scan's answer.
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(DomainError::Forbidden(_)) => return console::to_dashboard(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    door_page(&web, lang, (&token, &actor), (stop_id, session_id), Some(answer)).await
}
