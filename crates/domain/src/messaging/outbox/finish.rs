//! Recording how a send ended: sent, to be retried with backoff, or failed.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Statement,
};
use uuid::Uuid;

use crate::entities::notification::Status;

use crate::entities::notification;
use crate::error::DomainResult;
use crate::ids::NotificationId;
use crate::tenancy::TenantScope;

pub(super) async fn finish(
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
