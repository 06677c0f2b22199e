use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, AuthorBuilder, ChannelBuilder, Newsroom};
use crate::support::wire::{Article, JsonExt};

/// The ids `GET /articles{query}` lists, anonymously.
async fn listed(app: &TestApp, query: &str) -> Vec<i64> {
    app.get(&format!("/api/v1/articles{query}"))
        .send()
        .await
        .ok(200)
        .ids()
}

#[actix_web::test]
async fn every_field_round_trips_and_published_at_keeps_its_instant() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let writer = AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    let editor = AuthorBuilder::new(&app, "肖文忠", "xiao").create().await;
    let other = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .published_hours_ago(5)
        .create()
        .await;
    let res = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({
            "title": "踔厉奋发勇争先", "slug": "forge-ahead", "subtitle": "经济社会发展综述",
            "summary": "一年来的转型之路。", "status": "published",
            "published_at": "2022-07-20T11:04:16+08:00", "channel_id": room.society,
            "source": {"name": "萍乡日报", "url": "https://epaper.example.com/1"},
            "bylines": [{"author_id": writer, "role": "author"}, {"author_id": editor, "role": "editor"}],
            "cover_image_url": "https://img.example.com/cover.jpg", "tags": ["萍乡", "经济", "萍乡"],
            "comments_enabled": false, "related_ids": [other.id],
            "pages": ["<p>第一页</p>", "<p>第二页</p>"]
        }))
        .send()
        .await;
    let created = res.ok(201);
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/articles/{}", created.id()).as_str())
    );
    let read = app.get("/api/v1/articles/forge-ahead").send().await.ok(200);
    assert_eq!(read, created);
    let article: Article = read.to();
    assert_eq!(article.title, "踔厉奋发勇争先");
    assert_eq!(article.subtitle.as_deref(), Some("经济社会发展综述"));
    assert_eq!(article.summary, "一年来的转型之路。");
    assert_eq!(article.status, "published");
    let published_at = DateTime::parse_from_rfc3339(&article.published_at.unwrap()).unwrap();
    assert_eq!(
        published_at,
        DateTime::parse_from_rfc3339("2022-07-20T11:04:16+08:00").unwrap()
    );
    assert_eq!(
        article.source,
        json!({"name": "萍乡日报", "url": "https://epaper.example.com/1"})
    );
    assert_eq!(
        article.bylines,
        json!([{"author_id": writer, "name": "梁永明", "role": "author"}, {"author_id": editor, "name": "肖文忠", "role": "editor"}])
    );
    let crumbs: Vec<i64> = article.breadcrumbs.iter().map(|c| c.id).collect();
    assert_eq!(crumbs, [room.portal, room.pingxiang, room.society]);
    assert_eq!(article.tags, ["萍乡", "经济"]);
    assert_eq!(
        article.cover_image_url.as_deref(),
        Some("https://img.example.com/cover.jpg")
    );
    assert!(!article.comments_enabled);
    assert_eq!(article.comment_count, 0);
    assert_eq!(article.related_ids, [other.id]);
    assert_eq!(article.page_count, 2);
    assert_eq!(article.page, 1);
    assert_eq!(article.body_html, "<p>第一页</p>");
    assert_eq!(article.version, 1);
    assert!(read.get("pages").is_none(), "pages are write-only");
}

#[actix_web::test]
async fn page_query_picks_the_body_page_and_out_of_range_is_404() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .published_hours_ago(1)
        .pages(&["<p>一</p>", "<p>二</p>"])
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    let second = app.get(&format!("{path}?page=2")).send().await.ok(200);
    assert_eq!(
        (second["page"].clone(), second["body_html"].clone()),
        (json!(2), json!("<p>二</p>"))
    );
    app.get(&format!("{path}?page=3")).send().await.problem(404);
    assert_eq!(
        app.get(&format!("{path}?page=0"))
            .send()
            .await
            .invalid_fields(),
        ["page"]
    );
    app.get(&format!("{path}?page=x")).send().await.problem(400);
}

