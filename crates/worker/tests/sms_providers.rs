//! The HTTP SMS adapters against a local server that plays the provider:
//! tokens cached and refreshed, requests shaped as the APIs expect, and
//! failures classified (try again later, or never).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use escale_worker::sms::{SmsError, SmsProvider, SmsRequest};
use escale_worker::sms_http::{OrangeConfig, OrangeSms, ReceiptTarget, Secret, TwilioConfig, TwilioSms};
use serde_json::{Value, json};
use url::Url;

#[derive(Default)]
struct Double {
    token_calls: usize,
    current_token: Option<String>,
    token_lifetime: u64,
    sent: Vec<Value>,
    /// Statuses to answer the next sends with, before accepting again.
    forced: VecDeque<(StatusCode, Value)>,
}

type Shared = Arc<Mutex<Double>>;

fn lock(d: &Shared) -> std::sync::MutexGuard<'_, Double> {
    d.lock().expect("double state")
}

fn basic(headers: &HeaderMap) -> Option<String> {
    use base64::Engine;
    let raw = headers.get("authorization")?.to_str().ok()?.strip_prefix("Basic ")?;
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw).ok()?).ok()
}

async fn orange_token(
    State(d): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if basic(&headers).as_deref() != Some("client-id:client-secret")
        || form.get("grant_type").map(String::as_str) != Some("client_credentials")
    {
        return (StatusCode::UNAUTHORIZED, "bad client").into_response();
    }
    let mut d = lock(&d);
    d.token_calls += 1;
    let token = format!("tok-{}", d.token_calls);
    d.current_token = Some(token.clone());
    let lifetime = if d.token_lifetime == 0 { 3600 } else { d.token_lifetime };
    Json(json!({ "token_type": "Bearer", "access_token": token, "expires_in": lifetime })).into_response()
}

async fn orange_send(
    State(d): State<Shared>,
    Path(sender): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut d = lock(&d);
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer.is_none() || bearer != d.current_token.as_deref() {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "invalid_token" }))).into_response();
    }
    if let Some((status, answer)) = d.forced.pop_front() {
        return (status, Json(answer)).into_response();
    }
    d.sent.push(json!({ "sender": sender, "body": body }));
    let id = format!("msg-{}", d.sent.len());
    let mut request = body["outboundSMSMessageRequest"].clone();
    request["resourceURL"] =
        Value::from(format!("https://api.example/smsmessaging/v1/outbound/{sender}/requests/{id}"));
    (StatusCode::CREATED, Json(json!({ "outboundSMSMessageRequest": request }))).into_response()
}

async fn twilio_send(
    State(d): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if basic(&headers).as_deref() != Some("AC123:auth-token") || sid != "AC123" {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "code": 20003, "message": "Authenticate" }))).into_response();
    }
    let mut d = lock(&d);
    if let Some((status, answer)) = d.forced.pop_front() {
        return (status, Json(answer)).into_response();
    }
    d.sent.push(serde_json::to_value(&form).unwrap_or_default());
    let sid = format!("SM{:032}", d.sent.len());
    (StatusCode::CREATED, Json(json!({ "sid": sid, "status": "queued" }))).into_response()
}

async fn start(d: Shared) -> Url {
    let app = Router::new()
        .route("/oauth/v3/token", post(orange_token))
        .route("/smsmessaging/v1/outbound/{sender}/requests", post(orange_send))
        .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio_send))
        .with_state(d);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Url::parse(&format!("http://{addr}/")).expect("url")
}

fn sms(n: u128) -> SmsRequest {
    SmsRequest {
        tenant_id: uuid::Uuid::from_u128(7),
        notification_id: uuid::Uuid::from_u128(n),
        to: "+212612345678".into(),
        sender_id: None,
        text: "Rappel : Escale de Casablanca demain à 09:00".into(),
        segments: 1,
        idempotency_key: format!("reminder:{n}:1440:sms"),
    }
}

fn receipts() -> Option<ReceiptTarget> {
    Some(ReceiptTarget {
        public_url: Url::parse("https://escale.example/").expect("url"),
        secret: Secret("webhook-secret".into()),
    })
}

fn orange(base: Url) -> OrangeSms {
    OrangeSms::new(
        OrangeConfig {
            base_url: base,
            client_id: "client-id".into(),
            client_secret: Secret("client-secret".into()),
            sender_address: "tel:+212500000000".into(),
            sender_name: Some("Forum TPE".into()),
        },
        receipts(),
    )
    .expect("client")
}

