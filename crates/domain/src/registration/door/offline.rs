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
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
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
    /// The same workshops' ids, for a workshop's door to check offline.
    pub seats: Vec<Uuid>,
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
    here: Door<'_>,
    now: DateTime<Utc>,
) -> DomainResult<DoorList> {
    let scope = actor.require(Action::CheckIn)?;
    let (stop_id, lang) = (here.stop_id, here.lang);
    let door = find_stop(db, scope, stop_id).await?;
    door_session(db, scope, here).await?;
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
    // At a workshop's door, "in" is in that room.
    let mut in_room: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    if let Some(session) = here.session_id {
        let rows: Vec<(Option<Uuid>, DateTime<Utc>)> = door_scan::Entity::find()
            .select_only()
            .column(door_scan::Column::RegistrationId)
            .column(door_scan::Column::ScannedAt)
            .filter(door_scan::Column::TenantId.eq(scope.uuid()))
            .filter(door_scan::Column::SessionId.eq(session))
            .filter(door_scan::Column::Outcome.eq(Outcome::Admitted))
            .into_tuple()
            .all(db)
            .await?;
        in_room.extend(rows.into_iter().filter_map(|(r, at)| r.map(|r| (r, at))));
    }
    let people = regs
        .into_iter()
        .map(|r| {
            let seats = workshops.remove(&r.id).unwrap_or_default();
            DoorEntry {
                name: names.get(&r.participant_id).cloned().unwrap_or_default(),
                workshops: seats.iter().map(|(_, t)| t.clone()).collect(),
                seats: seats.into_iter().map(|(id, _)| id).collect(),
                checked_in_at: if here.session_id.is_some() { in_room.get(&r.id).copied() } else { r.checked_in_at },
                code: r.ticket_code,
                status: r.status,
                waitlist_position: r.waitlist_position,
                cancelled_at: r.cancelled_at,
            }
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
    let seats = seats_at(db, scope, stop_id, Some(registration_id), lang).await?.remove(&registration_id);
    Ok(seats.unwrap_or_default().into_iter().map(|(_, title)| title).collect())
}

/// Each registration's confirmed workshop seats at a stop (or one
/// registration's), by title, in the workshops' order.
async fn seats_at(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    registration_id: Option<Uuid>,
    lang: &str,
) -> DomainResult<HashMap<Uuid, Vec<(Uuid, String)>>> {
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
    let mut out: HashMap<Uuid, Vec<(usize, Uuid, String)>> = HashMap::new();
    for (registration, session) in seats {
        if let Some((order, title)) = titles.get(&session) {
            out.entry(registration).or_default().push((*order, session, title.clone()));
        }
    }
    Ok(out
        .into_iter()
        .map(|(r, mut ws)| {
            ws.sort();
            (r, ws.into_iter().map(|(_, id, t)| (id, t)).collect())
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
            // Let in first by a door that has no name, or by the API.
            ScanOutcome::Conflict { first_at, first_door: None } => {
                text!("door-conflict-elsewhere", name = name, time = time(*first_at))
            }
            ScanOutcome::Conflict { first_at, first_door: Some(door) } => {
                text!("door-conflict", name = name, time = time(*first_at), door = door.clone())
            }
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

/// Which door scans: a stop's, or one of its workshops', named by its
/// volunteer, read in her language.
#[derive(Debug, Clone, Copy)]
pub struct Door<'a> {
    pub stop_id: Uuid,
    /// A workshop's door lets in those with a confirmed seat in it.
    pub session_id: Option<Uuid>,
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
    sync(db, actor, door, vec![scan], now)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DomainError::internal("a sync of one scan gave no answer"))
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
    door_session(db, scope, door).await?;
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
    let (name, lang, session_id) = (door.name.to_owned(), door.lang.to_owned(), door.session_id);
    db::write(db, |txn| {
        let (scan, stop, name, lang) = (scan.clone(), stop.clone(), name.clone(), lang.clone());
        Box::pin(async move {
            let door = Door { stop_id: stop.id, session_id, name: &name, lang: &lang };
            record_in(txn, &Here { scope, stop: &stop, door, now }, scan).await
        })
    })
    .await
}

/// Where and when a scan is recorded.
struct Here<'a> {
    scope: TenantScope,
    stop: &'a stop::Model,
    door: Door<'a>,
    now: DateTime<Utc>,
}

async fn record_in(txn: &DatabaseTransaction, here: &Here<'_>, scan: Scan) -> DomainResult<ScanAnswer> {
    let Here { scope, stop, door, now } = *here;
    let at = scan_time(&scan, now);
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
            keep(txn, here, &scan, None, Outcome::Refused).await?;
        }
        return Ok(answer);
    };
    answer.name = participant::Entity::find_by_id(reg.participant_id)
        .filter(participant::Column::TenantId.eq(scope.uuid()))
        .one(txn)
        .await?
        .map(|p| p.full_name);
    let own = if reg.stop_id == stop.id { stop.clone() } else { find_stop(txn, scope, reg.stop_id).await? };
    let mut why = refusal(&reg, &own, stop, at).map(|e| e.text().unwrap_or_else(|| text!("door-changed")));
    if why.is_none()
        && let Some(session) = door.session_id
    {
        why = no_seat(txn, scope, reg.id, session, door.lang).await?;
    }
    if let Some(why) = why {
        answer.outcome = ScanOutcome::Refused(why);
        if scan.offline {
            keep(txn, here, &scan, Some(reg.id), Outcome::Refused).await?;
        }
        return Ok(answer);
    }
    answer.workshops = workshops_of(txn, scope, stop.id, reg.id, door.lang).await?;
    // Whoever walks in through any door is at the stop: the first scan to
    // set the time is the one that let them in; the conditional update
    // settles two doors syncing at once (and holds the registration's row
    // until this scan is recorded).
    let first_at_stop = registration::Entity::update_many()
        .col_expr(registration::Column::CheckedInAt, Expr::val(at))
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::CheckedInAt.is_null())
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    let before = match door.session_id {
        // At a stop's door, what counts is the stop's check-in.
        None if first_at_stop => None,
        None => {
            let first_at = registration::Entity::find_by_id(reg.id)
                .one(txn)
                .await?
                .and_then(|r| r.checked_in_at)
                .ok_or_else(|| DomainError::conflict(ConflictCode::InvalidState, text!("door-changed")))?;
            let first_door = first_admission(txn, scope, reg.id, None).await?.map(|s| s.door).filter(|d| !d.is_empty());
            Some((first_at, first_door, None))
        }
        // At a workshop's door, who came into that room: the row is held
        // (the update above, or this one), so two doors cannot both be first.
        Some(session) => {
            if !first_at_stop {
                registration::Entity::update_many()
                    .col_expr(registration::Column::UpdatedAt, Expr::val(now))
                    .filter(registration::Column::Id.eq(reg.id))
                    .exec(txn)
                    .await?;
            }
            let first = first_admission(txn, scope, reg.id, Some(session)).await?;
            first.map(|s| (s.scanned_at, Some(s.door).filter(|d| !d.is_empty()), Some(s.id)))
        }
    };
    let Some((first_at, first_door, row)) = before else {
        keep(txn, here, &scan, Some(reg.id), Outcome::Admitted).await?;
        answer.outcome = ScanOutcome::Admitted;
        return Ok(answer);
    };
    if !scan.offline {
        answer.outcome = ScanOutcome::AlreadyIn { at: first_at, door: first_door };
        return Ok(answer);
    }
    // Both doors let them in: the earlier time is when they arrived.
    if at < first_at {
        match row {
            Some(id) => {
                door_scan::Entity::update_many()
                    .col_expr(door_scan::Column::ScannedAt, Expr::val(at))
                    .filter(door_scan::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
            }
            None => {
                registration::Entity::update_many()
                    .col_expr(registration::Column::CheckedInAt, Expr::val(at))
                    .filter(registration::Column::Id.eq(reg.id))
                    .exec(txn)
                    .await?;
            }
        }
    }
    keep(txn, here, &scan, Some(reg.id), Outcome::Conflict).await?;
    answer.outcome = ScanOutcome::Conflict { first_at, first_door };
    Ok(answer)
}

/// Why a registration does not get into a workshop: no confirmed seat in it.
async fn no_seat(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    session_id: Uuid,
    lang: &str,
) -> DomainResult<Option<Text>> {
    let seat = session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::RegistrationId.eq(registration_id))
        .filter(session_seat::Column::SessionId.eq(session_id))
        .filter(session_seat::Column::Status.eq(session_seat::Status::Confirmed))
        .one(db)
        .await?;
    if seat.is_some() {
        return Ok(None);
    }
    let workshop = find_session(db, scope, session_id).await?;
    let title = Translations::from_json(workshop.translations.as_ref()).or(lang, "title", &workshop.title).to_owned();
    Ok(Some(text!("door-no-seat", workshop = title)))
}

