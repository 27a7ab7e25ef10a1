//! Rate limits: token buckets (GCRA), one mechanism for every kind of attempt.
//!
//! Each [`Bucket`] is a kind of attempt (a registration from one address, a
//! login on one account from one address, a request of one API key …) with
//! its [`Quota`]. A request draws one token per attempt it makes, so a batch
//! of operations or a document of aliases spends as many tokens as it makes
//! writes and cannot multiply them past the limit.
//!
//! The buckets live in this process for the embedded default, and in Redis
//! when the gateway has one, so that every replica draws from the same bucket
//! and adding replicas does not multiply an allowance. When Redis cannot
//! answer, the process falls back to its own buckets: a replica then enforces
//! the limit alone (looser, never off), and nobody is refused for Redis's sake.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, RateLimiter};

/// A kind of attempt, limited on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Requests of one API key.
    ApiKey,
    /// `register` calls from one client address.
    RegisterPerAddress,
    /// `register` calls for one stop, from everywhere: a flood spread over
    /// many addresses still cannot fill a stop in a second.
    RegisterPerStop,
    /// Every other anonymous write, and every lookup by a ticket code or a
    /// signature (cancel, ask, withdraw, unsubscribe, a speaker's link), from
    /// one client address: guessing codes is as slow as this.
    PublicPerAddress,
    /// Login attempts on one account from one client address.
    LoginPerAccountAddress,
    /// Login attempts on one account from everywhere: looser than the one
    /// above, so one address cannot use it up and lock the owner out.
    LoginPerAccount,
    /// Login attempts from one client address, whatever the account.
    LoginPerAddress,
    /// Door scans of one member (a session or a key).
    CheckInPerMember,
    /// Team changes by one member: adding someone hashes a password (argon2,
    /// tens of ms of CPU), so a script looping on it would slow everyone.
    TeamChangesPerMember,
}

impl Bucket {
    /// In declaration order: a bucket's index in [`Quotas`] is its discriminant.
    pub const ALL: [Bucket; 9] = [
        Bucket::ApiKey,
        Bucket::RegisterPerAddress,
        Bucket::RegisterPerStop,
        Bucket::PublicPerAddress,
        Bucket::LoginPerAccountAddress,
        Bucket::LoginPerAccount,
        Bucket::LoginPerAddress,
        Bucket::CheckInPerMember,
        Bucket::TeamChangesPerMember,
    ];

    /// Its name in Redis keys, metrics and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::ApiKey => "api_key",
            Bucket::RegisterPerAddress => "register_per_address",
            Bucket::RegisterPerStop => "register_per_stop",
            Bucket::PublicPerAddress => "public_per_address",
            Bucket::LoginPerAccountAddress => "login_per_account_address",
            Bucket::LoginPerAccount => "login_per_account",
            Bucket::LoginPerAddress => "login_per_address",
            Bucket::CheckInPerMember => "check_in_per_member",
            Bucket::TeamChangesPerMember => "team_changes_per_member",
        }
    }
}

/// `burst` attempts at once, then one every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub burst: u32,
    pub every: Duration,
}

impl Quota {
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        Self { burst: burst.max(1), every: Duration::from_millis(60_000 / u64::from(per_minute.max(1))) }
    }

    pub fn per_hour(per_hour: u32, burst: u32) -> Self {
        Self { burst: burst.max(1), every: Duration::from_millis(3_600_000 / u64::from(per_hour.max(1))) }
    }

    fn governor(self) -> governor::Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        governor::Quota::with_period(self.every.max(Duration::from_millis(1)))
            .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The quota of every bucket. The defaults are chosen so a real rush passes:
/// a stop opening to a crowd behind one NAT (a chamber of commerce's Wi-Fi)
/// registers 30 people at once and 30 a minute after that, more than people
/// can type a form; a flood of scripted calls is refused after its first
/// burst. docs/SECURITY.md lists them with their variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas([Quota; Bucket::ALL.len()]);

