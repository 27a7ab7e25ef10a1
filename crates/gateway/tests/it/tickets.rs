//! Cancelling and checking in through the API, and the ticket's QR code.

use chrono::Utc;
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::Role;
use escale_testkit::TestDb;
use serde_json::{Value, json};

use crate::support::*;

const REGISTER: &str =
    "mutation($i: RegisterInput!) { register(input: $i) { registration { id status waitlistPosition ticketCode } } }";
const CHECK_IN: &str = "mutation($c: String!) { checkIn(ticketCode: $c) { participantName alreadyCheckedIn message checkedInAt registration { status } attendance { confirmed waitlisted checkedIn rate } } }";
const CANCEL: &str = "mutation($i: CancelRegistrationInput!) { cancelRegistration(input: $i) { alreadyCancelled promotedCount registration { id status } } }";

async fn register(app: &TestApp, stop: &str, n: u32) -> Value {
    let input = json!({ "stopId": stop, "fullName": format!("Participant {n}"), "email": format!("p{n}@example.ma") });
    let r = app.gql(None, REGISTER, json!({ "i": input })).await;
    ok(&r)["register"]["registration"].clone()
}

#[tokio::test]
async fn cancel_promote_and_check_in_at_the_door() {
    for t in TestDb::each("cancel_promote_and_check_in_at_the_door").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let admin = app.token("admin@a.example", None).await;
        let door = app.token("checkin@a.example", None).await;

        let stop = app.open_stop_id().await;
        let r = app
            .gql(
                Some(&admin),
                "mutation($id: ID!) { updateStop(id: $id, input: { capacity: 1 }) { capacity } }",
                json!({ "id": stop }),
            )
            .await;
        ok(&r);
        let first = register(&app, &stop, 1).await;
        let second = register(&app, &stop, 2).await;
        assert_eq!((first["status"].as_str(), second["status"].as_str()), (Some("CONFIRMED"), Some("WAITLISTED")));
        let code1 = first["ticketCode"].as_str().expect("code").to_owned();
        let code2 = second["ticketCode"].as_str().expect("code").to_owned();

        // The door: a waitlisted ticket is refused with the reason.
        let r = app.gql(Some(&door), CHECK_IN, json!({ "c": code2 })).await;
        assert_eq!(code(&r), Some("CONFLICT"), "{name}: {r}");
        assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("waiting list")), "{r}");
        // Anonymous and unknown.
        assert_eq!(code(&app.gql(None, CHECK_IN, json!({ "c": code1 })).await), Some("UNAUTHENTICATED"));
        assert_eq!(code(&app.gql(Some(&door), CHECK_IN, json!({ "c": "ZZZZZ-ZZZZZ" })).await), Some("NOT_FOUND"));
        assert_eq!(code(&app.gql(Some(&door), CHECK_IN, json!({ "c": "nope" })).await), Some("VALIDATION"));

        // The participant cancels with the code typed in lower case: the waiting one is in.
        let r = app.gql(None, CANCEL, json!({ "i": { "ticketCode": code1.to_lowercase() } })).await;
        let cancelled = &ok(&r)["cancelRegistration"];
        assert_eq!(cancelled["promotedCount"], 1, "{name}: {r}");
        assert_eq!(cancelled["registration"]["status"], "CANCELLED");
        let r = app.gql(None, CANCEL, json!({ "i": { "ticketCode": code1 } })).await;
        assert_eq!(ok(&r)["cancelRegistration"]["alreadyCancelled"], true, "{name}: cancelling twice is harmless");
        let r = app.gql(Some(&door), CHECK_IN, json!({ "c": code1 })).await;
        assert_eq!(code(&r), Some("CONFLICT"), "{name}: a cancelled ticket does not get in: {r}");

        // The promoted participant gets in; a second scan says since when.
        let r = app.gql(Some(&door), CHECK_IN, json!({ "c": code2 })).await;
        let scan = &ok(&r)["checkIn"];
        assert_eq!(scan["alreadyCheckedIn"], false, "{name}: {r}");
        assert_eq!(scan["participantName"], "Participant 2");
        assert_eq!(scan["attendance"], json!({ "confirmed": 1, "waitlisted": 0, "checkedIn": 1, "rate": 1.0 }));
        let r = app.gql(Some(&door), CHECK_IN, json!({ "c": code2 })).await;
        let again = &ok(&r)["checkIn"];
        assert_eq!(again["alreadyCheckedIn"], true);
        assert_eq!(again["checkedInAt"], scan["checkedInAt"], "{name}: the first scan's time");
        assert!(again["message"].as_str().is_some_and(|m| m.contains("already checked in (since ")), "{again}");

        // Live counts on the stop, for the team only.
        let q = "query($id: ID!) { node(id: $id) { ... on Stop { attendance { confirmed cancelled checkedIn } } } }";
        let r = app.gql(Some(&door), q, json!({ "id": stop })).await;
        assert_eq!(ok(&r)["node"]["attendance"], json!({ "confirmed": 1, "cancelled": 1, "checkedIn": 1 }), "{r}");
        let r =
            app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { attendance { confirmed } } }", json!({})).await;
        assert_eq!(code(&r), Some("UNAUTHENTICATED"), "{r}");

        // Organizers cancel by id; door staff may not; another organizer's staff cannot see it.
        let third = register(&app, &stop, 3).await;
        let id = third["id"].as_str().expect("id");
        let r = app.gql(Some(&door), CANCEL, json!({ "i": { "registrationId": id } })).await;
        assert_eq!(code(&r), Some("FORBIDDEN"), "{r}");
        let other = accounts::create_tenant(&t.db, "oriental-events", "Oriental Events", Utc::now()).await.expect("B");
        let member = NewMember {
            email: "boss@b.example".into(),
            display_name: None,
            password: Some(PASSWORD.into()),
            role: Role::Owner,
        };
        accounts::add_member(&t.db, other.scope, member, Utc::now()).await.expect("B owner");
        let b = app.token("boss@b.example", None).await;
        assert_eq!(code(&app.gql(Some(&b), CANCEL, json!({ "i": { "registrationId": id } })).await), Some("NOT_FOUND"));
        assert_eq!(code(&app.gql(Some(&b), CHECK_IN, json!({ "c": code2 })).await), Some("NOT_FOUND"));
        let r = app.gql(Some(&admin), CANCEL, json!({ "i": { "registrationId": id } })).await;
        assert_eq!(ok(&r)["cancelRegistration"]["registration"]["status"], "CANCELLED", "{r}");
        let audit = app
            .gql(
                Some(&app.token("owner@a.example", None).await),
                "{ auditLog(first: 5) { edges { node { action } } } }",
                json!({}),
            )
            .await;
        assert!(audit.to_string().contains("registration.cancel"), "{audit}");

        // A wrong way of asking says how to ask.
        let r = app.gql(None, CANCEL, json!({ "i": {} })).await;
        assert_eq!(code(&r), Some("VALIDATION"), "{r}");
        let r = app.gql(None, CANCEL, json!({ "i": { "registrationId": id, "signature": "forged" } })).await;
        assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");
    }
}

#[tokio::test]
async fn the_ticket_qr_code_is_served_as_svg_and_png() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(t.db.clone()).await;
    let r = app.http.get(format!("{}/tickets/ab3k7-9xq2p/qr.svg", app.base)).send().await.expect("GET");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.expect("body").contains("<svg"));
    let r = app.http.get(format!("{}/tickets/AB3K7-9XQ2P/qr.png", app.base)).send().await.expect("GET");
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.expect("body")[..4], b"\x89PNG");
    let r = app.http.get(format!("{}/tickets/not-a-code/qr.svg", app.base)).send().await.expect("GET");
    assert_eq!(r.status(), 404);
}
