//! The tip inbox: public submissions with abuse limits, triage by editors, reporters
//! seeing what is assigned to them.

use super::repo::{self, NewTipRow, TipChanges, TipFilter, TipRow};
use crate::articles::repo as articles;
use crate::channels::repo as channels;
use crate::db::outbox;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::enums::TipStatus;
use crate::domain::event::{Event, EventType};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::media::process::{self, Kind};
use crate::media::repo::{self as media_repo, NewTipPhotoRow, TipPhotoRow};
use crate::state::ClientTrace;
use crate::storage::MediaStore;
use crate::users::repo as users;

pub const TIP_MAX_CHARS: usize = 5000;

/// A reader's tip as sent.
pub struct NewTip {
    pub channel_id: i64,
    pub content: String,
    pub contact: Option<String>,
    pub name: Option<String>,
    /// The hidden form field only bots fill in.
    pub honeypot: Option<String>,
    /// Photos sent with it, already stored privately (see [`store_photos`]).
    pub photos: Vec<StoredPhoto>,
}

/// A reader's photo, re-encoded without metadata and stored under `tips/`.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub key: String,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// A tip with its photos, as the newsroom sees it.
pub struct TipView {
    pub row: TipRow,
    pub photos: Vec<TipPhotoRow>,
}

/// Proof that a public write was counted against its sender's limit.
pub struct Admitted(());

/// Counts a tip against its sender's limit (429 past it): first, before any work is
/// done on what it carries.
pub fn admit(client: &ClientTrace) -> Result<Admitted, ApiError> {
    client.spend()?;
    Ok(Admitted(()))
}

/// Checks the text of a tip before its photos are worked on (the channel is checked
/// when it is stored).
pub fn check_text(tip: &NewTip) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    text::required("content", &tip.content, TIP_MAX_CHARS, &mut errors);
    text::optional("contact", tip.contact.as_deref(), 100, &mut errors);
    text::optional("name", tip.name.as_deref(), 50, &mut errors);
    ApiError::check(errors)
}

/// Re-encodes readers' photos without metadata (GPS positions above all) and stores
/// them privately, apart from the public `/media/` files (CPU and storage work: run it
/// on a blocking thread).
pub fn store_photos(
    store: &MediaStore,
    uploads: Vec<Vec<u8>>,
    max_pixels: u64,
) -> Result<Vec<StoredPhoto>, ApiError> {
    let mut photos = Vec::new();
    for (i, upload) in uploads.into_iter().enumerate() {
        let image = process::prepare(&format!("photos.{i}"), &upload, max_pixels)?;
        let key = photo_key(&image.hash(), image.kind);
        store
            .put(&key, &image.bytes)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("media store: {e}")))?;
        photos.push(StoredPhoto {
            key,
            content_type: image.kind.content_type(),
            width: image.width,
            height: image.height,
            bytes: image.bytes.len() as u64,
        });
    }
    Ok(photos)
}

/// The private key of a reader's photo.
pub fn photo_key(hash: &str, kind: Kind) -> String {
    format!("tips/{hash}.{}", kind.extension())
}

