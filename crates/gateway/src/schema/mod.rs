//! The GraphQL schema: the public agenda and registration, organizer accounts,
//! and the organizer catalog API.

mod account;
pub mod auth;
pub mod limits;
mod loaders;
mod members;
mod messaging;
mod objects;
mod organizer;
mod paging;
pub mod partners;
mod people;
mod public;
mod query;
mod tickets;

use async_graphql::dataloader::DataLoader;
use async_graphql::extensions::apollo_persisted_queries::{ApolloPersistedQueries, LruCacheStorage};
use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::AppState;

#[derive(MergedObject, Debug, Default)]
pub struct Mutation(
    public::PublicMutation,
    tickets::TicketMutation,
    people::PeopleMutation,
    organizer::OrganizerMutation,
    messaging::MessagingMutation,
    partners::KeysMutation,
    members::MembersMutation,
);

#[derive(MergedObject, Debug, Default)]
pub struct Query(
    query::CatalogQuery,
    people::PeopleQuery,
    messaging::MessagingQuery,
    partners::KeysQuery,
    members::MembersQuery,
);

pub type EscaleSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deep enough for GraphiQL's introspection query and any sensible agenda
/// query; shallow enough that a hostile query cannot make the server recurse.
pub const MAX_DEPTH: usize = 16;
/// Each field costs 1 by default; a full agenda with sessions and speakers is
/// a few dozen.
pub const MAX_COMPLEXITY: usize = 2_000;

/// The cost limit of requests made with an API key: partners' integrations
/// run unattended and often, so each request is held to a smaller budget
/// (a stop's agenda, stats and a page of 100 leads fit).
pub const MAX_KEY_COMPLEXITY: usize = 1_000;
/// Query documents kept for automatic persisted queries, per gateway.
const APQ_CACHE: usize = 1_000;

/// The schema for people and anonymous callers, and the one for API keys.
pub fn build_schema(state: AppState) -> (EscaleSchema, EscaleSchema) {
    let loader = DataLoader::new(loaders::CatalogLoader { db: state.db.clone() }, tokio::spawn);
    let key_loader = DataLoader::new(loaders::CatalogLoader { db: state.db.clone() }, tokio::spawn);
    let apq = LruCacheStorage::new(APQ_CACHE);
    let explorer = state.explorer;
    let build = |complexity: usize, loader| {
        let builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription);
        // Production gateways do not describe themselves to strangers; the
        // committed schema.graphql is the partners' contract.
        let builder = if explorer { builder } else { builder.disable_introspection() };
        builder
            .data(state.clone())
            .data(loader)
            .extension(ApolloPersistedQueries::new(apq.clone()))
            .limit_depth(MAX_DEPTH)
            .limit_complexity(complexity)
            .limit_recursive_depth(32)
            .limit_directives(8)
            .finish()
    };
    (build(MAX_COMPLEXITY, loader), build(MAX_KEY_COMPLEXITY, key_loader))
}

/// The schema in SDL: the API contract, committed as `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription).finish().sdl()
}
