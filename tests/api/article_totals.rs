//! A list's `meta.total` is the exact number of articles the reader may see, through
//! every change of status, time, channel and existence (the server keeps counts per
//! channel instead of counting the table on every request, and these tests hold it to
//! the rows it lists).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, Newsroom};
use crate::support::wire::JsonExt;

/// `meta.total` of `GET /articles{query}` as `token` (anonymous when `None`), checked
/// against the rows the same list returns when they fit on one page.
async fn total_as(app: &TestApp, token: Option<&str>, query: &str) -> i64 {
    let sep = if query.is_empty() { "?" } else { "&" };
    let mut request = app.get(&format!("/api/v1/articles{query}{sep}per_page=100"));
    if let Some(token) = token {
        request = request.bearer(token);
    }
    let body = request.send().await.ok(200);
    let total = body["meta"]["total"].as_i64().expect("meta.total");
    assert_eq!(
        total,
        body.ids().len() as i64,
        "total of {query} differs from the rows it lists: {body}"
    );
    total
}

async fn public_total(app: &TestApp, query: &str) -> i64 {
    total_as(app, None, query).await
}

async fn editor_total(app: &TestApp, query: &str) -> i64 {
    total_as(app, Some(&app.editor), query).await
}

async fn set_fields(app: &TestApp, id: i64, fields: serde_json::Value) {
    app.patch(&format!("/api/v1/articles/{id}"))
        .bearer(&app.editor)
        .json(&fields)
        .send()
        .await
        .ok(200);
}

async fn sleep_until(at: DateTime<Utc>) {
    let wait = (at - Utc::now()).to_std().unwrap_or_default();
    actix_web::rt::time::sleep(wait).await;
}

#[actix_web::test]
async fn totals_follow_every_change_of_status_channel_and_existence() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let subtree = format!("?channel={}&include_descendants=true", room.pingxiang);
    let society = format!("?channel={}", room.society);
    let nanchang = format!("?channel={}", room.nanchang);
    let article = |channel| ArticleBuilder::new(&app).in_channel(channel);

    let first = article(room.society).published_hours_ago(2).create().await;
    let second = article(room.pingxiang).published().create().await;
    let draft = article(room.society).create().await;
    article(room.nanchang).archived().create().await;
    article(room.society)
        .scheduled_for(Utc::now() + Duration::days(1))
        .create()
        .await;

    assert_eq!(public_total(&app, "").await, 2);
    assert_eq!(public_total(&app, &subtree).await, 2);
    assert_eq!(
        public_total(&app, &format!("?channel={}", room.pingxiang)).await,
        1,
        "without descendants only the channel itself counts"
    );
    assert_eq!(public_total(&app, &society).await, 1);
    assert_eq!(public_total(&app, &nanchang).await, 0);
    assert_eq!(public_total(&app, "?status=scheduled").await, 0);
    assert_eq!(public_total(&app, "?status=published").await, 2);
    assert_eq!(public_total(&app, "?channel=no-such-channel").await, 0);
    assert_eq!(editor_total(&app, "").await, 5);
    assert_eq!(editor_total(&app, &society).await, 3);
    assert_eq!(editor_total(&app, "?status=draft").await, 1);
    assert_eq!(
        editor_total(&app, &format!("{subtree}&status=scheduled")).await,
        1
    );

    // Publish the draft, unpublish the first article.
    set_fields(&app, draft.id, json!({"status": "published"})).await;
    set_fields(&app, first.id, json!({"status": "draft"})).await;
    assert_eq!(public_total(&app, &society).await, 1);
    assert_eq!(public_total(&app, &subtree).await, 2);
    assert_eq!(editor_total(&app, "?status=draft").await, 1);

    // Archive the second; move the published draft to another city.
    set_fields(&app, second.id, json!({"status": "archived"})).await;
    assert_eq!(public_total(&app, &subtree).await, 1);
    set_fields(&app, draft.id, json!({"channel_id": room.nanchang})).await;
    assert_eq!(public_total(&app, &subtree).await, 0);
    assert_eq!(public_total(&app, &nanchang).await, 1);
    assert_eq!(public_total(&app, "").await, 1);
    assert_eq!(editor_total(&app, &nanchang).await, 2);

    // An edit that changes neither status nor channel changes no total.
    set_fields(&app, draft.id, json!({"title": "改过的标题"})).await;
    assert_eq!(public_total(&app, &nanchang).await, 1);

    app.delete(&format!("/api/v1/articles/{}", draft.id))
        .bearer(&app.editor)
        .send()
        .await
        .ok(204);
    assert_eq!(public_total(&app, &nanchang).await, 0);
    assert_eq!(public_total(&app, "").await, 0);
    assert_eq!(editor_total(&app, "").await, 4);
}

