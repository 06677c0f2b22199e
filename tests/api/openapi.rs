//! The committed OpenAPI document is the one the server serves.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, AuthorBuilder, Newsroom, TipLineBuilder};

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
    assert_eq!(
        doc["paths"]["/api/v1/channels"]["get"]["security"],
        json!([{}, {"bearer_auth": []}])
    );
}

/// How an operation says it treats a token.
#[derive(Debug, PartialEq)]
enum Declared {
    Public,
    OptionalToken,
    TokenRequired,
}

fn declared_security(operation: &Value) -> Declared {
    let alternatives = operation["security"]
        .as_array()
        .expect("every operation declares its security");
    let anonymous = alternatives.is_empty() || alternatives.iter().any(|a| a == &json!({}));
    let bearer = alternatives.iter().any(|a| a.get("bearer_auth").is_some());
    match (anonymous, bearer) {
        (true, false) => Declared::Public,
        (true, true) => Declared::OptionalToken,
        (false, _) => Declared::TokenRequired,
    }
}

/// Every operation's declared security is what the server does: a required token is
/// refused when missing, an optional one is read (so a bad one is refused) and never
/// needed, and a public operation neither needs nor reads one. Generated SDKs attach
/// the token exactly where the document says, so a wrong declaration loses an
/// editor's drafts or leaks a 401 to readers.
#[actix_web::test]
async fn every_operation_treats_tokens_as_its_security_declares() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path == "/metrics" {
            continue; // its own token, checked in tests/api/metrics.rs
        }
        let url = path.replace("{id_or_slug}", "1").replace("{id}", "1");
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let send = |token: Option<&str>| {
                let mut request = app.request(method.clone(), &url);
                if let Some(token) = token {
                    request = request.bearer(token);
                }
                if method != Method::GET && method != Method::DELETE {
                    request = request.json(&json!({}));
                }
                request.send()
            };
            let anonymous = send(None).await.status.as_u16();
            let bad_token = send(Some("not-a-token")).await.status.as_u16();
            let declared = declared_security(operation);
            let what = format!("{method} {path} declared {declared:?}");
            match declared {
                Declared::TokenRequired => {
                    assert_eq!(
                        anonymous, 401,
                        "{what}: answered {anonymous} without a token"
                    )
                }
                Declared::OptionalToken => {
                    assert_ne!(anonymous, 401, "{what}: needed a token");
                    assert_eq!(
                        bad_token, 401,
                        "{what}: did not read the token ({bad_token})"
                    );
                }
                Declared::Public => {
                    assert_ne!(anonymous, 401, "{what}: needed a token");
                    assert_ne!(bad_token, 401, "{what}: read the token");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} operations checked");
}

/// A GET that can answer 304 says it takes `If-None-Match`, so clients can find
/// revalidation in the document.
#[actix_web::test]
async fn every_revalidating_get_declares_if_none_match() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        if path.starts_with("/api/") {
            assert!(
                get["responses"].get("304").is_some(),
                "GET {path} has no 304"
            );
        }
        if get["responses"].get("304").is_some() {
            let parameters = get["parameters"].as_array().cloned().unwrap_or_default();
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == "If-None-Match" && p["in"] == "header"),
                "GET {path} answers 304 but does not declare If-None-Match"
            );
        }
    }
}

