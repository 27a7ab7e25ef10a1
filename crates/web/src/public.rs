//! The public pages: `/` (which organizer), `/{tenant}` (the organizer's
//! roadshow), `/{tenant}/{stop}` (a stop, its agenda and the registration
//! form) and the form's post.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use escale_domain::catalog::{self, AgendaStop, RegistrationWindow};
use escale_domain::entities::session::Kind as SessionKind;
use escale_domain::ids::{SessionId, StopId};
use escale_domain::registration::participants::NewQuestion;
use escale_domain::registration::{self as registration, Consents, Profile, RegisterInput};
use escale_domain::tenancy::{self, Tenant};
use escale_domain::values::Topic;
use escale_domain::{DomainError, Lang};
use escale_gateway::limits::Bucket;
use escale_i18n::Arg;

use crate::Web;
use crate::form::{self, Refusal};
use crate::page::{self, Chrome, Kind, LangQuery, Tr, choose_lang, render, render_framed};
use crate::when;

// ------------------------------------------------------------------ home

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    tenants: Vec<(String, String)>,
}

/// One organizer on the deployment (the embedded demo): its page. Several:
/// the list of them.
pub(crate) async fn home(State(web): State<Web>, Query(q): Query<LangQuery>, headers: HeaderMap) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let tenants = match tenancy::list(&web.state.db).await {
        Ok(t) => t,
        Err(e) => return page::unavailable(lang, &e),
    };
    if let [only] = tenants.as_slice() {
        let query =
            q.lang.as_deref().and_then(Lang::parse).map(|l| format!("?lang={}", l.as_str())).unwrap_or_default();
        return Redirect::to(&format!("/{}{query}", only.slug)).into_response();
    }
    let c = Chrome::new(lang, "Escale".to_owned(), None, "/");
    let tenants = tenants.into_iter().map(|t| (t.name, format!("/{}?lang={}", t.slug, lang.as_str()))).collect();
    render(StatusCode::OK, Kind::Public, &HomePage { c, tenants })
}

// ------------------------------------------------------------ the tenant

/// A stop as a line of the organizer's page.
#[derive(Debug, Clone)]
pub(crate) struct StopCard {
    href: String,
    city: String,
    venue: String,
    date: String,
    time: String,
    state: &'static str,
    state_text: String,
}

#[derive(Debug, Clone)]
struct EditionBlock {
    series: String,
    title: String,
    stops: Vec<StopCard>,
    partners: Vec<String>,
}

#[derive(Template)]
#[template(path = "tenant.html")]
struct TenantPage {
    c: Chrome,
    name: String,
    current: Vec<EditionBlock>,
    past: Vec<(String, String)>,
}

/// Whether a stop takes registrations now, and in words.
fn state_of(stop: &AgendaStop, lang: Lang, now: DateTime<Utc>) -> (&'static str, String) {
    let t = Tr(lang);
    match stop.window(now) {
        RegistrationWindow::Open if stop.stop.seats_left > 0 => {
            ("open", t.n("stop-seats-left", stop.stop.seats_left.into()))
        }
        RegistrationWindow::Open => ("wait", t.s("stop-full-waitlist")),
        RegistrationWindow::NotYetOpen { opens_at } => (
            "soon",
            t.a("stop-opens", &[("date", Arg::from(when::date_time(lang, stop.stop.time_zone.local(opens_at))))]),
        ),
        RegistrationWindow::Closed | RegistrationWindow::Unavailable => ("off", t.s("stop-closed")),
    }
}

/// A stop's readable address: its city and local day (`beni-mellal-2027-05-15`).
pub(crate) fn stop_slug(stop: &catalog::Stop) -> String {
    let mut slug = String::new();
    for c in stop.city.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    if !slug.ends_with('-') && !slug.is_empty() {
        slug.push('-');
    }
    slug.push_str(&stop.local_starts_at().format("%Y-%m-%d").to_string());
    slug
}

/// The ASCII letters of the accented Latin letters of place names
/// (Béni Mellal, Fès); other scripts drop out of the slug.
fn fold_accent(c: char) -> Option<char> {
    Some(match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Á' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
        'î' | 'ï' | 'í' | 'Î' => 'i',
        'ô' | 'ö' | 'ó' | 'Ô' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Û' => 'u',
        'ç' | 'Ç' => 'c',
        c if c.is_ascii() => c,
        _ => return None,
    })
}

