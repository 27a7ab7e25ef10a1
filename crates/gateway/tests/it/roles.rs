//! Every organizer mutation × every role: allowed, or FORBIDDEN. The expected
//! roles are written out here, one line per mutation, as in docs/ROLES.md.

use chrono::Utc;
use escale_domain::access::authz::Role;
use escale_domain::entities::partnership;
use escale_domain::manage::{self, PartnershipTarget};
use escale_testkit::TestDb;
use serde_json::{Value, json};

use crate::support::*;

struct Ids {
    series: String,
    edition: String,
    stop: String,
    session: String,
    speaker: String,
    partner: String,
}

const O: Role = Role::Owner;
const A: Role = Role::Admin;
const S: Role = Role::Staff;

async fn ids(app: &TestApp, token: &str) -> Ids {
    let r = app
        .gql(
            Some(token),
            "{ series { edges { node { id editions { id number stops { id sessions { id speakers { id } } } } } } } partners(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let data = ok(&r);
    let series = &data["series"]["edges"][0]["node"];
    let edition =
        series["editions"].as_array().expect("editions").iter().find(|e| e["number"] == 6).expect("6th edition");
    let stop = &edition["stops"][0];
    let session = &stop["sessions"][0];
    let s = |v: &Value| v.as_str().expect("id").to_owned();
    Ids {
        series: s(&series["id"]),
        edition: s(&edition["id"]),
        stop: s(&stop["id"]),
        session: s(&session["id"]),
        speaker: s(&session["speakers"][0]["id"]),
        partner: s(&data["partners"]["edges"][0]["node"]["id"]),
    }
}

fn partnership_id(tenant: escale_domain::ids::TenantId, p: &escale_domain::catalog::Partnership) -> String {
    escale_gateway::ids::encode("Partnership", tenant, p.id)
}

#[tokio::test]
async fn each_role_by_each_mutation() {
    let t = TestDb::sqlite().await;
    let org = demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let owner = owner_actor(&t.db, "owner@a.example").await;
    let owner_token = app.token("owner@a.example", None).await;
    let ids = ids(&app, &owner_token).await;
    let stop_uuid = manage_uuid(&ids.stop);
    let partner_uuid = manage_uuid(&ids.partner);

    type Case = (&'static str, &'static [Role], fn(&Ids, usize) -> (String, Value));
    let cases: Vec<Case> = vec![
        ("createSeries", &[O, A, S], |_, i| {
            (
                "mutation($i: CreateSeriesInput!) { createSeries(input: $i) { id } }".into(),
                json!({ "i": { "slug": format!("series-{i}"), "name": "Nouvelle série" } }),
            )
        }),
        ("updateSeries", &[O, A, S], |ids, _| {
            (
                "mutation($id: ID!) { updateSeries(id: $id, input: { description: \"Forums régionaux\" }) { id } }"
                    .into(),
                json!({ "id": ids.series }),
            )
        }),
        ("createEdition", &[O, A, S], |ids, i| {
            (
                "mutation($i: CreateEditionInput!) { createEdition(input: $i) { id } }".into(),
                json!({ "i": { "seriesId": ids.series, "number": 30 + i, "year": 2030, "title": "Édition test" } }),
            )
        }),
        ("updateEdition", &[O, A, S], |ids, _| {
            (
                "mutation($id: ID!) { updateEdition(id: $id, input: { title: \"6e édition\" }) { id } }".into(),
                json!({ "id": ids.edition }),
            )
        }),
        ("setEditionStatus", &[O, A], |ids, _| {
            (
                "mutation($id: ID!) { setEditionStatus(id: $id, status: PUBLISHED) { id } }".into(),
                json!({ "id": ids.edition }),
            )
        }),
        ("cloneEdition", &[O, A], |ids, i| {
            (
                "mutation($i: CloneEditionInput!) { cloneEdition(input: $i) { id } }".into(),
                json!({ "i": { "editionId": ids.edition, "number": 50 + i, "year": 2031, "title": "Clone", "shiftDays": 364 } }),
            )
        }),
        ("createStop", &[O, A, S], |ids, _| {
            (
                "mutation($i: CreateStopInput!) { createStop(input: $i) { id } }".into(),
                json!({ "i": { "editionId": ids.edition, "name": "Escale d'Agadir", "region": "Souss-Massa", "city": "Agadir",
                    "venue": "Palais des congrès", "localStartsAt": "2030-03-16T09:00", "localEndsAt": "2030-03-16T17:00", "capacity": 200 } }),
            )
        }),
        ("updateStop (name)", &[O, A, S], |ids, _| {
            (
                "mutation($id: ID!) { updateStop(id: $id, input: { name: \"Mini-forum de Béni Mellal\" }) { id } }"
                    .into(),
                json!({ "id": ids.stop }),
            )
        }),
        ("updateStop (capacity)", &[O, A], |ids, _| {
            (
                "mutation($id: ID!) { updateStop(id: $id, input: { capacity: 250 }) { id } }".into(),
                json!({ "id": ids.stop }),
            )
        }),
        ("setStopStatus", &[O, A], |ids, _| {
            (
                "mutation($id: ID!) { setStopStatus(id: $id, status: PUBLISHED) { id } }".into(),
                json!({ "id": ids.stop }),
            )
        }),
        ("rescheduleStop", &[O, A], |ids, _| {
            (
                "mutation($id: ID!, $i: RescheduleStopInput!) { rescheduleStop(id: $id, input: $i) { id } }".into(),
                json!({ "id": ids.stop, "i": { "localStartsAt": "2099-01-10T09:00", "localEndsAt": "2099-01-10T17:00" } }),
            )
        }),
        ("createSession", &[O, A, S], |ids, _| {
            (
                "mutation($i: CreateSessionInput!) { createSession(input: $i) { id } }".into(),
                json!({ "i": { "stopId": ids.stop, "kind": "WORKSHOP", "title": "Atelier", "topics": ["BUDGETING"],
                    "localStartsAt": "2099-01-10T14:00", "localEndsAt": "2099-01-10T15:00" } }),
            )
        }),
        ("updateSession", &[O, A, S], |ids, _| {
            (
                "mutation($id: ID!) { updateSession(id: $id, input: { room: \"Salle C\" }) { id } }".into(),
                json!({ "id": ids.session }),
            )
        }),
        ("createSpeaker", &[O, A, S], |_, _| {
            ("mutation { createSpeaker(input: { fullName: \"Rachid Ouali\" }) { id } }".into(), json!({}))
        }),
        ("updateSpeaker", &[O, A, S], |ids, _| {
            (
                "mutation($id: ID!) { updateSpeaker(id: $id, input: { title: \"Formateur\" }) { id } }".into(),
                json!({ "id": ids.speaker }),
            )
        }),
        ("assignSpeaker", &[O, A, S], |ids, _| {
            (
                "mutation($s: ID!, $p: ID!) { assignSpeaker(sessionId: $s, speakerId: $p) { id } }".into(),
                json!({ "s": ids.session, "p": ids.speaker }),
            )
        }),
        ("unassignSpeaker", &[O, A, S], |ids, _| {
            (
                "mutation($s: ID!, $p: ID!) { unassignSpeaker(sessionId: $s, speakerId: $p) { id } }".into(),
                json!({ "s": ids.session, "p": ids.speaker }),
            )
        }),
        ("createPartner", &[O, A, S], |_, i| {
            (
                "mutation($n: String!) { createPartner(input: { name: $n, kind: MEDIA }) { id } }".into(),
                json!({ "n": format!("Radio {i}") }),
            )
        }),
        ("updatePartner", &[O, A, S], |ids, _| {
            (
                "mutation($id: ID!) { updatePartner(id: $id, input: { website: \"https://example.ma\" }) { id } }"
                    .into(),
                json!({ "id": ids.partner }),
            )
        }),
        ("setPartnership", &[O, A, S], |ids, _| {
            (
                "mutation($p: ID!, $s: ID!) { setPartnership(input: { partnerId: $p, stopId: $s, tier: MEDIA }) { id } }".into(),
                json!({ "p": ids.partner, "s": ids.stop }),
            )
        }),
    ];

    let roles = roles_emails();
    let mut tokens = Vec::new();
    for (role, email) in &roles {
        tokens.push((role.clone(), app.token(email, None).await));
    }
    for (name, allowed, build) in &cases {
        for (i, (role, token)) in tokens.iter().enumerate() {
            let (query, vars) = build(&ids, i);
            let r = app.gql(Some(token), &query, vars).await;
            if allowed.contains(role) {
                assert!(r["errors"].is_null(), "{name} by {role:?} should be allowed: {r}");
            } else {
                assert_eq!(code(&r), Some("FORBIDDEN"), "{name} by {role:?} should be FORBIDDEN: {r}");
            }
        }
    }

    // removePartnership needs a fresh partnership for each attempt.
    for (role, token) in &tokens {
        let link = manage::set_partnership(
            &t.db,
            &owner,
            partner_uuid,
            PartnershipTarget::Stop(stop_uuid),
            partnership::Tier::Media,
            Utc::now(),
        )
        .await
        .expect("partnership");
        let r = app
            .gql(
                Some(token),
                "mutation($id: ID!) { removePartnership(id: $id) }",
                json!({ "id": partnership_id(org.scope.id(), &link) }),
            )
            .await;
        if [O, A, S].contains(role) {
            assert_eq!(ok(&r)["removePartnership"], true, "{role:?}");
        } else {
            assert_eq!(code(&r), Some("FORBIDDEN"), "{role:?}: {r}");
        }
    }

    // Reading: every role reads the catalog; only owners read the audit log.
    for (role, token) in &tokens {
        let catalog =
            app.gql(Some(token), "{ stops(first: 2) { totalCount } speakers { totalCount } }", json!({})).await;
        assert!(catalog["errors"].is_null(), "{role:?} reads the catalog: {catalog}");
        let audit = app
            .gql(
                Some(token),
                "{ auditLog(first: 5) { totalCount edges { node { action objectType at } } } }",
                json!({}),
            )
            .await;
        if *role == O {
            let data = ok(&audit);
            assert!(data["auditLog"]["totalCount"].as_u64().is_some_and(|n| n >= 40), "{audit}");
        } else {
            assert_eq!(code(&audit), Some("FORBIDDEN"), "{role:?}");
        }
    }
}

fn manage_uuid(global: &str) -> uuid::Uuid {
    escale_gateway::ids::decode_any(global).expect("global id").id
}
