//! Tip rows: the inbox.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tips;
use crate::db::{AnyConnection, MultiBackend};
use crate::domain::enums::TipStatus;
use crate::domain::paging::PageRequest;
use crate::domain::stored::StoredEnum;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tips)]
pub struct TipRow {
    pub id: i64,
    pub channel_id: Option<i64>,
    pub content: String,
    pub contact: Option<String>,
    pub name: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: TipStatus,
    pub assignee_id: Option<i64>,
    pub article_id: Option<i64>,
    pub client_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tips)]
pub struct NewTipRow {
    pub channel_id: Option<i64>,
    pub content: String,
    pub contact: Option<String>,
    pub name: Option<String>,
    pub status: &'static str,
    pub client_hash: String,
}

/// The inbox columns an editor may change.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = tips, treat_none_as_null = true)]
pub struct TipChanges {
    pub status: &'static str,
    pub assignee_id: Option<i64>,
    pub article_id: Option<i64>,
}

/// Inserts `row` at version 1, stamped `now`.
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewTipRow,
    now: NaiveDateTime,
) -> QueryResult<TipRow> {
    diesel::insert_into(tips::table)
        .values((
            row,
            tips::created_at.eq(now),
            tips::updated_at.eq(now),
            tips::version.eq(1),
        ))
        .returning(tips::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<TipRow>> {
    tips::table
        .find(id)
        .select(TipRow::as_select())
        .first(conn)
        .optional()
}

/// Filters of the tip inbox.
pub struct TipFilter {
    pub status: Option<TipStatus>,
    pub channel_id: Option<i64>,
    pub assignee_id: Option<i64>,
}

fn filtered(filter: &TipFilter) -> tips::BoxedQuery<'_, MultiBackend> {
    let mut query = tips::table.into_boxed();
    query = match &filter.status {
        Some(status) => query.filter(tips::status.eq(status.as_str())),
        // Spam is looked at only when asked for.
        None => query.filter(tips::status.ne(TipStatus::Spam.as_str())),
    };
    if let Some(channel) = filter.channel_id {
        query = query.filter(tips::channel_id.eq(channel));
    }
    if let Some(assignee) = filter.assignee_id {
        query = query.filter(tips::assignee_id.eq(assignee));
    }
    query
}

/// Newest first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &TipFilter,
    page: PageRequest,
) -> QueryResult<(Vec<TipRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((tips::created_at.desc(), tips::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(TipRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &TipChanges,
    now: NaiveDateTime,
) -> QueryResult<TipRow> {
    diesel::update(tips::table.find(id))
        .set((
            changes,
            tips::updated_at.eq(now),
            tips::version.eq(tips::version + 1),
        ))
        .returning(tips::all_columns)
        .get_result(conn)
}
