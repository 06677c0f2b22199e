//! Checking what a write or a list request submits: every mistake is collected into one
//! 422, and what passes comes out normalised (sanitised pages, trimmed text, search text).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime};

use super::content::{ArticleContent, ListRequest, Sort, Source};
use super::repo::{self, ListFilter, NewArticleRow};
use super::search::{self, SearchQuery};
use crate::authors::repo as authors;
use crate::channels::service::ChannelTree;
use crate::db::AnyConnection;
use crate::domain::enums::ArticleStatus;
use crate::domain::role::CurrentUser;
use crate::domain::slug::{IdOrSlug, Slug};
use crate::domain::stored::StoredEnum;
use crate::domain::visibility::Visibility;
use crate::domain::{html, text, time};
use crate::error::{ApiError, FieldError};
use crate::media::repo as media;

const MAX_PAGES: usize = 50;
const MAX_PAGE_BYTES: usize = 200 * 1024;
const MAX_TAGS: usize = 20;
const MAX_RELATED: usize = 20;
const MAX_BYLINES: usize = 20;
/// What a validated write stores.
pub(super) struct Checked {
    pub row: NewArticleRow,
    pub content: ArticleContent,
    pub bylines: Vec<(i64, String)>,
    pub search_doc: search::Document,
}

/// An article checked as far as that needs no database: text rules, sanitised pages,
/// normalised lists and the search text. This is the CPU work of a write, done before
/// its turn in the write queue so that the one writer runs little but SQL; [`check`]
/// finishes the job inside the transaction.
pub(super) struct Prepared {
    checked: Checked,
    /// The mistakes found so far; reported with the database's, all in one 422.
    errors: Vec<FieldError>,
}

/// Validates and normalises everything about an article that needs no database.
pub(super) fn prepare(mut content: ArticleContent) -> Prepared {
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
    content.related_ids = related;

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

    // A write with mistakes stores nothing: no search text for it.
    let search_doc = if errors.is_empty() {
        search::document_of(
            &content.title,
            content.subtitle.as_deref(),
            &content.summary,
            &content.pages,
        )
    } else {
        search::Document::default()
    };

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
        cover_media_id: content.cover_media_id,
        comments_enabled: content.comments_enabled,
        page_count: content.pages.len() as i32,
    };
    let bylines = content
        .bylines
        .iter()
        .map(|b| (b.author_id, b.role.as_str().to_owned()))
        .collect();
    Prepared {
        checked: Checked {
            row,
            content,
            bylines,
            search_doc,
        },
        errors,
    }
}

/// Finishes checking a prepared article against the database, inside the write's
/// transaction: the authors, related articles and channel it names exist (`channels`
/// is the live channel tree), and it is not related to itself (`self_id`). Every
/// mistake, the prepared ones too, comes back in one 422.
pub(super) fn check<'a>(
    conn: &mut AnyConnection,
    prepared: &'a Prepared,
    self_id: Option<i64>,
    channels: &ChannelTree,
) -> Result<&'a Checked, ApiError> {
    let content = &prepared.checked.content;
    let mut errors = prepared.errors.clone();
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

    let related = &content.related_ids;
    if self_id.is_some_and(|me| related.contains(&me)) {
        errors.push(FieldError::new(
            "related_ids",
            "an article cannot be related to itself",
        ));
    }
    let known_articles = repo::existing_ids(conn, related)?;
    if let Some(missing) = related.iter().find(|id| !known_articles.contains(id)) {
        errors.push(FieldError::new(
            "related_ids",
            format!("no article has id {missing}"),
        ));
    }

    if channels.get(content.channel_id).is_none() {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    if let Some(cover) = content.cover_media_id {
        if media::find_many(conn, &[cover])?.is_empty() {
            errors.push(FieldError::new(
                "cover_media_id",
                "no library image has this id",
            ));
        }
    }
    ApiError::check(errors)?;
    Ok(&prepared.checked)
}

/// Turns the raw list parameters into a filter; an unknown channel or author matches
/// nothing, as a filter on a missing thing should.
pub(super) fn list_filter(
    conn: &mut AnyConnection,
    viewer: Option<CurrentUser>,
    request: ListRequest,
) -> Result<ListFilter, ApiError> {
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
        // A query with nothing to look for (only punctuation, say) finds nothing.
        Some(q) => match SearchQuery::parse(q) {
            Ok(query) => Some(query),
            Err(message) => {
                errors.push(FieldError::new("q", message));
                None
            }
        },
        None => None,
    };
    let mut channel_ids = match request.channel.as_deref() {
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
    let visibility = Visibility::of(viewer);
    let now = time::now();
    if matches!(search, Some(None)) {
        channel_ids = Some(Vec::new()); // in no channel: nothing matches
    }
    // Relevance is the default order of a search, and means nothing without one.
    let sort = match (request.sort, &search) {
        (Some(Sort::Relevance) | None, Some(Some(_))) => Sort::Relevance,
        (Some(Sort::Relevance) | None, _) => Sort::NewestPublished,
        (Some(sort), _) => sort,
    };
    let mut filter = ListFilter {
        visibility,
        now,
        channel_ids,
        author_ids,
        published_after,
        published_before,
        status: request.status,
        search: None,
        exclude_ids: Vec::new(),
        sort,
        count_limit: request.count_limit,
    };
    if let Some(query) = search.flatten() {
        let in_index = repo::read_in_index_order(&filter);
        filter.search = Some(search::prepare(
            conn,
            query,
            || repo::visible(visibility, now),
            in_index,
        )?);
    }
    Ok(filter)
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
