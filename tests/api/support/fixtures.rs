//! Named builders for what a test needs to exist before it acts. Each one goes through the
//! HTTP API as the editor (unless told otherwise), asserts the 201 and hands back an id or a
//! typed answer.

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::wire::{Article, JsonExt, TipLine};
use super::{TestApp, TestResponse};

/// What every builder holds: who sends the request and its JSON body so far.
struct Request<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
    body: Map<String, Value>,
}

impl<'a> Request<'a> {
    /// A request without a token whose body starts as `fields`, a JSON object.
    fn anonymous(app: &'a TestApp, fields: Value) -> Self {
        let Value::Object(body) = fields else {
            panic!("a request body is an object, not {fields}");
        };
        Self {
            app,
            token: None,
            body,
        }
    }

    /// The same from the editor.
    fn editor(app: &'a TestApp, fields: Value) -> Self {
        Self {
            token: Some(&app.editor),
            ..Self::anonymous(app, fields)
        }
    }

    fn set(mut self, field: &str, value: Value) -> Self {
        self.body.insert(field.into(), value);
        self
    }

    async fn send(self, path: &str) -> TestResponse {
        let mut req = self.app.post(path);
        if let Some(token) = self.token {
            req = req.bearer(token);
        }
        req.json(&Value::Object(self.body)).send().await
    }

    /// Sends the request, asserts the 201 and returns the created resource.
    async fn create(self, path: &str) -> Value {
        let res = self.send(path).await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "POST {path}: {}",
            res.text()
        );
        res.json()
    }
}

/// The id of the account `token` signs in as.
pub async fn user_id(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/auth/me")
        .bearer(token)
        .send()
        .await
        .ok(200)
        .id()
}

/// portal → (nanchang, pingxiang → (society, politics)): a portal, two city channels and,
/// under the second city, two columns, created in menu order.
pub struct Newsroom {
    pub portal: i64,
    pub nanchang: i64,
    pub pingxiang: i64,
    pub society: i64,
}

impl Newsroom {
    pub async fn build(app: &TestApp) -> Self {
        let portal = ChannelBuilder::new(app, "大江网", "portal").create().await;
        let nanchang = ChannelBuilder::new(app, "南昌", "nanchang")
            .parent(portal)
            .create()
            .await;
        let pingxiang = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
            .parent(portal)
            .create()
            .await;
        let society = ChannelBuilder::new(app, "社会聚焦", "society")
            .parent(pingxiang)
            .create()
            .await;
        ChannelBuilder::new(app, "时政要闻", "politics")
            .parent(pingxiang)
            .create()
            .await;
        Self {
            portal,
            nanchang,
            pingxiang,
            society,
        }
    }
}

/// `ChannelBuilder::new(&app, "萍乡频道", "pingxiang").parent(portal).create()`: a root
/// channel unless given a parent.
pub struct ChannelBuilder<'a>(Request<'a>);

impl<'a> ChannelBuilder<'a> {
    pub fn new(app: &'a TestApp, name: &str, slug: &str) -> Self {
        Self(Request::editor(app, json!({"name": name, "slug": slug})))
    }

    pub fn parent(self, parent_id: i64) -> Self {
        Self(self.0.set("parent_id", json!(parent_id)))
    }

    pub fn auto_approve_comments(self, auto_approve: bool) -> Self {
        Self(self.0.set("auto_approve_comments", json!(auto_approve)))
    }

    /// Creates the channel and returns its id.
    pub async fn create(self) -> i64 {
        self.0.create("/api/v1/channels").await.id()
    }
}

/// `AuthorBuilder::new(&app, "梁永明", "liang").create()`: a reporter (记者) with no account.
pub struct AuthorBuilder<'a>(Request<'a>);

impl<'a> AuthorBuilder<'a> {
    pub fn new(app: &'a TestApp, name: &str, slug: &str) -> Self {
        let fields = json!({"name": name, "slug": slug, "title": "记者"});
        Self(Request::editor(app, fields))
    }

    /// Creates the author and returns its id.
    pub async fn create(self) -> i64 {
        self.0.create("/api/v1/authors").await.id()
    }
}

/// `ArticleBuilder::new(&app).in_channel(c).published().create()`: by default a one-page
/// draft titled 测试文章 whose body is `<p>正文</p>`, written by the editor.
pub struct ArticleBuilder<'a>(Request<'a>);

