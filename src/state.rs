//! Application state: what every handler can reach (the pool, the configuration, the
//! token machinery and the shared limiters), how it is prepared at start-up, and how
//! blocking database work is run from async code.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::web;
use tokio::sync::Semaphore;

use crate::articles::search;
use crate::auth::service::Authenticator;
use crate::cache::titles::TitleIndex;
use crate::cache::{self, CacheStats, ResponseCache};
use crate::config::Config;
use crate::db::circuit::Circuit;
use crate::db::group::GroupCommit;
use crate::db::outbox::{Outbox, Signal};
use crate::db::{self, AnyConnection, DbPool, migrate};
use crate::domain::surrogate::{Changed, Key, Keys};
use crate::domain::token::salted_hash;
use crate::error::ApiError;
use crate::metrics::{Gauges, Metrics};
use crate::rate_limit::RateLimiter;
use crate::storage::MediaStore;
use crate::users::service as users;

/// The most input `AppState::compute` works on without leaving the async thread: about
/// a millisecond of HTML sanitising.
const INLINE_WORK_BYTES: usize = 32 * 1024;

/// What every handler can reach: the pool, the configuration and the token machinery.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub auth: Arc<Authenticator>,
    /// Shared by every public write (tips, comments): per client, per minute.
    pub public_writes: Arc<RateLimiter>,
    /// Where the writes of this process queue, in order and without holding a connection
    /// (see [`Writes`]).
    writes: Arc<Writes>,
    /// Writes waiting for their turn in a one-at-a-time queue, for the metrics.
    writes_waiting: Arc<AtomicU64>,
    /// Answers 503 at once while the database is known to be down.
    circuit: Arc<Circuit>,
    /// One turn per pooled connection, handed out in the order requests ask (see
    /// [`AppState::db`]).
    db_turns: Arc<Semaphore>,
    /// Ready bytes of public answers, dropped by the writes that change them.
    pub cache: Arc<ResponseCache>,
    /// Article titles for suggestions, reloaded after writes that change public lists.
    pub titles: Arc<TitleIndex>,
    /// Wakes this process's job workers when a write enqueued jobs.
    pub jobs: Arc<Signal>,
    /// Request counts and latencies, recorded when `config.metrics` is on.
    pub metrics: Arc<Metrics>,
    /// Where media files live (disk or S3); its calls block, so they run on blocking
    /// threads.
    pub media: Arc<MediaStore>,
    /// Images decoded and encoded at once by requests (one per core): each takes up to
    /// width × height × 4 bytes several times over, so uploads queue here rather than
    /// piling up in memory.
    pub image_work: Arc<Semaphore>,
}

