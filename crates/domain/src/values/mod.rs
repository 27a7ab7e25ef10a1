//! Parsed boundary values: a value of one of these types that exists is valid.
//!
//! Every constructor that takes user input returns a [`ValueError`] that names the
//! problem in words a participant can act on; the caller attaches the field name.

mod capacity;
mod email;
mod locale;
mod person_name;
mod phone;
mod slug;
mod ticket_code;
mod time_zone;

pub use capacity::Capacity;
pub use email::EmailAddress;
pub use locale::Locale;
pub use person_name::PersonName;
pub use phone::PhoneNumber;
pub use slug::Slug;
pub use ticket_code::TicketCode;
pub use time_zone::TimeZone;

/// Why a raw value was refused. The message is safe to show to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// True when `s` carries a control character (newline, NUL…): never wanted in a
/// name or a title, and a header-injection risk once it reaches an email.
pub(crate) fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}
