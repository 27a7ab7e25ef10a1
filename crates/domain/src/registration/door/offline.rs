//! The door when the venue's network comes and goes: the list a door device
//! keeps for the day, and the scans it sends — at once when it can, later in
//! a batch when it could not.
//!
//! Every scan carries a key the device made for it, kept in `door_scan`: a
//! batch sent again after its answer was lost changes nothing and reports
//! nothing twice. A scan the device admitted offline is a fact, not a
//! question: the person is inside. So it is recorded whatever the server
//! thinks now, and what the server thinks is the report: admitted (first
//! here), a conflict (another door had let them in: the earlier time is
//! kept), or refused (cancelled since the list was fetched, say). A live scan
//! is a question: "already in since 10:42" refuses it, as the API's check-in
//! does.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escale_i18n::{Text, text};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::{find_stop, local_date, local_time, refusal};
use crate::access::authz::{Action, Actor};
use crate::catalog::Translations;
use crate::db;
use crate::entities::door_scan::{self, Outcome};
use crate::entities::{participant, registration, session, session_seat, stop};
use crate::error::{ConflictCode, DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::tenancy::TenantScope;
use crate::values::{TicketCode, TimeZone};

/// The most scans one sync carries: a device with more sends several.
pub const MAX_SCANS_PER_SYNC: usize = 200;
/// A door's name, as its volunteer types it ("Entrée nord").
pub const MAX_DOOR_NAME: usize = 40;

/// Whether the door of a stop starting and ending then admits people at
/// `now`: the stop's day, from [`super::DOOR_OPENS_BEFORE`] before it starts
/// to [`super::DOOR_CLOSES_AFTER`] after it ends.
pub fn door_open(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= starts_at - super::DOOR_OPENS_BEFORE && now <= ends_at + super::DOOR_CLOSES_AFTER
}

fn opens_at(stop: &stop::Model) -> DateTime<Utc> {
    stop.starts_at - super::DOOR_OPENS_BEFORE
}

fn closes_at(stop: &stop::Model) -> DateTime<Utc> {
    stop.ends_at + super::DOOR_CLOSES_AFTER
}

/// How a door shows a person: the first name and the initial of the last
/// ("Amina B."), enough to greet and to tell two apart, and no more kept on a
/// device that may be lost.
pub fn door_name(full: &str) -> String {
    let mut words = full.split_whitespace();
    let Some(first) = words.next() else { return String::new() };
    match words.last().and_then(|last| last.chars().next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first.to_owned(),
    }
}

/// A door's name as typed: trimmed, runs of spaces collapsed, cut to
/// [`MAX_DOOR_NAME`] characters, control characters dropped.
pub fn clean_door(raw: &str) -> String {
    let visible: String = raw.chars().filter(|c| !c.is_control()).collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_DOOR_NAME).collect()
}

/// One ticket on a door's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorEntry {
    pub code: String,
    /// [`door_name`]: no full name, no email, no phone.
    pub name: String,
    pub status: registration::Status,
    pub waitlist_position: Option<i32>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// The workshops the person holds a seat in, in the reader's language.
    pub workshops: Vec<String>,
}

/// What a door device keeps for the day.
#[derive(Debug, Clone)]
pub struct DoorList {
    pub stop_id: Uuid,
    pub stop_name: String,
    pub time_zone: TimeZone,
    pub opens_at: DateTime<Utc>,
    /// After this the device wipes the list.
    pub closes_at: DateTime<Utc>,
    pub people: Vec<DoorEntry>,
}

