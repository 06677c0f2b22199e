use crate::support::TestApp;

#[actix_web::test]
async fn the_demo_newsroom_shows_every_resource() {
    let app = TestApp::new().await;
    let state = app.state.clone();
    app.with_db(move |conn| newsdesk::seed::seed_demo(&state, conn))
        .await;

    let tree = app.get("/api/v1/channels?tree=true").send().await.ok(200);
    let portal = &tree["data"][0];
    assert_eq!(portal["name"], "大江网");
    let cities: Vec<&str> = portal["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        cities,
        [
            "nanchang",
            "jiujiang",
            "jingdezhen",
            "ganzhou",
            "xinyu",
            "shangrao",
            "jian",
            "fuzhou",
            "yichun",
            "pingxiang",
            "yingtan"
        ]
    );
    let pingxiang = app.get("/api/v1/channels/pingxiang").send().await.ok(200);
    assert_eq!(pingxiang["children"].as_array().unwrap().len(), 3);
    assert_eq!(pingxiang["tip_lines"].as_array().unwrap().len(), 3);

    let public = app.get("/api/v1/articles").send().await.ok(200);
    assert_eq!(
        public["meta"]["total"], 4,
        "the scheduled and draft articles stay hidden"
    );
    let multi_page = public["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["page_count"].as_i64().unwrap() > 1)
        .count();
    assert!(multi_page >= 2);
    assert!(public["data"][0]["source"]["name"].is_string());
    let everything = app
        .get("/api/v1/articles")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(everything["meta"]["total"], 6);

    let commented = app
        .get("/api/v1/articles/pingxiang-industry-turns-green")
        .send()
        .await
        .ok(200);
    assert_eq!(commented["comment_count"], 3);
    let pending = app
        .get("/api/v1/comments")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(pending["meta"]["total"], 1);
    let tips = app
        .get("/api/v1/tips")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(tips["meta"]["total"], 1);
    assert_eq!(
        app.get("/api/v1/authors").send().await.ok(200)["meta"]["total"],
        3
    );

    let state = app.state.clone();
    let again = app
        .state
        .db(move |conn| newsdesk::seed::seed_demo(&state, conn))
        .await;
    assert!(
        matches!(again, Err(newsdesk::error::ApiError::Conflict(_))),
        "a second seed is refused"
    );
}
