use serde_json::{Value, json};

use crate::support::TestApp;

async fn setup(app: &TestApp, auto_approve: bool) -> (i64, Value) {
    let channel = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "萍乡频道", "slug": "pingxiang", "auto_approve_comments": auto_approve}))
        .send()
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let article = app.article(channel, json!({"status": "published"})).await;
    (channel, article)
}

async fn comment(
    app: &TestApp,
    article: &Value,
    body: &str,
    parent: Option<i64>,
) -> crate::support::TestResponse {
    app.post(&format!("/api/v1/articles/{}/comments", article["id"]))
        .json(&json!({"author_name": "萍乡网友", "body": body, "parent_id": parent}))
        .send()
        .await
}

async fn approve(app: &TestApp, id: i64) {
    app.patch(&format!("/api/v1/comments/{id}"))
        .bearer(&app.editor)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .ok(200);
}

fn bodies(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn pending_comments_stay_hidden_until_approved_and_then_count() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let res = comment(&app, &article, "家乡的变化看得见", None).await;
    let pending = res.ok(201);
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/comments/{}", pending["id"]).as_str())
    );
    let list_path = format!("/api/v1/articles/{}/comments", article["id"]);
    let article_path = format!("/api/v1/articles/{}", article["id"]);

    assert!(bodies(&app.get(&list_path).send().await.ok(200)).is_empty());
    assert!(bodies(&app.get(&list_path).bearer(&app.editor).send().await.ok(200)).is_empty());
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
    assert_eq!(bodies(&queue), ["家乡的变化看得见"]);
    approve(&app, pending["id"].as_i64().unwrap()).await;

    assert_eq!(
        bodies(&app.get(&list_path).send().await.ok(200)),
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
        app.patch(&format!("/api/v1/comments/{}", pending["id"]))
            .bearer(&app.editor)
            .json(&json!({"status": status}))
            .send()
            .await
            .ok(200);
        assert!(
            bodies(&app.get(&list_path).send().await.ok(200)).is_empty(),
            "{status} shown"
        );
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
        comment(&app, &article, "自动通过", None).await.ok(201)["status"],
        "approved"
    );
    let read = app
        .get(&format!("/api/v1/articles/{}", article["id"]))
        .send()
        .await
        .ok(200);
    assert_eq!(read["comment_count"], 1);
}

#[actix_web::test]
async fn comments_list_oldest_first_with_replies_and_paging() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, true).await;
    let first = comment(&app, &article, "第一楼", None).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let reply = comment(&app, &article, "回复一楼", Some(first))
        .await
        .ok(201);
    assert_eq!(reply["parent_id"], first);
    let deeper = comment(&app, &article, "回复的回复", reply["id"].as_i64())
        .await
        .ok(201);
    let too_deep = comment(&app, &article, "太深了", deeper["id"].as_i64()).await;
    assert_eq!(too_deep.invalid_fields(), ["parent_id"]);
    comment(&app, &article, "第二楼", None).await.ok(201);

    let list = app
        .get(&format!(
            "/api/v1/articles/{}/comments?per_page=3",
            article["id"]
        ))
        .send()
        .await
        .ok(200);
    assert_eq!(bodies(&list), ["第一楼", "回复一楼", "回复的回复"]);
    assert_eq!(list["meta"]["total"], 4);
    let page2 = app
        .get(&format!(
            "/api/v1/articles/{}/comments?per_page=3&page=2",
            article["id"]
        ))
        .send()
        .await
        .ok(200);
    assert_eq!(bodies(&page2), ["第二楼"]);

    let other = app
        .article(
            article["channel_id"].as_i64().unwrap(),
            json!({"status": "published"}),
        )
        .await;
    let cross = comment(&app, &other, "跨文章回复", Some(first)).await;
    assert_eq!(cross.invalid_fields(), ["parent_id"]);
}

