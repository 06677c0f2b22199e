//! Comment rows, and the approved-comment count kept on articles.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{articles, comments};
use crate::db::{AnyConnection, MultiBackend};
use crate::domain::enums::CommentStatus;
use crate::domain::paging::PageRequest;
use crate::domain::stored::StoredEnum;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author_name: String,
    pub body: String,
    #[diesel(deserialize_as = String)]
    pub status: CommentStatus,
    pub client_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewCommentRow {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author_name: String,
    pub body: String,
    pub status: &'static str,
    pub client_hash: String,
}

/// Filters of comment lists.
pub struct CommentFilter {
    pub article_id: Option<i64>,
    pub status: CommentStatus,
}

fn filtered(filter: &CommentFilter) -> comments::BoxedQuery<'_, MultiBackend> {
    let mut query = comments::table
        .into_boxed()
        .filter(comments::status.eq(filter.status.as_str()));
    if let Some(article) = filter.article_id {
        query = query.filter(comments::article_id.eq(article));
    }
    query
}

/// Oldest first, as conversations read.
pub fn list(
    conn: &mut AnyConnection,
    filter: &CommentFilter,
    page: PageRequest,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((comments::created_at.asc(), comments::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(CommentRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<CommentRow>> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

/// The last comment `client_hash` left on the article.
pub fn latest_by_client(
    conn: &mut AnyConnection,
    client_hash: &str,
    article_id: i64,
) -> QueryResult<Option<CommentRow>> {
    comments::table
        .filter(comments::client_hash.eq(client_hash))
        .filter(comments::article_id.eq(article_id))
        .order((comments::created_at.desc(), comments::id.desc()))
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts `row` at version 1, stamped `now`.
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewCommentRow,
    now: NaiveDateTime,
) -> QueryResult<CommentRow> {
    diesel::insert_into(comments::table)
        .values((
            row,
            comments::created_at.eq(now),
            comments::updated_at.eq(now),
            comments::version.eq(1),
        ))
        .returning(comments::all_columns)
        .get_result(conn)
}

pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: CommentStatus,
    now: NaiveDateTime,
) -> QueryResult<CommentRow> {
    diesel::update(comments::table.find(id))
        .set((
            comments::status.eq(status.as_str()),
            comments::updated_at.eq(now),
            comments::version.eq(comments::version + 1),
        ))
        .returning(comments::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(comments::table.find(id)).execute(conn)
}

/// Sets the article's `comment_count` to its approved comments, inside the caller's
/// transaction, so the count is exact after every change.
pub fn recount(conn: &mut AnyConnection, article_id: i64) -> QueryResult<()> {
    let approved: i64 = comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .count()
        .get_result(conn)?;
    diesel::update(articles::table.find(article_id))
        .set(articles::comment_count.eq(approved))
        .execute(conn)?;
    Ok(())
}
