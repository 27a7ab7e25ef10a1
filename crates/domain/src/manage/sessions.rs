//! Sessions (workshops, talks…) of a stop: create and edit; seats and workshop reminders follow.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::input::*;
use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::catalog::find::*;
use crate::catalog::{Topic, Translation};
use crate::entities::{session, stop};
use crate::error::{DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::registration::seating;
use crate::values::Locale;

#[derive(Debug, Clone)]
pub struct NewSession {
    pub stop_id: Uuid,
    pub kind: session::Kind,
    pub title: String,
    pub description: Option<String>,
    pub topics: Vec<Topic>,
    pub room: Option<String>,
    /// `title` and `description` in other languages (see [`SESSION_TEXTS`]).
    pub translations: Vec<Translation>,
    pub starts_at: TimeInput,
    pub ends_at: TimeInput,
    pub capacity: Option<i64>,
    pub language: Option<Locale>,
}

/// A session's fields an organizer gives per language, with their lengths.
pub const SESSION_TEXTS: [(&str, usize); 2] = [("title", 200), ("description", 4000)];

pub(super) fn check_session_times(
    stop: &stop::Model,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> DomainResult<()> {
    if ends_at <= starts_at {
        return Err(DomainError::validation("endsAt", text!("ends-after-start")));
    }
    if starts_at < stop.starts_at || ends_at > stop.ends_at {
        return Err(DomainError::validation("startsAt", text!("session-outside-stop")));
    }
    Ok(())
}

pub(super) fn check_topics(topics: &[Topic]) -> DomainResult<()> {
    if topics.len() > 6 {
        return Err(DomainError::validation("topics", text!("topics-max")));
    }
    Ok(())
}

pub async fn create_session(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewSession,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Session> {
    let scope = actor.require(Action::CatalogWrite)?;
    let title = text("title", &input.title, 200)?;
    let description = optional_text("description", input.description.as_deref(), 4000)?;
    let room = optional_text("room", input.room.as_deref(), 120)?;
    let texts = translations(&input.translations, &SESSION_TEXTS)?.to_json();
    let seats = input.capacity.map(|c| capacity("capacity", c)).transpose()?;
    check_topics(&input.topics)?;
    audit::write(db, actor, now, |txn| {
        let (title, description, room, input) = (title.clone(), description.clone(), room.clone(), input.clone());
        let texts = texts.clone();
        Box::pin(async move {
            let stop = find_stop(txn, scope, input.stop_id).await?;
            let zone = stop.time_zone;
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
                translations: Set(texts),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                capacity: Set(seats),
                confirmed_count: Set(0),
                waitlist_seq: Set(0),
                language: Set(input.language.unwrap_or_default()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("session.create", "session", row.id), row))
        })
    })
    .await
    .map(Into::into)
}

#[derive(Debug, Clone, Default)]
pub struct SessionPatch {
    pub kind: Option<session::Kind>,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub topics: Option<Vec<Topic>>,
    pub room: Option<Option<String>>,
    /// Replaces every translation given before.
    pub translations: Option<Vec<Translation>>,
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
) -> DomainResult<crate::catalog::Session> {
    let scope = actor.require(Action::CatalogWrite)?;
    let title = patch.title.as_deref().map(|t| text("title", t, 200)).transpose()?;
    let description =
        patch.description.as_ref().map(|d| optional_text("description", d.as_deref(), 4000)).transpose()?;
    let room = patch.room.as_ref().map(|r| optional_text("room", r.as_deref(), 120)).transpose()?;
    let texts = patch.translations.as_deref().map(|t| translations(t, &SESSION_TEXTS)).transpose()?;
    let seats = patch.capacity.map(|c| c.map(|n| capacity("capacity", n)).transpose()).transpose()?;
    if let Some(t) = &patch.topics {
        check_topics(t)?;
    }
    audit::write(db, actor, now, |txn| {
        let (title, description, room, patch) = (title.clone(), description.clone(), room.clone(), patch.clone());
        let texts = texts.clone();
        Box::pin(async move {
            let current = find_session(txn, scope, id).await?;
            let stop = find_stop(txn, scope, current.stop_id).await?;
            let zone = stop.time_zone;
            let starts_at =
                patch.starts_at.map(|t| resolve(zone, t, "startsAt")).transpose()?.unwrap_or(current.starts_at);
            let ends_at = patch.ends_at.map(|t| resolve(zone, t, "endsAt")).transpose()?.unwrap_or(current.ends_at);
            check_session_times(&stop, starts_at, ends_at)?;
            if let Some(Some(seats)) = seats
                && seats < current.confirmed_count
            {
                return Err(DomainError::validation(
                    "capacity",
                    text!("capacity-below-taken", taken = current.confirmed_count),
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
                texts.map(|t| t.to_json()) => translations as "translations",
                patch.starts_at.map(|_| starts_at) => starts_at as "startsAt",
                patch.ends_at.map(|_| ends_at) => ends_at as "endsAt",
                seats => capacity as "capacity",
                patch.language => language as "language",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            let promoted =
                if seats.is_some() { seating::fill_session(txn, scope, id, &[], now).await?.len() } else { 0 };
            // Workshop reminders follow the session, in this transaction.
            let replanned = if patch.starts_at.is_some() {
                crate::messaging::reminders::replan_stop(txn, scope, &stop, now).await?
            } else {
                crate::messaging::reminders::Replanned::default()
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
    .map(Into::into)
}
