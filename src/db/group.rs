//! Group commit on SQLite: the writes of this process queue here, and one writer at a
//! time runs several of them inside one `BEGIN IMMEDIATE … COMMIT` and answers them all
//! once that COMMIT has returned.
//!
//! With `synchronous = FULL` every COMMIT waits for the WAL to reach the disk (an fsync,
//! 3–4 ms on the machines we measured), and SQLite commits one writer at a time: one
//! COMMIT per write capped a process at a few hundred writes a second, however little
//! SQL each write ran. A group pays for one fsync whatever its size.
//!
//! What a client sees does not change. The members run one after the other, in queue
//! order, each on the state its predecessors left. Each `db::write_transaction` a member
//! runs becomes a savepoint of the group's transaction, released or rolled back exactly
//! when its own transaction would have been committed or rolled back, so a member that
//! fails takes back its own work and nobody else's. Nobody is answered before the
//! group's COMMIT: an acknowledged write is on disk. If the COMMIT fails, every member
//! of the group is answered with that failure (a 503, or a 507 for a full disk),
//! whatever it would have said otherwise, since what it saw is gone.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use diesel::connection::{Connection, TransactionManager};
use diesel::r2d2::R2D2Connection;
use tokio::sync::oneshot;

use super::AnyConnection;
use crate::error::ApiError;

/// The most members one group runs: the first member's answer waits for the last one's
/// SQL, so a group stays short even when the queue is long.
const MAX_GROUP: usize = 64;

/// A member's turn: still queued, taken by the writer, or given up by its requester.
const QUEUED: u8 = 0;
const STARTED: u8 = 1;
const ABANDONED: u8 = 2;

type Manager = <AnyConnection as Connection>::TransactionManager;

/// The write queue of one process and the state of its writer.
#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    members: VecDeque<Box<dyn Member>>,
    /// A writer is running and will take every member queued before it sees the queue
    /// empty.
    draining: bool,
}

/// A queued write whose result type is erased.
trait Member: Send {
    /// Takes the member's turn, unless its requester gave up or went away.
    fn claim(&self) -> bool;
    /// Runs the write inside the group's transaction.
    fn run(&mut self, conn: &mut AnyConnection);
    /// The error this member's write ended with, copied for the rest of its group.
    fn failure(&self) -> Option<ApiError>;
    /// Answers the requester: with `instead` when the group failed, else its own outcome.
    fn answer(self: Box<Self>, instead: Option<ApiError>);
}

struct Pending<T, F> {
    turn: Arc<AtomicU8>,
    write: Option<F>,
    outcome: Option<Result<T, ApiError>>,
    reply: oneshot::Sender<Result<T, ApiError>>,
}

impl<T, F> Member for Pending<T, F>
where
    T: Send,
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send,
{
    fn claim(&self) -> bool {
        !self.reply.is_closed()
            && self
                .turn
                .compare_exchange(QUEUED, STARTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    fn run(&mut self, conn: &mut AnyConnection) {
        let Some(write) = self.write.take() else {
            return;
        };
        // No savepoint around the whole write: like a write of its own, it may answer
        // an error after a transaction of its committed (a refresh token presented
        // twice revokes its family, then answers 401). A panic is this member's 500, as
        // on a blocking thread of its own; `settle` rolls back what it left open.
        let outcome = catch_unwind(AssertUnwindSafe(|| write(conn)))
            .unwrap_or_else(|_| Err(ApiError::internal(anyhow::anyhow!("a write panicked"))));
        self.outcome = Some(outcome);
    }

    fn failure(&self) -> Option<ApiError> {
        match &self.outcome {
            Some(Err(err)) => Some(shared(err)),
            _ => None,
        }
    }

    fn answer(self: Box<Self>, instead: Option<ApiError>) {
        let answer = match (instead, self.outcome) {
            (Some(err), _) => Err(err),
            (None, Some(outcome)) => outcome,
            (None, None) => Err(ApiError::Unavailable),
        };
        // A requester that went away meanwhile needs no answer.
        let _ = self.reply.send(answer);
    }
}

/// A queued write's claim on its answer.
pub struct Ticket<T> {
    turn: Arc<AtomicU8>,
    answer: oneshot::Receiver<Result<T, ApiError>>,
}

impl<T> Ticket<T> {
    /// The write's outcome, once its group has committed. A write still queued after
    /// `limit` is withdrawn and answered 503; one the writer has taken is waited for, as
    /// its outcome may already be on disk.
    pub async fn outcome(self, limit: Duration) -> Result<T, ApiError> {
        let Self { turn, mut answer } = self;
        if let Ok(answered) = tokio::time::timeout(limit, &mut answer).await {
            return answered.unwrap_or_else(|_| Err(writer_stopped()));
        }
        if turn
            .compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            log::warn!("a write waited {limit:?} for its turn");
            return Err(ApiError::Unavailable);
        }
        answer.await.unwrap_or_else(|_| Err(writer_stopped()))
    }
}

fn writer_stopped() -> ApiError {
    ApiError::internal(anyhow::anyhow!("the writer stopped before answering"))
}

impl GroupCommit {
    /// Queues `write`. The second value is true when no writer is running: the caller
    /// must then start one with [`drain`](Self::drain) (or [`refuse`](Self::refuse)).
    pub fn submit<T, F>(&self, write: F) -> (Ticket<T>, bool)
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let turn = Arc::new(AtomicU8::new(QUEUED));
        let member = Pending {
            turn: turn.clone(),
            write: Some(write),
            outcome: None,
            reply,
        };
        let mut queue = self.lock();
        queue.members.push_back(Box::new(member));
        let start = !queue.draining;
        queue.draining = true;
        (Ticket { turn, answer }, start)
    }

    /// The writer: runs groups on `conn` until the queue is empty (then `true`), or until
    /// `conn` is left unusable (then `false`: the caller goes on with another one).
    pub fn drain(&self, conn: &mut AnyConnection) -> bool {
        let _draining = Draining(self);
        loop {
            if R2D2Connection::is_broken(conn) {
                return false;
            }
            let group: VecDeque<Box<dyn Member>> = {
                let mut queue = self.lock();
                if queue.members.is_empty() {
                    queue.draining = false;
                    return true;
                }
                let size = queue.members.len().min(MAX_GROUP);
                queue.members.drain(..size).collect()
            };
            run(conn, group.into_iter().filter(|m| m.claim()).collect());
        }
    }

    /// For the metrics: how many writes are queued, and whether a writer is running.
    pub fn load(&self) -> (usize, bool) {
        let queue = self.lock();
        (queue.members.len(), queue.draining)
    }

    /// Ends a writer that got no connection: every queued write is answered with `err`.
    pub fn refuse(&self, err: &ApiError) {
        let members: Vec<Box<dyn Member>> = {
            let mut queue = self.lock();
            queue.draining = false;
            queue.members.drain(..).collect()
        };
        for member in members.into_iter().filter(|m| m.claim()) {
            member.answer(Some(shared(err)));
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while the lock is held leaves the queue whole (a push or a drain).
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Lets a later write start a new writer if this one unwinds.
struct Draining<'a>(&'a GroupCommit);

impl Drop for Draining<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().draining = false;
        }
    }
}

