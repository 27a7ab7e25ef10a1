//! Reading the catalog: a tenant's agenda (editions → stops → sessions →
//! speakers) and the rules that say whether a stop takes registrations.
//!
//! Reads are batched by level (one query per table, whatever the number of
//! stops or sessions), so the agenda costs a constant number of statements.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{edition, series, session, session_speaker, speaker, stop};
use crate::error::{DomainError, DomainResult};
use crate::ids::StopId;
use crate::tenancy::TenantScope;

/// What a session or a question is about. The vocabulary is the customer's: the
/// questions TPE owners ask most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    DigitalMarketing,
    FinancialEducation,
    Budgeting,
    BankingRelations,
    DigitalTransformation,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::DigitalMarketing,
        Topic::FinancialEducation,
        Topic::Budgeting,
        Topic::BankingRelations,
        Topic::DigitalTransformation,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::DigitalMarketing => "digital_marketing",
            Topic::FinancialEducation => "financial_education",
            Topic::Budgeting => "budgeting",
            Topic::BankingRelations => "banking_relations",
            Topic::DigitalTransformation => "digital_transformation",
            Topic::Other => "other",
        }
    }

    /// Reads a session's `topics` JSON column, skipping names this build does not
    /// know (a newer release may have added one).
    pub fn list_from_json(value: &serde_json::Value) -> Vec<Topic> {
        value
            .as_array()
            .map(|items| items.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default()
    }

    pub fn list_to_json(topics: &[Topic]) -> serde_json::Value {
        serde_json::Value::Array(topics.iter().map(|t| serde_json::Value::from(t.as_str())).collect())
    }
}

impl FromStr for Topic {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| format!("unknown topic {s:?}"))
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    pub fn of(stop: &stop::Model, edition: &edition::Model, now: DateTime<Utc>) -> Self {
        if stop.status != stop::Status::Published || edition.status != edition::Status::Published {
            return RegistrationWindow::Unavailable;
        }
        if let Some(opens_at) = stop.registration_opens_at
            && now < opens_at
        {
            return RegistrationWindow::NotYetOpen { opens_at };
        }
        // Without an explicit close, registration closes when the stop starts.
        let closes_at = stop.registration_closes_at.map_or(stop.starts_at, |c| c.min(stop.starts_at));
        if now >= closes_at { RegistrationWindow::Closed } else { RegistrationWindow::Open }
    }

    pub fn is_open(self) -> bool {
        self == RegistrationWindow::Open
    }

    /// The refusal a participant sees, when registration is not open.
    pub fn refusal(self) -> Option<String> {
        match self {
            RegistrationWindow::Open => None,
            RegistrationWindow::NotYetOpen { opens_at } => {
                Some(format!("registration for this stop opens at {}", opens_at.to_rfc3339()))
            }
            RegistrationWindow::Closed => Some("registration for this stop is closed".to_owned()),
            RegistrationWindow::Unavailable => Some("this stop is not open for registration".to_owned()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AgendaSession {
    pub session: session::Model,
    pub speakers: Vec<speaker::Model>,
}

#[derive(Debug, Clone)]
pub struct AgendaStop {
    pub stop: stop::Model,
    pub edition: edition::Model,
    pub series: series::Model,
    pub sessions: Vec<AgendaSession>,
}

impl AgendaStop {
    pub fn seats_left(&self) -> i32 {
        (self.stop.capacity - self.stop.confirmed_count).max(0)
    }

    pub fn window(&self, now: DateTime<Utc>) -> RegistrationWindow {
        RegistrationWindow::of(&self.stop, &self.edition, now)
    }
}

/// The public agenda: published stops of published and archived (past)
/// editions, in chronological order, with their sessions and speakers.
pub async fn agenda(db: &impl ConnectionTrait, scope: TenantScope) -> DomainResult<Vec<AgendaStop>> {
    let editions: HashMap<Uuid, edition::Model> = edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .filter(edition::Column::Status.is_in([edition::Status::Published, edition::Status::Archived]))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    if editions.is_empty() {
        return Ok(Vec::new());
    }
    let series: HashMap<Uuid, series::Model> = series::Entity::find()
        .filter(series::Column::TenantId.eq(scope.uuid()))
        .filter(series::Column::Id.is_in(editions.values().map(|e| e.series_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let stops = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.is_in(editions.keys().copied()))
        .filter(stop::Column::Status.eq(stop::Status::Published))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?;
    let mut sessions = sessions_with_speakers(db, scope, stops.iter().map(|s| s.id).collect()).await?;

    stops
        .into_iter()
        .map(|stop| {
            let edition =
                editions.get(&stop.edition_id).cloned().ok_or(DomainError::internal("stop without edition"))?;
            let series =
                series.get(&edition.series_id).cloned().ok_or(DomainError::internal("edition without series"))?;
            let sessions = sessions.remove(&stop.id).unwrap_or_default();
            Ok(AgendaStop { stop, edition, series, sessions })
        })
        .collect()
}

/// Sessions of the given stops with their speakers, grouped by stop, in time order.
pub async fn sessions_with_speakers(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_ids: Vec<Uuid>,
) -> DomainResult<HashMap<Uuid, Vec<AgendaSession>>> {
    if stop_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sessions = session::Entity::find()
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::StopId.is_in(stop_ids))
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Title)
        .all(db)
        .await?;
    let links = if sessions.is_empty() {
        Vec::new()
    } else {
        session_speaker::Entity::find()
            .filter(session_speaker::Column::TenantId.eq(scope.uuid()))
            .filter(session_speaker::Column::SessionId.is_in(sessions.iter().map(|s| s.id)))
            .order_by_asc(session_speaker::Column::Position)
            .all(db)
            .await?
    };
    let speakers: HashMap<Uuid, speaker::Model> = if links.is_empty() {
        HashMap::new()
    } else {
        speaker::Entity::find()
            .filter(speaker::Column::TenantId.eq(scope.uuid()))
            .filter(speaker::Column::Id.is_in(links.iter().map(|l| l.speaker_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let mut by_session: HashMap<Uuid, Vec<speaker::Model>> = HashMap::new();
    for link in links {
        if let Some(sp) = speakers.get(&link.speaker_id) {
            by_session.entry(link.session_id).or_default().push(sp.clone());
        }
    }
    let mut grouped: HashMap<Uuid, Vec<AgendaSession>> = HashMap::new();
    for session in sessions {
        let speakers = by_session.remove(&session.id).unwrap_or_default();
        grouped.entry(session.stop_id).or_default().push(AgendaSession { session, speakers });
    }
    Ok(grouped)
}

/// One stop of the tenant with its edition, or NOT_FOUND.
pub async fn stop_with_edition(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    id: StopId,
) -> DomainResult<(stop::Model, edition::Model)> {
    let stop = stop::Entity::find_by_id(id.0)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("stop"))?;
    let edition = edition::Entity::find_by_id(stop.edition_id)
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::internal("stop without edition"))?;
    Ok((stop, edition))
}

/// The other stops of an edition that still take registrations and have seats:
/// what a participant is offered when the stop they chose is full.
pub async fn open_alternatives(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    edition: &edition::Model,
    except: StopId,
    now: DateTime<Utc>,
) -> DomainResult<Vec<stop::Model>> {
    let stops = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.eq(edition.id))
        .filter(stop::Column::Id.ne(except.0))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?;
    Ok(stops
        .into_iter()
        .filter(|s| s.confirmed_count < s.capacity && RegistrationWindow::of(s, edition, now).is_open())
        .collect())
}
