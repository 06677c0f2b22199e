//! The wire formats: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for feeds, the sitemap
//! protocol (with Google News' extension) for sitemaps. Every text goes through
//! `xml::escape` (or `xml::clean` for JSON), so no title or body can break a document.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::service::{Feed, FeedEntry, Located, PlacedChannel, SitemapIndex};
use super::xml::{Doc, clean};
use crate::domain::site::Site;
use crate::domain::time::to_utc;

pub const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
pub const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";
pub const JSON_FEED_TYPE: &str = "application/feed+json; charset=utf-8";
pub const XML_TYPE: &str = "application/xml; charset=utf-8";

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// A feed's format, named like a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum FeedFile {
    /// RSS 2.0, `application/rss+xml`.
    #[serde(rename = "rss.xml")]
    Rss,
    /// Atom 1.0, `application/atom+xml`.
    #[serde(rename = "atom.xml")]
    Atom,
    /// JSON Feed 1.1, `application/feed+json`.
    #[serde(rename = "feed.json")]
    Json,
}

impl FeedFile {
    pub const ALL: [Self; 3] = [Self::Rss, Self::Atom, Self::Json];

    pub fn file_name(self) -> &'static str {
        match self {
            Self::Rss => "rss.xml",
            Self::Atom => "atom.xml",
            Self::Json => "feed.json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Rss => RSS_TYPE,
            Self::Atom => ATOM_TYPE,
            Self::Json => JSON_FEED_TYPE,
        }
    }

    /// The media type alone, as a `Link` header's `type` names it.
    pub fn media_type(self) -> &'static str {
        self.content_type().split(';').next().unwrap_or_default()
    }
}

/// The API path of a feed: the site's, or a channel's.
pub fn feed_path(channel_slug: Option<&str>, file: FeedFile) -> String {
    match channel_slug {
        None => format!("/api/v1/feeds/{}", file.file_name()),
        Some(slug) => format!("/api/v1/channels/{slug}/feeds/{}", file.file_name()),
    }
}

/// What a feed says about itself, and where it points.
pub struct Publication<'a> {
    pub site: &'a Site,
    pub name: &'a str,
    pub language: &'a str,
    pub full_text: bool,
}

struct Head {
    title: String,
    description: String,
    home: String,
    updated: Option<DateTime<Utc>>,
}

fn head(feed: &Feed, publication: &Publication<'_>) -> Head {
    let updated = last_modified(feed);
    match &feed.channel {
        None => Head {
            title: publication.name.to_owned(),
            description: publication.name.to_owned(),
            home: format!("{}/", publication.site.base()),
            updated,
        },
        Some(channel) => Head {
            title: format!("{} - {}", channel.row.name, publication.name),
            description: channel
                .row
                .description
                .clone()
                .unwrap_or_else(|| channel.row.name.clone()),
            home: channel_url(publication.site, channel),
            updated,
        },
    }
}

fn channel_url(site: &Site, channel: &PlacedChannel) -> String {
    let path: Vec<&str> = channel.path.iter().map(String::as_str).collect();
    site.channel_url(channel.row.id, &path)
}

fn published_of(entry: &FeedEntry) -> DateTime<Utc> {
    let row = &entry.article.row;
    row.published_at
        .map_or_else(|| to_utc(row.created_at), to_utc)
}

/// The later of the last edit and the moment an article became public.
fn latest(published: Option<NaiveDateTime>, updated: NaiveDateTime) -> DateTime<Utc> {
    to_utc(published.map_or(updated, |p| p.max(updated)))
}

fn updated_of(entry: &FeedEntry) -> DateTime<Utc> {
    let row = &entry.article.row;
    latest(row.published_at, row.updated_at)
}

/// The newest change a feed shows, for `Last-Modified`.
pub fn last_modified(feed: &Feed) -> Option<DateTime<Utc>> {
    feed.entries.iter().map(updated_of).max()
}

fn article_url(site: &Site, entry: &FeedEntry) -> String {
    let article = &entry.article;
    let path: Vec<&str> = article
        .breadcrumbs
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    site.article_url(
        article.row.id,
        &article.row.slug,
        published_of(entry),
        &path,
    )
}

/// The categories of an entry: its channel path's names, then its tags.
fn categories(entry: &FeedEntry) -> impl Iterator<Item = &str> {
    entry
        .article
        .breadcrumbs
        .iter()
        .map(|c| c.name.as_str())
        .chain(entry.article.tags.iter().map(String::as_str))
}

/// The image type a cover's file name suggests (feeds must name one).
fn image_type(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => "image/jpeg",
    }
}

/// The article's full text: its pages, one after the other.
fn full_text(entry: &FeedEntry) -> String {
    entry.pages.join("\n")
}

