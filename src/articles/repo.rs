//! Article rows and their child rows (pages, bylines, tags, related links, revisions).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use strum::VariantArray;

use super::content::Sort;
use super::search::{self, Matches, PreparedSearch};
use crate::db::schema::{
    article_bylines, article_counts, article_pages, article_related, article_revisions,
    article_tags, articles, authors, users,
};
use crate::db::{self, AnyConnection, MultiBackend};
use crate::domain::enums::{ArticleStatus, BylineRole};
use crate::domain::paging::PageRequest;
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::visibility::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    #[diesel(deserialize_as = String)]
    pub status: ArticleStatus,
    pub channel_id: i64,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub cover_image_url: Option<String>,
    pub comments_enabled: bool,
    pub comment_count: i64,
    pub page_count: i32,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    /// When the status last changed (or the article was created).
    pub status_changed_at: NaiveDateTime,
    /// The library image shown as the cover.
    pub cover_media_id: Option<i64>,
}

/// The columns an insert sets (all of them but ids, counters and stamps, which the repo
/// sets).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct NewArticleRow {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub status: &'static str,
    pub channel_id: i64,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub cover_image_url: Option<String>,
    pub cover_media_id: Option<i64>,
    pub comments_enabled: bool,
    pub page_count: i32,
}

/// An update writes every column a new article has: the service checks an article as a
/// whole, so it builds the whole new state.
pub type ArticleChanges = NewArticleRow;

/// A byline as read: position order, with the author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BylineRow {
    pub article_id: i64,
    pub author_id: i64,
    pub name: String,
    pub role: BylineRole,
}

#[derive(Debug, Clone, Queryable)]
pub struct RevisionRow {
    pub version: i64,
    pub edited_by: Option<i64>,
    pub editor_name: Option<String>,
    pub edited_at: NaiveDateTime,
    pub content: String,
}

/// Everything an article list can be narrowed by.
pub struct ListFilter {
    pub visibility: Visibility,
    pub now: NaiveDateTime,
    pub channel_ids: Option<Vec<i64>>,
    pub author_ids: Option<Vec<i64>>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    pub status: Option<ArticleStatus>,
    pub search: Option<PreparedSearch>,
    pub exclude_ids: Vec<i64>,
    pub sort: Sort,
    /// How many matches of a search to count beyond the page asked for, at most.
    pub count_limit: Option<i64>,
}

type Boxed<'a> = articles::BoxedQuery<'a, MultiBackend>;
type Predicate<QS = articles::table> =
    Box<dyn BoxableExpression<QS, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// The visibility rule as SQL, applied by every read of articles, also where `articles`
/// is joined to another table (`QS`). [`maintained_total`] counts by the same rule.
pub fn visible<QS: 'static>(visibility: Visibility, now: NaiveDateTime) -> Predicate<QS>
where
    articles::status: SelectableExpression<QS>,
    diesel::dsl::AssumeNotNull<articles::published_at>: SelectableExpression<QS>,
    diesel::dsl::AssumeNotNull<articles::created_by>: SelectableExpression<QS>,
{
    // Two comparisons rather than `eq_any`, whose statements are never kept (see
    // `db::ids`); the pattern stops compiling if the public statuses change.
    let [published, scheduled] = ArticleStatus::PUBLIC;
    let public = articles::status
        .eq(published.as_str())
        .or(articles::status.eq(scheduled.as_str()))
        .and(articles::published_at.assume_not_null().le(now));
    match visibility {
        Visibility::Public => Box::new(public),
        Visibility::PublicOrOwn(user) => {
            Box::new(public.or(articles::created_by.assume_not_null().eq(user)))
        }
        Visibility::Everything => Box::new(true.into_sql::<diesel::sql_types::Bool>()),
    }
}

