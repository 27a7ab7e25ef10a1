//! API keys (organizers create, list and revoke them, and read what each key
//! asked for) and the partner surface a partner's key reaches through
//! `partnerAccess`.

use std::sync::atomic::{AtomicU32, Ordering};

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use escale_domain::access::api_keys::{self, NewKey};
use escale_domain::access::authz::Scope;
use escale_domain::paging::After;
use escale_domain::partner_access::{self, Breakdown, Lead, Partner as Grant, StopStats};

use super::auth;
use super::objects::{Partner, Stop};
use super::paging::{self, Conn};
use crate::{AppState, error, ids};

/// What a request made with a key returned, for the access log. Put in the
/// request's data by the HTTP handler; resolvers of the partner surface add
/// what they return.
#[derive(Debug, Default)]
pub struct Meter {
    pub objects: AtomicU32,
    pub leads: AtomicU32,
}

fn meter(ctx: &Context<'_>, objects: usize, leads: usize) {
    if let Ok(m) = ctx.data::<std::sync::Arc<Meter>>() {
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        m.objects.fetch_add(n(objects), Ordering::Relaxed);
        m.leads.fetch_add(n(leads), Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------- keys

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "api_keys::KeyStatus")]
pub enum ApiKeyStatus {
    Active,
    Expired,
    Revoked,
}

pub struct ApiKey {
    k: api_keys::Key,
}

#[Object]
impl ApiKey {
    async fn id(&self) -> ID {
        ID(ids::encode("ApiKey", self.k.tenant, self.k.id))
    }
    async fn name(&self) -> &str {
        &self.k.name
    }
    /// The visible head of the key (`esk_live_k3m9p2q7xa`): how to recognise
    /// it in a configuration or a log without the secret.
    async fn prefix(&self) -> &str {
        &self.k.prefix
    }
    async fn scopes(&self) -> Vec<String> {
        self.k.scopes.iter().map(|s| s.as_str().to_owned()).collect()
    }
    /// The partner it was issued to; null for the organizer's own integration.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        let Some(id) = self.k.partner_id else { return Ok(None) };
        let db = &ctx.data::<AppState>()?.db;
        let scope = escale_domain::tenancy::TenantScope::new(self.k.tenant);
        Ok(Some(Partner { v: escale_domain::catalog::find::one_partner(db, scope, id).await.map_err(error::domain)? }))
    }
    async fn status(&self) -> ApiKeyStatus {
        self.k.status.into()
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.k.expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.k.revoked_at
    }
    /// To the minute.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.k.last_used_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.k.created_at
    }
}

/// A new key, with its secret: shown this once, stored only as a hash.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    key: ApiKey,
    /// `esk_live_…`: give it to the partner over a safe channel; send it as
    /// `Authorization: Bearer <secret>`.
    secret: String,
}

#[derive(InputObject, Debug)]
pub struct CreateApiKeyInput {
    pub name: String,
    /// The partner the key is for (partner scopes); omit for the organizer's
    /// own integration (organizer scopes).
    pub partner_id: Option<ID>,
    /// `agenda:read`, `stats:read`, `leads:read` for a partner; `catalog:read`,
    /// `registrations:read`, … for the organizer's own.
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub struct ApiRequest(api_keys::Request);

/// One request made with a key.
#[Object]
impl ApiRequest {
    /// The GraphQL operation name the client gave, if any.
    async fn operation(&self) -> Option<&str> {
        self.0.operation.as_deref()
    }
    async fn objects_returned(&self) -> i32 {
        self.0.objects_returned
    }
    /// How many people's contact details it returned.
    async fn leads_returned(&self) -> i32 {
        self.0.leads_returned
    }
    /// `ok`, or the first error's code.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    async fn duration_ms(&self) -> i32 {
        self.0.duration_ms
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    async fn key_id(&self) -> ID {
        ID(ids::encode("ApiKey", self.0.tenant, self.0.key_id))
    }
}

#[derive(Debug, Default)]
pub struct KeysQuery;

#[Object]
impl KeysQuery {
    /// The organizer's API keys, newest first, revoked ones included (owner, admin).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let actor = auth::actor(ctx).await?;
        let db = &ctx.data::<AppState>()?.db;
        Ok(api_keys::list(db, actor, Utc::now())
            .await
            .map_err(error::domain)?
            .into_iter()
            .map(|k| ApiKey { k })
            .collect())
    }

