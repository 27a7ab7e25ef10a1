//! Stops: create, edit, publish or cancel, and reschedule (reminders follow in the same transaction).

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::input::*;
use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::catalog::Translation;
use crate::catalog::find::*;
use crate::entities::{session, stop};
use crate::error::{DomainError, DomainResult, FieldExt};
use crate::ids::new_uuid;
use crate::messaging::notices::{self, Before, Notify, Reach};
use crate::messaging::templates::TemplateKey;
use crate::registration::seating;
use crate::tenancy::{self};
use crate::values::TimeZone;

/// One more change participants were told of (the `.ics` SEQUENCE, and the
/// name of this change's notices), counted from what the row held.
async fn bump_sequence(txn: &impl sea_orm::ConnectionTrait, row: stop::Model, was: i32) -> DomainResult<stop::Model> {
    let mut active = row.into_active_model();
    active.sequence = Set(was + 1);
    Ok(active.update(txn).await?)
}

#[derive(Debug, Clone)]
pub struct NewStop {
    pub edition_id: Uuid,
    pub name: String,
    pub region: String,
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    /// How to get to the venue (parking, entrance, transport).
    pub directions: Option<String>,
    /// `name` and `directions` in other languages (see [`STOP_TEXTS`]).
    pub translations: Vec<Translation>,
    /// IANA zone; the tenant's default (Africa/Casablanca) when absent.
    pub time_zone: Option<String>,
    pub starts_at: TimeInput,
    pub ends_at: TimeInput,
    pub capacity: i64,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
}

/// A stop's fields an organizer gives per language, with their lengths.
pub const STOP_TEXTS: [(&str, usize); 2] = [("name", 200), ("directions", 1000)];

pub async fn create_stop(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewStop,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Stop> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = text("name", &input.name, 200)?;
    let region = text("region", &input.region, 120)?;
    let city = text("city", &input.city, 120)?;
    let venue = text("venue", &input.venue, 200)?;
    let address = optional_text("address", input.address.as_deref(), 300)?;
    let directions = optional_text("directions", input.directions.as_deref(), 1000)?;
    let texts = translations(&input.translations, &STOP_TEXTS)?.to_json();
    let seats = capacity("capacity", input.capacity)?;
    let zone = match input.time_zone.as_deref() {
        Some(z) => TimeZone::parse(z).field("timeZone")?,
        None => tenancy::get(db, scope).await?.default_time_zone,
    };
    let starts_at = resolve(zone, input.starts_at, "startsAt")?;
    let ends_at = resolve(zone, input.ends_at, "endsAt")?;
    check_stop_times(starts_at, ends_at)?;
    check_window(input.registration_opens_at, input.registration_closes_at, starts_at)?;
    audit::write(db, actor, now, |txn| {
        let (name, region, city, venue, address) =
            (name.clone(), region.clone(), city.clone(), venue.clone(), address.clone());
        let (directions, texts) = (directions.clone(), texts.clone());
        let input = input.clone();
        Box::pin(async move {
            find_edition(txn, scope, input.edition_id).await?;
            let row = stop::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                edition_id: Set(input.edition_id),
                name: Set(name),
                region: Set(region),
                city: Set(city),
                venue: Set(venue),
                address: Set(address),
                directions: Set(directions),
                translations: Set(texts),
                time_zone: Set(zone),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                capacity: Set(seats),
                confirmed_count: Set(0),
                waitlist_seq: Set(0),
                registration_opens_at: Set(input.registration_opens_at),
                registration_closes_at: Set(input.registration_closes_at),
                status: Set(stop::Status::Draft),
                sequence: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("stop.create", "stop", row.id), row))
        })
    })
    .await
    .map(Into::into)
}

#[derive(Debug, Clone, Default)]
pub struct StopPatch {
    pub name: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<Option<String>>,
    pub directions: Option<Option<String>>,
    /// Replaces every translation given before.
    pub translations: Option<Vec<Translation>>,
    pub capacity: Option<i64>,
    pub registration_opens_at: Option<Option<DateTime<Utc>>>,
    pub registration_closes_at: Option<Option<DateTime<Utc>>>,
    /// A new venue, address or city is announced to the people registered,
    /// unless the organizer says not to.
    pub notify: Notify,
}

