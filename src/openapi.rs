//! The OpenAPI document: its fixed parts (info, security scheme, shared error responses)
//! merged with the paths and schemas collected from every handler by utoipa-actix-web.

use serde_json::{Value, json};
use utoipa::openapi::content::Content;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::{ServerBuilder, ServerVariableBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};

use crate::domain::slug::Slug;
use crate::domain::text::{
    EMAIL_MAX_CHARS, EMAIL_PATTERN, NOT_BLANK_PATTERN, URL_MAX_CHARS, URL_PATTERN,
};
use crate::error::{ApiError, FieldError, Problem};

// The licence is Cargo.toml's, as an SPDX identifier.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Newsdesk",
        description = include_str!("openapi_intro.md"),
        contact(name = "The Newsdesk maintainers"),
    ),
    modifiers(&BearerAuth, &Servers),
    components(
        // Schemas only a query parameter names are not collected from the handlers.
        schemas(Problem, FieldError, crate::articles::dto::ArticleSort, crate::feeds::dto::FeedFile),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
            PayloadTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests, Unavailable,
            InsufficientStorage, RangeNotSatisfiable,
            InternalError
        )
    ),
    tags(
        (name = "auth", description = "Signing in: access and refresh tokens"),
        (name = "users", description = "Accounts (admins only)"),
        (name = "tokens", description = "API tokens for integrators (admins only)"),
        (name = "channels", description = "The channel tree: portal, city channels, columns"),
        (name = "authors", description = "People named in bylines"),
        (name = "articles", description = "Articles: bodies in pages, bylines, workflow, search"),
        (name = "comments", description = "Readers' comments and their moderation"),
        (name = "tip-lines", description = "How readers reach a channel's newsroom"),
        (name = "tips", description = "Readers' news tips and the newsroom's inbox"),
        (name = "media", description = "The media library: images without metadata, their responsive variants, and their files"),
        (name = "webhooks", description = "Signed notices of content events, and their deliveries (admins only)"),
        (name = "distribution", description = "Feeds (RSS, Atom, JSON Feed) and sitemaps at the public site's URLs (`NEWSDESK_SITE_URL`)"),
        (name = "service", description = "Health, metrics and documentation"),
    )
)]
pub struct ApiDoc;

/// Where each create operation's answer leads: OpenAPI links from its success response
/// to the operations that take the new resource's id, so clients and fuzzers can follow
/// them (`$response.body#/id`).
/// (A tip's receipt has none: its sender cannot read the inbox. A new article leads to
/// its comments' list but not to posting one: it is a draft unless published at once,
/// and readers comment only on public articles.)
const CREATED_RESOURCE_LINKS: [(&str, &str, &str, &[&str]); 8] = [
    (
        "/api/v1/channels",
        "201",
        "id_or_slug",
        &["get_channel", "update_channel", "delete_channel"],
    ),
    (
        "/api/v1/authors",
        "201",
        "id_or_slug",
        &["get_author", "update_author", "delete_author"],
    ),
    (
        "/api/v1/articles",
        "201",
        "id_or_slug",
        &[
            "get_article",
            "update_article",
            "delete_article",
            "list_revisions",
            "list_related",
            "list_article_comments",
        ],
    ),
    (
        "/api/v1/articles/{id_or_slug}/comments",
        "201",
        "id",
        &["get_comment", "moderate_comment", "delete_comment"],
    ),
    (
        "/api/v1/tip-lines",
        "201",
        "id",
        &["get_tip_line", "update_tip_line", "delete_tip_line"],
    ),
    (
        "/api/v1/users",
        "201",
        "id",
        &["get_user", "update_user", "delete_user"],
    ),
    (
        "/api/v1/tokens",
        "201",
        "id",
        &["get_token", "revoke_token"],
    ),
    (
        "/api/v1/media",
        "201",
        "id",
        &["get_media", "update_media", "delete_media"],
    ),
];

