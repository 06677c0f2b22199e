//! The media library's rules: who may upload, change and delete; what an upload must
//! carry; files shared by rows with the same image; variants recorded when the worker
//! has made them; files deleted (by the worker) once no row uses them.

use super::process::{self, Encoded, Kind};
use super::repo::{
    self, MediaChanges, MediaFilter, MediaRow, NewMediaRow, StoredFile, StoredFiles,
};
use crate::db::outbox::{self, NewJob, Outbox, kind};
use crate::db::{AnyConnection, write_transaction};
use crate::domain::enums::MediaStatus;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::CurrentUser;
use crate::domain::stored::StoredEnum;
use crate::domain::surrogate::{Changed, Key, Keys};
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::storage::MediaStore;

/// Longest library search (`q`), in characters, as the document states.
pub const QUERY_MAX_CHARS: usize = 200;
pub const ALT_MAX_CHARS: usize = 300;
pub const CAPTION_MAX_CHARS: usize = 1000;
pub const CREDIT_MAX_CHARS: usize = 200;

/// The key of a library file.
pub fn media_key(hash: &str, name: &str) -> String {
    format!("media/{hash}/{name}")
}

/// The public URL path of a library file.
pub fn media_path(hash: &str, name: &str) -> String {
    format!("/media/{hash}/{name}")
}

/// The describing fields of an upload or a change, as sent.
#[derive(Debug, Default)]
pub struct MediaText {
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// The describing fields of a new image, checked.
#[derive(Debug, Clone)]
pub struct CheckedText {
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// Checks an upload's fields before its image is worked on: `alt` is required (a text
/// for readers who cannot see the image).
pub fn check_text(fields: &MediaText) -> Result<CheckedText, ApiError> {
    let mut errors = Vec::new();
    let alt = match &fields.alt {
        Some(alt) => text::required("alt", alt, ALT_MAX_CHARS, &mut errors),
        None => {
            errors.push(FieldError::new(
                "alt",
                "is required: describe the image for readers who cannot see it",
            ));
            String::new()
        }
    };
    let caption = text::optional(
        "caption",
        fields.caption.as_deref(),
        CAPTION_MAX_CHARS,
        &mut errors,
    );
    let credit = text::optional(
        "credit",
        fields.credit.as_deref(),
        CREDIT_MAX_CHARS,
        &mut errors,
    );
    ApiError::check(errors)?;
    Ok(CheckedText {
        alt,
        caption,
        credit,
    })
}

/// An image ready to store: re-encoded, with the upload itself when originals are kept.
pub struct Prepared {
    pub image: Encoded,
    pub hash: String,
    /// `(key, bytes)` of the upload as sent, when `NEWSDESK_MEDIA_KEEP_ORIGINALS` is on.
    pub original: Option<(String, Vec<u8>)>,
}

/// Sniffs, checks and re-encodes an upload (CPU work: run it on a blocking thread).
pub fn prepare(
    field: &str,
    upload: Vec<u8>,
    max_pixels: u64,
    keep_original: bool,
) -> Result<Prepared, ApiError> {
    let image = process::prepare(field, &upload, max_pixels)?;
    let hash = image.hash();
    let original = keep_original.then(|| {
        use sha2::Digest;
        let key = format!("originals/{}", process::hex(&sha2::Sha256::digest(&upload)));
        (key, upload)
    });
    Ok(Prepared {
        image,
        hash,
        original,
    })
}

/// Writes a prepared image's files (blocking I/O: run it on a blocking thread). Writing
/// files that exist already (the same image again) replaces them with the same bytes.
pub fn store_files(store: &MediaStore, prepared: &Prepared) -> Result<(), ApiError> {
    let name = process::original_name(prepared.image.kind);
    store
        .put(&media_key(&prepared.hash, &name), &prepared.image.bytes)
        .map_err(storage_error)?;
    if let Some((key, bytes)) = &prepared.original {
        store.put(key, bytes).map_err(storage_error)?;
    }
    Ok(())
}

pub fn storage_error(err: std::io::Error) -> ApiError {
    ApiError::internal(anyhow::anyhow!("media store: {err}"))
}

fn original_file(image: &Encoded) -> StoredFile {
    StoredFile {
        name: process::original_name(image.kind),
        content_type: image.kind.content_type().into(),
        width: image.width,
        height: image.height,
        bytes: image.bytes.len() as u64,
    }
}

/// A reader's photo (stored privately under `key`, already re-encoded without
/// metadata) copied to the public library files (storage work: a blocking thread).
pub fn promote(store: &MediaStore, key: &str) -> Result<Prepared, ApiError> {
    let bytes = store.get(key).map_err(storage_error)?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("tip photo {key} is missing from the store"))
    })?;
    let kind = process::sniff("photo", &bytes)?;
    let (width, height) =
        image::ImageReader::with_format(std::io::Cursor::new(&bytes), image_format(kind))
            .into_dimensions()
            .map_err(ApiError::internal)?;
    let image = Encoded {
        bytes,
        kind,
        width,
        height,
    };
    let prepared = Prepared {
        hash: image.hash(),
        image,
        original: None,
    };
    store_files(store, &prepared)?;
    Ok(prepared)
}

