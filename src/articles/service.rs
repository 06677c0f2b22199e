//! Article rules: validation, the status workflow and who may do what, revisions, and
//! assembling articles for reading in a fixed number of queries.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{self, ArticleRow, BylineRow, ListFilter, NewArticleRow, RevisionRow, Sort};
use super::search::{self, SearchQuery};
use crate::authors::repo as authors;
use crate::channels::repo::{self as channels, ChannelRow};
use crate::channels::service::ChannelTree;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::{IdOrSlug, Slug};
use crate::domain::stored::{StoredEnum, UnknownStoredValue};
use crate::domain::token::random_hex;
use crate::domain::visibility::Visibility;
use crate::domain::{html, text, time};
use crate::error::{ApiError, FieldError};

const MAX_PAGES: usize = 50;
const MAX_PAGE_BYTES: usize = 200 * 1024;
const MAX_TAGS: usize = 20;
const MAX_RELATED: usize = 20;
const MAX_BYLINES: usize = 20;
const RELATED_LIMIT: usize = 10;
const DUPLICATE_SLUG: &str = "another article already has this slug";

/// Where an article stands in the newsroom's workflow.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl StoredEnum for ArticleStatus {
    const COLUMN: &'static str = "articles.status";
}

impl TryFrom<String> for ArticleStatus {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

/// What a byline credits a person with.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum BylineRole {
    Author,
    Editor,
    Photographer,
    Reporter,
    Translator,
    Illustrator,
}

impl StoredEnum for BylineRole {
    const COLUMN: &'static str = "article_bylines.role";
}

impl TryFrom<String> for BylineRole {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

/// Where an article first ran, e.g. a group newspaper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[schema(example = "萍乡日报", min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(example = "https://epaper.example.com/2022-07-20/01")]
    pub url: Option<String>,
}

/// A byline as written: who, in what role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BylineRef {
    #[schema(example = 4)]
    pub author_id: i64,
    pub role: BylineRole,
}

/// The whole editable content of an article: what a write produces, and what each
/// revision keeps of the version before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArticleContent {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub status: ArticleStatus,
    pub channel_id: i64,
    pub source: Option<Source>,
    pub bylines: Vec<BylineRef>,
    pub published_at: Option<DateTime<Utc>>,
    pub cover_image_url: Option<String>,
    pub tags: Vec<String>,
    pub comments_enabled: bool,
    pub related_ids: Vec<i64>,
    /// The body, one HTML string per page.
    pub pages: Vec<String>,
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
    pub tags: Vec<String>,
    pub comments_enabled: Option<bool>,
    pub related_ids: Vec<i64>,
    pub pages: Vec<String>,
}

/// Changes to an article; `None` leaves a field, `Some(None)` clears a clearable one.
#[derive(Default)]
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
    pub tags: Option<Vec<String>>,
    pub comments_enabled: Option<bool>,
    pub related_ids: Option<Vec<i64>>,
    pub pages: Option<Vec<String>>,
}

/// An article ready to render: its row with bylines, tags, curated links and breadcrumbs.
pub struct Article {
    pub row: ArticleRow,
    pub bylines: Vec<BylineRow>,
    pub tags: Vec<String>,
    pub related_ids: Vec<i64>,
    pub breadcrumbs: Vec<ChannelRow>,
}

/// An article with one page of its body.
pub struct ArticlePage {
    pub article: Article,
    pub page: i32,
    pub body_html: String,
}

/// An earlier version of an article.
pub struct Revision {
    pub row: RevisionRow,
    pub content: ArticleContent,
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
    pub sort: Sort,
    pub status: Option<ArticleStatus>,
}

/// Loads bylines, tags, related ids and the channel tree for `rows` in four queries,
/// whatever their number.
fn assemble(conn: &mut AnyConnection, rows: Vec<ArticleRow>) -> Result<Vec<Article>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut bylines: HashMap<i64, Vec<BylineRow>> = HashMap::new();
    for byline in repo::bylines(conn, &ids)? {
        bylines.entry(byline.article_id).or_default().push(byline);
    }
    let mut tags = repo::tags(conn, &ids)?;
    let mut related = repo::related(conn, &ids)?;
    let tree = ChannelTree::load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| Article {
            bylines: bylines.remove(&row.id).unwrap_or_default(),
            tags: tags.remove(&row.id).unwrap_or_default(),
            related_ids: related.remove(&row.id).unwrap_or_default(),
            breadcrumbs: tree
                .breadcrumbs(row.channel_id)
                .into_iter()
                .cloned()
                .collect(),
            row,
        })
        .collect())
}

