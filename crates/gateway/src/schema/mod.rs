//! The GraphQL schema: public agenda and registration.

mod mutation;
mod query;
mod types;

use async_graphql::{EmptySubscription, Schema};

use crate::AppState;

pub use mutation::Mutation;
pub use query::Query;

pub type EscaleSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deep enough for GraphiQL's introspection query and any sensible agenda
/// query; shallow enough that a hostile query cannot make the server recurse.
pub const MAX_DEPTH: usize = 16;
/// Each field costs 1 by default; a full agenda with sessions and speakers is
/// a few dozen.
pub const MAX_COMPLEXITY: usize = 2_000;

pub fn build_schema(state: AppState) -> EscaleSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        .limit_directives(8)
        .finish()
}

/// The schema in SDL: the API contract, committed as `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, EmptySubscription).finish().sdl()
}
