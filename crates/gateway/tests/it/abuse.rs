//! The attacks of the abuse review, replayed: each must now be refused
//! cheaply while real people still get through.

use escale_gateway::AppState;
use escale_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::support::*;

/// POST a body as the client at `address` (the gateway trusts the proxy header).
async fn post_from(app: &TestApp, address: &str, body: &Value) -> Value {
    app.http
        .post(format!("{}/graphql", app.base))
        .header("x-forwarded-for", address)
        .json(body)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON")
}

/// Every error code and every confirmed registration of a (batch) response.
fn tally(r: &Value, codes: &mut Vec<String>, registered: &mut usize) {
    let responses = r.as_array().cloned().unwrap_or_else(|| vec![r.clone()]);
    for one in responses {
        for e in one["errors"].as_array().into_iter().flatten() {
            codes.push(e["extensions"]["code"].as_str().unwrap_or("none").to_owned());
        }
        if let Some(data) = one["data"].as_object() {
            *registered += data.values().filter(|v| v["registration"]["id"].is_string()).count();
        }
    }
}

/// Six POSTs of ten operations of five aliased `register` calls each, from
/// one address, no token, asking SMS to +1 numbers: 300 attempts. The first
/// burst passes the limit and is refused for its numbers, the rest is
/// RATE_LIMITED, and a real person at another address is confirmed after.
#[tokio::test]
async fn a_register_flood_from_one_address_is_refused_and_a_real_person_gets_in() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start_with(AppState::new(t.db.clone(), None).trust_proxy(true)).await;
    let stop = app.open_stop_id().await;
    let started = std::time::Instant::now();
    let (mut codes, mut registered) = (Vec::new(), 0);
    for post in 0..6 {
        let batch: Vec<Value> = (0..10)
            .map(|op| {
                let calls: String = (0..5)
                    .map(|a| {
                        let n = post * 50 + op * 5 + a;
                        format!(
                            "r{a}: register(input: {{ stopId: \"{stop}\", fullName: \"Bot {n}\", phone: \"+1202555{n:04}\", \
                             consents: {{ smsReminders: true }} }}) {{ registration {{ id }} }} "
                        )
                    })
                    .collect();
                json!({ "query": format!("mutation {{ {calls} }}") })
            })
            .collect();
        tally(&post_from(&app, "203.0.113.66", &json!(batch)).await, &mut codes, &mut registered);
    }
    // The burst that passes the limit asks for SMS to +1 numbers, which this
    // organizer does not send to: refused too, so no SMS is ever planned.
    let limited = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    let refused = codes.iter().filter(|c| *c == "VALIDATION").count();
    assert_eq!(registered, 0, "{registered} of 300 got in");
    assert!(limited >= 270, "{limited} refused as RATE_LIMITED; codes: {codes:?}");
    assert_eq!(limited + refused, 300, "every attempt is limited or refused: {codes:?}");
    let sms = escale_domain::entities::notification::Entity::find()
        .filter(escale_domain::entities::notification::Column::Channel.eq("sms"))
        .count(&t.db)
        .await
        .expect("count");
    assert_eq!(sms, 0, "no SMS planned");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());

    let person = json!({
        "query": "mutation($i: RegisterInput!) { register(input: $i) { registration { status } } }",
        "variables": { "i": { "stopId": stop, "fullName": "Amina Benali", "email": "amina@example.ma" } },
    });
    let r = post_from(&app, "198.51.100.20", &person).await;
    assert_eq!(ok(&r)["register"]["registration"]["status"], "CONFIRMED", "{r}");
}