#[actix_web::test]
async fn a_scheduled_article_counts_only_from_its_time() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let subtree = format!("?channel={}&include_descendants=true", room.pingxiang);
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .published_hours_ago(1)
        .create()
        .await;
    let at = Utc::now() + Duration::milliseconds(1500);
    let scheduled = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .scheduled_for(at)
        .create()
        .await;
    // Later still, in another city: never counted during this test.
    ArticleBuilder::new(&app)
        .in_channel(room.nanchang)
        .scheduled_for(Utc::now() + Duration::days(1))
        .create()
        .await;

    assert_eq!(public_total(&app, "").await, 1);
    assert_eq!(public_total(&app, &subtree).await, 1);
    assert_eq!(public_total(&app, "?status=scheduled").await, 0);

    sleep_until(at + Duration::milliseconds(300)).await;
    assert_eq!(public_total(&app, "").await, 2);
    assert_eq!(public_total(&app, &subtree).await, 2);
    assert_eq!(public_total(&app, "?status=scheduled").await, 1);
    assert_eq!(
        public_total(&app, &format!("?channel={}", room.society)).await,
        2
    );

    // Rescheduling it into the future takes it out of the total again.
    set_fields(
        &app,
        scheduled.id,
        json!({"published_at": (Utc::now() + Duration::days(2)).to_rfc3339()}),
    )
    .await;
    assert_eq!(public_total(&app, &subtree).await, 1);
    assert_eq!(editor_total(&app, &subtree).await, 2);
}

#[actix_web::test]
async fn search_pages_hold_the_same_matches_in_order_however_they_are_found() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = |title: &str, hours: i64| {
        ArticleBuilder::new(&app)
            .in_channel(room.society)
            .title(title)
            .published_hours_ago(hours)
    };
    let mut matching = Vec::new();
    for hours in [5, 1, 3, 2] {
        matching.push((hours, article("萍乡经济综述", hours).create().await.id));
    }
    article("南昌新闻", 4).create().await;
    article("赣州新闻", 6).create().await;
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("萍乡明日要闻")
        .scheduled_for(Utc::now() + Duration::days(1))
        .create()
        .await;
    matching.sort();
    let newest_first: Vec<i64> = matching.iter().map(|(_, id)| *id).collect();

    // One page of all: the matches are read and sorted.
    let whole = app
        .get("/api/v1/articles?q=萍乡&per_page=100")
        .send()
        .await
        .ok(200);
    assert_eq!(whole.ids(), newest_first);
    assert_eq!(whole["meta"]["total"], 4);
    assert_eq!(
        total_as(&app, Some(&app.editor), "?q=萍乡").await,
        5,
        "editors find the scheduled article too"
    );
    assert_eq!(
        public_total(&app, &format!("?q=萍乡&channel={}", room.nanchang)).await,
        0
    );
    // Pages of one: the newest articles are walked and tested one by one.
    let mut paged = Vec::new();
    for page in 1..=5 {
        let body = app
            .get(&format!("/api/v1/articles?q=萍乡&per_page=1&page={page}"))
            .send()
            .await
            .ok(200);
        assert_eq!(body["meta"]["total"], 4);
        paged.extend(body.ids());
    }
    assert_eq!(paged, newest_first);
    let oldest_first: Vec<i64> = newest_first.iter().rev().copied().collect();
    let mut paged = Vec::new();
    for page in 1..=4 {
        let body = app
            .get(&format!(
                "/api/v1/articles?q=萍乡&per_page=1&page={page}&sort=published_at"
            ))
            .send()
            .await
            .ok(200);
        paged.extend(body.ids());
    }
    assert_eq!(paged, oldest_first);
}