fn local(at: DateTime<Utc>, offset: FixedOffset) -> DateTime<FixedOffset> {
    at.with_timezone(&offset)
}

pub fn rss(feed: &Feed, publication: &Publication<'_>, self_path: &str) -> Vec<u8> {
    let site = publication.site;
    let offset = site.offset();
    let head = head(feed, publication);
    let mut doc = Doc::new();
    doc.open(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
            ("xmlns:media", "http://search.yahoo.com/mrss/"),
        ],
    )
    .open("channel", &[])
    .text("title", &[], &head.title)
    .text("link", &[], &head.home)
    .text("description", &[], &head.description)
    .text("language", &[], publication.language)
    .empty(
        "atom:link",
        &[
            ("href", &site.under(self_path)),
            ("rel", "self"),
            ("type", FeedFile::Rss.media_type()),
        ],
    );
    if let Some(updated) = head.updated {
        doc.text("lastBuildDate", &[], &local(updated, offset).to_rfc2822());
    }
    for entry in &feed.entries {
        let row = &entry.article.row;
        let url = article_url(site, entry);
        doc.open("item", &[])
            .text("title", &[], &row.title)
            .text("link", &[], &url)
            .text("guid", &[("isPermaLink", "true")], &url)
            .text("description", &[], &row.summary)
            .text(
                "pubDate",
                &[],
                &local(published_of(entry), offset).to_rfc2822(),
            );
        for byline in &entry.article.bylines {
            doc.text("dc:creator", &[], &byline.name);
        }
        for category in categories(entry) {
            doc.text("category", &[], category);
        }
        if let Some(name) = &row.source_name {
            match &row.source_url {
                Some(url) => doc.text("source", &[("url", url)], name),
                None => doc.text("dc:source", &[], name),
            };
        }
        if let Some(cover) = &row.cover_image_url {
            doc.empty(
                "enclosure",
                &[("url", cover), ("type", image_type(cover)), ("length", "0")],
            )
            .empty(
                "media:content",
                &[
                    ("url", cover),
                    ("medium", "image"),
                    ("type", image_type(cover)),
                ],
            );
        }
        if publication.full_text {
            doc.text("content:encoded", &[], &full_text(entry));
        }
        doc.close();
    }
    doc.finish()
}

pub fn atom(feed: &Feed, publication: &Publication<'_>, self_path: &str) -> Vec<u8> {
    let site = publication.site;
    let offset = site.offset();
    let head = head(feed, publication);
    let self_url = site.under(self_path);
    let updated = head.updated.unwrap_or_else(|| {
        feed.channel
            .as_ref()
            .map_or_else(Utc::now, |c| to_utc(c.row.updated_at))
    });
    let mut doc = Doc::new();
    doc.open(
        "feed",
        &[
            ("xmlns", "http://www.w3.org/2005/Atom"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xml:lang", publication.language),
        ],
    )
    .text("id", &[], &self_url)
    .text("title", &[("type", "text")], &head.title)
    .text("subtitle", &[("type", "text")], &head.description)
    .text("updated", &[], &local(updated, offset).to_rfc3339())
    .empty(
        "link",
        &[
            ("rel", "self"),
            ("href", &self_url),
            ("type", FeedFile::Atom.media_type()),
        ],
    )
    .empty(
        "link",
        &[
            ("rel", "alternate"),
            ("href", &head.home),
            ("type", "text/html"),
        ],
    )
    .open("author", &[])
    .text("name", &[], publication.name)
    .close();
    for entry in &feed.entries {
        let row = &entry.article.row;
        let url = article_url(site, entry);
        doc.open("entry", &[])
            .text("id", &[], &url)
            .text("title", &[("type", "text")], &row.title)
            .empty(
                "link",
                &[("rel", "alternate"), ("href", &url), ("type", "text/html")],
            )
            .text(
                "published",
                &[],
                &local(published_of(entry), offset).to_rfc3339(),
            )
            .text(
                "updated",
                &[],
                &local(updated_of(entry), offset).to_rfc3339(),
            )
            .text("summary", &[("type", "text")], &row.summary);
        for byline in &entry.article.bylines {
            doc.open("author", &[])
                .text("name", &[], &byline.name)
                .close();
        }
        for category in categories(entry) {
            doc.empty("category", &[("term", category)]);
        }
        if let Some(name) = &row.source_name {
            doc.text("dc:source", &[], name);
            if let Some(url) = &row.source_url {
                doc.empty("link", &[("rel", "via"), ("href", url), ("title", name)]);
            }
        }
        if let Some(cover) = &row.cover_image_url {
            doc.empty(
                "link",
                &[
                    ("rel", "enclosure"),
                    ("href", cover),
                    ("type", image_type(cover)),
                ],
            );
        }
        if publication.full_text {
            doc.text("content", &[("type", "html")], &full_text(entry));
        }
        doc.close();
    }
    doc.finish()
}

pub fn json_feed(feed: &Feed, publication: &Publication<'_>, self_path: &str) -> Vec<u8> {
    let site = publication.site;
    let offset = site.offset();
    let head = head(feed, publication);
    let items: Vec<Value> = feed
        .entries
        .iter()
        .map(|entry| {
            let row = &entry.article.row;
            let url = article_url(site, entry);
            let mut item = json!({
                "id": url,
                "url": url,
                "title": clean(&row.title),
                "summary": clean(&row.summary),
                "date_published": local(published_of(entry), offset).to_rfc3339(),
                "date_modified": local(updated_of(entry), offset).to_rfc3339(),
                "authors": entry.article.bylines.iter()
                    .map(|b| json!({"name": clean(&b.name)}))
                    .collect::<Vec<_>>(),
                "tags": categories(entry).map(clean).collect::<Vec<_>>(),
            });
            if publication.full_text {
                item["content_html"] = json!(clean(&full_text(entry)));
            } else {
                item["content_text"] = json!(clean(&row.summary));
            }
            if let Some(cover) = &row.cover_image_url {
                item["image"] = json!(cover);
                item["attachments"] = json!([{"url": cover, "mime_type": image_type(cover)}]);
            }
            if let Some(name) = &row.source_name {
                item["_source"] = json!({"name": clean(name), "url": row.source_url});
            }
            item
        })
        .collect();
    let document = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(&head.title),
        "description": clean(&head.description),
        "home_page_url": head.home,
        "feed_url": site.under(self_path),
        "language": publication.language,
        "authors": [{"name": clean(publication.name)}],
        "items": items,
    });
    serde_json::to_vec(&document).unwrap_or_default()
}