fn assemble_one(conn: &mut AnyConnection, row: ArticleRow) -> Result<Article, ApiError> {
    assemble(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("assembling an article lost it")))
}

fn parse_time(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDateTime> {
    // A `+` left unencoded in a query string arrives as a space.
    let raw = raw?.trim().replace(' ', "+");
    match DateTime::parse_from_rfc3339(&raw) {
        Ok(t) => Some(t.naive_utc()),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "must be an RFC 3339 time such as 2022-07-20T11:04:16+08:00",
            ));
            None
        }
    }
}

pub fn list(
    conn: &mut AnyConnection,
    viewer: Option<CurrentUser>,
    request: ListRequest,
    page: PageRequest,
) -> Result<Paged<Article>, ApiError> {
    let mut errors = Vec::new();
    let published_after = parse_time(
        "published_after",
        request.published_after.as_deref(),
        &mut errors,
    );
    let published_before = parse_time(
        "published_before",
        request.published_before.as_deref(),
        &mut errors,
    );
    let search = match request
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        Some(q) if q.chars().count() > search::MAX_QUERY_CHARS => {
            errors.push(FieldError::new(
                "q",
                format!("must be at most {} characters", search::MAX_QUERY_CHARS),
            ));
            None
        }
        Some(q) => {
            let parsed = SearchQuery::parse(q);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "q",
                    "must contain a letter, digit or CJK character",
                ));
            }
            parsed
        }
        None => None,
    };
    // An unknown channel or author matches nothing, as a filter on a missing thing should.
    let channel_ids = match request.channel.as_deref() {
        Some(raw) => {
            let tree = ChannelTree::load(conn)?;
            Some(match tree.find(&IdOrSlug::parse(raw)) {
                Some(channel) if request.include_descendants => tree.subtree_ids(channel.id),
                Some(channel) => vec![channel.id],
                None => Vec::new(),
            })
        }
        None => None,
    };
    let author_ids = match request.author.as_deref() {
        Some(raw) => Some(
            authors::find(conn, &IdOrSlug::parse(raw))?
                .map(|a| a.id)
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    ApiError::check(errors)?;
    let search = match search {
        Some(query) => Some(search::prepare(conn, &query)?),
        None => None,
    };
    let filter = ListFilter {
        visibility: Visibility::of(viewer),
        now: time::now(),
        channel_ids,
        author_ids,
        published_after,
        published_before,
        status: request.status,
        search,
        exclude_ids: Vec::new(),
        sort: request.sort,
    };
    let (rows, total) = repo::list(conn, &filter, page)?;
    Ok(Paged::of((assemble(conn, rows)?, total), page))
}

fn find_visible(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    viewer: Option<CurrentUser>,
) -> Result<ArticleRow, ApiError> {
    repo::find(conn, key, Visibility::of(viewer), time::now())?
        .ok_or_else(|| ApiError::not_found("article"))
}

pub fn get(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    viewer: Option<CurrentUser>,
    page: i32,
) -> Result<ArticlePage, ApiError> {
    let row = find_visible(conn, key, viewer)?;
    let body_html = repo::page(conn, row.id, page)?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "page {page} does not exist; this article has {} page(s)",
            row.page_count
        ))
    })?;
    Ok(ArticlePage {
        article: assemble_one(conn, row)?,
        page,
        body_html,
    })
}

