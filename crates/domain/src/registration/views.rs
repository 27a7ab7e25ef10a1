//! Registrations and participants as their readers see them (the GraphQL API,
//! the web pages, the door): typed ids, parsed values, nothing a reader has to
//! work out again.

use chrono::{DateTime, Utc};

use crate::catalog::{self, Topic};
use crate::entities::{participant, question, registration, session_seat};
use crate::ids::{ParticipantId, QuestionId, RegistrationId, SessionId, StopId, TenantId};
use crate::values::{Locale, TicketCode};

pub use crate::entities::participant::Segment;
pub use crate::entities::registration::Status as RegistrationStatus;

/// A participant's place at a stop.
#[derive(Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: RegistrationId,
    pub tenant: TenantId,
    pub stop_id: StopId,
    pub participant_id: ParticipantId,
    pub status: RegistrationStatus,
    /// The live rank on the waiting list (1 = next in), when waitlisted.
    pub waitlist_position: Option<i32>,
    /// The entry code, as stored (`K7Q2M9XD4T`): a bearer credential, shown
    /// only to whoever may hold it.
    pub ticket_code: String,
    /// Who made it: `public` (the participant), `organizer`, `import`.
    pub source: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Registration {
    /// The entry code as people read it (`K7Q2M-9XD4T`).
    pub fn display_code(&self) -> String {
        TicketCode::display_stored(&self.ticket_code)
    }
}

/// The ticket code is a bearer credential: never in logs.
impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("id", &self.id)
            .field("stop_id", &self.stop_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl From<registration::Model> for Registration {
    fn from(m: registration::Model) -> Self {
        Registration {
            id: RegistrationId(m.id),
            tenant: TenantId(m.tenant_id),
            stop_id: StopId(m.stop_id),
            participant_id: ParticipantId(m.participant_id),
            status: m.status,
            waitlist_position: m.waitlist_position,
            ticket_code: m.ticket_code,
            source: m.source,
            checked_in_at: m.checked_in_at,
            cancelled_at: m.cancelled_at,
            created_at: m.created_at,
        }
    }
}

/// A registration's seat in one session (workshop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub id: uuid::Uuid,
    pub session_id: SessionId,
    pub status: RegistrationStatus,
    pub waitlist_position: Option<i32>,
}

impl From<session_seat::Model> for Seat {
    fn from(m: session_seat::Model) -> Self {
        Seat { id: m.id, session_id: SessionId(m.session_id), status: m.status, waitlist_position: m.waitlist_position }
    }
}

/// When each consent was given; `None` when it is not in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsentsGiven {
    pub email_reminders: Option<DateTime<Utc>>,
    pub sms_reminders: Option<DateTime<Utc>>,
    pub partner_sharing: Option<DateTime<Utc>>,
}

/// A participant as the organizer's team sees them.
#[derive(Clone, PartialEq, Eq)]
pub struct Person {
    pub id: ParticipantId,
    pub tenant: TenantId,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Locale,
    pub segment: Option<Segment>,
    pub sector: Option<String>,
    pub company: Option<String>,
    pub region: Option<String>,
    pub consents: ConsentsGiven,
}

/// Personal data never reaches a log through `{:?}`.
impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person").field("id", &self.id).finish_non_exhaustive()
    }
}

impl From<participant::Model> for Person {
    fn from(m: participant::Model) -> Self {
        Person {
            id: ParticipantId(m.id),
            tenant: TenantId(m.tenant_id),
            consents: ConsentsGiven {
                email_reminders: m.consent_email_at,
                sms_reminders: m.consent_sms_at,
                partner_sharing: m.consent_partners_at,
            },
            full_name: m.full_name,
            email: m.email,
            phone: m.phone,
            locale: m.locale,
            segment: m.segment,
            sector: m.sector,
            company: m.company,
            region: m.region,
        }
    }
}

/// A question asked in advance. It names no one: speakers and partners read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    pub tenant: TenantId,
    pub stop_id: StopId,
    /// The workshop it is for, if any.
    pub session_id: Option<SessionId>,
    pub topic: Topic,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<question::Model> for Question {
    fn from(m: question::Model) -> Self {
        Question {
            id: QuestionId(m.id),
            tenant: TenantId(m.tenant_id),
            stop_id: StopId(m.stop_id),
            session_id: m.session_id.map(SessionId),
            topic: m.topic,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

/// Questions per topic, every topic listed (zeros included), in
/// [`Topic::ALL`]'s order.
pub fn count_by_topic<'a>(topics: impl IntoIterator<Item = &'a Topic>) -> Vec<(Topic, i64)> {
    let mut counts: Vec<(Topic, i64)> = Topic::ALL.iter().map(|t| (*t, 0)).collect();
    for topic in topics {
        if let Some(c) = counts.iter_mut().find(|(t, _)| t == topic) {
            c.1 += 1;
        }
    }
    counts
}

/// One registration in a participant's history, with its stop.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub registration: Registration,
    pub stop: catalog::Stop,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_is_counted_zeros_included() {
        let counts = count_by_topic(&[Topic::Budgeting, Topic::Other, Topic::Budgeting]);
        assert_eq!(counts.len(), Topic::ALL.len());
        assert!(counts.contains(&(Topic::Budgeting, 2)));
        assert!(counts.contains(&(Topic::DigitalMarketing, 0)));
        assert_eq!(counts.iter().map(|c| c.1).sum::<i64>(), 3);
    }
}
