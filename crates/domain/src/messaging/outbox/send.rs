//! Starting a send: the row moves to `sending` once, and the message is rendered from the current state of the stop, the person and the tenant.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use uuid::Uuid;

use super::finish::{RETRY_BASE, finish, finish_retry};
use crate::catalog::Translations;
use crate::entities::notification::Status;

use crate::entities::{
    edition, notification, participant, registration, series, session, session_seat, stop, template, tenant,
};
use crate::error::{DomainError, DomainResult};
use crate::ids::{NotificationId, TenantId};
use crate::messaging::calendar::EventText;
use crate::messaging::templates::{
    self, BroadcastVars, ChangeVars, Channel, EditionVars, EmailContent, MessageContext, ParticipantVars,
    RegistrationVars, SeriesVars, SessionVars, SmsContent, StopVars, TemplateKey, TenantVars,
};
use crate::tenancy::TenantScope;
use crate::values::{EmailAddress, Locale, PhoneNumber, TicketCode};

/// An email ready for a transport.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: EmailAddress,
    /// The tenant's sender, if it set one; the worker's default otherwise.
    pub from_address: Option<String>,
    pub from_name: String,
    pub content: EmailContent,
    pub locale: Locale,
    /// The ticket's QR code, to attach inline as [`TICKET_QR_CID`].
    pub qr_png: Option<Vec<u8>>,
    /// The stop as an iCalendar event (`text/calendar`), for the participant's calendar.
    pub ics: Option<String>,
    /// The signed unsubscribe link, for `List-Unsubscribe` (and its one-click POST).
    pub unsubscribe_url: Option<String>,
}

/// What the sender knows that the database does not.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    /// The gateway's public address (`https://escale.example.org`), for links in
    /// messages. Without it, messages carry no links.
    pub public_url: Option<url::Url>,
}

/// The Content-ID the HTML refers to (`cid:ticket-qr`) for the inline QR image.
pub const TICKET_QR_CID: &str = "ticket-qr";

/// An SMS ready for a provider.
#[derive(Debug, Clone)]
pub struct OutgoingSms {
    pub to: PhoneNumber,
    pub sender_id: Option<String>,
    pub content: SmsContent,
}

#[derive(Debug, Clone)]
pub enum OutgoingMessage {
    Email(OutgoingEmail),
    Sms(OutgoingSms),
}

/// One message to send now, with what identifies it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: NotificationId,
    pub tenant_id: TenantId,
    pub idempotency_key: String,
    pub attempt: i32,
    /// The request that planned it, for the worker's log lines.
    pub request_id: Option<String>,
    pub message: OutgoingMessage,
}

/// What the sender should do with a claimed notification.
#[derive(Debug)]
pub enum SendDecision {
    Send(Box<Outgoing>),
    /// Someone else has it, or it is already done: nothing to do.
    AlreadyHandled,
    /// Not to be sent (consent withdrawn, opted out, registration cancelled…);
    /// the row has been marked with the reason.
    Skipped {
        status: Status,
        reason: String,
    },
}

/// Moves a claimed notification to `sending` — only one caller can win this —
/// then checks at send time that it may still be sent (consent and opt-out are
/// honoured now, not only when planned) and renders it from the current state.
pub async fn start_sending(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: NotificationId,
    options: &SendOptions,
    now: DateTime<Utc>,
) -> DomainResult<SendDecision> {
    let mut decided = start_sending_many(db, scope, &[id], options, now).await?;
    Ok(decided.pop().map_or(SendDecision::AlreadyHandled, |(_, d)| d))
}

