//! Query shape limits beyond depth and complexity: aliases let one request
//! repeat a field hundreds of times (`a1: register(…) a2: register(…) …`), so
//! the number of aliases and of root mutation fields per operation is capped.
//!
//! Checked by the HTTP handler on the document it parses once (the executor
//! reuses it), rather than by a schema extension: an extension's hooks wrap
//! every field's resolution and cost more than the check itself.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

pub const MAX_ALIASES: usize = 30;
pub const MAX_MUTATIONS: usize = 5;

fn count_aliases(doc: &ExecutableDocument, set: &SelectionSet, seen: &mut HashSet<String>) -> usize {
    let mut n = 0;
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                n += usize::from(f.node.alias.is_some());
                n += count_aliases(doc, &f.node.selection_set.node, seen);
            }
            Selection::InlineFragment(f) => n += count_aliases(doc, &f.node.selection_set.node, seen),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.to_string();
                // Each fragment counts once: cycles are refused by validation.
                if seen.insert(name.clone())
                    && let Some(def) = doc.fragments.get(&s.node.fragment_name.node)
                {
                    n += count_aliases(doc, &def.node.selection_set.node, seen);
                }
            }
        }
    }
    n
}

/// Why a document is refused, or None.
pub fn check(doc: &ExecutableDocument) -> Option<String> {
    for (_, op) in doc.operations.iter() {
        let aliases = count_aliases(doc, &op.node.selection_set.node, &mut HashSet::new());
        if aliases > MAX_ALIASES {
            return Some(format!("too many aliases ({aliases}, at most {MAX_ALIASES})"));
        }
        if op.node.ty == OperationType::Mutation && op.node.selection_set.node.items.len() > MAX_MUTATIONS {
            return Some(format!("too many mutations in one operation (at most {MAX_MUTATIONS})"));
        }
    }
    None
}
