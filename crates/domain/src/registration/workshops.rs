//! A registered participant joins or leaves a workshop after registering, from
//! her own page (the manage link).
//!
//! The same capacity rules as registering: a seat if one is left and she has
//! a seat at the stop, else the workshop's waiting list (a place held until
//! the stop seats her). Leaving gives the seat to the first in the workshop's
//! line at once, with that person's message. Both re-plan her reminders, so a
//! workshop left sends no reminder and one joined gets its own.
//!
//! Each change is one transaction that takes the stop's row lock and then the
//! workshop's ([`lock_lines`]), the order registering and promoting take them.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::catalog::find::{find_session, find_stop};
use crate::db;
use crate::entities::{participant, registration, session_seat};
use crate::error::{ConflictCode, DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::registration::seating::{
    Seat as Taken, close_session_gap, fill_session, lock_lines, next_session_waitlist_position, release_session_seat,
    take_session_seat,
};
use crate::registration::tickets::by_manage_link;
use crate::registration::views::Seat;
use crate::tenancy::TenantScope;

/// What a join or a leave did.
#[derive(Debug, Clone)]
pub struct WorkshopOutcome {
    /// The seat as it is now (cancelled after a leave).
    pub seat: Seat,
    /// False when there was nothing to do (joined already, or not in it).
    pub changed: bool,
    /// Workshop seats given to the next in line by a leave.
    pub promoted: Vec<Uuid>,
}

/// Joins a workshop of the registration's stop: a seat, or its waiting list.
/// Joining again is harmless.
pub async fn join_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<WorkshopOutcome> {
    let (scope, reg) = by_manage_link(db, token, now).await?;
    db::write(db, |txn| Box::pin(async move { join_in(txn, scope, reg.id, reg.stop_id, session_id, now).await })).await
}

/// Leaves a workshop: its seat goes to the next in line. Leaving one she is
/// not in is harmless.
pub async fn leave_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<WorkshopOutcome> {
    let (scope, reg) = by_manage_link(db, token, now).await?;
    db::write(db, |txn| Box::pin(async move { leave_in(txn, scope, reg.id, reg.stop_id, session_id, now).await })).await
}

/// The registration, read under the stop's lock (a promotion may have just
/// seated her), refused once cancelled; and the workshop, which must be of
/// its stop and not started.
async fn locked(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    stop_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<(registration::Model, crate::entities::session::Model)> {
    let session = find_session(txn, scope, session_id).await?;
    if session.stop_id != stop_id {
        return Err(DomainError::validation("sessionId", text!("register-session-elsewhere")));
    }
    lock_lines(txn, scope, stop_id, &[session_id], now).await?;
    let reg = registration::Entity::find_by_id(registration_id)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    if reg.status == registration::Status::Cancelled {
        return Err(DomainError::conflict(ConflictCode::InvalidState, text!("registration-cancelled")));
    }
    if now >= session.starts_at {
        return Err(DomainError::conflict(ConflictCode::InvalidState, text!("workshop-started")));
    }
    Ok((reg, session))
}

async fn seat_of(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    session_id: Uuid,
) -> DomainResult<Option<session_seat::Model>> {
    Ok(session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.eq(registration_id))
        .filter(session_seat::Column::SessionId.eq(session_id))
        .one(txn)
        .await?)
}

async fn join_in(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    stop_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<WorkshopOutcome> {
    let (reg, session) = locked(txn, scope, registration_id, stop_id, session_id, now).await?;
    let existing = seat_of(txn, scope, reg.id, session_id).await?;
    if let Some(seat) = existing.as_ref().filter(|s| s.status != registration::Status::Cancelled) {
        return Ok(WorkshopOutcome { seat: seat.clone().into(), changed: false, promoted: Vec::new() });
    }
    let (status, position) = if reg.status == registration::Status::Confirmed {
        match take_session_seat(txn, scope, &session, now).await? {
            Taken::Taken => (registration::Status::Confirmed, None),
            Taken::Waitlisted(p) => (registration::Status::Waitlisted, Some(p)),
        }
    } else {
        // As when registering: the workshop's line holds her place until the
        // stop seats her, and the stop's promotion then seats her here.
        (registration::Status::Waitlisted, Some(next_session_waitlist_position(txn, scope, session_id, now).await?))
    };
    // One row per registration and workshop: a seat left earlier is taken
    // again, booked now (her reminders count from now, never from before).
    let seat = match existing {
        Some(old) => {
            let mut active: session_seat::ActiveModel = old.into();
            active.status = Set(status);
            active.waitlist_position = Set(position);
            active.created_at = Set(now);
            active.updated_at = Set(now);
            active.update(txn).await?
        }
        None => {
            session_seat::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                registration_id: Set(reg.id),
                session_id: Set(session_id),
                status: Set(status),
                waitlist_position: Set(position),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
        }
    };
    if status == registration::Status::Confirmed {
        replan_for(txn, scope, reg, now).await?;
    }
    Ok(WorkshopOutcome { seat: seat.into(), changed: true, promoted: Vec::new() })
}

async fn leave_in(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    stop_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<WorkshopOutcome> {
    let (reg, _) = locked(txn, scope, registration_id, stop_id, session_id, now).await?;
    let seat = match seat_of(txn, scope, reg.id, session_id).await? {
        Some(seat) if seat.status != registration::Status::Cancelled => seat,
        Some(seat) => return Ok(WorkshopOutcome { seat: seat.into(), changed: false, promoted: Vec::new() }),
        None => return Err(DomainError::not_found("session")),
    };
    let was = (seat.status, seat.waitlist_position);
    let mut active: session_seat::ActiveModel = seat.into();
    active.status = Set(registration::Status::Cancelled);
    active.waitlist_position = Set(None);
    active.updated_at = Set(now);
    let seat = active.update(txn).await?;
    let mut promoted = Vec::new();
    match was {
        (registration::Status::Confirmed, _) => {
            release_session_seat(txn, scope, session_id, now).await?;
            promoted = fill_session(txn, scope, session_id, &[], now).await?;
        }
        (_, Some(position)) => close_session_gap(txn, scope, session_id, position, now).await?,
        _ => {}
    }
    if reg.status == registration::Status::Confirmed {
        replan_for(txn, scope, reg, now).await?;
    }
    Ok(WorkshopOutcome { seat: seat.into(), changed: true, promoted })
}

/// Her reminders follow her workshops: the left one's withdrawn, the joined
/// one's planned.
async fn replan_for(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    reg: registration::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let stop = find_stop(txn, scope, reg.stop_id).await?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    crate::messaging::reminders::replan(txn, scope, &stop, &[(reg, person)], now).await?;
    Ok(())
}