impl Default for Quotas {
    fn default() -> Self {
        Self(Bucket::ALL.map(|bucket| match bucket {
            Bucket::ApiKey => Quota::per_minute(120, 30),
            Bucket::RegisterPerAddress => Quota::per_minute(30, 30),
            Bucket::RegisterPerStop => Quota::per_minute(300, 100),
            Bucket::PublicPerAddress => Quota::per_minute(30, 20),
            // Ten tries, then one a minute: a person who forgot their password
            // is not stopped for long; a guesser makes 60 guesses an hour.
            Bucket::LoginPerAccountAddress => Quota::per_minute(1, 10),
            // Ten times what one address may spend, so no single stranger can
            // empty it; it bounds a botnet's guesses at 600 an hour.
            Bucket::LoginPerAccount => Quota::per_minute(10, 100),
            Bucket::LoginPerAddress => Quota::per_minute(30, 30),
            // A door scans a person every few seconds at most; a handheld
            // scanner on a queue can do one a second for a while.
            Bucket::CheckInPerMember => Quota::per_minute(120, 60),
            // A team is set up a few people at a time.
            Bucket::TeamChangesPerMember => Quota::per_minute(10, 10),
        }))
    }
}

impl Quotas {
    pub fn of(&self, bucket: Bucket) -> Quota {
        self.0[bucket as usize]
    }

    #[must_use]
    pub fn with(mut self, bucket: Bucket, quota: Quota) -> Self {
        self.0[bucket as usize] = quota;
        self
    }

    /// Every quota with its burst and rate multiplied by `factor`: for test
    /// harnesses that make many attempts from one address on purpose.
    #[must_use]
    pub fn scaled(self, factor: u32) -> Self {
        Self(self.0.map(|q| Quota { burst: q.burst.saturating_mul(factor), every: q.every / factor.max(1) }))
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

struct Shared {
    conn: redis::aio::ConnectionManager,
    script: redis::Script,
    prefix: String,
    last_warning: AtomicU64,
}

/// Every bucket of this process, and the shared store when there is one.
pub struct Limits {
    quotas: Quotas,
    local: HashMap<Bucket, DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
    shared: Option<Shared>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").field("quotas", &self.quotas).field("redis", &self.shared.is_some()).finish()
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::memory(Quotas::default())
    }
}

impl Limits {
    /// Buckets in this process only.
    pub fn memory(quotas: Quotas) -> Self {
        let local = Bucket::ALL.iter().map(|b| (*b, RateLimiter::keyed(quotas.of(*b).governor()))).collect();
        Self { quotas, local, clock: DefaultClock::default(), shared: None }
    }

    /// Shared through Redis at `url`, keys under `<prefix>:ratelimit:`. Connects
    /// lazily: a gateway starts while Redis is away, and answers meanwhile.
    pub fn redis(url: &str, prefix: &str, quotas: Quotas) -> Result<Self, redis::RedisError> {
        // A dead Redis must cost a request milliseconds, not seconds.
        let conn = redis_connection(url, Duration::from_millis(250))?;
        Ok(Self {
            shared: Some(Shared {
                conn,
                script: redis::Script::new(GCRA),
                prefix: format!("{prefix}:ratelimit:"),
                last_warning: AtomicU64::new(0),
            }),
            ..Self::memory(quotas)
        })
    }

    pub fn quotas(&self) -> &Quotas {
        &self.quotas
    }

    /// Whether the shared store answers: None in memory.
    pub async fn ping(&self) -> Option<Result<(), String>> {
        match &self.shared {
            None => None,
            Some(shared) => Some(redis_ping(&shared.conn).await),
        }
    }

    /// Takes one token from `key`'s bucket: Ok, or how long to wait. Refusals
    /// are counted in `escale_rate_limited_total{bucket}`.
    pub async fn check(&self, bucket: Bucket, key: &str) -> Result<(), Duration> {
        let answer = match &self.shared {
            Some(shared) => match self.check_shared(shared, bucket, key).await {
                Some(answer) => answer,
                None => self.check_local(bucket, key),
            },
            None => self.check_local(bucket, key),
        };
        if answer.is_err() {
            metrics::counter!("escale_rate_limited_total", "bucket" => bucket.as_str()).increment(1);
        }
        answer
    }

