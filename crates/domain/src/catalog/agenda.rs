//! Reading the catalog: a tenant's agenda (editions → stops → sessions →
//! speakers) and the rules that say whether a stop takes registrations.
//!
//! Reads are batched by level (one query per table, whatever the number of
//! stops or sessions), so the agenda costs a constant number of statements.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{edition, series, session, session_speaker, speaker, stop};
use crate::error::{DomainError, DomainResult};
use crate::ids::StopId;
use crate::tenancy::TenantScope;

/// What a session or a question is about. The vocabulary is the customer's: the
/// questions TPE owners ask most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    DigitalMarketing,
    FinancialEducation,
    Budgeting,
    BankingRelations,
    DigitalTransformation,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::DigitalMarketing,
        Topic::FinancialEducation,
        Topic::Budgeting,
        Topic::BankingRelations,
        Topic::DigitalTransformation,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::DigitalMarketing => "digital_marketing",
            Topic::FinancialEducation => "financial_education",
            Topic::Budgeting => "budgeting",
            Topic::BankingRelations => "banking_relations",
            Topic::DigitalTransformation => "digital_transformation",
            Topic::Other => "other",
        }
    }

    /// Reads a session's `topics` JSON column, skipping names this build does not
    /// know (a newer release may have added one).
    pub fn list_from_json(value: &serde_json::Value) -> Vec<Topic> {
        value
            .as_array()
            .map(|items| items.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default()
    }

    pub fn list_to_json(topics: &[Topic]) -> serde_json::Value {
        serde_json::Value::Array(topics.iter().map(|t| serde_json::Value::from(t.as_str())).collect())
    }
}

impl FromStr for Topic {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| format!("unknown topic {s:?}"))
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a stop does or does not take registrations at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationWindow {
    Open,
    NotYetOpen {
        opens_at: DateTime<Utc>,
    },
    Closed,
    /// The stop, or its edition, is not published (draft, cancelled, archived).
    Unavailable,
}

/// Whether a stop has been shown to the public: not a draft, in an edition
/// that is not a draft. What was never public answers NOT_FOUND to strangers.
pub fn ever_public(stop: &stop::Model, edition: &edition::Model) -> bool {
    stop.status != stop::Status::Draft && edition.status != edition::Status::Draft
}

impl RegistrationWindow {
    pub fn of(stop: &stop::Model, edition: &edition::Model, now: DateTime<Utc>) -> Self {
        if stop.status != stop::Status::Published || edition.status != edition::Status::Published {
            return RegistrationWindow::Unavailable;
        }
        if let Some(opens_at) = stop.registration_opens_at
            && now < opens_at
        {
            return RegistrationWindow::NotYetOpen { opens_at };
        }
        // Without an explicit close, registration closes when the stop starts.
        let closes_at = stop.registration_closes_at.map_or(stop.starts_at, |c| c.min(stop.starts_at));
        if now >= closes_at { RegistrationWindow::Closed } else { RegistrationWindow::Open }
    }

    pub fn is_open(self) -> bool {
        self == RegistrationWindow::Open
    }

