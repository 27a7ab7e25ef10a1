//! What happens to a registration once it exists: cancellation (by the
//! participant with the ticket code or a signed link, no account needed, or by
//! the organizer) and check-in at the door.
//!
//! A cancellation is one transaction: the registration and its workshop seats
//! are cancelled, its seats given back, what was still to be sent about it
//! cancelled, the cancellation notice planned, and the freed seats given to the
//! waiting lists (each promotion with its message).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::access::links::{self, Purpose};
use crate::db;
use crate::entities::{participant, registration, session_seat, stop};
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::messaging::outbox;
use crate::messaging::outbox::plan_registration_messages;
use crate::messaging::templates::TemplateKey;
use crate::registration::seating::{
    close_session_gap, close_stop_gap, fill_session, fill_stop, lock_lines, release_session_seat, release_stop_seat,
};
use crate::registration::views::Registration;
use crate::tenancy::TenantScope;
use crate::values::TicketCode;

#[derive(Debug, Clone)]
pub struct CancelOutcome {
    pub registration: Registration,
    /// It was already cancelled: nothing changed.
    pub already_cancelled: bool,
    /// Registrations promoted from the stop's waiting list into the freed seat.
    pub promoted: Vec<Uuid>,
    /// Workshop seats promoted from their sessions' waiting lists.
    pub promoted_seats: Vec<Uuid>,
}

/// Who cancels: the audit log records organizers; participants are recorded as
/// the registration's own `source` of cancellation.
#[derive(Debug, Clone)]
enum Canceller {
    Participant,
    Organizer(Actor),
}