/// [`start_sending`] for a batch of one tenant's notifications, in a constant
/// number of statements whatever its size: one UPDATE decides which rows this
/// caller sends (RETURNING them) — on PostgreSQL a heap-only update, as no
/// index names `status` (migration 12) — then what they are about is read together
/// (subjects, opt-outs, workshop seats, the tenant's templates and link
/// secret). Rows someone else has are `AlreadyHandled`; each decision comes
/// back with its id, in the order of `ids`.
pub async fn start_sending_many(
    db: &DatabaseConnection,
    scope: TenantScope,
    ids: &[NotificationId],
    options: &SendOptions,
    now: DateTime<Utc>,
) -> DomainResult<Vec<(NotificationId, SendDecision)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let uuids: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
    let won = notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(Status::Sending.to_value()))
        .col_expr(notification::Column::Attempts, Expr::col(notification::Column::Attempts).add(1))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(crate::db::is_any(db.get_database_backend(), notification::Column::Id, &uuids))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(
            notification::Column::Status
                .eq(Status::Queued)
                .or(notification::Column::Status.eq(Status::Pending).and(notification::Column::ScheduledAt.lte(now))),
        )
        .exec_with_returning(db)
        .await?;
    let lookups = Lookups::read(db, scope, &won, options, now).await?;
    let mut won: HashMap<Uuid, notification::Model> = won.into_iter().map(|r| (r.id, r)).collect();
    let rows: Vec<(NotificationId, Option<notification::Model>)> =
        ids.iter().map(|id| (*id, won.remove(&id.0))).collect();
    // Rendering runs tenants' templates: on the blocking pool, so that a
    // template at the edge of its budget holds up no other tenant's batch on
    // the async threads (each render is bounded by `sandbox`'s fuel).
    let options_owned = options.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        let mut lookups = lookups;
        let mut budget = SmsBudget::new(&mut lookups);
        rows.into_iter()
            .map(|(id, row)| {
                let prepared = row.as_ref().map(|row| prepare(&lookups, &mut budget, scope, row, &options_owned, now));
                (id, row, prepared)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| DomainError::internal(format!("rendering stopped: {e}")))?;
    let mut out = Vec::with_capacity(ids.len());
    for (id, row, prepared) in prepared {
        let (Some(row), Some(prepared)) = (row, prepared) else {
            out.push((id, SendDecision::AlreadyHandled));
            continue;
        };
        let decision = match prepared {
            Ok(Prepared::Ready(message)) => SendDecision::Send(Box::new(Outgoing {
                id,
                tenant_id: scope.id(),
                idempotency_key: row.idempotency_key,
                attempt: row.attempts,
                request_id: row.request_id,
                message,
            })),
            Ok(Prepared::Skip(status, reason)) => {
                finish(db, scope, id, status, Some(reason.clone()), now).await?;
                SendDecision::Skipped { status, reason }
            }
            Err(DomainError::Internal(reason)) if reason.starts_with(RENDER_FAILURE) => {
                // A template that cannot render will not render on retry either.
                finish(db, scope, id, Status::Failed, Some(reason.clone()), now).await?;
                SendDecision::Skipped { status: Status::Failed, reason }
            }
            Err(other) => {
                // One unreadable row (a stored address no longer valid…) must not
                // hold up its batch: it backs off like a transient failure and
                // fails for good after its attempts.
                let reason = other.to_string();
                let status = finish_retry(db, scope, id, row.attempts, &reason, RETRY_BASE, now).await?;
                SendDecision::Skipped { status, reason }
            }
        };
        out.push((id, decision));
    }
    Ok(out)
}

pub(super) const RENDER_FAILURE: &str = "cannot render: ";

pub(super) enum Prepared {
    Ready(OutgoingMessage),
    Skip(Status, String),
}