impl<'a> ArticleBuilder<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let fields = json!({"title": "测试文章", "pages": ["<p>正文</p>"]});
        Self(Request::editor(app, fields))
    }

    fn set(self, field: &str, value: Value) -> Self {
        Self(self.0.set(field, value))
    }

    pub fn in_channel(self, channel_id: i64) -> Self {
        self.set("channel_id", json!(channel_id))
    }

    /// Writes as the holder of `token` instead of the editor.
    pub fn sent_by(mut self, token: &'a str) -> Self {
        self.0.token = Some(token);
        self
    }

    pub fn title(self, title: &str) -> Self {
        self.set("title", json!(title))
    }

    pub fn slug(self, slug: &str) -> Self {
        self.set("slug", json!(slug))
    }

    pub fn summary(self, summary: &str) -> Self {
        self.set("summary", json!(summary))
    }

    pub fn pages(self, pages: &[&str]) -> Self {
        self.set("pages", json!(pages))
    }

    pub fn tags(self, tags: &[&str]) -> Self {
        self.set("tags", json!(tags))
    }

    /// Credits `author_id` as the article's one author.
    pub fn written_by(self, author_id: i64) -> Self {
        self.set(
            "bylines",
            json!([{"author_id": author_id, "role": "author"}]),
        )
    }

    pub fn related(self, ids: &[i64]) -> Self {
        self.set("related_ids", json!(ids))
    }

    /// A library image as the cover.
    pub fn cover(self, media_id: i64) -> Self {
        self.set("cover_media_id", json!(media_id))
    }

    pub fn comments_closed(self) -> Self {
        self.set("comments_enabled", json!(false))
    }

    /// Published now, the server stamping `published_at`.
    pub fn published(self) -> Self {
        self.set("status", json!("published"))
    }

    /// Published with `published_at` that many hours ago.
    pub fn published_hours_ago(self, hours: i64) -> Self {
        self.published().set(
            "published_at",
            json!((Utc::now() - Duration::hours(hours)).to_rfc3339()),
        )
    }

    pub fn scheduled_for(self, at: DateTime<Utc>) -> Self {
        self.set("status", json!("scheduled"))
            .set("published_at", json!(at.to_rfc3339()))
    }

    pub fn archived(self) -> Self {
        self.set("status", json!("archived"))
    }

    pub async fn create(self) -> Article {
        self.0.create("/api/v1/articles").await.to()
    }
}

/// `TipLineBuilder::new(&app).in_channel(c).kind("qq").label("QQ爆料").value("1642308157")`:
/// an active line unless made `inactive()`.
pub struct TipLineBuilder<'a>(Request<'a>);

impl<'a> TipLineBuilder<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self(Request::editor(app, json!({"active": true})))
    }

    fn set(self, field: &str, value: Value) -> Self {
        Self(self.0.set(field, value))
    }

    pub fn in_channel(self, channel_id: i64) -> Self {
        self.set("channel_id", json!(channel_id))
    }

    pub fn kind(self, kind: &str) -> Self {
        self.set("kind", json!(kind))
    }

    pub fn label(self, label: &str) -> Self {
        self.set("label", json!(label))
    }

    pub fn value(self, value: &str) -> Self {
        self.set("value", json!(value))
    }

    pub fn position(self, position: i32) -> Self {
        self.set("position", json!(position))
    }

    pub fn inactive(self) -> Self {
        self.set("active", json!(false))
    }

    pub async fn create(self) -> TipLine {
        self.0.create("/api/v1/tip-lines").await.to()
    }
}

/// `CommentBuilder::on(&app, article).body("第一楼").reply_to(first).send()`: an anonymous
/// reader's comment, signed 萍乡网友. It is sent rather than created, because what the
/// server answers is what comment tests check.
pub struct CommentBuilder<'a> {
    article_id: i64,
    request: Request<'a>,
}

impl<'a> CommentBuilder<'a> {
    pub fn on(app: &'a TestApp, article_id: i64) -> Self {
        Self {
            article_id,
            request: Request::anonymous(app, json!({"author_name": "萍乡网友"})),
        }
    }

    pub fn body(mut self, text: &str) -> Self {
        self.request = self.request.set("body", json!(text));
        self
    }

    pub fn reply_to(mut self, parent_id: i64) -> Self {
        self.request = self.request.set("parent_id", json!(parent_id));
        self
    }

    pub async fn send(self) -> TestResponse {
        let path = format!("/api/v1/articles/{}/comments", self.article_id);
        self.request.send(&path).await
    }
}
