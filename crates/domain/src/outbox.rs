//! The outbox: every message Escale sends is a `notification` row, written in
//! the transaction of the change that causes it, and moved through its states
//! here. The queue only carries ids; the row is the truth.
//!
//! ```text
//! pending ──start_sending──▶ sending ──finish_sent──▶ sent ──receipt──▶ delivered
//!  │  ▲                        │
//!  │  └─────── sweep ──────────┤──finish_retry──▶ pending (later)
//!  │                           └──finish_failed─▶ failed
//!  └ claim_due: a lease (`queued_at`) while its job waits in the queue; it
//!    runs out by itself, or is cleared when the row goes back to pending
//! (suppressed / cancelled: decided at send time or by the change that made the message pointless)
//! (`queued`: left by workers from before leases; swept back to pending)
//! ```
//!
//! **At most one effective send per idempotency key:** the key is unique in the
//! table, so a message planned twice is one row; a row moves to `sending` through
//! one conditional UPDATE, so two jobs for one row produce one send.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, IdenStatic, Iterable, QueryFilter, QueryOrder, Statement,
};
use uuid::Uuid;

use crate::calendar::EventText;
use crate::entities::{
    edition, notification, participant, registration, series, session, session_seat, stop, template, tenant,
};
use crate::error::{DomainError, DomainResult};
use crate::ids::{NotificationId, TenantId};
use crate::messages::{
    self, BroadcastVars, Channel, EditionVars, EmailContent, MessageContext, ParticipantVars, RegistrationVars,
    SeriesVars, SessionVars, SmsContent, StopVars, TemplateKey, TenantVars,
};
use crate::tenancy::TenantScope;
use crate::values::{EmailAddress, Locale, PhoneNumber, TicketCode, TimeZone};

pub use notification::Status;

/// A message to plan.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub participant_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub template: TemplateKey,
    pub channel: Channel,
    pub locale: Locale,
    pub scheduled_at: DateTime<Utc>,
    /// What the message is, e.g. `confirmation:<registration>:email`. A second plan
    /// with the same key is ignored.
    pub idempotency_key: String,
    pub payload: Option<serde_json::Value>,
}