/// What a batch of one tenant's messages needs from the database, read once.
pub(super) struct Lookups {
    tenant: Option<tenant::Model>,
    /// Registrations with their participant, by registration id.
    people: HashMap<Uuid, (registration::Model, participant::Model)>,
    /// Stops with their edition and series, by stop id: a batch is mostly
    /// about one stop, read once rather than once per message.
    places: HashMap<Uuid, Place>,
    /// `(channel, address)` pairs that opted out, among the batch's addresses.
    opted_out: HashSet<(Channel, String)>,
    /// Live workshop seats by registration id.
    seats: HashMap<Uuid, Vec<session_seat::Model>>,
    /// The seats' sessions, by start time.
    sessions: Vec<session::Model>,
    /// The tenant's own wording, all of it (a few dozen rows at most).
    templates: Vec<template::Model>,
    /// Only when emails in the batch will carry an unsubscribe link.
    signer: Option<crate::access::links::Signer>,
    /// SMS handed to providers in the last 24 hours, by number, when the
    /// batch has SMS: what the tenant's daily caps are checked against.
    sms_sent: HashMap<String, i64>,
}

/// What is left of the tenant's SMS caps while a batch is prepared: each SMS
/// the batch will send counts at once, so one batch cannot pass a cap.
/// Batches prepared at the same moment by two workers may pass it by at most
/// a batch.
struct SmsBudget {
    tenant_left: i64,
    per_number_cap: i64,
    sent: HashMap<String, i64>,
}

impl SmsBudget {
    /// Takes the batch's counts from `lookups`: only the budget reads them.
    fn new(lookups: &mut Lookups) -> Self {
        let (daily, per_number) =
            lookups.tenant.as_ref().map_or((0, 0), |t| (t.sms_daily_cap, t.sms_per_number_daily_cap));
        let sent = std::mem::take(&mut lookups.sms_sent);
        Self { tenant_left: i64::from(daily) - sent.values().sum::<i64>(), per_number_cap: i64::from(per_number), sent }
    }

    /// Takes one SMS to `number` from the budget, or says which cap stops it.
    fn take(&mut self, number: &str, daily_cap: i32) -> Result<(), String> {
        if self.tenant_left <= 0 {
            return Err(format!("{}{daily_cap} SMS in 24 hours", crate::messaging::sms::SMS_TENANT_CAP));
        }
        let sent = self.sent.entry(number.to_owned()).or_default();
        if *sent >= self.per_number_cap {
            return Err(format!("{}{} SMS in 24 hours", crate::messaging::sms::SMS_NUMBER_CAP, self.per_number_cap));
        }
        *sent += 1;
        self.tenant_left -= 1;
        Ok(())
    }
}

/// SMS handed to a provider since `since`, by number (the partial index
/// `ix_notification_sms_sent` holds exactly these rows).
async fn sms_sent_since(
    db: &DatabaseConnection,
    scope: TenantScope,
    since: DateTime<Utc>,
) -> DomainResult<HashMap<String, i64>> {
    let rows: Vec<(Option<String>, i64)> = notification::Entity::find()
        .select_only()
        .column(notification::Column::Recipient)
        .column_as(notification::Column::Id.count(), "n")
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::Channel.eq(Channel::Sms.as_str()))
        .filter(notification::Column::SentAt.is_not_null())
        .filter(notification::Column::SentAt.gte(since))
        .group_by(notification::Column::Recipient)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(number, n)| (number.unwrap_or_default(), n)).collect())
}

/// Where and in what a registration's stop takes place.
pub(super) struct Place {
    stop: stop::Model,
    edition: edition::Model,
    series: series::Model,
}

