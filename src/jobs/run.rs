//! What each kind of job does. A job returns [`Outcome`]: done, try again later, give
//! up, or already settled (a job whose effects are database writes settles itself in the
//! same transaction, so it happens exactly once even if two workers ran it).

use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;

use super::{payload, repo};
use crate::articles;
use crate::config::JobSettings;
use crate::db::AnyConnection;
use crate::db::outbox::kind;
use crate::domain::event::EventType;
use crate::domain::time;
use crate::error::ApiError;
use crate::media;
use crate::outbound::{purge, webhook};
use crate::state::AppState;
use crate::webhooks::service::{self as webhooks, AttemptOutcome, Fanned};

/// How a job ended.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// The job marked itself done in its own transaction (or found another worker had).
    Settled,
    /// Try again after the back-off, if attempts are left.
    RetryLater(String),
    /// Try again at this time (the job worked out its own back-off).
    RetryAt(NaiveDateTime, String),
    /// Never try again: `dead`.
    GiveUp(String),
}

/// The job being run and who holds it.
pub struct Held<'a> {
    pub job: &'a repo::ClaimedJob,
    pub owner: &'a str,
    pub settings: &'a JobSettings,
}

impl Held<'_> {
    fn max_attempts(&self) -> i32 {
        self.job
            .max_attempts
            .unwrap_or(i32::try_from(self.settings.max_attempts).unwrap_or(i32::MAX))
    }

    /// Whether a failure now leaves attempts for later.
    pub fn attempts_left(&self) -> bool {
        self.job.attempts < self.max_attempts()
    }

    /// When a failed attempt is tried again.
    pub fn next_attempt(&self) -> NaiveDateTime {
        time::now() + backoff(self.settings, self.job.attempts)
    }

    /// Marks the job done inside the caller's transaction; false if it is no longer ours.
    fn settle(&self, conn: &mut AnyConnection) -> Result<bool, ApiError> {
        Ok(repo::done(conn, self.job.id, self.owner, time::now())?)
    }
}

/// The pause after failed attempt `attempt` (1 for the first): the base doubled each
/// time, capped, then a random part of it (between half and all), so that many jobs
/// failing together do not come back together.
pub fn backoff(settings: &JobSettings, attempt: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let full = settings
        .backoff
        .saturating_mul(1u32 << doublings)
        .min(settings.max_backoff);
    let millis = u64::try_from(full.as_millis()).unwrap_or(u64::MAX).max(1);
    let jittered = rand::random_range(millis / 2..=millis);
    chrono::Duration::milliseconds(i64::try_from(jittered).unwrap_or(i64::MAX))
}

fn payload<T: for<'de> Deserialize<'de>>(held: &Held<'_>) -> Result<T, Outcome> {
    serde_json::from_str(&held.job.payload)
        .map_err(|e| Outcome::GiveUp(format!("unreadable payload: {e}")))
}

fn connection(state: &AppState) -> Result<crate::db::PooledConn, Outcome> {
    state
        .pool
        .get()
        .map_err(|e| Outcome::RetryLater(format!("no database connection: {e}")))
}

fn database(err: ApiError) -> Outcome {
    Outcome::RetryLater(format!("database: {err}"))
}

/// Runs one claimed job.
pub async fn run(state: &AppState, sender: &webhook::Sender, held: &Held<'_>) -> Outcome {
    let outcome = match held.job.kind.as_str() {
        kind::EVENT => fan_out(state, held),
        kind::SCHEDULED => scheduled(state, held),
        kind::DELIVER => deliver(state, sender, held).await,
        kind::PURGE => cdn_purge(state, held).await,
        kind::MEDIA_VARIANTS => media_variants(state, held),
        kind::MEDIA_DELETE => media_delete(state, held),
        other => Err(Outcome::GiveUp(format!("unknown job kind {other:?}"))),
    };
    outcome.unwrap_or_else(|outcome| outcome)
}

#[derive(Deserialize)]
struct EventJob {
    #[serde(rename = "type")]
    kind: String,
    subject: i64,
    id: String,
    occurred_at: String,
}

/// Builds the event's body once and makes one delivery per subscribed webhook.
fn fan_out(state: &AppState, held: &Held<'_>) -> Result<Outcome, Outcome> {
    let event: EventJob = payload(held)?;
    let kind = EventType::parse(&event.kind)
        .ok_or_else(|| Outcome::GiveUp(format!("unknown event {:?}", event.kind)))?;
    let mut conn = connection(state)?;
    let data = payload::data(&mut conn, kind, event.subject).map_err(database)?;
    let body = serde_json::json!({
        "type": kind.as_str(),
        "id": event.id,
        "occurred_at": event.occurred_at,
        "data": data,
    })
    .to_string();
    let fanned = Fanned {
        kind,
        event_id: &event.id,
        body: &body,
    };
    webhooks::fan_out(&mut conn, &fanned, |conn| held.settle(conn)).map_err(database)?;
    Ok(Outcome::Settled)
}

