//! A short-lived cache of public query responses.
//!
//! On the day a stop opens, thousands of phones load the same agenda. An
//! anonymous query's answer depends only on the request body and the catalog,
//! so identical bodies within `ttl` share one execution (concurrent misses
//! wait for the first one) and one serialized response. Seat counts may lag by
//! up to `ttl` (1 s by default); registration itself always checks capacity in
//! the database. Organizer mutations in this process clear the cache at once;
//! other replicas catch up within `ttl`.
//!
//! Never cached: requests with credentials, mutations, batches, and responses
//! with errors.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use moka::future::Cache;

#[derive(Clone)]
pub struct PublicCache {
    inner: Cache<Bytes, Bytes>,
    ttl: Duration,
}

impl std::fmt::Debug for PublicCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicCache").field("ttl", &self.ttl).field("entries", &self.inner.entry_count()).finish()
    }
}

/// The answer of an execution that must not be cached (it has errors).
#[derive(Debug)]
pub struct Uncacheable(pub Bytes);

impl PublicCache {
    /// `max_bytes` bounds the memory held by cached responses.
    /// How long an answer is shared (the pages' read models follow it too).
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn new(ttl: Duration, max_bytes: u64) -> Self {
        let inner = Cache::builder()
            .time_to_live(ttl)
            .max_capacity(max_bytes)
            .weigher(|k: &Bytes, v: &Bytes| u32::try_from(k.len() + v.len()).unwrap_or(u32::MAX))
            .build();
        Self { inner, ttl }
    }

    /// The cached answer for `body`, or the one `execute` produces (shared with
    /// every concurrent caller for the same body).
    pub async fn get_or_execute<F>(&self, body: Bytes, execute: F) -> Bytes
    where
        F: Future<Output = Result<Bytes, Uncacheable>>,
    {
        match self.inner.try_get_with(body, execute).await {
            Ok(bytes) => bytes,
            Err(shared) => shared.0.clone(),
        }
    }

    pub fn clear(&self) {
        self.inner.invalidate_all();
    }
}

pub type SharedCache = Option<Arc<PublicCache>>;
