//! What a hostile or unlucky world sends: NUL bytes, URLs that are not what they seem,
//! inputs sized to exhaust memory, and the headers and methods every answer must handle.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, AuthorBuilder, ChannelBuilder, TipLineBuilder};

/// The fields named in a problem's `errors`, whatever its status.
fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_nul_byte_in_a_query_or_path_is_400_on_every_backend() {
    let app = TestApp::new().await;
    let search = app.get("/api/v1/articles?q=%00").send().await;
    assert_eq!(fields(&search.problem(400)), ["q"]);
    let named = app.get("/api/v1/articles?q=a%00b&page=1").send().await;
    assert_eq!(fields(&named.problem(400)), ["q"]);
    app.get("/api/v1/channels/a%00b").send().await.problem(400);
    app.get("/api/v1/articles/x%00/related")
        .send()
        .await
        .problem(400);
    app.patch("/api/v1/authors/a%00")
        .bearer(&app.editor)
        .json(&json!({"name": "梁永明"}))
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn a_nul_byte_in_a_json_body_is_422_naming_the_field() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;

    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "萍\u{0}乡", "slug": "px"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["name"]);

    let article = ArticleBuilder::new(&app).in_channel(channel).create().await;
    let res = app
        .patch(&format!("/api/v1/articles/{}", article.id))
        .bearer(&app.editor)
        .json(&json!({"source": {"name": "萍乡日报\u{0}"}, "pages": ["<p>a</p>", "<p>\u{0}</p>"]}))
        .send()
        .await;
    let mut named = res.invalid_fields();
    named.sort();
    assert_eq!(named, ["pages[1]", "source.name"]);

    let res = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": "\u{0}爆料"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["content"]);

    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "editor@example.com\u{0}", "password": "x"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["email"]);

    // An escaped backslash followed by "u0000" is six ordinary characters.
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body(
            "application/json",
            r#"{"name": "a\\u0000b", "slug": "escaped"}"#,
        )
        .send()
        .await;
    assert_eq!(res.ok(201)["name"], "a\\u0000b");
}

