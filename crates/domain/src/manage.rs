//! Organizers building their catalog: series, editions, stops, sessions,
//! speakers, partners and partnerships; publishing, rescheduling, and cloning
//! an edition into the next one.
//!
//! Every function checks the actor's role for its [`Action`] first, validates
//! in the domain (errors name the input field), writes in one transaction, and
//! records an audit row in that same transaction.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone as _, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit;
use crate::authz::{Action, Actor};
use crate::catalog::Topic;
use crate::entities::{edition, partner, partnership, series, session, session_speaker, speaker, stop};
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::ids::new_uuid;
use crate::seating;
use crate::tenancy::{self, TenantScope};
use crate::values::{Capacity, EmailAddress, Locale, Slug, TimeZone};

/// Applies the given fields of a patch to an active model and names each in
/// `changed` (the audit row's `fields`): `patch!(row, changed; value => column
/// as "label", …)`, where each value is an `Option` (None: not in the patch).
macro_rules! patch {
    ($row:ident, $changed:ident; $($value:expr => $col:ident as $label:literal),* $(,)?) => {
        $(if let Some(v) = $value {
            $row.$col = Set(v);
            $changed.push($label);
        })*
    };
}

// ---------------------------------------------------------------- inputs

/// A point in time as an organizer gives it: an instant, or a wall-clock time
/// in the stop's zone (what organizers think in; the zone's rules — Ramadan's
/// UTC+0 in Morocco — turn it into the right instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeInput {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
}

fn resolve(zone: TimeZone, at: TimeInput, field: &str) -> DomainResult<DateTime<Utc>> {
    match at {
        TimeInput::Instant(t) => Ok(t),
        TimeInput::Local(naive) => zone
            .tz()
            .from_local_datetime(&naive)
            // Ambiguous (clocks went back): the first occurrence.
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                DomainError::validation(
                    field,
                    format!("{naive} does not exist in {} (the clocks skip it)", zone.name()),
                )
            }),
    }
}

fn text(field: &str, raw: &str, max: usize) -> DomainResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::validation(field, "is empty"));
    }
    if t.chars().count() > max {
        return Err(DomainError::validation(field, format!("is longer than {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::validation(field, "contains control characters"));
    }
    Ok(t.to_owned())
}

fn optional_text(field: &str, raw: Option<&str>, max: usize) -> DomainResult<Option<String>> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => text(field, t, max).map(Some),
        None => Ok(None),
    }
}

fn capacity(field: &str, seats: i64) -> DomainResult<i32> {
    let c = Capacity::new(seats).field(field)?;
    i32::try_from(c.get()).map_err(|_| DomainError::validation(field, "is too large"))
}

/// A stop lasts from one hour to two weeks: anything else is a typo.
fn check_stop_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> DomainResult<()> {
    if ends_at <= starts_at {
        return Err(DomainError::validation("endsAt", "must be after startsAt"));
    }
    if ends_at - starts_at > Duration::days(14) {
        return Err(DomainError::validation("endsAt", "a stop lasts at most 14 days"));
    }
    Ok(())
}

fn check_window(
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    starts_at: DateTime<Utc>,
) -> DomainResult<()> {
    if let Some(c) = closes
        && c > starts_at
    {
        return Err(DomainError::validation("registrationClosesAt", "must not be after the stop starts"));
    }
    if let (Some(o), Some(c)) = (opens, closes)
        && o >= c
    {
        return Err(DomainError::validation("registrationOpensAt", "must be before registrationClosesAt"));
    }
    if let Some(o) = opens
        && o >= starts_at
    {
        return Err(DomainError::validation("registrationOpensAt", "must be before the stop starts"));
    }
    Ok(())
}

// ---------------------------------------------------------------- lookups

macro_rules! find_scoped {
    ($fn:ident, $entity:ident, $name:literal) => {
        /// One row of this tenant, or NOT_FOUND (also for another tenant's id).
        pub async fn $fn(db: &impl ConnectionTrait, scope: TenantScope, id: Uuid) -> DomainResult<$entity::Model> {
            $entity::Entity::find_by_id(id)
                .filter($entity::Column::TenantId.eq(scope.uuid()))
                .one(db)
                .await?
                .ok_or(DomainError::not_found($name))
        }
    };
}