/// The list of a stop's door, for a device to check tickets without the
/// network: only while the door is open (the stop's day), only to those who
/// check tickets in.
pub async fn door_list(
    db: &DatabaseConnection,
    actor: &Actor,
    stop_id: Uuid,
    lang: &str,
    now: DateTime<Utc>,
) -> DomainResult<DoorList> {
    let scope = actor.require(Action::CheckIn)?;
    let door = find_stop(db, scope, stop_id).await?;
    if !door_open(door.starts_at, door.ends_at, now) {
        let zone = door.time_zone;
        let at = |t: DateTime<Utc>| format!("{} {}", local_date(zone, t), local_time(zone, t));
        return Err(DomainError::conflict(
            ConflictCode::WrongDay,
            text!("door-list-closed", opens = at(opens_at(&door)), closes = at(closes_at(&door))),
        ));
    }
    let regs = registration::Entity::find()
        .filter(registration::Column::TenantId.eq(scope.uuid()))
        .filter(registration::Column::StopId.eq(stop_id))
        .order_by_asc(registration::Column::CreatedAt)
        .all(db)
        .await?;
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let ids: Vec<Uuid> = regs.iter().map(|r| r.participant_id).collect();
    // In slices: SQLite takes so many parameters in one statement.
    for chunk in ids.chunks(5_000) {
        let people: Vec<(Uuid, String)> = participant::Entity::find()
            .select_only()
            .column(participant::Column::Id)
            .column(participant::Column::FullName)
            .filter(participant::Column::TenantId.eq(scope.uuid()))
            .filter(participant::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        names.extend(people.into_iter().map(|(id, full)| (id, door_name(&full))));
    }
    let mut workshops = seats_at(db, scope, stop_id, None, lang).await?;
    let people = regs
        .into_iter()
        .map(|r| DoorEntry {
            name: names.get(&r.participant_id).cloned().unwrap_or_default(),
            workshops: workshops.remove(&r.id).unwrap_or_default(),
            code: r.ticket_code,
            status: r.status,
            waitlist_position: r.waitlist_position,
            cancelled_at: r.cancelled_at,
            checked_in_at: r.checked_in_at,
        })
        .collect();
    Ok(DoorList {
        stop_id,
        stop_name: door.name.clone(),
        time_zone: door.time_zone,
        opens_at: opens_at(&door),
        closes_at: closes_at(&door),
        people,
    })
}

/// One registration's workshops at a stop, by title, in their order.
async fn workshops_of(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    registration_id: Uuid,
    lang: &str,
) -> DomainResult<Vec<String>> {
    Ok(seats_at(db, scope, stop_id, Some(registration_id), lang).await?.remove(&registration_id).unwrap_or_default())
}

/// Each registration's confirmed workshop seats at a stop (or one
/// registration's), by title, in the workshops' order.
async fn seats_at(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    registration_id: Option<Uuid>,
    lang: &str,
) -> DomainResult<HashMap<Uuid, Vec<String>>> {
    let sessions = session::Entity::find()
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .filter(session::Column::StopId.eq(stop_id))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    if sessions.is_empty() {
        return Ok(HashMap::new());
    }
    let titles: HashMap<Uuid, (usize, String)> = sessions
        .into_iter()
        .enumerate()
        .map(|(order, s)| {
            let title = Translations::from_json(s.translations.as_ref()).or(lang, "title", &s.title).to_owned();
            (s.id, (order, title))
        })
        .collect();
    let seats: Vec<(Uuid, Uuid)> = session_seat::Entity::find()
        .select_only()
        .column(session_seat::Column::RegistrationId)
        .column(session_seat::Column::SessionId)
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::SessionId.is_in(titles.keys().copied()))
        .filter(session_seat::Column::Status.eq(session_seat::Status::Confirmed))
        .apply_if(registration_id, |q, r| q.filter(session_seat::Column::RegistrationId.eq(r)))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<(usize, String)>> = HashMap::new();
    for (registration, session) in seats {
        if let Some(t) = titles.get(&session) {
            out.entry(registration).or_default().push(t.clone());
        }
    }
    Ok(out
        .into_iter()
        .map(|(r, mut ws)| {
            ws.sort();
            (r, ws.into_iter().map(|(_, t)| t).collect())
        })
        .collect())
}

/// A scan as a door device saw it.
#[derive(Debug, Clone)]
pub struct Scan {
    /// The device's name for this scan (8 to 64 letters, digits or dashes).
    pub key: String,
    pub code: String,
    /// When it was scanned, by the device's clock (never after the server's now).
    pub scanned_at: DateTime<Utc>,
    /// The device let the person in without asking the server.
    pub offline: bool,
}

/// What became of a scan.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanOutcome {
    /// In, first: welcome.
    Admitted,
    /// A live scan of someone already in (since `at`, through `door` if a
    /// door device let them in).
    AlreadyIn { at: DateTime<Utc>, door: Option<String> },
    /// An offline scan of someone another door had let in first.
    Conflict { first_at: DateTime<Utc>, first_door: Option<String> },
    /// Not admitted here, or admitted offline against what the server knows.
    Refused(Text),
    /// No such ticket at this organizer.
    Unknown,
    /// This scan was sent before: already counted and reported.
    Duplicate,
}

/// The answer to one scan.
#[derive(Debug, Clone)]
pub struct ScanAnswer {
    pub key: String,
    pub outcome: ScanOutcome,
    /// The person's full name (a door screen's greeting), when the ticket is known.
    pub name: Option<String>,
    pub workshops: Vec<String>,
    pub time_zone: TimeZone,
}

impl ScanAnswer {
    /// What the door's screen says.
    pub fn message(&self) -> Text {
        let name = self.name.clone().unwrap_or_default();
        let time = |at: DateTime<Utc>| local_time(self.time_zone, at);
        match &self.outcome {
            ScanOutcome::Admitted => text!("door-welcome", name = name),
            ScanOutcome::AlreadyIn { at, .. } => text!("door-already", name = name, time = time(*at)),
            ScanOutcome::Conflict { first_at, first_door } => text!(
                "door-conflict",
                name = name,
                time = time(*first_at),
                door = first_door.clone().unwrap_or_default()
            ),
            ScanOutcome::Refused(why) => why.clone(),
            ScanOutcome::Unknown => text!("door-unknown"),
            ScanOutcome::Duplicate => text!("door-synced"),
        }
    }

