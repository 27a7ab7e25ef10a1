//! Who is calling: the bearer token of the request, authenticated once per
//! request on first use, and the single authorization check every organizer
//! resolver goes through.

use async_graphql::{Context, Result};
use chrono::Utc;
use escale_domain::access::accounts;
use escale_domain::access::authz::{Action, Actor};
use escale_domain::tenancy::TenantScope;
use escale_domain::text;
use tokio::sync::OnceCell;

use crate::limits::{Bucket, retry_after_secs};
use crate::{AppState, error};

/// Put in each request's data by the HTTP handler.
#[derive(Debug, Default)]
pub struct RequestAuth {
    pub token: Option<String>,
    actor: OnceCell<Option<Actor>>,
}

impl RequestAuth {
    pub fn new(token: Option<String>) -> Self {
        Self { token, actor: OnceCell::new() }
    }

    /// A caller the HTTP handler already authenticated (an API key): its
    /// actor, or None for a key that was refused.
    pub fn resolved(token: String, actor: Option<Actor>) -> Self {
        Self { token: Some(token), actor: OnceCell::new_with(Some(actor)) }
    }
}

/// The actor behind a bearer token: an API key (`esk_live_…`) or a person's
/// login session (`ess_…`).
pub async fn authenticate(
    db: &escale_domain::DatabaseConnection,
    token: &str,
    now: chrono::DateTime<Utc>,
) -> escale_domain::DomainResult<Actor> {
    if escale_domain::access::api_keys::looks_like_key(token) {
        escale_domain::access::api_keys::authenticate(db, token, now).await
    } else {
        accounts::authenticate(db, token, now).await
    }
}

/// The caller, or UNAUTHENTICATED.
pub async fn actor<'a>(ctx: &'a Context<'_>) -> Result<&'a Actor> {
    let state = ctx.data::<AppState>()?;
    let auth = ctx.data::<std::sync::Arc<RequestAuth>>()?;
    let Some(token) = auth.token.as_deref() else { return Err(error::unauthenticated()) };
    let actor = auth
        .actor
        .get_or_try_init(|| async {
            match authenticate(&state.db, token, Utc::now()).await {
                Ok(actor) => Ok(Some(actor)),
                Err(escale_domain::DomainError::Unauthenticated(_)) => Ok(None),
                Err(other) => Err(other),
            }
        })
        .await
        .map_err(error::domain)?;
    actor.as_ref().ok_or_else(|| error::domain(escale_domain::DomainError::Unauthenticated(text!("token-invalid"))))
}

/// The caller if allowed to do `action`: UNAUTHENTICATED without a valid token,
/// FORBIDDEN when the role does not allow it. Returns the tenant scope to use.
pub async fn require<'a>(ctx: &'a Context<'_>, action: Action) -> Result<(&'a Actor, TenantScope)> {
    let actor = actor(ctx).await?;
    let scope = actor.require(action).map_err(error::domain)?;
    Ok((actor, scope))
}

/// Reads an id argument that must name an object of the caller's organizer.
/// Another organizer's id is NOT_FOUND — exactly like an id that never
/// existed — and is checked before any role check, so nothing leaks.
pub fn own_id(
    raw: &async_graphql::ID,
    kind: &'static str,
    field: &str,
    entity: &'static str,
    scope: TenantScope,
) -> Result<uuid::Uuid> {
    let g = crate::ids::decode(raw, kind).map_err(|e| error::bad_id(field, entity, &e))?;
    if g.tenant != scope.id() {
        return Err(error::domain(escale_domain::DomainError::not_found(entity)));
    }
    Ok(g.id)
}

/// One attempt of `bucket` keyed by `key`: RATE_LIMITED with the seconds to
/// wait when its bucket is empty. Each call takes a token, so aliases and
/// batches spend one per write they make.
pub async fn throttle(ctx: &Context<'_>, bucket: Bucket, key: &str) -> Result<()> {
    let state = ctx.data::<AppState>()?;
    state.limits.check(bucket, key).await.map_err(|wait| error::rate_limited(retry_after_secs(wait)))
}

/// One attempt of `bucket` by this request's client address.
pub async fn throttle_address(ctx: &Context<'_>, bucket: Bucket) -> Result<()> {
    throttle(ctx, bucket, &client_address(ctx)).await
}

/// The client's address as a bucket key ("unknown" when the request came
/// without one, which only in-process callers do).
pub fn client_address(ctx: &Context<'_>) -> String {
    ctx.data_opt::<crate::http::ClientIp>().map_or_else(|| "unknown".to_owned(), |c| c.0.to_string())
}

pub use crate::limits::actor_key;
