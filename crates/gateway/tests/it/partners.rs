//! Partners through their API keys: the scope matrix, stops they do not back,
//! consent, the small-group threshold, dead keys, the access log, persisted
//! queries, the cost limit and the rate limit — and that nobody's contact
//! leaks who did not agree to share it.

use std::time::Duration;

use chrono::Utc;
use escale_domain::entities::api_key;
use escale_domain::ids::TenantId;
use escale_gateway::AppState;
use escale_gateway::limits::{Bucket, Limits, Quota, Quotas};
use escale_testkit::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::{Value, json};
use sha2::Digest;

use crate::support::*;

const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { id status ticketCode } } }";
const CREATE_KEY: &str =
    "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret key { id prefix scopes status } } }";
const STOPS: &str = "query Stops { partnerAccess { partner { name } scopes stops { id city } } }";
const AGENDA: &str = "query Agenda($s: ID!) { partnerAccess { stop(id: $s) { agenda { venue sessions { title } } } } }";
const STATS: &str = "query Stats($s: ID!) { partnerAccess { stop(id: $s) { stats { registrations confirmed checkedIn \
                     segments { groups { key count } suppressed } regions { groups { key count } suppressed } \
                     questions { groups { key count } suppressed } minGroup } } } }";
const LEADS: &str = "query Leads($s: ID!, $after: String) { partnerAccess { stop(id: $s) { leads(first: 5, after: $after) { \
                     totalCount pageInfo { hasNextPage endCursor } edges { node { fullName company email phone segment locale consentedAt } } } } } }";

/// The participant who never agreed to share anything with partners.
const PRIVATE_EMAIL: &str = "ne.pas.partager@example.ma";
const PRIVATE_PHONE_TYPED: &str = "0698765432";
const PRIVATE_PHONE_E164: &str = "+212698765432";

