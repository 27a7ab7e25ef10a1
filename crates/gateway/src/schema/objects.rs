//! GraphQL object types of the catalog.
//!
//! Objects remember how they were reached ([`Vis`]): through the public agenda,
//! nested lists only show what is published and no contact details; through an
//! organizer's authenticated query, everything of their tenant.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, Interface, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};
use escale_domain::catalog::{self, AgendaSession, AgendaStop};
use escale_domain::ids::TenantId;
use escale_domain::values::TimeZone;

use super::loaders::*;
use crate::ids;

/// A stop's words in one language (a field not given falls back to the one typed).
#[derive(SimpleObject)]
pub struct StopText {
    pub locale: String,
    pub name: Option<String>,
    pub directions: Option<String>,
}

/// A session's words in one language.
#[derive(SimpleObject)]
pub struct SessionText {
    pub locale: String,
    pub title: Option<String>,
    pub description: Option<String>,
}

/// How an object was reached: decides what nested fields reveal (the
/// domain's rule; see `catalog::Audience`).
pub use escale_domain::catalog::Audience as Vis;

fn loader<'a>(ctx: &'a Context<'_>) -> Result<&'a DataLoader<CatalogLoader>> {
    ctx.data::<DataLoader<CatalogLoader>>()
}

fn load_failed(e: LoadError) -> async_graphql::Error {
    e.graphql()
}

/// Any object with a global id (Relay).
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Series(Series),
    Edition(Edition),
    Stop(Stop),
    Session(Session),
    Speaker(Speaker),
    Partner(Partner),
}

// ------------------------------------------------------------------ series

/// A recurring event, run edition after edition.
pub struct Series {
    pub v: catalog::Series,
    pub vis: Vis,
}

#[Object]
impl Series {
    async fn id(&self) -> ID {
        ID(ids::encode("Series", self.v.tenant, self.v.id.0))
    }
    async fn slug(&self) -> &str {
        &self.v.slug
    }
    async fn name(&self) -> &str {
        &self.v.name
    }
    async fn description(&self) -> Option<&str> {
        self.v.description.as_deref()
    }
    /// Its editions, oldest first (the public sees published and archived ones).
    async fn editions(&self, ctx: &Context<'_>) -> Result<Vec<Edition>> {
        let db = &ctx.data::<crate::AppState>()?.db;
        let scope = escale_domain::tenancy::TenantScope::new(self.v.tenant);
        let rows = catalog::editions_of_series(db, scope, self.v.id.0, self.vis).await.map_err(crate::error::domain)?;
        Ok(rows.into_iter().map(|v| Edition { v, vis: self.vis }).collect())
    }
}

// ------------------------------------------------------------------ editions

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "catalog::EditionStatus")]
pub enum EditionStatus {
    Draft,
    Published,
    Archived,
}

/// One year's tour of a series.
pub struct Edition {
    pub v: catalog::Edition,
    pub vis: Vis,
}

#[Object]
impl Edition {
    async fn id(&self) -> ID {
        ID(ids::encode("Edition", self.v.tenant, self.v.id.0))
    }
    async fn number(&self) -> i32 {
        self.v.number
    }
    async fn year(&self) -> i32 {
        self.v.year
    }
    async fn title(&self) -> &str {
        &self.v.title
    }
    async fn status(&self) -> EditionStatus {
        self.v.status.into()
    }
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<Series>> {
        let row = loader(ctx)?.load_one(SeriesKey(self.v.tenant, self.v.series_id.0)).await.map_err(load_failed)?;
        Ok(row.map(|v| Series { v, vis: self.vis }))
    }
    /// Its stops in time order (the public sees published ones).
    async fn stops(&self, ctx: &Context<'_>) -> Result<Vec<Stop>> {
        let rows =
            loader(ctx)?.load_one(StopsOfEdition(self.v.tenant, self.v.id.0, self.vis)).await.map_err(load_failed)?;
        let now = Utc::now();
        Ok(rows.map(|r| r.iter().map(|v| Stop::new(v.clone(), self.vis, now)).collect()).unwrap_or_default())
    }
    /// Partners backing the whole edition.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<Partnership>> {
        let rows = loader(ctx)?.load_one(PartnersOfEdition(self.v.tenant, self.v.id.0)).await.map_err(load_failed)?;
        Ok(rows.map(|r| r.iter().cloned().map(Partnership).collect()).unwrap_or_default())
    }
}