#[tokio::test]
async fn orange_caches_its_token_refreshes_it_and_shapes_the_request() {
    let d: Shared = Arc::default();
    let provider = orange(start(d.clone()).await);
    for n in 1..=3 {
        let accepted = provider.send(&sms(n)).await.expect("accepted");
        assert_eq!(accepted.provider_message_id, format!("msg-{n}"));
    }
    {
        let d = lock(&d);
        assert_eq!(d.token_calls, 1, "one token for three messages");
        let first = &d.sent[0];
        assert_eq!(first["sender"], "tel:+212500000000");
        let request = &first["body"]["outboundSMSMessageRequest"];
        assert_eq!(request["address"], "tel:+212612345678");
        assert_eq!(request["senderName"], "Forum TPE");
        assert_eq!(request["outboundSMSTextMessage"]["message"], "Rappel : Escale de Casablanca demain à 09:00");
        let notify = request["receiptRequest"]["notifyURL"].as_str().expect("notify URL");
        assert!(notify.starts_with("https://escale.example/sms/receipts/orange?key=webhook-secret&n="), "{notify}");
        assert_eq!(
            request["receiptRequest"]["callbackData"],
            format!("{}:{}", uuid::Uuid::from_u128(7), uuid::Uuid::from_u128(1))
        );
    }
    // The token is revoked on the provider's side: one 401, one new token, sent.
    lock(&d).current_token = Some("revoked-elsewhere".into());
    provider.send(&sms(4)).await.expect("accepted after refreshing");
    assert_eq!(lock(&d).token_calls, 2);

    // A token that expires: a fresh one is fetched before the next message.
    let d2: Shared = Arc::default();
    lock(&d2).token_lifetime = 61; // one second once the safety minute is taken off
    let short = orange(start(d2.clone()).await);
    short.send(&sms(1)).await.expect("first");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    short.send(&sms(2)).await.expect("second");
    assert_eq!(lock(&d2).token_calls, 2);
}

#[tokio::test]
async fn orange_failures_are_transient_or_permanent() {
    let d: Shared = Arc::default();
    let provider = orange(start(d.clone()).await);
    for (status, transient) in [
        (StatusCode::SERVICE_UNAVAILABLE, true),
        (StatusCode::TOO_MANY_REQUESTS, true),
        (StatusCode::BAD_REQUEST, false),
    ] {
        lock(&d)
            .forced
            .push_back((status, json!({ "requestError": { "serviceException": { "messageId": "SVC0004" } } })));
        let err = provider.send(&sms(1)).await.expect_err("refused");
        assert_eq!(matches!(err, SmsError::Transient(_)), transient, "{status}: {err}");
        assert!(err.to_string().contains(status.as_str()), "{err}");
    }
    assert!(lock(&d).sent.is_empty());
    // Nobody listening: try again later.
    let dead = orange(Url::parse("http://127.0.0.1:9/").expect("url"));
    assert!(matches!(dead.send(&sms(1)).await, Err(SmsError::Transient(_))));
}

#[tokio::test]
async fn twilio_posts_a_form_and_knows_a_dead_number_from_a_busy_provider() {
    let d: Shared = Arc::default();
    let base = start(d.clone()).await;
    let config = TwilioConfig {
        base_url: base,
        account_sid: "AC123".into(),
        auth_token: Secret("auth-token".into()),
        from: "+212500000000".into(),
    };
    assert_eq!(format!("{:?}", config.auth_token), "Secret(***)");
    let provider = TwilioSms::new(config, receipts()).expect("client");
    let accepted = provider.send(&sms(1)).await.expect("accepted");
    assert!(accepted.provider_message_id.starts_with("SM"));
    {
        let d = lock(&d);
        let form = &d.sent[0];
        assert_eq!(form["To"], "+212612345678");
        assert_eq!(form["From"], "+212500000000");
        assert!(form["StatusCallback"].as_str().is_some_and(|u| u.contains("/sms/receipts/twilio?key=")), "{form}");
    }
    lock(&d)
        .forced
        .push_back((StatusCode::BAD_REQUEST, json!({ "code": 21211, "message": "Invalid 'To' Phone Number" })));
    let err = provider.send(&sms(2)).await.expect_err("invalid number");
    assert!(matches!(err, SmsError::Permanent(_)) && err.to_string().contains("21211"), "{err}");
    lock(&d).forced.push_back((StatusCode::INTERNAL_SERVER_ERROR, json!({ "code": 20500 })));
    assert!(matches!(provider.send(&sms(3)).await, Err(SmsError::Transient(_))));
    lock(&d).forced.push_back((StatusCode::TOO_MANY_REQUESTS, json!({ "code": 20429 })));
    assert!(matches!(provider.send(&sms(4)).await, Err(SmsError::Transient(_))));
}
