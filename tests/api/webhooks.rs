//! Webhooks through the HTTP layer and a real job worker: deliveries to a receiver on a
//! real socket, signed the Standard Webhooks way, retried, given up, redelivered; the
//! outbox written with the change; SSRF refusals; scheduled publications announced once.

use std::time::Duration;

use chrono::Utc;
use newsdesk::jobs::worker::Workers;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, ChannelBuilder};
use crate::support::receiver::{Received, Receiver};

/// Receivers listen on 127.0.0.1, which webhooks may reach only when allowed.
const TEST_ENV: &[(&str, &str)] = &[
    ("NEWSDESK_WEBHOOK_ALLOW", "127.0.0.1"),
    ("NEWSDESK_JOB_BACKOFF_MS", "50"),
    ("NEWSDESK_JOB_POLL_MS", "100"),
];

const WAIT: Duration = Duration::from_secs(15);

async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let mut env: Vec<(&str, &str)> = TEST_ENV.to_vec();
    env.extend_from_slice(extra);
    TestApp::with_env(&env).await
}

fn start_workers(state: &newsdesk::AppState) -> Workers {
    Workers::start(state, 1).expect("start workers")
}

async fn stop(workers: Workers) {
    actix_web::web::block(move || workers.stop())
        .await
        .expect("stop workers");
}

async fn create_hook(app: &TestApp, url: &str, events: &[&str]) -> Value {
    app.post("/api/v1/webhooks")
        .bearer(&app.admin)
        .json(&json!({"url": url, "events": events, "description": "test receiver"}))
        .send()
        .await
        .ok(201)
}

