//! Dates as people read them: in the stop's zone (the caller converts), with
//! the language's own day and month names (CLDR data through chrono).

use chrono::{DateTime, FixedOffset};
use escale_domain::Lang;

fn locale(lang: Lang) -> chrono::Locale {
    match lang {
        Lang::Fr => chrono::Locale::fr_FR,
        // Morocco's Arabic month names (ماي, يوليوز), as its participants read them.
        Lang::Ar => chrono::Locale::ar_MA,
        Lang::En => chrono::Locale::en_GB,
    }
}

/// "samedi 15 mai 2027", "السبت 15 ماي 2027", "Saturday 15 May 2027".
pub(crate) fn date(lang: Lang, at: DateTime<FixedOffset>) -> String {
    at.format_localized("%A %-d %B %Y", locale(lang)).to_string()
}

/// The date and the time of day ("samedi 15 mai 2027, 09:00").
pub(crate) fn date_time(lang: Lang, at: DateTime<FixedOffset>) -> String {
    format!("{}, {}", date(lang, at), at.format("%H:%M"))
}

/// A day without its weekday or year ("15 mai", "15 ماي", "15 May").
pub(crate) fn short_day(lang: Lang, day: chrono::NaiveDate) -> String {
    day.format_localized("%-d %B", locale(lang)).to_string()
}