find_scoped!(find_series, series, "series");
find_scoped!(find_edition, edition, "edition");
find_scoped!(find_stop, stop, "stop");
find_scoped!(find_session, session, "session");
find_scoped!(find_speaker, speaker, "speaker");
find_scoped!(find_partner, partner, "partner");
find_scoped!(find_partnership, partnership, "partnership");

// ---------------------------------------------------------------- series

#[derive(Debug, Clone, Default)]
pub struct NewSeries {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

pub async fn create_series(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewSeries,
    now: DateTime<Utc>,
) -> DomainResult<series::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let slug = Slug::parse(&input.slug).field("slug")?;
    let name = text("name", &input.name, 200)?;
    let description = optional_text("description", input.description.as_deref(), 4000)?;
    audit::write(db, actor, now, |txn| {
        let (slug, name, description) = (slug.clone(), name.clone(), description.clone());
        Box::pin(async move {
            let taken = series::Entity::find()
                .filter(series::Column::TenantId.eq(scope.uuid()))
                .filter(series::Column::Slug.eq(slug.as_str()))
                .count(txn)
                .await?;
            if taken > 0 {
                return Err(DomainError::conflict(
                    ConflictCode::AlreadyExists,
                    format!("a series {slug} already exists"),
                ));
            }
            let row = series::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                slug: Set(slug.as_str().to_owned()),
                name: Set(name),
                description: Set(description),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("series.create", "series", row.id), row))
        })
    })
    .await
}

#[derive(Debug, Clone, Default)]
pub struct SeriesPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

pub async fn update_series(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: SeriesPatch,
    now: DateTime<Utc>,
) -> DomainResult<series::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = patch.name.as_deref().map(|n| text("name", n, 200)).transpose()?;
    let description =
        patch.description.as_ref().map(|d| optional_text("description", d.as_deref(), 4000)).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (name, description) = (name.clone(), description.clone());
        Box::pin(async move {
            let mut row = find_series(txn, scope, id).await?.into_active_model();
            let mut changed = Vec::new();
            patch!(row, changed;
                name => name as "name",
                description => description as "description",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("series.update", "series", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
}

// ---------------------------------------------------------------- editions

#[derive(Debug, Clone, Default)]
pub struct NewEdition {
    pub series_id: Uuid,
    pub number: i32,
    pub year: i32,
    pub title: String,
}

fn check_edition_numbers(number: i32, year: i32) -> DomainResult<()> {
    if number < 1 {
        return Err(DomainError::validation("number", "must be at least 1"));
    }
    if !(1900..=2999).contains(&year) {
        return Err(DomainError::validation("year", "must be a year such as 2027"));
    }
    Ok(())
}

async fn number_taken(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    series_id: Uuid,
    number: i32,
) -> DomainResult<bool> {
    Ok(edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .filter(edition::Column::SeriesId.eq(series_id))
        .filter(edition::Column::Number.eq(number))
        .count(txn)
        .await?
        > 0)
}

pub async fn create_edition(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewEdition,
    now: DateTime<Utc>,
) -> DomainResult<edition::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    check_edition_numbers(input.number, input.year)?;
    let title = text("title", &input.title, 200)?;
    audit::write(db, actor, now, |txn| {
        let (input, title) = (input.clone(), title.clone());
        Box::pin(async move {
            find_series(txn, scope, input.series_id).await?;
            if number_taken(txn, scope, input.series_id, input.number).await? {
                return Err(DomainError::validation(
                    "number",
                    format!("edition {} of this series already exists", input.number),
                ));
            }
            let row = edition::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                series_id: Set(input.series_id),
                number: Set(input.number),
                year: Set(input.year),
                title: Set(title),
                status: Set(edition::Status::Draft),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("edition.create", "edition", row.id), row))
        })
    })
    .await
}

#[derive(Debug, Clone, Default)]
pub struct EditionPatch {
    pub title: Option<String>,
    pub year: Option<i32>,
}

