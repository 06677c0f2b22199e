//! What feeds and sitemaps show: public articles only, read through the one visibility
//! rule (the article list's for feeds, `articles::repo::visible` for sitemaps), with the
//! keys of everything shown so that the response cache and the CDN drop them on change.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use super::repo::{self, SitemapRow};
use crate::articles::content::ListRequest;
use crate::articles::repo as article_rows;
use crate::articles::service::{self as articles, Article};
use crate::channels::repo::ChannelRow;
use crate::channels::service::ChannelTree;
use crate::db::AnyConnection;
use crate::domain::paging::PageRequest;
use crate::domain::slug::IdOrSlug;
use crate::domain::surrogate::{Key, Keys, Shown};
use crate::domain::time;
use crate::error::ApiError;

/// Google News reads articles of the last two days, at most 1,000 per sitemap.
pub const NEWS_WINDOW_HOURS: i64 = 48;
const NEWS_MAX_URLS: i64 = 1000;

/// A channel with its path (slugs from the root down to it).
pub struct PlacedChannel {
    pub row: ChannelRow,
    pub path: Vec<String>,
}

/// A feed's article: the article as lists show it, with every page of its body when
/// the feed carries full text.
pub struct FeedEntry {
    pub article: Article,
    pub pages: Vec<String>,
}

/// A feed: the whole site's (no channel) or a channel's with its sub-channels.
pub struct Feed {
    pub channel: Option<PlacedChannel>,
    pub entries: Vec<FeedEntry>,
}

/// The newest `size` public articles of the site or of the channel `channel` and its
/// descendants, newest first.
pub fn feed(
    conn: &mut AnyConnection,
    channel: Option<&IdOrSlug>,
    size: u32,
    full_text: bool,
) -> Result<Shown<Feed>, ApiError> {
    let tree = ChannelTree::load(conn)?;
    let channel = match channel {
        None => None,
        Some(key) => {
            let row = tree
                .find(key)
                .ok_or_else(|| ApiError::not_found("channel"))?;
            Some(PlacedChannel {
                path: tree.path(row.id),
                row: row.clone(),
            })
        }
    };
    let request = ListRequest {
        channel: channel.as_ref().map(|c| c.row.id.to_string()),
        include_descendants: true,
        ..ListRequest::default()
    };
    let page = PageRequest {
        page: 1,
        per_page: size.into(),
    };
    let listed = articles::list(conn, None, request, page)?;
    let mut keys = listed.keys;
    // Every article's URL holds its channel's path, which any channel's slug changes.
    keys.add(Key::Channels);
    let mut entries = Vec::new();
    for article in listed.value.items {
        let pages = if full_text {
            article_rows::pages(conn, article.row.id)?
        } else {
            Vec::new()
        };
        entries.push(FeedEntry { article, pages });
    }
    Ok(Shown::new(Feed { channel, entries }, keys).until(listed.fresh_until))
}

/// What the sitemap index lists: this many article sitemaps, and the channel and news
/// sitemaps.
pub struct SitemapIndex {
    pub article_files: i64,
    pub last_change: Option<DateTime<Utc>>,
}

/// Keys and freshness shared by every sitemap: any public article and any channel may
/// change them, and so does the next scheduled publication.
fn sitemap_shown<T>(
    conn: &mut AnyConnection,
    value: T,
    until: Option<DateTime<Utc>>,
) -> Result<Shown<T>, ApiError> {
    let next = articles::public_until(conn)?;
    let fresh_until = match (next, until) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Ok(Shown::new(value, Keys::of([Key::ArticleLists, Key::Channels])).until(fresh_until))
}

/// How many article sitemaps of `limit` URLs the public articles fill (at least one,
/// empty on an empty site).
fn article_files(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: u32,
) -> Result<i64, ApiError> {
    let count = repo::count_public(conn, now)?;
    Ok(((count + i64::from(limit) - 1) / i64::from(limit)).max(1))
}

pub fn index(conn: &mut AnyConnection, limit: u32) -> Result<Shown<SitemapIndex>, ApiError> {
    let now = time::now();
    let index = SitemapIndex {
        article_files: article_files(conn, now, limit)?,
        last_change: repo::last_change(conn, now)?.map(time::to_utc),
    };
    sitemap_shown(conn, index, None)
}

/// A public article with its channel's path.
pub struct Located {
    pub row: SitemapRow,
    pub path: Vec<String>,
}

fn locate(tree: &ChannelTree, rows: Vec<SitemapRow>) -> Vec<Located> {
    rows.into_iter()
        .map(|row| Located {
            path: tree.path(row.channel_id),
            row,
        })
        .collect()
}

/// Article sitemap `number` (from 1): public articles by id, `limit` per file.
pub fn articles(
    conn: &mut AnyConnection,
    number: i64,
    limit: u32,
) -> Result<Shown<Vec<Located>>, ApiError> {
    let now = time::now();
    let files = article_files(conn, now, limit)?;
    if !(1..=files).contains(&number) {
        return Err(ApiError::NotFound(format!(
            "there are {files} article sitemap(s), numbered from 1"
        )));
    }
    let rows = repo::public_by_id(conn, now, number - 1, i64::from(limit))?;
    let tree = ChannelTree::load(conn)?;
    let located = locate(&tree, rows);
    sitemap_shown(conn, located, None)
}

/// Every channel in menu order, with its path.
pub fn channels(conn: &mut AnyConnection) -> Result<Shown<Vec<PlacedChannel>>, ApiError> {
    let tree = ChannelTree::load(conn)?;
    let channels = tree
        .in_menu_order()
        .into_iter()
        .map(|(row, path)| PlacedChannel { row, path })
        .collect();
    Ok(Shown::new(channels, Keys::of([Key::Channels])))
}

/// The public articles published in the last 48 hours, newest first. The answer
/// changes when the oldest of them leaves the window.
pub fn news(conn: &mut AnyConnection) -> Result<Shown<Vec<Located>>, ApiError> {
    let now = time::now();
    let since = now - TimeDelta::hours(NEWS_WINDOW_HOURS);
    let rows = repo::published_since(conn, now, since, NEWS_MAX_URLS)?;
    let leaves = rows
        .iter()
        .filter_map(|r| r.published_at)
        .min()
        .map(|oldest| time::to_utc(oldest + TimeDelta::hours(NEWS_WINDOW_HOURS)));
    let tree = ChannelTree::load(conn)?;
    let located = locate(&tree, rows);
    sitemap_shown(conn, located, leaves)
}
