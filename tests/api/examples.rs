//! The document's examples are the demo newsroom: each resource example is what a
//! `seed-demo` server answers for that resource, each request example is accepted there,
//! and a PATCH example's answer is the response example (times aside, which the demo
//! takes from the clock).

use serde_json::Value;

use crate::support::TestApp;

/// Fields whose values come from the clock.
const TIMES: [&str; 4] = ["created_at", "updated_at", "published_at", "edited_at"];

fn without_times(value: &Value) -> Value {
    match value {
        Value::Object(fields) => fields
            .iter()
            .filter(|(name, _)| !TIMES.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), without_times(value)))
            .collect(),
        Value::Array(items) => items.iter().map(without_times).collect(),
        // An article's URL holds its publication date, which comes from the clock too.
        Value::String(text) => {
            let date = regex::Regex::new(r"/[0-9]{4}/[0-9]{4}/").unwrap();
            Value::String(date.replace_all(text, "/yyyy/mmdd/").into_owned())
        }
        other => other.clone(),
    }
}

#[track_caller]
fn assert_shows(example: &Value, answer: &Value, what: &str) {
    assert_eq!(
        without_times(example),
        without_times(answer),
        "the example of {what} is not what the demo answers"
    );
}

/// The schema's own example.
fn schema_example(doc: &Value, schema: &str) -> Value {
    doc["components"]["schemas"][schema]["example"].clone()
}

/// The example of an operation's JSON request body, or of its response `status`.
fn body_example(operation: &Value, status: Option<&str>) -> Value {
    let body = match status {
        Some(status) => &operation["responses"][status],
        None => &operation["requestBody"],
    };
    body["content"]["application/json"]["example"].clone()
}

/// `path` with each `{parameter}` replaced by the parameter's example.
fn example_path(path: &str, operation: &Value) -> String {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "path")
        .fold(path.to_owned(), |path, p| {
            let name = p["name"].as_str().unwrap();
            let value = match &p["example"] {
                Value::String(s) => s.clone(),
                other => panic!("path parameter {name} of {path} has no example: {other}"),
            };
            path.replace(&format!("{{{name}}}"), &value)
        })
}

/// `path` with its one `{parameter}` replaced by `id`.
fn path_for(path: &str, id: &Value) -> String {
    let start = path.find('{').unwrap();
    let end = path.find('}').unwrap();
    format!("{}{}{}", &path[..start], id, &path[end + 1..])
}

/// Webhooks are not part of the demo: a demo webhook would send every demo install's
/// events to an outside address, and a webhook's URL must resolve to a public address,
/// which this offline test cannot reach. Their examples are held to their schemas by the
/// OpenAPI lint (`tests/lint/`), and their behaviour by `tests/api/webhooks.rs`.
///
/// The media library is not part of the demo either: the demo ships no image files, and
/// its examples (an image's variants, a reader's photo) are held to their schemas the
/// same way, and its behaviour by `tests/api/media.rs`.
fn outside_demo(path: &str) -> bool {
    path.starts_with("/api/v1/webhooks")
        || path.starts_with("/api/v1/media")
        || path.starts_with("/media/")
        || path.contains("/photos/")
}

