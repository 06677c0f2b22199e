//! Draft previews: an editor (or a reporter, for what they wrote) makes a signed, expiring
//! link that shows one unpublished article to a front end without an account, never
//! from or into any cache, until its status changes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::response_cache::cached;
use crate::support::fixtures::{ArticleBuilder, ChannelBuilder};
use crate::support::wire::Article;
use crate::support::{TestApp, TestResponse};

/// A draft of two pages in a fresh channel.
async fn two_page_draft(app: &TestApp, title: &str) -> Article {
    let channel = ChannelBuilder::new(app, "萍乡", "pingxiang").create().await;
    ArticleBuilder::new(app)
        .in_channel(channel)
        .title(title)
        .pages(&["<p>第一页</p>", "<p>第二页</p>"])
        .create()
        .await
}

/// Asks for a preview of `article` as the holder of `token`.
async fn ask_preview(app: &TestApp, article: i64, token: &str) -> TestResponse {
    app.post(&format!("/api/v1/articles/{article}/preview"))
        .bearer(token)
        .send()
        .await
}

/// A preview link of `article` made by the editor: its answer's `path`.
async fn preview_path(app: &TestApp, article: i64) -> String {
    let made = ask_preview(app, article, &app.editor).await.ok(201);
    made["path"].as_str().unwrap().to_owned()
}

/// The token in a preview path.
fn token_of(path: &str) -> &str {
    path.split_once("preview=").unwrap().1
}

#[actix_web::test]
async fn an_editor_previews_a_draft_anonymously_page_by_page() {
    let app = TestApp::new().await;
    let draft = two_page_draft(&app, "还没发布的稿件").await;
    let asked = Utc::now();

    let res = ask_preview(&app, draft.id, &app.editor).await;
    let made = res.ok(201);
    let path = made["path"].as_str().unwrap();
    let token = made["token"].as_str().unwrap();
    assert_eq!(
        path,
        format!("/api/v1/articles/{}?preview={token}", draft.id)
    );
    assert_eq!(res.header("location"), Some(path));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "URL-safe: {token}"
    );
    let expires: DateTime<Utc> = made["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = (expires - asked).num_seconds();
    assert!((86_399..=86_401).contains(&lifetime), "{lifetime} s");

    let res = app.get(path).send().await;
    let first = res.ok(200);
    assert_eq!(first["title"], "还没发布的稿件");
    assert_eq!(first["status"], "draft");
    assert_eq!(first["body_html"], "<p>第一页</p>");
    assert_eq!(res.header("cache-control"), Some("private, no-store"));
    assert_eq!(res.header("x-robots-tag"), Some("noindex"));
    for header in ["surrogate-key", "xkey", "cache-tag", "x-newsdesk-cache"] {
        assert_eq!(res.header(header), None, "{header}");
    }

    let second = app.get(&format!("{path}&page=2")).send().await.ok(200);
    assert_eq!(second["page"], 2);
    assert_eq!(second["body_html"], "<p>第二页</p>");
    app.get(&format!("{path}&page=3")).send().await.problem(404);
    let by_slug = format!("/api/v1/articles/{}?preview={token}", draft.slug);
    assert_eq!(app.get(&by_slug).send().await.ok(200)["id"], draft.id);

    app.get(&format!("/api/v1/articles/{}", draft.id))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_preview_token_opens_only_the_article_it_was_made_for() {
    let app = TestApp::new().await;
    let first = two_page_draft(&app, "稿件甲").await;
    let second = ArticleBuilder::new(&app)
        .in_channel(first.channel_id)
        .title("稿件乙")
        .create()
        .await;
    let published = ArticleBuilder::new(&app)
        .in_channel(first.channel_id)
        .published()
        .create()
        .await;
    let path = preview_path(&app, first.id).await;
    let token = token_of(&path);
    app.get(&path).send().await.ok(200);

    let not_found = |res: TestResponse| {
        let problem = res.problem(404);
        assert_eq!(
            problem["detail"], "article not found",
            "like any hidden draft"
        );
    };
    for other in [second.id, published.id] {
        not_found(
            app.get(&format!("/api/v1/articles/{other}?preview={token}"))
                .send()
                .await,
        );
    }
    let (expires, signature) = token.split_once('.').unwrap();
    let later = expires.parse::<i64>().unwrap() + 86_400;
    let mut altered = signature.to_owned().into_bytes();
    altered[5] = if altered[5] == b'x' { b'y' } else { b'x' };
    let altered = String::from_utf8(altered).unwrap();
    for forged in [
        format!("{later}.{signature}"),
        format!("{expires}.{altered}"),
        String::new(),
        "not-a-token".to_owned(),
    ] {
        let forged = format!("/api/v1/articles/{}?preview={forged}", first.id);
        not_found(app.get(&forged).send().await);
        // A token decides alone: the editor's own rights do not rescue a bad one.
        not_found(app.get(&forged).bearer(&app.editor).send().await);
    }
}

#[actix_web::test]
async fn a_preview_link_stops_working_when_it_expires() {
    let app = TestApp::with_config(&[], |config| config.preview_ttl_secs = 1).await;
    let draft = two_page_draft(&app, "很快过期").await;
    let made = ask_preview(&app, draft.id, &app.editor).await.ok(201);
    let path = made["path"].as_str().unwrap();
    app.get(path).send().await.ok(200);

    let expires: DateTime<Utc> = made["expires_at"].as_str().unwrap().parse().unwrap();
    let left = (expires - Utc::now()).to_std().unwrap_or_default();
    assert!(left <= Duration::from_secs(2), "{left:?}");
    actix_web::rt::time::sleep(left + Duration::from_millis(50)).await;
    app.get(path).send().await.problem(404);
}

#[actix_web::test]
async fn changing_the_status_ends_a_preview_while_content_edits_keep_it() {
    let app = TestApp::new().await;
    let draft = two_page_draft(&app, "第一稿").await;
    let article = format!("/api/v1/articles/{}", draft.id);
    let path = preview_path(&app, draft.id).await;

    app.patch(&article)
        .bearer(&app.editor)
        .json(&json!({"title": "第二稿", "pages": ["<p>改过的正文</p>"]}))
        .send()
        .await
        .ok(200);
    let edited = app.get(&path).send().await.ok(200);
    assert_eq!(edited["title"], "第二稿", "the link shows the latest text");
    assert_eq!(edited["body_html"], "<p>改过的正文</p>");

    let status = |status: &'static str| {
        app.patch(&article)
            .bearer(&app.editor)
            .json(&json!({"status": status}))
            .send()
    };
    status("archived").await.ok(200);
    app.get(&path).send().await.problem(404);
    status("draft").await.ok(200);
    app.get(&path).send().await.problem(404); // back to draft does not bring it back
    let fresh = preview_path(&app, draft.id).await;
    app.get(&fresh).send().await.ok(200);

    status("published").await.ok(200);
    app.get(&fresh).send().await.problem(404);
    let public = app.get(&article).send().await.ok(200);
    assert_eq!(
        public["status"], "published",
        "readers use the plain address"
    );
}

