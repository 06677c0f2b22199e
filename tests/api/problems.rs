//! Every failure answers application/problem+json, never HTML or a bare string.

use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, AuthorBuilder, ChannelBuilder};

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::new().await;
    app.get("/api/v1/no-such-thing").send().await.problem(404);
    app.get("/").send().await.problem(404);
}

#[actix_web::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::new().await;
    let res = app
        .request(actix_web::http::Method::PUT, "/api/v1/channels/5")
        .send()
        .await;
    res.problem(405);
    assert_eq!(res.header("allow"), Some("DELETE, GET, HEAD, PATCH"));
    let res = app.delete("/api/v1/auth/login").send().await;
    res.problem(405);
    assert_eq!(res.header("allow"), Some("POST"));
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body("application/json", "{\"name\": \"萍乡\",")
        .send()
        .await;
    res.problem(400);
    let trailing = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body(
            "application/json",
            "{\"name\": \"萍乡\", \"slug\": \"px\"} extra",
        )
        .send()
        .await;
    trailing.problem(400);
}

#[actix_web::test]
async fn a_wrong_content_type_is_415() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body("text/plain", "name=萍乡")
        .send()
        .await;
    res.problem(415);
    let none = app.post("/api/v1/auth/login").send().await;
    none.problem(415);
}

#[actix_web::test]
async fn an_oversized_body_is_413() {
    let app = TestApp::new().await;
    let huge = json!({"name": "x".repeat(2 * 1024 * 1024), "slug": "big"});
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&huge)
        .send()
        .await;
    res.problem(413);
}

#[actix_web::test]
async fn a_field_of_the_wrong_type_is_422_naming_it() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "萍乡", "slug": "pingxiang", "parent_id": "one"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["parent_id"]);
}

#[actix_web::test]
async fn a_non_numeric_id_in_the_path_is_404() {
    let app = TestApp::new().await;
    app.get("/api/v1/users/abc")
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn an_exhausted_pool_is_503_with_retry_after() {
    let app = TestApp::new().await;
    let pool = app.state.pool.clone();
    let held: Vec<_> = (0..pool.max_size())
        .map(|_| pool.get().expect("connection"))
        .collect();
    let res = app.get("/readyz").send().await;
    res.problem(503);
    assert!(res.header("retry-after").is_some());
    drop(held);
    app.get("/readyz").send().await.ok(200);
}

#[actix_web::test]
async fn a_read_that_waits_longer_than_the_database_wait_for_its_turn_is_503() {
    use std::time::{Duration, Instant};

    let app = TestApp::with_config(&[], |config| {
        config.db_pool_size = 1;
        config.db_wait = Duration::from_millis(300);
    })
    .await;
    // The pool's one turn is taken by a long piece of database work.
    let state = app.state.clone();
    let long_work = actix_web::rt::spawn(async move {
        state
            .db(|_| {
                std::thread::sleep(Duration::from_millis(2000));
                Ok(())
            })
            .await
    });
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let asked = Instant::now();
    let res = app.get("/api/v1/channels").send().await;
    res.problem(503);
    assert!(res.header("retry-after").is_some());
    assert!(
        asked.elapsed() < Duration::from_millis(1500),
        "answered after {:?}, not at the end of the wait",
        asked.elapsed()
    );
    long_work.await.expect("task").expect("long work");
    app.get("/api/v1/channels").send().await.ok(200);
}

#[actix_web::test]
async fn a_database_that_refuses_writes_is_not_ready_and_writes_are_503_not_500() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    let app = TestApp::new().await;
    if app.is_postgres() {
        // Another SQLite writer holding the file (a CLI command, a backup) is the case here.
        return;
    }
    let url = app.database_url();
    let path = url.trim_start_matches("sqlite://").to_owned();
    let mut other = diesel::SqliteConnection::establish(&path).unwrap();
    other.batch_execute("BEGIN IMMEDIATE").unwrap();

    let write = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "萍乡频道", "slug": "pingxiang"}))
        .send()
        .await;
    write.problem(503);
    assert!(write.header("retry-after").is_some());
    app.get("/readyz").send().await.problem(503);

    other.batch_execute("ROLLBACK").unwrap();
    app.get("/readyz").send().await.ok(200);
}

