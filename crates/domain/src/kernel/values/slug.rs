use escale_i18n::text;
use std::fmt;

use super::refusal::ValueError;

/// A URL-safe identifier chosen by people (`attitudes-conseil`): lower-case ASCII
/// letters, digits and single hyphens, 2 to 63 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let well_formed = (2..=63).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if well_formed { Ok(Self(s.to_owned())) } else { Err(ValueError::new(text!("value-slug"))) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        assert!(Slug::parse("attitudes-conseil").is_ok());
        for bad in ["A", "Attitudes", "-a", "a-", "a--b", "a b", "é-t"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }
}
