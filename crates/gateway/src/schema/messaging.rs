//! Organizers and messages: reminder policies, their own templates, broadcasts
//! to a stop, what each stop's messages cost, and retrying failures.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use escale_domain::DomainError;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::ids::NotificationId;
use escale_domain::messaging::organizer::{self, PolicyTarget};
use escale_domain::messaging::reminders::{Anchor, Offset, Policy, QuietHours};
use escale_domain::messaging::templates::{self, TemplateOverride};
use escale_domain::tenancy::TenantScope;
use escale_domain::text;
use escale_domain::values::Locale;

use super::auth;
use crate::{AppState, error, ids};

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "MessageChannel")]
#[graphql(remote = "templates::Channel")]
pub enum Channel {
    Email,
    Sms,
}

/// Which message (each has built-in French, Arabic and English wording).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "templates::TemplateKey")]
pub enum MessageKind {
    Confirmation,
    Waitlisted,
    Promotion,
    SessionPromotion,
    Cancellation,
    Reminder,
    /// Before a workshop the participant holds a seat in.
    SessionReminder,
    Broadcast,
    /// The stop moved in time or place.
    StopChanged,
    /// The stop is cancelled.
    StopCancelled,
}

// ---------------------------------------------------------------- policies

/// What a reminder counts back from.
#[derive(Enum, Copy, Clone, Debug, Default, Eq, PartialEq)]
#[graphql(remote = "Anchor")]
pub enum ReminderAnchor {
    /// The stop's start: one reminder per registration.
    #[default]
    Stop,
    /// The start of each workshop the participant holds a confirmed seat in:
    /// one reminder per seat, re-planned when the session moves.
    Session,
}

#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "ReminderOffsetInput")]
pub struct ReminderOffset {
    /// Minutes before the start. Whole days (1440, 10080…) keep the start's
    /// local wall-clock time across DST and Ramadan changes.
    pub minutes_before: i32,
    pub channels: Vec<Channel>,
    /// The stop (default) or each of the participant's sessions.
    #[graphql(default)]
    pub anchor: ReminderAnchor,
}

#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "QuietHoursInput")]
pub struct QuietHoursWindow {
    /// Local time in the stop's zone, `HH:MM` (e.g. `21:00`).
    pub start: String,
    /// Local time, `HH:MM` (e.g. `08:00`); before `start` spans midnight.
    pub end: String,
}

#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "ReminderPolicyInput")]
pub struct ReminderPolicy {
    pub offsets: Vec<ReminderOffset>,
    /// No SMS inside this window: an SMS that falls in it goes at its end, or
    /// not at all when that is after the start. Null: no quiet hours.
    pub quiet_hours: Option<QuietHoursWindow>,
}

