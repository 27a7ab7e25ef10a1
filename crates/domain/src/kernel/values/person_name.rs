use escale_i18n::text;
use std::fmt;

use super::refusal::{ValueError, has_control_chars};

/// A person's full name as they typed it (Latin or Arabic script), trimmed, with
/// inner runs of whitespace collapsed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        // Invisible bidi embeddings, overrides and isolates would reorder how
        // the name (and what follows it) reads in an export or an organizer's
        // screen; pages and messages isolate names themselves.
        let visible: String = raw.chars().filter(|c| !is_bidi_control(*c)).collect();
        let collapsed = visible.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ValueError::new(text!("field-empty")));
        }
        if collapsed.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new(text!("field-too-long", max = Self::MAX_CHARS)));
        }
        if has_control_chars(&collapsed) || !collapsed.chars().any(char::is_alphabetic) {
            return Err(ValueError::new(text!("value-name")));
        }
        Ok(Self(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// U+202A–U+202E (embeddings, overrides, pop) and U+2066–U+2069 (isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
    fn drops_bidi_overrides_and_isolates() {
        let name = PersonName::parse("Amina \u{202E}ilaneB\u{202C} \u{2067}x\u{2069}").expect("a name");
        assert_eq!(name.as_str(), "Amina ilaneB x");
        assert!(PersonName::parse("\u{202E}\u{202C}").is_err(), "nothing visible is no name");
    }

    #[test]
    fn refuses_empty_long_and_non_names() {
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("1234").is_err());
        assert!(PersonName::parse(&"a".repeat(201)).is_err());
    }
}
