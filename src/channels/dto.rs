//! Wire shapes of channels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::ChannelRow;
use super::service::{ChannelDetail, ChannelNode, ChannelUpdate, NewChannel};
use crate::domain::time::to_utc;
use crate::http::input::{nullable, present};
use crate::tip_lines::dto::TipLineOut;

/// A channel: the portal itself, a city channel or a column.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelOut {
    #[schema(read_only, example = 3)]
    pub id: i64,
    #[schema(example = "pingxiang")]
    pub slug: String,
    #[schema(example = "萍乡频道")]
    pub name: String,
    /// The channel above this one; `null` for a root.
    #[schema(required, example = 1)]
    pub parent_id: Option<i64>,
    /// Order among siblings, ascending.
    #[schema(example = 10)]
    pub position: i32,
    #[schema(required)]
    pub description: Option<String>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only, example = 1)]
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
pub struct ChannelRef {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "pingxiang")]
    pub slug: String,
    #[schema(example = "萍乡频道")]
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
pub struct CreateChannel {
    #[schema(
        example = "萍乡频道",
        min_length = 1,
        max_length = 100,
        pattern = r"\S"
    )]
    pub name: String,
    /// Lower-case letters, digits and hyphens; not only digits.
    #[schema(
        example = "pingxiang",
        pattern = "^(?![0-9]+$)[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 100
    )]
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