pub async fn update_edition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: EditionPatch,
    now: DateTime<Utc>,
) -> DomainResult<edition::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let title = patch.title.as_deref().map(|t| text("title", t, 200)).transpose()?;
    if let Some(y) = patch.year {
        check_edition_numbers(1, y)?;
    }
    audit::write(db, actor, now, |txn| {
        let title = title.clone();
        Box::pin(async move {
            let mut row = find_edition(txn, scope, id).await?.into_active_model();
            let mut changed = Vec::new();
            patch!(row, changed;
                title => title as "title",
                patch.year => year as "year",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("edition.update", "edition", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
}

/// Publishes (opens to participants), archives (keeps as history, closed) or
/// returns an edition to draft.
pub async fn set_edition_status(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: edition::Status,
    now: DateTime<Utc>,
) -> DomainResult<edition::Model> {
    let scope = actor.require(Action::CatalogPublish)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let current = find_edition(txn, scope, id).await?;
            let from = current.status;
            let mut row = current.into_active_model();
            row.status = Set(status);
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            let details =
                json!({ "from": format!("{from:?}").to_lowercase(), "to": format!("{status:?}").to_lowercase() });
            Ok((audit::Entry::new("edition.status", "edition", id).details(details), row))
        })
    })
    .await
}

// ---------------------------------------------------------------- stops

#[derive(Debug, Clone)]
pub struct NewStop {
    pub edition_id: Uuid,
    pub name: String,
    pub region: String,
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    /// IANA zone; the tenant's default (Africa/Casablanca) when absent.
    pub time_zone: Option<String>,
    pub starts_at: TimeInput,
    pub ends_at: TimeInput,
    pub capacity: i64,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
}

pub async fn create_stop(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewStop,
    now: DateTime<Utc>,
) -> DomainResult<stop::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = text("name", &input.name, 200)?;
    let region = text("region", &input.region, 120)?;
    let city = text("city", &input.city, 120)?;
    let venue = text("venue", &input.venue, 200)?;
    let address = optional_text("address", input.address.as_deref(), 300)?;
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
                time_zone: Set(zone.name().to_owned()),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                capacity: Set(seats),
                confirmed_count: Set(0),
                waitlist_seq: Set(0),
                registration_opens_at: Set(input.registration_opens_at),
                registration_closes_at: Set(input.registration_closes_at),
                status: Set(stop::Status::Draft),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("stop.create", "stop", row.id), row))
        })
    })
    .await
}

#[derive(Debug, Clone, Default)]
pub struct StopPatch {
    pub name: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<Option<String>>,
    pub capacity: Option<i64>,
    pub registration_opens_at: Option<Option<DateTime<Utc>>>,
    pub registration_closes_at: Option<Option<DateTime<Utc>>>,
}

/// Edits a stop. Changing the venue or capacity is a publishing act (what
/// participants were told changes), so it needs [`Action::CatalogPublish`].
pub async fn update_stop(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: StopPatch,
    now: DateTime<Utc>,
) -> DomainResult<stop::Model> {
    let publishing = patch.capacity.is_some() || patch.venue.is_some() || patch.address.is_some();
    let scope = actor.require(if publishing { Action::CatalogPublish } else { Action::CatalogWrite })?;
    let name = patch.name.as_deref().map(|v| text("name", v, 200)).transpose()?;
    let region = patch.region.as_deref().map(|v| text("region", v, 120)).transpose()?;
    let city = patch.city.as_deref().map(|v| text("city", v, 120)).transpose()?;
    let venue = patch.venue.as_deref().map(|v| text("venue", v, 200)).transpose()?;
    let address = patch.address.as_ref().map(|a| optional_text("address", a.as_deref(), 300)).transpose()?;
    let seats = patch.capacity.map(|c| capacity("capacity", c)).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (name, region, city, venue, address) =
            (name.clone(), region.clone(), city.clone(), venue.clone(), address.clone());
        let patch = patch.clone();
        Box::pin(async move {
            let current = find_stop(txn, scope, id).await?;
            if let Some(seats) = seats
                && seats < current.confirmed_count
            {
                return Err(DomainError::validation(
                    "capacity",
                    format!("{} seats are already taken; capacity cannot be lower", current.confirmed_count),
                ));
            }
            let opens = patch.registration_opens_at.unwrap_or(current.registration_opens_at);
            let closes = patch.registration_closes_at.unwrap_or(current.registration_closes_at);
            check_window(opens, closes, current.starts_at)?;
            let mut changed = Vec::new();
            let mut row = current.into_active_model();
            patch!(row, changed;
                name => name as "name",
                region => region as "region",
                city => city as "city",
                venue => venue as "venue",
                address => address as "address",
                seats => capacity as "capacity",
                patch.registration_opens_at => registration_opens_at as "registrationOpensAt",
                patch.registration_closes_at => registration_closes_at as "registrationClosesAt",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            // More seats: the waiting list moves up now, in this transaction.
            let promoted =
                if seats.is_some() { seating::fill_stop(txn, scope, id, now).await?.registrations.len() } else { 0 };
            let details = json!({ "fields": changed, "promoted": promoted });
            Ok((audit::Entry::new("stop.update", "stop", id).details(details), row))
        })
    })
    .await
}

