//! Tip line rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tip_lines;
use crate::db::{AnyConnection, MultiBackend};
use crate::domain::enums::TipLineKind;
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

/// The columns an insert sets (the repo stamps times and the version).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = tip_lines)]
pub struct NewTipLineRow {
    pub channel_id: i64,
    pub kind: &'static str,
    pub label: String,
    pub value: String,
    pub position: i32,
    pub active: bool,
}

/// An update writes every column: a tip line's value is checked against its kind, so
/// the service builds the whole new state.
pub type TipLineChanges = NewTipLineRow;

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
    row: &NewTipLineRow,
    now: NaiveDateTime,
) -> QueryResult<TipLineRow> {
    diesel::insert_into(tip_lines::table)
        .values((
            row,
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
    changes: &TipLineChanges,
    now: NaiveDateTime,
) -> QueryResult<TipLineRow> {
    diesel::update(tip_lines::table.find(id))
        .set((
            changes,
            tip_lines::updated_at.eq(now),
            tip_lines::version.eq(tip_lines::version + 1),
        ))
        .returning(tip_lines::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(tip_lines::table.find(id)).execute(conn)
}