/// What every public read's answer says to caches (see `http::cache`).
const PUBLIC_ANSWER_HEADERS: &[(&str, &str)] = &[
    (
        "Cache-Control",
        "Anonymous: `public, max-age=0, s-maxage=N, stale-while-revalidate=N, stale-if-error=N` \
         (`s-maxage` never past the next scheduled publication); signed in: `private, no-cache`.",
    ),
    (
        "Surrogate-Key",
        "Anonymous only: the keys of what the answer shows, space-separated (`article-12 channel-3 \
         author-7 articles …`); Newsdesk purges CDNs by these keys when a write changes them. \
         Also sent as `xkey`, and comma-separated as `Cache-Tag`.",
    ),
    (
        "X-Newsdesk-Cache",
        "Anonymous only: `hit` when the answer came from Newsdesk's memory, `miss` when it was \
         computed.",
    ),
];

/// Completes the collected document: the 500, 503 and 507 answers any API operation can
/// give, the cache headers of public reads, the links of [`CREATED_RESOURCE_LINKS`], and
/// the examples of every body.
pub fn finish(document: &mut utoipa::openapi::OpenApi) {
    complete(document);
    // The rules below are about the shape of the whole document, which reads far more
    // plainly as JSON than through utoipa's builders.
    // Neither conversion fails on a document utoipa built; if one ever did, the document
    // would stay unrefined and the test comparing it with the committed one would say so.
    if let Ok(mut json) = serde_json::to_value(&*document) {
        refine(&mut json);
        if let Ok(refined) = serde_json::from_value(json) {
            *document = refined;
        }
    }
}

fn complete(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::{Ref, RefOr};

    for (path, item) in document.paths.paths.iter_mut() {
        if !path.starts_with("/api/") {
            continue;
        }
        // Every operation may meet a server error or an unavailable database; a write may
        // also find the disk full.
        let operations = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (operation, writes) in operations {
            let Some(operation) = operation else { continue };
            let mut answers = vec![("500", "InternalError"), ("503", "Unavailable")];
            if writes {
                answers.push(("507", "InsufficientStorage"));
            }
            for (status, response) in answers {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(response)));
            }
        }
    }

    for (path, item) in document.paths.paths.iter_mut() {
        let public_read = item
            .get
            .as_mut()
            .filter(|get| path.starts_with("/api/") && anonymous_allowed(get));
        if let Some(RefOr::T(ok)) =
            public_read.and_then(|get| get.responses.responses.get_mut("200"))
        {
            for (name, description) in PUBLIC_ANSWER_HEADERS {
                let header = utoipa::openapi::header::HeaderBuilder::new()
                    .schema(Some(utoipa::openapi::schema::Object::with_type(
                        utoipa::openapi::schema::Type::String,
                    )))
                    .description(Some(*description))
                    .build();
                ok.headers
                    .entry((*name).to_owned())
                    .or_insert(RefOr::T(header));
            }
        }
    }

    for (path, status, parameter, targets) in CREATED_RESOURCE_LINKS {
        let response = document
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.responses.responses.get_mut(status));
        if let Some(RefOr::T(response)) = response {
            for target in targets {
                let link = LinkBuilder::new()
                    .operation_id(*target)
                    .parameter(parameter, "$response.body#/id")
                    .build();
                response.links.insert((*target).to_owned(), RefOr::T(link));
            }
        }
    }

    show_examples(document);
}

