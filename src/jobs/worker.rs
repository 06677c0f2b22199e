//! The worker loop: claim a due job, run it, settle it; when none is due, sleep until the
//! next one is (or a local write wakes it, or the poll interval passes, for jobs other
//! nodes enqueue). Each worker is a thread with its own single-threaded runtime, so a
//! job's database work may block it without holding up anything else.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::repo;
use super::run::{self, Held, Outcome};
use crate::domain::time;
use crate::domain::token::random_hex;
use crate::outbound::webhook::Sender;
use crate::state::AppState;

/// How long finished jobs are kept before they are deleted.
const KEEP_DONE: Duration = Duration::from_secs(24 * 3600);
/// How often a worker deletes old finished jobs.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// Running workers; [`stop`](Self::stop) ends them gracefully.
pub struct Workers {
    stopping: Arc<AtomicBool>,
    state: AppState,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts `count` workers on `state`'s database.
    pub fn start(state: &AppState, count: u32) -> std::io::Result<Self> {
        let stopping = Arc::new(AtomicBool::new(false));
        let node = random_hex(4);
        let mut threads = Vec::new();
        for n in 0..count {
            let (state, stopping) = (state.clone(), stopping.clone());
            let owner = format!("{node}-{n}");
            threads.push(
                std::thread::Builder::new()
                    .name(format!("job-worker-{n}"))
                    .spawn(move || {
                        actix_web::rt::System::new().block_on(work(state, owner, stopping));
                    })?,
            );
        }
        if count > 0 {
            log::info!("{count} job worker(s) running");
        }
        Ok(Self {
            stopping,
            state: state.clone(),
            threads,
        })
    }

    /// Stops the workers: each finishes the job it is running (a delivery takes at most
    /// its 10 s timeout) and claims no other. Blocks until they have.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.state.jobs.wake();
        for thread in self.threads {
            if thread.join().is_err() {
                log::error!("a job worker panicked");
            }
        }
    }
}

async fn work(state: AppState, owner: String, stopping: Arc<AtomicBool>) {
    let sender = Sender::new(state.config.webhook_allow.clone());
    let settings = state.config.jobs.clone();
    let mut last_prune = Instant::now();
    loop {
        let signal = state.jobs.clone();
        let woken = signal.woken();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        match claim(&state, &owner) {
            Ok(Some(job)) => {
                let held = Held {
                    job: &job,
                    owner: &owner,
                    settings: &settings,
                };
                let outcome = run::run(&state, &sender, &held).await;
                settle(&state, &held, outcome);
                continue;
            }
            Ok(None) => {}
            Err(err) => log::warn!("job worker: cannot claim jobs: {err}"),
        }
        if last_prune.elapsed() >= PRUNE_EVERY {
            last_prune = Instant::now();
            prune(&state);
        }
        let pause = idle_pause(&state, settings.poll);
        futures_util::future::select(woken, Box::pin(actix_web::rt::time::sleep(pause))).await;
    }
}

fn claim(state: &AppState, owner: &str) -> Result<Option<repo::ClaimedJob>, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    let now = time::now();
    let lease = chrono::Duration::from_std(state.config.jobs.lease).unwrap_or_default();
    repo::claim(
        &mut conn,
        owner,
        now + lease,
        state.config.jobs.max_attempts,
        now,
    )
    .map_err(|e| e.to_string())
}

/// Until the next queued job is due, at most `poll`.
fn idle_pause(state: &AppState, poll: Duration) -> Duration {
    let next = state
        .pool
        .get()
        .ok()
        .and_then(|mut conn| repo::next_due(&mut conn).ok().flatten());
    match next {
        Some(at) => (at - time::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .clamp(Duration::from_millis(5), poll),
        None => poll,
    }
}

fn settle(state: &AppState, held: &Held<'_>, outcome: Outcome) {
    let job = held.job;
    let now = time::now();
    let Ok(mut conn) = state.pool.get() else {
        // The lease runs out and another attempt follows.
        log::warn!("job {} ({}): no connection to settle it", job.id, job.kind);
        return;
    };
    let settled = match outcome {
        Outcome::Settled => Ok(true),
        Outcome::Done => repo::done(&mut conn, job.id, held.owner, now),
        Outcome::GiveUp(error) => {
            log::warn!("job {} ({}) given up: {error}", job.id, job.kind);
            repo::kill(&mut conn, job.id, held.owner, &error, now)
        }
        Outcome::RetryLater(error) | Outcome::RetryAt(_, error) if !held.attempts_left() => {
            log::warn!(
                "job {} ({}) dead after {} attempts: {error}",
                job.id,
                job.kind,
                job.attempts
            );
            repo::kill(&mut conn, job.id, held.owner, &error, now)
        }
        Outcome::RetryLater(error) => {
            log::info!("job {} ({}) will be retried: {error}", job.id, job.kind);
            repo::retry(
                &mut conn,
                job.id,
                held.owner,
                held.next_attempt(),
                &error,
                now,
            )
        }
        Outcome::RetryAt(at, error) => {
            log::info!("job {} ({}) will be retried: {error}", job.id, job.kind);
            repo::retry(&mut conn, job.id, held.owner, at, &error, now)
        }
    };
    match settled {
        Ok(true) => {}
        Ok(false) => log::warn!(
            "job {} ({}) outlived its lease; another worker has it",
            job.id,
            job.kind
        ),
        Err(err) => log::warn!("job {} ({}): cannot settle it: {err}", job.id, job.kind),
    }
}

fn prune(state: &AppState) {
    let Ok(mut conn) = state.pool.get() else {
        return;
    };
    let before = time::now() - chrono::Duration::from_std(KEEP_DONE).unwrap_or_default();
    if let Err(err) = repo::prune(&mut conn, before) {
        log::warn!("job worker: cannot delete old jobs: {err}");
    }
}
