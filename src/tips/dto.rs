//! Wire shapes of reader tips and the inbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::TipRow;
use super::service::{NewTip, TipUpdate, TipView};
use crate::domain::enums::TipStatus;
use crate::domain::time::{self, to_utc};
use crate::http::input::{nullable, present};
use crate::media::repo::TipPhotoRow;

/// A reader's news tip (爆料). Plain text, stored as given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel_id": 11, "content": "公园北门的公交站牌被风吹倒了，还没人来修。", "contact": "13900000002", "name": "张先生"}))]
pub struct SendTip {
    pub channel_id: i64,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub content: String,
    /// How the newsroom can reach the reader back.
    #[schema(max_length = 100)]
    pub contact: Option<String>,
    #[schema(max_length = 50)]
    pub name: Option<String>,
    /// Leave empty: a form hides this field from people, and bots that fill it in are
    /// quietly ignored.
    pub website: Option<String>,
}

impl From<SendTip> for NewTip {
    fn from(dto: SendTip) -> Self {
        Self {
            channel_id: dto.channel_id,
            content: dto.content,
            contact: dto.contact,
            name: dto.name,
            honeypot: dto.website,
            photos: Vec::new(),
        }
    }
}

/// A tip with photos, as a form: the fields of the JSON form, and up to
/// `NEWSDESK_TIP_PHOTOS_MAX` files named `photos` (JPEG, PNG, GIF or WebP, each at most
/// `NEWSDESK_TIP_PHOTO_MAX_BYTES`). The photos are stored without their metadata (GPS
/// positions, camera, comments) and only the newsroom can see them.
#[derive(Debug, ToSchema)]
pub struct SendTipWithPhotos {
    pub channel_id: i64,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub content: String,
    #[schema(max_length = 100)]
    pub contact: Option<String>,
    #[schema(max_length = 50)]
    pub name: Option<String>,
    /// Leave empty (see `SendTip`).
    pub website: Option<String>,
    /// Up to `NEWSDESK_TIP_PHOTOS_MAX` photos (the document states the default).
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    pub photos: Vec<Vec<u8>>,
}

/// A reader's photo, readable by the newsroom only, at `url` (with the same token).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"position": 1, "url": "/api/v1/tips/1/photos/1", "type": "image/jpeg", "width": 1600, "height": 1200, "bytes": 412330}))]
pub struct TipPhotoOut {
    /// From 1, in the order sent.
    pub position: i32,
    pub url: String,
    #[serde(rename = "type")]
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
}

impl From<TipPhotoRow> for TipPhotoOut {
    fn from(row: TipPhotoRow) -> Self {
        Self {
            url: format!("/api/v1/tips/{}/photos/{}", row.tip_id, row.position),
            position: row.position,
            content_type: row.content_type,
            width: row.width,
            height: row.height,
            bytes: row.bytes,
        }
    }
}

/// A reader's photo taken into the media library for a story.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"alt": "被风吹倒的公交站牌", "credit": "读者 张先生 供图"}))]
pub struct PromotePhoto {
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub alt: String,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    /// Who took it: required, a reader's photo is credited.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub credit: String,
}

/// The receipt for a tip: the same for every accepted submission, including one the
/// spam checks set aside.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = TipReceipt::example)]
pub struct TipReceipt {
    /// The tip's number in the newsroom's inbox.
    pub id: i64,
    /// Always `new` to the sender.
    pub status: TipStatus,
}

impl From<TipRow> for TipReceipt {
    fn from(row: TipRow) -> Self {
        Self {
            id: row.id,
            // What the newsroom makes of a tip is not the sender's business.
            status: TipStatus::New,
        }
    }
}

/// A tip in the newsroom's inbox.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = TipOut::example)]
pub struct TipOut {
    #[schema(read_only)]
    pub id: i64,
    /// `null` once the channel is deleted.
    #[schema(required)]
    pub channel_id: Option<i64>,
    pub content: String,
    #[schema(required)]
    pub contact: Option<String>,
    #[schema(required)]
    pub name: Option<String>,
    pub status: TipStatus,
    /// The account following the tip up.
    #[schema(required)]
    pub assignee_id: Option<i64>,
    /// The article the tip led to.
    #[schema(required)]
    pub article_id: Option<i64>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only)]
    pub version: i64,
    /// Photos the reader sent (private: readable with a newsroom token only).
    pub photos: Vec<TipPhotoOut>,
}

impl From<TipView> for TipOut {
    fn from(view: TipView) -> Self {
        let row = view.row;
        Self {
            photos: view.photos.into_iter().map(TipPhotoOut::from).collect(),
            id: row.id,
            channel_id: row.channel_id,
            content: row.content,
            contact: row.contact,
            name: row.name,
            status: row.status,
            assignee_id: row.assignee_id,
            article_id: row.article_id,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

/// Triage of a tip; absent fields stay, `null` clears a link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "in_progress", "assignee_id": 1}))]
pub struct UpdateTip {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub status: Option<TipStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub article_id: Option<Option<i64>>,
}

impl From<UpdateTip> for TipUpdate {
    fn from(dto: UpdateTip) -> Self {
        Self {
            status: dto.status,
            assignee_id: dto.assignee_id,
            article_id: dto.article_id,
        }
    }
}

/// Filters of the tip inbox.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TipQuery {
    pub status: Option<TipStatus>,
    /// Only tips for this channel (id or slug).
    pub channel: Option<String>,
}

// The document's examples: the demo's tip as `seed-demo` sends it, and the receipt of
// the `SendTip` example sent next (tests/api/examples.rs holds them to the demo).

impl TipReceipt {
    fn example() -> Self {
        Self {
            id: 2,
            status: TipStatus::New,
        }
    }
}

impl TipOut {
    fn example() -> Self {
        Self {
            id: 1,
            channel_id: Some(11),
            content: "湘东区某路口的红绿灯坏了两天，早高峰很堵。".into(),
            contact: Some("13900000001".into()),
            name: Some("李女士".into()),
            status: TipStatus::New,
            assignee_id: None,
            article_id: None,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
            photos: Vec::new(),
        }
    }
}
