//! Organizers and messages through the API: reminder policies, templates
//! checked at save time, broadcasts, retries; and the unsubscribe link.

use chrono::Utc;
use escale_domain::entities::{notification, participant};
use escale_domain::outbox::{self, OutgoingMessage, SendDecision, SendOptions};
use escale_domain::tenancy::TenantScope;
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::json;

use crate::support::*;

const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { id status } } }";
const POLICY: &str =
    "mutation($i: SetReminderPolicyInput!) { setReminderPolicy(input: $i) { remindersPlanned remindersWithdrawn } }";
const TEMPLATE: &str = "mutation($i: SaveTemplateInput!) { saveMessageTemplate(input: $i) { kind channel locale } }";
const BROADCAST: &str = "mutation($i: BroadcastInput!) { broadcast(input: $i) { planned unreachable } }";

#[tokio::test]
async fn policies_templates_broadcasts_and_retries() {
    for t in TestDb::each("policies_templates_broadcasts_and_retries").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let admin = app.token("admin@a.example", None).await;
        let door = app.token("checkin@a.example", None).await;
        let agenda = app
            .gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id registrationOpen edition { id } } }", json!({}))
            .await;
        let open = ok(&agenda)["agenda"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["registrationOpen"] == true))
            .expect("an open stop")
            .clone();
        let stop = open["id"].as_str().expect("id").to_owned();
        let edition = open["edition"]["id"].as_str().expect("edition id").to_owned();
        let input = json!({
            "stopId": stop, "fullName": "Amina Benali", "email": "amina@example.ma", "phone": "0612345678",
            "consents": { "emailReminders": true, "smsReminders": true },
        });
        ok(&app.gql(None, REGISTER, json!({ "i": input })).await);

        // A bad time of day and a bad target are validation errors naming the field.
        let bad = json!({ "editionId": edition, "policy": { "offsets": [], "quietHours": { "start": "25:00", "end": "08:00" } } });
        let r = app.gql(Some(&admin), POLICY, json!({ "i": bad })).await;
        assert_eq!(code(&r), Some("VALIDATION"), "{name}: {r}");
        let both = json!({ "editionId": edition, "stopId": stop, "policy": null });
        assert_eq!(code(&app.gql(Some(&admin), POLICY, json!({ "i": both })).await), Some("VALIDATION"));
        // Door staff cannot change what participants are sent.
        let good = json!({ "editionId": edition, "policy": {
            "offsets": [{ "minutesBefore": 4320, "channels": ["EMAIL", "SMS"] }],
            "quietHours": { "start": "22:00", "end": "07:30" } } });
        assert_eq!(code(&app.gql(Some(&door), POLICY, json!({ "i": good.clone() })).await), Some("FORBIDDEN"));
        let r = app.gql(Some(&admin), POLICY, json!({ "i": good })).await;
        let payload = &ok(&r)["setReminderPolicy"];
        assert_eq!(payload["remindersPlanned"], 2, "{name}: {r}");
        assert!(payload["remindersWithdrawn"].as_u64().is_some_and(|n| n >= 1), "{name}: {r}");
        let r = app
            .gql(
                Some(&admin),
                "query($s: ID!) { stopMessaging(stopId: $s) { reminderPolicy { offsets { minutesBefore channels } quietHours { start end } } counts { channel status count smsSegments } } }",
                json!({ "s": stop }),
            )
            .await;
        let messaging = &ok(&r)["stopMessaging"];
        assert_eq!(messaging["reminderPolicy"]["quietHours"], json!({ "start": "22:00", "end": "07:30" }), "{name}");
        assert_eq!(messaging["reminderPolicy"]["offsets"][0]["minutesBefore"], 4320);
        assert!(messaging["counts"].as_array().is_some_and(|c| !c.is_empty()), "{name}: {r}");

        // A template with a misspelt variable is refused when saved, with the reason.
        let broken =
            json!({ "kind": "REMINDER", "channel": "SMS", "locale": "fr", "bodyText": "Rappel {{ stop.vile }}" });
        let r = app.gql(Some(&admin), TEMPLATE, json!({ "i": broken })).await;
        assert_eq!(code(&r), Some("VALIDATION"), "{name}: {r}");
        assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("undefined")), "{r}");
        let fine = json!({ "kind": "REMINDER", "channel": "SMS", "locale": "fr", "bodyText": "Rappel {{ stop.city }} {{ stop.time }}" });
        ok(&app.gql(Some(&admin), TEMPLATE, json!({ "i": fine })).await);
        let r = app.gql(Some(&admin), "{ messageTemplates { kind channel locale } }", json!({})).await;
        assert_eq!(ok(&r)["messageTemplates"], json!([{ "kind": "REMINDER", "channel": "SMS", "locale": "fr" }]));

        // Broadcast: planned per consenting person and channel.
        let b = json!({ "stopId": stop, "subject": "Salle changée", "body": "Rendez-vous en salle Atlas.", "channels": ["EMAIL", "SMS"], "urgent": true });
        let r = app.gql(Some(&admin), BROADCAST, json!({ "i": b })).await;
        assert_eq!(ok(&r)["broadcast"], json!({ "planned": 2, "unreachable": 0 }), "{name}");
        let empty = json!({ "stopId": stop, "subject": " ", "body": "x", "channels": ["EMAIL"] });
        assert_eq!(code(&app.gql(Some(&admin), BROADCAST, json!({ "i": empty })).await), Some("VALIDATION"));

        // A failed message is listed with its reason and can be sent again.
        let failed_row = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("broadcast"))
            .filter(notification::Column::Channel.eq("sms"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("broadcast SMS");
        let mut row = failed_row.into_active_model();
        row.status = Set(notification::Status::Failed);
        row.last_error = Set(Some("provider said: invalid number".into()));
        row.update(&t.db).await.expect("fail it");
        let r = app
            .gql(
                Some(&admin),
                "query($s: ID!) { stopMessaging(stopId: $s) { failed { id reason kind channel } } }",
                json!({ "s": stop }),
            )
            .await;
        let failed = ok(&r)["stopMessaging"]["failed"].as_array().cloned().unwrap_or_default();
        assert_eq!(failed.len(), 1, "{name}: {r}");
        assert_eq!(failed[0]["reason"], "provider said: invalid number");
        assert_eq!(failed[0]["kind"], "BROADCAST");
        let retry = "mutation($ids: [ID!]!) { retryMessages(ids: $ids) }";
        let r = app.gql(Some(&admin), retry, json!({ "ids": [failed[0]["id"]] })).await;
        assert_eq!(ok(&r)["retryMessages"], 1, "{name}: {r}");
        // Retrying again: nothing failed any more.
        assert_eq!(code(&app.gql(Some(&admin), retry, json!({ "ids": [failed[0]["id"]] })).await), Some("NOT_FOUND"));
        assert_eq!(code(&app.gql(Some(&admin), retry, json!({ "ids": ["garbage"] })).await), Some("VALIDATION"));
    }
}