async fn channel(app: &TestApp) -> i64 {
    let slug = format!("c{}", rand_suffix());
    ChannelBuilder::new(app, "频道", &slug).create().await
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn hook_id(app: &TestApp, url: &str, events: &[&str]) -> i64 {
    create_hook(app, url, events).await["id"].as_i64().unwrap()
}

async fn deliveries(app: &TestApp, hook: i64) -> Vec<Value> {
    let page = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(200);
    page["data"].as_array().cloned().unwrap_or_default()
}

/// Waits until the webhook's deliveries satisfy `done`; they, as they are by then.
async fn deliveries_when(app: &TestApp, hook: i64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = std::time::Instant::now();
    loop {
        let list = deliveries(app, hook).await;
        if done(&list) || start.elapsed() > WAIT {
            return list;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates something as the editor (a channel, an author), so that it causes an event.
async fn editor_creates(app: &TestApp, path: &str, body: Value) {
    app.post(path)
        .bearer(&app.editor)
        .json(&body)
        .send()
        .await
        .ok(201);
}

/// Waits until the webhook's newest delivery has `status`; the deliveries by then.
async fn first_delivery_is(app: &TestApp, hook: i64, status: &str) -> Vec<Value> {
    deliveries_when(app, hook, |l| {
        l.first().is_some_and(|d| d["status"] == status)
    })
    .await
}

/// Checks a delivery's signature as a receiver would: the Standard Webhooks scheme.
fn signed_with(received: &Received, secret: &str) -> bool {
    let timestamp: i64 = received.header("webhook-timestamp").parse().unwrap_or(0);
    let expected = newsdesk::outbound::webhook::sign(
        secret,
        received.header("webhook-id"),
        timestamp,
        &received.body,
    );
    expected.as_deref() == Some(received.header("webhook-signature"))
        && (Utc::now().timestamp() - timestamp).abs() < 300
}

#[actix_web::test]
async fn signature_matches_the_standard_webhooks_example() {
    // The example in the Standard Webhooks specification.
    let signature = newsdesk::outbound::webhook::sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        br#"{"test": 2432232314}"#,
    );
    assert_eq!(
        signature.as_deref(),
        Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    );
}

#[actix_web::test]
async fn a_published_article_is_delivered_signed_with_the_secret_shown_once() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    let created = create_hook(&app, &receiver.url, &["article.published"]).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let hook = created["id"].as_i64().unwrap();
    let read = app
        .get(&format!("/api/v1/webhooks/{hook}"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(200);
    assert!(
        read.get("secret").is_none(),
        "the secret is shown once: {read}"
    );
    assert_eq!(read["events"], json!(["article.published"]));

    let workers = start_workers(&app.state);
    let article = ArticleBuilder::new(&app)
        .in_channel(channel(&app).await)
        .title("头条")
        .published()
        .create()
        .await;
    let got = receiver.wait_for(1, WAIT).await;
    stop(workers).await;

    assert_eq!(got.len(), 1, "one delivery");
    let delivery = &got[0];
    assert_eq!(delivery.header("content-type"), "application/json");
    assert!(
        signed_with(delivery, &secret),
        "signature: {:?}",
        delivery.headers
    );
    let body = delivery.json();
    assert_eq!(body["type"], "article.published");
    assert_eq!(body["id"], delivery.header("webhook-id"));
    assert_eq!(body["data"]["id"], json!(article.id));
    assert_eq!(body["data"]["title"], "头条");
    assert!(
        chrono::DateTime::parse_from_rfc3339(body["occurred_at"].as_str().unwrap()).is_ok(),
        "{body}"
    );
    let list = first_delivery_is(&app, hook, "delivered").await;
    assert_eq!(list[0]["status"], "delivered");
    assert_eq!(list[0]["attempts"], 1);
    assert_eq!(list[0]["response_status"], 200);
    assert_eq!(list[0]["event"], "article.published");

    // A rotated secret signs what follows; the old one no longer verifies.
    let rotated = app
        .post(&format!("/api/v1/webhooks/{hook}/rotate-secret"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(200);
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let workers = start_workers(&app.state);
    ArticleBuilder::new(&app)
        .in_channel(channel(&app).await)
        .slug("second")
        .published()
        .create()
        .await;
    let got = receiver.wait_for(2, WAIT).await;
    stop(workers).await;
    assert!(signed_with(&got[1], &new_secret));
    assert!(!signed_with(&got[1], &secret));
}

#[actix_web::test]
async fn a_write_that_fails_enqueues_nothing() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    let hook = hook_id(&app, &receiver.url, &["article.*"]).await;
    ArticleBuilder::new(&app)
        .in_channel(channel(&app).await)
        .slug("taken")
        .published()
        .create()
        .await;
    // The same slug again: the write fails after its checks ran, and rolls back.
    app.post("/api/v1/articles")
        .bearer(&app.editor)
        .json(
            &json!({"title": "又一篇", "slug": "taken", "status": "published",
            "channel_id": channel(&app).await, "pages": ["<p>x</p>"]}),
        )
        .send()
        .await
        .problem(409);
    // Nothing ran yet: the worker starts after both writes.
    let workers = start_workers(&app.state);
    let list = deliveries_when(&app, hook, |l| l.iter().any(|d| d["status"] == "delivered")).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    stop(workers).await;
    assert_eq!(deliveries(&app, hook).await.len(), 1, "{list:?}");
    assert_eq!(receiver.received().len(), 1);
}

#[actix_web::test]
async fn a_receiver_that_fails_twice_gets_the_delivery_on_the_third_attempt() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(2);
    let hook = hook_id(&app, &receiver.url, &["channel.*"]).await;
    let workers = start_workers(&app.state);
    editor_creates(
        &app,
        "/api/v1/channels",
        json!({"name": "南昌", "slug": "nanchang"}),
    )
    .await;
    let list = first_delivery_is(&app, hook, "delivered").await;
    stop(workers).await;
    let got = receiver.received();
    assert_eq!(got.len(), 3, "two failures, then success");
    // Every attempt carries the same message id and body.
    assert!(
        got.iter()
            .all(|r| r.header("webhook-id") == got[0].header("webhook-id"))
    );
    assert!(got.iter().all(|r| r.body == got[0].body));
    assert_eq!(got[0].json()["type"], "channel.created");
    assert_eq!(list[0]["status"], "delivered", "{list:?}");
    assert_eq!(list[0]["attempts"], 3);
    assert_eq!(list[0]["response_status"], 200);
    assert!(list[0]["delivered_at"].is_string());
}

#[actix_web::test]
async fn a_delivery_fails_after_its_attempts_and_can_be_redelivered() {
    let app = app_with(&[("NEWSDESK_JOB_MAX_ATTEMPTS", "3")]).await;
    let receiver = Receiver::start(usize::MAX);
    let created = create_hook(&app, &receiver.url, &["author.created"]).await;
    let hook = created["id"].as_i64().unwrap();
    let workers = start_workers(&app.state);
    editor_creates(
        &app,
        "/api/v1/authors",
        json!({"name": "梁永明", "slug": "liang"}),
    )
    .await;
    let list = first_delivery_is(&app, hook, "failed").await;
    assert_eq!(list[0]["status"], "failed", "{list:?}");
    assert_eq!(list[0]["attempts"], 3);
    assert_eq!(list[0]["response_status"], 500);
    assert!(list[0]["last_error"].as_str().unwrap().contains("500"));
    assert!(
        !list[0]
            .to_string()
            .contains(created["secret"].as_str().unwrap()),
        "the secret never shows in deliveries"
    );
    assert_eq!(receiver.received().len(), 3);

    receiver.fail_next(0);
    let delivery = list[0]["id"].as_i64().unwrap();
    app.post(&format!(
        "/api/v1/webhooks/{hook}/deliveries/{delivery}/redeliver"
    ))
    .bearer(&app.admin)
    .send()
    .await
    .ok(202);
    let list = first_delivery_is(&app, hook, "delivered").await;
    stop(workers).await;
    assert_eq!(list[0]["status"], "delivered", "{list:?}");
    assert_eq!(list[0]["attempts"], 4);
    let got = receiver.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].header("webhook-id"), got[0].header("webhook-id"));

    // Someone else's delivery id is not found.
    app.post(&format!(
        "/api/v1/webhooks/{hook}/deliveries/999999/redeliver"
    ))
    .bearer(&app.admin)
    .send()
    .await
    .problem(404);
}

#[actix_web::test]
async fn webhooks_are_for_admins_only() {
    let app = app_with(&[]).await;
    app.get("/api/v1/webhooks")
        .bearer(&app.editor)
        .send()
        .await
        .problem(403);
    app.post("/api/v1/webhooks")
        .bearer(&app.editor)
        .json(&json!({"url": "https://example.com/", "events": ["*"]}))
        .send()
        .await
        .problem(403);
    app.get("/api/v1/webhooks").send().await.problem(401);
}

#[actix_web::test]
async fn urls_reaching_private_addresses_are_refused() {
    // No allow-list: only public addresses.
    let app = TestApp::new().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.10/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "ftp://example.com/",
    ] {
        let problem = app
            .post("/api/v1/webhooks")
            .bearer(&app.admin)
            .json(&json!({"url": url, "events": ["*"]}))
            .send()
            .await;
        assert_eq!(
            problem.invalid_fields(),
            ["url"],
            "{url}: {}",
            problem.text()
        );
    }
    // An update to such a URL is refused the same way.
    let allowed = app_with(&[]).await;
    let receiver = Receiver::start(0);
    let hook = create_hook(&allowed, &receiver.url, &["*"]).await;
    let problem = allowed
        .patch(&format!("/api/v1/webhooks/{}", hook["id"]))
        .bearer(&allowed.admin)
        .json(&json!({"url": "http://169.254.169.254/"}))
        .send()
        .await;
    assert_eq!(problem.invalid_fields(), ["url"], "{}", problem.text());
    // Unknown events are named too.
    let problem = allowed
        .post("/api/v1/webhooks")
        .bearer(&allowed.admin)
        .json(&json!({"url": receiver.url, "events": ["article.created"]}))
        .send()
        .await;
    assert_eq!(
        problem.invalid_fields(),
        ["events[0]"],
        "{}",
        problem.text()
    );
}

#[actix_web::test]
async fn the_address_is_checked_again_when_delivering() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    let hook = hook_id(&app, &receiver.url, &["channel.created"]).await;
    // The workers of a node that does not allow 127.0.0.1 (the address is no longer
    // allowed, as when DNS now points a public name at a private address).
    let mut config = (*app.state.config).clone();
    config.webhook_allow = Default::default();
    config.jobs.max_attempts = 1;
    let strict = newsdesk::AppState::new(config, app.state.pool.clone()).unwrap();
    let workers = start_workers(&strict);
    editor_creates(
        &app,
        "/api/v1/channels",
        json!({"name": "萍乡", "slug": "pingxiang"}),
    )
    .await;
    let list = first_delivery_is(&app, hook, "failed").await;
    stop(workers).await;
    assert_eq!(list[0]["status"], "failed", "{list:?}");
    assert!(
        list[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("may not reach"),
        "{list:?}"
    );
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

#[actix_web::test]
async fn a_tip_is_delivered_with_its_contact() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    create_hook(&app, &receiver.url, &["tip.received"]).await;
    let channel = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "南昌", "slug": "nanchang"}))
        .send()
        .await
        .ok(201)["id"]
        .clone();
    let workers = start_workers(&app.state);
    app.post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": "路灯坏了一个多月。", "contact": "13800000000"}))
        .send()
        .await
        .ok(202);
    let got = receiver.wait_for(1, WAIT).await;
    stop(workers).await;
    assert_eq!(got.len(), 1);
    let body = got[0].json();
    assert_eq!(body["type"], "tip.received");
    assert_eq!(body["data"]["contact"], "13800000000");
}

