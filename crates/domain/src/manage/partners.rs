//! Partners and partnerships (to an edition or a stop, with a tier).

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::input::*;
use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::catalog::find::*;
use crate::entities::{partner, partnership};
use crate::error::{DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::tenancy::TenantScope;

#[derive(Debug, Clone, Default)]
pub struct PartnerInput {
    pub name: Option<String>,
    pub kind: Option<partner::Kind>,
    pub website: Option<Option<String>>,
}

pub(super) fn website(raw: Option<&str>) -> DomainResult<Option<String>> {
    match raw.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => {
            let url = url::Url::parse(w).map_err(|_| DomainError::validation("website", text!("field-not-url")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(DomainError::validation("website", text!("field-not-http")));
            }
            Ok(Some(url.to_string()))
        }
        None => Ok(None),
    }
}

pub(super) async fn partner_name_taken(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    name: &str,
    except: Option<Uuid>,
) -> DomainResult<bool> {
    let mut q = partner::Entity::find()
        .filter(partner::Column::TenantId.eq(scope.uuid()))
        .filter(partner::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(partner::Column::Id.ne(id));
    }
    Ok(q.count(txn).await? > 0)
}

pub async fn create_partner(
    db: &DatabaseConnection,
    actor: &Actor,
    input: PartnerInput,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Partner> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = text("name", input.name.as_deref().unwrap_or(""), 200)?;
    let kind = input.kind.ok_or_else(|| DomainError::validation("kind", text!("field-required")))?;
    let site = website(input.website.clone().flatten().as_deref())?;
    audit::write(db, actor, now, |txn| {
        let (name, site) = (name.clone(), site.clone());
        Box::pin(async move {
            if partner_name_taken(txn, scope, &name, None).await? {
                return Err(DomainError::validation("name", text!("partner-exists")));
            }
            let row = partner::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                name: Set(name),
                kind: Set(kind),
                website: Set(site),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("partner.create", "partner", row.id), row))
        })
    })
    .await
    .map(Into::into)
}

pub async fn update_partner(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: PartnerInput,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Partner> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = input.name.as_deref().map(|n| text("name", n, 200)).transpose()?;
    let site = input.website.as_ref().map(|w| website(w.as_deref())).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (name, site) = (name.clone(), site.clone());
        Box::pin(async move {
            let current = find_partner(txn, scope, id).await?;
            if let Some(n) = &name
                && partner_name_taken(txn, scope, n, Some(id)).await?
            {
                return Err(DomainError::validation("name", text!("partner-exists")));
            }
            let mut changed = Vec::new();
            let mut row = current.into_active_model();
            patch!(row, changed;
                name => name as "name",
                input.kind => kind as "kind",
                site => website as "website",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("partner.update", "partner", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
    .map(Into::into)
}

/// What a partnership backs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnershipTarget {
    Edition(Uuid),
    Stop(Uuid),
}

/// Adds (or re-tiers) a partner's backing of an edition or a stop.
pub async fn set_partnership(
    db: &DatabaseConnection,
    actor: &Actor,
    partner_id: Uuid,
    target: PartnershipTarget,
    tier: partnership::Tier,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Partnership> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let partner = find_partner(txn, scope, partner_id).await?;
            let (edition_id, stop_id) = match target {
                PartnershipTarget::Edition(e) => (Some(find_edition(txn, scope, e).await?.id), None),
                PartnershipTarget::Stop(s) => (None, Some(find_stop(txn, scope, s).await?.id)),
            };
            let mut q = partnership::Entity::find()
                .filter(partnership::Column::TenantId.eq(scope.uuid()))
                .filter(partnership::Column::PartnerId.eq(partner_id));
            q = match target {
                PartnershipTarget::Edition(e) => q.filter(partnership::Column::EditionId.eq(e)),
                PartnershipTarget::Stop(s) => q.filter(partnership::Column::StopId.eq(s)),
            };
            let row = match q.one(txn).await? {
                Some(existing) => {
                    let mut active = existing.into_active_model();
                    active.tier = Set(tier);
                    active.update(txn).await?
                }
                None => {
                    partnership::ActiveModel {
                        id: Set(new_uuid()),
                        tenant_id: Set(scope.uuid()),
                        partner_id: Set(partner_id),
                        edition_id: Set(edition_id),
                        stop_id: Set(stop_id),
                        tier: Set(tier),
                        created_at: Set(now),
                    }
                    .insert(txn)
                    .await?
                }
            };
            Ok((
                audit::Entry::new("partnership.set", "partnership", row.id).details(json!({ "partner": partner_id })),
                crate::catalog::Partnership::of(row, partner),
            ))
        })
    })
    .await
}

pub async fn remove_partnership(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let row = find_partnership(txn, scope, id).await?;
            partnership::Entity::delete_by_id(row.id).exec(txn).await?;
            Ok((
                audit::Entry::new("partnership.remove", "partnership", id)
                    .details(json!({ "partner": row.partner_id })),
                (),
            ))
        })
    })
    .await
}
