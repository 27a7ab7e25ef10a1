//! Signed links for participants: acting on a registration (cancelling it,
//! unsubscribing) from a message, without an account, without the link being
//! forgeable from an id.
//!
//! A signature is HMAC-SHA256 over `purpose:id` with the tenant's secret
//! (created on first use, kept in `tenant_secret`), truncated to 128 bits and
//! base64url-encoded. The purpose is part of what is signed, so an unsubscribe
//! link cannot be replayed as a cancel link.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ConnectionTrait, Statement, Value};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};
use crate::tenancy::TenantScope;

/// What a link does: part of what is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    CancelRegistration,
    Unsubscribe,
    /// A session's speakers read the questions asked for it.
    SpeakerQuestions,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::CancelRegistration => "cancel-registration",
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::SpeakerQuestions => "speaker-questions",
        }
    }
}

/// 16 bytes of the MAC: forging one takes 2^128 tries, and the link stays short.
const TAG_BYTES: usize = 16;

/// The tenant's signing secret, created the first time it is needed.
async fn secret(db: &impl ConnectionTrait, scope: TenantScope, now: DateTime<Utc>) -> DomainResult<Vec<u8>> {
    let backend = db.get_database_backend();
    let select = || {
        Statement::from_sql_and_values(
            backend,
            "SELECT secret FROM tenant_secret WHERE tenant_id = $1",
            [Value::from(scope.uuid())],
        )
    };
    let row = match db.query_one_raw(select()).await? {
        Some(row) => row,
        None => {
            let fresh = hex::encode(rand::random::<[u8; 32]>());
            // Two replicas creating it at once: the first insert wins, both read it back.
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO tenant_secret (tenant_id, secret, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id) DO NOTHING",
                [Value::from(scope.uuid()), Value::from(fresh), Value::from(now)],
            ))
            .await?;
            db.query_one_raw(select()).await?.ok_or_else(|| DomainError::internal("tenant secret vanished"))?
        }
    };
    let text: String = row.try_get("", "secret")?;
    hex::decode(text).map_err(|e| DomainError::internal(format!("tenant secret is not hex: {e}")))
}

fn mac(secret: &[u8], purpose: Purpose, id: Uuid) -> DomainResult<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|e| DomainError::internal(e.to_string()))?;
    mac.update(purpose.as_str().as_bytes());
    mac.update(b":");
    mac.update(id.as_bytes());
    Ok(mac)
}

/// The signature to put in a link acting on `id`.
pub async fn sign(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    purpose: Purpose,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    signer(db, scope, now).await?.sign(purpose, id)
}

/// A tenant's secret, read once to sign many links (a batch of messages).
pub struct Signer {
    secret: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<secret>)")
    }
}

impl Signer {
    pub fn sign(&self, purpose: Purpose, id: Uuid) -> DomainResult<String> {
        let tag = mac(&self.secret, purpose, id)?.finalize().into_bytes();
        Ok(URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES]))
    }
}

/// The tenant's [`Signer`], creating its secret on first use.
pub async fn signer(db: &impl ConnectionTrait, scope: TenantScope, now: DateTime<Utc>) -> DomainResult<Signer> {
    Ok(Signer { secret: secret(db, scope, now).await? })
}

/// True when `signature` was made by [`sign`] for this purpose and id
/// (compared in constant time).
pub async fn verify(
    db: &impl ConnectionTrait,
    scope: TenantScope,
    purpose: Purpose,
    id: Uuid,
    signature: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let Ok(tag) = URL_SAFE_NO_PAD.decode(signature.trim()) else { return Ok(false) };
    if tag.len() != TAG_BYTES {
        return Ok(false);
    }
    let secret = secret(db, scope, now).await?;
    Ok(mac(&secret, purpose, id)?.verify_truncated_left(&tag).is_ok())
}
