//! Wire shapes of reader tips and the inbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::TipRow;
use super::service::{NewTip, TipUpdate};
use crate::domain::enums::TipStatus;
use crate::domain::time::to_utc;
use crate::http::input::{nullable, present};

/// A reader's news tip (爆料). Plain text, stored as given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel_id": 3, "content": "安源区某小区门口的路灯坏了一个多月。", "contact": "13800000000", "name": "王先生"}))]
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
        }
    }
}

/// The receipt for a tip: the same for every accepted submission, including one the
/// spam checks set aside.
#[derive(Debug, Serialize, ToSchema)]
pub struct TipReceipt {
    /// The tip's number in the newsroom's inbox.
    #[schema(example = 17)]
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
pub struct TipOut {
    #[schema(read_only, example = 17)]
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
    #[schema(read_only, example = 1)]
    pub version: i64,
}

impl From<TipRow> for TipOut {
    fn from(row: TipRow) -> Self {
        Self {
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
