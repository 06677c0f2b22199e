//! HTTP handlers for `/tip-lines`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateTipLine, TipLineOut, TipLineQuery, UpdateTipLine};
use super::service;
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Editor, Require, Viewer};
use crate::http::cache;
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// List tip lines
///
/// Active tip lines (editors also see inactive ones), by channel and position.
#[utoipa::path(
    tag = "tip-lines",
    security((), ("bearer_auth" = [])),
    params(TipLineQuery, PageParams),
    responses(
        (status = 200, description = "A page of tip lines", body = ListEnvelope<TipLineOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[get("/tip-lines")]
pub(super) async fn list_tip_lines(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    QueryParams(query): QueryParams<TipLineQuery>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let shown = state
        .db(move |conn| service::list(conn, query.channel.as_deref(), viewer, page))
        .await?;
    let response = conditional::list(&req, &ListEnvelope::from(shown.value.map(TipLineOut::from)))?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Read a tip line
///
/// Inactive tip lines are visible to editors only.
#[utoipa::path(
    tag = "tip-lines",
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The tip line", body = TipLineOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::SignedInErrors,
    )
)]
#[get("/tip-lines/{id}")]
pub(super) async fn get_tip_line(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let shown = state.db(move |conn| service::get(conn, id, viewer)).await?;
    let line = TipLineOut::from(shown.value);
    let response = conditional::resource(&req, line.version, &line)?;
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Create a tip line
///
/// The `value` must fit the `kind`: a phone number for `hotline` and `sms`, digits for
/// `qq`, an address for `email`, a URL for `web`.
#[utoipa::path(
    tag = "tip-lines",
    request_body = CreateTipLine,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created", body = TipLineOut,
            headers(("Location" = String, description = "The new tip line's URL"), ("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/tip-lines")]
pub(super) async fn create_tip_line(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    JsonBody(body): JsonBody<CreateTipLine>,
) -> Result<HttpResponse, ApiError> {
    let line = TipLineOut::from(
        state
            .write(move |conn, outbox| service::create(conn, outbox, body.into()))
            .await?,
    );
    conditional::created(
        format!("/api/v1/tip-lines/{}", line.id),
        line.version,
        &line,
    )
}

/// Change a tip line
///
/// Absent fields stay; set `active` to false to hide a line from readers.
#[utoipa::path(
    tag = "tip-lines",
    request_body = UpdateTipLine,
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed tip line", body = TipLineOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/tip-lines/{id}")]
pub(super) async fn update_tip_line(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id: web::Path<i64>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateTipLine>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let line = state
        .write(move |conn, outbox| service::update(conn, outbox, id, &precondition, body.into()))
        .await?;
    let line = TipLineOut::from(line);
    conditional::written(line.version, &line)
}

/// Delete a tip line
///
/// Removes the line for good; deactivating keeps it for later.
#[utoipa::path(
    tag = "tip-lines",
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/tip-lines/{id}")]
pub(super) async fn delete_tip_line(
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
