//! Article workflow and reads: who may do what to which article, each write with its
//! revision, and assembling articles for reading in a fixed number of queries.

use std::collections::HashMap;

use chrono::Utc;

use super::content::{
    ArticleContent, ArticleUpdate, BylineRef, ListRequest, NewArticle, Sort, Source,
};
use super::repo::{self, ArticleRow, BylineRow, ListFilter};
use super::revision::{self, Revision};
use super::search;
use super::validate::{self, Checked};
use crate::channels::repo::ChannelRow;
use crate::channels::service::ChannelTree;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::enums::ArticleStatus;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::IdOrSlug;
use crate::domain::time;
use crate::domain::token::random_hex;
use crate::domain::visibility::Visibility;
use crate::error::ApiError;

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

const RELATED_LIMIT: usize = 10;
const DUPLICATE_SLUG: &str = "another article already has this slug";
/// Loads bylines, tags, related ids and the channel tree for `rows` in four queries,
/// whatever their number. Related ids name only articles `visibility` may see.
fn assemble(
    conn: &mut AnyConnection,
    rows: Vec<ArticleRow>,
    visibility: Visibility,
) -> Result<Vec<Article>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut bylines: HashMap<i64, Vec<BylineRow>> = HashMap::new();
    for byline in repo::bylines(conn, &ids)? {
        bylines.entry(byline.article_id).or_default().push(byline);
    }
    let mut tags = repo::tags(conn, &ids)?;
    let mut related = repo::related(conn, &ids, visibility, time::now())?;
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

fn assemble_one(
    conn: &mut AnyConnection,
    row: ArticleRow,
    visibility: Visibility,
) -> Result<Article, ApiError> {
    assemble(conn, vec![row], visibility)?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("assembling an article lost it")))
}

pub fn list(
    conn: &mut AnyConnection,
    viewer: Option<CurrentUser>,
    request: ListRequest,
    page: PageRequest,
) -> Result<Paged<Article>, ApiError> {
    let filter = validate::list_filter(conn, viewer, request)?;
    let (rows, total) = repo::list(conn, &filter, page)?;
    Ok(Paged::of(
        (assemble(conn, rows, filter.visibility)?, total),
        page,
    ))
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
        article: assemble_one(conn, row, Visibility::of(viewer))?,
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
    let curated_ids = repo::related(conn, &[article.id], Visibility::Public, now)?
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
    assemble(conn, curated, Visibility::of(viewer))
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

/// A new article checked as far as that needs no database (see [`draft`]).
pub struct Draft(validate::Prepared);

/// Authorises a create and checks it as far as that needs no database, sanitising its
/// pages and building its search text: the CPU work of a create, which a handler runs
/// before the write's turn in the queue so that the one writer runs little but SQL.
pub fn draft(actor: CurrentUser, new: NewArticle) -> Result<Draft, ApiError> {
    let status = new.status.unwrap_or(ArticleStatus::Draft);
    authorize(actor, None, status)?;
    let slug = new.slug.clone().unwrap_or_else(generated_slug);
    Ok(Draft(validate::prepare(new.into_content(status, slug))))
}

pub fn create(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    draft: &Draft,
) -> Result<ArticlePage, ApiError> {
    write_transaction(conn, |conn| {
        let channels = ChannelTree::load(conn)?;
        let checked = validate::check(conn, &draft.0, None, &channels)?;
        let row = repo::insert(conn, &checked.row, actor.id, time::now())
            .map_err(ApiError::unique_as(DUPLICATE_SLUG))?;
        let content = &checked.content;
        repo::insert_children(
            conn,
            row.id,
            &content.pages,
            &checked.bylines,
            &content.tags,
            &content.related_ids,
        )?;
        search::index_new(conn, row.id, &checked.search_doc)?;
        written(conn, row, checked, actor, &channels)
    })
}

/// The article just written from `checked`, as its writer sees it. What was written is
/// at hand, so only the bylines (for the authors' names) and the related links (for
/// which of them the writer may see) are read back, and only when there are any.
fn written(
    conn: &mut AnyConnection,
    row: ArticleRow,
    checked: &Checked,
    actor: CurrentUser,
    channels: &ChannelTree,
) -> Result<ArticlePage, ApiError> {
    let ids = [row.id];
    let bylines = if checked.bylines.is_empty() {
        Vec::new()
    } else {
        repo::bylines(conn, &ids)?
    };
    let related_ids = if checked.content.related_ids.is_empty() {
        Vec::new()
    } else {
        repo::related(conn, &ids, Visibility::of(Some(actor)), time::now())?
            .remove(&row.id)
            .unwrap_or_default()
    };
    Ok(ArticlePage {
        article: Article {
            bylines,
            tags: checked.content.tags.clone(),
            related_ids,
            breadcrumbs: channels
                .breadcrumbs(row.channel_id)
                .into_iter()
                .cloned()
                .collect(),
            row,
        },
        page: 1,
        body_html: checked.content.pages.first().cloned().unwrap_or_default(),
    })
}

/// The stored content of `row`, as a revision keeps it.
fn content_of(conn: &mut AnyConnection, row: &ArticleRow) -> Result<ArticleContent, ApiError> {
    let ids = [row.id];
    let bylines = repo::bylines(conn, &ids)?;
    let mut tags = repo::tags(conn, &ids)?;
    // The stored content, hidden links included: a revision and an update keep them.
    let mut related = repo::related(conn, &ids, Visibility::Everything, time::now())?;
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
        update.clone().apply_to(&mut after);
        authorize(actor, Some(&current), after.status)?;
        let channels = ChannelTree::load(conn)?;
        let prepared = validate::prepare(after);
        let checked = validate::check(conn, &prepared, Some(current.id), &channels)?;
        precondition.check(current.version)?;

        let snapshot = revision::snapshot(&before).map_err(ApiError::internal)?;
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
        let content = &checked.content;
        repo::replace_children(
            conn,
            row.id,
            &content.pages,
            &checked.bylines,
            &content.tags,
            &content.related_ids,
        )?;
        search::index(conn, row.id, &checked.search_doc)?;
        written(conn, row, checked, actor, &channels)
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
            let content = revision::load(&row.content).map_err(ApiError::internal)?;
            Ok(Revision { row, content })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Paged::of((items, total), page))
}
