use escale_i18n::text;
use std::fmt;
use std::str::FromStr;

use super::refusal::{ValueError, has_control_chars};

/// An email address, trimmed and lower-cased so that the same person typing
/// `Amina@Example.ma ` and `amina@example.ma` is recognised as one participant.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

/// RFC 5321 limits a forward path to 256 octets including the angle brackets.
const MAX_LEN: usize = 254;

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new(text!("field-empty")));
        }
        if trimmed.len() > MAX_LEN || has_control_chars(trimmed) {
            return Err(ValueError::new(text!("value-email")));
        }
        let lowered = trimmed.to_lowercase();
        let parsed =
            email_address::EmailAddress::from_str(&lowered).map_err(|_| ValueError::new(text!("value-email")))?;
        // The crate accepts display forms ("Name <a@b>"), dotless domains and
        // address literals; a participant's address is none of them: mail to
        // `a@localhost` never arrives, and `a@[127.0.0.1]` (or a numeric
        // "domain") would have the relay deliver to an address of our choosing.
        let domain = parsed.domain();
        let numeric_tld = domain.rsplit('.').next().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
        if parsed.email() != lowered
            || !domain.contains('.')
            || domain.ends_with('.')
            || domain.starts_with('[')
            || numeric_tld
        {
            return Err(ValueError::new(text!("value-email")));
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Personal data: the debug form never shows the address (logs carry ids only).
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let e = EmailAddress::parse("  Amina.Benali@Example.MA ").expect("valid");
        assert_eq!(e.as_str(), "amina.benali@example.ma");
    }

    #[test]
    fn refuses_what_cannot_receive_mail() {
        for bad in [
            "",
            "   ",
            "amina",
            "amina@",
            "@example.ma",
            "amina@localhost",
            "a b@example.ma",
            "Amina <amina@example.ma>",
            "amina@example.ma\r\nBcc: x@y.z",
            "amina@example.",
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
            "a@127.0.0.1",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn debug_does_not_leak_the_address() {
        let e = EmailAddress::parse("amina@example.ma").expect("valid");
        assert!(!format!("{e:?}").contains("amina"));
    }
}
