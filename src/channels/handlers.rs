//! HTTP handlers for `/channels`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{
    ChannelDetailOut, ChannelListItem, ChannelListQuery, ChannelOut, CreateChannel, UpdateChannel,
};
use super::service;
use crate::domain::precondition::IfMatch;
use crate::domain::slug::IdOrSlug;
use crate::error::ApiError;
use crate::feeds::dto::{self as feeds, FeedFile};
use crate::http::auth::{Editor, Require, Viewer};
use crate::http::cache;
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// List channels
///
/// Every channel, flat, in menu order (each channel followed by its sub-channels, siblings
/// by `position`). With `tree=true`, root channels with `children` nested.
#[utoipa::path(
    tag = "channels",
    security((), ("bearer_auth" = [])),
    params(ChannelListQuery, PageParams),
    responses(
        (status = 200, description = "A page of channels", body = ListEnvelope<ChannelListItem>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[get("/channels")]
pub(super) async fn list_channels(
    req: HttpRequest,
    state: web::Data<AppState>,
    _viewer: Viewer,
    QueryParams(query): QueryParams<ChannelListQuery>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let site = state.config.distribution.site.as_ref();
    let (envelope, keys) = if query.tree.unwrap_or(false) {
        let nodes = state.db(move |conn| service::list_tree(conn, page)).await?;
        (
            ListEnvelope::from(nodes.value.map(|n| ChannelListItem::nested(n, site))),
            nodes.keys,
        )
    } else {
        let rows = state.db(move |conn| service::list_flat(conn, page)).await?;
        (
            ListEnvelope::from(rows.value.map(|p| ChannelListItem::flat(p, site))),
            rows.keys,
        )
    };
    let response = conditional::list(&req, &envelope)?;
    Ok(cache::public(response, keys, None))
}

/// Read a channel
///
/// By id or slug, with root-first `breadcrumbs`, direct `children` and the active
/// `tip_lines` (editors see inactive ones too).
#[utoipa::path(
    tag = "channels",
    security((), ("bearer_auth" = [])),
    params(("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang")),
    responses(
        (status = 200, description = "The channel", body = ChannelDetailOut, headers(
            ("ETag" = String),
            ("Link" = String, description = "With `NEWSDESK_SITE_URL` set: the channel's feeds, \
                `<…/feeds/rss.xml>; rel=\"alternate\"; type=\"application/rss+xml\"` and likewise for Atom and JSON Feed"),
        )),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::SignedInErrors,
    )
)]
#[get("/channels/{id_or_slug}")]
pub(super) async fn get_channel(
    req: HttpRequest,
    state: web::Data<AppState>,
    Viewer(viewer): Viewer,
    id_or_slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let shown = state
        .db(move |conn| service::get(conn, &key, viewer))
        .await?;
    let site = state.config.distribution.site.as_ref();
    let detail = ChannelDetailOut::new(shown.value, site);
    let mut response = conditional::resource(&req, detail.channel.version, &detail)?;
    if let Some(site) = site {
        let links = FeedFile::ALL
            .iter()
            .map(|&file| {
                let url = site.under(&feeds::feed_path(Some(&detail.channel.slug), file));
                format!("<{url}>; rel=\"alternate\"; type=\"{}\"", file.media_type())
            })
            .collect::<Vec<_>>()
            .join(", ");
        if let Ok(value) = HeaderValue::from_str(&links) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// Create a channel
///
/// A root (the portal) without `parent_id`, or a city channel or column under one.
/// Without `position` it goes after its last sibling.
#[utoipa::path(
    tag = "channels",
    request_body = CreateChannel,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Created", body = ChannelOut,
            headers(("Location" = String, description = "The new channel's URL"), ("ETag" = String))),
        (status = 409, response = crate::openapi::Conflict),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/channels")]
pub(super) async fn create_channel(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    JsonBody(body): JsonBody<CreateChannel>,
) -> Result<HttpResponse, ApiError> {
    let placed = state
        .write(move |conn, outbox| service::create(conn, outbox, body.into()))
        .await?;
    let channel = ChannelOut::new(placed, state.config.distribution.site.as_ref());
    conditional::created(
        format!("/api/v1/channels/{}", channel.id),
        channel.version,
        &channel,
    )
}

/// Change a channel
///
/// Rename it, change its slug, position or description, or move it under another parent
/// (`null` makes it a root). Moving a channel under itself or its own descendant is 422.
#[utoipa::path(
    tag = "channels",
    request_body = UpdateChannel,
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang"),
        IfMatchParam,
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed channel", body = ChannelOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/channels/{id_or_slug}")]
pub(super) async fn update_channel(
    state: web::Data<AppState>,
    _editor: Require<Editor>,
    id_or_slug: web::Path<String>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateChannel>,
) -> Result<HttpResponse, ApiError> {
    let key = IdOrSlug::parse(&id_or_slug);
    let channel = state
        .write(move |conn, outbox| service::update(conn, outbox, &key, &precondition, body.into()))
        .await?;
    let channel = ChannelOut::new(channel, state.config.distribution.site.as_ref());
    conditional::written(channel.version, &channel)
}

/// Delete a channel
///
/// Refused (409) while the channel has sub-channels or articles.
#[utoipa::path(
    tag = "channels",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang"),
        IfMatchParam,
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/channels/{id_or_slug}")]
pub(super) async fn delete_channel(
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
