//! Participants beyond the registration itself: their consents (withdrawn by
//! them at any time, effective at once), the questions they ask in advance,
//! what organizers see of them (history across stops and editions), and the
//! export of a stop's registrations.

use escale_i18n::text;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::authz::{Action, Actor};
use crate::access::links::{self, Purpose};
use crate::catalog::Topic;
use crate::db;
use crate::entities::{consent_event, notification, participant, question, registration, session, session_seat, stop};
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::ids::new_uuid;
use crate::messaging::templates::{Channel, TemplateKey};
use crate::registration::tickets;
use crate::registration::views::{HistoryEntry, Person, Question};
use crate::tenancy::TenantScope;
use crate::values::PhoneNumber;

// ---------------------------------------------------------------- consents

/// A consent a participant can give and withdraw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentKind {
    EmailReminders,
    SmsReminders,
    PartnerSharing,
}

/// Withdraws a consent for the person holding this ticket code. Takes effect
/// in the same transaction: pending messages that relied on it are
/// suppressed, and the send-time check refuses anything planned later.
/// Withdrawing what was not given is harmless. Returns the participant.
pub async fn withdraw_consent(
    db: &DatabaseConnection,
    ticket_code: &str,
    kind: ConsentKind,
    now: DateTime<Utc>,
) -> DomainResult<Person> {
    let (scope, reg) = tickets::by_ticket(db, ticket_code).await?;
    withdraw(db, scope, reg.participant_id, kind, "participant", now).await.map(Person::from)
}

/// The same, from a signed link in a message (unsubscribe): `id` is the
/// participant's, signed for [`Purpose::Unsubscribe`].
pub async fn withdraw_consent_by_link(
    db: &DatabaseConnection,
    scope: TenantScope,
    participant_id: Uuid,
    signature: &str,
    kind: ConsentKind,
    now: DateTime<Utc>,
) -> DomainResult<Person> {
    if !links::verify(db, scope, Purpose::Unsubscribe, participant_id, signature, now).await? {
        return Err(DomainError::not_found("participant"));
    }
    withdraw(db, scope, participant_id, kind, "link", now).await.map(Person::from)
}

/// The participant withdraws a consent from her own page (the manage link),
/// with the same effects as [`withdraw_consent`].
pub async fn withdraw_consent_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    kind: ConsentKind,
    now: DateTime<Utc>,
) -> DomainResult<Person> {
    let (scope, reg) = tickets::by_manage_link(db, token, now).await?;
    withdraw(db, scope, reg.participant_id, kind, "manage_link", now).await.map(Person::from)
}

/// A consent given back from her own page.
#[derive(Debug, Clone)]
pub struct Given {
    pub person: Person,
    /// SMS consent is in force but her number replied STOP earlier: nothing
    /// goes until it replies START. Said to her, not silently dropped.
    pub sms_blocked: bool,
}

/// The participant gives a consent from her own page (withdrawn earlier, or
/// never given): recorded in her consent history, and the reminders of her
/// coming stops planned again from now on. A contact she has not given (no
/// phone for SMS, a number the organizer does not text) is refused with the
/// reason. Giving what is in force is harmless.
pub async fn give_consent_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    kind: ConsentKind,
    now: DateTime<Utc>,
) -> DomainResult<Given> {
    let (scope, reg) = tickets::by_manage_link(db, token, now).await?;
    let person =
        db::write(db, |txn| Box::pin(async move { give(txn, scope, reg.participant_id, kind, now).await })).await?;
    let sms_blocked = match (kind, person.phone.as_deref().map(PhoneNumber::from_e164)) {
        (ConsentKind::SmsReminders, Some(Ok(phone))) => sms_opted_out(db, scope, &phone).await?,
        _ => false,
    };
    Ok(Given { person: person.into(), sms_blocked })
}

