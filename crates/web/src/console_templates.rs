//! The organizer's wording of each message, in the console: pick a message,
//! a channel and a language, edit the platform's wording (or the one saved),
//! and preview it in French, Arabic and English from sample data — a render
//! error (a misspelt variable, a budget exceeded) shown beside the text —
//! before saving it (`messaging::organizer::{preview_template, save_template,
//! reset_template}`, the GraphQL mutations' functions).

use std::str::FromStr as _;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::messaging::organizer::{self, Sample};
use escale_domain::messaging::templates::{self, Channel, TemplateKey, TemplateOverride};
use escale_domain::values::Locale;
use escale_domain::{DomainError, Lang};
use serde::Deserialize;

use crate::Web;
use crate::console::{self, Frame};
use crate::console_catalog::{Errors, Fields, field};
use crate::page::{self, Chrome, Tr, choose_lang};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TemplatesQuery {
    lang: Option<String>,
    key: Option<String>,
    channel: Option<String>,
    locale: Option<String>,
    saved: Option<String>,
}

/// One language's preview: its subject and text as sent, or why not.
struct PreviewLine {
    language: String,
    rtl: bool,
    subject: String,
    text: String,
    length: String,
    error: String,
}

#[derive(Template)]
#[template(path = "console_templates.html")]
struct TemplatesPage {
    c: Chrome,
    f: Frame,
    /// (value, label, selected) for each selector.
    keys: Vec<(String, String, bool)>,
    channels: Vec<(String, String, bool)>,
    locales: Vec<(String, String, bool)>,
    key: String,
    channel: String,
    locale: String,
    rtl: bool,
    email: bool,
    /// The organizer has its own wording of this one.
    custom: bool,
    saved: bool,
    typed: Fields,
    errors: Errors,
    preview: Vec<PreviewLine>,
}

impl TemplatesPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        self.errors.banner(&["subject", "bodyText", "bodyHtml", "template"])
    }
    /// The render error, said beside the text it is about.
    fn render_error(&self) -> &str {
        self.errors.get("template")
    }
}

/// What the page is about: the message, the channel, the language.
struct Choice {
    key: TemplateKey,
    channel: Channel,
    locale: Locale,
}

impl Choice {
    fn of(key: Option<&str>, channel: Option<&str>, locale: Option<&str>, lang: Lang) -> Option<Choice> {
        Some(Choice {
            key: key.map(TemplateKey::from_str).transpose().ok()?.unwrap_or(TemplateKey::Confirmation),
            channel: channel.map(Channel::from_str).transpose().ok()?.unwrap_or(Channel::Email),
            locale: locale
                .map(Locale::from_str)
                .transpose()
                .ok()?
                .unwrap_or_else(|| Locale::from_str(lang.as_str()).unwrap_or(Locale::Fr)),
        })
    }

    fn query(&self, lang: Lang) -> String {
        format!("key={}&channel={}&locale={}&lang={}", self.key, self.channel, self.locale.as_str(), lang.as_str())
    }
}

fn preview_lines(t: Tr, rendered: Vec<(Locale, Result<Sample, DomainError>)>, lang: Lang) -> Vec<PreviewLine> {
    rendered
        .into_iter()
        .map(|(locale, r)| {
            let mut line = PreviewLine {
                language: t.s(&format!("language-{}", locale.as_str())),
                rtl: locale.is_rtl(),
                subject: String::new(),
                text: String::new(),
                length: String::new(),
                error: String::new(),
            };
            match r {
                Ok(Sample::Email(e)) => {
                    line.subject = e.subject;
                    line.text = e.text;
                }
                Ok(Sample::Sms(s)) => {
                    line.length = t.a(
                        "console-sms-length",
                        &[("segments", s.length.segments.into()), ("units", s.length.units.into())],
                    );
                    line.text = s.text;
                }
                Err(DomainError::Validation { message, .. }) => line.error = message.render(lang),
                Err(e) => line.error = e.to_string(),
            }
            line
        })
        .collect()
}

/// The wording the form shows: the saved one, else the built-in.
async fn current(web: &Web, actor: &Actor, choice: &Choice) -> Result<(TemplateOverride, bool), DomainError> {
    let saved = organizer::templates(&web.state.db, actor).await?;
    if let Some(t) =
        saved.into_iter().find(|t| t.key == choice.key && t.channel == choice.channel && t.locale == choice.locale)
    {
        return Ok((TemplateOverride { subject: t.subject, body_text: t.body_text, body_html: t.body_html }, true));
    }
    let builtin = templates::builtin_source(choice.key, choice.channel, choice.locale)
        .map_err(|e| DomainError::internal(e.to_string()))?;
    Ok((builtin, false))
}