#[actix_web::test]
async fn a_scheduled_article_is_announced_once_when_its_time_comes() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    create_hook(&app, &receiver.url, &["article.published"]).await;
    // Workers of two nodes (two processes on PostgreSQL; one on SQLite).
    let nodes = if app.is_postgres() { 2 } else { 1 };
    let mut workers = Vec::new();
    for _ in 0..nodes {
        let state =
            newsdesk::AppState::new((*app.state.config).clone(), app.state.pool.clone()).unwrap();
        workers.push(Workers::start(&state, 2).unwrap());
    }
    let first = Utc::now() + chrono::Duration::seconds(2);
    let article = ArticleBuilder::new(&app)
        .in_channel(channel(&app).await)
        .scheduled_for(first)
        .create()
        .await;
    // Rescheduled a little later: the first time's job finds it no longer due then.
    let at = Utc::now() + chrono::Duration::seconds(3);
    let version = app
        .get(&format!("/api/v1/articles/{}", article.id))
        .bearer(&app.editor)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    app.patch(&format!("/api/v1/articles/{}", article.id))
        .bearer(&app.editor)
        .header("if-match", &version)
        .json(&json!({"published_at": at.to_rfc3339()}))
        .send()
        .await
        .ok(200);
    assert!(receiver.received().is_empty(), "not before its time");
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    let arrived = Utc::now();
    // Long enough for a second announcement, if there were one.
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    for w in workers {
        stop(w).await;
    }
    assert_eq!(receiver.received().len(), 1, "announced exactly once");
    assert!(arrived >= at, "not before {at}: {arrived}");
    assert!(
        arrived - at < chrono::Duration::seconds(5),
        "late: {arrived} for {at}"
    );
    let body = got[0].json();
    assert_eq!(body["type"], "article.published");
    assert_eq!(body["data"]["id"], json!(article.id));
}