/// Generated clients get one type per resource: list items, tree children and query
/// enums refer to the named schemas instead of copying them.
#[actix_web::test]
async fn lists_and_enums_refer_to_named_schemas() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let envelopes: Vec<&String> = schemas
        .keys()
        .filter(|name| name.starts_with("ListEnvelope_"))
        .collect();
    assert_eq!(envelopes.len(), 12, "{envelopes:?}");
    for name in envelopes {
        let item = name.trim_start_matches("ListEnvelope_");
        assert_eq!(
            schemas[name]["properties"]["data"]["items"],
            json!({"$ref": format!("#/components/schemas/{item}")}),
            "{name}"
        );
    }
    let by_name = |path: &str, name: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    assert_eq!(
        by_name("/api/v1/articles", "status"),
        json!({"$ref": "#/components/schemas/ArticleStatus"})
    );
    assert_eq!(
        by_name("/api/v1/comments", "status"),
        json!({"$ref": "#/components/schemas/CommentStatus"})
    );
    assert_eq!(
        by_name("/api/v1/tips", "status"),
        json!({"$ref": "#/components/schemas/TipStatus"})
    );
    assert_eq!(
        by_name("/api/v1/articles", "sort"),
        json!({"$ref": "#/components/schemas/ArticleSort"})
    );
    assert_eq!(
        schemas["ArticleSort"]["x-enum-varnames"],
        json!([
            "PublishedAtDesc",
            "PublishedAtAsc",
            "UpdatedAtDesc",
            "Relevance"
        ])
    );
    assert_eq!(
        schemas["BylineOut"]["properties"]["role"],
        json!({"$ref": "#/components/schemas/BylineRole"})
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

/// A field the document does not let a PATCH clear (not nullable) answers `null` with a
/// 422 naming it, and changes nothing; a field it lets clear accepts `null`.
#[actix_web::test]
async fn patch_bodies_refuse_null_exactly_where_the_document_does() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .create()
        .await;
    let author = AuthorBuilder::new(&app, "周晓明", "zhou-xiaoming")
        .create()
        .await;
    let tip_line = TipLineBuilder::new(&app)
        .in_channel(room.pingxiang)
        .kind("hotline")
        .label("新闻热线")
        .value("0799-6000000")
        .create()
        .await;
    let tip = app
        .post("/api/v1/tips")
        .json(&json!({"channel_id": room.pingxiang, "content": "路灯坏了"}))
        .send()
        .await
        .ok(202)["id"]
        .as_i64()
        .unwrap();
    let user = app.create_user("target@example.com", "reporter").await;
    let targets = [
        (
            "/api/v1/articles/{id_or_slug}",
            format!("/api/v1/articles/{}", article.id),
            &app.editor,
        ),
        (
            "/api/v1/channels/{id_or_slug}",
            format!("/api/v1/channels/{}", room.society),
            &app.editor,
        ),
        (
            "/api/v1/authors/{id_or_slug}",
            format!("/api/v1/authors/{author}"),
            &app.editor,
        ),
        (
            "/api/v1/tip-lines/{id}",
            format!("/api/v1/tip-lines/{}", tip_line.id),
            &app.editor,
        ),
        (
            "/api/v1/tips/{id}",
            format!("/api/v1/tips/{tip}"),
            &app.editor,
        ),
        (
            "/api/v1/users/{id}",
            format!("/api/v1/users/{user}"),
            &app.admin,
        ),
    ];
    let mut refused = 0;
    for (path, url, token) in targets {
        let body =
            &doc["paths"][path]["patch"]["requestBody"]["content"]["application/json"]["schema"];
        let name = body["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
        let schema = &doc["components"]["schemas"][name];
        let before = app.get(&url).bearer(token).send().await.ok(200);
        for (field, property) in schema["properties"].as_object().unwrap() {
            let nullable = property["type"]
                .as_array()
                .is_some_and(|types| types.contains(&json!("null")))
                || property["oneOf"]
                    .as_array()
                    .is_some_and(|alternatives| alternatives.contains(&json!({"type": "null"})));
            if nullable {
                continue;
            }
            let res = app
                .patch(&url)
                .bearer(token)
                .json(&json!({field: null}))
                .send()
                .await;
            assert_eq!(
                res.invalid_fields(),
                [field.as_str()],
                "{name}.{field}: null"
            );
            refused += 1;
        }
        let after = app.get(&url).bearer(token).send().await.ok(200);
        assert_eq!(
            after["version"], before["version"],
            "{name}: a refused PATCH changed it"
        );
    }
    assert!(refused >= 25, "only {refused} fields checked");
}

/// Every field the server always sends is `required` in its schema (nullable where it
/// can be null), so generated types are `T | null`, never `T | null | undefined`. The
/// only optional fields are the ones the server leaves out, named here.
#[actix_web::test]
async fn always_sent_fields_are_required_in_answers() {
    const LEFT_OUT_WHEN_EMPTY: [(&str, &str); 10] = [
        ("ArticleSummaryOut", "highlight"),   // only on search results
        ("ArticleOut", "highlight"),          // flattens ArticleSummaryOut; never set there
        ("ChannelListItem", "children"),      // only in `?tree=true` answers
        ("Health", "database"),               // only from /readyz
        ("Problem", "errors"),                // only with field errors
        ("Source", "url"),                    // `{name, url?}` (API.md)
        ("PageMeta", "total_is_lower_bound"), // only when a search stopped counting
        // Canonical URLs: only with NEWSDESK_SITE_URL set (an article's, once it has a
        // publication time).
        ("ArticleSummaryOut", "url"),
        ("ChannelOut", "url"),
        ("ChannelRef", "url"),
    ];
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let answers = schemas.keys().filter(|name| {
        name.ends_with("Out")
            || name.starts_with("ListEnvelope_")
            || [
                "ChannelListItem",
                "Health",
                "Problem",
                "FieldError",
                "PageMeta",
                "TipReceipt",
                "TokenPair",
                "Source",
                "ChannelRef",
                "ArticleContent",
            ]
            .contains(&name.as_str())
    });
    let mut checked = 0;
    for name in answers {
        let schema = &schemas[name];
        let parts: Vec<&Value> = match schema["allOf"].as_array() {
            Some(parts) => parts.iter().collect(),
            None => vec![schema],
        };
        for part in parts {
            let required: Vec<&str> = part["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for field in part["properties"]
                .as_object()
                .into_iter()
                .flat_map(|p| p.keys())
            {
                let optional = LEFT_OUT_WHEN_EMPTY.contains(&(name.as_str(), field.as_str()));
                assert_eq!(
                    !required.contains(&field.as_str()),
                    optional,
                    "{name}.{field}: required must say whether the server always sends it"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} fields checked");
}
