//! A real listener for the concurrency tests: the very `newsdesk::build` that `serve`
//! runs, in an `HttpServer` on 127.0.0.1:0, and an `awc` client that keeps many requests
//! in flight at once. Fixtures and setup requests go through the in-process [`TestApp`]
//! on the same database; only the racing requests need the socket.

use std::cell::Cell;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::Method;
use actix_web::web::Bytes;
use serde_json::Value;

use super::TestApp;

/// Database connections behind the listener: enough that 32 requests really meet in the
/// database instead of queueing for a connection.
pub const POOL_SIZE: u32 = 16;

/// How long a racing request may wait for a connection before the server answers 503.
const POOL_WAIT: Duration = Duration::from_secs(10);

pub struct Listener {
    /// The in-process app over the same database: tokens, fixtures, setup requests.
    pub app: TestApp,
    /// One base URL per API node; racing requests take them in turn.
    bases: Vec<String>,
    next: Cell<usize>,
    client: awc::Client,
    servers: Vec<ServerHandle>,
}

impl Listener {
    /// Starts the API on a fresh database as it is deployed: on PostgreSQL two stateless
    /// nodes (each its own pool, write queue and limiters, as separate processes have)
    /// behind one "load balancer" that alternates between them; on SQLite one node.
    /// `overrides` are read as environment variables.
    pub async fn start(overrides: &[(&str, &str)]) -> Self {
        let app = TestApp::with_env(overrides).await;
        let nodes = if app.is_postgres() { 2 } else { 1 };
        Self::with_nodes(app, nodes).await
    }

    /// One node only: for limits that each process counts for itself.
    pub async fn start_single(overrides: &[(&str, &str)]) -> Self {
        Self::with_nodes(TestApp::with_env(overrides).await, 1).await
    }

    /// One node serving `app`'s own state as it is, pool included: for tests that size
    /// the pool, the waits or the hashing themselves.
    pub async fn over(app: TestApp) -> Self {
        let (base, server) = serve(app.state.clone());
        Self::assemble(app, vec![base], vec![server])
    }

    async fn with_nodes(app: TestApp, nodes: usize) -> Self {
        let mut bases = Vec::new();
        let mut servers = Vec::new();
        for node in 0..nodes {
            // The first node shares the in-process app's state (its limiter and keys);
            // the others get their own, as another process would. Each has a bigger pool.
            let mut state = if node == 0 {
                app.state.clone()
            } else {
                newsdesk::AppState::new((*app.state.config).clone(), app.state.pool.clone())
                    .expect("node state")
            };
            let target = state.config.database.clone();
            state.pool =
                actix_web::web::block(move || newsdesk::db::pool(&target, POOL_SIZE, POOL_WAIT))
                    .await
                    .expect("blocking")
                    .expect("listener pool");
            let (base, server) = serve(state);
            bases.push(base);
            servers.push(server);
        }
        Self::assemble(app, bases, servers)
    }

    fn assemble(app: TestApp, bases: Vec<String>, servers: Vec<ServerHandle>) -> Self {
        // The server's error log (the cause behind a 500) shows with a failed test.
        super::access_log::start();
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish();
        Self {
            app,
            bases,
            next: Cell::new(0),
            client,
            servers,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.app.is_postgres()
    }

    pub fn backend(&self) -> &'static str {
        if self.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            listener: self,
            base: self.next_base().to_owned(),
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call(Method::PATCH, path)
    }

    /// Stops the servers and waits for their workers, so their connections are closed
    /// before the test database is dropped.
    pub async fn stop(self) {
        for server in &self.servers {
            server.stop(false).await;
        }
    }

    fn next_base(&self) -> &str {
        let node = self.next.get();
        self.next.set((node + 1) % self.bases.len());
        &self.bases[node]
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Sends the stop command at once (a failed test never reaches `stop`); the
        // returned future only waits for it.
        for server in &self.servers {
            drop(server.stop(false));
        }
    }
}

/// Serves `newsdesk::build(state)` on 127.0.0.1:0 with two workers; its base URL and handle.
fn serve(state: newsdesk::AppState) -> (String, ServerHandle) {
    let server = actix_web::HttpServer::new(move || newsdesk::build(state.clone()))
        .workers(2)
        .disable_signals()
        .shutdown_timeout(1)
        .bind(("127.0.0.1", 0))
        .expect("bind 127.0.0.1:0");
    let base = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (base, handle)
}

/// One request over the socket, built up front so that many can be started together.
pub struct Call<'a> {
    listener: &'a Listener,
    base: String,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

impl Call<'_> {
    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Sends the request. A transport failure is an answer too (status 0), so that one
    /// broken connection counts against its round instead of aborting the test.
    pub async fn send(self) -> Reply {
        let url = format!("{}{}", self.base, self.path);
        let mut request = self.listener.client.request(self.method, url);
        for (name, value) in &self.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        let sent = match &self.body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        };
        let mut response = match sent {
            Ok(response) => response,
            Err(e) => return Reply::transport(e),
        };
        let status = response.status().as_u16();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match response.body().limit(4 * 1024 * 1024).await {
            Ok(body) => Reply { status, etag, body },
            Err(e) => Reply::transport(e),
        }
    }
}

/// What came back over the socket.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status, or 0 when the exchange itself failed.
    pub status: u16,
    pub etag: Option<String>,
    pub body: Bytes,
}

impl Reply {
    fn transport(error: impl std::fmt::Display) -> Self {
        Self {
            status: 0,
            etag: None,
            body: Bytes::from(format!("transport error: {error}")),
        }
    }

    /// The body as JSON, or `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body after asserting `status`, for setup and read-back steps.
    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected status: {}", self.text());
        self.json()
    }
}
