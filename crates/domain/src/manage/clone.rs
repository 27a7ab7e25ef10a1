//! Cloning an edition into the next one, with its dates shifted in local time.

use chrono::{DateTime, Duration, Utc};
use escale_i18n::text;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::editions::{check_edition_numbers, number_taken};
use super::input::*;
use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::catalog::find::*;
use crate::entities::{edition, partnership, session, session_speaker, stop};
use crate::error::{DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::values::TimeZone;

#[derive(Debug, Clone)]
pub struct CloneEdition {
    pub source_id: Uuid,
    pub number: i32,
    pub year: i32,
    pub title: String,
    /// How far the stops move, in days (364 keeps the weekday a year later).
    pub shift_days: i64,
}

pub(super) fn shift_local(zone: TimeZone, at: DateTime<Utc>, days: i64, field: &str) -> DomainResult<DateTime<Utc>> {
    // Shift the wall-clock date, not the instant: 09:00 stays 09:00 local even
    // when the zone's offset differs on the new date (Ramadan, DST).
    let local = at.with_timezone(&zone.tz()).naive_local() + Duration::days(days);
    resolve(zone, TimeInput::Local(local), field)
}

/// A stop of the edition and where the clone would put it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftedStop {
    pub name: String,
    pub time_zone: TimeZone,
    pub starts_at: DateTime<Utc>,
    pub new_starts_at: DateTime<Utc>,
    pub new_ends_at: DateTime<Utc>,
}

/// The new dates [`clone_edition`] would give each stop, by the same shift,
/// before anything is written: what the organizer checks (a stop landing on
/// a holiday, a Friday).
pub async fn clone_preview(
    db: &DatabaseConnection,
    actor: &Actor,
    source_id: Uuid,
    shift_days: i64,
) -> DomainResult<Vec<ShiftedStop>> {
    let scope = actor.require(Action::CatalogPublish)?;
    if shift_days.abs() > 3660 {
        return Err(DomainError::validation("shiftDays", text!("shift-days")));
    }
    let source = find_edition(db, scope, source_id).await?;
    let stops = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.eq(source.id))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?;
    stops
        .into_iter()
        .map(|s| {
            Ok(ShiftedStop {
                new_starts_at: shift_local(s.time_zone, s.starts_at, shift_days, "shiftDays")?,
                new_ends_at: shift_local(s.time_zone, s.ends_at, shift_days, "shiftDays")?,
                name: s.name,
                time_zone: s.time_zone,
                starts_at: s.starts_at,
            })
        })
        .collect()
}

