//! What a tenant's template may do, and what it may cost.
//!
//! Templates are code an organizer writes and the platform runs, on the
//! gateway when it is saved and on the worker for every message. Three bounds
//! keep one tenant's template from costing the others anything:
//!
//! - **the language**: a tenant's template substitutes the message's values,
//!   chooses with `if` and repeats with `for` over the message's lists,
//!   through a short list of filters ([`check`]). What could build a value
//!   larger than the template itself is not there: `set`, macros, includes,
//!   calls such as `range()`, the operators `+ * ** ~`, and filters such as
//!   `replace` or `indent`. `safe` is not there either: what participants
//!   typed is always escaped in HTML.
//! - **fuel**: every render may run [`FUEL`] instructions (minijinja's fuel),
//!   which bounds the loops above;
//! - **output**: every part renders to at most [`MAX_OUTPUT`] bytes.
//!
//! Renders also run off the async threads ([`off_thread`]) under a deadline,
//! so a render that reaches its bounds slowly holds up no request and no
//! other tenant's message.

use std::time::Duration;

use minijinja::machinery::{Token, WhitespaceConfig, tokenize};
use minijinja::syntax::SyntaxConfig;

/// Instructions one render may run. The longest built-in (a confirmation
/// with a dozen workshops) runs a few hundred.
pub const FUEL: u64 = 50_000;
/// Bytes one rendered part may have; a real email is a few KiB.
pub const MAX_OUTPUT: usize = 256 * 1024;
/// How long a render may take, off the async threads, before the message or
/// the save is refused.
pub const DEADLINE: Duration = Duration::from_secs(2);

const STATEMENTS: [&str; 6] = ["if", "elif", "else", "endif", "for", "endfor"];

/// Filters that return at most about what they are given.
const FILTERS: [&str; 25] = [
    "abs",
    "bdi",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "items",
    "join",
    "last",
    "length",
    "lower",
    "reverse",
    "round",
    "sort",
    "string",
    "title",
    "trim",
    "unique",
    "upper",
];

/// Whether `source` stays within the language above: Ok, or the reason, naming
/// what is not available.
pub fn check(source: &str) -> Result<(), String> {
    let mut expect_statement = false;
    // The previous two tokens, for filters (`| name`), tests (`is name`,
    // `is not name`) and calls (`name(`).
    let mut prev: Option<Token<'_>> = None;
    let mut prev2: Option<Token<'_>> = None;
    let mut callable = false;
    for token in tokenize(source, false, SyntaxConfig, WhitespaceConfig::default()) {
        let (token, _) = token.map_err(|e| format!("does not parse: {e}"))?;
        let mut now_callable = false;
        match &token {
            Token::BlockStart => expect_statement = true,
            Token::Ident(name) if expect_statement => {
                if !STATEMENTS.contains(name) {
                    return Err(format!(
                        "{{% {name} %}} is not available in message templates (use if, elif, else and for)"
                    ));
                }
                expect_statement = false;
            }
            Token::Ident(name) if matches!(prev, Some(Token::Pipe)) => {
                if !FILTERS.contains(name) {
                    return Err(if *name == "safe" {
                        "the filter safe is not available: what participants type is always escaped".to_owned()
                    } else {
                        format!("the filter {name} is not available in message templates ({})", FILTERS.join(", "))
                    });
                }
                now_callable = true;
            }
            // Tests (`is defined`, `is divisibleby(3)`) answer true or false.
            Token::Ident(name)
                if *name != "not"
                    && (matches!(prev, Some(Token::Ident("is")))
                        || matches!((&prev2, &prev), (Some(Token::Ident("is")), Some(Token::Ident("not"))))) =>
            {
                now_callable = true;
            }
            Token::Plus | Token::Mul | Token::Pow | Token::Tilde => {
                return Err(format!("the operator {token} is not available in message templates"));
            }
            Token::ParenOpen if !callable => {
                if let Some(Token::Ident(name)) = &prev {
                    return Err(format!("calling {name}() is not available in message templates"));
                }
            }
            Token::BraceOpen => return Err("maps written in a template are not available".to_owned()),
            _ => {}
        }
        callable = now_callable;
        prev2 = prev.replace(token);
    }
    Ok(())
}

