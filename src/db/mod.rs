//! The two database backends behind one connection type, the pool, and write transactions.

pub mod circuit;
pub mod group;
pub mod ids;
pub mod migrate;
pub mod outbox;
pub mod schema;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};

use crate::domain::stored::UnknownStoredValue;
use crate::domain::surrogate::Keys;
use crate::error::ApiError;

/// A connection to either backend; the variant is chosen from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager>;
pub type PooledConn = PooledConnection<ConnectionManager>;

/// Which database a `DATABASE_URL` points at, decided by its scheme alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Postgres(String),
    /// A filesystem path, or `:memory:`.
    Sqlite(String),
}

impl DatabaseTarget {
    /// Reads `sqlite://PATH`, `sqlite:PATH`, `postgres://…` and `postgresql://…`; anything else is `None`.
    pub fn parse(url: &str) -> Option<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Some(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        (!path.is_empty()).then(|| Self::Sqlite(path.to_owned()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

impl AnyConnection {
    /// Connects to exactly the backend the target names, so its own error surfaces
    /// (the derived `establish` tries each backend and hides the real cause).
    pub fn open(target: &DatabaseTarget) -> ConnectionResult<Self> {
        match target {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url).map(Self::Postgres),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // busy_timeout first so the journal switch itself waits for other writers;
                // synchronous=FULL keeps every acknowledged commit after a power loss.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(Self::Sqlite(conn))
            }
        }
    }
}

/// r2d2 manager that opens connections through [`AnyConnection::open`].
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        AnyConnection::open(&self.target).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Builds the pool and opens one connection right away, so a bad URL fails start-up.
pub fn pool(target: &DatabaseTarget, size: u32, wait: Duration) -> Result<DbPool, String> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(wait)
        .build(ConnectionManager {
            target: target.clone(),
        })
        .map_err(|e| e.to_string())
}

/// A stored value no variant spells: the row is corrupt, and reading it fails like any
/// other undecodable column.
pub fn corrupt(err: UnknownStoredValue) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(err))
}

/// How many times a write transaction runs before a serialisation conflict is given up
/// as a 503: enough for 32 writers meeting on one row at once (each wave of conflicting
/// transactions lets about one through), bounded so a request waits at most about 3 s.
const WRITE_ATTEMPTS: u32 = 30;

/// Runs `f` in a write transaction that is correct under any interleaving of concurrent
/// writers, on both backends:
///
/// - PostgreSQL runs it `SERIALIZABLE`: a rule checked by reading and then writing (the
///   last admin, a cycle in the channel tree, a refresh token used once) cannot be broken
///   by a concurrent writer, because PostgreSQL aborts one of two transactions whose
///   outcome no serial order explains. The aborted attempt is rolled back and `f` runs
///   again after a short jittered pause, so callers see only serial outcomes: a winner and
///   a 409/412/422 for the others. A conflict that outlasts the attempts is a 503.
/// - SQLite begins with `BEGIN IMMEDIATE`, which serialises writers outright (a deferred
///   transaction that reads before it writes would fail at once on the lock upgrade
///   instead of waiting out `busy_timeout`).
///
/// Inside a transaction already, a group commit's on SQLite (see [`group`]), `f` runs
/// once in a savepoint of it: the group's `BEGIN IMMEDIATE` already holds the write lock.
///
/// `f` may run more than once, so it must not keep effects outside the transaction.
pub fn write_transaction<T>(
    conn: &mut AnyConnection,
    mut f: impl FnMut(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    type Manager = <AnyConnection as Connection>::TransactionManager;
    if let Ok(Some(_)) = Manager::transaction_manager_status_mut(conn).transaction_depth() {
        return conn.transaction(f);
    }
    let mut attempt = 1;
    loop {
        match attempt_transaction(conn, &mut f) {
            Err(ApiError::WriteConflict) if attempt < WRITE_ATTEMPTS => {
                pause_before_retry(attempt);
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn attempt_transaction<T>(
    conn: &mut AnyConnection,
    f: &mut impl FnMut(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    type Manager = <AnyConnection as Connection>::TransactionManager;
    begin_write(conn)?;
    let outcome = f(conn);
    let outcome = match outcome {
        Ok(value) => Manager::commit_transaction(conn)
            .map(|()| value)
            .map_err(ApiError::from),
        Err(err) => Err(err),
    };
    // A failed COMMIT may already have ended the transaction; roll back unless it did.
    let ended = matches!(
        Manager::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(None)
    );
    if outcome.is_err() && !ended {
        Manager::rollback_transaction(conn)?;
    }
    outcome
}

/// The PostgreSQL channel that carries surrogate keys from a committing write to every
/// node's response cache (`cache::listen`), as SQL. `NOTIFY` reaches every session of the
/// database, so the channel is named after the schema: deployments (and test runs) that
/// share a database in separate schemas do not purge each other.
pub const PURGE_CHANNEL_SQL: &str = "'newsdesk_purge_' || left(md5(current_schema()), 16)";
/// `NOTIFY` payloads must stay under 8,000 bytes; a write naming more keys than that
/// purges everything instead.
const MAX_NOTIFY_PAYLOAD: usize = 7900;

/// Tells the other nodes, inside the transaction, which keys a write changed (see
/// the outbox's `Outbox::transaction`).
pub fn announce(conn: &mut AnyConnection, keys: &Keys) -> Result<(), ApiError> {
    use diesel::sql_types::Text;
    let AnyConnection::Postgres(pg) = conn else {
        return Ok(());
    };
    if keys.is_empty() {
        return Ok(());
    }
    let mut payload = keys.to_string();
    if payload.len() > MAX_NOTIFY_PAYLOAD {
        payload = Keys::of([crate::domain::surrogate::Key::All]).to_string();
    }
    // The payload names the node that wrote (see `mark_origin`), so that node, which
    // purged its own cache at once, does not purge it again when the notice comes back.
    diesel::sql_query(format!(
        "SELECT pg_notify({PURGE_CHANNEL_SQL}, \
         coalesce(current_setting('{ORIGIN_SETTING}', true), '') || '|' || $1)"
    ))
    .bind::<Text, _>(payload)
    .execute(pg)?;
    Ok(())
}

/// The session setting that names the node whose writes a connection runs.
const ORIGIN_SETTING: &str = "newsdesk.origin";

/// Names `origin` as the node writing on `conn` (PostgreSQL; nothing on SQLite), for the
/// purge notices its writes send.
pub fn mark_origin(conn: &mut AnyConnection, origin: &str) -> Result<(), ApiError> {
    use diesel::sql_types::Text;
    if let AnyConnection::Postgres(pg) = conn {
        diesel::sql_query(format!("SELECT set_config('{ORIGIN_SETTING}', $1, false)"))
            .bind::<Text, _>(origin)
            .execute(pg)?;
    }
    Ok(())
}

/// Splits a purge notice into the node that sent it and its keys.
pub fn read_notice(payload: &str) -> (&str, &str) {
    payload.split_once('|').unwrap_or(("", payload))
}

/// Begins a write transaction: `SERIALIZABLE` on PostgreSQL, `IMMEDIATE` on SQLite (see
/// [`write_transaction`]).
fn begin_write(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgres(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL SERIALIZABLE")
        }
    }
}

/// Up to 2 ms, 4 ms, 8 ms … (at most 100 ms), at random, so retrying writers spread out
/// instead of meeting again.
fn pause_before_retry(attempt: u32) {
    let ceiling_ms = (1u64 << attempt.min(7)).min(100);
    let pause = rand::random_range(0..=ceiling_ms * 1000);
    std::thread::sleep(Duration::from_micros(pause));
}
