//! A stop's messages in the console: what went out by channel (with the SMS
//! segments billed), a broadcast composed per language and previewed before
//! it is sent — who it reaches, each language's SMS as it will read, its
//! segments and cost —, and the messages that failed, with their reason and
//! a retry. Each action is the GraphQL mutation's domain function
//! (`messaging::broadcast_preview`, `broadcast`, `failed`, `retry`).

use std::str::FromStr as _;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog;
use escale_domain::ids::NotificationId;
use escale_domain::messaging::organizer::{self, Broadcast, BroadcastPreview};
use escale_domain::messaging::templates::Channel;
use escale_domain::values::Locale;
use escale_domain::{DomainError, Lang};
use serde::Deserialize;

use crate::Web;
use crate::console::{self, Frame};
use crate::console_catalog::{Errors, Fields, field};
use crate::page::{self, Chrome, Tr, choose_lang};
use crate::when;

/// The languages a broadcast may be written in, in the form's order.
const LANGUAGES: [Locale; 3] = [Locale::Fr, Locale::Ar, Locale::En];

/// How many failed messages the page lists (the API pages further).
const FAILED_SHOWN: u64 = 50;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MessagesQuery {
    lang: Option<String>,
    /// After a broadcast: how many messages were planned, how many people
    /// no channel reached. Counts only: nothing personal in an address.
    planned: Option<i64>,
    unreachable: Option<i64>,
    retried: Option<i64>,
}

/// One channel's messages by state.
struct CountLine {
    channel: String,
    waiting: i64,
    sent: i64,
    failed: i64,
    withdrawn: i64,
    segments: i64,
}

struct FailedLine {
    id: String,
    when: String,
    kind: String,
    channel: String,
    recipient: String,
    attempts: i64,
    reason: String,
}

/// A recipient language's line of the preview.
struct ReaderLine {
    language: String,
    text_language: String,
    people: i64,
    sms: i64,
    sms_text: String,
    sms_segments: String,
    rtl: bool,
}

struct PreviewView {
    people: i64,
    emails: i64,
    sms: i64,
    unreachable: i64,
    segments: i64,
    /// Empty when the deployment has no price per segment.
    cost: String,
    readers: Vec<ReaderLine>,
}

#[derive(Template)]
#[template(path = "console_messages.html")]
struct MessagesPage {
    c: Chrome,
    f: Frame,
    id: String,
    heading: String,
    date: String,
    counts: Vec<CountLine>,
    can_send: bool,
    can_retry: bool,
    typed: Fields,
    errors: Errors,
    preview: Option<PreviewView>,
    /// `(planned, unreachable)` after a broadcast.
    sent: Option<(i64, i64)>,
    retried: Option<i64>,
    failed: Vec<FailedLine>,
    /// The form's languages: (code, name, right to left).
    languages: Vec<(&'static str, String, bool)>,
}

impl MessagesPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn checked(&self, name: &str) -> bool {
        self.typed.iter().any(|(k, _)| k == name)
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        let fields: Vec<String> = LANGUAGES
            .iter()
            .flat_map(|l| [format!("subject_{}", l.as_str()), format!("body_{}", l.as_str())])
            .collect();
        let mut known: Vec<&str> = fields.iter().map(String::as_str).collect();
        known.push("channels");
        self.errors.banner(&known)
    }
}

fn language_name(t: Tr, locale: Locale) -> String {
    t.s(&format!("language-{}", locale.as_str()))
}

/// The broadcast the form describes. The organizer's default language is the
/// main text when written (anybody without their own reads it), else the
/// first language written; `fields` maps the domain's field names back to
/// the form's.
fn composed(typed: &Fields, stop_id: uuid::Uuid, default: Locale) -> (Broadcast, Vec<(String, String)>) {
    let written: Vec<Locale> = LANGUAGES
        .iter()
        .copied()
        .filter(|l| {
            !field(typed, &format!("subject_{}", l.as_str())).trim().is_empty()
                || !field(typed, &format!("body_{}", l.as_str())).trim().is_empty()
        })
        .collect();
    let main = if written.contains(&default) || written.is_empty() { default } else { written[0] };
    let text = |l: Locale, part: &str| field(typed, &format!("{part}_{}", l.as_str())).to_owned();
    let others: Vec<Locale> = written.iter().copied().filter(|&l| l != main).collect();
    let mut names = vec![
        ("subject".to_owned(), format!("subject_{}", main.as_str())),
        ("body".to_owned(), format!("body_{}", main.as_str())),
    ];
    for (i, l) in others.iter().enumerate() {
        names.push((format!("translations[{i}].subject"), format!("subject_{}", l.as_str())));
        names.push((format!("translations[{i}].body"), format!("body_{}", l.as_str())));
    }
    let mut channels = Vec::new();
    if typed.iter().any(|(k, _)| k == "email") {
        channels.push(Channel::Email);
    }
    if typed.iter().any(|(k, _)| k == "sms") {
        channels.push(Channel::Sms);
    }
    let broadcast = Broadcast {
        stop_id,
        subject: text(main, "subject"),
        body: text(main, "body"),
        locale: main,
        translations: others.iter().map(|&l| (l, text(l, "subject"), text(l, "body"))).collect(),
        channels,
        urgent: typed.iter().any(|(k, _)| k == "urgent"),
    };
    (broadcast, names)
}