/// Curated related articles first (public ones only), then the newest public articles
/// of the same channel, at most ten.
pub fn related(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    viewer: Option<CurrentUser>,
) -> Result<Vec<Article>, ApiError> {
    let article = find_visible(conn, key, viewer)?;
    let now = time::now();
    let curated_ids = repo::related(conn, &[article.id])?
        .remove(&article.id)
        .unwrap_or_default();
    let found = repo::find_many(conn, &curated_ids, Visibility::Public, now)?;
    let mut curated: Vec<ArticleRow> = curated_ids
        .iter()
        .filter_map(|id| found.iter().find(|row| row.id == *id).cloned())
        .take(RELATED_LIMIT)
        .collect();
    let room = RELATED_LIMIT - curated.len();
    if room > 0 {
        let mut exclude_ids: Vec<i64> = curated.iter().map(|r| r.id).collect();
        exclude_ids.push(article.id);
        let filter = ListFilter {
            visibility: Visibility::Public,
            now,
            channel_ids: Some(vec![article.channel_id]),
            author_ids: None,
            published_after: None,
            published_before: None,
            status: None,
            search: None,
            exclude_ids,
            sort: Sort::NewestPublished,
        };
        let page = PageRequest {
            page: 1,
            per_page: room as i64,
        };
        curated.extend(repo::list(conn, &filter, page)?.0);
    }
    assemble(conn, curated)
}

/// What a validated write stores.
struct Checked {
    row: NewArticleRow,
    content: ArticleContent,
    bylines: Vec<(i64, String)>,
    search_doc: String,
}

/// Validates and normalises a whole article, collecting every field error.
fn check(
    conn: &mut AnyConnection,
    mut content: ArticleContent,
    self_id: Option<i64>,
) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    content.title = text::required("title", &content.title, 200, &mut errors);
    content.slug = Slug::field(&content.slug, &mut errors);
    content.subtitle = text::optional("subtitle", content.subtitle.as_deref(), 200, &mut errors);
    content.summary =
        text::optional("summary", Some(&content.summary), 1000, &mut errors).unwrap_or_default();
    content.cover_image_url = text::optional_url(
        "cover_image_url",
        content.cover_image_url.as_deref(),
        &mut errors,
    );
    content.source = content.source.map(|source| {
        let name = text::required("source.name", &source.name, 100, &mut errors);
        let url = text::optional_url("source.url", source.url.as_deref(), &mut errors);
        Source { name, url }
    });

    if content.pages.is_empty() {
        errors.push(FieldError::new("pages", "must hold at least one page"));
    } else if content.pages.len() > MAX_PAGES {
        errors.push(FieldError::new(
            "pages",
            format!("must hold at most {MAX_PAGES} pages"),
        ));
    }
    for (i, page) in content.pages.iter_mut().enumerate() {
        if page.len() > MAX_PAGE_BYTES {
            errors.push(FieldError::new(
                format!("pages.{i}"),
                format!("must be at most {MAX_PAGE_BYTES} bytes"),
            ));
            continue;
        }
        *page = html::sanitize(page);
        if html::text_of(page).trim().is_empty() && !page.contains("<img") {
            errors.push(FieldError::new(format!("pages.{i}"), "must not be empty"));
        }
    }

    let mut seen = HashSet::new();
    let mut tags = Vec::new();
    for (i, tag) in content.tags.iter().enumerate() {
        let tag = text::required(&format!("tags.{i}"), tag, 50, &mut errors);
        if seen.insert(tag.clone()) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        errors.push(FieldError::new(
            "tags",
            format!("must hold at most {MAX_TAGS} tags"),
        ));
    }
    content.tags = tags;

    if content.bylines.len() > MAX_BYLINES {
        errors.push(FieldError::new(
            "bylines",
            format!("must hold at most {MAX_BYLINES} bylines"),
        ));
    }
    let author_ids: Vec<i64> = content.bylines.iter().map(|b| b.author_id).collect();
    let known_authors = authors::existing_ids(conn, &author_ids)?;
    for (i, byline) in content.bylines.iter().enumerate() {
        if !known_authors.contains(&byline.author_id) {
            errors.push(FieldError::new(
                format!("bylines.{i}.author_id"),
                "no author has this id",
            ));
        }
    }

    let mut related = Vec::new();
    for id in &content.related_ids {
        if !related.contains(id) {
            related.push(*id);
        }
    }
    if related.len() > MAX_RELATED {
        errors.push(FieldError::new(
            "related_ids",
            format!("must hold at most {MAX_RELATED} ids"),
        ));
    }
    if self_id.is_some_and(|me| related.contains(&me)) {
        errors.push(FieldError::new(
            "related_ids",
            "an article cannot be related to itself",
        ));
    }
    let known_articles = repo::existing_ids(conn, &related)?;
    if let Some(missing) = related.iter().find(|id| !known_articles.contains(id)) {
        errors.push(FieldError::new(
            "related_ids",
            format!("no article has id {missing}"),
        ));
    }
    content.related_ids = related;

    if !channels::exists(conn, content.channel_id)? {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    match content.status {
        ArticleStatus::Scheduled if content.published_at.is_none() => {
            errors.push(FieldError::new(
                "published_at",
                "is required when status is scheduled",
            ));
        }
        ArticleStatus::Published if content.published_at.is_none() => {
            content.published_at = Some(time::to_utc(time::now()));
        }
        _ => {}
    }
    ApiError::check(errors)?;

    let text_pages: Vec<String> = content.pages.iter().map(|p| html::text_of(p)).collect();
    let mut parts: Vec<&str> = vec![
        &content.title,
        content.subtitle.as_deref().unwrap_or(""),
        &content.summary,
    ];
    parts.extend(text_pages.iter().map(String::as_str));
    let search_doc = search::document(&parts);

    let row = NewArticleRow {
        slug: content.slug.clone(),
        title: content.title.clone(),
        subtitle: content.subtitle.clone(),
        summary: content.summary.clone(),
        status: content.status.as_str(),
        channel_id: content.channel_id,
        source_name: content.source.as_ref().map(|s| s.name.clone()),
        source_url: content.source.as_ref().and_then(|s| s.url.clone()),
        published_at: content.published_at.map(|t| t.naive_utc()),
        cover_image_url: content.cover_image_url.clone(),
        comments_enabled: content.comments_enabled,
        page_count: content.pages.len() as i32,
    };
    let bylines = content
        .bylines
        .iter()
        .map(|b| (b.author_id, b.role.as_str().to_owned()))
        .collect();
    Ok(Checked {
        row,
        content,
        bylines,
        search_doc,
    })
}

