//! SMS providers over HTTP: an Orange-style API (OAuth2 client credentials,
//! the GSMA OneAPI `smsmessaging` shape Orange Morocco and most African
//! operators expose) and a Twilio-style API (basic auth, form posts).
//!
//! Both classify failures the same way: a timeout, a 429 or a 5xx is worth
//! trying again later (the outbox backs off); a refused number or message is
//! not. Delivery receipts come back to the gateway at `/sms/receipts/<provider>`
//! with the notification named in the callback, authenticated by the shared
//! webhook secret.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::StatusCode;
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::sms::{SmsAccepted, SmsError, SmsProvider, SmsRequest};

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where delivery receipts go: the gateway's public address and the shared
/// secret it checks. Without it, providers are not asked for receipts.
#[derive(Debug, Clone)]
pub struct ReceiptTarget {
    pub public_url: Url,
    pub secret: Secret,
}

impl ReceiptTarget {
    /// `…/sms/receipts/<provider>?key=…&n=<tenant>:<notification>`.
    fn url(&self, provider: &str, sms: &SmsRequest) -> Option<String> {
        let mut url = self.public_url.join(&format!("sms/receipts/{provider}")).ok()?;
        url.query_pairs_mut()
            .append_pair("key", &self.secret.0)
            .append_pair("n", &format!("{}:{}", sms.tenant_id, sms.notification_id));
        Some(url.to_string())
    }
}

/// Makes ring the process's TLS crypto provider. reqwest is built without a
/// bundled provider (ring is lettre's already; aws-lc would be a second C
/// build), and with that feature on anywhere in a build, *every* reqwest client
/// of the process needs a provider installed first. Idempotent.
pub fn install_crypto_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// A client with the timeouts a sender needs: a provider that hangs must not
/// hold a worker slot for long.
pub fn http_client() -> Result<reqwest::Client, String> {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

fn transport_error(provider: &str, e: &reqwest::Error) -> SmsError {
    SmsError::Transient(format!("{provider}: {}", if e.is_timeout() { "timed out".to_owned() } else { e.to_string() }))
}

/// 429 and 5xx are the provider's trouble (try later); other 4xx are ours.
fn classify(provider: &str, status: StatusCode, body: &str) -> SmsError {
    let body: String = body.chars().take(300).collect();
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        SmsError::Transient(format!("{provider} answered {status}: {body}"))
    } else if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        // Credentials are an operator's to fix; the message itself is fine.
        SmsError::Transient(format!("{provider} refused our credentials ({status}): {body}"))
    } else {
        SmsError::Permanent(format!("{provider} refused the message ({status}): {body}"))
    }
}

// ---------------------------------------------------------------- Orange-style

#[derive(Debug, Clone)]
pub struct OrangeConfig {
    /// `https://api.orange.com`
    pub base_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    /// The sender address, `tel:+212…`.
    pub sender_address: String,
    /// Shown instead of the number where the operator allows it.
    pub sender_name: Option<String>,
}

#[derive(Debug)]
pub struct OrangeSms {
    http: reqwest::Client,
    config: OrangeConfig,
    receipts: Option<ReceiptTarget>,
    /// The access token and when to stop using it.
    token: Mutex<Option<(String, Instant)>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OrangeAccepted {
    #[serde(rename = "outboundSMSMessageRequest")]
    request: OrangeAcceptedRequest,
}

#[derive(Deserialize)]
struct OrangeAcceptedRequest {
    #[serde(rename = "resourceURL")]
    resource_url: Option<String>,
}

impl OrangeSms {
    pub fn new(config: OrangeConfig, receipts: Option<ReceiptTarget>) -> Result<Self, String> {
        Ok(OrangeSms { http: http_client()?, config, receipts, token: Mutex::new(None) })
    }

    /// The cached token, or a new one. Tokens are refreshed a minute before
    /// they expire, and at once when the API says 401.
    async fn token(&self, refresh: bool) -> Result<String, SmsError> {
        let mut cached = self.token.lock().await;
        if !refresh
            && let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let url = self
            .config
            .base_url
            .join("oauth/v3/token")
            .map_err(|e| SmsError::Permanent(format!("orange: bad base URL: {e}")))?;
        let response = self
            .http
            .post(url)
            .basic_auth(&self.config.client_id, Some(&self.config.client_secret.0))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| transport_error("orange token", &e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| transport_error("orange token", &e))?;
        if !status.is_success() {
            return Err(classify("orange token", status, &body));
        }
        let parsed: TokenResponse = serde_json::from_str(&body)
            .map_err(|e| SmsError::Transient(format!("orange token: unreadable answer: {e}")))?;
        let lifetime = parsed.expires_in.unwrap_or(3600).saturating_sub(60).max(1);
        *cached = Some((parsed.access_token.clone(), Instant::now() + Duration::from_secs(lifetime)));
        Ok(parsed.access_token)
    }

