//! Registering a participant for a stop (and some of its sessions).
//!
//! Everything happens in one transaction: the participant is found or created
//! (one person per tenant, matched by email or phone), a seat is taken with a
//! conditional UPDATE on the stop's counter (so capacity holds under any
//! concurrency, on PostgreSQL and SQLite alike), the registration and its
//! workshop seats are written, and the messages it causes are written to the
//! outbox. Either all of it is committed or none of it.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::catalog::{self, RegistrationWindow};
use crate::db;
use crate::entities::{consent_event, participant, registration, session, session_seat};
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::ids::{RegistrationId, SessionId, StopId, new_uuid};
use crate::messaging::outbox::plan_registration_messages;
use crate::messaging::templates::TemplateKey;
use crate::registration::seating::{Seat, next_session_waitlist_position, take_session_seat, take_stop_seat};
use crate::tenancy::TenantScope;
use crate::values::{EmailAddress, Locale, PersonName, PhoneNumber, TicketCode};

/// What a participant asked for, as typed. Field names in errors are the
/// public API's (`fullName`, `sessionIds`…).
#[derive(Clone, Default)]
pub struct RegisterInput {
    pub stop_id: StopId,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub session_ids: Vec<SessionId>,
    pub consents: Consents,
    pub profile: Profile,
    /// A question for the organizers and speakers, asked with the registration.
    pub question: Option<crate::registration::participants::NewQuestion>,
}

impl std::fmt::Debug for RegisterInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterInput").field("stop_id", &self.stop_id).finish_non_exhaustive()
    }
}

/// Consents given with the registration. Absent means "not given now", never
/// "withdrawn": withdrawing is an explicit act.
#[derive(Debug, Clone, Copy, Default)]
pub struct Consents {
    pub email_reminders: bool,
    pub sms_reminders: bool,
    pub share_with_partners: bool,
}

/// The business profile partners' aggregates are built from.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub segment: Option<String>,
    pub sector: Option<String>,
    pub company: Option<String>,
    pub region: Option<String>,
}

#[derive(Clone)]
struct Parsed {
    name: PersonName,
    email: Option<EmailAddress>,
    phone: Option<PhoneNumber>,
    locale: Option<Locale>,
    segment: Option<participant::Segment>,
    sector: Option<String>,
    company: Option<String>,
    region: Option<String>,
}

fn optional_text(field: &str, raw: &Option<String>, max: usize) -> DomainResult<Option<String>> {
    let Some(text) = raw.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > max {
        return Err(DomainError::validation(field, text!("field-too-long", max = max)));
    }
    if text.chars().any(char::is_control) {
        return Err(DomainError::validation(field, text!("field-control-chars")));
    }
    Ok(Some(text.to_owned()))
}

fn parse_segment(raw: &Option<String>) -> DomainResult<Option<participant::Segment>> {
    use participant::Segment::*;
    let Some(text) = raw.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let segment = match text.to_ascii_lowercase().replace('-', "_").as_str() {
        "tpe" => Tpe,
        "micro_enterprise" => MicroEnterprise,
        "auto_entrepreneur" => AutoEntrepreneur,
        "project_holder" => ProjectHolder,
        "other" => Other,
        _ => {
            return Err(DomainError::validation(
                "segment",
                text!("field-one-of", values = "tpe, micro_enterprise, auto_entrepreneur, project_holder, other"),
            ));
        }
    };
    Ok(Some(segment))
}

fn parse(input: &RegisterInput) -> DomainResult<Parsed> {
    let name = PersonName::parse(&input.full_name).field("fullName")?;
    let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(EmailAddress::parse(e).field("email")?),
        None => None,
    };
    let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(PhoneNumber::parse(p).field("phone")?),
        None => None,
    };
    if email.is_none() && phone.is_none() {
        return Err(DomainError::validation("email", text!("register-contact")));
    }
    if input.consents.sms_reminders
        && let Some(p) = &phone
        && !p.can_receive_sms()
    {
        return Err(DomainError::validation("phone", text!("register-not-mobile")));
    }
    let locale = match input.locale.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Some(l.parse::<Locale>().field("locale")?),
        None => None,
    };
    if input.session_ids.len() > 20 {
        return Err(DomainError::validation("sessionIds", text!("register-too-many-sessions")));
    }
    Ok(Parsed {
        name,
        email,
        phone,
        locale,
        segment: parse_segment(&input.profile.segment)?,
        sector: optional_text("sector", &input.profile.sector, 120)?,
        company: optional_text("company", &input.profile.company, 200)?,
        region: optional_text("region", &input.profile.region, 120)?,
    })
}

