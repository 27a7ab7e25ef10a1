//! Cancelling and checking in through the API, and the ticket's QR code.

use chrono::Utc;
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::Role;
use escale_testkit::TestDb;
use serde_json::{Value, json};

use crate::support::*;

const REGISTER: &str =
    "mutation($i: RegisterInput!) { register(input: $i) { registration { id status waitlistPosition ticketCode } } }";
const CHECK_IN: &str = "mutation($s: ID!, $c: String!) { checkIn(stopId: $s, ticketCode: $c) { participantName alreadyCheckedIn message checkedInAt registration { status } attendance { confirmed waitlisted checkedIn rate } } }";
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
        // Held today, so that its door is open.
        app.hold_today(&admin, &stop, 2).await;
        let first = register(&app, &stop, 1).await;
        let second = register(&app, &stop, 2).await;
        assert_eq!((first["status"].as_str(), second["status"].as_str()), (Some("CONFIRMED"), Some("WAITLISTED")));
        let code1 = first["ticketCode"].as_str().expect("code").to_owned();
        let code2 = second["ticketCode"].as_str().expect("code").to_owned();

        // The door: a waitlisted ticket is refused with the reason.
        let r = app.gql(Some(&door), CHECK_IN, json!({ "s": stop, "c": code2 })).await;
        assert_eq!(code(&r), Some("CONFLICT"), "{name}: {r}");
        assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("waiting list")), "{r}");
        // Anonymous and unknown.
        assert_eq!(code(&app.gql(None, CHECK_IN, json!({ "s": stop, "c": code1 })).await), Some("UNAUTHENTICATED"));
        assert_eq!(
            code(&app.gql(Some(&door), CHECK_IN, json!({ "s": stop, "c": "ZZZZZ-ZZZZZ" })).await),
            Some("NOT_FOUND")
        );
        assert_eq!(code(&app.gql(Some(&door), CHECK_IN, json!({ "s": stop, "c": "nope" })).await), Some("VALIDATION"));

        // The participant cancels with the code typed in lower case: the waiting one is in.
        let r = app.gql(None, CANCEL, json!({ "i": { "ticketCode": code1.to_lowercase() } })).await;
        let cancelled = &ok(&r)["cancelRegistration"];
        assert_eq!(cancelled["promotedCount"], 1, "{name}: {r}");
        assert_eq!(cancelled["registration"]["status"], "CANCELLED");
        let r = app.gql(None, CANCEL, json!({ "i": { "ticketCode": code1 } })).await;
        assert_eq!(ok(&r)["cancelRegistration"]["alreadyCancelled"], true, "{name}: cancelling twice is harmless");
        let r = app.gql(Some(&door), CHECK_IN, json!({ "s": stop, "c": code1 })).await;
        assert_eq!(code(&r), Some("CONFLICT"), "{name}: a cancelled ticket does not get in: {r}");

        // The promoted participant gets in; a second scan says since when.
        let r = app.gql(Some(&door), CHECK_IN, json!({ "s": stop, "c": code2 })).await;
        let scan = &ok(&r)["checkIn"];
        assert_eq!(scan["alreadyCheckedIn"], false, "{name}: {r}");
        assert_eq!(scan["participantName"], "Participant 2");
        assert_eq!(scan["attendance"], json!({ "confirmed": 1, "waitlisted": 0, "checkedIn": 1, "rate": 1.0 }));
        let r = app.gql(Some(&door), CHECK_IN, json!({ "s": stop, "c": code2 })).await;
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
        assert_eq!(code(&app.gql(Some(&b), CHECK_IN, json!({ "s": stop, "c": code2 })).await), Some("NOT_FOUND"));
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

