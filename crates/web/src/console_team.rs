//! The console's team page: who belongs to the organizer, with what role;
//! add a person, change a role, remove someone. The rules are the domain's
//! (`access::members`: only an owner touches an owner, the last owner stays,
//! sessions end at a change) and the API's team-change limit applies.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::accounts::NewMember;
use escale_domain::access::authz::{Actor, Role};
use escale_domain::access::members;
use escale_domain::ids::UserId;
use escale_domain::{DomainError, Lang};
use escale_gateway::limits::{Bucket, actor_key};

use crate::Web;
use crate::console::{self, ConsoleQuery, Frame};
use crate::page::{self, Chrome, Tr, choose_lang};

const ROLES: [(&str, Role); 4] =
    [("owner", Role::Owner), ("admin", Role::Admin), ("staff", Role::Staff), ("checkin", Role::Checkin)];

fn role_of(code: &str) -> Option<Role> {
    ROLES.iter().find(|(c, _)| *c == code).map(|(_, r)| r.clone())
}

fn code_of(role: &Role) -> &'static str {
    ROLES.iter().find(|(_, r)| r == role).map_or("staff", |(c, _)| c)
}

struct MemberRow {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    since: String,
    me: bool,
}

#[derive(Template)]
#[template(path = "console_team.html")]
struct TeamPage {
    c: Chrome,
    f: Frame,
    members: Vec<MemberRow>,
    /// (code, label) of each role.
    roles: Vec<(&'static str, String)>,
    /// What was typed in the add form, when it was refused, and why.
    email: String,
    name: String,
    role: String,
    error: String,
}

async fn team_page(
    web: &Web,
    lang: Lang,
    token: &str,
    actor: &Actor,
    typed: (String, String, String),
    error: String,
    status: StatusCode,
) -> Response {
    let t = Tr(lang);
    let list = match members::list(&web.state.db, actor).await {
        Ok(list) => list,
        Err(DomainError::Forbidden(_)) => {
            return console::to_dashboard(lang);
        }
        Err(e) => return page::unavailable(lang, &e),
    };
    let (c, f) = match console::frame(web, lang, token, actor, t.s("console-team"), "/console/members").await {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let me = actor.user_id();
    let members = list
        .into_iter()
        .map(|m| MemberRow {
            id: m.user_id.0.to_string(),
            name: m.display_name,
            email: m.email,
            role: code_of(&m.role),
            since: m.since.format("%Y-%m-%d").to_string(),
            me: Some(m.user_id) == me,
        })
        .collect();
    let roles = ROLES.iter().map(|(code, _)| (*code, t.s(&format!("console-role-{code}")))).collect();
    let page = TeamPage { c, f, members, roles, email: typed.0, name: typed.1, role: typed.2, error };
    console::console_page(status, &page)
}

pub(crate) async fn team(
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
    team_page(&web, lang, &token, &actor, Default::default(), String::new(), StatusCode::OK).await
}

/// Add, change a role, remove: `op` says which.
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
    if let Err(wait) = web.state.limits.check(Bucket::TeamChangesPerMember, &actor_key(&actor)).await {
        return page::too_many(lang, wait);
    }
    let now = Utc::now();
    let db = &web.state.db;
    let user = || uuid::Uuid::parse_str(&field("member")).map(UserId).map_err(|_| DomainError::not_found("member"));
    let done = match field("op").as_str() {
        "add" => match role_of(&field("role")) {
            Some(role) => {
                let new = NewMember {
                    email: field("email"),
                    display_name: Some(field("name")).filter(|n| !n.trim().is_empty()),
                    password: Some(field("password")).filter(|p| !p.is_empty()),
                    role,
                };
                members::add(db, &actor, new, now).await.map(|_| ())
            }
            None => return page::not_found(lang),
        },
        "role" => match (user(), role_of(&field("role"))) {
            (Ok(user), Some(role)) => members::change_role(db, &actor, user, role, now).await.map(|_| ()),
            _ => return page::not_found(lang),
        },
        "remove" => match user() {
            Ok(user) => members::remove(db, &actor, user, now).await,
            Err(e) => Err(e),
        },
        _ => return page::not_found(lang),
    };
    match done {
        Ok(()) => Redirect::to(&format!("/console/members?lang={}", lang.as_str())).into_response(),
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(
            DomainError::Validation { message, .. }
            | DomainError::Conflict { message, .. }
            | DomainError::Forbidden(message),
        ) => {
            let typed = (field("email"), field("name"), field("role"));
            team_page(&web, lang, &token, &actor, typed, message.render(lang), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => page::unavailable(lang, &e),
    }
}
