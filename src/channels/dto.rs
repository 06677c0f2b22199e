//! Wire shapes of channels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{ChannelLinkRow, ChannelRow};
use super::service::{ChannelDetail, ChannelLink, ChannelNode, ChannelUpdate, NewChannel, Placed};
use crate::domain::enums::ChannelLinkKind;
use crate::domain::site::Site;
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
    /// Where readers find the channel outside the site (its WeChat official account,
    /// forum, the group's newspapers …), in display order.
    pub links: Vec<ChannelLinkOut>,
    /// The channel's page on the public site (`NEWSDESK_CHANNEL_URL_TEMPLATE`); absent
    /// when `NEWSDESK_SITE_URL` is not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub url: Option<String>,
}

impl ChannelOut {
    /// The channel with its links, and its `url` where the site is configured.
    pub fn new(placed: Placed, site: Option<&Site>) -> Self {
        let Placed { row, path, links } = placed;
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        Self {
            url: site.map(|site| site.channel_url(row.id, &path)),
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
            links: links.into_iter().map(ChannelLinkOut::from).collect(),
        }
    }
}

/// A place outside the site where readers find a channel.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = ChannelLinkOut::example)]
pub struct ChannelLinkOut {
    pub kind: ChannelLinkKind,
    pub label: String,
    /// The account id (a WeChat official account's, a Weibo handle, an app's id).
    #[schema(required)]
    pub value: Option<String>,
    #[schema(required)]
    pub url: Option<String>,
}

impl From<ChannelLinkRow> for ChannelLinkOut {
    fn from(row: ChannelLinkRow) -> Self {
        Self {
            kind: row.kind,
            label: row.label,
            value: row.value,
            url: row.url,
        }
    }
}

/// An outside link as an editor writes it. By `kind`: `wechat_official_account` needs
/// `value`, the account id (6 to 20 letters, digits, `_` or `-`, a letter first; `url`
/// optional); `forum` and `website` need `url` and take no `value`; `weibo` and `app`
/// need either. URLs are `http(s)`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "forum", "label": "萍乡论坛", "url": "https://bbs.jxnews.com.cn/forum-pingxiang"}))]
pub struct ChannelLinkIn {
    pub kind: ChannelLinkKind,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub label: String,
    #[schema(max_length = 100)]
    pub value: Option<String>,
    pub url: Option<String>,
}

impl From<ChannelLinkIn> for ChannelLink {
    fn from(dto: ChannelLinkIn) -> Self {
        Self {
            kind: dto.kind,
            label: dto.label,
            value: dto.value,
            url: dto.url,
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
    /// The channel's page on the public site; absent when `NEWSDESK_SITE_URL` is not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub url: Option<String>,
}

impl From<ChannelRow> for ChannelRef {
    fn from(row: ChannelRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            url: None,
        }
    }
}

impl ChannelRef {
    /// Gives each channel of a root-first `trail` its `url`.
    pub fn locate_trail(trail: &mut [ChannelRef], site: Option<&Site>) {
        let Some(site) = site else { return };
        let mut path: Vec<&str> = Vec::with_capacity(trail.len());
        let urls: Vec<String> = trail
            .iter()
            .map(|c| {
                path.push(&c.slug);
                site.channel_url(c.id, &path)
            })
            .collect();
        for (channel, url) in trail.iter_mut().zip(urls) {
            channel.url = Some(url);
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

impl ChannelListItem {
    pub fn flat(placed: Placed, site: Option<&Site>) -> Self {
        Self {
            channel: ChannelOut::new(placed, site),
            children: None,
        }
    }

    pub fn nested(node: ChannelNode, site: Option<&Site>) -> Self {
        Self {
            channel: ChannelOut::new(node.channel, site),
            children: Some(
                node.children
                    .into_iter()
                    .map(|child| Self::nested(child, site))
                    .collect(),
            ),
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

impl ChannelDetailOut {
    pub fn new(detail: ChannelDetail, site: Option<&Site>) -> Self {
        let mut breadcrumbs: Vec<ChannelRef> = detail
            .breadcrumbs
            .into_iter()
            .map(ChannelRef::from)
            .collect();
        ChannelRef::locate_trail(&mut breadcrumbs, site);
        Self {
            channel: ChannelOut::new(detail.channel, site),
            breadcrumbs,
            children: detail
                .children
                .into_iter()
                .map(|child| ChannelOut::new(child, site))
                .collect(),
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
    /// Outside links in display order (at most 20); none by default.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub links: Vec<ChannelLinkIn>,
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
            links: dto.links.into_iter().map(ChannelLink::from).collect(),
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
    /// Replaces the outside links, in the order given (`[]` removes them all).
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, max_items = 20)]
    pub links: Option<Vec<ChannelLinkIn>>,
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
            links: dto
                .links
                .map(|links| links.into_iter().map(ChannelLink::from).collect()),
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
        Self {
            links: ChannelLinkOut::examples(),
            ..Self::demo(11, "pingxiang", "萍乡频道", Some(1), 9)
        }
    }

    fn example_portal() -> Self {
        let newspapers = [
            ("江西日报", "https://jxrb.jxnews.com.cn/"),
            ("信息日报", "https://xxrb.jxnews.com.cn/"),
            ("江南都市报", "https://jndsb.jxnews.com.cn/"),
            ("新法制报", "https://xfzb.jxnews.com.cn/"),
        ];
        Self {
            description: Some("全省新闻门户".into()),
            links: newspapers
                .into_iter()
                .map(|(label, url)| ChannelLinkOut {
                    kind: ChannelLinkKind::Website,
                    label: label.into(),
                    value: None,
                    url: Some(url.into()),
                })
                .collect(),
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
            links: Vec::new(),
            url: Some(example_channel_url(slug, parent_id)),
        }
    }

    fn into_ref(self) -> ChannelRef {
        ChannelRef {
            id: self.id,
            slug: self.slug,
            name: self.name,
            url: self.url,
        }
    }
}

/// The demo's public site, as the examples show it (`NEWSDESK_SITE_URL`).
pub(crate) const EXAMPLE_SITE: &str = "https://www.jxnews.com.cn";

/// A demo channel's URL under the default template: the portal, a city channel under it
/// (parent 1) or a column under 萍乡 (parent 11).
fn example_channel_url(slug: &str, parent_id: Option<i64>) -> String {
    match parent_id {
        None => format!("{EXAMPLE_SITE}/{slug}/"),
        Some(1) => format!("{EXAMPLE_SITE}/portal/{slug}/"),
        Some(_) => format!("{EXAMPLE_SITE}/portal/pingxiang/{slug}/"),
    }
}

impl ChannelLinkOut {
    /// The 萍乡 channel's links in the demo.
    fn examples() -> Vec<Self> {
        vec![
            Self {
                kind: ChannelLinkKind::WechatOfficialAccount,
                label: "中国江西网萍乡频道".into(),
                value: Some("djwpxpd".into()),
                url: None,
            },
            Self {
                kind: ChannelLinkKind::Forum,
                label: "萍乡论坛".into(),
                value: None,
                url: Some("https://bbs.jxnews.com.cn/forum-pingxiang".into()),
            },
        ]
    }

    fn example() -> Self {
        Self::examples().remove(0)
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
