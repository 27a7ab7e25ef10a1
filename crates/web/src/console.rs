//! The organizer's console at `/console`: sign in with the team's accounts,
//! then the edition's dashboard. Same domain functions as the GraphQL API
//! (`accounts::login`, the login limits, `Actor::require`), so a role sees
//! here exactly what it may do there.
//!
//! The session is the API's own session token, kept in a cookie the page's
//! scripts cannot read (`HttpOnly`), sent only to `/console` and never from
//! another site (`SameSite=Strict`), `Secure` when the platform is served
//! over https. Every form carries a token derived from the session (its
//! hash with a purpose: unguessable without the cookie, nothing stored) and
//! posts must come from this origin.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;
use escale_domain::access::accounts;
use escale_domain::access::authz::{Action, Actor, Role};
use escale_domain::registration::dashboard::{self, EditionDashboard};
use escale_domain::{DomainError, Lang};
use escale_i18n::Arg;

use crate::Web;
use crate::form;
use crate::page::{self, Chrome, Kind, Tr, choose_lang, render};
use crate::when;

/// The session cookie's name.
const COOKIE: &str = "escale_console";

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ConsoleQuery {
    pub(crate) lang: Option<String>,
    edition: Option<String>,
}

/// The form token of a session: what only its holder can compute.
fn csrf(token: &str) -> String {
    accounts::token_hash(&format!("console-form:{token}"))[..32].to_owned()
}

/// Whether the platform is reached over https (the cookie must then say
/// `Secure`): its public address says so, or the proxy in front does.
fn over_https(web: &Web, headers: &HeaderMap) -> bool {
    web.state.public_url.as_ref().is_some_and(|u| u.scheme() == "https")
        || (web.state.trust_proxy && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https"))
}

fn session_cookie(web: &Web, headers: &HeaderMap, token: String) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(over_https(web, headers))
        // No Max-Age: it ends with the browser, and the session itself
        // after `SESSION_LIFETIME` on the server, whichever comes first.
        .build()
}