#[derive(Debug, Clone)]
pub struct RegisterOutcome {
    pub registration: crate::registration::views::Registration,
    pub seats: Vec<crate::registration::views::Seat>,
    /// True when this person already held a live registration for the stop: it is
    /// returned as it is, nothing new was written or sent.
    pub already_registered: bool,
    /// When the stop is full: the edition's other stops that still have seats.
    pub alternatives: Vec<catalog::Stop>,
    /// SMS were asked for, but this number replied STOP to this organizer
    /// earlier: no SMS will go until it replies START (and SMS consent is
    /// given again). Said to the person, not silently dropped.
    pub sms_blocked: bool,
}

/// Registers a participant. See the module documentation for what one call writes.
pub async fn register(
    db: &DatabaseConnection,
    scope: TenantScope,
    input: &RegisterInput,
    now: DateTime<Utc>,
) -> DomainResult<RegisterOutcome> {
    let parsed = parse(input)?;
    // SMS go only where the organizer pays for them: a number from elsewhere
    // with SMS asked for is refused now, with the reason, rather than planned
    // and dropped (the send checks again, for consents given before).
    if input.consents.sms_reminders
        && let Some(phone) = &parsed.phone
        && let Some(tenant) = crate::entities::tenant::Entity::find_by_id(scope.uuid()).one(db).await?
    {
        crate::messaging::sms::country_allowed(&tenant.sms_countries, phone).map_err(|r| {
            DomainError::validation("phone", text!("register-sms-country", allowed = r.allowed, found = r.found))
        })?;
    }
    let mut session_ids: Vec<Uuid> = input.session_ids.iter().map(|s| s.0).collect();
    session_ids.sort_unstable();
    session_ids.dedup();
    let (stop_id, consents) = (input.stop_id, input.consents);
    let (mut outcome, edition) = db::write(db, |txn| {
        let (parsed, session_ids, question) = (parsed.clone(), session_ids.clone(), input.question.clone());
        Box::pin(async move {
            register_in(txn, scope, stop_id, &parsed, &consents, &session_ids, question.as_ref(), now).await
        })
    })
    .await?;
    if consents.sms_reminders
        && let Some(phone) = &parsed.phone
    {
        outcome.sms_blocked = crate::registration::participants::sms_opted_out(db, scope, phone).await?;
    }
    if outcome.registration.status == registration::Status::Waitlisted && !outcome.already_registered {
        outcome.alternatives = catalog::open_alternatives(db, scope, &edition, input.stop_id, now).await?;
    }
    Ok(outcome)
}

