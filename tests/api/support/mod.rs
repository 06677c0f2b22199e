//! The test application: the very `newsdesk::build` that `serve` uses, in-process, on a
//! fresh database, with tokens for an admin, an editor and a reporter.

pub mod access_log;
pub mod db;
pub mod fixtures;
pub mod forwarder;
pub mod listener;
pub mod receiver;
pub mod wire;

use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test;
use actix_web::web::Bytes;
type LocalBoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;
use newsdesk::config::{Config, PasswordCost};
use newsdesk::db::AnyConnection;
use serde_json::Value;

pub use db::TestDb;

pub const SECRET: &str = "test-secret-test-secret-test-secret!";
pub const PASSWORD: &str = "correct horse battery";

type Caller = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<TestResponse>>;

pub struct TestApp {
    call: Caller,
    pub state: newsdesk::AppState,
    pub admin: String,
    pub editor: String,
    pub reporter: String,
    _db: TestDb,
}

/// Configuration for a test database: cheap password hashing, everything else default.
pub fn test_config(db: &TestDb, overrides: &[(&str, &str)]) -> Config {
    let url = db.url();
    let media_store = db.media_store();
    let mut config = Config::from_lookup(|name| {
        overrides
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
            .or_else(|| match name {
                "DATABASE_URL" => Some(url.clone()),
                "NEWSDESK_JWT_SECRET" => Some(SECRET.into()),
                // Tests share one client address; limits are tested with their own setting.
                "NEWSDESK_PUBLIC_WRITES_PER_MINUTE" => Some("1000".into()),
                "NEWSDESK_MEDIA_STORE" => media_store.clone(),
                // The S3 test server's keys (tests/media/run.sh), when it runs.
                "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" if media_store.is_some() => {
                    std::env::var(name).ok()
                }
                _ => None,
            })
    })
    .expect("test config");
    config.db_pool_size = 4;
    // Generous: a loaded CI machine can take a while to open a SQLite file in WAL mode.
    config.db_wait = std::time::Duration::from_secs(5);
    config.password_cost = PasswordCost {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    config
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_env(&[]).await
    }

    /// A test app whose configuration reads `overrides` as environment variables.
    pub async fn with_env(overrides: &[(&str, &str)]) -> Self {
        Self::on(TestDb::new(), overrides).await
    }

    /// A test app on `db`; `overrides` are read as environment variables.
    pub async fn on(db: TestDb, overrides: &[(&str, &str)]) -> Self {
        Self::on_with_config(db, overrides, |_| {}).await
    }

    /// Like [`with_env`](Self::with_env), then `tweak` changes what no variable sets
    /// (pool size, waiting time, hashing cost).
    pub async fn with_config(overrides: &[(&str, &str)], tweak: impl FnOnce(&mut Config)) -> Self {
        Self::on_with_config(TestDb::new(), overrides, tweak).await
    }

    async fn on_with_config(
        db: TestDb,
        overrides: &[(&str, &str)],
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = test_config(&db, overrides);
        tweak(&mut config);
        let state = actix_web::web::block(move || newsdesk::state::prepare(config))
            .await
            .expect("blocking")
            .expect("prepare the test database");
        let service = Rc::new(test::init_service(newsdesk::build(state.clone())).await);
        let call: Caller = Rc::new(move |req| {
            let service = service.clone();
            Box::pin(async move {
                TestResponse::read(service.call(req).await.expect("service call")).await
            })
        });
        let mut app = Self {
            call,
            state,
            admin: String::new(),
            editor: String::new(),
            reporter: String::new(),
            _db: db,
        };
        app.admin = app.token_for(app.create_user("admin@example.com", "admin").await);
        app.editor = app.token_for(app.create_user("editor@example.com", "editor").await);
        app.reporter = app.token_for(app.create_user("reporter@example.com", "reporter").await);
        app
    }

    pub fn is_postgres(&self) -> bool {
        self._db.is_postgres()
    }

    /// The `DATABASE_URL` the app runs on.
    pub fn database_url(&self) -> String {
        self._db.url()
    }

    /// Creates an account straight through the service and returns its id.
    pub async fn create_user(&self, email: &str, role: &str) -> i64 {
        let state = self.state.clone();
        let (email, role) = (email.to_owned(), role.to_owned());
        self.with_db(move |conn| {
            let new = newsdesk::users::service::NewUser {
                email,
                display_name: "Test User".into(),
                password: PASSWORD.into(),
                role,
            };
            newsdesk::users::service::create_now(conn, &state.auth.passwords, new).map(|u| u.id)
        })
        .await
    }

    pub fn token_for(&self, user_id: i64) -> String {
        self.state.auth.jwt.issue(user_id).expect("issue token")
    }

    pub async fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, newsdesk::error::ApiError> + Send + 'static,
    ) -> T {
        self.state.db(f).await.expect("database call")
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        RequestBuilder {
            app: self,
            inner: test::TestRequest::default()
                .method(method)
                .uri(&percent_encode_non_ascii(path)),
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }
}

/// Lets tests write `?q=萍乡` as a browser would send it.
fn percent_encode_non_ascii(path: &str) -> String {
    path.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        out
    })
}

pub struct RequestBuilder<'a> {
    app: &'a TestApp,
    inner: test::TestRequest,
}

impl RequestBuilder<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.inner = self
            .inner
            .insert_header(("Authorization", format!("Bearer {token}")));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self.inner.insert_header((name, value));
        self
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.inner = self.inner.set_json(body);
        self
    }

    pub fn raw_body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.inner = self
            .inner
            .insert_header(("Content-Type", content_type))
            .set_payload(body.into());
        self
    }

    pub fn peer(mut self, addr: &str) -> Self {
        self.inner = self.inner.peer_addr(addr.parse().expect("socket address"));
        self
    }

    pub async fn send(self) -> TestResponse {
        (self.app.call)(self.inner.to_request()).await
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    async fn read<B: MessageBody>(res: ServiceResponse<B>) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with `status` and returns its body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["type"].is_string()
        );
        body
    }

    /// The fields named in a 422 problem's `errors`.
    #[track_caller]
    pub fn invalid_fields(&self) -> Vec<String> {
        let body = self.problem(422);
        body["errors"]
            .as_array()
            .expect("errors array")
            .iter()
            .map(|e| e["field"].as_str().expect("field").to_owned())
            .collect()
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}
