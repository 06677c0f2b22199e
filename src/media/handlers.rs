//! HTTP handlers for `/media` (the library) and `/media/{hash}/{name}` (its files).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{MediaListQuery, MediaOut, UpdateMedia, UploadMedia};
use super::process;
use super::service::{self, MediaText};
use crate::domain::precondition::IfMatch;
use crate::error::ApiError;
use crate::http::auth::{Reporter, Require};
use crate::http::conditional::{self, IfMatchParam};
use crate::http::input::{JsonBody, QueryParams};
use crate::http::multipart::{self, FormLimits};
use crate::http::pagination::{ListEnvelope, PageParams};
use crate::state::AppState;

/// Upload an image
///
/// `multipart/form-data` with one `file` and its `alt` text (required), `caption` and
/// `credit`. The image's type is found from its content; it is decoded, turned upright
/// and encoded anew, so no metadata (EXIF, GPS positions, XMP, comments) is kept. The
/// answer comes at once with the stored image; the responsive variants follow from the
/// job worker (`status` says when they are `ready`). The same image uploaded again gets
/// its own entry sharing the stored files.
#[utoipa::path(
    tag = "media",
    request_body(content = UploadMedia, content_type = "multipart/form-data"),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "Stored", body = MediaOut,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        crate::openapi::RoleErrors,
    )
)]
#[post("/media")]
pub(super) async fn upload_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let settings = state.config.media.clone();
    let limits = FormLimits {
        max_files: 1,
        max_file_bytes: settings.max_bytes,
        stall: state.config.body_timeout,
    };
    let mut form = multipart::read(&req, payload.into_inner(), limits).await?;
    let text = MediaText {
        alt: form.take("alt")?,
        caption: form.take("caption")?,
        credit: form.take("credit")?,
    };
    form.finish(&["file"])?;
    let checked = service::check_text(&text)?;
    let file = form
        .files
        .pop()
        .ok_or_else(|| ApiError::invalid("file", "is required: the image to upload"))?;
    let _turn = state
        .image_work
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    let prepared = state
        .compute(usize::MAX, move || {
            service::prepare(
                "file",
                file.bytes,
                settings.max_pixels,
                settings.keep_originals,
            )
        })
        .await?;
    let store = state.media.clone();
    let prepared = web::block(move || service::store_files(&store, &prepared).map(|()| prepared))
        .await
        .map_err(ApiError::internal)??;
    let row = state
        .write_unseen(move |conn| service::create(conn, actor, checked, &prepared))
        .await?;
    let media = MediaOut::from(row);
    conditional::created(format!("/api/v1/media/{}", media.id), media.version, &media)
}

/// The media library
///
/// Newest first; reporters and up.
#[utoipa::path(
    tag = "media",
    params(MediaListQuery, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of images", body = ListEnvelope<MediaOut>,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        crate::openapi::Cached,
        crate::openapi::QueryErrors,
        crate::openapi::RoleErrors,
    )
)]
#[get("/media")]
pub(super) async fn list_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    _reporter: Require<Reporter>,
    QueryParams(query): QueryParams<MediaListQuery>,
    QueryParams(paging): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.validate()?;
    let media = state
        .db(move |conn| service::list(conn, query.into(), page))
        .await?;
    conditional::list(&req, &ListEnvelope::from(media.map(MediaOut::from)))
}

/// Read an image's entry
///
/// Reporters and up; `status` and `variants` say which files are made yet.
#[utoipa::path(
    tag = "media",
    params(("id" = i64, Path, description = "The image's id", example = 1)),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The image", body = MediaOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        crate::openapi::RoleErrors,
    )
)]
#[get("/media/{id}")]
pub(super) async fn get_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    _reporter: Require<Reporter>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let media = MediaOut::from(state.db(move |conn| service::get(conn, id)).await?);
    conditional::resource(&req, media.version, &media)
}

