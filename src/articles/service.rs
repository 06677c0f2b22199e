//! Article workflow and reads: who may do what to which article, each write with its
//! revision, and assembling articles for reading in a fixed number of queries.

use crate::media::repo::{self as media, MediaRow};
use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use super::content::{
    ArticleContent, ArticleUpdate, BylineRef, ListRequest, NewArticle, Sort, Source,
};
use super::repo::{self, ArticleRow, BylineRow, ListFilter};
use super::revision::{self, Revision};
use super::search;
use super::validate::{self, Checked};
use crate::cache::titles::{self, Title, TitleIndex, Titles};
use crate::channels::repo::ChannelRow;
use crate::channels::service::ChannelTree;
use crate::db::AnyConnection;
use crate::db::outbox::{self, NewJob, Outbox};
use crate::domain::enums::ArticleStatus;
use crate::domain::event::{Event, EventType};
use crate::domain::html;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::preview::{PreviewKey, Subject};
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::surrogate::{Changed, Key, Keys, Shown, Tagged};
use crate::domain::time;
use crate::domain::token::random_hex;
use crate::domain::visibility::Visibility;
use crate::error::{ApiError, FieldError};

/// An article ready to render: its row with bylines, tags, curated links and breadcrumbs.
pub struct Article {
    pub row: ArticleRow,
    pub bylines: Vec<BylineRow>,
    pub tags: Vec<String>,
    pub related_ids: Vec<i64>,
    pub breadcrumbs: Vec<ChannelRow>,
    /// The best-matching passage, as HTML, on the results of a search only.
    pub highlight: Option<String>,
    /// The cover image from the library, with its variants.
    pub cover: Option<MediaRow>,
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
    let cover_ids: Vec<i64> = rows.iter().filter_map(|r| r.cover_media_id).collect();
    let covers = media::find_many(conn, &cover_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| Article {
            cover: row
                .cover_media_id
                .and_then(|id| covers.iter().find(|m| m.id == id).cloned()),
            bylines: bylines.remove(&row.id).unwrap_or_default(),
            tags: tags.remove(&row.id).unwrap_or_default(),
            related_ids: related.remove(&row.id).unwrap_or_default(),
            breadcrumbs: tree
                .breadcrumbs(row.channel_id)
                .into_iter()
                .cloned()
                .collect(),
            highlight: None,
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

impl Tagged for Article {
    fn tag(&self, keys: &mut Keys) {
        keys.add(Key::Article(self.row.id));
        keys.extend(self.breadcrumbs.iter().map(|c| Key::Channel(c.id)));
        keys.extend(self.bylines.iter().map(|b| Key::Author(b.author_id)));
        keys.extend(self.cover.iter().map(|m| Key::Media(m.id)));
    }
}

/// What a reader's view of articles shows, and until when (the next scheduled
/// publication, for anonymous readers, whose view it changes).
fn shown<T>(
    conn: &mut AnyConnection,
    viewer: Option<CurrentUser>,
    value: T,
    keys: Keys,
) -> Result<Shown<T>, ApiError> {
    let until = match viewer {
        None => public_until(conn)?,
        Some(_) => None,
    };
    Ok(Shown::new(value, keys).until(until))
}

pub fn list(
    conn: &mut AnyConnection,
    viewer: Option<CurrentUser>,
    request: ListRequest,
    page: PageRequest,
) -> Result<Shown<Paged<Article>>, ApiError> {
    let filter = validate::list_filter(conn, viewer, request)?;
    let (rows, total, lower_bound) = repo::list(conn, &filter, page)?;
    let mut articles = assemble(conn, rows, filter.visibility)?;
    if let Some(search) = &filter.search {
        highlight(conn, &search.query, &mut articles)?;
    }
    // A list narrowed to a channel changes only with that channel's articles (and its
    // slug); every other list with any article.
    let narrowed = filter
        .channel_ids
        .as_ref()
        .and_then(|ids| ids.first().copied());
    let mut keys = match narrowed {
        Some(channel) => Keys::of([Key::ChannelArticles(channel), Key::Channel(channel)]),
        None => Keys::of([Key::ArticleLists]),
    };
    keys.extend(filter.author_ids.iter().flatten().map(|&a| Key::Author(a)));
    for article in &articles {
        article.tag(&mut keys);
    }
    let paged = Paged::of((articles, total), page).counted_at_least(lower_bound);
    shown(conn, viewer, paged, keys)
}

/// Body text a highlight looks through, per article: the best passage is nearly always
/// early, and this bounds the work of a page of results.
const HIGHLIGHT_BODY_BYTES: usize = 32 * 1024;

/// Gives each of a search's `articles` the passage that best matches `query`.
fn highlight(
    conn: &mut AnyConnection,
    query: &search::SearchQuery,
    articles: &mut [Article],
) -> Result<(), ApiError> {
    let ids: Vec<i64> = articles.iter().map(|a| a.row.id).collect();
    let mut pages = repo::pages_of(conn, &ids)?;
    for article in articles {
        let mut body = String::new();
        for page in pages.remove(&article.row.id).unwrap_or_default() {
            if body.len() >= HIGHLIGHT_BODY_BYTES {
                break;
            }
            body.push_str(&html::text_of(&page));
            body.push(' ');
        }
        let row = &article.row;
        let texts = [
            row.subtitle.as_deref().unwrap_or(""),
            row.summary.as_str(),
            body.as_str(),
        ];
        let fallback = if row.summary.trim().is_empty() {
            &row.title
        } else {
            &row.summary
        };
        article.highlight = Some(query.highlight(&texts, fallback));
    }
    Ok(())
}

/// Suggestions answer prefixes of this many characters at most.
pub const MAX_SUGGEST_CHARS: usize = 20;
/// Titles a suggestion answer holds at most.
pub const SUGGESTIONS: usize = 10;

/// Up to [`SUGGESTIONS`] public titles holding `prefix` (folded as search folds text:
/// full-width, traditional and case do not matter), those starting with it first, then
/// newest first; from the titles kept in memory (`titles`), loaded again after any write
/// that changed public article lists.
pub fn suggest(
    conn: &mut AnyConnection,
    titles: &TitleIndex,
    prefix: &str,
) -> Result<Shown<Vec<Title>>, ApiError> {
    let prefix = suggestible(prefix)?;
    let all = titles.titles(|ids| {
        Ok::<_, ApiError>(
            repo::public_titles(conn, ids)?
                .into_iter()
                .map(|(id, slug, title, published_at)| Title {
                    id,
                    slug,
                    folded: search::fold(&title),
                    title,
                    published_at,
                })
                .collect(),
        )
    })?;
    Ok(suggested(&all, prefix))
}

/// [`suggest`] answered without the database while the titles in memory are current;
/// `None` when they must be loaded first. A suggestion is asked for at every keystroke,
/// and this keeps it off the database pool and its threads.
pub fn suggest_from_memory(
    titles: &TitleIndex,
    prefix: &str,
) -> Result<Option<Shown<Vec<Title>>>, ApiError> {
    let prefix = suggestible(prefix)?;
    Ok(titles.current().map(|all| suggested(&all, prefix)))
}

/// `prefix` without surrounding spaces, when it is 1 to [`MAX_SUGGEST_CHARS`] long.
fn suggestible(prefix: &str) -> Result<&str, ApiError> {
    let prefix = prefix.trim();
    let length = prefix.chars().count();
    if length == 0 || length > MAX_SUGGEST_CHARS {
        return Err(ApiError::Validation(vec![FieldError::new(
            "q",
            format!("must be 1 to {MAX_SUGGEST_CHARS} characters besides spaces"),
        )]));
    }
    Ok(prefix)
}

/// The suggestions for `prefix` among `all`, fresh until the next of them is published
/// (they hold every title that is or will become public, so this is the next scheduled
/// publication the database would give).
fn suggested(all: &Titles, prefix: &str) -> Shown<Vec<Title>> {
    let now = time::now();
    let found: Vec<Title> = titles::matching(all, &search::fold(prefix), now, SUGGESTIONS)
        .into_iter()
        .cloned()
        .collect();
    let mut keys = Keys::of([Key::ArticleLists]);
    keys.extend(found.iter().map(|t| Key::Article(t.id)));
    Shown::new(found, keys).until(all.next_publication(now).map(time::to_utc))
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
) -> Result<Shown<ArticlePage>, ApiError> {
    let row = find_visible(conn, key, viewer)?;
    let page = with_page(conn, row, page, Visibility::of(viewer))?;
    let keys = Keys::of_item(&page.article);
    shown(conn, viewer, page, keys)
}

/// `row` assembled with page `page` of its body; its related ids are those `visibility`
/// may see.
fn with_page(
    conn: &mut AnyConnection,
    row: ArticleRow,
    page: i32,
    visibility: Visibility,
) -> Result<ArticlePage, ApiError> {
    let body_html = repo::page(conn, row.id, page)?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "page {page} does not exist; this article has {} page(s)",
            row.page_count
        ))
    })?;
    Ok(ArticlePage {
        article: assemble_one(conn, row, visibility)?,
        page,
        body_html,
    })
}

