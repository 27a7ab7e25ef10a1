//! What SMS providers call back: delivery receipts (the message reached the
//! phone, or never will) and inbound messages (a reply STOP opts the number
//! out). Both are authenticated by the shared webhook secret the worker puts in
//! the callback address (`?key=`); the receipt names its notification
//! (`n=<tenant>:<notification>`), so no lookup crosses tenants.
//!
//! Answers: 204 when recorded (or already final: providers repeat receipts),
//! 409 when the receipt overtook the send's own record (the provider retries),
//! 401 for a wrong key, 404 when webhooks are off or the message is unknown,
//! 400 for a body that is not the provider's shape.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escale_domain::ids::{NotificationId, TenantId};
use escale_domain::messaging::outbox::{self, Receipt, ReceiptOutcome};
use escale_domain::registration::participants;
use escale_domain::tenancy::TenantScope;
use escale_domain::values::PhoneNumber;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, Code};
use crate::http::Shared;

#[derive(Debug, Deserialize)]
pub(crate) struct WebhookParams {
    key: Option<String>,
    n: Option<String>,
}

/// Why a webhook call is turned away; becomes the JSON error response.
type Refusal = ApiError;

/// The key matches the configured secret (compared as digests, so the time
/// taken says nothing about how much of it matched).
fn authorized(shared: &Shared, key: Option<&str>) -> Result<(), Refusal> {
    let Some(secret) = &shared.state.sms_webhook_secret else {
        return Err(ApiError::new(Code::NotFound, "SMS webhooks are not configured"));
    };
    let given = Sha256::digest(key.unwrap_or_default().as_bytes());
    if given != Sha256::digest(secret.as_bytes()) {
        return Err(ApiError::new(Code::Unauthenticated, "wrong or missing webhook key"));
    }
    Ok(())
}

fn bad(message: &str) -> Refusal {
    ApiError::new(Code::Validation, message)
}

fn unknown_provider() -> Refusal {
    ApiError::new(Code::NotFound, "unknown SMS provider")
}

fn notification_of(n: Option<&str>) -> Option<(TenantScope, NotificationId)> {
    let (tenant, id) = n?.split_once(':')?;
    Some((
        TenantScope::new(TenantId(uuid::Uuid::parse_str(tenant).ok()?)),
        NotificationId(uuid::Uuid::parse_str(id).ok()?),
    ))
}

/// Orange-style (OneAPI) receipt.
#[derive(Deserialize)]
struct OrangeReceipt {
    #[serde(rename = "deliveryInfoNotification")]
    notification: OrangeDeliveryNotification,
}

#[derive(Deserialize)]
struct OrangeDeliveryNotification {
    #[serde(rename = "callbackData")]
    callback_data: Option<String>,
    #[serde(rename = "deliveryInfo")]
    info: OrangeDeliveryInfo,
}

#[derive(Deserialize)]
struct OrangeDeliveryInfo {
    #[serde(rename = "deliveryStatus")]
    status: String,
}

/// Parses a receipt into (notification from the body if any, provider id, outcome);
/// `None` for an intermediate status that changes nothing (Twilio's `sent`).
type Parsed = (Option<String>, Option<String>, Option<Receipt>);

