//! Public answers come from memory and are never stale: every write drops exactly the
//! answers it changed, drafts never enter, scheduled articles appear on time, and on
//! PostgreSQL another process drops them too.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{
    ArticleBuilder, AuthorBuilder, ChannelBuilder, CommentBuilder, TipLineBuilder,
};
use crate::support::wire::JsonExt;

/// Reads `path` anonymously until the answer comes from the cache (on PostgreSQL the
/// cache switches on once its listener is connected), and returns that answer.
pub(crate) async fn cached(app: &TestApp, path: &str) -> Value {
    let started = Instant::now();
    loop {
        let res = app.get(path).send().await;
        if res.header("x-newsdesk-cache") == Some("hit") {
            return res.ok(200);
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} never came from the cache: {:?}",
            res.header("x-newsdesk-cache")
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The anonymous answer at `path` now, and whether it came from the cache.
async fn read(app: &TestApp, path: &str) -> (Value, bool) {
    let res = app.get(path).send().await;
    let hit = res.header("x-newsdesk-cache") == Some("hit");
    (res.ok(200), hit)
}

fn titles(list: &Value) -> Vec<&str> {
    list.strs("title")
}

#[actix_web::test]
async fn a_cached_answer_costs_no_database_work_and_answers_304_from_memory() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .published()
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    cached(&app, &path).await;
    let etag = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    // With every pooled connection taken, only the cache can answer.
    let pool = app.state.pool.clone();
    let held: Vec<_> = actix_web::web::block(move || {
        (0..pool.max_size())
            .map(|_| pool.get().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let res = app.get(&path).header("If-None-Match", &etag).send().await;
    assert_eq!(res.status.as_u16(), 304);
    assert_eq!(res.header("etag"), Some(etag.as_str()));
    assert_eq!(res.header("x-newsdesk-cache"), Some("hit"));
    assert_eq!(app.get(&path).send().await.ok(200)["id"], article.id);
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(held);
}

#[actix_web::test]
async fn public_answers_name_their_surrogate_keys_for_a_cdn() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let author = AuthorBuilder::new(&app, "梁记者", "liang").create().await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .written_by(author)
        .published()
        .create()
        .await;
    let res = app
        .get(&format!("/api/v1/articles/{}", article.id))
        .send()
        .await;
    let expected = format!("article-{} channel-{channel} author-{author}", article.id);
    assert_eq!(res.header("surrogate-key"), Some(expected.as_str()));
    assert_eq!(res.header("xkey"), Some(expected.as_str()));
    assert_eq!(
        res.header("cache-tag"),
        Some(expected.replace(' ', ",").as_str())
    );
    let cache_control = res.header("cache-control").unwrap();
    for directive in [
        "public",
        "s-maxage=300",
        "stale-while-revalidate=30",
        "stale-if-error=86400",
    ] {
        assert!(cache_control.contains(directive), "{cache_control}");
    }

    let list = app
        .get(&format!("/api/v1/articles?channel={channel}"))
        .send()
        .await;
    let keys = list.header("surrogate-key").unwrap();
    for key in [
        format!("channel-{channel}-articles"),
        format!("article-{}", article.id),
    ] {
        assert!(
            keys.split(' ').any(|k| k == key),
            "{key} missing from {keys}"
        );
    }

    // Problems are for the one request: no cache may keep them.
    let missing = app.get("/api/v1/articles/999999").send().await;
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    assert_eq!(missing.header("surrogate-key"), None);
}

#[actix_web::test]
async fn an_article_edit_is_seen_at_once_on_its_page_in_lists_and_in_related() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let other = ArticleBuilder::new(&app)
        .in_channel(channel)
        .title("旧闻")
        .published_hours_ago(2)
        .create()
        .await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .title("原标题")
        .published_hours_ago(1)
        .create()
        .await;
    let page = format!("/api/v1/articles/{}", article.id);
    let front = "/api/v1/articles?per_page=5".to_owned();
    let in_channel = "/api/v1/articles?channel=pingxiang".to_owned();
    let related = format!("/api/v1/articles/{}/related", other.id);
    for path in [&page, &front, &in_channel, &related] {
        cached(&app, path).await;
    }

    app.patch(&page)
        .bearer(&app.editor)
        .json(&json!({"title": "新标题"}))
        .send()
        .await
        .ok(200);
    assert_eq!(read(&app, &page).await.0["title"], "新标题");
    for path in [&front, &in_channel, &related] {
        let (list, _) = read(&app, path).await;
        assert!(titles(&list).contains(&"新标题"), "{path}: {list}");
        assert!(!titles(&list).contains(&"原标题"), "{path}: {list}");
    }

    app.patch(&page)
        .bearer(&app.editor)
        .json(&json!({"status": "archived"}))
        .send()
        .await
        .ok(200);
    app.get(&page).send().await.problem(404);
    for path in [&front, &in_channel, &related] {
        assert!(
            !titles(&read(&app, path).await.0).contains(&"新标题"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_write_keeps_the_answers_it_did_not_change() {
    let app = TestApp::new().await;
    let pingxiang = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    ChannelBuilder::new(&app, "九江", "jiujiang").create().await;
    ArticleBuilder::new(&app)
        .in_channel(pingxiang)
        .published()
        .create()
        .await;
    let jiujiang_list = "/api/v1/articles?channel=jiujiang";
    let front = "/api/v1/articles";
    cached(&app, jiujiang_list).await;
    cached(&app, front).await;

    // A draft is nobody's business but the newsroom's.
    ArticleBuilder::new(&app)
        .in_channel(pingxiang)
        .title("草稿")
        .create()
        .await;
    assert!(read(&app, front).await.1, "a draft purged the front page");

    // A story in 萍乡 changes the front page, not 九江's list.
    ArticleBuilder::new(&app)
        .in_channel(pingxiang)
        .title("萍乡新闻")
        .published()
        .create()
        .await;
    let (list, hit) = read(&app, jiujiang_list).await;
    assert!(hit, "九江's list was purged by a write in 萍乡");
    assert_eq!(list["meta"]["total"], 0);
    let (list, hit) = read(&app, front).await;
    assert!(!hit);
    assert!(titles(&list).contains(&"萍乡新闻"));
}

#[actix_web::test]
async fn drafts_never_enter_the_public_cache() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let draft = ArticleBuilder::new(&app)
        .in_channel(channel)
        .title("草稿")
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", draft.id);
    for _ in 0..2 {
        let signed_in = app.get(&path).bearer(&app.editor).send().await;
        assert_eq!(signed_in.ok(200)["title"], "草稿");
        assert_eq!(signed_in.header("x-newsdesk-cache"), None);
        assert_eq!(signed_in.header("cache-control"), Some("private, no-cache"));
        let list = app
            .get("/api/v1/articles?status=draft")
            .bearer(&app.editor)
            .send()
            .await;
        assert_eq!(list.ok(200).ids(), [draft.id]);
    }
    app.get(&path).send().await.problem(404);
    assert!(cached(&app, "/api/v1/articles").await.ids().is_empty());
}

#[actix_web::test]
async fn a_scheduled_article_appears_on_time_through_the_cache() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let at = Utc::now() + chrono::Duration::seconds(3);
    let scheduled = ArticleBuilder::new(&app)
        .in_channel(channel)
        .title("定时发布")
        .scheduled_for(at)
        .create()
        .await;
    let list = "/api/v1/articles";
    assert!(cached(&app, list).await.ids().is_empty());
    // A CDN may not keep it past that moment either.
    let cache_control = app
        .get(list)
        .send()
        .await
        .header("cache-control")
        .unwrap()
        .to_owned();
    let s_maxage: i64 = cache_control
        .split(", ")
        .find_map(|d| d.strip_prefix("s-maxage="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(s_maxage <= 3, "{cache_control}");

    let wait = (at - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
    actix_web::rt::time::sleep(wait).await;
    assert_eq!(read(&app, list).await.0.ids(), [scheduled.id]);
    app.get(&format!("/api/v1/articles/{}", scheduled.id))
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn channel_author_tip_line_and_comment_writes_are_seen_at_once() {
    let app = TestApp::new().await;
    let root = ChannelBuilder::new(&app, "大江网", "portal").create().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .parent(root)
        .auto_approve_comments(false)
        .create()
        .await;
    let author = AuthorBuilder::new(&app, "梁记者", "liang").create().await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .written_by(author)
        .published()
        .create()
        .await;
    let line = TipLineBuilder::new(&app)
        .in_channel(channel)
        .kind("qq")
        .label("QQ爆料")
        .value("1642308157")
        .create()
        .await;
    let page = format!("/api/v1/articles/{}", article.id);
    let comments = format!("{page}/comments");
    let channel_page = "/api/v1/channels/pingxiang".to_owned();
    let tree = "/api/v1/channels?tree=true".to_owned();
    let authors = "/api/v1/authors".to_owned();
    let tip_lines = format!("/api/v1/tip-lines?channel={channel}");
    for path in [&page, &comments, &channel_page, &tree, &authors, &tip_lines] {
        cached(&app, path).await;
    }

    // The parent's new name shows in the tree and in the article's breadcrumbs.
    app.patch(&format!("/api/v1/channels/{root}"))
        .bearer(&app.editor)
        .json(&json!({"name": "大江网首页"}))
        .send()
        .await
        .ok(200);
    assert_eq!(read(&app, &tree).await.0["data"][0]["name"], "大江网首页");
    assert_eq!(
        read(&app, &page).await.0["breadcrumbs"][0]["name"],
        "大江网首页"
    );
    assert_eq!(
        read(&app, &channel_page).await.0["breadcrumbs"][0]["name"],
        "大江网首页"
    );

    app.patch(&format!("/api/v1/authors/{author}"))
        .bearer(&app.editor)
        .json(&json!({"name": "梁永明"}))
        .send()
        .await
        .ok(200);
    assert_eq!(read(&app, &page).await.0["bylines"][0]["name"], "梁永明");
    assert_eq!(read(&app, &authors).await.0["data"][0]["name"], "梁永明");

    app.patch(&format!("/api/v1/tip-lines/{}", line.id))
        .bearer(&app.editor)
        .json(&json!({"active": false}))
        .send()
        .await
        .ok(200);
    assert!(
        read(&app, &channel_page).await.0["tip_lines"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        read(&app, &tip_lines).await.0["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A comment waiting for moderation changes nothing a reader sees; its approval does.
    let comment = CommentBuilder::on(&app, article.id)
        .body("第一楼")
        .send()
        .await
        .ok(201)
        .id();
    assert!(
        read(&app, &comments).await.1,
        "a pending comment purged the comments"
    );
    app.patch(&format!("/api/v1/comments/{comment}"))
        .bearer(&app.editor)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .ok(200);
    assert_eq!(read(&app, &comments).await.0.ids(), [comment]);
    assert_eq!(read(&app, &page).await.0["comment_count"], 1);
}

/// Two `newsdesk serve` processes on one PostgreSQL database, as two nodes behind a load
/// balancer: a write on one is never served stale by the other once a second has passed.
#[test]
fn another_node_drops_what_a_write_changed_within_a_second() {
    let Some(url) = crate::support::db::postgres_url_for_postgres_only_test() else {
        return;
    };
    let db = crate::support::db::TestDb::postgres(url);
    let system = actix_web::rt::System::new();
    let app = system.block_on(TestApp::on(db, &[]));
    let channel = system.block_on(ChannelBuilder::new(&app, "萍乡", "pingxiang").create());
    let article = system.block_on(
        ArticleBuilder::new(&app)
            .in_channel(channel)
            .title("第一版")
            .published()
            .create(),
    );
    let (mut a, port_a) = nodes::serve(&app.database_url());
    let (mut b, port_b) = nodes::serve(&app.database_url());
    let path = format!("/api/v1/articles/{}", article.id);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        nodes::wait_until_cached(port_b, &path);
        for version in 2..=4 {
            let title = format!("第{version}版");
            let written = Instant::now();
            let status = nodes::patch(port_a, &path, &app.editor, &json!({"title": title}));
            assert_eq!(status, 200);
            // Within the bound the other node catches up, and from then on never serves
            // the old title again.
            let seen = loop {
                let (body, _) = nodes::get(port_b, &path);
                if body["title"] == title.as_str() {
                    break written.elapsed();
                }
                assert!(
                    written.elapsed() < Duration::from_secs(1),
                    "node B still served {} a second after the write",
                    body["title"]
                );
                std::thread::sleep(Duration::from_millis(10));
            };
            eprintln!("node B served the new title {seen:?} after the write on node A");
            for _ in 0..20 {
                assert_eq!(nodes::get(port_b, &path).0["title"], title.as_str());
            }
            nodes::wait_until_cached(port_b, &path);
        }
    }));
    for child in [&mut a, &mut b] {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Real `newsdesk serve` processes and a minimal HTTP/1.1 client for them.
mod nodes {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::Value;

    pub fn serve(database_url: &str) -> (Child, u16) {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("DATABASE_URL", database_url)
            .env("NEWSDESK_JWT_SECRET", crate::support::SECRET)
            .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while request(port, "GET", "/readyz", None, None).is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "node did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        (child, port)
    }

    /// Status, headers and body of one request on a fresh connection.
    fn request(
        port: u16,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Option<(u16, String, Value)> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let (head, body) = response.split_once("\r\n\r\n")?;
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some((
            status,
            head.to_owned(),
            serde_json::from_str(body).unwrap_or(Value::Null),
        ))
    }

    pub fn get(port: u16, path: &str) -> (Value, bool) {
        let (status, head, body) = request(port, "GET", path, None, None).expect("GET answered");
        assert_eq!(status, 200, "{head}");
        (
            body,
            head.to_ascii_lowercase().contains("x-newsdesk-cache: hit"),
        )
    }

    pub fn patch(port: u16, path: &str, token: &str, body: &Value) -> u16 {
        request(port, "PATCH", path, Some(token), Some(body))
            .expect("PATCH answered")
            .0
    }

    pub fn wait_until_cached(port: u16, path: &str) {
        let started = Instant::now();
        while !get(port, path).1 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{path} never cached"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