/// The filter as SQL. `walk` asks for a search to be tested row by row in the list's
/// order instead of driving the query (see [`search::matching`]).
fn filtered(filter: &ListFilter, walk: bool) -> Boxed<'_> {
    let mut query = articles::table
        .into_boxed()
        .filter(visible(filter.visibility, filter.now));
    if let Some(ids) = &filter.channel_ids {
        query = query.filter(articles::channel_id.eq_any(ids));
    }
    if let Some(authors) = &filter.author_ids {
        query = query.filter(
            articles::id.eq_any(
                article_bylines::table
                    .filter(article_bylines::author_id.eq_any(authors))
                    .select(article_bylines::article_id),
            ),
        );
    }
    if let Some(after) = filter.published_after {
        query = query.filter(articles::published_at.ge(after));
    }
    if let Some(before) = filter.published_before {
        query = query.filter(articles::published_at.lt(before));
    }
    if let Some(status) = &filter.status {
        query = query.filter(articles::status.eq(status.as_str()));
    }
    if let Some(q) = &filter.search {
        query = query.filter(search::matching(q, Matches::All, walk));
    }
    if !filter.exclude_ids.is_empty() {
        query = query.filter(articles::id.ne_all(&filter.exclude_ids));
    }
    query
}

/// How many of a search's newest matches `Sort::Relevance` ranks, and how many of its
/// newest matches boosted by a term in their title or lead besides them; the other
/// matches follow, newest first. Ranking reads each ranked row, so this bounds a
/// search's cost however common its terms.
pub const RANK_WINDOW: i64 = 50;

/// One page of the filtered list, the total, and whether the total is only a lower
/// bound: a search counts its matches up to `count_limit` beyond the page's end (the
/// same on both backends, though PostgreSQL has counted them all).
pub fn list(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    page: PageRequest,
) -> QueryResult<(Vec<ArticleRow>, i64, bool)> {
    let cap = filter.search.as_ref().and(filter.count_limit).map(|limit| {
        page.offset()
            .saturating_add(page.per_page)
            .saturating_add(limit)
    });
    if let Some((rows, total)) = searched_in_index(conn, filter, page, cap)? {
        return Ok((rows, total, cap.is_some_and(|cap| total >= cap)));
    }
    let mut total = count(conn, filter)?;
    let lower_bound = cap.is_some_and(|cap| total >= cap);
    if let Some(cap) = cap {
        total = total.min(cap);
    }
    if total <= page.offset() {
        return Ok((Vec::new(), total, lower_bound));
    }
    let search = filter.search.as_ref();
    if let Some(search) = search.filter(|_| filter.sort == Sort::Relevance) {
        return Ok((
            ranked(conn, filter, search, page, total)?,
            total,
            lower_bound,
        ));
    }
    let walk = walk(conn, filter, page.offset() + page.per_page, total)?;
    Ok((
        rows(conn, filter, page.offset(), page.per_page, walk)?,
        total,
        lower_bound,
    ))
}

/// Whether a search should walk the list's order (see [`walking_is_cheaper`]).
fn walk(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    wanted: i64,
    total: i64,
) -> QueryResult<bool> {
    match &filter.search {
        Some(search) if search.can_walk() => walking_is_cheaper(conn, filter, wanted, total),
        _ => Ok(false),
    }
}

/// The columns of an article that ranking reads, and its id.
#[derive(Queryable, Selectable)]
#[diesel(table_name = articles)]
struct RankRow {
    id: i64,
    title: String,
    subtitle: Option<String>,
    summary: String,
    published_at: Option<NaiveDateTime>,
}

/// `rows` (newest first) in the order of `search::blended`, ties newest first.
fn rank(search: &PreparedSearch, now: NaiveDateTime, rows: Vec<RankRow>) -> Vec<RankRow> {
    let mut scored: Vec<(f64, RankRow)> = rows
        .into_iter()
        .map(|row| {
            let summaries = [row.subtitle.as_deref().unwrap_or(""), row.summary.as_str()];
            let relevance = search.query.relevance(&row.title, &summaries);
            (search::blended(relevance, row.published_at, now), row)
        })
        .collect();
    // A stable sort keeps the newest first among equals.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, row)| row).collect()
}

/// Where a page of a search by relevance starts and ends in the ranked matches, and
/// how many of the matches after them, newest first, it takes and skips.
struct RankedPage {
    from: usize,
    to: usize,
    skip: i64,
    take: i64,
}

