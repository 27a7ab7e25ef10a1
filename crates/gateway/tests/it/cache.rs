//! The public response cache: shared answers, never stale after an organizer's change.

use std::time::Duration;

use escale_gateway::AppState;
use escale_testkit::TestDb;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::support::*;

const AGENDA: &str = "{ agenda(tenant: \"attitudes-conseil\") { id name seatsLeft } }";

#[tokio::test]
async fn anonymous_queries_are_shared_and_organizer_changes_show_at_once() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    // A long TTL: anything this test sees change was invalidated, not expired.
    let app = TestApp::start_with(AppState::new(t.db.clone(), None).public_cache(Duration::from_secs(600))).await;

    let first = app.gql(None, AGENDA, json!({})).await;
    let stop = ok(&first)["agenda"][0].clone();
    let id = stop["id"].as_str().expect("stop id").to_owned();

    // Changed behind the gateway's back (another replica, say): the cached answer stands.
    t.db.execute_unprepared("UPDATE stop SET name = 'Renamed directly'").await.expect("update");
    let cached = app.gql(None, AGENDA, json!({})).await;
    assert_eq!(cached, first, "an identical anonymous query is served from the cache");

    // A different body is a different entry.
    let other = app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id name } }", json!({})).await;
    assert_eq!(ok(&other)["agenda"][0]["name"], "Renamed directly");

    // An organizer's mutation through this gateway clears the cache.
    let token = app.token("admin@a.example", Some("attitudes-conseil")).await;
    let r = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { updateStop(id: $id, input: { name: \"Casablanca – Anfa\" }) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(ok(&r)["updateStop"]["name"], "Casablanca – Anfa");
    let fresh = app.gql(None, AGENDA, json!({})).await;
    let names: Vec<_> = ok(&fresh)["agenda"].as_array().expect("stops").iter().map(|s| s["name"].clone()).collect();
    assert!(names.contains(&json!("Casablanca – Anfa")), "{fresh}");

    // Errors are never cached: once the tenant exists, the same body answers.
    let missing = "{ agenda(tenant: \"nobody\") { id } }";
    let r = app.gql(None, missing, json!({})).await;
    assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");
    escale_domain::access::accounts::create_tenant(&t.db, "nobody", "Nobody Yet", chrono::Utc::now())
        .await
        .expect("tenant");
    let r = app.gql(None, missing, json!({})).await;
    assert_eq!(ok(&r)["agenda"], json!([]), "{r}");

    // Credentials bypass the cache: an authenticated reader sees the database now.
    t.db.execute_unprepared("UPDATE stop SET name = 'Second rename'").await.expect("update");
    let authed = app.gql(Some(&token), AGENDA, json!({})).await;
    assert_eq!(ok(&authed)["agenda"][0]["name"], "Second rename");
    let anon = app.gql(None, AGENDA, json!({})).await;
    assert_eq!(anon, fresh, "the anonymous answer is still the cached one");
}