/// The scan that first let a registration in through a stop's doors (None)
/// or into a workshop.
async fn first_admission(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    registration_id: Uuid,
    session_id: Option<Uuid>,
) -> DomainResult<Option<door_scan::Model>> {
    let query = door_scan::Entity::find()
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::RegistrationId.eq(registration_id))
        .filter(door_scan::Column::Outcome.eq(Outcome::Admitted));
    let query = match session_id {
        Some(s) => query.filter(door_scan::Column::SessionId.eq(s)),
        None => query.filter(door_scan::Column::SessionId.is_null()),
    };
    Ok(query.order_by_asc(door_scan::Column::ScannedAt).one(db).await?)
}

async fn keep(
    db: &impl ConnectionTrait,
    here: &Here<'_>,
    scan: &Scan,
    registration_id: Option<Uuid>,
    outcome: Outcome,
) -> DomainResult<()> {
    door_scan::Entity::insert(door_scan::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(here.scope.uuid()),
        stop_id: Set(here.stop.id),
        registration_id: Set(registration_id),
        session_id: Set(here.door.session_id),
        scan_key: Set(scan.key.clone()),
        door: Set(here.door.name.to_owned()),
        outcome: Set(outcome),
        offline: Set(scan.offline),
        scanned_at: Set(scan_time(scan, here.now)),
        synced_at: Set(here.now),
    })
    // The same key sent twice at once: the first insert stands.
    .on_conflict(OnConflict::columns([door_scan::Column::TenantId, door_scan::Column::ScanKey]).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn find_session(db: &impl ConnectionTrait, scope: TenantScope, id: Uuid) -> DomainResult<session::Model> {
    session::Entity::find_by_id(id)
        .filter(session::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("session"))
}

/// The workshop a door checks, if it is a workshop's: one of the stop's.
async fn door_session(db: &impl ConnectionTrait, scope: TenantScope, door: Door<'_>) -> DomainResult<()> {
    match door.session_id {
        Some(id) if find_session(db, scope, id).await?.stop_id != door.stop_id => {
            Err(DomainError::not_found("session"))
        }
        _ => Ok(()),
    }
}

/// When a scan happened: a live scan now; an offline one when the device
/// says, but a device's clock running ahead does not put it in the future.
fn scan_time(scan: &Scan, now: DateTime<Utc>) -> DateTime<Utc> {
    if scan.offline { Ord::min(scan.scanned_at, now) } else { now }
}

/// How many each door (of the stop, or of one of its workshops) let in
/// first, by door name, busiest first.
pub async fn door_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    stop_id: Uuid,
    session_id: Option<Uuid>,
) -> DomainResult<Vec<(String, i64)>> {
    let mut rows: Vec<(String, i64)> = door_scan::Entity::find()
        .select_only()
        .column(door_scan::Column::Door)
        .column_as(Expr::col(door_scan::Column::Id).count(), "n")
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::StopId.eq(stop_id))
        .filter(door_scan::Column::Outcome.eq(Outcome::Admitted))
        .filter(same_session(session_id))
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
    session_id: Option<Uuid>,
) -> DomainResult<Vec<door_scan::Model>> {
    Ok(door_scan::Entity::find()
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::StopId.eq(stop_id))
        .filter(same_session(session_id))
        .filter(door_scan::Column::Outcome.ne(Outcome::Admitted))
        .order_by_desc(door_scan::Column::SyncedAt)
        .limit(100)
        .all(db)
        .await?)
}