async fn raw(app: &TestApp, token: &str, query: &str, variables: Value) -> (u16, String) {
    let r = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("POST /graphql");
    (r.status().as_u16(), r.text().await.expect("body"))
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn create_key(app: &TestApp, token: &str, input: Value) -> (String, String) {
    let r = app.gql(Some(token), CREATE_KEY, json!({ "i": input })).await;
    let created = &ok(&r)["createApiKey"];
    (created["secret"].as_str().expect("secret").to_owned(), created["key"]["id"].as_str().expect("id").to_owned())
}

/// A partner backing only `stop`, and the stop's registrations: 7 TPE, 5
/// micro-enterprises, 2 auto-entrepreneurs; all but the private one share.
async fn fixture(app: &TestApp, admin: &str) -> (String, String, String) {
    let stop = app.open_stop_id().await;
    let r = app
        .gql(
            Some(admin),
            "mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id } }",
            json!({ "i": { "name": "Banque Régionale Test", "kind": "BANK" } }),
        )
        .await;
    let partner = ok(&r)["createPartner"]["id"].as_str().expect("partner id").to_owned();
    let r = app
        .gql(
            Some(admin),
            "mutation($i: SetPartnershipInput!) { setPartnership(input: $i) { id } }",
            json!({ "i": { "partnerId": partner, "stopId": stop, "tier": "OFFICIAL" } }),
        )
        .await;
    ok(&r);
    let mut withdrawing = String::new();
    let segments = [("tpe", 7), ("micro_enterprise", 5), ("auto_entrepreneur", 2)];
    let mut n = 0;
    for (segment, count) in segments {
        for _ in 0..count {
            n += 1;
            let private = n == 1;
            let (email, phone) = if private {
                (PRIVATE_EMAIL.to_owned(), PRIVATE_PHONE_TYPED.to_owned())
            } else {
                (format!("lead{n}@example.ma"), format!("06110000{n:02}"))
            };
            let input = json!({
                "stopId": stop, "fullName": format!("Participant {n}"), "email": email, "phone": phone,
                "segment": segment, "region": "Béni Mellal-Khénifra", "company": format!("Société {n}"),
                "consents": { "shareWithPartners": !private },
            });
            let r = app.gql(None, REGISTER, json!({ "i": input })).await;
            let reg = &ok(&r)["register"]["registration"];
            if n == 2 {
                withdrawing = reg["ticketCode"].as_str().expect("ticket").to_owned();
            }
        }
    }
    (stop, partner, withdrawing)
}

#[tokio::test]
async fn partner_keys_see_what_their_scopes_and_partnerships_allow() {
    for t in TestDb::each("partner_keys_see_what_their_scopes_and_partnerships_allow").await {
        let name = t.backend_name();
        demo_with_roles(&t.db).await;
        let app = TestApp::start(t.db.clone()).await;
        let admin = app.token("admin@a.example", None).await;
        let staff = app.token("staff@a.example", None).await;
        let (stop, partner, withdrawing) = fixture(&app, &admin).await;
        let mut bodies = Vec::new();

        // Who may create which key.
        let all = json!({ "name": "CRM", "partnerId": partner, "scopes": ["agenda:read", "stats:read", "leads:read"] });
        let r = app.gql(Some(&staff), CREATE_KEY, json!({ "i": all.clone() })).await;
        assert_eq!(code(&r), Some("FORBIDDEN"), "{name}: staff cannot mint keys: {r}");
        for bad in [
            json!({ "name": "x", "partnerId": partner, "scopes": ["registrations:read"] }),
            json!({ "name": "x", "scopes": ["leads:read"] }),
            json!({ "name": "x", "scopes": ["apikeys:manage"] }),
            json!({ "name": "x", "partnerId": partner, "scopes": [] }),
            json!({ "name": "x", "partnerId": partner, "scopes": ["everything"] }),
            json!({ "name": "", "partnerId": partner, "scopes": ["stats:read"] }),
            json!({ "name": "x", "partnerId": partner, "scopes": ["stats:read"], "expiresAt": "2020-01-01T00:00:00Z" }),
        ] {
            let r = app.gql(Some(&admin), CREATE_KEY, json!({ "i": bad.clone() })).await;
            assert_eq!(code(&r), Some("VALIDATION"), "{name}: {bad} → {r}");
        }
        let foreign = escale_gateway::ids::encode("Partner", TenantId(uuid::Uuid::now_v7()), uuid::Uuid::now_v7());
        let r = app
            .gql(
                Some(&admin),
                CREATE_KEY,
                json!({ "i": { "name": "x", "partnerId": foreign, "scopes": ["stats:read"] } }),
            )
            .await;
        assert_eq!(code(&r), Some("NOT_FOUND"), "{name}: another organizer's partner: {r}");

        let (full, full_id) = create_key(&app, &admin, all).await;
        assert!(full.starts_with("esk_live_"), "{full}");
        let mut keys = Vec::new();
        for scope in ["agenda:read", "stats:read", "leads:read"] {
            let input = json!({ "name": scope, "partnerId": partner, "scopes": [scope] });
            keys.push((scope, create_key(&app, &admin, input).await.0));
        }

        // The scope matrix: every key lists its stops; each field group needs its scope.
        for (scope, key) in &keys {
            let (_, body) = raw(&app, key, STOPS, json!({})).await;
            let r = parse(&body);
            let stops = ok(&r)["partnerAccess"]["stops"].as_array().expect("stops").clone();
            assert_eq!(stops.len(), 1, "{name}/{scope}: only the partnered stop: {r}");
            assert_eq!(stops[0]["id"], json!(stop));
            for (field_scope, query) in [("agenda:read", AGENDA), ("stats:read", STATS), ("leads:read", LEADS)] {
                let (_, body) = raw(&app, key, query, json!({ "s": stop })).await;
                let r = parse(&body);
                if field_scope == *scope {
                    assert!(r["errors"].is_null(), "{name}: {scope} reads its group: {r}");
                } else {
                    assert_eq!(code(&r), Some("FORBIDDEN"), "{name}: {scope} must not read {field_scope}: {r}");
                }
                bodies.push(body);
            }
        }
        // A partner key is not an organizer, and an organizer's login is not a partner.
        let (_, body) = raw(&app, &full, "{ apiKeys { id } }", json!({})).await;
        assert_eq!(code(&parse(&body)), Some("FORBIDDEN"), "{name}: {body}");
        let r = app.gql(Some(&admin), STOPS, json!({})).await;
        assert_eq!(code(&r), Some("FORBIDDEN"), "{name}: {r}");
        let r = app.gql(Some(&staff), "{ apiKeys { id } }", json!({})).await;
        assert_eq!(code(&r), Some("FORBIDDEN"), "{name}: staff cannot list keys: {r}");

        // Stops the partner does not back, and other organizers' stops: NOT_FOUND.
        let agenda = app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id } }", json!({})).await;
        let other = ok(&agenda)["agenda"]
            .as_array()
            .and_then(|a| a.iter().filter_map(|s| s["id"].as_str()).find(|id| *id != stop))
            .expect("another stop")
            .to_owned();
        let foreign_stop = escale_gateway::ids::encode("Stop", TenantId(uuid::Uuid::now_v7()), uuid::Uuid::now_v7());
        for s in [&other, &foreign_stop] {
            for query in [AGENDA, STATS, LEADS] {
                let (_, body) = raw(&app, &full, query, json!({ "s": s })).await;
                assert_eq!(code(&parse(&body)), Some("NOT_FOUND"), "{name}: {body}");
                bodies.push(body);
            }
        }

        // Aggregates: 14 registered; no group under 5 shows.
        let (_, body) = raw(&app, &full, STATS, json!({ "s": stop })).await;
        let r = parse(&body);
        let stats = &ok(&r)["partnerAccess"]["stop"]["stats"];
        assert_eq!(stats["registrations"], 14, "{name}: {stats}");
        assert_eq!(stats["minGroup"], 5);
        let segments = &stats["segments"];
        // tpe 7 shows; auto-entrepreneurs (2) hide, and take micro (5) with
        // them so that 2 cannot be read off the total.
        assert_eq!(segments["groups"], json!([{ "key": "tpe", "count": 7 }]), "{name}: {segments}");
        assert_eq!(segments["suppressed"], 7);
        assert_eq!(stats["regions"]["groups"], json!([{ "key": "Béni Mellal-Khénifra", "count": 14 }]));
        for breakdown in ["segments", "regions", "questions"] {
            for g in stats[breakdown]["groups"].as_array().expect("groups") {
                assert!(g["count"].as_u64().is_some_and(|n| n >= 5), "{name}: {breakdown} shows {g}");
            }
        }
        bodies.push(body);

        // Leads: 13 consented, in pages of 5 following the cursors.
        let leads = |after: Option<String>| {
            let app = &app;
            let full = full.clone();
            let stop = stop.clone();
            async move { raw(app, &full, LEADS, json!({ "s": stop, "after": after })).await.1 }
        };
        let mut after = None;
        let mut seen = Vec::new();
        loop {
            let body = leads(after.clone()).await;
            let r = parse(&body);
            let conn = &ok(&r)["partnerAccess"]["stop"]["leads"];
            assert_eq!(conn["totalCount"], 13, "{name}: {conn}");
            for e in conn["edges"].as_array().expect("edges") {
                seen.push(e["node"]["email"].as_str().expect("email").to_owned());
                assert!(e["node"]["phone"].as_str().is_some_and(|p| p.starts_with("+212")), "{name}: E.164: {e}");
            }
            bodies.push(body);
            if conn["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen.len(), 13, "{name}: {seen:?}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 13, "{name}: no lead twice across pages");

        // A withdrawal hides the lead on the very next request.
        let r = app
            .gql(
                None,
                "mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { partnerSharingSince } }",
                json!({ "i": { "consent": "PARTNER_SHARING", "ticketCode": withdrawing } }),
            )
            .await;
        ok(&r);
        let body = leads(None).await;
        let r = parse(&body);
        assert_eq!(r["data"]["partnerAccess"]["stop"]["leads"]["totalCount"], 12, "{name}: {r}");
        assert!(!body.contains("lead2@example.ma"), "{name}: a withdrawn lead is gone");
        bodies.push(body);

        // Nobody's contact who did not consent, in any answer a partner got.
        for body in &bodies {
            for secret in [PRIVATE_EMAIL, PRIVATE_PHONE_E164, PRIVATE_PHONE_TYPED, "698765432"] {
                assert!(!body.contains(secret), "{name}: {secret} leaked to a partner: {body}");
            }
        }

        // The access log: one row per request, the leads it returned counted.
        let r = app
            .gql(
                Some(&admin),
                "query($k: ID) { apiRequests(keyId: $k, first: 100) { totalCount edges { node { operation leadsReturned objectsReturned outcome keyId } } } }",
                json!({ "k": full_id }),
            )
            .await;
        let log = &ok(&r)["apiRequests"];
        let rows = log["edges"].as_array().expect("edges");
        assert!(log["totalCount"].as_u64().is_some_and(|n| n >= 10), "{name}: {log}");
        assert!(rows.iter().all(|e| e["node"]["keyId"] == json!(full_id)));
        let leads_rows: Vec<&Value> = rows.iter().filter(|e| e["node"]["operation"] == "Leads").collect();
        assert!(leads_rows.iter().any(|e| e["node"]["leadsReturned"] == 5), "{name}: {log}");
        assert!(rows.iter().any(|e| e["node"]["outcome"] == "FORBIDDEN"), "{name}: refusals are logged too");
        assert!(rows.iter().any(|e| e["node"]["outcome"] == "NOT_FOUND"));

        // Revoked, expired and unknown keys: the same UNAUTHENTICATED, no detail.
        let (expiring, expiring_id) =
            create_key(&app, &admin, json!({ "name": "expiring", "partnerId": partner, "scopes": ["stats:read"] }))
                .await;
        let (_, ok_body) = raw(&app, &expiring, STOPS, json!({})).await;
        assert!(parse(&ok_body)["errors"].is_null(), "{name}: {ok_body}");
        let prefix = &expiring[..19];
        let row = api_key::Entity::find()
            .filter(api_key::Column::Prefix.eq(prefix))
            .one(&t.db)
            .await
            .expect("read key")
            .expect("key row");
        assert_ne!(row.secret_hash, expiring, "only a hash is stored");
        assert_eq!(row.secret_hash, hex::encode(sha2::Sha256::digest(expiring.as_bytes())));
        let mut active = row.into_active_model();
        active.expires_at = Set(Some(Utc::now() - chrono::Duration::minutes(1)));
        active.update(&t.db).await.expect("expire");
        let r = app
            .gql(
                Some(&admin),
                "mutation($k: ID!) { revokeApiKey(id: $k) { status revokedAt } }",
                json!({ "k": full_id }),
            )
            .await;
        assert_eq!(ok(&r)["revokeApiKey"]["status"], "REVOKED");
        let unknown = format!("{}_{}", &full[..19], "A".repeat(43));
        let mut messages = Vec::new();
        for key in [&full, &expiring, &unknown, &"esk_live_short".to_owned()] {
            let (_, body) = raw(&app, key, STOPS, json!({})).await;
            let r = parse(&body);
            assert_eq!(code(&r), Some("UNAUTHENTICATED"), "{name}: {body}");
            messages.push(r["errors"][0]["message"].clone());
        }
        assert!(messages.windows(2).all(|w| w[0] == w[1]), "{name}: one answer for every dead key: {messages:?}");
        let r = app.gql(Some(&admin), "{ apiKeys { id status lastUsedAt } }", json!({})).await;
        let listed = ok(&r)["apiKeys"].as_array().expect("keys").clone();
        let status = |id: &str| listed.iter().find(|k| k["id"] == id).map(|k| k["status"].clone());
        assert_eq!(status(&expiring_id), Some(json!("EXPIRED")), "{name}: {listed:?}");
        assert_eq!(status(&full_id), Some(json!("REVOKED")));
        assert!(listed.iter().any(|k| !k["lastUsedAt"].is_null()), "{name}: last use is recorded");
    }
}

