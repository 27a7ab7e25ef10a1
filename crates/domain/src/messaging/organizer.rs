//! What organizers do with messages: reminder policies, their own templates,
//! broadcasts to a stop, and seeing and retrying what failed. Sending itself is
//! the outbox's and the worker's business.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::catalog::find::{find_edition, find_stop};
use crate::db;
use crate::entities::{notification, registration, reminder_policy, stop, template};
use crate::error::{DomainError, DomainResult};
use crate::ids::NotificationId;
use crate::messaging::outbox::{self, NewNotification};
use crate::messaging::reminders::{self, Policy};
use crate::messaging::templates::{self, BroadcastTexts, BroadcastVars, Channel, TemplateKey, TemplateOverride};
use crate::tenancy::TenantScope;
use crate::values::Locale;

// ---------------------------------------------------------------- policies

/// Whose reminder policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyTarget {
    Edition(Uuid),
    Stop(Uuid),
}

/// Sets (or, with `None`, removes) the reminder policy of an edition or a stop,
/// and re-plans the reminders of every stop it governs in the same transaction.
/// Returns how many reminders were planned and withdrawn.
pub async fn set_reminder_policy(
    db: &DatabaseConnection,
    actor: &Actor,
    target: PolicyTarget,
    policy: Option<Policy>,
    now: DateTime<Utc>,
) -> DomainResult<reminders::Replanned> {
    let scope = actor.require(Action::CatalogPublish)?;
    if let Some(p) = &policy {
        p.validate()?;
    }
    db::write(db, |txn| {
        let (actor, policy) = (actor.clone(), policy.clone());
        Box::pin(async move {
            let (stops, edition_id, stop_id) = match target {
                PolicyTarget::Edition(id) => {
                    find_edition(txn, scope, id).await?;
                    let stops = stop::Entity::find()
                        .filter(stop::Column::TenantId.eq(scope.uuid()))
                        .filter(stop::Column::EditionId.eq(id))
                        .all(txn)
                        .await?;
                    (stops, Some(id), None)
                }
                PolicyTarget::Stop(id) => (vec![find_stop(txn, scope, id).await?], None, Some(id)),
            };
            let mut existing =
                reminder_policy::Entity::delete_many().filter(reminder_policy::Column::TenantId.eq(scope.uuid()));
            existing = match target {
                PolicyTarget::Edition(id) => existing.filter(reminder_policy::Column::EditionId.eq(id)),
                PolicyTarget::Stop(id) => existing.filter(reminder_policy::Column::StopId.eq(id)),
            };
            existing.exec(txn).await?;
            if let Some(p) = &policy {
                reminder_policy::ActiveModel {
                    id: Set(crate::ids::new_uuid()),
                    tenant_id: Set(scope.uuid()),
                    edition_id: Set(edition_id),
                    stop_id: Set(stop_id),
                    offsets: Set(serde_json::to_value(&p.offsets).map_err(|e| DomainError::internal(e.to_string()))?),
                    quiet_start_minute: Set(p.quiet_hours.map(|q| q.start_minute)),
                    quiet_end_minute: Set(p.quiet_hours.map(|q| q.end_minute)),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(txn)
                .await?;
            }
            let mut total = reminders::Replanned::default();
            for stop in &stops {
                let r = reminders::replan_stop(txn, scope, stop, now).await?;
                total.planned += r.planned;
                total.withdrawn += r.withdrawn;
            }
            let (kind, id) = match target {
                PolicyTarget::Edition(id) => ("edition", id),
                PolicyTarget::Stop(id) => ("stop", id),
            };
            let details = serde_json::json!({
                "policy": policy,
                "remindersPlanned": total.planned,
                "remindersWithdrawn": total.withdrawn,
            });
            audit::record(txn, &actor, "reminder_policy.set", kind, Some(id), Some(details), now).await?;
            Ok(total)
        })
    })
    .await
}

/// The policy an edition sets for its stops, if it set one.
pub async fn edition_policy(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition_id: Uuid,
) -> DomainResult<Option<Policy>> {
    own_policy(db, scope, PolicyTarget::Edition(edition_id)).await
}

/// The policy an edition or a stop sets itself, if it set one (not the one
/// it inherits).
pub async fn own_policy(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    target: PolicyTarget,
) -> DomainResult<Option<Policy>> {
    let find = reminder_policy::Entity::find().filter(reminder_policy::Column::TenantId.eq(scope.uuid()));
    let find = match target {
        PolicyTarget::Edition(id) => find.filter(reminder_policy::Column::EditionId.eq(id)),
        PolicyTarget::Stop(id) => find.filter(reminder_policy::Column::StopId.eq(id)),
    };
    find.one(db).await?.as_ref().map(Policy::from_row).transpose()
}

/// The policy in force for a stop: its own, its edition's, or the default.
pub async fn stop_policy(db: &impl ConnectionTrait, scope: TenantScope, stop_id: Uuid) -> DomainResult<Policy> {
    let stop = find_stop(db, scope, stop_id).await?;
    reminders::policy_for(db, scope, &stop).await
}

// ---------------------------------------------------------------- templates

/// Saves the tenant's wording of a message, after rendering it against a sample:
/// a template that would fail at send time is refused now, with the reason.
pub async fn save_template(
    db: &DatabaseConnection,
    actor: &Actor,
    key: TemplateKey,
    channel: Channel,
    locale: Locale,
    custom: TemplateOverride,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let scope = actor.require(Action::CatalogPublish)?;
    // Off the async threads and under a deadline: a template at the edge of
    // its budget must not hold up the gateway's other requests.
    let checked = custom.clone();
    crate::messaging::sandbox::off_thread(move || validate_template(key, channel, locale, &checked))
        .await
        .map_err(|reason| DomainError::validation("template", text!("template-invalid", detail = reason)))??;
    let row = template::ActiveModel {
        id: Set(crate::ids::new_uuid()),
        tenant_id: Set(scope.uuid()),
        key: Set(key),
        channel: Set(channel),
        locale: Set(locale),
        subject: Set(custom.subject.clone()),
        body_text: Set(custom.body_text.clone()),
        body_html: Set(custom.body_html.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    db::write(db, |txn| {
        let (actor, row) = (actor.clone(), row.clone());
        Box::pin(async move {
            template::Entity::insert(row)
                .on_conflict(
                    OnConflict::columns([
                        template::Column::TenantId,
                        template::Column::Key,
                        template::Column::Channel,
                        template::Column::Locale,
                    ])
                    .update_columns([
                        template::Column::Subject,
                        template::Column::BodyText,
                        template::Column::BodyHtml,
                        template::Column::UpdatedAt,
                    ])
                    .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
            let details =
                serde_json::json!({ "key": key.as_str(), "channel": channel.as_str(), "locale": locale.as_str() });
            audit::record(txn, &actor, "template.save", "template", None, Some(details), now).await
        })
    })
    .await
}

/// A message rendered from the sample context: what a participant would read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sample {
    Email(templates::EmailContent),
    Sms(templates::SmsContent),
}

/// Renders a message of `key` by `channel` in `locale` against the sample
/// context — with `custom` when given, else the built-in — under the same
/// checks as saving it: the error says which part failed and why (a
/// misspelt variable, named).
pub fn render_sample(
    key: TemplateKey,
    channel: Channel,
    locale: Locale,
    custom: Option<&TemplateOverride>,
) -> DomainResult<Sample> {
    const MAX_LEN: usize = 64 * 1024;
    if let Some(custom) = custom {
        if custom.body_text.trim().is_empty() {
            return Err(DomainError::validation("bodyText", text!("field-not-blank")));
        }
        let too_long = [Some(&custom.body_text), custom.subject.as_ref(), custom.body_html.as_ref()]
            .into_iter()
            .flatten()
            .any(|part| part.len() > MAX_LEN);
        if too_long {
            return Err(DomainError::validation("bodyText", text!("template-part-size")));
        }
    }
    let ctx = templates::sample_context_for(key);
    match channel {
        Channel::Email => {
            if custom.and_then(|c| c.subject.as_deref()).is_some_and(|s| s.trim().is_empty()) {
                return Err(DomainError::validation("subject", text!("field-not-blank")));
            }
            Ok(Sample::Email(templates::render_email(key, locale, custom, &ctx).map_err(template_refusal)?))
        }
        Channel::Sms => {
            if custom.is_some_and(|c| c.subject.is_some() || c.body_html.is_some()) {
                return Err(DomainError::validation("subject", text!("template-sms-subject")));
            }
            let sms = templates::render_sms(key, locale, custom, &ctx).map_err(template_refusal)?;
            if sms.length.segments > templates::MAX_SMS_SEGMENTS {
                return Err(DomainError::validation(
                    "bodyText",
                    text!("template-sms-segments", segments = sms.length.segments, max = templates::MAX_SMS_SEGMENTS),
                ));
            }
            Ok(Sample::Sms(sms))
        }
    }
}

/// Renders a tenant template against the sample context (see [`render_sample`]).
pub fn validate_template(
    key: TemplateKey,
    channel: Channel,
    locale: Locale,
    custom: &TemplateOverride,
) -> DomainResult<()> {
    render_sample(key, channel, locale, Some(custom)).map(|_| ())
}

/// The sample of a message in each language, off the async threads and under
/// the sandbox's deadline, for the console's preview: `edited` replaces the
/// wording of its own language; the others are the organizer's saved wording,
/// else the built-in. Each language's result or refusal.
pub async fn preview_template(
    db: &DatabaseConnection,
    actor: &Actor,
    key: TemplateKey,
    channel: Channel,
    edited: (Locale, TemplateOverride),
) -> DomainResult<Vec<(Locale, DomainResult<Sample>)>> {
    // Who may save a wording may preview it: a render costs CPU.
    let scope = actor.require(Action::CatalogPublish)?;
    let saved = template::Entity::find()
        .filter(template::Column::TenantId.eq(scope.uuid()))
        .filter(template::Column::Key.eq(key.as_str()))
        .filter(template::Column::Channel.eq(channel.as_str()))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for locale in [Locale::Fr, Locale::Ar, Locale::En] {
        let custom = if locale == edited.0 {
            Some(edited.1.clone())
        } else {
            saved.iter().find(|t| t.locale == locale).map(|t| TemplateOverride {
                subject: t.subject.clone(),
                body_text: t.body_text.clone(),
                body_html: t.body_html.clone(),
            })
        };
        let rendered =
            crate::messaging::sandbox::off_thread(move || render_sample(key, channel, locale, custom.as_ref()))
                .await
                .map_err(|reason| DomainError::validation("template", text!("template-invalid", detail = reason)))
                .and_then(|r| r);
        out.push((locale, rendered));
    }
    Ok(out)
}

/// Goes back to the built-in wording. True when there was an override.
pub async fn reset_template(
    db: &DatabaseConnection,
    actor: &Actor,
    key: TemplateKey,
    channel: Channel,
    locale: Locale,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let scope = actor.require(Action::CatalogPublish)?;
    db::write(db, |txn| {
        let actor = actor.clone();
        Box::pin(async move {
            let deleted = template::Entity::delete_many()
                .filter(template::Column::TenantId.eq(scope.uuid()))
                .filter(template::Column::Key.eq(key.as_str()))
                .filter(template::Column::Channel.eq(channel.as_str()))
                .filter(template::Column::Locale.eq(locale.as_str()))
                .exec(txn)
                .await?
                .rows_affected;
            let details =
                serde_json::json!({ "key": key.as_str(), "channel": channel.as_str(), "locale": locale.as_str() });
            audit::record(txn, &actor, "template.reset", "template", None, Some(details), now).await?;
            Ok(deleted > 0)
        })
    })
    .await
}

/// A tenant's own wording of a message, as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedTemplate {
    pub key: TemplateKey,
    pub channel: Channel,
    pub locale: Locale,
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<template::Model> for SavedTemplate {
    fn from(t: template::Model) -> Self {
        SavedTemplate {
            key: t.key,
            channel: t.channel,
            locale: t.locale,
            subject: t.subject,
            body_text: t.body_text,
            body_html: t.body_html,
            updated_at: t.updated_at,
        }
    }
}

/// The tenant's saved templates.
pub async fn templates(db: &DatabaseConnection, actor: &Actor) -> DomainResult<Vec<SavedTemplate>> {
    let scope = actor.require(Action::CatalogRead)?;
    Ok(template::Entity::find()
        .filter(template::Column::TenantId.eq(scope.uuid()))
        .order_by_asc(template::Column::Key)
        .order_by_asc(template::Column::Channel)
        .order_by_asc(template::Column::Locale)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

// ---------------------------------------------------------------- broadcast

#[derive(Debug, Clone)]
pub struct Broadcast {
    pub stop_id: Uuid,
    /// The text in the organizer's main language (`locale`): what anybody
    /// without a text of their own reads.
    pub subject: String,
    pub body: String,
    pub locale: Locale,
    /// The same message in other languages; each recipient reads their own.
    pub translations: Vec<(Locale, String, String)>,
    pub channels: Vec<Channel>,
    /// Sent now even in quiet hours (the venue changed this morning).
    pub urgent: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BroadcastOutcome {
    pub id: Uuid,
    /// Notifications planned (one per person per channel they can be reached by).
    pub planned: u64,
    /// People who could not be reached by any chosen channel (no address, no consent).
    pub unreachable: u64,
}

pub const MAX_BROADCAST_SUBJECT: usize = 150;
pub const MAX_BROADCAST_BODY: usize = 2000;

/// Writes one message per registered person (confirmed or waiting) and channel
/// to the outbox, in one transaction. Consent is required for each channel;
/// SMS waits for the end of quiet hours unless `urgent`.
/// Why a tenant's template is refused, said in the organizer's language where
/// it can be (a misspelt variable, named), else the renderer's own words.
fn template_refusal(e: templates::TemplateError) -> DomainError {
    let why = match &e {
        templates::TemplateError::Undefined { expression, .. } => {
            text!("template-undefined", expression = expression.as_str())
        }
        _ => text!("template-invalid", detail = e.to_string()),
    };
    DomainError::validation("template", why)
}

/// One language's subject and body, checked (`prefix` names the field of a
/// translation: `translations[0].subject`).
fn broadcast_text(prefix: &str, subject: &str, body: &str) -> DomainResult<BroadcastVars> {
    let (subject, body) = (subject.trim(), body.trim());
    if subject.is_empty() || subject.chars().count() > MAX_BROADCAST_SUBJECT || subject.contains('\n') {
        return Err(DomainError::validation(
            format!("{prefix}subject"),
            text!("broadcast-subject", max = MAX_BROADCAST_SUBJECT),
        ));
    }
    if body.is_empty() || body.chars().count() > MAX_BROADCAST_BODY {
        return Err(DomainError::validation(
            format!("{prefix}body"),
            text!("broadcast-body", max = MAX_BROADCAST_BODY),
        ));
    }
    Ok(BroadcastVars { subject: subject.to_owned(), body: body.to_owned() })
}

/// The texts of a broadcast, checked: one per language, and the language
/// for anybody without one of their own.
fn broadcast_texts(input: &Broadcast) -> DomainResult<BroadcastTexts> {
    let mut texts = std::collections::BTreeMap::new();
    texts.insert(input.locale, broadcast_text("", &input.subject, &input.body)?);
    for (i, (locale, subject, body)) in input.translations.iter().enumerate() {
        texts.insert(*locale, broadcast_text(&format!("translations[{i}]."), subject, body)?);
    }
    if input.channels.is_empty() {
        return Err(DomainError::validation("channels", text!("channels-empty")));
    }
    Ok(BroadcastTexts { texts, fallback: input.locale })
}

/// Whether a broadcast reaches `person` by `channel`: an address and their
/// consent to that channel (a broadcast is not a transactional message).
fn broadcast_reaches(person: &crate::entities::participant::Model, channel: Channel) -> bool {
    match channel {
        Channel::Email => person.email.is_some() && person.consent_email_at.is_some(),
        Channel::Sms => person.phone.is_some() && person.consent_sms_at.is_some(),
    }
}

pub async fn broadcast(
    db: &DatabaseConnection,
    actor: &Actor,
    input: Broadcast,
    now: DateTime<Utc>,
) -> DomainResult<BroadcastOutcome> {
    let scope = actor.require(Action::CatalogPublish)?;
    let payload = broadcast_texts(&input)?;
    let subject = payload.texts.get(&input.locale).map(|t| t.subject.clone()).unwrap_or_default();
    let id = crate::ids::new_uuid();
    db::write(db, |txn| {
        let (actor, input, subject, payload) = (actor.clone(), input.clone(), subject.clone(), payload.clone());
        Box::pin(async move {
            let stop = find_stop(txn, scope, input.stop_id).await?;
            let policy = reminders::policy_for(txn, scope, &stop).await?;
            let zone = stop.time_zone.tz();
            let sms_at = match (input.urgent, policy.quiet_hours) {
                (false, Some(quiet)) => reminders::after_quiet_hours(now, zone, quiet),
                _ => now,
            };
            let registrations = reminders::live_registrations(txn, scope, stop.id).await?;
            let languages: Vec<&str> = payload.texts.keys().map(|l| l.as_str()).collect();
            let payload = serde_json::to_value(&payload).map_err(|e| DomainError::internal(e.to_string()))?;
            let mut outcome = BroadcastOutcome { id, ..BroadcastOutcome::default() };
            for (registration, person) in &registrations {
                let locale: Locale = person.locale;
                let mut reached = false;
                for &channel in &input.channels {
                    if !broadcast_reaches(person, channel) {
                        continue;
                    }
                    reached = true;
                    let planned = outbox::plan(
                        txn,
                        scope,
                        NewNotification {
                            participant_id: person.id,
                            registration_id: Some(registration.id),
                            template: TemplateKey::Broadcast,
                            channel,
                            locale,
                            scheduled_at: if channel == Channel::Sms { sms_at } else { now },
                            idempotency_key: format!("broadcast:{id}:{}:{channel}", registration.id),
                            payload: Some(payload.clone()),
                        },
                        now,
                    )
                    .await?;
                    outcome.planned += u64::from(planned);
                }
                if !reached {
                    outcome.unreachable += 1;
                }
            }
            let details = serde_json::json!({
                "subject": subject,
                "languages": languages,
                "channels": input.channels,
                "urgent": input.urgent,
                "planned": outcome.planned,
                "unreachable": outcome.unreachable,
            });
            audit::record(txn, &actor, "stop.broadcast", "stop", Some(stop.id), Some(details), now).await?;
            Ok(outcome)
        })
    })
    .await
}

/// What a broadcast would do, read before it is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BroadcastPreview {
    /// People registered (confirmed or waiting).
    pub people: u64,
    pub emails: u64,
    pub sms: u64,
    /// People no chosen channel reaches (no address, no consent).
    pub unreachable: u64,
    /// SMS segments over every SMS recipient: what the provider bills.
    pub sms_segments: u64,
    /// By the language recipients read: how many, and their SMS as sent.
    pub readers: Vec<PreviewLanguage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLanguage {
    /// The recipients' language (the SMS's wording around the text).
    pub locale: Locale,
    /// The language of the text they read: theirs, or the fallback.
    pub text_locale: Locale,
    pub people: u64,
    pub sms: u64,
    /// The SMS they get, when SMS is chosen and one of them has a phone.
    pub sms_text: Option<templates::SmsContent>,
}

/// Counts who a broadcast would reach and renders its SMS in each
/// recipient language (the organizer's own SMS wording when saved), without
/// writing anything: the same checks and the same rule of reach as
/// [`broadcast`].
pub async fn broadcast_preview(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &Broadcast,
) -> DomainResult<BroadcastPreview> {
    let scope = actor.require(Action::CatalogPublish)?;
    let payload = broadcast_texts(input)?;
    let stop = find_stop(db, scope, input.stop_id).await?;
    let tenant = crate::tenancy::get(db, scope).await?;
    let overrides = template::Entity::find()
        .filter(template::Column::TenantId.eq(scope.uuid()))
        .filter(template::Column::Key.eq(TemplateKey::Broadcast.as_str()))
        .filter(template::Column::Channel.eq(Channel::Sms.as_str()))
        .all(db)
        .await?;
    let mut preview = BroadcastPreview::default();
    let mut by_locale: std::collections::BTreeMap<Locale, PreviewLanguage> = std::collections::BTreeMap::new();
    for (_, person) in reminders::live_registrations(db, scope, stop.id).await? {
        preview.people += 1;
        let locale = person.locale;
        let text_locale = if payload.texts.contains_key(&locale) { locale } else { payload.fallback };
        let line = by_locale.entry(locale).or_insert(PreviewLanguage {
            locale,
            text_locale,
            people: 0,
            sms: 0,
            sms_text: None,
        });
        line.people += 1;
        let channels: Vec<Channel> =
            input.channels.iter().copied().filter(|&c| broadcast_reaches(&person, c)).collect();
        if channels.is_empty() {
            preview.unreachable += 1;
        }
        for channel in channels {
            match channel {
                Channel::Email => preview.emails += 1,
                Channel::Sms => {
                    preview.sms += 1;
                    line.sms += 1;
                }
            }
        }
    }
    for line in by_locale.values_mut().filter(|l| l.sms > 0) {
        let mut ctx = templates::sample_context_for(TemplateKey::Broadcast);
        ctx.tenant.name = tenant.name.clone();
        ctx.stop.name = crate::catalog::Translations::from_json(stop.translations.as_ref())
            .or(line.locale.as_str(), "name", &stop.name)
            .to_owned();
        ctx.broadcast = payload.texts.get(&line.text_locale).cloned();
        let custom = overrides.iter().find(|t| t.locale == line.locale).map(|t| TemplateOverride {
            subject: None,
            body_text: t.body_text.clone(),
            body_html: None,
        });
        let locale = line.locale;
        // A tenant's own wording renders off the async threads, under the
        // sandbox's deadline, as when it was saved.
        let sms = crate::messaging::sandbox::off_thread(move || {
            templates::render_sms(TemplateKey::Broadcast, locale, custom.as_ref(), &ctx)
        })
        .await
        .map_err(|reason| DomainError::validation("template", text!("template-invalid", detail = reason)))?
        .map_err(template_refusal)?;
        preview.sms_segments += line.sms * u64::from(sms.length.segments);
        line.sms_text = Some(sms);
    }
    preview.readers = by_locale.into_values().collect();
    Ok(preview)
}

// ---------------------------------------------------------------- failures and figures

/// The messages of a stop that failed, most recent first.
/// The most failed messages one call lists.
pub const MAX_FAILED: u64 = 500;

/// A message that failed for good, with the reason.
#[derive(Clone, PartialEq, Eq)]
pub struct FailedMessage {
    pub id: NotificationId,
    pub key: TemplateKey,
    pub channel: Channel,
    /// Where it was going (the team may see it; never logged).
    pub recipient: Option<String>,
    pub attempts: i32,
    pub reason: Option<String>,
    pub failed_at: DateTime<Utc>,
}

impl std::fmt::Debug for FailedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailedMessage").field("id", &self.id).finish_non_exhaustive()
    }
}

impl From<notification::Model> for FailedMessage {
    fn from(n: notification::Model) -> Self {
        FailedMessage {
            id: NotificationId(n.id),
            key: n.template_key,
            channel: n.channel,
            recipient: n.recipient,
            attempts: n.attempts,
            reason: n.last_error,
            failed_at: n.updated_at,
        }
    }
}

pub async fn failed(
    db: &DatabaseConnection,
    actor: &Actor,
    stop_id: Uuid,
    limit: u64,
) -> DomainResult<Vec<FailedMessage>> {
    let scope = actor.require(Action::RegistrationsRead)?;
    if limit > MAX_FAILED {
        return Err(DomainError::validation("first", text!("field-at-most", max = MAX_FAILED)));
    }
    find_stop(db, scope, stop_id).await?;
    let registrations: Vec<Uuid> = registration::Entity::find()
        .select_only()
        .column(registration::Column::Id)
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut out = Vec::new();
    for chunk in registrations.chunks(500) {
        out.extend(
            notification::Entity::find()
                .filter(notification::Column::TenantId.eq(scope.uuid()))
                .filter(notification::Column::RegistrationId.is_in(chunk.iter().copied()))
                .filter(notification::Column::Status.eq(notification::Status::Failed))
                .all(db)
                .await?,
        );
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.updated_at));
    out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(out.into_iter().map(Into::into).collect())
}

/// Sends failed messages again: back to pending, attempts reset, due now.
/// Ids of other tenants or of messages that did not fail are NOT_FOUND.
pub async fn retry(
    db: &DatabaseConnection,
    actor: &Actor,
    ids: &[NotificationId],
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let scope = actor.require(Action::RegistrationsManage)?;
    if ids.is_empty() || ids.len() > 500 {
        return Err(DomainError::validation("ids", text!("retry-ids")));
    }
    db::write(db, |txn| {
        let (actor, ids) = (actor.clone(), ids.to_vec());
        Box::pin(async move {
            let retried = notification::Entity::update_many()
                .col_expr(notification::Column::Status, Expr::val(notification::Status::Pending.to_value()))
                .col_expr(notification::Column::QueuedAt, Expr::val(Option::<DateTime<Utc>>::None))
                .col_expr(notification::Column::Attempts, Expr::val(0))
                .col_expr(notification::Column::ScheduledAt, Expr::val(now))
                .col_expr(notification::Column::UpdatedAt, Expr::val(now))
                .filter(notification::Column::TenantId.eq(scope.uuid()))
                .filter(notification::Column::Id.is_in(ids.iter().map(|i| i.0)))
                .filter(notification::Column::Status.eq(notification::Status::Failed))
                .exec(txn)
                .await?
                .rows_affected;
            if retried == 0 {
                return Err(DomainError::not_found("failed notification"));
            }
            let details = serde_json::json!({ "count": retried });
            audit::record(txn, &actor, "notification.retry", "notification", None, Some(details), now).await?;
            Ok(retried)
        })
    })
    .await
}

/// A message to one person, as the team sees it on her page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonMessage {
    pub key: TemplateKey,
    pub channel: Channel,
    /// As stored: `pending`, `sent`, `failed`…
    pub status: String,
    /// When it went (or is due, or failed).
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// The most messages a person's page lists.
pub const PERSON_MESSAGES: u64 = 100;

/// The messages to one participant, newest first; another organizer's
/// participant is NOT_FOUND.
pub async fn messages_of(
    db: &DatabaseConnection,
    actor: &Actor,
    participant_id: Uuid,
) -> DomainResult<Vec<PersonMessage>> {
    let scope = actor.require(Action::RegistrationsRead)?;
    crate::entities::participant::Entity::find_by_id(participant_id)
        .filter(crate::entities::participant::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("participant"))?;
    Ok(notification::Entity::find()
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::ParticipantId.eq(participant_id))
        .order_by_desc(notification::Column::ScheduledAt)
        .limit(PERSON_MESSAGES)
        .all(db)
        .await?
        .into_iter()
        .map(|n| PersonMessage {
            key: n.template_key,
            channel: n.channel,
            status: n.status.to_value(),
            at: n.sent_at.unwrap_or(n.scheduled_at),
            reason: n.last_error,
        })
        .collect())
}

/// Messages of a stop by channel and status, with the SMS segments sent (the cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageCount {
    pub channel: Channel,
    /// As stored: `pending`, `sent`, `failed`…
    pub status: String,
    pub count: i64,
    pub sms_segments: i64,
}

pub async fn stop_message_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
) -> DomainResult<Vec<MessageCount>> {
    Ok(message_counts(db, scope, &[stop_id]).await?.remove(&stop_id).unwrap_or_default())
}

