//! Wire shapes of articles.

use crate::media::dto::ImageOut;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::content::{
    ArticleContent, ArticleUpdate, BylineRef, ListRequest, NewArticle, Sort, Source,
};
use super::revision::Revision;
use super::service::{Article, ArticlePage, Preview};
use crate::cache::titles::Title;
use crate::channels::dto::ChannelRef;
use crate::domain::enums::{ArticleStatus, BylineRole};
use crate::domain::site::Site;
use crate::domain::time::{self, to_utc};
use crate::http::input::{nullable, present};
use crate::users::dto::UserOut;

/// A credited person, in byline order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = BylineOut::example)]
pub struct BylineOut {
    pub author_id: i64,
    pub name: String,
    pub role: BylineRole,
}

/// An article without its body: what lists return.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ArticleSummaryOut::example)]
pub struct ArticleSummaryOut {
    #[schema(read_only)]
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[schema(required)]
    pub subtitle: Option<String>,
    pub summary: String,
    pub status: ArticleStatus,
    pub channel_id: i64,
    /// The article's channel and its ancestors, root first.
    #[schema(read_only)]
    pub breadcrumbs: Vec<ChannelRef>,
    #[schema(required)]
    pub source: Option<Source>,
    pub bylines: Vec<BylineOut>,
    /// When the article became (or becomes) public.
    #[schema(required)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    /// Increments on every change; the ETag carries it.
    #[schema(read_only)]
    pub version: i64,
    /// A cover image elsewhere, by URL (kept for covers not in the library).
    #[schema(required)]
    pub cover_image_url: Option<String>,
    /// The cover from the media library.
    #[schema(required)]
    pub cover_media_id: Option<i64>,
    /// The library cover with its variants (`srcset`-ready), when `cover_media_id` is set.
    #[schema(required)]
    pub cover: Option<ImageOut>,
    pub tags: Vec<String>,
    pub comments_enabled: bool,
    /// Approved comments only.
    #[schema(read_only)]
    pub comment_count: i64,
    /// Related articles chosen by editors, in order.
    pub related_ids: Vec<i64>,
    /// Number of body pages.
    #[schema(read_only)]
    pub page_count: i32,
    /// The article's page on the public site (`NEWSDESK_ARTICLE_URL_TEMPLATE`); absent
    /// when `NEWSDESK_SITE_URL` is not set or the article has no publication time yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub url: Option<String>,
    /// Only on the results of a search (`q`), absent otherwise: the passage of the
    /// subtitle, summary or body that best matches, about 80 characters, as HTML safe
    /// to insert (everything escaped), with each match in `<mark>` and `…` where the
    /// text goes on; the summary's start when only the title matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        read_only,
        nullable = false,
        example = "…今年<mark>萍乡</mark>把关停的矿区改成了产业园…"
    )]
    pub highlight: Option<String>,
}

impl ArticleSummaryOut {
    /// With its canonical `url`, and its breadcrumbs', where the site is configured.
    pub fn located(mut self, site: Option<&Site>) -> Self {
        let Some(site) = site else { return self };
        ChannelRef::locate_trail(&mut self.breadcrumbs, Some(site));
        let path: Vec<&str> = self.breadcrumbs.iter().map(|c| c.slug.as_str()).collect();
        self.url = self
            .published_at
            .map(|at| site.article_url(self.id, &self.slug, at, &path));
        self
    }
}

impl ArticleOut {
    pub fn located(mut self, site: Option<&Site>) -> Self {
        self.article = self.article.located(site);
        self
    }
}

impl From<Article> for ArticleSummaryOut {
    fn from(article: Article) -> Self {
        let row = article.row;
        Self {
            id: row.id,
            slug: row.slug,
            title: row.title,
            subtitle: row.subtitle,
            summary: row.summary,
            status: row.status,
            channel_id: row.channel_id,
            breadcrumbs: article
                .breadcrumbs
                .into_iter()
                .map(ChannelRef::from)
                .collect(),
            source: row.source_name.map(|name| Source {
                name,
                url: row.source_url,
            }),
            bylines: article
                .bylines
                .into_iter()
                .map(|b| BylineOut {
                    author_id: b.author_id,
                    name: b.name,
                    role: b.role,
                })
                .collect(),
            published_at: row.published_at.map(to_utc),
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
            cover_image_url: row.cover_image_url,
            cover_media_id: row.cover_media_id,
            cover: article.cover.map(ImageOut::from),
            tags: article.tags,
            comments_enabled: row.comments_enabled,
            comment_count: row.comment_count,
            related_ids: article.related_ids,
            page_count: row.page_count,
            url: None,
            highlight: article.highlight,
        }
    }
}

