//! The organizer's catalogue beyond one stop, in the console: its series and
//! editions (a new one, publish, archive), its speakers and its partners
//! (a new one, a partnership with an edition at a tier). Each post is the
//! GraphQL mutation's domain function (`manage::create_series`,
//! `create_edition`, `set_edition_status`, `create_speaker`,
//! `create_partner`, `set_partnership`), its role check and audit row; a
//! refusal is said above the forms with what was typed kept.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog::{self, EditionFilter, PartnerKind, PartnershipTier};
use escale_domain::entities::edition;
use escale_domain::manage::{self, PartnerInput, PartnershipTarget, SpeakerInput};
use escale_domain::paging::PageRequest;
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::console_catalog::{Errors, Fields, field, number, optional};
use crate::page::{self, Chrome, Tr, choose_lang};

/// How many of each the page lists (the API pages further).
const SHOWN: i32 = 100;

struct EditionLine {
    id: String,
    label: String,
    status: String,
    state: &'static str,
    /// The next statuses it may take: (value, label).
    moves: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "console_directory.html")]
struct DirectoryPage {
    c: Chrome,
    f: Frame,
    /// (id, name, slug, its editions).
    series: Vec<(String, String, String, Vec<EditionLine>)>,
    /// (id, name, title and organization).
    speakers: Vec<(String, String, String)>,
    /// (id, name, kind, partnerships as "tier — edition").
    partners: Vec<(String, String, String, String)>,
    kinds: Vec<(String, String)>,
    tiers: Vec<(String, String)>,
    /// Every edition as (id, label), for the partnership form.
    editions: Vec<(String, String)>,
    typed: Fields,
    errors: Errors,
    can_publish: bool,
}

impl DirectoryPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn banner(&self) -> String {
        self.errors.banner(&[])
    }
}