#[derive(Deserialize)]
struct ScheduledJob {
    article_id: i64,
    published_at: String,
}

/// A scheduled publication's time has come: `article.published`, once.
fn scheduled(state: &AppState, held: &Held<'_>) -> Result<Outcome, Outcome> {
    let job: ScheduledJob = payload(held)?;
    let at = DateTime::parse_from_rfc3339(&job.published_at)
        .map_err(|e| Outcome::GiveUp(format!("unreadable time: {e}")))?
        .naive_utc();
    let mut conn = connection(state)?;
    articles::service::fire_scheduled(&mut conn, job.article_id, at, |conn| held.settle(conn))
        .map_err(database)?;
    Ok(Outcome::Settled)
}

#[derive(Deserialize)]
struct DeliverJob {
    delivery_id: i64,
}

/// Sends one delivery and records what the receiver made of it.
async fn deliver(
    state: &AppState,
    sender: &webhook::Sender,
    held: &Held<'_>,
) -> Result<Outcome, Outcome> {
    let job: DeliverJob = payload(held)?;
    let target = {
        let mut conn = connection(state)?;
        webhooks::delivery_target(&mut conn, job.delivery_id).map_err(database)?
    };
    let Some((delivery, hook)) = target else {
        // The webhook was deleted or switched off: nothing to send.
        return Ok(Outcome::Done);
    };
    let timestamp = chrono::Utc::now().timestamp();
    let sent = sender
        .send(
            &hook.url,
            &hook.secret,
            &delivery.event_id,
            timestamp,
            delivery.payload.as_bytes(),
        )
        .await;
    let (record, outcome) = match &sent {
        webhook::Sent::Delivered(status) => (AttemptOutcome::Delivered(*status), Outcome::Done),
        webhook::Sent::Failed { status, error } if held.attempts_left() => {
            let next = held.next_attempt();
            (
                AttemptOutcome::Retrying {
                    status: *status,
                    error,
                    next,
                },
                Outcome::RetryAt(next, error.clone()),
            )
        }
        webhook::Sent::Failed { status, error } => (
            AttemptOutcome::Failed {
                status: *status,
                error,
            },
            Outcome::GiveUp(error.clone()),
        ),
    };
    let mut conn = connection(state)?;
    webhooks::record_attempt(&mut conn, delivery.id, &record).map_err(database)?;
    Ok(outcome)
}

#[derive(Deserialize)]
struct PurgeJob {
    keys: Vec<String>,
}

/// Purges the keys at every configured CDN endpoint; none configured, nothing to do.
async fn cdn_purge(state: &AppState, held: &Held<'_>) -> Result<Outcome, Outcome> {
    let Some(targets) = &state.config.purge else {
        return Ok(Outcome::Done);
    };
    let job: PurgeJob = payload(held)?;
    let client = purge::client();
    match purge::purge_once(&client, targets, &job.keys.join(" ")).await {
        Ok(()) => Ok(Outcome::Done),
        Err(error) => Err(Outcome::RetryLater(format!("CDN purge: {error}"))),
    }
}

#[derive(Deserialize)]
struct MediaVariantsJob {
    hash: String,
}

/// Makes the responsive variants of a library image and records them. The decoding and
/// encoding (and the store's I/O) run on this worker's thread with no connection held.
fn media_variants(state: &AppState, held: &Held<'_>) -> Result<Outcome, Outcome> {
    let job: MediaVariantsJob = payload(held)?;
    let row = {
        let mut conn = connection(state)?;
        media::service::with_hash(&mut conn, &job.hash).map_err(database)?
    };
    let Some(row) = row else {
        // Deleted before its variants were made.
        return Ok(Outcome::Done);
    };
    let started = std::time::Instant::now();
    let files = media::service::make_variants(&state.media, &row, &state.config.media.widths)
        .map_err(Outcome::RetryLater)?;
    log::info!(
        "made {} variant(s) of media {} in {} ms",
        files.files.len().saturating_sub(1),
        row.id,
        started.elapsed().as_millis()
    );
    let changed = {
        let mut conn = connection(state)?;
        media::service::record_variants(&mut conn, state.outbox(), &job.hash, &files)
            .map_err(database)?
    };
    state.cache.invalidate(&changed.keys.names());
    Ok(Outcome::Done)
}

#[derive(Deserialize)]
struct MediaDeleteJob {
    hash: String,
    original_key: Option<String>,
}

/// Deletes the files of an image no library entry uses any more.
fn media_delete(state: &AppState, held: &Held<'_>) -> Result<Outcome, Outcome> {
    let job: MediaDeleteJob = payload(held)?;
    let mut conn = connection(state)?;
    media::service::delete_files(
        &mut conn,
        &state.media,
        &job.hash,
        job.original_key.as_deref(),
    )
    .map_err(Outcome::RetryLater)?;
    Ok(Outcome::Done)
}
