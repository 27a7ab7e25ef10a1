//! What organizers type, checked: times in a stop's zone, texts, capacities, windows.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone as _, Utc};
use escale_i18n::text;

use std::collections::BTreeMap;

use crate::catalog::{Translation, Translations};
use crate::error::{DomainError, DomainResult, FieldExt};
use crate::values::{Capacity, TimeZone};

/// A point in time as an organizer gives it: an instant, or a wall-clock time
/// in the stop's zone (what organizers think in; the zone's rules — Ramadan's
/// UTC+0 in Morocco — turn it into the right instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeInput {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
}

pub(super) fn resolve(zone: TimeZone, at: TimeInput, field: &str) -> DomainResult<DateTime<Utc>> {
    match at {
        TimeInput::Instant(t) => Ok(t),
        TimeInput::Local(naive) => zone
            .tz()
            .from_local_datetime(&naive)
            // Ambiguous (clocks went back): the first occurrence.
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                DomainError::validation(field, text!("time-skipped", time = naive.to_string(), zone = zone.name()))
            }),
    }
}

pub(super) fn text(field: &str, raw: &str, max: usize) -> DomainResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::validation(field, text!("field-empty")));
    }
    if t.chars().count() > max {
        return Err(DomainError::validation(field, text!("field-too-long", max = max)));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::validation(field, text!("field-control-chars")));
    }
    Ok(t.to_owned())
}

pub(super) fn optional_text(field: &str, raw: Option<&str>, max: usize) -> DomainResult<Option<String>> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => text(field, t, max).map(Some),
        None => Ok(None),
    }
}

pub(super) fn capacity(field: &str, seats: i64) -> DomainResult<i32> {
    let c = Capacity::new(seats).field(field)?;
    i32::try_from(c.get()).map_err(|_| DomainError::validation(field, text!("field-too-large")))
}

/// A stop lasts from one hour to two weeks: anything else is a typo.
pub(super) fn check_stop_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> DomainResult<()> {
    if ends_at <= starts_at {
        return Err(DomainError::validation("endsAt", text!("ends-after-start")));
    }
    if ends_at - starts_at > Duration::days(14) {
        return Err(DomainError::validation("endsAt", text!("stop-max-days")));
    }
    Ok(())
}

pub(super) fn check_window(
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    starts_at: DateTime<Utc>,
) -> DomainResult<()> {
    if let Some(c) = closes
        && c > starts_at
    {
        return Err(DomainError::validation("registrationClosesAt", text!("close-after-start")));
    }
    if let (Some(o), Some(c)) = (opens, closes)
        && o >= c
    {
        return Err(DomainError::validation("registrationOpensAt", text!("open-after-close")));
    }
    if let Some(o) = opens
        && o >= starts_at
    {
        return Err(DomainError::validation("registrationOpensAt", text!("open-after-start")));
    }
    Ok(())
}

/// Checks an organizer's translations: each language once, each field within
/// `limits` (its name, the most characters it takes) under the rules of the
/// text typed first; a blank field is none (it falls back). The set given
/// replaces the stored one.
pub(super) fn translations(given: &[Translation], limits: &[(&str, usize)]) -> DomainResult<Translations> {
    let mut out = BTreeMap::new();
    for t in given {
        let mut fields = BTreeMap::new();
        for (field, words) in &t.fields {
            let Some(max) = limits.iter().find(|(f, _)| f == field).map(|(_, m)| *m) else { continue };
            let name = format!("translations.{}.{field}", t.locale.as_str());
            if let Some(words) = optional_text(&name, words.as_deref(), max)? {
                fields.insert((*field).to_owned(), words);
            }
        }
        if out.insert(t.locale, fields).is_some() {
            return Err(DomainError::validation(
                "translations",
                text!("translation-twice", locale = t.locale.as_str()),
            ));
        }
    }
    Ok(Translations::from_checked(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Locale;

    #[test]
    fn a_language_twice_or_words_too_long_are_refused_with_the_field() {
        let twice = [
            Translation { locale: Locale::En, fields: vec![("name", Some("Forum".into()))] },
            Translation { locale: Locale::En, fields: vec![("name", Some("Forum 2".into()))] },
        ];
        assert!(matches!(translations(&twice, &[("name", 200)]), Err(DomainError::Validation { .. })));
        let long = [Translation { locale: Locale::Ar, fields: vec![("name", Some("م".repeat(201)))] }];
        match translations(&long, &[("name", 200)]) {
            Err(DomainError::Validation { field, .. }) => assert_eq!(field, "translations.ar.name"),
            other => panic!("{other:?}"),
        }
        let ok = [Translation {
            locale: Locale::Ar,
            fields: vec![("name", Some(" منتدى ".into())), ("x", Some("y".into()))],
        }];
        let t = translations(&ok, &[("name", 200)]).expect("valid");
        assert_eq!(t.get("ar", "name"), Some("منتدى"), "trimmed");
        assert_eq!(t.get("ar", "x"), None, "a field it does not have is ignored");
    }
}