/// The path of a sitemap under the API.
pub fn sitemap_path(file: &str) -> String {
    format!("/api/v1/sitemaps/{file}")
}

fn w3c(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn sitemap_index(index: &SitemapIndex, site: &Site) -> Vec<u8> {
    let mut doc = Doc::new();
    doc.open("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    let mut files = vec!["channels.xml".to_owned(), "news.xml".to_owned()];
    files.extend((1..=index.article_files).map(|n| format!("articles-{n}.xml")));
    for file in files {
        doc.open("sitemap", &[])
            .text("loc", &[], &site.under(&sitemap_path(&file)));
        if let Some(at) = index.last_change.filter(|_| file != "channels.xml") {
            doc.text("lastmod", &[], &w3c(at, site.offset()));
        }
        doc.close();
    }
    doc.finish()
}

fn located_url(site: &Site, located: &Located) -> Option<String> {
    let row = &located.row;
    let path: Vec<&str> = located.path.iter().map(String::as_str).collect();
    row.published_at
        .map(|at| site.article_url(row.id, &row.slug, to_utc(at), &path))
}

pub fn article_sitemap(articles: &[Located], site: &Site) -> Vec<u8> {
    let mut doc = Doc::new();
    doc.open("urlset", &[("xmlns", SITEMAP_NS)]);
    for located in articles {
        let Some(url) = located_url(site, located) else {
            continue;
        };
        let row = &located.row;
        let lastmod = latest(row.published_at, row.updated_at);
        doc.open("url", &[])
            .text("loc", &[], &url)
            .text("lastmod", &[], &w3c(lastmod, site.offset()))
            .close();
    }
    doc.finish()
}

pub fn channel_sitemap(channels: &[PlacedChannel], site: &Site) -> Vec<u8> {
    let mut doc = Doc::new();
    doc.open("urlset", &[("xmlns", SITEMAP_NS)]);
    for channel in channels {
        doc.open("url", &[])
            .text("loc", &[], &channel_url(site, channel))
            .text(
                "lastmod",
                &[],
                &w3c(to_utc(channel.row.updated_at), site.offset()),
            )
            .close();
    }
    doc.finish()
}

pub fn news_sitemap(articles: &[Located], publication: &Publication<'_>) -> Vec<u8> {
    let site = publication.site;
    let mut doc = Doc::new();
    doc.open("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for located in articles {
        let (Some(url), Some(published)) = (located_url(site, located), located.row.published_at)
        else {
            continue;
        };
        doc.open("url", &[])
            .text("loc", &[], &url)
            .open("news:news", &[])
            .open("news:publication", &[])
            .text("news:name", &[], publication.name)
            .text("news:language", &[], publication.language)
            .close()
            .text(
                "news:publication_date",
                &[],
                &w3c(to_utc(published), site.offset()),
            )
            .text("news:title", &[], &located.row.title)
            .close()
            .close();
    }
    doc.finish()
}