fn image_format(kind: Kind) -> image::ImageFormat {
    match kind {
        Kind::Jpeg => image::ImageFormat::Jpeg,
        Kind::Png => image::ImageFormat::Png,
        Kind::Gif => image::ImageFormat::Gif,
        Kind::WebP => image::ImageFormat::WebP,
    }
}

/// Adds an image to the library. The same image uploaded again gets its own row (its own
/// alt text, caption and credit, which differ from story to story) sharing the stored
/// files; if that image's variants are made already, the new row has them at once.
pub fn create(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    text: CheckedText,
    prepared: &Prepared,
) -> Result<MediaRow, ApiError> {
    let image = &prepared.image;
    let now = time::now();
    write_transaction(conn, |conn| {
        let twin = repo::ready_with_hash(conn, &prepared.hash)?;
        let (status, files) = match &twin {
            Some(twin) => (MediaStatus::Ready, twin.variants.clone()),
            None => (
                MediaStatus::Processing,
                StoredFiles::of(vec![original_file(image)]).to_json(),
            ),
        };
        let row = NewMediaRow {
            hash: prepared.hash.clone(),
            content_type: image.kind.content_type().into(),
            width: i32::try_from(image.width).unwrap_or(i32::MAX),
            height: i32::try_from(image.height).unwrap_or(i32::MAX),
            bytes: i64::try_from(image.bytes.len()).unwrap_or(i64::MAX),
            alt: text.alt.clone(),
            caption: text.caption.clone(),
            credit: text.credit.clone(),
            status: status.as_str(),
            variants: files,
            original_key: prepared.original.as_ref().map(|(key, _)| key.clone()),
            uploaded_by: actor.account_id(),
        };
        let stored = repo::insert(conn, &row, now)?;
        if twin.is_none() {
            enqueue_variants(conn, &prepared.hash)?;
        }
        Ok(stored)
    })
}

fn enqueue_variants(conn: &mut AnyConnection, hash: &str) -> Result<(), ApiError> {
    let mut job = NewJob::now(kind::MEDIA_VARIANTS, serde_json::json!({ "hash": hash }));
    job.dedupe_key = Some(format!("media-variants-{hash}"));
    outbox::enqueue(conn, job)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: i64) -> Result<MediaRow, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("media"))
}

/// Filters of the library list, as sent.
#[derive(Debug, Default)]
pub struct MediaQuery {
    pub content_type: Option<String>,
    pub uploaded_by: Option<i64>,
    pub q: Option<String>,
}