impl Lookups {
    /// A statement per kind of thing, each over the whole batch (ids as one
    /// array on PostgreSQL: see [`crate::db::any_of`]). One joined read of
    /// all six tables was tried first and cost more: its plan depended on
    /// fresh statistics and its planning on the list's length.
    async fn read(
        db: &DatabaseConnection,
        scope: TenantScope,
        rows: &[notification::Model],
        options: &SendOptions,
        now: DateTime<Utc>,
    ) -> DomainResult<Lookups> {
        let mut lookups = Lookups {
            tenant: None,
            people: HashMap::new(),
            places: HashMap::new(),
            opted_out: HashSet::new(),
            seats: HashMap::new(),
            sessions: Vec::new(),
            templates: Vec::new(),
            signer: None,
            sms_sent: HashMap::new(),
        };
        let registrations: Vec<Uuid> = rows.iter().filter_map(|r| r.registration_id).collect();
        if registrations.is_empty() {
            return Ok(lookups);
        }
        let backend = db.get_database_backend();
        lookups.people = people(db, scope, &registrations).await?;
        let stops: Vec<Uuid> =
            lookups.people.values().map(|(r, _)| r.stop_id).collect::<HashSet<_>>().into_iter().collect();
        lookups.places = places(db, scope, &stops).await?;
        lookups.tenant = tenant::Entity::find_by_id(scope.uuid()).one(db).await?;
        lookups.opted_out =
            crate::messaging::reminders::opt_outs(db, scope, lookups.people.values().map(|(_, p)| p)).await?;
        let seats = session_seat::Entity::find()
            .filter(session_seat::Column::TenantId.eq(scope.uuid()))
            .filter(crate::db::is_any(backend, session_seat::Column::RegistrationId, &registrations))
            .filter(session_seat::Column::Status.ne(registration::Status::Cancelled))
            .all(db)
            .await?;
        if !seats.is_empty() {
            let ids: Vec<Uuid> = seats.iter().map(|s| s.session_id).collect::<HashSet<_>>().into_iter().collect();
            lookups.sessions = session::Entity::find()
                .filter(session::Column::TenantId.eq(scope.uuid()))
                .filter(crate::db::is_any(backend, session::Column::Id, &ids))
                .order_by_asc(session::Column::StartsAt)
                .all(db)
                .await?;
        }
        for seat in seats {
            lookups.seats.entry(seat.registration_id).or_default().push(seat);
        }
        lookups.templates =
            template::Entity::find().filter(template::Column::TenantId.eq(scope.uuid())).all(db).await?;
        if rows.iter().any(|r| r.channel == Channel::Sms) {
            lookups.sms_sent = sms_sent_since(db, scope, now - chrono::Duration::hours(24)).await?;
        }
        // Every message about a registration links to its page.
        if options.public_url.is_some() {
            lookups.signer = Some(crate::access::links::signer(db, scope, now).await?);
        }
        Ok(lookups)
    }

    /// The tenant's own wording for this message, if it saved one.
    fn template(&self, key: TemplateKey, channel: Channel, locale: Locale) -> Option<templates::TemplateOverride> {
        self.templates.iter().find(|t| t.key == key && t.channel == channel && t.locale == locale).map(|t| {
            templates::TemplateOverride {
                subject: t.subject.clone(),
                body_text: t.body_text.clone(),
                body_html: t.body_html.clone(),
            }
        })
    }
}