#[actix_web::test]
async fn a_full_disk_is_507_and_nothing_is_stored() {
    use diesel::RunQueryDsl;
    use diesel::sql_types::BigInt;

    #[derive(diesel::QueryableByName)]
    struct Pages {
        #[diesel(sql_type = BigInt)]
        page_count: i64,
    }

    let app = TestApp::new().await;
    if app.is_postgres() {
        // Filling a disk under a shared PostgreSQL server is not a test to run here; the
        // same mapping reads PostgreSQL's "No space left on device".
        return;
    }
    // Leave one connection free and cap its file at its present size: SQLite then answers
    // exactly as on a full disk ("database or disk is full").
    let pool = app.state.pool.clone();
    let held: Vec<_> = (1..pool.max_size())
        .map(|_| pool.get().expect("connection"))
        .collect();
    app.with_db(|conn| {
        // Migrations that rebuild a table leave free pages a write would reuse first.
        diesel::sql_query("VACUUM").execute(conn)?;
        let pages: Pages = diesel::sql_query("PRAGMA page_count").get_result(conn)?;
        diesel::sql_query(format!("PRAGMA max_page_count = {}", pages.page_count)).execute(conn)?;
        Ok(())
    })
    .await;
    let description = "长".repeat(1900);
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .json(&json!({"name": "萍乡频道", "slug": "pingxiang", "description": description}))
        .send()
        .await;
    res.problem(507);
    drop(held);
    app.get("/api/v1/channels/pingxiang")
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn health_probes_answer() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").send().await.ok(200)["status"], "ok");
    let ready = app.get("/readyz").send().await.ok(200);
    assert_eq!(
        ready["database"],
        if app.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
}

#[actix_web::test]
async fn a_body_that_is_not_an_object_is_422() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/channels")
        .bearer(&app.editor)
        .raw_body("application/json", "[\"萍乡\", \"pingxiang\"]")
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["body"]);
}

#[actix_web::test]
async fn an_if_match_naming_no_version_of_ours_is_412() {
    let app = TestApp::new().await;
    let id = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    for value in ["\"someone-elses\"", "0", ""] {
        app.delete(&format!("/api/v1/channels/{id}"))
            .bearer(&app.editor)
            .header("If-Match", value)
            .send()
            .await
            .problem(412);
    }
    app.delete(&format!("/api/v1/channels/{id}"))
        .bearer(&app.editor)
        .header("If-Match", "*")
        .send()
        .await
        .ok(204);
}

#[actix_web::test]
async fn invalid_fields_are_reported_before_a_stale_if_match() {
    let app = TestApp::new().await;
    let id = ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let res = app
        .patch(&format!("/api/v1/channels/{id}"))
        .bearer(&app.editor)
        .header("If-Match", "\"v99-stale\"")
        .json(&json!({"name": ""}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["name"]);
}

#[actix_web::test]
async fn a_huge_page_number_is_an_empty_page_not_an_error() {
    let app = TestApp::new().await;
    let body = app
        .get("/api/v1/channels?page=9223372036854775806")
        .send()
        .await
        .ok(200);
    assert_eq!(body["data"], json!([]));
}

#[actix_web::test]
async fn a_corrupt_stored_byline_role_is_a_500_never_a_silent_default() {
    use diesel::RunQueryDsl;

    let app = TestApp::new().await;
    let channel = ChannelBuilder::new(&app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let author = AuthorBuilder::new(&app, "梁记者", "liang").create().await;
    let article = ArticleBuilder::new(&app)
        .in_channel(channel)
        .written_by(author)
        .published()
        .create()
        .await;
    let path = format!("/api/v1/articles/{}", article.id);
    app.get(&path).send().await.ok(200);

    // No CHECK constraint guards this column; a bad value must not read as "author".
    app.with_db(|conn| {
        Ok(diesel::sql_query("UPDATE article_bylines SET role = 'ghost'").execute(conn)?)
    })
    .await;
    // Signed in, so the read reaches the database (the public answer, changed behind the
    // API's back, stays in the response cache).
    app.get(&path).bearer(&app.editor).send().await.problem(500);
}

#[test]
fn a_lost_database_connection_is_503_not_500() {
    use actix_web::ResponseError;
    use diesel::result::{DatabaseErrorKind, Error};

    for kind in [
        DatabaseErrorKind::ClosedConnection,
        DatabaseErrorKind::UnableToSendCommand,
    ] {
        let lost = Error::DatabaseError(
            kind,
            Box::new("server closed the connection unexpectedly".to_owned()),
        );
        let err = newsdesk::error::ApiError::from(lost);
        assert_eq!(err.status_code().as_u16(), 503, "{err:?}");
        assert!(err.error_response().headers().contains_key("retry-after"));
    }
}
