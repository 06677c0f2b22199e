//! HTTP handlers for `/tips`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use super::dto::{SendTip, TipOut, TipQuery, TipReceipt, UpdateTip};
use super::service;
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Reporter, Require};
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::{AppState, ClientTrace};

/// Send a news tip
///
/// Anyone may send a tip to a channel's newsroom. Limited per client
/// (`NEWSDESK_PUBLIC_WRITES_PER_MINUTE`, then 429 with `Retry-After`).
#[utoipa::path(
    tag = "tips",
    request_body = SendTip,
    responses(
        (status = 202, description = "Received; the newsroom will look at it", body = TipReceipt),
        (status = 429, response = crate::openapi::TooManyRequests),
        crate::openapi::BodyErrors,
    )
)]
#[post("/tips")]
pub(super) async fn send_tip(
    state: web::Data<AppState>,
    client: ClientTrace,
    JsonBody(body): JsonBody<SendTip>,
) -> Result<HttpResponse, ApiError> {
    let stored = state
        .write_unseen(move |conn| service::send(conn, &client, body.into()))
        .await?;
    Ok(HttpResponse::Accepted().json(TipReceipt::from(stored)))
}

/// The tip inbox
///
/// Newest first. Editors see every tip; reporters only those assigned to them.
/// Never readable anonymously.
#[utoipa::path(
    tag = "tips",
    params(TipQuery, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of tips", body = ListEnvelope<TipOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/tips")]
pub(super) async fn list_tips(
    req: HttpRequest,
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    QueryParams(query): QueryParams<TipQuery>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let tips = state
        .db(move |conn| service::list(conn, actor, query.status, query.channel.as_deref(), page))
        .await?;
    conditional::list(&req, &ListEnvelope::from(tips.map(TipOut::from)))
}

/// Read a tip
///
/// Editors read any tip; reporters only those assigned to them (404 otherwise).
#[utoipa::path(
    tag = "tips",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The tip", body = TipOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/tips/{id}")]
pub(super) async fn get_tip(
    req: HttpRequest,
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let tip = TipOut::from(state.db(move |conn| service::get(conn, actor, id)).await?);
    conditional::resource(&req, tip.version, &tip)
}

/// Triage a tip
///
/// Editors set `status`, `assignee_id` and `article_id`; a reporter may change only
/// the status of a tip assigned to them.
#[utoipa::path(
    tag = "tips",
    request_body = UpdateTip,
    params(IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The tip", body = TipOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/tips/{id}")]
pub(super) async fn update_tip(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id: web::Path<i64>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateTip>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let tip = state
        .write_unseen(move |conn| service::update(conn, actor, id, &precondition, body.into()))
        .await?;
    let tip = TipOut::from(tip);
    conditional::written(tip.version, &tip)
}