#[actix_web::test]
async fn the_examples_are_the_demo_newsroom_as_the_api_shows_it() {
    // The demo's public site, so that answers carry the `url`s the examples show.
    let app = TestApp::with_env(&[("NEWSDESK_SITE_URL", "https://www.jxnews.com.cn")]).await;
    let state = app.state.clone();
    app.with_db(move |conn| newsdesk::seed::seed_demo(&state, conn))
        .await;
    let doc = app.get("/openapi.json").send().await.ok(200);
    let admin = |path: &str| app.get(path).bearer(&app.admin).send();

    // A bare `seed-demo` makes the demo editor account 1; here the test's accounts come
    // first, so the examples' account 1 is looked up by its e-mail.
    let user = schema_example(&doc, "UserOut");
    let users = admin("/api/v1/users?per_page=100").await.ok(200);
    let demo_editor = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == user["email"])
        .unwrap_or_else(|| panic!("no account {} in the demo", user["email"]))["id"]
        .clone();
    assert_eq!(user["id"], 1);
    let as_here = |mut example: Value| {
        if example["id"] == 1 && example.get("email").is_some() {
            example["id"] = demo_editor.clone();
        }
        if example["edited_by"]["id"] == 1 {
            example["edited_by"]["id"] = demo_editor.clone();
        }
        example
    };

    // Resources, as one reads them.
    for (schema, path) in [
        ("ArticleOut", "/api/v1/articles/{id}"),
        ("ChannelDetailOut", "/api/v1/channels/{id}"),
        ("AuthorOut", "/api/v1/authors/{id}"),
        ("CommentOut", "/api/v1/comments/{id}"),
        ("TipLineOut", "/api/v1/tip-lines/{id}"),
        ("TipOut", "/api/v1/tips/{id}"),
        ("UserOut", "/api/v1/users/{id}"),
    ] {
        let example = as_here(schema_example(&doc, schema));
        let answer = admin(&path_for(path, &example["id"])).await.ok(200);
        assert_shows(&example, &answer, schema);
    }
    // Lists: each item a list's example shows is in what the list answers at the
    // example's path, as shown (revisions come with the first change, below).
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(operation) = item.get("get") else {
            continue;
        };
        let example = body_example(operation, Some("200"));
        let Some(shown) = example["data"].as_array() else {
            continue;
        };
        // A token's hint is random, and the demo has no token: the list shows its shape.
        if path.ends_with("/revisions") || path == "/api/v1/tokens" || outside_demo(path) {
            continue;
        }
        let path = example_path(path, operation);
        let answer = admin(&path).await.ok(200);
        for item in shown {
            let item = as_here(item.clone());
            let listed = answer["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|listed| listed["id"] == item["id"])
                .unwrap_or_else(|| panic!("{path} does not list {}", item["id"]));
            assert_shows(&item, listed, &path);
        }
    }
    // A channel as a flat list shows it.
    let channel = schema_example(&doc, "ChannelOut");
    assert_shows(
        &channel,
        &schema_example(&doc, "ChannelListItem"),
        "ChannelOut",
    );
    let token_pair = schema_example(&doc, "TokenPair");
    assert_shows(&token_pair["user"], &user, "TokenPair.user");
    let sign_in = &doc["components"]["schemas"]["LoginRequest"]["example"];
    assert_eq!(
        sign_in["email"], user["email"],
        "LoginRequest signs in as the demo editor"
    );
    assert_eq!(
        schema_example(&doc, "RefreshRequest")["refresh_token"],
        token_pair["refresh_token"],
        "RefreshRequest sends back the TokenPair's refresh token"
    );

    // Changes: every PATCH example, sent with the If-Match example to the resource its
    // answer shows, is answered with exactly that answer.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(operation) = item.get("patch") else {
            continue;
        };
        if outside_demo(path) {
            continue;
        }
        let change = body_example(operation, None);
        let expected = as_here(body_example(operation, Some("200")));
        assert!(change.is_object() && expected.is_object(), "PATCH {path}");
        let if_match = operation["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "If-Match")
            .and_then(|p| p["example"].as_str())
            .unwrap_or_else(|| panic!("PATCH {path} shows no If-Match"));
        let answer = app
            .patch(&path_for(path, &expected["id"]))
            .bearer(&app.admin)
            .header("If-Match", if_match)
            .json(&change)
            .send()
            .await
            .ok(200);
        assert_shows(&expected, &answer, &format!("PATCH {path}"));
        if path == "/api/v1/articles/{id_or_slug}" {
            // The change kept the story's first version (read now: it names its editor
            // as the account is named now, and the account is changed too).
            let revision = as_here(schema_example(&doc, "RevisionOut"));
            let revisions = admin(&format!("{}/revisions", path_for(path, &expected["id"])))
                .await
                .ok(200);
            assert_shows(&revision, &revisions["data"][0], "RevisionOut");
        }
    }

    // New things: every POST example outside signing in is accepted on the demo, and
    // what it sets reads back as sent.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(operation) = item.get("post") else {
            continue;
        };
        if path.starts_with("/api/v1/auth/") || outside_demo(path) {
            continue;
        }
        let sent = body_example(operation, None);
        let res = app
            .post(&example_path(path, operation))
            .bearer(&app.admin)
            .json(&sent)
            .send()
            .await;
        assert!(
            res.status.is_success(),
            "POST {path} with its example: {} {}",
            res.status,
            res.text()
        );
        let answer = res.json();
        let status = res.status.as_str();
        if let Some(receipt) = body_example(operation, Some(status)).as_object() {
            if status == "202" {
                assert_shows(&Value::Object(receipt.clone()), &answer, path);
            }
        }
        // A POST without a body (a preview link) sets nothing.
        for (field, value) in sent.as_object().into_iter().flatten() {
            let plain = !value.is_object()
                && value
                    .as_array()
                    .is_none_or(|items| items.iter().all(|v| !v.is_object()));
            if let Some(stored) = answer.get(field).filter(|_| plain) {
                assert_eq!(stored, value, "POST {path}: {field} is not stored as sent");
            }
        }
    }
}