/// A refusal beside the form's field it is about.
fn refusal(e: &DomainError, lang: Lang, names: &[(String, String)]) -> Option<Errors> {
    match e {
        DomainError::Validation { field, message } => {
            let name = names.iter().find(|(d, _)| d == field).map(|(_, f)| f.as_str()).unwrap_or(field.as_str());
            Some(Errors::one(name, message.render(lang)))
        }
        _ => Errors::of(e, lang),
    }
}

/// One channel's messages: waiting, sent (or delivered), failed, withdrawn
/// (cancelled or suppressed), and the SMS segments they count.
pub(crate) fn by_state(counts: &[organizer::MessageCount], channel: Channel) -> [i64; 5] {
    let sum = |states: &[&str]| -> i64 {
        counts.iter().filter(|c| c.channel == channel && states.contains(&c.status.as_str())).map(|c| c.count).sum()
    };
    [
        sum(&["pending", "queued", "sending"]),
        sum(&["sent", "delivered"]),
        sum(&["failed"]),
        sum(&["cancelled", "suppressed"]),
        counts.iter().filter(|c| c.channel == channel).map(|c| c.sms_segments).sum(),
    ]
}

/// Tells the worker there is mail to send now rather than at its next pass.
pub(crate) fn wake(web: &Web) {
    if let Some(signal) = &web.state.outbox_signal {
        signal();
    }
}

/// A count as the catalogue's plural rules take it.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn preview_view(web: &Web, t: Tr, p: BroadcastPreview) -> PreviewView {
    let readers = p
        .readers
        .into_iter()
        .map(|r| ReaderLine {
            language: language_name(t, r.locale),
            text_language: language_name(t, r.text_locale),
            people: count(r.people),
            sms: count(r.sms),
            sms_segments: r
                .sms_text
                .as_ref()
                .map(|s| {
                    t.a(
                        "console-sms-length",
                        &[("segments", s.length.segments.into()), ("units", s.length.units.into())],
                    )
                })
                .unwrap_or_default(),
            sms_text: r.sms_text.map(|s| s.text).unwrap_or_default(),
            rtl: r.locale.is_rtl(),
        })
        .collect();
    PreviewView {
        people: count(p.people),
        emails: count(p.emails),
        sms: count(p.sms),
        unreachable: count(p.unreachable),
        segments: count(p.sms_segments),
        cost: web.state.sms_price.as_ref().map(|price| price.cost(p.sms_segments)).unwrap_or_default(),
        readers,
    }
}

struct Shown {
    typed: Fields,
    errors: Errors,
    preview: Option<PreviewView>,
    sent: Option<(i64, i64)>,
    retried: Option<i64>,
}

