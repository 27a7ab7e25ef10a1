//! Proof that a post comes from a form the platform rendered, without a
//! cookie (the pages also live in organizers' iframes, where browsers drop
//! third-party cookies): each form carries `<UUIDv7>.<tag>`, the tag an HMAC
//! of the id with the tenant's link secret ([`Purpose::Form`]). The id's
//! time says how old the form is; its random part makes it the key under
//! which a double submit finds the first answer. A post must also come from
//! the platform's own pages (`Sec-Fetch-Site`, `Origin`): another site cannot
//! make a visitor's browser post one.

use std::time::Duration;

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use escale_domain::DomainResult;
use escale_domain::access::links::{Purpose, Signer};
use uuid::Uuid;

/// How long a rendered form may be sent: a phone left on the table over
/// lunch, not a week.
pub(crate) const FORM_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Why a post was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not a token of ours (or none): a forged post.
    Forged,
    /// Ours, but older than [`FORM_LIFETIME`]: the reader gets the form back
    /// with what they typed and a fresh token.
    Expired,
}

/// A new form token, signed with the tenant's link secret.
pub(crate) fn issue(signer: &Signer) -> DomainResult<String> {
    let id = Uuid::now_v7();
    let tag = signer.sign(Purpose::Form, id)?;
    Ok(format!("{}.{tag}", id.simple()))
}

/// The form's id when `token` is one of ours and still fresh.
pub(crate) fn check(signer: &Signer, token: &str, now: DateTime<Utc>) -> Result<Uuid, Refusal> {
    let Some((id, tag)) = token.trim().split_once('.') else { return Err(Refusal::Forged) };
    let Ok(id) = Uuid::try_parse(id) else { return Err(Refusal::Forged) };
    let Some((secs, _)) = id.get_timestamp().map(|t| t.to_unix()) else { return Err(Refusal::Forged) };
    if !signer.verify(Purpose::Form, id, tag) {
        return Err(Refusal::Forged);
    }
    let age = now.timestamp().saturating_sub(i64::try_from(secs).unwrap_or(i64::MAX));
    // A form from the future is a clock skew between replicas of a few
    // seconds at most; one from far ahead is not ours to trust.
    if age > i64::try_from(FORM_LIFETIME.as_secs()).unwrap_or(i64::MAX) || age < -300 {
        return Err(Refusal::Expired);
    }
    Ok(id)
}

/// True when the browser says the post comes from another site. Browsers
/// send `Sec-Fetch-Site` (all current ones) or at least `Origin` on a POST;
/// a client that sends neither is not a browser another site could drive.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    // `Origin: null` (a sandboxed frame, a privacy setting) is refused too.
    origin.split_once("://").map(|(_, rest)| rest) != Some(host)
}