/// Plans a message; returns false when one with the same idempotency key
/// already exists (then nothing is written).
pub async fn plan(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    new: NewNotification,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let row = notification::ActiveModel {
        id: Set(NotificationId::new().0),
        tenant_id: Set(scope.uuid()),
        participant_id: Set(new.participant_id),
        registration_id: Set(new.registration_id),
        template_key: Set(new.template.as_str().to_owned()),
        channel: Set(new.channel.as_str().to_owned()),
        locale: Set(new.locale.as_str().to_owned()),
        scheduled_at: Set(new.scheduled_at),
        status: Set(Status::Pending),
        attempts: Set(0),
        last_error: Set(None),
        provider_message_id: Set(None),
        sms_segments: Set(None),
        idempotency_key: Set(new.idempotency_key),
        payload: Set(new.payload),
        recipient: Set(None),
        queued_at: Set(None),
        sent_at: Set(None),
        delivered_at: Set(None),
        request_id: Set(crate::trace::request_id()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = notification::Entity::insert(row)
        .on_conflict(OnConflict::column(notification::Column::IdempotencyKey).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await?;
    Ok(inserted == 1)
}

/// A notification claimed for sending: what the queue carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub id: NotificationId,
    pub tenant_id: TenantId,
    pub channel: Channel,
    /// When it fell due: with the id, where the next batch of a round starts
    /// (see [`ClaimCursor`]).
    pub scheduled_at: DateTime<Utc>,
}

/// Where a round's next claim starts: after the last row the previous batch
/// claimed, in the due order `(scheduled_at, id)`. Without it each batch read
/// the due index from its start and skipped, row by row, everything the
/// round had already claimed (its leases are checked in the table, not the
/// index): 20 batches of 500 visited 105 000 rows to claim 10 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClaimCursor {
    pub scheduled_at: DateTime<Utc>,
    pub id: Uuid,
}

impl ClaimCursor {
    /// The cursor after a batch: its last row in the due order.
    pub fn after(claimed: &[Claimed]) -> Option<ClaimCursor> {
        claimed.iter().map(|c| ClaimCursor { scheduled_at: c.scheduled_at, id: c.id.0 }).max()
    }
}

/// How long a claim holds a row for its queue job when [`claim_due`] is given
/// none: after this the job is presumed lost (Redis flushed, worker killed)
/// and the row is claimed again. The worker passes its configured timeout.
pub const CLAIM_LEASE: Duration = Duration::minutes(10);

/// Claims up to `limit` due notifications (oldest first) for the queues, in one
/// statement. On PostgreSQL concurrent dispatchers skip each other's rows
/// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time.
///
/// A claim is a lease, not a state: it writes `queued_at` and nothing else, so
/// the row stays `pending` and, with no indexed column changed, PostgreSQL
/// rewrites it in place (a HOT update; migration 9 leaves the room) instead of
/// inserting into each of the table's indexes — the cost of a claim was the
/// cost of those inserts (docs/BENCHMARKS.md). A lease ends by itself when it
/// is older than `lease` (the job was lost; no sweeper needed), and every path
/// that puts a row back to `pending` — a re-plan, a retry, a sweep, a release —
/// clears it. Only the dispatcher's clock is compared with it.
///
/// This is the one cross-tenant operation in the domain: it reads ids and
/// channels only, and each claimed row is then handled in its tenant's scope.
pub async fn claim_due(db: &DatabaseConnection, now: DateTime<Utc>, limit: u32) -> DomainResult<Vec<Claimed>> {
    claim(db, None, now, limit, CLAIM_LEASE, None).await
}

/// [`claim_due`] for one channel only, with the worker's lease, from where the
/// round's previous batch ended (`after`): the dispatcher fills each
/// channel's queue up to its own depth.
pub async fn claim_due_on(
    db: &DatabaseConnection,
    channel: Channel,
    now: DateTime<Utc>,
    limit: u32,
    lease: Duration,
    after: Option<ClaimCursor>,
) -> DomainResult<Vec<Claimed>> {
    claim(db, Some(channel), now, limit, lease, after).await
}

/// SQL: the row is pending, due at `$1`, and held by no live lease (`$2` is
/// the oldest instant a live lease may have been taken). `active` (pending,
/// queued or sending: migration 12) is what the due index holds; naming it
/// lets the planner use that index.
const CLAIMABLE: &str = "active AND status = 'pending' AND scheduled_at <= $1 \
                         AND (queued_at IS NULL OR queued_at < $2)";

/// SQL: `channel IN (…every channel…)`. The due index leads with the channel
/// (migrations 11 and 12), so a read of due rows across channels names them
/// all to read only due rows, one range per channel.
fn every_channel() -> String {
    let all: Vec<String> = Channel::ALL.iter().map(|c| format!("'{}'", c.as_str())).collect();
    format!("channel IN ({})", all.join(", "))
}

async fn claim(
    db: &DatabaseConnection,
    channel: Option<Channel>,
    now: DateTime<Utc>,
    limit: u32,
    lease: Duration,
    after: Option<ClaimCursor>,
) -> DomainResult<Vec<Claimed>> {
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = vec![now.into(), (now - lease).into(), i64::from(limit).into()];
    let mut only = match channel {
        Some(c) => {
            values.push(c.as_str().into());
            format!(" AND channel = ${}", values.len())
        }
        None => format!(" AND {}", every_channel()),
    };
    if let Some(after) = after {
        values.push(after.scheduled_at.into());
        values.push(after.id.into());
        only.push_str(&format!(" AND (scheduled_at, id) > (${}, ${})", values.len() - 1, values.len()));
    }
    let due = format!("FROM notification WHERE {CLAIMABLE}{only} ORDER BY scheduled_at, id LIMIT $3");
    let sql = if backend == DbBackend::Postgres {
        // The rows are found, locked and then updated by their physical
        // address (a TID scan), which the lock keeps valid until the end of
        // the statement. `id IN (…)` let the planner join the due rows back
        // to the table by hashing: a sequential scan of every row, future
        // ones included — 270 ms of a 10 000-row claim over a million rows,
        // against 65–95 ms this way (docs/BENCHMARKS.md).
        format!(
            "UPDATE notification SET queued_at = $1 \
             WHERE ctid = ANY(ARRAY(SELECT ctid {due} FOR UPDATE SKIP LOCKED)) \
             RETURNING id, tenant_id, channel, scheduled_at"
        )
    } else {
        format!(
            "UPDATE notification SET queued_at = $1 WHERE id IN (SELECT id {due}) \
             RETURNING id, tenant_id, channel, scheduled_at"
        )
    };
    let rows = if backend == DbBackend::Postgres {
        // One statement commits by itself; a transaction around it cost two
        // more round trips per batch.
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?
    } else {
        // SQLite: the write lock taken at BEGIN, and a busy database retried.
        crate::db::write(db, |txn| {
            let (sql, values) = (sql.clone(), values.clone());
            Box::pin(async move { Ok(txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?) })
        })
        .await?
    };
    rows.iter()
        .map(|row| {
            let id: Uuid = row.try_get("", "id")?;
            let tenant: Uuid = row.try_get("", "tenant_id")?;
            let channel: String = row.try_get("", "channel")?;
            let channel = channel.parse().map_err(DomainError::internal)?;
            let scheduled_at: DateTime<Utc> = row.try_get("", "scheduled_at")?;
            Ok(Claimed { id: NotificationId(id), tenant_id: TenantId(tenant), channel, scheduled_at })
        })
        .collect()
}

/// How many notifications of each channel wait in its queue as the outbox
/// sees it (claimed under a live lease, not yet picked up by a sender; plus
/// rows a worker from before leases left `queued`). It reads every due row,
/// so the dispatcher bounds its queues by the queue's own count instead
/// (`escale_worker::queue::Storage::waiting_jobs`); this is for tests and
/// inspection.
pub async fn queued_by_channel(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    lease: Duration,
) -> DomainResult<Vec<(Channel, i64)>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT channel, COUNT(*) AS n FROM notification WHERE active AND {} AND scheduled_at <= $1 \
         AND ((status = 'pending' AND queued_at >= $2) OR status = 'queued') GROUP BY channel",
        every_channel()
    );
    let rows =
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, [now.into(), (now - lease).into()])).await?;
    rows.iter()
        .map(|row| {
            let channel: String = row.try_get("", "channel")?;
            Ok((channel.parse().map_err(DomainError::internal)?, row.try_get("", "n")?))
        })
        .collect()
}

