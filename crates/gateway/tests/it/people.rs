//! Questions, consents, a participant's history and the export, through the API.

use escale_domain::entities::{notification, participant};
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::support::*;

const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { id ticketCode } } }";

async fn open_stop(app: &TestApp) -> (String, String) {
    let r = app
        .gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id registrationOpen sessions { id } } }", json!({}))
        .await;
    let stop = ok(&r)["agenda"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["registrationOpen"] == true))
        .cloned()
        .expect("an open stop");
    (stop["id"].as_str().expect("id").to_owned(), stop["sessions"][0]["id"].as_str().expect("session").to_owned())
}

async fn register(app: &TestApp, input: Value) -> Value {
    let r = app.gql(None, REGISTER, json!({ "i": input })).await;
    ok(&r)["register"]["registration"].clone()
}

#[tokio::test]
async fn questions_consents_history_and_export() {
    for t in TestDb::each("questions_consents_history_and_export").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let admin = app.token("admin@a.example", None).await;
        let door = app.token("checkin@a.example", None).await;
        let (stop, session) = open_stop(&app).await;

        // Registering with a question, and asking another one later.
        let amina = register(
            &app,
            json!({
                "stopId": stop, "fullName": "أمينة بنعلي", "email": "amina@example.ma", "phone": "06 12 34 56 78",
                "consents": { "smsReminders": true, "emailReminders": true },
                "question": { "topic": "BANKING_RELATIONS", "body": "Comment obtenir un premier crédit ?", "sessionId": session }
            }),
        )
        .await;
        let code = amina["ticketCode"].as_str().expect("code").to_owned();
        let ask = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { topic body } }";
        let r = app
            .gql(
                None,
                ask,
                json!({ "i": { "ticketCode": code, "question": { "topic": "BUDGETING", "body": "Budget annuel ?" } } }),
            )
            .await;
        assert_eq!(ok(&r)["askQuestion"]["topic"], "BUDGETING", "{name}: {r}");
        let long = "x".repeat(1001);
        let r = app
            .gql(None, ask, json!({ "i": { "ticketCode": code, "question": { "topic": "OTHER", "body": long } } }))
            .await;
        assert_eq!((code_of(&r), r["errors"][0]["extensions"]["field"].as_str()), (Some("VALIDATION"), Some("body")));
        let r = app
            .gql(
                None,
                ask,
                json!({ "i": { "ticketCode": "ZZZZZ-ZZZZZ", "question": { "topic": "OTHER", "body": "Bonjour ?" } } }),
            )
            .await;
        assert_eq!(code_of(&r), Some("NOT_FOUND"));

        // The team sees them and the counts; door staff do not.
        let q = "query($id: ID!) { node(id: $id) { ... on Stop { questions { topic body } questionCounts { topic count } } } }";
        let r = app.gql(Some(&admin), q, json!({ "id": stop })).await;
        let node = &ok(&r)["node"];
        assert_eq!(node["questions"].as_array().map(Vec::len), Some(2), "{name}: {r}");
        let counts = node["questionCounts"].as_array().expect("counts");
        assert_eq!(counts.len(), 6, "every topic listed");
        assert!(counts.contains(&json!({ "topic": "BANKING_RELATIONS", "count": 1 })), "{r}");
        assert_eq!(code_of(&app.gql(Some(&door), q, json!({ "id": stop })).await), Some("FORBIDDEN"));

        // Speakers read their session's questions through a signed link, without names.
        let r =
            app.gql(Some(&admin), "mutation($s: ID!) { speakerLink(sessionId: $s) }", json!({ "s": session })).await;
        let sig = ok(&r)["speakerLink"].as_str().expect("signature").to_owned();
        let sq = "query($s: ID!, $g: String!) { speakerQuestions(sessionId: $s, signature: $g) { sessionTitle questions { body } } }";
        let r = app.gql(None, sq, json!({ "s": session, "g": sig })).await;
        assert_eq!(ok(&r)["speakerQuestions"]["questions"], json!([{ "body": "Comment obtenir un premier crédit ?" }]));
        assert!(!r.to_string().contains("أمينة") && !r.to_string().contains("amina@"), "no names: {r}");
        let r = app.gql(None, sq, json!({ "s": session, "g": "AAAAAAAAAAAAAAAAAAAAAA" })).await;
        assert_eq!(code_of(&r), Some("NOT_FOUND"));

        // Withdrawing SMS consent suppresses the planned SMS at once.
        let w = "mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { smsRemindersSince emailRemindersSince } }";
        let r = app.gql(None, w, json!({ "i": { "ticketCode": code, "consent": "SMS_REMINDERS" } })).await;
        let consents = &ok(&r)["withdrawConsent"];
        assert!(consents["smsRemindersSince"].is_null() && consents["emailRemindersSince"].is_string(), "{r}");
        let sms = notification::Entity::find()
            .filter(notification::Column::Channel.eq("sms"))
            .all(&t.db)
            .await
            .expect("notifications");
        assert!(!sms.is_empty() && sms.iter().all(|n| n.status == notification::Status::Suppressed), "{name}: {sms:?}");
        let r = app.gql(None, w, json!({ "i": { "ticketCode": code, "consent": "SMS_REMINDERS" } })).await;
        ok(&r);

        // The same withdrawal through the signed link of her emails: the
        // participant's global id and the link's signature.
        let amina = participant::Entity::find()
            .filter(participant::Column::Email.eq("amina@example.ma"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("amina");
        let tenant = escale_domain::ids::TenantId(amina.tenant_id);
        let scope = escale_domain::tenancy::TenantScope::new(tenant);
        let purpose = escale_domain::access::links::Purpose::Unsubscribe;
        let sig = escale_domain::access::links::sign(&t.db, scope, purpose, amina.id, chrono::Utc::now())
            .await
            .expect("sign");
        let pid = escale_gateway::ids::encode("Participant", tenant, amina.id);
        let by_link =
            |sig: &str| json!({ "i": { "participantId": pid, "signature": sig, "consent": "EMAIL_REMINDERS" } });
        let r = app.gql(None, w, by_link(&sig)).await;
        assert!(ok(&r)["withdrawConsent"]["emailRemindersSince"].is_null(), "{name}: {r}");
        let r = app.gql(None, w, by_link("AAAAAAAAAAAAAAAAAAAAAA")).await;
        assert_eq!(code_of(&r), Some("NOT_FOUND"), "a forged signature: {r}");

        // The team finds her by the number as typed, with her history.
        let p = "query($c: String!) { participant(contact: $c) { fullName phone consents { smsRemindersSince } registrations { status ticketCode city } } }";
        let r = app.gql(Some(&admin), p, json!({ "c": "+212 612-345678" })).await;
        let person = &ok(&r)["participant"];
        assert_eq!(person["fullName"], "أمينة بنعلي", "{name}: {r}");
        assert_eq!(person["registrations"].as_array().map(Vec::len), Some(1));
        assert_eq!(person["registrations"][0]["ticketCode"], code.as_str());
        assert_eq!(code_of(&app.gql(Some(&door), p, json!({ "c": "amina@example.ma" })).await), Some("FORBIDDEN"));
        assert_eq!(code_of(&app.gql(Some(&admin), p, json!({ "c": "nobody@example.ma" })).await), Some("NOT_FOUND"));
        assert_eq!(code_of(&app.gql(Some(&admin), p, json!({ "c": "???" })).await), Some("VALIDATION"));

        // The export: BOM, header, names intact, formulas neutralised.
        register(&app, json!({ "stopId": stop, "fullName": "=HYPERLINK(\"x\")", "email": "f@example.ma" })).await;
        let url = format!("{}/export/stops/{stop}/registrations.csv", app.base);
        let res = app.http.get(&url).bearer_auth(&admin).send().await.expect("GET");
        assert_eq!(res.status(), 200, "{name}");
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let bytes = res.bytes().await.expect("body");
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
        let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
        let lines: Vec<_> = text.lines().collect();
        assert!(lines[0].starts_with("ticket_code,status,waitlist_position,registered_at,full_name,email,phone"));
        assert_eq!(lines.len(), 3, "{text}");
        assert!(text.contains("أمينة بنعلي") && text.contains("'+212612345678"), "{text}");
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "a formula stays text: {text}");
        assert!(text.contains("(waitlisted)") || text.contains(","), "sessions column present");
        assert_eq!(app.http.get(&url).send().await.expect("GET").status(), 401);
        assert_eq!(app.http.get(&url).bearer_auth(&door).send().await.expect("GET").status(), 403);
        let bad = format!("{}/export/stops/not-an-id/registrations.csv", app.base);
        assert_eq!(app.http.get(&bad).bearer_auth(&admin).send().await.expect("GET").status(), 400);
    }
}

fn code_of(r: &Value) -> Option<&str> {
    code(r)
}