/// The registration a ticket code belongs to, and its tenant: the code is the
/// participant's key (unguessable, unique across tenants).
pub(crate) async fn by_ticket(
    db: &impl ConnectionTrait,
    code: &str,
) -> DomainResult<(TenantScope, registration::Model)> {
    let code = TicketCode::parse(code).field("ticketCode")?;
    let reg = registration::Entity::find()
        .filter(registration::Column::TicketCode.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    Ok((TenantScope::new(crate::ids::TenantId(reg.tenant_id)), reg))
}

/// The registration a ticket code belongs to (NOT_FOUND for an unknown or
/// malformed one): its tenant scopes whatever the holder asks next.
pub async fn find_by_ticket(db: &impl ConnectionTrait, code: &str) -> DomainResult<Registration> {
    Ok(by_ticket(db, code).await?.1.into())
}

/// The participant cancels with their ticket code.
pub async fn cancel_by_ticket(db: &DatabaseConnection, code: &str, now: DateTime<Utc>) -> DomainResult<CancelOutcome> {
    let (scope, reg) = by_ticket(db, code).await?;
    cancel(db, scope, reg.id, Canceller::Participant, now).await
}

/// The signature for a link that cancels this registration (see [`links`]).
pub async fn cancel_signature(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    links::sign(db, scope, Purpose::CancelRegistration, registration_id, now).await
}

/// The participant cancels through the signed link of a message. A wrong
/// signature is NOT_FOUND, like an unknown registration: the link says nothing
/// about what exists.
pub async fn cancel_by_link(
    db: &DatabaseConnection,
    scope: TenantScope,
    registration_id: Uuid,
    signature: &str,
    now: DateTime<Utc>,
) -> DomainResult<CancelOutcome> {
    if !links::verify(db, scope, Purpose::CancelRegistration, registration_id, signature, now).await? {
        return Err(DomainError::not_found("registration"));
    }
    cancel(db, scope, registration_id, Canceller::Participant, now).await
}

/// An organizer cancels a registration (audited).
pub async fn cancel_by_organizer(
    db: &DatabaseConnection,
    actor: &Actor,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<CancelOutcome> {
    let scope = actor.require(Action::RegistrationsManage)?;
    cancel(db, scope, registration_id, Canceller::Organizer(actor.clone()), now).await
}

async fn cancel(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: Uuid,
    by: Canceller,
    now: DateTime<Utc>,
) -> DomainResult<CancelOutcome> {
    db::write(db, |txn| {
        let by = by.clone();
        Box::pin(async move { cancel_in(txn, scope, id, by, now).await })
    })
    .await
}

async fn cancel_in(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    id: Uuid,
    by: Canceller,
    now: DateTime<Utc>,
) -> DomainResult<CancelOutcome> {
    let reg = registration::Entity::find_by_id(id)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    if reg.status == registration::Status::Cancelled {
        return Ok(CancelOutcome {
            registration: reg.into(),
            already_cancelled: true,
            promoted: Vec::new(),
            promoted_seats: Vec::new(),
        });
    }
    if matches!(by, Canceller::Participant) {
        let stop = stop::Entity::find_by_id(reg.stop_id)
            .filter(stop::Column::TenantId.eq(scope.uuid()))
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("stop"))?;
        if now >= stop.starts_at {
            return Err(DomainError::conflict(
                ConflictCode::InvalidState,
                "the stop has started; ask the organizers at the desk",
            ));
        }
    }
    if reg.checked_in_at.is_some() {
        return Err(DomainError::conflict(
            ConflictCode::InvalidState,
            "this participant has already been checked in; a present participant cannot be cancelled",
        ));
    }
    // The lines' locks first (see `lock_lines`), then the registration as it
    // is now: a promotion that committed meanwhile changed it, and the
    // transaction runs again on the new state.
    let held: Vec<Uuid> = session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| s.session_id)
        .collect();
    lock_lines(txn, scope, reg.stop_id, &held, now).await?;
    let current = registration::Entity::find_by_id(id).one(txn).await?;
    if current.as_ref().map(|r| (r.status, r.waitlist_position)) != Some((reg.status, reg.waitlist_position)) {
        return Err(DomainError::Contention("registration changed before its lines were locked".into()));
    }
    let moved = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::val(registration::Status::Cancelled.to_value()))
        .col_expr(registration::Column::CancelledAt, Expr::val(now))
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::Status.eq(reg.status))
        .exec(txn)
        .await?
        .rows_affected;
    if moved != 1 {
        // Promoted or cancelled since we read it: run again on the new state.
        return Err(DomainError::Contention("registration changed during cancellation".into()));
    }
    let seats = session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.eq(id))
        .filter(session_seat::Column::Status.ne(registration::Status::Cancelled))
        .all(txn)
        .await?;
    session_seat::Entity::update_many()
        .col_expr(session_seat::Column::Status, Expr::val(registration::Status::Cancelled.to_value()))
        .col_expr(session_seat::Column::UpdatedAt, Expr::val(now))
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.eq(id))
        .exec(txn)
        .await?;
    // Those behind them in line move up now, not at the next promotion.
    if reg.status == registration::Status::Waitlisted
        && let Some(position) = reg.waitlist_position
    {
        close_stop_gap(txn, scope, reg.stop_id, position, now).await?;
    }
    for seat in seats.iter().filter(|s| s.status == registration::Status::Waitlisted) {
        if let Some(position) = seat.waitlist_position {
            close_session_gap(txn, scope, seat.session_id, position, now).await?;
        }
    }

    outbox::cancel_for_registration(txn, scope, id, now).await?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    let mut cancelled = reg.clone();
    cancelled.status = registration::Status::Cancelled;
    cancelled.cancelled_at = Some(now);
    cancelled.updated_at = now;
    plan_registration_messages(txn, scope, &person, &cancelled, TemplateKey::Cancellation, now).await?;

    let (mut promoted, mut promoted_seats) = (Vec::new(), Vec::new());
    if reg.status == registration::Status::Confirmed {
        release_stop_seat(txn, scope, reg.stop_id, now).await?;
        let freed: Vec<Uuid> =
            seats.iter().filter(|s| s.status == registration::Status::Confirmed).map(|s| s.session_id).collect();
        for session_id in &freed {
            release_session_seat(txn, scope, *session_id, now).await?;
        }
        // The stop first: whoever gets its seat then competes for the freed
        // workshop seats in their own lines' order.
        let round = fill_stop(txn, scope, reg.stop_id, now).await?;
        promoted = round.registrations;
        promoted_seats = round.seats;
        for session_id in freed {
            promoted_seats.extend(fill_session(txn, scope, session_id, &[], now).await?);
        }
    }
    if let Canceller::Organizer(actor) = by {
        let details = json!({ "from": reg.status.to_value(), "promoted": promoted.len() });
        audit::record(txn, &actor, "registration.cancel", "registration", Some(id), Some(details), now).await?;
    }
    Ok(CancelOutcome { registration: cancelled.into(), already_cancelled: false, promoted, promoted_seats })
}