#[actix_web::test]
async fn page_html_is_sanitised_with_an_allow_list() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let dirty = r#"<h2 onmouseover="x()">小标题</h2><p>正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a><a href="https://example.com">好链接</a></p><figure><img src="https://img.example.com/a.jpg" onerror="x()"><figcaption>图片说明</figcaption></figure><ul><li>一</li></ul><table><tr><td>数据</td></tr></table>"#;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .pages(&[dirty])
        .create()
        .await;
    let html = article.body_html;
    for gone in ["<script", "onmouseover", "onerror", "javascript:"] {
        assert!(!html.contains(gone), "{gone} survived: {html}");
    }
    for kept in [
        "<h2>小标题</h2>",
        "<figcaption>图片说明</figcaption>",
        "<li>一</li>",
        "<td>数据</td>",
        "href=\"https://example.com\"",
    ] {
        assert!(html.contains(kept), "{kept} lost: {html}");
    }
}

#[actix_web::test]
async fn drafts_and_future_articles_are_invisible_anonymously_on_every_read_path() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = || ArticleBuilder::new(&app).in_channel(room.pingxiang);
    let public = article().title("公开的萍乡新闻").published().create().await;
    let draft = article().title("萍乡草稿").create().await;
    let future = article()
        .title("萍乡明日新闻")
        .scheduled_for(Utc::now() + Duration::days(1))
        .create()
        .await;
    let archived = article().title("萍乡旧闻").archived().create().await;
    app.patch(&format!("/api/v1/articles/{}", public.id))
        .bearer(&app.editor)
        .json(&json!({"related_ids": [draft.id, future.id, archived.id]}))
        .send()
        .await
        .ok(200);

    for hidden in [&draft, &future, &archived] {
        app.get(&format!("/api/v1/articles/{}", hidden.id))
            .send()
            .await
            .problem(404);
        app.get(&format!("/api/v1/articles/{}", hidden.slug))
            .send()
            .await
            .problem(404);
        app.get(&format!("/api/v1/articles/{}/related", hidden.id))
            .send()
            .await
            .problem(404);
    }
    assert_eq!(listed(&app, "").await, [public.id]);
    assert_eq!(listed(&app, "?q=萍乡").await, [public.id]);
    for status in ["draft", "scheduled", "archived"] {
        let widened = app
            .get(&format!("/api/v1/articles?status={status}"))
            .send()
            .await
            .ok(200);
        assert_eq!(widened["meta"]["total"], 0, "status={status} leaked");
    }
    let related = app
        .get(&format!("/api/v1/articles/{}/related", public.id))
        .send()
        .await
        .ok(200);
    assert!(related.ids().is_empty(), "{related}");

    let everything = app
        .get("/api/v1/articles")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(everything["meta"]["total"], 4);
    let drafts = app
        .get("/api/v1/articles?status=draft")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(drafts.ids(), [draft.id]);
    app.get(&format!("/api/v1/articles/{}", draft.id))
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn a_scheduled_article_appears_by_itself_when_its_time_comes() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let at = Utc::now() + Duration::milliseconds(1500);
    let article = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .scheduled_for(at)
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    app.get(&path).send().await.problem(404);
    tokio_sleep_until(at + Duration::milliseconds(300)).await;
    let body = app.get(&path).send().await.ok(200);
    assert_eq!(body["status"], "scheduled");
    assert_eq!(listed(&app, "").await, [article.id]);
}

async fn tokio_sleep_until(at: DateTime<Utc>) {
    let wait = (at - Utc::now()).to_std().unwrap_or_default();
    actix_web::rt::time::sleep(wait).await;
}

