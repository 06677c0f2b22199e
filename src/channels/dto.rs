//! Wire shapes of channels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::ChannelRow;
use super::service::{ChannelDetail, ChannelNode, ChannelUpdate, NewChannel};
use crate::domain::time::{self, to_utc};
use crate::http::input::{nullable, present};
use crate::tip_lines::dto::TipLineOut;

/// A channel: the portal itself, a city channel or a column.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ChannelOut::example)]
pub struct ChannelOut {
    #[schema(read_only)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The channel above this one; `null` for a root.
    #[schema(required)]
    pub parent_id: Option<i64>,
    /// Order among siblings, ascending.
    pub position: i32,
    #[schema(required)]
    pub description: Option<String>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only)]
    pub version: i64,
    /// Readers' comments on this channel's articles are approved without moderation.
    pub auto_approve_comments: bool,
}

impl From<ChannelRow> for ChannelOut {
    fn from(row: ChannelRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            parent_id: row.parent_id,
            position: row.position,
            description: row.description,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
            auto_approve_comments: row.auto_approve_comments,
        }
    }
}

/// A link to a channel, as used in breadcrumbs.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ChannelRef::example)]
pub struct ChannelRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

impl From<ChannelRow> for ChannelRef {
    fn from(row: ChannelRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
        }
    }
}

/// A channel in the list; with `?tree=true` it carries its sub-channels, nested.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ChannelListItem::example)]
pub struct ChannelListItem {
    #[serde(flatten)]
    pub channel: ChannelOut,
    /// Sub-channels in display order, each with its own `children` (only with `tree=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion, nullable = false)]
    pub children: Option<Vec<ChannelListItem>>,
}

impl From<ChannelRow> for ChannelListItem {
    fn from(row: ChannelRow) -> Self {
        Self {
            channel: row.into(),
            children: None,
        }
    }
}

impl From<ChannelNode> for ChannelListItem {
    fn from(node: ChannelNode) -> Self {
        Self {
            channel: node.channel.into(),
            children: Some(node.children.into_iter().map(Self::from).collect()),
        }
    }
}

/// One channel with its place in the tree.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ChannelDetailOut::example)]
pub struct ChannelDetailOut {
    #[serde(flatten)]
    pub channel: ChannelOut,
    /// From the root down to this channel itself.
    #[schema(read_only)]
    pub breadcrumbs: Vec<ChannelRef>,
    /// Direct sub-channels in display order.
    #[schema(read_only)]
    pub children: Vec<ChannelOut>,
    /// How readers reach this channel's newsroom, in display order (active ones only,
    /// unless an editor asks).
    #[schema(read_only)]
    pub tip_lines: Vec<TipLineOut>,
}

impl From<ChannelDetail> for ChannelDetailOut {
    fn from(detail: ChannelDetail) -> Self {
        Self {
            channel: detail.channel.into(),
            breadcrumbs: detail
                .breadcrumbs
                .into_iter()
                .map(ChannelRef::from)
                .collect(),
            children: detail.children.into_iter().map(ChannelOut::from).collect(),
            tip_lines: detail.tip_lines.into_iter().map(TipLineOut::from).collect(),
        }
    }
}

/// A new channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "文化旅游",
    "slug": "pingxiang-culture",
    "parent_id": 11,
    "description": "萍乡的展览、演出和周末去处。"
}))]
pub struct CreateChannel {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Lower-case letters, digits and hyphens; not only digits.
    #[schema(pattern = "^(?![0-9]+$)[a-z0-9]+(-[a-z0-9]+)*$", max_length = 100)]
    pub slug: String,
    /// The channel to nest under; omit for a root.
    pub parent_id: Option<i64>,
    /// Order among siblings; defaults to after the last one.
    pub position: Option<i32>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Approve readers' comments without moderation; default false.
    pub auto_approve_comments: Option<bool>,
}

impl From<CreateChannel> for NewChannel {
    fn from(dto: CreateChannel) -> Self {
        Self {
            name: dto.name,
            slug: dto.slug,
            parent_id: dto.parent_id,
            position: dto.position,
            description: dto.description,
            auto_approve_comments: dto.auto_approve_comments.unwrap_or(false),
        }
    }
}

/// Changes to a channel; absent fields stay, `null` clears `parent_id` (making it a
/// root) or `description`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "萍乡的时政、社会和县区新闻。"}))]
pub struct UpdateChannel {
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
    pub parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 2000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub auto_approve_comments: Option<bool>,
}

impl From<UpdateChannel> for ChannelUpdate {
    fn from(dto: UpdateChannel) -> Self {
        Self {
            name: dto.name,
            slug: dto.slug,
            parent_id: dto.parent_id,
            position: dto.position,
            description: dto.description,
            auto_approve_comments: dto.auto_approve_comments,
        }
    }
}

/// How to shape the channel list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChannelListQuery {
    /// Nest sub-channels under `children`; paging then counts root channels.
    #[param(default = false)]
    pub tree: Option<bool>,
}

// The document's examples: the demo newsroom as `seed-demo` builds it, the 萍乡 city
// channel under the portal, with its three columns (tests/api/examples.rs holds them to
// the demo).

impl ChannelOut {
    pub(crate) fn example() -> Self {
        Self::demo(11, "pingxiang", "萍乡频道", Some(1), 9)
    }

    fn example_portal() -> Self {
        Self {
            description: Some("全省新闻门户".into()),
            ..Self::demo(1, "portal", "大江网", None, 0)
        }
    }

    /// The city channel's columns, in order; the demo's first story runs in 社会聚焦.
    fn example_columns() -> [Self; 3] {
        [
            Self::demo(13, "pingxiang-politics", "时政要闻", Some(11), 0),
            Self::demo(14, "pingxiang-society", "社会聚焦", Some(11), 1),
            Self::demo(15, "pingxiang-counties", "县区动态", Some(11), 2),
        ]
    }

    fn demo(id: i64, slug: &str, name: &str, parent_id: Option<i64>, position: i32) -> Self {
        Self {
            id,
            slug: slug.into(),
            name: name.into(),
            parent_id,
            position,
            description: None,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
            auto_approve_comments: false,
        }
    }

    fn into_ref(self) -> ChannelRef {
        ChannelRef {
            id: self.id,
            slug: self.slug,
            name: self.name,
        }
    }
}

impl ChannelRef {
    fn example() -> Self {
        ChannelOut::example().into_ref()
    }

    /// The breadcrumbs of the 社会聚焦 column.
    pub(crate) fn example_trail() -> Vec<Self> {
        let [_, society, _] = ChannelOut::example_columns();
        vec![
            ChannelOut::example_portal().into_ref(),
            Self::example(),
            society.into_ref(),
        ]
    }
}

impl ChannelListItem {
    fn example() -> Self {
        Self {
            channel: ChannelOut::example(),
            children: None,
        }
    }
}

impl ChannelDetailOut {
    fn example() -> Self {
        Self {
            channel: ChannelOut::example(),
            breadcrumbs: vec![
                ChannelOut::example_portal().into_ref(),
                ChannelRef::example(),
            ],
            children: ChannelOut::example_columns().into(),
            tip_lines: TipLineOut::examples(),
        }
    }
}