async fn give(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    participant_id: Uuid,
    kind: ConsentKind,
    now: DateTime<Utc>,
) -> DomainResult<participant::Model> {
    let person = participant::Entity::find_by_id(participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    match kind {
        ConsentKind::EmailReminders if person.email.is_none() => {
            return Err(DomainError::validation("kind", text!("consent-no-email")));
        }
        ConsentKind::SmsReminders => {
            let phone = person.phone.as_deref().map(PhoneNumber::from_e164);
            let Some(Ok(phone)) = phone.filter(|p| p.as_ref().is_ok_and(PhoneNumber::can_receive_sms)) else {
                return Err(DomainError::validation("kind", text!("consent-no-mobile")));
            };
            let tenant = crate::entities::tenant::Entity::find_by_id(scope.uuid())
                .one(txn)
                .await?
                .ok_or(DomainError::not_found("participant"))?;
            crate::messaging::sms::country_allowed(&tenant.sms_countries, &phone).map_err(|r| {
                DomainError::validation("kind", text!("register-sms-country", allowed = r.allowed, found = r.found))
            })?;
        }
        _ => {}
    }
    let given = match kind {
        ConsentKind::EmailReminders => person.consent_email_at,
        ConsentKind::SmsReminders => person.consent_sms_at,
        ConsentKind::PartnerSharing => person.consent_partners_at,
    };
    if given.is_some() {
        return Ok(person);
    }
    let mut active: participant::ActiveModel = person.into();
    match kind {
        ConsentKind::EmailReminders => active.consent_email_at = Set(Some(now)),
        ConsentKind::SmsReminders => active.consent_sms_at = Set(Some(now)),
        ConsentKind::PartnerSharing => active.consent_partners_at = Set(Some(now)),
    }
    active.updated_at = Set(now);
    let person = active.update(txn).await?;
    record_consent(txn, scope, participant_id, kind, true, "manage_link", now).await?;
    if kind == ConsentKind::PartnerSharing {
        return Ok(person);
    }
    // Reminders suppressed when she withdrew may be planned again: a re-plan
    // revives only what it cancelled itself, so they become that first.
    let channel = if kind == ConsentKind::SmsReminders { Channel::Sms } else { Channel::Email };
    notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::val(notification::Status::Cancelled.to_value()))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::TenantId.eq(scope.uuid()))
        .filter(notification::Column::ParticipantId.eq(participant_id))
        .filter(notification::Column::Status.eq(notification::Status::Suppressed.to_value()))
        .filter(notification::Column::Channel.eq(channel.as_str()))
        .filter(
            notification::Column::TemplateKey
                .is_in([TemplateKey::Reminder.as_str(), TemplateKey::SessionReminder.as_str()]),
        )
        .filter(notification::Column::ScheduledAt.gt(now))
        .exec(txn)
        .await?;
    let coming = registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::ParticipantId.eq(participant_id))
        .filter(registration::Column::Status.eq(registration::Status::Confirmed.to_value()))
        .all(txn)
        .await?;
    for reg in coming {
        let stop = crate::catalog::find::find_stop(txn, scope, reg.stop_id).await?;
        if stop.starts_at > now {
            crate::messaging::reminders::replan(txn, scope, &stop, &[(reg, person.clone())], now).await?;
        }
    }
    Ok(person)
}

/// One line of a participant's consent history.
async fn record_consent(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    participant_id: Uuid,
    kind: ConsentKind,
    granted: bool,
    source: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    consent_event::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(scope.uuid()),
        participant_id: Set(participant_id),
        kind: Set(match kind {
            ConsentKind::EmailReminders => consent_event::Kind::EmailReminders,
            ConsentKind::SmsReminders => consent_event::Kind::SmsReminders,
            ConsentKind::PartnerSharing => consent_event::Kind::PartnerSharing,
        }),
        granted: Set(granted),
        source: Set(source.to_owned()),
        recorded_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The participant changes the language of her messages and pages; what is
/// still to be sent is rendered in it (messages are rendered at send time).
pub async fn set_language_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    locale: &str,
    now: DateTime<Utc>,
) -> DomainResult<Person> {
    let locale = locale.trim().parse::<crate::values::Locale>().field("locale")?;
    let (scope, reg) = tickets::by_manage_link(db, token, now).await?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("registration"))?;
    let mut active: participant::ActiveModel = person.into();
    active.locale = Set(locale);
    active.updated_at = Set(now);
    Ok(active.update(db).await?.into())
}