/// Whether a row is claimed for a queue job right now (see [`claim_due`]).
pub fn is_claimed(row: &notification::Model, now: DateTime<Utc>, lease: Duration) -> bool {
    row.status == Status::Queued || (row.status == Status::Pending && row.queued_at.is_some_and(|q| q >= now - lease))
}

/// Cancels what is still to be sent about a registration (it was cancelled):
/// pending rows and rows queued but not yet picked by a sender. A row already
/// `sending` is past recall. Returns how many were cancelled.
pub async fn cancel_for_registration(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    Ok(notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(Status::Cancelled.to_value()))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::RegistrationId.eq(registration_id))
        .filter(notification::Column::Status.is_in([Status::Pending, Status::Queued]))
        .exec(txn)
        .await?
        .rows_affected)
}

/// Ends the lease of claimed rows at once, e.g. when the queue refused them:
/// the next dispatcher round claims them again.
pub async fn release(db: &DatabaseConnection, ids: &[NotificationId], now: DateTime<Utc>) -> DomainResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(Status::Pending.to_value()))
        .col_expr(notification::Column::QueuedAt, Expr::val(Option::<DateTime<Utc>>::None))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::Id.is_in(ids.iter().map(|i| i.0)))
        .filter(notification::Column::Status.is_in([Status::Pending, Status::Queued]))
        .exec(db)
        .await?
        .rows_affected)
}