    /// Whether the person may walk in (a live scan), or was let in (offline).
    pub fn admitted(&self) -> bool {
        matches!(self.outcome, ScanOutcome::Admitted | ScanOutcome::Conflict { .. })
    }
}

fn check_key(key: &str) -> DomainResult<()> {
    let ok = (8..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok { Ok(()) } else { Err(DomainError::validation("key", text!("door-scan-key"))) }
}

/// Which door scans: a stop's, named by its volunteer, read in her language.
#[derive(Debug, Clone, Copy)]
pub struct Door<'a> {
    pub stop_id: Uuid,
    pub name: &'a str,
    /// The language workshop titles are given in.
    pub lang: &'a str,
}

/// Checks one scan at a door and records it.
pub async fn scan(
    db: &DatabaseConnection,
    actor: &Actor,
    door: Door<'_>,
    scan: Scan,
    now: DateTime<Utc>,
) -> DomainResult<ScanAnswer> {
    Ok(sync(db, actor, door, vec![scan], now).await?.remove(0))
}

/// A device's batch of scans, in the order they were made; each answered.
pub async fn sync(
    db: &DatabaseConnection,
    actor: &Actor,
    door: Door<'_>,
    scans: Vec<Scan>,
    now: DateTime<Utc>,
) -> DomainResult<Vec<ScanAnswer>> {
    let scope = actor.require(Action::CheckIn)?;
    if scans.len() > MAX_SCANS_PER_SYNC {
        return Err(DomainError::validation("scans", text!("door-too-many-scans", max = MAX_SCANS_PER_SYNC)));
    }
    for s in &scans {
        check_key(&s.key)?;
    }
    if scans.is_empty() {
        return Err(DomainError::validation("scans", text!("door-no-scans")));
    }
    let stop = find_stop(db, scope, door.stop_id).await?;
    let name = clean_door(door.name);
    let here = Door { name: &name, ..door };
    let mut answers = Vec::with_capacity(scans.len());
    for s in scans {
        answers.push(record(db, scope, &stop, here, s, now).await?);
    }
    Ok(answers)
}

async fn record(
    db: &DatabaseConnection,
    scope: TenantScope,
    stop: &stop::Model,
    door: Door<'_>,
    scan: Scan,
    now: DateTime<Utc>,
) -> DomainResult<ScanAnswer> {
    // Owned copies: the transaction may run again after losing a race.
    let (name, lang) = (door.name.to_owned(), door.lang.to_owned());
    db::write(db, |txn| {
        let (scan, stop, name, lang) = (scan.clone(), stop.clone(), name.clone(), lang.clone());
        Box::pin(async move {
            let door = Door { stop_id: stop.id, name: &name, lang: &lang };
            record_in(txn, scope, &stop, door, scan, now).await
        })
    })
    .await
}