/// Shows every request and response body by example, each example written once, on its
/// type (`#[schema(example = …)]`): a body gets its schema's example; a list, a page
/// holding its item's example; the answer to a PATCH, the example of its resource with
/// the example change applied, one version on. An example an operation states itself
/// stays.
fn show_examples(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;

    let schemas = document
        .components
        .as_ref()
        .and_then(|components| serde_json::to_value(&components.schemas).ok())
        .unwrap_or_default();
    let example_of = |content: &Content| {
        let schema = serde_json::to_value(content.schema.as_ref()?).ok()?;
        schema_example(&schema, &schemas)
    };
    for item in document.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.post, false),
            (&mut item.delete, false),
            (&mut item.patch, true),
        ];
        for (operation, patch) in operations {
            let Some(operation) = operation else { continue };
            let mut change = None;
            let body = match &mut operation.request_body {
                Some(RefOr::T(body)) => Some(body),
                _ => None,
            };
            for content in body.into_iter().flat_map(|body| body.content.values_mut()) {
                let RefOr::T(content) = content else { continue };
                if content.example.is_none() {
                    content.example = example_of(content);
                }
                change = change.or_else(|| content.example.clone());
            }
            for (status, response) in &mut operation.responses.responses {
                let RefOr::T(response) = response else {
                    continue;
                };
                for content in response.content.values_mut() {
                    let RefOr::T(content) = content else { continue };
                    if content.example.is_none() {
                        content.example = example_of(content).map(|resource| match &change {
                            Some(change) if patch && status == "200" => patched(resource, change),
                            _ => resource,
                        });
                    }
                }
            }
        }
    }
}

/// The example of `schema`, following a `$ref` into `schemas`; for a list envelope with
/// none, one page holding the example of its item.
fn schema_example(schema: &Value, schemas: &Value) -> Option<Value> {
    let reference = schema.get("$ref").and_then(Value::as_str);
    if let Some(name) = reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
        return schema_example(schemas.get(name)?, schemas);
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    let item = schema_example(schema.pointer("/properties/data/items")?, schemas)?;
    let meta = schema_example(schema.pointer("/properties/meta")?, schemas)?;
    Some(json!({ "data": [item], "meta": meta }))
}

/// `resource` as a PATCH sending `change` answers it: every field the change names set to
/// the value sent (fields the resource does not show, such as a password, aside), and the
/// version one on.
fn patched(mut resource: Value, change: &Value) -> Value {
    if let (Some(fields), Some(change)) = (resource.as_object_mut(), change.as_object()) {
        for (name, value) in change {
            if let Some(field) = fields.get_mut(name) {
                *field = value.clone();
            }
        }
        if let Some(version) = fields.get("version").and_then(Value::as_i64) {
            fields.insert("version".into(), json!(version + 1));
        }
    }
    resource
}

/// Whether an operation answers without a token: it declares no security, or an empty
/// requirement among its alternatives (`[{}, {"bearer_auth": []}]`, a token is optional).
fn anonymous_allowed(operation: &utoipa::openapi::path::Operation) -> bool {
    operation.security.as_ref().is_none_or(|alternatives| {
        alternatives.is_empty()
            || alternatives
                .iter()
                .any(|requirement| *requirement == Default::default())
    })
}

