//! Limits that keep one request from costing the server a lot.

use escale_testkit::TestDb;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn depth_complexity_aliases_batches_and_bodies_are_bounded() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let url = format!("{}/graphql", app.base);

    // Depth: nesting beyond the limit is refused before execution.
    let deep = format!(
        "{{ agenda(tenant: \"attitudes-conseil\") {{ {} id {} }} }}",
        "sessions { stop { ".repeat(8),
        "} } ".repeat(8)
    );
    let r = app.gql(None, &deep, json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.to_lowercase().contains("nested")), "{r}");

    // Complexity: many fields, shallow.
    let fields = (0..40).map(|i| format!("s{i}: sessions {{ id title topics startsAt endsAt room capacity seatsLeft language kind description localStartsAt confirmedCount speakers {{ id name title organization bio }} }}")).collect::<Vec<_>>().join(" ");
    let wide = format!("{{ agenda(tenant: \"attitudes-conseil\") {{ {fields} }} }}");
    let r = app.gql(None, &wide, json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");

    // Aliases: at most 30.
    let aliased =
        (0..31).map(|i| format!("a{i}: agenda(tenant: \"attitudes-conseil\") {{ id }}")).collect::<Vec<_>>().join(" ");
    let r = app.gql(None, &format!("{{ {aliased} }}"), json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("aliases")), "{r}");

    // Directives: only the ones the schema defines; a typo is an error, not a no-op.
    let r = app.gql(None, "{ __typename @nope }", json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("@nope")), "{r}");
    let skip = "query($x: Boolean!) { __typename agenda(tenant: \"attitudes-conseil\") @skip(if: $x) { id } }";
    let r = app.gql(None, skip, json!({ "x": true })).await;
    assert!(r["errors"].is_null() && r["data"]["agenda"].is_null(), "@skip still works: {r}");

    // Mutations per operation: at most 5.
    let logins = (0..6).map(|i| format!("l{i}: logout")).collect::<Vec<_>>().join(" ");
    let r = app.gql(None, &format!("mutation {{ {logins} }}"), json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");

    // Batches: 1 to 10 operations.
    let batch: Vec<_> = (0..11).map(|_| json!({ "query": "{ viewer { email } }" })).collect();
    let r = app.http.post(&url).json(&batch).send().await.expect("send");
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(code(&body), Some("BAD_REQUEST"));
    let r = app.http.post(&url).json(&json!([])).send().await.expect("send");
    assert_eq!(r.status(), 400, "an empty batch is not a request");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(code(&body), Some("BAD_REQUEST"), "{body}");
    let small: Vec<_> = (0..2).map(|_| json!({ "query": "{ viewer { email } }" })).collect();
    let r: serde_json::Value = app.http.post(&url).json(&small).send().await.expect("send").json().await.expect("json");
    assert_eq!(r.as_array().map(Vec::len), Some(2), "{r}");

    // Body size: 64 KiB.
    let big = json!({ "query": format!("{{ viewer {{ email }} }} #{}", "x".repeat(70_000)) });
    let r = app.http.post(&url).json(&big).send().await.expect("send");
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(code(&body), Some("PAYLOAD_TOO_LARGE"));

    // GraphiQL's introspection still works within the limits.
    let r = app.gql(None, "query { __schema { queryType { name } types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
}

/// A 1.3 KB document of fragments that each spread the previous one twice
/// stands for 2^29 fields: it is refused from its size as expanded, before
/// validation or execution do that work, anonymously and for an organizer,
/// while the server keeps answering others.
#[tokio::test]
async fn fragment_fan_out_is_refused_before_it_is_expanded() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let mut doc = String::from("query Fan { ...F29 }\nfragment F0 on Query { __typename }\n");
    for n in 1..=29 {
        doc.push_str(&format!("fragment F{n} on Query {{ ...F{p} ...F{p} }}\n", p = n - 1));
    }
    assert!(doc.len() < 1_500, "the attack is small: {} bytes", doc.len());
    let owner = app.token("owner@a.example", None).await;
    for token in [None, Some(owner.as_str())] {
        let (refused, other) =
            tokio::join!(app.gql(token, &doc, json!({})), app.gql(None, "{ __typename }", json!({})));
        assert_eq!(code(&refused), Some("GRAPHQL_VALIDATION_FAILED"), "{refused}");
        let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("expanded"), "the reason says why: {message}");
        assert_eq!(other["data"]["__typename"], "Query", "{other}");
    }

    // Aliases count as expanded too: one aliased field in a fragment spread
    // 32 times is 32 aliases, not one.
    let mut doc = String::from("query Many { ...G5 }\nfragment G0 on Query { a: __typename }\n");
    for n in 1..=5 {
        doc.push_str(&format!("fragment G{n} on Query {{ ...G{p} ...G{p} }}\n", p = n - 1));
    }
    let r = app.gql(None, &doc, json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("aliases")), "{r}");
}

/// The request id a client or proxy sent (or the one the gateway made) is kept
/// on the messages the request planned, for joining the worker's logs to it.
#[tokio::test]
async fn messages_remember_the_request_that_planned_them() {
    use escale_domain::entities::notification;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let stop = app.open_stop_id().await;
    let body = serde_json::json!({
        "query": "mutation($i: RegisterInput!) { register(input: $i) { registration { id } } }",
        "variables": { "i": { "stopId": stop, "fullName": "Traced Person", "email": "traced@example.ma" } },
    });
    let r = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("x-request-id", "req-from-the-ingress-42")
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("req-from-the-ingress-42"));
    let r: serde_json::Value = r.json().await.expect("JSON");
    assert!(r["errors"].is_null(), "{r}");
    let rows = notification::Entity::find()
        .filter(notification::Column::TemplateKey.eq("confirmation"))
        .all(&t.db)
        .await
        .expect("rows");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|n| n.request_id.as_deref() == Some("req-from-the-ingress-42")), "{:?}", rows.len());
}