/// The participant asks a question from her own page, as [`ask`] with her code.
pub async fn ask_by_manage_link(
    db: &DatabaseConnection,
    token: &str,
    q: &NewQuestion,
    now: DateTime<Utc>,
) -> DomainResult<Question> {
    let (_, reg) = tickets::by_manage_link(db, token, now).await?;
    ask(db, &reg.ticket_code, q, now).await
}

/// Words that, as an SMS reply, mean "no more SMS": French, English, Arabic.
const STOP_WORDS: &[&str] = &["STOP", "ARRET", "ARRÊT", "STOPPER", "UNSUBSCRIBE", "توقف", "ايقاف", "إيقاف"];

/// Words that, as an SMS reply, mean "SMS again, please".
const START_WORDS: &[&str] = &["START", "DEMARRER", "DÉMARRER", "REPRENDRE", "ابدأ", "ابدا"];

fn first_word_is(text: &str, words: &[&str]) -> bool {
    text.split_whitespace().next().is_some_and(|w| {
        let word = w.trim_matches(|c: char| !c.is_alphanumeric()).to_uppercase();
        words.iter().any(|s| s.to_uppercase() == word)
    })
}

/// True when an inbound SMS asks to stop (its first word, any case).
pub fn is_stop_request(text: &str) -> bool {
    first_word_is(text, STOP_WORDS)
}

/// True when an inbound SMS asks for SMS again after a STOP.
pub fn is_start_request(text: &str) -> bool {
    first_word_is(text, START_WORDS)
}

/// A reply START from `phone`: its STOP is lifted in every tenant (the
/// reading mirrors [`sms_stop`]). SMS go again once the person gives SMS
/// consent again (registering with it ticked, or on their own page): the
/// reply alone consents to nothing. Returns how many opt-outs were lifted.
pub async fn sms_start(db: &DatabaseConnection, phone: &PhoneNumber) -> DomainResult<u64> {
    Ok(crate::entities::opt_out::Entity::delete_many()
        .filter(crate::entities::opt_out::Column::Channel.eq(Channel::Sms))
        .filter(crate::entities::opt_out::Column::Address.eq(phone.as_e164()))
        .exec(db)
        .await?
        .rows_affected)
}

/// Whether this tenant's SMS to `phone` are blocked by an earlier STOP.
pub async fn sms_opted_out(db: &impl ConnectionTrait, scope: TenantScope, phone: &PhoneNumber) -> DomainResult<bool> {
    Ok(crate::entities::opt_out::Entity::find()
        .filter(crate::entities::opt_out::Column::TenantId.eq(scope.uuid()))
        .filter(crate::entities::opt_out::Column::Channel.eq(Channel::Sms))
        .filter(crate::entities::opt_out::Column::Address.eq(phone.as_e164()))
        .count(db)
        .await?
        > 0)
}