/// Makes the document exact for client generators:
/// - an operation that declares no security is public, and says so (`security: []`);
///   operations that take an optional token declare `[{}, {"bearer_auth": []}]` at
///   their handler;
/// - every GET that can answer 304 takes `If-None-Match`;
/// - a list envelope's items are the item schema itself (`$ref`), not a copy of it;
/// - an enum whose values are not identifiers (`-published_at`) names them in
///   `x-enum-varnames`, so generated enums get readable member names;
/// - what the server refuses in any string it reads is stated too: e-mail addresses
///   follow [`EMAIL_PATTERN`], and no string a client sends may hold a NUL character.
fn refine(document: &mut serde_json::Value) {
    use serde_json::{Value, json};

    // Rules kept in `domain::text` as constants, which utoipa's attributes cannot name.
    let text_rules = [
        ("CreateUser", "email", EMAIL_PATTERN, EMAIL_MAX_CHARS),
        ("UpdateUser", "email", EMAIL_PATTERN, EMAIL_MAX_CHARS),
        (
            "CreateArticle",
            "cover_image_url",
            URL_PATTERN,
            URL_MAX_CHARS,
        ),
        (
            "UpdateArticle",
            "cover_image_url",
            URL_PATTERN,
            URL_MAX_CHARS,
        ),
        ("Source", "url", URL_PATTERN, URL_MAX_CHARS),
        ("ChannelLinkIn", "url", URL_PATTERN, URL_MAX_CHARS),
        ("CreateAuthor", "avatar_url", URL_PATTERN, URL_MAX_CHARS),
        ("UpdateAuthor", "avatar_url", URL_PATTERN, URL_MAX_CHARS),
    ];
    for (schema, field, pattern, max_chars) in text_rules {
        let property = &mut document["components"]["schemas"][schema]["properties"][field];
        property["pattern"] = json!(pattern);
        property["maxLength"] = json!(max_chars);
    }
    // A webhook's URL is the same shape, but never blank.
    let required_url = URL_PATTERN
        .split_once('|')
        .map_or(URL_PATTERN, |(_blank, url)| url);
    for schema in ["CreateWebhook", "UpdateWebhook"] {
        document["components"]["schemas"][schema]["properties"]["url"]["pattern"] =
            json!(required_url);
    }
    // Tags are trimmed, not blank, and at most 50 characters (`articles::validate`).
    for schema in ["CreateArticle", "UpdateArticle"] {
        document["components"]["schemas"][schema]["properties"]["tags"]["items"] =
            json!({"type": "string", "minLength": 1, "maxLength": 50, "pattern": "\\S"});
    }
    // A form's parts are its fields: no others are read (the server refuses them).
    for schema in ["UploadMedia", "SendTipWithPhotos"] {
        document["components"]["schemas"][schema]["additionalProperties"] = json!(false);
    }
    // The document states the default; a deployment that changes the limit says so.
    document["components"]["schemas"]["SendTipWithPhotos"]["properties"]["photos"]["maxItems"] =
        json!(crate::config::DEFAULT_TIP_PHOTOS_MAX);
    refuse_nul_in_requests(document);
    describe_webhooks(document);

    if let Some(paths) = document["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for (method, operation) in item.iter_mut() {
                let Some(operation) = operation.as_object_mut() else {
                    continue;
                };
                let security = operation.entry("security").or_insert(Value::Null);
                if security.is_null() {
                    *security = json!([]);
                }
                let revalidates = operation
                    .get("responses")
                    .is_some_and(|responses| responses.get("304").is_some());
                if method == "get" && revalidates {
                    let parameters = operation.entry("parameters").or_insert(Value::Null);
                    if parameters.is_null() {
                        *parameters = json!([]);
                    }
                    if let Some(parameters) = parameters.as_array_mut() {
                        parameters.push(json!({
                            "name": "If-None-Match",
                            "in": "header",
                            "required": false,
                            "description": "The `ETag` of an answer already held: 304 with no body \
                                            while it still names the current version.",
                            "schema": {"type": "string"},
                            "example": "\"v3-1f0c2b7e9d4a8c6e5b21\""
                        }));
                    }
                }
            }
        }
    }

    let Some(schemas) = document["components"]["schemas"].as_object_mut() else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in &names {
        if let Some(item) = name.strip_prefix("ListEnvelope_") {
            if schemas.contains_key(item) {
                schemas[name]["properties"]["data"]["items"] =
                    json!({"$ref": format!("#/components/schemas/{item}")});
            }
        }
        let Some(values) = schemas[name]["enum"].as_array() else {
            continue;
        };
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if values.iter().any(|value| !is_identifier(value)) {
            let sort_order = values.iter().any(|value| value.starts_with('-'));
            // In a sort order, a value is ascending when it is a field some other value
            // sorts descending (`published_at`); one that is no field (`relevance`) is
            // just named.
            let names: Vec<String> = values
                .iter()
                .map(|value| {
                    let ascending = sort_order
                        && (value.starts_with('-')
                            || values.iter().any(|v| v.strip_prefix('-') == Some(value)));
                    member_name(value, ascending)
                })
                .collect();
            schemas[name]["x-enum-varnames"] = json!(names);
        }
    }
}

