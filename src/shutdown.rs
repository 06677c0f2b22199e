//! Graceful shutdown. On SIGTERM (or Ctrl-C) the server stops accepting, closes the
//! keep-alive connections that sit idle, answers the requests in flight with
//! `Connection: close`, and exits as soon as the last connection is gone;
//! `NEWSDESK_SHUTDOWN_TIMEOUT_SECS` caps the wait, after which what is left is dropped.
//!
//! actix alone waits for every open connection, so a keep-alive client that keeps sending
//! is served on until the cap; and its worker exits at once, dropping its requests, when
//! the accept thread stops before the worker has seen the stop command (actix-server
//! 2.6). So [`Drain`] tracks each connection and its requests in flight
//! (`HttpServer::on_connect` and the [`track`] middleware), only pauses accepting while
//! they finish, and stops the server once none is left.

use std::any::Any;
use std::net::Shutdown;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Extensions, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;

/// How often a shutdown looks whether the last connection is gone.
const POLL: Duration = Duration::from_millis(50);

/// The open connections of one server, and whether it is shutting down.
#[derive(Default)]
pub struct Drain {
    draining: AtomicBool,
    connections: Mutex<Vec<Weak<Connection>>>,
}

/// One client connection, kept in its extensions for as long as it is open.
struct Connection {
    /// A duplicate of the connection's socket, to close it from outside.
    socket: std::net::TcpStream,
    in_flight: AtomicUsize,
    drain: Arc<Drain>,
}

impl Drain {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// For `HttpServer::on_connect`: remembers each TCP connection.
    pub fn on_connect(self: &Arc<Self>, io: &dyn Any, extensions: &mut Extensions) {
        let Some(stream) = io.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        let socket = match stream.as_fd().try_clone_to_owned() {
            Ok(fd) => std::net::TcpStream::from(fd),
            Err(e) => {
                log::warn!("cannot track a connection for graceful shutdown: {e}");
                return;
            }
        };
        let connection = Arc::new(Connection {
            socket,
            in_flight: AtomicUsize::new(0),
            drain: self.clone(),
        });
        let mut connections = self.lock();
        connections.retain(|c| c.strong_count() > 0);
        connections.push(Arc::downgrade(&connection));
        extensions.insert(connection);
    }

    /// On SIGTERM or Ctrl-C: pauses accepting, closes the idle connections, waits (at
    /// most `cap`) until the others are gone, then stops `server`. For a server built
    /// with `disable_signals`.
    pub async fn on_signal(self: Arc<Self>, server: ServerHandle, cap: Duration) {
        signalled().await;
        server.pause().await;
        self.begin();
        let deadline = Instant::now() + cap;
        while self.open() > 0 && Instant::now() < deadline {
            actix_web::rt::time::sleep(POLL).await;
            // Again, for connections whose last request ended since: a shutdown wakes
            // the connection's task each time, so none waits for a wake-up it missed.
            self.close_idle();
        }
        let left = self.open();
        if left > 0 {
            log::warn!("shutting down: dropping {left} connections still open after {cap:?}");
        }
        server.stop(left == 0).await;
    }

    /// From now on every answer closes its connection; idle connections close now.
    fn begin(&self) {
        self.draining.store(true, Ordering::SeqCst);
        let busy = self.close_idle();
        log::info!("shutting down: finishing {busy} connections with requests in flight");
    }

    /// Closes the reading side of every connection with no request in flight: actix sees
    /// the end of the stream and closes it, and an answer it is still writing goes out
    /// whole. Returns how many connections have requests in flight.
    fn close_idle(&self) -> usize {
        let mut busy = 0;
        for connection in self.lock().iter().filter_map(Weak::upgrade) {
            if connection.in_flight.load(Ordering::SeqCst) > 0 {
                busy += 1;
            } else {
                let _ = connection.socket.shutdown(Shutdown::Read);
            }
        }
        busy
    }

    /// The connections still open.
    fn open(&self) -> usize {
        let mut connections = self.lock();
        connections.retain(|c| c.strong_count() > 0);
        connections.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Connection>>> {
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Counts a request in flight on its connection while it is handled, and closes the
/// connection after the answer once shutdown has begun.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let connection = req.request().conn_data::<Arc<Connection>>().cloned();
    if let Some(c) = &connection {
        c.in_flight.fetch_add(1, Ordering::SeqCst);
    }
    let outcome = next.call(req).await;
    let Some(connection) = connection else {
        return outcome;
    };
    connection.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut res = outcome?;
    if connection.drain.draining.load(Ordering::SeqCst) {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}

/// Completes on SIGTERM or Ctrl-C (Ctrl-C only where SIGTERM cannot be listened for).
pub async fn signalled() {
    use actix_web::rt::signal;
    match signal::unix::signal(signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            let ctrl_c = Box::pin(signal::ctrl_c());
            futures_util::future::select(Box::pin(term.recv()), ctrl_c).await;
        }
        Err(e) => {
            log::warn!("cannot listen for SIGTERM ({e}); stopping on Ctrl-C only");
            let _ = signal::ctrl_c().await;
        }
    }
}
