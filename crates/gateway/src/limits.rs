//! Rate limits kept in this process (token buckets, GCRA via `governor`).
//!
//! Login attempts are limited per email and per client address, so that
//! password guessing is slow whatever the attacker rotates. In-process limits
//! multiply with the number of gateway replicas; the shared, Redis-backed
//! limits for API keys build on the same idea.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

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
        let wait = |d: std::time::Duration| d.as_secs().max(1);
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
}
