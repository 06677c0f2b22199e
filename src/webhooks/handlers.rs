//! HTTP handlers for `/webhooks` (admins only).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateWebhook, DeliveryOut, UpdateWebhook, WebhookOut, WebhookWithSecret};
use super::service;
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Admin, Require};
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// Checks a webhook URL (resolving its host) on a blocking thread, before the write.
async fn check_url(state: &AppState, url: String) -> Result<(), ApiError> {
    let allow = state.config.webhook_allow.clone();
    // `usize::MAX`: name resolution blocks, so it never runs on the async thread.
    state
        .compute(usize::MAX, move || service::check_url(&url, &allow))
        .await
}

/// List webhooks
///
/// Every webhook, oldest first, without secrets.
#[utoipa::path(
    tag = "webhooks",
    params(PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of webhooks", body = ListEnvelope<WebhookOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/webhooks")]
pub(super) async fn list_webhooks(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.validate()?;
    let hooks = state.db(move |conn| service::list(conn, page)).await?;
    conditional::list(
        &req,
        &ListEnvelope::from(hooks.map(|h| WebhookOut::from(&h))),
    )
}

/// Create a webhook
///
/// The answer carries the signing secret, the only time it is shown (see also
/// `rotate-secret`). A URL whose host resolves to a loopback, private, link-local or
/// metadata address is refused (422 naming `url`) unless `NEWSDESK_WEBHOOK_ALLOW`
/// permits it.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created, with its secret", body = WebhookWithSecret,
            headers(("Location" = String, description = "The new webhook's URL"), ("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/webhooks")]
pub(super) async fn create_webhook(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    JsonBody(body): JsonBody<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    check_url(&state, body.url.clone()).await?;
    let new = body.into();
    let hook = state
        .write_unseen(move |conn| service::create(conn, &new))
        .await?;
    let out = WebhookWithSecret::from(hook);
    conditional::created(
        format!("/api/v1/webhooks/{}", out.webhook.id),
        out.webhook.version,
        &out,
    )
}

/// Read a webhook
///
/// Without its secret.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "The webhook's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The webhook", body = WebhookOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/webhooks/{id}")]
pub(super) async fn get_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let hook = state.db(move |conn| service::get(conn, id)).await?;
    let out = WebhookOut::from(&hook);
    conditional::resource(&req, out.version, &out)
}

/// Change a webhook
///
/// Absent fields stay; `null` clears `description`. A new URL is checked as on create.
#[utoipa::path(
    tag = "webhooks",
    request_body = UpdateWebhook,
    params(("id" = i64, Path, description = "The webhook's id"), IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed webhook", body = WebhookOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/webhooks/{id}")]
pub(super) async fn update_webhook(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateWebhook>,
) -> Result<HttpResponse, ApiError> {
    if let Some(url) = &body.url {
        check_url(&state, url.clone()).await?;
    }
    let (id, update) = (id.into_inner(), body.into());
    let hook = state
        .write_unseen(move |conn| service::update(conn, id, &precondition, &update))
        .await?;
    let out = WebhookOut::from(&hook);
    conditional::written(out.version, &out)
}

/// Delete a webhook
///
/// Its deliveries go with it; none is sent after.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "The webhook's id"), IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/webhooks/{id}")]
pub(super) async fn delete_webhook(
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

/// Rotate a webhook's secret
///
/// A new secret, shown in this answer only; deliveries sent from now on are signed with it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "The webhook's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The webhook with its new secret", body = WebhookWithSecret,
            headers(("ETag" = String))),
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub(super) async fn rotate_secret(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let hook = state
        .write_unseen(move |conn| service::rotate_secret(conn, id))
        .await?;
    let out = WebhookWithSecret::from(hook);
    conditional::written(out.webhook.version, &out)
}

/// List a webhook's deliveries
///
/// Newest first: each event sent to it, with its status, attempts and the receiver's
/// last answer.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "The webhook's id"), PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of deliveries", body = ListEnvelope<DeliveryOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub(super) async fn list_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i64>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, page) = (id.into_inner(), params.validate()?);
    let deliveries = state
        .db(move |conn| service::deliveries(conn, id, page))
        .await?;
    conditional::list(&req, &ListEnvelope::from(deliveries.map(DeliveryOut::from)))
}

/// Redeliver
///
/// Sends the delivery again with the same event id and body, whatever became of it; the
/// attempts count on.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = i64, Path, description = "The webhook's id"),
        ("delivery_id" = i64, Path, description = "The delivery's id"),
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 202, description = "Queued again", body = DeliveryOut),
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub(super) async fn redeliver(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let delivery = state
        .write_unseen(move |conn| service::redeliver(conn, id, delivery_id))
        .await?;
    state.jobs.wake();
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(DeliveryOut::from(delivery)))
}
