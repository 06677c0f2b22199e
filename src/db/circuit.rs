//! Fails fast while the database is down: a circuit around the pool's checkout.
//!
//! Without it every request of an outage waits out the whole checkout timeout before its
//! 503. The circuit opens when a checkout finds the database unreachable (the pool's
//! connect or check-out test failed) or a query loses its connection; while open, every
//! request is answered 503 at once, with `Retry-After` naming the rest of the cool-down.
//! After the cool-down one request probes with a short checkout; it closes the circuit if
//! it gets a connection, and opens it for another cool-down if not. A pool that is merely
//! busy (every connection in use, the database fine) never opens it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{DbPool, PooledConn};
use crate::error::ApiError;

/// A checkout waits in slices of this length, so it notices an outage (its own connect
/// failing, or the circuit opened by another request) within one slice instead of at the
/// end of the whole wait.
const CHECKOUT_SLICE: Duration = Duration::from_millis(100);

/// The longest a probe waits for a connection: a database that is back answers at once.
const PROBE_WAIT: Duration = Duration::from_secs(1);

pub struct Circuit {
    cool_down: Duration,
    open_until: Mutex<Option<Instant>>,
}

/// How a request may use the database, decided by [`Circuit::admit`].
#[derive(Debug, Clone, Copy)]
pub enum Admission {
    /// The circuit is closed: check out as usual.
    Normal,
    /// The cool-down is over and this request tries the database for everyone.
    Probe,
}

impl Circuit {
    pub fn new(cool_down: Duration) -> Self {
        Self {
            cool_down,
            open_until: Mutex::new(None),
        }
    }

    /// Lets a request through, as the probe when a cool-down has just ended, or answers
    /// 503 at once while the circuit is open. A probe keeps the circuit open for the
    /// others until it reports back (or, if it never does, for one more cool-down).
    pub fn admit(&self) -> Result<Admission, ApiError> {
        let mut open_until = self.lock();
        match *open_until {
            None => Ok(Admission::Normal),
            Some(until) => {
                let now = Instant::now();
                if now < until {
                    Err(unreachable(until - now))
                } else {
                    *open_until = Some(now + self.cool_down);
                    Ok(Admission::Probe)
                }
            }
        }
    }

    /// A connection from `pool` within `wait` (shorter for a probe). An unreachable
    /// database opens the circuit and is answered at once; a busy pool is a plain 503
    /// at the end of `wait`.
    pub fn checkout(
        &self,
        pool: &DbPool,
        admission: Admission,
        wait: Duration,
    ) -> Result<PooledConn, ApiError> {
        let wait = match admission {
            Admission::Normal => wait,
            Admission::Probe => wait.min(PROBE_WAIT),
        };
        let deadline = Instant::now() + wait;
        loop {
            let slice = CHECKOUT_SLICE.min(deadline.saturating_duration_since(Instant::now()));
            let err = match pool.get_timeout(slice) {
                Ok(conn) => {
                    self.close();
                    return Ok(conn);
                }
                Err(err) => err,
            };
            // r2d2 appends the last connect or check-out failure to its timeout message:
            // then the database, not the pool, is the problem.
            let message = err.to_string();
            if let Some(cause) = message.strip_prefix("timed out waiting for connection: ") {
                log::warn!("the database is unreachable: {cause}");
                return Err(self.open());
            }
            if let Some(remaining) = self.remaining() {
                return Err(unreachable(remaining));
            }
            if Instant::now() >= deadline {
                if let Admission::Probe = admission {
                    return Err(self.open());
                }
                log::warn!("no database connection free within {wait:?}");
                return Err(ApiError::Unavailable);
            }
        }
    }

    /// Opens the circuit for a cool-down (a probe failed, a connection broke) and returns
    /// the error that answers the request.
    pub fn open(&self) -> ApiError {
        let mut open_until = self.lock();
        if open_until.is_none() {
            log::warn!(
                "database unreachable: answering 503 for {:?}, then probing",
                self.cool_down
            );
        }
        *open_until = Some(Instant::now() + self.cool_down);
        unreachable(self.cool_down)
    }

    /// Whether requests are answered 503 at once now (or one is probing), for the metrics.
    pub fn is_open(&self) -> bool {
        self.lock().is_some()
    }

    fn close(&self) {
        let mut open_until = self.lock();
        if open_until.take().is_some() {
            log::info!("the database answers again");
        }
    }

    /// What is left of an open circuit's cool-down.
    fn remaining(&self) -> Option<Duration> {
        self.lock()
            .map(|until| until.saturating_duration_since(Instant::now()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        // The guarded value is a plain instant: a panic elsewhere cannot leave it torn.
        self.open_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// 503 with a `Retry-After` of `after`, rounded up to whole seconds (at least 1).
fn unreachable(after: Duration) -> ApiError {
    ApiError::DatabaseUnreachable {
        retry_after: after.as_secs_f64().ceil().max(1.0) as u64,
    }
}