/// Publishing, scheduling and archiving need an editor; reporters keep to their own drafts.
fn authorize(
    actor: CurrentUser,
    current: Option<&ArticleRow>,
    status: ArticleStatus,
) -> Result<(), ApiError> {
    if actor.is(Role::Editor) {
        return Ok(());
    }
    if let Some(row) = current {
        if row.created_by != Some(actor.id) || row.status != ArticleStatus::Draft {
            return Err(ApiError::Forbidden(
                "reporters may change only their own drafts".into(),
            ));
        }
    }
    if status != ArticleStatus::Draft {
        return Err(ApiError::Forbidden(
            "publishing, scheduling and archiving need the editor role".into(),
        ));
    }
    Ok(())
}

fn generated_slug() -> String {
    format!("{}-{}", Utc::now().format("%Y%m%d"), random_hex(3))
}

fn store(conn: &mut AnyConnection, id: i64, checked: &Checked) -> Result<(), ApiError> {
    repo::replace_children(
        conn,
        id,
        &checked.content.pages,
        &checked.bylines,
        &checked.content.tags,
        &checked.content.related_ids,
    )?;
    search::index(conn, id, &checked.search_doc)?;
    Ok(())
}

pub fn create(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    new: NewArticle,
) -> Result<ArticlePage, ApiError> {
    let status = new.status.unwrap_or(ArticleStatus::Draft);
    authorize(actor, None, status)?;
    let content = ArticleContent {
        slug: new.slug.unwrap_or_else(generated_slug),
        title: new.title,
        subtitle: new.subtitle,
        summary: new.summary.unwrap_or_default(),
        status,
        channel_id: new.channel_id,
        source: new.source,
        bylines: new.bylines,
        published_at: new.published_at.map(|t| t.with_timezone(&Utc)),
        cover_image_url: new.cover_image_url,
        tags: new.tags,
        comments_enabled: new.comments_enabled.unwrap_or(true),
        related_ids: new.related_ids,
        pages: new.pages,
    };
    write_transaction(conn, |conn| {
        let checked = check(conn, content, None)?;
        let row = repo::insert(conn, &checked.row, actor.id, time::now())
            .map_err(ApiError::unique_as(DUPLICATE_SLUG))?;
        store(conn, row.id, &checked)?;
        let body_html = checked.content.pages.first().cloned().unwrap_or_default();
        Ok(ArticlePage {
            article: assemble_one(conn, row)?,
            page: 1,
            body_html,
        })
    })
}

