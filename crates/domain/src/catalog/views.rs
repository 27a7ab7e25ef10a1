//! The catalog as its readers see it — the GraphQL API, the web pages, the
//! partner surface: plain values with typed ids, and every rule a reader needs
//! (seats left, when registration closes, whether it is open, what the public
//! may see) computed here, once, from the stored rows.
//!
//! The rows themselves (`crate::entities`) stay inside the domain.

use chrono::{DateTime, FixedOffset, Utc};
use uuid::Uuid;

use super::texts::Translations;
use crate::entities::{edition, partner, partnership, series, session, speaker, stop};
use crate::ids::{EditionId, PartnerId, SeriesId, SessionId, SpeakerId, StopId, TenantId};
use crate::values::Topic;
use crate::values::{Locale, TimeZone};
use escale_i18n::{Text, text};

pub use crate::entities::edition::Status as EditionStatus;
pub use crate::entities::partner::Kind as PartnerKind;
pub use crate::entities::partnership::Tier as PartnershipTier;
pub use crate::entities::session::Kind as SessionKind;
pub use crate::entities::stop::Status as StopStatus;

/// Who is reading: decides what nested lists reveal. The public sees
/// published stops of editions that are not drafts, and no contact details;
/// the organizer's team sees everything of its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Public,
    Team,
}

impl Audience {
    pub fn sees_edition(self, status: EditionStatus) -> bool {
        self == Audience::Team || status != EditionStatus::Draft
    }

    pub fn sees_stop(self, status: StopStatus) -> bool {
        self == Audience::Team || status == StopStatus::Published
    }
}

/// A recurring event, run edition after edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub id: SeriesId,
    pub tenant: TenantId,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

impl From<series::Model> for Series {
    fn from(m: series::Model) -> Self {
        Series {
            id: SeriesId(m.id),
            tenant: TenantId(m.tenant_id),
            slug: m.slug,
            name: m.name,
            description: m.description,
        }
    }
}

/// One year's tour of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    pub id: EditionId,
    pub tenant: TenantId,
    pub series_id: SeriesId,
    pub number: i32,
    pub year: i32,
    pub title: String,
    pub status: EditionStatus,
}

impl From<edition::Model> for Edition {
    fn from(m: edition::Model) -> Self {
        Edition {
            id: EditionId(m.id),
            tenant: TenantId(m.tenant_id),
            series_id: SeriesId(m.series_id),
            number: m.number,
            year: m.year,
            title: m.title,
            status: m.status,
        }
    }
}

/// Why a stop does or does not take registrations at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationWindow {
    Open,
    NotYetOpen {
        opens_at: DateTime<Utc>,
    },
    Closed,
    /// The stop, or its edition, is not published (draft, cancelled, archived).
    Unavailable,
}

impl RegistrationWindow {
    /// The one rule, over the values it depends on.
    fn compute(
        stop: StopStatus,
        edition: EditionStatus,
        opens_at: Option<DateTime<Utc>>,
        closes_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        if stop != StopStatus::Published || edition != EditionStatus::Published {
            return RegistrationWindow::Unavailable;
        }
        if let Some(opens_at) = opens_at
            && now < opens_at
        {
            return RegistrationWindow::NotYetOpen { opens_at };
        }
        if now >= closes_at { RegistrationWindow::Closed } else { RegistrationWindow::Open }
    }

    /// The window of a stored stop in its stored edition.
    pub fn of(stop: &stop::Model, edition: &edition::Model, now: DateTime<Utc>) -> Self {
        Self::compute(stop.status, edition.status, stop.registration_opens_at, closes_at(stop), now)
    }

    pub fn is_open(self) -> bool {
        self == RegistrationWindow::Open
    }

    /// The refusal a participant sees, when registration is not open; the
    /// opening is said in the stop's local time.
    pub fn refusal(self, zone: TimeZone) -> Option<Text> {
        match self {
            RegistrationWindow::Open => None,
            RegistrationWindow::NotYetOpen { opens_at } => {
                Some(text!("window-opens", at = zone.local(opens_at).format("%Y-%m-%d %H:%M").to_string()))
            }
            RegistrationWindow::Closed => Some(text!("window-closed")),
            RegistrationWindow::Unavailable => Some(text!("window-unavailable")),
        }
    }
}

/// Without an explicit close, registration closes when the stop starts; an
/// explicit close after the start is the start.
fn closes_at(stop: &stop::Model) -> DateTime<Utc> {
    stop.registration_closes_at.map_or(stop.starts_at, |c| c.min(stop.starts_at))
}

/// Seats a capacity still offers; never negative (a capacity lowered under
/// the seats taken shows 0).
fn seats_left(capacity: i32, confirmed: i32) -> i32 {
    (capacity - confirmed).max(0)
}