#[tokio::test]
async fn organizer_keys_act_within_their_scopes() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let admin = app.token("admin@a.example", None).await;
    let (key, _) = create_key(&app, &admin, json!({ "name": "Site web", "scopes": ["catalog:read"] })).await;
    let stop = app.open_stop_id().await;
    let r =
        app.gql(Some(&key), "query($id: ID!) { node(id: $id) { ... on Stop { city } } }", json!({ "id": stop })).await;
    assert!(ok(&r)["node"]["city"].is_string(), "{r}");
    // Nothing beyond its scope, and no partner surface.
    let r = app
        .gql(
            Some(&key),
            "mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id } }",
            json!({ "i": { "name": "X", "kind": "BANK" } }),
        )
        .await;
    assert_eq!(code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(code(&app.gql(Some(&key), STOPS, json!({})).await), Some("FORBIDDEN"));
    // No account behind a key.
    let r = app.gql(Some(&key), "{ viewer { email } }", json!({})).await;
    assert!(ok(&r)["viewer"].is_null(), "{r}");

    // The registrations export takes a key with registrations:read, and says so in the access log.
    let export = |token: String| {
        let app = &app;
        let url = format!("{}/export/stops/{stop}/registrations.csv", app.base);
        async move { app.http.get(url).bearer_auth(token).send().await.expect("GET export") }
    };
    assert_eq!(export(key.clone()).await.status().as_u16(), 403, "catalog:read does not export");
    let (reader, reader_id) =
        create_key(&app, &admin, json!({ "name": "CRM", "scopes": ["registrations:read"] })).await;
    let r = app
        .gql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { registration { id } } }",
            json!({ "i": { "stopId": stop, "fullName": "Exported Person", "email": "exported@example.ma" } }),
        )
        .await;
    ok(&r);
    let response = export(reader).await;
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.text().await.expect("CSV");
    assert!(csv.contains("exported@example.ma"), "{csv}");
    let r = app
        .gql(
            Some(&admin),
            "query($k: ID) { apiRequests(keyId: $k) { edges { node { operation objectsReturned leadsReturned } } } }",
            json!({ "k": reader_id }),
        )
        .await;
    let rows = ok(&r)["apiRequests"]["edges"].as_array().expect("edges").clone();
    assert_eq!(rows.len(), 1, "{r}");
    assert_eq!(rows[0]["node"]["operation"], "export:registrations.csv");
    assert_eq!(rows[0]["node"]["leadsReturned"], 1);
}

