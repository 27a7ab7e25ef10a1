//! `escale serve` with no configuration at all.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_newcomer_runs_one_command_and_a_registration_lands_as_an_eml_file() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().join("escale-data");
    let server = Server::start(escale(&[
        "serve",
        "--data-dir",
        data_dir.to_str().expect("utf-8 path"),
        "--listen",
        "127.0.0.1:0",
    ]))
    .await;

    let agenda = server.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    assert!(agenda["errors"].is_null(), "{agenda}");
    let stops = agenda["data"]["agenda"].as_array().expect("stops");
    assert_eq!(stops.len(), 6, "three 2019 stops and three of the next edition");

    // The 2019 final stop: 23 November 2019, 09:00 in Casablanca (UTC+1), closed.
    let casa_2019 = stops
        .iter()
        .find(|s| s["city"] == "Casablanca" && s["edition"]["year"] == 2019)
        .expect("the 2019 Casablanca stop");
    assert_eq!(casa_2019["startsAt"], "2019-11-23T08:00:00+00:00");
    assert_eq!(casa_2019["localStartsAt"], "2019-11-23T09:00:00+01:00");
    assert_eq!(casa_2019["timeZone"], "Africa/Casablanca");
    assert_eq!(casa_2019["registrationOpen"], false);
    let topics: Vec<&str> = casa_2019["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .flat_map(|s| s["topics"].as_array().expect("topics").iter().filter_map(|t| t.as_str()))
        .collect();
    assert!(topics.contains(&"DIGITAL_MARKETING") && topics.contains(&"FINANCIAL_EDUCATION"), "{topics:?}");

    let refused = server
        .graphql(
            REGISTER,
            json!({ "input": { "stopId": casa_2019["id"], "fullName": "Late Comer", "email": "late@example.ma" } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("CONFLICT"), "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["reason"], "REGISTRATION_CLOSED");

    let open = open_stop(&agenda);
    assert_eq!(open["edition"]["number"], 6);
    let capacity = open["capacity"].as_i64().expect("capacity");
    assert!((150..=600).contains(&capacity), "{capacity}");
    let registered = server
        .graphql(
            REGISTER,
            json!({ "input": {
                "stopId": open["id"], "fullName": "Amina Benali", "email": "amina.benali@example.ma",
                "phone": "06 12 34 56 78", "locale": "fr", "sessionIds": [open["sessions"][0]["id"]],
                "consents": { "emailReminders": true, "smsReminders": true }
            } }),
        )
        .await;
    assert!(registered["errors"].is_null(), "{registered}");
    let registration = &registered["data"]["register"]["registration"];
    assert_eq!(registration["status"], "CONFIRMED");
    assert!(registration["id"].as_str().is_some_and(|id| !id.is_empty()));
    let ticket = registration["ticketCode"].as_str().expect("ticket code").to_owned();
    assert_eq!(ticket.len(), 11, "{ticket}");

    let mail_dir = data_dir.join("outbox").join("mail");
    let files = wait_for_file(&mail_dir, Duration::from_secs(10)).await;
    assert_eq!(files.len(), 1, "one .eml in {}", mail_dir.display());
    let eml = std::fs::read_to_string(&files[0]).expect("read .eml");
    assert!(eml.contains("To: amina.benali@example.ma"), "{eml}");
    assert!(eml.contains("Subject: Inscription"), "{eml}");
    assert!(eml.contains(&ticket), "the entry code is in the email");
    assert!(eml.contains("Content-Type: text/html"), "multipart with HTML");
    // The ticket's QR code travels inline with the HTML that shows it.
    assert!(eml.contains("Content-Type: multipart/related"), "{eml}");
    assert!(eml.contains("Content-ID: <ticket-qr>") && eml.contains("image/png"), "inline QR image");
    assert!(eml.contains("cid:ticket-qr"), "the HTML refers to the inline image");
    // The stop for the calendar, and a one-click unsubscribe that works.
    assert!(eml.contains("Content-Type: text/calendar") && eml.contains("escale.ics"), "{eml}");
    assert!(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{eml}");
    let unsubscribe = eml
        .split("List-Unsubscribe: <")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .map(|u| u.split_whitespace().collect::<String>())
        .expect("a List-Unsubscribe header");
    assert!(unsubscribe.starts_with(&format!("{}/unsubscribe?", server.base)), "{unsubscribe}");
    let done = server
        .http
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one-click unsubscribe");
    assert_eq!(done.status(), 200);

    let sms = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(text) = std::fs::read_to_string(data_dir.join("outbox").join("sms").join("outbox.jsonl")) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("an SMS in the outbox");
    let line: serde_json::Value = serde_json::from_str(sms.lines().next().expect("a line")).expect("JSON line");
    assert_eq!(line["to"], "+212612345678");
    assert!(line["text"].as_str().expect("text").contains(&ticket));

    let status = server.stop().await;
    assert!(status.success(), "serve exits 0 on SIGTERM: {status:?}");
}

#[tokio::test]
async fn bad_requests_get_clear_errors_never_a_500() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(escale(&[
        "serve",
        "--data-dir",
        data.path().to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ]))
    .await;
    let agenda = server.graphql(AGENDA, json!({ "tenant": TENANT })).await;
    let open = open_stop(&agenda).clone();

    let cases = [
        (json!({ "stopId": open["id"], "fullName": "A B", "email": "not-an-email" }), "VALIDATION", Some("email")),
        (json!({ "stopId": open["id"], "fullName": "A B", "phone": "12" }), "VALIDATION", Some("phone")),
        (json!({ "stopId": open["id"], "fullName": "A B" }), "VALIDATION", Some("email")),
        (json!({ "stopId": "garbage", "fullName": "A B", "email": "a@example.ma" }), "VALIDATION", Some("stopId")),
        (json!({ "stopId": open["sessions"][0]["id"], "fullName": "A B", "email": "a@example.ma" }), "NOT_FOUND", None),
    ];
    for (input, code, field) in cases {
        let r = server.graphql(REGISTER, json!({ "input": input })).await;
        assert_eq!(error_code(&r), Some(code), "{input}: {r}");
        if let Some(field) = field {
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
        }
    }
    let unknown_tenant = server.graphql(AGENDA, json!({ "tenant": "nobody" })).await;
    assert_eq!(error_code(&unknown_tenant), Some("NOT_FOUND"));

    let syntax = server.graphql("{ agenda(tenant: ", json!({})).await;
    assert_eq!(error_code(&syntax), Some("GRAPHQL_PARSE_FAILED"), "{syntax}");
    let unknown_field = server.graphql("{ agenda(tenant: \"x\") { nope } }", json!({})).await;
    assert_eq!(error_code(&unknown_field), Some("GRAPHQL_VALIDATION_FAILED"), "{unknown_field}");

    let url = format!("{}/graphql", server.base);
    let not_json =
        server.http.post(&url).header("content-type", "application/json").body("{not json").send().await.expect("send");
    assert_eq!(not_json.status(), 400);
    let body: serde_json::Value = not_json.json().await.expect("GraphQL-shaped error");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));

    let huge = server
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(vec![b' '; 200_000])
        .send()
        .await
        .expect("send");
    assert_eq!(huge.status(), 413);

    let too_deep_query = format!(
        "query {{ __schema {{ types {} }} }}",
        "{ fields { type { ofType ".repeat(6) + "{ name }" + " } } }".repeat(6).as_str()
    );
    let too_deep = server.graphql(&too_deep_query, json!({})).await;
    assert_eq!(error_code(&too_deep), Some("GRAPHQL_VALIDATION_FAILED"), "{too_deep}");

    assert_eq!(server.http.get(format!("{}/healthz", server.base)).send().await.expect("healthz").status(), 200);
    assert_eq!(server.http.get(format!("{}/readyz", server.base)).send().await.expect("readyz").status(), 200);
    assert!(server.stop().await.success());
}