/// The door is its stop's and its day's: another stop's ticket names that
/// stop and its date, a ticket of a stop held later is told when its door
/// opens, and staff read it all in their language, in the stop's local time.
#[tokio::test]
async fn the_door_admits_its_own_stop_on_its_day_in_the_staff_language() {
    for t in TestDb::each("the_door_admits_its_own_stop_on_its_day_in_the_staff_language").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let admin = app.token("admin@a.example", None).await;
        let door = app.token("checkin@a.example", None).await;
        let agenda =
            app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id city registrationOpen } }", json!({})).await;
        let open: Vec<(String, String)> = ok(&agenda)["agenda"]
            .as_array()
            .expect("agenda")
            .iter()
            .filter(|s| s["registrationOpen"] == true)
            .map(|s| {
                (s["id"].as_str().unwrap_or_default().to_owned(), s["city"].as_str().unwrap_or_default().to_owned())
            })
            .collect();
        let ((here, _), (later, later_city)) = (open[0].clone(), open[1].clone());
        app.hold_today(&admin, &here, 1).await;
        let mine = register(&app, &here, 1).await["ticketCode"].as_str().expect("code").to_owned();
        let theirs = register(&app, &later, 2).await["ticketCode"].as_str().expect("code").to_owned();

        let scan = |stop: &str, code: &str, lang: &'static str| {
            let vars = json!({ "s": stop, "c": code });
            let (app, door) = (&app, door.clone());
            async move { app.gql_in(Some(lang), Some(&door), CHECK_IN, vars).await }
        };
        let r = scan(&here, &theirs, "fr").await;
        assert_eq!(code(&r), Some("CONFLICT"), "{name}: another stop's ticket: {r}");
        assert_eq!(r["errors"][0]["extensions"]["reason"], "WRONG_STOP");
        let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.starts_with("ce billet est pour ") && msg.contains(&later_city), "{name}: {msg}");
        let r = scan(&here, &theirs, "ar").await;
        let msg = escale_i18n::strip_isolates(r["errors"][0]["message"].as_str().unwrap_or_default());
        assert!(msg.starts_with("هذه التذكرة لمحطة") && msg.contains(&later_city), "{name}: {msg}");
        let r = scan(&later, &theirs, "en").await;
        assert_eq!(r["errors"][0]["extensions"]["reason"], "WRONG_DAY", "{name}: a stop held later: {r}");
        assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("the door opens")), "{r}");
        let r = scan(&later, &mine, "en").await;
        assert_eq!(r["errors"][0]["extensions"]["reason"], "WRONG_STOP", "{name}: {r}");

        let r = scan(&here, &mine, "fr-MA,fr;q=0.9").await;
        assert_eq!(ok(&r)["checkIn"]["message"], "Bienvenue, Participant 1", "{name}");
        let r = scan(&here, &mine, "ar").await;
        let again = escale_i18n::strip_isolates(ok(&r)["checkIn"]["message"].as_str().unwrap_or_default());
        assert!(again.starts_with("Participant 1 سجّل دخوله بالفعل (منذ "), "{name}: {again}");
        // A mistyped code is said in the staff's language too.
        let r = scan(&here, "nope", "fr").await;
        assert_eq!(r["errors"][0]["message"], "ticketCode: n'est pas un code de billet", "{name}: {r}");
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

/// Errors keep their code and field and speak the reader's language: the
/// input's locale first (she registers in Arabic), else `Accept-Language`,
/// else English.
#[tokio::test]
async fn errors_speak_the_readers_language() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let stop = app.open_stop_id().await;
    let bad = |locale: Option<&str>| json!({ "i": { "stopId": stop, "fullName": "Amina", "email": "amina@", "locale": locale } });
    let r = app.gql_in(Some("ar-MA,fr;q=0.5"), None, REGISTER, bad(None)).await;
    assert_eq!(code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "email");
    assert_eq!(r["errors"][0]["message"], "email: ليس عنوان بريد إلكتروني صالحًا");
    let r = app.gql_in(Some("en"), None, REGISTER, bad(Some("fr"))).await;
    assert_eq!(r["errors"][0]["message"], "email: n'est pas une adresse e-mail valide", "the input's locale wins");
    let r = app.gql(None, REGISTER, bad(None)).await;
    assert_eq!(r["errors"][0]["message"], "email: is not a valid email address");
    // Not found, in French; a phone that is not a mobile, in Arabic.
    let r = app
        .gql_in(
            Some("fr"),
            None,
            "mutation { cancelRegistration(input: { ticketCode: \"ZZZZZ-ZZZZZ\" }) { alreadyCancelled } }",
            json!({}),
        )
        .await;
    assert_eq!((code(&r), r["errors"][0]["message"].as_str()), (Some("NOT_FOUND"), Some("Inscription introuvable")));
    let landline = json!({ "i": { "stopId": stop, "fullName": "Amina", "phone": "0522 12 34 56", "locale": "ar",
        "consents": { "smsReminders": true } } });
    let r = app.gql(None, REGISTER, landline).await;
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("phone: هذا الرقم لا يستقبل الرسائل القصيرة"), "{r}");
}
