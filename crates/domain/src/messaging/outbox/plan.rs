//! Planning: a message becomes a `pending` row, once per idempotency key.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::entities::notification::Status;

use crate::entities::{notification, participant, registration};
use crate::error::DomainResult;
use crate::ids::NotificationId;
use crate::messaging::templates::{Channel, TemplateKey};
use crate::tenancy::TenantScope;
use crate::values::Locale;

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
        template_key: Set(new.template),
        channel: Set(new.channel),
        locale: Set(new.locale),
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

/// The channels a message about a registration goes by: email when the person
/// has an address, SMS when they have a number and agreed to SMS.
pub(crate) fn channels_for(person: &participant::Model) -> Vec<Channel> {
    let mut channels = Vec::with_capacity(2);
    if person.email.is_some() {
        channels.push(Channel::Email);
    }
    if person.phone.is_some() && person.consent_sms_at.is_some() {
        channels.push(Channel::Sms);
    }
    channels
}

/// Writes the immediate messages about a registration (confirmation,
/// waiting-list notice, promotion, cancellation) on every channel it goes by.
pub(crate) async fn plan_registration_messages(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    person: &participant::Model,
    registration: &registration::Model,
    template: TemplateKey,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let locale: Locale = person.locale;
    for channel in channels_for(person) {
        plan(
            txn,
            scope,
            NewNotification {
                participant_id: person.id,
                registration_id: Some(registration.id),
                template,
                channel,
                locale,
                scheduled_at: now,
                idempotency_key: format!("{template}:{}:{channel}", registration.id),
                payload: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