/// An article with one page of its body.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ArticleOut::example)]
pub struct ArticleOut {
    #[serde(flatten)]
    pub article: ArticleSummaryOut,
    /// The page number returned, from 1.
    #[schema(read_only)]
    pub page: i32,
    /// That page's sanitised HTML.
    #[schema(read_only)]
    pub body_html: String,
}

impl From<ArticlePage> for ArticleOut {
    fn from(page: ArticlePage) -> Self {
        Self {
            article: page.article.into(),
            page: page.page,
            body_html: page.body_html,
        }
    }
}

/// A new article. It starts as a `draft` unless an editor sets another `status`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "萍乡图书馆周末延时开放",
    "slug": "pingxiang-library-weekend-hours",
    "summary": "市图书馆从本月起周六、周日开放到晚上九点。",
    "channel_id": 14,
    "source": {"name": "萍乡日报"},
    "bylines": [{"author_id": 1, "role": "author"}, {"author_id": 3, "role": "photographer"}],
    "tags": ["萍乡", "文化"],
    "pages": [
        "<p>不少读者说白天上班没空借书，图书馆决定周末延时开放，先试行三个月。</p>",
        "<p>延时期间开放阅览室和自助借还机，少儿阅读区仍在下午六点关闭。</p>"
    ]
}))]
pub struct CreateArticle {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Generated from the date when omitted.
    #[schema(pattern = "^(?![0-9]+$)[a-z0-9]+(-[a-z0-9]+)*$", max_length = 100)]
    pub slug: Option<String>,
    #[schema(max_length = 200)]
    pub subtitle: Option<String>,
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    /// Only editors may set anything but `draft`.
    pub status: Option<ArticleStatus>,
    pub channel_id: i64,
    pub source: Option<Source>,
    #[serde(default)]
    pub bylines: Vec<BylineRef>,
    /// RFC 3339 with offset; required for `scheduled`, defaults to now for `published`.
    pub published_at: Option<DateTime<FixedOffset>>,
    pub cover_image_url: Option<String>,
    /// A library image (`/api/v1/media`) as the cover.
    pub cover_media_id: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Defaults to true.
    pub comments_enabled: Option<bool>,
    #[serde(default)]
    pub related_ids: Vec<i64>,
    /// The body, one HTML string per page; sanitised on the way in.
    #[schema(write_only, min_items = 1, max_items = 50)]
    pub pages: Vec<String>,
}

impl CreateArticle {
    /// The size of the submitted body, all pages together.
    pub fn body_bytes(&self) -> usize {
        self.pages.iter().map(String::len).sum()
    }
}

impl From<CreateArticle> for NewArticle {
    fn from(dto: CreateArticle) -> Self {
        Self {
            title: dto.title,
            slug: dto.slug,
            subtitle: dto.subtitle,
            summary: dto.summary,
            status: dto.status,
            channel_id: dto.channel_id,
            source: dto.source,
            bylines: dto.bylines,
            published_at: dto.published_at,
            cover_image_url: dto.cover_image_url,
            cover_media_id: dto.cover_media_id,
            tags: dto.tags,
            comments_enabled: dto.comments_enabled,
            related_ids: dto.related_ids,
            pages: dto.pages,
        }
    }
}

/// Changes to an article; absent fields stay, `null` clears a clearable one. Lists
/// (`bylines`, `tags`, `related_ids`, `pages`) are replaced whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "summary": "萍乡把关停的矿区改成了产业园和城市公园，不少老矿工在园区找到了新工作。",
    "tags": ["萍乡", "产业转型", "城市公园"]
}))]
pub struct UpdateArticle {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(
        nullable = false,
        pattern = "^(?![0-9]+$)[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 100
    )]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub subtitle: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub status: Option<ArticleStatus>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub channel_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub source: Option<Option<Source>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub bylines: Option<Vec<BylineRef>>,
    #[serde(default, deserialize_with = "nullable")]
    pub published_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub cover_image_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub cover_media_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub comments_enabled: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub related_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, write_only, min_items = 1, max_items = 50)]
    pub pages: Option<Vec<String>>,
}

impl From<UpdateArticle> for ArticleUpdate {
    fn from(dto: UpdateArticle) -> Self {
        Self {
            title: dto.title,
            slug: dto.slug,
            subtitle: dto.subtitle,
            summary: dto.summary,
            status: dto.status,
            channel_id: dto.channel_id,
            source: dto.source,
            bylines: dto.bylines,
            published_at: dto.published_at,
            cover_image_url: dto.cover_image_url,
            cover_media_id: dto.cover_media_id,
            tags: dto.tags,
            comments_enabled: dto.comments_enabled,
            related_ids: dto.related_ids,
            pages: dto.pages,
        }
    }
}

