//! Organizers and messages through the API: reminder policies, templates
//! checked at save time, broadcasts, retries; and the unsubscribe link.

use chrono::Utc;
use escale_domain::entities::{notification, participant};
use escale_domain::messaging::outbox::{self, OutgoingMessage, SendDecision, SendOptions};
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
            "offsets": [{ "minutesBefore": 4320, "channels": ["EMAIL", "SMS"] },
                        { "minutesBefore": 30, "channels": ["SMS"], "anchor": "SESSION" }],
            "quietHours": { "start": "22:00", "end": "07:30" } } });
        assert_eq!(code(&app.gql(Some(&door), POLICY, json!({ "i": good.clone() })).await), Some("FORBIDDEN"));
        let r = app.gql(Some(&admin), POLICY, json!({ "i": good })).await;
        let payload = &ok(&r)["setReminderPolicy"];
        assert_eq!(payload["remindersPlanned"], 2, "{name}: {r}");
        assert!(payload["remindersWithdrawn"].as_u64().is_some_and(|n| n >= 1), "{name}: {r}");
        let r = app
            .gql(
                Some(&admin),
                "query($s: ID!) { stopMessaging(stopId: $s) { reminderPolicy { offsets { minutesBefore channels anchor } quietHours { start end } } counts { channel status count smsSegments } } }",
                json!({ "s": stop }),
            )
            .await;
        let messaging = &ok(&r)["stopMessaging"];
        assert_eq!(messaging["reminderPolicy"]["quietHours"], json!({ "start": "22:00", "end": "07:30" }), "{name}");
        assert_eq!(messaging["reminderPolicy"]["offsets"][0]["minutesBefore"], 4320);
        // An offset without an anchor counts from the stop; the workshop one is kept as given.
        assert_eq!(messaging["reminderPolicy"]["offsets"][0]["anchor"], "STOP", "{name}");
        assert_eq!(
            messaging["reminderPolicy"]["offsets"][1],
            json!({ "minutesBefore": 30, "channels": ["SMS"], "anchor": "SESSION" }),
            "{name}"
        );
        assert!(messaging["counts"].as_array().is_some_and(|c| !c.is_empty()), "{name}: {r}");

        // A template with a misspelt variable is refused when saved, with the reason.
        let broken =
            json!({ "kind": "REMINDER", "channel": "SMS", "locale": "fr", "bodyText": "Rappel {{ stop.vile }}" });
        let r = app.gql(Some(&admin), TEMPLATE, json!({ "i": broken })).await;
        assert_eq!(code(&r), Some("VALIDATION"), "{name}: {r}");
        assert!(
            r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("stop.vile")),
            "the variable is named: {r}"
        );
        // The workshop is a variable of workshop messages only.
        let workshop = "Atelier {{ session.title }} à {{ session.time }}";
        let misplaced = json!({ "kind": "REMINDER", "channel": "SMS", "locale": "fr", "bodyText": workshop });
        assert_eq!(code(&app.gql(Some(&admin), TEMPLATE, json!({ "i": misplaced })).await), Some("VALIDATION"));
        let placed = json!({ "kind": "SESSION_REMINDER", "channel": "SMS", "locale": "fr", "bodyText": workshop });
        ok(&app.gql(Some(&admin), TEMPLATE, json!({ "i": placed })).await);
        ok(&app
            .gql(
                Some(&admin),
                "mutation { resetMessageTemplate(kind: SESSION_REMINDER, channel: SMS, locale: \"fr\") }",
                json!({}),
            )
            .await);
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
        let huge = "query($s: ID!) { stopMessaging(stopId: $s) { failed(first: 1000000) { id } } }";
        let r = app.gql(Some(&admin), huge, json!({ "s": stop })).await;
        assert_eq!(code(&r), Some("VALIDATION"), "{name}: a page has a ceiling: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "first", "{r}");
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
        let stop = app.open_stop_id().await;
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

const WEBHOOK_SECRET: &str = "test-webhook-secret-0123456789";

async fn mark_sent(db: &escale_domain::DatabaseConnection, row: notification::Model, provider_id: &str) -> uuid::Uuid {
    let id = row.id;
    let mut active = row.into_active_model();
    active.status = Set(notification::Status::Sent);
    active.provider_message_id = Set(Some(provider_id.to_owned()));
    active.update(db).await.expect("mark sent");
    id
}

async fn status_of(db: &escale_domain::DatabaseConnection, id: uuid::Uuid) -> notification::Model {
    notification::Entity::find_by_id(id).one(db).await.expect("query").expect("row")
}

#[tokio::test]
async fn delivery_receipts_and_a_reply_stop() {
    for t in TestDb::each("delivery_receipts_and_a_reply_stop").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let off = TestApp::start(t.db.clone()).await;
        let r = off.http.post(format!("{}/sms/receipts/twilio?key=x", off.base)).send().await.expect("POST");
        assert_eq!(r.status(), 404, "{name}: webhooks off unless a secret is configured");
        let app = TestApp::start_with(
            escale_gateway::AppState::new(t.db.clone(), None).sms_webhook_secret(Some(WEBHOOK_SECRET.into())),
        )
        .await;
        let stop = app.open_stop_id().await;
        let input = json!({ "stopId": stop, "fullName": "Amina Benali", "phone": "0612345678", "consents": { "smsReminders": true } });
        ok(&app.gql(None, REGISTER, json!({ "i": input })).await);
        let sms_rows = notification::Entity::find()
            .filter(notification::Column::Channel.eq("sms"))
            .all(&t.db)
            .await
            .expect("rows");
        let confirmation =
            sms_rows.iter().find(|n| n.template_key.as_str() == "confirmation").expect("SMS confirmation").clone();
        let reminder =
            sms_rows.iter().find(|n| n.template_key.as_str() == "reminder").expect("an SMS reminder").clone();
        let n = format!("{}:{}", confirmation.tenant_id, confirmation.id);

        // Twilio-style: form body, provider id checked.
        let url = |key: &str, n: &str| format!("{}/sms/receipts/twilio?key={key}&n={n}", app.base);
        let post = |url: String, body: &'static str| {
            app.http.post(url).header("content-type", "application/x-www-form-urlencoded").body(body).send()
        };
        // The row is still pending: the receipt came too early, try again later.
        let early = post(url(WEBHOOK_SECRET, &n), "MessageSid=SM1&MessageStatus=delivered").await.expect("POST");
        assert_eq!(early.status(), 409, "{name}");
        let id = mark_sent(&t.db, confirmation, "SM1").await;
        assert_eq!(post(url("wrong", &n), "MessageSid=SM1&MessageStatus=delivered").await.expect("POST").status(), 401);
        assert_eq!(
            post(url(WEBHOOK_SECRET, "garbage"), "MessageSid=SM1&MessageStatus=delivered")
                .await
                .expect("POST")
                .status(),
            400
        );
        assert_eq!(
            post(url(WEBHOOK_SECRET, &n), "MessageSid=SM2&MessageStatus=delivered").await.expect("POST").status(),
            404,
            "{name}: another message's id"
        );
        assert_eq!(
            post(url(WEBHOOK_SECRET, &n), "MessageSid=SM1&MessageStatus=sent").await.expect("POST").status(),
            204
        );
        assert_eq!(
            status_of(&t.db, id).await.status,
            notification::Status::Sent,
            "{name}: intermediate status changes nothing"
        );
        assert_eq!(
            post(url(WEBHOOK_SECRET, &n), "MessageSid=SM1&MessageStatus=delivered").await.expect("POST").status(),
            204
        );
        let row = status_of(&t.db, id).await;
        assert_eq!(row.status, notification::Status::Delivered, "{name}");
        assert!(row.delivered_at.is_some());
        assert_eq!(
            post(url(WEBHOOK_SECRET, &n), "MessageSid=SM1&MessageStatus=failed").await.expect("POST").status(),
            204,
            "repeats are harmless"
        );
        assert_eq!(
            status_of(&t.db, id).await.status,
            notification::Status::Delivered,
            "{name}: a late receipt does not undo delivery"
        );

        // Orange-style: JSON, the message named in callbackData.
        let reminder_id = mark_sent(&t.db, reminder.clone(), "orange-1").await;
        let body = json!({ "deliveryInfoNotification": {
            "callbackData": format!("{}:{}", reminder.tenant_id, reminder.id),
            "deliveryInfo": { "address": "tel:+212612345678", "deliveryStatus": "DeliveryImpossible" } } });
        let r = app
            .http
            .post(format!("{}/sms/receipts/orange?key={WEBHOOK_SECRET}", app.base))
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), 204, "{name}");
        let row = status_of(&t.db, reminder_id).await;
        assert_eq!(row.status, notification::Status::Failed);
        assert!(row.last_error.as_deref().is_some_and(|e| e.contains("DeliveryImpossible")), "{row:?}");
        let r = app
            .http
            .post(format!("{}/sms/receipts/orange?key={WEBHOOK_SECRET}", app.base))
            .body("{")
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), 400);

        // A reply that is not STOP changes nothing; "Stop" opts the number out.
        let inbound = format!("{}/sms/inbound/twilio?key={WEBHOOK_SECRET}", app.base);
        let hello = app
            .http
            .post(&inbound)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("From=%2B212612345678&Body=Merci")
            .send()
            .await
            .expect("POST");
        assert_eq!(hello.status(), 204);
        let person = participant::Entity::find().one(&t.db).await.expect("query").expect("person");
        assert!(person.consent_sms_at.is_some(), "{name}");
        let stop_reply = app
            .http
            .post(&inbound)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("From=%2B212612345678&Body=Stop")
            .send()
            .await
            .expect("POST");
        assert_eq!(stop_reply.status(), 204, "{name}");
        let person = participant::Entity::find().one(&t.db).await.expect("query").expect("person");
        assert!(person.consent_sms_at.is_none(), "{name}: SMS consent withdrawn");
        let opted = escale_domain::entities::opt_out::Entity::find().all(&t.db).await.expect("opt-outs");
        assert_eq!(opted.len(), 1, "{name}");
        assert_eq!(
            (opted[0].channel.as_str(), opted[0].address.as_str(), opted[0].source.as_str()),
            ("sms", "+212612345678", "sms_stop")
        );
        let still_planned = notification::Entity::find()
            .filter(notification::Column::Channel.eq("sms"))
            .filter(notification::Column::Status.eq(notification::Status::Pending))
            .all(&t.db)
            .await
            .expect("rows");
        assert!(still_planned.is_empty(), "{name}: nothing left to send by SMS: {still_planned:?}");
        // Orange's inbound shape, Arabic STOP, twice: harmless.
        let body = json!({ "inboundSMSMessageNotification": { "inboundSMSMessage": { "senderAddress": "tel:+212612345678", "message": "توقف" } } });
        let r = app
            .http
            .post(format!("{}/sms/inbound/orange?key={WEBHOOK_SECRET}", app.base))
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), 204, "{name}");

        // Registering again with SMS asked for: told why none will come, in
        // her language; after a reply START, nothing blocks them any more.
        let agenda =
            app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id registrationOpen } }", json!({})).await;
        let open: Vec<String> = ok(&agenda)["agenda"]
            .as_array()
            .expect("agenda")
            .iter()
            .filter(|s| s["registrationOpen"] == true)
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        let again = |stop: String| {
            let input = json!({ "stopId": stop, "fullName": "Amina Benali", "phone": "0612345678", "locale": "fr",
                "consents": { "smsReminders": true } });
            let app = &app;
            async move {
                app.gql(
                    None,
                    "mutation($i: RegisterInput!) { register(input: $i) { smsBlocked notice } }",
                    json!({ "i": input }),
                )
                .await
            }
        };
        let r = again(open[1].clone()).await;
        assert_eq!(ok(&r)["register"]["smsBlocked"], true, "{name}: {r}");
        assert!(
            r["data"]["register"]["notice"].as_str().is_some_and(|n| n.starts_with("Ce numéro a répondu STOP")),
            "{r}"
        );
        let start = app
            .http
            .post(&inbound)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("From=%2B212612345678&Body=START")
            .send()
            .await
            .expect("POST");
        assert_eq!(start.status(), 204, "{name}");
        assert!(escale_domain::entities::opt_out::Entity::find().all(&t.db).await.expect("q").is_empty(), "{name}");
        let r = again(open[2].clone()).await;
        assert_eq!(ok(&r)["register"]["smsBlocked"], false, "{name}: {r}");
        assert!(r["data"]["register"]["notice"].is_null());
    }
}
