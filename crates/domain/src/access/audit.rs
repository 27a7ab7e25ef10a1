//! The audit log: one row per organizer mutation — who, what, when, which
//! object — written in the mutation's own transaction. Details name fields,
//! never personal data.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::authz::Actor;
use crate::db::{self, TxnFuture};
use crate::entities::audit_log;
use crate::error::DomainResult;
use crate::ids::new_uuid;
use crate::paging::{Page, PageRequest};
use crate::tenancy::TenantScope;

/// What one organizer write tells the audit log.
#[derive(Debug, Clone)]
pub struct Entry {
    action: &'static str,
    object_type: &'static str,
    object_id: Uuid,
    details: Option<serde_json::Value>,
}

impl Entry {
    /// `action` is `<object>.<verb>` (`stop.reschedule`).
    pub fn new(action: &'static str, object_type: &'static str, object_id: Uuid) -> Self {
        Self { action, object_type, object_id, details: None }
    }

    /// What changed, by field name; never personal data.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// An organizer's write: `work` runs in a write transaction ([`db::write`],
/// so a lost race runs it again) and says what it did; its audit row is
/// written in that same transaction, so a change and its record commit or
/// roll back together.
pub async fn write<T, F>(db: &DatabaseConnection, actor: &Actor, now: DateTime<Utc>, mut work: F) -> DomainResult<T>
where
    T: Send + 'static,
    F: for<'c> FnMut(&'c DatabaseTransaction) -> TxnFuture<'c, (Entry, T)> + Send,
{
    db::write(db, |txn| {
        let done = work(txn);
        let actor = actor.clone();
        Box::pin(async move {
            let (entry, value) = done.await?;
            record(txn, &actor, entry.action, entry.object_type, Some(entry.object_id), entry.details, now).await?;
            Ok(value)
        })
    })
    .await
}

pub async fn record(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: Option<Uuid>,
    details: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    audit_log::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(actor.scope.uuid()),
        actor_user_id: Set(actor.user_id().map(|u| u.0)),
        actor_api_key_id: Set(actor.key_id()),
        action: Set(action.to_owned()),
        object_type: Set(object_type.to_owned()),
        object_id: Set(object_id),
        details: Set(details),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// One organizer action, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub id: Uuid,
    pub tenant: crate::ids::TenantId,
    /// `<object>.<verb>`, e.g. `stop.reschedule`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// The member who did it, or the key it was done with.
    pub actor_user_id: Option<Uuid>,
    pub actor_api_key_id: Option<Uuid>,
    /// Fields and counts, never personal data.
    pub details: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

impl From<audit_log::Model> for Recorded {
    fn from(m: audit_log::Model) -> Self {
        Recorded {
            id: m.id,
            tenant: crate::ids::TenantId(m.tenant_id),
            action: m.action,
            object_type: m.object_type,
            object_id: m.object_id,
            actor_user_id: m.actor_user_id,
            actor_api_key_id: m.actor_api_key_id,
            details: m.details,
            at: m.created_at,
        }
    }
}

/// Newest first.
pub async fn list(db: &impl ConnectionTrait, scope: TenantScope, page: &PageRequest) -> DomainResult<Page<Recorded>> {
    list_of(db, scope, None, page).await
}

/// The kinds of object the log names (`stop`, `session`, `member`, …), for
/// a filter.
pub async fn object_types(db: &impl ConnectionTrait, scope: TenantScope) -> DomainResult<Vec<String>> {
    Ok(audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::ObjectType)
        .filter(audit_log::Column::TenantId.eq(scope.uuid()))
        .distinct()
        .order_by_asc(audit_log::Column::ObjectType)
        .into_tuple()
        .all(db)
        .await?)
}

/// [`list`], only about one kind of object when `object_type` is given.
pub async fn list_of(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    object_type: Option<&str>,
    page: &PageRequest,
) -> DomainResult<Page<Recorded>> {
    let mut base = audit_log::Entity::find().filter(audit_log::Column::TenantId.eq(scope.uuid()));
    if let Some(kind) = object_type {
        base = base.filter(audit_log::Column::ObjectType.eq(kind));
    }
    let total = base.clone().count(db).await?;
    let mut query = base.order_by_desc(audit_log::Column::Id).limit(page.limit() + 1);
    if let Some(after) = page.after_id() {
        query = query.filter(audit_log::Column::Id.lt(after));
    }
    Ok(Page::from_overfetch(query.all(db).await?, page, total).map(Recorded::from))
}
