//! Claiming due rows for the queue (a lease, not a state), releasing them, and sweeping what a lost job left behind.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Statement,
};
use uuid::Uuid;

use crate::entities::notification::Status;

use crate::entities::notification;
use crate::error::{DomainError, DomainResult};
use crate::ids::{NotificationId, TenantId};
use crate::messaging::templates::Channel;
use crate::tenancy::TenantScope;

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
pub(super) const CLAIMABLE: &str = "active AND status = 'pending' AND scheduled_at <= $1 \
                         AND (queued_at IS NULL OR queued_at < $2)";

/// SQL: `channel IN (…every channel…)`. The due index leads with the channel
/// (migrations 11 and 12), so a read of due rows across channels names them
/// all to read only due rows, one range per channel.
pub(super) fn every_channel() -> String {
    let all: Vec<String> = Channel::ALL.iter().map(|c| format!("'{}'", c.as_str())).collect();
    format!("channel IN ({})", all.join(", "))
}

pub(super) async fn claim(
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
            let channel =
                channel.parse().map_err(|e: crate::values::ValueError| DomainError::internal(e.to_string()))?;
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
            Ok((
                channel.parse().map_err(|e: crate::values::ValueError| DomainError::internal(e.to_string()))?,
                row.try_get("", "n")?,
            ))
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
