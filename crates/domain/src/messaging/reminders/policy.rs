//! Policies and pure planning: where each reminder falls in time, given the
//! stop's zone and the quiet hours.

use escale_i18n::text;
use std::collections::HashSet;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone as _, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::reminder_policy;
use crate::error::{DomainError, DomainResult};
use crate::messaging::templates::{Channel, TemplateKey};

pub const MINUTES_PER_DAY: i32 = 24 * 60;

/// What an offset counts back from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Anchor {
    /// The stop's start: one reminder per registration.
    #[default]
    Stop,
    /// The start of each workshop the participant holds a confirmed seat in:
    /// one reminder per seat ("your workshop starts in 30 minutes").
    Session,
}

/// One reminder of a policy: how long before the start, and by which channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offset {
    pub minutes_before: i32,
    pub channels: Vec<Channel>,
    /// Policies stored before sessions could anchor a reminder count from the stop.
    #[serde(default)]
    pub anchor: Anchor,
}

impl Offset {
    /// An offset before the stop starts.
    pub fn stop(minutes_before: i32, channels: Vec<Channel>) -> Offset {
        Offset { minutes_before, channels, anchor: Anchor::Stop }
    }

    /// An offset before each of the participant's sessions starts.
    pub fn session(minutes_before: i32, channels: Vec<Channel>) -> Offset {
        Offset { minutes_before, channels, anchor: Anchor::Session }
    }
}

/// A window of local wall-clock time, in minutes since midnight, during which no
/// SMS is sent. `start > end` spans midnight (21:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start_minute: i32,
    pub end_minute: i32,
}

impl QuietHours {
    fn contains(self, minute: i32) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute)
        } else {
            minute >= self.start_minute || minute < self.end_minute
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub offsets: Vec<Offset>,
    pub quiet_hours: Option<QuietHours>,
}

impl Default for Policy {
    /// 7 days before by email, 1 day before by email and SMS, 2 hours before by
    /// SMS; no SMS between 21:00 and 08:00 local time.
    fn default() -> Self {
        Policy {
            offsets: vec![
                Offset::stop(7 * MINUTES_PER_DAY, vec![Channel::Email]),
                Offset::stop(MINUTES_PER_DAY, vec![Channel::Email, Channel::Sms]),
                Offset::stop(120, vec![Channel::Sms]),
            ],
            quiet_hours: Some(QuietHours { start_minute: 21 * 60, end_minute: 8 * 60 }),
        }
    }
}

/// The longest offset a policy may hold: reminders are about an upcoming stop.
pub const MAX_MINUTES_BEFORE: i32 = 90 * MINUTES_PER_DAY;
pub const MAX_OFFSETS: usize = 10;

impl Policy {
    /// Checks a policy an organizer submits; the error names the field.
    pub fn validate(&self) -> DomainResult<()> {
        if self.offsets.len() > MAX_OFFSETS {
            return Err(DomainError::validation("offsets", text!("policy-max", max = MAX_OFFSETS)));
        }
        let mut seen = HashSet::new();
        for o in &self.offsets {
            if !(1..=MAX_MINUTES_BEFORE).contains(&o.minutes_before) {
                return Err(DomainError::validation(
                    "offsets.minutesBefore",
                    text!("policy-minutes", max = MAX_MINUTES_BEFORE),
                ));
            }
            if o.channels.is_empty() {
                return Err(DomainError::validation("offsets.channels", text!("channels-empty")));
            }
            if !seen.insert((o.anchor, o.minutes_before)) {
                let anchor = match o.anchor {
                    Anchor::Stop => "stop",
                    Anchor::Session => "session",
                };
                return Err(DomainError::validation(
                    "offsets.minutesBefore",
                    text!("policy-duplicate", minutes = o.minutes_before, anchor = anchor),
                ));
            }
        }
        if let Some(q) = self.quiet_hours {
            for (field, m) in [("quietHours.start", q.start_minute), ("quietHours.end", q.end_minute)] {
                if !(0..MINUTES_PER_DAY).contains(&m) {
                    return Err(DomainError::validation(field, text!("time-of-day")));
                }
            }
            if q.start_minute == q.end_minute {
                return Err(DomainError::validation("quietHours.end", text!("quiet-hours-empty")));
            }
        }
        Ok(())
    }

