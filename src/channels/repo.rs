//! Channel rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{channel_links, channels};
use crate::domain::enums::ChannelLinkKind;
use crate::domain::slug::IdOrSlug;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channels)]
pub struct ChannelRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    pub auto_approve_comments: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = channels)]
pub struct NewChannelRow {
    pub slug: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub description: Option<String>,
    pub auto_approve_comments: bool,
}

/// Columns a PATCH may change; the outer `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = channels)]
pub struct ChannelChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub parent_id: Option<Option<i64>>,
    pub position: Option<i32>,
    pub description: Option<Option<String>>,
    pub auto_approve_comments: Option<bool>,
}

/// Every channel, siblings in display order. The tree is small (a portal has tens to
/// hundreds of channels), so walking it happens in memory after one query.
pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<ChannelRow>> {
    channels::table
        .order((channels::position.asc(), channels::id.asc()))
        .select(ChannelRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<ChannelRow>> {
    let query = channels::table.select(ChannelRow::as_select());
    match key {
        IdOrSlug::Id(id) => query.filter(channels::id.eq(id)).first(conn),
        IdOrSlug::Slug(slug) => query.filter(channels::slug.eq(slug)).first(conn),
    }
    .optional()
}

/// The id of the channel `key` names, if any.
pub fn id_of(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<i64>> {
    Ok(find(conn, key)?.map(|c| c.id))
}

pub fn exists(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(channels::table.find(id))).get_result(conn)
}

pub fn count_children(conn: &mut AnyConnection, id: i64) -> QueryResult<i64> {
    channels::table
        .filter(channels::parent_id.eq(id))
        .count()
        .get_result(conn)
}

/// The position after the last sibling under `parent`.
pub fn next_position(conn: &mut AnyConnection, parent: Option<i64>) -> QueryResult<i32> {
    let query = channels::table.select(diesel::dsl::max(channels::position));
    let max: Option<i32> = match parent {
        Some(parent) => query.filter(channels::parent_id.eq(parent)).first(conn)?,
        None => query.filter(channels::parent_id.is_null()).first(conn)?,
    };
    Ok(max.map_or(0, |m| m.saturating_add(1)))
}

/// Inserts `row` at version 1, stamped `now`.
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewChannelRow,
    now: NaiveDateTime,
) -> QueryResult<ChannelRow> {
    diesel::insert_into(channels::table)
        .values((
            row,
            channels::created_at.eq(now),
            channels::updated_at.eq(now),
            channels::version.eq(1),
        ))
        .returning(channels::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &ChannelChanges,
    now: NaiveDateTime,
) -> QueryResult<ChannelRow> {
    diesel::update(channels::table.find(id))
        .set((
            changes,
            channels::updated_at.eq(now),
            channels::version.eq(channels::version + 1),
        ))
        .returning(channels::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(channels::table.find(id)).execute(conn)
}

/// One of a channel's outside links.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channel_links)]
pub struct ChannelLinkRow {
    pub id: i64,
    pub channel_id: i64,
    pub position: i32,
    #[diesel(deserialize_as = String)]
    pub kind: ChannelLinkKind,
    pub label: String,
    pub value: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = channel_links)]
pub struct NewChannelLinkRow {
    pub channel_id: i64,
    pub position: i32,
    pub kind: &'static str,
    pub label: String,
    pub value: Option<String>,
    pub url: Option<String>,
}

/// The outside links of the channels `ids` (all channels with `None`), in display order.
pub fn links(conn: &mut AnyConnection, ids: Option<&[i64]>) -> QueryResult<Vec<ChannelLinkRow>> {
    let mut query = channel_links::table
        .select(ChannelLinkRow::as_select())
        .order((
            channel_links::channel_id.asc(),
            channel_links::position.asc(),
            channel_links::id.asc(),
        ))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(channel_links::channel_id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// Replaces the outside links of channel `id` with `rows`, in their order.
pub fn replace_links(
    conn: &mut AnyConnection,
    id: i64,
    rows: &[NewChannelLinkRow],
) -> QueryResult<()> {
    diesel::delete(channel_links::table.filter(channel_links::channel_id.eq(id))).execute(conn)?;
    for row in rows {
        diesel::insert_into(channel_links::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}