fn parse_receipt(provider: &str, body: &[u8]) -> Result<Parsed, Refusal> {
    match provider {
        "orange" => {
            let r: OrangeReceipt =
                serde_json::from_slice(body).map_err(|e| bad(&format!("not an Orange receipt: {e}")))?;
            let receipt = match r.notification.info.status.as_str() {
                "DeliveredToTerminal" => Some(Receipt::Delivered),
                "DeliveryImpossible" | "DeliveredToNetworkFailed" => {
                    Some(Receipt::Undelivered(r.notification.info.status))
                }
                _ => None,
            };
            Ok((r.notification.callback_data, None, receipt))
        }
        "twilio" => {
            let form = form(body);
            let status = form.get("MessageStatus").ok_or_else(|| bad("MessageStatus is missing"))?;
            let receipt = match status.as_str() {
                "delivered" => Some(Receipt::Delivered),
                "undelivered" | "failed" => Some(Receipt::Undelivered(format!(
                    "{status} (error {})",
                    form.get("ErrorCode").map(String::as_str).unwrap_or("none")
                ))),
                _ => None,
            };
            Ok((None, form.get("MessageSid").cloned(), receipt))
        }
        _ => Err(unknown_provider()),
    }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub(crate) async fn receipt(
    State(shared): State<Shared>,
    Path(provider): Path<String>,
    Query(params): Query<WebhookParams>,
    body: Bytes,
) -> Response {
    if let Err(denied) = authorized(&shared, params.key.as_deref()) {
        return denied.into_response();
    }
    let (from_body, provider_id, receipt) = match parse_receipt(&provider, &body) {
        Ok(parsed) => parsed,
        Err(refused) => return refused.into_response(),
    };
    let Some((scope, id)) = notification_of(params.n.as_deref().or(from_body.as_deref())) else {
        return bad("the receipt does not name its message (n=<tenant>:<notification>)").into_response();
    };
    let Some(receipt) = receipt else { return StatusCode::NO_CONTENT.into_response() };
    match outbox::record_receipt(&shared.state.db, scope, id, provider_id.as_deref(), receipt, Utc::now()).await {
        Ok(ReceiptOutcome::Recorded | ReceiptOutcome::AlreadyFinal) => StatusCode::NO_CONTENT.into_response(),
        Ok(ReceiptOutcome::NotYetSent) => {
            ApiError::new(Code::Conflict, "the message is still being sent; send the receipt again").into_response()
        }
        Ok(ReceiptOutcome::Unknown) => ApiError::new(Code::NotFound, "no such message").into_response(),
        Err(e) => {
            tracing::error!(error = %e, notification.id = %id.0, "cannot record an SMS receipt");
            ApiError::new(Code::Unavailable, "try again").into_response()
        }
    }
}

#[derive(Deserialize)]
struct OrangeInbound {
    #[serde(rename = "inboundSMSMessageNotification")]
    notification: OrangeInboundNotification,
}

#[derive(Deserialize)]
struct OrangeInboundNotification {
    #[serde(rename = "inboundSMSMessage")]
    message: OrangeInboundMessage,
}

#[derive(Deserialize)]
struct OrangeInboundMessage {
    #[serde(rename = "senderAddress")]
    sender: String,
    message: String,
}

pub(crate) async fn inbound(
    State(shared): State<Shared>,
    Path(provider): Path<String>,
    Query(params): Query<WebhookParams>,
    body: Bytes,
) -> Response {
    if let Err(denied) = authorized(&shared, params.key.as_deref()) {
        return denied.into_response();
    }
    let (from, text) = match provider.as_str() {
        "orange" => match serde_json::from_slice::<OrangeInbound>(&body) {
            Ok(m) => {
                (m.notification.message.sender.trim_start_matches("tel:").to_owned(), m.notification.message.message)
            }
            Err(e) => return bad(&format!("not an Orange inbound message: {e}")).into_response(),
        },
        "twilio" => {
            let form = form(&body);
            match (form.get("From"), form.get("Body")) {
                (Some(from), Some(text)) => (from.clone(), text.clone()),
                _ => return bad("From and Body are required").into_response(),
            }
        }
        _ => return unknown_provider().into_response(),
    };
    let (stop, start) = (participants::is_stop_request(&text), participants::is_start_request(&text));
    if !stop && !start {
        // Neither STOP nor START: nothing to do (replies are not read by anyone).
        return StatusCode::NO_CONTENT.into_response();
    }
    let Ok(phone) = PhoneNumber::parse(&from) else {
        return bad("the sender is not a phone number").into_response();
    };
    if start {
        return match participants::sms_start(&shared.state.db, &phone).await {
            Ok(lifted) => {
                tracing::info!(lifted, "SMS START recorded");
                StatusCode::NO_CONTENT.into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot record an SMS START");
                ApiError::new(Code::Unavailable, "try again").into_response()
            }
        };
    }
    match participants::sms_stop(&shared.state.db, &phone, Utc::now()).await {
        Ok(tenants) => {
            tracing::info!(tenants, "SMS STOP recorded");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot record an SMS STOP");
            ApiError::new(Code::Unavailable, "try again").into_response()
        }
    }
}
