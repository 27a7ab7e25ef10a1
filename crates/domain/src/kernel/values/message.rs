//! How a message reaches its recipient and which message it is: the outbox's
//! vocabulary, stored as typed columns.

use escale_i18n::text;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::refusal::ValueError;

/// How a notification reaches its recipient. Also a column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sea_orm::DeriveValueType)]
#[serde(rename_all = "lowercase")]
#[sea_orm(value_type = "String", column_type = "String(sea_orm::sea_query::StringLen::N(8))")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

impl FromStr for Channel {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            other => Err(ValueError::new(text!("value-unknown", kind = "channel", value = other))),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which message a notification carries. Also a column type: a stored key
/// this build does not know fails the row's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sea_orm::DeriveValueType)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String", column_type = "String(sea_orm::sea_query::StringLen::N(32))")]
pub enum TemplateKey {
    /// Registration confirmed, with the entry code.
    Confirmation,
    /// The stop was full: the registration is on the waiting list.
    Waitlisted,
    /// A seat freed up: the waitlisted registration is now confirmed.
    Promotion,
    /// A workshop seat freed up for a confirmed participant who waited for it.
    SessionPromotion,
    /// The registration was cancelled (by the participant or the organizer).
    Cancellation,
    /// Before the stop, as its reminder policy plans.
    Reminder,
    /// Before a workshop the participant holds a seat in, as the policy plans.
    SessionReminder,
    /// An organizer's message to everyone registered for a stop.
    Broadcast,
    /// The stop moved in time or place: when and where it is now.
    StopChanged,
    /// The stop is cancelled.
    StopCancelled,
}

impl TemplateKey {
    pub const ALL: [TemplateKey; 10] = [
        TemplateKey::Confirmation,
        TemplateKey::Waitlisted,
        TemplateKey::Promotion,
        TemplateKey::SessionPromotion,
        TemplateKey::Cancellation,
        TemplateKey::Reminder,
        TemplateKey::SessionReminder,
        TemplateKey::Broadcast,
        TemplateKey::StopChanged,
        TemplateKey::StopCancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKey::Confirmation => "confirmation",
            TemplateKey::Waitlisted => "waitlisted",
            TemplateKey::Promotion => "promotion",
            TemplateKey::SessionPromotion => "session_promotion",
            TemplateKey::Cancellation => "cancellation",
            TemplateKey::Reminder => "reminder",
            TemplateKey::SessionReminder => "session_reminder",
            TemplateKey::Broadcast => "broadcast",
            TemplateKey::StopChanged => "stop_changed",
            TemplateKey::StopCancelled => "stop_cancelled",
        }
    }
}

impl FromStr for TemplateKey {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TemplateKey::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ValueError::new(text!("value-unknown", kind = "template key", value = s)))
    }
}

impl fmt::Display for TemplateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