#[actix_web::test]
async fn chinese_search_finds_two_three_and_four_character_terms_in_any_field() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = || ArticleBuilder::new(&app).in_channel(room.pingxiang);
    let in_title = article().title("萍乡市经济综述").published().create().await;
    let in_page = article()
        .published_hours_ago(1)
        .title("转型之路")
        .pages(&[
            "<p>第一页</p>",
            "<p>老工业基地调整改造力度大，<b>萍乡</b>成绩突出。</p>",
        ])
        .create()
        .await;
    let in_summary = article()
        .title("Green energy")
        .summary("安源区光伏项目落地")
        .published()
        .create()
        .await;

    let search = |q: &str| {
        let app = &app;
        let q = q.to_owned();
        async move {
            let mut found = listed(app, &format!("?q={q}")).await;
            found.sort();
            found
        }
    };
    let mut both = vec![in_title.id, in_page.id];
    both.sort();
    assert_eq!(search("萍乡").await, both, "two characters");
    assert_eq!(search("萍乡市").await, [in_title.id], "three characters");
    assert_eq!(
        search("工业基地").await,
        [in_page.id],
        "four characters, on page 2"
    );
    assert_eq!(search("光伏项目").await, [in_summary.id], "in the summary");
    assert_eq!(
        search("green").await,
        [in_summary.id],
        "latin words, any case"
    );
    assert_eq!(
        search("萍乡%20经济").await,
        [in_title.id],
        "every term must match"
    );
    assert!(search("南昌").await.is_empty(), "a miss");
    assert!(
        search("乡萍").await.is_empty(),
        "characters out of order do not match"
    );
    // Nothing to look for finds nothing (not everything): the schema cannot say which
    // strings hold a searchable character, so none is refused.
    assert!(search("!!").await.is_empty(), "punctuation only");
}

#[actix_web::test]
async fn search_follows_edits_and_deletes() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("芦溪新闻")
        .published()
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    app.patch(&path)
        .bearer(&app.editor)
        .json(&json!({"title": "上栗新闻"}))
        .send()
        .await
        .ok(200);
    assert!(listed(&app, "?q=芦溪").await.is_empty());
    assert_eq!(listed(&app, "?q=上栗").await, [article.id]);
    app.delete(&path).bearer(&app.editor).send().await.ok(204);
    assert!(listed(&app, "?q=上栗").await.is_empty());
}