fn card(tenant: &str, stop: &AgendaStop, lang: Lang, now: DateTime<Utc>) -> StopCard {
    let (state, state_text) = state_of(stop, lang, now);
    let s = &stop.stop;
    StopCard {
        href: format!("/{tenant}/{}?lang={}", stop_slug(s), lang.as_str()),
        city: s.city.clone(),
        venue: s.venue.clone(),
        date: when::date(lang, s.local_starts_at()),
        time: format!("{} – {}", s.local_starts_at().format("%H:%M"), s.local_ends_at().format("%H:%M")),
        state,
        state_text,
    }
}

async fn load_tenant(web: &Web, slug: &str) -> Result<Arc<Tenant>, DomainError> {
    web.reads.tenant(&web.state.db, slug).await
}

pub(crate) async fn tenant(
    State(web): State<Web>,
    slug: Result<Path<String>, PathRejection>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    // A path that is not even text (`%FF`) names no organizer.
    let Ok(Path(slug)) = slug else { return page::not_found(lang) };
    let tenant = match load_tenant(&web, &slug).await {
        Ok(t) => t,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let agenda = match web.reads.agenda(&web.state.db, &tenant).await {
        Ok(a) => a,
        Err(e) => return page::unavailable(lang, &e),
    };
    let now = Utc::now();
    // An edition is current while one of its stops is still to come.
    let mut editions: BTreeMap<(i32, i32, String), Vec<&AgendaStop>> = BTreeMap::new();
    for stop in agenda.iter() {
        editions.entry((stop.edition.year, stop.edition.number, stop.series.name.clone())).or_default().push(stop);
    }
    let mut current_ids = Vec::new();
    let mut current = Vec::new();
    let mut past = Vec::new();
    for ((year, _, series), stops) in editions.iter().rev() {
        let Some(first) = stops.first() else { continue };
        if stops.iter().any(|s| s.stop.ends_at > now) && first.edition.status == catalog::EditionStatus::Published {
            current_ids.push(first.edition.id.0);
            current.push(EditionBlock {
                series: series.clone(),
                title: first.edition.title.clone(),
                stops: stops.iter().map(|s| card(&tenant.slug, s, lang, now)).collect(),
                partners: Vec::new(),
            });
        } else {
            let cities: Vec<&str> = stops.iter().map(|s| s.stop.city.as_str()).collect();
            past.push((format!("{} ({year})", first.edition.title), cities.join(" · ")));
        }
    }
    match catalog::partnerships_of_editions(&web.state.db, tenant.scope, &current_ids).await {
        Ok(links) => {
            for (block, id) in current.iter_mut().zip(&current_ids) {
                block.partners =
                    links.iter().filter(|(e, _)| e.0 == *id).map(|(_, p)| p.partner.name.clone()).collect();
            }
        }
        Err(e) => return page::unavailable(lang, &e),
    }
    let c = Chrome::new(lang, tenant.name.clone(), Some(&*tenant), &format!("/{}", tenant.slug));
    let page = TenantPage { c, name: tenant.name.clone(), current, past };
    render_framed(StatusCode::OK, Kind::Public, &page, &tenant.embed_origins)
}

// ------------------------------------------------------------- the stop

#[derive(Debug, Clone)]
struct SessionRow {
    id: String,
    time: String,
    title: String,
    description: String,
    kind: String,
    room: String,
    topics: String,
    speakers: String,
    language: String,
    /// Seats left in a workshop with its own capacity.
    seats: Option<i32>,
    /// A workshop one signs up for (it has a capacity).
    bookable: bool,
    chosen: bool,
}

/// What was typed, sent back with the errors: nothing is lost.
#[derive(Debug, Clone, Default)]
pub(crate) struct Typed {
    full_name: String,
    email: String,
    phone: String,
    locale: String,
    segment: String,
    sector: String,
    company: String,
    region: String,
    topic: String,
    question: String,
    consent_email: bool,
    consent_sms: bool,
    consent_partners: bool,
    sessions: Vec<String>,
    form: String,
}

impl Typed {
    fn from_pairs(pairs: Vec<(String, String)>) -> Typed {
        let mut t = Typed::default();
        for (k, v) in pairs {
            match k.as_str() {
                "fullName" => t.full_name = v,
                "email" => t.email = v,
                "phone" => t.phone = v,
                "locale" => t.locale = v,
                "segment" => t.segment = v,
                "sector" => t.sector = v,
                "company" => t.company = v,
                "region" => t.region = v,
                "topic" => t.topic = v,
                "question" => t.question = v,
                "consentEmail" => t.consent_email = true,
                "consentSms" => t.consent_sms = true,
                "consentPartners" => t.consent_partners = true,
                "session" if t.sessions.len() < 50 => t.sessions.push(v),
                "form" => t.form = v,
                _ => {}
            }
        }
        t
    }

    /// What identifies the person of a submission: a replayed form id with
    /// someone else's details is a new registration, never the first one's
    /// page.
    fn fingerprint(&self, web: &Web) -> u64 {
        web.fingerprints.hash_one((self.full_name.trim(), self.email.trim(), self.phone.trim()))
    }
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "stop.html")]
struct StopPage {
    c: Chrome,
    series: String,
    edition: String,
    name: String,
    directions: String,
    city: String,
    venue: String,
    address: String,
    map: String,
    date: String,
    time: String,
    zone_note: String,
    state: &'static str,
    state_text: String,
    open: bool,
    full: bool,
    sessions: Vec<SessionRow>,
    partners: Vec<String>,
    alternatives: Vec<StopCard>,
    action: String,
    typed: Typed,
    /// A field's error, by the field's name.
    errors: HashMap<String, String>,
    /// An error that is no field's (closed, too many tries, an old form).
    banner: Option<String>,
    locales: Vec<Choice>,
    segments: Vec<Choice>,
    topics: Vec<Choice>,
    notice: String,
}

