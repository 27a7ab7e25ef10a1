//! Reading the catalog: a tenant's agenda (editions → stops → sessions →
//! speakers) and the rules that say whether a stop takes registrations.
//!
//! Reads are batched by level (one query per table, whatever the number of
//! stops or sessions), so the agenda costs a constant number of statements.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::views::{self, AgendaSession, AgendaStop, Audience, Partnership, RegistrationWindow};
use crate::entities::{edition, partner, partnership, series, session, session_speaker, speaker, stop};
use crate::error::{DomainError, DomainResult};
use crate::ids::{EditionId, StopId};
use crate::paging::{Page, PageRequest};
use crate::tenancy::TenantScope;

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
            Ok(AgendaStop { stop: stop.into(), edition: edition.into(), series: series.into(), sessions })
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
        grouped.entry(session.stop_id).or_default().push(AgendaSession { session: session.into(), speakers });
    }
    Ok(grouped)
}

/// One stop of the tenant with its edition, or NOT_FOUND.
pub(crate) async fn stop_with_edition(
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
) -> DomainResult<Vec<views::Stop>> {
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
        .map(views::Stop::from)
        .collect())
}

// ------------------------------------------------------------ organizer reads

/// Pages a query in creation order (UUIDv7 ids).
async fn page_by_id<E, V>(
    db: &impl ConnectionTrait,
    base: Select<E>,
    id: E::Column,
    page: &PageRequest,
) -> DomainResult<Page<V>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    V: From<E::Model>,
{
    let total = base.clone().count(db).await?;
    let mut q = base.order_by_asc(id).limit(page.limit() + 1);
    if let Some(after) = page.after_id() {
        q = q.filter(id.gt(after));
    }
    Ok(Page::from_overfetch(q.all(db).await?, page, total).map(V::from))
}

/// Pages a query in time order: (starts_at, id).
async fn page_by_time<E, V>(
    db: &impl ConnectionTrait,
    base: Select<E>,
    at: E::Column,
    id: E::Column,
    page: &PageRequest,
) -> DomainResult<Page<V>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    V: From<E::Model>,
{
    let total = base.clone().count(db).await?;
    let mut q = base.order_by_asc(at).order_by_asc(id).limit(page.limit() + 1);
    if let Some((t, after)) = page.after_at() {
        q = q.filter(Condition::any().add(at.gt(t)).add(Condition::all().add(at.eq(t)).add(id.gt(after))));
    }
    Ok(Page::from_overfetch(q.all(db).await?, page, total).map(V::from))
}

pub async fn list_series(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    page: &PageRequest,
) -> DomainResult<Page<views::Series>> {
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
) -> DomainResult<Page<views::Edition>> {
    let mut base = edition::Entity::find().filter(edition::Column::TenantId.eq(scope.uuid()));
    if let Some(s) = filter.series_id {
        base = base.filter(edition::Column::SeriesId.eq(s));
    }
    if let Some(s) = filter.status {
        base = base.filter(edition::Column::Status.eq(s));
    }
    page_by_id(db, base, edition::Column::Id, page).await
}

/// The editions of a series the reader may see, oldest first.
pub async fn editions_of_series(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    series_id: Uuid,
    audience: Audience,
) -> DomainResult<Vec<views::Edition>> {
    let mut q = edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .filter(edition::Column::SeriesId.eq(series_id));
    if audience == Audience::Public {
        q = q.filter(edition::Column::Status.ne(edition::Status::Draft));
    }
    Ok(q.order_by_asc(edition::Column::Id).all(db).await?.into_iter().map(Into::into).collect())
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
) -> DomainResult<Page<views::Stop>> {
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
) -> DomainResult<Page<views::Session>> {
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
) -> DomainResult<Page<views::Speaker>> {
    let base = speaker::Entity::find().filter(speaker::Column::TenantId.eq(scope.uuid()));
    page_by_id(db, base, speaker::Column::Id, page).await
}

pub async fn list_partners(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    page: &PageRequest,
) -> DomainResult<Page<views::Partner>> {
    let base = partner::Entity::find().filter(partner::Column::TenantId.eq(scope.uuid()));
    page_by_id(db, base, partner::Column::Id, page).await
}