/// A preview link: its token and when it stops working.
pub struct Preview {
    pub article_id: i64,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

fn preview_subject(row: &ArticleRow) -> Subject {
    Subject {
        article_id: row.id,
        status: row.status,
        status_changed_at: row.status_changed_at,
    }
}

/// A preview link for a draft or scheduled article, working for `ttl_secs` (rounded up to
/// a whole second) or until the article's status changes. Editors preview any article,
/// reporters the articles they wrote; another's draft, which a reporter cannot read, is
/// not found, as on every other route.
pub fn preview(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    key: &IdOrSlug,
    signer: &PreviewKey,
    ttl_secs: u32,
) -> Result<Preview, ApiError> {
    let row = find_visible(conn, key, Some(actor))?;
    if actor
        .limited_to_own()
        .is_some_and(|own| row.created_by != Some(own))
    {
        return Err(ApiError::Forbidden(
            "reporters may preview only the articles they wrote".into(),
        ));
    }
    if !matches!(row.status, ArticleStatus::Draft | ArticleStatus::Scheduled) {
        return Err(ApiError::Conflict(format!(
            "only drafts and scheduled articles have previews; this one is {}",
            row.status.as_str()
        )));
    }
    // Rounded up to the whole second the token names: a link works at least `ttl_secs`.
    let expires_at = (Utc::now() + TimeDelta::seconds(ttl_secs.into()))
        .duration_round_up(TimeDelta::seconds(1))
        .map_err(ApiError::internal)?;
    Ok(Preview {
        article_id: row.id,
        token: signer.sign(&preview_subject(&row), expires_at),
        expires_at,
    })
}

/// The article a preview token was signed for, as an editor reads it, while the token
/// holds: unexpired, and the article's status unchanged. Any other token finds nothing,
/// like an article the caller may not see. Its related ids name public articles only:
/// the token shows this one article.
pub fn get_preview(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    signer: &PreviewKey,
    token: &str,
    page: i32,
) -> Result<ArticlePage, ApiError> {
    let row = repo::find(conn, key, Visibility::Everything, time::now())?
        .filter(|row| signer.verify(token, &preview_subject(row), Utc::now()))
        .ok_or_else(|| ApiError::not_found("article"))?;
    with_page(conn, row, page, Visibility::Public)
}

/// Curated related articles first (public ones only), then the newest public articles
/// of the same channel, at most ten.
pub fn related(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    viewer: Option<CurrentUser>,
) -> Result<Shown<Vec<Article>>, ApiError> {
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
            count_limit: None,
        };
        let page = PageRequest {
            page: 1,
            per_page: room as i64,
        };
        curated.extend(repo::page_of(conn, &filter, page)?);
    }
    let related = assemble(conn, curated, Visibility::of(viewer))?;
    // The chosen links are the article's own fields; the rest come from its channel.
    let mut keys = Keys::of([
        Key::Article(article.id),
        Key::ChannelArticles(article.channel_id),
    ]);
    keys.extend(curated_ids.iter().map(|&id| Key::Article(id)));
    for item in &related {
        item.tag(&mut keys);
    }
    shown(conn, viewer, related, keys)
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
        let own = row.created_by.is_some() && row.created_by == actor.account_id();
        if !own || row.status != ArticleStatus::Draft {
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
    outbox: Outbox,
    actor: CurrentUser,
    draft: &Draft,
) -> Result<Changed<ArticlePage>, ApiError> {
    outbox.transaction(conn, |conn| {
        let channels = ChannelTree::load(conn)?;
        let checked = validate::check(conn, &draft.0, None, &channels)?;
        let row = repo::insert(conn, &checked.row, actor.account_id(), time::now())
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
        search::index(conn, None, place_of(&row), &checked.search_doc)?;
        let keys = changed_keys(conn, &channels, None, Some(&row))?;
        let events = announce(conn, None, Some(&row))?;
        Ok(Changed::new(written(conn, row, checked, actor, &channels)?, keys).with_all(events))
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
            cover: match row.cover_media_id {
                Some(id) => media::find_many(conn, &[id])?.pop(),
                None => None,
            },
            bylines,
            tags: checked.content.tags.clone(),
            related_ids,
            breadcrumbs: channels
                .breadcrumbs(row.channel_id)
                .into_iter()
                .cloned()
                .collect(),
            highlight: None,
            row,
        },
        page: 1,
        body_html: checked.content.pages.first().cloned().unwrap_or_default(),
    })
}