impl StopPage {
    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

pub(crate) fn kind_label(t: Tr, kind: SessionKind) -> String {
    t.s(match kind {
        SessionKind::Workshop => "session-workshop",
        SessionKind::Talk => "session-talk",
        SessionKind::Panel => "session-panel",
        SessionKind::Meeting => "session-meeting",
    })
}

pub(crate) fn topic_label(t: Tr, topic: Topic) -> String {
    t.s(&format!("topic-{}", topic.as_str().replace('_', "-")))
}

fn language_label(t: Tr, code: &str) -> String {
    t.s(&format!("language-{code}"))
}

/// The stop a path names: its readable slug or its id.
fn find_stop<'a>(agenda: &'a [AgendaStop], key: &str) -> Option<&'a AgendaStop> {
    let key = key.trim().to_ascii_lowercase();
    agenda.iter().find(|s| stop_slug(&s.stop) == key).or_else(|| {
        let id = uuid::Uuid::try_parse(&key).ok()?;
        agenda.iter().find(|s| s.stop.id.0 == id)
    })
}

/// Everything a stop page shows around its form.
struct Loaded {
    tenant: Arc<Tenant>,
    agenda: Arc<Vec<AgendaStop>>,
    index: usize,
    partners: Arc<Vec<String>>,
}

