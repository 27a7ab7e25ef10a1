//! Tenant scoping: the one way domain code reaches tenant-owned rows.
//!
//! **Invariant:** every query on a tenant-owned table filters by the scope's
//! tenant id. A `TenantScope` is a filter, not a permission: holding one for
//! tenant A can only ever reveal A's rows. Authorization (who may act for A) is
//! the caller's business and is checked before a scope is used for writes.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::tenant;
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::values::{Locale, TimeZone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TenantScope {
    id: TenantId,
}

impl TenantScope {
    /// A scope for a tenant id the caller obtained from a trusted place (a
    /// session, an API key, or an opaque id it issued). A wrong id finds nothing.
    pub fn new(id: TenantId) -> Self {
        Self { id }
    }

    pub fn id(self) -> TenantId {
        self.id
    }

    pub fn uuid(self) -> uuid::Uuid {
        self.id.0
    }
}

/// A tenant as the rest of the domain sees it.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub scope: TenantScope,
    pub slug: String,
    pub name: String,
    pub default_locale: Locale,
    pub default_time_zone: TimeZone,
    pub email_sender: Option<String>,
    pub email_sender_name: Option<String>,
    pub sms_sender_id: Option<String>,
    /// The participant pages' accent colour (`#0b5d6b`), when set.
    pub accent_color: Option<String>,
    /// The logo as a data: URL, when set.
    pub logo: Option<String>,
    /// Origins of the organizer's sites that may frame the pages.
    pub embed_origins: Vec<String>,
}

/// The origins a tenant row lists (separated by spaces).
pub fn embed_origins(stored: Option<&str>) -> Vec<String> {
    stored.unwrap_or("").split_whitespace().map(str::to_owned).collect()
}

impl TryFrom<tenant::Model> for Tenant {
    type Error = DomainError;

    fn try_from(m: tenant::Model) -> Result<Self, Self::Error> {
        Ok(Tenant {
            scope: TenantScope::new(TenantId(m.id)),
            default_locale: m.default_locale,
            default_time_zone: m.default_time_zone,
            slug: m.slug,
            name: m.name,
            email_sender: m.email_sender,
            email_sender_name: m.email_sender_name,
            sms_sender_id: m.sms_sender_id,
            embed_origins: embed_origins(m.embed_origins.as_deref()),
            accent_color: m.accent_color,
            logo: m.logo,
        })
    }
}

/// Finds a tenant by its public slug (`attitudes-conseil`).
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> DomainResult<Tenant> {
    tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug.trim()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("tenant"))?
        .try_into()
}

/// Every organizer on the deployment, by name (the platform's home page).
pub async fn list(db: &impl ConnectionTrait) -> DomainResult<Vec<Tenant>> {
    use sea_orm::QueryOrder;
    tenant::Entity::find().order_by_asc(tenant::Column::Name).all(db).await?.into_iter().map(Tenant::try_from).collect()
}

/// The sites every organizer declared (the gateway's CORS for them).
pub async fn all_embed_origins(db: &impl ConnectionTrait) -> DomainResult<Vec<String>> {
    let rows = tenant::Entity::find().filter(tenant::Column::EmbedOrigins.is_not_null()).all(db).await?;
    Ok(rows.iter().flat_map(|t| embed_origins(t.embed_origins.as_deref())).collect())
}

pub async fn get(db: &impl ConnectionTrait, scope: TenantScope) -> DomainResult<Tenant> {
    tenant::Entity::find_by_id(scope.uuid()).one(db).await?.ok_or(DomainError::not_found("tenant"))?.try_into()
}