// ------------------------------------------------------------ batch loads
//
// One query per call whatever the number of keys: what the gateway's
// DataLoaders call so that nested GraphQL fields cost a constant number of
// statements. Keys are scoped by the tenant given.

macro_rules! by_ids {
    ($fn:ident, $entity:ident, $view:ident) => {
        pub async fn $fn(
            db: &impl ConnectionTrait,
            scope: TenantScope,
            ids: &[Uuid],
        ) -> DomainResult<Vec<views::$view>> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            Ok($entity::Entity::find()
                .filter($entity::Column::TenantId.eq(scope.uuid()))
                .filter($entity::Column::Id.is_in(ids.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        }
    };
}

by_ids!(series_by_ids, series, Series);
by_ids!(editions_by_ids, edition, Edition);
by_ids!(stops_by_ids, stop, Stop);
by_ids!(sessions_by_ids, session, Session);
by_ids!(speakers_by_ids, speaker, Speaker);
by_ids!(partners_by_ids, partner, Partner);

/// Partnerships with their partners, in two statements.
async fn with_partners(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    links: Vec<partnership::Model>,
) -> DomainResult<Vec<(partnership::Model, Partnership)>> {
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let partners: HashMap<Uuid, partner::Model> = partner::Entity::find()
        .filter(partner::Column::TenantId.eq(scope.uuid()))
        .filter(partner::Column::Id.is_in(links.iter().map(|l| l.partner_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(links
        .into_iter()
        .filter_map(|link| {
            let partner = partners.get(&link.partner_id)?.clone();
            Some((link.clone(), Partnership::of(link, partner)))
        })
        .collect())
}

/// Every partnership that backs the given stops, directly or through their
/// edition, with its partner, as (stop id, partnership); stops given as
/// (stop, its edition).
pub async fn partnerships_of_stops(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stops: &[(StopId, EditionId)],
) -> DomainResult<Vec<(StopId, Partnership)>> {
    if stops.is_empty() {
        return Ok(Vec::new());
    }
    let links = partnership::Entity::find()
        .filter(partnership::Column::TenantId.eq(scope.uuid()))
        .filter(
            Condition::any()
                .add(partnership::Column::StopId.is_in(stops.iter().map(|s| s.0.0)))
                .add(partnership::Column::EditionId.is_in(stops.iter().map(|s| s.1.0))),
        )
        .all(db)
        .await?;
    let rows = with_partners(db, scope, links).await?;
    let mut out = Vec::new();
    for (stop, edition) in stops {
        for (link, view) in &rows {
            if link.stop_id == Some(stop.0) || link.edition_id == Some(edition.0) {
                out.push((*stop, view.clone()));
            }
        }
    }
    Ok(out)
}

/// The partnerships of editions themselves, with their partners, as
/// (edition id, partnership).
pub async fn partnerships_of_editions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition_ids: &[Uuid],
) -> DomainResult<Vec<(EditionId, Partnership)>> {
    if edition_ids.is_empty() {
        return Ok(Vec::new());
    }
    let links = partnership::Entity::find()
        .filter(partnership::Column::TenantId.eq(scope.uuid()))
        .filter(partnership::Column::EditionId.is_in(edition_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(with_partners(db, scope, links)
        .await?
        .into_iter()
        .filter_map(|(link, view)| Some((EditionId(link.edition_id?), view)))
        .collect())
}

/// The stops of several editions the reader may see, in time order, in one
/// query.
pub async fn stops_of_editions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition_ids: &[Uuid],
    audience: Audience,
) -> DomainResult<Vec<views::Stop>> {
    if edition_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.is_in(edition_ids.iter().copied()));
    if audience == Audience::Public {
        q = q.filter(stop::Column::Status.eq(stop::Status::Published));
    }
    Ok(q.order_by_asc(stop::Column::StartsAt)
        .order_by_asc(stop::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The speakers of each session, in their order on the session.
pub async fn speakers_of_sessions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    session_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<views::Speaker>>> {
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
    let mut by_session: HashMap<Uuid, Vec<views::Speaker>> = HashMap::new();
    for link in links {
        if let Some(sp) = speakers.get(&link.speaker_id) {
            by_session.entry(link.session_id).or_default().push(sp.clone().into());
        }
    }
    Ok(by_session)
}