#[actix_web::test]
async fn stopping_workers_finish_the_delivery_in_flight() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    receiver.answer_after(Duration::from_millis(1500));
    let hook = hook_id(&app, &receiver.url, &["author.created"]).await;
    let workers = start_workers(&app.state);
    editor_creates(
        &app,
        "/api/v1/authors",
        json!({"name": "周晓明", "slug": "zhou"}),
    )
    .await;
    // The worker is waiting for the slow receiver when it is told to stop.
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    stop(workers).await;
    let list = deliveries(&app, hook).await;
    assert_eq!(list[0]["status"], "delivered", "{list:?}");
    assert_eq!(receiver.received().len(), 1);
}

#[actix_web::test]
async fn a_cdn_purge_is_retried_until_the_cdn_answers() {
    let cdn = Receiver::start(2);
    let app = app_with(&[("NEWSDESK_PURGE_URLS", &cdn.url)]).await;
    let workers = start_workers(&app.state);
    editor_creates(
        &app,
        "/api/v1/channels",
        json!({"name": "南昌", "slug": "nanchang"}),
    )
    .await;
    let got = cdn.wait_for(3, WAIT).await;
    stop(workers).await;
    assert_eq!(
        got.len(),
        3,
        "two failed purges, then one that went through"
    );
    for purge in &got {
        let keys = purge.header("xkey-purge");
        assert!(keys.split(' ').any(|k| k == "channels"), "{keys}");
    }
}

