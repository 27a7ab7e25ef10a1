use std::sync::Arc;

use async_graphql::{Context, Object, Result};
use chrono::Utc;
use escale_domain::{catalog, tenancy};

use super::types::Stop;
use crate::{AppState, error};

#[derive(Debug)]
pub struct Query;

#[Object]
impl Query {
    /// The public agenda of an organizer (`tenant` is its slug, e.g.
    /// `attitudes-conseil`): published stops, past and upcoming, oldest first.
    async fn agenda(&self, ctx: &Context<'_>, tenant: String) -> Result<Vec<Stop>> {
        let state = ctx.data::<AppState>()?;
        let tenant = tenancy::by_slug(&state.db, &tenant).await.map_err(error::domain)?;
        let now = Utc::now();
        let stops = catalog::agenda(&state.db, tenant.scope).await.map_err(error::domain)?;
        Ok(stops.into_iter().map(|s| Stop { data: Arc::new(s), now }).collect())
    }
}
