//! Planning written to the outbox, in the transaction of what it depends on;
//! reminders no longer wanted are withdrawn.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::policy::*;
use crate::entities::{notification, opt_out, participant, registration, reminder_policy, session, session_seat, stop};
use crate::error::DomainResult;
use crate::ids::NotificationId;
use crate::messaging::templates::{Channel, TemplateKey};
use crate::tenancy::TenantScope;
use crate::values::{Locale, PhoneNumber};

/// The reminder templates: what a re-plan may move or withdraw.
pub(super) const REMINDER_TEMPLATES: [TemplateKey; 2] = [TemplateKey::Reminder, TemplateKey::SessionReminder];

/// The policy in force for a stop: its own, else its edition's, else the default.
pub async fn policy_for(txn: &impl ConnectionTrait, scope: TenantScope, stop: &stop::Model) -> DomainResult<Policy> {
    let rows = reminder_policy::Entity::find()
        .filter(reminder_policy::Column::TenantId.eq(scope.uuid()))
        .filter(reminder_policy::Column::StopId.eq(stop.id).or(reminder_policy::Column::EditionId.eq(stop.edition_id)))
        .all(txn)
        .await?;
    let own = rows.iter().find(|r| r.stop_id == Some(stop.id));
    match own.or_else(|| rows.first()) {
        Some(row) => Policy::from_row(row),
        None => Ok(Policy::default()),
    }
}

/// Whether the person may receive reminders by `channel` now.
pub(super) fn reachable(person: &participant::Model, channel: Channel, opted_out: &HashSet<(Channel, String)>) -> bool {
    let address = match channel {
        Channel::Email if person.consent_email_at.is_some() => person.email.as_deref(),
        Channel::Sms if person.consent_sms_at.is_some() => {
            person.phone.as_deref().filter(|p| PhoneNumber::from_e164(p).map(|n| n.can_receive_sms()).unwrap_or(false))
        }
        _ => None,
    };
    address.is_some_and(|a| !opted_out.contains(&(channel, a.to_owned())))
}

/// What a re-plan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replanned {
    /// Rows written or moved to a (new) instant.
    pub planned: u64,
    /// Rows still to send that no longer have an instant (cancelled).
    pub withdrawn: u64,
}

/// Plans the reminders of a registration just confirmed (registered or
/// promoted), in its transaction.
pub async fn plan_confirmed(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop: &stop::Model,
    registration: &registration::Model,
    person: &participant::Model,
    now: DateTime<Utc>,
) -> DomainResult<Replanned> {
    // A registration confirmed just now has no earlier reminders to withdraw.
    plan(txn, scope, stop, &[(registration.clone(), person.clone())], false, now).await
}

/// Re-plans the reminders of `registrations` of `stop` in the caller's
/// transaction: confirmed ones get theirs planned or moved, the rest lose what
/// is still to send. Safe to run any number of times.
pub async fn replan(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop: &stop::Model,
    registrations: &[(registration::Model, participant::Model)],
    now: DateTime<Utc>,
) -> DomainResult<Replanned> {
    plan(txn, scope, stop, registrations, true, now).await
}

