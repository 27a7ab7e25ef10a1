use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use escale_domain::ids::{SessionId, StopId, TenantId};
use escale_domain::registration::RegistrationStatus as RegistrationState;
use escale_domain::registration::{Consents, Profile, RegisterInput as DomainInput, register};
use escale_domain::tenancy::TenantScope;
use escale_domain::text;

use async_graphql::{ComplexObject, Enum};
use escale_domain::access::accounts;

use super::auth::{RequestAuth, throttle, throttle_address};
use super::objects::Stop;
use crate::limits::Bucket;
use crate::{AppState, error, ids};

/// Mutations anyone may call: registering, logging in and out.
#[derive(Debug, Default)]
pub struct PublicMutation;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "escale_domain::registration::RegistrationStatus")]
pub enum RegistrationStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
}

/// A participant's place at a stop.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Registration {
    pub id: ID,
    pub status: RegistrationStatus,
    /// Position on the waiting list (1 = next in), when waitlisted: the live
    /// rank among those still waiting, which moves up as others leave.
    pub waitlist_position: Option<i32>,
    /// The entry code, shown as `XXXXX-XXXXX`. Only returned to the request that
    /// created the registration; a repeat registration gets null (the code was
    /// sent to the participant's own email or phone).
    pub ticket_code: Option<String>,
    #[graphql(skip)]
    pub seats: Vec<escale_domain::registration::Seat>,
    #[graphql(skip)]
    pub tenant: TenantId,
}

impl Registration {
    /// The ticket code is shown only where the caller may see it.
    pub fn new(
        r: &escale_domain::registration::Registration,
        seats: Vec<escale_domain::registration::Seat>,
        show_code: bool,
    ) -> Self {
        Registration {
            id: ID(ids::encode("Registration", r.tenant, r.id.0)),
            status: r.status.into(),
            waitlist_position: r.waitlist_position,
            ticket_code: show_code.then(|| r.display_code()),
            seats,
            tenant: r.tenant,
        }
    }
}

#[ComplexObject]
impl Registration {
    /// The participant's workshops at this stop.
    async fn sessions(&self) -> Vec<SessionSeat> {
        self.seats
            .iter()
            .map(|s| SessionSeat {
                session_id: ID(ids::encode("Session", self.tenant, s.session_id.0)),
                status: s.status.into(),
                waitlist_position: s.waitlist_position,
            })
            .collect()
    }
}

/// A seat in one session.
#[derive(SimpleObject)]
pub struct SessionSeat {
    pub session_id: ID,
    pub status: RegistrationStatus,
    pub waitlist_position: Option<i32>,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// The organizer to act for (its slug); may be omitted by people who belong
    /// to only one.
    pub tenant: Option<String>,
}

#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send it as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    pub expires_at: chrono::DateTime<Utc>,
}

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
    /// A question for the organizers and speakers, asked now (more can be
    /// asked later with `askQuestion`).
    pub question: Option<super::people::QuestionInput>,
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
    /// SMS were asked for, but this number replied STOP earlier: none will go
    /// until it replies START. `notice` says so in the person's language.
    pub sms_blocked: bool,
    /// What the person should know beside the answer (why no SMS will come),
    /// in their language; null when nothing.
    pub notice: Option<String>,
}

#[Object]
impl PublicMutation {
    /// Registers a participant for a stop (no account needed). The confirmation
    /// — or the waiting-list notice — goes out by email, and by SMS when a
    /// mobile number and SMS consent are given.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<RegisterPayload> {
        let state = ctx.data::<AppState>()?;
        // She registers in her language: her errors speak it too.
        if let Some(lang) = input.locale.as_deref().and_then(escale_domain::Lang::parse) {
            crate::lang::prefer(lang);
        }
        let stop = ids::decode(&input.stop_id, "Stop").map_err(|e| error::bad_id("stopId", "stop", &e))?;
        throttle_address(ctx, Bucket::RegisterPerAddress).await?;
        throttle(ctx, Bucket::RegisterPerStop, &stop.id.to_string()).await?;
        let scope = TenantScope::new(stop.tenant);
        let mut session_ids = Vec::with_capacity(input.session_ids.len());
        for raw in &input.session_ids {
            let session = ids::decode(raw, "Session").map_err(|e| error::bad_id("sessionIds", "session", &e))?;
            if session.tenant != stop.tenant {
                return Err(error::domain(escale_domain::DomainError::validation(
                    "sessionIds",
                    text!("register-session-elsewhere"),
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
            question: input.question.map(|q| q.into_domain(stop.tenant)).transpose()?,
        };
        let now = Utc::now();
        let outcome = register(&state.db, scope, &domain_input, now).await.map_err(error::domain)?;
        if !outcome.already_registered {
            let status = match outcome.registration.status {
                RegistrationState::Confirmed => "confirmed",
                RegistrationState::Waitlisted => "waitlisted",
                RegistrationState::Cancelled => "cancelled",
            };
            metrics::counter!("escale_registrations_total", "status" => status).increment(1);
            if let Some(signal) = &state.outbox_signal {
                signal();
            }
        }
        // Nested fields of the alternatives load through the DataLoaders, only
        // if the client asks for them: a full stop's waiting list stays cheap.
        let alternatives =
            outcome.alternatives.iter().map(|s| Stop::new(s.clone(), super::objects::Vis::Public, now)).collect();
        let r = &outcome.registration;
        let show_code = !outcome.already_registered && r.status != RegistrationState::Cancelled;
        Ok(RegisterPayload {
            registration: Registration::new(r, outcome.seats.clone(), show_code),
            already_registered: outcome.already_registered,
            alternatives,
            sms_blocked: outcome.sms_blocked,
            notice: outcome.sms_blocked.then(|| escale_domain::text!("sms-blocked").render(crate::lang::current())),
        })
    }

    /// Logs an organizer's team member in; the token acts for one organizer.
    /// Wrong credentials, an unknown email and a non-member get the same
    /// UNAUTHENTICATED answer; repeated attempts are RATE_LIMITED.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
        let state = ctx.data::<AppState>()?;
        let ip = ctx.data_opt::<crate::http::ClientIp>().map(|c| c.0);
        state
            .limits
            .check_login(&input.email, ip)
            .await
            .map_err(|wait| error::rate_limited(crate::limits::retry_after_secs(wait)))?;
        let login = accounts::login(&state.db, &input.email, &input.password, input.tenant.as_deref(), Utc::now())
            .await
            .map_err(error::domain)?;
        Ok(LoginPayload { token: login.token, expires_at: login.expires_at })
    }

    /// Revokes the token of this request. True when a live session ended.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let Some(token) = ctx.data::<std::sync::Arc<RequestAuth>>()?.token.as_deref() else {
            return Err(error::unauthenticated());
        };
        accounts::logout(&state.db, token, Utc::now()).await.map_err(error::domain)
    }
}