/// Edits a stop. Changing the venue or capacity is a publishing act (what
/// participants were told changes), so it needs [`Action::CatalogPublish`].
pub async fn update_stop(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: StopPatch,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Stop> {
    let publishing = patch.capacity.is_some() || patch.venue.is_some() || patch.address.is_some();
    let scope = actor.require(if publishing { Action::CatalogPublish } else { Action::CatalogWrite })?;
    let name = patch.name.as_deref().map(|v| text("name", v, 200)).transpose()?;
    let region = patch.region.as_deref().map(|v| text("region", v, 120)).transpose()?;
    let city = patch.city.as_deref().map(|v| text("city", v, 120)).transpose()?;
    let venue = patch.venue.as_deref().map(|v| text("venue", v, 200)).transpose()?;
    let address = patch.address.as_ref().map(|a| optional_text("address", a.as_deref(), 300)).transpose()?;
    let directions = patch.directions.as_ref().map(|d| optional_text("directions", d.as_deref(), 1000)).transpose()?;
    let texts = patch.translations.as_deref().map(|t| translations(t, &STOP_TEXTS)).transpose()?;
    let seats = patch.capacity.map(|c| capacity("capacity", c)).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (name, region, city, venue, address) =
            (name.clone(), region.clone(), city.clone(), venue.clone(), address.clone());
        let (directions, texts) = (directions.clone(), texts.clone());
        let patch = patch.clone();
        Box::pin(async move {
            let current = find_stop(txn, scope, id).await?;
            if let Some(seats) = seats
                && seats < current.confirmed_count
            {
                return Err(DomainError::validation(
                    "capacity",
                    text!("capacity-below-taken", taken = current.confirmed_count),
                ));
            }
            let opens = patch.registration_opens_at.unwrap_or(current.registration_opens_at);
            let closes = patch.registration_closes_at.unwrap_or(current.registration_closes_at);
            check_window(opens, closes, current.starts_at)?;
            let mut changed = Vec::new();
            let before = Before::of(&current);
            let sequence = current.sequence;
            let mut row = current.into_active_model();
            patch!(row, changed;
                name => name as "name",
                region => region as "region",
                city => city as "city",
                venue => venue as "venue",
                address => address as "address",
                directions => directions as "directions",
                texts.map(|t| t.to_json()) => translations as "translations",
                seats => capacity as "capacity",
                patch.registration_opens_at => registration_opens_at as "registrationOpensAt",
                patch.registration_closes_at => registration_closes_at as "registrationClosesAt",
            );
            row.updated_at = Set(now);
            let mut row = row.update(txn).await?;
            // Moved elsewhere: a change participants are told of.
            let mut notified = Reach::default();
            if before.differs_from(&row) {
                row = bump_sequence(txn, row, sequence).await?;
                if patch.notify == Notify::Participants {
                    notified = notices::plan(txn, scope, &row, TemplateKey::StopChanged, Some(&before), now).await?;
                }
            }
            // More seats: the waiting list moves up now, in this transaction,
            // and the answer shows the counters after it.
            let promoted =
                if seats.is_some() { seating::fill_stop(txn, scope, id, now).await?.registrations.len() } else { 0 };
            if promoted > 0 {
                row = find_stop(txn, scope, id).await?;
            }
            let details = json!({ "fields": changed, "promoted": promoted, "notified": notified.people });
            Ok((audit::Entry::new("stop.update", "stop", id).details(details), row))
        })
    })
    .await
    .map(Into::into)
}