impl RankedPage {
    fn of(page: PageRequest, ranked: usize) -> Self {
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let wanted = usize::try_from(page.per_page).unwrap_or(0);
        let from = offset.min(ranked);
        let to = offset.saturating_add(wanted).min(ranked);
        let shown = (to - from) as i64;
        Self {
            from,
            to,
            skip: (offset - from) as i64,
            take: page.per_page - shown,
        }
    }
}

/// A page of a search by relevance: the newest [`RANK_WINDOW`] matches and the newest
/// [`RANK_WINDOW`] others boosted by their title or lead, ranked by `search::blended`
/// (ties newest first), then the other matches newest first.
fn ranked(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    search: &PreparedSearch,
    page: PageRequest,
    total: i64,
) -> QueryResult<Vec<ArticleRow>> {
    let window = RANK_WINDOW.min(total);
    let walk_window = walk(conn, filter, window, total)?;
    let mut candidates: Vec<RankRow> = ordered(filter, None, walk_window)
        .limit(window)
        .select(RankRow::as_select())
        .load(conn)?;
    let mut extra: Vec<i64> = Vec::new();
    if total > window {
        let newest: Vec<i64> = candidates.iter().map(|r| r.id).collect();
        let boosted: Vec<RankRow> = ordered(
            filter,
            Some(Box::new(
                search::matching(search, Matches::Boosted, false).and(articles::id.ne_all(newest)),
            )),
            false,
        )
        .limit(RANK_WINDOW)
        .select(RankRow::as_select())
        .load(conn)?;
        extra = boosted.iter().map(|r| r.id).collect();
        candidates.extend(boosted);
    }
    let ranked = rank(search, filter.now, candidates);
    let part = RankedPage::of(page, ranked.len());
    let shown: Vec<i64> = ranked[part.from..part.to].iter().map(|r| r.id).collect();
    let mut out = rows_by_ids(conn, filter, &shown)?;
    if part.take > 0 && total > window {
        let wanted = window.saturating_add(part.skip).saturating_add(part.take);
        let walk_tail = walk(conn, filter, wanted, total)?;
        out.extend(rows_where(
            conn,
            filter,
            Some(Box::new(articles::id.ne_all(extra))),
            (window.saturating_add(part.skip), part.take),
            walk_tail,
        )?);
    }
    Ok(out)
}

/// Whether a search in `filter` is answered from the search index in the readers'
/// order (see [`searched_in_index`]): a public reader's, narrowed by nothing else, in
/// order of publication or relevance.
pub fn read_in_index_order(filter: &ListFilter) -> bool {
    filter.visibility == Visibility::Public
        && !narrowed(filter)
        && filter.sort != Sort::RecentlyUpdated
}

/// A search by a public reader narrowed by nothing else, answered from the search
/// index's own order where the backend keeps one (`search::public_total`): the total
/// and the page's ids come from the index alone, and only the rows shown (and, by
/// relevance, the ranked ones) are read. The rows are still read through the
/// visibility rule. `None` where this does not apply.
fn searched_in_index(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    page: PageRequest,
    cap: Option<i64>,
) -> QueryResult<Option<(Vec<ArticleRow>, i64)>> {
    let Some(search) = filter.search.as_ref().filter(|s| s.in_reading_order()) else {
        return Ok(None);
    };
    if !read_in_index_order(filter) {
        return Ok(None);
    }
    search::reading_index(conn, |reader| {
        searched_by(reader, filter, search, page, cap)
    })
}