/// A reply STOP from `phone`: the number is opted out of SMS in every tenant
/// where a participant has it (the reply reaches a shared sender, so which
/// organizer it was meant for cannot be known, and the safe reading is all of
/// them), SMS consent is withdrawn and planned SMS are suppressed. This is, with
/// the outbox's claims, the one cross-tenant write: it handles one phone number.
/// Returns how many tenants.
pub async fn sms_stop(db: &DatabaseConnection, phone: &PhoneNumber, now: DateTime<Utc>) -> DomainResult<u64> {
    let people = participant::Entity::find().filter(participant::Column::Phone.eq(phone.as_e164())).all(db).await?;
    let mut tenants = std::collections::HashSet::new();
    for person in people {
        let scope = TenantScope::new(crate::ids::TenantId(person.tenant_id));
        crate::entities::opt_out::Entity::insert(crate::entities::opt_out::ActiveModel {
            id: Set(new_uuid()),
            tenant_id: Set(person.tenant_id),
            channel: Set(Channel::Sms),
            address: Set(phone.as_e164().to_owned()),
            source: Set("sms_stop".to_owned()),
            created_at: Set(now),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                crate::entities::opt_out::Column::TenantId,
                crate::entities::opt_out::Column::Channel,
                crate::entities::opt_out::Column::Address,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        withdraw(db, scope, person.id, ConsentKind::SmsReminders, "sms_stop", now).await?;
        tenants.insert(person.tenant_id);
    }
    Ok(tenants.len() as u64)
}

async fn withdraw(
    db: &DatabaseConnection,
    scope: TenantScope,
    participant_id: Uuid,
    kind: ConsentKind,
    source: &'static str,
    now: DateTime<Utc>,
) -> DomainResult<participant::Model> {
    db::write(db, |txn| {
        Box::pin(async move {
            let person = participant::Entity::find_by_id(participant_id)
                .filter(participant::Column::TenantId.eq(scope.uuid()))
                .one(txn)
                .await?
                .ok_or(DomainError::not_found("participant"))?;
            let given = match kind {
                ConsentKind::EmailReminders => person.consent_email_at,
                ConsentKind::SmsReminders => person.consent_sms_at,
                ConsentKind::PartnerSharing => person.consent_partners_at,
            };
            if given.is_none() {
                return Ok(person);
            }
            let mut active: participant::ActiveModel = person.into();
            match kind {
                ConsentKind::EmailReminders => active.consent_email_at = Set(None),
                ConsentKind::SmsReminders => active.consent_sms_at = Set(None),
                ConsentKind::PartnerSharing => active.consent_partners_at = Set(None),
            }
            active.updated_at = Set(now);
            let person = active.update(txn).await?;
            record_consent(txn, scope, participant_id, kind, false, source, now).await?;
            // What was planned against the consent goes now, not at send time.
            let suppress = notification::Entity::update_many()
                .col_expr(notification::Column::Status, Expr::val(notification::Status::Suppressed.to_value()))
                .col_expr(notification::Column::LastError, Expr::val("consent withdrawn"))
                .col_expr(notification::Column::UpdatedAt, Expr::val(now))
                .filter(notification::Column::TenantId.eq(scope.uuid()))
                .filter(notification::Column::ParticipantId.eq(participant_id))
                .filter(
                    notification::Column::Status.is_in([notification::Status::Pending, notification::Status::Queued]),
                );
            match kind {
                // Every SMS is sent under SMS consent.
                ConsentKind::SmsReminders => {
                    suppress.filter(notification::Column::Channel.eq(Channel::Sms.as_str())).exec(txn).await?;
                }
                // Reminders and broadcasts only: confirmations and cancellations
                // are the registration's own messages.
                ConsentKind::EmailReminders => {
                    suppress
                        .filter(notification::Column::Channel.eq(Channel::Email.as_str()))
                        .filter(
                            notification::Column::TemplateKey.is_in(
                                [TemplateKey::Reminder, TemplateKey::SessionReminder, TemplateKey::Broadcast]
                                    .map(TemplateKey::as_str),
                            ),
                        )
                        .exec(txn)
                        .await?;
                }
                ConsentKind::PartnerSharing => {}
            }
            Ok(person)
        })
    })
    .await
}

/// One change of a consent, for the participant's history.
pub async fn consent_history(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    participant_id: Uuid,
) -> DomainResult<Vec<consent_event::Model>> {
    Ok(consent_event::Entity::find()
        .filter(consent_event::Column::TenantId.eq(scope.uuid()))
        .filter(consent_event::Column::ParticipantId.eq(participant_id))
        .order_by_asc(consent_event::Column::RecordedAt)
        .all(db)
        .await?)
}

// ---------------------------------------------------------------- questions

/// Longest question accepted: a paragraph, not an essay.
pub const MAX_QUESTION_CHARS: usize = 1000;

/// A question asked in advance, as typed.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub topic: String,
    pub body: String,
    /// A workshop of the registration's stop, when the question is for it.
    pub session_id: Option<Uuid>,
}

fn parse_question(q: &NewQuestion) -> DomainResult<(Topic, String)> {
    let topic: Topic = q.topic.trim().to_ascii_lowercase().parse().map_err(|_| {
        DomainError::validation(
            "topic",
            text!(
                "field-one-of",
                values = "digital_marketing, financial_education, budgeting, banking_relations, \
                          digital_transformation, other"
            ),
        )
    })?;
    let body = q.body.trim();
    if body.chars().count() < 3 {
        return Err(DomainError::validation("body", text!("field-empty")));
    }
    if body.chars().count() > MAX_QUESTION_CHARS {
        return Err(DomainError::validation("body", text!("field-too-long", max = MAX_QUESTION_CHARS)));
    }
    if body.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(DomainError::validation("body", text!("field-control-chars")));
    }
    Ok((topic, body.to_owned()))
}

