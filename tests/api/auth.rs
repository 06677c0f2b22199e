use actix_web::http::StatusCode;
use futures_util::future::{join, join_all};
use serde_json::json;

use crate::support::listener::Listener;
use crate::support::{PASSWORD, TestApp};

async fn login(app: &TestApp, email: &str, password: &str) -> crate::support::TestResponse {
    app.post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
}

#[actix_web::test]
async fn login_returns_a_bearer_pair_and_the_user() {
    let app = TestApp::new().await;
    let res = login(&app, "Editor@Example.com ", PASSWORD).await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let body = res.ok(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 32);
    assert_eq!(body["user"]["email"], "editor@example.com");
    assert_eq!(body["user"]["role"], "editor");
    assert!(body["user"].get("password_hash").is_none());

    let token = body["access_token"].as_str().unwrap();
    let me = app
        .get("/api/v1/auth/me")
        .bearer(token)
        .send()
        .await
        .ok(200);
    assert_eq!(me["email"], "editor@example.com");
}

#[actix_web::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::new().await;
    let wrong = login(&app, "editor@example.com", "not the password")
        .await
        .problem(401);
    let unknown = login(&app, "nobody@example.com", PASSWORD)
        .await
        .problem(401);
    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[actix_web::test]
async fn failed_logins_are_limited_per_account_with_retry_after() {
    let app = TestApp::with_env(&[("NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        login(&app, "editor@example.com", "wrong password")
            .await
            .problem(401);
    }
    let res = login(&app, "editor@example.com", PASSWORD).await;
    res.problem(429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Another account from another client is not affected.
    app.post("/api/v1/auth/login")
        .peer("10.0.0.9:5000")
        .json(&json!({"email": "reporter@example.com", "password": PASSWORD}))
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn failed_logins_are_limited_per_client_across_accounts() {
    let app = TestApp::with_env(&[("NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE", "2")]).await;
    for email in ["a@example.com", "b@example.com"] {
        login(&app, email, "wrong password").await.problem(401);
    }
    login(&app, "editor@example.com", PASSWORD)
        .await
        .problem(429);
}

/// Argon2 cost high enough that a verification takes real time on the test machine.
fn slow_hashing(config: &mut newsdesk::config::Config) {
    config.password_cost = newsdesk::config::PasswordCost {
        memory_kib: 16 * 1024,
        iterations: 2,
        parallelism: 1,
    };
}

/// Sends `count` sign-ins with wrong passwords at once and returns their statuses.
async fn wrong_logins_in_parallel(site: &Listener, count: usize) -> Vec<u16> {
    let logins = (0..count).map(|i| {
        site.post("/api/v1/auth/login")
            .json(json!({"email": "editor@example.com", "password": format!("wrong {i}")}))
            .send()
    });
    join_all(logins).await.iter().map(|r| r.status).collect()
}

#[actix_web::test]
async fn a_flood_of_failed_logins_leaves_anonymous_reads_their_connections() {
    let app = TestApp::with_config(
        &[
            ("NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE", "1000"),
            ("NEWSDESK_PASSWORD_HASHING_CONCURRENCY", "2"),
        ],
        |config| {
            slow_hashing(config);
            config.db_pool_size = 2;
            config.db_wait = std::time::Duration::from_millis(500);
        },
    )
    .await;
    let site = Listener::over(app).await;
    let reads = join_all((0..20).map(|_| async {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        site.get("/api/v1/channels").send().await.status
    }));
    let (logins, read_statuses) = join(wrong_logins_in_parallel(&site, 60), reads).await;
    site.stop().await;
    assert!(logins.iter().all(|s| *s == 401), "logins: {logins:?}");
    assert!(
        read_statuses.iter().all(|s| *s == 200),
        "reads: {read_statuses:?}"
    );
}

#[actix_web::test]
async fn parallel_wrong_passwords_never_get_past_the_limit() {
    let app = TestApp::with_config(
        &[("NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE", "10")],
        slow_hashing,
    )
    .await;
    let site = Listener::over(app).await;
    let statuses = wrong_logins_in_parallel(&site, 100).await;
    site.stop().await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (10, 90), "{statuses:?}");
}

#[actix_web::test]
async fn a_flood_against_an_account_does_not_lock_its_owner_out_elsewhere() {
    let app = TestApp::with_env(&[("NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    let attempt = |peer: &str, password: &str| {
        app.post("/api/v1/auth/login")
            .peer(peer)
            .json(&json!({"email": "editor@example.com", "password": password}))
    };
    for _ in 0..3 {
        attempt("203.0.113.66:4000", "guess")
            .send()
            .await
            .problem(401);
    }
    attempt("203.0.113.66:4000", PASSWORD)
        .send()
        .await
        .problem(429);
    attempt("198.51.100.20:5000", PASSWORD).send().await.ok(200);
}

#[actix_web::test]
async fn login_limiters_track_a_bounded_number_of_clients() {
    let app = TestApp::with_env(&[("NEWSDESK_RATE_LIMIT_MAX_KEYS", "5")]).await;
    let mut statuses = Vec::new();
    for i in 0..20 {
        let res = app
            .post("/api/v1/auth/login")
            .peer(&format!("198.51.100.{i}:4000"))
            .json(&json!({"email": format!("user{i}@example.com"), "password": "guess"}))
            .send()
            .await;
        statuses.push(res.status.as_u16());
    }
    let auth = &app.state.auth;
    assert!(auth.failed_logins_by_client.tracked_keys() <= 5);
    assert!(auth.failed_logins_by_account.tracked_keys() <= 5);
    // Newcomers past the cap are refused, never counted from zero.
    assert_eq!(&statuses[..5], &[401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // A client still tracked keeps its count: no one was evicted to make room.
    let again = || {
        app.post("/api/v1/auth/login")
            .peer("198.51.100.0:4000")
            .json(&json!({"email": "user0@example.com", "password": "guess"}))
    };
    for _ in 0..9 {
        again().send().await.problem(401);
    }
    again().send().await.problem(429);
}

#[actix_web::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let app = TestApp::new().await;
    let first = login(&app, "editor@example.com", PASSWORD).await.ok(200);
    let old = first["refresh_token"].as_str().unwrap().to_owned();

    let second = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": old}))
        .send()
        .await
        .ok(200);
    let new = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    app.get("/api/v1/auth/me")
        .bearer(second["access_token"].as_str().unwrap())
        .send()
        .await
        .ok(200);

    // The old token is dead, and presenting it kills the new one too.
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": old}))
        .send()
        .await
        .problem(401);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": new}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::new().await;
    let session = login(&app, "reporter@example.com", PASSWORD).await.ok(200);
    let refresh = session["refresh_token"].as_str().unwrap();
    app.post("/api/v1/auth/logout")
        .bearer(session["access_token"].as_str().unwrap())
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .ok(204);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn logout_needs_a_signed_in_caller() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": "x"}))
        .send()
        .await;
    res.problem(401);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn bad_tokens_are_rejected_never_ignored() {
    let app = TestApp::new().await;
    for header in ["Bearer not-a-jwt", "Basic abc", "Bearer "] {
        let res = app
            .get("/api/v1/channels")
            .header("Authorization", header)
            .send()
            .await;
        res.problem(401);
        assert_eq!(res.header("www-authenticate"), Some("Bearer"), "{header}");
    }
    let foreign = newsdesk::auth::jwt::JwtKeys::new(b"someone-elses-secret-someone-else", 600)
        .issue(1)
        .unwrap();
    app.get("/api/v1/auth/me")
        .bearer(&foreign)
        .send()
        .await
        .problem(401);
    let expired = newsdesk::auth::jwt::JwtKeys::new(crate::support::SECRET.as_bytes(), -120)
        .issue(1)
        .unwrap();
    app.get("/api/v1/auth/me")
        .bearer(&expired)
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn a_deactivated_account_cannot_sign_in_or_use_its_token() {
    let app = TestApp::new().await;
    let id = app.create_user("leaving@example.com", "editor").await;
    let token = app.token_for(id);
    let session = login(&app, "leaving@example.com", PASSWORD).await.ok(200);
    app.patch(&format!("/api/v1/users/{id}"))
        .bearer(&app.admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .ok(200);
    app.get("/api/v1/auth/me")
        .bearer(&token)
        .send()
        .await
        .problem(401);
    login(&app, "leaving@example.com", PASSWORD)
        .await
        .problem(401);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn me_without_a_token_is_401_with_bearer_challenge() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/auth/me").send().await;
    res.problem(401);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn browsers_from_configured_origins_may_call_and_others_may_not() {
    let app = TestApp::with_env(&[(
        "NEWSDESK_CORS_ORIGINS",
        "https://www.example.com, https://m.example.com",
    )])
    .await;
    let preflight = app
        .request(actix_web::http::Method::OPTIONS, "/api/v1/articles")
        .header("Origin", "https://m.example.com")
        .header("Access-Control-Request-Method", "PATCH")
        .header("Access-Control-Request-Headers", "authorization, if-match")
        .send()
        .await;
    assert_eq!(preflight.status.as_u16(), 200);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://m.example.com")
    );
    let read = app
        .get("/api/v1/channels")
        .header("Origin", "https://www.example.com")
        .send()
        .await;
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some("https://www.example.com")
    );
    assert!(
        read.header("access-control-expose-headers")
            .unwrap()
            .contains("etag")
    );
    let stranger = app
        .get("/api/v1/channels")
        .header("Origin", "https://evil.example")
        .send()
        .await;
    stranger.ok(200);
    assert_eq!(
        stranger.header("access-control-allow-origin"),
        None,
        "the browser will block it"
    );
}
