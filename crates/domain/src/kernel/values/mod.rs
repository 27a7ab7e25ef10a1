//! Parsed boundary values: a value of one of these types that exists is valid.
//!
//! Every constructor that takes user input returns a [`ValueError`] that names the
//! problem in words a participant can act on; the caller attaches the field name.

mod capacity;
mod email;
mod locale;
mod message;
mod person_name;
mod phone;
mod refusal;
mod slug;
mod ticket_code;
mod time_zone;
mod topic;

pub use capacity::Capacity;
pub use email::EmailAddress;
pub use locale::Locale;
pub use message::{Channel, TemplateKey};
pub use person_name::PersonName;
pub use phone::PhoneNumber;
pub use refusal::ValueError;
pub use slug::Slug;
pub use ticket_code::TicketCode;
pub use time_zone::TimeZone;
pub use topic::Topic;