/// Guessing ticket codes through the public mutations: a few tries answer
/// NOT_FOUND, then every further guess waits, whichever mutation it uses.
#[tokio::test]
async fn ticket_code_guessing_is_throttled_per_address() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start_with(AppState::new(t.db.clone(), None).trust_proxy(true)).await;
    let mut codes = Vec::new();
    for n in 0..40 {
        let guess = format!("ABCDE-{n:05}");
        let body = if n % 2 == 0 {
            json!({ "query": "mutation($c: String!) { withdrawConsent(input: { ticketCode: $c, consent: SMS_REMINDERS }) { smsRemindersSince } }", "variables": { "c": guess } })
        } else {
            json!({ "query": "mutation($c: String!) { cancelRegistration(input: { ticketCode: $c }) { alreadyCancelled } }", "variables": { "c": guess } })
        };
        let r = post_from(&app, "203.0.113.67", &body).await;
        codes.push(code(&r).unwrap_or("none").to_owned());
    }
    let limited = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!(limited, 20, "twenty guesses, then waits: {codes:?}");
    assert!(codes[..20].iter().all(|c| c != "RATE_LIMITED"), "{codes:?}");
    let r = post_from(&app, "203.0.113.67", &json!({ "query": "mutation { withdrawConsent(input: { ticketCode: \"ABCDE-12345\", consent: SMS_REMINDERS }) { smsRemindersSince } }" })).await;
    assert!(r["errors"][0]["extensions"]["retryAfter"].as_u64().is_some_and(|s| s >= 1), "{r}");
    // Someone else is not affected.
    let r = post_from(&app, "198.51.100.21", &json!({ "query": "mutation { withdrawConsent(input: { ticketCode: \"ABCDE-12345\", consent: SMS_REMINDERS }) { smsRemindersSince } }" })).await;
    assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");
}

/// Wrong passwords from one address do not lock the owner out from another.
#[tokio::test]
async fn a_stranger_cannot_lock_an_owner_out() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start_with(AppState::new(t.db.clone(), None).trust_proxy(true)).await;
    let login = |password: &str| {
        json!({
            "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
            "variables": { "i": { "email": "owner@a.example", "password": password } },
        })
    };
    let mut codes = Vec::new();
    for _ in 0..25 {
        codes.push(
            code(&post_from(&app, "203.0.113.68", &login("not the password")).await).unwrap_or("none").to_owned(),
        );
    }
    assert!(codes[..10].iter().all(|c| c == "UNAUTHENTICATED"), "{codes:?}");
    assert!(codes[10..].iter().all(|c| c == "RATE_LIMITED"), "{codes:?}");
    let r = post_from(&app, "198.51.100.22", &login(PASSWORD)).await;
    assert!(ok(&r)["login"]["token"].is_string(), "{r}");
    let r = post_from(&app, "203.0.113.68", &login(PASSWORD)).await;
    assert_eq!(code(&r), Some("RATE_LIMITED"), "the guessing address waits, even with the right password: {r}");
}

/// The nested-loop template of the review is refused at save in well under a
/// second, with the reason, while another request answers at once; a loop
/// that gets past the language is stopped by its fuel.
#[tokio::test]
async fn a_runaway_template_is_refused_at_save_and_holds_nobody_up() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let owner = app.token("owner@a.example", None).await;
    let save = "mutation($i: SaveTemplateInput!) { saveMessageTemplate(input: $i) { kind } }";
    let nested = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}";
    let letters = "x".repeat(2000);
    let fuelled = format!("{{% for a in \"{letters}\" %}}{{% for b in \"{letters}\" %}}x{{% endfor %}}{{% endfor %}}");
    for (body, reason) in [(nested.to_owned(), "range()"), (fuelled, "more work than a message may")] {
        let input = json!({ "i": { "kind": "REMINDER", "channel": "SMS", "locale": "fr", "bodyText": body } });
        let started = std::time::Instant::now();
        let (saved, typename) =
            tokio::join!(app.gql(Some(&owner), save, input), app.gql(None, "{ __typename }", json!({})));
        assert_eq!(code(&saved), Some("VALIDATION"), "{saved}");
        let message = saved["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{message}");
        assert_eq!(ok(&typename)["__typename"], "Query");
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }
}

