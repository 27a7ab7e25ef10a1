use std::fmt;

use super::refusal::{ValueError, has_control_chars};

/// A person's full name as they typed it (Latin or Arabic script), trimmed, with
/// inner runs of whitespace collapsed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ValueError::new("is empty"));
        }
        if collapsed.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new(format!("is longer than {} characters", Self::MAX_CHARS)));
        }
        if has_control_chars(&collapsed) || !collapsed.chars().any(char::is_alphabetic) {
            return Err(ValueError::new("is not a name"));
        }
        Ok(Self(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses() {
        assert_eq!(PersonName::parse("  Amina \t Benali ").expect("valid").as_str(), "Amina Benali");
        assert_eq!(PersonName::parse("أمينة بنعلي").expect("Arabic").as_str(), "أمينة بنعلي");
    }

    #[test]
    fn refuses_empty_long_and_non_names() {
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("1234").is_err());
        assert!(PersonName::parse(&"a".repeat(201)).is_err());
    }
}
