//! A stop's details in the console: its name, place, directions and seats,
//! and its name and directions in the organizer's other languages. Only what
//! changed is sent to `manage::update_stop` (the GraphQL mutation's
//! function), so a staff member may fix a name while seats and the venue stay
//! an owner's or admin's act; a new venue is announced to the people
//! registered unless the organizer says not to.

use std::str::FromStr as _;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog::{self, Stop};
use escale_domain::manage::{self, StopPatch, Translation};
use escale_domain::messaging::notices::Notify;
use escale_domain::values::Locale;
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::console_catalog::{Errors, Fields, field, number};
use crate::page::{self, Chrome, Tr, choose_lang};

/// The form's own fields, as the domain names them.
const FIELDS: [&str; 7] = ["name", "region", "city", "venue", "address", "directions", "capacity"];

#[derive(Template)]
#[template(path = "console_details.html")]
struct DetailsPage {
    c: Chrome,
    f: Frame,
    id: String,
    heading: String,
    typed: Fields,
    errors: Errors,
    /// The languages a translation may be given in: (code, name, rtl).
    others: Vec<(&'static str, String, bool)>,
    can_publish: bool,
}

impl DetailsPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn error(&self, name: &str) -> &str {
        self.errors.get(name)
    }
    fn banner(&self) -> String {
        let mut known: Vec<String> = FIELDS.iter().map(|f| (*f).to_owned()).collect();
        for (code, _, _) in &self.others {
            known.push(format!("name_{code}"));
            known.push(format!("directions_{code}"));
        }
        self.errors.banner(&known.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

/// The organizer's other languages: those a translation is for.
fn other_languages(default: Locale) -> Vec<Locale> {
    [Locale::Fr, Locale::Ar, Locale::En].into_iter().filter(|l| *l != default).collect()
}

fn typed_of(stop: &Stop, others: &[Locale]) -> Fields {
    let mut typed: Fields = vec![
        ("name".into(), stop.name.clone()),
        ("region".into(), stop.region.clone()),
        ("city".into(), stop.city.clone()),
        ("venue".into(), stop.venue.clone()),
        ("address".into(), stop.address.clone().unwrap_or_default()),
        ("directions".into(), stop.directions.clone().unwrap_or_default()),
        ("capacity".into(), stop.capacity.to_string()),
        ("notify".into(), "on".into()),
    ];
    for l in others {
        for part in ["name", "directions"] {
            let words = stop.translations.get(l.as_str(), part).unwrap_or_default().to_owned();
            typed.push((format!("{part}_{}", l.as_str()), words));
        }
    }
    typed
}

/// What changed between the stop and the form, as a patch.
fn patch_of(stop: &Stop, typed: &Fields, others: &[Locale]) -> Result<StopPatch, DomainError> {
    let changed = |name: &str, now: &str| {
        let typed = field(typed, name).trim();
        (typed != now.trim()).then(|| typed.to_owned())
    };
    let optional = |name: &str, now: &Option<String>| {
        changed(name, now.as_deref().unwrap_or("")).map(|v| Some(v).filter(|v| !v.is_empty()))
    };
    let capacity = number(field(typed, "capacity"), "capacity")?;
    let translations: Vec<Translation> = others
        .iter()
        .map(|l| Translation {
            locale: *l,
            fields: ["name", "directions"]
                .into_iter()
                .map(|part| {
                    let words = field(typed, &format!("{part}_{}", l.as_str())).trim().to_owned();
                    (part, Some(words).filter(|w| !w.is_empty()))
                })
                .collect(),
        })
        .collect();
    let same_texts = others.iter().all(|l| {
        ["name", "directions"].iter().all(|part| {
            field(typed, &format!("{part}_{}", l.as_str())).trim()
                == stop.translations.get(l.as_str(), part).unwrap_or_default().trim()
        })
    });
    Ok(StopPatch {
        name: changed("name", &stop.name),
        region: changed("region", &stop.region),
        city: changed("city", &stop.city),
        venue: changed("venue", &stop.venue),
        address: optional("address", &stop.address),
        directions: optional("directions", &stop.directions),
        translations: (!same_texts).then_some(translations),
        capacity: (capacity != i64::from(stop.capacity)).then_some(capacity),
        registration_opens_at: None,
        registration_closes_at: None,
        notify: if typed.iter().any(|(k, _)| k == "notify") { Notify::Participants } else { Notify::Nobody },
    })
}

async fn details_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    stop_id: uuid::Uuid,
    typed: Option<Fields>,
    errors: Errors,
) -> Response {
    let Ok(scope) = actor.require(Action::CatalogWrite) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let stop = match catalog::find::one_stop(db, scope, stop_id).await {
        Ok(s) => s,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let default = match escale_domain::tenancy::get(db, scope).await {
        Ok(t) => t.default_locale,
        Err(e) => return page::unavailable(lang, &e),
    };
    let others = other_languages(default);
    let heading = stop.name_in(lang.as_str()).to_owned();
    let t = Tr(lang);
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        format!("{} — {heading}", t.s("console-details")),
        &format!("/console/stops/{stop_id}/details"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status = if errors.banner(&[]).is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = DetailsPage {
        c,
        f,
        id: stop_id.to_string(),
        heading,
        typed: typed.unwrap_or_else(|| typed_of(&stop, &others)),
        errors,
        others: others.iter().map(|l| (l.as_str(), t.s(&format!("language-{}", l.as_str())), l.is_rtl())).collect(),
        can_publish: actor.require(Action::CatalogPublish).is_ok(),
    };
    console::console_page(status, &page)
}

pub(crate) async fn details_form(
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
    details_page(&web, lang, (&token, &actor), stop, None, Errors::default()).await
}

pub(crate) async fn save(
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
    let db = &web.state.db;
    let saved = async {
        let scope = actor.require(Action::CatalogWrite)?;
        let stop = catalog::find::one_stop(db, scope, stop_id).await?;
        let default = escale_domain::tenancy::get(db, scope).await?.default_locale;
        let patch = patch_of(&stop, &typed, &other_languages(default))?;
        manage::update_stop(db, &actor, stop_id, patch, Utc::now()).await
    }
    .await;
    match saved {
        Ok(_) => {
            crate::console_messages::wake(&web);
            Redirect::to(&format!("/console/stops/{stop_id}/edit?lang={}", lang.as_str())).into_response()
        }
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => {
            // A translation's refusal names `translations.ar.name`: the form's `name_ar`.
            let errors = match &e {
                DomainError::Validation { field, message } if field.starts_with("translations.") => {
                    let mut parts = field.trim_start_matches("translations.").splitn(2, '.');
                    let (l, part) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    let name = Locale::from_str(l).map(|l| format!("{part}_{}", l.as_str())).unwrap_or_default();
                    Some(Errors::one(&name, message.render(lang)))
                }
                _ => Errors::of(&e, lang),
            };
            match errors {
                Some(errors) => details_page(&web, lang, (&token, &actor), stop_id, Some(typed), errors).await,
                None => page::unavailable(lang, &e),
            }
        }
    }
}
