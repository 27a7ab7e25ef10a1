//! The catalogue holds together: every language has every message, with no
//! variable English does not give it, and every id the workspace's code
//! names exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// id → the variables it uses, for every message of a language's files.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(ROOT).join("locales").join(lang.as_str());
    let mut out = BTreeMap::new();
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    entries.sort();
    assert!(!entries.is_empty(), "no .ftl files in {}", dir.display());
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut current: Option<String> = None;
        for line in text.lines() {
            let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            if starts_message && let Some((id, _)) = line.split_once(" =") {
                current = Some(id.trim().to_owned());
                out.insert(id.trim().to_owned(), BTreeSet::new());
            }
            if let Some(id) = &current {
                let vars = out.entry(id.clone()).or_default();
                let mut rest = line;
                while let Some(at) = rest.find('$') {
                    let name: String =
                        rest[at + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    vars.insert(name);
                    rest = &rest[at + 1..];
                }
            }
        }
    }
    out
}

#[test]
fn every_language_has_every_message_and_no_variable_english_lacks() {
    let en = messages(Lang::En);
    assert!(en.len() > 100, "the English catalogue looks truncated: {} messages", en.len());
    for lang in [Lang::Fr, Lang::Ar] {
        let other = messages(lang);
        let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
        for (id, vars) in &other {
            let unknown: Vec<_> = vars.difference(&en[id]).collect();
            assert!(unknown.is_empty(), "{lang} {id}: variables English does not give: {unknown:?}");
        }
    }
}

#[test]
fn every_message_renders_in_every_language() {
    for (id, vars) in messages(Lang::En) {
        let args: Vec<(&str, Arg)> = vars.iter().map(|v| (v.as_str(), Arg::Num(3))).collect();
        for lang in Lang::ALL {
            let out = message(lang, &id, &args);
            assert_ne!(out, id, "{lang} {id} does not render with {vars:?}");
            assert!(!out.contains("{$") && !out.contains("{ $"), "{lang} {id}: {out}");
        }
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push(path);
        }
    }
}

/// Ids the code names: `text!("id"…)`, `Text::new("id")`, `t("id")`, and
/// the pages' `t.s("id")`, `t.n("id", …)`, `t.a("id", …)`.
#[test]
fn every_id_the_code_names_is_in_the_catalogue() {
    let workspace = Path::new(ROOT).join("../..");
    let mut files = Vec::new();
    sources(&workspace.join("crates"), &mut files);
    sources(&workspace.join("tests"), &mut files);
    let en = messages(Lang::En);
    let mut named = 0;
    let mut missing = Vec::new();
    for file in files {
        if file.ends_with("i18n/src/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for opener in ["text!(\"", "Text::new(\"", "t(\"", ".s(\"", ".n(\"", ".a(\""] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(opener) {
                // `t("` only as a call of its own, not the end of `get("`.
                let glued = rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
                rest = &rest[at + opener.len()..];
                if opener == "t(\"" && glued {
                    continue;
                }
                let id: String = rest.chars().take_while(|c| *c != '"').collect();
                let is_id = !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && id.contains('-');
                if !is_id {
                    continue;
                }
                named += 1;
                if !en.contains_key(&id) {
                    missing.push(format!("{}: {id}", file.display()));
                }
            }
        }
    }
    assert!(named > 50, "the scan found only {named} ids: is it still reading the code?");
    assert!(missing.is_empty(), "ids the code names but the catalogue lacks:\n{}", missing.join("\n"));
}

#[test]
fn arabic_plurals_follow_cldr_beyond_a_hundred() {
    assert_eq!(arabic_plural(0.0), "zero");
    assert_eq!(arabic_plural(1.0), "one");
    assert_eq!(arabic_plural(2.0), "two");
    assert_eq!(arabic_plural(7.0), "few");
    assert_eq!(arabic_plural(11.0), "many");
    assert_eq!(arabic_plural(100.0), "other");
    assert_eq!(arabic_plural(103.0), "few");
    assert_eq!(arabic_plural(111.0), "many");
    assert_eq!(arabic_plural(1.5), "other");
    let few = strip_isolates(&text!("rate-limited", seconds = 103).render(Lang::Ar));
    assert!(few.contains("103 ثوانٍ"), "{few}");
    let two = text!("rate-limited", seconds = 2).render(Lang::Ar);
    assert!(two.contains("ثانيتين"), "{two}");
}

#[test]
fn arabic_isolates_placeables_and_the_others_do_not() {
    let ar = text!("organizer-exists", slug = "attitudes-conseil").render(Lang::Ar);
    assert!(ar.contains("\u{2068}attitudes-conseil\u{2069}"), "{ar:?}");
    let fr = text!("organizer-exists", slug = "attitudes-conseil").render(Lang::Fr);
    assert_eq!(fr, "l'organisateur attitudes-conseil existe déjà");
    assert_eq!(text!("field-too-long", max = 120).to_string(), "is longer than 120 characters");
}

#[test]
fn an_unknown_id_comes_out_as_itself() {
    assert_eq!(t(Lang::Fr, "no-such-message"), "no-such-message");
    assert!(!has(Lang::Fr, "no-such-message"));
    assert!(has(Lang::Ar, "value-email"));
}

#[test]
fn accept_language_picks_the_best_language_we_speak() {
    assert_eq!(Lang::negotiate("ar-MA,ar;q=0.9,fr;q=0.8"), Some(Lang::Ar));
    assert_eq!(Lang::negotiate("es-ES,fr;q=0.5,en;q=0.7"), Some(Lang::En));
    assert_eq!(Lang::negotiate("fr-FR, en"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("de, es"), None);
    assert_eq!(Lang::negotiate("en;q=0, ar;q=0.1"), Some(Lang::Ar));
    assert_eq!(Lang::negotiate(""), None);
}
