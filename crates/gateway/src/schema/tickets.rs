//! After registering: cancelling (participants with their code or signed link,
//! organizers by id) and checking in at the door.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use escale_domain::DomainError;
use escale_domain::registration::door;
use escale_domain::registration::tickets::{self, CancelOutcome};
use escale_domain::tenancy::TenantScope;
use escale_domain::text;

use super::auth;
use super::objects::Attendance;
use super::public::Registration;
use crate::limits::Bucket;
use crate::{AppState, error, ids};

#[derive(Debug, Default)]
pub struct TicketMutation;

/// Which registration to cancel, in one of three ways.
#[derive(InputObject, Default)]
pub struct CancelRegistrationInput {
    /// The participant's entry code (`XXXXX-XXXXX`; case and dashes do not matter).
    pub ticket_code: Option<String>,
    /// With `signature`: the link from a message. Alone: an organizer cancels
    /// (needs a token with a role that manages registrations).
    pub registration_id: Option<ID>,
    pub signature: Option<String>,
}

#[derive(SimpleObject)]
pub struct CancelRegistrationPayload {
    pub registration: Registration,
    /// It was already cancelled: nothing changed, nothing was sent.
    pub already_cancelled: bool,
    /// How many people on the waiting list got the freed seat (0 or 1).
    pub promoted_count: i32,
}

#[derive(SimpleObject)]
pub struct CheckInPayload {
    pub registration: Registration,
    pub participant_name: String,
    /// When they were checked in: now, or the first scan's time.
    pub checked_in_at: DateTime<Utc>,
    /// A second scan: the participant is already in. Not an error.
    pub already_checked_in: bool,
    /// What door staff read on screen.
    pub message: String,
    pub attendance: Attendance,
}

#[Object]
impl TicketMutation {
    /// Cancels a registration: its seat goes to the first person on the waiting
    /// list at once, and messages not yet sent about it are cancelled. Cancelling
    /// twice is harmless (`alreadyCancelled`).
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        input: CancelRegistrationInput,
    ) -> Result<CancelRegistrationPayload> {
        let state = ctx.data::<AppState>()?;
        let now = Utc::now();
        let anonymous = input.signature.is_some() || input.registration_id.is_none();
        if anonymous {
            auth::throttle_address(ctx, Bucket::PublicPerAddress).await?;
        }
        let outcome: CancelOutcome = match (&input.ticket_code, &input.registration_id, &input.signature) {
            (Some(code), None, None) => tickets::cancel_by_ticket(&state.db, code, now).await,
            (None, Some(id), Some(signature)) => {
                let g =
                    ids::decode(id, "Registration").map_err(|e| error::bad_id("registrationId", "registration", &e))?;
                tickets::cancel_by_link(&state.db, TenantScope::new(g.tenant), g.id, signature, now).await
            }
            (None, Some(id), None) => {
                let actor = auth::actor(ctx).await?;
                let own = auth::own_id(id, "Registration", "registrationId", "registration", actor.scope)?;
                tickets::cancel_by_organizer(&state.db, actor, own, now).await
            }
            _ => Err(DomainError::validation("ticketCode", text!("ticket-or-link"))),
        }
        .map_err(error::domain)?;
        if !outcome.already_cancelled
            && let Some(signal) = &state.outbox_signal
        {
            signal();
        }
        Ok(CancelRegistrationPayload {
            registration: Registration::new(&outcome.registration, Vec::new(), false),
            already_cancelled: outcome.already_cancelled,
            promoted_count: i32::try_from(outcome.promoted.len()).unwrap_or(i32::MAX),
        })
    }

    /// Scans a ticket at the door of `stopId` (role `checkin` or above), on
    /// the stop's day (from 6 hours before it starts to 6 hours after it
    /// ends). Idempotent: a second scan answers when the first one was,
    /// without error. A cancelled or waitlisted ticket is a CONFLICT
    /// (`INVALID_STATE`) that says which; another stop's ticket, or one
    /// scanned on another day, a CONFLICT (`WRONG_STOP`, `WRONG_DAY`) that
    /// names its stop and date. Messages are in the staff member's language
    /// (`Accept-Language`) and the stop's local time.
    async fn check_in(&self, ctx: &Context<'_>, stop_id: ID, ticket_code: String) -> Result<CheckInPayload> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        auth::throttle(ctx, Bucket::CheckInPerMember, &auth::actor_key(actor)).await?;
        let stop = auth::own_id(&stop_id, "Stop", "stopId", "stop", actor.scope)?;
        let done = door::check_in(&state.db, actor, stop, &ticket_code, Utc::now()).await.map_err(error::domain)?;
        let message = done.message().render(crate::lang::current());
        Ok(CheckInPayload {
            registration: Registration::new(&done.registration, Vec::new(), true),
            participant_name: done.participant_name,
            checked_in_at: done.checked_in_at,
            already_checked_in: done.already,
            message,
            attendance: done.counts.into(),
        })
    }
}