/// Publishes a stop (it appears in the agenda and takes registrations when its
/// edition is published), cancels it, or returns it to draft.
pub async fn set_stop_status(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: stop::Status,
    now: DateTime<Utc>,
) -> DomainResult<stop::Model> {
    let scope = actor.require(Action::CatalogPublish)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let current = find_stop(txn, scope, id).await?;
            let from = current.status;
            let mut row = current.into_active_model();
            row.status = Set(status);
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            let details =
                json!({ "from": format!("{from:?}").to_lowercase(), "to": format!("{status:?}").to_lowercase() });
            Ok((audit::Entry::new("stop.status", "stop", id).details(details), row))
        })
    })
    .await
}

/// Moves a stop to new times (and optionally another zone). Its sessions move
/// with it, keeping their place in the day.
pub async fn reschedule_stop(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    starts_at: TimeInput,
    ends_at: TimeInput,
    time_zone: Option<String>,
    now: DateTime<Utc>,
) -> DomainResult<stop::Model> {
    let scope = actor.require(Action::CatalogPublish)?;
    let new_zone = time_zone.as_deref().map(|z| TimeZone::parse(z).field("timeZone")).transpose()?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let current = find_stop(txn, scope, id).await?;
            let zone = match new_zone {
                Some(z) => z,
                None => TimeZone::parse(&current.time_zone).unwrap_or_default(),
            };
            let start = resolve(zone, starts_at, "startsAt")?;
            let end = resolve(zone, ends_at, "endsAt")?;
            check_stop_times(start, end)?;
            if let Some(c) = current.registration_closes_at
                && c > start
            {
                return Err(DomainError::validation(
                    "startsAt",
                    "the stop would start before its registration closes; move registrationClosesAt first",
                ));
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
                        format!(
                            "session \u{201c}{}\u{201d} would end outside the new times; shorten it or widen the stop",
                            s.title
                        ),
                    ));
                }
                let mut active = s.into_active_model();
                active.starts_at = Set(s_start);
                active.ends_at = Set(s_end);
                active.updated_at = Set(now);
                active.update(txn).await?;
            }
            let before = (current.starts_at, current.ends_at);
            let mut row = current.into_active_model();
            row.starts_at = Set(start);
            row.ends_at = Set(end);
            row.time_zone = Set(zone.name().to_owned());
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            // Reminders follow the stop in the same transaction: none is left
            // pointing at the old time, none already sent goes out again.
            let replanned = crate::reminders::replan_stop(txn, scope, &row, now).await?;
            let details = json!({
                "from": [before.0.to_rfc3339(), before.1.to_rfc3339()],
                "to": [start.to_rfc3339(), end.to_rfc3339()],
                "timeZone": zone.name(),
                "remindersPlanned": replanned.planned,
                "remindersWithdrawn": replanned.withdrawn,
            });
            Ok((audit::Entry::new("stop.reschedule", "stop", id).details(details), row))
        })
    })
    .await
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, Clone)]
pub struct NewSession {
    pub stop_id: Uuid,
    pub kind: session::Kind,
    pub title: String,
    pub description: Option<String>,
    pub topics: Vec<Topic>,
    pub room: Option<String>,
    pub starts_at: TimeInput,
    pub ends_at: TimeInput,
    pub capacity: Option<i64>,
    pub language: Option<Locale>,
}

