//! HTTP framing on a real listener, served by `newsdesk::cli::http_server` exactly as
//! `serve` runs it: ambiguous message lengths and clients that stall.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::support::{TestDb, test_config};

/// A running server on 127.0.0.1 with `overrides` as its environment; stops when dropped.
struct Served {
    addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    _db: TestDb,
}

impl Served {
    async fn start(overrides: &[(&str, &str)]) -> Self {
        let db = TestDb::new();
        let config = test_config(&db, overrides);
        let state = actix_web::web::block(move || newsdesk::state::prepare(config))
            .await
            .unwrap()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server =
            newsdesk::cli::http_server(state, listener, newsdesk::shutdown::Drain::new()).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            addr,
            handle,
            _db: db,
        }
    }

    /// Writes `parts` to a fresh connection, pausing `pause` between them, then reads
    /// until the server closes the connection or `patience` runs out. Returns what was
    /// read and whether the server closed.
    async fn exchange(&self, parts: &[&[u8]], pause: Duration, patience: Duration) -> Exchange {
        let addr = self.addr;
        let parts: Vec<Vec<u8>> = parts.iter().map(|p| p.to_vec()).collect();
        actix_web::web::block(move || {
            let mut stream = TcpStream::connect(addr).unwrap();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    std::thread::sleep(pause);
                }
                stream.write_all(part).unwrap();
            }
            let started = Instant::now();
            let mut read = Vec::new();
            let mut buf = [0u8; 4096];
            let closed = loop {
                let left = patience.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break false;
                }
                stream.set_read_timeout(Some(left)).unwrap();
                match stream.read(&mut buf) {
                    Ok(0) => break true,
                    Ok(n) => read.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                    Err(_) => break false,
                }
            };
            Exchange {
                text: String::from_utf8_lossy(&read).into_owned(),
                closed,
                waited: started.elapsed(),
            }
        })
        .await
        .unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

#[derive(Debug)]
struct Exchange {
    text: String,
    closed: bool,
    waited: Duration,
}

impl Exchange {
    fn status(&self) -> Option<u16> {
        self.text.split(' ').nth(1)?.parse().ok()
    }
}

#[actix_web::test]
async fn content_length_with_transfer_encoding_is_refused_and_the_connection_closed() {
    let served = Served::start(&[]).await;
    // Were the chunked body honoured, the "GET /healthz" after it would be a second,
    // smuggled request on the same connection.
    let smuggling: &[u8] = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n\
        0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let answer = served
        .exchange(&[smuggling], Duration::ZERO, Duration::from_secs(5))
        .await;
    assert_eq!(answer.status(), Some(400), "{answer:?}");
    // Whatever was pipelined behind it is refused as well, never served.
    assert!(!answer.text.contains(" 200 OK"), "{answer:?}");
    assert!(answer.closed, "the connection stayed open: {answer:?}");
    assert!(
        answer
            .text
            .to_ascii_lowercase()
            .contains("connection: close"),
        "{answer:?}"
    );
}

#[actix_web::test]
async fn a_stalled_body_times_out_and_frees_the_connection() {
    let served = Served::start(&[("NEWSDESK_BODY_TIMEOUT_SECS", "1")]).await;
    let head: &[u8] = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\": \"edi";
    let answer = served
        .exchange(&[head], Duration::ZERO, Duration::from_secs(6))
        .await;
    assert_eq!(answer.status(), Some(408), "{answer:?}");
    assert!(answer.closed, "the connection stayed open: {answer:?}");
    assert!(answer.waited < Duration::from_secs(4), "{answer:?}");
}

#[actix_web::test]
async fn a_stalled_request_head_times_out() {
    let served = Served::start(&[("NEWSDESK_REQUEST_TIMEOUT_SECS", "1")]).await;
    let answer = served
        .exchange(
            &[b"GET /healthz HTTP/1.1\r\nHost: local"],
            Duration::ZERO,
            Duration::from_secs(4),
        )
        .await;
    assert_eq!(answer.status(), Some(408), "{answer:?}");
    assert!(answer.closed, "the connection stayed open: {answer:?}");
    assert!(answer.waited < Duration::from_secs(3), "{answer:?}");
}

#[actix_web::test]
async fn head_on_the_wire_sends_get_s_length_and_no_body() {
    let served = Served::start(&[]).await;
    let get = served
        .exchange(
            &[b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"],
            Duration::ZERO,
            Duration::from_secs(5),
        )
        .await;
    let head = served
        .exchange(
            &[b"HEAD /openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"],
            Duration::ZERO,
            Duration::from_secs(5),
        )
        .await;
    let length = |text: &str| {
        text.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
    };
    assert_eq!(get.status(), Some(200));
    assert_eq!(head.status(), Some(200), "{head:?}");
    assert!(length(&get.text).is_some_and(|l| l != "0"), "{get:?}");
    assert_eq!(length(&head.text), length(&get.text));
    assert!(
        head.text.ends_with("\r\n\r\n"),
        "HEAD sent a body: {head:?}"
    );
    assert!(head.closed);
}
