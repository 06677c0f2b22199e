use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, ChannelBuilder, TipLineBuilder, user_id};
use crate::support::wire::{ChannelDetail, JsonExt};

#[actix_web::test]
async fn channels_list_their_active_tip_lines_in_order() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let hotline = TipLineBuilder::new(&app)
        .in_channel(channel)
        .kind("hotline")
        .label("新闻热线")
        .value("0799-6321110")
        .position(1)
        .create()
        .await;
    let sms = TipLineBuilder::new(&app)
        .in_channel(channel)
        .kind("sms")
        .label("短信(微信)爆料")
        .value("13767890011")
        .position(3)
        .create()
        .await;
    let qq = TipLineBuilder::new(&app)
        .in_channel(channel)
        .kind("qq")
        .label("QQ爆料")
        .value("1642308157")
        .position(2)
        .create()
        .await;
    let retired = TipLineBuilder::new(&app)
        .in_channel(channel)
        .kind("email")
        .label("旧邮箱")
        .value("tips@example.com")
        .position(0)
        .inactive()
        .create()
        .await;
    assert_eq!(hotline.kind, "hotline");
    assert_eq!(hotline.label, "新闻热线");
    assert_eq!(hotline.value, "0799-6321110");

    let detail: ChannelDetail = app
        .get("/api/v1/channels/pingxiang")
        .send()
        .await
        .ok(200)
        .to();
    let labels: Vec<&str> = detail.tip_lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["新闻热线", "QQ爆料", "短信(微信)爆料"]);

    let public = app
        .get("/api/v1/tip-lines?channel=pingxiang")
        .send()
        .await
        .ok(200);
    assert_eq!(public.ids(), [hotline.id, qq.id, sms.id]);
    app.get(&format!("/api/v1/tip-lines/{}", retired.id))
        .send()
        .await
        .problem(404);

    let editors = app
        .get("/api/v1/tip-lines")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(
        editors["meta"]["total"], 4,
        "editors see inactive lines too"
    );
    let detail: ChannelDetail = app
        .get("/api/v1/channels/pingxiang")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200)
        .to();
    assert_eq!(detail.tip_lines.len(), 4);
}

#[actix_web::test]
async fn editors_change_and_delete_tip_lines_and_others_cannot() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let hotline = TipLineBuilder::new(&app)
        .in_channel(channel)
        .kind("hotline")
        .label("新闻热线")
        .value("0799-6321110")
        .position(1)
        .create()
        .await;
    let path = format!("/api/v1/tip-lines/{}", hotline.id);
    let changed = app
        .patch(&path)
        .bearer(&app.editor)
        .json(&json!({"active": false}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["active"], false);
    assert_eq!(changed["version"], 2);
    app.patch(&path)
        .bearer(&app.reporter)
        .json(&json!({"active": true}))
        .send()
        .await
        .problem(403);
    app.post("/api/v1/tip-lines")
        .json(&json!({"channel_id": channel, "kind": "qq", "label": "QQ", "value": "12345"}))
        .send()
        .await
        .problem(401);
    app.delete(&path).bearer(&app.editor).send().await.ok(204);
    app.get(&path).bearer(&app.editor).send().await.problem(404);
}

#[actix_web::test]
async fn invalid_tip_lines_are_422_naming_the_field() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let unknown_kind = app
        .post("/api/v1/tip-lines")
        .bearer(&app.editor)
        .json(&json!({"channel_id": channel, "kind": "pager", "label": "寻呼", "value": "123"}))
        .send()
        .await;
    assert_eq!(unknown_kind.invalid_fields(), ["kind"]);
    for (kind, value) in [
        ("qq", "not-a-number"),
        ("hotline", "call us"),
        ("email", "nobody"),
        ("web", "javascript:alert(1)"),
    ] {
        let res = app
            .post("/api/v1/tip-lines")
            .bearer(&app.editor)
            .json(&json!({"channel_id": channel, "kind": kind, "label": "x", "value": value}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["value"], "{kind} {value}");
    }
    let res = app
        .post("/api/v1/tip-lines")
        .bearer(&app.editor)
        .json(&json!({"channel_id": 999, "kind": "qq", "label": "", "value": "12345"}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["channel_id", "label"]);
}

#[actix_web::test]
async fn readers_send_tips_and_only_the_newsroom_reads_them() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let content = "安源区某小区门口的路灯坏了一个多月。<b>不是HTML</b>";
    let receipt = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": content, "contact": "13800000000", "name": "王先生"}))
        .send()
        .await
        .ok(202);
    assert_eq!(receipt["status"], "new");
    let id = receipt.id();
    let path = format!("/api/v1/tips/{id}");

    app.get("/api/v1/tips").send().await.problem(401);
    app.get(&path).send().await.problem(401);
    let tip = app.get(&path).bearer(&app.editor).send().await.ok(200);
    assert_eq!(tip["content"], content, "stored as given");
    assert_eq!(tip["contact"], "13800000000");
    assert_eq!(tip["status"], "new");
    assert!(tip.get("client_hash").is_none());

    let inbox = app
        .get("/api/v1/tips?status=new")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(inbox["meta"]["total"], 1);
    let empty = app
        .get("/api/v1/tips?status=used")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(empty["meta"]["total"], 0);
}