fn check_session_times(stop: &stop::Model, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> DomainResult<()> {
    if ends_at <= starts_at {
        return Err(DomainError::validation("endsAt", "must be after startsAt"));
    }
    if starts_at < stop.starts_at || ends_at > stop.ends_at {
        return Err(DomainError::validation("startsAt", "a session must take place within its stop's times"));
    }
    Ok(())
}

fn check_topics(topics: &[Topic]) -> DomainResult<()> {
    if topics.len() > 6 {
        return Err(DomainError::validation("topics", "at most 6 topics"));
    }
    Ok(())
}

pub async fn create_session(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewSession,
    now: DateTime<Utc>,
) -> DomainResult<session::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let title = text("title", &input.title, 200)?;
    let description = optional_text("description", input.description.as_deref(), 4000)?;
    let room = optional_text("room", input.room.as_deref(), 120)?;
    let seats = input.capacity.map(|c| capacity("capacity", c)).transpose()?;
    check_topics(&input.topics)?;
    audit::write(db, actor, now, |txn| {
        let (title, description, room, input) = (title.clone(), description.clone(), room.clone(), input.clone());
        Box::pin(async move {
            let stop = find_stop(txn, scope, input.stop_id).await?;
            let zone = TimeZone::parse(&stop.time_zone).unwrap_or_default();
            let starts_at = resolve(zone, input.starts_at, "startsAt")?;
            let ends_at = resolve(zone, input.ends_at, "endsAt")?;
            check_session_times(&stop, starts_at, ends_at)?;
            let row = session::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                stop_id: Set(stop.id),
                kind: Set(input.kind),
                title: Set(title),
                description: Set(description),
                topics: Set(Topic::list_to_json(&input.topics)),
                room: Set(room),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                capacity: Set(seats),
                confirmed_count: Set(0),
                waitlist_seq: Set(0),
                language: Set(input.language.unwrap_or_default().as_str().to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("session.create", "session", row.id), row))
        })
    })
    .await
}

#[derive(Debug, Clone, Default)]
pub struct SessionPatch {
    pub kind: Option<session::Kind>,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub topics: Option<Vec<Topic>>,
    pub room: Option<Option<String>>,
    pub starts_at: Option<TimeInput>,
    pub ends_at: Option<TimeInput>,
    pub capacity: Option<Option<i64>>,
    pub language: Option<Locale>,
}

pub async fn update_session(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: SessionPatch,
    now: DateTime<Utc>,
) -> DomainResult<session::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let title = patch.title.as_deref().map(|t| text("title", t, 200)).transpose()?;
    let description =
        patch.description.as_ref().map(|d| optional_text("description", d.as_deref(), 4000)).transpose()?;
    let room = patch.room.as_ref().map(|r| optional_text("room", r.as_deref(), 120)).transpose()?;
    let seats = patch.capacity.map(|c| c.map(|n| capacity("capacity", n)).transpose()).transpose()?;
    if let Some(t) = &patch.topics {
        check_topics(t)?;
    }
    audit::write(db, actor, now, |txn| {
        let (title, description, room, patch) = (title.clone(), description.clone(), room.clone(), patch.clone());
        Box::pin(async move {
            let current = find_session(txn, scope, id).await?;
            let stop = find_stop(txn, scope, current.stop_id).await?;
            let zone = TimeZone::parse(&stop.time_zone).unwrap_or_default();
            let starts_at =
                patch.starts_at.map(|t| resolve(zone, t, "startsAt")).transpose()?.unwrap_or(current.starts_at);
            let ends_at = patch.ends_at.map(|t| resolve(zone, t, "endsAt")).transpose()?.unwrap_or(current.ends_at);
            check_session_times(&stop, starts_at, ends_at)?;
            if let Some(Some(seats)) = seats
                && seats < current.confirmed_count
            {
                return Err(DomainError::validation(
                    "capacity",
                    format!("{} seats are already taken; capacity cannot be lower", current.confirmed_count),
                ));
            }
            let mut changed = Vec::new();
            let mut row = current.into_active_model();
            patch!(row, changed;
                patch.kind => kind as "kind",
                title => title as "title",
                description => description as "description",
                patch.topics.as_deref().map(Topic::list_to_json) => topics as "topics",
                room => room as "room",
                patch.starts_at.map(|_| starts_at) => starts_at as "startsAt",
                patch.ends_at.map(|_| ends_at) => ends_at as "endsAt",
                seats => capacity as "capacity",
                patch.language.map(|l| l.as_str().to_owned()) => language as "language",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            let promoted =
                if seats.is_some() { seating::fill_session(txn, scope, id, &[], now).await?.len() } else { 0 };
            // Workshop reminders follow the session, in this transaction.
            let replanned = if patch.starts_at.is_some() {
                crate::reminders::replan_stop(txn, scope, &stop, now).await?
            } else {
                crate::reminders::Replanned::default()
            };
            let details = json!({
                "fields": changed,
                "promoted": promoted,
                "remindersPlanned": replanned.planned,
                "remindersWithdrawn": replanned.withdrawn,
            });
            Ok((audit::Entry::new("session.update", "session", id).details(details), row))
        })
    })
    .await
}