/// Whether a stop has been shown to the public: not a draft, in an edition
/// that is not a draft. What was never public answers NOT_FOUND to strangers.
pub fn ever_public(stop: &stop::Model, edition: &edition::Model) -> bool {
    stop.status != StopStatus::Draft && edition.status != EditionStatus::Draft
}

/// A stop of a roadshow: one city, one day, its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub id: StopId,
    pub tenant: TenantId,
    pub edition_id: EditionId,
    pub name: String,
    pub region: String,
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    /// How to get to the venue.
    pub directions: Option<String>,
    /// `name` and `directions` in other languages.
    pub translations: Translations,
    pub time_zone: TimeZone,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    /// Seats taken by confirmed registrations.
    pub confirmed_count: i32,
    pub seats_left: i32,
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// When registration closes in effect (the stop's start, unless earlier).
    pub registration_closes_at: DateTime<Utc>,
    pub status: StopStatus,
}

impl From<stop::Model> for Stop {
    fn from(m: stop::Model) -> Self {
        let registration_closes_at = closes_at(&m);
        Stop {
            id: StopId(m.id),
            tenant: TenantId(m.tenant_id),
            edition_id: EditionId(m.edition_id),
            seats_left: seats_left(m.capacity, m.confirmed_count),
            name: m.name,
            region: m.region,
            city: m.city,
            venue: m.venue,
            address: m.address,
            directions: m.directions,
            translations: Translations::from_json(m.translations.as_ref()),
            time_zone: m.time_zone,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            confirmed_count: m.confirmed_count,
            registration_opens_at: m.registration_opens_at,
            registration_closes_at,
            status: m.status,
        }
    }
}

impl Stop {
    /// Its name in the reader's language, else as typed.
    pub fn name_in(&self, lang: &str) -> &str {
        self.translations.or(lang, "name", &self.name)
    }

    /// Its directions in the reader's language, else as typed.
    pub fn directions_in(&self, lang: &str) -> Option<&str> {
        self.translations.get(lang, "directions").or(self.directions.as_deref())
    }

    /// Whether it takes registrations at `now`, given its edition's status.
    pub fn window(&self, edition: EditionStatus, now: DateTime<Utc>) -> RegistrationWindow {
        RegistrationWindow::compute(self.status, edition, self.registration_opens_at, self.registration_closes_at, now)
    }

    pub fn local_starts_at(&self) -> DateTime<FixedOffset> {
        self.time_zone.local(self.starts_at)
    }

    pub fn local_ends_at(&self) -> DateTime<FixedOffset> {
        self.time_zone.local(self.ends_at)
    }
}

/// A workshop, talk, panel or meeting at a stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub tenant: TenantId,
    pub stop_id: StopId,
    pub kind: SessionKind,
    pub title: String,
    pub description: Option<String>,
    pub topics: Vec<Topic>,
    pub room: Option<String>,
    /// `title` and `description` in other languages.
    pub translations: Translations,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Seats in the room; `None` when it is open to everyone at the stop.
    pub capacity: Option<i32>,
    pub confirmed_count: i32,
    pub seats_left: Option<i32>,
    pub language: Locale,
}

impl From<session::Model> for Session {
    fn from(m: session::Model) -> Self {
        Session {
            id: SessionId(m.id),
            tenant: TenantId(m.tenant_id),
            stop_id: StopId(m.stop_id),
            kind: m.kind,
            topics: Topic::list_from_json(&m.topics),
            seats_left: m.capacity.map(|c| seats_left(c, m.confirmed_count)),
            title: m.title,
            description: m.description,
            room: m.room,
            translations: Translations::from_json(m.translations.as_ref()),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            confirmed_count: m.confirmed_count,
            language: m.language,
        }
    }
}

impl Session {
    /// Its title in the reader's language, else as typed.
    pub fn title_in(&self, lang: &str) -> &str {
        self.translations.or(lang, "title", &self.title)
    }

    /// Its description in the reader's language, else as typed.
    pub fn description_in(&self, lang: &str) -> Option<&str> {
        self.translations.get(lang, "description").or(self.description.as_deref())
    }
}

/// Someone who leads sessions.
#[derive(Clone, PartialEq, Eq)]
pub struct Speaker {
    pub id: SpeakerId,
    pub tenant: TenantId,
    pub full_name: String,
    pub title: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    /// For the organizer's team only: adapters show it to [`Audience::Team`].
    pub email: Option<String>,
}

impl std::fmt::Debug for Speaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speaker").field("id", &self.id).finish_non_exhaustive()
    }
}

impl From<speaker::Model> for Speaker {
    fn from(m: speaker::Model) -> Self {
        Speaker {
            id: SpeakerId(m.id),
            tenant: TenantId(m.tenant_id),
            full_name: m.full_name,
            title: m.title,
            organization: m.organization,
            bio: m.bio,
            email: m.email,
        }
    }
}

