//! Cloning an edition into the next one: the customer's "future editions".

use chrono::{NaiveDate, Utc};
use escale_domain::entities::{registration, stop};
use escale_domain::ids::StopId;
use escale_domain::registration::{RegisterInput, register};
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::support::*;

const EDITIONS: &str = "{ editions(first: 20) { edges { node { id number year status stops { id name city startsAt localStartsAt confirmedCount status sessions { title localStartsAt speakers { name } } } partners { partner { name } tier } } } } }";

fn edition(data: &Value, number: i64) -> Value {
    data["editions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .find(|n| n["number"] == number)
        .expect("edition")
}

#[tokio::test]
async fn cloning_copies_the_programme_to_new_dates_without_participants() {
    for t in TestDb::each("cloning_copies_the_programme_to_new_dates_without_participants").await {
        let org = demo_with_roles(&t.db).await;
        // Someone registered for the 6th edition: the clone must not carry them.
        let open =
            stop::Entity::find().filter(stop::Column::TenantId.eq(org.scope.uuid())).all(&t.db).await.expect("stops");
        let target = open.iter().find(|s| s.starts_at > Utc::now()).expect("a future stop");
        register(
            &t.db,
            org.scope,
            &RegisterInput {
                stop_id: StopId(target.id),
                full_name: "Hind Tazi".into(),
                email: Some("hind@example.ma".into()),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .expect("registration");

        let app = TestApp::start(t.db.clone()).await;
        let token = app.token("admin@a.example", None).await;
        let before = app.gql(Some(&token), EDITIONS, json!({})).await;
        let fifth = edition(ok(&before), 5);

        // The 5th edition's final stop was 23 Nov 2019 at 09:00 in Casablanca (UTC+1).
        // Moved to Saturday 7 March 2026 — in Ramadan, when Morocco is on UTC+0 —
        // it must still be 09:00 local.
        let days = (NaiveDate::from_ymd_opt(2026, 3, 7).expect("date")
            - NaiveDate::from_ymd_opt(2019, 11, 23).expect("date"))
        .num_days();
        let r = app
            .gql(
                Some(&token),
                "mutation($i: CloneEditionInput!) { cloneEdition(input: $i) { id number year status } }",
                json!({ "i": { "editionId": fifth["id"], "number": 7, "year": 2026, "title": "7e édition (test)", "shiftDays": days } }),
            )
            .await;
        let clone = &ok(&r)["cloneEdition"];
        assert_eq!(clone["status"], "DRAFT");
        assert_eq!(clone["number"], 7);

        let after = app.gql(Some(&token), EDITIONS, json!({})).await;
        let seventh = edition(ok(&after), 7);
        let (src, dst) = (fifth["stops"].as_array().expect("stops"), seventh["stops"].as_array().expect("stops"));
        assert_eq!(src.len(), dst.len(), "same stops");
        for (a, b) in src.iter().zip(dst) {
            assert_eq!(a["name"], b["name"]);
            assert_eq!(a["sessions"].as_array().map(Vec::len), b["sessions"].as_array().map(Vec::len), "same sessions");
            assert_eq!(b["status"], "DRAFT");
            assert_eq!(b["confirmedCount"], 0);
            let speakers = |s: &Value| {
                s["sessions"]
                    .as_array()
                    .expect("sessions")
                    .iter()
                    .map(|x| x["speakers"].as_array().map(Vec::len).unwrap_or(0))
                    .sum::<usize>()
            };
            assert_eq!(speakers(a), speakers(b), "speakers keep their sessions");
            assert_ne!(a["id"], b["id"]);
        }
        let casa = dst.iter().find(|s| s["city"] == "Casablanca").expect("Casablanca in the clone");
        assert_eq!(casa["localStartsAt"], "2026-03-07T09:00:00+00:00", "09:00 local, on Ramadan's UTC+0");
        assert_eq!(casa["startsAt"], "2026-03-07T09:00:00+00:00");
        assert_eq!(seventh["partners"].as_array().map(Vec::len), Some(6), "the six partners come along");

        // Cloning the 6th (which has a registration) copies no participant.
        let sixth = edition(ok(&after), 6);
        let r = app
            .gql(
                Some(&token),
                "mutation($i: CloneEditionInput!) { cloneEdition(input: $i) { id } }",
                json!({ "i": { "editionId": sixth["id"], "number": 8, "year": 2028, "title": "8e", "shiftDays": 364 } }),
            )
            .await;
        ok(&r);
        assert_eq!(registration::Entity::find().count(&t.db).await.expect("count"), 1, "registrations are not cloned");
        let again = app.gql(Some(&token), EDITIONS, json!({})).await;
        let eighth = edition(ok(&again), 8);
        assert!(eighth["stops"].as_array().expect("stops").iter().all(|s| s["confirmedCount"] == 0));

        // The number must be free.
        let dup = app
            .gql(
                Some(&token),
                "mutation($i: CloneEditionInput!) { cloneEdition(input: $i) { id } }",
                json!({ "i": { "editionId": sixth["id"], "number": 7, "year": 2028, "title": "dup", "shiftDays": 1 } }),
            )
            .await;
        assert_eq!(code(&dup), Some("VALIDATION"));
        assert_eq!(dup["errors"][0]["extensions"]["field"], "number");
    }
}

#[tokio::test]
async fn catalog_validation_names_the_field() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let token = app.token("owner@a.example", None).await;
    let r = app
        .gql(
            Some(&token),
            "{ editions(status: PUBLISHED) { edges { node { id stops { id confirmedCount sessions { id } } } } } }",
            json!({}),
        )
        .await;
    let edition = &ok(&r)["editions"]["edges"][0]["node"];
    let stop_id = edition["stops"][0]["id"].clone();
    let session_id = edition["stops"][0]["sessions"][0]["id"].clone();

    let cases = [
        (
            "mutation($i: CreateStopInput!) { createStop(input: $i) { id } }",
            json!({ "i": { "editionId": edition["id"], "name": "X", "region": "R", "city": "C", "venue": "V",
                "localStartsAt": "2030-03-16T17:00", "localEndsAt": "2030-03-16T09:00", "capacity": 100 } }),
            "endsAt",
        ),
        (
            "mutation($i: CreateStopInput!) { createStop(input: $i) { id } }",
            json!({ "i": { "editionId": edition["id"], "name": "X", "region": "R", "city": "C", "venue": "V", "timeZone": "Mars/Olympus",
                "localStartsAt": "2030-03-16T09:00", "localEndsAt": "2030-03-16T17:00", "capacity": 100 } }),
            "timeZone",
        ),
        (
            "mutation($i: CreateStopInput!) { createStop(input: $i) { id } }",
            json!({ "i": { "editionId": edition["id"], "name": "X", "region": "R", "city": "C", "venue": "V",
                "localStartsAt": "2030-03-16T09:00", "localEndsAt": "2030-03-16T17:00", "capacity": 0 } }),
            "capacity",
        ),
        (
            "mutation($i: CreateStopInput!) { createStop(input: $i) { id } }",
            json!({ "i": { "editionId": edition["id"], "name": "X", "region": "R", "city": "C", "venue": "V",
                "localStartsAt": "16/03/2030 9h", "localEndsAt": "2030-03-16T17:00", "capacity": 10 } }),
            "startsAt",
        ),
        (
            "mutation($id: ID!) { updateSession(id: $id, input: { localStartsAt: \"2001-01-01T09:00\" }) { id } }",
            json!({ "id": session_id }),
            "startsAt",
        ),
        (
            "mutation($id: ID!) { updateStop(id: $id, input: { name: \"   \" }) { id } }",
            json!({ "id": stop_id }),
            "name",
        ),
        (
            "mutation { createPartner(input: { name: \"Banque\", kind: BANK, website: \"ftp://x\" }) { id } }",
            json!({}),
            "website",
        ),
    ];
    for (query, vars, field) in cases {
        let r = app.gql(Some(&token), query, vars).await;
        assert_eq!(code(&r), Some("VALIDATION"), "{query}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
    }
}

#[tokio::test]
async fn capacity_cannot_drop_below_seats_taken() {
    let t = TestDb::sqlite().await;
    let org = demo_with_roles(&t.db).await;
    let stops =
        stop::Entity::find().filter(stop::Column::TenantId.eq(org.scope.uuid())).all(&t.db).await.expect("stops");
    let target = stops.iter().find(|s| s.starts_at > Utc::now()).expect("open stop").clone();
    for n in 0..3 {
        let input = RegisterInput {
            stop_id: StopId(target.id),
            full_name: format!("P {n}"),
            email: Some(format!("p{n}@example.ma")),
            ..Default::default()
        };
        register(&t.db, org.scope, &input, Utc::now()).await.expect("register");
    }
    let app = TestApp::start(t.db.clone()).await;
    let token = app.token("owner@a.example", None).await;
    let id = escale_gateway::ids::encode("Stop", org.scope.id(), target.id);
    let r = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { updateStop(id: $id, input: { capacity: 2 }) { capacity } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&r), Some("VALIDATION"));
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("3 seats are already taken")), "{r}");
    let r = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { updateStop(id: $id, input: { capacity: 3 }) { capacity seatsLeft } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(ok(&r)["updateStop"]["seatsLeft"], 0);
}

/// Raising a full stop's capacity promotes from its waiting list, and the
/// mutation's own reply shows the counts after the promotion, not before.
#[tokio::test]
async fn raising_capacity_replies_with_the_counts_after_promotion() {
    for t in TestDb::each("raising_capacity_replies_with_the_counts_after_promotion").await {
        let name = t.backend_name();
        let org = demo_with_roles(&t.db).await;
        let stops =
            stop::Entity::find().filter(stop::Column::TenantId.eq(org.scope.uuid())).all(&t.db).await.expect("stops");
        let target = stops.iter().find(|s| s.starts_at > Utc::now()).expect("open stop").clone();
        let app = TestApp::start(t.db.clone()).await;
        let token = app.token("owner@a.example", None).await;
        let id = escale_gateway::ids::encode("Stop", org.scope.id(), target.id);
        let counts = "capacity seatsLeft attendance { confirmed waitlisted }";
        let r = app
            .gql(
                Some(&token),
                &format!("mutation($id: ID!) {{ updateStop(id: $id, input: {{ capacity: 1 }}) {{ {counts} }} }}"),
                json!({ "id": id }),
            )
            .await;
        ok(&r);
        for n in 0..3 {
            let input = RegisterInput {
                stop_id: StopId(target.id),
                full_name: format!("P {n}"),
                email: Some(format!("p{n}@example.ma")),
                ..Default::default()
            };
            register(&t.db, org.scope, &input, Utc::now()).await.expect("register");
        }
        let r = app
            .gql(
                Some(&token),
                &format!("mutation($id: ID!) {{ updateStop(id: $id, input: {{ capacity: 3 }}) {{ {counts} }} }}"),
                json!({ "id": id }),
            )
            .await;
        let stop = &ok(&r)["updateStop"];
        assert_eq!(stop["seatsLeft"], 0, "{name}: {r}");
        assert_eq!(stop["attendance"]["confirmed"], 3, "{name}: {r}");
        assert_eq!(stop["attendance"]["waitlisted"], 0, "{name}: the two in line were promoted: {r}");
    }
}

#[tokio::test]
async fn organizer_texts_are_given_per_language_and_read_with_a_fallback() {
    for t in TestDb::each("organizer_texts_are_given_per_language_and_read_with_a_fallback").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let owner = app.token("owner@a.example", None).await;
        let stop = app.open_stop_id().await;

        // The demo carries Arabic and English titles; the API reads either, or
        // the French typed first.
        let read = "query($t: String!) { agenda(tenant: $t) { name ar: name(locale: \"ar\") directions(locale: \"en\") sessions { title ar: title(locale: \"ar\") en: title(locale: \"en\") xx: title(locale: \"xx\") translations { locale title } } } }";
        let r = app.gql(None, read, json!({ "t": "attitudes-conseil" })).await;
        let first = &ok(&r)["agenda"][0];
        assert!(first["ar"].as_str().is_some_and(|n| n.contains("المنتدى")), "{name}: {first}");
        assert!(first["directions"].as_str().is_some_and(|d| d.contains("parking")), "{name}");
        let session = &first["sessions"][0];
        assert_ne!(session["ar"], session["title"], "{name}: {session}");
        assert_eq!(session["xx"], session["title"], "{name}: an unknown language falls back");
        assert_eq!(session["translations"].as_array().map(Vec::len), Some(2), "{name}");

        // An organizer replaces them: a language twice, one not spoken, and
        // words too long are refused with the field; `[]` clears them.
        let update = "mutation($id: ID!, $i: UpdateStopInput!) { updateStop(id: $id, input: $i) { name(locale: \"ar\") translations { locale name directions } } }";
        for (bad, field) in [
            (json!([{ "locale": "ar", "name": "أ" }, { "locale": "ar", "name": "ب" }]), "translations"),
            (json!([{ "locale": "de", "name": "Forum" }]), "translations.locale"),
            (json!([{ "locale": "ar", "name": "م".repeat(201) }]), "translations.ar.name"),
        ] {
            let r = app.gql(Some(&owner), update, json!({ "id": stop, "i": { "translations": bad } })).await;
            assert_eq!(code(&r), Some("VALIDATION"), "{name}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{name}: {r}");
        }
        let r = app
            .gql(
                Some(&owner),
                update,
                json!({ "id": stop, "i": { "translations": [{ "locale": "ar", "name": "  منتدى مراكش  ", "directions": " " }] } }),
            )
            .await;
        let stop_now = &ok(&r)["updateStop"];
        assert_eq!(stop_now["name"], "منتدى مراكش", "{name}: trimmed");
        assert_eq!(stop_now["translations"], json!([{ "locale": "ar", "name": "منتدى مراكش", "directions": null }]));
        let r = app.gql(Some(&owner), update, json!({ "id": stop, "i": { "translations": [] } })).await;
        assert_eq!(ok(&r)["updateStop"]["translations"], json!([]), "{name}");
    }
}