/// Whether an article in this state is in public answers now, or will be by itself.
fn reaches_public(row: &ArticleRow) -> bool {
    matches!(
        row.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    )
}

/// Whether readers see an article in this state at `now`.
fn live(row: &ArticleRow, now: chrono::NaiveDateTime) -> bool {
    reaches_public(row) && row.published_at.is_some_and(|at| at <= now)
}

/// What a write of one article tells webhooks, from its state before and after:
/// `article.published` when readers start seeing it, `article.updated` while they go on
/// seeing it, `article.unpublished` or `article.deleted` when they stop; nothing while it
/// stays out of view. A publication ahead is scheduled as a job due at its time
/// ([`fire_scheduled`] announces it then), once per article and time.
fn announce(
    conn: &mut AnyConnection,
    before: Option<&ArticleRow>,
    after: Option<&ArticleRow>,
) -> Result<Vec<Event>, ApiError> {
    let now = time::now();
    let was = before.is_some_and(|row| live(row, now));
    let is = after.is_some_and(|row| live(row, now));
    if let Some(row) = after.filter(|row| reaches_public(row) && !is) {
        if let Some(at) = row.published_at {
            outbox::enqueue(conn, scheduled_job(row.id, at))?;
        }
    }
    let kind = match (was, is, after.is_some()) {
        (false, true, _) => EventType::ArticlePublished,
        (true, true, _) => EventType::ArticleUpdated,
        (true, false, true) => EventType::ArticleUnpublished,
        (true, false, false) => EventType::ArticleDeleted,
        (false, false, _) => return Ok(Vec::new()),
    };
    let id = before.or(after).map(|row| row.id).unwrap_or_default();
    Ok(vec![Event::new(kind, id)])
}

