//! HTTP handlers for `/tokens` (admins only).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::dto::{CreateToken, TokenCreated, TokenOut};
use super::service;
use crate::error::ApiError;
use crate::http::auth::{Admin, Require};
use crate::http::conditional;
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// List API tokens
///
/// Every token not revoked, newest first, expired ones included; never their secrets.
#[utoipa::path(
    tag = "tokens",
    params(PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of API tokens", body = ListEnvelope<TokenOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/tokens")]
pub(super) async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.validate()?;
    let tokens = state.db(move |conn| service::list(conn, page)).await?;
    conditional::list(&req, &ListEnvelope::from(tokens.map(TokenOut::from)))
}

/// Create an API token
///
/// A long-lived token for a machine (a build server, an app's backend), sent as
/// `Authorization: Bearer nd_…`. It acts as itself, with the rights of its scope, never
/// as the admin who made it. The answer holds its secret, this once: the server keeps
/// only a digest.
#[utoipa::path(
    tag = "tokens",
    request_body = CreateToken,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created; `secret` is shown this once", body = TokenCreated,
            headers(("Location" = String, description = "The new token's URL"))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/tokens")]
pub(super) async fn create_token(
    state: web::Data<AppState>,
    Require(admin, _): Require<Admin>,
    JsonBody(body): JsonBody<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let issued = state
        .write_unseen(move |conn| service::create(conn, admin, body.into()))
        .await?;
    let out = TokenCreated::from(issued);
    // No ETag: it would be a digest of the secret, in a header proxies may log.
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/tokens/{}", out.token.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out))
}

/// Read an API token
///
/// Its name, scope, hint and times; never its secret.
#[utoipa::path(
    tag = "tokens",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The API token", body = TokenOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/tokens/{id}")]
pub(super) async fn get_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let token = TokenOut::from(state.db(move |conn| service::get(conn, id)).await?);
    conditional::document(&req, &token)
}

/// Revoke an API token
///
/// The token stops working at once: the next request that sends it gets 401 saying it
/// was revoked. It is gone from the API: no longer listed, and 404 to read or revoke
/// again.
#[utoipa::path(
    tag = "tokens",
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[delete("/tokens/{id}")]
pub(super) async fn revoke_token(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write_unseen(move |conn| service::revoke(conn, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
