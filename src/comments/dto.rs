//! Wire shapes of comments.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::CommentRow;
use super::service::NewComment;
use crate::domain::enums::CommentStatus;
use crate::domain::time::{self, to_utc};

/// A reader's comment. `body` is plain text, returned exactly as sent: render it as
/// text, never as HTML.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = CommentOut::example)]
pub struct CommentOut {
    #[schema(read_only)]
    pub id: i64,
    #[schema(read_only)]
    pub article_id: i64,
    /// The comment this one replies to.
    #[schema(required)]
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub status: CommentStatus,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only)]
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
#[schema(example = json!({"author_name": "萍乡老乡", "body": "我家就住附近，傍晚常去公园散步。", "parent_id": 1}))]
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
#[schema(example = json!({"status": "approved"}))]
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

// The document's examples: the demo's comments as `seed-demo` posts them: the one
// waiting for moderation, and the approved ones under its first story, which that
// story's public list shows (tests/api/examples.rs holds them to the demo).

impl CommentOut {
    fn example() -> Self {
        Self {
            status: CommentStatus::Pending,
            version: 1,
            ..Self::demo(4, 2, None, "驴友", "预约系统什么时候开放？")
        }
    }

    /// The first story's comments, as its public list shows them.
    pub(crate) fn example_thread() -> Vec<Self> {
        vec![
            Self::demo(
                1,
                1,
                None,
                "老矿工",
                "小时候常在那片货场玩，现在变成公园了，真好。",
            ),
            Self::demo(
                2,
                1,
                Some(1),
                "安源居民",
                "周末带孩子去过，铁轨边拍照很好看。",
            ),
            Self::demo(3, 1, None, "路过", "希望园区多招些本地年轻人。"),
        ]
    }

    /// An approved comment (posted, then approved: version 2).
    fn demo(id: i64, article_id: i64, parent_id: Option<i64>, name: &str, body: &str) -> Self {
        Self {
            id,
            article_id,
            parent_id,
            author_name: name.into(),
            body: body.into(),
            status: CommentStatus::Approved,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 2,
        }
    }
}