#[actix_web::test]
async fn lists_filter_by_channel_descendants_author_and_time_and_sort() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let liang = AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    let old = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .published_hours_ago(48)
        .create()
        .await
        .id;
    let mid = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .published_hours_ago(24)
        .written_by(liang)
        .create()
        .await
        .id;
    let new = ArticleBuilder::new(&app)
        .in_channel(room.portal)
        .published_hours_ago(1)
        .create()
        .await
        .id;
    let pingxiang = room.pingxiang;

    assert_eq!(listed(&app, "").await, [new, mid, old]);
    assert_eq!(listed(&app, "?sort=published_at").await, [old, mid, new]);
    app.patch(&format!("/api/v1/articles/{old}"))
        .bearer(&app.editor)
        .json(&json!({"summary": "更新"}))
        .send()
        .await
        .ok(200);
    assert_eq!(listed(&app, "?sort=-updated_at").await[0], old);
    assert_eq!(listed(&app, "?channel=pingxiang").await, [old]);
    assert_eq!(
        listed(
            &app,
            &format!("?channel={pingxiang}&include_descendants=true")
        )
        .await,
        [mid, old]
    );
    assert_eq!(
        listed(&app, "?channel=portal&include_descendants=true")
            .await
            .len(),
        3
    );
    assert_eq!(listed(&app, "?author=liang").await, [mid]);
    assert_eq!(listed(&app, &format!("?author={liang}")).await, [mid]);
    let day_ago = (Utc::now() - Duration::hours(36)).to_rfc3339();
    assert_eq!(
        listed(
            &app,
            &format!("?published_after={}", day_ago.replace('+', "%2B"))
        )
        .await,
        [new, mid]
    );
    assert_eq!(
        listed(
            &app,
            &format!("?published_before={}", day_ago.replace('+', "%2B"))
        )
        .await,
        [old]
    );

    let paged = app.get("/api/v1/articles?per_page=2&page=2").send().await;
    assert_eq!(
        paged.ok(200)["meta"],
        json!({"page": 2, "per_page": 2, "total": 3, "page_count": 2})
    );
    assert!(paged.header("link").unwrap().contains("rel=\"prev\""));

    assert!(
        listed(&app, "?channel=nowhere").await.is_empty(),
        "an unknown channel matches nothing"
    );
    assert!(
        listed(&app, "?author=nobody").await.is_empty(),
        "an unknown author matches nothing"
    );
    let bad = app
        .get("/api/v1/articles?published_after=yesterday&published_before=")
        .send()
        .await;
    let mut fields = bad.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["published_after", "published_before"]);
    app.get("/api/v1/articles?sort=title")
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn reporters_write_their_own_drafts_and_editors_publish() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let pingxiang = room.pingxiang;
    let draft = ArticleBuilder::new(&app)
        .sent_by(&app.reporter)
        .in_channel(pingxiang)
        .title("记者稿件")
        .create()
        .await;
    assert_eq!(draft.status, "draft");
    let path = format!("/api/v1/articles/{}", draft.id);

    app.post("/api/v1/articles")
        .bearer(&app.reporter)
        .json(&json!({"title": "想直接发布", "channel_id": pingxiang, "pages": ["<p>x</p>"], "status": "published"}))
        .send()
        .await
        .problem(403);
    app.patch(&path)
        .bearer(&app.reporter)
        .json(&json!({"title": "改过的稿件"}))
        .send()
        .await
        .ok(200);
    app.patch(&path)
        .bearer(&app.reporter)
        .json(&json!({"status": "published"}))
        .send()
        .await
        .problem(403);
    app.get(&path).bearer(&app.reporter).send().await.ok(200);

    let others_draft = ArticleBuilder::new(&app)
        .in_channel(pingxiang)
        .title("编辑的草稿")
        .create()
        .await;
    app.get(&format!("/api/v1/articles/{}", others_draft.id))
        .bearer(&app.reporter)
        .send()
        .await
        .problem(404);
    app.patch(&format!("/api/v1/articles/{}", others_draft.id))
        .bearer(&app.reporter)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .problem(404);

    let published = app
        .patch(&path)
        .bearer(&app.editor)
        .json(&json!({"status": "published"}))
        .send()
        .await
        .ok(200);
    assert!(
        published["published_at"].is_string(),
        "publishing stamps published_at"
    );
    app.patch(&path)
        .bearer(&app.reporter)
        .json(&json!({"title": "发布后再改"}))
        .send()
        .await
        .problem(403);
    app.delete(&path)
        .bearer(&app.reporter)
        .send()
        .await
        .problem(403);
    app.delete(&path).bearer(&app.editor).send().await.ok(204);
    app.post("/api/v1/articles")
        .json(&json!({}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn every_change_keeps_a_revision_newest_first() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .sent_by(&app.reporter)
        .in_channel(room.pingxiang)
        .title("第一版")
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    app.patch(&path)
        .bearer(&app.reporter)
        .json(&json!({"title": "第二版"}))
        .send()
        .await
        .ok(200);
    let third = app
        .patch(&path)
        .bearer(&app.editor)
        .json(&json!({"title": "第三版", "pages": ["<p>新正文</p>"]}))
        .send()
        .await
        .ok(200);
    assert_eq!(third["version"], 3);

    let revisions = app
        .get(&format!("{path}/revisions"))
        .bearer(&app.reporter)
        .send()
        .await
        .ok(200);
    assert_eq!(revisions["meta"]["total"], 2);
    let data = revisions["data"].as_array().unwrap();
    assert_eq!(data[0]["version"], 2);
    assert_eq!(data[0]["content"]["title"], "第二版");
    assert_eq!(data[1]["version"], 1);
    assert_eq!(data[1]["content"]["title"], "第一版");
    assert_eq!(data[1]["content"]["pages"], json!(["<p>正文</p>"]));
    assert_eq!(data[0]["edited_by"]["display_name"], "Test User");
    assert!(DateTime::parse_from_rfc3339(data[0]["edited_at"].as_str().unwrap()).is_ok());
    app.get(&format!("{path}/revisions"))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn a_stale_if_match_is_412_and_nothing_changes() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .published_hours_ago(1)
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    let etag = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    app.patch(&path)
        .bearer(&app.editor)
        .json(&json!({"title": "新标题"}))
        .send()
        .await
        .ok(200);
    app.patch(&path)
        .bearer(&app.editor)
        .header("If-Match", &etag)
        .json(&json!({"title": "旧的覆盖"}))
        .send()
        .await
        .problem(412);
    app.delete(&path)
        .bearer(&app.editor)
        .header("If-Match", &etag)
        .send()
        .await
        .problem(412);
    assert_eq!(app.get(&path).send().await.ok(200)["title"], "新标题");
    let again = app.get(&path).header("If-None-Match", &etag).send().await;
    assert_eq!(again.status.as_u16(), 200, "the old ETag no longer matches");
}

#[actix_web::test]
async fn duplicate_slugs_and_channels_in_use_are_409() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let pingxiang = room.pingxiang;
    ArticleBuilder::new(&app)
        .in_channel(pingxiang)
        .slug("same-slug")
        .create()
        .await;
    app.post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({"title": "重复", "slug": "same-slug", "channel_id": pingxiang, "pages": ["<p>x</p>"]}))
        .send()
        .await
        .problem(409);
    let leaf = ChannelBuilder::new(&app, "空栏目", "empty-column")
        .parent(pingxiang)
        .create()
        .await;
    let lonely = ArticleBuilder::new(&app).in_channel(leaf).create().await;
    app.delete(&format!("/api/v1/channels/{leaf}"))
        .bearer(&app.editor)
        .send()
        .await
        .problem(409);
    app.delete(&format!("/api/v1/articles/{}", lonely.id))
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
    app.delete(&format!("/api/v1/channels/{leaf}"))
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
}

