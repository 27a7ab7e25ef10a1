//! API keys: how partners (and the organizer's own integrations) call the API
//! without a person's login, and the log of what they asked for.
//!
//! A key is `esk_live_<10 characters>_<43 characters>`. The first 19
//! characters are its **prefix**, stored in clear and unique: it names the key
//! in lists and logs and finds its row. Only the SHA-256 of the whole key is
//! stored (the key carries 256 random bits, so a slow hash buys nothing), and
//! the key itself is shown once, when created.
//!
//! A partner's key holds partner scopes only (`agenda:read`, `stats:read`,
//! `leads:read`) and sees only what its partner is partnered with; an
//! organizer's own key holds organizer scopes (`catalog:read`,
//! `registrations:read`, …) but never the power to mint keys or manage the
//! team.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use escale_i18n::text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::access::audit;
use crate::access::authz::{Action, Actor, KeyGrant, Principal, Scope};
use crate::catalog;
use crate::db;
use crate::entities::{api_key, api_request};
use crate::error::{DomainError, DomainResult};
use crate::ids::{TenantId, new_uuid};
use crate::paging::{Page, PageRequest};
use crate::tenancy::TenantScope;

/// Every key starts with this: recognisable by secret scanners and by the
/// gateway, which tells keys from login tokens (`ess_`) by it.
pub const KEY_PREFIX: &str = "esk_live_";
/// Characters of a key stored in clear: `esk_live_` and ten random ones.
const VISIBLE: usize = KEY_PREFIX.len() + 10;
const NAME_MAX: usize = 200;

/// What an organizer asks for.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub name: String,
    /// The partner the key is for; None for the organizer's own integration.
    pub partner_id: Option<Uuid>,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key just created: the only moment its secret exists outside the caller.
pub struct Issued {
    pub key: Key,
    pub secret: String,
}

/// Whether a key works, and if not why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Expired,
    Revoked,
}

impl KeyStatus {
    /// The one rule: revoked wins over expired; a key expires at its instant.
    fn of(key: &api_key::Model, now: DateTime<Utc>) -> Self {
        if key.revoked_at.is_some() {
            KeyStatus::Revoked
        } else if key.expires_at.is_some_and(|at| at <= now) {
            KeyStatus::Expired
        } else {
            KeyStatus::Active
        }
    }
}

/// A key as organizers see it: never its secret or its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: Uuid,
    pub tenant: TenantId,
    /// The partner it was issued to; `None` for the organizer's own integration.
    pub partner_id: Option<Uuid>,
    pub name: String,
    /// The visible head (`esk_live_k3m9p2q7xa`).
    pub prefix: String,
    pub scopes: Vec<Scope>,
    /// As of when it was read.
    pub status: KeyStatus,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// To the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Key {
    fn of(m: api_key::Model, now: DateTime<Utc>) -> Self {
        Key {
            id: m.id,
            tenant: TenantId(m.tenant_id),
            partner_id: m.partner_id,
            scopes: scopes_of(&m),
            status: KeyStatus::of(&m, now),
            name: m.name,
            prefix: m.prefix,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            last_used_at: m.last_used_at,
            created_at: m.created_at,
        }
    }
}

/// One request made with a key, as the access log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: Uuid,
    pub tenant: TenantId,
    pub key_id: Uuid,
    /// The GraphQL operation name the client gave, if any.
    pub operation: Option<String>,
    pub objects_returned: i32,
    /// How many people's contact details it returned.
    pub leads_returned: i32,
    /// `ok`, or the first error's code.
    pub outcome: String,
    pub duration_ms: i32,
    pub at: DateTime<Utc>,
}

impl From<api_request::Model> for Request {
    fn from(m: api_request::Model) -> Self {
        Request {
            id: m.id,
            tenant: TenantId(m.tenant_id),
            key_id: m.api_key_id,
            operation: m.operation,
            objects_returned: m.objects_returned,
            leads_returned: m.leads_returned,
            outcome: m.outcome,
            duration_ms: m.duration_ms,
            at: m.created_at,
        }
    }
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued").field("key", &self.key).finish_non_exhaustive()
    }
}

