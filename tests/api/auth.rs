use actix_web::http::StatusCode;
use serde_json::json;

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
