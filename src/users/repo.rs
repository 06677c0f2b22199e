//! Account rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::users;
use crate::domain::paging::PageRequest;
use crate::domain::role::Role;
use crate::domain::stored::StoredEnum;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    #[diesel(deserialize_as = String)]
    pub role: Role,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: &'static str,
    pub active: bool,
}

/// Columns a PATCH may change; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<&'static str>,
    pub active: Option<bool>,
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> QueryResult<(Vec<UserRow>, i64)> {
    let total = users::table.count().get_result(conn)?;
    let rows = users::table
        .order(users::id.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn count_active_admins(conn: &mut AnyConnection) -> QueryResult<i64> {
    users::table
        .filter(
            users::role
                .eq(Role::Admin.as_str())
                .and(users::active.eq(true)),
        )
        .count()
        .get_result(conn)
}

/// Inserts `row` at version 1, stamped `now`.
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewUserRow,
    now: NaiveDateTime,
) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values((
            row,
            users::created_at.eq(now),
            users::updated_at.eq(now),
            users::version.eq(1),
        ))
        .returning(users::all_columns)
        .get_result(conn)
}

/// Applies `changes` and bumps the version, stamping `updated_at`.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((
            changes,
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}
