//! Public answers from memory. An anonymous `GET` under `/api/v1` is answered from the
//! response cache when it holds the path, with `304` when the client's copy is current,
//! and no database work either way. On a miss the handler runs; if it marked its answer
//! public (`public`), the bytes are kept under the answer's surrogate keys.
//!
//! Every public answer also tells shared caches how long they may keep it
//! (`Cache-Control` with `s-maxage`, never past the next scheduled publication) and what
//! it depends on (`Surrogate-Key`, `xkey`, `Cache-Tag`), so a CDN can be purged by the
//! same keys. A request with `Authorization`, or with a draft preview token (`preview`
//! in its query), never reads or fills the cache, and its answers carry none of this; a
//! preview answer is marked with [`private`] so that no other cache keeps it either.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use chrono::{DateTime, Utc};

use crate::cache::Entry;
use crate::config::CdnPolicy;
use crate::domain::surrogate::Keys;
use crate::http::conditional::if_none_match_hits;
use crate::state::AppState;

/// Whether the answer came from the cache (`hit`) or was computed (`miss`).
pub const CACHE_STATUS: HeaderName = HeaderName::from_static("x-newsdesk-cache");
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
const XKEY: HeaderName = HeaderName::from_static("xkey");
const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");
const ROBOTS_TAG: HeaderName = HeaderName::from_static("x-robots-tag");
/// The query parameter that carries a draft preview token.
const PREVIEW_PARAMETER: &str = "preview";

/// What a handler says about a public answer: what it depends on, and when scheduled
/// publishing will change it without a write.
#[derive(Clone)]
struct PublicAnswer {
    keys: Keys,
    fresh_until: Option<DateTime<Utc>>,
}

/// Marks `response` as public content depending on `keys`, unchanged until
/// `fresh_until` (if set) unless a write names one of the keys. Only anonymous requests
/// use the mark.
pub fn public(
    mut response: HttpResponse,
    keys: Keys,
    fresh_until: Option<DateTime<Utc>>,
) -> HttpResponse {
    response
        .extensions_mut()
        .insert(PublicAnswer { keys, fresh_until });
    response
}

/// Marks `response` as for its requester only, as a draft preview is: no cache may keep
/// it (`Cache-Control: private, no-store`) and no search engine may index it.
pub fn private(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(ROBOTS_TAG, HeaderValue::from_static("noindex"));
    response
}

/// The middleware.
pub async fn serve(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|_| anonymous_api_read(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let path = match req.query_string() {
        "" => req.path().to_owned(),
        query => format!("{}?{query}", req.path()),
    };
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let cdn = state.config.cdn;
    if let Some(entry) = state.cache.get(&path) {
        let response = answer(&entry, if_none_match.as_ref(), cdn, "hit");
        return Ok(req.into_response(response));
    }

    let ticket = state.cache.ticket();
    // The handler answers in full, so that the bytes can be kept; 304 is decided below.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let res = next.call(req).await?;
    let marked = res.response().extensions().get::<PublicAnswer>().cloned();
    let Some(mark) = marked.filter(|_| res.status() == StatusCode::OK) else {
        return Ok(unmarked(res, if_none_match.as_ref()));
    };
    let (request, response) = res.into_parts();
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let headers = ready_headers(&response, &mark);
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into()))?;
    let entry = Arc::new(Entry::new(
        body,
        etag,
        headers,
        mark.keys.names(),
        mark.fresh_until,
    ));
    state.cache.store(ticket, path, entry.clone());
    let response = answer(&entry, if_none_match.as_ref(), cdn, "miss");
    Ok(ServiceResponse::new(request, response))
}

/// Whether the cache may answer `req`, or keep its answer: an anonymous read of the API
/// that carries no preview token (whose answer shows an unpublished article).
fn anonymous_api_read(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req.path().starts_with("/api/v1/")
        && !asks_for_preview(req.query_string())
}

/// Whether the query names a preview token, decoded as the handlers decode it (so that
/// `%70review` counts too).
fn asks_for_preview(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == PREVIEW_PARAMETER)
}

