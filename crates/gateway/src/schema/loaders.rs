//! DataLoaders: nested fields ask for rows one by one; the loaders gather the
//! keys asked for in the same tick and fetch them with one query per table,
//! so a stop with 30 sessions costs the same number of SQL statements as a
//! stop with 3. Keys carry their tenant, and every batch is scoped by it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use escale_domain::catalog::{self, AgendaSession, Audience, Partnership};
use escale_domain::ids::{EditionId, StopId, TenantId};
use escale_domain::tenancy::TenantScope;
use escale_domain::{DatabaseConnection, DomainError};
use uuid::Uuid;

/// Loads catalog rows in batches. One value per key kind below.
#[derive(Clone)]
pub struct CatalogLoader {
    pub db: DatabaseConnection,
}

/// Errors are shared between every field that waited on the batch, with
/// their code (a batch's internal error is logged once, under one reference).
pub type LoadError = crate::error::ApiError;

fn err(e: DomainError) -> LoadError {
    LoadError::from(e)
}

/// Groups keys by tenant (and whatever else a query is scoped by), so that
/// each query is scoped to one tenant.
fn by_tenant<K: Copy, G: std::hash::Hash + Eq, T>(keys: &[K], split: impl Fn(K) -> (G, T)) -> HashMap<G, Vec<T>> {
    let mut groups: HashMap<G, Vec<T>> = HashMap::new();
    for key in keys {
        let (t, id) = split(*key);
        groups.entry(t).or_default().push(id);
    }
    groups
}

macro_rules! row_loader {
    ($key:ident, $view:ty, $fetch:path) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub TenantId, pub Uuid);

        impl Loader<$key> for CatalogLoader {
            type Value = $view;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let mut out = HashMap::with_capacity(keys.len());
                for (tenant, ids) in by_tenant(keys, |k| (k.0, k.1)) {
                    for row in $fetch(&self.db, TenantScope::new(tenant), &ids).await.map_err(err)? {
                        out.insert($key(tenant, row.id.0), row);
                    }
                }
                Ok(out)
            }
        }
    };
}

row_loader!(SeriesKey, catalog::Series, catalog::series_by_ids);
row_loader!(EditionKey, catalog::Edition, catalog::editions_by_ids);
row_loader!(StopKey, catalog::Stop, catalog::stops_by_ids);
row_loader!(PartnerKey, catalog::Partner, catalog::partners_by_ids);

/// The sessions of a stop, each with its speakers, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionsOfStop(pub TenantId, pub Uuid);

impl Loader<SessionsOfStop> for CatalogLoader {
    type Value = Arc<Vec<AgendaSession>>;
    type Error = LoadError;

    async fn load(&self, keys: &[SessionsOfStop]) -> Result<HashMap<SessionsOfStop, Self::Value>, Self::Error> {
        let mut out = HashMap::with_capacity(keys.len());
        for (tenant, ids) in by_tenant(keys, |k| (k.0, k.1)) {
            let mut grouped =
                catalog::sessions_with_speakers(&self.db, TenantScope::new(tenant), ids.clone()).await.map_err(err)?;
            for id in ids {
                out.insert(SessionsOfStop(tenant, id), Arc::new(grouped.remove(&id).unwrap_or_default()));
            }
        }
        Ok(out)
    }
}

/// The stops of an edition that a reader may see, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StopsOfEdition(pub TenantId, pub Uuid, pub Audience);

impl Loader<StopsOfEdition> for CatalogLoader {
    type Value = Arc<Vec<catalog::Stop>>;
    type Error = LoadError;

    async fn load(&self, keys: &[StopsOfEdition]) -> Result<HashMap<StopsOfEdition, Self::Value>, Self::Error> {
        let mut out = HashMap::with_capacity(keys.len());
        for ((tenant, audience), ids) in by_tenant(keys, |k| ((k.0, k.2), k.1)) {
            let all =
                catalog::stops_of_editions(&self.db, TenantScope::new(tenant), &ids, audience).await.map_err(err)?;
            for id in ids {
                let stops: Vec<catalog::Stop> = all.iter().filter(|s| s.edition_id.0 == id).cloned().collect();
                out.insert(StopsOfEdition(tenant, id, audience), Arc::new(stops));
            }
        }
        Ok(out)
    }
}