async fn load_stop(web: &Web, slug: &str, key: &str) -> Result<Option<Loaded>, DomainError> {
    let tenant = match load_tenant(web, slug).await {
        Ok(t) => t,
        Err(DomainError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let agenda = web.reads.agenda(&web.state.db, &tenant).await?;
    let Some(index) = find_stop(&agenda, key).and_then(|s| agenda.iter().position(|a| a.stop.id == s.stop.id)) else {
        return Ok(None);
    };
    let stop = &agenda[index].stop;
    let partners = web.reads.partners(&web.state.db, &tenant, stop).await?;
    Ok(Some(Loaded { tenant, agenda, index, partners }))
}

/// The most of a session's description the stop's page shows: 30 sessions
/// with the organizer's longest descriptions (4 000 characters) would weigh
/// far past the page's 50 KB on a phone's connection.
const DESCRIPTION_CHARS: usize = 280;

/// `text` cut at a word before `max` characters, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(char::is_whitespace).filter(|&i| i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

fn stop_page(
    loaded: &Loaded,
    lang: Lang,
    typed: Typed,
    errors: HashMap<String, String>,
    banner: Option<String>,
    now: DateTime<Utc>,
) -> StopPage {
    let t = Tr(lang);
    let here = &loaded.agenda[loaded.index];
    let s = &here.stop;
    let zone = s.time_zone;
    let (state, state_text) = state_of(here, lang, now);
    let sessions = here
        .sessions
        .iter()
        .map(|a| {
            let x = &a.session;
            let id = x.id.0.to_string();
            SessionRow {
                chosen: typed.sessions.contains(&id),
                id,
                time: format!(
                    "{} – {}",
                    zone.local(x.starts_at).format("%H:%M"),
                    zone.local(x.ends_at).format("%H:%M")
                ),
                title: x.title_in(lang.as_str()).to_owned(),
                description: excerpt(x.description_in(lang.as_str()).unwrap_or_default(), DESCRIPTION_CHARS),
                kind: kind_label(t, x.kind),
                room: x.room.clone().unwrap_or_default(),
                topics: x.topics.iter().map(|&topic| topic_label(t, topic)).collect::<Vec<_>>().join(" · "),
                speakers: a.speakers.iter().map(|sp| sp.full_name.as_str()).collect::<Vec<_>>().join(", "),
                language: language_label(t, x.language.as_str()),
                seats: x.seats_left,
                bookable: x.capacity.is_some(),
            }
        })
        .collect();
    let alternatives = if s.seats_left == 0 {
        loaded
            .agenda
            .iter()
            .filter(|o| {
                o.edition.id == here.edition.id && o.stop.id != s.id && o.stop.seats_left > 0 && o.window(now).is_open()
            })
            .map(|o| card(&loaded.tenant.slug, o, lang, now))
            .collect()
    } else {
        Vec::new()
    };
    let place = [s.venue.as_str(), s.address.as_deref().unwrap_or(""), s.city.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let locale = if typed.locale.is_empty() { lang.as_str() } else { typed.locale.as_str() };
    let locales = Lang::ALL
        .iter()
        .map(|l| Choice { value: l.as_str(), label: language_label(t, l.as_str()), selected: l.as_str() == locale })
        .collect();
    let segments = ["tpe", "micro_enterprise", "auto_entrepreneur", "project_holder", "other"]
        .into_iter()
        .map(|v| Choice {
            value: v,
            label: t.s(&format!("segment-{}", v.replace('_', "-"))),
            selected: typed.segment == v,
        })
        .collect();
    let topics = Topic::ALL
        .iter()
        .map(|&topic| Choice {
            value: topic.as_str(),
            label: topic_label(t, topic),
            selected: typed.topic == topic.as_str(),
        })
        .collect();
    let path = format!("/{}/{}", loaded.tenant.slug, stop_slug(s));
    StopPage {
        c: Chrome::new(
            lang,
            format!("{} — {}", s.name_in(lang.as_str()), loaded.tenant.name),
            Some(&*loaded.tenant),
            &path,
        ),
        series: here.series.name.clone(),
        edition: here.edition.title.clone(),
        name: s.name_in(lang.as_str()).to_owned(),
        directions: s.directions_in(lang.as_str()).unwrap_or_default().to_owned(),
        city: s.city.clone(),
        venue: s.venue.clone(),
        address: s.address.clone().unwrap_or_default(),
        map: format!(
            "https://www.openstreetmap.org/search?query={}",
            url::form_urlencoded::byte_serialize(place.as_bytes()).collect::<String>()
        ),
        date: when::date(lang, s.local_starts_at()),
        time: format!("{} – {}", s.local_starts_at().format("%H:%M"), s.local_ends_at().format("%H:%M")),
        zone_note: t.a("stop-zone", &[("zone", Arg::from(zone.name()))]),
        state,
        state_text,
        open: here.window(now).is_open(),
        full: s.seats_left == 0,
        sessions,
        partners: loaded.partners.to_vec(),
        alternatives,
        action: format!("{path}?lang={}", lang.as_str()),
        typed,
        errors,
        banner,
        locales,
        segments,
        topics,
        notice: t.a("privacy-notice", &[("organizer", Arg::from(loaded.tenant.name.as_str()))]),
    }
}

/// A fresh form token in `typed.form` (a new page, or a form sent back).
async fn with_fresh_form(web: &Web, loaded: &Loaded, mut typed: Typed) -> Result<Typed, DomainError> {
    typed.form = web.issue_form(&loaded.tenant).await?;
    Ok(typed)
}

pub(crate) async fn stop(
    State(web): State<Web>,
    path: Result<Path<(String, String)>, PathRejection>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let Ok(Path((slug, key))) = path else { return page::not_found(lang) };
    let now = Utc::now();
    let loaded = match load_stop(&web, &slug, &key).await {
        Ok(Some(l)) => l,
        Ok(None) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let form = match web.issue_form(&loaded.tenant).await {
        Ok(f) => f,
        Err(e) => return page::unavailable(lang, &e),
    };
    // The page is the same for every visitor but its form id: rendered once
    // per stop and language for the public cache's time, the id put in.
    let render = || {
        let typed = Typed { form: FORM_SLOT.to_owned(), ..Typed::default() };
        Template::render(&stop_page(&loaded, lang, typed, HashMap::new(), None, now))
    };
    let html = match web.reads.stop_page(loaded.agenda[loaded.index].stop.id.0, lang, render).await {
        Ok(html) => html.replacen(FORM_SLOT, &form, 1),
        Err(e) => return page::unavailable(lang, &e),
    };
    page::html(StatusCode::OK, Kind::Private, html, &loaded.tenant.embed_origins)
}

/// Where a shared rendering of the stop page takes its visitor's form id.
const FORM_SLOT: &str = "\u{1}form-id\u{1}";

/// The form's fields by the domain's field names (the API's).
fn field_of(domain_field: &str) -> &str {
    match domain_field {
        "sessionIds" | "sessionId" => "sessions",
        "body" => "question",
        other => other,
    }
}

pub(crate) async fn register_post(
    web: Web,
    slug: String,
    key: String,
    q: LangQuery,
    peer: SocketAddr,
    headers: HeaderMap,
    pairs: Vec<(String, String)>,
) -> Response {
    let typed = Typed::from_pairs(pairs);
    let lang = choose_lang(q.lang.as_deref(), Lang::parse(&typed.locale), &headers);
    let t = Tr(lang);
    let now = Utc::now();
    if form::cross_site(&headers) {
        return page::message_page(
            StatusCode::FORBIDDEN,
            Kind::Private,
            lang,
            t.s("form-cross-site-title"),
            t.s("form-cross-site"),
        );
    }
    let loaded = match load_stop(&web, &slug, &key).await {
        Ok(Some(l)) => l,
        Ok(None) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    // The form again, with what was typed, a fresh token, and what is wrong.
    let again = |typed: Typed, status: StatusCode, errors: HashMap<String, String>, banner: Option<String>| {
        let (web, loaded) = (web.clone(), &loaded);
        async move {
            match with_fresh_form(&web, loaded, typed).await {
                Ok(typed) => render_framed(
                    status,
                    Kind::Private,
                    &stop_page(loaded, lang, typed, errors, banner, now),
                    &loaded.tenant.embed_origins,
                ),
                Err(e) => page::unavailable(lang, &e),
            }
        }
    };
    let form_id = match web.check_form(&loaded.tenant, &typed.form, now).await {
        Ok(Ok(id)) => id,
        Ok(Err(Refusal::Expired)) => {
            return again(typed, StatusCode::UNPROCESSABLE_ENTITY, HashMap::new(), Some(t.s("form-expired"))).await;
        }
        Ok(Err(Refusal::Forged)) => {
            return page::message_page(
                StatusCode::FORBIDDEN,
                Kind::Private,
                lang,
                t.s("form-cross-site-title"),
                t.s("form-forged"),
            );
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let fingerprint = typed.fingerprint(&web);
    if let Some(answer) = web.answered.get(&form_id).await
        && answer.0 == fingerprint
    {
        return Redirect::to(&answer.1).into_response();
    }
    // The same limits as the API's `register`.
    let ip = crate::client_ip(&web, &headers, peer).to_string();
    let stop_id = loaded.agenda[loaded.index].stop.id;
    for (bucket, key) in [(Bucket::RegisterPerAddress, ip), (Bucket::RegisterPerStop, stop_id.0.to_string())] {
        if let Err(wait) = web.state.limits.check(bucket, &key).await {
            let secs = escale_gateway::limits::retry_after_secs(wait);
            let text = escale_domain::text!("rate-limited", seconds = secs).render(lang);
            let mut response = again(typed, StatusCode::TOO_MANY_REQUESTS, HashMap::new(), Some(text)).await;
            response.headers_mut().insert(header::RETRY_AFTER, secs.into());
            return response;
        }
    }
    let mut errors = HashMap::new();
    let mut session_ids = Vec::new();
    for raw in &typed.sessions {
        match uuid::Uuid::try_parse(raw) {
            Ok(id) => session_ids.push(SessionId(id)),
            Err(_) => {
                errors.insert("sessions".to_owned(), escale_domain::text!("register-session-elsewhere").render(lang));
            }
        }
    }
    let question = (!typed.question.trim().is_empty()).then(|| NewQuestion {
        topic: if typed.topic.is_empty() { "other".to_owned() } else { typed.topic.clone() },
        body: typed.question.clone(),
        session_id: None,
    });
    let input = RegisterInput {
        stop_id: StopId(stop_id.0),
        full_name: typed.full_name.clone(),
        email: Some(typed.email.clone()),
        phone: Some(typed.phone.clone()),
        locale: Some(if typed.locale.is_empty() { lang.as_str().to_owned() } else { typed.locale.clone() }),
        session_ids,
        consents: Consents {
            email_reminders: typed.consent_email,
            sms_reminders: typed.consent_sms,
            share_with_partners: typed.consent_partners,
        },
        profile: Profile {
            segment: Some(typed.segment.clone()),
            sector: Some(typed.sector.clone()),
            company: Some(typed.company.clone()),
            region: Some(typed.region.clone()),
        },
        question,
    };
    if !errors.is_empty() {
        return again(typed, StatusCode::UNPROCESSABLE_ENTITY, errors, None).await;
    }
    let outcome = match registration::register(&web.state.db, loaded.tenant.scope, &input, now).await {
        Ok(o) => o,
        Err(DomainError::Validation { field, message }) => {
            errors.insert(field_of(&field).to_owned(), message.render(lang));
            return again(typed, StatusCode::UNPROCESSABLE_ENTITY, errors, None).await;
        }
        Err(DomainError::Conflict { message, .. }) => {
            return again(typed, StatusCode::CONFLICT, errors, Some(message.render(lang))).await;
        }
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    if outcome.already_registered {
        // Whoever typed these details may not be their owner: the page says
        // where the registration's link is, and shows nothing of it.
        let path = format!("/{}/{}", loaded.tenant.slug, stop_slug(&loaded.agenda[loaded.index].stop));
        return page::organizer_message(
            StatusCode::OK,
            &loaded.tenant,
            lang,
            t.s("register-already-title"),
            t.s("register-already"),
            &path,
        );
    }
    if let Some(signal) = &web.state.outbox_signal {
        signal();
    }
    let status = match outcome.registration.status {
        registration::RegistrationStatus::Confirmed => "confirmed",
        registration::RegistrationStatus::Waitlisted => "waitlisted",
        registration::RegistrationStatus::Cancelled => "cancelled",
    };
    metrics_count(status);
    let token = match escale_domain::access::links::signer(&web.state.db, loaded.tenant.scope, now)
        .await
        .and_then(|s| s.manage_token(outcome.registration.id.0))
    {
        Ok(token) => token,
        Err(e) => return page::unavailable(lang, &e),
    };
    let to: Arc<str> = format!("/m/{token}?welcome=1").into();
    web.answered.insert(form_id, (fingerprint, to.clone())).await;
    Redirect::to(&to).into_response()
}

/// The same counter as the API's registrations: one figure, whichever door.
fn metrics_count(status: &'static str) {
    metrics::counter!("escale_registrations_total", "status" => status).increment(1);
}

pub(crate) async fn register(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    path: Result<Path<(String, String)>, PathRejection>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Ok(Path((slug, key))) = path else { return page::not_found(choose_lang(q.lang.as_deref(), None, &headers)) };
    // Parsed by hand: a malformed body is a form with nothing typed, never a
    // bare 4xx without the page.
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    register_post(web, slug, key, q, peer, headers, pairs).await
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn a_long_description_is_cut_at_a_word_and_a_short_one_kept() {
        assert_eq!(excerpt("Un atelier court.", 280), "Un atelier court.");
        let long = "mot ".repeat(200);
        let cut = excerpt(&long, 280);
        assert!(cut.chars().count() <= 281 && cut.ends_with("mot…"), "{cut}");
        let arabic = "ورشة ".repeat(100);
        assert!(excerpt(&arabic, 280).ends_with("ورشة…"));
        assert_eq!(excerpt(&"x".repeat(300), 280).chars().count(), 281, "no space: cut at the limit");
    }
}
