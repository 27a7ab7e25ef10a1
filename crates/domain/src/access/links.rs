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
    /// A participant's own page for one registration (no account).
    Manage,
    /// A form the web pages rendered (its id is a UUIDv7, whose time says
    /// how old the form is): proof that a post comes from our own page.
    Form,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::CancelRegistration => "cancel-registration",
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::SpeakerQuestions => "speaker-questions",
            Purpose::Manage => "manage",
            Purpose::Form => "form",
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

    /// The token of a link's path: the object's id and a tag in one short
    /// string (38 characters), short enough for an SMS — a registration's own
    /// page ([`Purpose::Manage`]), a session's speaker page.
    pub fn token(&self, purpose: Purpose, id: Uuid) -> DomainResult<String> {
        let tag = mac(&self.secret, purpose, id)?.finalize().into_bytes();
        let mut bytes = Vec::with_capacity(16 + MANAGE_TAG_BYTES);
        bytes.extend_from_slice(id.as_bytes());
        bytes.extend_from_slice(&tag[..MANAGE_TAG_BYTES]);
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// True when `signature` is this secret's for `purpose` and `id`
    /// (compared in constant time), as [`verify`] without reading the secret.
    pub fn verify(&self, purpose: Purpose, id: Uuid, signature: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(signature.trim()) else { return false };
        tag.len() == TAG_BYTES && mac(&self.secret, purpose, id).is_ok_and(|m| m.verify_truncated_left(&tag).is_ok())
    }

    pub fn manage_token(&self, registration: Uuid) -> DomainResult<String> {
        self.token(Purpose::Manage, registration)
    }
}

/// 12 bytes of the MAC in a manage token: 2^96 tries to forge one, for a link
/// that must fit an SMS.
const MANAGE_TAG_BYTES: usize = 12;

/// What a link token names, with its tenant, when the token is genuine for
/// `purpose` (a registration for [`Purpose::Manage`], a session for
/// [`Purpose::SpeakerQuestions`]); `None` for anything else (malformed,
/// forged, unknown), so that a wrong token says nothing about what exists.
pub async fn open_token(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<Option<(TenantScope, Uuid)>> {
    use crate::entities::{registration, session};
    use sea_orm::EntityTrait as _;
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(token.trim()) else { return Ok(None) };
    if bytes.len() != 16 + MANAGE_TAG_BYTES {
        return Ok(None);
    }
    let (id, tag) = bytes.split_at(16);
    let Ok(id) = Uuid::from_slice(id) else { return Ok(None) };
    let tenant = match purpose {
        Purpose::Manage | Purpose::CancelRegistration => {
            registration::Entity::find_by_id(id).one(db).await?.map(|r| r.tenant_id)
        }
        Purpose::SpeakerQuestions => session::Entity::find_by_id(id).one(db).await?.map(|s| s.tenant_id),
        Purpose::Unsubscribe | Purpose::Form => None,
    };
    let Some(tenant) = tenant else { return Ok(None) };
    let scope = TenantScope::new(crate::ids::TenantId(tenant));
    let secret = secret(db, scope, now).await?;
    Ok(mac(&secret, purpose, id)?.verify_truncated_left(tag).is_ok().then_some((scope, id)))
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
