//! Conditional requests. Every GET answers with a strong `ETag` (and 304 on a matching
//! `If-None-Match`); writes honour `If-Match` and fail with 412 on a stale version.
//!
//! A resource's ETag is `"v{version}-{digest}"`: the digest covers the exact bytes sent
//! (breadcrumbs and children included), so caches never keep a stale representation,
//! while `If-Match` compares only the version, the state of the resource itself.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::domain::precondition::IfMatch;
use crate::domain::token::sha256_hex;
use crate::error::ApiError;
use crate::http::pagination::{ListEnvelope, link_header};

/// 200 with the resource's versioned ETag, or 304 when the client's copy is current.
pub fn resource<T: Serialize>(
    req: &HttpRequest,
    version: i64,
    body: &T,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let etag = format!("\"v{version}-{}\"", digest(&bytes));
    Ok(respond(req, StatusCode::OK, etag, bytes, None))
}

/// 200 with a content ETag for documents that carry no version (such as `/auth/me`).
pub fn document<T: Serialize>(req: &HttpRequest, body: &T) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let etag = format!("\"{}\"", digest(&bytes));
    Ok(respond(req, StatusCode::OK, etag, bytes, None))
}

/// A list page: 200 with its ETag and `Link` header, or 304.
pub fn list<T: Serialize>(
    req: &HttpRequest,
    envelope: &ListEnvelope<T>,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(envelope).map_err(ApiError::internal)?;
    let etag = format!("\"{}\"", digest(&bytes));
    let link = link_header(req, &envelope.meta);
    Ok(respond(req, StatusCode::OK, etag, bytes, Some(link)))
}

/// 200 with a content ETag for a document in another format than JSON (a feed, a
/// sitemap), with `Last-Modified` when its newest change is known; or 304.
pub fn rendered(
    req: &HttpRequest,
    content_type: &'static str,
    bytes: Vec<u8>,
    last_modified: Option<chrono::DateTime<chrono::Utc>>,
) -> HttpResponse {
    let etag = format!("\"{}\"", digest(&bytes));
    let mut response = respond_as(req, StatusCode::OK, etag, bytes, None, content_type);
    if let Some(at) = last_modified {
        let value = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::LAST_MODIFIED, value);
        }
    }
    response
}

/// 201 Created with `Location` and the new resource's ETag.
pub fn created<T: Serialize>(
    location: String,
    version: i64,
    body: &T,
) -> Result<HttpResponse, ApiError> {
    let mut response = written(version, body)?;
    *response.status_mut() = StatusCode::CREATED;
    let location = HeaderValue::try_from(location).map_err(ApiError::internal)?;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// 200 with the state a write left behind and its ETag, ready for the next `If-Match`.
pub fn written<T: Serialize>(version: i64, body: &T) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"v{version}-{}\"", digest(&bytes))))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/json")
        .body(bytes))
}

fn digest(bytes: &[u8]) -> String {
    sha256_hex(bytes)[..20].to_owned()
}

fn respond(
    req: &HttpRequest,
    status: StatusCode,
    etag: String,
    bytes: Vec<u8>,
    link: Option<String>,
) -> HttpResponse {
    respond_as(req, status, etag, bytes, link, "application/json")
}

fn respond_as(
    req: &HttpRequest,
    status: StatusCode,
    etag: String,
    bytes: Vec<u8>,
    link: Option<String>,
    content_type: &'static str,
) -> HttpResponse {
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| if_none_match_hits(tags, &etag));
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::build(status)
    };
    response.insert_header((header::ETAG, etag));
    // Shared caches may keep anonymous reads (revalidating by ETag); what a signed-in
    // client sees may include unpublished content and must stay private.
    let cache_control = if req.headers().contains_key(header::AUTHORIZATION) {
        "private, no-cache"
    } else {
        "public, no-cache"
    };
    response.insert_header((header::CACHE_CONTROL, cache_control));
    response.insert_header((header::VARY, "Authorization"));
    if let Some(link) = link {
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.insert_header((header::LINK, value));
        }
    }
    if not_modified {
        response.finish()
    } else {
        response.content_type(content_type).body(bytes)
    }
}

/// Weak comparison, as RFC 9110 prescribes for `If-None-Match`.
pub(crate) fn if_none_match_hits(header_value: &str, etag: &str) -> bool {
    header_value
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// How `If-Match` is documented on every write.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchParam {
    /// An ETag from an earlier read (or `*`); the write fails with 412 unless it names
    /// the current version.
    #[serde(rename = "If-Match")]
    #[param(required = false, example = "\"v1-aadec56f739eb9dcb49c\"")]
    pub if_match: String,
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = match req.headers().get(header::IF_MATCH) {
            None => Ok(Self::Absent),
            Some(v) => Ok(v.to_str().map_or(Self::Versions(Vec::new()), Self::parse)),
        };
        ready(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_uses_weak_comparison() {
        assert!(if_none_match_hits("W/\"v1-x\"", "\"v1-x\""));
        assert!(if_none_match_hits("\"a\", \"v1-x\"", "\"v1-x\""));
        assert!(!if_none_match_hits("\"v2-x\"", "\"v1-x\""));
    }
}