/// A response the handler did not mark: as it is, but 304 where the client's copy
/// matches (the handler saw no `If-None-Match`).
fn unmarked<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    if_none_match: Option<&HeaderValue>,
) -> ServiceResponse<BoxBody> {
    let current = res.status() == StatusCode::OK
        && res
            .headers()
            .get(header::ETAG)
            .and_then(|etag| etag.to_str().ok())
            .is_some_and(|etag| matches(if_none_match, etag));
    if !current {
        return res.map_into_boxed_body();
    }
    let (request, response) = res.into_parts();
    let mut not_modified = HttpResponse::NotModified().finish();
    for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
        if let Some(value) = response.headers().get(&name) {
            not_modified.headers_mut().insert(name, value.clone());
        }
    }
    ServiceResponse::new(request, not_modified)
}

/// The headers a public answer is always sent with, built once when it is stored.
fn ready_headers(
    response: &HttpResponse<impl MessageBody>,
    mark: &PublicAnswer,
) -> Vec<(HeaderName, HeaderValue)> {
    let keys = mark.keys.to_string();
    let mut headers = vec![(header::VARY, HeaderValue::from_static("Authorization"))];
    for name in [
        header::ETAG,
        header::LINK,
        header::CONTENT_TYPE,
        header::LAST_MODIFIED,
    ] {
        if let Some(value) = response.headers().get(&name) {
            headers.push((name, value.clone()));
        }
    }
    if let Ok(value) = HeaderValue::from_str(&keys) {
        headers.push((SURROGATE_KEY, value.clone()));
        headers.push((XKEY, value));
    }
    if let Ok(value) = HeaderValue::from_str(&keys.replace(' ', ",")) {
        headers.push((CACHE_TAG, value));
    }
    headers
}

fn answer(
    entry: &Entry,
    if_none_match: Option<&HeaderValue>,
    cdn: CdnPolicy,
    status: &'static str,
) -> HttpResponse {
    let not_modified = matches(if_none_match, &entry.etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    for header in &entry.headers {
        response.insert_header(header.clone());
    }
    response
        .insert_header((header::CACHE_CONTROL, cache_control(cdn, entry.fresh_until)))
        .insert_header((CACHE_STATUS, HeaderValue::from_static(status)));
    if not_modified {
        // A 304 carries no body, so no content type either.
        let mut response = response.finish();
        response.headers_mut().remove(header::CONTENT_TYPE);
        return response;
    }
    if !entry
        .headers
        .iter()
        .any(|(name, _)| name == header::CONTENT_TYPE)
    {
        response.content_type(mime::APPLICATION_JSON);
    }
    response.body(entry.body.clone())
}

/// Browsers revalidate every time (`max-age=0`, answered with 304 from memory); shared
/// caches keep the answer for `s-maxage`, but never past the moment scheduled publishing
/// changes it, and then without serving it stale while they revalidate.
fn cache_control(cdn: CdnPolicy, fresh_until: Option<DateTime<Utc>>) -> String {
    let left = fresh_until.map(|until| (until - Utc::now()).num_seconds().max(0));
    let s_maxage = left.map_or(i64::from(cdn.s_maxage), |left| {
        left.min(i64::from(cdn.s_maxage))
    });
    let mut value = format!("public, max-age=0, s-maxage={s_maxage}");
    if left.is_none() && cdn.stale_while_revalidate > 0 {
        value.push_str(&format!(
            ", stale-while-revalidate={}",
            cdn.stale_while_revalidate
        ));
    }
    if cdn.stale_if_error > 0 {
        value.push_str(&format!(", stale-if-error={}", cdn.stale_if_error));
    }
    value
}

fn matches(if_none_match: Option<&HeaderValue>, etag: &str) -> bool {
    if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| if_none_match_hits(tags, etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: CdnPolicy = CdnPolicy {
        s_maxage: 300,
        stale_while_revalidate: 30,
        stale_if_error: 86_400,
    };

    #[test]
    fn a_preview_token_is_seen_however_the_query_spells_it() {
        for query in ["preview=x", "page=2&preview=", "%70review=x", "preview"] {
            assert!(asks_for_preview(query), "{query}");
        }
        for query in ["", "page=2", "previews=x", "q=preview"] {
            assert!(!asks_for_preview(query), "{query}");
        }
    }

    #[test]
    fn shared_caches_never_keep_an_answer_past_the_next_publication() {
        assert_eq!(
            cache_control(POLICY, None),
            "public, max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400"
        );
        let soon = Utc::now() + chrono::Duration::seconds(42);
        let capped = cache_control(POLICY, Some(soon));
        assert!(capped.contains("s-maxage=4"), "{capped}");
        assert!(!capped.contains("stale-while-revalidate"), "{capped}");
    }
}