/// Records a question for a registration (inside its transaction or later).
pub(crate) async fn insert_question(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    reg: &registration::Model,
    q: &NewQuestion,
    now: DateTime<Utc>,
) -> DomainResult<question::Model> {
    let (topic, body) = parse_question(q)?;
    if let Some(session_id) = q.session_id {
        let same_stop = session::Entity::find_by_id(session_id)
            .filter(session::Column::TenantId.eq(scope.uuid()))
            .filter(session::Column::StopId.eq(reg.stop_id))
            .one(txn)
            .await?
            .is_some();
        if !same_stop {
            return Err(DomainError::validation("sessionId", text!("question-session-elsewhere")));
        }
    }
    Ok(question::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(scope.uuid()),
        stop_id: Set(reg.stop_id),
        session_id: Set(q.session_id),
        participant_id: Set(reg.participant_id),
        registration_id: Set(Some(reg.id)),
        topic: Set(topic),
        body: Set(body),
        created_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// The participant asks a question with their ticket code, at any time before
/// the stop ends.
pub async fn ask(
    db: &DatabaseConnection,
    ticket_code: &str,
    q: &NewQuestion,
    now: DateTime<Utc>,
) -> DomainResult<Question> {
    parse_question(q)?;
    let (scope, reg) = tickets::by_ticket(db, ticket_code).await?;
    if reg.status == registration::Status::Cancelled {
        return Err(DomainError::conflict(ConflictCode::InvalidState, text!("registration-cancelled")));
    }
    let ended = stop::Entity::find_by_id(reg.stop_id)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .is_some_and(|s| s.ends_at <= now);
    if ended {
        return Err(DomainError::conflict(ConflictCode::InvalidState, text!("stop-over")));
    }
    insert_question(db, scope, &reg, q, now).await.map(Question::from)
}

/// Questions of a stop (optionally one session), oldest first: for the
/// organizer's team (`registrations:read`).
pub async fn questions_for_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    stop_id: Uuid,
    session_id: Option<Uuid>,
) -> DomainResult<Vec<Question>> {
    let scope = actor.require(Action::RegistrationsRead)?;
    questions(db, scope, stop_id, session_id).await
}

/// Questions for one session's speakers, through the signed link the organizers
/// hand them (no account): topic and text, never who asked.
pub async fn questions_for_speakers(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
    signature: &str,
    now: DateTime<Utc>,
) -> DomainResult<(crate::catalog::Session, Vec<Question>)> {
    if !links::verify(db, scope, Purpose::SpeakerQuestions, session_id, signature, now).await? {
        return Err(DomainError::not_found("session"));
    }
    session_questions(db, scope, session_id).await
}

async fn session_questions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
) -> DomainResult<(crate::catalog::Session, Vec<Question>)> {
    let session = session::Entity::find_by_id(session_id)
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("session"))?;
    let qs = questions(db, scope, session.stop_id, Some(session_id)).await?;
    Ok((session.into(), qs))
}

