//! ETag, If-None-Match and If-Match behave the same on every resource.

use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::ChannelBuilder;

#[actix_web::test]
async fn a_resource_etag_answers_304_until_it_changes() {
    let app = TestApp::new().await;
    let id = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let path = format!("/api/v1/channels/{id}");
    let first = app.get(&path).send().await;
    let etag = first.header("etag").unwrap().to_owned();
    assert!(etag.starts_with("\"v1-"), "{etag}");

    let again = app.get(&path).header("If-None-Match", &etag).send().await;
    assert_eq!(again.status.as_u16(), 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    app.patch(&path)
        .bearer(&app.editor)
        .json(&json!({"name": "萍乡频道"}))
        .send()
        .await
        .ok(200);
    let changed = app.get(&path).header("If-None-Match", &etag).send().await;
    assert_eq!(changed.ok(200)["name"], "萍乡频道");
}

#[actix_web::test]
async fn a_child_added_changes_the_parents_etag() {
    let app = TestApp::new().await;
    let id = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let path = format!("/api/v1/channels/{id}");
    let etag = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    ChannelBuilder::new(&app, "社会聚焦", "society")
        .parent(id)
        .create()
        .await;
    let res = app.get(&path).header("If-None-Match", &etag).send().await;
    assert_eq!(res.ok(200)["children"][0]["slug"], "society");
}

#[actix_web::test]
async fn lists_carry_an_etag_and_answer_304() {
    let app = TestApp::new().await;
    ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let etag = app
        .get("/api/v1/channels")
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let res = app
        .get("/api/v1/channels")
        .header("If-None-Match", &etag)
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 304);
    ChannelBuilder::new(&app, "南昌", "nanchang").create().await;
    app.get("/api/v1/channels")
        .header("If-None-Match", &etag)
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn a_stale_if_match_is_412_and_a_current_one_passes() {
    let app = TestApp::new().await;
    let id = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let path = format!("/api/v1/channels/{id}");
    let v1 = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let v2 = app
        .patch(&path)
        .bearer(&app.editor)
        .header("If-Match", &v1)
        .json(&json!({"name": "萍乡频道"}))
        .send()
        .await;
    let v2 = v2.header("etag").unwrap().to_owned();
    app.patch(&path)
        .bearer(&app.editor)
        .header("If-Match", &v1)
        .json(&json!({"name": "lost update"}))
        .send()
        .await
        .problem(412);
    app.delete(&path)
        .bearer(&app.editor)
        .header("If-Match", &v1)
        .send()
        .await
        .problem(412);
    assert_eq!(app.get(&path).send().await.ok(200)["name"], "萍乡频道");
    app.delete(&path)
        .bearer(&app.editor)
        .header("If-Match", &v2)
        .send()
        .await
        .ok(204);
}

#[actix_web::test]
async fn signed_in_reads_are_private_and_anonymous_ones_public() {
    let app = TestApp::new().await;
    let anonymous = app.get("/api/v1/channels").send().await;
    assert_eq!(
        anonymous.header("cache-control"),
        Some("public, max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400")
    );
    assert_eq!(anonymous.header("surrogate-key"), Some("channels"));
    let signed_in = app.get("/api/v1/channels").bearer(&app.editor).send().await;
    assert_eq!(signed_in.header("cache-control"), Some("private, no-cache"));
    assert_eq!(signed_in.header("surrogate-key"), None);
}
