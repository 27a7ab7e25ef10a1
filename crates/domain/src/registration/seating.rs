//! Seats and waiting lists: the only code that moves a stop's or a session's
//! `confirmed_count`.
//!
//! Every change of a counter is one conditional UPDATE of the stop's (or the
//! session's) row, so the row lock it takes orders all seat changes of that stop
//! within their transactions: on PostgreSQL a second transaction waits and
//! re-reads the counter, on SQLite writers are serialized anyway. The CHECK
//! constraint `confirmed_count <= capacity` backs it up.
//!
//! Promotion ([`fill_stop`], [`fill_session`]) runs in the transaction that
//! freed seats (a cancellation, a capacity increase): it takes a free seat, gives
//! it to the first in line, and plans that person's message, until no seat or no
//! one is left.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{participant, registration, session, session_seat, stop};
use crate::error::{DomainError, DomainResult};
use crate::messaging::outbox::plan_registration_messages;
use crate::messaging::outbox::{self, NewNotification};
use crate::messaging::templates::TemplateKey;
use crate::tenancy::TenantScope;
use crate::values::Locale;

pub(crate) enum Seat {
    Taken,
    Waitlisted(i32),
}

/// Takes one seat of the stop if one is left, atomically: the UPDATE's own WHERE
/// clause is the capacity check, so two racing transactions cannot both take
/// the last seat (the second one waits for the first's row lock, re-reads the
/// counter and finds no seat). Else the next place on the waiting list.
pub(crate) async fn take_stop_seat(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Seat> {
    if try_take_stop_seat(txn, scope, stop_id, now).await? {
        return Ok(Seat::Taken);
    }
    let updated = stop::Entity::update_many()
        .col_expr(stop::Column::WaitlistSeq, Expr::col(stop::Column::WaitlistSeq).add(1))
        .col_expr(stop::Column::UpdatedAt, Expr::val(now))
        .filter(stop::Column::Id.eq(stop_id))
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .exec_with_returning(txn)
        .await?;
    let position = updated.first().map(|s| s.waitlist_seq).ok_or(DomainError::not_found("stop"))?;
    Ok(Seat::Waitlisted(position))
}

/// [`take_stop_seat`] for a workshop (a session without capacity never fills).
pub(crate) async fn take_session_seat(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    session: &session::Model,
    now: DateTime<Utc>,
) -> DomainResult<Seat> {
    if try_take_session_seat(txn, scope, session.id, now).await? {
        Ok(Seat::Taken)
    } else {
        Ok(Seat::Waitlisted(next_session_waitlist_position(txn, scope, session.id, now).await?))
    }
}

pub(crate) async fn next_session_waitlist_position(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<i32> {
    let updated = session::Entity::update_many()
        .col_expr(session::Column::WaitlistSeq, Expr::col(session::Column::WaitlistSeq).add(1))
        .col_expr(session::Column::UpdatedAt, Expr::val(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .exec_with_returning(txn)
        .await?;
    updated.first().map(|s| s.waitlist_seq).ok_or(DomainError::not_found("session"))
}

/// Takes the row locks a change to a registration's lines needs, in the order
/// registering and promoting take them: the stop's row, then its workshops'
/// rows by id. A cancellation that took its own registration's row first and
/// the stop's second would deadlock with a promotion moving that registration
/// up the line.
pub(crate) async fn lock_lines(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    sessions: &[Uuid],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    stop::Entity::update_many()
        .col_expr(stop::Column::UpdatedAt, Expr::val(now))
        .filter(stop::Column::Id.eq(stop_id))
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .exec(txn)
        .await?;
    let mut sessions = sessions.to_vec();
    sessions.sort_unstable();
    sessions.dedup();
    for id in sessions {
        session::Entity::update_many()
            .col_expr(session::Column::UpdatedAt, Expr::val(now))
            .filter(session::Column::Id.eq(id))
            .filter(session::Column::TenantId.eq(scope.uuid()))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Someone left the stop's waiting list from `position` (promoted or
/// cancelled): everyone behind moves up one, and the next newcomer comes after
/// the last. So a stored position is always the live rank among those still
/// waiting — what the API, the export, messages and the door show. Runs under
/// the stop's row lock, like every change to its line.
pub(crate) async fn close_stop_gap(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    position: i32,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    stop::Entity::update_many()
        .col_expr(stop::Column::WaitlistSeq, Expr::col(stop::Column::WaitlistSeq).sub(1))
        .col_expr(stop::Column::UpdatedAt, Expr::val(now))
        .filter(stop::Column::Id.eq(stop_id))
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::WaitlistSeq.gt(0))
        .exec(txn)
        .await?;
    registration::Entity::update_many()
        .col_expr(registration::Column::WaitlistPosition, Expr::col(registration::Column::WaitlistPosition).sub(1))
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id))
        .filter(registration::Column::Status.eq(registration::Status::Waitlisted))
        .filter(registration::Column::WaitlistPosition.gt(position))
        .exec(txn)
        .await?;
    Ok(())
}

/// [`close_stop_gap`] for a workshop's waiting list.
pub(crate) async fn close_session_gap(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
    position: i32,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::WaitlistSeq, Expr::col(session::Column::WaitlistSeq).sub(1))
        .col_expr(session::Column::UpdatedAt, Expr::val(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::WaitlistSeq.gt(0))
        .exec(txn)
        .await?;
    session_seat::Entity::update_many()
        .col_expr(session_seat::Column::WaitlistPosition, Expr::col(session_seat::Column::WaitlistPosition).sub(1))
        .col_expr(session_seat::Column::UpdatedAt, Expr::val(now))
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::SessionId.eq(session_id))
        .filter(session_seat::Column::Status.eq(registration::Status::Waitlisted))
        .filter(session_seat::Column::WaitlistPosition.gt(position))
        .exec(txn)
        .await?;
    Ok(())
}

/// Gives back one confirmed seat of the stop.
pub(crate) async fn release_stop_seat(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    stop::Entity::update_many()
        .col_expr(stop::Column::ConfirmedCount, Expr::col(stop::Column::ConfirmedCount).sub(1))
        .col_expr(stop::Column::UpdatedAt, Expr::val(now))
        .filter(stop::Column::Id.eq(stop_id))
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::ConfirmedCount.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Gives back one confirmed seat of the session.
pub(crate) async fn release_session_seat(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::ConfirmedCount, Expr::col(session::Column::ConfirmedCount).sub(1))
        .col_expr(session::Column::UpdatedAt, Expr::val(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::ConfirmedCount.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// What a round of promotion moved.
#[derive(Debug, Default)]
pub(crate) struct Promotions {
    pub registrations: Vec<Uuid>,
    pub seats: Vec<Uuid>,
}

/// Seats the stop's waiting list, first in line first, while seats are free.
/// Each promoted registration gets its promotion message and then its place in
/// the workshops it waited for (in their own lines' order).
pub(crate) async fn fill_stop(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Promotions> {
    let mut promoted = Promotions::default();
    // Read once, and only when someone is promoted: reminders are planned from it.
    let mut stop = None;
    loop {
        // The seat first: taking it locks the stop's row, so the line read next
        // is the committed one and nobody else promotes from it meanwhile.
        if !try_take_stop_seat(txn, scope, stop_id, now).await? {
            break;
        }
        let next = registration::Entity::find()
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .filter(registration::Column::StopId.eq(stop_id))
            .filter(registration::Column::Status.eq(registration::Status::Waitlisted))
            .order_by_asc(registration::Column::WaitlistPosition)
            .one(txn)
            .await?;
        let Some(next) = next else {
            release_stop_seat(txn, scope, stop_id, now).await?;
            break;
        };
        let moved = registration::Entity::update_many()
            .col_expr(registration::Column::Status, Expr::val(registration::Status::Confirmed.to_value()))
            .col_expr(registration::Column::WaitlistPosition, Expr::val(Option::<i32>::None))
            .col_expr(registration::Column::UpdatedAt, Expr::val(now))
            .filter(registration::Column::Id.eq(next.id))
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .filter(registration::Column::Status.eq(registration::Status::Waitlisted))
            .exec(txn)
            .await?
            .rows_affected;
        if moved != 1 {
            // Cancelled by its owner since we read it: the transaction runs again.
            return Err(DomainError::Contention("a waitlisted registration changed during promotion".into()));
        }
        if let Some(position) = next.waitlist_position {
            close_stop_gap(txn, scope, stop_id, position, now).await?;
        }
        let person = participant::Entity::find_by_id(next.participant_id)
            .filter(participant::Column::TenantId.eq(scope.uuid()))
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("participant"))?;
        let mut promoted_reg = next.clone();
        promoted_reg.status = registration::Status::Confirmed;
        promoted_reg.waitlist_position = None;
        plan_registration_messages(txn, scope, &person, &promoted_reg, TemplateKey::Promotion, now).await?;
        promoted.registrations.push(next.id);

        let waiting_sessions: Vec<Uuid> = session_seat::Entity::find()
            .filter(session_seat::Column::TenantId.eq(scope.uuid()))
            .filter(session_seat::Column::RegistrationId.eq(next.id))
            .filter(session_seat::Column::Status.eq(registration::Status::Waitlisted))
            .all(txn)
            .await?
            .into_iter()
            .map(|s| s.session_id)
            .collect();
        for session_id in waiting_sessions {
            // Their promotion message lists their workshops: no separate notice.
            promoted.seats.extend(fill_session(txn, scope, session_id, &[next.id], now).await?);
        }
        // After the workshops: their reminders count from the seats just taken.
        if stop.is_none() {
            stop = Some(crate::catalog::find::find_stop(txn, scope, stop_id).await?);
        }
        if let Some(stop) = &stop {
            crate::messaging::reminders::plan_confirmed(txn, scope, stop, &promoted_reg, &person, now).await?;
        }
    }
    Ok(promoted)
}

/// Seats a session's waiting list while seats are free. Only people confirmed at
/// the stop are in line for a workshop seat. `quiet` registrations get no
/// separate message nor reminders here (they are told, and planned, by the
/// caller in this transaction).
pub(crate) async fn fill_session(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
    quiet: &[Uuid],
    now: DateTime<Utc>,
) -> DomainResult<Vec<Uuid>> {
    let mut promoted = Vec::new();
    loop {
        if !try_take_session_seat(txn, scope, session_id, now).await? {
            break;
        }
        let confirmed_at_stop = Query::select()
            .column(registration::Column::Id)
            .from(registration::Entity)
            .and_where(registration::Column::TenantId.eq(scope.uuid()))
            .and_where(registration::Column::Status.eq(registration::Status::Confirmed.to_value()))
            .to_owned();
        let next = session_seat::Entity::find()
            .filter(session_seat::Column::TenantId.eq(scope.uuid()))
            .filter(session_seat::Column::SessionId.eq(session_id))
            .filter(session_seat::Column::Status.eq(registration::Status::Waitlisted))
            .filter(session_seat::Column::RegistrationId.in_subquery(confirmed_at_stop))
            .order_by_asc(session_seat::Column::WaitlistPosition)
            .one(txn)
            .await?;
        let Some(next) = next else {
            release_session_seat(txn, scope, session_id, now).await?;
            break;
        };
        let moved = session_seat::Entity::update_many()
            .col_expr(session_seat::Column::Status, Expr::val(registration::Status::Confirmed.to_value()))
            .col_expr(session_seat::Column::WaitlistPosition, Expr::val(Option::<i32>::None))
            .col_expr(session_seat::Column::UpdatedAt, Expr::val(now))
            .filter(session_seat::Column::Id.eq(next.id))
            .filter(session_seat::Column::Status.eq(registration::Status::Waitlisted))
            .exec(txn)
            .await?
            .rows_affected;
        if moved != 1 {
            return Err(DomainError::Contention("a waitlisted workshop seat changed during promotion".into()));
        }
        if let Some(position) = next.waitlist_position {
            close_session_gap(txn, scope, session_id, position, now).await?;
        }
        promoted.push(next.id);
        if !quiet.contains(&next.registration_id) {
            plan_session_promotion(txn, scope, &next, now).await?;
        }
    }
    Ok(promoted)
}

async fn plan_session_promotion(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    seat: &session_seat::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let reg = registration::Entity::find_by_id(seat.registration_id)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    // The workshop's own reminders, now that the seat is theirs.
    let stop = crate::catalog::find::find_stop(txn, scope, reg.stop_id).await?;
    crate::messaging::reminders::plan_confirmed(txn, scope, &stop, &reg, &person, now).await?;
    let locale: Locale = person.locale;
    for channel in outbox::channels_for(&person) {
        outbox::plan(
            txn,
            scope,
            NewNotification {
                participant_id: person.id,
                registration_id: Some(reg.id),
                template: TemplateKey::SessionPromotion,
                channel,
                locale,
                scheduled_at: now,
                // Per seat: promoted into two workshops is two messages, each once.
                idempotency_key: format!("{}:{}:{channel}", TemplateKey::SessionPromotion, seat.id),
                payload: Some(serde_json::json!({ "session_id": seat.session_id })),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// One conditional UPDATE: true when a seat of the stop was free and is now taken.
async fn try_take_stop_seat(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    Ok(stop::Entity::update_many()
        .col_expr(stop::Column::ConfirmedCount, Expr::col(stop::Column::ConfirmedCount).add(1))
        .col_expr(stop::Column::UpdatedAt, Expr::val(now))
        .filter(stop::Column::Id.eq(stop_id))
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(Expr::col(stop::Column::ConfirmedCount).lt(Expr::col(stop::Column::Capacity)))
        .exec(txn)
        .await?
        .rows_affected
        == 1)
}

/// [`try_take_stop_seat`] for a workshop (no capacity: always free).
async fn try_take_session_seat(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    Ok(session::Entity::update_many()
        .col_expr(session::Column::ConfirmedCount, Expr::col(session::Column::ConfirmedCount).add(1))
        .col_expr(session::Column::UpdatedAt, Expr::val(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(
            Expr::col(session::Column::Capacity)
                .is_null()
                .or(Expr::col(session::Column::ConfirmedCount).lt(Expr::col(session::Column::Capacity))),
        )
        .exec(txn)
        .await?
        .rows_affected
        == 1)
}
