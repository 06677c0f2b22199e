//! The response cache: ready bytes of public answers, bounded in bytes, dropped by
//! surrogate key the moment a write that changed them commits (here or, on PostgreSQL,
//! on another node: `listen`).
//!
//! Written by hand rather than taken from a cache crate because correctness hangs on
//! three things happening under one lock: the index from surrogate keys to entries, the
//! byte bound, and refusing an answer computed before a purge of one of its keys but
//! stored after it (otherwise a slow read that began before a write would put the old
//! bytes back for good).

pub mod listen;
pub mod titles;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};

/// How many recent purges are remembered to check answers in flight against; an answer
/// whose read began before the oldest remembered one is not stored.
const REMEMBERED_PURGES: usize = 4096;
/// What an entry costs beyond its body: its path, keys and bookkeeping.
const ENTRY_OVERHEAD: usize = 256;

/// One cached answer: its body and the headers it is sent with, ready to go.
pub struct Entry {
    pub body: Bytes,
    pub etag: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// When scheduled publishing will change the answer: it is not served after that.
    pub fresh_until: Option<DateTime<Utc>>,
    keys: Vec<String>,
    size: usize,
    last_used: AtomicU64,
}

impl Entry {
    pub fn new(
        body: Bytes,
        etag: String,
        headers: Vec<(HeaderName, HeaderValue)>,
        keys: Vec<String>,
        fresh_until: Option<DateTime<Utc>>,
    ) -> Self {
        let size = body.len()
            + etag.len()
            + headers.iter().map(|(_, v)| v.len()).sum::<usize>()
            + keys.iter().map(|k| k.len() * 2).sum::<usize>()
            + ENTRY_OVERHEAD;
        Self {
            body,
            etag,
            headers,
            fresh_until,
            keys,
            size,
            last_used: AtomicU64::new(0),
        }
    }

    fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.fresh_until.is_none_or(|until| now < until)
    }
}

/// Where a fill started: the purge count when its read began.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// Counters for `/metrics`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
    pub bytes: u64,
    pub capacity_bytes: u64,
    pub evictions: u64,
    pub invalidations: u64,
}

pub struct ResponseCache {
    inner: RwLock<Inner>,
    capacity: usize,
    /// False while this node may have missed another node's purge (PostgreSQL, before
    /// its listener is connected or after it lost the connection): nothing is served
    /// or stored then.
    synced: AtomicBool,
    clock: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    invalidations: AtomicU64,
    /// This node's name in the purge notices of its writes (`db::mark_origin`).
    pub origin: String,
    /// Set once the cross-node listener runs, so that building the app on every worker
    /// starts it only once.
    pub(crate) listening: std::sync::Once,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Arc<Entry>>,
    by_key: HashMap<String, HashSet<String>>,
    bytes: usize,
    /// Purges so far.
    epoch: u64,
    /// The latest purges and their keys, oldest first.
    recent: VecDeque<(u64, Vec<String>)>,
    /// Purges up to this one are no longer in `recent`.
    forgotten: u64,
}