    /// The refusal a participant sees, when registration is not open.
    pub fn refusal(self) -> Option<String> {
        match self {
            RegistrationWindow::Open => None,
            RegistrationWindow::NotYetOpen { opens_at } => {
                Some(format!("registration for this stop opens at {}", opens_at.to_rfc3339()))
            }
            RegistrationWindow::Closed => Some("registration for this stop is closed".to_owned()),
            RegistrationWindow::Unavailable => Some("this stop is not open for registration".to_owned()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AgendaSession {
    pub session: session::Model,
    pub speakers: Vec<speaker::Model>,
}

#[derive(Debug, Clone)]
pub struct AgendaStop {
    pub stop: stop::Model,
    pub edition: edition::Model,
    pub series: series::Model,
    pub sessions: Vec<AgendaSession>,
}

impl AgendaStop {
    pub fn seats_left(&self) -> i32 {
        (self.stop.capacity - self.stop.confirmed_count).max(0)
    }

    pub fn window(&self, now: DateTime<Utc>) -> RegistrationWindow {
        RegistrationWindow::of(&self.stop, &self.edition, now)
    }
}

/// The public agenda: published stops of published and archived (past)
/// editions, in chronological order, with their sessions and speakers.
pub async fn agenda(db: &impl ConnectionTrait, scope: TenantScope) -> DomainResult<Vec<AgendaStop>> {
    let editions: HashMap<Uuid, edition::Model> = edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .filter(edition::Column::Status.is_in([edition::Status::Published, edition::Status::Archived]))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    if editions.is_empty() {
        return Ok(Vec::new());
    }
    let series: HashMap<Uuid, series::Model> = series::Entity::find()
        .filter(series::Column::TenantId.eq(scope.uuid()))
        .filter(series::Column::Id.is_in(editions.values().map(|e| e.series_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let stops = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.is_in(editions.keys().copied()))
        .filter(stop::Column::Status.eq(stop::Status::Published))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?;
    let mut sessions = sessions_with_speakers(db, scope, stops.iter().map(|s| s.id).collect()).await?;

    stops
        .into_iter()
        .map(|stop| {
            let edition =
                editions.get(&stop.edition_id).cloned().ok_or(DomainError::internal("stop without edition"))?;
            let series =
                series.get(&edition.series_id).cloned().ok_or(DomainError::internal("edition without series"))?;
            let sessions = sessions.remove(&stop.id).unwrap_or_default();
            Ok(AgendaStop { stop, edition, series, sessions })
        })
        .collect()
}

/// Sessions of the given stops with their speakers, grouped by stop, in time order.
pub async fn sessions_with_speakers(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_ids: Vec<Uuid>,
) -> DomainResult<HashMap<Uuid, Vec<AgendaSession>>> {
    if stop_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sessions = session::Entity::find()
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::StopId.is_in(stop_ids))
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Title)
        .all(db)
        .await?;
    let mut by_session = speakers_of_sessions(db, scope, &sessions.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
    let mut grouped: HashMap<Uuid, Vec<AgendaSession>> = HashMap::new();
    for session in sessions {
        let speakers = by_session.remove(&session.id).unwrap_or_default();
        grouped.entry(session.stop_id).or_default().push(AgendaSession { session, speakers });
    }
    Ok(grouped)
}

/// One stop of the tenant with its edition, or NOT_FOUND.
pub async fn stop_with_edition(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    id: StopId,
) -> DomainResult<(stop::Model, edition::Model)> {
    let stop = stop::Entity::find_by_id(id.0)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("stop"))?;
    let edition = edition::Entity::find_by_id(stop.edition_id)
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::internal("stop without edition"))?;
    Ok((stop, edition))
}

/// The other stops of an edition that still take registrations and have seats:
/// what a participant is offered when the stop they chose is full.
pub async fn open_alternatives(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition: &edition::Model,
    except: StopId,
    now: DateTime<Utc>,
) -> DomainResult<Vec<stop::Model>> {
    let stops = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.eq(edition.id))
        .filter(stop::Column::Id.ne(except.0))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?;
    Ok(stops
        .into_iter()
        .filter(|s| s.confirmed_count < s.capacity && RegistrationWindow::of(s, edition, now).is_open())
        .collect())
}

// ------------------------------------------------------------ organizer reads

use sea_orm::{Condition, PaginatorTrait, QuerySelect, Select};

use crate::entities::{partner, partnership};
use crate::paging::{Page, PageRequest};

/// Pages a query in creation order (UUIDv7 ids).
async fn page_by_id<E>(
    db: &impl ConnectionTrait,
    base: Select<E>,
    id: E::Column,
    page: &PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let total = base.clone().count(db).await?;
    let mut q = base.order_by_asc(id).limit(page.limit() + 1);
    if let Some(after) = page.after_id() {
        q = q.filter(id.gt(after));
    }
    Ok(Page::from_overfetch(q.all(db).await?, page, total))
}

/// Pages a query in time order: (starts_at, id).
async fn page_by_time<E>(
    db: &impl ConnectionTrait,
    base: Select<E>,
    at: E::Column,
    id: E::Column,
    page: &PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let total = base.clone().count(db).await?;
    let mut q = base.order_by_asc(at).order_by_asc(id).limit(page.limit() + 1);
    if let Some((t, after)) = page.after_at() {
        q = q.filter(Condition::any().add(at.gt(t)).add(Condition::all().add(at.eq(t)).add(id.gt(after))));
    }
    Ok(Page::from_overfetch(q.all(db).await?, page, total))
}

pub async fn list_series(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    page: &PageRequest,
) -> DomainResult<Page<series::Model>> {
    let base = series::Entity::find().filter(series::Column::TenantId.eq(scope.uuid()));
    page_by_id(db, base, series::Column::Id, page).await
}

#[derive(Debug, Clone, Default)]
pub struct EditionFilter {
    pub series_id: Option<Uuid>,
    pub status: Option<edition::Status>,
}

pub async fn list_editions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    filter: &EditionFilter,
    page: &PageRequest,
) -> DomainResult<Page<edition::Model>> {
    let mut base = edition::Entity::find().filter(edition::Column::TenantId.eq(scope.uuid()));
    if let Some(s) = filter.series_id {
        base = base.filter(edition::Column::SeriesId.eq(s));
    }
    if let Some(s) = filter.status {
        base = base.filter(edition::Column::Status.eq(s));
    }
    page_by_id(db, base, edition::Column::Id, page).await
}

#[derive(Debug, Clone, Default)]
pub struct StopFilter {
    pub edition_id: Option<Uuid>,
    pub region: Option<String>,
    pub status: Option<stop::Status>,
    pub starts_after: Option<DateTime<Utc>>,
    pub starts_before: Option<DateTime<Utc>>,
}

pub async fn list_stops(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    filter: &StopFilter,
    page: &PageRequest,
) -> DomainResult<Page<stop::Model>> {
    let mut base = stop::Entity::find().filter(stop::Column::TenantId.eq(scope.uuid()));
    if let Some(e) = filter.edition_id {
        base = base.filter(stop::Column::EditionId.eq(e));
    }
    if let Some(r) = filter.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        base = base.filter(stop::Column::Region.eq(r));
    }
    if let Some(s) = filter.status {
        base = base.filter(stop::Column::Status.eq(s));
    }
    if let Some(t) = filter.starts_after {
        base = base.filter(stop::Column::StartsAt.gte(t));
    }
    if let Some(t) = filter.starts_before {
        base = base.filter(stop::Column::StartsAt.lt(t));
    }
    page_by_time(db, base, stop::Column::StartsAt, stop::Column::Id, page).await
}

