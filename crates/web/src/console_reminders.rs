//! The reminder policy of an edition (for all its stops) or of one stop, in
//! the console: each reminder's delay before the stop or before each of the
//! participant's workshops, its channels, and the quiet hours when no SMS is
//! sent. Saving calls `organizer::set_reminder_policy` (the GraphQL
//! mutation's function), which re-plans every reminder it governs in the same
//! transaction and says how many were planned and withdrawn.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::catalog;
use escale_domain::messaging::organizer::{self, PolicyTarget};
use escale_domain::messaging::reminders::{Anchor, MINUTES_PER_DAY, Offset, Policy, QuietHours};
use escale_domain::messaging::templates::Channel;
use escale_domain::{DomainError, Lang};
use serde::Deserialize;

use crate::Web;
use crate::console::{self, Frame};
use crate::console_catalog::{Errors, Fields, field};
use crate::page::{self, Chrome, Tr, choose_lang};

/// Rows the form offers: the policy's, and blank ones up to this many.
const ROWS: usize = 6;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RemindersQuery {
    lang: Option<String>,
    planned: Option<u64>,
    withdrawn: Option<u64>,
}

#[derive(Template)]
#[template(path = "console_reminders.html")]
struct RemindersPage {
    c: Chrome,
    f: Frame,
    /// `editions` or `stops`, and the id: the form's address.
    kind: &'static str,
    id: String,
    heading: String,
    /// Where the policy in force comes from, said.
    source: String,
    own: bool,
    rows: Vec<usize>,
    typed: Fields,
    errors: Errors,
    /// `(planned, withdrawn)` after saving.
    replanned: Option<(u64, u64)>,
}