/// Orders of the article list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum ArticleSort {
    #[serde(rename = "-published_at")]
    NewestPublished,
    #[serde(rename = "published_at")]
    OldestPublished,
    #[serde(rename = "-updated_at")]
    RecentlyUpdated,
    /// Best match first, blended with recency; the default with `q`, newest first
    /// without it.
    #[serde(rename = "relevance")]
    Relevance,
}

/// Filters of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// A channel id or slug.
    pub channel: Option<String>,
    /// With `channel`: include its sub-channels' articles too.
    #[param(default = false)]
    pub include_descendants: Option<bool>,
    /// An author id or slug: articles with a byline by them.
    pub author: Option<String>,
    /// Full-text search in title, subtitle, summary and body, Chinese included.
    /// Whitespace-separated terms must all match; `"quoted words"` match as a phrase;
    /// `-term` excludes articles holding it. Chinese terms match as written (萍乡 does not
    /// find 乡萍); a single character finds words starting with it. Full-width and
    /// half-width forms (Ｇ６０, G60) and traditional and simplified characters (萍鄉,
    /// 萍乡) are the same. At most 10 terms, exclusions included, and not only
    /// exclusions (else 422); a query with no letter, digit or CJK character finds
    /// nothing. Each result then carries a `highlight`, and the default order is
    /// `relevance`.
    #[param(max_length = 200, example = "萍乡 交通")]
    pub q: Option<String>,
    /// RFC 3339; only articles published at or after it.
    #[param(value_type = Option<String>, format = DateTime, example = "2022-07-01T00:00:00+08:00")]
    pub published_after: Option<String>,
    /// RFC 3339; only articles published before it.
    #[param(value_type = Option<String>, format = DateTime)]
    pub published_before: Option<String>,
    /// Default `relevance` with `q`, else `-published_at` (newest first). `relevance`
    /// ranks each match by where its terms are (3 for a term in the title, else 2 in the
    /// subtitle or summary, else 1, summed over the terms) times `30 / (30 + age in
    /// days)`, so a month-old story counts half. It ranks the 50 newest matches and the
    /// 50 newest others with a term in their title, subtitle or summary; the other
    /// matches follow them, newest first. Without `q` it is `-published_at`.
    pub sort: Option<ArticleSort>,
    /// Narrows to one status. Anonymous readers only ever see public articles, whatever this says.
    pub status: Option<ArticleStatus>,
}

impl From<ArticleListQuery> for ListRequest {
    fn from(query: ArticleListQuery) -> Self {
        Self {
            channel: query.channel,
            include_descendants: query.include_descendants.unwrap_or(false),
            author: query.author,
            q: query.q,
            published_after: query.published_after,
            published_before: query.published_before,
            sort: query.sort.map(|sort| match sort {
                ArticleSort::NewestPublished => Sort::NewestPublished,
                ArticleSort::OldestPublished => Sort::OldestPublished,
                ArticleSort::RecentlyUpdated => Sort::RecentlyUpdated,
                ArticleSort::Relevance => Sort::Relevance,
            }),
            status: query.status,
            count_limit: None,
        }
    }
}

/// What a reader has typed so far.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The beginning of a title or of any part of it, 1 to 20 characters besides
    /// surrounding spaces (else 422); full-width and half-width forms, traditional and
    /// simplified characters and letter case do not matter.
    #[param(min_length = 1, max_length = 20, pattern = r"\S", example = "萍乡")]
    pub q: String,
}

/// A public article whose title holds the typed text.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = SuggestionOut::example)]
pub struct SuggestionOut {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
}

impl From<Title> for SuggestionOut {
    fn from(title: Title) -> Self {
        Self {
            id: title.id,
            slug: title.slug,
            title: title.title,
            published_at: to_utc(title.published_at),
        }
    }
}

impl SuggestionOut {
    /// The demo's first story.
    fn example() -> Self {
        let content = ArticleContent::example();
        Self {
            id: 1,
            slug: content.slug,
            title: content.title,
            published_at: content.published_at.unwrap_or_else(|| time::example(0)),
        }
    }
}

/// Which body page to return, and the preview token that may show an unpublished article.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticlePageQuery {
    /// The body page, from 1.
    #[param(minimum = 1, default = 1)]
    pub page: Option<i32>,
    /// A token from `POST /articles/{id_or_slug}/preview`: shows that article, draft or
    /// scheduled, to anyone holding it, until it expires or the article's status changes
    /// (then 404, as for any article the caller may not see). The answer is
    /// `Cache-Control: private, no-store` and `X-Robots-Tag: noindex`, and is never kept by
    /// Newsdesk's memory or a CDN. With a token, the token alone decides what is shown.
    #[param(example = preview_token_example)]
    pub preview: Option<String>,
}