// ------------------------------------------------------------------ stops

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "catalog::StopStatus")]
pub enum StopStatus {
    Draft,
    Published,
    Cancelled,
}

/// A stop of a roadshow: one city, one day, its sessions.
pub struct Stop {
    pub v: Arc<catalog::Stop>,
    /// Loaded with its edition, series and sessions (the agenda): nested
    /// fields need no further query.
    pub preload: Option<Arc<AgendaStop>>,
    pub vis: Vis,
    pub now: DateTime<Utc>,
}

impl Stop {
    pub fn new(v: catalog::Stop, vis: Vis, now: DateTime<Utc>) -> Self {
        Stop { v: Arc::new(v), preload: None, vis, now }
    }

    pub fn preloaded(data: AgendaStop, now: DateTime<Utc>) -> Self {
        let data = Arc::new(data);
        Stop { v: Arc::new(data.stop.clone()), preload: Some(data), vis: Vis::Public, now }
    }

    fn tenant(&self) -> TenantId {
        self.v.tenant
    }

    /// The team's read of this stop: NOT_FOUND for a key or member of another
    /// organizer (an object reached through the public agenda may be anyone's).
    async fn team_only<'a>(
        &self,
        ctx: &'a Context<'_>,
        action: escale_domain::access::authz::Action,
    ) -> Result<(&'a escale_domain::access::authz::Actor, escale_domain::tenancy::TenantScope)> {
        let (actor, scope) = super::auth::require(ctx, action).await?;
        if scope.id() != self.tenant() {
            return Err(crate::error::domain(escale_domain::DomainError::not_found("stop")));
        }
        Ok((actor, scope))
    }

    async fn edition_view(&self, ctx: &Context<'_>) -> Result<Option<catalog::Edition>> {
        if let Some(p) = &self.preload {
            return Ok(Some(p.edition.clone()));
        }
        loader(ctx)?.load_one(EditionKey(self.tenant(), self.v.edition_id.0)).await.map_err(load_failed)
    }
}