#[actix_web::test]
async fn editors_triage_tips_and_reporters_see_only_theirs() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let send = |text: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/tips")
                .json(&json!({"channel_id": channel, "content": text}))
                .send()
                .await
                .ok(202)
                .id()
        }
    };
    let mine = send("第一条线索").await;
    let other = send("第二条线索").await;
    let reporter_id = user_id(&app, &app.reporter).await;
    let article = ArticleBuilder::new(&app).in_channel(channel).create().await;

    app.get("/api/v1/tips")
        .bearer(&app.reporter)
        .send()
        .await
        .ok(200);
    app.get(&format!("/api/v1/tips/{mine}"))
        .bearer(&app.reporter)
        .send()
        .await
        .problem(404);
    let triaged = app
        .patch(&format!("/api/v1/tips/{mine}"))
        .bearer(&app.editor)
        .json(
            &json!({"status": "in_progress", "assignee_id": reporter_id, "article_id": article.id}),
        )
        .send()
        .await
        .ok(200);
    assert_eq!(triaged["status"], "in_progress");
    assert_eq!(triaged["assignee_id"], reporter_id);
    assert_eq!(triaged["article_id"], article.id);

    let theirs = app
        .get("/api/v1/tips")
        .bearer(&app.reporter)
        .send()
        .await
        .ok(200);
    assert_eq!(theirs.ids(), [mine]);
    app.get(&format!("/api/v1/tips/{other}"))
        .bearer(&app.reporter)
        .send()
        .await
        .problem(404);
    app.patch(&format!("/api/v1/tips/{mine}"))
        .bearer(&app.reporter)
        .json(&json!({"status": "used"}))
        .send()
        .await
        .ok(200);
    app.patch(&format!("/api/v1/tips/{mine}"))
        .bearer(&app.reporter)
        .json(&json!({"assignee_id": null}))
        .send()
        .await
        .problem(403);

    let bad = app
        .patch(&format!("/api/v1/tips/{other}"))
        .bearer(&app.editor)
        .json(&json!({"status": "archived", "assignee_id": 9999}))
        .send()
        .await;
    assert_eq!(bad.invalid_fields(), ["status"]);
    let bad = app
        .patch(&format!("/api/v1/tips/{other}"))
        .bearer(&app.editor)
        .json(&json!({"assignee_id": 9999, "article_id": 9999}))
        .send()
        .await;
    let mut fields = bad.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["article_id", "assignee_id"]);
}

#[actix_web::test]
async fn invalid_tips_are_named_and_the_honeypot_sets_them_aside_quietly() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let res = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": 999, "content": " ", "contact": "x".repeat(101)}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["channel_id", "contact", "content"]);
    let long = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": "长".repeat(5001)}))
        .send()
        .await;
    assert_eq!(long.invalid_fields(), ["content"]);

    let bot = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": "买药找我", "website": "http://spam.example"}))
        .send()
        .await
        .ok(202);
    let human = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": "路灯坏了"}))
        .send()
        .await
        .ok(202);
    // The same receipt, so a bot cannot tell that it was caught.
    assert_eq!(bot["status"], "new");
    assert!(bot["id"].is_i64());
    assert_eq!(
        bot.as_object().unwrap().keys().collect::<Vec<_>>(),
        human.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    let inbox = app
        .get("/api/v1/tips")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(
        inbox["meta"]["total"], 1,
        "the inbox shows the reader's tip"
    );
    assert_eq!(inbox["data"][0]["id"], human["id"]);
    let spam = app
        .get("/api/v1/tips?status=spam")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(
        spam["meta"]["total"], 1,
        "the bot's tip waits for review as spam"
    );
    assert_eq!(spam["data"][0]["id"], bot["id"]);
}

