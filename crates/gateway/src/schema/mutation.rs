use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use escale_domain::catalog;
use escale_domain::entities::registration;
use escale_domain::ids::{SessionId, StopId, TenantId};
use escale_domain::registration::{Consents, Profile, RegisterInput as DomainInput, register};
use escale_domain::tenancy::TenantScope;
use escale_domain::values::TicketCode;

use super::types::{Registration, Stop};
use crate::{AppState, error, ids};

#[derive(Debug)]
pub struct Mutation;

/// A registration for a stop, as a participant fills it in.
#[derive(InputObject)]
pub struct RegisterInput {
    /// The stop's id, from `agenda`.
    pub stop_id: ID,
    pub full_name: String,
    /// An email address and/or a phone number; at least one.
    pub email: Option<String>,
    /// Moroccan numbers may be typed as 06…, 07…, +212… or 00212…
    pub phone: Option<String>,
    /// `fr` (default), `ar` or `en`: the language of the messages.
    pub locale: Option<String>,
    /// Workshops to attend, from the stop's `sessions`.
    #[graphql(default)]
    pub session_ids: Vec<ID>,
    #[graphql(default)]
    pub consents: ConsentsInput,
    /// `tpe`, `micro_enterprise`, `auto_entrepreneur`, `project_holder` or `other`.
    pub segment: Option<String>,
    pub sector: Option<String>,
    pub company: Option<String>,
    pub region: Option<String>,
}

/// What the participant agrees to. Nothing is assumed: each defaults to false.
#[derive(InputObject, Default)]
pub struct ConsentsInput {
    /// Reminders by email before the stop.
    #[graphql(default)]
    pub email_reminders: bool,
    /// Confirmation and reminders by SMS.
    #[graphql(default)]
    pub sms_reminders: bool,
    /// Sharing name and contact with the stop's partners.
    #[graphql(default)]
    pub share_with_partners: bool,
}

#[derive(SimpleObject)]
pub struct RegisterPayload {
    pub registration: Registration,
    /// True when this person was already registered for the stop: the existing
    /// registration is returned unchanged.
    pub already_registered: bool,
    /// When the stop is full: the edition's other stops that still have seats.
    pub alternatives: Vec<Stop>,
}

#[Object]
impl Mutation {
    /// Registers a participant for a stop (no account needed). The confirmation
    /// — or the waiting-list notice — goes out by email, and by SMS when a
    /// mobile number and SMS consent are given.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<RegisterPayload> {
        let state = ctx.data::<AppState>()?;
        let stop = ids::decode(&input.stop_id, "Stop").map_err(|e| error::bad_id("stopId", "stop", &e))?;
        let scope = TenantScope::new(stop.tenant);
        let mut session_ids = Vec::with_capacity(input.session_ids.len());
        for raw in &input.session_ids {
            let session = ids::decode(raw, "Session").map_err(|e| error::bad_id("sessionIds", "session", &e))?;
            if session.tenant != stop.tenant {
                return Err(error::domain(escale_domain::DomainError::validation(
                    "sessionIds",
                    "a session given is not part of this stop",
                )));
            }
            session_ids.push(SessionId(session.id));
        }
        let domain_input = DomainInput {
            stop_id: StopId(stop.id),
            full_name: input.full_name,
            email: input.email,
            phone: input.phone,
            locale: input.locale,
            session_ids,
            consents: Consents {
                email_reminders: input.consents.email_reminders,
                sms_reminders: input.consents.sms_reminders,
                share_with_partners: input.consents.share_with_partners,
            },
            profile: Profile {
                segment: input.segment,
                sector: input.sector,
                company: input.company,
                region: input.region,
            },
        };
        let now = Utc::now();
        let outcome = register(&state.db, scope, &domain_input, now).await.map_err(error::domain)?;
        if !outcome.already_registered
            && let Some(signal) = &state.outbox_signal
        {
            signal();
        }
        let alternatives = if outcome.alternatives.is_empty() {
            Vec::new()
        } else {
            let wanted: Vec<_> = outcome.alternatives.iter().map(|s| s.id).collect();
            catalog::agenda(&state.db, scope)
                .await
                .map_err(error::domain)?
                .into_iter()
                .filter(|s| wanted.contains(&s.stop.id))
                .map(|s| Stop { data: Arc::new(s), now })
                .collect()
        };
        let r = &outcome.registration;
        let ticket_code = (!outcome.already_registered && r.status != registration::Status::Cancelled)
            .then(|| TicketCode::parse(&r.ticket_code).map(|c| c.display()).unwrap_or_else(|_| r.ticket_code.clone()));
        Ok(RegisterPayload {
            registration: Registration {
                id: ID(ids::encode("Registration", TenantId(r.tenant_id), r.id)),
                status: r.status.into(),
                waitlist_position: r.waitlist_position,
                ticket_code,
                seats: outcome.seats.clone(),
                tenant: TenantId(r.tenant_id),
            },
            already_registered: outcome.already_registered,
            alternatives,
        })
    }
}