#[expect(clippy::too_many_arguments, reason = "the parsed parts of one registration, passed into its transaction")]
async fn register_in(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: StopId,
    parsed: &Parsed,
    consents: &Consents,
    session_ids: &[Uuid],
    question: Option<&crate::registration::participants::NewQuestion>,
    now: DateTime<Utc>,
) -> DomainResult<(RegisterOutcome, crate::entities::edition::Model)> {
    let (stop, edition) = catalog::stop_with_edition(txn, scope, stop_id).await?;
    // A draft was never shown to anyone: to a stranger it does not exist (a
    // cancelled or archived stop was public, and says that it is closed).
    if !catalog::ever_public(&stop, &edition) {
        return Err(DomainError::not_found("stop"));
    }
    let window = RegistrationWindow::of(&stop, &edition, now);
    if let Some(refusal) = window.refusal(stop.time_zone) {
        return Err(DomainError::conflict(ConflictCode::RegistrationClosed, refusal));
    }
    let sessions = if session_ids.is_empty() {
        Vec::new()
    } else {
        session::Entity::find()
            .filter(session::Column::TenantId.eq(scope.uuid()))
            .filter(session::Column::StopId.eq(stop.id))
            .filter(session::Column::Id.is_in(session_ids.iter().copied()))
            .all(txn)
            .await?
    };
    if sessions.len() != session_ids.len() {
        return Err(DomainError::validation("sessionIds", text!("register-session-elsewhere")));
    }

    let (person, created) = upsert_participant(txn, scope, parsed, consents, now).await?;

    // Someone created just now has no registration yet: one statement saved on
    // the common path.
    let existing = if created {
        None
    } else {
        registration::Entity::find()
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .filter(registration::Column::StopId.eq(stop.id))
            .filter(registration::Column::ParticipantId.eq(person.id))
            .filter(registration::Column::Status.ne(registration::Status::Cancelled))
            .one(txn)
            .await?
    };
    if let Some(registration) = existing {
        let seats = session_seat::Entity::find()
            .filter(session_seat::Column::TenantId.eq(scope.uuid()))
            .filter(session_seat::Column::RegistrationId.eq(registration.id))
            .all(txn)
            .await?;
        let outcome = RegisterOutcome {
            registration: registration.into(),
            seats: seats.into_iter().map(Into::into).collect(),
            already_registered: true,
            alternatives: Vec::new(),
            sms_blocked: false,
        };
        return Ok((outcome, edition));
    }

    // The registration is written before the seat is taken: the seat's UPDATE
    // locks the stop's row until COMMIT, and on a stop everyone wants, the
    // less work left after it, the more registrations per second the stop takes.
    let mut registration = registration::ActiveModel {
        id: Set(RegistrationId::new().0),
        tenant_id: Set(scope.uuid()),
        stop_id: Set(stop.id),
        participant_id: Set(person.id),
        status: Set(registration::Status::Confirmed),
        waitlist_position: Set(None),
        ticket_code: Set(TicketCode::generate().as_str().to_owned()),
        source: Set("public".to_owned()),
        checked_in_at: Set(None),
        cancelled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    if let Some(q) = question {
        crate::registration::participants::insert_question(txn, scope, &registration, q, now).await?;
    }
    if let Seat::Waitlisted(position) = take_stop_seat(txn, scope, stop.id, now).await? {
        registration::Entity::update_many()
            .col_expr(registration::Column::Status, Expr::val(registration::Status::Waitlisted.to_value()))
            .col_expr(registration::Column::WaitlistPosition, Expr::val(position))
            .filter(registration::Column::Id.eq(registration.id))
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .exec(txn)
            .await?;
        registration.status = registration::Status::Waitlisted;
        registration.waitlist_position = Some(position);
    }
    let status = registration.status;

    let mut seats = Vec::with_capacity(sessions.len());
    for session in &sessions {
        let (seat_status, position) = if status == registration::Status::Confirmed {
            match take_session_seat(txn, scope, session, now).await? {
                Seat::Taken => (registration::Status::Confirmed, None),
                Seat::Waitlisted(p) => (registration::Status::Waitlisted, Some(p)),
            }
        } else {
            // A seat in a workshop only makes sense with a seat in the venue: the
            // workshop's waiting list holds the place until the stop promotes.
            (registration::Status::Waitlisted, Some(next_session_waitlist_position(txn, scope, session.id, now).await?))
        };
        let seat = session_seat::ActiveModel {
            id: Set(new_uuid()),
            tenant_id: Set(scope.uuid()),
            registration_id: Set(registration.id),
            session_id: Set(session.id),
            status: Set(seat_status),
            waitlist_position: Set(position),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        seats.push(seat);
    }

    let template = match status {
        registration::Status::Confirmed => TemplateKey::Confirmation,
        _ => TemplateKey::Waitlisted,
    };
    plan_registration_messages(txn, scope, &person, &registration, template, now).await?;
    if status == registration::Status::Confirmed {
        crate::messaging::reminders::plan_confirmed(txn, scope, &stop, &registration, &person, now).await?;
    }

    let outcome = RegisterOutcome {
        registration: registration.into(),
        seats: seats.into_iter().map(Into::into).collect(),
        already_registered: false,
        alternatives: Vec::new(),
        sms_blocked: false,
    };
    Ok((outcome, edition))
}

/// Finds the person by email or phone within the tenant, or creates them; fills
/// in what they gave now and records newly given consents. True when created.
async fn upsert_participant(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    parsed: &Parsed,
    consents: &Consents,
    now: DateTime<Utc>,
) -> DomainResult<(participant::Model, bool)> {
    let by_email = match &parsed.email {
        Some(e) => {
            participant::Entity::find()
                .filter(participant::Column::TenantId.eq(scope.uuid()))
                .filter(participant::Column::Email.eq(e.as_str()))
                .one(txn)
                .await?
        }
        None => None,
    };
    let by_phone = match (&by_email, &parsed.phone) {
        (None, Some(p)) => {
            participant::Entity::find()
                .filter(participant::Column::TenantId.eq(scope.uuid()))
                .filter(participant::Column::Phone.eq(p.as_e164()))
                .one(txn)
                .await?
        }
        _ => None,
    };

    let (person, granted, created) = match by_email.or(by_phone) {
        Some(existing) => {
            let mut active: participant::ActiveModel = existing.clone().into();
            active.full_name = Set(parsed.name.as_str().to_owned());
            if let Some(locale) = parsed.locale {
                active.locale = Set(locale);
            }
            // Add a missing contact, unless it already identifies someone else
            // (two records that should be merged are an organizer's decision).
            if existing.email.is_none()
                && let Some(e) = &parsed.email
                && !contact_taken(txn, scope, participant::Column::Email, e.as_str()).await?
            {
                active.email = Set(Some(e.as_str().to_owned()));
            }
            if existing.phone.is_none()
                && let Some(p) = &parsed.phone
                && !contact_taken(txn, scope, participant::Column::Phone, p.as_e164()).await?
            {
                active.phone = Set(Some(p.as_e164().to_owned()));
            }
            if parsed.segment.is_some() {
                active.segment = Set(parsed.segment);
            }
            for (value, column) in [
                (&parsed.sector, &mut active.sector),
                (&parsed.company, &mut active.company),
                (&parsed.region, &mut active.region),
            ] {
                if value.is_some() {
                    *column = Set(value.clone());
                }
            }
            let granted = grant_consents(&mut active, &existing, consents, now);
            active.updated_at = Set(now);
            (active.update(txn).await?, granted, false)
        }
        None => {
            let mut active = participant::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(scope.uuid()),
                full_name: Set(parsed.name.as_str().to_owned()),
                email: Set(parsed.email.as_ref().map(|e| e.as_str().to_owned())),
                phone: Set(parsed.phone.as_ref().map(|p| p.as_e164().to_owned())),
                locale: Set(parsed.locale.unwrap_or_default()),
                segment: Set(parsed.segment),
                sector: Set(parsed.sector.clone()),
                company: Set(parsed.company.clone()),
                region: Set(parsed.region.clone()),
                consent_email_at: Set(None),
                consent_sms_at: Set(None),
                consent_partners_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            let blank = participant::Model {
                id: Uuid::nil(),
                tenant_id: scope.uuid(),
                full_name: String::new(),
                email: None,
                phone: None,
                locale: Locale::default(),
                segment: None,
                sector: None,
                company: None,
                region: None,
                consent_email_at: None,
                consent_sms_at: None,
                consent_partners_at: None,
                created_at: now,
                updated_at: now,
            };
            let granted = grant_consents(&mut active, &blank, consents, now);
            // A concurrent registration of the same new person makes this insert
            // fail on the unique (tenant, email/phone) index: that is contention,
            // and the retried transaction finds the row the other one created.
            let person = active.insert(txn).await.map_err(|e| {
                if crate::error::is_unique_violation(&e) { DomainError::Contention(e.to_string()) } else { e.into() }
            })?;
            (person, granted, true)
        }
    };
    record_consent_events(txn, scope, &person, granted, now).await?;
    Ok((person, created))
}

async fn contact_taken(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    column: participant::Column,
    value: &str,
) -> DomainResult<bool> {
    Ok(participant::Entity::find()
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .filter(column.eq(value))
        .one(txn)
        .await?
        .is_some())
}

/// Sets the consents given now that were not in force; returns which, in the
/// order email reminders, SMS, partner sharing.
fn grant_consents(
    active: &mut participant::ActiveModel,
    before: &participant::Model,
    consents: &Consents,
    now: DateTime<Utc>,
) -> [bool; 3] {
    let granted = [
        consents.email_reminders && before.consent_email_at.is_none(),
        consents.sms_reminders && before.consent_sms_at.is_none(),
        consents.share_with_partners && before.consent_partners_at.is_none(),
    ];
    if granted[0] {
        active.consent_email_at = Set(Some(now));
    }
    if granted[1] {
        active.consent_sms_at = Set(Some(now));
    }
    if granted[2] {
        active.consent_partners_at = Set(Some(now));
    }
    granted
}

/// One history row per consent that this registration newly granted, in one
/// statement. (Decided from what was granted, not by comparing timestamps:
/// PostgreSQL keeps microseconds, and `now` has nanoseconds.)
async fn record_consent_events(
    txn: &impl ConnectionTrait,
    scope: TenantScope,
    person: &participant::Model,
    granted: [bool; 3],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let kinds =
        [consent_event::Kind::EmailReminders, consent_event::Kind::SmsReminders, consent_event::Kind::PartnerSharing];
    let rows: Vec<consent_event::ActiveModel> = granted
        .iter()
        .zip(kinds)
        .filter(|(g, _)| **g)
        .map(|(_, kind)| consent_event::ActiveModel {
            id: Set(new_uuid()),
            tenant_id: Set(scope.uuid()),
            participant_id: Set(person.id),
            kind: Set(kind),
            granted: Set(true),
            source: Set("registration".to_owned()),
            recorded_at: Set(now),
        })
        .collect();
    if !rows.is_empty() {
        consent_event::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}