#[actix_web::test]
async fn public_writes_are_limited_per_client_with_retry_after() {
    let app = TestApp::with_env(&[("NEWSDESK_PUBLIC_WRITES_PER_MINUTE", "2")]).await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .published()
        .create()
        .await;
    let tip = json!({"channel_id": channel, "content": "线索"});
    app.post("/api/v1/tips")
        .peer("198.51.100.7:1000")
        .json(&tip)
        .send()
        .await
        .ok(202);
    app.post(&format!("/api/v1/articles/{}/comments", article.id))
        .peer("198.51.100.7:1001")
        .json(&json!({"author_name": "网友", "body": "第一条"}))
        .send()
        .await
        .ok(201);
    let limited = app
        .post("/api/v1/tips")
        .peer("198.51.100.7:1002")
        .json(&tip)
        .send()
        .await;
    limited.problem(429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let comment = app
        .post(&format!("/api/v1/articles/{}/comments", article.id))
        .peer("198.51.100.7:1003")
        .json(&json!({"author_name": "网友", "body": "第二条"}))
        .send()
        .await;
    comment.problem(429);
    app.post("/api/v1/tips")
        .peer("203.0.113.9:1000")
        .json(&tip)
        .send()
        .await
        .ok(202);
}

#[actix_web::test]
async fn the_forwarded_address_counts_only_when_the_proxy_is_trusted() {
    let untrusted = TestApp::with_env(&[("NEWSDESK_PUBLIC_WRITES_PER_MINUTE", "1")]).await;
    let channel = ChannelBuilder::new(&untrusted, "萍乡频道", "pingxiang")
        .create()
        .await;
    let tip = json!({"channel_id": channel, "content": "线索"});
    for (forwarded, status) in [("198.51.100.1", 202), ("198.51.100.2", 429)] {
        let res = untrusted
            .post("/api/v1/tips")
            .peer("10.0.0.1:5000")
            .header("X-Forwarded-For", forwarded)
            .json(&tip)
            .send()
            .await;
        assert_eq!(
            res.status.as_u16(),
            status,
            "the peer address is what counts"
        );
    }

    let trusted = TestApp::with_env(&[
        ("NEWSDESK_PUBLIC_WRITES_PER_MINUTE", "1"),
        ("NEWSDESK_TRUST_FORWARDED_FOR", "true"),
    ])
    .await;
    let channel = ChannelBuilder::new(&trusted, "萍乡频道", "pingxiang")
        .create()
        .await;
    let tip = json!({"channel_id": channel, "content": "线索"});
    for forwarded in ["198.51.100.1", "198.51.100.2"] {
        trusted
            .post("/api/v1/tips")
            .peer("10.0.0.1:5000")
            .header("X-Forwarded-For", forwarded)
            .json(&tip)
            .send()
            .await
            .ok(202);
    }
}

/// Sends one tip per `(peer, X-Forwarded-For, expected status)`, in order, to an app
/// that trusts forwarded addresses and allows one public write per client.
async fn send_forwarded_tips(env: &[(&str, &str)], cases: &[(&str, &str, u16)]) {
    let env: Vec<_> = [
        ("NEWSDESK_PUBLIC_WRITES_PER_MINUTE", "1"),
        ("NEWSDESK_TRUST_FORWARDED_FOR", "true"),
    ]
    .into_iter()
    .chain(env.iter().copied())
    .collect();
    let app = TestApp::with_env(&env).await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let tip = json!({"channel_id": channel, "content": "线索"});
    for (peer, forwarded, status) in cases {
        let res = app
            .post("/api/v1/tips")
            .peer(peer)
            .header("X-Forwarded-For", forwarded)
            .json(&tip)
            .send()
            .await;
        assert_eq!(res.status.as_u16(), *status, "{peer} {forwarded}");
    }
}

#[actix_web::test]
async fn forged_forwarded_entries_do_not_escape_the_public_write_limit() {
    // The client writes whatever it likes on the left; the proxy appends the real peer.
    // An entry that is no address falls back to the peer, which is counted too.
    send_forwarded_tips(
        &[],
        &[
            ("10.0.0.1:5000", "198.51.100.1, 203.0.113.7", 202),
            ("10.0.0.1:5000", "198.51.100.2, 203.0.113.7", 429),
            ("10.0.0.1:5000", "203.0.113.7", 429),
            ("10.0.0.1:5000", "not-an-address, 203.0.113.8", 202),
            ("10.0.0.2:5000", "198.51.100.9, garbage", 202),
            ("10.0.0.2:5001", "198.51.100.9, garbage", 429),
        ],
    )
    .await;
}

#[actix_web::test]
async fn with_two_trusted_proxies_the_address_the_outer_one_saw_counts() {
    send_forwarded_tips(
        &[("NEWSDESK_TRUSTED_PROXY_HOPS", "2")],
        &[
            ("10.0.0.1:5000", "198.51.100.1, 203.0.113.7, 10.0.0.2", 202),
            ("10.0.0.1:5000", "198.51.100.2, 203.0.113.7, 10.0.0.3", 429),
            ("10.0.0.1:5000", "203.0.113.8, 10.0.0.2", 202),
            // Fewer entries than trusted hops: the peer counts.
            ("10.0.0.4:5000", "203.0.113.9", 202),
            ("10.0.0.4:5000", "203.0.113.10", 429),
        ],
    )
    .await;
}

#[actix_web::test]
async fn the_stored_client_hash_is_not_keyed_with_the_jwt_secret() {
    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let id = app
        .post("/api/v1/tips")
        .peer("198.51.100.7:1000")
        .json(&json!({"channel_id": channel, "content": "线索"}))
        .send()
        .await
        .ok(202)["id"]
        .as_i64()
        .unwrap();
    let stored = app
        .with_db(move |conn| Ok(newsdesk::tips::repo::find(conn, id)?.unwrap().client_hash))
        .await;
    let under_jwt_secret =
        newsdesk::domain::token::salted_hash(crate::support::SECRET.as_bytes(), "198.51.100.7");
    assert_ne!(stored, under_jwt_secret);
    let expected = newsdesk::state::ClientTrace::new(&app.state, "198.51.100.7".into()).hash;
    assert_eq!(stored, expected);
}
