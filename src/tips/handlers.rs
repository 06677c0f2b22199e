//! HTTP handlers for `/tips`.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, patch, post, web};

use super::dto::{
    PromotePhoto, SendTip, SendTipWithPhotos, TipOut, TipQuery, TipReceipt, UpdateTip,
};
use super::service::{self, NewTip};
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Editor, Reporter, Require};
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::multipart::{self, FormLimits};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::media::dto::MediaOut;
use crate::media::process;
use crate::media::service as media;
use crate::state::{AppState, ClientTrace};

/// Send a news tip
///
/// Anyone may send a tip to a channel's newsroom, as JSON, or as `multipart/form-data`
/// with up to `NEWSDESK_TIP_PHOTOS_MAX` photos (`photos`). Photos are re-encoded without
/// their metadata (GPS positions first of all) and kept private: only the newsroom reads
/// them, until an editor promotes one into the media library. Limited per client
/// (`NEWSDESK_PUBLIC_WRITES_PER_MINUTE`, then 429 with `Retry-After`).
#[utoipa::path(
    tag = "tips",
    request_body(content(
        (SendTip = "application/json"),
        (SendTipWithPhotos = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "Received; the newsroom will look at it", body = TipReceipt),
        (status = 429, response = crate::openapi::TooManyRequests),
        crate::openapi::BodyErrors,
    )
)]
#[post("/tips")]
pub(super) async fn send_tip(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientTrace,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mut payload = payload.into_inner();
    if !multipart::is_multipart(&req) {
        let JsonBody(body) = JsonBody::<SendTip>::from_request(&req, &mut payload).await?;
        let admitted = service::admit(&client)?;
        let stored = state
            .write_unseen(move |conn| service::send(conn, admitted, body.into(), &client))
            .await?;
        return Ok(HttpResponse::Accepted().json(TipReceipt::from(stored)));
    }
    let settings = state.config.media.clone();
    let limits = FormLimits {
        max_files: settings.tip_photos_max as usize,
        max_file_bytes: settings.tip_photo_max_bytes,
        stall: state.config.body_timeout,
    };
    let mut form = multipart::read(&req, payload, limits).await?;
    let channel_id = form.take("channel_id")?;
    let mut tip = NewTip {
        channel_id: 0,
        content: form.take("content")?.unwrap_or_default(),
        contact: form.take("contact")?,
        name: form.take("name")?,
        honeypot: form.take("website")?,
        photos: Vec::new(),
    };
    form.finish(&["photos"])?;
    tip.channel_id = channel_id
        .as_deref()
        .map(str::trim)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid("channel_id", "must be a channel's id (a whole number)")
        })?;
    service::check_text(&tip)?;
    let admitted = service::admit(&client)?;
    let uploads: Vec<Vec<u8>> = form.files.into_iter().map(|f| f.bytes).collect();
    let store = state.media.clone();
    let _turn = state
        .image_work
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    tip.photos = web::block(move || service::store_photos(&store, uploads, settings.max_pixels))
        .await
        .map_err(ApiError::internal)??;
    let stored = state
        .write_unseen(move |conn| service::send(conn, admitted, tip, &client))
        .await?;
    Ok(HttpResponse::Accepted().json(TipReceipt::from(stored)))
}

/// A reader's photo
///
/// The photo as stored (without metadata), for the newsroom only: editors, and the
/// reporter the tip is assigned to; 404 to other reporters. Never kept by shared
/// caches; a browser revalidates its copy (`ETag`, 304).
#[utoipa::path(
    tag = "tips",
    params(
        ("id" = i64, Path, description = "The tip's id", example = 1),
        ("n" = i32, Path, description = "The photo's position, from 1", example = 1),
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The photo", content_type = "image/*", body = Vec<u8>,
            headers(("ETag" = String), ("Cache-Control" = String, description = "`private, no-cache`"))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/tips/{id}/photos/{n}")]
pub(super) async fn get_tip_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, n) = path.into_inner();
    let photo = state
        .db(move |conn| service::photo(conn, actor, id, n))
        .await?;
    // The key names the bytes (their SHA-256), so it is the validator.
    let etag = format!("\"{}\"", photo.storage_key.trim_start_matches("tips/"));
    let cache_control = "private, no-cache";
    let current = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if current {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .finish());
    }
    let store = state.media.clone();
    let key = photo.storage_key.clone();
    let bytes = web::block(move || store.get(&key))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("media store: {e}")))?
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "tip photo {} is missing from the store",
                photo.storage_key
            ))
        })?;
    let content_type = process::Kind::from_content_type(&photo.content_type)
        .map_or("application/octet-stream", process::Kind::content_type);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .body(bytes))
}

/// Promote a reader's photo into the media library
///
/// Editors only; `credit` names who took it. The library entry shares nothing with the
/// tip: the tip's photo stays private, the library's copy is public at `/media/`.
#[utoipa::path(
    tag = "tips",
    request_body = PromotePhoto,
    params(
        ("id" = i64, Path, description = "The tip's id", example = 1),
        ("n" = i32, Path, description = "The photo's position, from 1", example = 1),
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The new library entry", body = MediaOut,
            headers(("ETag" = String), ("Location" = String))),
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/tips/{id}/photos/{n}/promote")]
pub(super) async fn promote_tip_photo(
    state: web::Data<AppState>,
    Require(actor, _): Require<Editor>,
    path: web::Path<(i64, i32)>,
    JsonBody(body): JsonBody<PromotePhoto>,
) -> Result<HttpResponse, ApiError> {
    let (id, n) = path.into_inner();
    let text = media::check_text(&media::MediaText {
        alt: Some(body.alt),
        caption: body.caption,
        credit: Some(body.credit),
    })?;
    if text.credit.is_none() {
        return Err(ApiError::invalid(
            "credit",
            "is required: who took the photo",
        ));
    }
    let photo = state
        .db(move |conn| service::photo(conn, actor, id, n))
        .await?;
    let store = state.media.clone();
    let prepared = web::block(move || media::promote(&store, &photo.storage_key))
        .await
        .map_err(ApiError::internal)??;
    let row = state
        .write_unseen(move |conn| media::create(conn, actor, text, &prepared))
        .await?;
    let media = MediaOut::from(row);
    conditional::created(format!("/api/v1/media/{}", media.id), media.version, &media)
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
    let tip = TipOut::from(state.db(move |conn| service::show(conn, actor, id)).await?);
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