/// The answer to a ticket scan.
#[derive(Debug, Clone)]
pub struct CheckIn {
    pub registration: Registration,
    pub participant_name: String,
    /// When the participant was checked in (now, or at the first scan).
    pub checked_in_at: DateTime<Utc>,
    /// This scan found them already checked in: not an error, but worth saying.
    pub already: bool,
    pub counts: StopCounts,
    /// The stop's IANA zone, to say "since 10:42" in the venue's time.
    pub stop_time_zone: crate::values::TimeZone,
}

/// Checks a participant in by ticket code. Idempotent: a second scan answers
/// with the time of the first.
pub async fn check_in(db: &DatabaseConnection, actor: &Actor, code: &str, now: DateTime<Utc>) -> DomainResult<CheckIn> {
    let scope = actor.require(Action::CheckIn)?;
    let code = TicketCode::parse(code).field("ticketCode")?;
    let find = || {
        registration::Entity::find()
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .filter(registration::Column::TicketCode.eq(code.as_str()))
            .one(db)
    };
    // Another organizer's ticket is unknown here, like a mistyped one.
    let reg = find().await?.ok_or(DomainError::not_found("registration"))?;
    match reg.status {
        registration::Status::Cancelled => {
            let when = reg.cancelled_at.map(|t| format!(" on {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default();
            return Err(DomainError::conflict(
                ConflictCode::InvalidState,
                format!("this registration was cancelled{when}"),
            ));
        }
        registration::Status::Waitlisted => {
            return Err(DomainError::conflict(
                ConflictCode::InvalidState,
                format!(
                    "this participant is on the waiting list (position {}), not confirmed",
                    reg.waitlist_position.unwrap_or_default()
                ),
            ));
        }
        registration::Status::Confirmed => {}
    }
    let first = registration::Entity::update_many()
        .col_expr(registration::Column::CheckedInAt, Expr::val(now))
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::CheckedInAt.is_null())
        .filter(registration::Column::Status.eq(registration::Status::Confirmed))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    let reg = find().await?.ok_or(DomainError::not_found("registration"))?;
    let checked_in_at = reg.checked_in_at.ok_or_else(|| {
        DomainError::conflict(ConflictCode::InvalidState, "this registration changed during the scan; scan again")
    })?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    let counts = stop_counts(db, scope, &[reg.stop_id]).await?.remove(&reg.stop_id).unwrap_or_default();
    let stop = stop::Entity::find_by_id(reg.stop_id)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("stop"))?;
    Ok(CheckIn {
        registration: reg.into(),
        participant_name: person.full_name,
        checked_in_at,
        already: !first,
        counts,
        stop_time_zone: stop.time_zone,
    })
}

/// Live figures of a stop for organizers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopCounts {
    pub confirmed: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    pub checked_in: i64,
}

/// [`StopCounts`] for several stops in one query.
pub async fn stop_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stops: &[Uuid],
) -> DomainResult<HashMap<Uuid, StopCounts>> {
    if stops.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, registration::Status, i64, i64)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::StopId)
        .column(registration::Column::Status)
        .column_as(Expr::col(registration::Column::Id).count(), "n")
        .column_as(Expr::col(registration::Column::CheckedInAt).count(), "checked_in")
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.is_in(stops.iter().copied()))
        .group_by(registration::Column::StopId)
        .group_by(registration::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, StopCounts> = stops.iter().map(|s| (*s, StopCounts::default())).collect();
    for (stop, status, n, checked_in) in rows {
        let counts = out.entry(stop).or_default();
        match status {
            registration::Status::Confirmed => {
                counts.confirmed += n;
                counts.checked_in += checked_in;
            }
            registration::Status::Waitlisted => counts.waitlisted += n,
            registration::Status::Cancelled => counts.cancelled += n,
        }
    }
    Ok(out)
}
