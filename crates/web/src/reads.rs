//! What the public pages read, shared for a second: on the morning a stop
//! opens, thousands of phones ask for the same organizer, agenda and
//! partners. The pages follow the API's public cache (`ESCALE_PUBLIC_CACHE_MS`,
//! 1 s by default; off when it is off): seat counts may lag by that much, and
//! registration itself always checks capacity in the database. Concurrent
//! misses wait for the first one's read (moka's `try_get_with`).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use escale_domain::access::links::{self, Signer};
use escale_domain::catalog::{self, AgendaStop};
use escale_domain::tenancy::{self, Tenant};
use escale_domain::{DatabaseConnection, DomainError, DomainResult};
use moka::future::Cache;
use uuid::Uuid;

#[derive(Clone)]
pub(crate) struct Reads {
    /// None: every read goes to the database (no public cache configured).
    caches: Option<Caches>,
}

#[derive(Clone)]
struct Caches {
    tenants: Cache<String, Arc<Tenant>>,
    agendas: Cache<Uuid, Arc<Vec<AgendaStop>>>,
    partners: Cache<Uuid, Arc<Vec<String>>>,
    /// A tenant's link secret changes never (rotation would be a restart).
    signers: Cache<Uuid, Arc<Signer>>,
    /// Stop pages by stop and language, rendered without a form id.
    pages: Cache<(Uuid, escale_domain::Lang), Arc<String>>,
}

impl Reads {
    pub(crate) fn new(ttl: Option<Duration>) -> Reads {
        let caches = ttl.filter(|t| !t.is_zero()).map(|ttl| Caches {
            tenants: Cache::builder().max_capacity(10_000).time_to_live(ttl).build(),
            agendas: Cache::builder().max_capacity(1_000).time_to_live(ttl).build(),
            partners: Cache::builder().max_capacity(10_000).time_to_live(ttl).build(),
            signers: Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(3600)).build(),
            pages: Cache::builder().max_capacity(3_000).time_to_live(ttl).build(),
        });
        Reads { caches }
    }

    pub(crate) async fn tenant(&self, db: &DatabaseConnection, slug: &str) -> DomainResult<Arc<Tenant>> {
        let read = async { tenancy::by_slug(db, slug).await.map(Arc::new) };
        match &self.caches {
            Some(c) => c.tenants.try_get_with(slug.to_owned(), read).await.map_err(unshare),
            None => read.await,
        }
    }

    pub(crate) async fn agenda(&self, db: &DatabaseConnection, tenant: &Tenant) -> DomainResult<Arc<Vec<AgendaStop>>> {
        let read = async { catalog::agenda(db, tenant.scope).await.map(Arc::new) };
        match &self.caches {
            Some(c) => c.agendas.try_get_with(tenant.scope.uuid(), read).await.map_err(unshare),
            None => read.await,
        }
    }

    /// The names of a stop's partners (its own and its edition's).
    pub(crate) async fn partners(
        &self,
        db: &DatabaseConnection,
        tenant: &Tenant,
        stop: &catalog::Stop,
    ) -> DomainResult<Arc<Vec<String>>> {
        let read = async {
            let links = catalog::partnerships_of_stops(db, tenant.scope, &[(stop.id, stop.edition_id)]).await?;
            Ok(Arc::new(links.into_iter().map(|(_, p)| p.partner.name).collect()))
        };
        match &self.caches {
            Some(c) => c.partners.try_get_with(stop.id.0, read).await.map_err(unshare),
            None => read.await,
        }
    }

    pub(crate) async fn signer(&self, db: &DatabaseConnection, tenant: &Tenant) -> DomainResult<Arc<Signer>> {
        let read = async { links::signer(db, tenant.scope, Utc::now()).await.map(Arc::new) };
        match &self.caches {
            Some(c) => c.signers.try_get_with(tenant.scope.uuid(), read).await.map_err(unshare),
            None => read.await,
        }
    }
}

impl Reads {
    /// A stop's page in a language, rendered by `render` when not shared.
    pub(crate) async fn stop_page(
        &self,
        stop: Uuid,
        lang: escale_domain::Lang,
        render: impl FnOnce() -> askama::Result<String>,
    ) -> DomainResult<Arc<String>> {
        let rendered = || render().map(Arc::new).map_err(|e| DomainError::internal(format!("stop page: {e}")));
        match &self.caches {
            Some(c) => c.pages.try_get_with((stop, lang), async { rendered() }).await.map_err(unshare),
            None => rendered(),
        }
    }
}

/// A read error shared by the requests that waited for it.
fn unshare(e: Arc<DomainError>) -> DomainError {
    match &*e {
        DomainError::NotFound { entity } => DomainError::NotFound { entity },
        other => DomainError::internal(other.to_string()),
    }
}
