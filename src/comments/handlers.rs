//! HTTP handlers for article comments and `/comments` moderation.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CommentOut, CommentQueueQuery, ModerateComment, PostComment};
use super::service;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::slug::IdOrSlug;
use crate::error::ApiError;
use crate::http::auth::{Editor, Require, Viewer};
use crate::http::cache;
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;
use crate::state::ClientTrace;

/// The example of an article's comments: the demo's first story, whose public list
/// shows approved comments only (the `CommentOut` example waits for moderation).
fn thread_example() -> ListEnvelope<CommentOut> {
    Paged::slice(CommentOut::example_thread(), PageRequest::default()).into()
}

/// An article's comments
///
/// Approved comments, oldest first; replies carry `parent_id`.
#[utoipa::path(
    tag = "comments",
    security((), ("bearer_auth" = [])),
    params(("id_or_slug" = String, Path, description = "Article id or slug", example = "pingxiang-industry-turns-green"), PageParams),
    responses(
        (status = 200, description = "A page of approved comments", body = ListEnvelope<CommentOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last")),
            example = json!(thread_example())),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::QueryErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[get("/articles/{id_or_slug}/comments")]
pub(super) async fn list_article_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    id_or_slug: web::Path<String>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let key = IdOrSlug::parse(&id_or_slug);
    let shown = state
        .db(move |conn| service::list_for_article(conn, &key, viewer, page))
        .await?;
    let response = conditional::list(&req, &ListEnvelope::from(shown.value.map(CommentOut::from)))?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Comment on an article
///
/// Anyone may comment on a public article that allows comments. The comment waits for
/// moderation (`pending`) unless the channel approves comments automatically. The same
/// text twice in a row from one client is refused (409). Limited per client
/// (`NEWSDESK_PUBLIC_WRITES_PER_MINUTE`, then 429 with `Retry-After`).
#[utoipa::path(
    tag = "comments",
    params(("id_or_slug" = String, Path, description = "Article id or slug", example = "pingxiang-industry-turns-green")),
    request_body = PostComment,
    responses(
        (status = 201, description = "Stored", body = CommentOut,
            headers(("Location" = String, description = "The comment's moderation URL"), ("ETag" = String))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 429, response = crate::openapi::TooManyRequests),
        crate::openapi::BodyErrors,
    )
)]
#[post("/articles/{id_or_slug}/comments")]
pub(super) async fn post_comment(
    state: web::Data<AppState>,
    client: ClientTrace,
    id_or_slug: web::Path<String>,
    JsonBody(body): JsonBody<PostComment>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let stored = state
        .write(move |conn, outbox| service::post(conn, outbox, &client, &key, body.into()))
        .await?;
    let comment = CommentOut::receipt(stored);
    conditional::created(
        format!("/api/v1/comments/{}", comment.id),
        comment.version,
        &comment,
    )
}

/// The moderation queue
///
/// Comments of one status (default `pending`), oldest first.
#[utoipa::path(
    tag = "comments",
    params(CommentQueueQuery, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of comments", body = ListEnvelope<CommentOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/comments")]
pub(super) async fn list_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    QueryParams(query): QueryParams<CommentQueueQuery>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let comments = state
        .db(move |conn| service::queue(conn, query.status, query.article.as_deref(), page))
        .await?;
    conditional::list(&req, &ListEnvelope::from(comments.map(CommentOut::from)))
}

/// Read a comment
///
/// Any comment, whatever its moderation status (editors only).
#[utoipa::path(
    tag = "comments",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The comment, whatever its status", body = CommentOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/comments/{id}")]
pub(super) async fn get_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let comment = CommentOut::from(state.db(move |conn| service::get(conn, id)).await?);
    conditional::resource(&req, comment.version, &comment)
}

/// Moderate a comment
///
/// Set `status` to `approved`, `rejected`, `spam` or back to `pending`; the article's
/// `comment_count` follows.
#[utoipa::path(
    tag = "comments",
    request_body = ModerateComment,
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The comment", body = CommentOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/comments/{id}")]
pub(super) async fn moderate_comment(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id: web::Path<i64>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<ModerateComment>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let comment = state
        .write(move |conn, outbox| service::moderate(conn, outbox, id, &precondition, body.status))
        .await?;
    let comment = CommentOut::from(comment);
    conditional::written(comment.version, &comment)
}

/// Delete a comment
///
/// Deletes the comment and the replies below it.
#[utoipa::path(
    tag = "comments",
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/comments/{id}")]
pub(super) async fn delete_comment(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id: web::Path<i64>,
    precondition: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn, outbox| service::delete(conn, outbox, id, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