impl ResponseCache {
    /// A cache of at most `capacity` bytes (0 turns it off). `synced` is false where
    /// other nodes may write (PostgreSQL) until the listener says otherwise.
    pub fn new(capacity: usize, synced: bool) -> Arc<Self> {
        Arc::new(Self {
            inner: RwLock::new(Inner::default()),
            capacity,
            synced: AtomicBool::new(synced),
            clock: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
            origin: crate::domain::token::random_hex(8),
            listening: std::sync::Once::new(),
        })
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The fresh entry for `path`, if any.
    pub fn get(&self, path: &str) -> Option<Arc<Entry>> {
        if !self.enabled() || !self.synced.load(Ordering::Acquire) {
            return None;
        }
        let entry = self.read().entries.get(path).cloned();
        match entry {
            Some(entry) if entry.is_fresh(Utc::now()) => {
                let tick = self.clock.fetch_add(1, Ordering::Relaxed);
                entry.last_used.store(tick, Ordering::Relaxed);
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(entry)
            }
            _ => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Marks the start of a read whose answer may be stored.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.read().epoch)
    }

    /// Stores the answer to `path`, unless one of its keys was purged since `ticket`
    /// (the answer may predate that write), the node is not in sync, or it is too big.
    pub fn store(&self, ticket: Ticket, path: String, entry: Arc<Entry>) -> bool {
        if !self.enabled() || entry.size > self.capacity / 8 {
            return false;
        }
        let mut inner = self.write();
        let stale = self.purges_since(&inner, ticket).is_none_or(|mut since| {
            since.any(|purged| {
                purged
                    .iter()
                    .any(|key| key == "all" || entry.keys.contains(key))
            })
        });
        if stale {
            return false;
        }
        entry.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        inner.remove(&path);
        for key in &entry.keys {
            inner
                .by_key
                .entry(key.clone())
                .or_default()
                .insert(path.clone());
        }
        inner.bytes += entry.size;
        inner.entries.insert(path, entry);
        if inner.bytes > self.capacity {
            let evicted = inner.evict_to(self.capacity - self.capacity / 10);
            self.evictions.fetch_add(evicted, Ordering::Relaxed);
        }
        true
    }

    /// Drops every entry carrying one of `keys` (`all` drops everything), and refuses
    /// answers already in flight that carry one.
    pub fn invalidate(&self, keys: &[String]) {
        if keys.is_empty() {
            return;
        }
        let mut inner = self.write();
        inner.epoch += 1;
        let epoch = inner.epoch;
        inner.recent.push_back((epoch, keys.to_vec()));
        while inner.recent.len() > REMEMBERED_PURGES {
            if let Some((old, _)) = inner.recent.pop_front() {
                inner.forgotten = old;
            }
        }
        let dropped = if keys.iter().any(|k| k == "all") {
            let count = inner.entries.len();
            inner.entries.clear();
            inner.by_key.clear();
            inner.bytes = 0;
            count
        } else {
            let paths: HashSet<String> = keys
                .iter()
                .filter_map(|key| inner.by_key.remove(key))
                .flatten()
                .collect();
            paths.iter().filter(|path| inner.remove(path)).count()
        };
        self.invalidations
            .fetch_add(dropped as u64, Ordering::Relaxed);
    }

    /// Whether no purge of `key` (or of everything) has happened since `ticket`, as far
    /// as this node can tell: `false` also when it cannot (out of sync, or the purges
    /// since then are no longer remembered). Works with the cache off too: purges are
    /// recorded all the same.
    pub fn unpurged_since(&self, ticket: Ticket, key: &str) -> bool {
        let inner = self.read();
        self.purges_since(&inner, ticket).is_some_and(|mut since| {
            !since.any(|purged| purged.iter().any(|k| k == key || k == "all"))
        })
    }

    /// The keys of each purge since `ticket`, as far as this node can tell: `None` when
    /// it cannot (out of sync, or the purges since then are no longer remembered) or
    /// when everything was purged.
    pub fn purged_since(&self, ticket: Ticket) -> Option<Vec<Vec<String>>> {
        let inner = self.read();
        let purges: Vec<Vec<String>> = self.purges_since(&inner, ticket)?.cloned().collect();
        (!purges.iter().flatten().any(|k| k == "all")).then_some(purges)
    }

    /// The keys of each purge since `ticket`, oldest first; `None` when this node cannot
    /// tell them all (out of sync, or some are no longer remembered).
    fn purges_since<'a>(
        &self,
        inner: &'a Inner,
        ticket: Ticket,
    ) -> Option<impl Iterator<Item = &'a Vec<String>>> {
        (self.synced.load(Ordering::Acquire) && ticket.0 >= inner.forgotten).then(|| {
            inner
                .recent
                .iter()
                .filter(move |(epoch, _)| *epoch > ticket.0)
                .map(|(_, purged)| purged)
        })
    }

    /// Out of sync (`false`): drop everything and keep nothing until back in sync.
    pub fn set_synced(&self, synced: bool) {
        if !synced {
            self.synced.store(false, Ordering::Release);
        }
        self.invalidate(&["all".to_owned()]);
        if synced {
            self.synced.store(true, Ordering::Release);
        }
    }

    pub fn stats(&self) -> CacheStats {
        let inner = self.read();
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: inner.entries.len() as u64,
            bytes: inner.bytes as u64,
            capacity_bytes: self.capacity as u64,
            evictions: self.evictions.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
        }
    }

    // A panic while holding the lock cannot leave the maps half-updated in a way that
    // serves wrong bytes (every update is a removal or a whole insertion), so a poisoned
    // lock is used as it is.
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// Removes the entry at `path` and its index entries; whether there was one.
    fn remove(&mut self, path: &str) -> bool {
        let Some(entry) = self.entries.remove(path) else {
            return false;
        };
        self.bytes -= entry.size;
        for key in &entry.keys {
            if let Some(paths) = self.by_key.get_mut(key) {
                paths.remove(path);
                if paths.is_empty() {
                    self.by_key.remove(key);
                }
            }
        }
        true
    }

    /// Drops the least recently used entries until at most `target` bytes remain.
    fn evict_to(&mut self, target: usize) -> u64 {
        let mut by_age: Vec<(u64, String)> = self
            .entries
            .iter()
            .map(|(path, e)| (e.last_used.load(Ordering::Relaxed), path.clone()))
            .collect();
        by_age.sort_unstable();
        let mut evicted = 0;
        for (_, path) in by_age {
            if self.bytes <= target {
                break;
            }
            if self.remove(&path) {
                evicted += 1;
            }
        }
        evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(keys: &[&str], body: &str) -> Arc<Entry> {
        Arc::new(Entry::new(
            Bytes::from(body.to_owned()),
            "\"e\"".into(),
            Vec::new(),
            keys.iter().map(|k| (*k).to_owned()).collect(),
            None,
        ))
    }

    #[test]
    fn a_purge_drops_exactly_the_entries_carrying_its_keys() {
        let cache = ResponseCache::new(1 << 20, true);
        assert!(cache.store(
            cache.ticket(),
            "/a".into(),
            entry(&["article-1", "articles"], "a")
        ));
        assert!(cache.store(cache.ticket(), "/b".into(), entry(&["article-2"], "b")));
        cache.invalidate(&["article-1".into()]);
        assert!(cache.get("/a").is_none());
        assert!(cache.get("/b").is_some());
    }

    #[test]
    fn an_answer_read_before_a_purge_of_its_keys_is_not_stored_after_it() {
        let cache = ResponseCache::new(1 << 20, true);
        let before = cache.ticket();
        cache.invalidate(&["article-1".into()]);
        assert!(!cache.store(before, "/a".into(), entry(&["article-1"], "old")));
        assert!(cache.store(before, "/b".into(), entry(&["article-2"], "unrelated")));
    }

    #[test]
    fn the_byte_bound_evicts_the_least_recently_used() {
        let cache = ResponseCache::new(8 * 1024, true);
        let body = "x".repeat(700);
        for i in 0..20 {
            cache.store(cache.ticket(), format!("/{i}"), entry(&["k"], &body));
            cache.get("/0");
        }
        let stats = cache.stats();
        assert!(stats.bytes <= 8 * 1024, "{stats:?}");
        assert!(stats.evictions > 0);
        assert!(cache.get("/0").is_some(), "the entry read all along stays");
    }

    #[test]
    fn out_of_sync_serves_and_keeps_nothing() {
        let cache = ResponseCache::new(1 << 20, false);
        assert!(!cache.store(cache.ticket(), "/a".into(), entry(&["k"], "a")));
        cache.set_synced(true);
        assert!(cache.store(cache.ticket(), "/a".into(), entry(&["k"], "a")));
        cache.set_synced(false);
        assert!(cache.get("/a").is_none());
    }
}