/// Copies an edition — stops, sessions, speakers' places, partnerships — into a
/// new draft edition with its dates moved by `shift_days`, and no participants.
pub async fn clone_edition(
    db: &DatabaseConnection,
    actor: &Actor,
    input: CloneEdition,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Edition> {
    let scope = actor.require(Action::CatalogPublish)?;
    check_edition_numbers(input.number, input.year)?;
    let title = text("title", &input.title, 200)?;
    if input.shift_days.abs() > 3660 {
        return Err(DomainError::validation("shiftDays", text!("shift-days")));
    }
    audit::write(db, actor, now, |txn| {
        let (input, title) = (input.clone(), title.clone());
        Box::pin(async move {
            let source = find_edition(txn, scope, input.source_id).await?;
            if number_taken(txn, scope, source.series_id, input.number).await? {
                return Err(DomainError::validation("number", text!("edition-exists", number = input.number)));
            }
            let edition_id = new_uuid();
            let new_edition = edition::ActiveModel {
                id: Set(edition_id),
                tenant_id: Set(scope.uuid()),
                series_id: Set(source.series_id),
                number: Set(input.number),
                year: Set(input.year),
                title: Set(title),
                status: Set(edition::Status::Draft),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            let days = input.shift_days;
            let mut stop_map = Vec::new();
            let stops = stop::Entity::find()
                .filter(stop::Column::TenantId.eq(scope.uuid()))
                .filter(stop::Column::EditionId.eq(source.id))
                .order_by_asc(stop::Column::StartsAt)
                .all(txn)
                .await?;
            for s in &stops {
                let zone = s.time_zone;
                let shift = |t: DateTime<Utc>, f: &str| shift_local(zone, t, days, f);
                let id = new_uuid();
                stop::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(scope.uuid()),
                    edition_id: Set(edition_id),
                    name: Set(s.name.clone()),
                    region: Set(s.region.clone()),
                    city: Set(s.city.clone()),
                    venue: Set(s.venue.clone()),
                    address: Set(s.address.clone()),
                    directions: Set(s.directions.clone()),
                    translations: Set(s.translations.clone()),
                    time_zone: Set(s.time_zone),
                    starts_at: Set(shift(s.starts_at, "shiftDays")?),
                    ends_at: Set(shift(s.ends_at, "shiftDays")?),
                    capacity: Set(s.capacity),
                    confirmed_count: Set(0),
                    waitlist_seq: Set(0),
                    registration_opens_at: Set(s.registration_opens_at.map(|t| shift(t, "shiftDays")).transpose()?),
                    registration_closes_at: Set(s.registration_closes_at.map(|t| shift(t, "shiftDays")).transpose()?),
                    status: Set(stop::Status::Draft),
                    sequence: Set(0),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(txn)
                .await?;
                stop_map.push((s.id, id, zone));
            }
            let sessions = if stop_map.is_empty() {
                Vec::new()
            } else {
                session::Entity::find()
                    .filter(session::Column::TenantId.eq(scope.uuid()))
                    .filter(session::Column::StopId.is_in(stop_map.iter().map(|(old, _, _)| *old)))
                    .all(txn)
                    .await?
            };
            let mut session_map = Vec::with_capacity(sessions.len());
            for s in &sessions {
                let Some((_, new_stop, zone)) = stop_map.iter().find(|(old, _, _)| *old == s.stop_id) else { continue };
                let id = new_uuid();
                session::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(scope.uuid()),
                    stop_id: Set(*new_stop),
                    kind: Set(s.kind),
                    title: Set(s.title.clone()),
                    description: Set(s.description.clone()),
                    topics: Set(s.topics.clone()),
                    room: Set(s.room.clone()),
                    translations: Set(s.translations.clone()),
                    starts_at: Set(shift_local(*zone, s.starts_at, days, "shiftDays")?),
                    ends_at: Set(shift_local(*zone, s.ends_at, days, "shiftDays")?),
                    capacity: Set(s.capacity),
                    confirmed_count: Set(0),
                    waitlist_seq: Set(0),
                    language: Set(s.language),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(txn)
                .await?;
                session_map.push((s.id, id));
            }
            if !session_map.is_empty() {
                let links = session_speaker::Entity::find()
                    .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                    .filter(session_speaker::Column::SessionId.is_in(session_map.iter().map(|(old, _)| *old)))
                    .all(txn)
                    .await?;
                for link in links {
                    let Some((_, new_session)) = session_map.iter().find(|(old, _)| *old == link.session_id) else { continue };
                    session_speaker::ActiveModel {
                        id: Set(new_uuid()),
                        tenant_id: Set(scope.uuid()),
                        session_id: Set(*new_session),
                        speaker_id: Set(link.speaker_id),
                        position: Set(link.position),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            let old_stops: Vec<Uuid> = stop_map.iter().map(|(old, _, _)| *old).collect();
            let partnerships = partnership::Entity::find()
                .filter(partnership::Column::TenantId.eq(scope.uuid()))
                .filter(
                    Condition::any()
                        .add(partnership::Column::EditionId.eq(source.id))
                        .add(partnership::Column::StopId.is_in(old_stops.clone())),
                )
                .all(txn)
                .await?;
            for p in partnerships {
                let (edition_ref, stop_ref) = match (p.edition_id, p.stop_id) {
                    (Some(_), _) => (Some(edition_id), None),
                    (None, Some(old)) => (None, stop_map.iter().find(|(o, _, _)| *o == old).map(|(_, n, _)| *n)),
                    (None, None) => continue,
                };
                partnership::ActiveModel {
                    id: Set(new_uuid()),
                    tenant_id: Set(scope.uuid()),
                    partner_id: Set(p.partner_id),
                    edition_id: Set(edition_ref),
                    stop_id: Set(stop_ref),
                    tier: Set(p.tier),
                    created_at: Set(now),
                }
                .insert(txn)
                .await?;
            }
            let details = json!({ "source": source.id, "stops": stop_map.len(), "sessions": session_map.len(), "shiftDays": days });
            Ok((audit::Entry::new("edition.clone", "edition", edition_id).details(details), new_edition))
        })
    })
    .await.map(Into::into)
}