fn prepare(
    lookups: &Lookups,
    budget: &mut SmsBudget,
    scope: TenantScope,
    row: &notification::Model,
    options: &SendOptions,
    now: DateTime<Utc>,
) -> DomainResult<Prepared> {
    let channel: Channel = row.channel;
    let template: TemplateKey = row.template_key;
    let locale: Locale = row.locale;
    let Some(registration_id) = row.registration_id else {
        return Ok(Prepared::Skip(Status::Failed, "no registration to describe".to_owned()));
    };
    let Some((registration, person)) = lookups.people.get(&registration_id) else {
        return Ok(Prepared::Skip(Status::Failed, "its registration no longer exists".to_owned()));
    };
    let (Some(tenant), Some(Place { stop, edition, series })) =
        (lookups.tenant.as_ref(), lookups.places.get(&registration.stop_id))
    else {
        return Ok(Prepared::Skip(Status::Failed, "its stop no longer exists".to_owned()));
    };
    if person.id != row.participant_id {
        return Ok(Prepared::Skip(Status::Failed, "the registration belongs to someone else".to_owned()));
    }
    // Everything but the cancellation notice itself is moot once cancelled.
    if registration.status == registration::Status::Cancelled && template != TemplateKey::Cancellation {
        return Ok(Prepared::Skip(Status::Cancelled, "registration cancelled".to_owned()));
    }
    // Who to write to, decided now: the address may have changed, consent may
    // have been withdrawn, the person may have opted out since planning.
    let address = match channel {
        Channel::Email => person.email.clone(),
        Channel::Sms => person.phone.clone(),
    };
    let Some(address) = address else {
        return Ok(Prepared::Skip(Status::Suppressed, format!("participant has no {channel} address")));
    };
    if channel == Channel::Sms && person.consent_sms_at.is_none() {
        return Ok(Prepared::Skip(Status::Suppressed, "SMS consent withdrawn".to_owned()));
    }
    // Confirmations and notices about a registration are owed to its owner;
    // reminders and broadcasts by email need the consent to them.
    if channel == Channel::Email
        && matches!(template, TemplateKey::Reminder | TemplateKey::SessionReminder | TemplateKey::Broadcast)
        && person.consent_email_at.is_none()
    {
        return Ok(Prepared::Skip(Status::Suppressed, "email reminders consent withdrawn".to_owned()));
    }
    if lookups.opted_out.contains(&(channel, address.clone())) {
        return Ok(Prepared::Skip(Status::Suppressed, format!("{channel} address opted out")));
    }

    // The workshop a message is about, when it is about one.
    let about_session: Option<Uuid> =
        row.payload.as_ref().and_then(|p| p.get("session_id")).and_then(|v| serde_json::from_value(v.clone()).ok());
    let mut ctx = message_context(lookups, tenant, person, registration, stop, edition, series, locale, about_session);
    if template == TemplateKey::SessionReminder
        && ctx.session.as_ref().is_none_or(|s| s.status != registration::Status::Confirmed.to_value())
    {
        return Ok(Prepared::Skip(Status::Cancelled, "no longer holds a seat in this workshop".to_owned()));
    }
    if template == TemplateKey::Broadcast {
        let Some(broadcast) = row.payload.as_ref().and_then(|p| BroadcastVars::from_payload(p, locale)) else {
            return Ok(Prepared::Skip(Status::Failed, "broadcast without its text".to_owned()));
        };
        ctx.broadcast = Some(broadcast);
    }
    if template == TemplateKey::StopChanged {
        let Some(before) = row
            .payload
            .as_ref()
            .and_then(|p| serde_json::from_value::<crate::messaging::notices::Before>(p.clone()).ok())
        else {
            return Ok(Prepared::Skip(Status::Failed, "change notice without what changed".to_owned()));
        };
        ctx.change = Some(change_vars(&before, stop, locale));
    }
    let unsubscribe_url = match (&options.public_url, &lookups.signer, channel) {
        (Some(base), Some(signer), Channel::Email) => Some(unsubscribe_url(signer, scope, base, person.id)?),
        _ => None,
    };
    ctx.unsubscribe_url.clone_from(&unsubscribe_url);
    if let (Some(base), Some(signer)) = (&options.public_url, &lookups.signer) {
        ctx.manage_url = Some(manage_url(signer, base, registration.id)?);
    }
    let custom = lookups.template(template, channel, locale);
    // The ticket's QR code rides along in emails that give the entry code.
    let qr_png = if channel == Channel::Email
        && registration.status == registration::Status::Confirmed
        && matches!(template, TemplateKey::Confirmation | TemplateKey::Promotion)
        && let Ok(ticket) = TicketCode::parse(&registration.ticket_code)
    {
        ctx.registration.qr_image = Some(format!("cid:{TICKET_QR_CID}"));
        Some(crate::messaging::qr::png(&ticket, 8)?)
    } else {
        None
    };
    let render_err = |e: templates::TemplateError| DomainError::internal(format!("{RENDER_FAILURE}{e}"));
    let message = match channel {
        Channel::Email => {
            let to = EmailAddress::parse(&address)
                .map_err(|e| DomainError::internal(format!("stored email address invalid: {e}")))?;
            let content = templates::render_email(template, locale, custom.as_ref(), &ctx).map_err(render_err)?;
            let ics = (registration.status == registration::Status::Confirmed
                && matches!(
                    template,
                    TemplateKey::Confirmation
                        | TemplateKey::Promotion
                        | TemplateKey::Reminder
                        | TemplateKey::StopChanged
                        | TemplateKey::StopCancelled
                ))
            .then(|| {
                let text = EventText {
                    summary: format!("{} — {}", ctx.series.name, ctx.stop.name),
                    description: format!(
                        "{} {} ({}, {})\n{}: {}",
                        ctx.stop.date,
                        ctx.stop.time,
                        ctx.stop.city,
                        ctx.stop.time_zone,
                        crate::messaging::calendar::entry_code_label(locale),
                        ctx.registration.ticket_code
                    ),
                    organizer_name: tenant.name.clone(),
                };
                crate::messaging::calendar::stop_event(stop, &text, now)
            });
            OutgoingMessage::Email(OutgoingEmail {
                to,
                from_address: tenant.email_sender.clone(),
                from_name: tenant.email_sender_name.clone().unwrap_or_else(|| tenant.name.clone()),
                content,
                locale,
                qr_png,
                ics,
                unsubscribe_url,
            })
        }
        Channel::Sms => {
            let to = PhoneNumber::from_e164(&address)
                .map_err(|e| DomainError::internal(format!("stored phone number invalid: {e}")))?;
            if !to.can_receive_sms() {
                return Ok(Prepared::Skip(Status::Suppressed, "number cannot receive SMS".to_owned()));
            }
            if let Err(reason) = crate::messaging::sms::country_allowed(&tenant.sms_countries, &to) {
                return Ok(Prepared::Skip(Status::Suppressed, reason.to_string()));
            }
            if let Err(reason) = budget.take(to.as_e164(), tenant.sms_daily_cap) {
                return Ok(Prepared::Skip(Status::Failed, reason));
            }
            let content = templates::render_sms(template, locale, custom.as_ref(), &ctx).map_err(render_err)?;
            if content.length.segments > templates::MAX_SMS_SEGMENTS {
                return Ok(Prepared::Skip(
                    Status::Failed,
                    format!("SMS too long: {} segments", content.length.segments),
                ));
            }
            OutgoingMessage::Sms(OutgoingSms { to, sender_id: tenant.sms_sender_id.clone(), content })
        }
    };
    Ok(Prepared::Ready(message))
}