fn hhmm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn parse_hhmm(field: &str, raw: &str) -> Result<i32> {
    let bad = || error::domain(DomainError::validation(field, text!("value-time-of-day", value = raw)));
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl From<Policy> for ReminderPolicy {
    fn from(p: Policy) -> Self {
        ReminderPolicy {
            offsets: p
                .offsets
                .into_iter()
                .map(|o| ReminderOffset {
                    minutes_before: o.minutes_before,
                    channels: o.channels.into_iter().map(Into::into).collect(),
                    anchor: o.anchor.into(),
                })
                .collect(),
            quiet_hours: p
                .quiet_hours
                .map(|q| QuietHoursWindow { start: hhmm(q.start_minute), end: hhmm(q.end_minute) }),
        }
    }
}

impl ReminderPolicy {
    fn into_domain(self) -> Result<Policy> {
        let quiet_hours = match self.quiet_hours {
            Some(q) => Some(QuietHours {
                start_minute: parse_hhmm("quietHours.start", &q.start)?,
                end_minute: parse_hhmm("quietHours.end", &q.end)?,
            }),
            None => None,
        };
        Ok(Policy {
            offsets: self
                .offsets
                .into_iter()
                .map(|o| Offset {
                    minutes_before: o.minutes_before,
                    channels: o.channels.into_iter().map(Into::into).collect(),
                    anchor: o.anchor.into(),
                })
                .collect(),
            quiet_hours,
        })
    }
}

#[derive(InputObject)]
pub struct SetReminderPolicyInput {
    /// The edition whose stops this policy governs…
    pub edition_id: Option<ID>,
    /// …or one stop, overriding its edition's.
    pub stop_id: Option<ID>,
    /// Null removes the policy: the stop falls back to its edition's, the
    /// edition to the default (7 days email, 1 day email + SMS, 2 hours SMS,
    /// no SMS 21:00–08:00).
    pub policy: Option<ReminderPolicy>,
}

#[derive(SimpleObject)]
pub struct SetReminderPolicyPayload {
    /// Reminders written or moved to a new time by this change.
    pub reminders_planned: u64,
    /// Reminders still to send that this change withdrew.
    pub reminders_withdrawn: u64,
}

// ---------------------------------------------------------------- templates

#[derive(InputObject)]
pub struct SaveTemplateInput {
    pub kind: MessageKind,
    pub channel: Channel,
    /// `fr`, `ar` or `en`.
    pub locale: String,
    /// Email only. Template syntax: `{{ stop.city }}`; see docs/TEMPLATES.md.
    pub subject: Option<String>,
    /// The text (email plain-text part, or the SMS).
    pub body_text: String,
    /// Email only; the built-in layout wraps it.
    pub body_html: Option<String>,
}

#[derive(SimpleObject)]
pub struct MessageTemplate {
    pub kind: MessageKind,
    pub channel: Channel,
    pub locale: String,
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<organizer::SavedTemplate> for MessageTemplate {
    fn from(t: organizer::SavedTemplate) -> Self {
        MessageTemplate {
            kind: t.key.into(),
            channel: t.channel.into(),
            locale: t.locale.to_string(),
            subject: t.subject,
            body_text: t.body_text,
            body_html: t.body_html,
            updated_at: t.updated_at,
        }
    }
}

fn parse_locale(raw: &str) -> Result<Locale> {
    raw.parse::<Locale>().map_err(|e| error::domain(DomainError::validation("locale", e.0)))
}

// ---------------------------------------------------------------- broadcast, failures

#[derive(InputObject)]
pub struct BroadcastInput {
    pub stop_id: ID,
    /// One line, up to 150 characters.
    pub subject: String,
    /// Up to 2000 characters; SMS carry it in full, so keep it short.
    pub body: String,
    /// The language of `subject` and `body` (`fr` by default): what people
    /// with no translation of their own read.
    pub locale: Option<String>,
    /// The same message in other languages: each person reads the one in
    /// their language.
    #[graphql(default)]
    pub translations: Vec<BroadcastTranslation>,
    pub channels: Vec<Channel>,
    /// Send SMS now even during quiet hours (the venue changed this morning).
    #[graphql(default)]
    pub urgent: bool,
}

#[derive(InputObject)]
pub struct BroadcastTranslation {
    /// `fr`, `ar` or `en`.
    pub locale: String,
    pub subject: String,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct BroadcastPayload {
    /// Messages written to the outbox (one per person per channel).
    pub planned: u64,
    /// Registered people no chosen channel reaches (no address or no consent).
    pub unreachable: u64,
}

#[derive(SimpleObject)]
pub struct MessageCount {
    pub channel: Channel,
    /// pending, queued, sending, sent, delivered, failed, cancelled, suppressed.
    pub status: String,
    pub count: i64,
    /// SMS parts sent (what the provider bills).
    pub sms_segments: i64,
}

#[derive(SimpleObject)]
pub struct FailedMessage {
    pub id: ID,
    pub kind: Option<MessageKind>,
    pub channel: Option<Channel>,
    pub recipient: Option<String>,
    pub attempts: i32,
    pub reason: Option<String>,
    pub failed_at: DateTime<Utc>,
}

impl FailedMessage {
    fn new(n: organizer::FailedMessage, scope: TenantScope) -> Self {
        FailedMessage {
            id: ID(ids::encode("Notification", scope.id(), n.id.0)),
            kind: Some(n.key.into()),
            channel: Some(n.channel.into()),
            recipient: n.recipient,
            attempts: n.attempts,
            reason: n.reason,
            failed_at: n.failed_at,
        }
    }
}

/// A stop's messages as organizers see them.
pub struct StopMessaging {
    stop_id: uuid::Uuid,
}

#[Object]
impl StopMessaging {
    /// The reminder policy in force: the stop's own, else its edition's, else the default.
    async fn reminder_policy(&self, ctx: &Context<'_>) -> Result<ReminderPolicy> {
        let (actor, state) = parts(ctx).await?;
        let scope = actor.require(Action::CatalogRead).map_err(error::domain)?;
        Ok(organizer::stop_policy(&state.db, scope, self.stop_id).await.map_err(error::domain)?.into())
    }

    /// Messages by channel and status, with SMS segments (the cost).
    async fn counts(&self, ctx: &Context<'_>) -> Result<Vec<MessageCount>> {
        let (actor, state) = parts(ctx).await?;
        let scope = actor.require(Action::RegistrationsRead).map_err(error::domain)?;
        let counts = organizer::stop_message_counts(&state.db, scope, self.stop_id).await.map_err(error::domain)?;
        Ok(counts
            .into_iter()
            .map(|c| MessageCount {
                channel: c.channel.into(),
                status: c.status,
                count: c.count,
                sms_segments: c.sms_segments,
            })
            .collect())
    }

    /// Messages that failed for good, most recent first, with the reason.
    async fn failed(&self, ctx: &Context<'_>, #[graphql(default = 50)] first: u32) -> Result<Vec<FailedMessage>> {
        let (actor, state) = parts(ctx).await?;
        let rows = organizer::failed(&state.db, actor, self.stop_id, u64::from(first)).await.map_err(error::domain)?;
        Ok(rows.into_iter().map(|n| FailedMessage::new(n, actor.scope)).collect())
    }
}

async fn parts<'a>(ctx: &'a Context<'_>) -> Result<(&'a Actor, &'a AppState)> {
    Ok((auth::actor(ctx).await?, ctx.data::<AppState>()?))
}

#[derive(Debug, Default)]
pub struct MessagingQuery;

#[Object]
impl MessagingQuery {
    /// A stop's messages: its reminder policy, counts and failures (organizers).
    async fn stop_messaging(&self, ctx: &Context<'_>, stop_id: ID) -> Result<StopMessaging> {
        let (actor, state) = parts(ctx).await?;
        let id = auth::own_id(&stop_id, "Stop", "stopId", "stop", actor.scope)?;
        let scope = actor.require(Action::CatalogRead).map_err(error::domain)?;
        escale_domain::catalog::find::one_stop(&state.db, scope, id).await.map_err(error::domain)?;
        Ok(StopMessaging { stop_id: id })
    }

    /// The edition's own reminder policy, or null when it uses the default.
    async fn edition_reminder_policy(&self, ctx: &Context<'_>, edition_id: ID) -> Result<Option<ReminderPolicy>> {
        let (actor, state) = parts(ctx).await?;
        let id = auth::own_id(&edition_id, "Edition", "editionId", "edition", actor.scope)?;
        let scope = actor.require(Action::CatalogRead).map_err(error::domain)?;
        escale_domain::catalog::find::one_edition(&state.db, scope, id).await.map_err(error::domain)?;
        Ok(organizer::edition_policy(&state.db, scope, id).await.map_err(error::domain)?.map(Into::into))
    }

    /// The tenant's own wordings (built-ins apply where there is none).
    async fn message_templates(&self, ctx: &Context<'_>) -> Result<Vec<MessageTemplate>> {
        let (actor, state) = parts(ctx).await?;
        let rows = organizer::templates(&state.db, actor).await.map_err(error::domain)?;
        Ok(rows.into_iter().map(MessageTemplate::from).collect())
    }

    /// How the organizer's participant pages look and where they may be
    /// framed (`settings:manage`).
    async fn tenant_look(&self, ctx: &Context<'_>) -> Result<TenantLook> {
        let (actor, state) = parts(ctx).await?;
        Ok(escale_domain::manage::look::tenant_look(&state.db, actor).await.map_err(error::domain)?.into())
    }

    /// Where the organizer's SMS may go and how many a day (`settings:manage`).
    async fn sms_limits(&self, ctx: &Context<'_>) -> Result<SmsLimits> {
        let (actor, state) = parts(ctx).await?;
        Ok(organizer::sms_limits(&state.db, actor).await.map_err(error::domain)?.into())
    }
}

/// Where an organizer's SMS may go and how many a day. An SMS past a cap
/// fails with the reason (it can be retried the next day); one to another
/// country is suppressed, and refused at registration.
#[derive(SimpleObject, InputObject, Debug)]
#[graphql(input_name = "SmsLimitsInput")]
pub struct SmsLimits {
    /// ISO 3166 codes of the countries SMS may go to (default: MA).
    pub countries: Vec<String>,
    /// SMS handed to providers in any 24 hours, for the organizer (default 2,000).
    pub daily_cap: i32,
    /// SMS to one number in any 24 hours (default 10).
    pub per_number_daily_cap: i32,
}

impl From<organizer::SmsLimits> for SmsLimits {
    fn from(l: organizer::SmsLimits) -> Self {
        SmsLimits { countries: l.countries, daily_cap: l.daily_cap, per_number_daily_cap: l.per_number_daily_cap }
    }
}

/// How an organizer's participant pages look, and which of its own sites may
/// show them in an `<iframe>`. Null or empty parts use the platform's default.
#[derive(SimpleObject, InputObject, Debug)]
#[graphql(input_name = "TenantLookInput")]
pub struct TenantLook {
    /// `#RRGGBB`, dark enough for white text at 4.5:1 (WCAG AA).
    pub accent_color: Option<String>,
    /// A PNG, JPEG or WebP image as a data: URL, at most 48 KiB.
    pub logo: Option<String>,
    /// Origins (`https://www.example.ma`) that may frame the stop and
    /// registration pages; at most 10.
    #[graphql(default)]
    pub embed_origins: Vec<String>,
}

impl From<escale_domain::manage::look::TenantLook> for TenantLook {
    fn from(l: escale_domain::manage::look::TenantLook) -> Self {
        TenantLook { accent_color: l.accent_color, logo: l.logo, embed_origins: l.embed_origins }
    }
}

#[derive(Debug, Default)]
pub struct MessagingMutation;

#[Object]
impl MessagingMutation {
    /// Sets the organizer's look and the sites that may frame its pages; audited.
    async fn set_tenant_look(&self, ctx: &Context<'_>, input: TenantLook) -> Result<TenantLook> {
        let (actor, state) = parts(ctx).await?;
        let look = escale_domain::manage::look::TenantLook {
            accent_color: input.accent_color,
            logo: input.logo,
            embed_origins: input.embed_origins,
        };
        Ok(escale_domain::manage::look::set_tenant_look(&state.db, actor, look, Utc::now())
            .await
            .map_err(error::domain)?
            .into())
    }

    /// Sets where the organizer's SMS may go and how many a day; audited.
    async fn set_sms_limits(&self, ctx: &Context<'_>, input: SmsLimits) -> Result<SmsLimits> {
        let (actor, state) = parts(ctx).await?;
        let limits = organizer::SmsLimits {
            countries: input.countries,
            daily_cap: input.daily_cap,
            per_number_daily_cap: input.per_number_daily_cap,
        };
        Ok(organizer::set_sms_limits(&state.db, actor, limits, Utc::now()).await.map_err(error::domain)?.into())
    }

    /// Sets or removes the reminder policy of an edition or a stop; every
    /// reminder it governs is re-planned at once (none already sent is sent again).
    async fn set_reminder_policy(
        &self,
        ctx: &Context<'_>,
        input: SetReminderPolicyInput,
    ) -> Result<SetReminderPolicyPayload> {
        let (actor, state) = parts(ctx).await?;
        let target = match (&input.edition_id, &input.stop_id) {
            (Some(e), None) => PolicyTarget::Edition(auth::own_id(e, "Edition", "editionId", "edition", actor.scope)?),
            (None, Some(s)) => PolicyTarget::Stop(auth::own_id(s, "Stop", "stopId", "stop", actor.scope)?),
            _ => return Err(error::domain(DomainError::validation("editionId", text!("edition-or-stop-not-both")))),
        };
        let policy = input.policy.map(ReminderPolicy::into_domain).transpose()?;
        let r = organizer::set_reminder_policy(&state.db, actor, target, policy, Utc::now())
            .await
            .map_err(error::domain)?;
        Ok(SetReminderPolicyPayload { reminders_planned: r.planned, reminders_withdrawn: r.withdrawn })
    }

    /// Saves the tenant's wording of a message. It is rendered against a sample
    /// first: an unknown variable or a syntax error is refused now, with the
    /// reason, rather than failing at send time.
    async fn save_message_template(&self, ctx: &Context<'_>, input: SaveTemplateInput) -> Result<MessageTemplate> {
        let (actor, state) = parts(ctx).await?;
        let locale = parse_locale(&input.locale)?;
        let custom =
            TemplateOverride { subject: input.subject, body_text: input.body_text, body_html: input.body_html };
        let now = Utc::now();
        organizer::save_template(
            &state.db,
            actor,
            input.kind.into(),
            input.channel.into(),
            locale,
            custom.clone(),
            now,
        )
        .await
        .map_err(error::domain)?;
        Ok(MessageTemplate {
            kind: input.kind,
            channel: input.channel,
            locale: locale.as_str().to_owned(),
            subject: custom.subject,
            body_text: custom.body_text,
            body_html: custom.body_html,
            updated_at: now,
        })
    }

    /// Goes back to the built-in wording; false when there was no override.
    async fn reset_message_template(
        &self,
        ctx: &Context<'_>,
        kind: MessageKind,
        channel: Channel,
        locale: String,
    ) -> Result<bool> {
        let (actor, state) = parts(ctx).await?;
        let locale = parse_locale(&locale)?;
        organizer::reset_template(&state.db, actor, kind.into(), channel.into(), locale, Utc::now())
            .await
            .map_err(error::domain)
    }

    /// Sends a message to everyone registered for a stop (confirmed or waiting),
    /// by the channels they agreed to; SMS wait for the end of quiet hours
    /// unless `urgent`.
    async fn broadcast(&self, ctx: &Context<'_>, input: BroadcastInput) -> Result<BroadcastPayload> {
        let (actor, state) = parts(ctx).await?;
        let stop_id = auth::own_id(&input.stop_id, "Stop", "stopId", "stop", actor.scope)?;
        let mut channels: Vec<templates::Channel> = input.channels.into_iter().map(Into::into).collect();
        channels.dedup();
        let locale = match input.locale.as_deref() {
            Some(raw) => parse_locale(raw)?,
            None => Locale::Fr,
        };
        let mut translations = Vec::with_capacity(input.translations.len());
        for t in input.translations {
            translations.push((parse_locale(&t.locale)?, t.subject, t.body));
        }
        let broadcast = organizer::Broadcast {
            stop_id,
            subject: input.subject,
            body: input.body,
            locale,
            translations,
            channels,
            urgent: input.urgent,
        };
        let out = organizer::broadcast(&state.db, actor, broadcast, Utc::now()).await.map_err(error::domain)?;
        if let Some(signal) = &state.outbox_signal {
            signal();
        }
        Ok(BroadcastPayload { planned: out.planned, unreachable: out.unreachable })
    }

    /// Sends failed messages again (attempts reset). Returns how many.
    async fn retry_messages(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<u64> {
        let (actor, state) = parts(ctx).await?;
        let ids = ids
            .iter()
            .map(|id| auth::own_id(id, "Notification", "ids", "notification", actor.scope).map(NotificationId))
            .collect::<Result<Vec<_>>>()?;
        let n = organizer::retry(&state.db, actor, &ids, Utc::now()).await.map_err(error::domain)?;
        if let Some(signal) = &state.outbox_signal {
            signal();
        }
        Ok(n)
    }
}
