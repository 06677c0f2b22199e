//! Media rows (the library) and tip photo rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{articles, authors, media, tip_photos};
use crate::db::{self, AnyConnection, MultiBackend};
use crate::domain::enums::MediaStatus;
use crate::domain::paging::PageRequest;
use crate::domain::stored::StoredEnum;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i64,
    pub hash: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: MediaStatus,
    /// [`StoredFiles`] as JSON.
    pub variants: String,
    pub original_key: Option<String>,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl MediaRow {
    /// The files made so far; an unreadable value is an error naming the column.
    pub fn files(&self) -> Result<StoredFiles, String> {
        serde_json::from_str(&self.variants)
            .map_err(|e| format!("media.variants of media {}: {e}", self.id))
    }
}

/// The files of a library image as kept in `media.variants`: a private format, version 1.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredFiles {
    pub format: u32,
    pub files: Vec<StoredFile>,
}

/// One file under `media/<hash>/`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

impl StoredFiles {
    pub fn of(files: Vec<StoredFile>) -> Self {
        Self { format: 1, files }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"format\":1,\"files\":[]}".into())
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = media)]
pub struct NewMediaRow {
    pub hash: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub status: &'static str,
    pub variants: String,
    pub original_key: Option<String>,
    pub uploaded_by: Option<i64>,
}

/// What a PATCH may change; the outer `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChanges {
    pub alt: Option<String>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
}

pub fn insert(
    conn: &mut AnyConnection,
    row: &NewMediaRow,
    now: NaiveDateTime,
) -> QueryResult<MediaRow> {
    diesel::insert_into(media::table)
        .values((
            row,
            media::created_at.eq(now),
            media::updated_at.eq(now),
            media::version.eq(1),
        ))
        .returning(media::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<MediaRow>> {
    media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

/// The rows among `ids` that exist.
pub fn find_many(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<MediaRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media::table
        .filter(db::ids::one_of(media::id, ids))
        .select(MediaRow::as_select())
        .load(conn)
}

/// A row with the same files whose variants are made already, if any.
pub fn ready_with_hash(conn: &mut AnyConnection, hash: &str) -> QueryResult<Option<MediaRow>> {
    media::table
        .filter(media::hash.eq(hash))
        .filter(media::status.eq(MediaStatus::Ready.as_str()))
        .order(media::id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_hash(conn: &mut AnyConnection, hash: &str) -> QueryResult<Option<MediaRow>> {
    media::table
        .filter(media::hash.eq(hash))
        .order(media::id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

pub fn count_with_hash(conn: &mut AnyConnection, hash: &str) -> QueryResult<i64> {
    media::table
        .filter(media::hash.eq(hash))
        .count()
        .get_result(conn)
}

/// Every hash the library uses, for `newsdesk media verify`.
pub fn all_hashes(conn: &mut AnyConnection) -> QueryResult<Vec<(String, String)>> {
    media::table
        .select((media::hash, media::variants))
        .load(conn)
}

/// Every kept upload, for `newsdesk media verify`.
pub fn original_keys(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    media::table
        .filter(media::original_key.is_not_null())
        .select(media::original_key.assume_not_null())
        .load(conn)
}

/// Filters of the library list.
#[derive(Debug, Default)]
pub struct MediaFilter {
    pub content_type: Option<String>,
    pub uploaded_by: Option<i64>,
    /// Words in the alt text, caption or credit (lowercased, `%`/`_` escaped).
    pub text: Option<String>,
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
diesel::define_sql_function!(fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::Text>, y: diesel::sql_types::Text) -> diesel::sql_types::Text);

fn filtered(filter: &MediaFilter) -> media::BoxedQuery<'_, MultiBackend> {
    let mut query = media::table.into_boxed();
    if let Some(content_type) = &filter.content_type {
        query = query.filter(media::content_type.eq(content_type));
    }
    if let Some(user) = filter.uploaded_by {
        query = query.filter(media::uploaded_by.eq(user));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{text}%");
        query = query.filter(
            lower(media::alt)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(coalesce(media::caption, ""))
                    .like(pattern.clone())
                    .escape('\\'))
                .or(lower(coalesce(media::credit, ""))
                    .like(pattern)
                    .escape('\\')),
        );
    }
    query
}

/// Newest first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &MediaFilter,
    page: PageRequest,
) -> QueryResult<(Vec<MediaRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((media::created_at.desc(), media::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(MediaRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &MediaChanges,
    now: NaiveDateTime,
) -> QueryResult<MediaRow> {
    diesel::update(media::table.find(id))
        .set((
            changes,
            media::updated_at.eq(now),
            media::version.eq(media::version + 1),
        ))
        .returning(media::all_columns)
        .get_result(conn)
}

/// Records the variants made for every row with `hash` (rows share files); the version
/// is not changed, as no editor's change is lost by it.
pub fn set_files(
    conn: &mut AnyConnection,
    hash: &str,
    files: &StoredFiles,
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    diesel::update(media::table.filter(media::hash.eq(hash)))
        .set((
            media::variants.eq(files.to_json()),
            media::status.eq(MediaStatus::Ready.as_str()),
            media::updated_at.eq(now),
        ))
        .returning(media::id)
        .get_results(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(media::table.find(id)).execute(conn)
}

/// The articles and authors that show this image.
pub fn users_of(conn: &mut AnyConnection, id: i64) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    let articles = articles::table
        .filter(articles::cover_media_id.eq(id))
        .select(articles::id)
        .order(articles::id)
        .load(conn)?;
    let authors = authors::table
        .filter(authors::avatar_media_id.eq(id))
        .select(authors::id)
        .order(authors::id)
        .load(conn)?;
    Ok((articles, authors))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tip_photos)]
pub struct TipPhotoRow {
    pub id: i64,
    pub tip_id: i64,
    pub position: i32,
    pub storage_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tip_photos)]
pub struct NewTipPhotoRow {
    pub tip_id: i64,
    pub position: i32,
    pub storage_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert_tip_photo(conn: &mut AnyConnection, row: &NewTipPhotoRow) -> QueryResult<()> {
    diesel::insert_into(tip_photos::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// A tip's photos in the order sent.
pub fn tip_photos(conn: &mut AnyConnection, tip_ids: &[i64]) -> QueryResult<Vec<TipPhotoRow>> {
    if tip_ids.is_empty() {
        return Ok(Vec::new());
    }
    tip_photos::table
        .filter(tip_photos::tip_id.eq_any(tip_ids))
        .order((tip_photos::tip_id, tip_photos::position))
        .select(TipPhotoRow::as_select())
        .load(conn)
}

/// Every private key in use, for `newsdesk media verify`.
pub fn tip_photo_keys(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    tip_photos::table.select(tip_photos::storage_key).load(conn)
}
