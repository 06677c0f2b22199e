//! Per-key sliding-window limits: failed logins per client and per account, public
//! writes per client.
//!
//! Written here rather than taken from `governor`, because login limiting must count an
//! attempt before its password is checked and give it back once the password proves
//! right; a GCRA bucket cannot return what it spent. Limits are per process: behind a
//! load balancer each node counts its own clients.
//!
//! Memory is bounded: a key is kept as its SHA-256 digest (32 bytes, however long the
//! key), with at most `limit` timestamps, and at most `max_keys` keys are tracked. When
//! every slot is taken, keys whose window has passed are swept out; if none has, a new
//! key is refused (429) rather than an active one evicted. Evicting would let a client
//! that floods the table with made-up keys push its own count out and start afresh;
//! refusing newcomers only delays new clients while the table is full of active ones.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::error::ApiError;

type KeyDigest = [u8; 32];

#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    max_keys: usize,
    keys: Mutex<Keys>,
}

#[derive(Debug, Default)]
struct Keys {
    hits: HashMap<KeyDigest, VecDeque<Instant>>,
    /// While the table is full: no sweep before this, since no key can be idle sooner.
    next_sweep: Option<Instant>,
}

/// One event counted against a key by [`RateLimiter::reserve`]; hand it back with
/// [`RateLimiter::release`] when the event turns out not to count.
#[derive(Debug)]
#[must_use = "a reservation stays counted unless released"]
pub struct Reservation {
    key: KeyDigest,
    at: Instant,
}

impl RateLimiter {
    /// At most `limit` events per key per minute, over at most `max_keys` keys.
    pub fn per_minute(limit: u32, max_keys: u32) -> Self {
        Self::new(limit, Duration::from_secs(60), max_keys)
    }

    pub fn new(limit: u32, window: Duration, max_keys: u32) -> Self {
        Self {
            limit: limit.max(1) as usize,
            window,
            max_keys: max_keys.max(1) as usize,
            keys: Mutex::new(Keys::default()),
        }
    }

    /// Counts one event against `key`, or answers 429 when its window is used up (or
    /// the table is full and `key` is new). Checking and counting are one step under
    /// one lock, so no more than `limit` events ever pass at once.
    pub fn reserve(&self, key: &str) -> Result<Reservation, ApiError> {
        let key: KeyDigest = Sha256::digest(key.as_bytes()).into();
        let now = Instant::now();
        let mut keys = self.lock();
        if !keys.hits.contains_key(&key) {
            self.make_room(&mut keys, now).map_err(too_many)?;
        }
        let times = keys.hits.entry(key).or_default();
        self.expire(times, now);
        if let Some(oldest) = times.front().filter(|_| times.len() >= self.limit) {
            return Err(too_many(self.window.saturating_sub(now - *oldest)));
        }
        times.push_back(now);
        Ok(Reservation { key, at: now })
    }

    /// Takes back an event counted by [`reserve`](Self::reserve).
    pub fn release(&self, reservation: Reservation) {
        let mut keys = self.lock();
        if let Some(times) = keys.hits.get_mut(&reservation.key) {
            if let Some(i) = times.iter().rposition(|t| *t == reservation.at) {
                times.remove(i);
            }
            if times.is_empty() {
                keys.hits.remove(&reservation.key);
            }
        }
    }

    /// Counts one event against `key` for good; 429 past the limit.
    pub fn hit(&self, key: &str) -> Result<(), ApiError> {
        self.reserve(key).map(drop)
    }

    /// How many keys are tracked now.
    pub fn tracked_keys(&self) -> usize {
        self.lock().hits.len()
    }

    /// Frees a slot for a new key by sweeping out idle keys, or says how long until one
    /// may be idle. A full sweep runs at most once per sixtieth of the window, so a
    /// flood of new keys against a full table costs a lookup each, not a scan.
    fn make_room(&self, keys: &mut Keys, now: Instant) -> Result<(), Duration> {
        if keys.hits.len() < self.max_keys {
            return Ok(());
        }
        if let Some(at) = keys.next_sweep.filter(|at| now < *at) {
            return Err(at - now);
        }
        let window = self.window;
        keys.hits
            .retain(|_, times| times.back().is_some_and(|last| now - *last < window));
        if keys.hits.len() < self.max_keys {
            keys.next_sweep = None;
            return Ok(());
        }
        let first_idle = keys
            .hits
            .values()
            .filter_map(|times| times.back())
            .min()
            .map_or(now + window, |last| *last + window);
        let at = first_idle.max(now + window / 60);
        keys.next_sweep = Some(at);
        Err(at - now)
    }

    fn expire(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times.front().is_some_and(|t| now - *t >= self.window) {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        // A panic while holding the lock leaves only counters behind; keep using them.
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn too_many(wait: Duration) -> ApiError {
    ApiError::TooManyRequests {
        retry_after: wait.as_secs().max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_says_when_to_retry() {
        let limiter = RateLimiter::per_minute(2, 100);
        assert!(limiter.hit("a").is_ok());
        assert!(limiter.hit("a").is_ok());
        match limiter.hit("a") {
            Err(ApiError::TooManyRequests { retry_after }) => {
                assert!((1..=60).contains(&retry_after))
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limiter.hit("b").is_ok(), "keys are counted apart");
    }

    #[test]
    fn a_released_reservation_no_longer_counts() {
        let limiter = RateLimiter::per_minute(1, 100);
        let first = limiter.reserve("a").unwrap();
        assert!(
            limiter.reserve("a").is_err(),
            "the reservation counts at once"
        );
        limiter.release(first);
        assert_eq!(limiter.tracked_keys(), 0, "an empty key is forgotten");
        assert!(limiter.reserve("a").is_ok());
    }

    #[test]
    fn parallel_reservations_never_pass_the_limit() {
        let limiter = std::sync::Arc::new(RateLimiter::per_minute(10, 100));
        let passed: usize = (0..8)
            .map(|_| {
                let limiter = limiter.clone();
                std::thread::spawn(move || (0..25).filter(|_| limiter.hit("k").is_ok()).count())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .sum();
        assert_eq!(passed, 10);
    }

    #[test]
    fn a_full_table_refuses_new_keys_and_keeps_counting_old_ones() {
        let limiter = RateLimiter::per_minute(2, 3);
        for key in ["a", "b", "c"] {
            limiter.hit(key).unwrap();
        }
        for i in 0..100 {
            assert!(limiter.hit(&format!("new {i}")).is_err());
        }
        assert_eq!(limiter.tracked_keys(), 3);
        assert!(limiter.hit("a").is_ok());
        assert!(limiter.hit("a").is_err(), "a flood of keys evicted nobody");
    }

    #[test]
    fn idle_keys_make_room_for_new_ones() {
        let limiter = RateLimiter::new(2, Duration::from_millis(30), 2);
        limiter.hit("a").unwrap();
        limiter.hit("b").unwrap();
        assert!(limiter.hit("c").is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.hit("c").is_ok());
        assert!(limiter.hit("d").is_ok());
        assert_eq!(limiter.tracked_keys(), 2);
    }

    #[test]
    fn a_long_key_costs_no_more_than_a_short_one() {
        let limiter = RateLimiter::per_minute(1, 10);
        limiter.hit(&"x".repeat(1 << 20)).unwrap();
        assert!(limiter.hit(&"x".repeat(1 << 20)).is_err());
        let keys = limiter.lock();
        assert!(keys.hits.values().all(|times| times.capacity() <= 4));
    }
}
