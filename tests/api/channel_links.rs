//! A channel's outside links: its WeChat official account, forum, newspapers …, written by
//! editors with the channel and shown to every reader.

use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn editors_set_ordered_links_readers_see_them_and_a_patch_replaces_them() {
    let app = TestApp::new().await;
    let created = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({
            "name": "萍乡频道", "slug": "pingxiang",
            "links": [
                {"kind": "wechat_official_account", "label": "中国江西网萍乡频道", "value": " djwpxpd "},
                {"kind": "forum", "label": "萍乡论坛", "url": "https://bbs.example.cn/pingxiang"},
                {"kind": "weibo", "label": "萍乡发布", "value": "pxfb"},
            ],
        }))
        .send()
        .await
        .ok(201);
    assert_eq!(created["links"][0]["value"], "djwpxpd", "trimmed");
    let shown = app.get("/api/v1/channels/pingxiang").send().await;
    let etag = shown.header("etag").unwrap().to_owned();
    let shown = shown.ok(200);
    assert_eq!(
        shown["links"],
        json!([
            {"kind": "wechat_official_account", "label": "中国江西网萍乡频道", "value": "djwpxpd", "url": null},
            {"kind": "forum", "label": "萍乡论坛", "value": null, "url": "https://bbs.example.cn/pingxiang"},
            {"kind": "weibo", "label": "萍乡发布", "value": "pxfb", "url": null},
        ])
    );
    let list = app.get("/api/v1/channels").send().await.ok(200);
    assert_eq!(list["data"][0]["links"], shown["links"]);

    // A PATCH without links keeps them; with links replaces the list, in its order.
    let renamed = app
        .patch("/api/v1/channels/pingxiang")
        .bearer(&app.editor)
        .header("if-match", &etag)
        .json(&json!({"name": "萍乡"}))
        .send()
        .await;
    let etag = renamed.header("etag").unwrap().to_owned();
    assert_eq!(renamed.ok(200)["links"], shown["links"]);
    let replaced = app
        .patch("/api/v1/channels/pingxiang")
        .bearer(&app.editor)
        .header("if-match", &etag)
        .json(&json!({"links": [
            {"kind": "app", "label": "萍乡手机台", "url": "https://app.example.cn/px"},
            {"kind": "website", "label": "萍乡日报", "url": "https://pxrb.example.cn/"},
        ]}))
        .send()
        .await
        .ok(200);
    let labels: Vec<&str> = replaced["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["萍乡手机台", "萍乡日报"]);
    let shown = app.get("/api/v1/channels/pingxiang").send().await.ok(200);
    assert_eq!(
        shown["links"], replaced["links"],
        "the cached answer was purged"
    );
}

#[actix_web::test]
async fn each_link_is_checked_by_its_kind_and_nothing_is_kept_from_a_refused_write() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({
            "name": "萍乡频道", "slug": "pingxiang",
            "links": [
                {"kind": "wechat_official_account", "label": "公众号", "value": "9-not-an-id"},
                {"kind": "wechat_official_account", "label": "公众号"},
                {"kind": "website", "label": "报纸", "url": "ftp://example.cn/"},
                {"kind": "forum", "label": "论坛", "value": "bbs"},
                {"kind": "weibo", "label": "微博"},
                {"kind": "app", "label": " ", "url": "https://app.example.cn/"},
            ],
        }))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "links[0].value",
            "links[1].value",
            "links[2].url",
            "links[3].url",
            "links[3].value",
            "links[4].url",
            "links[5].label",
        ]
    );
    app.get("/api/v1/channels/pingxiang")
        .send()
        .await
        .problem(404);
    let unknown = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "x", "slug": "x", "links": [{"kind": "qq", "label": "QQ", "value": "1"}]}))
        .send()
        .await;
    assert_eq!(unknown.status.as_u16(), 422);
    let too_many: Vec<_> = (0..21)
        .map(|n| json!({"kind": "website", "label": format!("报纸{n}"), "url": "https://example.cn/"}))
        .collect();
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "x", "slug": "x", "links": too_many}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["links"]);
    let null = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "x", "slug": "x"}))
        .send()
        .await
        .ok(201);
    let etag = app
        .get("/api/v1/channels/x")
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    assert_eq!(null["links"], json!([]));
    let res = app
        .patch("/api/v1/channels/x")
        .bearer(&app.editor)
        .header("if-match", &etag)
        .json(&json!({"links": null}))
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 422, "links cannot be null");
}

#[actix_web::test]
async fn the_demo_shows_pingxiangs_wechat_account_and_forum_and_the_groups_newspapers() {
    let app = TestApp::new().await;
    let state = app.state.clone();
    app.with_db(move |conn| newsdesk::seed::seed_demo(&state, conn))
        .await;
    let pingxiang = app.get("/api/v1/channels/pingxiang").send().await.ok(200);
    assert_eq!(pingxiang["links"][0]["kind"], "wechat_official_account");
    assert_eq!(pingxiang["links"][0]["label"], "中国江西网萍乡频道");
    assert_eq!(pingxiang["links"][0]["value"], "djwpxpd");
    assert_eq!(pingxiang["links"][1]["label"], "萍乡论坛");
    let portal = app.get("/api/v1/channels/portal").send().await.ok(200);
    let papers: Vec<&str> = portal["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "website")
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(papers, ["江西日报", "信息日报", "江南都市报", "新法制报"]);
}