    /// Every request made with the organizer's keys (or one key's), newest
    /// first: who asked for what and how many contacts left (owner, admin).
    async fn api_requests(
        &self,
        ctx: &Context<'_>,
        key_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ApiRequest>> {
        let actor = auth::actor(ctx).await?;
        let key = match &key_id {
            Some(raw) => Some(auth::own_id(raw, "ApiKey", "keyId", "API key", actor.scope)?),
            None => None,
        };
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let rows = api_keys::requests(db, actor, key, &page).await.map_err(error::domain)?;
        Ok(paging::connection(rows, after.is_some(), |r| After::Id(r.id), ApiRequest))
    }

    /// What a partner's API key reaches: the stops its partner backs, and for
    /// each what the key's scopes allow.
    async fn partner_access(&self, ctx: &Context<'_>) -> Result<PartnerAccess> {
        let actor = auth::actor(ctx).await?;
        Grant::of(actor).map_err(error::domain)?;
        Ok(PartnerAccess)
    }
}

#[derive(Debug, Default)]
pub struct KeysMutation;

#[Object]
impl KeysMutation {
    /// Creates an API key (owner, admin). The answer holds its secret, once.
    async fn create_api_key(&self, ctx: &Context<'_>, input: CreateApiKeyInput) -> Result<CreatedApiKey> {
        let actor = auth::actor(ctx).await?;
        let partner_id = match &input.partner_id {
            Some(raw) => Some(auth::own_id(raw, "Partner", "partnerId", "partner", actor.scope)?),
            None => None,
        };
        let db = &ctx.data::<AppState>()?.db;
        let new = NewKey { name: input.name, partner_id, scopes: input.scopes, expires_at: input.expires_at };
        let issued = api_keys::create(db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(CreatedApiKey { key: ApiKey { k: issued.key }, secret: issued.secret })
    }

    /// Revokes a key at once (owner, admin); its next request is UNAUTHENTICATED.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let actor = auth::actor(ctx).await?;
        let key = auth::own_id(&id, "ApiKey", "id", "API key", actor.scope)?;
        let db = &ctx.data::<AppState>()?.db;
        Ok(ApiKey { k: api_keys::revoke(db, actor, key, Utc::now()).await.map_err(error::domain)? })
    }
}

// ---------------------------------------------------------------- partner surface

async fn grant<'a>(ctx: &'a Context<'_>) -> Result<Grant<'a>> {
    Grant::of(auth::actor(ctx).await?).map_err(error::domain)
}

pub struct PartnerAccess;

#[Object]
impl PartnerAccess {
    /// The partner this key was issued to.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let g = grant(ctx).await?;
        let db = &ctx.data::<AppState>()?.db;
        Ok(Partner {
            v: escale_domain::catalog::find::one_partner(db, g.scope, g.partner_id).await.map_err(error::domain)?,
        })
    }

    async fn scopes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(grant(ctx).await?.grant.scopes.iter().map(|s| s.as_str().to_owned()).collect())
    }

    /// The published stops the partner backs (itself or through their
    /// edition), oldest first.
    async fn stops(&self, ctx: &Context<'_>) -> Result<Vec<PartnerStop>> {
        let g = grant(ctx).await?;
        let db = &ctx.data::<AppState>()?.db;
        let stops = partner_access::stops(db, &g).await.map_err(error::domain)?;
        meter(ctx, stops.len(), 0);
        Ok(stops.into_iter().map(PartnerStop::from).collect())
    }

    /// One of them; any other stop is NOT_FOUND.
    async fn stop(&self, ctx: &Context<'_>, id: ID) -> Result<PartnerStop> {
        let g = grant(ctx).await?;
        let stop_id = auth::own_id(&id, "Stop", "id", "stop", g.scope)?;
        let db = &ctx.data::<AppState>()?.db;
        let stop = partner_access::stop(db, &g, stop_id).await.map_err(error::domain)?;
        meter(ctx, 1, 0);
        Ok(PartnerStop::from(stop))
    }
}

pub struct PartnerStop {
    data: escale_domain::catalog::AgendaStop,
}

impl From<escale_domain::catalog::AgendaStop> for PartnerStop {
    fn from(data: escale_domain::catalog::AgendaStop) -> Self {
        PartnerStop { data }
    }
}