/// Stores a tip. One whose honeypot was filled is stored as `spam`, and its sender
/// gets the same receipt as anyone else, so a bot cannot tell that it was caught.
pub fn send(
    conn: &mut AnyConnection,
    _: Admitted,
    tip: NewTip,
    client: &ClientTrace,
) -> Result<TipRow, ApiError> {
    let mut errors = Vec::new();
    let content = text::required("content", &tip.content, TIP_MAX_CHARS, &mut errors);
    let contact = text::optional("contact", tip.contact.as_deref(), 100, &mut errors);
    let name = text::optional("name", tip.name.as_deref(), 50, &mut errors);
    if !channels::exists(conn, tip.channel_id)? {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    ApiError::check(errors)?;
    let status = if tip.honeypot.is_some_and(|h| !h.trim().is_empty()) {
        log::info!("set aside a tip whose honeypot field was filled");
        TipStatus::Spam
    } else {
        TipStatus::New
    };
    let now = time::now();
    let tip_photos = tip.photos;
    let row = NewTipRow {
        channel_id: Some(tip.channel_id),
        content,
        contact,
        name,
        status: status.as_str(),
        client_hash: client.hash.clone(),
    };
    write_transaction(conn, |conn| {
        let tip = repo::insert(conn, &row, now)?;
        for (position, photo) in tip_photos.iter().enumerate() {
            media_repo::insert_tip_photo(
                conn,
                &NewTipPhotoRow {
                    tip_id: tip.id,
                    position: i32::try_from(position + 1).unwrap_or(i32::MAX),
                    storage_key: photo.key.clone(),
                    content_type: photo.content_type.into(),
                    width: i32::try_from(photo.width).unwrap_or(i32::MAX),
                    height: i32::try_from(photo.height).unwrap_or(i32::MAX),
                    bytes: i64::try_from(photo.bytes).unwrap_or(i64::MAX),
                    created_at: now,
                },
            )?;
        }
        // A tip set aside as spam is not announced.
        if status != TipStatus::Spam {
            outbox::record_events(conn, &[Event::new(EventType::TipReceived, tip.id)])?;
        }
        Ok(tip)
    })
}

/// Editors see every tip; reporters only those assigned to them.
fn assigned_only(actor: CurrentUser) -> Option<i64> {
    actor.limited_to_own()
}

pub fn list(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    status: Option<TipStatus>,
    channel: Option<&str>,
    page: PageRequest,
) -> Result<Paged<TipView>, ApiError> {
    let channel_id = match channel {
        Some(raw) => match channels::id_of(conn, &IdOrSlug::parse(raw))? {
            Some(id) => Some(id),
            None => {
                return Ok(Paged::empty(page));
            }
        },
        None => None,
    };
    let filter = TipFilter {
        status,
        channel_id,
        assignee_id: assigned_only(actor),
    };
    let (rows, total) = repo::list(conn, &filter, page)?;
    Ok(Paged::of((with_photos(conn, rows)?, total), page))
}

fn with_photos(conn: &mut AnyConnection, rows: Vec<TipRow>) -> Result<Vec<TipView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut photos = media_repo::tip_photos(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest) = photos.drain(..).partition(|p| p.tip_id == row.id);
            photos = rest;
            TipView { row, photos: mine }
        })
        .collect())
}

fn one_with_photos(conn: &mut AnyConnection, row: TipRow) -> Result<TipView, ApiError> {
    let photos = media_repo::tip_photos(conn, &[row.id])?;
    Ok(TipView { row, photos })
}

/// A tip with its photos.
pub fn show(conn: &mut AnyConnection, actor: CurrentUser, id: i64) -> Result<TipView, ApiError> {
    let row = get(conn, actor, id)?;
    one_with_photos(conn, row)
}

/// Photo `n` (from 1) of a tip, to those who may read the tip; 404 for others.
pub fn photo(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    id: i64,
    n: i32,
) -> Result<TipPhotoRow, ApiError> {
    show(conn, actor, id)?
        .photos
        .into_iter()
        .find(|p| p.position == n)
        .ok_or_else(|| ApiError::not_found("photo"))
}

pub fn get(conn: &mut AnyConnection, actor: CurrentUser, id: i64) -> Result<TipRow, ApiError> {
    repo::find(conn, id)?
        .filter(|tip| assigned_only(actor).is_none_or(|me| tip.assignee_id == Some(me)))
        .ok_or_else(|| ApiError::not_found("tip"))
}

/// Changes to a tip in the inbox; `Some(None)` clears a link.
pub struct TipUpdate {
    pub status: Option<TipStatus>,
    pub assignee_id: Option<Option<i64>>,
    pub article_id: Option<Option<i64>>,
}

pub fn update(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    id: i64,
    precondition: &IfMatch,
    update: TipUpdate,
) -> Result<TipView, ApiError> {
    if !actor.is(Role::Editor) && (update.assignee_id.is_some() || update.article_id.is_some()) {
        return Err(ApiError::Forbidden(
            "reporters may change only the status of tips assigned to them".into(),
        ));
    }
    write_transaction(conn, |conn| {
        let current = get(conn, actor, id)?;
        let triage = TipChanges {
            status: update.status.unwrap_or(current.status).as_str(),
            assignee_id: update.assignee_id.unwrap_or(current.assignee_id),
            article_id: update.article_id.unwrap_or(current.article_id),
        };
        let mut errors = Vec::new();
        if let Some(user) = triage.assignee_id.filter(|_| update.assignee_id.is_some()) {
            if !users::find(conn, user)?.is_some_and(|u| u.active) {
                errors.push(FieldError::new(
                    "assignee_id",
                    "no active account has this id",
                ));
            }
        }
        if let Some(article) = triage.article_id.filter(|_| update.article_id.is_some()) {
            if articles::existing_ids(conn, &[article])?.is_empty() {
                errors.push(FieldError::new("article_id", "no article has this id"));
            }
        }
        ApiError::check(errors)?;
        precondition.check(current.version)?;
        let row = repo::update(conn, id, &triage, time::now())?;
        one_with_photos(conn, row)
    })
}
