//! An edition at a glance, for the organizer's console: each stop's seats,
//! waiting list, cancellations and check-ins. A fixed number of statements
//! whatever the number of stops or registrations (the editions, the series,
//! the stops, one grouped count, the registrations' days, the questions by
//! topic, the messages by stop, channel and state, the nearly-full workshops).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::access::authz::{Action, Actor};
use crate::catalog::{Edition, EditionStatus, Series, Stop};
use crate::entities::{edition, question, registration, series, session, stop};
use crate::error::{DomainError, DomainResult};
use crate::messaging::organizer::{MessageCount, message_counts};
use crate::registration::door::{StopCounts, stop_counts};
use crate::values::Topic;

/// One stop's line of the dashboard.
#[derive(Debug, Clone)]
pub struct StopLine {
    pub stop: Stop,
    pub counts: StopCounts,
    /// Its messages by channel and state, with SMS segments.
    pub messages: Vec<MessageCount>,
}

impl StopLine {
    /// Checked in out of confirmed, in percent (none before anyone is confirmed).
    pub fn checked_in_rate(&self) -> Option<i64> {
        (self.counts.confirmed > 0).then(|| self.counts.checked_in * 100 / self.counts.confirmed)
    }
}

#[derive(Debug, Clone)]
pub struct EditionDashboard {
    /// Every edition of the organizer, newest first (what the console offers
    /// to switch to).
    pub editions: Vec<(Edition, Series)>,
    /// The one shown: the one asked for, else the newest published, else the
    /// newest. None when the organizer has no edition yet.
    pub current: Option<(Edition, Series)>,
    /// Its stops in time order.
    pub stops: Vec<StopLine>,
    /// Registrations made on each day (in the stop's zone), oldest first,
    /// days without any included between the first and the last.
    pub per_day: Vec<(NaiveDate, i64)>,
    /// Questions asked for the speakers, by topic, over the edition's stops.
    pub questions: Vec<(Topic, i64)>,
    /// Workshops with at most a fifth of their seats left, fullest first.
    pub nearly_full: Vec<NearlyFull>,
}

/// A workshop close to full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearlyFull {
    pub stop_id: Uuid,
    pub session_id: Uuid,
    pub title: String,
    pub translations: crate::catalog::Translations,
    pub confirmed: i32,
    pub capacity: i32,
}

impl NearlyFull {
    /// The title in `lang` (the organizer's own translation), else as typed.
    pub fn title_in(&self, lang: &str) -> &str {
        self.translations.or(lang, "title", &self.title)
    }
}

/// The most nearly-full workshops the dashboard lists.
const NEARLY_FULL_SHOWN: u64 = 12;

impl EditionDashboard {
    /// The edition's totals over its stops.
    pub fn totals(&self) -> StopCounts {
        self.stops.iter().fold(StopCounts::default(), |mut t, l| {
            t.confirmed += l.counts.confirmed;
            t.waitlisted += l.counts.waitlisted;
            t.cancelled += l.counts.cancelled;
            t.checked_in += l.counts.checked_in;
            t
        })
    }

    pub fn capacity(&self) -> i64 {
        self.stops.iter().map(|l| i64::from(l.stop.capacity)).sum()
    }
}

/// The dashboard of `edition` (or the organizer's current one). Needs
/// [`Action::RegistrationsRead`]; another organizer's edition is NOT_FOUND.
pub async fn edition_dashboard(
    db: &impl ConnectionTrait,
    actor: &Actor,
    edition_id: Option<Uuid>,
) -> DomainResult<EditionDashboard> {
    let scope = actor.require(Action::RegistrationsRead)?;
    let editions = edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .order_by_desc(edition::Column::Year)
        .order_by_desc(edition::Column::Number)
        .all(db)
        .await?;
    let series: Vec<series::Model> =
        series::Entity::find().filter(series::Column::TenantId.eq(scope.uuid())).all(db).await?;
    let editions: Vec<(Edition, Series)> = editions
        .into_iter()
        .filter_map(|e| {
            let s = series.iter().find(|s| s.id == e.series_id)?.clone();
            Some((Edition::from(e), Series::from(s)))
        })
        .collect();
    let current = match edition_id {
        Some(id) => {
            Some(editions.iter().find(|(e, _)| e.id.0 == id).cloned().ok_or(DomainError::not_found("edition"))?)
        }
        None => {
            editions.iter().find(|(e, _)| e.status == EditionStatus::Published).or_else(|| editions.first()).cloned()
        }
    };
    let Some((edition, _)) = &current else {
        return Ok(EditionDashboard {
            editions,
            current,
            stops: Vec::new(),
            per_day: Vec::new(),
            questions: Vec::new(),
            nearly_full: Vec::new(),
        });
    };
    let stops: Vec<Stop> = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.eq(edition.id.0))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let ids: Vec<Uuid> = stops.iter().map(|s| s.id.0).collect();
    let mut counts = stop_counts(db, scope, &ids).await?;
    let per_day = per_day(db, scope, &stops).await?;
    let questions = questions(db, scope, &ids).await?;
    let mut messages = message_counts(db, scope, &ids).await?;
    let nearly_full = nearly_full(db, scope, &ids).await?;
    let stops = stops
        .into_iter()
        .map(|stop| StopLine {
            counts: counts.remove(&stop.id.0).unwrap_or_default(),
            messages: messages.remove(&stop.id.0).unwrap_or_default(),
            stop,
        })
        .collect();
    Ok(EditionDashboard { editions, current, stops, per_day, questions, nearly_full })
}