async fn messages_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    stop_id: uuid::Uuid,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let t = Tr(lang);
    let Ok(scope) = actor.require(Action::RegistrationsRead) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let stop = match catalog::find::one_stop(db, scope, stop_id).await {
        Ok(s) => s,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let read = async {
        let counts = organizer::stop_message_counts(db, scope, stop_id).await?;
        let failed = organizer::failed(db, actor, stop_id, FAILED_SHOWN).await?;
        Ok::<_, DomainError>((counts, failed))
    };
    let (counts, failed) = match read.await {
        Ok(read) => read,
        Err(e) => return page::unavailable(lang, &e),
    };
    let counts = [Channel::Email, Channel::Sms]
        .into_iter()
        .map(|channel| {
            let [waiting, sent, failed, withdrawn, segments] = by_state(&counts, channel);
            CountLine {
                channel: t.s(&format!("console-channel-{}", channel.as_str())),
                waiting,
                sent,
                failed,
                withdrawn,
                segments,
            }
        })
        .collect();
    let zone = stop.time_zone;
    let failed = failed
        .into_iter()
        .map(|m| FailedLine {
            id: m.id.0.to_string(),
            when: format!(
                "{} {}",
                when::short_day(lang, zone.local(m.failed_at).date_naive()),
                zone.local(m.failed_at).format("%H:%M")
            ),
            kind: t.s(&format!("console-message-{}", m.key.as_str())),
            channel: t.s(&format!("console-channel-{}", m.channel.as_str())),
            recipient: m.recipient.unwrap_or_default(),
            attempts: i64::from(m.attempts),
            reason: m.reason.unwrap_or_default(),
        })
        .collect();
    let heading = stop.name_in(lang.as_str()).to_owned();
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        format!("{} — {heading}", t.s("console-messages")),
        &format!("/console/stops/{stop_id}/messages"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let page = MessagesPage {
        c,
        f,
        id: stop_id.to_string(),
        heading,
        date: when::date(lang, stop.local_starts_at()),
        counts,
        can_send: actor.require(Action::CatalogPublish).is_ok(),
        can_retry: actor.require(Action::RegistrationsManage).is_ok(),
        typed: shown.typed,
        errors: shown.errors,
        preview: shown.preview,
        sent: shown.sent,
        retried: shown.retried,
        failed,
        languages: LANGUAGES.iter().map(|&l| (l.as_str(), language_name(t, l), l.is_rtl())).collect(),
    };
    console::console_page(status, &page)
}

pub(crate) async fn messages(
    State(web): State<Web>,
    Query(q): Query<MessagesQuery>,
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
    let typed = vec![("email".to_owned(), "on".to_owned())];
    let shown = Shown {
        typed,
        errors: Errors::default(),
        preview: None,
        sent: q.planned.map(|p| (p, q.unreachable.unwrap_or(0))),
        retried: q.retried,
    };
    messages_page(&web, lang, &token, &actor, stop, shown, StatusCode::OK).await
}

/// `action=preview` counts and renders; `action=send` sends; `action=retry`
/// sends the ticked failed messages again.
pub(crate) async fn act(
    State(web): State<Web>,
    Query(q): Query<MessagesQuery>,
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
    let here = format!("/console/stops/{stop_id}/messages?lang={}", lang.as_str());
    let shown = |typed: Fields, errors: Errors, preview: Option<PreviewView>| Shown {
        typed,
        errors,
        preview,
        sent: None,
        retried: None,
    };
    if field(&typed, "action") == "retry" {
        let ids: Vec<NotificationId> = typed
            .iter()
            .filter(|(k, _)| k == "id")
            .filter_map(|(_, v)| uuid::Uuid::parse_str(v).ok().map(NotificationId))
            .collect();
        return match organizer::retry(&web.state.db, &actor, &ids, Utc::now()).await {
            Ok(n) => {
                wake(&web);
                Redirect::to(&format!("{here}&retried={n}")).into_response()
            }
            Err(DomainError::NotFound { .. }) => page::not_found(lang),
            Err(e) => match Errors::of(&e, lang) {
                Some(errors) => {
                    let shown = shown(Vec::new(), errors, None);
                    messages_page(&web, lang, &token, &actor, stop_id, shown, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                None => page::unavailable(lang, &e),
            },
        };
    }
    let default = match actor.require(Action::CatalogRead) {
        Ok(scope) => match escale_domain::tenancy::get(&web.state.db, scope).await {
            Ok(tenant) => tenant.default_locale,
            Err(e) => return page::unavailable(lang, &e),
        },
        Err(_) => Locale::from_str(lang.as_str()).unwrap_or(Locale::Fr),
    };
    let (broadcast, names) = composed(&typed, stop_id, default);
    let outcome = if field(&typed, "action") == "send" {
        organizer::broadcast(&web.state.db, &actor, broadcast, Utc::now()).await.map(|sent| {
            wake(&web);
            Redirect::to(&format!("{here}&planned={}&unreachable={}", sent.planned, sent.unreachable)).into_response()
        })
    } else {
        match organizer::broadcast_preview(&web.state.db, &actor, &broadcast).await {
            Ok(p) => {
                let view = preview_view(&web, Tr(lang), p);
                let shown = shown(typed.clone(), Errors::default(), Some(view));
                Ok(messages_page(&web, lang, &token, &actor, stop_id, shown, StatusCode::OK).await)
            }
            Err(e) => Err(e),
        }
    };
    match outcome {
        Ok(response) => response,
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match refusal(&e, lang, &names) {
            Some(errors) => {
                let shown = shown(typed, errors, None);
                messages_page(&web, lang, &token, &actor, stop_id, shown, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => page::unavailable(lang, &e),
        },
    }
}
