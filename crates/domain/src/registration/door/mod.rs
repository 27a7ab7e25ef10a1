//! The door: scanning a ticket at the stop being held, and the live counts.
//!
//! A scan names the stop whose door it is. A ticket gets in when it belongs to
//! that stop, is confirmed, and is scanned on the stop's day: from
//! [`DOOR_OPENS_BEFORE`] before the stop starts to [`DOOR_CLOSES_AFTER`] after
//! it ends. Anything else is refused with the reason, in the stop's local
//! time: another stop's ticket names its stop and date, a cancelled one says
//! when, a waiting one its live position. A second scan is not an error: it
//! answers with the time of the first.

pub mod offline;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use escale_i18n::{Text, text};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::access::authz::{Action, Actor};
use crate::entities::{participant, registration, stop};
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::registration::views::Registration;
use crate::tenancy::TenantScope;
use crate::values::{TicketCode, TimeZone};

/// How long before a stop starts its door admits people.
pub const DOOR_OPENS_BEFORE: Duration = Duration::hours(6);
/// How long after a stop ends its door still admits people (late arrivals,
/// a programme that overran).
pub const DOOR_CLOSES_AFTER: Duration = Duration::hours(6);

/// The answer to a ticket that gets in.
#[derive(Debug, Clone)]
pub struct CheckIn {
    pub registration: Registration,
    pub participant_name: String,
    /// When the participant was checked in (now, or at the first scan).
    pub checked_in_at: DateTime<Utc>,
    /// This scan found them already checked in: not an error, but worth saying.
    pub already: bool,
    pub counts: StopCounts,
    /// The stop's IANA zone, to say "since 10:42" in the venue's time.
    pub stop_time_zone: TimeZone,
}

impl CheckIn {
    /// What door staff read: "Welcome, Amina Benali", or since when they are in.
    pub fn message(&self) -> Text {
        if self.already {
            let time = self.stop_time_zone.local(self.checked_in_at).format("%H:%M").to_string();
            text!("door-already", name = self.participant_name.as_str(), time = time)
        } else {
            text!("door-welcome", name = self.participant_name.as_str())
        }
    }
}

fn local_date(zone: TimeZone, at: DateTime<Utc>) -> String {
    zone.local(at).format("%Y-%m-%d").to_string()
}

fn local_time(zone: TimeZone, at: DateTime<Utc>) -> String {
    zone.local(at).format("%H:%M").to_string()
}

/// Why the ticket does not get in at this door now, if it does not.
fn refusal(
    reg: &registration::Model,
    own: &stop::Model,
    door: &stop::Model,
    now: DateTime<Utc>,
) -> Option<DomainError> {
    if reg.stop_id != door.id {
        let date = local_date(own.time_zone, own.starts_at);
        let stop = format!("{} ({})", own.name, own.city);
        return Some(DomainError::conflict(
            ConflictCode::WrongStop,
            text!("door-other-stop", stop = stop, date = date),
        ));
    }
    let zone = door.time_zone;
    let opens = door.starts_at - DOOR_OPENS_BEFORE;
    if now < opens {
        let why = text!(
            "door-too-early",
            date = local_date(zone, door.starts_at),
            time = local_time(zone, door.starts_at),
            opens = format!("{} {}", local_date(zone, opens), local_time(zone, opens)),
        );
        return Some(DomainError::conflict(ConflictCode::WrongDay, why));
    }
    if now > door.ends_at + DOOR_CLOSES_AFTER {
        let why = text!("door-too-late", date = local_date(zone, door.starts_at));
        return Some(DomainError::conflict(ConflictCode::WrongDay, why));
    }
    match reg.status {
        registration::Status::Cancelled => {
            let at = reg.cancelled_at.unwrap_or(reg.updated_at);
            let why = text!("door-cancelled", date = local_date(zone, at), time = local_time(zone, at));
            Some(DomainError::conflict(ConflictCode::InvalidState, why))
        }
        registration::Status::Waitlisted => Some(DomainError::conflict(
            ConflictCode::InvalidState,
            text!("door-waitlisted", position = reg.waitlist_position.unwrap_or_default()),
        )),
        registration::Status::Confirmed => None,
    }
}

/// Checks a participant in at the door of `stop_id`, by ticket code.
/// Idempotent: a second scan answers with the time of the first.
pub async fn check_in(
    db: &DatabaseConnection,
    actor: &Actor,
    stop_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<CheckIn> {
    let scope = actor.require(Action::CheckIn)?;
    let code = TicketCode::parse(code).field("ticketCode")?;
    let door = find_stop(db, scope, stop_id).await?;
    let find = || {
        registration::Entity::find()
            .filter(registration::Column::TenantId.eq(scope.uuid()))
            .filter(registration::Column::TicketCode.eq(code.as_str()))
            .one(db)
    };
    // Another organizer's ticket is unknown here, like a mistyped one.
    let reg = find().await?.ok_or(DomainError::not_found("registration"))?;
    let own = if reg.stop_id == door.id { door.clone() } else { find_stop(db, scope, reg.stop_id).await? };
    if let Some(why) = refusal(&reg, &own, &door, now) {
        return Err(why);
    }
    let first = registration::Entity::update_many()
        .col_expr(registration::Column::CheckedInAt, Expr::val(now))
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::CheckedInAt.is_null())
        .filter(registration::Column::Status.eq(registration::Status::Confirmed))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    let reg = find().await?.ok_or(DomainError::not_found("registration"))?;
    let checked_in_at =
        reg.checked_in_at.ok_or_else(|| DomainError::conflict(ConflictCode::InvalidState, text!("door-changed")))?;
    let person = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("participant"))?;
    let counts = stop_counts(db, scope, &[reg.stop_id]).await?.remove(&reg.stop_id).unwrap_or_default();
    Ok(CheckIn {
        registration: reg.into(),
        participant_name: person.full_name,
        checked_in_at,
        already: !first,
        counts,
        stop_time_zone: door.time_zone,
    })
}