pub fn looks_like_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Equal without an early exit, so response time says nothing of how close a
/// guess was.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The scopes stored on a key; an unreadable entry grants nothing.
fn scopes_of(key: &api_key::Model) -> Vec<Scope> {
    key.scopes
        .as_array()
        .map(|items| items.iter().filter_map(|v| v.as_str()).filter_map(|s| Scope::parse(s).ok()).collect())
        .unwrap_or_default()
}

fn check_scopes(raw: &[String], for_partner: bool) -> DomainResult<Vec<Scope>> {
    if raw.is_empty() {
        return Err(DomainError::validation("scopes", text!("scopes-empty")));
    }
    let mut scopes = Vec::with_capacity(raw.len());
    for r in raw {
        let scope = Scope::parse(r)?;
        if for_partner && !scope.is_partner() {
            return Err(DomainError::validation("scopes", text!("scope-organizer-only", scope = scope.as_str())));
        }
        if !for_partner && scope.is_partner() {
            return Err(DomainError::validation("scopes", text!("scope-partner-only", scope = scope.as_str())));
        }
        if matches!(scope, Scope::Organizer(Action::ApiKeysManage | Action::MembersManage)) {
            return Err(DomainError::validation("scopes", text!("scope-people-only", scope = scope.as_str())));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

fn random_visible() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..VISIBLE - KEY_PREFIX.len()).map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())])).collect()
}

/// Creates a key (owner or admin). The secret is in the answer and nowhere else.
pub async fn create(db: &DatabaseConnection, actor: &Actor, new: NewKey, now: DateTime<Utc>) -> DomainResult<Issued> {
    let scope = actor.require(Action::ApiKeysManage)?;
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(DomainError::validation("name", text!("field-length", max = NAME_MAX)));
    }
    let scopes = check_scopes(&new.scopes, new.partner_id.is_some())?;
    if let Some(partner) = new.partner_id {
        catalog::find::find_partner(db, scope, partner).await?;
    }
    if new.expires_at.is_some_and(|at| at <= now) {
        return Err(DomainError::validation("expiresAt", text!("field-future")));
    }
    let prefix = format!("{KEY_PREFIX}{}", random_visible());
    let secret = format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()));
    let stored: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let row = api_key::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(scope.uuid()),
        partner_id: Set(new.partner_id),
        name: Set(name),
        prefix: Set(prefix),
        secret_hash: Set(hash(&secret)),
        scopes: Set(serde_json::json!(stored)),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_by: Set(actor.user_id().map(|u| u.0)),
        created_at: Set(now),
    };
    let key = db::write(db, |txn| {
        let (actor, row) = (actor.clone(), row.clone());
        Box::pin(async move {
            let key = row.insert(txn).await?;
            let details = serde_json::json!({ "scopes": key.scopes, "partner": key.partner_id });
            audit::record(txn, &actor, "api_key.create", "api_key", Some(key.id), Some(details), now).await?;
            Ok(key)
        })
    })
    .await?;
    Ok(Issued { key: Key::of(key, now), secret })
}

/// The organizer's keys, newest first (revoked ones included: they explain the
/// access log).
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, now: DateTime<Utc>) -> DomainResult<Vec<Key>> {
    let scope = actor.require(Action::ApiKeysManage)?;
    Ok(api_key::Entity::find()
        .filter(api_key::Column::TenantId.eq(scope.uuid()))
        .order_by_desc(api_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|k| Key::of(k, now))
        .collect())
}

async fn find(db: &impl ConnectionTrait, scope: TenantScope, id: Uuid) -> DomainResult<api_key::Model> {
    api_key::Entity::find_by_id(id)
        .filter(api_key::Column::TenantId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("API key"))
}

