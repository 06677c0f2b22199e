//! Wire shapes of authors.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::AuthorRow;
use super::service::{AuthorUpdate, NewAuthor};
use crate::domain::time::{self, to_utc};
use crate::http::input::{nullable, present};

/// A person named in bylines: reporter, editor, photographer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = AuthorOut::example)]
pub struct AuthorOut {
    #[schema(read_only)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Job title as printed, e.g. 记者 or 编辑.
    #[schema(required)]
    pub title: Option<String>,
    #[schema(required)]
    pub bio: Option<String>,
    #[schema(required)]
    pub avatar_url: Option<String>,
    /// The avatar from the media library (`/api/v1/media/{id}` has its variants).
    #[schema(required)]
    pub avatar_media_id: Option<i64>,
    /// The newsroom account of this person, if any.
    #[schema(required)]
    pub user_id: Option<i64>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only)]
    pub version: i64,
}

impl From<AuthorRow> for AuthorOut {
    fn from(row: AuthorRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            title: row.title,
            bio: row.bio,
            avatar_url: row.avatar_url,
            avatar_media_id: row.avatar_media_id,
            user_id: row.user_id,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

/// A new author.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "王敏", "slug": "wang-min", "title": "实习记者"}))]
pub struct CreateAuthor {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(pattern = "^(?![0-9]+$)[a-z0-9]+(-[a-z0-9]+)*$", max_length = 100)]
    pub slug: String,
    #[schema(max_length = 50)]
    pub title: Option<String>,
    #[schema(max_length = 5000)]
    pub bio: Option<String>,
    #[schema(format = "uri")]
    pub avatar_url: Option<String>,
    /// A library image as the avatar.
    pub avatar_media_id: Option<i64>,
    pub user_id: Option<i64>,
}

impl From<CreateAuthor> for NewAuthor {
    fn from(dto: CreateAuthor) -> Self {
        Self {
            name: dto.name,
            slug: dto.slug,
            title: dto.title,
            bio: dto.bio,
            avatar_url: dto.avatar_url,
            avatar_media_id: dto.avatar_media_id,
            user_id: dto.user_id,
        }
    }
}

/// Changes to an author; absent fields stay, `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"bio": "跑社会新闻十年，常驻萍乡。"}))]
pub struct UpdateAuthor {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(
        nullable = false,
        pattern = "^(?![0-9]+$)[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 100
    )]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 50)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 5000)]
    pub bio: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(format = "uri")]
    pub avatar_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub avatar_media_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub user_id: Option<Option<i64>>,
}

impl From<UpdateAuthor> for AuthorUpdate {
    fn from(dto: UpdateAuthor) -> Self {
        Self {
            name: dto.name,
            slug: dto.slug,
            title: dto.title,
            bio: dto.bio,
            avatar_url: dto.avatar_url,
            avatar_media_id: dto.avatar_media_id,
            user_id: dto.user_id,
        }
    }
}

// The document's examples: the demo's reporters as `seed-demo` makes them
// (tests/api/examples.rs holds them to the demo).

impl AuthorOut {
    fn example() -> Self {
        Self {
            id: 1,
            slug: "zhou-xiaoming".into(),
            name: "周晓明".into(),
            title: Some("记者".into()),
            bio: None,
            avatar_url: None,
            avatar_media_id: None,
            user_id: None,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
        }
    }
}
