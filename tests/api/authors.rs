use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, AuthorBuilder, ChannelBuilder, user_id};
use crate::support::wire::JsonExt;

#[actix_web::test]
async fn author_fields_round_trip_and_anyone_reads_them() {
    let app = TestApp::new().await;
    let reporter_id = user_id(&app, &app.reporter).await;
    let res = app
        .post("/api/v1/authors")
        .bearer(&app.editor)
        .json(&json!({
            "name": "梁永明", "slug": "liang-yongming", "title": "记者", "bio": "长期跑经济口。",
            "avatar_url": "https://img.example.com/liang.jpg", "user_id": reporter_id
        }))
        .send()
        .await;
    let created = res.ok(201);
    let id = created.id();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/authors/{id}").as_str())
    );
    for (field, value) in [
        ("name", json!("梁永明")),
        ("slug", json!("liang-yongming")),
        ("title", json!("记者")),
        ("bio", json!("长期跑经济口。")),
        ("avatar_url", json!("https://img.example.com/liang.jpg")),
        ("user_id", json!(reporter_id)),
    ] {
        assert_eq!(created[field], value, "{field}");
    }
    assert_eq!(
        app.get("/api/v1/authors/liang-yongming")
            .send()
            .await
            .ok(200),
        created
    );
    assert_eq!(
        app.get(&format!("/api/v1/authors/{id}"))
            .send()
            .await
            .ok(200),
        created
    );
    let list = app.get("/api/v1/authors").send().await.ok(200);
    assert_eq!(list["meta"]["total"], 1);
    app.get("/api/v1/authors/nobody").send().await.problem(404);
}

#[actix_web::test]
async fn editors_change_and_delete_authors_and_null_clears_fields() {
    let app = TestApp::new().await;
    let id = AuthorBuilder::new(&app, "肖文忠", "xiao-wenzhong")
        .create()
        .await;
    let changed = app
        .patch(&format!("/api/v1/authors/{id}"))
        .bearer(&app.editor)
        .json(&json!({"title": null, "name": "肖文忠（编辑）"}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["title"], Value::Null);
    assert_eq!(changed["name"], "肖文忠（编辑）");
    assert_eq!(changed["version"], 2);
    app.delete("/api/v1/authors/xiao-wenzhong")
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
    app.get(&format!("/api/v1/authors/{id}"))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn reporters_and_anonymous_clients_cannot_manage_authors() {
    let app = TestApp::new().await;
    let body = json!({"name": "梁永明", "slug": "liang"});
    app.post("/api/v1/authors")
        .bearer(&app.reporter)
        .json(&body)
        .send()
        .await
        .problem(403);
    app.post("/api/v1/authors")
        .json(&body)
        .send()
        .await
        .problem(401);
    let id = AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    app.delete(&format!("/api/v1/authors/{id}"))
        .bearer(&app.reporter)
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn invalid_author_fields_are_named_and_duplicates_are_409() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/authors")
        .bearer(&app.editor)
        .json(
            &json!({"name": "", "slug": "--", "avatar_url": "javascript:alert(1)", "user_id": 999}),
        )
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["avatar_url", "name", "slug", "user_id"]);
    AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    app.post("/api/v1/authors")
        .bearer(&app.editor)
        .json(&json!({"name": "另一个梁永明", "slug": "liang"}))
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn an_author_named_in_a_byline_cannot_be_deleted() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let author = AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .written_by(author)
        .create()
        .await;
    app.delete(&format!("/api/v1/authors/{author}"))
        .bearer(&app.editor)
        .send()
        .await
        .problem(409);
    app.delete(&format!("/api/v1/articles/{}", article.id))
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
    app.delete(&format!("/api/v1/authors/{author}"))
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
}