/// Change an image's alt text, caption or credit
///
/// Reporters change the images they uploaded; editors any. Absent fields stay; `null`
/// clears `caption` or `credit`.
#[utoipa::path(
    tag = "media",
    request_body = UpdateMedia,
    params(("id" = i64, Path, description = "The image's id", example = 1), IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The changed image", body = MediaOut, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[patch("/media/{id}")]
pub(super) async fn update_media(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id: web::Path<i64>,
    precondition: IfMatch,
    JsonBody(body): JsonBody<UpdateMedia>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let media = state
        .write(move |conn, outbox| {
            service::update(conn, outbox, actor, id, &precondition, body.into())
        })
        .await?;
    let media = MediaOut::from(media);
    conditional::written(media.version, &media)
}

/// Delete an image
///
/// Refused (409) while an article's cover or an author's avatar is this image. Its files
/// are deleted shortly after by the job worker, unless another entry shares them.
#[utoipa::path(
    tag = "media",
    params(("id" = i64, Path, description = "The image's id", example = 1), IfMatchParam),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::RoleErrors,
        crate::openapi::ChangeErrors,
    )
)]
#[delete("/media/{id}")]
pub(super) async fn delete_media(
    state: web::Data<AppState>,
    Require(actor, _): Require<Reporter>,
    id: web::Path<i64>,
    precondition: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn, outbox| service::delete(conn, outbox, actor, id, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A library file
///
/// The stored image (`original.<ext>`) or a variant (`w<width>.<ext>`). Content-addressed,
/// so cached for a year (`immutable`); `Range` requests are answered with 206.
#[utoipa::path(
    tag = "media",
    params(
        ("hash" = String, Path, description = "SHA-256 of the stored image (64 hex digits)",
            pattern = "^[0-9a-f]{64}$",
            example = "0f3c8e2d9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"),
        ("name" = String, Path, description = "`original.<ext>` or `w<width>.<ext>`",
            pattern = r"^(original|w[0-9]{1,5})\.(jpg|png|gif|webp)$", example = "w640.webp"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "image/*", body = Vec<u8>,
            headers(("ETag" = String), ("Cache-Control" = String), ("Accept-Ranges" = String))),
        (status = 206, description = "Part of the file", content_type = "image/*", body = Vec<u8>,
            headers(("Content-Range" = String), ("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
        (status = 416, response = crate::openapi::RangeNotSatisfiable),
    )
)]
#[get("/media/{hash}/{name}")]
pub(super) async fn media_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (hash, name) = path.into_inner();
    let is_hash = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let kind = process::parse_variant_name(&name).filter(|_| is_hash);
    let Some(kind) = kind else {
        return Err(ApiError::not_found("media file"));
    };
    let etag = format!("\"{hash}-{name}\"");
    let cache_control = "public, max-age=31536000, immutable";
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if not_modified {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .finish());
    }
    let if_range_holds = req
        .headers()
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() == etag);
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| if_range_holds)
        .and_then(ByteRange::parse);
    let store = state.media.clone();
    let key = service::media_key(&hash, &name);
    let read = web::block(move || -> Result<Option<Read>, ApiError> {
        let Some(size) = store.size(&key).map_err(service::storage_error)? else {
            return Ok(None);
        };
        let span = match range {
            Some(range) => Some(
                range
                    .within(size)
                    .ok_or(ApiError::RangeNotSatisfiable { size })?,
            ),
            None => None,
        };
        let bytes = match span {
            Some((start, len)) => store.get_range(&key, start, len),
            None => store.get(&key),
        }
        .map_err(service::storage_error)?;
        Ok(bytes.map(|bytes| (size, span, bytes)))
    })
    .await
    .map_err(ApiError::internal)??;
    let Some((size, span, bytes)) = read else {
        return Err(ApiError::not_found("media file"));
    };
    let mut response = match span {
        Some((start, len)) => {
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {start}-{}/{size}", start + len - 1),
            ));
            partial
        }
        None => HttpResponse::Ok(),
    };
    let mut response = response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .body(bytes);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    Ok(response)
}

/// A file as read: its size, the span sent (`None`: whole) and the bytes.
type Read = (u64, Option<(u64, u64)>, Vec<u8>);

/// One `Range: bytes=…` range (a request for several is served whole).
#[derive(Debug, Clone, Copy)]
enum ByteRange {
    /// `start-` or `start-end`.
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Last(u64),
}

impl ByteRange {
    fn parse(header: &str) -> Option<Self> {
        let spec = header.trim().strip_prefix("bytes=")?;
        if spec.contains(',') {
            return None;
        }
        let (start, end) = spec.trim().split_once('-')?;
        let (start, end) = (start.trim(), end.trim());
        if start.is_empty() {
            return end.parse().ok().map(Self::Last);
        }
        let start = start.parse().ok()?;
        let end = if end.is_empty() {
            None
        } else {
            Some(end.parse().ok()?)
        };
        if end.is_some_and(|end| end < start) {
            return None;
        }
        Some(Self::From(start, end))
    }

    /// `(start, length)` within a file of `size` bytes; `None` when unsatisfiable.
    fn within(self, size: u64) -> Option<(u64, u64)> {
        match self {
            Self::From(start, _) if start >= size => None,
            Self::From(start, end) => {
                let last = end.map_or(size - 1, |end| end.min(size - 1));
                Some((start, last - start + 1))
            }
            Self::Last(0) => None,
            Self::Last(n) => {
                let len = n.min(size);
                Some((size - len, len))
            }
        }
    }
}