/// [`stop_message_counts`] for several stops in one statement (the edition's
/// dashboard), by stop.
pub async fn message_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_ids: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, Vec<MessageCount>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<MessageCount>> = std::collections::HashMap::new();
    if stop_ids.is_empty() {
        return Ok(out);
    }
    let backend = db.get_database_backend();
    let places: Vec<String> = (0..stop_ids.len()).map(|i| format!("${}", i + 2)).collect();
    let mut values: Vec<sea_orm::Value> = vec![scope.uuid().into()];
    values.extend(stop_ids.iter().map(|id| sea_orm::Value::from(*id)));
    let rows = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT r.stop_id, n.channel, n.status, COUNT(*) AS n, COALESCE(SUM(n.sms_segments), 0) AS segments \
                 FROM notification n JOIN registration r ON r.id = n.registration_id AND r.tenant_id = n.tenant_id \
                 WHERE n.tenant_id = $1 AND r.stop_id IN ({}) \
                 GROUP BY r.stop_id, n.channel, n.status ORDER BY n.channel, n.status",
                places.join(", ")
            ),
            values,
        ))
        .await?;
    for row in &rows {
        let stop: Uuid = row.try_get("", "stop_id")?;
        let channel: String = row.try_get("", "channel")?;
        let count = MessageCount {
            channel: channel.parse().map_err(|e: crate::values::ValueError| DomainError::internal(e.to_string()))?,
            status: row.try_get("", "status")?,
            count: row.try_get("", "n")?,
            sms_segments: row.try_get("", "segments")?,
        };
        out.entry(stop).or_default().push(count);
    }
    Ok(out)
}