pub fn list(
    conn: &mut AnyConnection,
    query: MediaQuery,
    page: PageRequest,
) -> Result<Paged<MediaRow>, ApiError> {
    if let Some(content_type) = &query.content_type {
        if Kind::from_content_type(content_type).is_none() {
            return Err(ApiError::invalid(
                "content_type",
                "must be image/jpeg, image/png, image/gif or image/webp",
            ));
        }
    }
    if query
        .q
        .as_deref()
        .is_some_and(|q| q.chars().count() > QUERY_MAX_CHARS)
    {
        return Err(ApiError::invalid(
            "q",
            format!("must be at most {QUERY_MAX_CHARS} characters"),
        ));
    }
    let text = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            q.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        });
    let filter = MediaFilter {
        content_type: query.content_type,
        uploaded_by: query.uploaded_by,
        text,
    };
    Ok(Paged::of(repo::list(conn, &filter, page)?, page))
}

/// A reporter changes and deletes only what they uploaded; editors everything.
fn may_change(actor: CurrentUser, row: &MediaRow) -> Result<(), ApiError> {
    match actor.limited_to_own() {
        Some(me) if row.uploaded_by != Some(me) => Err(ApiError::Forbidden(
            "reporters may change only the images they uploaded".into(),
        )),
        _ => Ok(()),
    }
}

/// Changes to an image's describing fields; `Some(None)` clears.
#[derive(Debug, Default)]
pub struct MediaUpdate {
    pub alt: Option<String>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
}

pub fn update(
    conn: &mut AnyConnection,
    outbox: Outbox,
    actor: CurrentUser,
    id: i64,
    precondition: &IfMatch,
    update: MediaUpdate,
) -> Result<Changed<MediaRow>, ApiError> {
    let mut errors = Vec::new();
    let changes = MediaChanges {
        alt: update
            .alt
            .as_deref()
            .map(|alt| text::required("alt", alt, ALT_MAX_CHARS, &mut errors)),
        caption: update
            .caption
            .as_ref()
            .map(|c| text::optional("caption", c.as_deref(), CAPTION_MAX_CHARS, &mut errors)),
        credit: update
            .credit
            .as_ref()
            .map(|c| text::optional("credit", c.as_deref(), CREDIT_MAX_CHARS, &mut errors)),
    };
    ApiError::check(errors)?;
    outbox.transaction(conn, |conn| {
        let current = get(conn, id)?;
        may_change(actor, &current)?;
        precondition.check(current.version)?;
        let row = repo::update(conn, id, &changes, time::now())?;
        Ok(Changed::new(row, Keys::of([Key::Media(id)])))
    })
}

/// Deletes an image from the library: 409 while an article or author shows it. Its
/// files go (through the job worker) once no other row shares them.
pub fn delete(
    conn: &mut AnyConnection,
    outbox: Outbox,
    actor: CurrentUser,
    id: i64,
    precondition: &IfMatch,
) -> Result<Changed<()>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = get(conn, id)?;
        may_change(actor, &current)?;
        precondition.check(current.version)?;
        let (articles, authors) = repo::users_of(conn, id)?;
        if !articles.is_empty() || !authors.is_empty() {
            let mut users = Vec::new();
            if !articles.is_empty() {
                users.push(format!("articles {articles:?}"));
            }
            if !authors.is_empty() {
                users.push(format!("authors {authors:?}"));
            }
            return Err(ApiError::Conflict(format!(
                "the image is in use by {}; change those first",
                users.join(" and ")
            )));
        }
        repo::delete(conn, id)?;
        if repo::count_with_hash(conn, &current.hash)? == 0 {
            outbox::enqueue(
                conn,
                NewJob::now(
                    kind::MEDIA_DELETE,
                    serde_json::json!({ "hash": current.hash, "original_key": current.original_key }),
                ),
            )?;
        }
        Ok(Changed::new((), Keys::of([Key::Media(id)])))
    })
}

/// Any row with these files (the worker makes variants for all of them at once).
pub fn with_hash(conn: &mut AnyConnection, hash: &str) -> Result<Option<MediaRow>, ApiError> {
    Ok(repo::find_by_hash(conn, hash)?)
}