impl RemindersPage {
    fn v(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
    fn row(&self, part: &str, i: &usize) -> String {
        field(&self.typed, &format!("{part}_{i}")).to_owned()
    }
    fn ticked(&self, part: &str, i: &usize) -> bool {
        !field(&self.typed, &format!("{part}_{i}")).is_empty()
    }
    fn banner(&self) -> String {
        self.errors.banner(&[])
    }
    fn replanned_text(&self) -> String {
        self.replanned
            .map(|(planned, withdrawn)| {
                self.c.t.a("console-replanned", &[("planned", planned.into()), ("withdrawn", withdrawn.into())])
            })
            .unwrap_or_default()
    }
}

/// The form's fields for a policy: each offset as an amount and a unit.
fn typed_of(policy: &Policy) -> Fields {
    let mut typed = Fields::new();
    for (i, o) in policy.offsets.iter().enumerate() {
        let (amount, unit) = if o.minutes_before % MINUTES_PER_DAY == 0 {
            (o.minutes_before / MINUTES_PER_DAY, "days")
        } else if o.minutes_before % 60 == 0 {
            (o.minutes_before / 60, "hours")
        } else {
            (o.minutes_before, "minutes")
        };
        typed.push((format!("amount_{i}"), amount.to_string()));
        typed.push((format!("unit_{i}"), unit.to_owned()));
        typed.push((format!("anchor_{i}"), if o.anchor == Anchor::Session { "session" } else { "stop" }.to_owned()));
        for ch in &o.channels {
            typed.push((format!("{ch}_{i}"), "on".to_owned()));
        }
    }
    if let Some(q) = policy.quiet_hours {
        let hm = |m: i32| format!("{:02}:{:02}", m / 60, m % 60);
        typed.push(("quiet".into(), "on".into()));
        typed.push(("quietStart".into(), hm(q.start_minute)));
        typed.push(("quietEnd".into(), hm(q.end_minute)));
    }
    typed
}

fn minute_of_day(raw: &str, name: &str) -> Result<i32, DomainError> {
    chrono::NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map(|t| i32::try_from(chrono::Timelike::num_seconds_from_midnight(&t) / 60).unwrap_or(0))
        .map_err(|_| DomainError::validation(name, escale_domain::text!("time-of-day")))
}

/// The policy the form describes; rows without an amount are ignored.
fn policy_of(typed: &Fields) -> Result<Policy, DomainError> {
    let mut offsets = Vec::new();
    for i in 0..ROWS {
        let amount = field(typed, &format!("amount_{i}")).trim();
        if amount.is_empty() {
            continue;
        }
        let amount: i32 = amount.parse().map_err(|_| {
            DomainError::validation("offsets.minutesBefore", escale_domain::text!("console-number-invalid"))
        })?;
        let per = match field(typed, &format!("unit_{i}")) {
            "days" => MINUTES_PER_DAY,
            "hours" => 60,
            _ => 1,
        };
        let channels: Vec<Channel> =
            Channel::ALL.into_iter().filter(|ch| !field(typed, &format!("{ch}_{i}")).is_empty()).collect();
        let anchor = if field(typed, &format!("anchor_{i}")) == "session" { Anchor::Session } else { Anchor::Stop };
        offsets.push(Offset { minutes_before: amount.saturating_mul(per), channels, anchor });
    }
    let quiet_hours = if field(typed, "quiet").is_empty() {
        None
    } else {
        Some(QuietHours {
            start_minute: minute_of_day(field(typed, "quietStart"), "quietHours.start")?,
            end_minute: minute_of_day(field(typed, "quietEnd"), "quietHours.end")?,
        })
    };
    Ok(Policy { offsets, quiet_hours })
}

fn target_of(kind: &str, id: &str) -> Option<PolicyTarget> {
    let id = uuid::Uuid::parse_str(id).ok()?;
    match kind {
        "editions" => Some(PolicyTarget::Edition(id)),
        "stops" => Some(PolicyTarget::Stop(id)),
        _ => None,
    }
}

async fn reminders_page(
    web: &Web,
    lang: Lang,
    (token, actor): (&str, &Actor),
    target: PolicyTarget,
    typed: Option<Fields>,
    errors: Errors,
    replanned: Option<(u64, u64)>,
) -> Response {
    let t = Tr(lang);
    let Ok(scope) = actor.require(Action::CatalogPublish) else { return console::to_dashboard(lang) };
    let db = &web.state.db;
    let read = async {
        let own = organizer::own_policy(db, scope, target).await?;
        Ok::<_, DomainError>(match target {
            PolicyTarget::Edition(id) => {
                let e = catalog::find::one_edition(db, scope, id).await?;
                let source = if own.is_some() { "console-policy-own-edition" } else { "console-policy-default" };
                (("editions", id), e.title, own.clone().unwrap_or_default(), source, own.is_some())
            }
            PolicyTarget::Stop(id) => {
                let s = catalog::find::one_stop(db, scope, id).await?;
                let inherited = organizer::edition_policy(db, scope, s.edition_id.0).await?;
                let source = match (&own, &inherited) {
                    (Some(_), _) => "console-policy-own-stop",
                    (None, Some(_)) => "console-policy-edition",
                    (None, None) => "console-policy-default",
                };
                let policy = own.clone().or(inherited).unwrap_or_default();
                (("stops", id), s.name_in(lang.as_str()).to_owned(), policy, source, own.is_some())
            }
        })
    };
    let ((kind, id), heading, policy, source, own) = match read.await {
        Ok(read) => read,
        Err(DomainError::NotFound { .. }) => return page::not_found(lang),
        Err(e) => return page::unavailable(lang, &e),
    };
    let (c, f) = match console::frame(
        web,
        lang,
        token,
        actor,
        format!("{} — {heading}", t.s("console-reminders")),
        &format!("/console/{kind}/{id}/reminders"),
    )
    .await
    {
        Ok(framed) => framed,
        Err(e) => return page::unavailable(lang, &e),
    };
    let status = if errors.banner(&[]).is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RemindersPage {
        c,
        f,
        kind,
        id: id.to_string(),
        heading,
        source: t.s(source),
        own,
        rows: (0..ROWS).collect(),
        typed: typed.unwrap_or_else(|| typed_of(&policy)),
        errors,
        replanned,
    };
    console::console_page(status, &page)
}

pub(crate) async fn reminders(
    State(web): State<Web>,
    Query(q): Query<RemindersQuery>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor) = match console::arrive(&web, &jar, lang).await {
        Ok(arrived) => arrived,
        Err(away) => return *away,
    };
    let Some(target) = target_of(&kind, &id) else { return page::not_found(lang) };
    let replanned = q.planned.map(|p| (p, q.withdrawn.unwrap_or(0)));
    reminders_page(&web, lang, (&token, &actor), target, None, Errors::default(), replanned).await
}

/// `action=save` sets the policy; `action=inherit` removes this one (the
/// stop follows its edition's, the edition the platform's).
pub(crate) async fn save(
    State(web): State<Web>,
    Query(q): Query<RemindersQuery>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let lang = choose_lang(q.lang.as_deref(), None, &headers);
    let (token, actor, typed) = match console::posted(&web, &headers, &jar, lang, &body).await {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Some(target) = target_of(&kind, &id) else { return page::not_found(lang) };
    let policy = if field(&typed, "action") == "inherit" { Ok(None) } else { policy_of(&typed).map(Some) };
    let saved = match policy {
        Ok(policy) => organizer::set_reminder_policy(&web.state.db, &actor, target, policy, Utc::now()).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(r) => Redirect::to(&format!(
            "/console/{kind}/{id}/reminders?lang={}&planned={}&withdrawn={}",
            lang.as_str(),
            r.planned,
            r.withdrawn
        ))
        .into_response(),
        Err(DomainError::NotFound { .. }) => page::not_found(lang),
        Err(e) => match Errors::of(&e, lang) {
            Some(errors) => reminders_page(&web, lang, (&token, &actor), target, Some(typed), errors, None).await,
            None => page::unavailable(lang, &e),
        },
    }
}