/// [`searched_in_index`] for a search the index answers in the readers' order, all
/// read by `reader`.
fn searched_by(
    reader: &mut search::IndexReader<'_>,
    filter: &ListFilter,
    search: &PreparedSearch,
    page: PageRequest,
    cap: Option<i64>,
) -> QueryResult<Option<(Vec<ArticleRow>, i64)>> {
    let public = || visible(Visibility::Public, filter.now);
    let Some(total) = search::public_total(reader, search, filter.now, cap, public)? else {
        return Ok(None);
    };
    if total <= page.offset() {
        return Ok(Some((Vec::new(), total)));
    }
    let ids = |reader: &mut search::IndexReader<'_>, which, newest_first, offset, limit| {
        search::public_ids(
            reader,
            search,
            which,
            filter.now,
            newest_first,
            (offset, limit),
            public,
        )
        .map(Option::unwrap_or_default)
    };
    let rows = match filter.sort {
        Sort::NewestPublished | Sort::OldestPublished | Sort::RecentlyUpdated => {
            let newest_first = filter.sort != Sort::OldestPublished;
            let page_ids = ids(
                reader,
                Matches::All,
                newest_first,
                page.offset(),
                page.per_page,
            )?;
            rows_by_ids(reader.conn(), filter, &page_ids)?
        }
        Sort::Relevance => {
            let newest = ids(reader, Matches::All, true, 0, RANK_WINDOW)?;
            let window = newest.len() as i64;
            let mut extra: Vec<i64> = Vec::new();
            if total > window {
                extra = ids(reader, Matches::Boosted, true, 0, 2 * RANK_WINDOW)?
                    .into_iter()
                    .filter(|id| !newest.contains(id))
                    .take(RANK_WINDOW as usize)
                    .collect();
            }
            let candidates: Vec<i64> = newest.iter().chain(&extra).copied().collect();
            let heads = in_order_of(
                &candidates,
                visible_with_ids(filter, &candidates)
                    .select(RankRow::as_select())
                    .load(reader.conn())?,
                |row: &RankRow| row.id,
            );
            let ranked = rank(search, filter.now, heads);
            let part = RankedPage::of(page, ranked.len());
            let shown: Vec<i64> = ranked[part.from..part.to].iter().map(|r| r.id).collect();
            let mut out = rows_by_ids(reader.conn(), filter, &shown)?;
            if part.take > 0 && total > window {
                let older: Vec<i64> = ids(
                    reader,
                    Matches::All,
                    true,
                    window,
                    part.skip + part.take + extra.len() as i64,
                )?
                .into_iter()
                .filter(|id| !extra.contains(id))
                .skip(part.skip as usize)
                .take(part.take as usize)
                .collect();
                out.extend(rows_by_ids(reader.conn(), filter, &older)?);
            }
            out
        }
    };
    Ok(Some((rows, total)))
}

/// The rows of `ids` the reader may see, in the order of `ids`.
fn rows_by_ids(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    ids: &[i64],
) -> QueryResult<Vec<ArticleRow>> {
    let rows = visible_with_ids(filter, ids)
        .select(ArticleRow::as_select())
        .load(conn)?;
    Ok(in_order_of(ids, rows, |row: &ArticleRow| row.id))
}

/// The articles of `ids` the reader may see.
fn visible_with_ids<'a>(filter: &ListFilter, ids: &'a [i64]) -> Boxed<'a> {
    articles::table
        .into_boxed()
        .filter(visible(filter.visibility, filter.now))
        .filter(db::ids::one_of(articles::id, ids))
}

/// `rows` in the order of `ids` (those not found left out).
fn in_order_of<R>(ids: &[i64], rows: Vec<R>, id: impl Fn(&R) -> i64) -> Vec<R> {
    let mut found: HashMap<i64, R> = rows.into_iter().map(|row| (id(&row), row)).collect();
    ids.iter().filter_map(|id| found.remove(id)).collect()
}

/// One page of the filtered list, without its total.
pub fn page_of(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    page: PageRequest,
) -> QueryResult<Vec<ArticleRow>> {
    rows(conn, filter, page.offset(), page.per_page, false)
}