/// The OpenAPI 3.1 `webhooks`: one POST per event type, with the body a receiver gets
/// and the Standard Webhooks headers it can verify (utoipa has no builder for them).
fn describe_webhooks(document: &mut serde_json::Value) {
    use serde_json::json;

    use crate::domain::event::EventType;

    let header = |name: &str, description: &str, example: &str| {
        json!({"name": name, "in": "header", "required": true, "description": description,
               "schema": {"type": "string"}, "example": example})
    };
    let parameters = json!([
        header(
            "webhook-id",
            "The event's id, the same on every attempt: receivers drop repeats by it.",
            "evt_5f1d7c9a0b2e4c6d8e0f1a2b"
        ),
        header(
            "webhook-timestamp",
            "When this attempt was signed, in Unix seconds; refuse old ones.",
            "1764331200"
        ),
        header(
            "webhook-signature",
            "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed \
                with the base64-decoded part of the webhook's secret after `whsec_`.",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        ),
    ]);
    let mut webhooks = serde_json::Map::new();
    for kind in EventType::ALL {
        let (data, what) = match kind {
            EventType::ArticleUnpublished => {
                ("WebhookGone", "the id of the article readers no longer see")
            }
            _ if kind.is_deletion() => ("WebhookGone", "the id of what was deleted"),
            EventType::ArticlePublished | EventType::ArticleUpdated => (
                "ArticleOut",
                "the article as `GET /articles/{id}` shows it to anyone",
            ),
            EventType::CommentCreated | EventType::CommentApproved => {
                ("CommentOut", "the comment as the moderation API shows it")
            }
            EventType::TipReceived => (
                "TipOut",
                "the tip as the inbox shows it, its contact included",
            ),
            EventType::ChannelCreated | EventType::ChannelUpdated => (
                "ChannelDetailOut",
                "the channel as `GET /channels/{id}` shows it",
            ),
            _ => ("AuthorOut", "the author as `GET /authors/{id}` shows it"),
        };
        webhooks.insert(
            kind.as_str().to_owned(),
            json!({"post": {
                "tags": ["webhooks"],
                "summary": format!("{kind}"),
                "description": format!(
                    "Sent to every active webhook subscribed to `{kind}`; `data` is {what} when the \
                     event is delivered. Answer 2xx within 10 s; anything else (a redirect too) is \
                     retried with back-off."
                ),
                "operationId": format!("webhook_{}", kind.as_str().replace('.', "_")),
                "parameters": parameters,
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["type", "id", "occurred_at", "data"],
                    "properties": {
                        "type": {"type": "string", "enum": [kind.as_str()]},
                        "id": {"type": "string", "description": "The event's id (also `webhook-id`)"},
                        "occurred_at": {"type": "string", "format": "date-time"},
                        "data": {"$ref": format!("#/components/schemas/{data}")},
                    },
                }}}},
                "responses": {"200": {"description": "Received; any 2xx will do"}},
                "security": [],
            }}),
        );
    }
    document["webhooks"] = serde_json::Value::Object(webhooks);
    document["components"]["schemas"]["WebhookGone"] = json!({
        "type": "object",
        "description": "What an event about a resource gone from public view carries.",
        "required": ["id"],
        "properties": {"id": {"type": "integer", "format": "int64"}},
    });
}