/// Workshops of these stops with a fifth of their seats or fewer left.
async fn nearly_full(
    db: &impl ConnectionTrait,
    scope: crate::tenancy::TenantScope,
    stops: &[Uuid],
) -> DomainResult<Vec<NearlyFull>> {
    if stops.is_empty() {
        return Ok(Vec::new());
    }
    let rows = session::Entity::find()
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::StopId.is_in(stops.iter().copied()))
        .filter(session::Column::Capacity.is_not_null())
        // confirmed ≥ 4/5 of the seats, in integers on both backends.
        .filter(Expr::col(session::Column::ConfirmedCount).mul(5).gte(Expr::col(session::Column::Capacity).mul(4)))
        .order_by_desc(Expr::col(session::Column::ConfirmedCount).sub(Expr::col(session::Column::Capacity)))
        .order_by_asc(session::Column::StartsAt)
        .limit(NEARLY_FULL_SHOWN)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|s| {
            Some(NearlyFull {
                capacity: s.capacity?,
                stop_id: s.stop_id,
                session_id: s.id,
                title: s.title,
                translations: crate::catalog::Translations::from_json(s.translations.as_ref()),
                confirmed: s.confirmed_count,
            })
        })
        .collect())
}

/// The most days the chart spans: an edition opens some months ahead.
const MAX_DAYS: i64 = 366;

/// Registrations by the day they were made, in each stop's own zone: one
/// statement reading two columns, grouped here (a day is a local notion,
/// which SQL would need per backend and per zone).
async fn per_day(
    db: &impl ConnectionTrait,
    scope: crate::tenancy::TenantScope,
    stops: &[Stop],
) -> DomainResult<Vec<(NaiveDate, i64)>> {
    if stops.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, DateTime<Utc>)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::StopId)
        .column(registration::Column::CreatedAt)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.is_in(stops.iter().map(|s| s.id.0)))
        .into_tuple()
        .all(db)
        .await?;
    let zones: HashMap<Uuid, crate::values::TimeZone> = stops.iter().map(|s| (s.id.0, s.time_zone)).collect();
    let mut days: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for (stop, at) in rows {
        let zone = zones.get(&stop).copied().unwrap_or_default();
        *days.entry(zone.local(at).date_naive()).or_default() += 1;
    }
    let (Some(first), Some(last)) = (days.keys().next().copied(), days.keys().next_back().copied()) else {
        return Ok(Vec::new());
    };
    let first = Ord::max(first, last - chrono::Duration::days(MAX_DAYS - 1));
    Ok(first.iter_days().take_while(|d| *d <= last).map(|d| (d, days.get(&d).copied().unwrap_or(0))).collect())
}

/// Questions by topic over these stops, every topic listed.
async fn questions(
    db: &impl ConnectionTrait,
    scope: crate::tenancy::TenantScope,
    stops: &[Uuid],
) -> DomainResult<Vec<(Topic, i64)>> {
    let rows: Vec<(Topic, i64)> = if stops.is_empty() {
        Vec::new()
    } else {
        question::Entity::find()
            .select_only()
            .column(question::Column::Topic)
            .column_as(Expr::col(question::Column::Id).count(), "n")
            .filter(question::Column::TenantId.eq(scope.uuid()))
            .filter(question::Column::StopId.is_in(stops.iter().copied()))
            .group_by(question::Column::Topic)
            .into_tuple()
            .all(db)
            .await?
    };
    let counts: HashMap<Topic, i64> = rows.into_iter().collect();
    Ok(Topic::ALL.iter().map(|t| (*t, counts.get(t).copied().unwrap_or(0))).collect())
}