/// The path of a session's speaker page, `s/<token>`, to join to the
/// platform's public address (organizers with `catalog:write`).
pub async fn speaker_page_path(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    let scope = actor.require(Action::CatalogWrite)?;
    session::Entity::find_by_id(session_id)
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("session"))?;
    Ok(format!("s/{}", links::signer(db, scope, now).await?.token(Purpose::SpeakerQuestions, session_id)?))
}

/// The signature of a session's speaker link (organizers with `catalog:write`).
pub async fn speaker_link_signature(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    let scope = actor.require(Action::CatalogWrite)?;
    session::Entity::find_by_id(session_id)
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("session"))?;
    links::sign(db, scope, Purpose::SpeakerQuestions, session_id, now).await
}

async fn questions(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    session_id: Option<Uuid>,
) -> DomainResult<Vec<Question>> {
    let mut q = question::Entity::find()
        .filter(question::Column::TenantId.eq(scope.uuid()))
        .filter(question::Column::StopId.eq(stop_id));
    if let Some(s) = session_id {
        q = q.filter(question::Column::SessionId.eq(s));
    }
    // Questions of people who since cancelled stay: the question is still a question.
    Ok(q.order_by_asc(question::Column::CreatedAt).limit(2000).all(db).await?.into_iter().map(Into::into).collect())
}

/// How many questions per topic a stop received, every topic listed.
pub async fn question_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
) -> DomainResult<Vec<(Topic, i64)>> {
    let rows: Vec<(Topic, i64)> = question::Entity::find()
        .select_only()
        .column(question::Column::Topic)
        .column_as(Expr::col(question::Column::Id).count(), "n")
        .filter(question::Column::TenantId.eq(scope.uuid()))
        .filter(question::Column::StopId.eq(stop_id))
        .group_by(question::Column::Topic)
        .into_tuple()
        .all(db)
        .await?;
    let counts: HashMap<Topic, i64> = rows.into_iter().collect();
    Ok(Topic::ALL.iter().map(|t| (*t, counts.get(t).copied().unwrap_or(0))).collect())
}

// ---------------------------------------------------------------- history

/// A participant as the organizer's team sees them, with every registration.
#[derive(Debug, Clone)]
pub struct History {
    pub participant: Person,
    /// Newest first, each with its stop.
    pub registrations: Vec<HistoryEntry>,
}

/// Finds a participant by what the team has at hand — an email or a phone
/// number as typed, or a ticket code — and returns their history across
/// stops and editions.
pub async fn find_person(db: &impl ConnectionTrait, actor: &Actor, contact: &str) -> DomainResult<History> {
    let scope = actor.require(Action::RegistrationsRead)?;
    let contact = contact.trim();
    let found = if let Ok(email) = crate::values::EmailAddress::parse(contact) {
        participant::Entity::find()
            .filter(participant::Column::TenantId.eq(scope.uuid()))
            .filter(participant::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
    } else if let Ok(phone) = PhoneNumber::parse(contact) {
        participant::Entity::find()
            .filter(participant::Column::TenantId.eq(scope.uuid()))
            .filter(participant::Column::Phone.eq(phone.as_e164()))
            .one(db)
            .await?
    } else if let Ok(code) = crate::values::TicketCode::parse(contact) {
        match registration::Entity::find()
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .filter(registration::Column::TicketCode.eq(code.as_str()))
            .one(db)
            .await?
        {
            Some(r) => participant::Entity::find_by_id(r.participant_id).one(db).await?,
            None => None,
        }
    } else {
        return Err(DomainError::validation("contact", text!("contact-lookup")));
    };
    let person = found.ok_or(DomainError::not_found("participant"))?;
    history(db, scope, person).await
}

/// The history of a participant known by id.
pub async fn history_by_id(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<History> {
    let scope = actor.require(Action::RegistrationsRead)?;
    let person = participant::Entity::find_by_id(id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    history(db, scope, person).await
}

async fn history(db: &impl ConnectionTrait, scope: TenantScope, person: participant::Model) -> DomainResult<History> {
    let regs = registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::ParticipantId.eq(person.id))
        .order_by_desc(registration::Column::CreatedAt)
        .all(db)
        .await?;
    let stops: HashMap<Uuid, stop::Model> = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::Id.is_in(regs.iter().map(|r| r.stop_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let registrations = regs
        .into_iter()
        .filter_map(|r| {
            let stop = stops.get(&r.stop_id).cloned()?;
            Some(HistoryEntry { registration: r.into(), stop: stop.into() })
        })
        .collect();
    Ok(History { participant: person.into(), registrations })
}

// ---------------------------------------------------------------- export

/// One line of a stop's export.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub registration: crate::registration::views::Registration,
    pub participant: Person,
    /// Titles of the workshops, with `(waitlisted)` where not seated.
    pub sessions: Vec<String>,
}

/// Checks that the actor may export this stop's registrations; returns the
/// stop. Call once before streaming pages.
pub async fn export_start(
    db: &impl ConnectionTrait,
    actor: &Actor,
    stop_id: Uuid,
) -> DomainResult<crate::catalog::Stop> {
    let scope = actor.require(Action::RegistrationsRead)?;
    Ok(stop::Entity::find_by_id(stop_id)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("stop"))?
        .into())
}

/// How many rows a stop's export holds (every registration, as the pages list them).
pub async fn export_size(db: &impl ConnectionTrait, scope: TenantScope, stop_id: Uuid) -> DomainResult<u64> {
    Ok(registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id))
        .count(db)
        .await?)
}