/// Who is signed in: the cookie's session, still alive, with the role held
/// now. None sends to the sign-in page.
pub(crate) async fn signed_in(web: &Web, jar: &CookieJar) -> Result<Option<(String, Actor)>, DomainError> {
    let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else { return Ok(None) };
    match accounts::authenticate(&web.state.db, &token, Utc::now()).await {
        Ok(actor) => Ok(Some((token, actor))),
        Err(DomainError::Unauthenticated(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What every signed-in page does first: who it is, or the sign-in page
/// (or the 503 when the database is away), boxed as the rare path.
pub(crate) async fn arrive(web: &Web, jar: &CookieJar, lang: Lang) -> Result<(String, Actor), Box<Response>> {
    match signed_in(web, jar).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(Box::new(to_login(lang))),
        Err(e) => Err(Box::new(page::unavailable(lang, &e))),
    }
}

/// Where a role that may not see a screen is sent: its dashboard.
pub(crate) fn to_dashboard(lang: Lang) -> Response {
    Redirect::to(&format!("/console?lang={}", lang.as_str())).into_response()
}

pub(crate) fn to_login(lang: Lang) -> Response {
    Redirect::to(&format!("/console/login?lang={}", lang.as_str())).into_response()
}

/// The console's pages: kept by nobody, never framed.
pub(crate) fn console_page(status: StatusCode, template: &impl Template) -> Response {
    let mut response = render(status, Kind::Private, template);
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

// ------------------------------------------------------------- signing in

#[derive(Template)]
#[template(path = "console_login.html")]
struct LoginPage {
    c: Chrome,
    email: String,
    organizer: String,
    /// Ask which organizer (she belongs to several).
    ask_organizer: bool,
    error: String,
}

fn login_page(lang: Lang, status: StatusCode, page: impl FnOnce(&mut LoginPage)) -> Response {
    let t = Tr(lang);
    let mut p = LoginPage {
        c: Chrome::new(lang, t.s("console-login-title"), None, "/console/login"),
        email: String::new(),
        organizer: String::new(),
        ask_organizer: false,
        error: String::new(),
    };
    p.c.home = format!("/console?lang={}", lang.as_str());
    page(&mut p);
    console_page(status, &p)
}

pub(crate) async fn login_form(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    match signed_in(&web, &jar).await {
        Ok(Some(_)) => to_dashboard(lang),
        Ok(None) => login_page(lang, StatusCode::OK, |_| {}),
        Err(e) => page::unavailable(lang, &e),
    }
}

pub(crate) async fn login(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let t = Tr(lang);
    if form::cross_site(&headers) {
        return page::message_page(
            StatusCode::FORBIDDEN,
            Kind::Private,
            lang,
            t.s("form-cross-site-title"),
            t.s("console-cross-site"),
        );
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (email, password, organizer) = (field("email"), field("password"), field("organizer"));
    let ip = crate::client_ip(&web, &headers, peer);
    if let Err(wait) = web.state.limits.check_login(&email, Some(ip)).await {
        return page::too_many(lang, wait);
    }
    let tenant = Some(organizer.as_str()).filter(|o| !o.trim().is_empty());
    match accounts::login(&web.state.db, &email, &password, tenant, Utc::now()).await {
        Ok(done) => {
            let jar = jar.add(session_cookie(&web, &headers, done.token));
            (jar, Redirect::to(&format!("/console?lang={}", lang.as_str()))).into_response()
        }
        // She belongs to several organizers: which one (her password again,
        // never kept in the page).
        Err(DomainError::Validation { field, message }) if field == "tenant" => {
            login_page(lang, StatusCode::UNPROCESSABLE_ENTITY, |p| {
                p.email = email.clone();
                p.ask_organizer = true;
                p.error = message.render(lang);
            })
        }
        Err(DomainError::Unauthenticated(message) | DomainError::Validation { message, .. }) => {
            login_page(lang, StatusCode::UNAUTHORIZED, |p| {
                p.email = email.clone();
                p.organizer = organizer.clone();
                p.ask_organizer = tenant.is_some();
                p.error = message.render(lang);
            })
        }
        Err(e) => page::unavailable(lang, &e),
    }
}

/// A post from a signed-in page: from this origin, with the session's form
/// token. Else 403, and nothing done.
pub(crate) async fn posted(
    web: &Web,
    headers: &HeaderMap,
    jar: &CookieJar,
    lang: Lang,
    body: &[u8],
) -> Result<(String, Actor, Vec<(String, String)>), Box<Response>> {
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let sent = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    let (token, actor) = posted_with(web, headers, jar, lang, sent).await?;
    Ok((token, actor, fields))
}

/// [`posted`] for a body that is not a urlencoded form (an upload): the
/// caller hands over the form token it read.
pub(crate) async fn posted_with(
    web: &Web,
    headers: &HeaderMap,
    jar: &CookieJar,
    lang: Lang,
    sent: &str,
) -> Result<(String, Actor), Box<Response>> {
    let t = Tr(lang);
    let refuse = |why: &str| {
        Box::new(page::message_page(StatusCode::FORBIDDEN, Kind::Private, lang, t.s("form-cross-site-title"), t.s(why)))
    };
    if form::cross_site(headers) {
        return Err(refuse("console-cross-site"));
    }
    let (token, actor) = arrive(web, jar, lang).await?;
    if sent != csrf(&token) {
        return Err(refuse("console-forged"));
    }
    Ok((token, actor))
}

pub(crate) async fn logout(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, _, _) = match posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    if let Err(e) = accounts::logout(&web.state.db, &token, Utc::now()).await {
        return page::unavailable(lang, &e);
    }
    let jar = jar.remove(Cookie::build(COOKIE).path("/console").build());
    // A door device keeps the day's list and its copy of the door screen:
    // signing out wipes them (and its worker) from this browser.
    let wipe = [(HeaderName::from_static("clear-site-data"), HeaderValue::from_static("\"cache\", \"storage\""))];
    (jar, wipe, to_login(lang)).into_response()
}

/// To another organizer she belongs to.
pub(crate) async fn switch(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, fields) = match posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let slug = fields.iter().find(|(k, _)| k == "organizer").map(|(_, v)| v.as_str()).unwrap_or("");
    match accounts::switch_tenant(&web.state.db, &actor, &token, slug, Utc::now()).await {
        Ok(done) => {
            let jar = jar.add(session_cookie(&web, &headers, done.token));
            (jar, Redirect::to(&format!("/console?lang={}", lang.as_str()))).into_response()
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}

// -------------------------------------------------------------- dashboard

/// The console's frame: who is signed in where, the organizers she may
/// switch to, the form token, sign out.
pub(crate) struct Frame {
    pub(crate) who: String,
    pub(crate) role: String,
    pub(crate) csrf: String,
    /// (slug, name, current) of each organizer she belongs to.
    pub(crate) organizers: Vec<(String, String, bool)>,
    /// She may manage the team (the bar links to it).
    pub(crate) team: bool,
    /// She may manage API keys.
    pub(crate) keys: bool,
    /// She may read the audit log.
    pub(crate) audit: bool,
    /// She may change the organizer's settings.
    pub(crate) settings: bool,
    /// She may word the organizer's messages.
    pub(crate) templates: bool,
    /// She may edit the catalogue (series, speakers, partners).
    pub(crate) catalog: bool,
}

pub(crate) async fn frame(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    title: String,
    path: &str,
) -> Result<(Chrome, Frame), DomainError> {
    let t = Tr(lang);
    let viewer = accounts::viewer(&web.state.db, actor).await?;
    let here = viewer.memberships.iter().find(|(tenant, _)| tenant.scope == actor.scope);
    // The language switcher comes back to this page.
    let mut c = Chrome::new(lang, title, here.map(|(tenant, _)| tenant), path);
    c.home = format!("/console?lang={}", lang.as_str());
    let role = here.map(|(_, role)| t.s(&format!("console-role-{}", role_code(role)))).unwrap_or_default();
    let f = Frame {
        who: if viewer.display_name.is_empty() { viewer.email.clone() } else { viewer.display_name.clone() },
        role,
        csrf: csrf(token),
        organizers: viewer
            .memberships
            .iter()
            .map(|(tenant, _)| (tenant.slug.clone(), tenant.name.clone(), tenant.scope == actor.scope))
            .collect(),
        team: actor.require(Action::MembersManage).is_ok(),
        keys: actor.require(Action::ApiKeysManage).is_ok(),
        audit: actor.require(Action::AuditRead).is_ok(),
        settings: actor.require(Action::SettingsManage).is_ok(),
        templates: actor.require(Action::CatalogPublish).is_ok(),
        catalog: actor.require(Action::CatalogWrite).is_ok(),
    };
    Ok((c, f))
}

fn role_code(role: &Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Staff => "staff",
        Role::Checkin => "checkin",
    }
}

/// One stop's line, as the dashboard shows it.
struct StopRow {
    id: String,
    name: String,
    date: String,
    status: String,
    confirmed: String,
    /// Seats taken, in percent of capacity (the bar's width).
    fill: i64,
    waiting: i64,
    cancelled: i64,
    checked_in: String,
    /// Its door is open now: the checked-in cell follows the doors.
    live: bool,
}

#[derive(Template)]
#[template(path = "console.html")]
struct DashboardPage {
    c: Chrome,
    f: Frame,
    /// (id, label, current) of each edition.
    editions: Vec<(String, String, bool)>,
    heading: String,
    totals: String,
    stops: Vec<StopRow>,
    /// Her role sees the door only.
    door_only: bool,
    /// The edition shown, and whether she may add stops to it.
    edition_id: String,
    can_write: bool,
    /// She may publish and clone.
    can_publish: bool,
    /// Registrations per day: the chart, its summary, its first and last day.
    days_chart: String,
    days_summary: String,
    days_span: (String, String),
    /// Questions by topic: (topic, count, the largest count, the bars' scale).
    topics: Vec<(String, i64, i64)>,
    /// Each stop's messages: (stop id, name, email [waiting, sent, failed],
    /// SMS [waiting, sent, failed], SMS segments).
    messages: Vec<MessageRow>,
    /// For a door member: (stop id, name, date) of each published stop.
    doors: Vec<(String, String, String)>,
    /// Workshops nearly full: (stop id, title, stop name, "23 / 25", seats, capacity).
    nearly_full: Vec<(String, String, String, String, i32, i32)>,
}

struct MessageRow {
    id: String,
    name: String,
    email: [i64; 3],
    sms: [i64; 3],
    segments: i64,
}

fn stop_rows(d: &EditionDashboard, lang: Lang) -> Vec<StopRow> {
    let t = Tr(lang);
    d.stops
        .iter()
        .map(|line| {
            let s = &line.stop;
            let status = t.s(match s.status {
                escale_domain::catalog::StopStatus::Draft => "console-stop-draft",
                escale_domain::catalog::StopStatus::Published => "console-stop-published",
                escale_domain::catalog::StopStatus::Cancelled => "console-stop-cancelled",
            });
            StopRow {
                id: s.id.0.to_string(),
                name: s.name_in(lang.as_str()).to_owned(),
                date: when::date(lang, s.local_starts_at()),
                status,
                confirmed: format!("{} / {}", line.counts.confirmed, s.capacity),
                fill: if s.capacity > 0 { (line.counts.confirmed * 100 / i64::from(s.capacity)).min(100) } else { 0 },
                waiting: line.counts.waitlisted,
                cancelled: line.counts.cancelled,
                checked_in: crate::console_door::checked_in_cell(line.counts),
                live: s.status == escale_domain::catalog::StopStatus::Published
                    && escale_domain::registration::door::offline::door_open(s.starts_at, s.ends_at, Utc::now()),
            }
        })
        .collect()
}

pub(crate) async fn dashboard(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let t = Tr(lang);
    let (token, actor) = match arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let (c, f) = match frame(&web, lang, &token, &actor, t.s("console-dashboard"), "/console").await {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    if actor.require(Action::RegistrationsRead).is_err() {
        // The door is what a check-in member works with: each published
        // stop's, the next first.
        let doors = match actor.require(Action::CheckIn) {
            Ok(scope) => match escale_domain::catalog::agenda(&web.state.db, scope).await {
                Ok(stops) => stops
                    .iter()
                    .filter(|a| a.stop.ends_at > Utc::now() - chrono::Duration::hours(12))
                    .map(|a| {
                        (
                            a.stop.id.0.to_string(),
                            a.stop.name_in(lang.as_str()).to_owned(),
                            when::date(lang, a.stop.local_starts_at()),
                        )
                    })
                    .collect(),
                Err(e) => return page::unavailable(lang, &e),
            },
            Err(_) => Vec::new(),
        };
        let page = DashboardPage {
            doors,
            c,
            f,
            editions: Vec::new(),
            heading: String::new(),
            totals: String::new(),
            stops: Vec::new(),
            door_only: true,
            edition_id: String::new(),
            can_write: false,
            can_publish: false,
            days_chart: String::new(),
            days_summary: String::new(),
            days_span: (String::new(), String::new()),
            topics: Vec::new(),
            messages: Vec::new(),
            nearly_full: Vec::new(),
        };
        return console_page(StatusCode::OK, &page);
    }
    // An id that is not one is no edition of hers: the same 404 as another
    // organizer's.
    let edition = match q.edition.as_deref().map(uuid::Uuid::parse_str).transpose() {
        Ok(id) => id,
        Err(_) => return page::not_found(lang),
    };
    let d = match dashboard::edition_dashboard(&web.state.db, &actor, edition).await {
        Ok(d) => d,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let current = d.current.as_ref().map(|(e, _)| e.id);
    let editions = d
        .editions
        .iter()
        .map(|(e, s)| (e.id.0.to_string(), format!("{} — {} ({})", s.name, e.title, e.year), Some(e.id) == current))
        .collect();
    let heading = d.current.as_ref().map(|(e, s)| format!("{} — {}", s.name, e.title)).unwrap_or_default();
    let totals = d.totals();
    let totals = t.a(
        "console-totals",
        &[
            ("confirmed", Arg::from(totals.confirmed)),
            ("capacity", Arg::from(d.capacity())),
            ("waiting", Arg::from(totals.waitlisted)),
            ("checkedIn", Arg::from(totals.checked_in)),
        ],
    );
    let registered: i64 = d.per_day.iter().map(|(_, n)| n).sum();
    let days_summary = t.a(
        "console-per-day-summary",
        &[("count", Arg::from(registered)), ("days", Arg::from(i64::try_from(d.per_day.len()).unwrap_or(0)))],
    );
    let days: Vec<(String, i64)> = d.per_day.iter().map(|(day, n)| (when::short_day(lang, *day), *n)).collect();
    let days_span = (
        days.first().map(|(d, _)| d.clone()).unwrap_or_default(),
        days.last().map(|(d, _)| d.clone()).unwrap_or_default(),
    );
    let most = d.questions.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let topics = d.questions.iter().map(|(topic, n)| (crate::public::topic_label(t, *topic), *n, most)).collect();
    let messages = d
        .stops
        .iter()
        .map(|line| {
            use escale_domain::messaging::templates::Channel;
            let [ew, es, ef, _, _] = crate::console_messages::by_state(&line.messages, Channel::Email);
            let [sw, ss, sf, _, segments] = crate::console_messages::by_state(&line.messages, Channel::Sms);
            MessageRow {
                id: line.stop.id.0.to_string(),
                name: line.stop.name_in(lang.as_str()).to_owned(),
                email: [ew, es, ef],
                sms: [sw, ss, sf],
                segments,
            }
        })
        .collect();
    let nearly_full = d
        .nearly_full
        .iter()
        .map(|w| {
            let stop = d.stops.iter().find(|l| l.stop.id.0 == w.stop_id);
            (
                w.stop_id.to_string(),
                w.title_in(lang.as_str()).to_owned(),
                stop.map(|l| l.stop.name_in(lang.as_str()).to_owned()).unwrap_or_default(),
                format!("{} / {}", w.confirmed, w.capacity),
                w.confirmed,
                w.capacity,
            )
        })
        .collect();
    let page = DashboardPage {
        doors: Vec::new(),
        messages,
        nearly_full,
        days_chart: if days.is_empty() { String::new() } else { crate::chart::columns(&days, &days_summary) },
        days_summary,
        days_span,
        topics,
        c,
        f,
        editions,
        heading,
        totals,
        stops: stop_rows(&d, lang),
        door_only: false,
        edition_id: current.map(|id| id.0.to_string()).unwrap_or_default(),
        can_write: actor.require(Action::CatalogWrite).is_ok(),
        can_publish: actor.require(Action::CatalogPublish).is_ok(),
    };
    console_page(StatusCode::OK, &page)
}

// ------------------------------------------------------------ a stop's list

/// A page of the list: at most this many lines.
const ROSTER_PAGE: u64 = 50;

/// What the list's address may say: nothing personal (a search is posted).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RosterQuery {
    lang: Option<String>,
    status: Option<String>,
    checked: Option<String>,
    after: Option<String>,
}

struct RosterRow {
    person: String,
    name: String,
    contact: String,
    code: String,
    state: &'static str,
    status: String,
    workshops: String,
    checked_in: String,
    registered: String,
}

#[derive(Template)]
#[template(path = "console_stop.html")]
struct RosterPage {
    c: Chrome,
    f: Frame,
    stop_id: String,
    heading: String,
    date: String,
    matching: String,
    rows: Vec<RosterRow>,
    search: String,
    /// (value, label, selected) of each filter's options.
    statuses: Vec<(&'static str, String, bool)>,
    checks: Vec<(&'static str, String, bool)>,
    /// Where the next page starts.
    next: String,
    status: String,
    checked: String,
}

fn status_filter(raw: &str) -> Option<escale_domain::registration::RegistrationStatus> {
    use escale_domain::registration::RegistrationStatus as S;
    match raw {
        "confirmed" => Some(S::Confirmed),
        "waitlisted" => Some(S::Waitlisted),
        "cancelled" => Some(S::Cancelled),
        _ => None,
    }
}

fn checked_filter(raw: &str) -> Option<bool> {
    match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The list's answer, for a first view (GET) and a search or next page (POST).
#[expect(clippy::too_many_arguments, reason = "the parts of one list request, read by two handlers")]
async fn roster_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    raw_stop: &str,
    search: String,
    status: String,
    checked: String,
    after: Option<&str>,
) -> Response {
    use escale_domain::registration::RegistrationStatus as S;
    use escale_domain::registration::participants::{self, RosterFilter};
    let t = Tr(lang);
    // An id that is not one, like another organizer's stop, is no stop of hers.
    let Ok(stop_id) = uuid::Uuid::parse_str(raw_stop) else { return page::not_found(lang) };
    let after = match after.filter(|a| !a.is_empty()).map(uuid::Uuid::parse_str).transpose() {
        Ok(a) => a,
        Err(_) => return page::not_found(lang),
    };
    let filter = RosterFilter {
        search: Some(search.clone()).filter(|s| !s.trim().is_empty()),
        status: status_filter(&status),
        checked_in: checked_filter(&checked),
    };
    let roster = match participants::stop_roster(&web.state.db, actor, stop_id, &filter, after, ROSTER_PAGE).await {
        Ok(r) => r,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(DomainError::Forbidden(_)) => {
            return to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let zone = roster.stop.time_zone;
    let local = |at: chrono::DateTime<Utc>| zone.local(at).format("%d/%m %H:%M").to_string();
    let rows = roster
        .rows
        .iter()
        .map(|row| {
            let (r, p) = (&row.registration, &row.participant);
            let (state, status) = match r.status {
                S::Confirmed => ("open", t.s("console-status-confirmed")),
                S::Waitlisted => (
                    "wait",
                    t.a("console-status-waitlisted", &[("position", Arg::from(r.waitlist_position.unwrap_or(0)))]),
                ),
                S::Cancelled => ("off", t.s("console-status-cancelled")),
            };
            RosterRow {
                person: p.id.0.to_string(),
                name: p.full_name.clone(),
                contact: [p.email.as_deref(), p.phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" · "),
                code: r.display_code(),
                state,
                status,
                workshops: row.sessions.join(" · "),
                checked_in: r.checked_in_at.map(local).unwrap_or_default(),
                registered: local(r.created_at),
            }
        })
        .collect();
    let (c, f) = match frame(
        web,
        lang,
        token,
        actor,
        roster.stop.name_in(lang.as_str()).to_owned(),
        &format!("/console/stops/{stop_id}"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let option = |value: &'static str, id: &str, current: &str| (value, t.s(id), value == current);
    let page = RosterPage {
        c,
        f,
        stop_id: stop_id.to_string(),
        heading: roster.stop.name_in(lang.as_str()).to_owned(),
        date: when::date(lang, roster.stop.local_starts_at()),
        matching: t.n("console-matching", i64::try_from(roster.matching).unwrap_or(i64::MAX)),
        rows,
        statuses: vec![
            option("", "console-filter-all", &status),
            option("confirmed", "console-status-confirmed", &status),
            option("waitlisted", "console-waiting", &status),
            option("cancelled", "console-status-cancelled", &status),
        ],
        checks: vec![
            option("", "console-filter-all", &checked),
            option("yes", "console-filter-checked", &checked),
            option("no", "console-filter-not-checked", &checked),
        ],
        next: roster.next.map(|n| n.to_string()).unwrap_or_default(),
        search,
        status,
        checked,
    };
    console_page(StatusCode::OK, &page)
}

pub(crate) async fn roster(
    State(web): State<Web>,
    Query(q): Query<RosterQuery>,
    axum::extract::Path(stop): axum::extract::Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let (status, checked) = (q.status.unwrap_or_default(), q.checked.unwrap_or_default());
    roster_page(&web, lang, &token, &actor, &stop, String::new(), status, checked, q.after.as_deref()).await
}

/// A search (names, emails and phones stay out of addresses and logs) or the
/// next page of one.
pub(crate) async fn roster_search(
    State(web): State<Web>,
    Query(q): Query<RosterQuery>,
    axum::extract::Path(stop): axum::extract::Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, fields) = match posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let after = field("after");
    roster_page(&web, lang, &token, &actor, &stop, field("q"), field("status"), field("checked"), Some(&after)).await
}

/// The stop's list as CSV: the API's export, for the signed-in member.
pub(crate) async fn roster_csv(
    State(web): State<Web>,
    Query(q): Query<RosterQuery>,
    axum::extract::Path(stop): axum::extract::Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let actor = match arrive(&web, &jar, lang).await {
        Ok((_, actor)) => actor,
        Err(away) => return *away,
    };
    let Ok(stop_id) = uuid::Uuid::parse_str(&stop) else { return page::not_found(lang) };
    match escale_gateway::export::stop_csv(&web.state, &actor, stop_id).await {
        Ok(csv) => csv,
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(DomainError::Forbidden(_)) => to_dashboard(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}
