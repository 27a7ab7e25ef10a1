use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use escale_domain::access::authz::Action;
use escale_domain::access::{accounts, audit};
use escale_domain::catalog::{self, EditionFilter, StopFilter};
use escale_domain::paging::After;
use escale_domain::tenancy;

use super::account::{AuditEntry, MemberRole, Membership, Viewer};
use super::auth;
use super::objects::*;
use super::paging::{self, Conn};
use crate::{AppState, error, ids};

#[derive(Debug, Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The public agenda of an organizer (`tenant` is its slug, e.g.
    /// `attitudes-conseil`): published stops, past and upcoming, oldest first.
    async fn agenda(&self, ctx: &Context<'_>, tenant: String) -> Result<Vec<Stop>> {
        let state = ctx.data::<AppState>()?;
        let tenant = tenancy::by_slug(&state.db, &tenant).await.map_err(error::domain)?;
        let now = Utc::now();
        let stops = catalog::agenda(&state.db, tenant.scope).await.map_err(error::domain)?;
        Ok(stops.into_iter().map(|s| Stop::preloaded(s, now)).collect())
    }

    /// Who is calling: null without a valid token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<Viewer>> {
        let Ok(actor) = auth::actor(ctx).await else { return Ok(None) };
        // An API key is nobody's account: no viewer.
        let Some(role) = actor.role() else { return Ok(None) };
        let state = ctx.data::<AppState>()?;
        let v = accounts::viewer(&state.db, actor).await.map_err(error::domain)?;
        let current =
            v.memberships.iter().find(|(t, _)| t.scope == actor.scope).map(|(t, _)| t.slug.clone()).unwrap_or_default();
        Ok(Some(Viewer {
            email: v.email,
            name: v.display_name,
            tenant_slug: current,
            role: MemberRole::from(role),
            memberships: v
                .memberships
                .iter()
                .map(|(t, r)| Membership {
                    tenant_slug: t.slug.clone(),
                    tenant_name: t.name.clone(),
                    role: r.into(),
                    current: t.scope == actor.scope,
                })
                .collect(),
        }))
    }

    /// Any object of the caller's organizer by its global id. Another
    /// organizer's id is NOT_FOUND.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Node> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let g = ids::decode_any(&id).map_err(|e| error::bad_id("id", "object", &e))?;
        if g.tenant != scope.id() {
            return Err(error::domain(escale_domain::DomainError::not_found("object")));
        }
        let now = Utc::now();
        let vis = Vis::Team;
        let node = match g.kind {
            "Series" => Node::Series(Series {
                v: catalog::find::one_series(db, scope, g.id).await.map_err(error::domain)?,
                vis,
            }),
            "Edition" => Node::Edition(Edition {
                v: catalog::find::one_edition(db, scope, g.id).await.map_err(error::domain)?,
                vis,
            }),
            "Stop" => {
                Node::Stop(Stop::new(catalog::find::one_stop(db, scope, g.id).await.map_err(error::domain)?, vis, now))
            }
            "Session" => Node::Session(Session::bare(
                catalog::find::one_session(db, scope, g.id).await.map_err(error::domain)?,
                vis,
            )),
            "Speaker" => Node::Speaker(Speaker {
                v: catalog::find::one_speaker(db, scope, g.id).await.map_err(error::domain)?,
                vis,
            }),
            "Partner" => {
                Node::Partner(Partner { v: catalog::find::one_partner(db, scope, g.id).await.map_err(error::domain)? })
            }
            _ => return Err(error::domain(escale_domain::DomainError::not_found("object"))),
        };
        Ok(node)
    }

    /// The organizer's series.
    async fn series(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Series>> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let rows = catalog::list_series(db, scope, &page).await.map_err(error::domain)?;
        Ok(paging::connection(rows, after.is_some(), |r| After::Id(r.id.0), |m| Series { v: m, vis: Vis::Team }))
    }

    /// The organizer's editions, in creation order, filtered by series or status.
    async fn editions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        series_id: Option<ID>,
        status: Option<EditionStatus>,
    ) -> Result<Conn<Edition>> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let filter = EditionFilter {
            series_id: series_id.map(|s| auth::own_id(&s, "Series", "seriesId", "series", scope)).transpose()?,
            status: status.map(Into::into),
        };
        let rows = catalog::list_editions(db, scope, &filter, &page).await.map_err(error::domain)?;
        Ok(paging::connection(rows, after.is_some(), |r| After::Id(r.id.0), |m| Edition { v: m, vis: Vis::Team }))
    }

    /// The organizer's stops in time order, filtered by edition, region,
    /// status and start date range (`startsAfter` inclusive, `startsBefore`
    /// exclusive).
    #[expect(clippy::too_many_arguments, reason = "one argument per GraphQL filter")]
    async fn stops(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        edition_id: Option<ID>,
        region: Option<String>,
        status: Option<StopStatus>,
        starts_after: Option<DateTime<Utc>>,
        starts_before: Option<DateTime<Utc>>,
    ) -> Result<Conn<Stop>> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let filter = StopFilter {
            edition_id: edition_id.map(|e| auth::own_id(&e, "Edition", "editionId", "edition", scope)).transpose()?,
            region,
            status: status.map(Into::into),
            starts_after,
            starts_before,
        };
        let rows = catalog::list_stops(db, scope, &filter, &page).await.map_err(error::domain)?;
        let now = Utc::now();
        Ok(paging::connection(
            rows,
            after.is_some(),
            |r| After::At(r.starts_at, r.id.0),
            |m| Stop::new(m, Vis::Team, now),
        ))
    }

    /// Sessions in time order, optionally of one stop.
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        stop_id: Option<ID>,
    ) -> Result<Conn<Session>> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let stop = stop_id.map(|s| auth::own_id(&s, "Stop", "stopId", "stop", scope)).transpose()?;
        let rows = catalog::list_sessions(db, scope, stop, &page).await.map_err(error::domain)?;
        Ok(paging::connection(
            rows,
            after.is_some(),
            |r| After::At(r.starts_at, r.id.0),
            |m| Session::bare(m, Vis::Team),
        ))
    }

    async fn speakers(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Speaker>> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let rows = catalog::list_speakers(db, scope, &page).await.map_err(error::domain)?;
        Ok(paging::connection(rows, after.is_some(), |r| After::Id(r.id.0), |m| Speaker { v: m, vis: Vis::Team }))
    }

    async fn partners(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Partner>> {
        let (_, scope) = auth::require(ctx, Action::CatalogRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let rows = catalog::list_partners(db, scope, &page).await.map_err(error::domain)?;
        Ok(paging::connection(rows, after.is_some(), |r| After::Id(r.id.0), |v| Partner { v }))
    }

    /// Every organizer action, newest first (owners only).
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<AuditEntry>> {
        let (_, scope) = auth::require(ctx, Action::AuditRead).await?;
        let db = &ctx.data::<AppState>()?.db;
        let page = paging::request(first, after.clone())?;
        let rows = audit::list(db, scope, &page).await.map_err(error::domain)?;
        Ok(paging::connection(rows, after.is_some(), |r| After::Id(r.id), |m| AuditEntry { m }))
    }
}
