//! Wire shapes of the media library.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::{MediaRow, StoredFile};
use super::service::{MediaQuery, MediaUpdate, media_path};
use crate::domain::enums::MediaStatus;
use crate::domain::time::{self, to_utc};
use crate::http::input::{nullable, present};

/// One file of an image, ready for `srcset` (`url` and `width`) and `<source type>`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "w640.webp", "url": "/media/0f3c8e2d9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d/w640.webp", "width": 640, "height": 427, "bytes": 48210, "type": "image/webp"}))]
pub struct VariantOut {
    /// `original.<ext>` (the stored image itself) or `w<width>.<ext>`.
    pub name: String,
    /// Path under this server; immutable, cached for a year.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// The file's media type.
    #[serde(rename = "type")]
    pub content_type: String,
}

impl VariantOut {
    pub fn of(hash: &str, file: StoredFile) -> Self {
        Self {
            url: media_path(hash, &file.name),
            name: file.name,
            width: file.width,
            height: file.height,
            bytes: file.bytes,
            content_type: file.content_type,
        }
    }
}

/// An image in the media library. The stored image has no metadata (EXIF, GPS, XMP,
/// comments) and stands upright.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = MediaOut::example)]
pub struct MediaOut {
    #[schema(read_only)]
    pub id: i64,
    /// SHA-256 of the stored image: the folder of its files under `/media/`.
    pub hash: String,
    /// The stored image's media type.
    #[serde(rename = "type")]
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    /// What the image shows, for readers who cannot see it.
    pub alt: String,
    /// 图片说明.
    #[schema(required)]
    pub caption: Option<String>,
    /// 摄影 / 图片来源.
    #[schema(required)]
    pub credit: Option<String>,
    /// `processing` until the responsive variants are made, then `ready`.
    pub status: MediaStatus,
    /// The stored image (`original.*`) and the variants made so far, widest first per
    /// type.
    pub variants: Vec<VariantOut>,
    /// The account that uploaded it.
    #[schema(required)]
    pub uploaded_by: Option<i64>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only)]
    pub version: i64,
}

impl From<MediaRow> for MediaOut {
    fn from(row: MediaRow) -> Self {
        let files = row.files().map(|f| f.files).unwrap_or_else(|e| {
            log::error!("{e}");
            Vec::new()
        });
        Self {
            variants: files
                .into_iter()
                .map(|file| VariantOut::of(&row.hash, file))
                .collect(),
            id: row.id,
            hash: row.hash,
            content_type: row.content_type,
            width: row.width,
            height: row.height,
            bytes: row.bytes,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            status: row.status,
            uploaded_by: row.uploaded_by,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

/// An image as an article's cover or an author's avatar shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = ImageOut::example)]
pub struct ImageOut {
    /// The library image's id.
    pub id: i64,
    pub alt: String,
    #[schema(required)]
    pub caption: Option<String>,
    #[schema(required)]
    pub credit: Option<String>,
    pub width: i32,
    pub height: i32,
    pub variants: Vec<VariantOut>,
}

impl From<MediaRow> for ImageOut {
    fn from(row: MediaRow) -> Self {
        let out = MediaOut::from(row);
        Self {
            id: out.id,
            alt: out.alt,
            caption: out.caption,
            credit: out.credit,
            width: out.width,
            height: out.height,
            variants: out.variants,
        }
    }
}

/// An upload: the image file and what describes it.
#[derive(Debug, ToSchema)]
pub struct UploadMedia {
    /// The image: JPEG, PNG, GIF or WebP, found from its content (SVG, HTML, AVIF and
    /// anything else: 415). At most `NEWSDESK_MEDIA_MAX_BYTES` bytes and
    /// `NEWSDESK_MEDIA_MAX_PIXELS` pixels.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub alt: String,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    #[schema(max_length = 200)]
    pub credit: Option<String>,
}

/// Changes to an image's describing fields; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"caption": "武功山金顶，2022年7月20日", "credit": "萍乡日报 刘洋 摄"}))]
pub struct UpdateMedia {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 300, pattern = r"\S")]
    pub alt: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 1000)]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 200)]
    pub credit: Option<Option<String>>,
}

impl From<UpdateMedia> for MediaUpdate {
    fn from(dto: UpdateMedia) -> Self {
        Self {
            alt: dto.alt,
            caption: dto.caption,
            credit: dto.credit,
        }
    }
}

/// Filters of the library.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaListQuery {
    /// Only images of this type.
    #[param(pattern = "^image/(jpeg|png|gif|webp)$")]
    #[serde(rename = "type")]
    pub content_type: Option<String>,
    /// Only images this account uploaded.
    pub uploaded_by: Option<i64>,
    /// Words in the alt text, caption or credit.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl From<MediaListQuery> for MediaQuery {
    fn from(dto: MediaListQuery) -> Self {
        Self {
            content_type: dto.content_type,
            uploaded_by: dto.uploaded_by,
            q: dto.q,
        }
    }
}

const EXAMPLE_HASH: &str = "0f3c8e2d9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";

fn example_variants() -> Vec<VariantOut> {
    [
        ("original.jpg", 1600, 1067, 312_400, "image/jpeg"),
        ("w1024.jpg", 1024, 683, 141_800, "image/jpeg"),
        ("w1024.webp", 1024, 683, 118_300, "image/webp"),
        ("w640.jpg", 640, 427, 58_900, "image/jpeg"),
        ("w640.webp", 640, 427, 48_210, "image/webp"),
    ]
    .into_iter()
    .map(|(name, width, height, bytes, content_type)| VariantOut {
        name: name.into(),
        url: media_path(EXAMPLE_HASH, name),
        width,
        height,
        bytes,
        content_type: content_type.into(),
    })
    .collect()
}

impl MediaOut {
    fn example() -> Self {
        Self {
            id: 1,
            hash: EXAMPLE_HASH.into(),
            content_type: "image/jpeg".into(),
            width: 1600,
            height: 1067,
            bytes: 312_400,
            alt: "武功山金顶的步道上，游客排队登山".into(),
            caption: Some("武功山步道重新开放首日".into()),
            credit: Some("萍乡日报 刘洋 摄".into()),
            status: MediaStatus::Ready,
            variants: example_variants(),
            uploaded_by: Some(2),
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
        }
    }
}

impl ImageOut {
    fn example() -> Self {
        let media = MediaOut::example();
        Self {
            id: media.id,
            alt: media.alt,
            caption: media.caption,
            credit: media.credit,
            width: media.width,
            height: media.height,
            variants: media.variants,
        }
    }
}