// ---------------------------------------------------------------- speakers

#[derive(Debug, Clone, Default)]
pub struct SpeakerInput {
    pub full_name: Option<String>,
    pub title: Option<Option<String>>,
    pub organization: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub email: Option<Option<String>>,
}

fn speaker_email(raw: &Option<String>) -> DomainResult<Option<String>> {
    match raw.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Ok(Some(EmailAddress::parse(e).field("email")?.into_string())),
        None => Ok(None),
    }
}

pub async fn create_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    input: SpeakerInput,
    now: DateTime<Utc>,
) -> DomainResult<speaker::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let full_name = text("fullName", input.full_name.as_deref().unwrap_or(""), 200)?;
    let title = optional_text("title", input.title.clone().flatten().as_deref(), 200)?;
    let organization = optional_text("organization", input.organization.clone().flatten().as_deref(), 200)?;
    let bio = optional_text("bio", input.bio.clone().flatten().as_deref(), 4000)?;
    let email = speaker_email(&input.email.clone().flatten())?;
    audit::write(db, actor, now, |txn| {
        let (full_name, title, organization, bio, email) =
            (full_name.clone(), title.clone(), organization.clone(), bio.clone(), email.clone());
        Box::pin(async move {
            let row = speaker::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                full_name: Set(full_name),
                title: Set(title),
                organization: Set(organization),
                bio: Set(bio),
                email: Set(email),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("speaker.create", "speaker", row.id), row))
        })
    })
    .await
}

pub async fn update_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: SpeakerInput,
    now: DateTime<Utc>,
) -> DomainResult<speaker::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let full_name = input.full_name.as_deref().map(|n| text("fullName", n, 200)).transpose()?;
    let title = input.title.as_ref().map(|t| optional_text("title", t.as_deref(), 200)).transpose()?;
    let organization =
        input.organization.as_ref().map(|t| optional_text("organization", t.as_deref(), 200)).transpose()?;
    let bio = input.bio.as_ref().map(|t| optional_text("bio", t.as_deref(), 4000)).transpose()?;
    let email = input.email.as_ref().map(speaker_email).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (full_name, title, organization, bio, email) =
            (full_name.clone(), title.clone(), organization.clone(), bio.clone(), email.clone());
        Box::pin(async move {
            let mut row = find_speaker(txn, scope, id).await?.into_active_model();
            let mut changed = Vec::new();
            patch!(row, changed;
                full_name => full_name as "fullName",
                title => title as "title",
                organization => organization as "organization",
                bio => bio as "bio",
                email => email as "email",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("speaker.update", "speaker", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
}

/// Puts a speaker on a session (or moves them in its order); idempotent.
pub async fn assign_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: Uuid,
    speaker_id: Uuid,
    position: Option<i32>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            find_session(txn, scope, session_id).await?;
            find_speaker(txn, scope, speaker_id).await?;
            let existing = session_speaker::Entity::find()
                .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                .filter(session_speaker::Column::SessionId.eq(session_id))
                .filter(session_speaker::Column::SpeakerId.eq(speaker_id))
                .one(txn)
                .await?;
            let position = match position {
                Some(p) => p.max(0),
                None => i32::try_from(
                    session_speaker::Entity::find()
                        .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                        .filter(session_speaker::Column::SessionId.eq(session_id))
                        .count(txn)
                        .await?,
                )
                .unwrap_or(0),
            };
            match existing {
                Some(link) => {
                    let mut active = link.into_active_model();
                    active.position = Set(position);
                    active.update(txn).await?;
                }
                None => {
                    session_speaker::ActiveModel {
                        id: Set(new_uuid()),
                        tenant_id: Set(scope.uuid()),
                        session_id: Set(session_id),
                        speaker_id: Set(speaker_id),
                        position: Set(position),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            Ok((audit::Entry::new("session.assign_speaker", "session", session_id).details(json!({ "speaker": speaker_id })), ()))
        })
    })
    .await
}

pub async fn unassign_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: Uuid,
    speaker_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            find_session(txn, scope, session_id).await?;
            let removed = session_speaker::Entity::delete_many()
                .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                .filter(session_speaker::Column::SessionId.eq(session_id))
                .filter(session_speaker::Column::SpeakerId.eq(speaker_id))
                .exec(txn)
                .await?
                .rows_affected;
            Ok((audit::Entry::new("session.unassign_speaker", "session", session_id).details(json!({ "speaker": speaker_id })), removed > 0))
        })
    })
    .await
}