/// Persisted queries: a hash the gateway has not seen asks for the query; once
/// sent, the hash alone runs it.
#[tokio::test]
async fn automatic_persisted_queries() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = TestApp::start(t.db.clone()).await;
    let admin = app.token("admin@a.example", None).await;
    let (stop, partner, _) = fixture(&app, &admin).await;
    let (key, _) =
        create_key(&app, &admin, json!({ "name": "apq", "partnerId": partner, "scopes": ["stats:read"] })).await;
    let hash = hex::encode(sha2::Sha256::digest(STATS.as_bytes()));
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let send = |body: Value| {
        let app = &app;
        let key = key.clone();
        async move {
            app.http
                .post(format!("{}/graphql", app.base))
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .expect("POST")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let r = send(json!({ "extensions": ext, "variables": { "s": stop } })).await;
    assert_eq!(code(&r), Some("PERSISTED_QUERY_NOT_FOUND"), "{r}");
    let r = send(json!({ "query": STATS, "extensions": ext, "variables": { "s": stop } })).await;
    assert_eq!(ok(&r)["partnerAccess"]["stop"]["stats"]["registrations"], 14, "{r}");
    let r = send(json!({ "extensions": ext, "variables": { "s": stop } })).await;
    assert_eq!(ok(&r)["partnerAccess"]["stop"]["stats"]["registrations"], 14, "{r}");
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } });
    let r = send(json!({ "query": STATS, "extensions": wrong, "variables": { "s": stop } })).await;
    assert!(r["errors"].is_array(), "a hash that does not match its query is refused: {r}");

    // The cost limit of keys: a page of 100 leads with every field is too much.
    let (leads_key, _) =
        create_key(&app, &admin, json!({ "name": "cost", "partnerId": partner, "scopes": ["leads:read"] })).await;
    let heavy = "{ partnerAccess { stops { leads(first: 100) { edges { cursor node { fullName company email phone \
                 segment sector region locale consentedAt } } } } } }";
    let r = app.gql(Some(&leads_key), heavy, json!({})).await;
    assert_eq!(code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("complex")), "{r}");
    let light = "{ partnerAccess { stops { leads(first: 20) { edges { node { fullName email } } } } } }";
    ok(&app.gql(Some(&leads_key), light, json!({})).await);
}