async fn find_stop(db: &impl ConnectionTrait, scope: TenantScope, id: Uuid) -> DomainResult<stop::Model> {
    stop::Entity::find_by_id(id)
        .filter(stop::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("stop"))
}

/// Live figures of a stop for organizers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopCounts {
    pub confirmed: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    pub checked_in: i64,
}

/// [`StopCounts`] for several stops in one query.
pub async fn stop_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stops: &[Uuid],
) -> DomainResult<HashMap<Uuid, StopCounts>> {
    if stops.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, registration::Status, i64, i64)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::StopId)
        .column(registration::Column::Status)
        .column_as(Expr::col(registration::Column::Id).count(), "n")
        .column_as(Expr::col(registration::Column::CheckedInAt).count(), "checked_in")
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.is_in(stops.iter().copied()))
        .group_by(registration::Column::StopId)
        .group_by(registration::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, StopCounts> = stops.iter().map(|s| (*s, StopCounts::default())).collect();
    for (stop, status, n, checked_in) in rows {
        let counts = out.entry(stop).or_default();
        match status {
            registration::Status::Confirmed => {
                counts.confirmed += n;
                counts.checked_in += checked_in;
            }
            registration::Status::Waitlisted => counts.waitlisted += n,
            registration::Status::Cancelled => counts.cancelled += n,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 5, d, h, 0, 0).single().unwrap_or_default()
    }

    fn stop(id: Uuid, city: &str, day: u32) -> stop::Model {
        stop::Model {
            id,
            tenant_id: Uuid::nil(),
            edition_id: Uuid::nil(),
            name: format!("Escale {city}"),
            region: "R".into(),
            city: city.into(),
            venue: "V".into(),
            address: None,
            directions: None,
            translations: None,
            time_zone: TimeZone::default(),
            starts_at: at(day, 8),
            ends_at: at(day, 17),
            capacity: 10,
            confirmed_count: 1,
            waitlist_seq: 0,
            registration_opens_at: None,
            registration_closes_at: None,
            status: stop::Status::Published,
            sequence: 0,
            created_at: at(1, 0),
            updated_at: at(1, 0),
        }
    }

    fn reg(stop: Uuid, status: registration::Status) -> registration::Model {
        registration::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            stop_id: stop,
            participant_id: Uuid::nil(),
            status,
            waitlist_position: (status == registration::Status::Waitlisted).then_some(2),
            ticket_code: "AAAAAAAAAA".into(),
            source: "public".into(),
            checked_in_at: None,
            cancelled_at: (status == registration::Status::Cancelled).then(|| at(2, 17)),
            created_at: at(1, 0),
            updated_at: at(2, 17),
        }
    }

    fn refused(e: Option<DomainError>) -> (ConflictCode, String) {
        match e {
            Some(DomainError::Conflict { code, message }) => (code, message.to_string()),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_ticket_of_another_stop_names_its_stop_and_local_date() {
        let (casa, fes) = (stop(Uuid::from_u128(1), "Casablanca", 15), stop(Uuid::from_u128(2), "Fès", 20));
        let (code, why) = refused(refusal(&reg(casa.id, registration::Status::Confirmed), &casa, &fes, at(20, 9)));
        assert_eq!(code, ConflictCode::WrongStop);
        assert_eq!(why, "this ticket is for Escale Casablanca (Casablanca) on 2027-05-15, not for this stop");
    }

    #[test]
    fn the_door_opens_on_the_day_within_its_grace_window() {
        let casa = stop(Uuid::from_u128(1), "Casablanca", 15);
        let ok = reg(casa.id, registration::Status::Confirmed);
        // Casablanca is UTC+1 in May 2027: 08:00 UTC is 09:00 there.
        let (code, why) = refused(refusal(&ok, &casa, &casa, at(1, 9)));
        assert_eq!(code, ConflictCode::WrongDay);
        assert_eq!(why, "this ticket is for 2027-05-15 at 09:00: the door opens 2027-05-15 03:00");
        assert!(refusal(&ok, &casa, &casa, at(15, 1)).is_some(), "7 hours early");
        assert!(refusal(&ok, &casa, &casa, at(15, 2)).is_none(), "6 hours early");
        assert!(refusal(&ok, &casa, &casa, at(15, 23)).is_none(), "6 hours after the end");
        let (code, _) = refused(refusal(&ok, &casa, &casa, at(16, 0)));
        assert_eq!(code, ConflictCode::WrongDay);
    }

    #[test]
    fn cancelled_and_waiting_tickets_say_when_and_where_in_line() {
        let casa = stop(Uuid::from_u128(1), "Casablanca", 15);
        let (_, why) = refused(refusal(&reg(casa.id, registration::Status::Cancelled), &casa, &casa, at(15, 9)));
        assert_eq!(why, "this registration was cancelled on 2027-05-02 at 18:00", "local time, not UTC");
        let (_, why) = refused(refusal(&reg(casa.id, registration::Status::Waitlisted), &casa, &casa, at(15, 9)));
        assert!(why.contains("position 2"), "{why}");
    }
}
