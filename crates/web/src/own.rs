//! The pages behind the links in messages: `/m/<token>`, a participant's own
//! registration (the confirmation page too), and `/s/<token>`, a session's
//! questions for its speakers. Each is a bearer link (96-bit tag): never
//! cached, never sent as a referrer, never indexed, and a wrong token —
//! malformed, forged, unknown — gets the same 404. Every lookup spends the
//! address's public quota, so guessing is as slow as that.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escale_domain::registration::RegistrationStatus;
use escale_domain::registration::participants::{self, ConsentKind, NewQuestion};
use escale_domain::registration::tickets::{self, OwnRegistration};
use escale_domain::registration::workshops;
use escale_domain::{DomainError, Lang};
use escale_i18n::Arg;

use crate::Web;
use crate::form;
use crate::page::{self, Chrome, Kind, Tr, choose_lang, render, render_framed};
use crate::when;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct OwnQuery {
    lang: Option<String>,
    /// Just registered: the page is the confirmation.
    welcome: Option<String>,
    /// What the last action did (`consent`, `language`, `question`).
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "own.html")]
struct OwnPage {
    c: Chrome,
    welcome: bool,
    hello: String,
    state: &'static str,
    status: String,
    checked_in: String,
    stop: String,
    series: String,
    date: String,
    time: String,
    place: String,
    code: String,
    qr: String,
    base: String,
    live: bool,
    /// The form id the page's forms carry.
    form: String,
    /// (kind, words, given on) for each consent.
    consents: Vec<(&'static str, String, String)>,
    locales: Vec<(&'static str, String, bool)>,
    topics: Vec<(&'static str, String)>,
    workshops: Vec<WorkshopRow>,
    /// A line saying what the last action did, or what went wrong.
    notice: String,
    error: String,
    /// The error is the question's: its field is marked.
    question_bad: bool,
    question: String,
}

/// A workshop on her own page, with what she may do about it.
struct WorkshopRow {
    id: String,
    time: String,
    title: String,
    room: String,
    /// `in`, `wait` or empty: her seat in it.
    mine: &'static str,
    /// What her seat is, in words (or the seats left when she has none).
    state: String,
    /// `join`, `leave` or empty when it can no longer change.
    action: &'static str,
    button: String,
}

/// The registration a path's token names, with the token; or the one answer
/// to a wrong link (boxed: it is the rare path).
async fn opened(
    web: &Web,
    token: Result<Path<String>, PathRejection>,
    lang: Lang,
) -> Result<(String, OwnRegistration), Box<Response>> {
    // A path that is not even text (`%FF`) is just another wrong link.
    let Ok(Path(token)) = token else { return Err(Box::new(page::invalid_link(lang))) };
    match tickets::open_manage_link(&web.state.db, &token, Utc::now()).await {
        Ok(own) => Ok((token, own)),
        Err(DomainError::NotFound { .. }) => Err(Box::new(page::invalid_link(lang))),
        Err(e) => Err(Box::new(page::unavailable(lang, &e))),
    }
}

fn lang_of(q: Option<&str>, own: &OwnRegistration, headers: &HeaderMap) -> Lang {
    // The participant's own language unless the switcher says otherwise.
    choose_lang(q, Lang::parse(own.locale.as_str()), headers)
}

/// What the page says after an action: its `?done=`.
fn done_notice(t: Tr, done: Option<&str>) -> String {
    match done {
        Some("consent") => t.s("manage-consent-withdrawn"),
        Some("language") => t.s("manage-language-changed"),
        Some("question") => t.s("manage-question-sent"),
        Some("given") => t.s("manage-consent-recorded"),
        Some("sms-blocked") => t.s("sms-blocked"),
        Some("joined") => t.s("manage-workshop-joined"),
        Some("queued") => t.s("manage-workshop-queued"),
        Some("left") => t.s("manage-workshop-left"),
        _ => String::new(),
    }
}

fn own_page(own: &OwnRegistration, lang: Lang, base: &str, welcome: bool, form: String) -> OwnPage {
    let t = Tr(lang);
    let reg = &own.registration;
    let zone = own.stop.time_zone;
    let (state, status) = match reg.status {
        RegistrationStatus::Confirmed => ("open", t.s("manage-confirmed")),
        RegistrationStatus::Waitlisted => {
            ("wait", t.a("manage-waitlisted", &[("position", Arg::from(reg.waitlist_position.unwrap_or(1)))]))
        }
        RegistrationStatus::Cancelled => {
            let date = reg.cancelled_at.map(|at| when::date(lang, zone.local(at))).unwrap_or_default();
            ("off", t.a("manage-cancelled", &[("date", Arg::from(date))]))
        }
    };
    let checked_in = reg
        .checked_in_at
        .map(|at| t.a("manage-checked-in", &[("time", Arg::from(zone.local(at).format("%H:%M").to_string()))]))
        .unwrap_or_default();
    let live = reg.status != RegistrationStatus::Cancelled;
    let qr = if live {
        escale_domain::values::TicketCode::parse(&reg.ticket_code)
            .ok()
            .and_then(|code| escale_domain::messaging::qr::svg(&code).ok())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let city = Some(own.stop.city.as_str()).filter(|c| !own.stop.address.as_deref().unwrap_or("").contains(c));
    let place = [Some(own.stop.venue.as_str()), own.stop.address.as_deref(), city]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let given = |at: Option<chrono::DateTime<Utc>>| {
        at.map(|at| t.a("manage-consent-given", &[("date", Arg::from(when::date(lang, zone.local(at))))]))
            .unwrap_or_default()
    };
    let consents = vec![
        ("email", t.s("form-consent-email"), given(own.consents.email_reminders)),
        ("sms", t.s("form-consent-sms"), given(own.consents.sms_reminders)),
        ("partners", t.s("form-consent-partners"), given(own.consents.partner_sharing)),
    ];
    let locales = Lang::ALL
        .iter()
        .map(|l| (l.as_str(), t.s(&format!("language-{}", l.as_str())), l.as_str() == own.locale.as_str()))
        .collect();
    let topics = escale_domain::values::Topic::ALL
        .iter()
        .map(|&topic| (topic.as_str(), crate::public::topic_label(t, topic)))
        .collect();
    let now = Utc::now();
    let workshops = own
        .workshops
        .iter()
        .map(|w| {
            let x = &w.session;
            let (mine, state) = match &w.seat {
                Some(seat) if seat.status == RegistrationStatus::Confirmed => ("in", t.s("manage-workshop-in")),
                // Her stop's own line comes first: the workshop holds her place.
                Some(_) if reg.status == RegistrationStatus::Waitlisted => ("wait", t.s("manage-workshop-held")),
                Some(seat) => (
                    "wait",
                    t.a("manage-workshop-waiting", &[("position", Arg::from(seat.waitlist_position.unwrap_or(1)))]),
                ),
                None => match x.seats_left {
                    Some(0) => ("", t.s("session-full-waitlist")),
                    Some(n) => ("", t.n("stop-seats-left", i64::from(n))),
                    None => ("", String::new()),
                },
            };
            let (action, button) = if !live || now >= x.starts_at {
                ("", t.s("manage-workshop-started"))
            } else if w.seat.is_some() {
                ("leave", t.s("manage-workshop-leave"))
            } else if x.seats_left == Some(0) {
                ("join", t.s("manage-workshop-join-waitlist"))
            } else {
                ("join", t.s("manage-workshop-join"))
            };
            WorkshopRow {
                id: x.id.0.to_string(),
                time: format!(
                    "{} – {}",
                    zone.local(x.starts_at).format("%H:%M"),
                    zone.local(x.ends_at).format("%H:%M")
                ),
                title: x.title_in(lang.as_str()).to_owned(),
                room: x.room.clone().unwrap_or_default(),
                mine,
                state,
                // A cancelled registration shows no button, and no "started".
                button: if live { button } else { String::new() },
                action,
            }
        })
        .collect();
    OwnPage {
        workshops,
        c: Chrome::new(lang, t.s("manage-title"), Some(&own.tenant), base),
        form,
        consents,
        locales,
        topics,
        notice: String::new(),
        error: String::new(),
        question_bad: false,
        question: String::new(),
        welcome,
        hello: t.a("manage-hello", &[("name", Arg::from(own.participant_name.as_str()))]),
        state,
        status,
        checked_in,
        stop: own.stop.name_in(lang.as_str()).to_owned(),
        series: format!("{} — {}", own.series.name, own.edition.title),
        date: when::date(lang, own.stop.local_starts_at()),
        time: format!("{} – {}", own.stop.local_starts_at().format("%H:%M"), own.stop.local_ends_at().format("%H:%M")),
        place,
        code: if live { reg.display_code() } else { String::new() },
        qr,
        base: base.to_owned(),
        live,
    }
}

/// What every handler of the participant's own page does first: spend the
/// address's public quota, open the link, and choose the language (hers,
/// unless the switcher says otherwise).
async fn arrive(
    web: &Web,
    peer: SocketAddr,
    headers: &HeaderMap,
    query_lang: Option<&str>,
    token: Result<Path<String>, PathRejection>,
) -> Result<(String, OwnRegistration, Lang), Box<Response>> {
    let fallback = choose_lang(query_lang, None, headers);
    if let Some(refused) = page::over_public_limit(web, headers, peer, fallback).await {
        return Err(Box::new(refused));
    }
    let (token, own) = opened(web, token, fallback).await?;
    let lang = lang_of(query_lang, &own, headers);
    Ok((token, own, lang))
}

/// [`arrive`] for a post: first refuse another site's, then check the form
/// id it carries. An old page is shown afresh (`again`) rather than acted on.
async fn arrive_posted(
    web: &Web,
    peer: SocketAddr,
    headers: &HeaderMap,
    query_lang: Option<&str>,
    token: Result<Path<String>, PathRejection>,
    form_id: &str,
    again: &str,
) -> Result<(String, OwnRegistration, Lang), Box<Response>> {
    let refuse = |lang: Lang, why: &str| {
        let t = Tr(lang);
        Box::new(page::message_page(StatusCode::FORBIDDEN, Kind::Link, lang, t.s("form-cross-site-title"), t.s(why)))
    };
    if form::cross_site(headers) {
        return Err(refuse(choose_lang(query_lang, None, headers), "form-cross-site"));
    }
    let (token, own, lang) = arrive(web, peer, headers, query_lang, token).await?;
    match web.check_form(&own.tenant, form_id, Utc::now()).await {
        Ok(Ok(_)) => Ok((token, own, lang)),
        Ok(Err(form::Refusal::Expired)) => {
            Err(Box::new(Redirect::to(&format!("/m/{token}{again}?lang={}", lang.as_str())).into_response()))
        }
        Ok(Err(form::Refusal::Forged)) => Err(refuse(lang, "form-forged")),
        Err(e) => Err(Box::new(page::unavailable(lang, &e))),
    }
}

pub(crate) async fn show(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OwnQuery>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let (token, own, lang) = match arrive(&web, peer, &headers, q.lang.as_deref(), token).await {
        Ok(arrived) => arrived,
        Err(refused) => return *refused,
    };
    let form = match web.issue_form(&own.tenant).await {
        Ok(f) => f,
        Err(e) => return page::unavailable(lang, &e),
    };
    let mut page = own_page(&own, lang, &format!("/m/{token}"), q.welcome.is_some(), form);
    page.notice = done_notice(Tr(lang), q.done.as_deref());
    render_framed(StatusCode::OK, Kind::Link, &page, &own.tenant.embed_origins)
}

/// A post from the participant's own page: withdraw or give a consent, join
/// or leave a workshop, change the language, ask a question. Each answers
/// with the page again (303), saying what was done; a refusal (a question
/// too short, a full workshop's rule, no mobile for SMS) comes back in place,
/// a question with its text.
pub(crate) async fn act(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OwnQuery>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(Path((token, action))) = path else {
        return page::invalid_link(choose_lang(q.lang.as_deref(), None, &headers));
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    let (token, own, lang) =
        match arrive_posted(&web, peer, &headers, q.lang.as_deref(), Ok(Path(token)), field("form"), "").await {
            Ok(arrived) => arrived,
            Err(refused) => return *refused,
        };
    let now = Utc::now();
    let db = &web.state.db;
    let done = match action.as_str() {
        "consent" | "give" => {
            let kind = match field("kind") {
                "email" => ConsentKind::EmailReminders,
                "sms" => ConsentKind::SmsReminders,
                "partners" => ConsentKind::PartnerSharing,
                _ => return page::not_found(lang),
            };
            if action == "consent" {
                participants::withdraw_consent_by_manage_link(db, &token, kind, now).await.map(|_| "consent")
            } else {
                participants::give_consent_by_manage_link(db, &token, kind, now)
                    .await
                    .map(|given| if given.sms_blocked { "sms-blocked" } else { "given" })
            }
        }
        "join" | "leave" => {
            // A session id that is not one is no workshop of hers.
            let Ok(session) = uuid::Uuid::parse_str(field("session")) else { return page::not_found(lang) };
            let changed = if action == "join" {
                workshops::join_by_manage_link(db, &token, session, now).await
            } else {
                workshops::leave_by_manage_link(db, &token, session, now).await
            };
            match changed {
                Ok(outcome) => {
                    if !outcome.promoted.is_empty()
                        && let Some(signal) = &web.state.outbox_signal
                    {
                        signal();
                    }
                    Ok(match outcome.seat.status {
                        RegistrationStatus::Confirmed => "joined",
                        RegistrationStatus::Waitlisted => "queued",
                        RegistrationStatus::Cancelled => "left",
                    })
                }
                Err(e) => Err(e),
            }
        }
        "language" => {
            participants::set_language_by_manage_link(db, &token, field("locale"), now).await.map(|_| "language")
        }
        "question" => {
            let question =
                NewQuestion { topic: field("topic").to_owned(), body: field("question").to_owned(), session_id: None };
            participants::ask_by_manage_link(db, &token, &question, now).await.map(|_| "question")
        }
        _ => return page::not_found(lang),
    };
    match done {
        // The language changed: the page follows it.
        Ok("language") => Redirect::to(&format!("/m/{token}?done=language")).into_response(),
        Ok(done) => Redirect::to(&format!("/m/{token}?lang={}&done={done}", lang.as_str())).into_response(),
        Err(DomainError::NotFound { .. }) => page::invalid_link(lang),
        Err(DomainError::Validation { message, .. } | DomainError::Conflict { message, .. }) => {
            let form = match web.issue_form(&own.tenant).await {
                Ok(f) => f,
                Err(e) => return page::unavailable(lang, &e),
            };
            let mut page = own_page(&own, lang, &format!("/m/{token}"), false, form);
            page.error = message.render(lang);
            page.question_bad = action == "question";
            page.question = field("question").to_owned();
            render_framed(StatusCode::UNPROCESSABLE_ENTITY, Kind::Link, &page, &own.tenant.embed_origins)
        }
        Err(e) => page::unavailable(lang, &e),
    }
}

#[derive(Template)]
#[template(path = "cancel.html")]
struct CancelPage {
    c: Chrome,
    stop: String,
    date: String,
    action: String,
    back: String,
    form: String,
}

/// The confirming step before a cancel: one more tap, on purpose.
pub(crate) async fn confirm_cancel(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OwnQuery>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let (token, own, lang) = match arrive(&web, peer, &headers, q.lang.as_deref(), token).await {
        Ok(arrived) => arrived,
        Err(refused) => return *refused,
    };
    let base = format!("/m/{token}");
    if own.registration.status == RegistrationStatus::Cancelled {
        return Redirect::to(&format!("{base}?lang={}", lang.as_str())).into_response();
    }
    let form = match web.issue_form(&own.tenant).await {
        Ok(f) => f,
        Err(e) => return page::unavailable(lang, &e),
    };
    let t = Tr(lang);
    let page = CancelPage {
        c: Chrome::new(lang, t.s("cancel-title"), Some(&own.tenant), &format!("{base}/cancel")),
        stop: own.stop.name_in(lang.as_str()).to_owned(),
        date: when::date(lang, own.stop.local_starts_at()),
        action: format!("{base}/cancel?lang={}", lang.as_str()),
        back: format!("{base}?lang={}", lang.as_str()),
        form,
    };
    render_framed(StatusCode::OK, Kind::Link, &page, &own.tenant.embed_origins)
}

pub(crate) async fn cancel(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OwnQuery>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
    body: axum::body::Bytes,
) -> Response {
    let sent =
        url::form_urlencoded::parse(&body).find(|(k, _)| k == "form").map(|(_, v)| v.into_owned()).unwrap_or_default();
    // An old confirming page: ask again rather than act on it.
    let (token, _, lang) = match arrive_posted(&web, peer, &headers, q.lang.as_deref(), token, &sent, "/cancel").await {
        Ok(arrived) => arrived,
        Err(refused) => return *refused,
    };
    let back = format!("/m/{token}?lang={}", lang.as_str());
    let now = Utc::now();
    match tickets::cancel_by_manage_link(&web.state.db, &token, now).await {
        Ok(outcome) => {
            if !outcome.promoted.is_empty()
                && let Some(signal) = &web.state.outbox_signal
            {
                signal();
            }
            Redirect::to(&back).into_response()
        }
        Err(DomainError::NotFound { .. }) => page::invalid_link(lang),
        Err(DomainError::Conflict { message, .. }) => {
            let t = Tr(lang);
            page::message_page(StatusCode::CONFLICT, Kind::Link, lang, t.s("cancel-title"), message.render(lang))
        }
        Err(e) => page::unavailable(lang, &e),
    }
}

/// "Add to my calendar": the stop as an `.ics` file.
pub(crate) async fn calendar(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OwnQuery>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    if let Some(refused) = page::over_public_limit(&web, &headers, peer, lang).await {
        return refused;
    }
    let Ok(Path(token)) = token else { return page::invalid_link(lang) };
    match tickets::manage_calendar(&web.state.db, &token, Utc::now()).await {
        Ok(ics) => {
            let mut response = ics.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"escale.ics\""));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            response
        }
        Err(DomainError::NotFound { .. }) => page::invalid_link(lang),
        Err(e) => page::unavailable(lang, &e),
    }
}

#[derive(Template)]
#[template(path = "speaker.html")]
struct SpeakerPage {
    c: Chrome,
    heading: String,
    count: String,
    /// By topic: the topic's name and its questions.
    topics: Vec<(String, Vec<String>)>,
}

pub(crate) async fn speaker(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OwnQuery>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    if let Some(refused) = page::over_public_limit(&web, &headers, peer, lang).await {
        return refused;
    }
    let Ok(Path(token)) = token else { return page::invalid_link(lang) };
    let (session, questions) = match participants::questions_by_speaker_link(&web.state.db, &token, Utc::now()).await {
        Ok(found) => found,
        Err(DomainError::NotFound { .. }) => return page::invalid_link(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let t = Tr(lang);
    let heading = t.a("speaker-title", &[("session", Arg::from(session.title_in(lang.as_str())))]);
    let count = t.n("speaker-count", i64::try_from(questions.len()).unwrap_or(i64::MAX));
    let mut topics: Vec<(String, Vec<String>)> = Vec::new();
    for topic in escale_domain::values::Topic::ALL {
        let bodies: Vec<String> = questions.iter().filter(|q| q.topic == topic).map(|q| q.body.clone()).collect();
        if !bodies.is_empty() {
            topics.push((crate::public::topic_label(t, topic), bodies));
        }
    }
    let page =
        SpeakerPage { c: Chrome::new(lang, heading.clone(), None, &format!("/s/{token}")), heading, count, topics };
    render(StatusCode::OK, Kind::Link, &page)
}