/// Returns rows stuck in `sending` (the sender died mid-call) to `pending`,
/// and rows a worker from before leases left `queued`. A lost job needs no
/// sweep: its lease runs out (see [`claim_due`]). Only a row stuck in
/// `sending` can duplicate a message — if the provider had accepted it —
/// which is the narrow window DESIGN.md accepts.
pub async fn sweep(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    queued_timeout: Duration,
    sending_timeout: Duration,
) -> DomainResult<u64> {
    let mut total = 0;
    for (status, timeout) in [(Status::Queued, queued_timeout), (Status::Sending, sending_timeout)] {
        let deadline = now - timeout;
        // A row in flight was due when it started, no later than its last
        // update: the due index's range up to the deadline holds every stuck row.
        total += notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::val(Status::Pending.to_value()))
            .col_expr(notification::Column::QueuedAt, Expr::val(Option::<DateTime<Utc>>::None))
            .col_expr(notification::Column::UpdatedAt, Expr::val(now))
            .filter(Expr::cust(format!("active AND {}", every_channel())))
            .filter(notification::Column::ScheduledAt.lte(deadline))
            .filter(notification::Column::Status.eq(status))
            .filter(notification::Column::UpdatedAt.lt(deadline))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(total)
}

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
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(row) = won.remove(&id.0) else {
            out.push((id, SendDecision::AlreadyHandled));
            continue;
        };
        let decision = match prepare(&lookups, scope, &row, options, now) {
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

const RENDER_FAILURE: &str = "cannot render: ";

enum Prepared {
    Ready(OutgoingMessage),
    Skip(Status, String),
}

/// What a batch of one tenant's messages needs from the database, read once.
struct Lookups {
    tenant: Option<tenant::Model>,
    /// Registrations with their participant, by registration id.
    people: HashMap<Uuid, (registration::Model, participant::Model)>,
    /// Stops with their edition and series, by stop id: a batch is mostly
    /// about one stop, read once rather than once per message.
    places: HashMap<Uuid, Place>,
    /// `(channel, address)` pairs that opted out, among the batch's addresses.
    opted_out: HashSet<(String, String)>,
    /// Live workshop seats by registration id.
    seats: HashMap<Uuid, Vec<session_seat::Model>>,
    /// The seats' sessions, by start time.
    sessions: Vec<session::Model>,
    /// The tenant's own wording, all of it (a few dozen rows at most).
    templates: Vec<template::Model>,
    /// Only when emails in the batch will carry an unsubscribe link.
    signer: Option<crate::links::Signer>,
}

/// Where and in what a registration's stop takes place.
struct Place {
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
        lookups.opted_out = crate::reminders::opt_outs(db, scope, lookups.people.values().map(|(_, p)| p)).await?;
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
        if options.public_url.is_some() && rows.iter().any(|r| r.channel == Channel::Email.as_str()) {
            lookups.signer = Some(crate::links::signer(db, scope, now).await?);
        }
        Ok(lookups)
    }

    /// The tenant's own wording for this message, if it saved one.
    fn template(&self, key: TemplateKey, channel: Channel, locale: Locale) -> Option<messages::TemplateOverride> {
        self.templates
            .iter()
            .find(|t| t.key == key.as_str() && t.channel == channel.as_str() && t.locale == locale.as_str())
            .map(|t| messages::TemplateOverride {
                subject: t.subject.clone(),
                body_text: t.body_text.clone(),
                body_html: t.body_html.clone(),
            })
    }
}

