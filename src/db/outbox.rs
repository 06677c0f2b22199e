//! The job outbox: jobs are rows of `jobs`, inserted inside the transaction of the write
//! that causes them, so a rolled-back write enqueues nothing and a committed one loses
//! nothing if the process dies right after. `jobs::worker` claims and runs them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::jobs;
use crate::db::{AnyConnection, announce, write_transaction};
use crate::domain::event::Event;
use crate::domain::surrogate::{Changed, Keys};
use crate::domain::time;
use crate::domain::token::random_hex;
use crate::error::ApiError;

/// The kinds of job, as stored in `jobs.kind`.
pub mod kind {
    /// An event to fan out into one webhook delivery per subscribed webhook.
    pub const EVENT: &str = "event";
    /// One webhook delivery to send.
    pub const DELIVER: &str = "webhook.deliver";
    /// A scheduled article whose publication time has come.
    pub const SCHEDULED: &str = "article.scheduled";
    /// Surrogate keys to purge at the CDN.
    pub const PURGE: &str = "cdn.purge";
    /// A library image whose responsive variants are to be made.
    pub const MEDIA_VARIANTS: &str = "media.variants";
    /// The files of a library image no row uses any more.
    pub const MEDIA_DELETE: &str = "media.delete";
}

/// A job to insert.
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub run_at: NaiveDateTime,
    /// At most one queued job per key: a second enqueue with it does nothing.
    pub dedupe_key: Option<String>,
}

impl NewJob {
    /// A job due now.
    pub fn now(kind: &'static str, payload: serde_json::Value) -> Self {
        Self {
            kind,
            payload,
            run_at: time::now(),
            dedupe_key: None,
        }
    }
}

/// What a content write enqueues with itself besides its events, decided once from the
/// configuration and handed to every content write by `AppState::write`: a CDN purge of
/// its keys only when a CDN is configured, so that a node without one pays nothing (no
/// job row, no worker transactions) for purges nobody receives.
#[derive(Clone, Copy, Debug)]
pub struct Outbox {
    purge_cdn: bool,
}

impl Outbox {
    pub fn new(purge_cdn: bool) -> Self {
        Self { purge_cdn }
    }

    /// [`write_transaction`] for a write that changes public answers: the keys it names
    /// are announced to the other nodes inside the transaction, so they hear of it exactly
    /// when it commits (PostgreSQL delivers `NOTIFY` on commit and drops it on rollback).
    /// On SQLite one process serves, and it purges its own cache after the commit
    /// (`AppState::write`). The events of the write, and a CDN purge of its keys, go into
    /// the job outbox in the same transaction ([`record`](Self::record)).
    pub fn transaction<T>(
        self,
        conn: &mut AnyConnection,
        mut f: impl FnMut(&mut AnyConnection) -> Result<Changed<T>, ApiError>,
    ) -> Result<Changed<T>, ApiError> {
        write_transaction(conn, |conn| {
            let changed = f(conn)?;
            announce(conn, &changed.keys)?;
            self.record(conn, &changed.keys, &changed.events)?;
            Ok(changed)
        })
    }

    /// What a content write enqueues with itself: one job per event it causes, and a CDN
    /// purge of the keys it changed when a CDN is configured.
    pub fn record(
        self,
        conn: &mut AnyConnection,
        keys: &Keys,
        events: &[Event],
    ) -> QueryResult<()> {
        // The purge first: jobs due at once run in the order they were enqueued, and a
        // CDN purge is the one a reader notices waiting for.
        if self.purge_cdn && !keys.is_empty() {
            enqueue(
                conn,
                NewJob::now(kind::PURGE, serde_json::json!({ "keys": keys.names() })),
            )?;
        }
        record_events(conn, events)
    }
}

/// Inserts `job`; one with a `dedupe_key` already queued is not inserted again. Call it
/// inside the write transaction of the change that causes the job.
pub fn enqueue(conn: &mut AnyConnection, job: NewJob) -> QueryResult<()> {
    if let Some(key) = &job.dedupe_key {
        let queued: i64 = jobs::table
            .filter(jobs::dedupe_key.eq(key))
            .filter(jobs::state.eq("queued"))
            .count()
            .get_result(conn)?;
        if queued > 0 {
            return Ok(());
        }
    }
    let now = time::now();
    diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(job.kind),
            jobs::payload.eq(job.payload.to_string()),
            jobs::dedupe_key.eq(job.dedupe_key),
            jobs::run_at.eq(job.run_at),
            jobs::attempts.eq(0),
            jobs::state.eq("queued"),
            jobs::created_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Enqueues one fan-out job per event, each with its own event id and time; none while
/// no active webhook exists (one created later hears of events from then on).
pub fn record_events(conn: &mut AnyConnection, events: &[Event]) -> QueryResult<()> {
    use crate::db::schema::webhooks;
    if events.is_empty() {
        return Ok(());
    }
    let listening: i64 = webhooks::table
        .filter(webhooks::active.eq(true))
        .count()
        .get_result(conn)?;
    if listening == 0 {
        return Ok(());
    }
    for event in events {
        let occurred_at = time::to_utc(time::now());
        enqueue(
            conn,
            NewJob::now(
                kind::EVENT,
                serde_json::json!({
                    "type": event.kind.as_str(),
                    "subject": event.subject,
                    "id": format!("evt_{}", random_hex(12)),
                    "occurred_at": occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                }),
            ),
        )?;
    }
    Ok(())
}

/// Wakes this process's idle workers when a write has enqueued jobs, so they need not
/// wait for their next poll (other nodes' jobs are found by polling).
#[derive(Default)]
pub struct Signal {
    notify: tokio::sync::Notify,
}

impl Signal {
    pub fn wake(&self) {
        self.notify.notify_waiters();
    }

    /// A future that completes at the next [`wake`](Self::wake); create it before
    /// looking for work, so that a wake in between is not missed.
    pub fn woken(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}