/// Whether the page of a search is found sooner by walking the visible articles in the
/// list's order, testing each for a match, than by reading every match and sorting them
/// all. Walking meets about `visible / matches` articles per match it keeps, so it wins
/// for common terms (a city's name matches one article in ten) and loses for rare ones.
fn walking_is_cheaper(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    wanted: i64,
    matches: i64,
) -> QueryResult<bool> {
    if filter.sort == Sort::RecentlyUpdated {
        return Ok(false);
    }
    let everything = ListFilter {
        visibility: filter.visibility,
        now: filter.now,
        channel_ids: None,
        author_ids: None,
        published_after: None,
        published_before: None,
        status: None,
        search: None,
        exclude_ids: Vec::new(),
        sort: filter.sort,
        count_limit: None,
    };
    let Some(visible) = maintained_total(conn, &everything) else {
        return Ok(false);
    };
    Ok(wanted.saturating_mul(visible?) < matches.saturating_mul(matches))
}

/// `limit` rows of the filtered list from `offset`, in the list's order (date order for
/// `Sort::Relevance`, which [`ranked`] ranks from it).
fn rows(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
    walk: bool,
) -> QueryResult<Vec<ArticleRow>> {
    rows_where(conn, filter, None, (offset, limit), walk)
}

/// [`rows`] of those that `also` keeps.
fn rows_where(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    also: Option<Predicate>,
    (offset, limit): (i64, i64),
    walk: bool,
) -> QueryResult<Vec<ArticleRow>> {
    ordered(filter, also, walk)
        .limit(limit)
        .offset(offset)
        .select(ArticleRow::as_select())
        .load(conn)
}

/// The filtered list of those that `also` keeps, in the list's order.
fn ordered(filter: &ListFilter, also: Option<Predicate>, walk: bool) -> Boxed<'_> {
    let mut query = filtered(filter, walk);
    if let Some(also) = also {
        query = query.filter(also);
    }
    // Public articles always have a date; only wider views need undated (unpublished)
    // ones sorted after the dated ones, which costs the index its order.
    let undated_last = filter.visibility != Visibility::Public;
    match (filter.sort, undated_last) {
        (Sort::NewestPublished | Sort::Relevance, false) => {
            query.order((articles::published_at.desc(), articles::id.desc()))
        }
        (Sort::NewestPublished | Sort::Relevance, true) => query.order((
            articles::published_at.is_null(),
            articles::published_at.desc(),
            articles::id.desc(),
        )),
        (Sort::OldestPublished, false) => {
            query.order((articles::published_at.asc(), articles::id.asc()))
        }
        (Sort::OldestPublished, true) => query.order((
            articles::published_at.is_null(),
            articles::published_at.asc(),
            articles::id.asc(),
        )),
        (Sort::RecentlyUpdated, _) => {
            query.order((articles::updated_at.desc(), articles::id.desc()))
        }
    }
}

/// How many articles `filter` keeps, exactly. Counting the rows costs a visit to every
/// one of them, so a list narrowed only by channel and status is answered from the
/// counts that triggers maintain (`article_counts`) instead.
pub fn count(conn: &mut AnyConnection, filter: &ListFilter) -> QueryResult<i64> {
    if let Some(total) = searched_total(filter) {
        return Ok(total);
    }
    match maintained_total(conn, filter) {
        Some(total) => total,
        None => filtered(filter, false).count().get_result(conn),
    }
}

/// The total of a search narrowed by nothing else, when preparing the search already
/// counted the matches the reader may see.
fn searched_total(filter: &ListFilter) -> Option<i64> {
    if narrowed(filter) {
        return None;
    }
    filter.search.as_ref()?.visible_matches()
}

/// Whether `filter` narrows the list by more than visibility and a search.
fn narrowed(filter: &ListFilter) -> bool {
    filter.channel_ids.is_some()
        || filter.author_ids.is_some()
        || filter.published_after.is_some()
        || filter.published_before.is_some()
        || filter.status.is_some()
        || !filter.exclude_ids.is_empty()
}