/// A page of a stop's registrations in a stable order (by id, i.e. by time of
/// registration: ids are UUIDv7), after `after`: a stream of these pages keeps
/// memory flat whatever the stop's size.
pub async fn export_page(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Vec<ExportRow>> {
    let mut q = registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id));
    if let Some(after) = after {
        q = q.filter(registration::Column::Id.gt(after));
    }
    let regs = q.order_by_asc(registration::Column::Id).limit(limit).all(db).await?;
    rows_of(db, scope, stop_id, regs).await
}

/// The export's lines for these registrations of one stop: their people and
/// workshops, three statements whatever their number.
async fn rows_of(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    regs: Vec<registration::Model>,
) -> DomainResult<Vec<ExportRow>> {
    if regs.is_empty() {
        return Ok(Vec::new());
    }
    let people: HashMap<Uuid, participant::Model> = participant::Entity::find()
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .filter(participant::Column::Id.is_in(regs.iter().map(|r| r.participant_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let seats = session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.is_in(regs.iter().map(|r| r.id)))
        .filter(session_seat::Column::Status.ne(registration::Status::Cancelled))
        .all(db)
        .await?;
    let titles: HashMap<Uuid, String> = session::Entity::find()
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::StopId.eq(stop_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.title))
        .collect();
    Ok(regs
        .into_iter()
        .filter_map(|r| {
            let participant = people.get(&r.participant_id)?.clone().into();
            let sessions = seats
                .iter()
                .filter(|s| s.registration_id == r.id)
                .filter_map(|s| {
                    let title = titles.get(&s.session_id)?;
                    Some(if s.status == registration::Status::Waitlisted {
                        format!("{title} (waitlisted)")
                    } else {
                        title.clone()
                    })
                })
                .collect();
            Some(ExportRow { registration: r.into(), participant, sessions })
        })
        .collect())
}

// ---------------------------------------------------------------- roster

/// What an organizer looks for in a stop's registrations.
#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    /// A name (or part of it), an email, a phone as typed (`06 61…`,
    /// `+212 6…`) or a ticket code (case, spaces and dashes forgiven).
    pub search: Option<String>,
    pub status: Option<registration::Status>,
    /// Checked in (true) or not yet (false).
    pub checked_in: Option<bool>,
}

/// One page of a stop's registrations for the console.
#[derive(Debug, Clone)]
pub struct Roster {
    pub stop: crate::catalog::Stop,
    pub rows: Vec<ExportRow>,
    /// Where the next page starts, if there is one.
    pub next: Option<Uuid>,
    /// How many registrations match, over all pages.
    pub matching: u64,
}

