//! What happens to a registration once it exists: cancellation (by the
//! participant with the ticket code or a signed link, no account needed, or by
//! the organizer) and check-in at the door.
//!
//! A cancellation is one transaction: the registration and its workshop seats
//! are cancelled, its seats given back, what was still to be sent about it
//! cancelled, the cancellation notice planned, and the freed seats given to the
//! waiting lists (each promotion with its message).

use escale_i18n::text;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
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

/// The participant cancels from their own page (the manage link). A wrong
/// token is NOT_FOUND, like an unknown registration.
pub async fn cancel_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<CancelOutcome> {
    let (scope, reg) = by_manage_link(db, token, now).await?;
    cancel(db, scope, reg.id, Canceller::Participant, now).await
}

/// The stop of the registration a manage link names, as an iCalendar event
/// (the page's "add to my calendar"): the same event as the emails attach.
pub async fn manage_calendar(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> DomainResult<String> {
    let own = open_manage_link(db, token, now).await?;
    if own.registration.status == registration::Status::Cancelled {
        return Err(DomainError::not_found("registration"));
    }
    let scope = TenantScope::new(own.stop.tenant);
    let stop = stop::Entity::find_by_id(own.stop.id.0)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    let local = own.stop.local_starts_at();
    let text = crate::messaging::calendar::EventText {
        summary: format!("{} — {}", own.series.name, own.stop.name_in(own.locale.as_str())),
        description: format!(
            "{} ({}, {})\n{}: {}",
            local.format("%Y-%m-%d %H:%M"),
            stop.city,
            stop.time_zone.name(),
            crate::messaging::calendar::entry_code_label(own.locale),
            own.registration.display_code()
        ),
        organizer_name: own.tenant.name.clone(),
    };
    Ok(crate::messaging::calendar::stop_event(&stop, &text, now))
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
            return Err(DomainError::conflict(ConflictCode::InvalidState, text!("cancel-started")));
        }
    }
    if reg.checked_in_at.is_some() {
        return Err(DomainError::conflict(ConflictCode::InvalidState, text!("cancel-checked-in")));
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

/// The registration a manage link names, with its tenant (NOT_FOUND for any
/// wrong token): what every act through the participant's own page starts from.
pub(crate) async fn by_manage_link(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<(TenantScope, registration::Model)> {
    let (scope, id) =
        links::open_token(db, Purpose::Manage, token, now).await?.ok_or(DomainError::not_found("registration"))?;
    let reg = registration::Entity::find_by_id(id)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    Ok((scope, reg))
}

/// What a participant's own link (`/m/<token>`, in every message about a
/// registration) shows: the registration with its live status, whose it is
/// and where and when it takes place.
#[derive(Debug, Clone)]
pub struct OwnRegistration {
    pub registration: Registration,
    pub participant_name: String,
    pub locale: crate::values::Locale,
    /// The consents in force, which the page shows and lets her withdraw.
    pub consents: crate::registration::views::ConsentsGiven,
    /// The organizer: its name and look for the page, the sites that may frame it.
    pub tenant: crate::tenancy::Tenant,
    pub stop: crate::catalog::Stop,
    pub edition: crate::catalog::Edition,
    pub series: crate::catalog::Series,
    /// The stop's workshops one signs up for, in time order, each with her
    /// seat in it (confirmed or waiting) if she has one.
    pub workshops: Vec<OwnWorkshop>,
}

/// A workshop as her own page shows it.
#[derive(Debug, Clone)]
pub struct OwnWorkshop {
    pub session: crate::catalog::Session,
    pub seat: Option<crate::registration::views::Seat>,
}

/// The registration a manage link names. NOT_FOUND for a malformed, forged
/// or unknown token alike, so that a wrong link says nothing about what
/// exists.
pub async fn open_manage_link(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<OwnRegistration> {
    let (scope, reg) = by_manage_link(db, token, now).await?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    let stop = crate::catalog::find::one_stop(db, scope, reg.stop_id).await?;
    let edition = crate::catalog::find::one_edition(db, scope, stop.edition_id.0).await?;
    let series = crate::catalog::find::one_series(db, scope, edition.series_id.0).await?;
    let tenant = crate::tenancy::get(db, scope).await?;
    let seats = session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.eq(reg.id))
        .filter(session_seat::Column::Status.ne(registration::Status::Cancelled))
        .all(db)
        .await?;
    let workshops = crate::entities::session::Entity::find()
        .filter(crate::entities::session::Column::TenantId.eq(scope.uuid()))
        .filter(crate::entities::session::Column::StopId.eq(reg.stop_id))
        .order_by_asc(crate::entities::session::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|session| {
            let seat = seats.iter().find(|s| s.session_id == session.id).cloned().map(Into::into);
            (session.capacity.is_some() || seat.is_some()).then(|| OwnWorkshop { session: session.into(), seat })
        })
        .collect();
    Ok(OwnRegistration {
        workshops,
        registration: reg.into(),
        consents: crate::registration::views::ConsentsGiven {
            email_reminders: person.consent_email_at,
            sms_reminders: person.consent_sms_at,
            partner_sharing: person.consent_partners_at,
        },
        tenant,
        participant_name: person.full_name,
        locale: person.locale,
        stop,
        edition,
        series,
    })
}
