//! Rate limits: token buckets (GCRA).
//!
//! Login attempts are limited per email and per client address, in this
//! process (`governor`), so that password guessing is slow whatever the
//! attacker rotates. API keys are limited per key: in this process for the
//! embedded default, and in Redis when the gateway has one, so that every
//! replica draws from the same bucket and adding replicas does not multiply a
//! partner's allowance.

use std::net::IpAddr;
use std::num::NonZeroU32;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

#[derive(Debug)]
pub struct LoginLimits {
    per_email: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimits {
    /// `per_email` and `per_ip` attempts per minute, each with that burst.
    pub fn new(per_email: u32, per_ip: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_email: RateLimiter::keyed(quota(per_email)),
            per_ip: RateLimiter::keyed(quota(per_ip)),
            clock: DefaultClock::default(),
        }
    }

    /// Ok, or the seconds to wait.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> Result<(), u64> {
        let wait = |d: Duration| d.as_secs().max(1);
        if let Some(ip) = ip
            && let Err(not_until) = self.per_ip.check_key(&ip)
        {
            return Err(wait(not_until.wait_time_from(self.clock.now())));
        }
        let key = email.trim().to_lowercase();
        if let Err(not_until) = self.per_email.check_key(&key) {
            return Err(wait(not_until.wait_time_from(self.clock.now())));
        }
        // Keep the maps from growing with every address ever seen.
        if self.per_email.len() > 10_000 {
            self.per_email.retain_recent();
        }
        if self.per_ip.len() > 10_000 {
            self.per_ip.retain_recent();
        }
        Ok(())
    }
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self::new(10, 30)
    }
}

/// Requests per minute and burst of one API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyQuota {
    pub per_minute: u32,
    pub burst: u32,
}

impl Default for KeyQuota {
    fn default() -> Self {
        Self { per_minute: 120, burst: 30 }
    }
}

/// GCRA over one Redis key holding the bucket's "theoretical arrival time",
/// with Redis's own clock so replicas with skewed clocks agree. Returns 0
/// (allowed) or the milliseconds to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - tolerance > now then return tat - tolerance - now end
local next_tat = tat + interval
redis.call('SET', KEYS[1], next_tat, 'PX', next_tat - now + 1000)
return 0
";

/// A Redis connection that connects lazily (a process starts while Redis is
/// away) and gives up on a command after `timeout` (a dead Redis must not hold
/// up what asked it).
pub fn redis_connection(url: &str, timeout: Duration) -> Result<redis::aio::ConnectionManager, redis::RedisError> {
    let client = redis::Client::open(url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(1);
    redis::aio::ConnectionManager::new_lazy_with_config(client, config)
}

/// Whether Redis answers PING on this connection.
pub async fn redis_ping(conn: &redis::aio::ConnectionManager) -> Result<(), String> {
    let mut conn = conn.clone();
    let answer: Result<String, _> = redis::cmd("PING").query_async(&mut conn).await;
    answer.map(|_| ()).map_err(|e| e.to_string())
}

/// Per-key limits of API keys.
pub enum KeyLimits {
    Memory(DefaultKeyedRateLimiter<Uuid>, DefaultClock),
    Redis {
        conn: redis::aio::ConnectionManager,
        script: redis::Script,
        prefix: String,
        quota: KeyQuota,
        last_warning: AtomicU64,
    },
}

impl std::fmt::Debug for KeyLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyLimits::Memory(..) => "KeyLimits::Memory",
            KeyLimits::Redis { .. } => "KeyLimits::Redis",
        })
    }
}

impl KeyLimits {
    pub fn memory(quota: KeyQuota) -> Self {
        let per_minute = NonZeroU32::new(quota.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(quota.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        KeyLimits::Memory(RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)), DefaultClock::default())
    }

    /// Shared through Redis at `url`, keys under `<prefix>:ratelimit:`. Connects
    /// lazily: a gateway starts while Redis is away, and answers meanwhile.
    pub fn redis(url: &str, prefix: &str, quota: KeyQuota) -> Result<Self, redis::RedisError> {
        // A dead Redis must cost a request milliseconds, not seconds.
        let conn = redis_connection(url, Duration::from_millis(250))?;
        Ok(KeyLimits::Redis {
            conn,
            script: redis::Script::new(GCRA),
            prefix: format!("{prefix}:ratelimit:"),
            quota,
            last_warning: AtomicU64::new(0),
        })
    }

    /// Whether the shared store answers: None in memory.
    pub async fn ping(&self) -> Option<Result<(), String>> {
        match self {
            KeyLimits::Memory(..) => None,
            KeyLimits::Redis { conn, .. } => Some(redis_ping(conn).await),
        }
    }

    /// Ok, or how long to wait. When Redis cannot answer, the request goes
    /// through (with a warning at most every ten seconds): losing the limit for
    /// a while is better than refusing every partner.
    pub async fn check(&self, key: Uuid) -> Result<(), Duration> {
        match self {
            KeyLimits::Memory(limiter, clock) => {
                if limiter.len() > 10_000 {
                    limiter.retain_recent();
                }
                limiter.check_key(&key).map_err(|not_until| not_until.wait_time_from(clock.now()))
            }
            KeyLimits::Redis { conn, script, prefix, quota, last_warning } => {
                let interval = 60_000 / u64::from(quota.per_minute.max(1));
                let tolerance = interval * u64::from(quota.burst.max(1) - 1);
                let mut conn = conn.clone();
                let answer: Result<u64, _> =
                    script.key(format!("{prefix}{key}")).arg(interval).arg(tolerance).invoke_async(&mut conn).await;
                match answer {
                    Ok(0) => Ok(()),
                    Ok(wait_ms) => Err(Duration::from_millis(wait_ms)),
                    Err(e) => {
                        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
                        if now.saturating_sub(last_warning.swap(now, Ordering::Relaxed)) >= 10 {
                            tracing::warn!(error = %e, "Redis unavailable: API key rate limits not enforced");
                        }
                        Ok(())
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_on_one_email_waits() {
        let limits = LoginLimits::new(10, 1000);
        for _ in 0..10 {
            assert!(limits.check("owner@example.ma", None).is_ok());
        }
        let wait = limits.check("OWNER@example.ma ", None).expect_err("limited, whatever the case");
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limits.check("other@example.ma", None).is_ok(), "other emails are not affected");
    }

    #[tokio::test]
    async fn a_key_past_its_burst_waits_and_other_keys_do_not() {
        let limits = KeyLimits::memory(KeyQuota { per_minute: 60, burst: 3 });
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for _ in 0..3 {
            assert!(limits.check(a).await.is_ok());
        }
        let wait = limits.check(a).await.expect_err("the fourth request within a second waits");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limits.check(b).await.is_ok());
    }
}
