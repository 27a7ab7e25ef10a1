use escale_i18n::text;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use sea_orm::DeriveValueType;
use sea_orm::sea_query::StringLen;

use super::refusal::ValueError;

/// An IANA time zone known to the bundled tzdata (so `Africa/Casablanca` knows
/// that Morocco moves to UTC+0 during Ramadan and back to UTC+1 after it).
///
/// Also a column type: a stored name that is not a zone fails the row's load
/// (an error to see), instead of becoming Casablanca without a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
#[sea_orm(value_type = "String", column_type = "String(StringLen::N(64))")]
pub struct TimeZone(Tz);

impl TimeZone {
    pub const CASABLANCA: TimeZone = TimeZone(Tz::Africa__Casablanca);

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Tz::from_str(raw.trim()).map(TimeZone).map_err(|_| ValueError::new(text!("value-time-zone")))
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    /// The wall-clock time of `instant` in this zone, with the offset in force then.
    pub fn local(self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        instant.with_timezone(&self.0).fixed_offset()
    }
}

/// By its IANA name, as stored.
impl serde::Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        TimeZone::parse(&name).map_err(|_| serde::de::Error::custom(format!("{name:?} is not a time zone")))
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::CASABLANCA
    }
}

impl FromStr for TimeZone {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn casablanca_follows_ramadan() {
        let tz = TimeZone::parse("Africa/Casablanca").expect("known zone");
        // 23 November 2019, the Casablanca stop: Morocco is on UTC+1.
        let final_stop = Utc.with_ymd_and_hms(2019, 11, 23, 8, 0, 0).single().expect("valid");
        assert_eq!(tz.local(final_stop).to_rfc3339(), "2019-11-23T09:00:00+01:00");
        // 1 March 2026 is in Ramadan 1447: Morocco is on UTC+0.
        let ramadan = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).single().expect("valid");
        assert_eq!(tz.local(ramadan).to_rfc3339(), "2026-03-01T09:00:00+00:00");
    }

    #[test]
    fn refuses_unknown_zones() {
        assert!(TimeZone::parse("Morocco/Casa").is_err());
        assert!(TimeZone::parse("").is_err());
    }
}