/// The most people a name search gathers before it asks for more letters.
const SEARCH_PEOPLE: u64 = 2_000;

/// A page of a stop's registrations matching `filter`, in registration
/// order after `after`. Needs [`Action::RegistrationsRead`]; another
/// organizer's stop is NOT_FOUND. A fixed number of statements whatever the
/// stop's size.
pub async fn stop_roster(
    db: &impl ConnectionTrait,
    actor: &Actor,
    stop_id: Uuid,
    filter: &RosterFilter,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Roster> {
    let stop = export_start(db, actor, stop_id).await?;
    let scope = actor.scope;
    let mut q = registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id));
    if let Some(status) = filter.status {
        q = q.filter(registration::Column::Status.eq(status));
    }
    match filter.checked_in {
        Some(true) => q = q.filter(registration::Column::CheckedInAt.is_not_null()),
        Some(false) => q = q.filter(registration::Column::CheckedInAt.is_null()),
        None => {}
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let mut who = sea_orm::Condition::any();
        if let Ok(code) = crate::values::TicketCode::parse(search) {
            who = who.add(registration::Column::TicketCode.eq(code.as_str()));
        }
        let mut people = sea_orm::Condition::any();
        if let Ok(phone) = PhoneNumber::parse(search) {
            people = people.add(participant::Column::Phone.eq(phone.as_e164()));
        }
        // Parts of a name or an email, any case; the user's % and _ are letters.
        let escaped: String = search
            .to_lowercase()
            .chars()
            .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
            .collect();
        let pattern = sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\');
        for column in [participant::Column::FullName, participant::Column::Email] {
            people = people.add(Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(column))).like(pattern.clone()));
        }
        let ids: Vec<Uuid> = participant::Entity::find()
            .select_only()
            .column(participant::Column::Id)
            .filter(participant::Column::TenantId.eq(scope.uuid()))
            .filter(people)
            .limit(SEARCH_PEOPLE)
            .into_tuple()
            .all(db)
            .await?;
        if !ids.is_empty() {
            who = who.add(registration::Column::ParticipantId.is_in(ids));
        }
        // Nothing can match: an empty page, not every registration.
        if who.is_empty() {
            return Ok(Roster { stop, rows: Vec::new(), next: None, matching: 0 });
        }
        q = q.filter(who);
    }
    let matching = q.clone().count(db).await?;
    if let Some(after) = after {
        q = q.filter(registration::Column::Id.gt(after));
    }
    let mut regs = q.order_by_asc(registration::Column::Id).limit(limit + 1).all(db).await?;
    let next = if regs.len() as u64 > limit {
        regs.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        regs.last().map(|r| r.id)
    } else {
        None
    };
    let rows = rows_of(db, scope, stop_id, regs).await?;
    Ok(Roster { stop, rows, next, matching })
}

/// A session's questions through its speaker link (`/s/<token>`): NOT_FOUND
/// for a malformed, forged or unknown token alike.
pub async fn questions_by_speaker_link(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<(crate::catalog::Session, Vec<Question>)> {
    let (scope, id) =
        links::open_token(db, Purpose::SpeakerQuestions, token, now).await?.ok_or(DomainError::not_found("session"))?;
    session_questions(db, scope, id).await
}

#[cfg(test)]
mod tests {
    use super::is_stop_request;

    #[test]
    fn start_replies_resume() {
        for yes in ["START", "start", "Démarrer", "ابدأ"] {
            assert!(super::is_start_request(yes), "{yes:?}");
            assert!(!is_stop_request(yes), "{yes:?}");
        }
        assert!(!super::is_start_request("STOP"));
    }

    #[test]
    fn stop_replies_in_three_languages_and_nothing_else() {
        for yes in ["STOP", "stop", " Stop.", "Arrêt", "ARRET merci", "توقف", "unsubscribe"] {
            assert!(is_stop_request(yes), "{yes:?}");
        }
        for no in ["", "merci", "stopping by tomorrow", "Je ne peux pas STOP"] {
            assert!(!is_stop_request(no), "{no:?}");
        }
    }
}