/// Revokes a key at once; revoking twice keeps the first time.
pub async fn revoke(db: &DatabaseConnection, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> DomainResult<Key> {
    let scope = actor.require(Action::ApiKeysManage)?;
    let key = db::write(db, |txn| {
        let actor = actor.clone();
        Box::pin(async move {
            let key = find(txn, scope, id).await?;
            if key.revoked_at.is_some() {
                return Ok(key);
            }
            let mut active: api_key::ActiveModel = key.into();
            active.revoked_at = Set(Some(now));
            let key = active.update(txn).await?;
            audit::record(txn, &actor, "api_key.revoke", "api_key", Some(key.id), None, now).await?;
            Ok(key)
        })
    })
    .await?;
    Ok(Key::of(key, now))
}

/// The actor behind a key. Unknown, revoked and expired keys get the same
/// answer, so a caller learns nothing about which it was.
pub async fn authenticate(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> DomainResult<Actor> {
    let invalid = || DomainError::Unauthenticated(text!("key-invalid"));
    if !looks_like_key(token) || token.len() > 128 || !token.is_char_boundary(VISIBLE) {
        return Err(invalid());
    }
    let key = api_key::Entity::find()
        .filter(api_key::Column::Prefix.eq(&token[..VISIBLE]))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if !same(&hash(token), &key.secret_hash) || KeyStatus::of(&key, now) != KeyStatus::Active {
        return Err(invalid());
    }
    // A write per request would be the busiest statement of a partner's
    // integration; once a minute says as much about whether a key is in use.
    if key.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::val(now))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(db)
            .await?;
    }
    let scopes = scopes_of(&key);
    Ok(Actor {
        scope: TenantScope::new(TenantId(key.tenant_id)),
        principal: Principal::Key(KeyGrant { key_id: key.id, partner_id: key.partner_id, scopes }),
    })
}

// ---------------------------------------------------------------- access log

/// One request made with a key, as the gateway saw it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub scope: TenantScope,
    pub key_id: Uuid,
    pub operation: Option<String>,
    pub objects_returned: u32,
    pub leads_returned: u32,
    pub outcome: String,
    pub duration_ms: u32,
    pub at: DateTime<Utc>,
}

pub async fn record_request(db: &impl ConnectionTrait, r: RequestRecord) -> DomainResult<()> {
    let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    api_request::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(r.scope.uuid()),
        api_key_id: Set(r.key_id),
        operation: Set(r.operation.map(|o| o.chars().take(120).collect())),
        objects_returned: Set(clamp(r.objects_returned)),
        leads_returned: Set(clamp(r.leads_returned)),
        outcome: Set(r.outcome.chars().take(40).collect()),
        duration_ms: Set(clamp(r.duration_ms)),
        created_at: Set(r.at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The access log, newest first; one key's, or all of the organizer's.
pub async fn requests(
    db: &impl ConnectionTrait,
    actor: &Actor,
    key_id: Option<Uuid>,
    page: &PageRequest,
) -> DomainResult<Page<Request>> {
    let scope = actor.require(Action::ApiKeysManage)?;
    let mut base = api_request::Entity::find().filter(api_request::Column::TenantId.eq(scope.uuid()));
    if let Some(key) = key_id {
        find(db, scope, key).await?;
        base = base.filter(api_request::Column::ApiKeyId.eq(key));
    }
    let total = base.clone().count(db).await?;
    let mut query = base.order_by_desc(api_request::Column::Id).limit(page.limit() + 1);
    if let Some(after) = page.after_id() {
        query = query.filter(api_request::Column::Id.lt(after));
    }
    Ok(Page::from_overfetch(query.all(db).await?, page, total).map(Request::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_keys_hold_partner_scopes_and_organizer_keys_organizer_ones() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(check_scopes(&s(&["stats:read", "leads:read"]), true).map(|v| v.len()).ok(), Some(2));
        assert!(check_scopes(&s(&["catalog:read"]), true).is_err());
        assert!(check_scopes(&s(&["leads:read"]), false).is_err());
        assert!(check_scopes(&s(&["registrations:read"]), false).is_ok());
        assert!(check_scopes(&s(&["apikeys:manage"]), false).is_err());
        assert!(check_scopes(&s(&["members:manage"]), false).is_err());
        assert!(check_scopes(&s(&["agenda:write"]), true).is_err());
        assert!(check_scopes(&[], true).is_err());
        // Repeats collapse.
        assert_eq!(check_scopes(&s(&["stats:read", "stats:read"]), true).map(|v| v.len()).ok(), Some(1));
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