    async fn post(&self, sms: &SmsRequest, token: &str) -> Result<reqwest::Response, SmsError> {
        let sender = &self.config.sender_address;
        let mut url = self
            .config
            .base_url
            .join("smsmessaging/v1/outbound/")
            .map_err(|e| SmsError::Permanent(format!("orange: bad base URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| SmsError::Permanent("orange: base URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .push(sender)
            .push("requests");
        let mut request = serde_json::json!({
            "address": format!("tel:{}", sms.to),
            "senderAddress": sender,
            "outboundSMSTextMessage": { "message": sms.text },
            "clientCorrelator": sms.idempotency_key,
        });
        if let Some(name) = sms.sender_id.as_ref().or(self.config.sender_name.as_ref()) {
            request["senderName"] = serde_json::Value::from(name.as_str());
        }
        if let Some(notify) = self.receipts.as_ref().and_then(|r| r.url("orange", sms)) {
            request["receiptRequest"] = serde_json::json!({
                "notifyURL": notify,
                "callbackData": format!("{}:{}", sms.tenant_id, sms.notification_id),
            });
        }
        self.http
            .post(url)
            .bearer_auth(token)
            .json(&serde_json::json!({ "outboundSMSMessageRequest": request }))
            .send()
            .await
            .map_err(|e| transport_error("orange", &e))
    }
}

#[async_trait]
impl SmsProvider for OrangeSms {
    fn name(&self) -> &'static str {
        "orange"
    }

    async fn send(&self, sms: &SmsRequest) -> Result<SmsAccepted, SmsError> {
        let mut response = self.post(sms, &self.token(false).await?).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            // Revoked or expired early: one new token, one more try.
            response = self.post(sms, &self.token(true).await?).await?;
        }
        let status = response.status();
        let body = response.text().await.map_err(|e| transport_error("orange", &e))?;
        if !status.is_success() {
            return Err(classify("orange", status, &body));
        }
        let id = serde_json::from_str::<OrangeAccepted>(&body)
            .ok()
            .and_then(|a| a.request.resource_url)
            .and_then(|u| u.rsplit('/').next().map(str::to_owned))
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| format!("orange-{}", sms.notification_id));
        Ok(SmsAccepted { provider_message_id: id })
    }
}

// ---------------------------------------------------------------- Twilio-style

#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `https://api.twilio.com`
    pub base_url: Url,
    pub account_sid: String,
    pub auth_token: Secret,
    /// A number (`+212…`) or a messaging service (`MG…`).
    pub from: String,
}

#[derive(Debug)]
pub struct TwilioSms {
    http: reqwest::Client,
    config: TwilioConfig,
    receipts: Option<ReceiptTarget>,
}

#[derive(Deserialize)]
struct TwilioAccepted {
    sid: String,
}

#[derive(Deserialize)]
struct TwilioError {
    code: Option<i64>,
    message: Option<String>,
}

/// Twilio error codes that say the number itself will never take the message:
/// invalid or unreachable number, landline, or the person replied STOP.
const TWILIO_PERMANENT: &[i64] = &[21211, 21214, 21408, 21610, 21612, 21614];

impl TwilioSms {
    pub fn new(config: TwilioConfig, receipts: Option<ReceiptTarget>) -> Result<Self, String> {
        Ok(TwilioSms { http: http_client()?, config, receipts })
    }
}

#[async_trait]
impl SmsProvider for TwilioSms {
    fn name(&self) -> &'static str {
        "twilio"
    }

    async fn send(&self, sms: &SmsRequest) -> Result<SmsAccepted, SmsError> {
        let url = self
            .config
            .base_url
            .join(&format!("2010-04-01/Accounts/{}/Messages.json", self.config.account_sid))
            .map_err(|e| SmsError::Permanent(format!("twilio: bad base URL: {e}")))?;
        let mut form: Vec<(&str, String)> = vec![("To", sms.to.clone()), ("Body", sms.text.clone())];
        if self.config.from.starts_with("MG") {
            form.push(("MessagingServiceSid", self.config.from.clone()));
        } else {
            form.push(("From", self.config.from.clone()));
        }
        if let Some(callback) = self.receipts.as_ref().and_then(|r| r.url("twilio", sms)) {
            form.push(("StatusCallback", callback));
        }
        let response = self
            .http
            .post(url)
            .basic_auth(&self.config.account_sid, Some(&self.config.auth_token.0))
            // Twilio ignores it, but proxies and doubles can use it to drop a replay.
            .header("I-Twilio-Idempotency-Token", &sms.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| transport_error("twilio", &e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| transport_error("twilio", &e))?;
        if status.is_success() {
            let accepted: TwilioAccepted = serde_json::from_str(&body)
                .map_err(|e| SmsError::Transient(format!("twilio: unreadable answer: {e}")))?;
            return Ok(SmsAccepted { provider_message_id: accepted.sid });
        }
        if status == StatusCode::BAD_REQUEST
            && let Ok(err) = serde_json::from_str::<TwilioError>(&body)
            && err.code.is_some_and(|c| TWILIO_PERMANENT.contains(&c))
        {
            return Err(SmsError::Permanent(format!(
                "twilio refused the number ({}): {}",
                err.code.unwrap_or_default(),
                err.message.unwrap_or_default()
            )));
        }
        Err(classify("twilio", status, &body))
    }
}
