//! API tokens for integrators: made by admins, shown once, used as `Bearer nd_…` with
//! the rights of their scope, refused at once when revoked or expired.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::support::fixtures::{ArticleBuilder, ChannelBuilder, user_id};
use crate::support::wire::JsonExt;
use crate::support::{TestApp, TestResponse, access_log};

/// `POST /tokens` with `body`, as the admin.
async fn post_token(app: &TestApp, body: Value) -> TestResponse {
    app.post("/api/v1/tokens")
        .bearer(&app.admin)
        .json(&body)
        .send()
        .await
}

/// A token made by the admin through the API: its answer, secret included.
async fn create_token(app: &TestApp, name: &str, scope: &str) -> Value {
    post_token(app, json!({"name": name, "scope": scope}))
        .await
        .ok(201)
}

/// The first page of tokens, as the admin lists them.
async fn list_tokens(app: &TestApp) -> Value {
    app.get("/api/v1/tokens")
        .bearer(&app.admin)
        .send()
        .await
        .ok(200)
}

fn secret_of(created: &Value) -> String {
    created["secret"].as_str().expect("a secret").to_owned()
}

async fn read_token(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/tokens/{id}"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(200)
}

/// `GET /articles?status=draft` with `token`.
async fn drafts_with(app: &TestApp, token: &str) -> TestResponse {
    app.get("/api/v1/articles?status=draft")
        .bearer(token)
        .send()
        .await
}

/// The ids of the drafts `token` sees.
async fn drafts_seen_with(app: &TestApp, token: &str) -> Vec<i64> {
    drafts_with(app, token).await.ok(200).ids()
}

/// A channel, for what a test writes.
async fn a_channel(app: &TestApp) -> i64 {
    ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .create()
        .await
}