#[actix_web::test]
async fn stored_urls_must_be_plain_absolute_http_urls() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let hostile = [
        "javascript:alert(1)",
        "https://example.com/\u{202E}gpj.exe",
        "https://example.com/a\u{200F}",
        "https://exa\u{2066}mple.com/",
        "https://example.com/\u{7}",
        "https://example.com/a b",
        "https:///no-host",
        "http://",
        "https:/example.com",
        "ftp://example.com/a.jpg",
        "//example.com/a.jpg",
        "https://trusted.example@evil.example/",
    ];
    for url in hostile {
        let res = app
            .post("/api/v1/articles")
            .bearer(&app.editor)
            .json(&json!({
                "title": "测试", "channel_id": channel, "pages": ["<p>正文</p>"],
                "cover_image_url": url, "source": {"name": "萍乡日报", "url": url},
            }))
            .send()
            .await;
        assert_eq!(
            res.invalid_fields(),
            ["cover_image_url", "source.url"],
            "{url:?}"
        );
        let res = app
            .post("/api/v1/authors")
            .bearer(&app.editor)
            .json(&json!({"name": "梁永明", "slug": "liang", "avatar_url": url}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["avatar_url"], "{url:?}");
        let res = app
            .post("/api/v1/tip-lines")
            .bearer(&app.editor)
            .json(&json!({"channel_id": channel, "kind": "web", "label": "网上爆料", "value": url}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["value"], "{url:?}");
    }
    let fine = "https://epaper.example.com/2022-07-20/01?page=2#top";
    let author = app
        .post("/api/v1/authors")
        .bearer(&app.editor)
        .json(&json!({"name": "梁永明", "slug": "liang", "avatar_url": fine}))
        .send()
        .await
        .ok(201);
    assert_eq!(author["avatar_url"], fine);
}

#[actix_web::test]
async fn a_wechat_tip_line_is_an_account_name_or_a_phone_number() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    for value in [
        "javascript:alert(1)",
        "http://evil.example",
        "weixin://dl/chat",
        "abc",
        "a_very_long_wechat_id_2022",
        "萍乡日报",
        "px\u{202E}news",
    ] {
        let res = app
            .post("/api/v1/tip-lines")
            .bearer(&app.editor)
            .json(&json!({"channel_id": channel, "kind": "wechat", "label": "微信爆料", "value": value}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["value"], "{value:?}");
    }
    for value in ["pxnews_2022", "px-news", "139 0000 0000"] {
        let line = TipLineBuilder::new(&app)
            .in_channel(channel)
            .kind("wechat")
            .label("微信爆料")
            .value(value)
            .create()
            .await;
        assert_eq!(line.value, value);
    }
}

#[actix_web::test]
async fn login_refuses_oversized_credentials_before_counting_them() {
    let app = TestApp::with_env(&[("NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    let huge_email = format!("{}@example.com", "a".repeat(300));
    let huge_password = "p".repeat(1025);
    for _ in 0..5 {
        let res = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": huge_email, "password": "wrong password"}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["email"]);
        let res = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": "editor@example.com", "password": huge_password}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["password"]);
    }
    // None of those reached the limiter: this client and this account may still sign in.
    app.post("/api/v1/auth/login")
        .json(&json!({"email": "editor@example.com", "password": crate::support::PASSWORD}))
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn every_answer_says_nosniff() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let ok = app.get(&format!("/api/v1/channels/{channel}")).send().await;
    let etag = ok.header("etag").unwrap().to_owned();
    let answers = [
        ok,
        app.get(&format!("/api/v1/channels/{channel}"))
            .header("If-None-Match", &etag)
            .send()
            .await,
        app.get("/api/v1/no-such-thing").send().await,
        app.request(Method::PUT, "/api/v1/channels").send().await,
        app.get("/api/v1/channels/a%00b").send().await,
        app.post("/api/v1/channels").send().await,
        app.get("/openapi.json").send().await,
        app.get("/docs").send().await,
        app.get("/docs/").send().await,
        app.get("/healthz").send().await,
    ];
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 304, 404, 405, 400, 401, 200, 308, 200, 200]);
    for res in &answers {
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{} {:?}",
            res.status,
            res.headers
        );
    }
}

#[actix_web::test]
async fn head_answers_wherever_get_does_without_a_body() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let author = AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    ArticleBuilder::new(&app)
        .in_channel(channel)
        .published()
        .create()
        .await;
    for path in [
        "/healthz".to_owned(),
        "/readyz".to_owned(),
        "/openapi.json".to_owned(),
        "/docs/".to_owned(),
        "/api/v1/articles".to_owned(),
        "/api/v1/channels?tree=true".to_owned(),
        format!("/api/v1/channels/{channel}"),
        format!("/api/v1/authors/{author}"),
        "/api/v1/tip-lines".to_owned(),
    ] {
        let get = app.get(&path).send().await;
        let head = app.request(Method::HEAD, &path).send().await;
        assert_eq!(head.status, get.status, "HEAD {path}: {}", head.text());
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        for name in ["etag", "content-type", "link", "cache-control"] {
            assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
        }
    }
    let me = app
        .request(Method::HEAD, "/api/v1/auth/me")
        .bearer(&app.editor)
        .send()
        .await;
    assert_eq!(me.status, 200);
    let etag = me.header("etag").unwrap().to_owned();
    let not_modified = app
        .request(Method::HEAD, "/api/v1/auth/me")
        .bearer(&app.editor)
        .header("If-None-Match", &etag)
        .send()
        .await;
    assert_eq!(not_modified.status, 304);
    let anonymous = app.request(Method::HEAD, "/api/v1/auth/me").send().await;
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.is_empty());
    assert_eq!(
        app.request(Method::HEAD, "/api/v1/no-such-thing")
            .send()
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn allow_lists_head_where_get_exists() {
    let app = TestApp::new().await;
    let res = app.request(Method::PUT, "/api/v1/articles/5").send().await;
    res.problem(405);
    assert_eq!(res.header("allow"), Some("DELETE, GET, HEAD, PATCH"));
    let res = app.request(Method::HEAD, "/api/v1/auth/login").send().await;
    assert_eq!(res.status, 405);
    assert!(res.body.is_empty());
    assert_eq!(res.header("allow"), Some("POST"));
    let res = app.request(Method::PUT, "/api/v1/tips").send().await;
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST"));
}

#[actix_web::test]
async fn the_access_log_keeps_query_strings_and_client_addresses_out() {
    crate::support::access_log::start();
    let app = TestApp::new().await;
    let marker = newsdesk::domain::token::random_hex(8);
    app.get(&format!(
        "/api/v1/channels/{marker}?q=secret-search&access_token=tok-en"
    ))
    .peer("203.0.113.77:4711")
    .send()
    .await
    .problem(404);
    let line = crate::support::access_log::line_containing(&marker);
    assert!(
        line.starts_with(&format!("GET /api/v1/channels/{marker} 404 ")),
        "{line}"
    );
    assert!(!line.contains("secret-search"), "{line}");
    assert!(!line.contains("tok-en"), "{line}");
    assert!(!line.contains("203.0.113.77"), "{line}");

    let app = TestApp::with_env(&[("NEWSDESK_LOG_CLIENT_ADDRESS", "true")]).await;
    let marker = newsdesk::domain::token::random_hex(8);
    app.request(Method::HEAD, &format!("/api/v1/channels/{marker}?q=1"))
        .peer("203.0.113.78:4711")
        .send()
        .await;
    let line = crate::support::access_log::line_containing(&marker);
    assert!(
        line.starts_with(&format!("203.0.113.78 HEAD /api/v1/channels/{marker} 404 ")),
        "{line}"
    );
}

/// JSON Schema counts a number with a zero fraction as an integer, and generated
/// clients (and JavaScript) may send one: `3.0` is read as `3`, `3.5` is still a 422.
#[actix_web::test]
async fn integral_numbers_written_as_floats_are_integers() {
    let app = TestApp::new().await;
    let portal = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "大江网", "slug": "portal"}))
        .send()
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let body = format!(
        r#"{{"name": "萍乡频道", "slug": "pingxiang", "parent_id": {portal}.0, "position": 3e0, "description": "2.0 版"}}"#
    );
    let city = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body("application/json", body)
        .send()
        .await
        .ok(201);
    assert_eq!(city["parent_id"], portal);
    assert_eq!(city["position"], 3);
    assert_eq!(
        city["description"], "2.0 版",
        "strings are left as they are"
    );
    let fraction = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body(
            "application/json",
            r#"{"name": "社会", "slug": "society", "position": 3.5}"#,
        )
        .send()
        .await;
    assert_eq!(fraction.invalid_fields(), ["position"]);
}
