//! Organizer mutations: building and publishing the catalog. Each one
//! authenticates the caller, reads ids within the caller's organizer, and
//! calls the domain, which checks the role and writes the audit row.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use escale_domain::access::authz::Actor;
use escale_domain::manage::{self, PartnershipTarget, TimeInput};
use escale_domain::messaging::notices::Notify;
use escale_domain::text;
use escale_domain::values::Locale;
use escale_domain::{DomainError, tenancy::TenantScope};

use super::auth::{self, own_id};
use super::objects::*;
use crate::{AppState, error};

#[derive(Debug, Default)]
pub struct OrganizerMutation;

fn time_input(field: &str, instant: Option<DateTime<Utc>>, local: Option<&str>) -> Result<Option<TimeInput>> {
    match (instant, local) {
        (Some(_), Some(_)) => Err(error::domain(DomainError::validation(field, text!("value-instant-or-local")))),
        (Some(t), None) => Ok(Some(TimeInput::Instant(t))),
        (None, Some(raw)) => {
            let naive = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S"))
                .map_err(|_| error::domain(DomainError::validation(field, text!("value-local-time"))))?;
            Ok(Some(TimeInput::Local(naive)))
        }
        (None, None) => Ok(None),
    }
}

fn required_time(field: &str, instant: Option<DateTime<Utc>>, local: Option<&str>) -> Result<TimeInput> {
    time_input(field, instant, local)?
        .ok_or_else(|| error::domain(DomainError::validation(field, text!("value-time-required"))))
}

fn locale(raw: Option<&str>) -> Result<Option<Locale>> {
    raw.map(|l| l.parse::<Locale>().map_err(|e| error::domain(DomainError::validation("language", e.0)))).transpose()
}

fn double<T>(m: MaybeUndefined<T>) -> Option<Option<T>> {
    m.into()
}

async fn ctx_parts<'a>(ctx: &'a Context<'_>) -> Result<(&'a Actor, TenantScope, &'a AppState)> {
    let actor = auth::actor(ctx).await?;
    Ok((actor, actor.scope, ctx.data::<AppState>()?))
}