/// States `http::input`'s rule that no string a client sends holds a NUL character, on
/// every string parameter and every string in a request body's schemas.
fn refuse_nul_in_requests(document: &mut serde_json::Value) {
    use serde_json::Value;

    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    found.push(name.to_owned());
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    fn state_no_nul(schema: &mut Value, not_blank_no_nul: &str) {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        let is_string = match map.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string && !map.contains_key("enum") && !map.contains_key("format") {
            let pattern = match map.get("pattern").and_then(Value::as_str) {
                None => Some(NO_NUL),
                Some(NOT_BLANK) => Some(not_blank_no_nul),
                Some(_) => None, // the anchored patterns of slugs and e-mail exclude NUL
            };
            if let Some(pattern) = pattern {
                map.insert("pattern".into(), pattern.into());
            }
        }
        for key in ["properties", "items", "allOf", "oneOf", "anyOf"] {
            match map.get_mut(key) {
                Some(Value::Object(children)) if key == "properties" => children
                    .values_mut()
                    .for_each(|c| state_no_nul(c, not_blank_no_nul)),
                Some(Value::Array(children)) => children
                    .iter_mut()
                    .for_each(|c| state_no_nul(c, not_blank_no_nul)),
                Some(child @ Value::Object(_)) => state_no_nul(child, not_blank_no_nul),
                _ => {}
            }
        }
    }
    const NO_NUL: &str = "^[^\\u0000]*$";
    const NOT_BLANK: &str = "\\S";
    // Blank as the server decides it (`domain::text::required`), and no NUL.
    let not_blank_no_nul = format!(
        "^[^\\u0000]*{}[^\\u0000]*$",
        NOT_BLANK_PATTERN.replacen("[^", "[^\\u0000", 1)
    );

    let mut bodies = Vec::new();
    if let Some(paths) = document["paths"].as_object_mut() {
        for operation in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in operation.values_mut() {
                refs(&operation["requestBody"], &mut bodies);
                // `get_mut`: indexing would add `"parameters": null` where there are none.
                if let Some(parameters) = operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                {
                    for parameter in parameters {
                        state_no_nul(&mut parameter["schema"], &not_blank_no_nul);
                    }
                }
            }
        }
    }
    let schemas = &mut document["components"]["schemas"];
    let mut seen = std::collections::HashSet::new();
    while let Some(name) = bodies.pop() {
        if seen.insert(name.clone()) {
            refs(&schemas[&name], &mut bodies);
            state_no_nul(&mut schemas[&name], &not_blank_no_nul);
        }
    }
}

fn is_identifier(value: &str) -> bool {
    value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A readable member name: UpperCamelCase of the value's words; in a sort order (an
/// enum with `-field` values), `-published_at` → `PublishedAtDesc` and `published_at`
/// → `PublishedAtAsc`.
fn member_name(value: &str, sort_order: bool) -> String {
    let (words, suffix) = match value.strip_prefix('-') {
        Some(field) => (field, "Desc"),
        None if sort_order => (value, "Asc"),
        None => (value, ""),
    };
    let mut name: String = words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    name.push_str(suffix);
    name
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "Either an access token (a JWT) from `POST /api/v1/auth/login` or \
             `/auth/refresh`, or an API token (`nd_…`) from `POST /api/v1/tokens`. An API \
             token has an editor's rights (`write` scope) or an editor's reads alone \
             (`read` scope: any other request is 403); revoked or expired, it is 401 at once."
                .into(),
        );
        components.add_security_scheme("bearer_auth", SecurityScheme::Http(scheme));
        let mut metrics = Http::new(HttpAuthScheme::Bearer);
        metrics.description = Some(
            "The server's `NEWSDESK_METRICS_TOKEN`, required by `GET /metrics` when set.".into(),
        );
        components.add_security_scheme("metrics_token", SecurityScheme::Http(metrics));
    }
}

/// Where requests go. First this document's own server, as a relative URL: `/docs/` is
/// served by the same process on whatever host it is reached, and a tool that loads the
/// document from a server resolves it against that server. Then a server by address, for
/// tools that read the committed file, defaulting to where `newsdesk serve` listens.
struct Servers;

impl Modify for Servers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let this_host = ServerBuilder::new()
            .url("/")
            .description(Some(
                "The server this document was loaded from (what `/docs/` calls)",
            ))
            .build();
        let by_address = ServerBuilder::new()
            .url("http://{address}")
            .description(Some("A Newsdesk server by address"))
            .parameter(
                "address",
                ServerVariableBuilder::new()
                    .default_value(crate::config::DEFAULT_BIND)
                    .description(Some(
                        "`host:port`; by default where `newsdesk serve` listens (`NEWSDESK_BIND`)",
                    )),
            )
            .build();
        openapi.servers = Some(vec![this_host, by_address]);
    }
}

// The shared error responses. Each example is rendered by `ApiError` itself, so it shows
// the problem document the server sends, title and status included.