impl AppState {
    pub fn new(config: Config, pool: DbPool) -> Result<Self, ApiError> {
        let auth = Authenticator::new(&config).map_err(ApiError::internal)?;
        // Other nodes may write to PostgreSQL: the cache stays off until the listener
        // hears their purges (`start_cache_sync`).
        let cache = ResponseCache::new(config.cache_bytes, !config.database.is_postgres());
        let media = MediaStore::open(&config.media.store).map_err(|e| {
            ApiError::internal(anyhow::anyhow!(
                "NEWSDESK_MEDIA_STORE: cannot open the {}: {e}",
                config.media.store.describe()
            ))
        })?;
        let lists = Key::ArticleLists.to_string();
        Ok(Self {
            titles: Arc::new(TitleIndex::new(cache.clone(), lists)),
            media: Arc::new(media),
            image_work: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
            )),
            cache,
            jobs: Arc::new(Signal::default()),
            pool,
            auth: Arc::new(auth),
            public_writes: Arc::new(RateLimiter::per_minute(
                config.public_writes_per_minute,
                config.rate_limit_max_keys,
            )),
            writes: Arc::new(if config.database.is_postgres() {
                Writes::OneAtATime(Semaphore::new(1))
            } else {
                Writes::Grouped(GroupCommit::default())
            }),
            writes_waiting: Arc::new(AtomicU64::new(0)),
            circuit: Arc::new(Circuit::new(config.db_cool_down)),
            db_turns: Arc::new(Semaphore::new(config.db_pool_size as usize)),
            metrics: Arc::new(Metrics::default()),
            config: Arc::new(config),
        })
    }

    /// Runs `f` with a pooled connection on the blocking thread pool; connections never
    /// cross an `await`. While the database is known to be down the answer is 503 at
    /// once (see [`Circuit`]); a connection lost in `f` opens the circuit.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let admission = self.circuit.admit()?;
        let (pool, circuit, wait) = (self.pool.clone(), self.circuit.clone(), self.config.db_wait);
        // Requests take turns for the pool here, first come first served. r2d2 hands a
        // connection given back to whichever thread asks first, not to the one waiting
        // longest: under 32 concurrent searches the slowest hundredth waited three times
        // as long as the median.
        let asked = std::time::Instant::now();
        let turn = tokio::time::timeout(wait, self.db_turns.clone().acquire_owned())
            .await
            .map_err(|_| {
                log::warn!("no database connection free within {wait:?}");
                ApiError::Unavailable
            })?
            .map_err(ApiError::internal)?;
        let wait = wait.saturating_sub(asked.elapsed());
        web::block(move || {
            let _turn = turn;
            let mut conn = circuit.checkout(&pool, admission, wait)?;
            let outcome = f(&mut conn);
            if let Err(ApiError::DatabaseUnreachable { .. }) = outcome {
                return Err(circuit.open());
            }
            outcome
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Starts listening for other nodes' purges (PostgreSQL); once per state, however
    /// many workers build the app. Also with the response cache off: the title index
    /// for suggestions reads the same purge record, and without it would load every
    /// title again at every keystroke.
    pub fn start_cache_sync(&self) {
        if let db::DatabaseTarget::Postgres(url) = &self.config.database {
            let (cache, url) = (Arc::downgrade(&self.cache), url.clone());
            self.cache
                .listening
                .call_once(move || cache::listen::spawn(cache, url));
        }
    }

    /// Runs CPU work that needs no connection, such as sanitising a submitted article,
    /// before a write's turn: work done here is work the one writer does not do. Work on
    /// `input_bytes` up to `INLINE_WORK_BYTES` runs right away on this thread, since
    /// handing it to a blocking thread costs more than it does; more goes to the blocking
    /// pool, so that the async threads keep serving.
    pub async fn compute<T, F>(&self, input_bytes: usize, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        if input_bytes <= INLINE_WORK_BYTES {
            return f();
        }
        web::block(f).await.map_err(ApiError::internal)?
    }

    /// [`db`](Self::db) for a request that writes content: it first waits its turn in the
    /// write queue (503 with `Retry-After` past `db_wait`), so reads keep their
    /// connections; on SQLite the answer comes once the write's group has committed (see
    /// [`GroupCommit`]). Once the write has committed, the answers it names are dropped
    /// from this node's cache (before the writer hears back, so its next read is current)
    /// and the CDN purge it enqueued is started; other nodes hear of it from the database.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection, Outbox) -> Result<Changed<T>, ApiError> + Send + 'static,
    {
        let origin = self.cache.origin.clone();
        let outbox = self.outbox();
        let changed = self
            .write_unseen(move |conn| {
                db::mark_origin(conn, &origin)?;
                f(conn, outbox)
            })
            .await?;
        self.purge(&changed.keys);
        Ok(changed.value)
    }

    /// What content writes enqueue with themselves on this node (see [`Outbox`]).
    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.config.purge.is_some())
    }

    fn purge(&self, keys: &Keys) {
        if keys.is_empty() {
            return;
        }
        self.cache.invalidate(&keys.names());
    }

    /// [`write`](Self::write) for what no anonymous reader ever sees (accounts, sessions,
    /// the tip inbox): nothing to purge.
    pub async fn write_unseen<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let written = self.queued_write(f).await;
        // Whatever it enqueued (events, purges) is due now: idle workers look at once.
        if written.is_ok() {
            self.jobs.wake();
        }
        written
    }

    async fn queued_write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        match &*self.writes {
            Writes::OneAtATime(queue) => {
                let waiting = Waiting::enter(&self.writes_waiting);
                let turn = tokio::time::timeout(self.config.db_wait, queue.acquire()).await;
                drop(waiting);
                let _turn = turn
                    .map_err(|_| {
                        log::warn!("a write waited {:?} for its turn", self.config.db_wait);
                        ApiError::Unavailable
                    })?
                    .map_err(ApiError::internal)?;
                self.db(f).await
            }
            Writes::Grouped(group) => {
                let (ticket, start_writer) = group.submit(f);
                if start_writer {
                    self.start_writer();
                }
                ticket.outcome(self.config.db_wait).await
            }
        }
    }

    /// Starts the SQLite writer on a blocking thread. It is not awaited: it answers
    /// every queued write, the starting request's too, and stops when the queue is empty.
    fn start_writer(&self) {
        let (writes, pool, circuit, wait) = (
            self.writes.clone(),
            self.pool.clone(),
            self.circuit.clone(),
            self.config.db_wait,
        );
        let _running = actix_web::rt::task::spawn_blocking(move || {
            let Writes::Grouped(group) = &*writes else {
                return;
            };
            // A connection a failed group left unusable goes back to the pool, which
            // closes it, and the writer goes on with another.
            loop {
                match circuit
                    .admit()
                    .and_then(|admission| circuit.checkout(&pool, admission, wait))
                {
                    Ok(mut conn) => {
                        if group.drain(&mut conn) {
                            return;
                        }
                    }
                    Err(err) => return group.refuse(&err),
                }
            }
        });
    }

    /// What the pool, the write queue, the circuit and the cache hold now, for the
    /// metrics endpoint.
    pub fn gauges(&self) -> Gauges {
        let (writes_waiting, write_in_progress) = match &*self.writes {
            Writes::OneAtATime(queue) => (
                self.writes_waiting.load(Ordering::Relaxed),
                queue.available_permits() == 0,
            ),
            Writes::Grouped(group) => {
                let (queued, draining) = group.load();
                (queued as u64, draining)
            }
        };
        let pool = self.pool.state();
        Gauges {
            pool_connections: pool.connections,
            pool_idle: pool.idle_connections,
            pool_max: self.pool.max_size(),
            writes_waiting,
            write_in_progress,
            circuit_open: self.circuit.is_open(),
            cache: self.cache_stats(),
        }
    }

    /// The response cache's figures for the metrics; `None` while it is off
    /// (`NEWSDESK_CACHE_BYTES=0`), and then no cache metrics are shown.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.cache.enabled().then(|| self.cache.stats())
    }

    /// Runs `f` with a pooled connection on the calling thread, for the command line;
    /// the error is one line for the terminal.
    pub fn run<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
    ) -> Result<T, String> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| format!("DATABASE_URL: no connection: {e}"))?;
        f(&mut conn).map_err(|e| match e {
            ApiError::Validation(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::Internal(err) => format!("{err:#}"),
            other => other.to_string(),
        })
    }
}

