//! The domain's layout holds: subsystems use only those that stand above them
//! in docs/ARCHITECTURE.md's order, and no file imports, through any chain of
//! others, a file that imports it back.
//!
//! Each source file is a node; `crate::a::b` and `super::…` paths (in `use`
//! lines and inline) are edges to the file of the longest module path that
//! exists. A subsystem's `mod.rs` is its facade: it re-exports its files, so
//! an edge to it stands for edges to all of them, and a file may not reach
//! its own subsystem through it (it names the sibling file instead). The crate
//! root only declares and re-exports, and is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `kernel/db.rs` → `kernel::db`; `manage/mod.rs` → `manage`; `lib.rs` → ``.
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The root's `pub use kernel::{db, …}` aliases, so `crate::db` is `kernel::db`.
fn aliases(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else { continue };
        let Some((base, list)) = rest.split_once("::{") else { continue };
        for name in list.trim_end_matches("};").split(',') {
            let name = name.trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), format!("{base}::{name}"));
            }
        }
    }
    out
}

/// Every module path a file names: `crate::x::y…`, `super::x…`, and the
/// members of `crate::{a, b::c}` groups.
fn referenced(text: &str, module: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `super` is the module one level up (for `a/b.rs` and `a/b/mod.rs` alike: `a`).
    let own: Vec<&str> = if module.is_empty() { vec![] } else { module.split("::").collect() };
    let parent = |levels: usize| -> Vec<String> {
        own[..own.len().saturating_sub(levels)].iter().map(|s| (*s).to_owned()).collect()
    };
    for line in text.lines() {
        // Unit tests are not part of the layering (and their `super` is the file).
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = [rest.find("crate::"), rest.find("super::")].into_iter().flatten().min() {
            let (prefix_len, base): (usize, Vec<String>) = if rest[at..].starts_with("crate::") {
                (7, vec![])
            } else {
                let mut levels = 0;
                let mut tail = &rest[at..];
                while let Some(t) = tail.strip_prefix("super::") {
                    levels += 1;
                    tail = t;
                }
                (rest[at..].len() - tail.len(), parent(levels))
            };
            let before = rest[..at].chars().last();
            let tail = &rest[at + prefix_len..];
            rest = tail;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            if let Some(group) = tail.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let path: Vec<String> =
                        item.trim().split("::").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                    if !path.is_empty() {
                        out.push([base.clone(), path].concat().join("::"));
                    }
                }
                continue;
            }
            let path: String = tail.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let path: Vec<String> = path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
            out.push([base, path].concat().join("::"));
        }
    }
    out
}

#[test]
fn no_file_of_the_domain_imports_itself_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let lib = std::fs::read_to_string(root.join("lib.rs")).expect("lib.rs");
    let aliases = aliases(&lib);
    let modules: BTreeMap<String, PathBuf> = files.iter().map(|f| (module_of(&root, f), f.clone())).collect();
    assert!(modules.contains_key("kernel::db"), "the kernel holds db: {:?}", modules.keys().collect::<Vec<_>>());

    let resolve = |path: &str| -> Option<String> {
        let mut parts: Vec<&str> = path.split("::").collect();
        let expanded;
        if let Some(first) = parts.first()
            && let Some(full) = aliases.get(*first)
        {
            expanded = format!("{full}{}", &path[first.len()..]);
            parts = expanded.split("::").collect();
        }
        (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find(|m| modules.contains_key(m))
    };

    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut through_facade = Vec::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("source");
        for path in referenced(&text, module) {
            let Some(target) = resolve(&path) else { continue };
            if &target == module {
                continue;
            }
            // The crate root re-exports the kernel and declares every
            // subsystem: structure, not a dependency of anything on anything.
            if module.is_empty() {
                continue;
            }
            let target_is_facade = modules.get(&target).is_some_and(|f| {
                f.file_name().is_some_and(|n| n == "mod.rs")
                    && std::fs::read_to_string(f).is_ok_and(|t| t.contains("\npub use "))
            });
            if target_is_facade && module.starts_with(&format!("{target}::")) {
                through_facade.push(format!("{module} names its own subsystem's facade: {path}"));
            }
            edges.entry(module.clone()).or_default().insert(target);
        }
    }
    assert!(through_facade.is_empty(), "name the sibling file instead:\n{}", through_facade.join("\n"));

    // Between subsystems, only downwards in docs/ARCHITECTURE.md's order.
    const ORDER: [&str; 8] =
        ["kernel", "catalog", "access", "messaging", "registration", "manage", "partner_access", "demo"];
    let rank = |module: &str| ORDER.iter().position(|s| module.split("::").next() == Some(*s));
    let mut upwards = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            if let (Some(a), Some(b)) = (rank(from), rank(to))
                && b > a
            {
                upwards.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(upwards.is_empty(), "a subsystem uses one that stands below it:\n{}", upwards.join("\n"));
    assert!(modules.keys().all(|m| m.is_empty() || rank(m).is_some()), "every file is in a subsystem of ORDER");

    // Depth-first search for a cycle, reported as the chain of files.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for module in modules.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(module, &edges, &mut stack, &mut done) {
            panic!("an import circle: {}", cycle.join(" → "));
        }
    }
}
