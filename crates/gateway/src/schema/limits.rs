//! Query shape limits beyond depth and complexity: aliases let one request
//! repeat a field hundreds of times (`a1: register(…) a2: register(…) …`), so
//! the number of aliases and of root mutation fields per operation is capped;
//! fragments that spread other fragments several times (`fragment F1 on Query
//! { ...F0 ...F0 }` … up to `F29`) make a 1 KB document stand for 2^29 fields,
//! so the size of each operation *as expanded* is capped too.
//!
//! Both counts are taken as expanded (a fragment spread twice counts twice),
//! in time linear in the document: each fragment's counts are computed once
//! and reused, with saturating arithmetic, so the check itself cannot be made
//! to do the exponential work it refuses.
//!
//! Checked by the HTTP handler on the document it parses once (the executor
//! reuses it), rather than by a schema extension: an extension's hooks wrap
//! every field's resolution and cost more than the check itself.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{Directive, ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Name, Positioned};

pub const MAX_ALIASES: usize = 30;
pub const MAX_MUTATIONS: usize = 5;
/// Fields of one operation once its fragments are expanded. The largest query
/// of the documentation (a partner's agenda with counts and leads) is under
/// 150; depth and complexity limits bound what lists multiply at run time.
pub const MAX_FIELDS: usize = 1_000;

/// Selections and aliases of a selection set, as expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    fields: usize,
    aliases: usize,
}

impl Size {
    fn add(self, other: Size) -> Size {
        Size { fields: self.fields.saturating_add(other.fields), aliases: self.aliases.saturating_add(other.aliases) }
    }
}

/// Memoized sizes of fragments; a fragment being measured counts as empty
/// where it spreads itself (a cycle, which validation refuses anyway).
struct Measure<'a> {
    doc: &'a ExecutableDocument,
    fragments: HashMap<String, Size>,
    open: HashSet<String>,
    /// The first directive the schema does not define, if any.
    unknown_directive: Option<String>,
}

/// The executable directives this schema defines; async-graphql ignores others
/// silently, so a client's typo (`@skipp`) would change nothing it can see.
const DIRECTIVES: [&str; 2] = ["include", "skip"];

impl Measure<'_> {
    fn directives(&mut self, directives: &[Positioned<Directive>]) {
        if self.unknown_directive.is_none()
            && let Some(d) = directives.iter().find(|d| !DIRECTIVES.contains(&d.node.name.node.as_str()))
        {
            self.unknown_directive = Some(d.node.name.node.to_string());
        }
    }

    fn set(&mut self, set: &SelectionSet) -> Size {
        let mut size = Size::default();
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(f) => {
                    self.directives(&f.node.directives);
                    Size { fields: 1, aliases: usize::from(f.node.alias.is_some()) }
                        .add(self.set(&f.node.selection_set.node))
                }
                Selection::InlineFragment(f) => {
                    self.directives(&f.node.directives);
                    self.set(&f.node.selection_set.node)
                }
                Selection::FragmentSpread(s) => {
                    self.directives(&s.node.directives);
                    self.fragment(&s.node.fragment_name.node)
                }
            };
            size = size.add(part);
        }
        size
    }

    fn fragment(&mut self, name: &Name) -> Size {
        if let Some(size) = self.fragments.get(name.as_str()) {
            return *size;
        }
        let Some(def) = self.doc.fragments.get(name) else { return Size::default() };
        if !self.open.insert(name.to_string()) {
            return Size::default();
        }
        self.directives(&def.node.directives);
        let size = self.set(&def.node.selection_set.node);
        self.open.remove(name.as_str());
        self.fragments.insert(name.to_string(), size);
        size
    }
}

/// Why a document is refused, or None.
pub fn check(doc: &ExecutableDocument) -> Option<String> {
    let mut measure = Measure { doc, fragments: HashMap::new(), open: HashSet::new(), unknown_directive: None };
    for (_, op) in doc.operations.iter() {
        measure.directives(&op.node.directives);
        for variable in &op.node.variable_definitions {
            measure.directives(&variable.node.directives);
        }
        let Size { fields, aliases } = measure.set(&op.node.selection_set.node);
        if let Some(name) = &measure.unknown_directive {
            return Some(format!("unknown directive @{name} (this API defines @include and @skip)"));
        }
        if fields > MAX_FIELDS {
            return Some(format!(
                "the operation selects too many fields once its fragments are expanded ({fields}, at most {MAX_FIELDS})"
            ));
        }
        if aliases > MAX_ALIASES {
            return Some(format!("too many aliases ({aliases}, at most {MAX_ALIASES})"));
        }
        if op.node.ty == OperationType::Mutation && op.node.selection_set.node.items.len() > MAX_MUTATIONS {
            return Some(format!("too many mutations in one operation (at most {MAX_MUTATIONS})"));
        }
    }
    None
}
