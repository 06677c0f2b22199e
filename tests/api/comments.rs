use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, ChannelBuilder, CommentBuilder};
use crate::support::wire::{Article, JsonExt};

/// A channel that approves comments itself or not, with one published article in it.
async fn setup(app: &TestApp, auto_approve: bool) -> (i64, Article) {
    let channel = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .auto_approve_comments(auto_approve)
        .create()
        .await;
    let article = ArticleBuilder::new(app)
        .in_channel(channel)
        .published()
        .create()
        .await;
    (channel, article)
}

async fn approve(app: &TestApp, id: i64) {
    app.patch(&format!("/api/v1/comments/{id}"))
        .bearer(&app.editor)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn pending_comments_stay_hidden_until_approved_and_then_count() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let res = CommentBuilder::on(&app, article.id)
        .body("家乡的变化看得见")
        .send()
        .await;
    let pending = res.ok(201);
    assert_eq!(pending["status"], "pending");
    let pending = pending.id();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/comments/{pending}").as_str())
    );
    let list_path = format!("/api/v1/articles/{}/comments", article.id);
    let article_path = format!("/api/v1/articles/{}", article.id);

    let public = app.get(&list_path).send().await.ok(200);
    assert!(public.strs("body").is_empty());
    let to_editors = app.get(&list_path).bearer(&app.editor).send().await;
    assert!(to_editors.ok(200).strs("body").is_empty());
    assert_eq!(
        app.get(&article_path).send().await.ok(200)["comment_count"],
        0
    );

    let queue = app
        .get("/api/v1/comments")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(queue.strs("body"), ["家乡的变化看得见"]);
    approve(&app, pending).await;

    assert_eq!(
        app.get(&list_path).send().await.ok(200).strs("body"),
        ["家乡的变化看得见"]
    );
    assert_eq!(
        app.get(&article_path).send().await.ok(200)["comment_count"],
        1
    );
    assert_eq!(
        app.get("/api/v1/comments")
            .bearer(&app.editor)
            .send()
            .await
            .ok(200)["meta"]["total"],
        0
    );

    for status in ["rejected", "spam"] {
        app.patch(&format!("/api/v1/comments/{pending}"))
            .bearer(&app.editor)
            .json(&json!({"status": status}))
            .send()
            .await
            .ok(200);
        let public = app.get(&list_path).send().await.ok(200);
        assert!(public.strs("body").is_empty(), "{status} shown");
        assert_eq!(
            app.get(&article_path).send().await.ok(200)["comment_count"],
            0
        );
        let queue = app
            .get(&format!("/api/v1/comments?status={status}"))
            .bearer(&app.editor)
            .send()
            .await
            .ok(200);
        assert_eq!(queue["meta"]["total"], 1);
    }
}

#[actix_web::test]
async fn auto_approving_channels_publish_comments_at_once() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, true).await;
    assert_eq!(
        CommentBuilder::on(&app, article.id)
            .body("自动通过")
            .send()
            .await
            .ok(201)["status"],
        "approved"
    );
    let read = app
        .get(&format!("/api/v1/articles/{}", article.id))
        .send()
        .await
        .ok(200);
    assert_eq!(read["comment_count"], 1);
}

#[actix_web::test]
async fn comments_list_oldest_first_with_replies_and_paging() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, true).await;
    let comment = |text: &str| CommentBuilder::on(&app, article.id).body(text);
    let first = comment("第一楼").send().await.ok(201).id();
    let reply = comment("回复一楼").reply_to(first).send().await.ok(201);
    assert_eq!(reply["parent_id"], first);
    let deeper = comment("回复的回复")
        .reply_to(reply.id())
        .send()
        .await
        .ok(201);
    let too_deep = comment("太深了").reply_to(deeper.id()).send().await;
    assert_eq!(too_deep.invalid_fields(), ["parent_id"]);
    comment("第二楼").send().await.ok(201);

    let list = app
        .get(&format!(
            "/api/v1/articles/{}/comments?per_page=3",
            article.id
        ))
        .send()
        .await
        .ok(200);
    assert_eq!(list.strs("body"), ["第一楼", "回复一楼", "回复的回复"]);
    assert_eq!(list["meta"]["total"], 4);
    let page2 = app
        .get(&format!(
            "/api/v1/articles/{}/comments?per_page=3&page=2",
            article.id
        ))
        .send()
        .await
        .ok(200);
    assert_eq!(page2.strs("body"), ["第二楼"]);

    let other = ArticleBuilder::new(&app)
        .in_channel(article.channel_id)
        .published()
        .create()
        .await;
    let cross = CommentBuilder::on(&app, other.id)
        .body("跨文章回复")
        .reply_to(first)
        .send()
        .await;
    assert_eq!(cross.invalid_fields(), ["parent_id"]);
}

#[actix_web::test]
async fn replies_to_unapproved_comments_are_refused() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let comment = |text: &str| CommentBuilder::on(&app, article.id).body(text);
    let pending = comment("待审").send().await.ok(201).id();
    assert_eq!(
        comment("回复待审")
            .reply_to(pending)
            .send()
            .await
            .invalid_fields(),
        ["parent_id"]
    );
}

#[actix_web::test]
async fn bodies_come_back_verbatim_as_plain_text() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, true).await;
    let body = "<script>alert('x')</script> & <b>粗体</b>\n第二行";
    CommentBuilder::on(&app, article.id)
        .body(body)
        .send()
        .await
        .ok(201);
    let list = app
        .get(&format!("/api/v1/articles/{}/comments", article.id))
        .send()
        .await
        .ok(200);
    assert_eq!(list.strs("body"), [body]);
}