/// The partnerships that back a stop, directly or through its edition (the
/// key carries both), with their partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartnersOfStop(pub TenantId, pub Uuid, pub Uuid);

pub type PartnershipRows = Arc<Vec<Partnership>>;

impl Loader<PartnersOfStop> for CatalogLoader {
    type Value = PartnershipRows;
    type Error = LoadError;

    async fn load(&self, keys: &[PartnersOfStop]) -> Result<HashMap<PartnersOfStop, Self::Value>, Self::Error> {
        let mut out = HashMap::with_capacity(keys.len());
        for (tenant, stops) in by_tenant(keys, |k| (k.0, (StopId(k.1), EditionId(k.2)))) {
            let links =
                catalog::partnerships_of_stops(&self.db, TenantScope::new(tenant), &stops).await.map_err(err)?;
            for (stop, edition) in stops {
                let rows = links.iter().filter(|(s, _)| *s == stop).map(|(_, p)| p.clone()).collect();
                out.insert(PartnersOfStop(tenant, stop.0, edition.0), Arc::new(rows));
            }
        }
        Ok(out)
    }
}

/// The partnerships of an edition itself, with their partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartnersOfEdition(pub TenantId, pub Uuid);

impl Loader<PartnersOfEdition> for CatalogLoader {
    type Value = PartnershipRows;
    type Error = LoadError;

    async fn load(&self, keys: &[PartnersOfEdition]) -> Result<HashMap<PartnersOfEdition, Self::Value>, Self::Error> {
        let mut out = HashMap::with_capacity(keys.len());
        for (tenant, ids) in by_tenant(keys, |k| (k.0, k.1)) {
            let links =
                catalog::partnerships_of_editions(&self.db, TenantScope::new(tenant), &ids).await.map_err(err)?;
            for id in ids {
                let rows = links.iter().filter(|(e, _)| e.0 == id).map(|(_, p)| p.clone()).collect();
                out.insert(PartnersOfEdition(tenant, id), Arc::new(rows));
            }
        }
        Ok(out)
    }
}

/// The speakers of a session, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpeakersOfSession(pub TenantId, pub Uuid);

impl Loader<SpeakersOfSession> for CatalogLoader {
    type Value = Arc<Vec<catalog::Speaker>>;
    type Error = LoadError;

    async fn load(&self, keys: &[SpeakersOfSession]) -> Result<HashMap<SpeakersOfSession, Self::Value>, Self::Error> {
        let mut out = HashMap::with_capacity(keys.len());
        for (tenant, ids) in by_tenant(keys, |k| (k.0, k.1)) {
            let mut grouped =
                catalog::speakers_of_sessions(&self.db, TenantScope::new(tenant), &ids).await.map_err(err)?;
            for id in ids {
                out.insert(SpeakersOfSession(tenant, id), Arc::new(grouped.remove(&id).unwrap_or_default()));
            }
        }
        Ok(out)
    }
}
/// Live registration counts of a stop (organizers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountsOfStop(pub TenantId, pub Uuid);

impl Loader<CountsOfStop> for CatalogLoader {
    type Value = escale_domain::registration::door::StopCounts;
    type Error = LoadError;

    async fn load(&self, keys: &[CountsOfStop]) -> Result<HashMap<CountsOfStop, Self::Value>, Self::Error> {
        let mut out = HashMap::with_capacity(keys.len());
        for (tenant, ids) in by_tenant(keys, |k| (k.0, k.1)) {
            let counts = escale_domain::registration::door::stop_counts(&self.db, TenantScope::new(tenant), &ids)
                .await
                .map_err(err)?;
            out.extend(counts.into_iter().map(|(id, c)| (CountsOfStop(tenant, id), c)));
        }
        Ok(out)
    }
}