/// Runs `members` in as few transactions as they allow: one, unless a member ends the
/// transaction itself (SQLite rolls back the whole transaction on some failures, such as
/// a full disk); the members after it then run in a new one.
fn run(conn: &mut AnyConnection, mut members: VecDeque<Box<dyn Member>>) {
    while !members.is_empty() {
        if let Err(err) = super::begin_write(conn) {
            let err = ApiError::from(err);
            for member in members {
                member.answer(Some(shared(&err)));
            }
            return;
        }
        let mut ran: Vec<Box<dyn Member>> = Vec::with_capacity(members.len());
        // The member after which the group's transaction was gone, if one was.
        let mut culprit = None;
        while let Some(mut member) = members.pop_front() {
            member.run(conn);
            let intact = settle(conn);
            ran.push(member);
            if !intact {
                culprit = Some(ran.len() - 1);
                break;
            }
        }
        let failure = match culprit {
            Some(i) => {
                let err = ran[i].failure().unwrap_or(ApiError::Unavailable);
                log::warn!("a write ended its group's transaction: {err}");
                abandon(conn);
                Some(err)
            }
            None => match Manager::commit_transaction(conn) {
                Ok(()) => None,
                Err(err) => {
                    let err = ApiError::from(err);
                    log::warn!("a group of {} writes failed to commit: {err}", ran.len());
                    abandon(conn);
                    Some(err)
                }
            },
        };
        for (i, member) in ran.into_iter().enumerate() {
            // The member that ended the transaction keeps its own error; every other
            // answer, a success or a failure, was reached on work that is now gone.
            let keeps_its_own = culprit == Some(i) && member.failure().is_some();
            let instead = failure.as_ref().filter(|_| !keeps_its_own).map(shared);
            member.answer(instead);
        }
    }
}

/// After a member: closes what savepoints it left open (a panic) and tells whether the
/// group's transaction is still there.
fn settle(conn: &mut AnyConnection) -> bool {
    loop {
        match Manager::transaction_manager_status_mut(conn).transaction_depth() {
            Ok(Some(depth)) if depth.get() == 1 => return true,
            Ok(Some(_)) => {
                if Manager::rollback_transaction(conn).is_err() {
                    return false;
                }
            }
            Ok(None) | Err(_) => return false,
        }
    }
}

/// Rolls back whatever is left of a failed group, so the connection goes back to the
/// pool clean (a connection still in a transaction counts as broken and is closed).
fn abandon(conn: &mut AnyConnection) {
    while let Ok(Some(_)) = Manager::transaction_manager_status_mut(conn).transaction_depth() {
        if Manager::rollback_transaction(conn).is_err() {
            return;
        }
    }
}

/// `err` as told to the other members of a group it brought down: the database's own
/// refusals keep their status, anything else is a 503 (running the write again alone
/// settles it).
fn shared(err: &ApiError) -> ApiError {
    match err {
        ApiError::InsufficientStorage => ApiError::InsufficientStorage,
        ApiError::DatabaseUnreachable { retry_after } => ApiError::DatabaseUnreachable {
            retry_after: *retry_after,
        },
        _ => ApiError::Unavailable,
    }
}