/// The scans of the stop's doors (None) or of one workshop's.
fn same_session(session_id: Option<Uuid>) -> sea_orm::Condition {
    let column = door_scan::Column::SessionId;
    sea_orm::Condition::all().add(match session_id {
        Some(s) => column.eq(s),
        None => column.is_null(),
    })
}

/// A workshop's door's count: in the room / confirmed seats.
pub async fn workshop_counts(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    session_id: Uuid,
) -> DomainResult<super::StopCounts> {
    let seats = session_seat::Entity::find()
        .filter(session_seat::Column::TenantId.eq(scope.uuid()))
        .filter(session_seat::Column::SessionId.eq(session_id))
        .filter(session_seat::Column::Status.eq(session_seat::Status::Confirmed))
        .count(db)
        .await?;
    let inside = door_scan::Entity::find()
        .filter(door_scan::Column::TenantId.eq(scope.uuid()))
        .filter(door_scan::Column::SessionId.eq(session_id))
        .filter(door_scan::Column::Outcome.eq(Outcome::Admitted))
        .count(db)
        .await?;
    Ok(super::StopCounts {
        confirmed: i64::try_from(seats).unwrap_or(i64::MAX),
        checked_in: i64::try_from(inside).unwrap_or(i64::MAX),
        ..Default::default()
    })
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
