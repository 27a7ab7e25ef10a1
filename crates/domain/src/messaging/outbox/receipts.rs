//! Providers' delivery receipts: delivered, or not with the reason.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entities::notification::Status;

use crate::entities::notification;
use crate::error::DomainResult;
use crate::ids::NotificationId;
use crate::tenancy::TenantScope;

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
