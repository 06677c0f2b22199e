//! Wire shapes of tip lines.

use crate::http::input::present;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::TipLineRow;
use super::service::{NewTipLine, TipLineUpdate};
use crate::domain::enums::TipLineKind;
use crate::domain::time::to_utc;

/// A way for readers to reach a channel's newsroom.
#[derive(Debug, Serialize, ToSchema)]
pub struct TipLineOut {
    #[schema(read_only, example = 1)]
    pub id: i64,
    #[schema(example = 3)]
    pub channel_id: i64,
    pub kind: TipLineKind,
    #[schema(example = "新闻热线")]
    pub label: String,
    #[schema(example = "0799-6321110")]
    pub value: String,
    /// Order within the channel, ascending.
    pub position: i32,
    /// Inactive lines are shown to editors only.
    pub active: bool,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only, example = 1)]
    pub version: i64,
}

impl From<TipLineRow> for TipLineOut {
    fn from(row: TipLineRow) -> Self {
        Self {
            id: row.id,
            channel_id: row.channel_id,
            kind: row.kind,
            label: row.label,
            value: row.value,
            position: row.position,
            active: row.active,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

/// A new tip line.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel_id": 3, "kind": "qq", "label": "QQ爆料", "value": "1642308157"}))]
pub struct CreateTipLine {
    pub channel_id: i64,
    pub kind: TipLineKind,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub label: String,
    /// A phone number (hotline, sms), QQ number, WeChat id, e-mail address or URL.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub value: String,
    pub position: Option<i32>,
    /// Default true.
    pub active: Option<bool>,
}

impl From<CreateTipLine> for NewTipLine {
    fn from(dto: CreateTipLine) -> Self {
        Self {
            channel_id: dto.channel_id,
            kind: dto.kind,
            label: dto.label,
            value: dto.value,
            position: dto.position,
            active: dto.active,
        }
    }
}

/// Changes to a tip line; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTipLine {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub channel_id: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub kind: Option<TipLineKind>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 50, pattern = r"\S")]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = r"\S")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

impl From<UpdateTipLine> for TipLineUpdate {
    fn from(dto: UpdateTipLine) -> Self {
        Self {
            channel_id: dto.channel_id,
            kind: dto.kind,
            label: dto.label,
            value: dto.value,
            position: dto.position,
            active: dto.active,
        }
    }
}

/// Which tip lines to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TipLineQuery {
    /// Only this channel's lines (id or slug).
    pub channel: Option<String>,
}
