use serde_json::json;

use crate::support::fixtures::user_id;
use crate::support::wire::JsonExt;
use crate::support::{PASSWORD, TestApp};

#[actix_web::test]
async fn admin_creates_reads_lists_and_the_new_account_can_sign_in() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/users")
        .bearer(&app.admin)
        .json(&json!({"email": "New.Reporter@example.com", "display_name": "梁记者", "password": "long enough pw", "role": "reporter"}))
        .send()
        .await;
    let created = res.ok(201);
    let id = created.id();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(created["email"], "new.reporter@example.com");
    assert_eq!(created["display_name"], "梁记者");
    assert_eq!(created["active"], true);
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());

    let read = app
        .get(&format!("/api/v1/users/{id}"))
        .bearer(&app.admin)
        .send()
        .await
        .ok(200);
    assert_eq!(read, created);

    let list = app
        .get("/api/v1/users?per_page=2")
        .bearer(&app.admin)
        .send()
        .await
        .ok(200);
    assert_eq!(list["meta"]["total"], 4);
    assert_eq!(list["meta"]["page_count"], 2);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    app.post("/api/v1/auth/login")
        .json(&json!({"email": "new.reporter@example.com", "password": "long enough pw"}))
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn only_admins_manage_accounts() {
    let app = TestApp::new().await;
    for token in [&app.editor, &app.reporter] {
        app.get("/api/v1/users")
            .bearer(token)
            .send()
            .await
            .problem(403);
        app.post("/api/v1/users")
            .bearer(token)
            .json(&json!({"email": "x@example.com", "display_name": "X", "password": "long enough pw", "role": "admin"}))
            .send()
            .await
            .problem(403);
        app.delete("/api/v1/users/1")
            .bearer(token)
            .send()
            .await
            .problem(403);
    }
    app.get("/api/v1/users").send().await.problem(401);
}

#[actix_web::test]
async fn duplicate_email_is_409() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/users")
        .bearer(&app.admin)
        .json(&json!({"email": "EDITOR@example.com", "display_name": "Twin", "password": "long enough pw", "role": "editor"}))
        .send()
        .await;
    assert!(
        res.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("e-mail")
    );
}

#[actix_web::test]
async fn invalid_account_fields_are_all_reported_at_once() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/users")
        .bearer(&app.admin)
        .json(&json!({"email": "not-an-email", "display_name": "  ", "password": "short", "role": "boss"}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["display_name", "email", "password", "role"]);
}

#[actix_web::test]
async fn missing_and_unknown_fields_are_named() {
    let app = TestApp::new().await;
    let missing = app
        .post("/api/v1/users")
        .bearer(&app.admin)
        .json(&json!({"email": "a@example.com", "display_name": "A", "role": "editor"}))
        .send()
        .await;
    assert_eq!(missing.invalid_fields(), ["password"]);
    let unknown = app
        .post("/api/v1/users")
        .bearer(&app.admin)
        .json(&json!({"email": "a@example.com", "display_name": "A", "password": "long enough pw", "role": "editor", "is_boss": true}))
        .send()
        .await;
    let errors = unknown.problem(422)["errors"].clone();
    assert!(
        errors[0]["message"].as_str().unwrap().contains("is_boss"),
        "{errors}"
    );
}

#[actix_web::test]
async fn patch_changes_role_and_password_and_bumps_the_version() {
    let app = TestApp::new().await;
    let id = app.create_user("promote@example.com", "reporter").await;
    let res = app
        .patch(&format!("/api/v1/users/{id}"))
        .bearer(&app.admin)
        .json(&json!({"role": "editor", "password": "a brand new password"}))
        .send()
        .await;
    let body = res.ok(200);
    assert_eq!(body["role"], "editor");
    assert_eq!(body["version"], 2);
    assert!(res.header("etag").unwrap().starts_with("\"v2-"));
    app.post("/api/v1/auth/login")
        .json(&json!({"email": "promote@example.com", "password": PASSWORD}))
        .send()
        .await
        .problem(401);
    app.post("/api/v1/auth/login")
        .json(&json!({"email": "promote@example.com", "password": "a brand new password"}))
        .send()
        .await
        .ok(200);
}

#[actix_web::test]
async fn the_last_admin_cannot_be_demoted_deactivated_or_deleted() {
    let app = TestApp::new().await;
    let admin_id = user_id(&app, &app.admin).await;
    let path = format!("/api/v1/users/{admin_id}");
    app.patch(&path)
        .bearer(&app.admin)
        .json(&json!({"role": "editor"}))
        .send()
        .await
        .problem(409);
    app.patch(&path)
        .bearer(&app.admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .problem(409);
    app.delete(&path)
        .bearer(&app.admin)
        .send()
        .await
        .problem(409);

    let second = app.create_user("second-admin@example.com", "admin").await;
    app.delete(&path)
        .bearer(&app.token_for(second))
        .send()
        .await
        .ok(204);
    app.get(&path)
        .bearer(&app.token_for(second))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn deleting_a_missing_account_is_404() {
    let app = TestApp::new().await;
    app.delete("/api/v1/users/9999")
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/users/9999")
        .bearer(&app.admin)
        .send()
        .await
        .problem(404);
}
