//! Speakers, and who speaks at which session.

use chrono::{DateTime, Utc};
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
use crate::entities::{session_speaker, speaker};
use crate::error::{DomainResult, FieldExt};
use crate::ids::new_uuid;
use crate::values::EmailAddress;

#[derive(Debug, Clone, Default)]
pub struct SpeakerInput {
    pub full_name: Option<String>,
    pub title: Option<Option<String>>,
    pub organization: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub email: Option<Option<String>>,
}

pub(super) fn speaker_email(raw: &Option<String>) -> DomainResult<Option<String>> {
    match raw.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Ok(Some(EmailAddress::parse(e).field("email")?.into_string())),
        None => Ok(None),
    }
}

pub async fn create_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    input: SpeakerInput,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Speaker> {
    let scope = actor.require(Action::CatalogWrite)?;
    let full_name = text("fullName", input.full_name.as_deref().unwrap_or(""), 200)?;
    let title = optional_text("title", input.title.clone().flatten().as_deref(), 200)?;
    let organization = optional_text("organization", input.organization.clone().flatten().as_deref(), 200)?;
    let bio = optional_text("bio", input.bio.clone().flatten().as_deref(), 4000)?;
    let email = speaker_email(&input.email.clone().flatten())?;
    audit::write(db, actor, now, |txn| {
        let (full_name, title, organization, bio, email) =
            (full_name.clone(), title.clone(), organization.clone(), bio.clone(), email.clone());
        Box::pin(async move {
            let row = speaker::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                full_name: Set(full_name),
                title: Set(title),
                organization: Set(organization),
                bio: Set(bio),
                email: Set(email),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((audit::Entry::new("speaker.create", "speaker", row.id), row))
        })
    })
    .await
    .map(Into::into)
}

pub async fn update_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: SpeakerInput,
    now: DateTime<Utc>,
) -> DomainResult<crate::catalog::Speaker> {
    let scope = actor.require(Action::CatalogWrite)?;
    let full_name = input.full_name.as_deref().map(|n| text("fullName", n, 200)).transpose()?;
    let title = input.title.as_ref().map(|t| optional_text("title", t.as_deref(), 200)).transpose()?;
    let organization =
        input.organization.as_ref().map(|t| optional_text("organization", t.as_deref(), 200)).transpose()?;
    let bio = input.bio.as_ref().map(|t| optional_text("bio", t.as_deref(), 4000)).transpose()?;
    let email = input.email.as_ref().map(speaker_email).transpose()?;
    audit::write(db, actor, now, |txn| {
        let (full_name, title, organization, bio, email) =
            (full_name.clone(), title.clone(), organization.clone(), bio.clone(), email.clone());
        Box::pin(async move {
            let mut row = find_speaker(txn, scope, id).await?.into_active_model();
            let mut changed = Vec::new();
            patch!(row, changed;
                full_name => full_name as "fullName",
                title => title as "title",
                organization => organization as "organization",
                bio => bio as "bio",
                email => email as "email",
            );
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            Ok((audit::Entry::new("speaker.update", "speaker", id).details(json!({ "fields": changed })), row))
        })
    })
    .await
    .map(Into::into)
}

/// Puts a speaker on a session (or moves them in its order); idempotent.
pub async fn assign_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: Uuid,
    speaker_id: Uuid,
    position: Option<i32>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            find_session(txn, scope, session_id).await?;
            find_speaker(txn, scope, speaker_id).await?;
            let existing = session_speaker::Entity::find()
                .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                .filter(session_speaker::Column::SessionId.eq(session_id))
                .filter(session_speaker::Column::SpeakerId.eq(speaker_id))
                .one(txn)
                .await?;
            let position = match position {
                Some(p) => p.max(0),
                None => i32::try_from(
                    session_speaker::Entity::find()
                        .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                        .filter(session_speaker::Column::SessionId.eq(session_id))
                        .count(txn)
                        .await?,
                )
                .unwrap_or(0),
            };
            match existing {
                Some(link) => {
                    let mut active = link.into_active_model();
                    active.position = Set(position);
                    active.update(txn).await?;
                }
                None => {
                    session_speaker::ActiveModel {
                        id: Set(new_uuid()),
                        tenant_id: Set(scope.uuid()),
                        session_id: Set(session_id),
                        speaker_id: Set(speaker_id),
                        position: Set(position),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            Ok((
                audit::Entry::new("session.assign_speaker", "session", session_id)
                    .details(json!({ "speaker": speaker_id })),
                (),
            ))
        })
    })
    .await
}

pub async fn unassign_speaker(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: Uuid,
    speaker_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let scope = actor.require(Action::CatalogWrite)?;
    audit::write(db, actor, now, |txn| {
        Box::pin(async move {
            find_session(txn, scope, session_id).await?;
            let removed = session_speaker::Entity::delete_many()
                .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
                .filter(session_speaker::Column::SessionId.eq(session_id))
                .filter(session_speaker::Column::SpeakerId.eq(speaker_id))
                .exec(txn)
                .await?
                .rows_affected;
            Ok((
                audit::Entry::new("session.unassign_speaker", "session", session_id)
                    .details(json!({ "speaker": speaker_id })),
                removed > 0,
            ))
        })
    })
    .await
}
