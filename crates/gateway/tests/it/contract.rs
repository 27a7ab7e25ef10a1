//! The GraphQL schema is the contract partners and front ends build on: it is
//! committed as `crates/gateway/schema.graphql`, and any change to it must show
//! up in review as a change to that file.

const COMMITTED: &str = include_str!("../../schema.graphql");

#[test]
fn the_committed_sdl_matches_the_schema() {
    let current = escale_gateway::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"), &current).expect("write schema.graphql");
        return;
    }
    assert!(
        current == COMMITTED,
        "the GraphQL schema changed: review the difference, then run \
         `UPDATE_SCHEMA=1 cargo test -p escale-gateway --test it` and commit crates/gateway/schema.graphql"
    );
}