/// Publishes a stop (it appears in the agenda and takes registrations when its
/// edition is published), cancels it, or returns it to draft.
pub async fn set_stop_status(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: stop::Status,
    notify: Notify,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Stop> {
    let scope = actor.require(Action::CatalogPublish)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let current = find_stop(txn, scope, id).await?;
            let (from, sequence) = (current.status, current.sequence);
            let mut row = current.into_active_model();
            row.status = Set(status);
            row.updated_at = Set(now);
            let mut row = row.update(txn).await?;
            // Cancelled: everyone registered is told, and reminded of nothing.
            let mut notified = Reach::default();
            if status == stop::Status::Cancelled && from != stop::Status::Cancelled {
                row = bump_sequence(txn, row, sequence).await?;
                if notify == Notify::Participants {
                    notified = notices::plan(txn, scope, &row, TemplateKey::StopCancelled, None, now).await?;
                } else {
                    notices::withdraw_reminders(txn, scope, row.id, now).await?;
                }
            }
            let details = json!({
                "from": format!("{from:?}").to_lowercase(),
                "to": format!("{status:?}").to_lowercase(),
                "notified": notified.people,
            });
            Ok((audit::Entry::new("stop.status", "stop", id).details(details), row))
        })
    })
    .await
    .map(Into::into)
}

/// Moves a stop to new times (and optionally another zone). Its sessions move
/// with it, keeping their place in the day.
/// Where a stop moves to in time.
#[derive(Debug, Clone)]
pub struct Reschedule {
    pub starts_at: TimeInput,
    pub ends_at: TimeInput,
    /// Another zone (rare: a stop abroad); the stop's own when absent.
    pub time_zone: Option<String>,
    pub notify: Notify,
}

pub async fn reschedule_stop(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    to: Reschedule,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Stop> {
    let scope = actor.require(Action::CatalogPublish)?;
    let Reschedule { starts_at, ends_at, time_zone, notify } = to;
    let new_zone = time_zone.as_deref().map(|z| TimeZone::parse(z).field("timeZone")).transpose()?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let current = find_stop(txn, scope, id).await?;
            let zone = match new_zone {
                Some(z) => z,
                None => current.time_zone,
            };
            let start = resolve(zone, starts_at, "startsAt")?;
            let end = resolve(zone, ends_at, "endsAt")?;
            check_stop_times(start, end)?;
            if let Some(c) = current.registration_closes_at
                && c > start
            {
                return Err(DomainError::validation("startsAt", text!("reschedule-before-close")));
            }
            let delta = start - current.starts_at;
            let sessions = session::Entity::find()
                .filter(session::Column::TenantId.eq(scope.uuid()))
                .filter(session::Column::StopId.eq(id))
                .all(txn)
                .await?;
            for s in sessions {
                let (s_start, s_end) = (s.starts_at + delta, s.ends_at + delta);
                if s_start < start || s_end > end {
                    return Err(DomainError::validation(
                        "endsAt",
                        text!("reschedule-session-outside", title = s.title.as_str()),
                    ));
                }
                let mut active = s.into_active_model();
                active.starts_at = Set(s_start);
                active.ends_at = Set(s_end);
                active.updated_at = Set(now);
                active.update(txn).await?;
            }
            let was = Before::of(&current);
            let sequence = current.sequence;
            let mut row = current.into_active_model();
            row.starts_at = Set(start);
            row.ends_at = Set(end);
            row.time_zone = Set(zone);
            row.updated_at = Set(now);
            let mut row = row.update(txn).await?;
            // Reminders follow the stop in the same transaction: none is left
            // pointing at the old time, none already sent goes out again.
            let replanned = crate::messaging::reminders::replan_stop(txn, scope, &row, now).await?;
            // And the people registered are told, in the same transaction.
            let mut notified = Reach::default();
            if was.differs_from(&row) {
                row = bump_sequence(txn, row, sequence).await?;
                if notify == Notify::Participants {
                    notified = notices::plan(txn, scope, &row, TemplateKey::StopChanged, Some(&was), now).await?;
                }
            }
            let details = json!({
                "notified": notified.people,
                "from": [was.starts_at.to_rfc3339(), was.ends_at.to_rfc3339()],
                "to": [start.to_rfc3339(), end.to_rfc3339()],
                "timeZone": zone.name(),
                "remindersPlanned": replanned.planned,
                "remindersWithdrawn": replanned.withdrawn,
            });
            Ok((audit::Entry::new("stop.reschedule", "stop", id).details(details), row))
        })
    })
    .await
    .map(Into::into)
}
