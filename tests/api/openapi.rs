//! The committed OpenAPI document is the one the server serves.

use crate::support::TestApp;

#[actix_web::test]
async fn committed_openapi_json_matches_the_live_document() {
    let app = TestApp::new().await;
    let live = app.get("/openapi.json").send().await.ok(200);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("openapi/openapi.json"))
            .expect("valid JSON");
    assert!(
        live == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_with_bearer_security_on_protected_routes() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer_auth"]["scheme"],
        "bearer"
    );
    assert!(doc["paths"]["/api/v1/channels"]["post"]["security"].is_array());
    assert!(
        doc["paths"]["/api/v1/channels"]["get"]
            .get("security")
            .is_none()
    );
}

#[actix_web::test]
async fn interactive_docs_are_served_without_internet() {
    let app = TestApp::new().await;
    let redirect = app.get("/docs").send().await;
    assert_eq!(redirect.status.as_u16(), 308);
    let page = app.get("/docs/").send().await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the docs page must not load anything from the internet"
    );
    let config = app.get("/docs/swagger-initializer.js").send().await.text();
    assert!(config.contains("\"url\": \"/openapi.json\""), "{config}");
    // Swagger UI's default sends the document's URL to validator.swagger.io.
    assert!(config.contains("\"validatorUrl\": \"none\""), "{config}");
    assert!(!config.contains("http"), "{config}");
    let style = app.get("/docs/swagger-ui.css").send().await.text();
    assert!(!style.contains("url(http") && !style.contains("@import"));
}