    fn check_local(&self, bucket: Bucket, key: &str) -> Result<(), Duration> {
        let Some(limiter) = self.local.get(&bucket) else { return Ok(()) };
        // Keep the maps from growing with every address ever seen.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&key.to_owned()).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// None when Redis cannot answer (warned at most every ten seconds).
    async fn check_shared(&self, shared: &Shared, bucket: Bucket, key: &str) -> Option<Result<(), Duration>> {
        let quota = self.quotas.of(bucket);
        let interval = u64::try_from(quota.every.as_millis()).unwrap_or(u64::MAX).max(1);
        let tolerance = interval.saturating_mul(u64::from(quota.burst.max(1) - 1));
        let mut conn = shared.conn.clone();
        let answer: Result<u64, _> = shared
            .script
            .key(format!("{}{}:{key}", shared.prefix, bucket.as_str()))
            .arg(interval)
            .arg(tolerance)
            .invoke_async(&mut conn)
            .await;
        match answer {
            Ok(0) => Some(Ok(())),
            Ok(wait_ms) => Some(Err(Duration::from_millis(wait_ms))),
            Err(e) => {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
                if now.saturating_sub(shared.last_warning.swap(now, Ordering::Relaxed)) >= 10 {
                    tracing::warn!(error = %e, "Redis unavailable: rate limits enforced by each replica alone");
                }
                None
            }
        }
    }

    /// A login attempt on `email` from `ip`: the three login buckets.
    pub async fn check_login(&self, email: &str, ip: Option<std::net::IpAddr>) -> Result<(), Duration> {
        let account = email.trim().to_lowercase();
        if let Some(ip) = ip {
            self.check(Bucket::LoginPerAddress, &ip.to_string()).await?;
            self.check(Bucket::LoginPerAccountAddress, &format!("{account}|{ip}")).await?;
        }
        self.check(Bucket::LoginPerAccount, &account).await
    }
}

/// Whole seconds to wait, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// A member's or key's own bucket key.
pub fn actor_key(actor: &escale_domain::access::authz::Actor) -> String {
    match &actor.principal {
        escale_domain::access::authz::Principal::Member { user_id, .. } => format!("user:{}", user_id.0),
        escale_domain::access::authz::Principal::Key(grant) => format!("key:{}", grant.key_id),
        escale_domain::access::authz::Principal::Operator => "operator".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_address_cannot_lock_an_account_out_for_another() {
        let limits = Limits::default();
        let attacker: std::net::IpAddr = "203.0.113.7".parse().expect("ip");
        let owner: std::net::IpAddr = "198.51.100.2".parse().expect("ip");
        let mut refused = 0;
        for _ in 0..50 {
            refused += usize::from(limits.check_login("owner@example.ma", Some(attacker)).await.is_err());
        }
        assert_eq!(refused, 40, "ten tries from one address, then it waits");
        assert!(limits.check_login("OWNER@example.ma ", Some(owner)).await.is_ok(), "the owner, elsewhere, is let in");
        assert!(limits.check_login("owner@example.ma", Some(attacker)).await.is_err(), "whatever the case");
    }

    #[tokio::test]
    async fn a_key_past_its_burst_waits_and_other_keys_do_not() {
        let quotas = Quotas::default().with(Bucket::ApiKey, Quota::per_minute(60, 3));
        let limits = Limits::memory(quotas);
        for _ in 0..3 {
            assert!(limits.check(Bucket::ApiKey, "a").await.is_ok());
        }
        let wait = limits.check(Bucket::ApiKey, "a").await.expect_err("the fourth request within a second waits");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limits.check(Bucket::ApiKey, "b").await.is_ok());
        assert!(limits.check(Bucket::PublicPerAddress, "a").await.is_ok(), "buckets are apart");
    }

    #[test]
    fn every_bucket_has_its_own_quota_slot() {
        for (i, bucket) in Bucket::ALL.iter().enumerate() {
            assert_eq!(*bucket as usize, i, "{bucket:?} out of order in Bucket::ALL");
        }
        let q = Quotas::default().with(Bucket::RegisterPerStop, Quota::per_minute(1, 1));
        assert_eq!(q.of(Bucket::RegisterPerStop).burst, 1);
        assert_eq!(q.of(Bucket::RegisterPerAddress), Quotas::default().of(Bucket::RegisterPerAddress));
    }

    #[test]
    fn a_retry_is_whole_seconds_rounded_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