#[Object]
impl Stop {
    async fn id(&self) -> ID {
        ID(ids::encode("Stop", self.tenant(), self.v.id.0))
    }
    /// The name in `locale` (`fr`, `ar`, `en`) when the organizer gave one
    /// in it, else as typed.
    async fn name(&self, locale: Option<String>) -> &str {
        match locale {
            Some(l) => self.v.name_in(&l),
            None => &self.v.name,
        }
    }
    /// How to get to the venue, in `locale` when given in it, else as typed.
    async fn directions(&self, locale: Option<String>) -> Option<&str> {
        match locale {
            Some(l) => self.v.directions_in(&l),
            None => self.v.directions.as_deref(),
        }
    }
    /// The name and directions as given in other languages.
    async fn translations(&self) -> Vec<StopText> {
        self.v
            .translations
            .languages()
            .map(|(locale, f)| StopText {
                locale: locale.as_str().to_owned(),
                name: f.get("name").cloned(),
                directions: f.get("directions").cloned(),
            })
            .collect()
    }
    async fn city(&self) -> &str {
        &self.v.city
    }
    async fn region(&self) -> &str {
        &self.v.region
    }
    async fn venue(&self) -> &str {
        &self.v.venue
    }
    async fn address(&self) -> Option<&str> {
        self.v.address.as_deref()
    }
    /// IANA time zone of the stop, e.g. `Africa/Casablanca`.
    async fn time_zone(&self) -> &str {
        self.v.time_zone.name()
    }
    /// Start instant, RFC 3339 in UTC.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.v.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.v.ends_at
    }
    /// Start as local wall-clock time, RFC 3339 with the offset in force that day.
    async fn local_starts_at(&self) -> DateTime<FixedOffset> {
        self.v.local_starts_at()
    }
    async fn local_ends_at(&self) -> DateTime<FixedOffset> {
        self.v.local_ends_at()
    }
    async fn capacity(&self) -> i32 {
        self.v.capacity
    }
    /// Seats taken by confirmed registrations.
    async fn confirmed_count(&self) -> i32 {
        self.v.confirmed_count
    }
    async fn seats_left(&self) -> i32 {
        self.v.seats_left
    }
    /// Live counts for the organizer's team (door staff included):
    /// UNAUTHENTICATED or FORBIDDEN for anyone else.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Attendance> {
        self.team_only(ctx, escale_domain::access::authz::Action::CheckIn).await?;
        let counts = loader(ctx)?.load_one(CountsOfStop(self.tenant(), self.v.id.0)).await.map_err(load_failed)?;
        Ok(Attendance::from(counts.unwrap_or_default()))
    }
    /// Questions asked in advance (optionally for one session), oldest first:
    /// for the team (`registrations:read`).
    async fn questions(&self, ctx: &Context<'_>, session_id: Option<ID>) -> Result<Vec<super::people::Question>> {
        let (actor, scope) = self.team_only(ctx, escale_domain::access::authz::Action::RegistrationsRead).await?;
        let session = session_id
            .as_ref()
            .map(|s| super::auth::own_id(s, "Session", "sessionId", "session", scope))
            .transpose()?;
        let db = &ctx.data::<crate::AppState>()?.db;
        let qs = escale_domain::registration::participants::questions_for_team(db, actor, self.v.id.0, session)
            .await
            .map_err(crate::error::domain)?;
        Ok(qs.into_iter().map(super::people::Question::from).collect())
    }
    /// Questions per topic, every topic listed (team only).
    async fn question_counts(&self, ctx: &Context<'_>) -> Result<Vec<super::people::TopicCount>> {
        let (_, scope) = self.team_only(ctx, escale_domain::access::authz::Action::RegistrationsRead).await?;
        let db = &ctx.data::<crate::AppState>()?.db;
        let counts = escale_domain::registration::participants::question_counts(db, scope, self.v.id.0)
            .await
            .map_err(crate::error::domain)?;
        Ok(super::people::topic_counts(counts))
    }
    /// True when the stop takes registrations right now.
    async fn registration_open(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.edition_view(ctx).await?.is_some_and(|e| self.v.window(e.status, self.now).is_open()))
    }
    async fn registration_opens_at(&self) -> Option<DateTime<Utc>> {
        self.v.registration_opens_at
    }
    async fn registration_closes_at(&self) -> DateTime<Utc> {
        self.v.registration_closes_at
    }
    async fn status(&self) -> StopStatus {
        self.v.status.into()
    }
    async fn edition(&self, ctx: &Context<'_>) -> Result<Option<Edition>> {
        Ok(self.edition_view(ctx).await?.map(|v| Edition { v, vis: self.vis }))
    }
    /// Its sessions in time order.
    async fn sessions(&self, ctx: &Context<'_>) -> Result<Vec<Session>> {
        let sessions: Arc<Vec<AgendaSession>> = match &self.preload {
            Some(p) => Arc::new(p.sessions.clone()),
            None => loader(ctx)?
                .load_one(SessionsOfStop(self.tenant(), self.v.id.0))
                .await
                .map_err(load_failed)?
                .unwrap_or_default(),
        };
        Ok(sessions.iter().map(|s| Session::with_speakers(s.clone(), self.v.time_zone, self.vis)).collect())
    }
    /// Partners backing this stop, directly or through its edition.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<Partnership>> {
        let rows = loader(ctx)?
            .load_one(PartnersOfStop(self.tenant(), self.v.id.0, self.v.edition_id.0))
            .await
            .map_err(load_failed)?;
        Ok(rows.map(|r| r.iter().cloned().map(Partnership).collect()).unwrap_or_default())
    }
}