    /// Whether any reminder counts back from a session (then planning reads seats).
    pub fn has_session_offsets(&self) -> bool {
        self.offsets.iter().any(|o| o.anchor == Anchor::Session)
    }

    pub(crate) fn from_row(row: &reminder_policy::Model) -> DomainResult<Policy> {
        let offsets: Vec<Offset> = serde_json::from_value(row.offsets.clone())
            .map_err(|e| DomainError::internal(format!("stored reminder policy unreadable: {e}")))?;
        let quiet_hours = match (row.quiet_start_minute, row.quiet_end_minute) {
            (Some(start_minute), Some(end_minute)) => Some(QuietHours { start_minute, end_minute }),
            _ => None,
        };
        Ok(Policy { offsets, quiet_hours })
    }
}

/// Why a reminder of the policy is not planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The instant (after quiet hours) is at or after the start.
    AfterStart,
    /// The participant registered (or booked the seat) after the instant.
    BeforeRegistration,
    /// The instant has passed (a reschedule brought the stop closer).
    Past,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::AfterStart => "would fall after the stop starts",
            Skip::BeforeRegistration => "falls before the registration was made",
            Skip::Past => "its time has passed",
        }
    }
}

/// One reminder of a policy for one registration, placed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    pub minutes_before: i32,
    pub channel: Channel,
    pub at: Result<DateTime<Utc>, Skip>,
}