/// The kinds of the jobs a write left due, claimed as a worker would.
async fn due_job_kinds(app: &TestApp) -> Vec<String> {
    app.with_db(|conn| {
        let now = newsdesk::domain::time::now();
        let lease = now + chrono::Duration::seconds(60);
        let mut kinds = Vec::new();
        while let Some(job) = newsdesk::jobs::repo::claim(conn, "inspector", lease, 5, now)? {
            kinds.push(job.kind);
        }
        Ok(kinds)
    })
    .await
}

#[actix_web::test]
async fn a_write_queues_a_cdn_purge_only_when_a_cdn_is_configured() {
    // Without a CDN and without webhooks a write leaves no job for the worker to settle:
    // each would cost the database two more write transactions per write.
    let app = app_with(&[]).await;
    editor_creates(
        &app,
        "/api/v1/authors",
        json!({"name": "梁永明", "slug": "liang"}),
    )
    .await;
    assert_eq!(due_job_kinds(&app).await, Vec::<String>::new());

    let cdn = Receiver::start(0);
    let app = app_with(&[("NEWSDESK_PURGE_URLS", &cdn.url)]).await;
    editor_creates(
        &app,
        "/api/v1/authors",
        json!({"name": "梁永明", "slug": "liang"}),
    )
    .await;
    assert_eq!(due_job_kinds(&app).await, vec!["cdn.purge".to_string()]);
}

#[actix_web::test]
async fn the_document_describes_every_event_payload() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    let hooks = doc["webhooks"]
        .as_object()
        .expect("an OpenAPI 3.1 webhooks section");
    for event in [
        "article.published",
        "article.updated",
        "article.unpublished",
        "article.deleted",
        "comment.created",
        "comment.approved",
        "tip.received",
        "channel.created",
        "channel.updated",
        "channel.deleted",
        "author.created",
        "author.updated",
        "author.deleted",
    ] {
        let post = &hooks[event]["post"];
        let body = &post["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["properties"]["type"]["enum"], json!([event]));
        let data = body["properties"]["data"]["$ref"].as_str().unwrap();
        let schema = data.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{event}: {data}"
        );
        let headers: Vec<&str> = post["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(
            headers,
            ["webhook-id", "webhook-timestamp", "webhook-signature"]
        );
    }
    assert_eq!(
        hooks["article.published"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["properties"]["data"]["$ref"],
        "#/components/schemas/ArticleOut"
    );
    assert_eq!(hooks.len(), 13);
}

#[actix_web::test]
async fn a_job_held_by_a_crashed_worker_is_run_again_after_its_lease() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(0);
    let hook = hook_id(&app, &receiver.url, &["author.created"]).await;
    editor_creates(
        &app,
        "/api/v1/authors",
        json!({"name": "梁永明", "slug": "liang"}),
    )
    .await;
    // The workers of a node that then dies claim every due job (the event's fan-out among
    // them) with a 1 s lease, and never settle them.
    let kinds = app
        .with_db(|conn| {
            let now = newsdesk::domain::time::now();
            let lease = now + chrono::Duration::seconds(1);
            let mut kinds = Vec::new();
            while let Some(job) = newsdesk::jobs::repo::claim(conn, "crashed-node", lease, 5, now)?
            {
                kinds.push(job.kind);
            }
            Ok(kinds)
        })
        .await;
    assert!(
        kinds.iter().any(|k| k == "event"),
        "the event was in the outbox: {kinds:?}"
    );
    let workers = start_workers(&app.state);
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.received().is_empty(), "not while its lease holds");
    let list = first_delivery_is(&app, hook, "delivered").await;
    stop(workers).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["status"], "delivered");
    assert_eq!(receiver.received().len(), 1);
}
