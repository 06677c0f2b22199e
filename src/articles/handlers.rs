//! HTTP handlers for `/articles`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::content::ListRequest;
use super::dto::{
    ArticleListQuery, ArticleOut, ArticlePageQuery, ArticleSummaryOut, CreateArticle, PreviewOut,
    RevisionOut, SuggestQuery, SuggestionOut, UpdateArticle,
};
use super::service;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::slug::IdOrSlug;
use crate::error::{ApiError, FieldError};
use crate::http::auth::{Reporter, Require, Viewer};
use crate::http::cache;
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// List articles
///
/// Public articles, newest first, for anonymous readers; signed-in reporters also see
/// their own, editors everything (narrow with `status`).
#[utoipa::path(
    tag = "articles",
    security((), ("bearer_auth" = [])),
    params(ArticleListQuery, PageParams),
    responses(
        (status = 200, description = "A page of articles (without bodies)", body = ListEnvelope<ArticleSummaryOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[get("/articles")]
pub(super) async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    QueryParams(query): QueryParams<ArticleListQuery>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let request = ListRequest {
        count_limit: Some(state.config.search_count_limit.into()),
        ..query.into()
    };
    let shown = state
        .db(move |conn| service::list(conn, viewer, request, page))
        .await?;
    let site = state.config.distribution.site.as_ref();
    let envelope = ListEnvelope::from(
        shown
            .value
            .map(|a| ArticleSummaryOut::from(a).located(site)),
    );
    let response = conditional::list(&req, &envelope)?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Suggest titles
///
/// Up to 10 public articles whose title holds what a reader has typed so far (titles
/// starting with it first, then newest first), for a search box to offer on every
/// keystroke. Answered from titles kept in memory, which any write that changes what
/// readers may see reloads; scheduled articles appear once their time comes. Cached like
/// every public read.
#[utoipa::path(
    tag = "articles",
    params(SuggestQuery),
    responses(
        (status = 200, description = "Matching titles, best first (empty when none match)", body = Vec<SuggestionOut>,
            headers(("ETag" = String))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
    )
)]
#[get("/articles/suggest")]
pub(super) async fn suggest_titles(
    req: HttpRequest,
    state: web::Data<AppState>,
    QueryParams(query): QueryParams<SuggestQuery>,
) -> Result<HttpResponse, ApiError> {
    let shown = match service::suggest_from_memory(&state.titles, &query.q)? {
        Some(shown) => shown,
        None => {
            let titles = state.titles.clone();
            state
                .db(move |conn| service::suggest(conn, &titles, &query.q))
                .await?
        }
    };
    let found: Vec<SuggestionOut> = shown.value.into_iter().map(SuggestionOut::from).collect();
    let response = conditional::document(&req, &found)?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Read an article
///
/// By id or slug, with one page of its body (`?page=N`, default 1).
///
/// With `?preview=TOKEN` (from `POST /articles/{id_or_slug}/preview`), anyone, signed in
/// or not, reads that draft or scheduled article as an editor does, until the token
/// expires or the article's status changes; any other token is a 404, as for an article
/// the caller may not see. That answer is `Cache-Control: private, no-store` with
/// `X-Robots-Tag: noindex`, and carries neither surrogate keys nor `X-Newsdesk-Cache`:
/// neither Newsdesk's memory nor a CDN keeps it.
#[utoipa::path(
    tag = "articles",
    security((), ("bearer_auth" = [])),
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang-industry-turns-green"), ArticlePageQuery),
    responses(
        (status = 200, description = "The article with the requested page", body = ArticleOut,
            headers(
                ("ETag" = String),
                ("Cache-Control" = String, description = "As on every public read (anonymous: `public, max-age=0, s-maxage=N, …`; \
                    signed in: `private, no-cache`), except with `preview`: `private, no-store`, kept by no cache."),
                ("X-Robots-Tag" = String, description = "`noindex` on an answer to a preview token"),
            )),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::QueryErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[get("/articles/{id_or_slug}")]
pub(super) async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    id_or_slug: web::Path<String>,
    QueryParams(query): QueryParams<ArticlePageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "page",
            "must be 1 or more",
        )]));
    }
    let key = IdOrSlug::parse(&id_or_slug);
    if let Some(token) = query.preview {
        let config = state.config.clone();
        let preview = state
            .db(move |conn| service::get_preview(conn, &key, &config.preview_key, &token, page))
            .await?;
        let article = ArticleOut::from(preview).located(state.config.distribution.site.as_ref());
        let response = conditional::resource(&req, article.article.version, &article)?;
        return Ok(cache::private(response));
    }
    let shown = state
        .db(move |conn| service::get(conn, &key, viewer, page))
        .await?;
    let article = ArticleOut::from(shown.value).located(state.config.distribution.site.as_ref());
    let response = conditional::resource(&req, article.article.version, &article)?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Make a preview link