#[actix_web::test]
async fn every_invalid_field_is_named_in_one_422() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let pingxiang = room.pingxiang;
    let res = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({
            "title": " ", "slug": "Bad Slug", "subtitle": "长".repeat(201), "summary": "长".repeat(1001),
            "status": "scheduled", "channel_id": 9999, "source": {"name": "", "url": "ftp://x"},
            "bylines": [{"author_id": 9999, "role": "author"}], "cover_image_url": "not a url",
            "tags": [""], "related_ids": [9999], "pages": ["<script>only a script</script>"]
        }))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "bylines.0.author_id",
            "channel_id",
            "cover_image_url",
            "pages.0",
            "published_at",
            "related_ids",
            "slug",
            "source.name",
            "source.url",
            "subtitle",
            "summary",
            "tags.0",
            "title"
        ]
    );
    let no_pages = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({"title": "无正文", "channel_id": pingxiang, "pages": []}))
        .send()
        .await;
    assert_eq!(no_pages.invalid_fields(), ["pages"]);
    let bad_status = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({"title": "x", "channel_id": pingxiang, "pages": ["<p>x</p>"], "status": "live"}))
        .send()
        .await;
    assert_eq!(bad_status.invalid_fields(), ["status"]);
    let bad_role = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({"title": "x", "channel_id": pingxiang, "pages": ["<p>x</p>"], "bylines": [{"author_id": 1, "role": "boss"}]}))
        .send()
        .await;
    assert_eq!(bad_role.invalid_fields(), ["bylines[0].role"]);
    let bad_time = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({"title": "x", "channel_id": pingxiang, "pages": ["<p>x</p>"], "published_at": "2022-07-20 11:04"}))
        .send()
        .await;
    assert_eq!(bad_time.invalid_fields(), ["published_at"]);
    let self_related = ArticleBuilder::new(&app)
        .in_channel(pingxiang)
        .create()
        .await
        .id;
    let res = app
        .patch(&format!("/api/v1/articles/{self_related}"))
        .bearer(&app.editor)
        .json(&json!({"related_ids": [self_related]}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["related_ids"]);
}

#[actix_web::test]
async fn related_lists_curated_public_articles_first_then_the_channel_newest() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = || ArticleBuilder::new(&app);
    let elsewhere = article()
        .in_channel(room.society)
        .published_hours_ago(50)
        .create()
        .await
        .id;
    let mut same_channel = Vec::new();
    for hours in 1..=11 {
        let newer = article()
            .in_channel(room.pingxiang)
            .published_hours_ago(hours)
            .create()
            .await;
        same_channel.push(newer.id);
    }
    let hidden = article().in_channel(room.society).create().await.id;
    let main = article()
        .in_channel(room.pingxiang)
        .published_hours_ago(100)
        .related(&[elsewhere, hidden])
        .create()
        .await
        .id;

    let related = app
        .get(&format!("/api/v1/articles/{main}/related"))
        .send()
        .await
        .ok(200)
        .ids();
    assert_eq!(related.len(), 10);
    assert_eq!(related[0], elsewhere);
    assert_eq!(
        &related[1..],
        &same_channel[..9],
        "newest of the same channel, in order"
    );
    assert!(!related.contains(&main) && !related.contains(&hidden));
}

