//! Tip line and tip rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::service::{TipLineKind, TipStatus};
use crate::db::schema::{tip_lines, tips};
use crate::db::{AnyConnection, MultiBackend};
use crate::domain::paging::PageRequest;
use crate::domain::stored::StoredEnum;
use crate::domain::visibility::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tip_lines)]
pub struct TipLineRow {
    pub id: i64,
    pub channel_id: i64,
    #[diesel(deserialize_as = String)]
    pub kind: TipLineKind,
    pub label: String,
    pub value: String,
    pub position: i32,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

/// The columns a tip-line write sets.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = tip_lines)]
pub struct TipLineFields {
    pub channel_id: i64,
    pub kind: &'static str,
    pub label: String,
    pub value: String,
    pub position: i32,
    pub active: bool,
}

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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

/// The inbox columns an editor may change.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = tips, treat_none_as_null = true)]
pub struct TipTriage {
    pub status: &'static str,
    pub assignee_id: Option<i64>,
    pub article_id: Option<i64>,
}

/// Tip lines of one channel or all, in display order; inactive ones only for those who
/// see everything.
pub fn list(
    conn: &mut AnyConnection,
    channel: Option<i64>,
    visibility: Visibility,
) -> QueryResult<Vec<TipLineRow>> {
    let mut query: tip_lines::BoxedQuery<'_, MultiBackend> = tip_lines::table.into_boxed();
    if let Some(channel) = channel {
        query = query.filter(tip_lines::channel_id.eq(channel));
    }
    if !visibility.sees_everything() {
        query = query.filter(tip_lines::active.eq(true));
    }
    query
        .order((
            tip_lines::channel_id.asc(),
            tip_lines::position.asc(),
            tip_lines::id.asc(),
        ))
        .select(TipLineRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<TipLineRow>> {
    tip_lines::table
        .find(id)
        .select(TipLineRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut AnyConnection,
    fields: &TipLineFields,
    now: NaiveDateTime,
) -> QueryResult<TipLineRow> {
    diesel::insert_into(tip_lines::table)
        .values((
            fields,
            tip_lines::created_at.eq(now),
            tip_lines::updated_at.eq(now),
            tip_lines::version.eq(1),
        ))
        .returning(tip_lines::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    fields: &TipLineFields,
    now: NaiveDateTime,
) -> QueryResult<TipLineRow> {
    diesel::update(tip_lines::table.find(id))
        .set((
            fields,
            tip_lines::updated_at.eq(now),
            tip_lines::version.eq(tip_lines::version + 1),
        ))
        .returning(tip_lines::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(tip_lines::table.find(id)).execute(conn)
}

pub fn insert_tip(conn: &mut AnyConnection, row: &NewTipRow) -> QueryResult<TipRow> {
    diesel::insert_into(tips::table)
        .values(row)
        .returning(tips::all_columns)
        .get_result(conn)
}

pub fn find_tip(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<TipRow>> {
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
    if let Some(status) = &filter.status {
        query = query.filter(tips::status.eq(status.as_str()));
    }
    if let Some(channel) = filter.channel_id {
        query = query.filter(tips::channel_id.eq(channel));
    }
    if let Some(assignee) = filter.assignee_id {
        query = query.filter(tips::assignee_id.eq(assignee));
    }
    query
}

/// Newest first.
pub fn list_tips(
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

pub fn triage_tip(
    conn: &mut AnyConnection,
    id: i64,
    triage: &TipTriage,
    now: NaiveDateTime,
) -> QueryResult<TipRow> {
    diesel::update(tips::table.find(id))
        .set((
            triage,
            tips::updated_at.eq(now),
            tips::version.eq(tips::version + 1),
        ))
        .returning(tips::all_columns)
        .get_result(conn)
}
