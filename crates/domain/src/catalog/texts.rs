//! Organizer-entered words in the readers' languages. The text typed first
//! (a stop's `name`, a session's `title`…) stays the one every reader falls
//! back to; a translation gives some of its fields in one language. Readers
//! ask for a field in their language and get the translation or the
//! fallback, never an empty string.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::values::Locale;

/// Per language, per field, the organizer's words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Translations(BTreeMap<Locale, BTreeMap<String, String>>);

/// One language's words for some fields of a stop or a session, as an
/// organizer gives them: a field left out (or blank) falls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub locale: Locale,
    /// (field, words): `name`, `directions` for a stop; `title`,
    /// `description` for a session.
    pub fields: Vec<(&'static str, Option<String>)>,
}

impl Translations {
    /// A field in `lang`, if the organizer gave it.
    pub fn get(&self, lang: &str, field: &str) -> Option<&str> {
        let locale = lang.parse::<Locale>().ok()?;
        self.0.get(&locale)?.get(field).map(String::as_str)
    }

    /// A field in `lang`, else `fallback` (the text typed first).
    pub fn or<'a>(&'a self, lang: &str, field: &str, fallback: &'a str) -> &'a str {
        self.get(lang, field).unwrap_or(fallback)
    }

    /// The languages given, each with its fields, in a stable order.
    pub fn languages(&self) -> impl Iterator<Item = (Locale, &BTreeMap<String, String>)> {
        self.0.iter().map(|(l, f)| (*l, f))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// From the stored column; what cannot be read is no translation (the
    /// fallback shows) rather than a page that fails.
    pub(crate) fn from_json(stored: Option<&serde_json::Value>) -> Translations {
        stored.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
    }

    /// For the column: NULL when there is none.
    pub(crate) fn to_json(&self) -> Option<serde_json::Value> {
        (!self.is_empty()).then(|| serde_json::to_value(self).ok()).flatten()
    }

    /// Built from checked words (see `manage`), languages without a field dropped.
    pub(crate) fn from_checked(mut given: BTreeMap<Locale, BTreeMap<String, String>>) -> Translations {
        given.retain(|_, fields| !fields.is_empty());
        Translations(given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_her_language_or_the_fallback() {
        let ar = BTreeMap::from([("title".to_owned(), "التسويق الرقمي".to_owned())]);
        let t = Translations::from_checked(BTreeMap::from([(Locale::Ar, ar), (Locale::En, BTreeMap::new())]));
        assert_eq!(t.or("ar", "title", "Marketing"), "التسويق الرقمي");
        assert_eq!(t.or("ar", "description", "Budget"), "Budget", "a field not given falls back");
        assert_eq!(t.languages().count(), 1, "a language without words is none");
        assert_eq!(t.or("en", "title", "Marketing"), "Marketing");
        assert_eq!(t.or("xx", "title", "Marketing"), "Marketing");
        let stored = t.to_json();
        assert_eq!(Translations::from_json(stored.as_ref()), t, "the column keeps it");
        assert_eq!(Translations::from_json(Some(&serde_json::json!({"zz": 3}))), Translations::default());
    }
}