async fn record_in(
    txn: &DatabaseTransaction,
    scope: TenantScope,
    stop: &stop::Model,
    door: Door<'_>,
    scan: Scan,
    now: DateTime<Utc>,
) -> DomainResult<ScanAnswer> {
    // A live scan happens now; an offline one when the device says, but a
    // device's clock running ahead does not put a check-in in the future.
    let at = if scan.offline { Ord::min(scan.scanned_at, now) } else { now };
    let mut answer = ScanAnswer {
        key: scan.key.clone(),
        outcome: ScanOutcome::Unknown,
        name: None,
        workshops: Vec::new(),
        time_zone: stop.time_zone,
    };
    let seen = door_scan::Entity::find()
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::ScanKey.eq(scan.key.as_str()))
        .one(txn)
        .await?;
    if seen.is_some() {
        answer.outcome = ScanOutcome::Duplicate;
        return Ok(answer);
    }
    let reg = match TicketCode::parse(&scan.code) {
        Ok(code) => {
            registration::Entity::find()
                .filter(registration::Column::TenantId.eq(scope.uuid()))
                .filter(registration::Column::TicketCode.eq(code.as_str()))
                .one(txn)
                .await?
        }
        Err(_) => None,
    };
    let Some(reg) = reg else {
        if scan.offline {
            keep(txn, scope, stop.id, None, door.name, &scan, Outcome::Refused, now).await?;
        }
        return Ok(answer);
    };
    answer.name = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .map(|p| p.full_name);
    let own = if reg.stop_id == stop.id { stop.clone() } else { find_stop(txn, scope, reg.stop_id).await? };
    if let Some(why) = refusal(&reg, &own, stop, at) {
        answer.outcome = ScanOutcome::Refused(why.text().unwrap_or_else(|| text!("door-changed")));
        if scan.offline {
            keep(txn, scope, stop.id, Some(reg.id), door.name, &scan, Outcome::Refused, now).await?;
        }
        return Ok(answer);
    }
    // The first scan to set the time is the one that let them in; the
    // conditional update settles two doors syncing at once.
    let first = registration::Entity::update_many()
        .col_expr(registration::Column::CheckedInAt, Expr::val(at))
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::CheckedInAt.is_null())
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    answer.workshops = workshops_of(txn, scope, stop.id, reg.id, door.lang).await?;
    if first {
        keep(txn, scope, stop.id, Some(reg.id), door.name, &scan, Outcome::Admitted, now).await?;
        answer.outcome = ScanOutcome::Admitted;
        return Ok(answer);
    }
    let first_at = registration::Entity::find_by_id(reg.id)
        .one(txn)
        .await?
        .and_then(|r| r.checked_in_at)
        .ok_or_else(|| DomainError::conflict(ConflictCode::InvalidState, text!("door-changed")))?;
    let first_door = door_scan::Entity::find()
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::RegistrationId.eq(reg.id))
        .filter(door_scan::Column::Outcome.eq(Outcome::Admitted))
        .one(txn)
        .await?
        .map(|s| s.door);
    if !scan.offline {
        answer.outcome = ScanOutcome::AlreadyIn { at: first_at, door: first_door };
        return Ok(answer);
    }
    // Both doors let them in: the earlier time is when they arrived.
    if at < first_at {
        registration::Entity::update_many()
            .col_expr(registration::Column::CheckedInAt, Expr::val(at))
            .filter(registration::Column::Id.eq(reg.id))
            .exec(txn)
            .await?;
    }
    keep(txn, scope, stop.id, Some(reg.id), door.name, &scan, Outcome::Conflict, now).await?;
    answer.outcome = ScanOutcome::Conflict { first_at, first_door };
    Ok(answer)
}

#[expect(clippy::too_many_arguments, reason = "one row's columns, each from a different place")]
async fn keep(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    registration_id: Option<Uuid>,
    door: &str,
    scan: &Scan,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    door_scan::Entity::insert(door_scan::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(scope.uuid()),
        stop_id: Set(stop_id),
        registration_id: Set(registration_id),
        scan_key: Set(scan.key.clone()),
        door: Set(door.to_owned()),
        outcome: Set(outcome),
        offline: Set(scan.offline),
        scanned_at: Set(Ord::min(scan.scanned_at, now)),
        synced_at: Set(now),
    })
    // The same key sent twice at once: the first insert stands.
    .on_conflict(OnConflict::columns([door_scan::Column::TenantId, door_scan::Column::ScanKey]).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// How many each door let in first, by door name, busiest first.
pub async fn door_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
) -> DomainResult<Vec<(String, i64)>> {
    let mut rows: Vec<(String, i64)> = door_scan::Entity::find()
        .select_only()
        .column(door_scan::Column::Door)
        .column_as(Expr::col(door_scan::Column::Id).count(), "n")
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::StopId.eq(stop_id))
        .filter(door_scan::Column::Outcome.eq(Outcome::Admitted))
        .group_by(door_scan::Column::Door)
        .into_tuple()
        .all(db)
        .await?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(rows)
}

/// The scans that found someone let in twice, or let in against the list,
/// newest first: what the organizer looks into after the day.
pub async fn door_conflicts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
) -> DomainResult<Vec<door_scan::Model>> {
    Ok(door_scan::Entity::find()
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::StopId.eq(stop_id))
        .filter(door_scan::Column::Outcome.ne(Outcome::Admitted))
        .order_by_desc(door_scan::Column::SyncedAt)
        .limit(100)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_door_keeps_the_first_name_and_an_initial() {
        assert_eq!(door_name("Amina Benali"), "Amina B.");
        assert_eq!(door_name("  Nadia  el  Cherkaoui "), "Nadia C.");
        assert_eq!(door_name("Salma"), "Salma");
        assert_eq!(door_name("أمينة بنعلي"), "أمينة ب.");
        assert_eq!(door_name(""), "");
    }

    #[test]
    fn a_door_name_is_short_and_plain() {
        assert_eq!(clean_door("  Entrée \u{7} nord "), "Entrée nord");
        assert_eq!(clean_door(&"x".repeat(100)).chars().count(), MAX_DOOR_NAME);
    }

    #[test]
    fn a_scan_key_is_the_devices_name_for_it_and_nothing_else() {
        assert!(check_key("0b5e7f1c-6a9d-4e0a-9f3b-2c1d0e9f8a7b").is_ok());
        for bad in ["short", "has space in it", "ключ-ключ-ключ", &"k".repeat(65)] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }
}
