//! The narrow reads sitemaps need: public articles by id, a few columns each, one sitemap
//! file at a time, never the whole table at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::articles::repo::visible;
use crate::db::AnyConnection;
use crate::db::schema::articles;
use crate::domain::visibility::Visibility;

/// What a sitemap says of an article.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct SitemapRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub channel_id: i64,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// How many articles are public at `now`.
pub fn count_public(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<i64> {
    articles::table
        .filter(visible(Visibility::Public, now))
        .count()
        .get_result(conn)
}

/// The public articles of sitemap file `index` (from 0) when each holds `limit`, by id:
/// a file keeps its articles as new ones are published (they go to the last file).
pub fn public_by_id(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    index: i64,
    limit: i64,
) -> QueryResult<Vec<SitemapRow>> {
    articles::table
        .filter(visible(Visibility::Public, now))
        .order(articles::id.asc())
        .offset(index.saturating_mul(limit))
        .limit(limit)
        .select(SitemapRow::as_select())
        .load(conn)
}

/// The public articles that became public in `[since, now]` (archived ones are not
/// public), newest first, at most
/// `limit` (Google News reads 1,000 per sitemap).
pub fn published_since(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<SitemapRow>> {
    articles::table
        .filter(visible(Visibility::Public, now))
        .filter(articles::published_at.ge(since))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .select(SitemapRow::as_select())
        .load(conn)
}

/// The newest change among public articles (`updated_at` or the moment one became
/// public), for `Last-Modified`.
pub fn last_change(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let updated: Option<NaiveDateTime> = articles::table
        .filter(visible(Visibility::Public, now))
        .select(diesel::dsl::max(articles::updated_at))
        .first(conn)?;
    let published: Option<NaiveDateTime> = articles::table
        .filter(visible(Visibility::Public, now))
        .select(diesel::dsl::max(articles::published_at))
        .first(conn)?;
    Ok(updated.max(published))
}