/// The job that announces article `id` when its time `at` comes.
fn scheduled_job(id: i64, at: chrono::NaiveDateTime) -> NewJob {
    let at_text = time::to_utc(at).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    NewJob {
        kind: outbox::kind::SCHEDULED,
        payload: serde_json::json!({ "article_id": id, "published_at": at_text }),
        run_at: at,
        dedupe_key: Some(format!("article-{id}-published-{at_text}")),
    }
}

/// Runs when a scheduled publication's time `at` has come: in one transaction, if
/// article `id` is still scheduled for exactly that time (an article rescheduled,
/// unpublished or deleted since leaves a stale job, which does nothing), announces
/// `article.published`. Returns whether it did; `also` runs in the same transaction
/// (the worker marks its job done there, so two workers cannot both announce it).
pub fn fire_scheduled(
    conn: &mut AnyConnection,
    id: i64,
    at: chrono::NaiveDateTime,
    mut also: impl FnMut(&mut AnyConnection) -> Result<bool, ApiError>,
) -> Result<bool, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        let row = repo::find(conn, &IdOrSlug::Id(id), Visibility::Everything, time::now())?;
        let due = row.is_some_and(|row| {
            reaches_public(&row) && row.published_at == Some(at) && at <= time::now()
        });
        if !also(conn)? {
            return Ok(false);
        }
        if due {
            outbox::record_events(conn, &[Event::new(EventType::ArticlePublished, id)])?;
        }
        Ok(due)
    })
}

