//! The database going away: PostgreSQL behind a forwarder the test cuts and restores.

use std::time::{Duration, Instant};

use actix_web::ResponseError;
use diesel::RunQueryDsl;

use crate::support::db::postgres_url_for_postgres_only_test;
use crate::support::forwarder::Forwarder;
use crate::support::{TestApp, TestDb};

/// A test app on PostgreSQL through a forwarder; `None` when the test is skipped.
async fn app_behind_a_forwarder(overrides: &[(&str, &str)]) -> Option<(Forwarder, TestApp)> {
    let base_url = postgres_url_for_postgres_only_test()?;
    let (template, target) = Forwarder::postgres_url(&base_url);
    let forwarder = Forwarder::start(&target);
    let db = TestDb::postgres(forwarder.url(&template));
    let app = TestApp::on(db, overrides).await;
    Some((forwarder, app))
}

#[actix_web::test]
async fn a_postgres_outage_is_503_at_once_and_service_resumes_by_itself() {
    let Some((forwarder, app)) =
        app_behind_a_forwarder(&[("NEWSDESK_DB_COOL_DOWN_SECS", "1")]).await
    else {
        return;
    };
    // Signed in, so that every request needs the database: anonymous ones may be
    // answered from the response cache.
    let articles = || app.get("/api/v1/articles").bearer(&app.editor);
    articles().send().await.ok(200);

    forwarder.cut();
    let started = Instant::now();
    let first = articles().send().await;
    let first_took = started.elapsed();
    first.problem(503);
    assert!(first.header("retry-after").is_some());

    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let res = articles().send().await;
        slowest = slowest.max(started.elapsed());
        res.problem(503);
        assert!(res.header("retry-after").is_some());
    }
    eprintln!("outage: first 503 after {first_took:?}, the next 20 within {slowest:?} each");
    assert!(
        first_took < Duration::from_secs(2),
        "the first request of an outage waited {first_took:?}"
    );
    assert!(
        slowest < Duration::from_millis(500),
        "a request during a known outage waited {slowest:?}"
    );

    forwarder.restore();
    let restored = Instant::now();
    let mut status = 0;
    while restored.elapsed() < Duration::from_secs(15) {
        status = articles().send().await.status.as_u16();
        if status == 200 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "outage: served again {:?} after the restore",
        restored.elapsed()
    );
    assert_eq!(status, 200, "no service 15 s after the database came back");
}

#[actix_web::test]
async fn a_query_whose_connection_breaks_is_503_not_500() {
    let Some((forwarder, app)) = app_behind_a_forwarder(&[]).await else {
        return;
    };
    let state = app.state.clone();
    let in_flight = actix_web::rt::spawn(async move {
        state
            .db(|conn| Ok(diesel::sql_query("SELECT pg_sleep(5)").execute(conn)?))
            .await
    });
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    forwarder.cut();
    let err = in_flight
        .await
        .unwrap()
        .expect_err("the connection was cut mid-query");
    assert_eq!(err.status_code().as_u16(), 503, "{err:?}");
    forwarder.restore();
}
