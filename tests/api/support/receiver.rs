//! A webhook receiver on a real socket (127.0.0.1:0), a few lines of std: it records
//! every request it gets and answers 500 to the first `failures` of them, 200 after.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    failures: Arc<AtomicUsize>,
    delay: Arc<Mutex<Duration>>,
}

impl Receiver {
    /// Answers 500 to the first `failures` requests, then 200.
    pub fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let got = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(failures));
        let delay = Arc::new(Mutex::new(Duration::ZERO));
        let (g, f, d) = (got.clone(), failures.clone(), delay.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                let pause = *d.lock().unwrap();
                std::thread::sleep(pause);
                g.lock().unwrap().push(request);
                let failing = f
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let status = if failing {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Self {
            url,
            got,
            failures,
            delay,
        }
    }

    /// From now on, fail the next `n` requests.
    pub fn fail_next(&self, n: usize) {
        self.failures.store(n, Ordering::SeqCst);
    }

    /// Waits this long before answering each request.
    pub fn answer_after(&self, pause: Duration) {
        *self.delay.lock().unwrap() = pause;
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most `limit`) until `n` requests have come; all received by then.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        while self.received().len() < n && start.elapsed() < limit {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        self.received()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received { headers, body })
}