/// The public answers a write of one article changed, from its state before and after:
/// none while it stays out of public view; otherwise the article itself, every list
/// that may hold it (all lists not narrowed to a channel, and those of its channels and
/// their ancestors, before and after a move), and the articles that link to it (their
/// `related_ids` show only public articles).
fn changed_keys(
    conn: &mut AnyConnection,
    tree: &ChannelTree,
    before: Option<&ArticleRow>,
    after: Option<&ArticleRow>,
) -> Result<Keys, ApiError> {
    let seen: Vec<&ArticleRow> = before
        .into_iter()
        .chain(after)
        .filter(|row| reaches_public(row))
        .collect();
    let Some(id) = seen.first().map(|row| row.id) else {
        return Ok(Keys::none());
    };
    let mut keys = Keys::of([Key::Article(id), Key::ArticleLists]);
    for row in &seen {
        keys.extend(
            tree.breadcrumbs(row.channel_id)
                .iter()
                .map(|channel| Key::ChannelArticles(channel.id)),
        );
    }
    keys.extend(repo::referrers(conn, id)?.into_iter().map(Key::Article));
    Ok(keys)
}

/// Until when public article answers read now stay as they are without a write: the
/// next scheduled publication, if any.
pub fn public_until(conn: &mut AnyConnection) -> Result<Option<DateTime<Utc>>, ApiError> {
    Ok(repo::next_publication(conn, time::now())?.map(time::to_utc))
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
        cover_media_id: row.cover_media_id,
        tags: tags.remove(&row.id).unwrap_or_default(),
        comments_enabled: row.comments_enabled,
        related_ids: related.remove(&row.id).unwrap_or_default(),
        pages: repo::pages(conn, row.id)?,
    })
}

pub fn update(
    conn: &mut AnyConnection,
    outbox: Outbox,
    actor: CurrentUser,
    key: &IdOrSlug,
    precondition: &IfMatch,
    update: ArticleUpdate,
) -> Result<Changed<ArticlePage>, ApiError> {
    outbox.transaction(conn, |conn| {
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
        let row = repo::update(
            conn,
            current.id,
            &checked.row,
            actor.account_id(),
            time::now(),
        )
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
        search::index(
            conn,
            Some(place_of(&current)),
            place_of(&row),
            &checked.search_doc,
        )?;
        let keys = changed_keys(conn, &channels, Some(&current), Some(&row))?;
        let events = announce(conn, Some(&current), Some(&row))?;
        Ok(Changed::new(written(conn, row, checked, actor, &channels)?, keys).with_all(events))
    })
}

/// Where `row` stands for the search index.
fn place_of(row: &ArticleRow) -> search::Place {
    search::Place {
        id: row.id,
        status: row.status,
        published_at: row.published_at,
    }
}

pub fn delete(
    conn: &mut AnyConnection,
    outbox: Outbox,
    actor: CurrentUser,
    key: &IdOrSlug,
    precondition: &IfMatch,
) -> Result<Changed<()>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = find_visible(conn, key, Some(actor))?;
        precondition.check(current.version)?;
        authorize(actor, Some(&current), ArticleStatus::Draft)?;
        // Named before the delete: afterwards its links are gone with it.
        let channels = ChannelTree::load(conn)?;
        let keys = changed_keys(conn, &channels, Some(&current), None)?;
        let events = announce(conn, Some(&current), None)?;
        repo::delete(conn, current.id)?;
        search::remove(conn, place_of(&current))?;
        Ok(Changed::new((), keys).with_all(events))
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
