//! GraphQL object types over domain models.

use std::sync::Arc;

use async_graphql::{ComplexObject, Enum, ID, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};
use escale_domain::catalog::{self, AgendaSession, AgendaStop};
use escale_domain::entities::{edition, registration, session, session_seat, stop};
use escale_domain::ids::TenantId;
use escale_domain::values::TimeZone;

use crate::ids;

/// A stop of a roadshow: one city, one day, its sessions.
pub struct Stop {
    pub data: Arc<AgendaStop>,
    pub now: DateTime<Utc>,
}

fn local(zone: &str, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    TimeZone::parse(zone).unwrap_or_default().local(at)
}

#[async_graphql::Object]
impl Stop {
    async fn id(&self) -> ID {
        ID(ids::encode("Stop", TenantId(self.data.stop.tenant_id), self.data.stop.id))
    }
    async fn name(&self) -> &str {
        &self.data.stop.name
    }
    async fn city(&self) -> &str {
        &self.data.stop.city
    }
    async fn region(&self) -> &str {
        &self.data.stop.region
    }
    async fn venue(&self) -> &str {
        &self.data.stop.venue
    }
    async fn address(&self) -> Option<&str> {
        self.data.stop.address.as_deref()
    }
    /// IANA time zone of the stop, e.g. `Africa/Casablanca`.
    async fn time_zone(&self) -> &str {
        &self.data.stop.time_zone
    }
    /// Start instant, RFC 3339 in UTC.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.data.stop.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.data.stop.ends_at
    }
    /// Start as local wall-clock time, RFC 3339 with the offset in force that day.
    async fn local_starts_at(&self) -> DateTime<FixedOffset> {
        local(&self.data.stop.time_zone, self.data.stop.starts_at)
    }
    async fn local_ends_at(&self) -> DateTime<FixedOffset> {
        local(&self.data.stop.time_zone, self.data.stop.ends_at)
    }
    async fn capacity(&self) -> i32 {
        self.data.stop.capacity
    }
    async fn seats_left(&self) -> i32 {
        self.data.seats_left()
    }
    /// True when the stop takes registrations right now.
    async fn registration_open(&self) -> bool {
        self.data.window(self.now).is_open()
    }
    async fn registration_opens_at(&self) -> Option<DateTime<Utc>> {
        self.data.stop.registration_opens_at
    }
    async fn registration_closes_at(&self) -> DateTime<Utc> {
        self.data.stop.registration_closes_at.map_or(self.data.stop.starts_at, |c| c.min(self.data.stop.starts_at))
    }
    async fn status(&self) -> StopStatus {
        self.data.stop.status.into()
    }
    async fn edition(&self) -> Edition {
        Edition {
            id: ID(ids::encode("Edition", TenantId(self.data.edition.tenant_id), self.data.edition.id)),
            number: self.data.edition.number,
            year: self.data.edition.year,
            title: self.data.edition.title.clone(),
            status: self.data.edition.status.into(),
            series: Series {
                id: ID(ids::encode("Series", TenantId(self.data.series.tenant_id), self.data.series.id)),
                name: self.data.series.name.clone(),
            },
        }
    }
    async fn sessions(&self) -> Vec<Session> {
        self.data
            .sessions
            .iter()
            .cloned()
            .map(|s| Session { data: s, time_zone: self.data.stop.time_zone.clone() })
            .collect()
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StopStatus {
    Draft,
    Published,
    Cancelled,
}

impl From<stop::Status> for StopStatus {
    fn from(s: stop::Status) -> Self {
        match s {
            stop::Status::Draft => StopStatus::Draft,
            stop::Status::Published => StopStatus::Published,
            stop::Status::Cancelled => StopStatus::Cancelled,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EditionStatus {
    Draft,
    Published,
    Archived,
}

impl From<edition::Status> for EditionStatus {
    fn from(s: edition::Status) -> Self {
        match s {
            edition::Status::Draft => EditionStatus::Draft,
            edition::Status::Published => EditionStatus::Published,
            edition::Status::Archived => EditionStatus::Archived,
        }
    }
}

/// One year's tour of a series.
#[derive(SimpleObject)]
pub struct Edition {
    pub id: ID,
    pub number: i32,
    pub year: i32,
    pub title: String,
    pub status: EditionStatus,
    pub series: Series,
}

/// A recurring event, run edition after edition.
#[derive(SimpleObject)]
pub struct Series {
    pub id: ID,
    pub name: String,
}

/// A workshop, talk, panel or meeting at a stop.
pub struct Session {
    pub data: AgendaSession,
    pub time_zone: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SessionKind {
    Workshop,
    Talk,
    Panel,
    Meeting,
}

impl From<session::Kind> for SessionKind {
    fn from(k: session::Kind) -> Self {
        match k {
            session::Kind::Workshop => SessionKind::Workshop,
            session::Kind::Talk => SessionKind::Talk,
            session::Kind::Panel => SessionKind::Panel,
            session::Kind::Meeting => SessionKind::Meeting,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Topic {
    DigitalMarketing,
    FinancialEducation,
    Budgeting,
    BankingRelations,
    DigitalTransformation,
    Other,
}

impl From<catalog::Topic> for Topic {
    fn from(t: catalog::Topic) -> Self {
        match t {
            catalog::Topic::DigitalMarketing => Topic::DigitalMarketing,
            catalog::Topic::FinancialEducation => Topic::FinancialEducation,
            catalog::Topic::Budgeting => Topic::Budgeting,
            catalog::Topic::BankingRelations => Topic::BankingRelations,
            catalog::Topic::DigitalTransformation => Topic::DigitalTransformation,
            catalog::Topic::Other => Topic::Other,
        }
    }
}

#[async_graphql::Object]
impl Session {
    async fn id(&self) -> ID {
        ID(ids::encode("Session", TenantId(self.data.session.tenant_id), self.data.session.id))
    }
    async fn title(&self) -> &str {
        &self.data.session.title
    }
    async fn description(&self) -> Option<&str> {
        self.data.session.description.as_deref()
    }
    async fn kind(&self) -> SessionKind {
        self.data.session.kind.into()
    }
    async fn topics(&self) -> Vec<Topic> {
        catalog::Topic::list_from_json(&self.data.session.topics).into_iter().map(Topic::from).collect()
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.data.session.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.data.session.ends_at
    }
    async fn local_starts_at(&self) -> DateTime<FixedOffset> {
        local(&self.time_zone, self.data.session.starts_at)
    }
    async fn room(&self) -> Option<&str> {
        self.data.session.room.as_deref()
    }
    /// Seats in the room; null when the session is open to everyone at the stop.
    async fn capacity(&self) -> Option<i32> {
        self.data.session.capacity
    }
    async fn seats_left(&self) -> Option<i32> {
        self.data.session.capacity.map(|c| (c - self.data.session.confirmed_count).max(0))
    }
    /// `fr`, `ar` or `en`.
    async fn language(&self) -> &str {
        &self.data.session.language
    }
    async fn speakers(&self) -> Vec<Speaker> {
        self.data
            .speakers
            .iter()
            .map(|s| Speaker {
                id: ID(ids::encode("Speaker", TenantId(s.tenant_id), s.id)),
                name: s.full_name.clone(),
                title: s.title.clone(),
                organization: s.organization.clone(),
            })
            .collect()
    }
}

/// Someone who leads a session.
#[derive(SimpleObject)]
pub struct Speaker {
    pub id: ID,
    pub name: String,
    pub title: Option<String>,
    pub organization: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RegistrationStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
}

impl From<registration::Status> for RegistrationStatus {
    fn from(s: registration::Status) -> Self {
        match s {
            registration::Status::Confirmed => RegistrationStatus::Confirmed,
            registration::Status::Waitlisted => RegistrationStatus::Waitlisted,
            registration::Status::Cancelled => RegistrationStatus::Cancelled,
        }
    }
}

/// A participant's place at a stop.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Registration {
    pub id: ID,
    pub status: RegistrationStatus,
    /// Position on the waiting list (1 = next in), when waitlisted.
    pub waitlist_position: Option<i32>,
    /// The entry code, shown as `XXXXX-XXXXX`. Only returned to the request that
    /// created the registration; a repeat registration gets null (the code was
    /// sent to the participant's own email or phone).
    pub ticket_code: Option<String>,
    #[graphql(skip)]
    pub seats: Vec<session_seat::Model>,
    #[graphql(skip)]
    pub tenant: TenantId,
}

#[ComplexObject]
impl Registration {
    /// The participant's workshops at this stop.
    async fn sessions(&self) -> Vec<SessionSeat> {
        self.seats
            .iter()
            .map(|s| SessionSeat {
                session_id: ID(ids::encode("Session", self.tenant, s.session_id)),
                status: s.status.into(),
                waitlist_position: s.waitlist_position,
            })
            .collect()
    }
}

/// A seat in one session.
#[derive(SimpleObject)]
pub struct SessionSeat {
    pub session_id: ID,
    pub status: RegistrationStatus,
    pub waitlist_position: Option<i32>,
}
