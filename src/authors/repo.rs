//! Author rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_bylines, authors};
use crate::db::{self, AnyConnection};
use crate::domain::paging::PageRequest;
use crate::domain::slug::IdOrSlug;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    /// The library image shown as the avatar.
    pub avatar_media_id: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct NewAuthorRow {
    pub slug: String,
    pub name: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub avatar_media_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// Columns a PATCH may change; the outer `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub avatar_media_id: Option<Option<i64>>,
    pub user_id: Option<Option<i64>>,
}

pub fn find(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<AuthorRow>> {
    let query = authors::table.select(AuthorRow::as_select());
    match key {
        IdOrSlug::Id(id) => query.filter(authors::id.eq(id)).first(conn),
        IdOrSlug::Slug(slug) => query.filter(authors::slug.eq(slug)).first(conn),
    }
    .optional()
}

/// The ids among `ids` that name an author.
pub fn existing_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    authors::table
        .filter(db::ids::one_of(authors::id, ids))
        .select(authors::id)
        .load(conn)
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> QueryResult<(Vec<AuthorRow>, i64)> {
    let total = authors::table.count().get_result(conn)?;
    let rows = authors::table
        .order(authors::id.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(AuthorRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn count_bylines(conn: &mut AnyConnection, id: i64) -> QueryResult<i64> {
    article_bylines::table
        .filter(article_bylines::author_id.eq(id))
        .count()
        .get_result(conn)
}

/// Inserts `row` at version 1, stamped `now`.
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewAuthorRow,
    now: NaiveDateTime,
) -> QueryResult<AuthorRow> {
    diesel::insert_into(authors::table)
        .values((
            row,
            authors::created_at.eq(now),
            authors::updated_at.eq(now),
            authors::version.eq(1),
        ))
        .returning(authors::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &AuthorChanges,
    now: NaiveDateTime,
) -> QueryResult<AuthorRow> {
    diesel::update(authors::table.find(id))
        .set((
            changes,
            authors::updated_at.eq(now),
            authors::version.eq(authors::version + 1),
        ))
        .returning(authors::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(authors::table.find(id)).execute(conn)
}
