//! Two organizers on one deployment: neither sees nor touches the other's
//! objects, and the other's ids are NOT_FOUND — never FORBIDDEN.

use chrono::{Duration, Utc};
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::Role;
use escale_domain::entities::{partner, partnership, session};
use escale_domain::manage::{self, TimeInput};
use escale_testkit::TestDb;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn another_organizers_ids_are_not_found_for_every_object_type() {
    for t in TestDb::each("another_organizers_ids_are_not_found_for_every_object_type").await {
        demo_with_roles(&t.db).await;
        // Organizer B builds a small catalog of its own.
        let b =
            accounts::create_tenant(&t.db, "oriental-events", "Oriental Events", Utc::now()).await.expect("tenant B");
        accounts::add_member(
            &t.db,
            b.scope,
            NewMember {
                email: "boss@b.example".into(),
                display_name: None,
                password: Some(PASSWORD.into()),
                role: Role::Owner,
            },
            Utc::now(),
        )
        .await
        .expect("B owner");
        let bo = owner_actor(&t.db, "boss@b.example").await;
        let now = Utc::now();
        let series = manage::create_series(
            &t.db,
            &bo,
            manage::NewSeries { slug: "salon-oujda".into(), name: "Salon d'Oujda".into(), description: None },
            now,
        )
        .await
        .expect("series");
        let edition = manage::create_edition(
            &t.db,
            &bo,
            manage::NewEdition { series_id: series.id.0, number: 1, year: 2027, title: "1re".into() },
            now,
        )
        .await
        .expect("edition");
        let start = now + Duration::days(60);
        let stop = manage::create_stop(
            &t.db,
            &bo,
            manage::NewStop {
                edition_id: edition.id.0,
                name: "Oujda".into(),
                region: "Oriental".into(),
                city: "Oujda".into(),
                venue: "Centre".into(),
                address: None,
                directions: None,
                translations: Vec::new(),
                time_zone: None,
                starts_at: TimeInput::Instant(start),
                ends_at: TimeInput::Instant(start + Duration::hours(8)),
                capacity: 100,
                registration_opens_at: None,
                registration_closes_at: None,
            },
            now,
        )
        .await
        .expect("stop");
        let session = manage::create_session(
            &t.db,
            &bo,
            manage::NewSession {
                stop_id: stop.id.0,
                kind: session::Kind::Talk,
                title: "Export".into(),
                description: None,
                topics: vec![],
                room: None,
                translations: Vec::new(),
                starts_at: TimeInput::Instant(start + Duration::hours(1)),
                ends_at: TimeInput::Instant(start + Duration::hours(2)),
                capacity: None,
                language: None,
            },
            now,
        )
        .await
        .expect("session");
        let speaker = manage::create_speaker(
            &t.db,
            &bo,
            manage::SpeakerInput { full_name: Some("Samir B.".into()), ..Default::default() },
            now,
        )
        .await
        .expect("speaker");
        let partner = manage::create_partner(
            &t.db,
            &bo,
            manage::PartnerInput { name: Some("Banque B".into()), kind: Some(partner::Kind::Bank), website: None },
            now,
        )
        .await
        .expect("partner");
        let link = manage::set_partnership(
            &t.db,
            &bo,
            partner.id.0,
            manage::PartnershipTarget::Edition(edition.id.0),
            partnership::Tier::Principal,
            now,
        )
        .await
        .expect("link");

        let app = TestApp::start(t.db.clone()).await;
        let a = app.token("owner@a.example", None).await;
        let id = |kind: &'static str, uuid: uuid::Uuid| escale_gateway::ids::encode(kind, b.scope.id(), uuid);
        let foreign = [
            ("Series", series.id.0),
            ("Edition", edition.id.0),
            ("Stop", stop.id.0),
            ("Session", session.id.0),
            ("Speaker", speaker.id.0),
            ("Partner", partner.id.0),
        ];
        for (kind, uuid) in foreign {
            let r =
                app.gql(Some(&a), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id(kind, uuid) })).await;
            assert_eq!(code(&r), Some("NOT_FOUND"), "{} node {kind}: {r}", t.backend_name());
        }
        // A forged id that claims A's tenant with B's row finds nothing either.
        let forged = escale_gateway::ids::encode("Stop", demo_scope(&t.db).await.id(), stop.id.0);
        let r = app.gql(Some(&a), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": forged })).await;
        assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");

        let writes = [
            ("mutation($id: ID!) { updateSeries(id: $id, input: { name: \"x\" }) { id } }", id("Series", series.id.0)),
            (
                "mutation($id: ID!) { updateEdition(id: $id, input: { title: \"x\" }) { id } }",
                id("Edition", edition.id.0),
            ),
            ("mutation($id: ID!) { setEditionStatus(id: $id, status: ARCHIVED) { id } }", id("Edition", edition.id.0)),
            ("mutation($id: ID!) { updateStop(id: $id, input: { name: \"x\" }) { id } }", id("Stop", stop.id.0)),
            ("mutation($id: ID!) { setStopStatus(id: $id, status: CANCELLED) { id } }", id("Stop", stop.id.0)),
            (
                "mutation($id: ID!) { updateSession(id: $id, input: { title: \"x\" }) { id } }",
                id("Session", session.id.0),
            ),
            (
                "mutation($id: ID!) { updateSpeaker(id: $id, input: { fullName: \"x\" }) { id } }",
                id("Speaker", speaker.id.0),
            ),
            (
                "mutation($id: ID!) { updatePartner(id: $id, input: { name: \"x\" }) { id } }",
                id("Partner", partner.id.0),
            ),
            ("mutation($id: ID!) { removePartnership(id: $id) }", id("Partnership", link.id)),
            (
                "mutation($id: ID!) { cloneEdition(input: { editionId: $id, number: 2, year: 2028, title: \"x\", shiftDays: 364 }) { id } }",
                id("Edition", edition.id.0),
            ),
        ];
        for (query, target) in writes {
            let r = app.gql(Some(&a), query, json!({ "id": target })).await;
            assert_eq!(code(&r), Some("NOT_FOUND"), "{query}: {r}");
        }
        // Even a role that may not write gets NOT_FOUND, not FORBIDDEN, for B's ids.
        let checkin = app.token("checkin@a.example", None).await;
        let r = app
            .gql(
                Some(&checkin),
                "mutation($id: ID!) { setStopStatus(id: $id, status: CANCELLED) { id } }",
                json!({ "id": id("Stop", stop.id.0) }),
            )
            .await;
        assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");

        // Lists hold only one's own rows.
        let lists =
            app.gql(Some(&a), "{ series { edges { node { slug } } } partners { totalCount } }", json!({})).await;
        let slugs: Vec<&str> = ok(&lists)["series"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["slug"].as_str())
            .collect();
        assert_eq!(slugs, vec!["forum-tpe-regions"]);
        assert_eq!(lists["data"]["partners"]["totalCount"], 6);
        // And B's rows are untouched.
        let b_token = app.token("boss@b.example", None).await;
        let mine = app
            .gql(
                Some(&b_token),
                "query($id: ID!) { node(id: $id) { ... on Stop { name status } } }",
                json!({ "id": id("Stop", stop.id.0) }),
            )
            .await;
        assert_eq!(ok(&mine)["node"]["name"], "Oujda");
        assert_eq!(mine["data"]["node"]["status"], "DRAFT");
    }
}
