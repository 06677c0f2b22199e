//! Wire shapes of tip lines.

use crate::http::input::present;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::repo::TipLineRow;
use super::service::{NewTipLine, TipLineUpdate};
use crate::domain::enums::TipLineKind;
use crate::domain::time::{self, to_utc};

/// A way for readers to reach a channel's newsroom.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = TipLineOut::example)]
pub struct TipLineOut {
    #[schema(read_only)]
    pub id: i64,
    pub channel_id: i64,
    pub kind: TipLineKind,
    pub label: String,
    pub value: String,
    /// Order within the channel, ascending.
    pub position: i32,
    /// Inactive lines are shown to editors only.
    pub active: bool,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only)]
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
#[schema(example = json!({"channel_id": 11, "kind": "wechat", "label": "微信爆料", "value": "pingxiang_news"}))]
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
#[schema(example = json!({"label": "24小时新闻热线"}))]
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

// The document's examples: the demo's tip lines of the 萍乡 city channel, as `seed-demo`
// makes them (tests/api/examples.rs holds them to the demo).

impl TipLineOut {
    fn example() -> Self {
        Self::demo(1, 1, TipLineKind::Hotline, "新闻热线", "0799-6123456")
    }

    /// All three, in display order.
    pub(crate) fn examples() -> Vec<Self> {
        vec![
            Self::example(),
            Self::demo(2, 2, TipLineKind::Qq, "QQ爆料", "800012345"),
            Self::demo(3, 3, TipLineKind::Sms, "短信(微信)爆料", "13900000000"),
        ]
    }

    fn demo(id: i64, position: i32, kind: TipLineKind, label: &str, value: &str) -> Self {
        Self {
            id,
            channel_id: 11,
            kind,
            label: label.into(),
            value: value.into(),
            position,
            active: true,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
        }
    }
}