// ---------------------------------------------------------------- partners

#[derive(Debug, Clone, Default)]
pub struct PartnerInput {
    pub name: Option<String>,
    pub kind: Option<partner::Kind>,
    pub website: Option<Option<String>>,
}

fn website(raw: Option<&str>) -> DomainResult<Option<String>> {
    match raw.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => {
            let url = url::Url::parse(w).map_err(|_| DomainError::validation("website", "is not a URL"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(DomainError::validation("website", "must be an http(s) address"));
            }
            Ok(Some(url.to_string()))
        }
        None => Ok(None),
    }
}

async fn partner_name_taken(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    name: &str,
    except: Option<Uuid>,
) -> DomainResult<bool> {
    let mut q = partner::Entity::find()
        .filter(partner::Column::TenantId.eq(scope.uuid()))
        .filter(partner::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(partner::Column::Id.ne(id));
    }
    Ok(q.count(txn).await? > 0)
}

pub async fn create_partner(
    db: &DatabaseConnection,
    actor: &Actor,
    input: PartnerInput,
    now: DateTime<Utc>,
) -> DomainResult<partner::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = text("name", input.name.as_deref().unwrap_or(""), 200)?;
    let kind = input.kind.ok_or_else(|| DomainError::validation("kind", "is required"))?;
    let site = website(input.website.clone().flatten().as_deref())?;
    audit::write(db, actor, now, |txn| {
        let (name, site) = (name.clone(), site.clone());
        Box::pin(async move {
            if partner_name_taken(txn, scope, &name, None).await? {
                return Err(DomainError::validation("name", "a partner with this name already exists"));
            }
            let row = partner::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                name: Set(name),
                kind: Set(kind),
                website: Set(site),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("partner.create", "partner", row.id), row))
        })
    })
    .await
}

pub async fn update_partner(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: PartnerInput,
    now: DateTime<Utc>,
) -> DomainResult<partner::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = input.name.as_deref().map(|n| text("name", n, 200)).transpose()?;
    let site = input.website.as_ref().map(|w| website(w.as_deref())).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (name, site) = (name.clone(), site.clone());
        Box::pin(async move {
            let current = find_partner(txn, scope, id).await?;
            if let Some(n) = &name
                && partner_name_taken(txn, scope, n, Some(id)).await?
            {
                return Err(DomainError::validation("name", "a partner with this name already exists"));
            }
            let mut changed = Vec::new();
            let mut row = current.into_active_model();
            patch!(row, changed;
                name => name as "name",
                input.kind => kind as "kind",
                site => website as "website",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("partner.update", "partner", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
}

/// What a partnership backs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnershipTarget {
    Edition(Uuid),
    Stop(Uuid),
}

/// Adds (or re-tiers) a partner's backing of an edition or a stop.
pub async fn set_partnership(
    db: &DatabaseConnection,
    actor: &Actor,
    partner_id: Uuid,
    target: PartnershipTarget,
    tier: partnership::Tier,
    now: DateTime<Utc>,
) -> DomainResult<partnership::Model> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            find_partner(txn, scope, partner_id).await?;
            let (edition_id, stop_id) = match target {
                PartnershipTarget::Edition(e) => (Some(find_edition(txn, scope, e).await?.id), None),
                PartnershipTarget::Stop(s) => (None, Some(find_stop(txn, scope, s).await?.id)),
            };
            let mut q = partnership::Entity::find()
                .filter(partnership::Column::TenantId.eq(scope.uuid()))
                .filter(partnership::Column::PartnerId.eq(partner_id));
            q = match target {
                PartnershipTarget::Edition(e) => q.filter(partnership::Column::EditionId.eq(e)),
                PartnershipTarget::Stop(s) => q.filter(partnership::Column::StopId.eq(s)),
            };
            let row = match q.one(txn).await? {
                Some(existing) => {
                    let mut active = existing.into_active_model();
                    active.tier = Set(tier);
                    active.update(txn).await?
                }
                None => {
                    partnership::ActiveModel {
                        id: Set(new_uuid()),
                        tenant_id: Set(scope.uuid()),
                        partner_id: Set(partner_id),
                        edition_id: Set(edition_id),
                        stop_id: Set(stop_id),
                        tier: Set(tier),
                        created_at: Set(now),
                    }
                    .insert(txn)
                    .await?
                }
            };
            Ok((audit::Entry::new("partnership.set", "partnership", row.id).details(json!({ "partner": partner_id })), row))
        })
    })
    .await
}