/// Localised date formats: chrono carries the month and day names (glibc's
/// locale data), including Moroccan Arabic month names for `ar`.
pub(super) fn chrono_locale(locale: Locale) -> chrono::Locale {
    match locale {
        Locale::Fr => chrono::Locale::fr_FR,
        Locale::Ar => chrono::Locale::ar_MA,
        Locale::En => chrono::Locale::en_GB,
    }
}

/// `alias."col" AS "alias_col", …` for every column of `E`: a joined read that
/// follows the entities as their columns change.
pub(super) fn columns_of<E: EntityTrait>(alias: &str) -> String {
    E::Column::iter()
        .map(|c| format!("{alias}.\"{name}\" AS \"{alias}_{name}\"", name = c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each registration with its participant, from current data, in two
/// primary-key lookups. A join of the two tables, filtered by tenant, was
/// read here before: with statistics taken while the tables were nearly
/// empty (a tenant's first import, before autovacuum's next pass) PostgreSQL
/// walked every participant of the tenant for each registration, 2.4 s per
/// 64-row job. Nothing but the key is in the statement, so its only plan is
/// the primary key's index, whatever the statistics say
/// (`send_path_reads`, tested on 100k rows without fresh statistics); the
/// tenant is checked on the rows read.
async fn people(
    db: &DatabaseConnection,
    scope: TenantScope,
    registrations: &[Uuid],
) -> DomainResult<HashMap<Uuid, (registration::Model, participant::Model)>> {
    let backend = db.get_database_backend();
    let registrations: Vec<registration::Model> = registrations_by_id(backend, registrations)
        .all(db)
        .await?
        .into_iter()
        .filter(|r| r.tenant_id == scope.uuid())
        .collect();
    let ids: Vec<Uuid> = registrations.iter().map(|r| r.participant_id).collect::<HashSet<_>>().into_iter().collect();
    let participants: HashMap<Uuid, participant::Model> = participants_by_id(backend, &ids)
        .all(db)
        .await?
        .into_iter()
        .filter(|p| p.tenant_id == scope.uuid())
        .map(|p| (p.id, p))
        .collect();
    // A participant erased between the two reads leaves nobody to write to.
    Ok(registrations
        .into_iter()
        .filter_map(|r| {
            let person = participants.get(&r.participant_id)?.clone();
            Some((r.id, (r, person)))
        })
        .collect())
}

fn registrations_by_id(backend: DbBackend, ids: &[Uuid]) -> sea_orm::Select<registration::Entity> {
    registration::Entity::find().filter(crate::db::is_any(backend, registration::Column::Id, ids))
}

fn participants_by_id(backend: DbBackend, ids: &[Uuid]) -> sea_orm::Select<participant::Entity> {
    participant::Entity::find().filter(crate::db::is_any(backend, participant::Column::Id, ids))
}

/// The statements the send path reads a batch's people and seats with, as
/// `start_sending_many` builds them, for a test to EXPLAIN on a database
/// without statistics: their plans must not depend on ANALYZE.
#[doc(hidden)]
pub fn send_path_reads(backend: DbBackend, registrations: &[Uuid], participants: &[Uuid]) -> Vec<Statement> {
    vec![
        registrations_by_id(backend, registrations).build(backend),
        participants_by_id(backend, participants).build(backend),
    ]
}

/// Each stop with its edition and series.
pub(super) async fn places(
    db: &DatabaseConnection,
    scope: TenantScope,
    stops: &[Uuid],
) -> DomainResult<HashMap<Uuid, Place>> {
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = vec![scope.uuid().into()];
    let sql = format!(
        "SELECT {}, {}, {} FROM stop s \
         JOIN edition e ON e.id = s.edition_id AND e.tenant_id = s.tenant_id \
         JOIN series se ON se.id = e.series_id AND se.tenant_id = e.tenant_id \
         WHERE s.tenant_id = $1 AND {}",
        columns_of::<stop::Entity>("s"),
        columns_of::<edition::Entity>("e"),
        columns_of::<series::Entity>("se"),
        crate::db::any_of(backend, "s.id", stops, &mut values),
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    rows.iter()
        .map(|row| {
            let stop = stop::Model::from_query_result(row, "s_")?;
            Ok((
                stop.id,
                Place {
                    stop,
                    edition: edition::Model::from_query_result(row, "e_")?,
                    series: series::Model::from_query_result(row, "se_")?,
                },
            ))
        })
        .collect()
}

/// The template variables for a registration's message, from current data.
#[expect(clippy::too_many_arguments, reason = "the parts of one message's subject, read together by `Lookups::read`")]
pub(super) fn message_context(
    lookups: &Lookups,
    tenant: &tenant::Model,
    person: &participant::Model,
    registration: &registration::Model,
    stop: &stop::Model,
    edition: &edition::Model,
    series: &series::Model,
    locale: Locale,
    about_session: Option<Uuid>,
) -> MessageContext {
    let seats = lookups.seats.get(&registration.id).map(Vec::as_slice).unwrap_or_default();
    let sessions: Vec<&session::Model> =
        lookups.sessions.iter().filter(|s| seats.iter().any(|seat| seat.session_id == s.id)).collect();
    let zone = stop.time_zone;
    let cl = chrono_locale(locale);
    let local_start = stop.starts_at.with_timezone(&zone.tz());
    let ticket = TicketCode::display_stored(&registration.ticket_code);
    // The organizer's words in her language where given (else as typed).
    let lang = locale.as_str();
    let session_vars = |s: &session::Model| SessionVars {
        title: Translations::from_json(s.translations.as_ref()).or(lang, "title", &s.title).to_owned(),
        time: s.starts_at.with_timezone(&zone.tz()).format("%H:%M").to_string(),
        short_date: s.starts_at.with_timezone(&zone.tz()).format("%d/%m/%Y").to_string(),
        room: s.room.clone(),
        status: seats
            .iter()
            .find(|seat| seat.session_id == s.id)
            .map(|seat| seat.status.to_value())
            .unwrap_or_default(),
    };
    MessageContext {
        tenant: TenantVars { name: tenant.name.clone() },
        series: SeriesVars { name: series.name.clone() },
        edition: EditionVars { title: edition.title.clone(), number: edition.number, year: edition.year },
        stop: StopVars {
            name: Translations::from_json(stop.translations.as_ref()).or(lang, "name", &stop.name).to_owned(),
            city: stop.city.clone(),
            region: stop.region.clone(),
            venue: stop.venue.clone(),
            address: stop.address.clone(),
            date: local_start.format_localized("%A %-d %B %Y", cl).to_string(),
            short_date: local_start.format("%d/%m/%Y").to_string(),
            time: local_start.format("%H:%M").to_string(),
            time_zone: zone.name().to_owned(),
        },
        participant: ParticipantVars { name: person.full_name.clone() },
        registration: RegistrationVars {
            status: registration.status.to_value(),
            ticket_code: ticket,
            waitlist_position: registration.waitlist_position.map(i64::from),
            qr_image: None,
        },
        sessions: sessions.iter().map(|s| session_vars(s)).collect(),
        session: about_session.and_then(|id| sessions.iter().find(|s| s.id == id)).map(|s| session_vars(s)),
        broadcast: None,
        unsubscribe_url: None,
        manage_url: None,
        change: None,
    }
}

/// What a moved stop was, in the recipient's language, beside what it is now.
fn change_vars(before: &crate::messaging::notices::Before, stop: &stop::Model, locale: Locale) -> ChangeVars {
    let was = before.starts_at.with_timezone(&before.time_zone.tz());
    ChangeVars {
        date: was.format_localized("%A %-d %B %Y", chrono_locale(locale)).to_string(),
        short_date: was.format("%d/%m/%Y").to_string(),
        time: was.format("%H:%M").to_string(),
        venue: before.venue.clone(),
        time_changed: before.starts_at != stop.starts_at
            || before.ends_at != stop.ends_at
            || before.time_zone != stop.time_zone,
        place_changed: before.venue != stop.venue || before.address != stop.address || before.city != stop.city,
    }
}

/// The participant's own page for a registration: `/m/<token>`, the token
/// naming the registration and signed (see `links::Signer::manage_token`).
pub fn manage_url(signer: &crate::access::links::Signer, base: &url::Url, registration: Uuid) -> DomainResult<String> {
    let token = signer.manage_token(registration)?;
    base.join(&format!("m/{token}")).map(|u| u.to_string()).map_err(|e| DomainError::internal(e.to_string()))
}

/// The link that withdraws a participant's consent to reminders by email, served
/// by the gateway (a page on GET, the withdrawal itself on POST, which is also
/// what RFC 8058 one-click unsubscribe sends).
pub fn unsubscribe_url(
    signer: &crate::access::links::Signer,
    scope: TenantScope,
    base: &url::Url,
    participant_id: Uuid,
) -> DomainResult<String> {
    let signature = signer.sign(crate::access::links::Purpose::Unsubscribe, participant_id)?;
    let mut url = base.join("unsubscribe").map_err(|e| DomainError::internal(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("t", &scope.uuid().to_string())
        .append_pair("p", &participant_id.to_string())
        .append_pair("s", &signature);
    Ok(url.to_string())
}