#[derive(InputObject)]
pub struct CreateSeriesInput {
    /// URL-safe identifier, e.g. `forum-tpe-regions`.
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSeriesInput {
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreateEditionInput {
    pub series_id: ID,
    /// 6 for the 6th edition.
    pub number: i32,
    pub year: i32,
    pub title: String,
}

#[derive(InputObject)]
pub struct UpdateEditionInput {
    pub title: Option<String>,
    pub year: Option<i32>,
}

/// Times are given either as instants (`startsAt`, RFC 3339) or as local
/// wall-clock times in the stop's zone (`localStartsAt`, `2027-01-16T09:00`).
#[derive(InputObject)]
pub struct CreateStopInput {
    pub edition_id: ID,
    pub name: String,
    pub region: String,
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    /// How to get to the venue (parking, entrance, transport).
    pub directions: Option<String>,
    /// The name and directions in other languages, shown to readers of those.
    #[graphql(default)]
    pub translations: Vec<StopTextInput>,
    /// IANA zone; the organizer's default (Africa/Casablanca) when omitted.
    pub time_zone: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub local_starts_at: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub local_ends_at: Option<String>,
    pub capacity: i32,
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Defaults to the stop's start.
    pub registration_closes_at: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct UpdateStopInput {
    pub name: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: MaybeUndefined<String>,
    pub directions: MaybeUndefined<String>,
    /// Replaces every translation given before (`[]` removes them all).
    pub translations: Option<Vec<StopTextInput>>,
    /// Cannot go below the seats already taken.
    pub capacity: Option<i32>,
    pub registration_opens_at: MaybeUndefined<DateTime<Utc>>,
    pub registration_closes_at: MaybeUndefined<DateTime<Utc>>,
    /// A new venue, address or city is announced to everyone registered
    /// (`stop_changed`, by email and SMS per consent); false says nothing.
    #[graphql(default = true)]
    pub notify: bool,
}

#[derive(InputObject)]
pub struct RescheduleStopInput {
    pub starts_at: Option<DateTime<Utc>>,
    pub local_starts_at: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub local_ends_at: Option<String>,
    /// Moving to another zone (rare: a stop abroad).
    pub time_zone: Option<String>,
    /// Everyone registered is told of the new times (`stop_changed`, with the
    /// updated `.ics`); false says nothing.
    #[graphql(default = true)]
    pub notify: bool,
}

/// A stop's name and directions in one language (`fr`, `ar`, `en`); a
/// field left out falls back to the one typed first.
#[derive(InputObject)]
pub struct StopTextInput {
    pub locale: String,
    pub name: Option<String>,
    pub directions: Option<String>,
}

/// A session's title and description in one language.
#[derive(InputObject)]
pub struct SessionTextInput {
    pub locale: String,
    pub title: Option<String>,
    pub description: Option<String>,
}

fn translation(locale: &str, fields: Vec<(&'static str, Option<String>)>) -> Result<manage::Translation> {
    let locale =
        locale.parse::<Locale>().map_err(|e| error::domain(DomainError::validation("translations.locale", e.0)))?;
    Ok(manage::Translation { locale, fields })
}

fn stop_texts(given: Vec<StopTextInput>) -> Result<Vec<manage::Translation>> {
    given.into_iter().map(|t| translation(&t.locale, vec![("name", t.name), ("directions", t.directions)])).collect()
}

fn session_texts(given: Vec<SessionTextInput>) -> Result<Vec<manage::Translation>> {
    given
        .into_iter()
        .map(|t| translation(&t.locale, vec![("title", t.title), ("description", t.description)]))
        .collect()
}

fn notify(yes: bool) -> Notify {
    if yes { Notify::Participants } else { Notify::Nobody }
}

#[derive(InputObject)]
pub struct CreateSessionInput {
    pub stop_id: ID,
    pub kind: SessionKind,
    pub title: String,
    pub description: Option<String>,
    #[graphql(default)]
    pub topics: Vec<Topic>,
    pub room: Option<String>,
    /// The title and description in other languages.
    #[graphql(default)]
    pub translations: Vec<SessionTextInput>,
    pub starts_at: Option<DateTime<Utc>>,
    pub local_starts_at: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub local_ends_at: Option<String>,
    /// Seats in the room; omit for a session open to everyone at the stop.
    pub capacity: Option<i32>,
    /// `fr` (default), `ar` or `en`.
    pub language: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSessionInput {
    pub kind: Option<SessionKind>,
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub topics: Option<Vec<Topic>>,
    pub room: MaybeUndefined<String>,
    /// Replaces every translation given before (`[]` removes them all).
    pub translations: Option<Vec<SessionTextInput>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub local_starts_at: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub local_ends_at: Option<String>,
    pub capacity: MaybeUndefined<i32>,
    pub language: Option<String>,
}

#[derive(InputObject)]
pub struct CreateSpeakerInput {
    pub full_name: String,
    pub title: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    pub email: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSpeakerInput {
    pub full_name: Option<String>,
    pub title: MaybeUndefined<String>,
    pub organization: MaybeUndefined<String>,
    pub bio: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreatePartnerInput {
    pub name: String,
    pub kind: PartnerKind,
    pub website: Option<String>,
}

#[derive(InputObject)]
pub struct UpdatePartnerInput {
    pub name: Option<String>,
    pub kind: Option<PartnerKind>,
    pub website: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct SetPartnershipInput {
    pub partner_id: ID,
    /// Exactly one of `editionId` and `stopId`.
    pub edition_id: Option<ID>,
    pub stop_id: Option<ID>,
    pub tier: PartnershipTier,
}

#[derive(InputObject)]
pub struct CloneEditionInput {
    /// The edition to copy (e.g. the 5th).
    pub edition_id: ID,
    /// The new edition's number (e.g. 6).
    pub number: i32,
    pub year: i32,
    pub title: String,
    /// How many days later the stops take place (364 keeps the weekday).
    pub shift_days: i32,
}

#[Object]
impl OrganizerMutation {
    async fn create_series(&self, ctx: &Context<'_>, input: CreateSeriesInput) -> Result<Series> {
        let (actor, _, state) = ctx_parts(ctx).await?;
        let input = manage::NewSeries { slug: input.slug, name: input.name, description: input.description };
        let m = manage::create_series(&state.db, actor, input, Utc::now()).await.map_err(error::domain)?;
        Ok(Series { v: m, vis: Vis::Team })
    }

    async fn update_series(&self, ctx: &Context<'_>, id: ID, input: UpdateSeriesInput) -> Result<Series> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Series", "id", "series", scope)?;
        let patch = manage::SeriesPatch { name: input.name, description: double(input.description) };
        let m = manage::update_series(&state.db, actor, id, patch, Utc::now()).await.map_err(error::domain)?;
        Ok(Series { v: m, vis: Vis::Team })
    }

    /// Creates a draft edition.
    async fn create_edition(&self, ctx: &Context<'_>, input: CreateEditionInput) -> Result<Edition> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let series_id = own_id(&input.series_id, "Series", "seriesId", "series", scope)?;
        let new = manage::NewEdition { series_id, number: input.number, year: input.year, title: input.title };
        let m = manage::create_edition(&state.db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(Edition { v: m, vis: Vis::Team })
    }

    async fn update_edition(&self, ctx: &Context<'_>, id: ID, input: UpdateEditionInput) -> Result<Edition> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Edition", "id", "edition", scope)?;
        let patch = manage::EditionPatch { title: input.title, year: input.year };
        let m = manage::update_edition(&state.db, actor, id, patch, Utc::now()).await.map_err(error::domain)?;
        Ok(Edition { v: m, vis: Vis::Team })
    }

    /// PUBLISHED opens the edition's published stops to registration; ARCHIVED
    /// keeps it as history (visible, closed); DRAFT hides it.
    async fn set_edition_status(&self, ctx: &Context<'_>, id: ID, status: EditionStatus) -> Result<Edition> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Edition", "id", "edition", scope)?;
        let m =
            manage::set_edition_status(&state.db, actor, id, status.into(), Utc::now()).await.map_err(error::domain)?;
        Ok(Edition { v: m, vis: Vis::Team })
    }

    /// Copies an edition (stops, sessions, speakers' places, partnerships) into
    /// a new draft edition, dates moved by `shiftDays`, without participants.
    async fn clone_edition(&self, ctx: &Context<'_>, input: CloneEditionInput) -> Result<Edition> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let source_id = own_id(&input.edition_id, "Edition", "editionId", "edition", scope)?;
        let clone = manage::CloneEdition {
            source_id,
            number: input.number,
            year: input.year,
            title: input.title,
            shift_days: i64::from(input.shift_days),
        };
        let m = manage::clone_edition(&state.db, actor, clone, Utc::now()).await.map_err(error::domain)?;
        Ok(Edition { v: m, vis: Vis::Team })
    }

    /// Creates a draft stop.
    async fn create_stop(&self, ctx: &Context<'_>, input: CreateStopInput) -> Result<Stop> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let edition_id = own_id(&input.edition_id, "Edition", "editionId", "edition", scope)?;
        let new = manage::NewStop {
            edition_id,
            name: input.name,
            region: input.region,
            city: input.city,
            venue: input.venue,
            address: input.address,
            directions: input.directions,
            translations: stop_texts(input.translations)?,
            time_zone: input.time_zone,
            starts_at: required_time("startsAt", input.starts_at, input.local_starts_at.as_deref())?,
            ends_at: required_time("endsAt", input.ends_at, input.local_ends_at.as_deref())?,
            capacity: i64::from(input.capacity),
            registration_opens_at: input.registration_opens_at,
            registration_closes_at: input.registration_closes_at,
        };
        let m = manage::create_stop(&state.db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(Stop::new(m, Vis::Team, Utc::now()))
    }

    async fn update_stop(&self, ctx: &Context<'_>, id: ID, input: UpdateStopInput) -> Result<Stop> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Stop", "id", "stop", scope)?;
        let patch = manage::StopPatch {
            name: input.name,
            region: input.region,
            city: input.city,
            venue: input.venue,
            address: double(input.address),
            directions: double(input.directions),
            translations: input.translations.map(stop_texts).transpose()?,
            capacity: input.capacity.map(i64::from),
            registration_opens_at: double(input.registration_opens_at),
            registration_closes_at: double(input.registration_closes_at),
            notify: notify(input.notify),
        };
        let m = manage::update_stop(&state.db, actor, id, patch, Utc::now()).await.map_err(error::domain)?;
        Ok(Stop::new(m, Vis::Team, Utc::now()))
    }

    /// PUBLISHED shows the stop in the agenda; CANCELLED withdraws it, tells
    /// everyone registered (`stop_cancelled`, unless `notify: false`) and
    /// withdraws its reminders.
    async fn set_stop_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: StopStatus,
        #[graphql(default = true)] notify: bool,
    ) -> Result<Stop> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Stop", "id", "stop", scope)?;
        let m = manage::set_stop_status(&state.db, actor, id, status.into(), self::notify(notify), Utc::now())
            .await
            .map_err(error::domain)?;
        Ok(Stop::new(m, Vis::Team, Utc::now()))
    }

    /// Moves a stop, its sessions with it.
    async fn reschedule_stop(&self, ctx: &Context<'_>, id: ID, input: RescheduleStopInput) -> Result<Stop> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Stop", "id", "stop", scope)?;
        let starts = required_time("startsAt", input.starts_at, input.local_starts_at.as_deref())?;
        let ends = required_time("endsAt", input.ends_at, input.local_ends_at.as_deref())?;
        let to = manage::Reschedule {
            starts_at: starts,
            ends_at: ends,
            time_zone: input.time_zone,
            notify: notify(input.notify),
        };
        let m = manage::reschedule_stop(&state.db, actor, id, to, Utc::now()).await.map_err(error::domain)?;
        Ok(Stop::new(m, Vis::Team, Utc::now()))
    }

    async fn create_session(&self, ctx: &Context<'_>, input: CreateSessionInput) -> Result<Session> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let stop_id = own_id(&input.stop_id, "Stop", "stopId", "stop", scope)?;
        let new = manage::NewSession {
            stop_id,
            kind: input.kind.into(),
            title: input.title,
            description: input.description,
            topics: input.topics.into_iter().map(Into::into).collect(),
            room: input.room,
            translations: session_texts(input.translations)?,
            starts_at: required_time("startsAt", input.starts_at, input.local_starts_at.as_deref())?,
            ends_at: required_time("endsAt", input.ends_at, input.local_ends_at.as_deref())?,
            capacity: input.capacity.map(i64::from),
            language: locale(input.language.as_deref())?,
        };
        let m = manage::create_session(&state.db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(Session::bare(m, Vis::Team))
    }

    async fn update_session(&self, ctx: &Context<'_>, id: ID, input: UpdateSessionInput) -> Result<Session> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Session", "id", "session", scope)?;
        let patch = manage::SessionPatch {
            kind: input.kind.map(Into::into),
            title: input.title,
            description: double(input.description),
            topics: input.topics.map(|t| t.into_iter().map(Into::into).collect()),
            room: double(input.room),
            translations: input.translations.map(session_texts).transpose()?,
            starts_at: time_input("startsAt", input.starts_at, input.local_starts_at.as_deref())?,
            ends_at: time_input("endsAt", input.ends_at, input.local_ends_at.as_deref())?,
            capacity: double(input.capacity).map(|c| c.map(i64::from)),
            language: locale(input.language.as_deref())?,
        };
        let m = manage::update_session(&state.db, actor, id, patch, Utc::now()).await.map_err(error::domain)?;
        Ok(Session::bare(m, Vis::Team))
    }

    async fn create_speaker(&self, ctx: &Context<'_>, input: CreateSpeakerInput) -> Result<Speaker> {
        let (actor, _, state) = ctx_parts(ctx).await?;
        let new = manage::SpeakerInput {
            full_name: Some(input.full_name),
            title: Some(input.title),
            organization: Some(input.organization),
            bio: Some(input.bio),
            email: Some(input.email),
        };
        let m = manage::create_speaker(&state.db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(Speaker { v: m, vis: Vis::Team })
    }

    async fn update_speaker(&self, ctx: &Context<'_>, id: ID, input: UpdateSpeakerInput) -> Result<Speaker> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Speaker", "id", "speaker", scope)?;
        let patch = manage::SpeakerInput {
            full_name: input.full_name,
            title: double(input.title),
            organization: double(input.organization),
            bio: double(input.bio),
            email: double(input.email),
        };
        let m = manage::update_speaker(&state.db, actor, id, patch, Utc::now()).await.map_err(error::domain)?;
        Ok(Speaker { v: m, vis: Vis::Team })
    }

    /// Puts a speaker on a session (idempotent; `position` orders speakers).
    async fn assign_speaker(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        speaker_id: ID,
        position: Option<i32>,
    ) -> Result<Session> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let session = own_id(&session_id, "Session", "sessionId", "session", scope)?;
        let speaker = own_id(&speaker_id, "Speaker", "speakerId", "speaker", scope)?;
        manage::assign_speaker(&state.db, actor, session, speaker, position, Utc::now())
            .await
            .map_err(error::domain)?;
        let m = escale_domain::catalog::find::one_session(&state.db, scope, session).await.map_err(error::domain)?;
        Ok(Session::bare(m, Vis::Team))
    }

    async fn unassign_speaker(&self, ctx: &Context<'_>, session_id: ID, speaker_id: ID) -> Result<Session> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let session = own_id(&session_id, "Session", "sessionId", "session", scope)?;
        let speaker = own_id(&speaker_id, "Speaker", "speakerId", "speaker", scope)?;
        manage::unassign_speaker(&state.db, actor, session, speaker, Utc::now()).await.map_err(error::domain)?;
        let m = escale_domain::catalog::find::one_session(&state.db, scope, session).await.map_err(error::domain)?;
        Ok(Session::bare(m, Vis::Team))
    }

    async fn create_partner(&self, ctx: &Context<'_>, input: CreatePartnerInput) -> Result<Partner> {
        let (actor, _, state) = ctx_parts(ctx).await?;
        let new = manage::PartnerInput {
            name: Some(input.name),
            kind: Some(input.kind.into()),
            website: Some(input.website),
        };
        let m = manage::create_partner(&state.db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(Partner { v: m })
    }

    async fn update_partner(&self, ctx: &Context<'_>, id: ID, input: UpdatePartnerInput) -> Result<Partner> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Partner", "id", "partner", scope)?;
        let patch =
            manage::PartnerInput { name: input.name, kind: input.kind.map(Into::into), website: double(input.website) };
        let m = manage::update_partner(&state.db, actor, id, patch, Utc::now()).await.map_err(error::domain)?;
        Ok(Partner { v: m })
    }

    /// Makes a partner back an edition or a stop at a tier (or changes the tier).
    async fn set_partnership(&self, ctx: &Context<'_>, input: SetPartnershipInput) -> Result<Partnership> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let partner = own_id(&input.partner_id, "Partner", "partnerId", "partner", scope)?;
        let target = match (&input.edition_id, &input.stop_id) {
            (Some(e), None) => PartnershipTarget::Edition(own_id(e, "Edition", "editionId", "edition", scope)?),
            (None, Some(s)) => PartnershipTarget::Stop(own_id(s, "Stop", "stopId", "stop", scope)?),
            _ => {
                return Err(error::domain(DomainError::validation("editionId", text!("edition-or-stop"))));
            }
        };
        let link = manage::set_partnership(&state.db, actor, partner, target, input.tier.into(), Utc::now())
            .await
            .map_err(error::domain)?;
        Ok(Partnership(link))
    }

    async fn remove_partnership(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let (actor, scope, state) = ctx_parts(ctx).await?;
        let id = own_id(&id, "Partnership", "id", "partnership", scope)?;
        manage::remove_partnership(&state.db, actor, id, Utc::now()).await.map_err(error::domain)?;
        Ok(true)
    }
}
