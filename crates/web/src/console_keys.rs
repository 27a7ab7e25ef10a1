//! The console's API keys: create one (its secret shown once, on the answer
//! to the post, never again), revoke one, and read the access log. The
//! domain's `access::api_keys` decides what a key may hold (a partner's
//! scopes for a partner, an organizer's for the organizer's integration,
//! nothing that mints keys or changes the team).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::{NaiveDate, Utc};
use escale_domain::access::api_keys::{self, KeyStatus, NewKey};
use escale_domain::access::authz::{Action, Actor, Scope};
use escale_domain::paging::PageRequest;
use escale_domain::{DomainError, Lang};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::page::{self, Chrome, Tr, choose_lang};

struct KeyRow {
    id: String,
    name: String,
    prefix: String,
    scopes: String,
    state: &'static str,
    status: String,
    last_used: String,
    live: bool,
}

struct RequestRow {
    at: String,
    key: String,
    operation: String,
    outcome: String,
    objects: i32,
    leads: i32,
}

#[derive(Template)]
#[template(path = "console_keys.html")]
struct KeysPage {
    c: Chrome,
    f: Frame,
    keys: Vec<KeyRow>,
    requests: Vec<RequestRow>,
    /// (id, name) of the organizer's partners.
    partners: Vec<(String, String)>,
    scopes: Vec<&'static str>,
    /// A key just created: its secret, shown this once.
    secret: String,
    error: String,
    name: String,
}

#[expect(clippy::too_many_arguments, reason = "the parts of one page, read by two handlers")]
async fn keys_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    secret: String,
    error: String,
    name: String,
    status: StatusCode,
) -> Response {
    let t = Tr(lang);
    let db = &web.state.db;
    let now = Utc::now();
    let keys = match api_keys::list(db, actor, now).await {
        Ok(keys) => keys,
        Err(DomainError::Forbidden(_)) => {
            return console::to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let log = match PageRequest::new(Some(50), None) {
        Ok(p) => api_keys::requests(db, actor, None, &p).await.map(|p| p.items),
        Err(e) => Err(e),
    };
    let partners = match (actor.require(Action::CatalogRead), PageRequest::new(Some(100), None)) {
        (Ok(scope), Ok(p)) => escale_domain::catalog::list_partners(db, scope, &p).await.map(|p| p.items),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (log, partners) = match (log, partners) {
        (Ok(log), Ok(partners)) => (log, partners),
        (Err(e), _) | (_, Err(e)) => return page::unavailable(lang, &e),
    };
    let (c, f) = match console::frame(web, lang, token, actor, t.s("console-keys"), "/console/keys").await {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let names: std::collections::HashMap<uuid::Uuid, String> = keys.iter().map(|k| (k.id, k.name.clone())).collect();
    let page = KeysPage {
        c,
        f,
        keys: keys
            .iter()
            .map(|k| {
                let (state, status) = match k.status {
                    KeyStatus::Active => ("open", t.s("console-key-active")),
                    KeyStatus::Expired => ("off", t.s("console-key-expired")),
                    KeyStatus::Revoked => ("off", t.s("console-key-revoked")),
                };
                KeyRow {
                    id: k.id.to_string(),
                    name: k.name.clone(),
                    prefix: format!("{}…", k.prefix),
                    scopes: k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
                    state,
                    status,
                    last_used: k.last_used_at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default(),
                    live: k.status == KeyStatus::Active,
                }
            })
            .collect(),
        requests: log
            .into_iter()
            .map(|r| RequestRow {
                at: r.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                key: names.get(&r.key_id).cloned().unwrap_or_default(),
                operation: r.operation.unwrap_or_default(),
                outcome: r.outcome,
                objects: r.objects_returned,
                leads: r.leads_returned,
            })
            .collect(),
        partners: partners.into_iter().map(|p| (p.id.0.to_string(), p.name)).collect(),
        scopes: Scope::PARTNER
            .into_iter()
            .chain(Action::ALL.into_iter().map(Scope::Organizer))
            .map(Scope::as_str)
            .collect(),
        secret,
        error,
        name,
    };
    console::console_page(status, &page)
}

pub(crate) async fn keys(
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
    keys_page(&web, lang, &token, &actor, String::new(), String::new(), String::new(), StatusCode::OK).await
}

/// Create (`op=create`) or revoke (`op=revoke`).
pub(crate) async fn change(
    State(web): State<Web>,
    Query(q): Query<ConsoleQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, fields) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let now = Utc::now();
    let db = &web.state.db;
    match field("op").as_str() {
        "create" => {
            let partner = match Some(field("partner")).filter(|p| !p.is_empty()).map(|p| uuid::Uuid::parse_str(&p)) {
                None => None,
                Some(Ok(id)) => Some(id),
                Some(Err(_)) => return page::not_found(lang),
            };
            let expires = match Some(field("expires"))
                .filter(|e| !e.is_empty())
                .map(|e| NaiveDate::parse_from_str(&e, "%Y-%m-%d"))
            {
                None => None,
                Some(Ok(day)) => day.and_hms_opt(23, 59, 59).map(|t| t.and_utc()),
                Some(Err(_)) => {
                    let message = escale_domain::text!("console-time-invalid").render(lang);
                    return keys_page(
                        &web,
                        lang,
                        &token,
                        &actor,
                        String::new(),
                        message,
                        field("name"),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
            };
            let new = NewKey {
                name: field("name"),
                partner_id: partner,
                scopes: fields.iter().filter(|(k, _)| k == "scope").map(|(_, v)| v.clone()).collect(),
                expires_at: expires,
            };
            match api_keys::create(db, &actor, new, now).await {
                // The secret is in this answer only: not in a redirect's
                // address, not stored, not cached (the page is no-store).
                Ok(issued) => {
                    keys_page(&web, lang, &token, &actor, issued.secret, String::new(), String::new(), StatusCode::OK)
                        .await
                }
                Err(DomainError::NotFound { .. }) => page::not_found(lang),
                Err(
                    DomainError::Validation { message, .. }
                    | DomainError::Forbidden(message)
                    | DomainError::Conflict { message, .. },
                ) => {
                    keys_page(
                        &web,
                        lang,
                        &token,
                        &actor,
                        String::new(),
                        message.render(lang),
                        field("name"),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Err(e) => page::unavailable(lang, &e),
            }
        }
        "revoke" => {
            let Ok(id) = uuid::Uuid::parse_str(&field("key")) else { return page::not_found(lang) };
            match api_keys::revoke(db, &actor, id, now).await {
                Ok(_) => Redirect::to(&format!("/console/keys?lang={}", lang.as_str())).into_response(),
                Err(DomainError::NotFound { .. }) => page::not_found(lang),
                Err(DomainError::Forbidden(_)) => console::to_dashboard(lang),
                Err(e) => page::unavailable(lang, &e),
            }
        }
        _ => page::not_found(lang),
    }
}