#[Object]
impl PartnerStop {
    async fn id(&self) -> ID {
        ID(ids::encode("Stop", self.data.stop.tenant, self.data.stop.id.0))
    }
    async fn city(&self) -> &str {
        &self.data.stop.city
    }
    async fn region(&self) -> &str {
        &self.data.stop.region
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.data.stop.starts_at
    }
    async fn edition_number(&self) -> i32 {
        self.data.edition.number
    }

    /// The stop as the public agenda shows it: venue, sessions, speakers
    /// (scope `agenda:read`).
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Stop> {
        grant(ctx).await?.require(Scope::AgendaRead).map_err(error::domain)?;
        Ok(Stop::preloaded(self.data.clone(), Utc::now()))
    }

    /// Counts and breakdowns; no group under the threshold is shown (scope
    /// `stats:read`).
    async fn stats(&self, ctx: &Context<'_>) -> Result<PartnerStats> {
        let g = grant(ctx).await?;
        let db = &ctx.data::<AppState>()?.db;
        let stats = partner_access::stats(db, &g, self.data.stop.id.0).await.map_err(error::domain)?;
        meter(ctx, 1, 0);
        Ok(PartnerStats(stats))
    }

    /// Participants who agreed to share their contact with partners, in
    /// registration order (scope `leads:read`). A withdrawn consent hides the
    /// lead from the next request on.
    #[graphql(complexity = "first.map_or(20, |n| n.max(0) as usize) * child_complexity + 1")]
    async fn leads(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<PartnerLead>> {
        let g = grant(ctx).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let rows = partner_access::leads(db, &g, self.data.stop.id.0, &page).await.map_err(error::domain)?;
        meter(ctx, rows.items.len(), rows.items.len());
        Ok(paging::connection(rows, after.is_some(), |l| After::Id(l.registration_id), PartnerLead))
    }
}

pub struct PartnerStats(StopStats);

#[Object]
impl PartnerStats {
    /// Confirmed and waitlisted.
    async fn registrations(&self) -> u64 {
        self.0.registrations
    }
    async fn confirmed(&self) -> u64 {
        self.0.confirmed
    }
    async fn waitlisted(&self) -> u64 {
        self.0.waitlisted
    }
    async fn checked_in(&self) -> u64 {
        self.0.checked_in
    }
    /// Checked in ÷ confirmed; null before anyone is confirmed.
    async fn attendance(&self) -> Option<f64> {
        self.0.attendance()
    }
    /// TPE, micro-enterprise, auto-entrepreneur, project holder…
    async fn segments(&self) -> Groups {
        Groups::from(&self.0.segments)
    }
    async fn sectors(&self) -> Groups {
        Groups::from(&self.0.sectors)
    }
    async fn regions(&self) -> Groups {
        Groups::from(&self.0.regions)
    }
    /// Questions asked per topic.
    async fn questions(&self) -> Groups {
        Groups::from(&self.0.questions)
    }
    /// The smallest group shown.
    async fn min_group(&self) -> u64 {
        partner_access::MIN_GROUP
    }
}

#[derive(SimpleObject)]
pub struct Group {
    /// The value; null when people did not say.
    key: Option<String>,
    count: u64,
}

#[derive(SimpleObject)]
pub struct Groups {
    /// Largest first, each at least `minGroup` people.
    groups: Vec<Group>,
    /// People in groups too small to show, together.
    suppressed: u64,
}

impl From<&Breakdown> for Groups {
    fn from(b: &Breakdown) -> Self {
        Groups {
            groups: b.groups.iter().map(|(key, count)| Group { key: key.clone(), count: *count }).collect(),
            suppressed: b.suppressed,
        }
    }
}

/// What a participant's consent to share with partners covers, and nothing more.
pub struct PartnerLead(Lead);

#[Object(name = "Lead")]
impl PartnerLead {
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// E.164.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn segment(&self) -> Option<&str> {
        self.0.segment.as_deref()
    }
    async fn sector(&self) -> Option<&str> {
        self.0.sector.as_deref()
    }
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// fr, ar or en: the language to write to them in.
    async fn locale(&self) -> &str {
        &self.0.locale
    }
    /// When they agreed to share their contact.
    async fn consented_at(&self) -> DateTime<Utc> {
        self.0.consented_at
    }
}
