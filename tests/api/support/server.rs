//! A real listener on 127.0.0.1:0 over a test app's state, for tests that need clients
//! in parallel rather than one request at a time.

use actix_web::dev::ServerHandle;

pub struct Server {
    base: String,
    handle: ServerHandle,
}

impl Server {
    /// Serves `newsdesk::build(state)` with two workers, as `serve` would.
    pub fn start(state: newsdesk::AppState) -> Self {
        let server = actix_web::HttpServer::new(move || newsdesk::build(state.clone()))
            .workers(2)
            .bind(("127.0.0.1", 0))
            .expect("bind a free port");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that waits as long as a loaded machine may need.
    pub fn client(&self) -> awc::Client {
        awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .finish()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