async fn directory_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    typed: Fields,
    errors: Errors,
) -> Response {
    let t = Tr(lang);
    let Ok(scope) = actor.require(Action::CatalogWrite) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let read = async {
        let page = PageRequest::new(Some(SHOWN), None)?;
        let series = catalog::list_series(db, scope, &page).await?.items;
        let editions = catalog::list_editions(db, scope, &EditionFilter::default(), &page).await?.items;
        let speakers = catalog::list_speakers(db, scope, &page).await?.items;
        let partners = catalog::list_partners(db, scope, &page).await?.items;
        let ids: Vec<uuid::Uuid> = editions.iter().map(|e| e.id.0).collect();
        let partnerships = catalog::partnerships_of_editions(db, scope, &ids).await?;
        Ok::<_, DomainError>((series, editions, speakers, partners, partnerships))
    };
    let (series, editions, speakers, partners, partnerships) = match read.await {
        Ok(read) => read,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status_label = |s: &str| t.s(&format!("console-edition-{s}"));
    let series_lines = series
        .iter()
        .map(|s| {
            let mut own: Vec<&catalog::Edition> = editions.iter().filter(|e| e.series_id == s.id).collect();
            own.sort_by_key(|e| std::cmp::Reverse((e.year, e.number)));
            let lines = own
                .into_iter()
                .map(|e| {
                    let status = catalog::code(&e.status);
                    let moves: Vec<&'static str> = match status.as_str() {
                        "draft" => vec!["published"],
                        "published" => vec!["draft", "archived"],
                        _ => vec!["draft"],
                    };
                    EditionLine {
                        id: e.id.0.to_string(),
                        label: format!("{} ({})", e.title, e.year),
                        state: match status.as_str() {
                            "published" => "open",
                            "draft" => "soon",
                            _ => "off",
                        },
                        status: status_label(&status),
                        moves: moves.into_iter().map(|m| (m, t.s(&format!("console-edition-to-{m}")))).collect(),
                    }
                })
                .collect();
            (s.id.0.to_string(), s.name.clone(), s.slug.clone(), lines)
        })
        .collect();
    let edition_label = |id: uuid::Uuid| {
        editions.iter().find(|e| e.id.0 == id).map(|e| format!("{} ({})", e.title, e.year)).unwrap_or_default()
    };
    let partner_lines = partners
        .iter()
        .map(|p| {
            let links: Vec<String> = partnerships
                .iter()
                .filter(|(_, link)| link.partner.id == p.id)
                .map(|(edition, link)| {
                    format!(
                        "{} — {}",
                        t.s(&format!("console-tier-{}", catalog::code(&link.tier))),
                        edition_label(edition.0)
                    )
                })
                .collect();
            (
                p.id.0.to_string(),
                p.name.clone(),
                t.s(&format!("console-kind-{}", catalog::code(&p.kind))),
                links.join(" · "),
            )
        })
        .collect();
    let (c, f) = match console::frame(web, lang, token, actor, t.s("console-directory"), "/console/catalog").await {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status = if errors.banner(&[]).is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = DirectoryPage {
        c,
        f,
        series: series_lines,
        speakers: speakers
            .iter()
            .map(|s| {
                let role = [s.title.as_deref(), s.organization.as_deref()].into_iter().flatten().collect::<Vec<_>>();
                (s.id.0.to_string(), s.full_name.clone(), role.join(", "))
            })
            .collect(),
        partners: partner_lines,
        kinds: catalog::codes::<PartnerKind>()
            .into_iter()
            .map(|(_, code)| (code.clone(), t.s(&format!("console-kind-{code}"))))
            .collect(),
        tiers: catalog::codes::<PartnershipTier>()
            .into_iter()
            .map(|(_, code)| (code.clone(), t.s(&format!("console-tier-{code}"))))
            .collect(),
        editions: editions.iter().map(|e| (e.id.0.to_string(), format!("{} ({})", e.title, e.year))).collect(),
        typed,
        errors,
        can_publish: actor.require(Action::CatalogPublish).is_ok(),
    };
    console::console_page(status, &page)
}

pub(crate) async fn directory(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    directory_page(&web, lang, (&token, &actor), Vec::new(), Errors::default()).await
}

fn uuid_of(typed: &Fields, name: &'static str) -> Result<uuid::Uuid, DomainError> {
    uuid::Uuid::parse_str(field(typed, name)).map_err(|_| DomainError::not_found(name))
}

fn int(typed: &Fields, name: &str, domain: &str) -> Result<i32, DomainError> {
    i32::try_from(number(field(typed, name), domain)?)
        .map_err(|_| DomainError::validation(domain, escale_domain::text!("console-number-invalid")))
}

pub(crate) async fn act(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let (db, now) = (&web.state.db, Utc::now());
    let done: Result<(), DomainError> = async {
        match field(&typed, "action") {
            "series" => {
                let new = manage::NewSeries {
                    slug: field(&typed, "s_slug").to_owned(),
                    name: field(&typed, "s_name").to_owned(),
                    description: None,
                };
                manage::create_series(db, &actor, new, now).await.map(|_| ())
            }
            "edition" => {
                let new = manage::NewEdition {
                    series_id: uuid_of(&typed, "e_series")?,
                    number: int(&typed, "e_number", "number")?,
                    year: int(&typed, "e_year", "year")?,
                    title: field(&typed, "e_title").to_owned(),
                };
                manage::create_edition(db, &actor, new, now).await.map(|_| ())
            }
            "edition-status" => {
                let status = catalog::from_code::<edition::Status>(field(&typed, "status"))
                    .ok_or_else(|| DomainError::not_found("status"))?;
                manage::set_edition_status(db, &actor, uuid_of(&typed, "edition")?, status, now).await.map(|_| ())
            }
            "speaker" => {
                let new = SpeakerInput {
                    full_name: Some(field(&typed, "sp_name").to_owned()),
                    title: Some(optional(field(&typed, "sp_title"))),
                    organization: Some(optional(field(&typed, "sp_organization"))),
                    email: Some(optional(field(&typed, "sp_email"))),
                    ..Default::default()
                };
                manage::create_speaker(db, &actor, new, now).await.map(|_| ())
            }
            "partner" => {
                let kind = catalog::from_code::<PartnerKind>(field(&typed, "p_kind"))
                    .ok_or_else(|| DomainError::not_found("kind"))?;
                let new = PartnerInput {
                    name: Some(field(&typed, "p_name").to_owned()),
                    kind: Some(kind),
                    website: Some(optional(field(&typed, "p_website"))),
                };
                manage::create_partner(db, &actor, new, now).await.map(|_| ())
            }
            "partnership" => {
                let tier = catalog::from_code::<PartnershipTier>(field(&typed, "ps_tier"))
                    .ok_or_else(|| DomainError::not_found("tier"))?;
                let target = PartnershipTarget::Edition(uuid_of(&typed, "ps_edition")?);
                manage::set_partnership(db, &actor, uuid_of(&typed, "ps_partner")?, target, tier, now).await.map(|_| ())
            }
            _ => Err(DomainError::not_found("action")),
        }
    }
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/console/catalog?lang={}", lang.as_str())).into_response(),
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => directory_page(&web, lang, (&token, &actor), typed, errors).await,
            None => page::unavailable(lang, &e),
        },
    }
}