/// The total as the maintained counts give it, or `None` when the filter narrows by
/// something they do not count (author, time, search, excluded ids) or the reader sees
/// their own drafts among public articles.
///
/// The counts hold every article by channel, status and whether it is dated. Everything
/// visible is all of them; public is the dated ones in a public status less those whose
/// `published_at` is still to come: the complement, among those, of `visible`'s
/// `published_at <= now`, found by an index range on `published_at`, so it costs only as
/// many rows as are scheduled ahead.
fn maintained_total(conn: &mut AnyConnection, filter: &ListFilter) -> Option<QueryResult<i64>> {
    if filter.author_ids.is_some()
        || filter.published_after.is_some()
        || filter.published_before.is_some()
        || filter.search.is_some()
        || !filter.exclude_ids.is_empty()
    {
        return None;
    }
    let public = match filter.visibility {
        Visibility::Public => true,
        Visibility::Everything => false,
        Visibility::PublicOrOwn(_) => return None,
    };
    let statuses: Vec<&'static str> = ArticleStatus::VARIANTS
        .iter()
        .filter(|s| !public || ArticleStatus::PUBLIC.contains(s))
        .filter(|s| filter.status.is_none_or(|wanted| wanted == **s))
        .map(|s| s.as_str())
        .collect();
    if statuses.is_empty() || filter.channel_ids.as_ref().is_some_and(Vec::is_empty) {
        return Some(Ok(0));
    }

    let mut counted = article_counts::table
        .into_boxed()
        .filter(article_counts::status.eq_any(statuses.clone()));
    if let Some(ids) = &filter.channel_ids {
        counted = counted.filter(article_counts::channel_id.eq_any(ids.clone()));
    }
    if public {
        counted = counted.filter(article_counts::dated.eq(true));
    }
    // SUM of BIGINT is NUMERIC on PostgreSQL: cast back, and 0 for no rows.
    let counted = counted
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(COALESCE(SUM(article_counts.articles), 0) AS BIGINT)",
        ))
        .single_value()
        .assume_not_null();
    if !public {
        return Some(diesel::select(counted).get_result(conn));
    }
    let mut ahead = articles::table
        .into_boxed()
        .filter(articles::status.eq_any(statuses))
        .filter(articles::published_at.gt(filter.now));
    if let Some(ids) = &filter.channel_ids {
        ahead = ahead.filter(articles::channel_id.eq_any(ids.clone()));
    }
    let ahead = ahead.count().single_value().assume_not_null();
    // One statement, so that both parts see the same moment.
    Some(diesel::select(counted - ahead).get_result(conn))
}

/// The last day both databases store.
const END_OF_TIME: NaiveDateTime = match chrono::NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(day) => day.and_time(chrono::NaiveTime::MIN),
    None => NaiveDateTime::MIN,
};

/// Every article that is public or will become public by itself (the visibility rule
/// at [`END_OF_TIME`]), newest first: id, slug, title and publication time; of the
/// articles `ids` only, when given.
pub fn public_titles(
    conn: &mut AnyConnection,
    ids: Option<&[i64]>,
) -> QueryResult<Vec<(i64, String, String, NaiveDateTime)>> {
    let mut query = articles::table
        .into_boxed()
        .filter(visible(Visibility::Public, END_OF_TIME));
    if let Some(ids) = ids {
        query = query.filter(db::ids::one_of(articles::id, ids));
    }
    query
        .order((articles::published_at.desc(), articles::id.desc()))
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::published_at.assume_not_null(),
        ))
        .load(conn)
}

pub fn find(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    visibility: Visibility,
    now: NaiveDateTime,
) -> QueryResult<Option<ArticleRow>> {
    let query = articles::table
        .into_boxed()
        .filter(visible(visibility, now))
        .select(ArticleRow::as_select());
    match key {
        IdOrSlug::Id(id) => query.filter(articles::id.eq(*id)).first(conn),
        IdOrSlug::Slug(slug) => query.filter(articles::slug.eq(slug.clone())).first(conn),
    }
    .optional()
}

/// The visible articles among `ids`, in no particular order.
pub fn find_many(
    conn: &mut AnyConnection,
    ids: &[i64],
    visibility: Visibility,
    now: NaiveDateTime,
) -> QueryResult<Vec<ArticleRow>> {
    articles::table
        .filter(visible(visibility, now))
        .filter(db::ids::one_of(articles::id, ids))
        .select(ArticleRow::as_select())
        .load(conn)
}