/// Counts a write waiting for its turn for as long as it is alive, however the wait ends
/// (its turn, a timeout, or the client going away and the request being dropped).
struct Waiting<'a>(&'a AtomicU64);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicU64) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How the writes of one process take turns. Either way they queue without holding a
/// connection, so reads keep theirs, and a write that waits past `db_wait` is a 503.
enum Writes {
    /// PostgreSQL: one write at a time, so the writes of one node no longer abort each
    /// other; what still meets a write of another node is settled by
    /// `db::write_transaction`.
    OneAtATime(Semaphore),
    /// SQLite: one writer runs the queued writes in groups, one COMMIT (one fsync) per
    /// group; SQLite serialises writers anyway, so they never fight over the file lock.
    Grouped(GroupCommit),
}

/// Opens the database, applies migrations and creates the start-up admin if asked to.
pub fn prepare(config: Config) -> Result<AppState, String> {
    if let db::DatabaseTarget::Sqlite(path) = &config.database {
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("DATABASE_URL: cannot create {}: {e}", dir.display()))?;
        }
        create_private(path).map_err(|e| format!("DATABASE_URL: cannot create {path}: {e}"))?;
    }
    let pool = db::pool(&config.database, config.db_pool_size, config.db_wait).map_err(|e| {
        format!(
            "DATABASE_URL: cannot connect to the {} database: {e}",
            config.database.kind()
        )
    })?;
    let state = AppState::new(config, pool).map_err(|e| e.to_string())?;
    state.run(|conn| {
        let applied = migrate::run_pending(conn)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("migrations failed: {e}")))?;
        for name in applied {
            log::info!("applied migration {name}");
        }
        let reindexed = search::reindex_if_stale(conn)?;
        if reindexed > 0 {
            log::info!("rebuilt the search index of {reindexed} articles (new token format)");
        }
        Ok(())
    })?;
    if let Some(admin) = state.config.bootstrap_admin.clone() {
        let created = state
            .run(|conn| {
                users::ensure_first_admin(
                    conn,
                    &state.auth.passwords,
                    &admin.email,
                    &admin.password,
                )
            })
            .map_err(|e| format!("NEWSDESK_ADMIN_EMAIL: cannot create the first admin: {e}"))?;
        if created {
            log::info!("created the first admin account from NEWSDESK_ADMIN_EMAIL");
        }
    }
    Ok(state)
}

/// Creates a missing SQLite file readable and writable by its owner only (0600) before
/// SQLite first opens it. SQLite gives the `-wal` and `-shm` files it creates the
/// database file's permissions, so they are private too. An existing file keeps the
/// permissions its operator chose.
fn create_private(path: &str) -> std::io::Result<()> {
    if path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// Where a public write comes from: the limiter it spends from, its rate-limit key and
/// the keyed hash stored with what it sends (never the address itself; keyed with
/// `NEWSDESK_CLIENT_HASH_KEY`, not the JWT secret). Handlers take
/// it as an extractor (`http::client`).
pub struct ClientTrace {
    limiter: Arc<RateLimiter>,
    address: String,
    pub hash: String,
}

impl ClientTrace {
    /// A client known by `address` (the request's, or a made-up one for the demo seed).
    pub fn new(state: &AppState, address: String) -> Self {
        Self {
            limiter: state.public_writes.clone(),
            hash: salted_hash(&state.config.client_hash_key, &address),
            address,
        }
    }

    /// Counts one public write; 429 past the per-minute limit.
    pub fn spend(&self) -> Result<(), ApiError> {
        self.limiter.hit(&self.address)
    }
}