// ------------------------------------------------------------------ sessions

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "catalog::SessionKind")]
pub enum SessionKind {
    Workshop,
    Talk,
    Panel,
    Meeting,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "catalog::Topic")]
pub enum Topic {
    DigitalMarketing,
    FinancialEducation,
    Budgeting,
    BankingRelations,
    DigitalTransformation,
    Other,
}

/// A workshop, talk, panel or meeting at a stop.
pub struct Session {
    pub v: catalog::Session,
    pub speakers: Option<Vec<catalog::Speaker>>,
    pub time_zone: Option<TimeZone>,
    pub vis: Vis,
}

impl Session {
    pub fn with_speakers(data: AgendaSession, time_zone: TimeZone, vis: Vis) -> Self {
        Session { v: data.session, speakers: Some(data.speakers), time_zone: Some(time_zone), vis }
    }

    pub fn bare(v: catalog::Session, vis: Vis) -> Self {
        Session { v, speakers: None, time_zone: None, vis }
    }

    fn tenant(&self) -> TenantId {
        self.v.tenant
    }
}

#[Object]
impl Session {
    async fn id(&self) -> ID {
        ID(ids::encode("Session", self.tenant(), self.v.id.0))
    }
    /// The title in `locale` (`fr`, `ar`, `en`) when the organizer gave one
    /// in it, else as typed.
    async fn title(&self, locale: Option<String>) -> &str {
        match locale {
            Some(l) => self.v.title_in(&l),
            None => &self.v.title,
        }
    }
    async fn description(&self, locale: Option<String>) -> Option<&str> {
        match locale {
            Some(l) => self.v.description_in(&l),
            None => self.v.description.as_deref(),
        }
    }
    /// The title and description as given in other languages.
    async fn translations(&self) -> Vec<SessionText> {
        self.v
            .translations
            .languages()
            .map(|(locale, f)| SessionText {
                locale: locale.as_str().to_owned(),
                title: f.get("title").cloned(),
                description: f.get("description").cloned(),
            })
            .collect()
    }
    async fn kind(&self) -> SessionKind {
        self.v.kind.into()
    }
    async fn topics(&self) -> Vec<Topic> {
        self.v.topics.iter().copied().map(Topic::from).collect()
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.v.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.v.ends_at
    }
    async fn local_starts_at(&self, ctx: &Context<'_>) -> Result<DateTime<FixedOffset>> {
        let zone = match self.time_zone {
            Some(z) => z,
            None => loader(ctx)?
                .load_one(StopKey(self.tenant(), self.v.stop_id.0))
                .await
                .map_err(load_failed)?
                .map(|s| s.time_zone)
                .ok_or_else(|| crate::error::internal("a session without its stop"))?,
        };
        Ok(zone.local(self.v.starts_at))
    }
    async fn room(&self) -> Option<&str> {
        self.v.room.as_deref()
    }
    /// Seats in the room; null when the session is open to everyone at the stop.
    async fn capacity(&self) -> Option<i32> {
        self.v.capacity
    }
    async fn confirmed_count(&self) -> i32 {
        self.v.confirmed_count
    }
    async fn seats_left(&self) -> Option<i32> {
        self.v.seats_left
    }
    /// `fr`, `ar` or `en`.
    async fn language(&self) -> &str {
        self.v.language.as_str()
    }
    async fn stop(&self, ctx: &Context<'_>) -> Result<Option<Stop>> {
        let row = loader(ctx)?.load_one(StopKey(self.tenant(), self.v.stop_id.0)).await.map_err(load_failed)?;
        Ok(row.filter(|s| self.vis.sees_stop(s.status)).map(|v| Stop::new(v, self.vis, Utc::now())))
    }
    async fn speakers(&self, ctx: &Context<'_>) -> Result<Vec<Speaker>> {
        let rows = match &self.speakers {
            Some(s) => s.clone(),
            None => loader(ctx)?
                .load_one(SpeakersOfSession(self.tenant(), self.v.id.0))
                .await
                .map_err(load_failed)?
                .map(|r| r.iter().cloned().collect())
                .unwrap_or_default(),
        };
        Ok(rows.into_iter().map(|v| Speaker { v, vis: self.vis }).collect())
    }
}