#[actix_web::test]
async fn replies_to_unapproved_comments_are_refused() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let pending = comment(&app, &article, "待审", None).await.ok(201)["id"].as_i64();
    assert_eq!(
        comment(&app, &article, "回复待审", pending)
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
    comment(&app, &article, body, None).await.ok(201);
    let list = app
        .get(&format!("/api/v1/articles/{}/comments", article["id"]))
        .send()
        .await
        .ok(200);
    assert_eq!(bodies(&list), [body]);
}

#[actix_web::test]
async fn comments_on_drafts_and_future_articles_are_404_and_closed_ones_403() {
    let app = TestApp::new().await;
    let (channel, _) = setup(&app, true).await;
    let draft = app.article(channel, json!({})).await;
    let future = app
        .article(
            channel,
            json!({"status": "scheduled", "published_at": "2999-01-01T00:00:00+08:00"}),
        )
        .await;
    for hidden in [&draft, &future] {
        comment(&app, hidden, "偷看", None).await.problem(404);
        app.get(&format!("/api/v1/articles/{}/comments", hidden["id"]))
            .send()
            .await
            .problem(404);
    }
    let closed = app
        .article(
            channel,
            json!({"status": "published", "comments_enabled": false}),
        )
        .await;
    comment(&app, &closed, "评论已关闭", None)
        .await
        .problem(403);
    comment(&app, &json!({"id": 999_999}), "不存在", None)
        .await
        .problem(404);
}

#[actix_web::test]
async fn the_same_comment_twice_in_a_row_is_409() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    comment(&app, &article, "重复的话", None).await.ok(201);
    comment(&app, &article, "重复的话", None).await.problem(409);
    comment(&app, &article, "另一句话", None).await.ok(201);
    let other_client = app
        .post(&format!("/api/v1/articles/{}/comments", article["id"]))
        .peer("203.0.113.5:4000")
        .json(&json!({"author_name": "别人", "body": "重复的话"}))
        .send()
        .await;
    other_client.ok(201);
}

#[actix_web::test]
async fn the_honeypot_drops_a_comment_quietly() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, true).await;
    app.post(&format!("/api/v1/articles/{}/comments", article["id"]))
        .json(
            &json!({"author_name": "bot", "body": "cheap pills", "website": "http://spam.example"}),
        )
        .send()
        .await
        .ok(202);
    let list = app
        .get(&format!("/api/v1/articles/{}/comments", article["id"]))
        .send()
        .await
        .ok(200);
    assert_eq!(list["meta"]["total"], 0);
}

#[actix_web::test]
async fn invalid_comments_are_422_naming_each_field() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let res = app
        .post(&format!("/api/v1/articles/{}/comments", article["id"]))
        .json(&json!({"author_name": "", "body": "长".repeat(2001), "parent_id": 4242}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["author_name", "body", "parent_id"]);
    let blank = comment(&app, &article, "   ", None).await;
    assert_eq!(blank.invalid_fields(), ["body"]);
    let missing = app
        .post(&format!("/api/v1/articles/{}/comments", article["id"]))
        .json(&json!({"author_name": "网友"}))
        .send()
        .await;
    assert_eq!(missing.invalid_fields(), ["body"]);
    app.post(&format!("/api/v1/articles/{}/comments", article["id"]))
        .raw_body("application/json", "{\"body\":")
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn moderation_is_for_editors_only() {
    let app = TestApp::new().await;
    let (_, article) = setup(&app, false).await;
    let id = comment(&app, &article, "待审", None).await.ok(201)["id"]
        .as_i64()
        .unwrap();
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
    let first = comment(&app, &article, "一楼", None).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    comment(&app, &article, "回复", Some(first)).await.ok(201);
    comment(&app, &article, "二楼", None).await.ok(201);
    let article_path = format!("/api/v1/articles/{}", article["id"]);
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
            article["id"]
        ))
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(bodies(&queue), ["二楼"]);
    app.patch("/api/v1/comments/999999")
        .bearer(&app.editor)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .problem(404);
}
