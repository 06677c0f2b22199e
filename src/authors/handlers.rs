//! HTTP handlers for `/authors`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{AuthorOut, CreateAuthor, UpdateAuthor};
use super::service;
use crate::domain::precondition::IfMatch;
use crate::domain::slug::IdOrSlug;
use crate::error::ApiError;
use crate::http::auth::{Editor, Require, Viewer};
use crate::http::cache;
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// List authors
///
/// Everyone named in bylines, oldest first. Their published articles are at
/// `/articles?author={id or slug}`.
#[utoipa::path(
    tag = "authors",
    security((), ("bearer_auth" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of authors", body = ListEnvelope<AuthorOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[get("/authors")]
pub(super) async fn list_authors(
    req: HttpRequest,
    state: web::Data<AppState>,
    _viewer: Viewer,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let shown = state.db(move |conn| service::list(conn, page)).await?;
    let response = conditional::list(&req, &ListEnvelope::from(shown.value.map(AuthorOut::from)))?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Read an author
///
/// By id or slug. Their published articles are at `/articles?author={id or slug}`.
#[utoipa::path(
    tag = "authors",
    security((), ("bearer_auth" = [])),
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "zhou-xiaoming")),
    responses(
        (status = 200, description = "The author", body = AuthorOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::SignedInErrors,
    )
)]
#[get("/authors/{id_or_slug}")]
pub(super) async fn get_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    _viewer: Viewer,
    id_or_slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let shown = state.db(move |conn| service::show(conn, &key)).await?;
    let author = AuthorOut::from(shown.value);
    let response = conditional::resource(&req, author.version, &author)?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Create an author
///
/// Editors add the people bylines name; an author may be linked to one account.
#[utoipa::path(
    tag = "authors",
    request_body = CreateAuthor,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created", body = AuthorOut,
            headers(("Location" = String, description = "The new author's URL"), ("ETag" = String))),
        (status = 409, response = crate::openapi::Conflict),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/authors")]
pub(super) async fn create_author(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    JsonBody(body): JsonBody<CreateAuthor>,
) -> Result<HttpResponse, ApiError> {
    let author = AuthorOut::from(
        state
            .write(move |conn, outbox| service::create(conn, outbox, body.into()))
            .await?,
    );
    conditional::created(
        format!("/api/v1/authors/{}", author.id),
        author.version,
        &author,
    )
}

/// Change an author
///
/// Absent fields stay; `null` clears `title`, `bio`, `avatar_url` or `user_id`.
#[utoipa::path(
    tag = "authors",
    request_body = UpdateAuthor,
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "zhou-xiaoming"),
        IfMatchParam,
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed author", body = AuthorOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/authors/{id_or_slug}")]
pub(super) async fn update_author(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id_or_slug: web::Path<String>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateAuthor>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let author = state
        .write(move |conn, outbox| service::update(conn, outbox, &key, &precondition, body.into()))
        .await?;
    let author = AuthorOut::from(author);
    conditional::written(author.version, &author)
}

/// Delete an author
///
/// Refused (409) while any article's byline names the author.
#[utoipa::path(
    tag = "authors",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "zhou-xiaoming"),
        IfMatchParam,
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/authors/{id_or_slug}")]
pub(super) async fn delete_author(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id_or_slug: web::Path<String>,
    precondition: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    state
        .write(move |conn, outbox| service::delete(conn, outbox, &key, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