/// Resolves a local wall-clock time in `zone`: an ambiguous time (clocks going
/// back) is its first occurrence; a time that does not exist (clocks going
/// forward, or Morocco leaving Ramadan time) is read with the offset in force
/// just before the gap, which lands it just after the gap, as a wall clock would.
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            let before = zone.from_utc_datetime(&(local - Duration::hours(3)));
            let offset = chrono::Offset::fix(before.offset());
            (local - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

/// The nominal instant of an offset: whole days keep the wall-clock time of the
/// start ("1 day before" a 09:00 stop is 09:00 the day before, even across a
/// DST or Ramadan change); other offsets are exact durations ("2 hours before").
pub fn nominal(starts_at: DateTime<Utc>, zone: Tz, minutes_before: i32) -> DateTime<Utc> {
    if minutes_before % MINUTES_PER_DAY == 0 {
        let local = starts_at.with_timezone(&zone).naive_local();
        resolve_local(zone, local - Duration::days(i64::from(minutes_before / MINUTES_PER_DAY)))
    } else {
        starts_at - Duration::minutes(i64::from(minutes_before))
    }
}

/// Moves an SMS instant that falls in quiet hours to their end (local time).
pub(crate) fn after_quiet_hours(at: DateTime<Utc>, zone: Tz, quiet: QuietHours) -> DateTime<Utc> {
    let local = at.with_timezone(&zone);
    let minute = i32::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
    if !quiet.contains(minute) {
        return at;
    }
    let end =
        local.date_naive().and_hms_opt(0, 0, 0).map(|midnight| midnight + Duration::minutes(quiet.end_minute.into()));
    let Some(mut end) = end else { return at };
    if minute >= quiet.end_minute {
        // Inside a window that spans midnight, before midnight: it ends tomorrow.
        end += Duration::days(1);
    }
    resolve_local(zone, end)
}

/// Places every stop reminder of `policy` for a registration made at
/// `registered_at` to a stop starting at `starts_at` in `zone`, as planned at `now`.
pub fn instants(
    policy: &Policy,
    starts_at: DateTime<Utc>,
    zone: Tz,
    registered_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Instant> {
    instants_for(policy, Anchor::Stop, starts_at, zone, registered_at, now)
}

/// Places the reminders of `policy` that count back from `anchor`, which starts
/// at `starts_at` (the stop's zone is the wall clock of quiet hours and whole
/// days for its sessions too), for a booking made at `booked_at`.
pub fn instants_for(
    policy: &Policy,
    anchor: Anchor,
    starts_at: DateTime<Utc>,
    zone: Tz,
    booked_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Instant> {
    let mut out = Vec::new();
    for offset in policy.offsets.iter().filter(|o| o.anchor == anchor) {
        let base = nominal(starts_at, zone, offset.minutes_before);
        for &channel in &offset.channels {
            let at = match (channel, policy.quiet_hours) {
                (Channel::Sms, Some(quiet)) => after_quiet_hours(base, zone, quiet),
                _ => base,
            };
            let at = if at >= starts_at {
                Err(Skip::AfterStart)
            } else if at < booked_at {
                Err(Skip::BeforeRegistration)
            } else if at < now {
                Err(Skip::Past)
            } else {
                Ok(at)
            };
            out.push(Instant { minutes_before: offset.minutes_before, channel, at });
        }
    }
    out
}

pub fn idempotency_key(registration_id: Uuid, minutes_before: i32, channel: Channel) -> String {
    format!("reminder:{registration_id}:{minutes_before}:{channel}")
}

/// The key of a workshop's reminder: one per seat, offset and channel.
pub fn session_idempotency_key(
    registration_id: Uuid,
    session_id: Uuid,
    minutes_before: i32,
    channel: Channel,
) -> String {
    format!("{}:{registration_id}:{session_id}:{minutes_before}:{channel}", TemplateKey::SessionReminder)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn local(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        let naive = NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid date");
        resolve_local(zone, naive)
    }

    fn at(instants: &[Instant], minutes: i32, channel: Channel) -> Result<DateTime<Utc>, Skip> {
        instants
            .iter()
            .find(|i| i.minutes_before == minutes && i.channel == channel)
            .map(|i| i.at)
            .expect("the policy has this reminder")
    }

    const CASA: Tz = chrono_tz::Africa::Casablanca;

    #[test]
    fn morocco_is_utc_during_ramadan_2026_and_utc_plus_one_after() {
        // Ramadan 1447 runs from about 18 February to 19 March 2026; Morocco
        // suspends UTC+1 around it.
        let during = local(CASA, 2026, 3, 5, 9, 0);
        assert_eq!(during.to_rfc3339(), "2026-03-05T09:00:00+00:00");
        let after = local(CASA, 2026, 4, 15, 9, 0);
        assert_eq!(after.to_rfc3339(), "2026-04-15T08:00:00+00:00");

        let policy = Policy::default();
        let long_ago = local(CASA, 2026, 1, 1, 0, 0);
        let plan = instants(&policy, during, CASA, long_ago, long_ago);
        assert_eq!(at(&plan, MINUTES_PER_DAY, Channel::Email), Ok(local(CASA, 2026, 3, 4, 9, 0)));
        assert_eq!(
            at(&plan, MINUTES_PER_DAY, Channel::Email).map(|t| t.to_rfc3339()),
            Ok("2026-03-04T09:00:00+00:00".into())
        );
        let plan = instants(&policy, after, CASA, long_ago, long_ago);
        assert_eq!(
            at(&plan, 7 * MINUTES_PER_DAY, Channel::Email).map(|t| t.to_rfc3339()),
            Ok("2026-04-08T08:00:00+00:00".into())
        );
    }

    #[test]
    fn a_day_before_keeps_the_wall_clock_across_the_end_of_ramadan_time() {
        // Morocco returns to UTC+1 on the Sunday after Ramadan (22 March 2026):
        // a stop on 23 March at 09:00 is reminded on 22 March at 09:00 local,
        // and one week before at 09:00 local in Ramadan time (UTC+0).
        let start = local(CASA, 2026, 3, 23, 9, 0);
        assert_eq!(start.to_rfc3339(), "2026-03-23T08:00:00+00:00");
        let long_ago = local(CASA, 2026, 1, 1, 0, 0);
        let plan = instants(&Policy::default(), start, CASA, long_ago, long_ago);
        assert_eq!(
            at(&plan, 7 * MINUTES_PER_DAY, Channel::Email).map(|t| t.to_rfc3339()),
            Ok("2026-03-16T09:00:00+00:00".into())
        );
        let day_before = at(&plan, MINUTES_PER_DAY, Channel::Email).expect("planned");
        assert_eq!(day_before.with_timezone(&CASA).format("%d %H:%M").to_string(), "22 09:00");
    }

    #[test]
    fn paris_dst_keeps_nine_oclock_and_two_hours_stays_two_hours() {
        let paris = chrono_tz::Europe::Paris;
        // Clocks go forward on 29 March 2026 at 02:00: a stop that morning.
        let start = local(paris, 2026, 3, 29, 9, 0);
        let long_ago = local(paris, 2026, 1, 1, 0, 0);
        let plan = instants(&Policy::default(), start, paris, long_ago, long_ago);
        let day_before = at(&plan, MINUTES_PER_DAY, Channel::Email).expect("planned");
        assert_eq!(day_before.to_rfc3339(), "2026-03-28T08:00:00+00:00");
        assert_eq!(start - day_before, Duration::hours(23));
        // 2 hours before is 07:00, inside quiet hours: the SMS goes at 08:00.
        let two_hours = at(&plan, 120, Channel::Sms).expect("planned");
        assert_eq!(two_hours, local(paris, 2026, 3, 29, 8, 0));
        // Without quiet hours, an exact duration stays exact across the change.
        let exact = Policy { quiet_hours: None, ..Policy::default() };
        let plan = instants(&exact, local(paris, 2026, 3, 29, 3, 30), paris, long_ago, long_ago);
        let sms = at(&plan, 120, Channel::Sms).expect("planned");
        assert_eq!(sms.to_rfc3339(), "2026-03-28T23:30:00+00:00");
        // A wall-clock time inside the gap lands just after it.
        assert_eq!(local(paris, 2026, 3, 29, 2, 30).to_rfc3339(), "2026-03-29T01:30:00+00:00");
    }

    #[test]
    fn sms_in_quiet_hours_moves_to_their_end_or_is_skipped() {
        let long_ago = local(CASA, 2026, 1, 1, 0, 0);
        // 09:00 stop: the 2-hour SMS would go at 07:00, inside 21:00–08:00 → 08:00.
        let nine = local(CASA, 2026, 5, 12, 9, 0);
        let plan = instants(&Policy::default(), nine, CASA, long_ago, long_ago);
        assert_eq!(at(&plan, 120, Channel::Sms), Ok(local(CASA, 2026, 5, 12, 8, 0)));
        // Email is not held by quiet hours.
        let policy = Policy {
            offsets: vec![Offset::stop(120, vec![Channel::Email, Channel::Sms])],
            quiet_hours: Some(QuietHours { start_minute: 21 * 60, end_minute: 8 * 60 }),
        };
        // 08:30 stop: the SMS would move to 08:00 (fine); at 08:00 start it would
        // move to the start itself → skipped.
        let eight = local(CASA, 2026, 5, 12, 8, 0);
        let plan = instants(&policy, eight, CASA, long_ago, long_ago);
        assert_eq!(at(&plan, 120, Channel::Email), Ok(local(CASA, 2026, 5, 12, 6, 0)));
        assert_eq!(at(&plan, 120, Channel::Sms), Err(Skip::AfterStart));
        // 22:30 the evening before (a 00:30 stop): quiet until 08:00 → after the start.
        let half_past_midnight = local(CASA, 2026, 5, 13, 0, 30);
        let plan = instants(&policy, half_past_midnight, CASA, long_ago, long_ago);
        assert_eq!(at(&plan, 120, Channel::Sms), Err(Skip::AfterStart));
        // 23:00 stop: SMS at 21:00 is quiet until 08:00 next day → skipped.
        let late = local(CASA, 2026, 5, 12, 23, 0);
        let plan = instants(&policy, late, CASA, long_ago, long_ago);
        assert_eq!(at(&plan, 120, Channel::Sms), Err(Skip::AfterStart));
    }

    #[test]
    fn the_pretix_bug_no_reminder_before_the_registration() {
        let start = local(CASA, 2026, 5, 12, 9, 0);
        // Registered the evening before: no 7-day or 1-day reminder, the 2-hour SMS stays.
        let registered = local(CASA, 2026, 5, 11, 19, 0);
        let plan = instants(&Policy::default(), start, CASA, registered, registered);
        assert_eq!(at(&plan, 7 * MINUTES_PER_DAY, Channel::Email), Err(Skip::BeforeRegistration));
        assert_eq!(at(&plan, MINUTES_PER_DAY, Channel::Email), Err(Skip::BeforeRegistration));
        assert_eq!(at(&plan, MINUTES_PER_DAY, Channel::Sms), Err(Skip::BeforeRegistration));
        assert_eq!(at(&plan, 120, Channel::Sms), Ok(local(CASA, 2026, 5, 12, 8, 0)));
        // Re-planned later (a reschedule): what has passed is skipped, not sent late.
        let now = local(CASA, 2026, 5, 12, 8, 30);
        let plan = instants(&Policy::default(), start, CASA, registered, now);
        assert_eq!(at(&plan, 120, Channel::Sms), Err(Skip::Past));
    }

    #[test]
    fn session_offsets_count_from_the_session_and_only_from_it() {
        let policy = Policy {
            offsets: vec![Offset::stop(MINUTES_PER_DAY, vec![Channel::Email]), Offset::session(30, vec![Channel::Sms])],
            ..Policy::default()
        };
        let long_ago = local(CASA, 2026, 1, 1, 0, 0);
        let workshop = local(CASA, 2026, 5, 12, 14, 0);
        let plan = instants_for(&policy, Anchor::Session, workshop, CASA, long_ago, long_ago);
        assert_eq!(plan.len(), 1, "the stop's offsets are not the session's");
        assert_eq!(at(&plan, 30, Channel::Sms), Ok(local(CASA, 2026, 5, 12, 13, 30)));
        assert!(instants(&policy, workshop, CASA, long_ago, long_ago).iter().all(|i| i.minutes_before != 30));
        // Quiet hours hold for workshops too: an 08:15 workshop's SMS would go at
        // 07:45, moves to 08:00.
        let early = local(CASA, 2026, 5, 12, 8, 15);
        let plan = instants_for(&policy, Anchor::Session, early, CASA, long_ago, long_ago);
        assert_eq!(at(&plan, 30, Channel::Sms), Ok(local(CASA, 2026, 5, 12, 8, 0)));
        // A seat booked 10 minutes before the workshop gets no 30-minute reminder.
        let booked = workshop - Duration::minutes(10);
        let plan = instants_for(&policy, Anchor::Session, workshop, CASA, booked, booked);
        assert_eq!(at(&plan, 30, Channel::Sms), Err(Skip::BeforeRegistration));
        // Stored policies from before anchors read as stop offsets.
        let stored: Offset = serde_json::from_str(r#"{"minutes_before":60,"channels":["sms"]}"#).expect("parses");
        assert_eq!(stored.anchor, Anchor::Stop);
    }

    #[test]
    fn policies_are_validated_with_the_field_named() {
        assert!(Policy::default().validate().is_ok());
        let bad = |p: Policy| p.validate().expect_err("refused").to_string();
        let twice = Policy {
            offsets: vec![Offset::stop(60, vec![Channel::Sms]), Offset::stop(60, vec![Channel::Email])],
            quiet_hours: None,
        };
        assert!(bad(twice).contains("appears twice"));
        // The same minutes before the stop and before each session are two reminders.
        let both = Policy {
            offsets: vec![Offset::stop(60, vec![Channel::Sms]), Offset::session(60, vec![Channel::Sms])],
            quiet_hours: None,
        };
        assert!(both.validate().is_ok());
        let none = Policy { offsets: vec![Offset::stop(60, vec![])], quiet_hours: None };
        assert!(bad(none).contains("channel"));
        let quiet = Policy { offsets: vec![], quiet_hours: Some(QuietHours { start_minute: 1500, end_minute: 0 }) };
        assert!(bad(quiet).contains("time of day"));
    }
}
