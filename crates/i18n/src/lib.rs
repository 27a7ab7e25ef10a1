//! Escale's one message catalogue: every word the platform says to a person —
//! API errors, door messages, the fixed words of emails, the web pages — in
//! French, Arabic and English, in Project Fluent files under `locales/`
//! (one folder per language, one file per area).
//!
//! Code names a message by its id and its arguments ([`Text`], built with
//! [`text!`]); the reader's language is chosen where the text is shown. Plurals
//! follow CLDR (Arabic has six forms). Arabic output isolates its placeables
//! (U+2068 … U+2069), so a French name or a number inside an Arabic sentence
//! keeps its own direction; French and English output carries no marks.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP, HTML or the
//! database. The domain, the gateway and the web pages depend on it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| {
            // Isolation marks only where directions mix: in Arabic text.
            let arabic = bundle.locales.first().is_some_and(|l| l.language.as_str() == "ar");
            bundle.set_use_isolating(arabic);
            // intl_pluralrules 7.0.2 drops CLDR's `n % 100` from Arabic's
            // rule (103 reads as "other", not "few"): Arabic messages select
            // on AR_PLURAL($n) instead of on $n.
            let _ = bundle.add_function("AR_PLURAL", |args, _named| match args.first() {
                Some(FluentValue::Number(n)) => FluentValue::from(arabic_plural(n.value)),
                _ => FluentValue::from("other"),
            });
        },
    };
}

/// The languages Escale speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fr,
    Ar,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::Ar, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    /// Arabic is written right to left.
    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }

    /// `fr`, `ar-MA`, `EN_gb`…; `None` for a language Escale does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let lang = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match lang.as_str() {
            "fr" => Some(Lang::Fr),
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header, by its
    /// quality values (`ar-MA,ar;q=0.9,fr;q=0.8`); `None` when it names none.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for (i, part) in accept_language.split(',').take(32).enumerate() {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else { continue };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // Earlier entries win ties: subtract a hair per position.
            #[expect(clippy::cast_precision_loss, reason = "at most 32 entries")]
            let q = q - i as f32 * 1e-4;
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }

    fn id(self) -> &'static LanguageIdentifier {
        static IDS: std::sync::OnceLock<[LanguageIdentifier; 3]> = std::sync::OnceLock::new();
        let ids =
            IDS.get_or_init(|| Lang::ALL.map(|l| l.as_str().parse().unwrap_or_else(|_| LanguageIdentifier::default())));
        &ids[self as usize]
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// CLDR's cardinal plural category for Arabic.
fn arabic_plural(n: f64) -> &'static str {
    if n.fract() != 0.0 || n < 0.0 {
        return "other";
    }
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a whole, non-negative count")]
    let n = n as u64;
    match (n, n % 100) {
        (0, _) => "zero",
        (1, _) => "one",
        (2, _) => "two",
        (_, 3..=10) => "few",
        (_, 11..=99) => "many",
        _ => "other",
    }
}

/// A value given to a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    Num(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Str(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Str(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Str(s.clone())
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}

numbers!(i32, i64, u32, u64, usize);

/// A message to someone, not yet in their language: an id of the catalogue
/// and its arguments. `Display` writes it in English (logs, tests); adapters
/// call [`Text::render`] with the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    id: Cow<'static, str>,
    args: Vec<(&'static str, Arg)>,
}

impl Text {
    pub fn new(id: &'static str) -> Self {
        Text { id: Cow::Borrowed(id), args: Vec::new() }
    }

    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The value of one argument, when a caller needs it back (a field name).
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn render(&self, lang: Lang) -> String {
        message(lang, &self.id, &self.args)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// `text!("field-too-long", max = 200)`: a [`Text`] with named arguments.
#[macro_export]
macro_rules! text {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::Text::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// A message in a language. A message missing from the catalogue (or whose
/// arguments do not fit it) comes out as its id, never as a panic; the tests
/// hold every id the code names to the catalogue.
pub fn message(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let mut values: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::with_capacity(args.len());
    for (name, value) in args {
        let v = match value {
            Arg::Str(s) => FluentValue::from(s.as_str()),
            Arg::Num(n) => FluentValue::from(*n),
        };
        values.insert(Cow::Owned((*name).to_owned()), v);
    }
    CATALOGUE.try_lookup_complete(lang.id(), id, Some(&values)).unwrap_or_else(|| id.to_owned())
}

/// A message without arguments.
pub fn t(lang: Lang, id: &str) -> String {
    message(lang, id, &[])
}

/// Whether the catalogue has this id in this language.
pub fn has(lang: Lang, id: &str) -> bool {
    CATALOGUE.lookup_single_language::<&str>(lang.id(), id, None).is_ok()
}

/// Removes the bidi isolation marks Arabic output carries (for comparing
/// text in tests, or where a plain string is needed).
pub fn strip_isolates(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '\u{2066}'..='\u{2069}')).collect()
}

#[cfg(test)]
mod tests;
