//! An edition at a glance, for the organizer's console: each stop's seats,
//! waiting list, cancellations and check-ins. A fixed number of statements
//! whatever the number of stops or registrations (the editions, the series,
//! the stops, one grouped count).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::access::authz::{Action, Actor};
use crate::catalog::{Edition, EditionStatus, Series, Stop};
use crate::entities::{edition, series, stop};
use crate::error::{DomainError, DomainResult};
use crate::registration::door::{StopCounts, stop_counts};

/// One stop's line of the dashboard.
#[derive(Debug, Clone)]
pub struct StopLine {
    pub stop: Stop,
    pub counts: StopCounts,
}

impl StopLine {
    /// Checked in out of confirmed, in percent (none before anyone is confirmed).
    pub fn checked_in_rate(&self) -> Option<i64> {
        (self.counts.confirmed > 0).then(|| self.counts.checked_in * 100 / self.counts.confirmed)
    }
}

#[derive(Debug, Clone)]
pub struct EditionDashboard {
    /// Every edition of the organizer, newest first (what the console offers
    /// to switch to).
    pub editions: Vec<(Edition, Series)>,
    /// The one shown: the one asked for, else the newest published, else the
    /// newest. None when the organizer has no edition yet.
    pub current: Option<(Edition, Series)>,
    /// Its stops in time order.
    pub stops: Vec<StopLine>,
}

impl EditionDashboard {
    /// The edition's totals over its stops.
    pub fn totals(&self) -> StopCounts {
        self.stops.iter().fold(StopCounts::default(), |mut t, l| {
            t.confirmed += l.counts.confirmed;
            t.waitlisted += l.counts.waitlisted;
            t.cancelled += l.counts.cancelled;
            t.checked_in += l.counts.checked_in;
            t
        })
    }

    pub fn capacity(&self) -> i64 {
        self.stops.iter().map(|l| i64::from(l.stop.capacity)).sum()
    }
}

/// The dashboard of `edition` (or the organizer's current one). Needs
/// [`Action::RegistrationsRead`]; another organizer's edition is NOT_FOUND.
pub async fn edition_dashboard(
    db: &impl ConnectionTrait,
    actor: &Actor,
    edition_id: Option<Uuid>,
) -> DomainResult<EditionDashboard> {
    let scope = actor.require(Action::RegistrationsRead)?;
    let editions = edition::Entity::find()
        .filter(edition::Column::TenantId.eq(scope.uuid()))
        .order_by_desc(edition::Column::Year)
        .order_by_desc(edition::Column::Number)
        .all(db)
        .await?;
    let series: Vec<series::Model> =
        series::Entity::find().filter(series::Column::TenantId.eq(scope.uuid())).all(db).await?;
    let editions: Vec<(Edition, Series)> = editions
        .into_iter()
        .filter_map(|e| {
            let s = series.iter().find(|s| s.id == e.series_id)?.clone();
            Some((Edition::from(e), Series::from(s)))
        })
        .collect();
    let current = match edition_id {
        Some(id) => {
            Some(editions.iter().find(|(e, _)| e.id.0 == id).cloned().ok_or(DomainError::not_found("edition"))?)
        }
        None => {
            editions.iter().find(|(e, _)| e.status == EditionStatus::Published).or_else(|| editions.first()).cloned()
        }
    };
    let Some((edition, _)) = &current else {
        return Ok(EditionDashboard { editions, current, stops: Vec::new() });
    };
    let stops: Vec<Stop> = stop::Entity::find()
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .filter(stop::Column::EditionId.eq(edition.id.0))
        .order_by_asc(stop::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let ids: Vec<Uuid> = stops.iter().map(|s| s.id.0).collect();
    let mut counts = stop_counts(db, scope, &ids).await?;
    let stops = stops
        .into_iter()
        .map(|stop| StopLine { counts: counts.remove(&stop.id.0).unwrap_or_default(), stop })
        .collect();
    Ok(EditionDashboard { editions, current, stops })
}