/// Which of `ids` exist at all.
pub fn existing_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    articles::table
        .filter(db::ids::one_of(articles::id, ids))
        .select(articles::id)
        .load(conn)
}

pub fn count_in_channel(conn: &mut AnyConnection, channel_id: i64) -> QueryResult<i64> {
    articles::table
        .filter(articles::channel_id.eq(channel_id))
        .count()
        .get_result(conn)
}

pub fn page(conn: &mut AnyConnection, article_id: i64, number: i32) -> QueryResult<Option<String>> {
    article_pages::table
        .filter(article_pages::article_id.eq(article_id))
        .filter(article_pages::page_number.eq(number))
        .select(article_pages::body_html)
        .first(conn)
        .optional()
}

pub fn pages(conn: &mut AnyConnection, article_id: i64) -> QueryResult<Vec<String>> {
    article_pages::table
        .filter(article_pages::article_id.eq(article_id))
        .order(article_pages::page_number.asc())
        .select(article_pages::body_html)
        .load(conn)
}

/// The body pages of all `ids`, each article's in page order: one query.
pub fn pages_of(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = article_pages::table
        .filter(db::ids::one_of(article_pages::article_id, ids))
        .order((
            article_pages::article_id.asc(),
            article_pages::page_number.asc(),
        ))
        .select((article_pages::article_id, article_pages::body_html))
        .load(conn)?;
    Ok(group(rows))
}