/// The request is malformed: not JSON, a query parameter of the wrong type, or framed two
/// ways (`Content-Length` with `Transfer-Encoding`, refused whatever the route).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::bad_request("the body is not valid JSON: expected value at line 1 column 1").problem())
)]
pub struct BadRequest(#[allow(dead_code)] Problem);

/// No valid access token or API token was sent.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Always `Bearer`")),
    example = json!(ApiError::Unauthorized("the access token is invalid or expired".into()).problem())
)]
pub struct Unauthorized(#[allow(dead_code)] Problem);

/// The caller's role is too low for this, or a `read` API token asked to write.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::Forbidden("this needs the editor role or higher".into()).problem())
)]
pub struct Forbidden(#[allow(dead_code)] Problem);

/// No such resource (or not visible to this client).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::not_found("article").problem())
)]
pub struct NotFound(#[allow(dead_code)] Problem);

/// The change conflicts with the current state (a duplicate slug or e-mail, or
/// resources that still depend on this one).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::Conflict("another article already has this slug".into()).problem())
)]
pub struct Conflict(#[allow(dead_code)] Problem);

/// `If-Match` named a version that is no longer current.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::PreconditionFailed("the resource has changed (now at version 2); fetch it again and retry".into()).problem())
)]
pub struct PreconditionFailed(#[allow(dead_code)] Problem);

/// The body is larger than the server accepts.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::PayloadTooLarge("the body must be at most 1048576 bytes".into()).problem())
)]
pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

/// The body is not sent as `application/json`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::UnsupportedMediaType("the body must be JSON, sent with Content-Type: application/json".into()).problem())
)]
pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

/// Well-formed but invalid: `errors` names each field and what is wrong with it.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::Validation(vec![FieldError::new("slug", Slug::RULE)]).problem())
)]
pub struct Unprocessable(#[allow(dead_code)] Problem);

/// Too many attempts; retry after the given number of seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying")),
    example = json!(ApiError::TooManyRequests { retry_after: 30 }.problem())
)]
pub struct TooManyRequests(#[allow(dead_code)] Problem);

/// Something failed on the server's side; the cause is logged, never sent.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::internal(anyhow::anyhow!("the cause, logged")).problem())
)]
pub struct InternalError(#[allow(dead_code)] Problem);

/// The disk holding the database is full: nothing was stored.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(ApiError::InsufficientStorage.problem())
)]
pub struct InsufficientStorage(#[allow(dead_code)] Problem);

/// The database is unreachable, out of connections, refusing writes, or the write met
/// too many concurrent ones.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying")),
    example = json!(ApiError::Unavailable.problem())
)]
pub struct Unavailable(#[allow(dead_code)] Problem);

/// The `Range` lies outside the file; `Content-Range` gives its size.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Content-Range" = String, description = "`bytes */<size>`")),
    example = json!(ApiError::RangeNotSatisfiable { size: 48210 }.problem())
)]
pub struct RangeNotSatisfiable(#[allow(dead_code)] Problem);

// Response sets: the error answers operations share, listed once.

/// `304`: the answer to a GET whose `If-None-Match` still matches.
#[derive(IntoResponses)]
pub enum Cached {
    /// Not modified since the ETag sent in `If-None-Match`.
    #[response(status = 304, headers(("ETag" = String)))]
    NotModified,
}

/// What a query string can get wrong.
#[derive(IntoResponses)]
pub enum QueryErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// What a JSON request body can get wrong.
#[derive(IntoResponses)]
pub enum BodyErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// No or a bad access token.
#[derive(IntoResponses)]
pub enum SignedInErrors {
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
}

/// No or a bad token, or too low a role (or a `read` API token asking to write).
#[derive(IntoResponses)]
pub enum RoleErrors {
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
}

/// A write to an existing resource: a malformed `If-Match`, missing, conflicting or
/// changed meanwhile.
#[derive(IntoResponses)]
pub enum ChangeErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 409)]
    Conflict(#[ref_response] Conflict),
    #[response(status = 412)]
    PreconditionFailed(#[ref_response] PreconditionFailed),
}
