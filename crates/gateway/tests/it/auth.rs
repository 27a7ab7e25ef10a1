//! Accounts: login, tokens, logout, expiry, several organizers per person.

use chrono::Utc;
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::Role;
use escale_domain::entities::user_session;
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::json;

use crate::support::*;

const VIEWER: &str = "{ viewer { email tenantSlug role memberships { tenantSlug role current } } }";

#[tokio::test]
async fn login_viewer_logout_and_wrong_credentials() {
    for t in TestDb::each("login_viewer_logout_and_wrong_credentials").await {
        let org = demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;

        // The demo owner's printed credentials work.
        let r = app.login(&org.summary.owner_email, &org.summary.owner_password, None).await;
        assert!(r["data"]["login"]["token"].as_str().is_some_and(|t| t.starts_with("ess_")), "{r}");

        for (email, password) in
            [("staff@a.example", "wrong password!"), ("nobody@a.example", PASSWORD), ("not an email", PASSWORD)]
        {
            let r = app.login(email, password, None).await;
            assert_eq!(code(&r), Some("UNAUTHENTICATED"), "{email}: {r}");
            assert_eq!(r["errors"][0]["message"], "invalid email or password", "no hint which part was wrong");
        }

        let token = app.token("staff@a.example", None).await;
        let v = app.gql(Some(&token), VIEWER, json!({})).await;
        assert_eq!(ok(&v)["viewer"]["email"], "staff@a.example");
        assert_eq!(v["data"]["viewer"]["role"], "STAFF");
        assert_eq!(v["data"]["viewer"]["tenantSlug"], "attitudes-conseil");

        assert_eq!(app.gql(None, VIEWER, json!({})).await["data"]["viewer"], serde_json::Value::Null);
        let anonymous = app.gql(None, "{ series { totalCount } }", json!({})).await;
        assert_eq!(code(&anonymous), Some("UNAUTHENTICATED"));
        let garbage = app.gql(Some("ess_not-a-real-token"), "{ series { totalCount } }", json!({})).await;
        assert_eq!(code(&garbage), Some("UNAUTHENTICATED"));

        let out = app.gql(Some(&token), "mutation { logout }", json!({})).await;
        assert_eq!(ok(&out)["logout"], true);
        let after = app.gql(Some(&token), "{ series { totalCount } }", json!({})).await;
        assert_eq!(code(&after), Some("UNAUTHENTICATED"), "a revoked token is refused");
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let token = app.token("admin@a.example", None).await;
    assert!(
        ok(&app.gql(Some(&token), "{ series { totalCount } }", json!({})).await)["series"]["totalCount"]
            .as_u64()
            .is_some()
    );
    let session = user_session::Entity::find()
        .all(&t.db)
        .await
        .expect("sessions")
        .into_iter()
        .find(|s| s.token_hash == accounts::token_hash(&token))
        .expect("session row");
    let mut active = session.into_active_model();
    active.expires_at = Set(Utc::now() - chrono::Duration::seconds(1));
    active.update(&t.db).await.expect("expire");
    let r = app.gql(Some(&token), "{ series { totalCount } }", json!({})).await;
    assert_eq!(code(&r), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_person_in_two_organizers_chooses_one_per_token() {
    let t = TestDb::sqlite().await;
    let org = demo_with_roles(&t.db).await;
    let other =
        accounts::create_tenant(&t.db, "fes-meknes-events", "Fès-Meknès Events", Utc::now()).await.expect("tenant");
    accounts::add_member(
        &t.db,
        other.scope,
        NewMember { email: "staff@a.example".into(), display_name: None, password: None, role: Role::Admin },
        Utc::now(),
    )
    .await
    .expect("second membership");
    let app = TestApp::start(t.db.clone()).await;

    let ambiguous = app.login("staff@a.example", PASSWORD, None).await;
    assert_eq!(code(&ambiguous), Some("VALIDATION"), "{ambiguous}");
    assert_eq!(ambiguous["errors"][0]["extensions"]["field"], "tenant");

    let token = app.token("staff@a.example", Some("fes-meknes-events")).await;
    let v = app.gql(Some(&token), VIEWER, json!({})).await;
    let viewer = &ok(&v)["viewer"];
    assert_eq!(viewer["tenantSlug"], "fes-meknes-events");
    assert_eq!(viewer["role"], "ADMIN");
    let memberships = viewer["memberships"].as_array().expect("memberships");
    assert_eq!(memberships.len(), 2);
    assert!(
        memberships
            .iter()
            .any(|m| m["tenantSlug"] == "attitudes-conseil" && m["role"] == "STAFF" && m["current"] == false)
    );

    // This token acts for the second organizer: the demo's stops are not its own.
    let series = app.gql(Some(&token), "{ series { totalCount } }", json!({})).await;
    assert_eq!(ok(&series)["series"]["totalCount"], 0);
    let not_member = app.login("checkin@a.example", PASSWORD, Some("fes-meknes-events")).await;
    assert_eq!(code(&not_member), Some("UNAUTHENTICATED"));
    let _ = org;
}

#[tokio::test]
async fn repeated_login_attempts_are_rate_limited() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let mut codes = Vec::new();
    for _ in 0..11 {
        let r = app.login("owner@a.example", "wrong password!", None).await;
        codes.push(code(&r).map(str::to_owned));
        if code(&r) == Some("RATE_LIMITED") {
            assert!(r["errors"][0]["extensions"]["retryAfter"].as_u64().is_some_and(|s| s >= 1), "{r}");
        }
    }
    assert_eq!(codes.iter().filter(|c| c.as_deref() == Some("UNAUTHENTICATED")).count(), 10);
    assert_eq!(codes.last().cloned().flatten().as_deref(), Some("RATE_LIMITED"));
    // Even the right password waits now: the limit is on attempts, not failures.
    let r = app.login("owner@a.example", PASSWORD, None).await;
    assert_eq!(code(&r), Some("RATE_LIMITED"));
}