pub(super) async fn plan(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop: &stop::Model,
    registrations: &[(registration::Model, participant::Model)],
    withdraw_stale: bool,
    now: DateTime<Utc>,
) -> DomainResult<Replanned> {
    if registrations.is_empty() {
        return Ok(Replanned::default());
    }
    let policy = policy_for(txn, scope, stop).await?;
    let zone = stop.time_zone.tz();
    let opted_out = opt_outs(txn, scope, registrations.iter().map(|(_, p)| p)).await?;
    // Read only when the policy needs them: registering stays as cheap as before.
    let seats = if policy.has_session_offsets() {
        confirmed_seats(txn, scope, registrations.iter().map(|(r, _)| r.id)).await?
    } else {
        HashMap::new()
    };

    let mut rows = Vec::new();
    let mut planned_keys = Vec::new();
    for (registration, person) in registrations {
        let mut keys = HashSet::new();
        if registration.status == registration::Status::Confirmed {
            let locale: Locale = person.locale;
            let reminder = Reminder { scope, person, registration, locale, now };
            for instant in instants(&policy, stop.starts_at, zone, registration.created_at, now) {
                let (Ok(at), true) = (instant.at, reachable(person, instant.channel, &opted_out)) else {
                    continue;
                };
                let key = idempotency_key(registration.id, instant.minutes_before, instant.channel);
                keys.insert(key.clone());
                rows.push(reminder.row(TemplateKey::Reminder, instant, at, key, None));
            }
            for (seat, session) in seats.get(&registration.id).into_iter().flatten() {
                let booked_at = Ord::max(registration.created_at, seat.created_at);
                for instant in instants_for(&policy, Anchor::Session, session.starts_at, zone, booked_at, now) {
                    let (Ok(at), true) = (instant.at, reachable(person, instant.channel, &opted_out)) else {
                        continue;
                    };
                    let key =
                        session_idempotency_key(registration.id, session.id, instant.minutes_before, instant.channel);
                    keys.insert(key.clone());
                    rows.push(reminder.row(TemplateKey::SessionReminder, instant, at, key, Some(session.id)));
                }
            }
        }
        planned_keys.push((registration.id, keys));
    }

    let withdrawn = if withdraw_stale { withdraw(txn, scope, &planned_keys, now).await? } else { 0 };

    let mut planned = 0;
    let table = notification::Entity;
    let status = (table, notification::Column::Status);
    let revivable = [notification::Status::Pending, notification::Status::Queued, notification::Status::Cancelled];
    for chunk in rows.chunks(200) {
        // A row still to send (or withdrawn by an earlier re-plan) moves to its
        // new instant; one sent or being sent stays as it is.
        // A claim's lease ends too: a job already queued for the old instant
        // finds the row not due and leaves it; the new instant is claimed anew.
        let on_conflict = OnConflict::column(notification::Column::IdempotencyKey)
            .update_columns([notification::Column::ScheduledAt, notification::Column::UpdatedAt])
            .value(notification::Column::Status, Expr::val(notification::Status::Pending.to_value()))
            .value(notification::Column::QueuedAt, Expr::val(Option::<DateTime<Utc>>::None))
            .value(notification::Column::LastError, Expr::val(Option::<String>::None))
            .action_and_where(Expr::col(status).is_in(revivable.iter().map(ActiveEnum::to_value)))
            .to_owned();
        planned += notification::Entity::insert_many(chunk.to_vec())
            .on_conflict(on_conflict)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(Replanned { planned, withdrawn })
}

/// The confirmed workshop seats of these registrations, each with its session.
pub(super) async fn confirmed_seats(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    registration_ids: impl Iterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, Vec<(session_seat::Model, session::Model)>>> {
    let ids: Vec<Uuid> = registration_ids.collect();
    let mut seats = Vec::new();
    for chunk in ids.chunks(500) {
        seats.extend(
            session_seat::Entity::find()
                .filter(session_seat::Column::TenantId.eq(scope.uuid()))
                .filter(session_seat::Column::RegistrationId.is_in(chunk.iter().copied()))
                .filter(session_seat::Column::Status.eq(registration::Status::Confirmed))
                .all(txn)
                .await?,
        );
    }
    let session_ids: HashSet<Uuid> = seats.iter().map(|s| s.session_id).collect();
    let sessions: HashMap<Uuid, session::Model> = if session_ids.is_empty() {
        HashMap::new()
    } else {
        session::Entity::find()
            .filter(session::Column::TenantId.eq(scope.uuid()))
            .filter(session::Column::Id.is_in(session_ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let mut out: HashMap<Uuid, Vec<(session_seat::Model, session::Model)>> = HashMap::new();
    for seat in seats {
        if let Some(session) = sessions.get(&seat.session_id) {
            out.entry(seat.registration_id).or_default().push((seat, session.clone()));
        }
    }
    Ok(out)
}

/// Cancels the reminders of these registrations that are still to send and not
/// among the keys just planned (an offset removed, now too late, consent gone).
pub(super) async fn withdraw(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    planned: &[(Uuid, HashSet<String>)],
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let mut withdrawn = 0;
    let existing = notification::Entity::find()
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::RegistrationId.is_in(planned.iter().map(|(id, _)| *id)))
        .filter(notification::Column::TemplateKey.is_in(REMINDER_TEMPLATES.map(TemplateKey::as_str)))
        .filter(notification::Column::Status.is_in([notification::Status::Pending, notification::Status::Queued]))
        .all(txn)
        .await?;
    let keep: HashMap<Uuid, &HashSet<String>> = planned.iter().map(|(id, keys)| (*id, keys)).collect();
    let stale: Vec<Uuid> = existing
        .iter()
        .filter(|n| n.registration_id.and_then(|r| keep.get(&r)).is_none_or(|keys| !keys.contains(&n.idempotency_key)))
        .map(|n| n.id)
        .collect();
    for chunk in stale.chunks(500) {
        withdrawn += notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::val(notification::Status::Cancelled.to_value()))
            .col_expr(notification::Column::LastError, Expr::val("no longer planned by the reminder policy"))
            .col_expr(notification::Column::UpdatedAt, Expr::val(now))
            .filter(notification::Column::TenantId.eq(scope.uuid()))
            .filter(notification::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?
            .rows_affected;
    }

    Ok(withdrawn)
}

/// What the reminders of one registration share.
pub(super) struct Reminder<'a> {
    scope: TenantScope,
    person: &'a participant::Model,
    registration: &'a registration::Model,
    locale: Locale,
    now: DateTime<Utc>,
}

impl Reminder<'_> {
    fn row(
        &self,
        template: TemplateKey,
        instant: Instant,
        at: DateTime<Utc>,
        key: String,
        session_id: Option<Uuid>,
    ) -> notification::ActiveModel {
        let payload = match session_id {
            Some(id) => serde_json::json!({ "minutes_before": instant.minutes_before, "session_id": id }),
            None => serde_json::json!({ "minutes_before": instant.minutes_before }),
        };
        notification::ActiveModel {
            id: Set(NotificationId::new().0),
            tenant_id: Set(self.scope.uuid()),
            participant_id: Set(self.person.id),
            registration_id: Set(Some(self.registration.id)),
            template_key: Set(template),
            channel: Set(instant.channel),
            locale: Set(self.locale),
            scheduled_at: Set(at),
            status: Set(notification::Status::Pending),
            attempts: Set(0),
            last_error: Set(None),
            provider_message_id: Set(None),
            sms_segments: Set(None),
            idempotency_key: Set(key),
            payload: Set(Some(payload)),
            recipient: Set(None),
            queued_at: Set(None),
            sent_at: Set(None),
            delivered_at: Set(None),
            request_id: Set(crate::trace::request_id()),
            created_at: Set(self.now),
            updated_at: Set(self.now),
        }
    }
}

/// The `(channel, address)` pairs among these people's email addresses and
/// numbers that opted out, in a statement per 500 addresses.
pub(crate) async fn opt_outs<'a>(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    people: impl Iterator<Item = &'a participant::Model>,
) -> DomainResult<HashSet<(Channel, String)>> {
    let addresses: HashSet<&str> = people.flat_map(|p| [p.email.as_deref(), p.phone.as_deref()]).flatten().collect();
    let mut out = HashSet::new();
    let addresses: Vec<&str> = addresses.into_iter().collect();
    for chunk in addresses.chunks(500) {
        let rows = opt_out::Entity::find()
            .filter(opt_out::Column::TenantId.eq(scope.uuid()))
            .filter(opt_out::Column::Address.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.channel, r.address)));
    }
    Ok(out)
}

/// Re-plans every registration of a stop (after a reschedule or a policy change).
pub async fn replan_stop(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop: &stop::Model,
    now: DateTime<Utc>,
) -> DomainResult<Replanned> {
    let pairs = live_registrations(txn, scope, stop.id).await?;
    replan(txn, scope, stop, &pairs, now).await
}

/// The stop's registrations that are not cancelled, each with its participant,
/// in two statements whatever their number.
pub(crate) async fn live_registrations(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
) -> DomainResult<Vec<(registration::Model, participant::Model)>> {
    let registrations = registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id))
        .filter(registration::Column::Status.ne(registration::Status::Cancelled))
        .all(txn)
        .await?;
    let mut people: HashMap<Uuid, participant::Model> = HashMap::new();
    let ids: Vec<Uuid> = registrations.iter().map(|r| r.participant_id).collect();
    for chunk in ids.chunks(500) {
        let found = participant::Entity::find()
            .filter(participant::Column::TenantId.eq(scope.uuid()))
            .filter(participant::Column::Id.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        people.extend(found.into_iter().map(|p| (p.id, p)));
    }
    Ok(registrations.into_iter().filter_map(|r| people.get(&r.participant_id).cloned().map(|p| (r, p))).collect())
}
