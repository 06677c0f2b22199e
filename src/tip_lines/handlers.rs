//! HTTP handlers for `/tip-lines` and `/tips`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{
    CreateTipLine, SendTip, TipLineOut, TipLineQuery, TipOut, TipQuery, TipReceipt, UpdateTip,
    UpdateTipLine,
};
use super::service::{self, TipStatus};
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Editor, Reporter, Require, Viewer};
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;
use crate::state::ClientTrace;

/// List tip lines
///
/// Active tip lines (editors also see inactive ones), by channel and position.
#[utoipa::path(
    tag = "tip-lines",
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
    let lines = state
        .db(move |conn| service::list_tip_lines(conn, query.channel.as_deref(), viewer, page))
        .await?;
    conditional::list(&req, &ListEnvelope::from(lines.map(TipLineOut::from)))
}

/// Read a tip line
///
/// Inactive tip lines are visible to editors only.
#[utoipa::path(
    tag = "tip-lines",
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
    let line = TipLineOut::from(
        state
            .db(move |conn| service::get_tip_line(conn, id, viewer))
            .await?,
    );
    conditional::resource(&req, line.version, &line)
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
            .db(move |conn| service::create_tip_line(conn, body.into()))
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
        .db(move |conn| service::update_tip_line(conn, id, &precondition, body.into()))
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
        .db(move |conn| service::delete_tip_line(conn, id, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

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
        .db(move |conn| service::send_tip(conn, &client, body.into()))
        .await?;
    // A bot that filled the honeypot gets the same kind of answer, and nothing is kept.
    let receipt = TipReceipt {
        id: stored.map(|tip| tip.id),
        status: TipStatus::New,
    };
    Ok(HttpResponse::Accepted().json(receipt))
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
        .db(move |conn| {
            service::list_tips(conn, actor, query.status, query.channel.as_deref(), page)
        })
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
    let tip = TipOut::from(
        state
            .db(move |conn| service::get_tip(conn, actor, id))
            .await?,
    );
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
        .db(move |conn| service::update_tip(conn, actor, id, &precondition, body.into()))
        .await?;
    let tip = TipOut::from(tip);
    conditional::written(tip.version, &tip)
}
