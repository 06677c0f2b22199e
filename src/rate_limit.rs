//! Per-key sliding-window limits: failed logins per client and per account, public
//! writes per client.
//!
//! Written here rather than taken from `governor`, because login limiting must count
//! only failures and refuse before the password is checked, which needs a look at the
//! window without spending from it; a GCRA bucket cannot do that. Limits are per
//! process: behind a load balancer each node counts its own clients.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

/// Beyond this many tracked keys, idle ones are swept out on the next hit.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn per_minute(limit: u32) -> Self {
        Self {
            limit: limit as usize,
            window: Duration::from_secs(60),
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// 429 when `key` already used up its window; spends nothing.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut hits = self.lock();
        let Some(times) = hits.get_mut(key) else {
            return Ok(());
        };
        self.expire(times, now);
        match times.front() {
            Some(oldest) if times.len() >= self.limit => {
                let wait = self.window.saturating_sub(now - *oldest);
                Err(ApiError::TooManyRequests {
                    retry_after: wait.as_secs().max(1),
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts one event against `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut hits = self.lock();
        if hits.len() > SWEEP_ABOVE {
            hits.retain(|_, times| times.back().is_some_and(|t| now - *t < self.window));
        }
        let times = hits.entry(key.to_owned()).or_default();
        self.expire(times, now);
        times.push_back(now);
    }

    /// [`check`](Self::check) then [`record`](Self::record): every attempt counts.
    pub fn hit(&self, key: &str) -> Result<(), ApiError> {
        self.check(key)?;
        self.record(key);
        Ok(())
    }

    fn expire(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times.front().is_some_and(|t| now - *t >= self.window) {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock leaves only counters behind; keep using them.
        self.hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_says_when_to_retry() {
        let limiter = RateLimiter::per_minute(2);
        assert!(limiter.hit("a").is_ok());
        assert!(limiter.hit("a").is_ok());
        match limiter.hit("a") {
            Err(ApiError::TooManyRequests { retry_after }) => {
                assert!((1..=60).contains(&retry_after))
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limiter.check("b").is_ok(), "keys are counted apart");
    }
}