#[actix_web::test]
async fn comments_on_drafts_and_future_articles_are_404_and_closed_ones_403() {
    let app = TestApp::new().await;
    let (channel, _) = setup(&app, true).await;
    let article = || ArticleBuilder::new(&app).in_channel(channel);
    let draft = article().create().await;
    let far_future: DateTime<Utc> = "2999-01-01T00:00:00+08:00".parse().unwrap();
    let future = article().scheduled_for(far_future).create().await;
    for hidden in [&draft, &future] {
        CommentBuilder::on(&app, hidden.id)
            .body("偷看")
            .send()
            .await
            .problem(404);
        app.get(&format!("/api/v1/articles/{}/comments", hidden.id))
            .send()
            .await
            .problem(404);
    }
    let closed = article().published().comments_closed().create().await;
    CommentBuilder::on(&app, closed.id)
        .body("评论已关闭")
        .send()
        .await
        .problem(403);
    CommentBuilder::on(&app, 999_999)
        .body("不存在")
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn the_same_comment_twice_in_a_row_is_409() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let comment = |text: &str| CommentBuilder::on(&app, article.id).body(text);
    comment("重复的话").send().await.ok(201);
    comment("重复的话").send().await.problem(409);
    comment("另一句话").send().await.ok(201);
    let other_client = app
        .post(&format!("/api/v1/articles/{}/comments", article.id))
        .peer("203.0.113.5:4000")
        .json(&json!({"author_name": "别人", "body": "重复的话"}))
        .send()
        .await;
    other_client.ok(201);
}

#[actix_web::test]
async fn the_honeypot_sets_a_comment_aside_without_telling_the_bot() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let url = format!("/api/v1/articles/{}/comments", article.id);
    let human = app
        .post(&url)
        .json(&json!({"author_name": "读者", "body": "写得好"}))
        .peer("198.51.100.20:5000")
        .send()
        .await;
    let bot = app
        .post(&url)
        .json(
            &json!({"author_name": "bot", "body": "cheap pills", "website": "http://spam.example"}),
        )
        .peer("198.51.100.21:5000")
        .send()
        .await;
    // Same status, same headers, same shape: nothing tells the bot it was caught.
    assert_eq!(bot.status, human.status);
    let (human, bot) = (human.ok(201), bot.ok(201));
    assert_eq!(bot["status"], "pending");
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&bot), keys(&human));

    let list = app.get(&url).send().await.ok(200);
    assert_eq!(list["meta"]["total"], 0, "readers never see it");
    let pending = app
        .get("/api/v1/comments")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(
        pending["meta"]["total"], 1,
        "only the human waits for moderation"
    );
    let spam = app
        .get("/api/v1/comments?status=spam")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(spam["meta"]["total"], 1, "the editors can still review it");
    assert_eq!(spam["data"][0]["id"], bot["id"]);
}

#[actix_web::test]
async fn invalid_comments_are_422_naming_each_field() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let res = app
        .post(&format!("/api/v1/articles/{}/comments", article.id))
        .json(&json!({"author_name": "", "body": "长".repeat(2001), "parent_id": 4242}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["author_name", "body", "parent_id"]);
    let blank = CommentBuilder::on(&app, article.id)
        .body("   ")
        .send()
        .await;
    assert_eq!(blank.invalid_fields(), ["body"]);
    let missing = app
        .post(&format!("/api/v1/articles/{}/comments", article.id))
        .json(&json!({"author_name": "网友"}))
        .send()
        .await;
    assert_eq!(missing.invalid_fields(), ["body"]);
    app.post(&format!("/api/v1/articles/{}/comments", article.id))
        .raw_body("application/json", "{\"body\":")
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn moderation_is_for_editors_only() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let id = CommentBuilder::on(&app, article.id)
        .body("待审")
        .send()
        .await
        .ok(201)
        .id();
    app.get("/api/v1/comments").send().await.problem(401);
    app.get("/api/v1/comments")
        .bearer(&app.reporter)
        .send()
        .await
        .problem(403);
    app.patch(&format!("/api/v1/comments/{id}"))
        .bearer(&app.reporter)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .problem(403);
    app.delete(&format!("/api/v1/comments/{id}"))
        .bearer(&app.reporter)
        .send()
        .await
        .problem(403);
    let bad = app
        .patch(&format!("/api/v1/comments/{id}"))
        .bearer(&app.editor)
        .json(&json!({"status": "hidden"}))
        .send()
        .await;
    assert_eq!(bad.invalid_fields(), ["status"]);
}

#[actix_web::test]
async fn deleting_a_comment_takes_its_replies_and_fixes_the_count() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, true).await;
    let comment = |text: &str| CommentBuilder::on(&app, article.id).body(text);
    let first = comment("一楼").send().await.ok(201).id();
    comment("回复").reply_to(first).send().await.ok(201);
    comment("二楼").send().await.ok(201);
    let article_path = format!("/api/v1/articles/{}", article.id);
    assert_eq!(
        app.get(&article_path).send().await.ok(200)["comment_count"],
        3
    );
    app.delete(&format!("/api/v1/comments/{first}"))
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
    assert_eq!(
        app.get(&article_path).send().await.ok(200)["comment_count"],
        1
    );
    let queue = app
        .get(&format!(
            "/api/v1/comments?status=approved&article={}",
            article.id
        ))
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(queue.strs("body"), ["二楼"]);
    app.patch("/api/v1/comments/999999")
        .bearer(&app.editor)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .problem(404);
}