#[tokio::test]
async fn the_unsubscribe_link_shows_a_page_then_withdraws_on_post() {
    for t in TestDb::each("the_unsubscribe_link_shows_a_page_then_withdraws_on_post").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let agenda =
            app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id registrationOpen } }", json!({})).await;
        let stop = ok(&agenda)["agenda"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["registrationOpen"] == true))
            .and_then(|s| s["id"].as_str())
            .expect("an open stop")
            .to_owned();
        let input = json!({ "stopId": stop, "fullName": "Amina Benali", "email": "amina@example.ma", "consents": { "emailReminders": true } });
        ok(&app.gql(None, REGISTER, json!({ "i": input })).await);

        // The confirmation email carries the link (and List-Unsubscribe) when the public URL is known.
        let base = url::Url::parse(&format!("{}/", app.base)).expect("base");
        let confirmation = notification::Entity::find()
            .filter(notification::Column::TemplateKey.eq("confirmation"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("confirmation");
        let scope = TenantScope::new(escale_domain::ids::TenantId(confirmation.tenant_id));
        outbox::claim_due(&t.db, Utc::now(), 100).await.expect("claim");
        let options = SendOptions { public_url: Some(base) };
        let decision = outbox::start_sending(
            &t.db,
            scope,
            escale_domain::ids::NotificationId(confirmation.id),
            &options,
            Utc::now(),
        )
        .await
        .expect("decide");
        let SendDecision::Send(out) = decision else { panic!("{name}: {decision:?}") };
        let OutgoingMessage::Email(mail) = &out.message else { panic!("email") };
        let link = mail.unsubscribe_url.clone().expect("link");

        let page = app.http.get(&link).send().await.expect("GET");
        assert_eq!(page.status(), 200, "{name}");
        let html = page.text().await.expect("body");
        assert!(html.contains("<form method=\"post\">"), "{html}");
        let person = participant::Entity::find().one(&t.db).await.expect("query").expect("person");
        assert!(person.consent_email_at.is_some(), "{name}: a GET (a mail scanner) unsubscribes nobody");

        // A forged signature is refused; a one-click POST withdraws.
        let forged = link.replace("&s=", "&s=AAAA");
        assert_eq!(app.http.post(&forged).send().await.expect("POST").status(), 404, "{name}");
        let r = app
            .http
            .post(&link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), 200, "{name}");
        let person = participant::Entity::find().one(&t.db).await.expect("query").expect("person");
        assert!(person.consent_email_at.is_none(), "{name}: withdrawn");
        assert_eq!(app.http.get(format!("{}/unsubscribe?t=x", app.base)).send().await.expect("GET").status(), 404);
    }
}
