//! The OpenAPI document: its fixed parts (info, security scheme, shared error responses)
//! merged with the paths and schemas collected from every handler by utoipa-actix-web.

use serde_json::{Value, json};
use utoipa::openapi::content::Content;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::{ServerBuilder, ServerVariableBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};

use crate::domain::slug::Slug;
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
        schemas(Problem, FieldError),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
            PayloadTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests, Unavailable,
            InsufficientStorage,
            InternalError
        )
    ),
    tags(
        (name = "auth", description = "Signing in: access and refresh tokens"),
        (name = "users", description = "Accounts (admins only)"),
        (name = "channels", description = "The channel tree: portal, city channels, columns"),
        (name = "authors", description = "People named in bylines"),
        (name = "articles", description = "Articles: bodies in pages, bylines, workflow, search"),
        (name = "comments", description = "Readers' comments and their moderation"),
        (name = "tip-lines", description = "How readers reach a channel's newsroom"),
        (name = "tips", description = "Readers' news tips and the newsroom's inbox"),
        (name = "service", description = "Health, metrics and documentation"),
    )
)]
pub struct ApiDoc;

/// Where each create operation's answer leads: OpenAPI links from its success response
/// to the operations that take the new resource's id, so clients and fuzzers can follow
/// them (`$response.body#/id`).
/// (A tip's receipt has none: its sender cannot read the inbox.)
const CREATED_RESOURCE_LINKS: [(&str, &str, &str, &[&str]); 6] = [
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
            "post_comment",
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
            .filter(|get| path.starts_with("/api/") && get.security.is_none());
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

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description =
            Some("An access token from `POST /api/v1/auth/login` or `/auth/refresh`.".into());
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

/// No valid access token was sent.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Always `Bearer`")),
    example = json!(ApiError::Unauthorized("the access token is invalid or expired".into()).problem())
)]
pub struct Unauthorized(#[allow(dead_code)] Problem);

/// The signed-in account's role is too low.
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

/// No or a bad access token, or too low a role.
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