///
/// A signed link that shows this draft or scheduled article to a front end without an
/// account (`GET /articles/{id_or_slug}?preview=TOKEN`), for `NEWSDESK_PREVIEW_TTL_SECS`
/// (a day by default). Changing the article's status (publishing, scheduling, archiving,
/// back to draft) ends every link made before; content edits keep them working, so the
/// link always shows the latest text. Editors make links for any article, reporters for
/// the articles they wrote; a published or archived article has none (409).
#[utoipa::path(
    tag = "articles",
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "night-market-draft")),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The link; `Cache-Control: no-store`", body = PreviewOut,
            headers(("Location" = String, description = "The preview's address, as `path`"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        crate::openapi::RoleErrors,
    )
)]
#[post("/articles/{id_or_slug}/preview")]
pub(super) async fn create_preview(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id_or_slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let config = state.config.clone();
    let preview = state
        .db(move |conn| {
            service::preview(
                conn,
                actor,
                &key,
                &config.preview_key,
                config.preview_ttl_secs,
            )
        })
        .await?;
    let preview = PreviewOut::from(preview);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, preview.path.clone()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(preview))
}

/// Create an article
///
/// Reporters create drafts; editors may also create `scheduled`, `published` or
/// `archived` articles. Page HTML is sanitised (no scripts, event handlers or
/// `javascript:` URLs).
#[utoipa::path(
    tag = "articles",
    request_body = CreateArticle,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created; the body shows page 1", body = ArticleOut,
            headers(("Location" = String, description = "The new article's URL"), ("ETag" = String))),
        (status = 409, response = crate::openapi::Conflict),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/articles")]
pub(super) async fn create_article(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    JsonBody(body): JsonBody<CreateArticle>,
) -> Result<HttpResponse, ApiError> {
    let draft = state
        .compute(body.body_bytes(), move || {
            service::draft(actor, body.into())
        })
        .await?;
    let article = ArticleOut::from(
        state
            .write(move |conn, outbox| service::create(conn, outbox, actor, &draft))
            .await?,
    )
    .located(state.config.distribution.site.as_ref());
    let location = format!("/api/v1/articles/{}", article.article.id);
    conditional::created(location, article.article.version, &article)
}

/// Change an article
///
/// Editors change anything; reporters only their own drafts, and cannot publish,
/// schedule or archive. Every change keeps the previous version as a revision.
#[utoipa::path(
    tag = "articles",
    request_body = UpdateArticle,
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang-industry-turns-green"),
        IfMatchParam,
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed article; the body shows page 1", body = ArticleOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/articles/{id_or_slug}")]
pub(super) async fn update_article(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id_or_slug: web::Path<String>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateArticle>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let article = state
        .write(move |conn, outbox| {
            service::update(conn, outbox, actor, &key, &precondition, body.into())
        })
        .await?;
    let article = ArticleOut::from(article).located(state.config.distribution.site.as_ref());
    conditional::written(article.article.version, &article)
}

/// Delete an article
///
/// Editors delete any article; reporters only their own drafts.
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang-industry-turns-green"),
        IfMatchParam,
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/articles/{id_or_slug}")]
pub(super) async fn delete_article(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id_or_slug: web::Path<String>,
    precondition: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    state
        .write(move |conn, outbox| service::delete(conn, outbox, actor, &key, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An article's revisions
///
/// Earlier versions, newest first, each with who saved it and when.
#[utoipa::path(
    tag = "articles",
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang-industry-turns-green"), PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of revisions", body = ListEnvelope<RevisionOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/articles/{id_or_slug}/revisions")]
pub(super) async fn list_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id_or_slug: web::Path<String>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let key = IdOrSlug::parse(&id_or_slug);
    let revisions = state
        .db(move |conn| service::revisions(conn, actor, &key, page))
        .await?;
    conditional::list(&req, &ListEnvelope::from(revisions.map(RevisionOut::from)))
}

/// Related articles
///
/// Up to ten public articles: those chosen by editors first, then the newest of the
/// same channel.
#[utoipa::path(
    tag = "articles",
    security((), ("bearer_auth" = [])),
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "wugong-mountain-trail-reopens")),
    responses(
        (status = 200, description = "Related articles (one page of at most 10)", body = ListEnvelope<ArticleSummaryOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::SignedInErrors,
    )
)]
#[get("/articles/{id_or_slug}/related")]
pub(super) async fn list_related(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    id_or_slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let shown = state
        .db(move |conn| service::related(conn, &key, viewer))
        .await?;
    let request = PageRequest {
        page: 1,
        per_page: 10,
    };
    let site = state.config.distribution.site.as_ref();
    let paged =
        Paged::slice(shown.value, request).map(|a| ArticleSummaryOut::from(a).located(site));
    let response = conditional::list(&req, &ListEnvelope::from(paged))?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}
