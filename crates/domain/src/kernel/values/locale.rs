use escale_i18n::text;
use std::fmt;
use std::str::FromStr;

use sea_orm::DeriveValueType;
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

use super::refusal::ValueError;

/// The languages Escale writes to participants in. Also a column type: a
/// stored value that is not one of them fails the row's load.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default, DeriveValueType,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(value_type = "String", column_type = "String(StringLen::N(8))")]
pub enum Locale {
    #[default]
    Fr,
    Ar,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Fr, Locale::Ar, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::Ar => "ar",
            Locale::En => "en",
        }
    }

    /// Arabic is written right to left; HTML output must say so (`dir="rtl"`).
    pub fn is_rtl(self) -> bool {
        matches!(self, Locale::Ar)
    }
}

impl FromStr for Locale {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Accept regional forms participants' phones send (fr-MA, ar_MA, en-GB).
        let lang = s.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match lang.as_str() {
            "fr" => Ok(Locale::Fr),
            "ar" => Ok(Locale::Ar),
            "en" => Ok(Locale::En),
            _ => Err(ValueError::new(text!("value-locale"))),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_regional_tags() {
        assert_eq!("fr".parse::<Locale>(), Ok(Locale::Fr));
        assert_eq!("ar-MA".parse::<Locale>(), Ok(Locale::Ar));
        assert_eq!("EN_gb".parse::<Locale>(), Ok(Locale::En));
        assert!("es".parse::<Locale>().is_err());
        assert!("".parse::<Locale>().is_err());
    }
}
