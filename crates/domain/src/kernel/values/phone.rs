use escale_i18n::text;
use std::fmt;

use phonenumber::country::Id as Country;
use phonenumber::{Mode, Type};

use super::refusal::ValueError;

/// A phone number in E.164 form (`+212612345678`).
///
/// Participants type Moroccan mobiles as `06 12 34 56 78`, `+212 6…` or `00212 6…`;
/// all of them parse to the same value, so the same person is recognised whatever
/// they typed. Numbers without a country prefix are read as Moroccan.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    e164: String,
    sms_capable: bool,
    /// ISO 3166 code of the number's country ("MA"), when the numbering plan
    /// names one (non-geographic numbers have none).
    country: Option<String>,
}

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new(text!("field-empty")));
        }
        if trimmed.len() > 32 || trimmed.chars().any(|c| !(c.is_ascii_digit() || " +-.()/".contains(c))) {
            return Err(ValueError::new(text!("value-phone-chars")));
        }
        // "00" is the international prefix from Morocco and most of Europe; the
        // parser only knows it relative to a default region, so make it explicit.
        let normalised = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_owned(),
        };
        let number =
            phonenumber::parse(Some(Country::MA), &normalised).map_err(|_| ValueError::new(text!("value-phone")))?;
        if !number.is_valid() {
            return Err(ValueError::new(text!("value-phone-country")));
        }
        let sms_capable = matches!(
            number.number_type(&phonenumber::metadata::DATABASE),
            Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber
        );
        let country = number.country().id().map(|id| id.as_ref().to_owned());
        Ok(Self { e164: number.format().mode(Mode::E164).to_string(), sms_capable, country })
    }

    /// Rebuilds a value read back from storage, where only E.164 strings are written.
    pub fn from_e164(stored: &str) -> Result<Self, ValueError> {
        if !stored.starts_with('+') {
            return Err(ValueError::new(text!("value-phone-stored")));
        }
        Self::parse(stored)
    }

    pub fn as_e164(&self) -> &str {
        &self.e164
    }

    /// The number's country as an ISO 3166 code ("MA", "FR", "US").
    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    /// False for fixed lines, premium numbers and the like: an SMS sent there is
    /// paid for and never read.
    pub fn can_receive_sms(&self) -> bool {
        self.sms_capable
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// Personal data: the debug form keeps only the country code.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.e164.chars().take(4).collect();
        write!(f, "PhoneNumber({prefix}…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_knows_its_country() {
        assert_eq!(PhoneNumber::parse("0612345678").expect("MA").country(), Some("MA"));
        assert_eq!(PhoneNumber::parse("+33612345678").expect("FR").country(), Some("FR"));
        assert_eq!(PhoneNumber::parse("+12025550123").expect("US").country(), Some("US"));
    }

    #[test]
    fn the_ways_moroccans_type_a_mobile_are_one_number() {
        for typed in [
            "0612345678",
            "06 12 34 56 78",
            "06-12-34-56-78",
            "+212612345678",
            "+212 6 12 34 56 78",
            "00212612345678",
            "00 212 612 345 678",
            "+212 (0)6 12 34 56 78",
        ] {
            let p = PhoneNumber::parse(typed).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
            assert_eq!(p.as_e164(), "+212612345678", "{typed:?}");
            assert!(p.can_receive_sms(), "{typed:?}");
        }
        assert_eq!(PhoneNumber::parse("0712345678").expect("07 mobile").as_e164(), "+212712345678");
    }

    #[test]
    fn foreign_numbers_keep_their_country() {
        let p = PhoneNumber::parse("+33 6 12 34 56 78").expect("French mobile");
        assert_eq!(p.as_e164(), "+33612345678");
    }

    #[test]
    fn a_moroccan_fixed_line_is_valid_but_not_for_sms() {
        let p = PhoneNumber::parse("0522123456").expect("Casablanca landline");
        assert_eq!(p.as_e164(), "+212522123456");
        assert!(!p.can_receive_sms());
    }

    #[test]
    fn refuses_garbage() {
        for bad in ["", "abc", "06123", "+212 6 12", "0612345678; DROP TABLE", "+999 123456789"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn debug_hides_the_subscriber_number() {
        let p = PhoneNumber::parse("0612345678").expect("valid");
        assert!(!format!("{p:?}").contains("12345678"));
    }
}
