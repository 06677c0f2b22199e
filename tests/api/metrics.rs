//! `GET /metrics`: off by default, then request counts and latencies by route pattern,
//! pool and write-queue gauges, behind a token when one is configured.

use std::time::Duration;

use actix_web::http::Method;

use crate::support::db::postgres_url_for_postgres_only_test;
use crate::support::fixtures::{ArticleBuilder, ChannelBuilder};
use crate::support::forwarder::Forwarder;
use crate::support::{TestApp, TestDb, TestResponse};

const ON: (&str, &str) = ("NEWSDESK_METRICS", "on");
const TOKEN: &str = "scrape-token-for-tests-0123456789";

/// The sample lines of a scrape (`name{labels} value`), without comments.
fn samples(res: &TestResponse) -> Vec<String> {
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    res.text()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value of the one sample named exactly `series` (name and labels).
#[track_caller]
fn value(samples: &[String], series: &str) -> f64 {
    let found: Vec<&String> = samples
        .iter()
        .filter(|l| l.rsplit_once(' ').is_some_and(|(s, _)| s == series))
        .collect();
    assert_eq!(found.len(), 1, "{series} in:\n{}", samples.join("\n"));
    found[0].rsplit_once(' ').unwrap().1.parse().unwrap()
}

#[actix_web::test]
async fn metrics_are_off_unless_configured_and_a_scrape_is_404_like_an_unknown_path() {
    let app = TestApp::new().await;
    let res = app.get("/metrics").send().await;
    assert_eq!(res.problem(404)["detail"], "no route for /metrics");
    app.get("/api/v1/channels").send().await.ok(200);
    assert!(
        app.state
            .metrics
            .render(&app.state.gauges(), newsdesk::metrics::Format::Prometheus)
            .unwrap()
            .lines()
            .all(|l| !l.starts_with("newsdesk_http_requests_total")),
        "nothing is recorded while off"
    );
}

#[actix_web::test]
async fn a_request_is_counted_under_its_route_pattern_method_and_status() {
    let app = TestApp::with_env(&[ON]).await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .slug("metrics-story")
        .published()
        .create()
        .await;
    for _ in 0..2 {
        app.get(&format!("/api/v1/articles/{}", article.slug))
            .send()
            .await
            .ok(200);
    }
    app.get(&format!("/api/v1/articles/{}", article.id))
        .send()
        .await
        .ok(200);
    app.get("/api/v1/articles/no-such-story")
        .send()
        .await
        .problem(404);
    app.request(Method::HEAD, "/api/v1/articles/metrics-story")
        .send()
        .await;
    app.get("/nowhere/at/all").send().await.problem(404);
    app.request(Method::PUT, "/api/v1/channels")
        .send()
        .await
        .problem(405);

    let res = app.get("/metrics").send().await;
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let samples = samples(&res);
    let route = "/api/v1/articles/{id_or_slug}";
    let requests = |method: &str, route: &str, status: u16| {
        value(
            &samples,
            &format!(
                "newsdesk_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(
        requests("GET", route, 200),
        3.0,
        "by slug and by id, one series"
    );
    assert_eq!(requests("GET", route, 404), 1.0);
    assert_eq!(requests("HEAD", route, 200), 1.0);
    assert_eq!(requests("POST", "/api/v1/articles", 201), 1.0);
    assert_eq!(requests("GET", "unmatched", 404), 1.0);
    assert_eq!(
        requests("PUT", "/api/v1/channels", 405),
        1.0,
        "a known path keeps its pattern under any method"
    );
    assert!(
        !res.text().contains("metrics-story") && !res.text().contains("nowhere"),
        "raw paths never become labels:\n{}",
        res.text()
    );
}

#[actix_web::test]
async fn latency_histograms_have_buckets_for_a_fast_api() {
    let app = TestApp::with_env(&[ON]).await;
    app.get("/healthz").send().await.ok(200);
    let samples = samples(&app.get("/metrics").send().await);
    let series = r#"route="/healthz",method="GET",status="200""#;
    let bucket = |le: &str| {
        value(
            &samples,
            &format!("newsdesk_http_request_duration_seconds_bucket{{{series},le=\"{le}\"}}"),
        )
    };
    let bounds = [
        "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
        "2.5", "5", "+Inf",
    ];
    let counts: Vec<f64> = bounds.iter().map(|le| bucket(le)).collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "cumulative: {counts:?}"
    );
    assert_eq!(counts.last(), Some(&1.0));
    let count = value(
        &samples,
        &format!("newsdesk_http_request_duration_seconds_count{{{series}}}"),
    );
    assert_eq!(count, 1.0);
    let sum = value(
        &samples,
        &format!("newsdesk_http_request_duration_seconds_sum{{{series}}}"),
    );
    assert!(sum > 0.0 && sum < 5.0, "{sum}");
}

#[actix_web::test]
async fn pool_write_queue_and_circuit_gauges_are_reported() {
    let app = TestApp::with_env(&[ON]).await;
    app.get("/readyz").send().await.ok(200);
    // SQLite's group writer finishes its round just after it has answered the write.
    let started = std::time::Instant::now();
    let samples = loop {
        let samples = samples(&app.get("/metrics").send().await);
        if value(&samples, "newsdesk_write_queue_busy") == 0.0
            || started.elapsed() > std::time::Duration::from_secs(2)
        {
            break samples;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let max = value(&samples, "newsdesk_db_pool_max_connections");
    assert_eq!(max, 4.0, "the test pool's size");
    let open = value(&samples, "newsdesk_db_pool_connections");
    let idle = value(&samples, "newsdesk_db_pool_idle_connections");
    assert!((1.0..=max).contains(&open) && idle <= open, "{open} {idle}");
    assert_eq!(value(&samples, "newsdesk_write_queue_waiting"), 0.0);
    assert_eq!(value(&samples, "newsdesk_write_queue_busy"), 0.0);
    assert_eq!(value(&samples, "newsdesk_db_circuit_open"), 0.0);
}

#[actix_web::test]
async fn a_configured_token_is_required() {
    let app = TestApp::with_env(&[ON, ("NEWSDESK_METRICS_TOKEN", TOKEN)]).await;
    let missing = app.get("/metrics").send().await;
    missing.problem(401);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    app.get("/metrics")
        .bearer("scrape-token-for-tests-012345678")
        .send()
        .await
        .problem(401);
    app.get("/metrics")
        .bearer(&app.admin)
        .send()
        .await
        .problem(401);
    let res = app.get("/metrics").bearer(TOKEN).send().await;
    assert!(
        samples(&res).iter().any(|l| l.starts_with(
            r#"newsdesk_http_requests_total{route="/metrics",method="GET",status="401"}"#
        )),
        "{}",
        res.text()
    );
}

#[actix_web::test]
async fn prometheus_asking_for_openmetrics_gets_it() {
    let app = TestApp::with_env(&[ON]).await;
    app.get("/healthz").send().await.ok(200);
    let res = app
        .get("/metrics")
        .header(
            "Accept",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        )
        .send()
        .await;
    assert_eq!(
        res.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    let text = res.text();
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(
        text.contains("# TYPE newsdesk_http_request_duration_seconds histogram"),
        "{text}"
    );
}

/// Polls the scrape until `series` reads `want` (the write queue is moved by tasks the
/// test spawned), within a few seconds.
async fn until(app: &TestApp, series: &str, want: f64) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let samples = samples(&app.get("/metrics").send().await);
        if value(&samples, series) == want || started.elapsed() > Duration::from_secs(5) {
            return samples;
        }
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn writes_waiting_for_their_turn_are_counted() {
    let app = TestApp::with_env(&[ON]).await;
    let (release, released) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let holder = actix_web::rt::spawn(async move {
        state
            .write_unseen(move |_| {
                released.recv().ok();
                Ok(())
            })
            .await
    });
    let busy = until(&app, "newsdesk_write_queue_busy", 1.0).await;
    assert_eq!(value(&busy, "newsdesk_write_queue_busy"), 1.0);
    assert_eq!(value(&busy, "newsdesk_write_queue_waiting"), 0.0);

    let state = app.state.clone();
    let waiter = actix_web::rt::spawn(async move { state.write_unseen(|_| Ok(())).await });
    let queued = until(&app, "newsdesk_write_queue_waiting", 1.0).await;
    assert_eq!(value(&queued, "newsdesk_write_queue_waiting"), 1.0);

    release.send(()).unwrap();
    holder.await.unwrap().unwrap();
    waiter.await.unwrap().unwrap();
    let idle = until(&app, "newsdesk_write_queue_busy", 0.0).await;
    assert_eq!(value(&idle, "newsdesk_write_queue_waiting"), 0.0);
    assert_eq!(value(&idle, "newsdesk_write_queue_busy"), 0.0);
}

#[actix_web::test]
async fn a_database_outage_shows_as_an_open_circuit_and_503s() {
    let Some(base_url) = postgres_url_for_postgres_only_test() else {
        return;
    };
    let (template, target) = Forwarder::postgres_url(&base_url);
    let forwarder = Forwarder::start(&target);
    let db = TestDb::postgres(forwarder.url(&template));
    let app = TestApp::on(db, &[ON, ("NEWSDESK_DB_COOL_DOWN_SECS", "30")]).await;
    app.get("/readyz").send().await.ok(200);

    forwarder.cut();
    // A write: a public read could still be answered from the response cache.
    app.get("/readyz").send().await.problem(503);
    let samples = samples(&app.get("/metrics").send().await);
    assert_eq!(value(&samples, "newsdesk_db_circuit_open"), 1.0);
    assert_eq!(
        value(
            &samples,
            r#"newsdesk_http_requests_total{route="/readyz",method="GET",status="503"}"#
        ),
        1.0
    );
    forwarder.restore();
}

#[actix_web::test]
async fn response_cache_hits_and_size_are_reported_while_it_is_on() {
    let app = TestApp::with_env(&[ON]).await;
    let channel = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .published()
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    // On PostgreSQL the cache switches on once its listener is connected.
    let started = std::time::Instant::now();
    while app.get(&path).send().await.header("x-newsdesk-cache") != Some("hit") {
        assert!(started.elapsed() < Duration::from_secs(10), "never cached");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let scrape = samples(&app.get("/metrics").send().await);
    assert!(value(&scrape, "newsdesk_cache_hits_total") >= 1.0);
    assert!(value(&scrape, "newsdesk_cache_misses_total") >= 1.0);
    assert!(value(&scrape, "newsdesk_cache_entries") >= 1.0);
    assert!(value(&scrape, "newsdesk_cache_bytes") > 0.0);
    assert_eq!(
        value(&scrape, "newsdesk_cache_capacity_bytes"),
        app.state.config.cache_bytes as f64
    );
    value(&scrape, "newsdesk_cache_evictions_total");
    value(&scrape, "newsdesk_cache_invalidations_total");

    let off = TestApp::with_env(&[ON, ("NEWSDESK_CACHE_BYTES", "0")]).await;
    let res = off.get("/metrics").send().await;
    assert!(
        samples(&res)
            .iter()
            .all(|l| !l.starts_with("newsdesk_cache")),
        "{}",
        res.text()
    );
}