/// Makes the variants of a stored image and writes them (CPU and storage work; the
/// worker runs it holding no connection). Returns every file of the image.
pub fn make_variants(
    store: &MediaStore,
    row: &MediaRow,
    widths: &[u32],
) -> Result<StoredFiles, String> {
    let kind = Kind::from_content_type(&row.content_type)
        .ok_or_else(|| format!("media {}: unknown type {}", row.id, row.content_type))?;
    let name = process::original_name(kind);
    let original = store
        .get(&media_key(&row.hash, &name))
        .map_err(|e| format!("media store: {e}"))?
        .ok_or_else(|| {
            format!(
                "media {}: {} is missing from the store",
                row.id,
                media_key(&row.hash, &name)
            )
        })?;
    let variants = process::variants(&original, kind, widths)?;
    let mut files = vec![StoredFile {
        name,
        content_type: kind.content_type().into(),
        width: u32::try_from(row.width).unwrap_or(0),
        height: u32::try_from(row.height).unwrap_or(0),
        bytes: original.len() as u64,
    }];
    for variant in variants {
        store
            .put(&media_key(&row.hash, &variant.name), &variant.encoded.bytes)
            .map_err(|e| format!("media store: {e}"))?;
        files.push(StoredFile {
            name: variant.name,
            content_type: variant.encoded.kind.content_type().into(),
            width: variant.encoded.width,
            height: variant.encoded.height,
            bytes: variant.encoded.bytes.len() as u64,
        });
    }
    Ok(StoredFiles::of(files))
}

/// Records the variants of every row with `hash`; articles and authors showing them are
/// purged (their answers embed the variants).
pub fn record_variants(
    conn: &mut AnyConnection,
    outbox: Outbox,
    hash: &str,
    files: &StoredFiles,
) -> Result<Changed<Vec<i64>>, ApiError> {
    outbox.transaction(conn, |conn| {
        let ids = repo::set_files(conn, hash, files, time::now())?;
        let keys = Keys::of(ids.iter().map(|id| Key::Media(*id)));
        Ok(Changed::new(ids.clone(), keys))
    })
}

/// Deletes the files of `hash` once no row uses them (a row added since keeps them).
pub fn delete_files(
    conn: &mut AnyConnection,
    store: &MediaStore,
    hash: &str,
    original_key: Option<&str>,
) -> Result<usize, String> {
    let in_use = repo::count_with_hash(conn, hash).map_err(|e| format!("database: {e}"))?;
    if in_use > 0 {
        return Ok(0);
    }
    let keys = store
        .list(&format!("media/{hash}/"))
        .map_err(|e| format!("media store: {e}"))?;
    for key in &keys {
        store.delete(key).map_err(|e| format!("media store: {e}"))?;
    }
    if let Some(key) = original_key {
        store.delete(key).map_err(|e| format!("media store: {e}"))?;
    }
    Ok(keys.len())
}

/// What `newsdesk media verify` found.
#[derive(Debug, Default)]
pub struct Verified {
    /// Files in the store.
    pub checked: usize,
    /// Files the database names that the store lacks.
    pub missing: Vec<String>,
    /// Files in the store no row names.
    pub orphaned: Vec<String>,
}

/// Compares the store with the library and the tip photos.
pub fn verify(conn: &mut AnyConnection, store: &MediaStore) -> Result<Verified, ApiError> {
    use std::collections::BTreeSet;
    let mut expected = BTreeSet::new();
    for (hash, files) in repo::all_hashes(conn)? {
        let files: StoredFiles = serde_json::from_str(&files).map_err(ApiError::internal)?;
        expected.extend(files.files.iter().map(|f| media_key(&hash, &f.name)));
    }
    expected.extend(repo::original_keys(conn)?);
    expected.extend(repo::tip_photo_keys(conn)?);
    let mut present = BTreeSet::new();
    for prefix in ["media/", "originals/", "tips/"] {
        present.extend(store.list(prefix).map_err(storage_error)?);
    }
    Ok(Verified {
        checked: present.len(),
        missing: expected.difference(&present).cloned().collect(),
        orphaned: present.difference(&expected).cloned().collect(),
    })
}
