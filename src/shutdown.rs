//! Graceful shutdown. On SIGTERM (or Ctrl-C) the server stops accepting, closes the
//! keep-alive connections that sit idle, answers the requests in flight with
//! `Connection: close`, and exits as soon as they are done; `NEWSDESK_SHUTDOWN_TIMEOUT_SECS`
//! caps the wait, after which actix drops what is left.
//!
//! actix alone waits for every open connection, and a keep-alive client that keeps
//! sending is served on until the cap, so [`Drain`] tracks each connection and its
//! requests in flight (`HttpServer::on_connect` and the [`track`] middleware).

use std::any::Any;
use std::net::Shutdown;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use actix_web::body::MessageBody;
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;

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

    /// Resolves on SIGTERM or Ctrl-C, after closing the idle connections: the future for
    /// `HttpServer::shutdown_signal`, so that actix then stops accepting and waits for
    /// the requests in flight.
    pub async fn on_signal(self: Arc<Self>) {
        use actix_web::rt::signal;
        match signal::unix::signal(signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                actix_web::rt::pin!(let ctrl_c = signal::ctrl_c(););
                futures_util::future::select(Box::pin(term.recv()), ctrl_c).await;
            }
            Err(e) => {
                log::warn!("cannot listen for SIGTERM ({e}); stopping on Ctrl-C only");
                let _ = signal::ctrl_c().await;
            }
        }
        self.begin();
    }

    /// From now on every answer closes its connection; idle connections close now.
    fn begin(&self) {
        self.draining.store(true, Ordering::SeqCst);
        let mut busy = 0;
        for connection in self.lock().iter().filter_map(Weak::upgrade) {
            if connection.in_flight.load(Ordering::SeqCst) > 0 {
                busy += 1;
            } else {
                // Only the reading side: actix sees the end of the stream and closes the
                // connection, and an answer it is still writing goes out whole.
                let _ = connection.socket.shutdown(Shutdown::Read);
            }
        }
        log::info!("shutting down: finishing {busy} connections with requests in flight");
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