/// Bylines of all `ids`, each article's in position order: one query.
pub fn bylines(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<BylineRow>> {
    let rows: Vec<(i64, i64, String, String)> = article_bylines::table
        .inner_join(authors::table)
        .filter(db::ids::one_of(article_bylines::article_id, ids))
        .order((
            article_bylines::article_id.asc(),
            article_bylines::position.asc(),
        ))
        .select((
            article_bylines::article_id,
            article_bylines::author_id,
            authors::name,
            article_bylines::role,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(article_id, author_id, name, role)| {
            Ok(BylineRow {
                article_id,
                author_id,
                name,
                role: BylineRole::try_from(role).map_err(db::corrupt)?,
            })
        })
        .collect()
}

/// Tags of all `ids`, grouped by article in position order: one query.
pub fn tags(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = article_tags::table
        .filter(db::ids::one_of(article_tags::article_id, ids))
        .order((article_tags::article_id.asc(), article_tags::position.asc()))
        .select((article_tags::article_id, article_tags::tag))
        .load(conn)?;
    Ok(group(rows))
}

/// Curated related ids of all `ids` that `visibility` may see at `now`, grouped by article
/// in position order: one query.
pub fn related(
    conn: &mut AnyConnection,
    ids: &[i64],
    visibility: Visibility,
    now: NaiveDateTime,
) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(i64, i64)> = article_related::table
        .inner_join(articles::table.on(articles::id.eq(article_related::related_id)))
        .filter(db::ids::one_of(article_related::article_id, ids))
        .filter(visible(visibility, now))
        .order((
            article_related::article_id.asc(),
            article_related::position.asc(),
        ))
        .select((article_related::article_id, article_related::related_id))
        .load(conn)?;
    Ok(group(rows))
}

/// The articles whose curated related list names `id`, public or not.
pub fn referrers(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<i64>> {
    article_related::table
        .filter(article_related::related_id.eq(id))
        .select(article_related::article_id)
        .load(conn)
}

/// The earliest publication time after `now` among articles that will become public by
/// themselves then: until that moment, no public answer changes without a write.
pub fn next_publication(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    articles::table
        .filter(articles::status.eq_any([
            ArticleStatus::Published.as_str(),
            ArticleStatus::Scheduled.as_str(),
        ]))
        .filter(articles::published_at.gt(now))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)
}

fn group<T>(rows: Vec<(i64, T)>) -> HashMap<i64, Vec<T>> {
    rows.into_iter()
        .fold(HashMap::new(), |mut map, (id, value)| {
            map.entry(id).or_insert_with(Vec::new).push(value);
            map
        })
}

/// Inserts `row` at version 1, created and last changed by the account `user_id`
/// (`None` when an API token writes).
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewArticleRow,
    user_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<ArticleRow> {
    diesel::insert_into(articles::table)
        .values((
            row,
            articles::created_by.eq(user_id),
            articles::updated_by.eq(user_id),
            articles::created_at.eq(now),
            articles::updated_at.eq(now),
            articles::version.eq(1),
            articles::status_changed_at.eq(now),
        ))
        .returning(articles::all_columns)
        .get_result(conn)
}

/// Applies `changes` as the account `user_id` (`None` when an API token writes).
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &ArticleChanges,
    user_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<ArticleRow> {
    diesel::update(articles::table.find(id))
        .set((
            changes,
            articles::updated_by.eq(user_id),
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
            articles::status_changed_at.eq(diesel::dsl::case_when(
                articles::status.ne(changes.status),
                now.into_sql::<diesel::sql_types::Timestamp>(),
            )
            .otherwise(articles::status_changed_at)),
        ))
        .returning(articles::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Replaces the pages, bylines, tags and related links of article `id`, inside the
/// caller's transaction.
pub fn replace_children(
    conn: &mut AnyConnection,
    id: i64,
    pages: &[String],
    bylines: &[(i64, String)],
    tags: &[String],
    related: &[i64],
) -> QueryResult<()> {
    diesel::delete(article_pages::table.filter(article_pages::article_id.eq(id))).execute(conn)?;
    diesel::delete(article_bylines::table.filter(article_bylines::article_id.eq(id)))
        .execute(conn)?;
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    diesel::delete(article_related::table.filter(article_related::article_id.eq(id)))
        .execute(conn)?;
    insert_children(conn, id, pages, bylines, tags, related)
}

/// Stores the pages, bylines, tags and related links of article `id`, which has none
/// yet, one row at a time (MultiBackend has no batch insert), inside the caller's
/// transaction.
pub fn insert_children(
    conn: &mut AnyConnection,
    id: i64,
    pages: &[String],
    bylines: &[(i64, String)],
    tags: &[String],
    related: &[i64],
) -> QueryResult<()> {
    for (number, body) in (1..).zip(pages) {
        diesel::insert_into(article_pages::table)
            .values((
                article_pages::article_id.eq(id),
                article_pages::page_number.eq(number),
                article_pages::body_html.eq(body),
            ))
            .execute(conn)?;
    }
    for (position, (author_id, role)) in (0..).zip(bylines) {
        diesel::insert_into(article_bylines::table)
            .values((
                article_bylines::article_id.eq(id),
                article_bylines::position.eq(position),
                article_bylines::author_id.eq(author_id),
                article_bylines::role.eq(role),
            ))
            .execute(conn)?;
    }
    for (position, tag) in (0..).zip(tags) {
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(id),
                article_tags::position.eq(position),
                article_tags::tag.eq(tag),
            ))
            .execute(conn)?;
    }
    for (position, related_id) in (0..).zip(related) {
        diesel::insert_into(article_related::table)
            .values((
                article_related::article_id.eq(id),
                article_related::position.eq(position),
                article_related::related_id.eq(related_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_revision(
    conn: &mut AnyConnection,
    article_id: i64,
    version: i64,
    edited_by: Option<i64>,
    edited_at: NaiveDateTime,
    content: &str,
) -> QueryResult<usize> {
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(article_id),
            article_revisions::version.eq(version),
            article_revisions::edited_by.eq(edited_by),
            article_revisions::edited_at.eq(edited_at),
            article_revisions::content.eq(content),
        ))
        .execute(conn)
}

/// Earlier versions, newest first, with the editor's display name.
pub fn revisions(
    conn: &mut AnyConnection,
    article_id: i64,
    page: PageRequest,
) -> QueryResult<(Vec<RevisionRow>, i64)> {
    let total = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .count()
        .get_result(conn)?;
    let rows = article_revisions::table
        .left_join(users::table)
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::version.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select((
            article_revisions::version,
            article_revisions::edited_by,
            users::display_name.nullable(),
            article_revisions::edited_at,
            article_revisions::content,
        ))
        .load(conn)?;
    Ok((rows, total))
}
