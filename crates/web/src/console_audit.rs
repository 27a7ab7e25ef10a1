//! The console's audit log: what the team and its keys changed, newest
//! first, filtered by the kind of object, in pages. Owners only (the role
//! matrix's `audit:read`), like the API's `auditLog`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use escale_domain::access::audit;
use escale_domain::access::authz::Action;
use escale_domain::paging::{After, PageRequest};

use crate::Web;
use crate::console::{self, Frame};
use crate::page::{self, Chrome, Tr, choose_lang};

const PAGE: i32 = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct AuditQuery {
    lang: Option<String>,
    /// The kind of object (`stop`, `member`, …); an id-free filter.
    r#type: Option<String>,
    after: Option<String>,
}

struct Line {
    at: String,
    who: String,
    action: String,
    object: String,
    details: String,
}

#[derive(Template)]
#[template(path = "console_audit.html")]
struct AuditPage {
    c: Chrome,
    f: Frame,
    lines: Vec<Line>,
    /// (value, selected) of each kind of object.
    types: Vec<(String, bool)>,
    kind: String,
    next: String,
    total: i64,
}

pub(crate) async fn audit_log(
    State(web): State<Web>,
    Query(q): Query<AuditQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Ok(scope) = actor.require(Action::AuditRead) else {
        return console::to_dashboard(lang);
    };
    let after = match q.after.as_deref().filter(|a| !a.is_empty()).map(uuid::Uuid::parse_str).transpose() {
        Ok(a) => a.map(After::Id),
        Err(_) => return page::not_found(lang),
    };
    let kind = q.r#type.unwrap_or_default();
    let db = &web.state.db;
    let page_request = match PageRequest::new(Some(PAGE), after) {
        Ok(p) => p,
        Err(e) => return page::unavailable(lang, &e),
    };
    let found = audit::list_of(db, scope, Some(kind.as_str()).filter(|k| !k.is_empty()), &page_request).await;
    let types = audit::object_types(db, scope).await;
    let people = escale_domain::access::members::list(db, &actor).await;
    let (found, types, people) = match (found, types, people) {
        (Ok(f), Ok(t), Ok(p)) => (f, t, p),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return page::unavailable(lang, &e),
    };
    let names: HashMap<uuid::Uuid, String> = people
        .into_iter()
        .map(|m| (m.user_id.0, if m.display_name.is_empty() { m.email } else { m.display_name }))
        .collect();
    let t = Tr(lang);
    let lines: Vec<Line> = found
        .items
        .iter()
        .map(|r| Line {
            at: r.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            who: match (r.actor_user_id, r.actor_api_key_id) {
                (Some(user), _) => names.get(&user).cloned().unwrap_or_else(|| t.s("console-audit-former")),
                (None, Some(_)) => t.s("console-audit-key"),
                (None, None) => t.s("console-audit-platform"),
            },
            action: r.action.clone(),
            object: r.object_type.clone(),
            details: r
                .details
                .as_ref()
                .map(|d| {
                    let text = d.to_string();
                    if text.chars().count() > 200 {
                        format!("{}…", text.chars().take(200).collect::<String>())
                    } else {
                        text
                    }
                })
                .unwrap_or_default(),
        })
        .collect();
    let next = if found.has_next_page {
        found.items.last().map(|r| r.id.to_string()).unwrap_or_default()
    } else {
        String::new()
    };
    let (c, f) = match console::frame(&web, lang, &token, &actor, t.s("console-audit"), "/console/audit").await {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let page = AuditPage {
        c,
        f,
        lines,
        types: types.into_iter().map(|ty| (ty.clone(), ty == kind)).collect(),
        kind,
        next,
        total: i64::try_from(found.total).unwrap_or(i64::MAX),
    };
    console::console_page(StatusCode::OK, &page)
}