/// The stored content of `row`, as a revision keeps it.
fn content_of(conn: &mut AnyConnection, row: &ArticleRow) -> Result<ArticleContent, ApiError> {
    let ids = [row.id];
    let bylines = repo::bylines(conn, &ids)?;
    let mut tags = repo::tags(conn, &ids)?;
    let mut related = repo::related(conn, &ids)?;
    Ok(ArticleContent {
        slug: row.slug.clone(),
        title: row.title.clone(),
        subtitle: row.subtitle.clone(),
        summary: row.summary.clone(),
        status: row.status,
        channel_id: row.channel_id,
        source: row.source_name.clone().map(|name| Source {
            name,
            url: row.source_url.clone(),
        }),
        bylines: bylines
            .iter()
            .map(|b| BylineRef {
                author_id: b.author_id,
                role: b.role,
            })
            .collect(),
        published_at: row.published_at.map(time::to_utc),
        cover_image_url: row.cover_image_url.clone(),
        tags: tags.remove(&row.id).unwrap_or_default(),
        comments_enabled: row.comments_enabled,
        related_ids: related.remove(&row.id).unwrap_or_default(),
        pages: repo::pages(conn, row.id)?,
    })
}

/// Puts `value` into `field` when the request carried one.
fn replace<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

pub fn update(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    key: &IdOrSlug,
    precondition: &IfMatch,
    update: ArticleUpdate,
) -> Result<ArticlePage, ApiError> {
    write_transaction(conn, |conn| {
        let current = find_visible(conn, key, Some(actor))?;
        let before = content_of(conn, &current)?;
        let mut after = before.clone();
        replace(&mut after.title, update.title);
        replace(&mut after.slug, update.slug);
        replace(&mut after.subtitle, update.subtitle);
        replace(&mut after.summary, update.summary);
        replace(&mut after.status, update.status);
        replace(&mut after.channel_id, update.channel_id);
        replace(&mut after.source, update.source);
        replace(&mut after.bylines, update.bylines);
        replace(
            &mut after.published_at,
            update
                .published_at
                .map(|t| t.map(|t| t.with_timezone(&Utc))),
        );
        replace(&mut after.cover_image_url, update.cover_image_url);
        replace(&mut after.tags, update.tags);
        replace(&mut after.comments_enabled, update.comments_enabled);
        replace(&mut after.related_ids, update.related_ids);
        replace(&mut after.pages, update.pages);
        authorize(actor, Some(&current), after.status)?;
        let checked = check(conn, after, Some(current.id))?;
        precondition.check(current.version)?;

        let snapshot = serde_json::to_string(&before).map_err(ApiError::internal)?;
        repo::insert_revision(
            conn,
            current.id,
            current.version,
            current.updated_by,
            current.updated_at,
            &snapshot,
        )?;
        let row = repo::update(conn, current.id, &checked.row, actor.id, time::now())
            .map_err(ApiError::unique_as(DUPLICATE_SLUG))?;
        store(conn, row.id, &checked)?;
        let body_html = checked.content.pages.first().cloned().unwrap_or_default();
        Ok(ArticlePage {
            article: assemble_one(conn, row)?,
            page: 1,
            body_html,
        })
    })
}

pub fn delete(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    key: &IdOrSlug,
    precondition: &IfMatch,
) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        let current = find_visible(conn, key, Some(actor))?;
        precondition.check(current.version)?;
        authorize(actor, Some(&current), ArticleStatus::Draft)?;
        repo::delete(conn, current.id)?;
        search::remove(conn, current.id)?;
        Ok(())
    })
}

pub fn revisions(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    key: &IdOrSlug,
    page: PageRequest,
) -> Result<Paged<Revision>, ApiError> {
    let article = find_visible(conn, key, Some(actor))?;
    let (rows, total) = repo::revisions(conn, article.id, page)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let content = serde_json::from_str(&row.content).map_err(ApiError::internal)?;
            Ok(Revision { row, content })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Paged::of((items, total), page))
}