#[actix_web::test]
async fn scheduled_articles_have_previews_published_and_archived_ones_do_not() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let scheduled = ArticleBuilder::new(&app)
        .in_channel(channel)
        .title("明天发布")
        .scheduled_for(Utc::now() + chrono::Duration::days(1))
        .create()
        .await;
    let path = preview_path(&app, scheduled.id).await;
    assert_eq!(app.get(&path).send().await.ok(200)["status"], "scheduled");
    app.get(&format!("/api/v1/articles/{}", scheduled.id))
        .send()
        .await
        .problem(404);

    for article in [
        ArticleBuilder::new(&app).in_channel(channel).published(),
        ArticleBuilder::new(&app).in_channel(channel).archived(),
    ] {
        let article = article.create().await;
        let problem = ask_preview(&app, article.id, &app.editor)
            .await
            .problem(409);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&article.status),
            "{problem}"
        );
    }
}

#[actix_web::test]
async fn reporters_preview_only_the_articles_they_wrote() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let own = ArticleBuilder::new(&app)
        .sent_by(&app.reporter)
        .in_channel(channel)
        .title("记者的草稿")
        .create()
        .await;
    let made = ask_preview(&app, own.id, &app.reporter).await.ok(201);
    let shown = app.get(made["path"].as_str().unwrap()).send().await.ok(200);
    assert_eq!(shown["title"], "记者的草稿");

    let colleague = app.create_user("colleague@example.com", "reporter").await;
    let colleague = app.token_for(colleague);
    let refused = ask_preview(&app, own.id, &colleague).await;
    refused.problem(404); // another's draft is not found, as on every other route
    let published = ArticleBuilder::new(&app)
        .in_channel(channel)
        .published()
        .create()
        .await;
    let problem = ask_preview(&app, published.id, &app.reporter)
        .await
        .problem(403);
    assert!(
        problem["detail"].as_str().unwrap().contains("wrote"),
        "{problem}"
    );

    app.post(&format!("/api/v1/articles/{}/preview", own.id))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn a_preview_is_never_served_from_or_kept_in_the_response_cache() {
    let app = TestApp::new().await;
    let draft = two_page_draft(&app, "不进缓存").await;
    // The cache is on (on PostgreSQL once its listener is connected): a public answer
    // comes from it.
    let public = ArticleBuilder::new(&app)
        .in_channel(draft.channel_id)
        .published()
        .create()
        .await;
    cached(&app, &format!("/api/v1/articles/{}", public.id)).await;

    let path = preview_path(&app, draft.id).await;
    let mut etag = String::new();
    for _ in 0..2 {
        let res = app.get(&path).send().await;
        assert_eq!(res.ok(200)["title"], "不进缓存");
        assert_eq!(res.header("x-newsdesk-cache"), None, "neither hit nor miss");
        assert_eq!(res.header("cache-control"), Some("private, no-store"));
        etag = res.header("etag").unwrap().to_owned();
    }
    let revalidated = app.get(&path).header("If-None-Match", &etag).send().await;
    assert_eq!(revalidated.status.as_u16(), 304);
    assert_eq!(
        revalidated.header("cache-control"),
        Some("private, no-store")
    );

    let plain = format!("/api/v1/articles/{}", draft.id);
    for path in [plain.clone(), format!("{plain}?page=2")] {
        app.get(&path).send().await.problem(404);
    }
}