// ---------------------------------------------------------------- SMS limits

/// Where the organizer's SMS may go and how many a day (docs/SECURITY.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsLimits {
    /// ISO 3166 codes ("MA").
    pub countries: Vec<String>,
    /// SMS handed to providers in any 24 hours, for the whole organizer.
    pub daily_cap: i32,
    /// SMS to one number in any 24 hours.
    pub per_number_daily_cap: i32,
}

impl SmsLimits {
    fn of(t: &crate::entities::tenant::Model) -> Self {
        SmsLimits {
            countries: t.sms_countries.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect(),
            daily_cap: t.sms_daily_cap,
            per_number_daily_cap: t.sms_per_number_daily_cap,
        }
    }
}

pub async fn sms_limits(db: &DatabaseConnection, actor: &Actor) -> DomainResult<SmsLimits> {
    let scope = actor.require(Action::SettingsManage)?;
    let t = crate::entities::tenant::Entity::find_by_id(scope.uuid())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("organizer"))?;
    Ok(SmsLimits::of(&t))
}

/// Sets them; audited with the old and new values.
pub async fn set_sms_limits(
    db: &DatabaseConnection,
    actor: &Actor,
    limits: SmsLimits,
    now: DateTime<Utc>,
) -> DomainResult<SmsLimits> {
    let scope = actor.require(Action::SettingsManage)?;
    let countries = crate::messaging::sms::countries_to_store(&limits.countries)?;
    for (field, cap) in [("dailyCap", limits.daily_cap), ("perNumberDailyCap", limits.per_number_daily_cap)] {
        if !(0..=1_000_000).contains(&cap) {
            return Err(DomainError::validation(field, text!("sms-cap")));
        }
    }
    audit::write(db, actor, now, |txn| {
        let (countries, limits) = (countries.clone(), limits.clone());
        Box::pin(async move {
            let t = crate::entities::tenant::Entity::find_by_id(scope.uuid())
                .one(txn)
                .await?
                .ok_or_else(|| DomainError::not_found("organizer"))?;
            let before = SmsLimits::of(&t);
            let mut row = sea_orm::IntoActiveModel::into_active_model(t);
            row.sms_countries = Set(countries);
            row.sms_daily_cap = Set(limits.daily_cap);
            row.sms_per_number_daily_cap = Set(limits.per_number_daily_cap);
            row.updated_at = Set(now);
            let saved = SmsLimits::of(&row.update(txn).await?);
            let details = serde_json::json!({
                "countries": { "from": before.countries, "to": saved.countries },
                "dailyCap": { "from": before.daily_cap, "to": saved.daily_cap },
                "perNumberDailyCap": { "from": before.per_number_daily_cap, "to": saved.per_number_daily_cap },
            });
            Ok((audit::Entry::new("tenant.sms_limits", "tenant", scope.uuid()).details(details), saved))
        })
    })
    .await
}
