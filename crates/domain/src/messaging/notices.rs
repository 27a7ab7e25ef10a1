//! Change notices: when a stop moves in time or place, or is cancelled,
//! everyone registered (confirmed or waiting) is told, in their language, by
//! the channels they can be reached by — in the transaction of the change.
//!
//! Each notice is named by the stop's change counter
//! (`stop_changed:<registration>:<sequence>:<channel>`): one per change, never
//! two for one, and the email carries the stop's `.ics` with that `SEQUENCE`,
//! so calendars update their entry. The message says what it was before (the
//! payload keeps the previous times and place) and what it is now (read at
//! send time, like every message).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{notification, participant, registration, stop};
use crate::error::DomainResult;
use crate::messaging::outbox::{self, NewNotification, channels_for};
use crate::messaging::templates::{Channel, TemplateKey};
use crate::tenancy::TenantScope;
use crate::values::TimeZone;

/// What a stop was before it changed: kept with each notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Before {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: TimeZone,
    pub venue: String,
    pub address: Option<String>,
    pub city: String,
}

impl Before {
    pub fn of(stop: &stop::Model) -> Self {
        Before {
            starts_at: stop.starts_at,
            ends_at: stop.ends_at,
            time_zone: stop.time_zone,
            venue: stop.venue.clone(),
            address: stop.address.clone(),
            city: stop.city.clone(),
        }
    }

    /// Whether participants would need telling: the times, the zone or the place.
    pub fn differs_from(&self, stop: &stop::Model) -> bool {
        *self != Before::of(stop)
    }
}

/// Whether a change is announced to the people registered. Organizers may
/// say no explicitly (a typo fixed minutes after publishing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Notify {
    #[default]
    Participants,
    Nobody,
}

/// Who a notice reaches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// People registered (confirmed or waiting).
    pub people: u64,
    pub emails: u64,
    pub sms: u64,
}

async fn registered(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
) -> DomainResult<Vec<(registration::Model, participant::Model)>> {
    crate::messaging::reminders::live_registrations(db, scope, stop_id).await
}

/// A cancelled stop reminds nobody of itself: its planned reminders (and
/// broadcasts) are withdrawn in the cancellation's transaction.
pub(crate) async fn withdraw_reminders(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let regs: Vec<Uuid> = registration::Entity::find()
        .select_only()
        .column(registration::Column::Id)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id))
        .into_tuple()
        .all(txn)
        .await?;
    for chunk in regs.chunks(500) {
        notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::val(notification::Status::Cancelled.to_value()))
            .col_expr(notification::Column::UpdatedAt, Expr::val(now))
            .filter(notification::Column::TenantId.eq(scope.uuid()))
            .filter(notification::Column::RegistrationId.is_in(chunk.iter().copied()))
            .filter(notification::Column::TemplateKey.is_in([
                TemplateKey::Reminder,
                TemplateKey::SessionReminder,
                TemplateKey::Broadcast,
            ]))
            .filter(notification::Column::Status.is_in([notification::Status::Pending, notification::Status::Queued]))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Who a change of this stop would tell, and by what: the preview an
/// organizer reads before confirming a reschedule.
pub async fn reach(db: &impl ConnectionTrait, scope: TenantScope, stop_id: Uuid) -> DomainResult<Reach> {
    let mut reach = Reach::default();
    for (_, person) in registered(db, scope, stop_id).await? {
        reach.people += 1;
        for channel in channels_for(&person) {
            match channel {
                Channel::Email => reach.emails += 1,
                Channel::Sms => reach.sms += 1,
            }
        }
    }
    Ok(reach)
}

/// Plans the notice of a change (`StopChanged`, with what it was) or of a
/// cancellation (`StopCancelled`) of `stop` — already written with its new
/// `sequence` — to everyone registered. Returns who it reaches.
pub(crate) async fn plan(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop: &stop::Model,
    key: TemplateKey,
    before: Option<&Before>,
    now: DateTime<Utc>,
) -> DomainResult<Reach> {
    if key == TemplateKey::StopCancelled {
        withdraw_reminders(txn, scope, stop.id, now).await?;
    }
    let payload =
        before.map(serde_json::to_value).transpose().map_err(|e| crate::DomainError::internal(e.to_string()))?;
    let mut reach = Reach::default();
    for (registration, person) in registered(txn, scope, stop.id).await? {
        reach.people += 1;
        for channel in channels_for(&person) {
            let new = NewNotification {
                participant_id: person.id,
                registration_id: Some(registration.id),
                template: key,
                channel,
                locale: person.locale,
                scheduled_at: now,
                idempotency_key: format!("{key}:{}:{}:{channel}", registration.id, stop.sequence),
                payload: payload.clone(),
            };
            if outbox::plan(txn, scope, new, now).await? {
                match channel {
                    Channel::Email => reach.emails += 1,
                    Channel::Sms => reach.sms += 1,
                }
            }
        }
    }
    Ok(reach)
}