/// A preview link for an unpublished article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = PreviewOut::example)]
pub struct PreviewOut {
    /// Send as `?preview=` on `GET /articles/{id_or_slug}`; anyone holding it can read
    /// the article, so share it as you would the draft itself.
    pub token: String,
    /// When the link stops working: `NEWSDESK_PREVIEW_TTL_SECS` after it was made,
    /// rounded up to a whole second. It stops sooner if the article's status changes.
    pub expires_at: DateTime<Utc>,
    /// The article's address with the token, ready to request (add `&page=N` for other
    /// pages).
    pub path: String,
}

impl From<Preview> for PreviewOut {
    fn from(preview: Preview) -> Self {
        Self {
            path: format!(
                "/api/v1/articles/{}?preview={}",
                preview.article_id, preview.token
            ),
            token: preview.token,
            expires_at: preview.expires_at,
        }
    }
}

/// Who saved a version.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = EditorRef::example)]
pub struct EditorRef {
    pub id: i64,
    pub display_name: String,
}

/// An earlier version of an article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = RevisionOut::example)]
pub struct RevisionOut {
    /// The article's version number then.
    pub version: i64,
    /// Who saved that version (`null` once their account is deleted, or when an API
    /// token saved it: a token is not an account).
    #[schema(required)]
    pub edited_by: Option<EditorRef>,
    /// When it was saved.
    pub edited_at: DateTime<Utc>,
    /// The content as it was.
    pub content: ArticleContent,
}

impl From<Revision> for RevisionOut {
    fn from(revision: Revision) -> Self {
        let row = revision.row;
        Self {
            version: row.version,
            edited_by: row
                .edited_by
                .zip(row.editor_name)
                .map(|(id, display_name)| EditorRef { id, display_name }),
            edited_at: to_utc(row.edited_at),
            content: revision.content,
        }
    }
}

// The document's examples: the demo's first story as `seed-demo` files it, built from
// `ArticleContent::example` (tests/api/examples.rs holds them to the demo).

impl BylineOut {
    fn example() -> Self {
        Self::demo(1, "周晓明", BylineRole::Author)
    }

    fn demo(author_id: i64, name: &str, role: BylineRole) -> Self {
        Self {
            author_id,
            name: name.into(),
            role,
        }
    }
}

impl ArticleSummaryOut {
    fn example() -> Self {
        let content = ArticleContent::example();
        Self {
            id: 1,
            slug: content.slug,
            title: content.title,
            subtitle: content.subtitle,
            summary: content.summary,
            status: content.status,
            channel_id: content.channel_id,
            breadcrumbs: ChannelRef::example_trail(),
            source: content.source,
            bylines: vec![
                BylineOut::example(),
                BylineOut::demo(2, "刘芳", BylineRole::Editor),
            ],
            published_at: content.published_at,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
            cover_image_url: content.cover_image_url,
            cover_media_id: content.cover_media_id,
            cover: None,
            tags: content.tags,
            comments_enabled: content.comments_enabled,
            comment_count: 3,
            related_ids: content.related_ids,
            page_count: content.pages.len() as i32,
            url: None,
            highlight: None,
        }
        .located_example()
    }

    /// The example's URL as the demo's site shows it (its date comes from the clock in
    /// the demo; tests/api/examples.rs compares URLs without it).
    fn located_example(mut self) -> Self {
        let path: Vec<&str> = self.breadcrumbs.iter().map(|c| c.slug.as_str()).collect();
        let date = self
            .published_at
            .map(|at| at.format("%Y/%m%d").to_string())
            .unwrap_or_default();
        self.url = Some(format!(
            "{}/{}/{date}/{}.html",
            crate::channels::dto::EXAMPLE_SITE,
            path.join("/"),
            self.slug
        ));
        self
    }
}

impl ArticleOut {
    fn example() -> Self {
        Self {
            article: ArticleSummaryOut::example(),
            page: 1,
            body_html: ArticleContent::example().pages.swap_remove(0),
        }
    }
}

impl EditorRef {
    fn example() -> Self {
        let editor = UserOut::example();
        Self {
            id: editor.id,
            display_name: editor.display_name,
        }
    }
}

/// A preview token for the demo's draft (article 6), made at the example time and
/// working for a day.
fn preview_token_example() -> &'static str {
    "1772501400.Zk3q8Xw1bT0rV5nH2cJ9sL6yD4aP7eG0uM1oR8iK3wQ"
}

impl PreviewOut {
    /// The link to the demo's draft (`night-market-draft`, article 6).
    fn example() -> Self {
        Self::from(Preview {
            article_id: 6,
            token: preview_token_example().into(),
            expires_at: time::example(24),
        })
    }
}

impl RevisionOut {
    /// Version 1 of the story, as its first change keeps it: saved by the demo editor.
    fn example() -> Self {
        Self {
            version: 1,
            edited_by: Some(EditorRef::example()),
            edited_at: time::example(0),
            content: ArticleContent::example(),
        }
    }
}