/// A production gateway describes itself to nobody: no introspection, no
/// explorer, no metrics without the token. `escale serve`'s explorer works
/// without internet: the page loads nothing from elsewhere.
#[tokio::test]
async fn a_production_gateway_keeps_its_schema_and_metrics_to_itself() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let token = "metrics-token-of-twenty-four-chars";
    let state = AppState::new(t.db.clone(), None)
        .explorer(false)
        .metrics_access(escale_gateway::MetricsAccess::Token(token.into()));
    let app = TestApp::start_with(state).await;
    let r = app.gql(None, "{ __schema { types { name } } }", json!({})).await;
    assert!(r["data"]["__schema"].is_null(), "introspection answers nothing: {r}");
    let r = app.gql(None, "{ __type(name: \"Query\") { fields { name } } }", json!({})).await;
    assert!(r["data"]["__type"].is_null(), "{r}");
    ok(&app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { city } }", json!({})).await);

    let page = app.http.get(format!("{}/graphql", app.base)).send().await.expect("GET");
    assert_eq!(page.status().as_u16(), 404);
    let body: Value = page.json().await.expect("JSON");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("ESCALE_GRAPHQL_EXPLORER")), "{body}");

    let metrics = |bearer: Option<&str>| {
        let mut req = app.http.get(format!("{}/metrics", app.base));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        req.send()
    };
    assert_eq!(metrics(None).await.expect("GET").status().as_u16(), 404);
    assert_eq!(metrics(Some("metrics-token-of-twenty-four-charX")).await.expect("GET").status().as_u16(), 404);
    let scraped = metrics(Some(token)).await.expect("GET");
    assert_eq!(scraped.status().as_u16(), 200);

    let dev = TestApp::start(t.db.clone()).await;
    let page = dev.http.get(format!("{}/graphql", dev.base)).send().await.expect("GET");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("text");
    assert!(html.contains("Escale GraphQL") && html.contains("__schema"), "the explorer with its docs");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("import("),
        "nothing from elsewhere"
    );
    ok(&dev.gql(None, "{ __schema { queryType { name } } }", json!({})).await);
}

/// SMS pumping: +1 numbers asking for SMS are refused at registration with a
/// reason the person can act on; the organizer sets where SMS may go.
#[tokio::test]
async fn sms_to_other_countries_are_refused_and_the_organizer_sets_them() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let stop = app.open_stop_id().await;
    let register = |phone: &str, sms: bool| json!({ "i": { "stopId": stop, "fullName": "Pump Bot", "phone": phone, "consents": { "smsReminders": sms } } });
    let q = "mutation($i: RegisterInput!) { register(input: $i) { registration { status } } }";
    let r = app.gql(None, q, register("+1 202 555 0123", true)).await;
    assert_eq!(code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "phone", "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("MA") && m.contains("US")), "{r}");

    let staff = app.token("staff@a.example", None).await;
    let admin = app.token("admin@a.example", None).await;
    let set = "mutation($i: SmsLimitsInput!) { setSmsLimits(input: $i) { countries dailyCap perNumberDailyCap } }";
    let limits =
        |countries: Vec<&str>| json!({ "i": { "countries": countries, "dailyCap": 500, "perNumberDailyCap": 5 } });
    assert_eq!(code(&app.gql(Some(&staff), set, limits(vec!["MA", "US"])).await), Some("FORBIDDEN"));
    let r = app.gql(Some(&admin), set, limits(vec!["Morocco"])).await;
    assert_eq!(code(&r), Some("VALIDATION"), "{r}");
    let r = app.gql(Some(&admin), set, limits(vec!["us", "MA"])).await;
    assert_eq!(ok(&r)["setSmsLimits"], json!({ "countries": ["MA", "US"], "dailyCap": 500, "perNumberDailyCap": 5 }));
    let r = app.gql(None, q, register("+1 202 555 0123", true)).await;
    assert_eq!(ok(&r)["register"]["registration"]["status"], "CONFIRMED", "{r}");
}
