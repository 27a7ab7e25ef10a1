//! The team: owners and admins manage it, an organizer keeps an owner, and a
//! removed or changed member's sessions end at once.

use escale_testkit::TestDb;
use serde_json::{Value, json};

use crate::support::*;

const MEMBERS: &str = "{ members { id email role } }";
const ADD: &str = "mutation($i: AddMemberInput!) { addMember(input: $i) { id email role } }";
const ROLE: &str = "mutation($id: ID!, $r: MemberRole!) { changeMemberRole(id: $id, role: $r) { role } }";
const REMOVE: &str = "mutation($id: ID!) { removeMember(id: $id) }";
const STRONG: &str = "Tamazight-Souss-9-Argan";

fn member_id(list: &Value, email: &str) -> String {
    list["members"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["email"] == email))
        .and_then(|m| m["id"].as_str())
        .unwrap_or_else(|| panic!("{email} in {list}"))
        .to_owned()
}

#[tokio::test]
async fn the_team_is_managed_by_owners_and_admins_and_keeps_an_owner() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let owner = app.token("owner@a.example", None).await;
    let admin = app.token("admin@a.example", None).await;
    for who in ["staff@a.example", "checkin@a.example"] {
        let token = app.token(who, None).await;
        assert_eq!(code(&app.gql(Some(&token), MEMBERS, json!({})).await), Some("FORBIDDEN"), "{who}");
    }
    let r = app.gql(Some(&admin), MEMBERS, json!({})).await;
    let list = ok(&r).clone();
    assert_eq!(list["members"][0]["role"], "OWNER", "owners first: {list}");

    // Admins add below owners; passwords are measured.
    let add = |email: &str, password: &str, role: &str| json!({ "i": { "email": email, "name": "Youssef Alami", "password": password, "role": role } });
    let r = app.gql(Some(&admin), ADD, add("boss@a.example", STRONG, "OWNER")).await;
    assert_eq!(code(&r), Some("FORBIDDEN"), "{r}");
    let r = app.gql(Some(&admin), ADD, add("new@a.example", "password12", "STAFF")).await;
    assert_eq!(code(&r), Some("VALIDATION"), "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too easy to guess")), "{r}");
    let r = app.gql(Some(&admin), ADD, add("new@a.example", STRONG, "STAFF")).await;
    assert_eq!(ok(&r)["addMember"]["role"], "STAFF");
    let newcomer = r["data"]["addMember"]["id"].as_str().expect("id").to_owned();

    // Removal ends a live session at once.
    let login = app.login("new@a.example", STRONG, None).await;
    let token = login["data"]["login"]["token"].as_str().expect("token").to_owned();
    ok(&app.gql(Some(&token), "{ stops(first: 1) { totalCount } }", json!({})).await);
    assert_eq!(ok(&app.gql(Some(&owner), REMOVE, json!({ "id": newcomer })).await)["removeMember"], true);
    let r = app.gql(Some(&token), "{ stops(first: 1) { totalCount } }", json!({})).await;
    assert_eq!(code(&r), Some("UNAUTHENTICATED"), "the removed member's token is dead: {r}");

    // Owners are the owners' business, and the last one stays. The demo has
    // an owner of its own: it goes first.
    let others: Vec<String> = list["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "OWNER" && m["email"] != "owner@a.example")
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!others.is_empty(), "{list}");
    for other in others {
        ok(&app.gql(Some(&owner), REMOVE, json!({ "id": other })).await);
    }
    let owner_id = member_id(&list, "owner@a.example");
    let admin_id = member_id(&list, "admin@a.example");
    let r = app.gql(Some(&admin), ROLE, json!({ "id": owner_id, "r": "ADMIN" })).await;
    assert_eq!(code(&r), Some("FORBIDDEN"), "{r}");
    let r = app.gql(Some(&owner), ROLE, json!({ "id": owner_id, "r": "ADMIN" })).await;
    assert_eq!(code(&r), Some("CONFLICT"), "the last owner cannot be demoted: {r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("last owner")), "{r}");
    assert_eq!(code(&app.gql(Some(&owner), REMOVE, json!({ "id": owner_id })).await), Some("CONFLICT"));

    // A second owner: the admin's session ends with the change; then the first
    // owner may step down.
    let r = app.gql(Some(&owner), ROLE, json!({ "id": admin_id, "r": "OWNER" })).await;
    assert_eq!(ok(&r)["changeMemberRole"]["role"], "OWNER");
    assert_eq!(code(&app.gql(Some(&admin), MEMBERS, json!({})).await), Some("UNAUTHENTICATED"));
    let r = app.gql(Some(&owner), ROLE, json!({ "id": owner_id, "r": "ADMIN" })).await;
    assert_eq!(ok(&r)["changeMemberRole"]["role"], "ADMIN");

    // Audited, with the new owner reading the log.
    let new_owner = app.token("admin@a.example", None).await;
    let r =
        app.gql(Some(&new_owner), "{ auditLog(first: 10) { edges { node { action objectId } } } }", json!({})).await;
    let actions: Vec<String> = ok(&r)["auditLog"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["action"].as_str().map(str::to_owned))
        .collect();
    for expected in ["member.add", "member.remove", "member.role"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }

    // Another organizer's member id is NOT_FOUND.
    let foreign =
        escale_gateway::ids::encode("Member", escale_domain::ids::TenantId(uuid::Uuid::now_v7()), uuid::Uuid::now_v7());
    assert_eq!(code(&app.gql(Some(&new_owner), REMOVE, json!({ "id": foreign })).await), Some("NOT_FOUND"));
}

/// Adding members hashes passwords: a member looping on it is stopped after
/// ten, whatever the answers were.
#[tokio::test]
async fn team_changes_are_limited_per_member() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let admin = app.token("admin@a.example", None).await;
    let mut codes = Vec::new();
    for n in 0..12 {
        let input = json!({ "i": { "email": format!("loop{n}@a.example"), "password": STRONG, "role": "STAFF" } });
        codes.push(code(&app.gql(Some(&admin), ADD, input).await).unwrap_or("none").to_owned());
    }
    assert!(codes[..10].iter().all(|c| c == "none"), "{codes:?}");
    assert!(codes[10..].iter().all(|c| c == "RATE_LIMITED"), "{codes:?}");
    let owner = app.token("owner@a.example", None).await;
    let r = app.gql(Some(&owner), MEMBERS, json!({})).await;
    assert!(ok(&r)["members"].as_array().is_some_and(|m| m.len() >= 14), "another member is not held up: {r}");
}
