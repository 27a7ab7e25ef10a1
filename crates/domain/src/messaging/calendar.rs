//! The stop as an iCalendar event, attached to confirmation and reminder emails
//! so that one tap puts it in the participant's calendar.
//!
//! Times are written in UTC (`DTSTART:…Z`): every client reads them, and they
//! need no `VTIMEZONE` block (which a `TZID=` reference would require by RFC
//! 5545). The stop's IANA zone rides along as `X-WR-TIMEZONE`, which clients
//! use to display the event, and the description gives the local time in
//! words. The `UID` is the stop's, and `SEQUENCE` grows with each change, so a
//! reminder after a reschedule updates the entry instead of adding a second.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

use crate::entities::stop;

/// What the event says besides the stop's own fields.
#[derive(Debug, Clone)]
pub struct EventText {
    pub summary: String,
    pub description: String,
    pub organizer_name: String,
}

/// How an event's description names the ticket code, in the participant's language.
pub fn entry_code_label(locale: crate::values::Locale) -> &'static str {
    use crate::values::Locale;
    match locale {
        Locale::Fr => "Code d'entrée",
        Locale::Ar => "رمز الدخول",
        Locale::En => "Entry code",
    }
}

/// A `VCALENDAR` with one `VEVENT` for the stop, CRLF line endings, folded lines.
pub fn stop_event(stop: &stop::Model, text: &EventText, now: DateTime<Utc>) -> String {
    let zone = stop.time_zone;
    let location = match &stop.address {
        Some(address) => format!("{}, {address}, {}", stop.venue, stop.city),
        None => format!("{}, {}", stop.venue, stop.city),
    };
    // Rises with each change participants were told of, and only then: a
    // calendar replaces its copy of the event when SEQUENCE grows.
    let sequence = stop.sequence;
    let event = Event::new()
        .uid(&format!("stop-{}@escale", stop.id))
        .timestamp(now)
        .starts(CalendarDateTime::from(stop.starts_at))
        .ends(CalendarDateTime::from(stop.ends_at))
        .summary(&text.summary)
        .description(&text.description)
        .location(&location)
        .add_property("SEQUENCE", sequence.to_string())
        .add_property("STATUS", "CONFIRMED")
        .add_property("TRANSP", "OPAQUE")
        .done();
    let mut calendar = Calendar::new();
    calendar
        .append_property(("METHOD", "PUBLISH"))
        .append_property(("X-WR-TIMEZONE", zone.name()))
        .append_property(("X-WR-CALNAME", text.organizer_name.as_str()))
        .push(event);
    calendar.done().to_string()
}