async fn limited_app(db: &sea_orm::DatabaseConnection, limits: Limits) -> TestApp {
    TestApp::start_with(AppState::new(db.clone(), None).limits(limits)).await
}

async fn partner_key(app: &TestApp) -> String {
    let admin = app.token("admin@a.example", None).await;
    let r = app.gql(Some(&admin), "{ partners(first: 1) { edges { node { id } } } }", json!({})).await;
    let partner = ok(&r)["partners"]["edges"][0]["node"]["id"].as_str().expect("a demo partner").to_owned();
    create_key(app, &admin, json!({ "name": "rl", "partnerId": partner, "scopes": ["stats:read"] })).await.0
}

#[tokio::test]
async fn a_key_past_its_rate_limit_is_told_when_to_come_back() {
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let app = limited_app(&t.db, Limits::memory(Quotas::default().with(Bucket::ApiKey, Quota::per_minute(6, 3)))).await;
    let key = partner_key(&app).await;
    for _ in 0..3 {
        let (status, body) = raw(&app, &key, STOPS, json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    let r = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&key)
        .json(&json!({ "query": STOPS }))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 =
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=10).contains(&retry), "{retry}");
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(code(&body), Some("RATE_LIMITED"));
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry);
    // Other callers are not affected.
    let r = app.gql(None, "{ agenda(tenant: \"attitudes-conseil\") { id } }", json!({})).await;
    ok(&r);
}

