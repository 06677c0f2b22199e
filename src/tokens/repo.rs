//! API-token rows. Only SHA-256 digests of the tokens are stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::api_tokens;
use crate::domain::enums::TokenScope;
use crate::domain::paging::PageRequest;

/// A token as its list and detail show it: everything but the digest.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub scope: TokenScope,
    pub hint: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

/// What authenticating with a token needs of its row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenCheckRow {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub scope: TokenScope,
    pub token_hash: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiTokenRow {
    pub name: String,
    pub scope: &'static str,
    pub token_hash: String,
    pub hint: String,
    pub created_by: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
}

/// Inserts `row`, stamped `now`.
pub fn insert(
    conn: &mut AnyConnection,
    row: &NewApiTokenRow,
    now: NaiveDateTime,
) -> QueryResult<ApiTokenRow> {
    diesel::insert_into(api_tokens::table)
        .values((row, api_tokens::created_at.eq(now)))
        // In `ApiTokenRow`'s order: `as_returning` has no MultiBackend form.
        .returning((
            api_tokens::id,
            api_tokens::name,
            api_tokens::scope,
            api_tokens::hint,
            api_tokens::created_by,
            api_tokens::created_at,
            api_tokens::expires_at,
            api_tokens::last_used_at,
        ))
        .get_result(conn)
}

/// A token not revoked: a revoked one is gone from the API, its row kept only so that a
/// request still sending it is told it was revoked.
pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .find(id)
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> QueryResult<Option<TokenCheckRow>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(TokenCheckRow::as_select())
        .first(conn)
        .optional()
}

/// Newest first, expired ones included; never revoked ones.
pub fn list(conn: &mut AnyConnection, page: PageRequest) -> QueryResult<(Vec<ApiTokenRow>, i64)> {
    let live = || api_tokens::table.filter(api_tokens::revoked_at.is_null());
    let total = live().count().get_result(conn)?;
    let rows = live()
        .order(api_tokens::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(ApiTokenRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Stamps `revoked_at` on a token not yet revoked; a revoked one keeps its first time.
pub fn revoke(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)
}

/// Sets `last_used_at` to `now` unless it is already `stale_before` or later: one
/// statement, so concurrent uses never move it back.
pub fn touch(
    conn: &mut AnyConnection,
    id: i64,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table.find(id).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.lt(stale_before)),
        ),
    )
    .set(api_tokens::last_used_at.eq(now))
    .execute(conn)
}