fn typed_of(t: &TemplateOverride) -> Fields {
    let mut typed = vec![("bodyText".to_owned(), t.body_text.clone())];
    if let Some(s) = &t.subject {
        typed.push(("subject".to_owned(), s.clone()));
    }
    if let Some(h) = &t.body_html {
        typed.push(("bodyHtml".to_owned(), h.clone()));
    }
    typed
}

fn edited(typed: &Fields, channel: Channel) -> TemplateOverride {
    let part = |name: &str| Some(field(typed, name).to_owned()).filter(|s| !s.trim().is_empty());
    match channel {
        Channel::Email => TemplateOverride {
            subject: Some(field(typed, "subject").to_owned()),
            body_text: field(typed, "bodyText").to_owned(),
            body_html: part("bodyHtml"),
        },
        Channel::Sms => {
            TemplateOverride { subject: None, body_text: field(typed, "bodyText").to_owned(), body_html: None }
        }
    }
}

struct Shown {
    typed: Option<Fields>,
    errors: Errors,
    preview: Vec<PreviewLine>,
    saved: bool,
}

async fn templates_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    choice: &Choice,
    shown: Shown,
) -> Response {
    let t = Tr(lang);
    if actor.require(Action::CatalogPublish).is_err() {
        return console::to_dashboard(lang);
    }
    let (wording, custom) = match current(web, actor, choice).await {
        Ok(c) => c,
        Err(e) => return page::unavailable(lang, &e),
    };
    let (c, f) = match console::frame(web, lang, token, actor, t.s("console-templates"), "/console/templates").await {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status = if shown.errors.banner(&[]).is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = TemplatesPage {
        c,
        f,
        keys: TemplateKey::ALL
            .iter()
            .map(|k| (k.to_string(), t.s(&format!("console-message-{k}")), *k == choice.key))
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|ch| (ch.to_string(), t.s(&format!("console-channel-{ch}")), *ch == choice.channel))
            .collect(),
        locales: [Locale::Fr, Locale::Ar, Locale::En]
            .iter()
            .map(|l| (l.as_str().to_owned(), t.s(&format!("language-{}", l.as_str())), *l == choice.locale))
            .collect(),
        key: choice.key.to_string(),
        channel: choice.channel.to_string(),
        locale: choice.locale.as_str().to_owned(),
        rtl: choice.locale.is_rtl(),
        email: choice.channel == Channel::Email,
        custom,
        saved: shown.saved,
        typed: shown.typed.unwrap_or_else(|| typed_of(&wording)),
        errors: shown.errors,
        preview: shown.preview,
    };
    console::console_page(status, &page)
}

pub(crate) async fn templates(
    State(web): State<Web>,
    Query(q): Query<TemplatesQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Some(choice) = Choice::of(q.key.as_deref(), q.channel.as_deref(), q.locale.as_deref(), lang) else {
        return page::not_found(lang);
    };
    let shown = Shown { typed: None, errors: Errors::default(), preview: Vec::new(), saved: q.saved.is_some() };
    templates_page(&web, lang, (&token, &actor), &choice, shown).await
}

/// `action=preview` renders the three languages; `save` keeps the wording
/// (checked as the preview is); `reset` goes back to the platform's.
pub(crate) async fn act(
    State(web): State<Web>,
    Query(q): Query<TemplatesQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Some(choice) =
        Choice::of(Some(field(&typed, "key")), Some(field(&typed, "channel")), Some(field(&typed, "locale")), lang)
    else {
        return page::not_found(lang);
    };
    let db = &web.state.db;
    let here = format!("/console/templates?{}", choice.query(lang));
    let wording = edited(&typed, choice.channel);
    let done = match field(&typed, "action") {
        "save" => organizer::save_template(db, &actor, choice.key, choice.channel, choice.locale, wording, Utc::now())
            .await
            .map(|()| None),
        "reset" => organizer::reset_template(db, &actor, choice.key, choice.channel, choice.locale, Utc::now())
            .await
            .map(|_| None),
        _ => organizer::preview_template(db, &actor, choice.key, choice.channel, (choice.locale, wording))
            .await
            .map(Some),
    };
    match done {
        Ok(None) => Redirect::to(&format!("{here}&saved=1")).into_response(),
        Ok(Some(rendered)) => {
            // The edited language's refusal also shows beside its text.
            let errors = rendered
                .iter()
                .find(|(l, _)| *l == choice.locale)
                .and_then(|(_, r)| r.as_ref().err())
                .and_then(|e| Errors::of(e, lang))
                .unwrap_or_default();
            let preview = preview_lines(Tr(lang), rendered, lang);
            let shown = Shown { typed: Some(typed), errors, preview, saved: false };
            templates_page(&web, lang, (&token, &actor), &choice, shown).await
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => {
                let shown = Shown { typed: Some(typed), errors, preview: Vec::new(), saved: false };
                templates_page(&web, lang, (&token, &actor), &choice, shown).await
            }
            None => page::unavailable(lang, &e),
        },
    }
}
