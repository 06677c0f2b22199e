//! HTTP handlers for feeds and sitemaps. Anonymous and cached like every public read;
//! 404 while `NEWSDESK_SITE_URL` is not set.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{self, FeedFile, Publication, XML_TYPE};
use super::service;
use crate::config::Distribution;
use crate::domain::site::Site;
use crate::domain::slug::IdOrSlug;
use crate::domain::surrogate::Shown;
use crate::error::ApiError;
use crate::http::cache;
use crate::http::conditional;
use crate::state::AppState;

/// The configured site, or the 404 that says feeds and sitemaps are off.
fn site(distribution: &Distribution) -> Result<&Site, ApiError> {
    distribution.site.as_ref().ok_or_else(|| {
        ApiError::NotFound(
            "feeds and sitemaps are off: the server has no public site URL (NEWSDESK_SITE_URL)"
                .into(),
        )
    })
}

fn publication<'a>(distribution: &'a Distribution, site: &'a Site) -> Publication<'a> {
    Publication {
        site,
        name: &distribution.publication_name,
        language: &distribution.publication_language,
        full_text: distribution.feed_full_text,
    }
}

/// A sitemap's answer: XML, cached under the keys of what it shows.
fn sitemap<T>(req: &HttpRequest, shown: &Shown<T>, bytes: Vec<u8>) -> HttpResponse {
    let response = conditional::rendered(req, XML_TYPE, bytes, None);
    cache::public(response, shown.keys.clone(), shown.fresh_until)
}

async fn feed(
    req: &HttpRequest,
    state: &AppState,
    channel: Option<IdOrSlug>,
    file: FeedFile,
) -> Result<HttpResponse, ApiError> {
    let distribution = &state.config.distribution;
    let site = site(distribution)?;
    let (size, full_text) = (distribution.feed_size, distribution.feed_full_text);
    let shown = state
        .db(move |conn| service::feed(conn, channel.as_ref(), size, full_text))
        .await?;
    let publication = publication(distribution, site);
    let self_path = dto::feed_path(
        shown.value.channel.as_ref().map(|c| c.row.slug.as_str()),
        file,
    );
    let bytes = match file {
        FeedFile::Rss => dto::rss(&shown.value, &publication, &self_path),
        FeedFile::Atom => dto::atom(&shown.value, &publication, &self_path),
        FeedFile::Json => dto::json_feed(&shown.value, &publication, &self_path),
    };
    let last_modified = dto::last_modified(&shown.value);
    let response = conditional::rendered(req, file.content_type(), bytes, last_modified);
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// The site's feed
///
/// The newest public articles of the whole site (`NEWSDESK_FEED_SIZE`, 20 by default),
/// newest first, as RSS 2.0 (`rss.xml`), Atom 1.0 (`atom.xml`) or JSON Feed 1.1
/// (`feed.json`): title, summary, canonical link, bylines, source, the channel path and
/// tags as categories, the cover image as an enclosure, times with the site's UTC offset
/// (`NEWSDESK_SITE_UTC_OFFSET`), and every page of the body with
/// `NEWSDESK_FEED_FULL_TEXT`. 404 while `NEWSDESK_SITE_URL` is not set.
#[utoipa::path(
    tag = "distribution",
    security(()),
    params(("file" = FeedFile, Path, description = "The format, named like a file", example = "rss.xml")),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"),
            (String = "application/atom+xml"),
            (Object = "application/feed+json"),
        ), headers(("ETag" = String), ("Last-Modified" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/feeds/{file}")]
pub(super) async fn site_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<FeedFile>,
) -> Result<HttpResponse, ApiError> {
    feed(&req, &state, None, file.into_inner()).await
}

/// A channel's feed
///
/// Like the site's feed, for one channel with its sub-channels. The channel's own answer
/// (`GET /channels/{id_or_slug}`) links here with `Link: <…>; rel="alternate"`.
#[utoipa::path(
    tag = "distribution",
    security(()),
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "pingxiang"),
        ("file" = FeedFile, Path, description = "The format, named like a file", example = "rss.xml"),
    ),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"),
            (String = "application/atom+xml"),
            (Object = "application/feed+json"),
        ), headers(("ETag" = String), ("Last-Modified" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/channels/{id_or_slug}/feeds/{file}")]
pub(super) async fn channel_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, FeedFile)>,
) -> Result<HttpResponse, ApiError> {
    let (id_or_slug, file) = path.into_inner();
    feed(&req, &state, Some(IdOrSlug::parse(&id_or_slug)), file).await
}

