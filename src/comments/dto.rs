//! Wire shapes of comments.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::CommentRow;
use super::service::NewComment;
use crate::domain::enums::CommentStatus;
use crate::domain::time::to_utc;

/// A reader's comment. `body` is plain text, returned exactly as sent: render it as
/// text, never as HTML.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    #[schema(read_only, example = 12)]
    pub id: i64,
    #[schema(read_only, example = 42)]
    pub article_id: i64,
    /// The comment this one replies to.
    #[schema(required)]
    pub parent_id: Option<i64>,
    #[schema(example = "萍乡网友")]
    pub author_name: String,
    #[schema(example = "家乡的变化看得见，点赞！")]
    pub body: String,
    pub status: CommentStatus,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only, example = 1)]
    pub version: i64,
}

impl From<CommentRow> for CommentOut {
    fn from(row: CommentRow) -> Self {
        Self {
            id: row.id,
            article_id: row.article_id,
            parent_id: row.parent_id,
            author_name: row.author_name,
            body: row.body,
            status: row.status,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

impl CommentOut {
    /// What the reader who posted a comment is told: a comment the spam checks set
    /// aside reads as one awaiting moderation, so a bot cannot tell that it was caught.
    pub fn receipt(row: CommentRow) -> Self {
        let mut comment = Self::from(row);
        if comment.status == CommentStatus::Spam {
            comment.status = CommentStatus::Pending;
        }
        comment
    }
}

/// A reader's comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"author_name": "萍乡网友", "body": "家乡的变化看得见，点赞！"}))]
pub struct PostComment {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub author_name: String,
    /// Plain text, at most 2,000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub body: String,
    /// An approved comment of the same article to reply to (replies nest two levels deep at most).
    pub parent_id: Option<i64>,
    /// Leave empty: a form hides this field from people, and bots that fill it in are
    /// quietly ignored.
    pub website: Option<String>,
}

impl From<PostComment> for NewComment {
    fn from(dto: PostComment) -> Self {
        Self {
            author_name: dto.author_name,
            body: dto.body,
            parent_id: dto.parent_id,
            honeypot: dto.website,
        }
    }
}

/// A moderation decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateComment {
    pub status: CommentStatus,
}

/// Filters of the moderation queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentQueueQuery {
    /// Default `pending`.
    pub status: Option<CommentStatus>,
    /// Only this article's comments (id or slug).
    pub article: Option<String>,
}