impl Speaker {
    /// The contact the given reader may see.
    pub fn email_for(&self, audience: Audience) -> Option<&str> {
        if audience == Audience::Team { self.email.as_deref() } else { None }
    }
}

/// An organization that backs editions or stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: PartnerId,
    pub tenant: TenantId,
    pub name: String,
    pub kind: PartnerKind,
    pub website: Option<String>,
}

impl From<partner::Model> for Partner {
    fn from(m: partner::Model) -> Self {
        Partner { id: PartnerId(m.id), tenant: TenantId(m.tenant_id), name: m.name, kind: m.kind, website: m.website }
    }
}

/// A partner's backing of an edition or a stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partnership {
    pub id: Uuid,
    pub tenant: TenantId,
    pub tier: PartnershipTier,
    /// It backs the whole edition rather than one stop.
    pub edition_wide: bool,
    pub partner: Partner,
}

impl Partnership {
    pub(crate) fn of(link: partnership::Model, partner: partner::Model) -> Self {
        Partnership {
            id: link.id,
            tenant: TenantId(link.tenant_id),
            tier: link.tier,
            edition_wide: link.edition_id.is_some(),
            partner: partner.into(),
        }
    }
}

/// A session with its speakers, in their order on the session.
#[derive(Debug, Clone)]
pub struct AgendaSession {
    pub session: Session,
    pub speakers: Vec<Speaker>,
}

/// A stop with everything its page shows, loaded in a constant number of
/// statements.
#[derive(Debug, Clone)]
pub struct AgendaStop {
    pub stop: Stop,
    pub edition: Edition,
    pub series: Series,
    pub sessions: Vec<AgendaSession>,
}

impl AgendaStop {
    pub fn window(&self, now: DateTime<Utc>) -> RegistrationWindow {
        self.stop.window(self.edition.status, now)
    }
}

/// The code a stored enum is kept as (`published`, `bank`, `official`): what
/// forms post and labels are looked up by, without the ORM's traits.
pub fn code<E: sea_orm::ActiveEnum<Value = String>>(e: &E) -> String {
    e.to_value()
}

/// Every value of a stored enum with its code, in declaration order.
pub fn codes<E: sea_orm::ActiveEnum<Value = String> + sea_orm::Iterable>() -> Vec<(E, String)> {
    E::iter()
        .map(|e| {
            let code = e.to_value();
            (e, code)
        })
        .collect()
}

/// The value of a stored enum a form posted, if it is one.
pub fn from_code<E: sea_orm::ActiveEnum<Value = String>>(raw: &str) -> Option<E> {
    E::try_from_value(&raw.to_owned()).ok()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 5, 15, h, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn registration_closes_at_the_start_unless_earlier() {
        let start = at(9);
        let open = |close: Option<DateTime<Utc>>, now| {
            RegistrationWindow::compute(
                StopStatus::Published,
                EditionStatus::Published,
                None,
                close.map_or(start, |c: DateTime<Utc>| c.min(start)),
                now,
            )
        };
        assert_eq!(open(None, at(8)), RegistrationWindow::Open);
        assert_eq!(open(None, at(9)), RegistrationWindow::Closed);
        assert_eq!(open(Some(at(7)), at(8)), RegistrationWindow::Closed);
        assert_eq!(open(Some(at(11)), at(9)), RegistrationWindow::Closed);
    }

    #[test]
    fn only_published_stops_of_published_editions_open() {
        for (stop, edition) in [
            (StopStatus::Draft, EditionStatus::Published),
            (StopStatus::Cancelled, EditionStatus::Published),
            (StopStatus::Published, EditionStatus::Archived),
            (StopStatus::Published, EditionStatus::Draft),
        ] {
            assert_eq!(RegistrationWindow::compute(stop, edition, None, at(9), at(8)), RegistrationWindow::Unavailable);
        }
        assert_eq!(
            RegistrationWindow::compute(StopStatus::Published, EditionStatus::Published, Some(at(8)), at(9), at(7)),
            RegistrationWindow::NotYetOpen { opens_at: at(8) }
        );
    }

    #[test]
    fn the_public_sees_no_drafts() {
        assert!(!Audience::Public.sees_edition(EditionStatus::Draft));
        assert!(Audience::Public.sees_edition(EditionStatus::Archived));
        assert!(!Audience::Public.sees_stop(StopStatus::Cancelled));
        assert!(Audience::Team.sees_stop(StopStatus::Draft));
    }

    #[test]
    fn seats_left_is_never_negative() {
        assert_eq!(seats_left(10, 12), 0);
        assert_eq!(seats_left(10, 3), 7);
    }
}