fn prepare(
    lookups: &Lookups,
    scope: TenantScope,
    row: &notification::Model,
    options: &SendOptions,
    now: DateTime<Utc>,
) -> DomainResult<Prepared> {
    let channel: Channel = row.channel.parse().map_err(DomainError::internal)?;
    let template: TemplateKey = row.template_key.parse().map_err(DomainError::internal)?;
    let locale: Locale = row.locale.parse().unwrap_or_default();
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
    if lookups.opted_out.contains(&(channel.as_str().to_owned(), address.clone())) {
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
        let payload: Option<BroadcastVars> = row.payload.as_ref().and_then(|p| serde_json::from_value(p.clone()).ok());
        let Some(broadcast) = payload else {
            return Ok(Prepared::Skip(Status::Failed, "broadcast without its text".to_owned()));
        };
        ctx.broadcast = Some(broadcast);
    }
    let unsubscribe_url = match (&options.public_url, &lookups.signer, channel) {
        (Some(base), Some(signer), Channel::Email) => Some(unsubscribe_url(signer, scope, base, person.id)?),
        _ => None,
    };
    ctx.unsubscribe_url.clone_from(&unsubscribe_url);
    let custom = lookups.template(template, channel, locale);
    // The ticket's QR code rides along in emails that give the entry code.
    let qr_png = if channel == Channel::Email
        && registration.status == registration::Status::Confirmed
        && matches!(template, TemplateKey::Confirmation | TemplateKey::Promotion)
        && let Ok(ticket) = TicketCode::parse(&registration.ticket_code)
    {
        ctx.registration.qr_image = Some(format!("cid:{TICKET_QR_CID}"));
        Some(crate::qr::png(&ticket, 8)?)
    } else {
        None
    };
    let render_err = |e: messages::TemplateError| DomainError::internal(format!("{RENDER_FAILURE}{e}"));
    let message = match channel {
        Channel::Email => {
            let to = EmailAddress::parse(&address)
                .map_err(|e| DomainError::internal(format!("stored email address invalid: {e}")))?;
            let content = messages::render_email(template, locale, custom.as_ref(), &ctx).map_err(render_err)?;
            let ics = (registration.status == registration::Status::Confirmed
                && matches!(template, TemplateKey::Confirmation | TemplateKey::Promotion | TemplateKey::Reminder))
            .then(|| {
                let text = EventText {
                    summary: format!("{} — {}", ctx.series.name, stop.name),
                    description: format!(
                        "{} {} ({}, {})\n{}: {}",
                        ctx.stop.date,
                        ctx.stop.time,
                        ctx.stop.city,
                        ctx.stop.time_zone,
                        match locale {
                            Locale::Fr => "Code d'entrée",
                            Locale::Ar => "رمز الدخول",
                            Locale::En => "Entry code",
                        },
                        ctx.registration.ticket_code
                    ),
                    organizer_name: tenant.name.clone(),
                };
                crate::calendar::stop_event(stop, &text, now)
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
            let content = messages::render_sms(template, locale, custom.as_ref(), &ctx).map_err(render_err)?;
            if content.length.segments > messages::MAX_SMS_SEGMENTS {
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
fn chrono_locale(locale: Locale) -> chrono::Locale {
    match locale {
        Locale::Fr => chrono::Locale::fr_FR,
        Locale::Ar => chrono::Locale::ar_MA,
        Locale::En => chrono::Locale::en_GB,
    }
}

/// `alias."col" AS "alias_col", …` for every column of `E`: a joined read that
/// follows the entities as their columns change.
fn columns_of<E: EntityTrait>(alias: &str) -> String {
    E::Column::iter()
        .map(|c| format!("{alias}.\"{name}\" AS \"{alias}_{name}\"", name = c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each registration with its participant, from current data.
async fn people(
    db: &DatabaseConnection,
    scope: TenantScope,
    registrations: &[Uuid],
) -> DomainResult<HashMap<Uuid, (registration::Model, participant::Model)>> {
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = vec![scope.uuid().into()];
    let sql = format!(
        "SELECT {}, {} FROM registration r \
         JOIN participant p ON p.id = r.participant_id AND p.tenant_id = r.tenant_id \
         WHERE r.tenant_id = $1 AND {}",
        columns_of::<registration::Entity>("r"),
        columns_of::<participant::Entity>("p"),
        crate::db::any_of(backend, "r.id", registrations, &mut values),
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    rows.iter()
        .map(|row| {
            let registration = registration::Model::from_query_result(row, "r_")?;
            Ok((registration.id, (registration, participant::Model::from_query_result(row, "p_")?)))
        })
        .collect()
}

/// Each stop with its edition and series.
async fn places(db: &DatabaseConnection, scope: TenantScope, stops: &[Uuid]) -> DomainResult<HashMap<Uuid, Place>> {
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
fn message_context(
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
    let zone = TimeZone::parse(&stop.time_zone).unwrap_or_default();
    let cl = chrono_locale(locale);
    let local_start = stop.starts_at.with_timezone(&zone.tz());
    let ticket = TicketCode::display_stored(&registration.ticket_code);
    let session_vars = |s: &session::Model| SessionVars {
        title: s.title.clone(),
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
            name: stop.name.clone(),
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
    }
}

/// The link that withdraws a participant's consent to reminders by email, served
/// by the gateway (a page on GET, the withdrawal itself on POST, which is also
/// what RFC 8058 one-click unsubscribe sends).
pub fn unsubscribe_url(
    signer: &crate::links::Signer,
    scope: TenantScope,
    base: &url::Url,
    participant_id: Uuid,
) -> DomainResult<String> {
    let signature = signer.sign(crate::links::Purpose::Unsubscribe, participant_id)?;
    let mut url = base.join("unsubscribe").map_err(|e| DomainError::internal(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("t", &scope.uuid().to_string())
        .append_pair("p", &participant_id.to_string())
        .append_pair("s", &signature);
    Ok(url.to_string())
}

async fn finish(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: NotificationId,
    status: Status,
    error: Option<String>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(status.to_value()))
        .col_expr(notification::Column::LastError, Expr::val(error))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::Id.eq(id.0))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::Status.eq(Status::Sending))
        .exec(db)
        .await?;
    Ok(())
}

/// What the provider said when it accepted a message.
#[derive(Debug, Clone, Default)]
pub struct Accepted {
    pub provider_message_id: Option<String>,
    pub recipient: String,
    pub sms_segments: Option<u32>,
}

pub async fn finish_sent(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: NotificationId,
    accepted: Accepted,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(Status::Sent.to_value()))
        .col_expr(notification::Column::ProviderMessageId, Expr::val(accepted.provider_message_id))
        .col_expr(notification::Column::Recipient, Expr::val(accepted.recipient))
        .col_expr(
            notification::Column::SmsSegments,
            Expr::val(accepted.sms_segments.map(|s| i32::try_from(s).unwrap_or(i32::MAX))),
        )
        .col_expr(notification::Column::LastError, Expr::val(Option::<String>::None))
        .col_expr(notification::Column::SentAt, Expr::val(now))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::Id.eq(id.0))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::Status.eq(Status::Sending))
        .exec(db)
        .await?;
    Ok(())
}

/// [`finish_sent`] for many rows of one tenant in one statement: each row gets
/// its own provider id, recipient and segment count, so a batch costs one
/// write round trip, not one per message.
pub async fn finish_sent_many(
    db: &DatabaseConnection,
    scope: TenantScope,
    sent: &[(NotificationId, Accepted)],
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let backend = db.get_database_backend();
    let segments = |a: &Accepted| a.sms_segments.map(|s| i32::try_from(s).unwrap_or(i32::MAX));
    if backend == DbBackend::Postgres {
        // The rows as four arrays, joined back by position: one statement text
        // for any batch, prepared once per connection. Arrays of text cannot
        // hold NULL through the driver, so "none" travels as '' and 0.
        let ids: Vec<Uuid> = sent.iter().map(|(id, _)| id.0).collect();
        let providers: Vec<String> =
            sent.iter().map(|(_, a)| a.provider_message_id.clone().unwrap_or_default()).collect();
        let recipients: Vec<String> = sent.iter().map(|(_, a)| a.recipient.clone()).collect();
        let counts: Vec<i32> = sent.iter().map(|(_, a)| segments(a).unwrap_or(0)).collect();
        let sql = "UPDATE notification AS n SET status = 'sent', last_error = NULL, sent_at = $1, updated_at = $1, \
                   provider_message_id = NULLIF(x.provider, ''), recipient = x.recipient, \
                   sms_segments = NULLIF(x.segments, 0) \
                   FROM unnest($3::uuid[], $4::text[], $5::text[], $6::int[]) AS x(id, provider, recipient, segments) \
                   WHERE n.id = x.id AND n.tenant_id = $2 AND n.status = 'sending'";
        let values: Vec<sea_orm::Value> =
            vec![now.into(), scope.uuid().into(), ids.into(), providers.into(), recipients.into(), counts.into()];
        return Ok(db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?.rows_affected());
    }
    let mut done = 0;
    // SQLite has no arrays: `CASE id`, 4 values per row, well under its
    // parameter limit.
    for chunk in sent.chunks(500) {
        let mut values: Vec<sea_orm::Value> = vec![now.into(), scope.uuid().into(), Status::Sent.to_value().into()];
        let (mut provider, mut recipient, mut segment, mut ids) =
            (String::new(), String::new(), String::new(), Vec::new());
        for (id, accepted) in chunk {
            let at = values.len() + 1;
            values.push(id.0.into());
            values.push(accepted.provider_message_id.clone().into());
            values.push(accepted.recipient.clone().into());
            values.push(segments(accepted).into());
            provider.push_str(&format!(" WHEN ${at} THEN ${}", at + 1));
            recipient.push_str(&format!(" WHEN ${at} THEN ${}", at + 2));
            segment.push_str(&format!(" WHEN ${at} THEN ${}", at + 3));
            ids.push(format!("${at}"));
        }
        let sql = format!(
            "UPDATE notification SET status = $3, last_error = NULL, sent_at = $1, updated_at = $1, \
             provider_message_id = CASE id{provider} END, recipient = CASE id{recipient} END, \
             sms_segments = CASE id{segment} END \
             WHERE tenant_id = $2 AND status = 'sending' AND id IN ({})",
            ids.join(", ")
        );
        done += db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?.rows_affected();
    }
    Ok(done)
}

/// Attempts after which a transient failure becomes final.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long to wait after the first failed attempt; each further one doubles it.
pub const RETRY_BASE: std::time::Duration = std::time::Duration::from_secs(30);

/// Exponential backoff with jitter after the n-th failed attempt (1-based):
/// `base`, 2 × `base`, 4 × `base`… (30 s, 1 min, 2 min… by default), capped at
/// one hour, ±20 % so a burst of failures does not retry in a burst.
pub fn retry_delay(attempt: i32, base: std::time::Duration) -> Duration {
    let base_ms = Ord::max(i64::try_from(base.as_millis()).unwrap_or(i64::MAX), 1);
    let grown = base_ms.saturating_mul(1 << (attempt - 1).clamp(0, 7));
    let capped = Ord::min(grown, 3_600_000);
    let jitter = rand::random_range(-(capped / 5)..=(capped / 5));
    Duration::milliseconds(capped + jitter)
}

/// A transient failure (SMTP 4xx, timeout, provider 5xx/429): back to pending
/// for a later attempt, or failed when attempts are exhausted.
pub async fn finish_retry(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: NotificationId,
    attempt: i32,
    error: &str,
    retry_base: std::time::Duration,
    now: DateTime<Utc>,
) -> DomainResult<Status> {
    if attempt >= MAX_ATTEMPTS {
        finish(db, scope, id, Status::Failed, Some(format!("gave up after {attempt} attempts: {error}")), now).await?;
        return Ok(Status::Failed);
    }
    notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(Status::Pending.to_value()))
        .col_expr(notification::Column::QueuedAt, Expr::val(Option::<DateTime<Utc>>::None))
        .col_expr(notification::Column::LastError, Expr::val(error.to_owned()))
        .col_expr(notification::Column::ScheduledAt, Expr::val(now + retry_delay(attempt, retry_base)))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::Id.eq(id.0))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::Status.eq(Status::Sending))
        .exec(db)
        .await?;
    Ok(Status::Pending)
}

/// A permanent failure (SMTP 5xx, invalid number): failed, with the reason.
pub async fn finish_failed(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: NotificationId,
    error: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    finish(db, scope, id, Status::Failed, Some(error.to_owned()), now).await
}

/// What a provider's delivery receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    Delivered,
    /// Not delivered, with the provider's reason.
    Undelivered(String),
}

/// What recording a receipt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptOutcome {
    Recorded,
    /// Already delivered or failed: a repeated receipt changes nothing.
    AlreadyFinal,
    /// The send is still being recorded (the receipt overtook it): the
    /// provider should try again shortly.
    NotYetSent,
    /// No such message in this tenant, or its provider id differs.
    Unknown,
}

/// Moves a sent notification to `delivered` or `failed` from a provider's
/// receipt. Only `sent` rows move, so a receipt can never resurrect or
/// overwrite anything; the provider's message id must match when given.
pub async fn record_receipt(
    db: &DatabaseConnection,
    scope: TenantScope,
    id: NotificationId,
    provider_message_id: Option<&str>,
    receipt: Receipt,
    now: DateTime<Utc>,
) -> DomainResult<ReceiptOutcome> {
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::Id.eq(id.0))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::Status.eq(Status::Sent));
    if let Some(pid) = provider_message_id {
        update = update.filter(notification::Column::ProviderMessageId.eq(pid));
    }
    update = match &receipt {
        Receipt::Delivered => update
            .col_expr(notification::Column::Status, Expr::val(Status::Delivered.to_value()))
            .col_expr(notification::Column::DeliveredAt, Expr::val(now)),
        Receipt::Undelivered(reason) => update
            .col_expr(notification::Column::Status, Expr::val(Status::Failed.to_value()))
            .col_expr(notification::Column::LastError, Expr::val(format!("not delivered: {reason}"))),
    };
    if update.exec(db).await?.rows_affected == 1 {
        return Ok(ReceiptOutcome::Recorded);
    }
    let row =
        notification::Entity::find_by_id(id.0).filter(notification::Column::TenantId.eq(scope.uuid())).one(db).await?;
    Ok(match row {
        None => ReceiptOutcome::Unknown,
        Some(r)
            if provider_message_id.is_some()
                && r.provider_message_id.is_some()
                && r.provider_message_id.as_deref() != provider_message_id =>
        {
            ReceiptOutcome::Unknown
        }
        Some(r) if matches!(r.status, Status::Delivered | Status::Failed) => ReceiptOutcome::AlreadyFinal,
        Some(r) if matches!(r.status, Status::Sending | Status::Queued | Status::Pending) => ReceiptOutcome::NotYetSent,
        Some(_) => ReceiptOutcome::AlreadyFinal,
    })
}

