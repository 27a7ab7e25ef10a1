//! Series: create and edit.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::input::*;
use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::catalog::find::*;
use crate::entities::series;
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::ids::new_uuid;
use crate::values::Slug;

#[derive(Debug, Clone, Default)]
pub struct NewSeries {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

pub async fn create_series(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewSeries,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Series> {
    let scope = actor.require(Action::CatalogWrite)?;
    let slug = Slug::parse(&input.slug).field("slug")?;
    let name = text("name", &input.name, 200)?;
    let description = optional_text("description", input.description.as_deref(), 4000)?;
    audit::write(db, actor, now, |txn| {
        let (slug, name, description) = (slug.clone(), name.clone(), description.clone());
        Box::pin(async move {
            let taken = series::Entity::find()
                .filter(series::Column::TenantId.eq(scope.uuid()))
                .filter(series::Column::Slug.eq(slug.as_str()))
                .count(txn)
                .await?;
            if taken > 0 {
                return Err(DomainError::conflict(
                    ConflictCode::AlreadyExists,
                    text!("series-exists", slug = slug.as_str()),
                ));
            }
            let row = series::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                slug: Set(slug.as_str().to_owned()),
                name: Set(name),
                description: Set(description),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("series.create", "series", row.id), row))
        })
    })
    .await
    .map(Into::into)
}

#[derive(Debug, Clone, Default)]
pub struct SeriesPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

pub async fn update_series(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: SeriesPatch,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Series> {
    let scope = actor.require(Action::CatalogWrite)?;
    let name = patch.name.as_deref().map(|n| text("name", n, 200)).transpose()?;
    let description =
        patch.description.as_ref().map(|d| optional_text("description", d.as_deref(), 4000)).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (name, description) = (name.clone(), description.clone());
        Box::pin(async move {
            let mut row = find_series(txn, scope, id).await?.into_active_model();
            let mut changed = Vec::new();
            patch!(row, changed;
                name => name as "name",
                description => description as "description",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("series.update", "series", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
    .map(Into::into)
}
