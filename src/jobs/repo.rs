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

/// How a worker settles the job it holds: its new state, and for a retry its new time.
#[derive(AsChangeset)]
#[diesel(table_name = jobs, treat_none_as_null = false)]
struct Settle<'a> {
    state: &'a str,
    run_at: Option<NaiveDateTime>,
    last_error: Option<&'a str>,
    lease_owner: Option<Option<&'a str>>,
    lease_until: Option<Option<NaiveDateTime>>,
    updated_at: NaiveDateTime,
}

/// Settles job `id` if `owner` still holds it; false when it does not.
fn settle(conn: &mut AnyConnection, id: i64, owner: &str, settle: Settle<'_>) -> QueryResult<bool> {
    diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::lease_owner.eq(owner))
            .filter(jobs::state.eq("running")),
    )
    .set(&settle)
    .execute(conn)
    .map(|n| n == 1)
}

fn released<'a>(state: &'a str, now: NaiveDateTime) -> Settle<'a> {
    Settle {
        state,
        run_at: None,
        last_error: None,
        lease_owner: Some(None),
        lease_until: Some(None),
        updated_at: now,
    }
}

/// Marks the job done.
pub fn done(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    settle(conn, id, owner, released("done", now))
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
    let settled = Settle {
        run_at: Some(run_at),
        last_error: Some(error),
        ..released("queued", now)
    };
    settle(conn, id, owner, settled)
}

/// Gives the job up: `dead`, with `error`.
pub fn kill(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let settled = Settle {
        last_error: Some(error),
        ..released("dead", now)
    };
    settle(conn, id, owner, settled)
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
