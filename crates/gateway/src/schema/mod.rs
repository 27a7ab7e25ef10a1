//! The GraphQL schema: the public agenda and registration, organizer accounts,
//! and the organizer catalog API.

mod account;
pub mod auth;
pub mod limits;
mod loaders;
mod messaging;
mod objects;
mod organizer;
mod paging;
mod people;
mod public;
mod query;
mod tickets;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::AppState;

#[derive(MergedObject, Debug, Default)]
pub struct Mutation(
    public::PublicMutation,
    tickets::TicketMutation,
    people::PeopleMutation,
    organizer::OrganizerMutation,
    messaging::MessagingMutation,
);

#[derive(MergedObject, Debug, Default)]
pub struct Query(query::CatalogQuery, people::PeopleQuery, messaging::MessagingQuery);

pub type EscaleSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deep enough for GraphiQL's introspection query and any sensible agenda
/// query; shallow enough that a hostile query cannot make the server recurse.
pub const MAX_DEPTH: usize = 16;
/// Each field costs 1 by default; a full agenda with sessions and speakers is
/// a few dozen.
pub const MAX_COMPLEXITY: usize = 2_000;

pub fn build_schema(state: AppState) -> EscaleSchema {
    let loader = DataLoader::new(loaders::CatalogLoader { db: state.db.clone() }, tokio::spawn);
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(state)
        .data(loader)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        .limit_directives(8)
        .finish()
}

/// The schema in SDL: the API contract, committed as `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription).finish().sdl()
}