/// A writer that refuses to grow past [`MAX_OUTPUT`].
#[derive(Debug, Default)]
pub struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT {
            return Err(std::io::Error::other(OUTPUT_CAP));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capped {
    pub fn into_string(self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

const OUTPUT_CAP: &str = "output cap";

/// What a render that went past its budget says, in an organizer's words.
pub fn explain(error: &minijinja::Error) -> Option<String> {
    use std::error::Error as _;
    match error.kind() {
        minijinja::ErrorKind::OutOfFuel => {
            Some(format!("the template does more work than a message may ({FUEL} steps); loop over less"))
        }
        minijinja::ErrorKind::WriteFailure => {
            let capped = error.source().is_some_and(|s| s.to_string() == OUTPUT_CAP);
            capped.then(|| format!("the template renders to more than {} KiB", MAX_OUTPUT / 1024))
        }
        _ => None,
    }
}

/// An organizer's rendered HTML with scripts, event handlers, forms, frames
/// and URL schemes other than http(s), mailto, tel and cid (the ticket's
/// image) removed; the presentational attributes emails rely on are kept.
pub fn clean_html(html: &str) -> String {
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_generic_attributes([
                "style",
                "dir",
                "lang",
                "align",
                "valign",
                "width",
                "height",
                "bgcolor",
                "border",
                "cellpadding",
                "cellspacing",
                "role",
            ])
            .url_schemes(["http", "https", "mailto", "tel", "cid"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"));
            b
        })
        .clean(html)
        .to_string()
}

/// Runs a render on the blocking pool, refused after [`DEADLINE`]. The render
/// itself is bounded by fuel, so a thread left behind by the deadline ends soon.
pub async fn off_thread<T: Send + 'static>(render: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    match tokio::time::timeout(DEADLINE, tokio::task::spawn_blocking(render)).await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(format!("the render stopped: {e}")),
        Err(_) => Err(format!("the template takes longer than {} s to render", DEADLINE.as_secs())),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn organizer_html_loses_scripts_and_handlers_and_keeps_its_looks() {
        let html = "<p style=\"color:#123\" dir=\"rtl\">Salut <script>alert(1)</script>\
                    <img src=\"cid:ticket-qr\" onerror=\"steal()\"><a href=\"javascript:x()\">x</a>\
                    <a href=\"https://ok.example\">ok</a></p>";
        let clean = super::clean_html(html);
        for gone in ["<script", "onerror", "javascript:", "alert"] {
            assert!(!clean.contains(gone), "{gone} in {clean}");
        }
        for kept in ["style=\"color:#123\"", "dir=\"rtl\"", "src=\"cid:ticket-qr\"", "href=\"https://ok.example\""] {
            assert!(clean.contains(kept), "{kept} missing from {clean}");
        }
    }

    #[test]
    fn substitution_choice_and_loops_are_allowed() {
        for ok in [
            "Bonjour {{ participant.name }}, à {{ stop.city|upper }}.",
            "{% if registration.waitlist_position %}n° {{ registration.waitlist_position }}{% else %}ok{% endif %}",
            "{%- for s in sessions if s.room -%}{{ s.title|title }} ({{ s.room|default('?') }}){% endfor %}",
            "{% if stop.address is defined and stop.address is not none %}{{ stop.address }}{% endif %}",
            "{{ sessions|length }} ateliers : {{ sessions|join(', ') }} {{ (edition.number - 1) }}",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn what_could_grow_past_the_source_is_refused_with_its_name() {
        for (bad, names) in [
            ("{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}", "range()"),
            ("{{ participant.name|safe }}", "safe"),
            ("{% set a = 'x' %}{{ a }}", "set"),
            ("{{ 'x' * 100000000 }}", "*"),
            ("{{ stop.city ~ stop.city }}", "~"),
            ("{{ stop.city + stop.city }}", "+"),
            ("{{ stop.city|replace('', stop.city) }}", "replace"),
            ("{{ stop.city|indent(100000000) }}", "indent"),
            ("{% macro m() %}x{% endmacro %}", "macro"),
            ("{% include 'layout.html' %}", "include"),
            ("{{ loop.cycle('a', 'b') }}", "cycle()"),
            ("{{ {'a': 1} }}", "maps"),
        ] {
            let reason = check(bad).expect_err(bad);
            assert!(reason.contains(names), "{bad}: {reason}");
        }
    }
}
