//! Claiming and settling jobs of the outbox (`db::outbox` inserts them). Every statement
//! that settles a job names the worker holding its lease, so a worker whose lease ran
//! out (and whose job another worker took) changes nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use crate::db::AnyConnection;
use crate::db::schema::jobs;

/// A job a worker holds.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedJob {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    /// This attempt's number, from 1.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub max_attempts: Option<i32>,
}

/// Takes the oldest due job: a queued one whose time has come, or a running one whose
/// worker's lease ran out (it crashed or stopped). One statement: on PostgreSQL the
/// row is picked `FOR UPDATE SKIP LOCKED`, so workers of several nodes never take the
/// same job and never wait for each other; on SQLite the statement holds the write lock.
pub fn claim(
    conn: &mut AnyConnection,
    owner: &str,
    lease_until: NaiveDateTime,
    max_attempts: u32,
    now: NaiveDateTime,
) -> QueryResult<Option<ClaimedJob>> {
    let lock = match conn {
        AnyConnection::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        AnyConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, \
         attempts = attempts + 1, max_attempts = COALESCE(max_attempts, $3), updated_at = $4 \
         WHERE id = (SELECT id FROM jobs \
           WHERE (state = 'queued' AND run_at <= $4) OR (state = 'running' AND lease_until < $4) \
           ORDER BY run_at, id LIMIT 1 {lock}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let mut rows: Vec<ClaimedJob> = diesel::sql_query(sql)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Integer, _>(i32::try_from(max_attempts).unwrap_or(i32::MAX))
        .bind::<Timestamp, _>(now)
        .load(conn)?;
    Ok(rows.pop())
}

/// When the next queued job is due, if any is queued.
pub fn next_due(conn: &mut AnyConnection) -> QueryResult<Option<NaiveDateTime>> {
    jobs::table
        .filter(jobs::state.eq("queued"))
        .select(diesel::dsl::min(jobs::run_at))
        .first(conn)
}

/// The job `id` while `owner` holds it.
macro_rules! held {
    ($id:expr, $owner:expr) => {
        jobs::table
            .filter(jobs::id.eq($id))
            .filter(jobs::lease_owner.eq($owner))
            .filter(jobs::state.eq("running"))
    };
}

/// Marks the job done; false when `owner` no longer holds it.
pub fn done(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(held!(id, owner))
        .set((
            jobs::state.eq("done"),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Queues the job again for `run_at`, keeping `error`.
pub fn retry(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    run_at: NaiveDateTime,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(held!(id, owner))
        .set((
            jobs::state.eq("queued"),
            jobs::run_at.eq(run_at),
            jobs::last_error.eq(error),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Gives the job up: `dead`, with `error`.
pub fn kill(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(held!(id, owner))
        .set((
            jobs::state.eq("dead"),
            jobs::last_error.eq(error),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Hands a job back unrun (a stopping worker): queued again at once, this attempt not
/// counted.
pub fn release(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(held!(id, owner))
        .set((
            jobs::state.eq("queued"),
            jobs::attempts.eq(jobs::attempts - 1),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Deletes jobs done before `before`.
pub fn prune(conn: &mut AnyConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        jobs::table
            .filter(jobs::state.eq("done"))
            .filter(jobs::updated_at.lt(before)),
    )
    .execute(conn)
}
