//! The job queues: one per channel, holding only notification ids.

use std::time::Duration;

use apalis::prelude::TaskSink;
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage};
use escale_domain::messaging::templates::Channel;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

use crate::config::QueueConfig;

/// What a queue carries: which rows to send, all of one tenant. Nothing else —
/// the rows are read again when the job runs. A job holds several rows so that
/// the database work of sending (claiming, reading what the messages are about,
/// recording the result) is a few statements per job rather than per message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendJob {
    pub tenant_id: uuid::Uuid,
    /// A job queued by a worker from before batches: one row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<uuid::Uuid>,
    #[serde(default)]
    pub notification_ids: Vec<uuid::Uuid>,
}

impl SendJob {
    pub fn new(tenant_id: uuid::Uuid, notification_ids: Vec<uuid::Uuid>) -> SendJob {
        SendJob { tenant_id, notification_id: None, notification_ids }
    }

    /// Every row the job names.
    pub fn ids(&self) -> impl Iterator<Item = uuid::Uuid> + '_ {
        self.notification_id.into_iter().chain(self.notification_ids.iter().copied())
    }
}

#[derive(Clone)]
pub enum Storage {
    Redis(RedisStorage<SendJob>),
    /// The storage, its file's pool and the queue's name (for counting).
    Sqlite(SqliteStorage<SendJob>, SqlitePool, &'static str),
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Storage::Redis(_) => "Storage::Redis",
            Storage::Sqlite(..) => "Storage::Sqlite",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("queue: {0}")]
pub struct QueueError(pub String);

impl Storage {
    /// Jobs pushed and not yet taken by a queue worker. On Redis one round
    /// trip (`ZCARD` + `LLEN`) whatever the backlog: the dispatcher asks before every round, and the
    /// count it used to run on the outbox read every due row (O(backlog)).
    pub async fn waiting_jobs(&self) -> Result<u64, QueueError> {
        match self {
            // apalis-redis pushes a job as scheduled for now and promotes it to
            // the active list when a worker fetches: both hold waiting jobs.
            Storage::Redis(s) => {
                let config = s.get_config();
                let mut pipe = redis::pipe();
                pipe.cmd("ZCARD").arg(config.scheduled_jobs_set()).cmd("LLEN").arg(config.active_jobs_list());
                let mut storage = s.clone();
                let (scheduled, active): (u64, u64) =
                    pipe.query_async(storage.get_connection()).await.map_err(|e| QueueError(e.to_string()))?;
                Ok(scheduled.saturating_add(active))
            }
            // apalis-sqlite's statistics compute some twenty figures over every
            // job ever run; this count reads its (job_type, status) index.
            Storage::Sqlite(_, pool, queue) => {
                let (n,): (i64,) =
                    sea_orm::sqlx::query_as("SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND status = 'Pending'")
                        .bind(*queue)
                        .fetch_one(pool)
                        .await
                        .map_err(|e| QueueError(e.to_string()))?;
                Ok(u64::try_from(n).unwrap_or(0))
            }
        }
    }

    pub async fn push_all(&self, jobs: Vec<SendJob>) -> Result<(), QueueError> {
        match self {
            Storage::Redis(s) => s.clone().push_bulk(jobs).await.map_err(|e| QueueError(e.to_string())),
            Storage::Sqlite(s, ..) => s.clone().push_bulk(jobs).await.map_err(|e| QueueError(e.to_string())),
        }
    }
}

/// The email and SMS queues.
#[derive(Debug, Clone)]
pub struct Queues {
    pub email: Storage,
    pub sms: Storage,
}

impl Queues {
    pub fn for_channel(&self, channel: Channel) -> &Storage {
        match channel {
            Channel::Email => &self.email,
            Channel::Sms => &self.sms,
        }
    }

    pub async fn connect(config: &QueueConfig) -> anyhow::Result<Queues> {
        match config {
            QueueConfig::Redis { url, prefix } => {
                let conn = redis_connection(url).await?;
                let storage = |channel: Channel| {
                    let cfg = apalis_redis::Config::default()
                        .queue(format!("{prefix}:{channel}"))
                        .heartbeat_interval(Duration::from_secs(10))
                        .missed_heartbeats(3);
                    Storage::Redis(RedisStorage::new(conn.clone()).with_config(cfg))
                };
                Ok(Queues { email: storage(Channel::Email), sms: storage(Channel::Sms) })
            }
            QueueConfig::Sqlite { path } => {
                let pool = sqlite_pool(path).await?;
                SqliteStorage::setup(&pool)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot prepare the job queue file: {e}"))?;
                let storage = |channel: Channel| {
                    let cfg = apalis_sqlite::Config::default()
                        .queue(channel.as_str())
                        .heartbeat_interval(Duration::from_secs(10));
                    Storage::Sqlite(SqliteStorage::new(&pool).with_config(cfg), pool.clone(), channel.as_str())
                };
                Ok(Queues { email: storage(Channel::Email), sms: storage(Channel::Sms) })
            }
        }
    }
}

/// A Redis connection that survives a Redis restart: a response timeout long
/// enough that one slow command is not fatal (redis-rs defaults to 500 ms, which
/// turns a stall into a dead worker), and reconnection with backoff.
pub async fn redis_connection(url: &str) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("REDIS_URL is not a valid Redis URL: {e}"))?;
    let config = ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_secs(10)))
        .set_connection_timeout(Some(Duration::from_secs(5)))
        .set_number_of_retries(8)
        .set_min_delay(Duration::from_millis(100))
        .set_max_delay(Duration::from_secs(5));
    ConnectionManager::new_with_config(client, config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to Redis at {}: {e}", escale_domain::db::redact_url(url)))
}

async fn sqlite_pool(path: &std::path::Path) -> anyhow::Result<SqlitePool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let options =
        SqliteConnectOptions::new().filename(path).create_if_missing(true).busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the job queue file {}: {e}", path.display()))
}