/// Counts by status, for tests, health and metrics (all tenants).
pub async fn count_by_status(db: &DatabaseConnection) -> DomainResult<Vec<(Status, i64)>> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT status, COUNT(*) AS n FROM notification GROUP BY status".to_owned(),
        ))
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        let status =
            <Status as ActiveEnum>::try_from_value(&status).map_err(|e| DomainError::internal(e.to_string()))?;
        out.push((status, n));
    }
    Ok(out)
}

/// Messages due and not yet sent, per channel: how many, and since when the
/// oldest has been due (all tenants; for metrics). Pending rows due now plus
/// rows in flight (queued, sending).
pub async fn backlog(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> DomainResult<Vec<(Channel, i64, Option<DateTime<Utc>>)>> {
    let backend = db.get_database_backend();
    // Rows in flight were due when they started: all of it is the due
    // index's range up to now.
    let sql = format!(
        "SELECT channel, COUNT(*) AS n, MIN(scheduled_at) AS oldest FROM notification \
         WHERE active AND {} AND scheduled_at <= $1 GROUP BY channel",
        every_channel()
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [now.into()])).await?;
    rows.iter()
        .map(|row| {
            let channel: String = row.try_get("", "channel")?;
            let n: i64 = row.try_get("", "n")?;
            // SQLite hands an aggregate of a timestamp back as text.
            let oldest = match row.try_get::<Option<DateTime<Utc>>>("", "oldest") {
                Ok(v) => v,
                Err(_) => row
                    .try_get::<Option<String>>("", "oldest")?
                    .and_then(|s| {
                        chrono::NaiveDateTime::parse_from_str(s.trim_end_matches("+00:00"), "%Y-%m-%d %H:%M:%S%.f").ok()
                    })
                    .map(|t| t.and_utc()),
            };
            Ok((channel.parse().map_err(DomainError::internal)?, n, oldest))
        })
        .collect()
}