pub async fn list_sessions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Option<Uuid>,
    page: &PageRequest,
) -> DomainResult<Page<session::Model>> {
    let mut base = session::Entity::find().filter(session::Column::TenantId.eq(scope.uuid()));
    if let Some(s) = stop_id {
        base = base.filter(session::Column::StopId.eq(s));
    }
    page_by_time(db, base, session::Column::StartsAt, session::Column::Id, page).await
}

pub async fn list_speakers(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    page: &PageRequest,
) -> DomainResult<Page<speaker::Model>> {
    let base = speaker::Entity::find().filter(speaker::Column::TenantId.eq(scope.uuid()));
    page_by_id(db, base, speaker::Column::Id, page).await
}

pub async fn list_partners(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    page: &PageRequest,
) -> DomainResult<Page<partner::Model>> {
    let base = partner::Entity::find().filter(partner::Column::TenantId.eq(scope.uuid()));
    page_by_id(db, base, partner::Column::Id, page).await
}

// ------------------------------------------------------------ batch loads
//
// One query per call whatever the number of keys: what the gateway's
// DataLoaders call so that nested GraphQL fields cost a constant number of
// statements. Keys are scoped by the tenant given.

macro_rules! by_ids {
    ($fn:ident, $entity:ident) => {
        pub async fn $fn(
            db: &impl ConnectionTrait,
            scope: TenantScope,
            ids: &[Uuid],
        ) -> DomainResult<Vec<$entity::Model>> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            Ok($entity::Entity::find()
                .filter($entity::Column::TenantId.eq(scope.uuid()))
                .filter($entity::Column::Id.is_in(ids.iter().copied()))
                .all(db)
                .await?)
        }
    };
}

by_ids!(series_by_ids, series);
by_ids!(editions_by_ids, edition);
by_ids!(stops_by_ids, stop);
by_ids!(sessions_by_ids, session);
by_ids!(speakers_by_ids, speaker);
by_ids!(partners_by_ids, partner);

/// Every partnership that backs the given stops, directly or through their
/// edition, as (stop id, partnership).
pub async fn partnerships_of_stops(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stops: &[stop::Model],
) -> DomainResult<Vec<(Uuid, partnership::Model)>> {
    if stops.is_empty() {
        return Ok(Vec::new());
    }
    let rows = partnership::Entity::find()
        .filter(partnership::Column::TenantId.eq(scope.uuid()))
        .filter(
            Condition::any()
                .add(partnership::Column::StopId.is_in(stops.iter().map(|s| s.id)))
                .add(partnership::Column::EditionId.is_in(stops.iter().map(|s| s.edition_id))),
        )
        .all(db)
        .await?;
    let mut out = Vec::new();
    for s in stops {
        for p in &rows {
            if p.stop_id == Some(s.id) || p.edition_id == Some(s.edition_id) {
                out.push((s.id, p.clone()));
            }
        }
    }
    Ok(out)
}

pub async fn partnerships_of_editions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition_ids: &[Uuid],
) -> DomainResult<Vec<partnership::Model>> {
    if edition_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(partnership::Entity::find()
        .filter(partnership::Column::TenantId.eq(scope.uuid()))
        .filter(partnership::Column::EditionId.is_in(edition_ids.iter().copied()))
        .all(db)
        .await?)
}

/// The stops of several editions, in time order, in one query.
pub async fn stops_of_editions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition_ids: &[Uuid],
) -> DomainResult<Vec<stop::Model>> {
    if edition_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.is_in(edition_ids.iter().copied()))
        .order_by_asc(stop::Column::StartsAt)
        .order_by_asc(stop::Column::Id)
        .all(db)
        .await?)
}

/// The speakers of each session, in their order on the session.
pub async fn speakers_of_sessions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    session_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<speaker::Model>>> {
    if session_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links = session_speaker::Entity::find()
        .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
        .filter(session_speaker::Column::SessionId.is_in(session_ids.iter().copied()))
        .order_by_asc(session_speaker::Column::Position)
        .all(db)
        .await?;
    let speakers: HashMap<Uuid, speaker::Model> = if links.is_empty() {
        HashMap::new()
    } else {
        speaker::Entity::find()
            .filter(speaker::Column::TenantId.eq(scope.uuid()))
            .filter(speaker::Column::Id.is_in(links.iter().map(|l| l.speaker_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let mut by_session: HashMap<Uuid, Vec<speaker::Model>> = HashMap::new();
    for link in links {
        if let Some(sp) = speakers.get(&link.speaker_id) {
            by_session.entry(link.session_id).or_default().push(sp.clone());
        }
    }
    Ok(by_session)
}
