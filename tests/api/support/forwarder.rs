//! A TCP forwarder between the app and PostgreSQL that a test can cut and restore, to
//! stage a database outage without touching the shared server.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Forwarder {
    address: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    target: String,
    /// While cut, every new connection is accepted and closed at once, as a server that
    /// is going down does.
    cut: AtomicBool,
    stopped: AtomicBool,
    /// Both ends of every forwarded connection, so that a cut can close them.
    open: Mutex<Vec<TcpStream>>,
}

impl Forwarder {
    /// Forwards 127.0.0.1:<some port> to `target` (`host:port`).
    pub fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the forwarder");
        let address = listener.local_addr().expect("forwarder address");
        let shared = Arc::new(Shared {
            target: target.to_owned(),
            cut: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            open: Mutex::new(Vec::new()),
        });
        let accepting = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if accepting.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                if accepting.cut.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                if let Err(e) = accepting.forward(client) {
                    eprintln!("forwarder: {e}");
                }
            }
        });
        Self { address, shared }
    }

    /// `url` (`postgres://user@host:port/db…`) with its host and port replaced by the
    /// forwarder's, and the `host:port` it named.
    pub fn postgres_url(url: &str) -> (String, String) {
        let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        let (user, host) = match authority.rsplit_once('@') {
            Some((user, host)) => (format!("{user}@"), host),
            None => (String::new(), authority),
        };
        let host = if host.contains(':') {
            host.to_owned()
        } else {
            format!("{host}:5432")
        };
        (format!("{scheme}://{user}{{forwarder}}{path}"), host)
    }

    /// `template` from [`postgres_url`](Self::postgres_url) pointing at this forwarder.
    pub fn url(&self, template: &str) -> String {
        template.replace("{forwarder}", &self.address.to_string())
    }

    /// The outage: open connections are closed and new ones are refused.
    pub fn cut(&self) {
        self.shared.cut.store(true, Ordering::SeqCst);
        for stream in self.shared.open.lock().expect("lock").drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The server is back.
    pub fn restore(&self) {
        self.shared.cut.store(false, Ordering::SeqCst);
    }
}

impl Shared {
    fn forward(&self, client: TcpStream) -> io::Result<()> {
        let server = TcpStream::connect(&self.target)?;
        client.set_nodelay(true)?;
        server.set_nodelay(true)?;
        {
            let mut open = self.open.lock().expect("lock");
            open.push(client.try_clone()?);
            open.push(server.try_clone()?);
        }
        pipe(client.try_clone()?, server.try_clone()?);
        pipe(server, client);
        Ok(())
    }
}

/// Copies `from` to `to` on a thread of its own until either side closes.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = io::copy(&mut from, &mut to);
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    });
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees `stopped`.
        let _ = TcpStream::connect(self.address);
    }
}