// ------------------------------------------------------------------ speakers

/// Someone who leads sessions.
pub struct Speaker {
    pub v: catalog::Speaker,
    pub vis: Vis,
}

#[Object]
impl Speaker {
    async fn id(&self) -> ID {
        ID(ids::encode("Speaker", self.v.tenant, self.v.id.0))
    }
    async fn name(&self) -> &str {
        &self.v.full_name
    }
    async fn title(&self) -> Option<&str> {
        self.v.title.as_deref()
    }
    async fn organization(&self) -> Option<&str> {
        self.v.organization.as_deref()
    }
    async fn bio(&self) -> Option<&str> {
        self.v.bio.as_deref()
    }
    /// Organizers only: null through the public agenda.
    async fn email(&self) -> Option<&str> {
        self.v.email_for(self.vis)
    }
}

// ------------------------------------------------------------------ partners

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "catalog::PartnerKind")]
pub enum PartnerKind {
    Bank,
    Telecom,
    PublicAgency,
    Chamber,
    Training,
    Cooperation,
    Media,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "catalog::PartnershipTier")]
pub enum PartnershipTier {
    Principal,
    Official,
    Institutional,
    Media,
    Supporter,
}

/// An organization that backs editions or stops.
pub struct Partner {
    pub v: catalog::Partner,
}

#[Object]
impl Partner {
    async fn id(&self) -> ID {
        ID(ids::encode("Partner", self.v.tenant, self.v.id.0))
    }
    async fn name(&self) -> &str {
        &self.v.name
    }
    async fn kind(&self) -> PartnerKind {
        self.v.kind.into()
    }
    async fn website(&self) -> Option<&str> {
        self.v.website.as_deref()
    }
}

/// A partner's backing of an edition or a stop.
pub struct Partnership(pub catalog::Partnership);

#[Object]
impl Partnership {
    async fn id(&self) -> ID {
        ID(ids::encode("Partnership", self.0.tenant, self.0.id))
    }
    async fn tier(&self) -> PartnershipTier {
        self.0.tier.into()
    }
    async fn partner(&self) -> Partner {
        Partner { v: self.0.partner.clone() }
    }
    /// True when it backs the whole edition rather than one stop.
    async fn edition_wide(&self) -> bool {
        self.0.edition_wide
    }
}

/// Who is coming to a stop, and who came.
#[derive(async_graphql::SimpleObject, Debug, Clone, Copy)]
pub struct Attendance {
    pub confirmed: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    /// Confirmed participants checked in at the door.
    pub checked_in: i64,
    /// checkedIn / confirmed, 0 to 1 (0 when nobody is confirmed).
    pub rate: f64,
}

impl From<escale_domain::registration::door::StopCounts> for Attendance {
    fn from(c: escale_domain::registration::door::StopCounts) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "head counts are far below 2^52")]
        let rate = if c.confirmed == 0 { 0.0 } else { c.checked_in as f64 / c.confirmed as f64 };
        Attendance {
            confirmed: c.confirmed,
            waitlisted: c.waitlisted,
            cancelled: c.cancelled,
            checked_in: c.checked_in,
            rate,
        }
    }
}
