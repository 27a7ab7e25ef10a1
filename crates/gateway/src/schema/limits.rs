//! Query shape limits beyond depth and complexity: aliases let one request
//! repeat a field hundreds of times (`a1: register(…) a2: register(…) …`), so
//! the number of aliases and of root mutation fields per operation is capped.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Value, Variables};

pub const MAX_ALIASES: usize = 30;
pub const MAX_MUTATIONS: usize = 5;

#[derive(Debug, Default)]
pub struct OperationLimits;

impl ExtensionFactory for OperationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationLimitsExtension)
    }
}

struct OperationLimitsExtension;

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

fn refuse(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", Value::from("GRAPHQL_VALIDATION_FAILED"));
    error.extensions = Some(ext);
    error
}

#[async_trait::async_trait]
impl Extension for OperationLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        for (_, op) in doc.operations.iter() {
            let aliases = count_aliases(&doc, &op.node.selection_set.node, &mut HashSet::new());
            if aliases > MAX_ALIASES {
                return Err(refuse(format!("too many aliases ({aliases}, at most {MAX_ALIASES})")));
            }
            if op.node.ty == OperationType::Mutation && op.node.selection_set.node.items.len() > MAX_MUTATIONS {
                return Err(refuse(format!("too many mutations in one operation (at most {MAX_MUTATIONS})")));
            }
        }
        Ok(doc)
    }
}