#[actix_web::test]
async fn list_and_detail_take_a_fixed_number_of_queries_whatever_the_page_size() {
    use diesel::Connection;
    use diesel::connection::InstrumentationEvent;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let author = AuthorBuilder::new(&app, "梁永明", "liang").create().await;
    for i in 0..12 {
        ArticleBuilder::new(&app)
            .in_channel(room.pingxiang)
            .published_hours_ago(i + 1)
            .written_by(author)
            .tags(&["萍乡", &format!("t{i}")])
            .create()
            .await;
    }
    let count_queries = |per_page: i64| {
        let pool = app.state.pool.clone();
        move || {
            let mut conn = pool.get().unwrap();
            let queries = Arc::new(AtomicUsize::new(0));
            let counter = queries.clone();
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { .. } = event {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
            let page = newsdesk::domain::paging::PageRequest { page: 1, per_page };
            let listed =
                newsdesk::articles::service::list(&mut conn, None, Default::default(), page)
                    .unwrap();
            conn.set_instrumentation(diesel::connection::get_default_instrumentation());
            (listed.value.items.len(), queries.load(Ordering::Relaxed))
        }
    };
    let (small_len, small) = actix_web::web::block(count_queries(2)).await.unwrap();
    let (large_len, large) = actix_web::web::block(count_queries(12)).await.unwrap();
    assert_eq!((small_len, large_len), (2, 12));
    assert_eq!(small, large, "queries grew with the page size");
    assert!(large <= 7, "{large} queries for one list page");
}

#[actix_web::test]
async fn related_ids_name_only_articles_the_reader_may_see_on_every_read_path() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = || ArticleBuilder::new(&app).in_channel(room.pingxiang);
    let public = article()
        .title("公开")
        .published_hours_ago(2)
        .create()
        .await;
    let draft = article().title("编辑的草稿").create().await;
    let future = article()
        .scheduled_for(Utc::now() + Duration::days(1))
        .create()
        .await;
    let archived = article().archived().create().await;
    let own_draft = article().sent_by(&app.reporter).create().await;
    let curated = [own_draft.id, draft.id, public.id, future.id, archived.id];
    let main = article().related(&curated).published().create().await;
    assert_eq!(main.related_ids, curated, "editors see every curated id");

    assert_eq!(related_ids_seen(&app, main.id, None).await, [public.id]);
    assert_eq!(
        related_ids_seen(&app, main.id, Some(&app.reporter)).await,
        [own_draft.id, public.id]
    );
    assert_eq!(
        related_ids_seen(&app, main.id, Some(&app.editor)).await,
        curated
    );
}

/// The `related_ids` of article `id` as the holder of `token` (or an anonymous reader)
/// reads them, checking that the detail and the list agree.
async fn related_ids_seen(app: &TestApp, id: i64, token: Option<&str>) -> Vec<i64> {
    fn as_viewer<'a>(
        req: crate::support::RequestBuilder<'a>,
        token: Option<&str>,
    ) -> crate::support::RequestBuilder<'a> {
        match token {
            Some(token) => req.bearer(token),
            None => req,
        }
    }
    let detail: Article = as_viewer(app.get(&format!("/api/v1/articles/{id}")), token)
        .send()
        .await
        .ok(200)
        .to();
    let list = as_viewer(app.get("/api/v1/articles"), token)
        .send()
        .await
        .ok(200);
    let listed = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a.id() == id)
        .unwrap()["related_ids"]
        .clone();
    assert_eq!(listed, json!(detail.related_ids), "list and detail differ");
    detail.related_ids
}
