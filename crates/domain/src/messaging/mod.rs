//! What a message says and when it goes: templates and rendering, SMS
//! length, the stop as iCalendar, QR codes, reminder planning, the outbox,
//! and what organizers do with messages.

pub mod calendar;
pub mod notices;
pub mod organizer;
pub mod outbox;
pub mod qr;
pub mod reminders;
pub mod sandbox;
pub mod sms;
pub mod templates;