/// Two gateways over one Redis draw from one bucket per key; while Redis is
/// gone, each gateway enforces the limit alone, without stalling anyone.
#[tokio::test]
async fn gateways_share_a_key_s_bucket_through_redis() {
    let Some(url) = escale_testkit::redis_or_skip("gateways_share_a_key_s_bucket_through_redis").await else {
        return;
    };
    let t = TestDb::sqlite().await;
    demo_with_roles(&t.db).await;
    let prefix = format!("escale-test-{}", uuid::Uuid::now_v7());
    let quota = Quotas::default().with(Bucket::ApiKey, Quota::per_minute(6, 4));
    let a = limited_app(&t.db, Limits::redis(&url, &prefix, quota).expect("redis")).await;
    let b = limited_app(&t.db, Limits::redis(&url, &prefix, quota).expect("redis")).await;
    let key = partner_key(&a).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { &a } else { &b };
        statuses.push(raw(app, &key, STOPS, json!({})).await.0);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 4, "one bucket of 4 across both: {statuses:?}");
    assert!(statuses[4..].iter().all(|s| *s == 429), "{statuses:?}");

    // Nothing listens on port 1: this gateway's own bucket takes over, so the
    // partner is served up to the limit and no further.
    let dead = limited_app(&t.db, Limits::redis("redis://127.0.0.1:1", &prefix, quota).expect("client")).await;
    let started = std::time::Instant::now();
    for _ in 0..4 {
        let (status, body) = raw(&dead, &key, STOPS, json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(raw(&dead, &key, STOPS, json!({})).await.0, 429, "the local bucket is empty");
    assert!(started.elapsed() < Duration::from_secs(10), "a dead Redis must not stall requests");
}
