//! HTTP handlers for `/users` (admins only).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateUser, UpdateUser, UserOut};
use super::service;
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Admin, Require};
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// List accounts
///
/// All accounts, oldest first.
#[utoipa::path(
    tag = "users",
    params(PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = ListEnvelope<UserOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/users")]
pub(super) async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.validate()?;
    let users = state.db(move |conn| service::list(conn, page)).await?;
    conditional::list(&req, &ListEnvelope::from(users.map(UserOut::from)))
}

/// Create an account
///
/// E-mail addresses are unique and kept in lower case; passwords need 8 characters.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created", body = UserOut,
            headers(("Location" = String, description = "The new account's URL"), ("ETag" = String))),
        (status = 409, response = crate::openapi::Conflict),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/users")]
pub(super) async fn create_user(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    JsonBody(body): JsonBody<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let password_hash = service::hash_if_valid(&state.auth.passwords, Some(&body.password)).await?;
    let user = state
        .write_unseen(move |conn| service::create(conn, body.into(), password_hash))
        .await?;
    let out = UserOut::from(user);
    conditional::created(format!("/api/v1/users/{}", out.id), out.version, &out)
}

/// Read an account
///
/// The password hash never leaves the server.
#[utoipa::path(
    tag = "users",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The account", body = UserOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/users/{id}")]
pub(super) async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = UserOut::from(state.db(move |conn| service::get(conn, id)).await?);
    conditional::resource(&req, user.version, &user)
}

/// Change an account
///
/// Change the e-mail, name, password, role or active flag. Deactivating an account or
/// changing its password signs it out everywhere. The last active admin cannot be
/// demoted, deactivated or deleted (409).
#[utoipa::path(
    tag = "users",
    request_body = UpdateUser,
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed account", body = UserOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/users/{id}")]
pub(super) async fn update_user(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let password_hash =
        service::hash_if_valid(&state.auth.passwords, body.password.as_deref()).await?;
    let user = state
        .write_unseen(move |conn| {
            service::update(conn, id, &precondition, body.into(), password_hash)
        })
        .await?;
    let out = UserOut::from(user);
    conditional::written(out.version, &out)
}

/// Delete an account
///
/// Its sessions end with it; articles it wrote stay, without a creator. The last active
/// admin cannot be deleted (409).
#[utoipa::path(
    tag = "users",
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/users/{id}")]
pub(super) async fn delete_user(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
    precondition: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write_unseen(move |conn| service::delete(conn, id, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
