//! Editions: create, edit, publish and archive.

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
use crate::entities::edition;
use crate::error::{DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::tenancy::TenantScope;

#[derive(Debug, Clone, Default)]
pub struct NewEdition {
    pub series_id: Uuid,
    pub number: i32,
    pub year: i32,
    pub title: String,
}

pub(super) fn check_edition_numbers(number: i32, year: i32) -> DomainResult<()> {
    if number < 1 {
        return Err(DomainError::validation("number", text!("edition-number")));
    }
    if !(1900..=2999).contains(&year) {
        return Err(DomainError::validation("year", text!("edition-year")));
    }
    Ok(())
}

pub(super) async fn number_taken(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    series_id: Uuid,
    number: i32,
) -> DomainResult<bool> {
    Ok(edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .filter(edition::Column::SeriesId.eq(series_id))
        .filter(edition::Column::Number.eq(number))
        .count(txn)
        .await?
        > 0)
}

pub async fn create_edition(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewEdition,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Edition> {
    let scope = actor.require(Action::CatalogWrite)?;
    check_edition_numbers(input.number, input.year)?;
    let title = text("title", &input.title, 200)?;
    audit::write(db, actor, now, |txn| {
        let (input, title) = (input.clone(), title.clone());
        Box::pin(async move {
            find_series(txn, scope, input.series_id).await?;
            if number_taken(txn, scope, input.series_id, input.number).await? {
                return Err(DomainError::validation("number", text!("edition-exists", number = input.number)));
            }
            let row = edition::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                series_id: Set(input.series_id),
                number: Set(input.number),
                year: Set(input.year),
                title: Set(title),
                status: Set(edition::Status::Draft),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("edition.create", "edition", row.id), row))
        })
    })
    .await
    .map(Into::into)
}

#[derive(Debug, Clone, Default)]
pub struct EditionPatch {
    pub title: Option<String>,
    pub year: Option<i32>,
}

pub async fn update_edition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: EditionPatch,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Edition> {
    let scope = actor.require(Action::CatalogWrite)?;
    let title = patch.title.as_deref().map(|t| text("title", t, 200)).transpose()?;
    if let Some(y) = patch.year {
        check_edition_numbers(1, y)?;
    }
    audit::write(db, actor, now, |txn| {
        let title = title.clone();
        Box::pin(async move {
            let mut row = find_edition(txn, scope, id).await?.into_active_model();
            let mut changed = Vec::new();
            patch!(row, changed;
                title => title as "title",
                patch.year => year as "year",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("edition.update", "edition", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
    .map(Into::into)
}

/// Publishes (opens to participants), archives (keeps as history, closed) or
/// returns an edition to draft.
pub async fn set_edition_status(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: edition::Status,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Edition> {
    let scope = actor.require(Action::CatalogPublish)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            let current = find_edition(txn, scope, id).await?;
            let from = current.status;
            let mut row = current.into_active_model();
            row.status = Set(status);
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            let details =
                json!({ "from": format!("{from:?}").to_lowercase(), "to": format!("{status:?}").to_lowercase() });
            Ok((audit::Entry::new("edition.status", "edition", id).details(details), row))
        })
    })
    .await
    .map(Into::into)
}