pub async fn remove_partnership(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let row = find_partnership(txn, scope, id).await?;
            partnership::Entity::delete_by_id(row.id).exec(txn).await?;
            Ok((audit::Entry::new("partnership.remove", "partnership", id).details(json!({ "partner": row.partner_id })), ()))
        })
    })
    .await
}

// ---------------------------------------------------------------- cloning

#[derive(Debug, Clone)]
pub struct CloneEdition {
    pub source_id: Uuid,
    pub number: i32,
    pub year: i32,
    pub title: String,
    /// How far the stops move, in days (364 keeps the weekday a year later).
    pub shift_days: i64,
}

fn shift_local(zone: TimeZone, at: DateTime<Utc>, days: i64, field: &str) -> DomainResult<DateTime<Utc>> {
    // Shift the wall-clock date, not the instant: 09:00 stays 09:00 local even
    // when the zone's offset differs on the new date (Ramadan, DST).
    let local = at.with_timezone(&zone.tz()).naive_local() + Duration::days(days);
    resolve(zone, TimeInput::Local(local), field)
}

/// Copies an edition — stops, sessions, speakers' places, partnerships — into a
/// new draft edition with its dates moved by `shift_days`, and no participants.
pub async fn clone_edition(
    db: &DatabaseConnection,
    actor: &Actor,
    input: CloneEdition,
    now: DateTime<Utc>,
) -> DomainResult<edition::Model> {
    let scope = actor.require(Action::CatalogPublish)?;
    check_edition_numbers(input.number, input.year)?;
    let title = text("title", &input.title, 200)?;
    if input.shift_days.abs() > 3660 {
        return Err(DomainError::validation("shiftDays", "must be within ten years"));
    }
    audit::write(db, actor, now, |txn| {
        let (input, title) = (input.clone(), title.clone());
        Box::pin(async move {
            let source = find_edition(txn, scope, input.source_id).await?;
            if number_taken(txn, scope, source.series_id, input.number).await? {
                return Err(DomainError::validation("number", format!("edition {} of this series already exists", input.number)));
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
                let zone = TimeZone::parse(&s.time_zone).unwrap_or_default();
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
                    time_zone: Set(s.time_zone.clone()),
                    starts_at: Set(shift(s.starts_at, "shiftDays")?),
                    ends_at: Set(shift(s.ends_at, "shiftDays")?),
                    capacity: Set(s.capacity),
                    confirmed_count: Set(0),
                    waitlist_seq: Set(0),
                    registration_opens_at: Set(s.registration_opens_at.map(|t| shift(t, "shiftDays")).transpose()?),
                    registration_closes_at: Set(s.registration_closes_at.map(|t| shift(t, "shiftDays")).transpose()?),
                    status: Set(stop::Status::Draft),
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
                    starts_at: Set(shift_local(*zone, s.starts_at, days, "shiftDays")?),
                    ends_at: Set(shift_local(*zone, s.ends_at, days, "shiftDays")?),
                    capacity: Set(s.capacity),
                    confirmed_count: Set(0),
                    waitlist_seq: Set(0),
                    language: Set(s.language.clone()),
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
    .await
}
