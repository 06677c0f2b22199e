//! The article's value types: its workflow status and byline roles, its whole editable
//! content, what a create or an update submits, and what a read assembles.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::enums::{ArticleStatus, BylineRole};
use crate::domain::time;

/// Where an article first ran, e.g. a group newspaper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "萍乡日报"}))]
pub struct Source {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Left out of answers when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A byline as written: who, in what role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"author_id": 1, "role": "author"}))]
pub struct BylineRef {
    pub author_id: i64,
    pub role: BylineRole,
}

/// The whole editable content of an article: what a write produces, and what each
/// revision keeps of the version before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = ArticleContent::example)]
pub struct ArticleContent {
    pub slug: String,
    pub title: String,
    #[schema(required)]
    pub subtitle: Option<String>,
    pub summary: String,
    pub status: ArticleStatus,
    pub channel_id: i64,
    #[schema(required)]
    pub source: Option<Source>,
    pub bylines: Vec<BylineRef>,
    #[schema(required)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(required)]
    pub cover_image_url: Option<String>,
    /// The library image shown as the cover (`media` id).
    #[serde(default)]
    #[schema(required)]
    pub cover_media_id: Option<i64>,
    pub tags: Vec<String>,
    pub comments_enabled: bool,
    pub related_ids: Vec<i64>,
    /// The body, one HTML string per page.
    pub pages: Vec<String>,
}

impl ArticleContent {
    /// The document's example: the demo's first story, in its 萍乡 society column, as
    /// `seed-demo` files it (tests/api/examples.rs holds it to the demo).
    pub(crate) fn example() -> Self {
        Self {
            slug: "pingxiang-industry-turns-green".into(),
            title: "老工业城市的绿色转身".into(),
            subtitle: None,
            summary: "煤矿关停之后，萍乡把旧厂房改成了产业园和城市公园。".into(),
            status: ArticleStatus::Published,
            channel_id: 14,
            source: Some(Source {
                name: "萍乡日报".into(),
                url: None,
            }),
            bylines: vec![
                BylineRef {
                    author_id: 1,
                    role: BylineRole::Author,
                },
                BylineRef {
                    author_id: 2,
                    role: BylineRole::Editor,
                },
            ],
            published_at: Some(time::example(-30)),
            cover_image_url: None,
            cover_media_id: None,
            tags: vec!["萍乡".into(), "产业转型".into()],
            comments_enabled: true,
            related_ids: vec![],
            pages: vec![
                "<p>清晨的安源工业遗址公园里，晨练的市民沿着铁轨散步。十年前，这里还是一片运煤的货场。</p><p>市里把关停矿区的土地分成三类：能复垦的种树，能利用的建园区，有历史价值的留作遗址。</p>".into(),
                "<h2>园区里的新工厂</h2><p>新落户的企业以电子元件和环保材料为主，不少工人是从矿上转岗来的。</p><p>一位老矿工说，现在上班不用下井，工资还比原来高一些。</p>".into(),
            ],
        }
    }
}

/// A new article as submitted.
pub struct NewArticle {
    pub title: String,
    pub slug: Option<String>,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub status: Option<ArticleStatus>,
    pub channel_id: i64,
    pub source: Option<Source>,
    pub bylines: Vec<BylineRef>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub cover_image_url: Option<String>,
    pub cover_media_id: Option<i64>,
    pub tags: Vec<String>,
    pub comments_enabled: Option<bool>,
    pub related_ids: Vec<i64>,
    pub pages: Vec<String>,
}

/// Changes to an article; `None` leaves a field, `Some(None)` clears a clearable one.
#[derive(Clone, Default)]
pub struct ArticleUpdate {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub subtitle: Option<Option<String>>,
    pub summary: Option<String>,
    pub status: Option<ArticleStatus>,
    pub channel_id: Option<i64>,
    pub source: Option<Option<Source>>,
    pub bylines: Option<Vec<BylineRef>>,
    pub published_at: Option<Option<DateTime<FixedOffset>>>,
    pub cover_image_url: Option<Option<String>>,
    pub cover_media_id: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
    pub comments_enabled: Option<bool>,
    pub related_ids: Option<Vec<i64>>,
    pub pages: Option<Vec<String>>,
}

/// Sort orders of article lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    NewestPublished,
    OldestPublished,
    RecentlyUpdated,
    /// Best match first, blended with recency (`search::blended`); only with a search.
    Relevance,
}

/// The raw list parameters, parsed here so every mistake is reported together.
#[derive(Default)]
pub struct ListRequest {
    pub channel: Option<String>,
    pub include_descendants: bool,
    pub author: Option<String>,
    pub q: Option<String>,
    pub published_after: Option<String>,
    pub published_before: Option<String>,
    /// `None`: relevance for a search, newest first otherwise.
    pub sort: Option<Sort>,
    pub status: Option<ArticleStatus>,
    /// Matches a search counts at most beyond the page asked for (the configuration's
    /// `search_count_limit`); `None` counts them all.
    pub count_limit: Option<i64>,
}

impl NewArticle {
    /// The content of the new article, before it is checked.
    pub fn into_content(self, status: ArticleStatus, slug: String) -> ArticleContent {
        ArticleContent {
            slug,
            title: self.title,
            subtitle: self.subtitle,
            summary: self.summary.unwrap_or_default(),
            status,
            channel_id: self.channel_id,
            source: self.source,
            bylines: self.bylines,
            published_at: self.published_at.map(|t| t.with_timezone(&Utc)),
            cover_image_url: self.cover_image_url,
            cover_media_id: self.cover_media_id,
            tags: self.tags,
            comments_enabled: self.comments_enabled.unwrap_or(true),
            related_ids: self.related_ids,
            pages: self.pages,
        }
    }
}

impl ArticleUpdate {
    /// Puts every field the request carried into `content`.
    pub fn apply_to(self, content: &mut ArticleContent) {
        replace(&mut content.title, self.title);
        replace(&mut content.slug, self.slug);
        replace(&mut content.subtitle, self.subtitle);
        replace(&mut content.summary, self.summary);
        replace(&mut content.status, self.status);
        replace(&mut content.channel_id, self.channel_id);
        replace(&mut content.source, self.source);
        replace(&mut content.bylines, self.bylines);
        replace(
            &mut content.published_at,
            self.published_at.map(|t| t.map(|t| t.with_timezone(&Utc))),
        );
        replace(&mut content.cover_image_url, self.cover_image_url);
        replace(&mut content.cover_media_id, self.cover_media_id);
        replace(&mut content.tags, self.tags);
        replace(&mut content.comments_enabled, self.comments_enabled);
        replace(&mut content.related_ids, self.related_ids);
        replace(&mut content.pages, self.pages);
    }
}

fn replace<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}