/// The sitemap index
///
/// Lists the channel sitemap, the Google News sitemap and the article sitemaps
/// (`NEWSDESK_SITEMAP_LIMIT` URLs each, 50,000 by default), at the public site's address
/// (`NEWSDESK_SITE_URL` followed by these paths: serve or proxy them there). 404 while
/// `NEWSDESK_SITE_URL` is not set.
#[utoipa::path(
    tag = "distribution",
    security(()),
    responses(
        (status = 200, description = "The sitemap index", content((String = "application/xml")),
            headers(("ETag" = String), ("Last-Modified" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/sitemaps/index.xml")]
pub(super) async fn sitemap_index(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let distribution = &state.config.distribution;
    let site = site(distribution)?;
    let limit = distribution.sitemap_limit;
    let shown = state.db(move |conn| service::index(conn, limit)).await?;
    let bytes = dto::sitemap_index(&shown.value, site);
    let response = conditional::rendered(&req, XML_TYPE, bytes, shown.value.last_change);
    Ok(cache::public(response, shown.keys, shown.fresh_until))
}

/// An article sitemap
///
/// Public articles by id, `NEWSDESK_SITEMAP_LIMIT` per file, each with its canonical URL
/// and `lastmod`; numbered from 1 as the index lists them (404 past the last).
#[utoipa::path(
    tag = "distribution",
    security(()),
    params(("number" = i64, Path, description = "From 1", example = 1, minimum = 1)),
    responses(
        (status = 200, description = "The sitemap", content((String = "application/xml")),
            headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/sitemaps/articles-{number}.xml")]
pub(super) async fn article_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let distribution = &state.config.distribution;
    let site = site(distribution)?;
    let limit = distribution.sitemap_limit;
    let number: i64 = number
        .parse()
        .map_err(|_| ApiError::NotFound("article sitemaps are numbered from 1".into()))?;
    let shown = state
        .db(move |conn| service::articles(conn, number, limit))
        .await?;
    let bytes = dto::article_sitemap(&shown.value, site);
    Ok(sitemap(&req, &shown, bytes))
}

/// The channel sitemap
///
/// Every channel's canonical URL, in menu order, with `lastmod`.
#[utoipa::path(
    tag = "distribution",
    security(()),
    responses(
        (status = 200, description = "The sitemap", content((String = "application/xml")),
            headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/sitemaps/channels.xml")]
pub(super) async fn channel_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site(&state.config.distribution)?;
    let shown = state.db(service::channels).await?;
    let bytes = dto::channel_sitemap(&shown.value, site);
    Ok(sitemap(&req, &shown, bytes))
}

/// The Google News sitemap
///
/// The public articles published in the last 48 hours (at most 1,000), newest first,
/// with `news:publication` (`NEWSDESK_PUBLICATION_NAME`, `NEWSDESK_PUBLICATION_LANGUAGE`),
/// `news:publication_date` and `news:title`. Archived articles leave it.
#[utoipa::path(
    tag = "distribution",
    security(()),
    responses(
        (status = 200, description = "The sitemap", content((String = "application/xml")),
            headers(("ETag" = String))),
        crate::openapi::Cached,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/sitemaps/news.xml")]
pub(super) async fn news_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let distribution = &state.config.distribution;
    let site = site(distribution)?;
    let shown = state.db(service::news).await?;
    let bytes = dto::news_sitemap(&shown.value, &publication(distribution, site));
    Ok(sitemap(&req, &shown, bytes))
}