#[actix_web::test]
async fn the_secret_is_shown_once_and_never_listed_or_read_again() {
    let app = TestApp::new().await;
    let admin_id = user_id(&app, &app.admin).await;
    let res = post_token(
        &app,
        json!({"name": "Front-end build server", "scope": "read"}),
    )
    .await;
    let created = res.ok(201);
    let id = created.id();
    let secret = secret_of(&created);
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/tokens/{id}").as_str())
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(secret.starts_with("nd_"), "{secret}");
    assert_eq!(secret.len(), 3 + 64, "nd_ and 32 random bytes in hex");
    assert!(secret[3..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(created["hint"], secret[..9]);
    assert_eq!(created["name"], "Front-end build server");
    assert_eq!(created["scope"], "read");
    assert_eq!(created["created_by"], admin_id);
    for never_yet in ["expires_at", "last_used_at"] {
        assert!(created[never_yet].is_null(), "{never_yet}: {created}");
    }
    let other = secret_of(&create_token(&app, "App backend", "write").await);
    assert_ne!(secret, other);

    let read = app
        .get(&format!("/api/v1/tokens/{id}"))
        .bearer(&app.admin)
        .send()
        .await;
    let list = app.get("/api/v1/tokens").bearer(&app.admin).send().await;
    for answer in [&read, &list] {
        assert_eq!(answer.status, 200, "{}", answer.text());
        let text = answer.text();
        assert!(
            !text.contains(&secret[9..]) && !text.contains(&other[9..]),
            "a secret came back: {text}"
        );
        assert!(!text.contains("\"secret\""), "{text}");
        assert!(
            !answer
                .headers
                .iter()
                .any(|(_, v)| v.to_str().unwrap_or_default().contains(&secret[9..]))
        );
    }
    let mut shown = created.clone();
    shown.as_object_mut().unwrap().remove("secret");
    assert_eq!(read.json(), shown);
    let list = list.json();
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list.strs("name"), ["App backend", "Front-end build server"]);
}

#[actix_web::test]
async fn the_token_list_is_paged_with_links() {
    let app = TestApp::new().await;
    for n in 0..3 {
        create_token(&app, &format!("token {n}"), "read").await;
    }
    let res = app
        .get("/api/v1/tokens?per_page=2&page=2")
        .bearer(&app.admin)
        .send()
        .await;
    let page = res.ok(200);
    assert_eq!(page["meta"]["total"], 3);
    assert_eq!(page["meta"]["page_count"], 2);
    assert_eq!(page.strs("name"), ["token 0"], "newest first");
    let link = res.header("link").expect("a Link header");
    assert!(
        link.contains("rel=\"first\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
}

#[actix_web::test]
async fn a_token_reads_drafts_until_it_is_revoked_and_is_refused_at_once() {
    let app = TestApp::new().await;
    let channel = a_channel(&app).await;
    let draft = ArticleBuilder::new(&app).in_channel(channel).create().await;
    let created = create_token(&app, "Preview renderer", "write").await;
    let (id, token) = (created.id(), secret_of(&created));

    assert_eq!(drafts_seen_with(&app, &token).await, [draft.id]);

    app.delete(&format!("/api/v1/tokens/{id}"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(204);
    let refused = drafts_with(&app, &token).await;
    let problem = refused.problem(401);
    assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
    assert!(
        problem["detail"].as_str().unwrap().contains("revoked"),
        "{problem}"
    );
    // Not even as an anonymous reader: a token sent is never ignored.
    app.get("/api/v1/articles")
        .bearer(&token)
        .send()
        .await
        .problem(401);

    // Gone from the API like any deleted resource.
    app.get(&format!("/api/v1/tokens/{id}"))
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
    let listed = list_tokens(&app).await;
    assert_eq!(
        listed.ids(),
        Vec::<i64>::new(),
        "a revoked token is not listed"
    );
    assert_eq!(listed["meta"]["total"], 0);
    app.delete(&format!("/api/v1/tokens/{id}"))
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
    app.delete("/api/v1/tokens/999999")
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/tokens/999999")
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::new().await;
    let expires_at = Utc::now() + Duration::seconds(2);
    let created = post_token(
        &app,
        json!({"name": "Short-lived", "scope": "read", "expires_at": expires_at.to_rfc3339()}),
    )
    .await
    .ok(201);
    let stated: DateTime<Utc> = created["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        (stated - expires_at).num_milliseconds().abs() < 1,
        "{stated}"
    );
    let token = secret_of(&created);
    drafts_with(&app, &token).await.ok(200);

    let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
    actix_web::rt::time::sleep(left + StdDuration::from_millis(50)).await;
    let problem = drafts_with(&app, &token).await.problem(401);
    assert!(
        problem["detail"].as_str().unwrap().contains("expired"),
        "{problem}"
    );
}

#[actix_web::test]
async fn a_read_token_reads_what_an_editor_reads_but_every_write_is_403() {
    let app = TestApp::new().await;
    let channel = a_channel(&app).await;
    let draft = ArticleBuilder::new(&app).in_channel(channel).create().await;
    let token = secret_of(&create_token(&app, "Build server", "read").await);

    assert_eq!(drafts_seen_with(&app, &token).await, [draft.id]);
    let path = format!("/api/v1/articles/{}", draft.id);
    let read = app.get(&path).bearer(&token).send().await.ok(200);
    assert_eq!(read["status"], "draft");
    app.get(&format!("{path}/revisions"))
        .bearer(&token)
        .send()
        .await
        .ok(200);
    app.get("/api/v1/tips").bearer(&token).send().await.ok(200);

    let writes = [
        app.post("/api/v1/articles")
            .json(&json!({"title": "不该发出", "channel_id": channel, "pages": ["<p>x</p>"]})),
        app.patch(&path).json(&json!({"title": "改过了"})),
        app.delete(&path),
        app.post("/api/v1/channels")
            .json(&json!({"name": "新频道", "slug": "new-channel"})),
        app.post("/api/v1/auth/logout")
            .json(&json!({"refresh_token": "none"})),
    ];
    for write in writes {
        let problem = write.bearer(&token).send().await.problem(403);
        assert!(
            problem["detail"].as_str().unwrap().contains("read scope"),
            "{problem}"
        );
    }
    let after = app.get(&path).bearer(&app.editor).send().await.ok(200);
    assert_eq!(after["title"], draft.title);
    assert_eq!(after["version"], draft.version);
    assert_eq!(
        drafts_seen_with(&app, &app.editor).await,
        [draft.id],
        "nothing was created"
    );
}

#[actix_web::test]
async fn a_write_token_writes_as_an_editor_and_is_recorded_as_no_account() {
    let app = TestApp::new().await;
    let channel = a_channel(&app).await;
    let token = secret_of(&create_token(&app, "Wire importer", "write").await);

    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .title("通稿")
        .published()
        .sent_by(&token)
        .create()
        .await;
    assert_eq!(
        article.status, "published",
        "an editor's rights: it may publish"
    );
    let path = format!("/api/v1/articles/{}", article.id);
    app.patch(&path)
        .bearer(&app.editor)
        .json(&json!({"title": "通稿（更新）"}))
        .send()
        .await
        .ok(200);
    let revisions = app
        .get(&format!("{path}/revisions"))
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(revisions["meta"]["total"], 1);
    assert!(
        revisions["data"][0]["edited_by"].is_null(),
        "the token saved version 1, and it is no account: {revisions}"
    );
    app.delete(&path).bearer(&token).send().await.ok(204);
}

#[actix_web::test]
async fn only_admin_accounts_manage_tokens_and_a_token_is_not_its_admin() {
    let app = TestApp::new().await;
    let write_token = secret_of(&create_token(&app, "App backend", "write").await);
    for caller in [&app.editor, &app.reporter, &write_token] {
        app.get("/api/v1/tokens")
            .bearer(caller)
            .send()
            .await
            .problem(403);
        app.post("/api/v1/tokens")
            .bearer(caller)
            .json(&json!({"name": "mine", "scope": "write"}))
            .send()
            .await
            .problem(403);
    }
    app.get("/api/v1/tokens").send().await.problem(401);
    // Made by an admin, it still has no admin rights, and no account.
    app.get("/api/v1/users")
        .bearer(&write_token)
        .send()
        .await
        .problem(403);
    let me = app
        .get("/api/v1/auth/me")
        .bearer(&write_token)
        .send()
        .await
        .problem(403);
    assert!(me["detail"].as_str().unwrap().contains("not an account"));
}

#[actix_web::test]
async fn an_unknown_api_token_is_401_even_where_anyone_may_read() {
    let app = TestApp::new().await;
    let valid = secret_of(&create_token(&app, "Build server", "read").await);
    let forged = format!("nd_{}", "0".repeat(64));
    let truncated = valid[..valid.len() - 1].to_owned();
    for token in [forged.as_str(), truncated.as_str(), "nd_"] {
        let res = app.get("/api/v1/articles").bearer(token).send().await;
        res.problem(401);
        assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    }
}

#[actix_web::test]
async fn creating_a_token_checks_its_name_scope_and_expiry() {
    let app = TestApp::new().await;
    let past = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let res = post_token(
        &app,
        json!({"name": "  ", "scope": "read", "expires_at": past}),
    )
    .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["expires_at", "name"]);
    let res = post_token(&app, json!({"name": "Build server", "scope": "admin"})).await;
    assert_eq!(res.invalid_fields(), ["scope"]);
    let listed = list_tokens(&app).await;
    assert_eq!(listed["meta"]["total"], 0);
}

#[actix_web::test]
async fn last_used_at_is_set_after_use_and_written_at_most_once_a_minute() {
    let app = TestApp::new().await;
    let created = create_token(&app, "Build server", "read").await;
    let (id, token) = (created.id(), secret_of(&created));
    assert!(read_token(&app, id).await["last_used_at"].is_null());

    let before = Utc::now() - Duration::seconds(1);
    app.get("/api/v1/channels")
        .bearer(&token)
        .send()
        .await
        .ok(200);
    // Written by a task of its own, which the request does not wait for.
    let mut first_use = Value::Null;
    for _ in 0..100 {
        first_use = read_token(&app, id).await["last_used_at"].clone();
        if !first_use.is_null() {
            break;
        }
        actix_web::rt::time::sleep(StdDuration::from_millis(50)).await;
    }
    let at: DateTime<Utc> = first_use
        .as_str()
        .expect("last_used_at set after a use")
        .parse()
        .unwrap();
    assert!(at >= before && at <= Utc::now(), "{at}");

    for _ in 0..3 {
        app.get("/api/v1/channels")
            .bearer(&token)
            .send()
            .await
            .ok(200);
    }
    actix_web::rt::time::sleep(StdDuration::from_millis(200)).await;
    assert_eq!(
        read_token(&app, id).await["last_used_at"],
        first_use,
        "uses within the minute write nothing"
    );
}

#[actix_web::test]
async fn a_token_never_reaches_the_logs() {
    access_log::start();
    let app = TestApp::new().await;
    let created = create_token(&app, "Build server", "read").await;
    let (id, token) = (created.id(), secret_of(&created));
    drafts_with(&app, &token).await.ok(200);
    app.post("/api/v1/channels")
        .bearer(&token)
        .json(&json!({"name": "新频道", "slug": "new-channel"}))
        .send()
        .await
        .problem(403);
    app.delete(&format!("/api/v1/tokens/{id}"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(204);
    app.get("/api/v1/articles")
        .bearer(&token)
        .send()
        .await
        .problem(401);
    // The use written down after the first answer, and anything it logs, comes first.
    actix_web::rt::time::sleep(StdDuration::from_millis(200)).await;

    assert!(
        !access_log::lines_containing("/api/v1/").is_empty(),
        "the log is captured"
    );
    let leaked = access_log::lines_containing(&token[9..]);
    assert!(leaked.is_empty(), "the token was logged: {leaked:?}");
}
