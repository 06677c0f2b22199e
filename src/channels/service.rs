//! Channel rules: unique slugs, an acyclic tree, no deleting a channel that is in use.

use std::collections::{HashMap, HashSet};

use super::repo::{
    self, ChannelChanges, ChannelLinkRow, ChannelRow, NewChannelLinkRow, NewChannelRow,
};
use crate::articles::repo as articles;
use crate::db::AnyConnection;
use crate::db::outbox::Outbox;
use crate::domain::enums::ChannelLinkKind;
use crate::domain::event::{Event, EventType};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::CurrentUser;
use crate::domain::slug::{IdOrSlug, Slug};
use crate::domain::stored::StoredEnum;
use crate::domain::surrogate::{Changed, Key, Keys, Shown};
use crate::domain::visibility::Visibility;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::tip_lines::repo::{self as tip_lines, TipLineRow};

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 2000;
const DUPLICATE_SLUG: &str = "another channel already has this slug";
const LINKS_MAX: usize = 20;
const LINK_LABEL_MAX: usize = 100;
const LINK_VALUE_MAX: usize = 100;

/// The whole channel tree in memory, siblings in display order.
pub struct ChannelTree {
    rows: Vec<ChannelRow>,
    index: HashMap<i64, usize>,
}

impl ChannelTree {
    pub fn load(conn: &mut AnyConnection) -> Result<Self, ApiError> {
        Ok(Self::new(repo::all(conn)?))
    }

    fn new(rows: Vec<ChannelRow>) -> Self {
        let index = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        Self { rows, index }
    }

    pub fn get(&self, id: i64) -> Option<&ChannelRow> {
        self.index.get(&id).map(|&i| &self.rows[i])
    }

    pub fn find(&self, key: &IdOrSlug) -> Option<&ChannelRow> {
        match key {
            IdOrSlug::Id(id) => self.get(*id),
            IdOrSlug::Slug(slug) => self.rows.iter().find(|r| &r.slug == slug),
        }
    }

    pub fn children(&self, id: Option<i64>) -> impl Iterator<Item = &ChannelRow> {
        self.rows.iter().filter(move |r| r.parent_id == id)
    }

    /// From the root down to `id` itself. The write rules never let a cycle form, but
    /// stored data is not trusted to be acyclic: a channel met twice ends the walk.
    pub fn breadcrumbs(&self, id: i64) -> Vec<&ChannelRow> {
        let mut trail = Vec::new();
        let mut seen = HashSet::new();
        let mut next = self.get(id);
        while let Some(channel) = next {
            if !seen.insert(channel.id) {
                log_cycle(channel.id);
                break;
            }
            trail.push(channel);
            next = channel.parent_id.and_then(|p| self.get(p));
        }
        trail.reverse();
        trail
    }

    /// The slugs from the root down to `id` itself: the channel's path on the site.
    pub fn path(&self, id: i64) -> Vec<String> {
        self.breadcrumbs(id)
            .into_iter()
            .map(|c| c.slug.clone())
            .collect()
    }

    /// `row` with its path and its links (taken out of `links`).
    fn place(&self, row: &ChannelRow, links: &mut HashMap<i64, Vec<ChannelLinkRow>>) -> Placed {
        Placed {
            row: row.clone(),
            path: self.path(row.id),
            links: links.remove(&row.id).unwrap_or_default(),
        }
    }

    /// `id` and every channel below it, each once even if stored data holds a cycle.
    pub fn subtree_ids(&self, id: i64) -> Vec<i64> {
        let mut ids = vec![id];
        let mut seen = HashSet::from([id]);
        let mut i = 0;
        while i < ids.len() {
            let parent = ids[i];
            for child in self.children(Some(parent)) {
                if seen.insert(child.id) {
                    ids.push(child.id);
                } else {
                    log_cycle(child.id);
                }
            }
            i += 1;
        }
        ids
    }

    /// Depth-first, each channel followed by its children: the order a menu shows.
    fn preorder(&self) -> Vec<ChannelRow> {
        fn walk(tree: &ChannelTree, parent: Option<i64>, out: &mut Vec<ChannelRow>) {
            for child in tree.children(parent) {
                out.push(child.clone());
                walk(tree, Some(child.id), out);
            }
        }
        let mut out = Vec::with_capacity(self.rows.len());
        walk(self, None, &mut out);
        out
    }

    fn node(&self, row: &ChannelRow, links: &mut HashMap<i64, Vec<ChannelLinkRow>>) -> ChannelNode {
        let children = self
            .children(Some(row.id))
            .map(|c| self.node(c, links))
            .collect();
        ChannelNode {
            channel: self.place(row, links),
            children,
        }
    }

    /// Every channel in menu order, each with its path.
    pub fn in_menu_order(&self) -> Vec<(ChannelRow, Vec<String>)> {
        self.preorder()
            .into_iter()
            .map(|row| {
                let path = self.path(row.id);
                (row, path)
            })
            .collect()
    }
}

fn log_cycle(id: i64) {
    log::error!("the channel tree holds a cycle through channel {id}; walked each channel once");
}

/// A channel with the slugs from the root down to it (its path on the site) and its
/// outside links in display order.
#[derive(Debug, Clone)]
pub struct Placed {
    pub row: ChannelRow,
    pub path: Vec<String>,
    pub links: Vec<ChannelLinkRow>,
}

/// A channel with its sub-channels, nested.
pub struct ChannelNode {
    pub channel: Placed,
    pub children: Vec<ChannelNode>,
}

/// A channel with where it sits, what is below it and how readers reach its newsroom.
pub struct ChannelDetail {
    pub channel: Placed,
    pub breadcrumbs: Vec<ChannelRow>,
    pub children: Vec<Placed>,
    pub tip_lines: Vec<TipLineRow>,
}

/// An outside link as an editor sends it.
#[derive(Debug, Clone)]
pub struct ChannelLink {
    pub kind: ChannelLinkKind,
    pub label: String,
    pub value: Option<String>,
    pub url: Option<String>,
}

pub struct NewChannel {
    pub name: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub position: Option<i32>,
    pub description: Option<String>,
    pub auto_approve_comments: bool,
    pub links: Vec<ChannelLink>,
}

pub struct ChannelUpdate {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub parent_id: Option<Option<i64>>,
    pub position: Option<i32>,
    pub description: Option<Option<String>>,
    pub auto_approve_comments: Option<bool>,
    /// Replaces the whole list when present.
    pub links: Option<Vec<ChannelLink>>,
}

/// Outside links grouped by channel.
fn links_by_channel(
    conn: &mut AnyConnection,
    ids: Option<&[i64]>,
) -> Result<HashMap<i64, Vec<ChannelLinkRow>>, ApiError> {
    let mut grouped: HashMap<i64, Vec<ChannelLinkRow>> = HashMap::new();
    for link in repo::links(conn, ids)? {
        grouped.entry(link.channel_id).or_default().push(link);
    }
    Ok(grouped)
}

/// A WeChat official account's id: 6 to 20 letters, digits, `_` or `-`, a letter first
/// (its original `gh_…` id fits too).
fn is_wechat_account(value: &str) -> bool {
    let mut chars = value.chars();
    (6..=20).contains(&value.chars().count())
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks each link against its kind: a WeChat official account by its account id, a
/// forum or website by its `http(s)` URL, a Weibo account or an app by either.
fn check_links(links: &[ChannelLink], errors: &mut Vec<FieldError>) -> Vec<ChannelLink> {
    if links.len() > LINKS_MAX {
        errors.push(FieldError::new(
            "links",
            format!("a channel has at most {LINKS_MAX} links"),
        ));
    }
    links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let field = |name: &str| format!("links[{i}].{name}");
            let label = text::required(&field("label"), &link.label, LINK_LABEL_MAX, errors);
            let value = text::optional(
                &field("value"),
                link.value.as_deref(),
                LINK_VALUE_MAX,
                errors,
            );
            let url = text::optional_url(&field("url"), link.url.as_deref(), errors);
            // Worded like the tip lines' rules: "… for kind <kind>".
            let kind: &str = link.kind.as_str();
            match link.kind {
                ChannelLinkKind::WechatOfficialAccount => match &value {
                    None => errors.push(FieldError::new(
                        field("value"),
                        format!("the account id is required for kind {kind}"),
                    )),
                    Some(id) if !is_wechat_account(id) => errors.push(FieldError::new(
                        field("value"),
                        format!(
                            "must be 6 to 20 letters, digits, _ or -, a letter first, for kind {kind}"
                        ),
                    )),
                    Some(_) => {}
                },
                ChannelLinkKind::Forum | ChannelLinkKind::Website => {
                    if url.is_none() {
                        errors.push(FieldError::new(
                            field("url"),
                            format!("is required for kind {kind}"),
                        ));
                    }
                    if value.is_some() {
                        errors.push(FieldError::new(
                            field("value"),
                            format!("must be left out (the url is the link) for kind {kind}"),
                        ));
                    }
                }
                ChannelLinkKind::Weibo | ChannelLinkKind::App => {
                    if url.is_none() && value.is_none() {
                        errors.push(FieldError::new(
                            field("url"),
                            format!("a url or a value is required for kind {kind}"),
                        ));
                    }
                }
            }
            ChannelLink {
                kind: link.kind,
                label,
                value,
                url,
            }
        })
        .collect()
}

fn link_rows(channel_id: i64, links: &[ChannelLink]) -> Vec<NewChannelLinkRow> {
    links
        .iter()
        .zip(0..)
        .map(|(link, position)| NewChannelLinkRow {
            channel_id,
            position,
            kind: link.kind.as_str(),
            label: link.label.clone(),
            value: link.value.clone(),
            url: link.url.clone(),
        })
        .collect()
}

/// The channel `id` as a write left it: its path in `tree` and its links.
fn placed(conn: &mut AnyConnection, tree: &ChannelTree, id: i64) -> Result<Placed, ApiError> {
    let row = tree.get(id).ok_or_else(|| ApiError::not_found("channel"))?;
    let mut links = links_by_channel(conn, Some(&[id]))?;
    Ok(tree.place(row, &mut links))
}

/// The flat list in menu order, one page of it.
pub fn list_flat(
    conn: &mut AnyConnection,
    page: PageRequest,
) -> Result<Shown<Paged<Placed>>, ApiError> {
    let tree = ChannelTree::load(conn)?;
    let mut links = links_by_channel(conn, None)?;
    let placed = tree
        .preorder()
        .iter()
        .map(|row| tree.place(row, &mut links))
        .collect();
    Ok(Shown::new(
        Paged::slice(placed, page),
        Keys::of([Key::Channels]),
    ))
}

/// Root channels with their descendants nested; paging counts roots.
pub fn list_tree(
    conn: &mut AnyConnection,
    page: PageRequest,
) -> Result<Shown<Paged<ChannelNode>>, ApiError> {
    let tree = ChannelTree::load(conn)?;
    let mut links = links_by_channel(conn, None)?;
    let roots = tree
        .children(None)
        .map(|r| tree.node(r, &mut links))
        .collect();
    Ok(Shown::new(
        Paged::slice(roots, page),
        Keys::of([Key::Channels]),
    ))
}

/// The channel, with the tip lines `viewer` may see.
pub fn get(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    viewer: Option<CurrentUser>,
) -> Result<Shown<ChannelDetail>, ApiError> {
    let tree = ChannelTree::load(conn)?;
    let channel = tree
        .find(key)
        .ok_or_else(|| ApiError::not_found("channel"))?;
    let tip_lines = tip_lines::list(conn, Some(channel.id), Visibility::of(viewer))?;
    let children: Vec<&ChannelRow> = tree.children(Some(channel.id)).collect();
    let ids: Vec<i64> = children.iter().map(|c| c.id).chain([channel.id]).collect();
    let mut links = links_by_channel(conn, Some(&ids))?;
    let detail = ChannelDetail {
        channel: tree.place(channel, &mut links),
        breadcrumbs: tree.breadcrumbs(channel.id).into_iter().cloned().collect(),
        children: children.iter().map(|c| tree.place(c, &mut links)).collect(),
        tip_lines,
    };
    // Its breadcrumbs and children show other channels' names; its tip lines their own
    // fields, and which of them are active.
    let mut keys = Keys::of([Key::ChannelTipLines(channel.id)]);
    keys.extend(
        detail
            .breadcrumbs
            .iter()
            .chain(detail.children.iter().map(|c| &c.row))
            .map(|c| Key::Channel(c.id)),
    );
    keys.extend(detail.tip_lines.iter().map(|line| Key::TipLine(line.id)));
    Ok(Shown::new(detail, keys))
}

fn missing_parent() -> FieldError {
    FieldError::new("parent_id", "no channel has this id")
}

/// What a write of channel `id` changed: the channel lists, its own detail with everything
/// showing its name (its descendants' and its articles' breadcrumbs), and its parent's
/// children. A move also changes the parents' children and which articles the lists of
/// the old and new ancestors hold with their descendants.
fn changed_keys(tree: &ChannelTree, id: i64, before: Option<i64>, after: Option<i64>) -> Keys {
    let mut keys = Keys::of([Key::Channels, Key::Channel(id)]);
    keys.extend(before.into_iter().chain(after).map(Key::Channel));
    if before != after {
        for parent in before.into_iter().chain(after) {
            keys.extend(
                tree.breadcrumbs(parent)
                    .iter()
                    .map(|ancestor| Key::ChannelArticles(ancestor.id)),
            );
        }
    }
    keys
}

pub fn create(
    conn: &mut AnyConnection,
    outbox: Outbox,
    new: NewChannel,
) -> Result<Changed<Placed>, ApiError> {
    let mut errors = Vec::new();
    let links = check_links(&new.links, &mut errors);
    let name = text::required("name", &new.name, NAME_MAX, &mut errors);
    let slug = Slug::field(&new.slug, &mut errors);
    let description = text::optional(
        "description",
        new.description.as_deref(),
        DESCRIPTION_MAX,
        &mut errors,
    );
    outbox.transaction(conn, |conn| {
        let mut errors = errors.clone();
        if let Some(parent) = new.parent_id {
            if !repo::exists(conn, parent)? {
                errors.push(missing_parent());
            }
        }
        ApiError::check(errors)?;
        let now = time::now();
        let position = match new.position {
            Some(position) => position,
            None => repo::next_position(conn, new.parent_id)?,
        };
        let row = NewChannelRow {
            slug: slug.clone(),
            name: name.clone(),
            parent_id: new.parent_id,
            position,
            description: description.clone(),
            auto_approve_comments: new.auto_approve_comments,
        };
        let row = repo::insert(conn, &row, now).map_err(ApiError::unique_as(DUPLICATE_SLUG))?;
        repo::replace_links(conn, row.id, &link_rows(row.id, &links))?;
        let tree = ChannelTree::load(conn)?;
        let keys = changed_keys(&tree, row.id, row.parent_id, row.parent_id);
        let event = Event::new(EventType::ChannelCreated, row.id);
        Ok(Changed::new(placed(conn, &tree, row.id)?, keys).with(event))
    })
}

pub fn update(
    conn: &mut AnyConnection,
    outbox: Outbox,
    key: &IdOrSlug,
    precondition: &IfMatch,
    update: ChannelUpdate,
) -> Result<Changed<Placed>, ApiError> {
    let mut errors = Vec::new();
    let links = update
        .links
        .as_deref()
        .map(|links| check_links(links, &mut errors));
    let name = update
        .name
        .as_deref()
        .map(|n| text::required("name", n, NAME_MAX, &mut errors));
    let slug = update.slug.as_deref().map(|s| Slug::field(s, &mut errors));
    let description = update
        .description
        .map(|d| text::optional("description", d.as_deref(), DESCRIPTION_MAX, &mut errors));
    outbox.transaction(conn, |conn| {
        let tree = ChannelTree::load(conn)?;
        let current = tree
            .find(key)
            .ok_or_else(|| ApiError::not_found("channel"))?;
        let id = current.id;
        let mut errors = errors.clone();
        if let Some(Some(parent)) = update.parent_id {
            if tree.get(parent).is_none() {
                errors.push(missing_parent());
            } else if tree.breadcrumbs(parent).iter().any(|c| c.id == id) {
                errors.push(FieldError::new(
                    "parent_id",
                    "a channel cannot move under itself or one of its own sub-channels",
                ));
            }
        }
        ApiError::check(errors)?;
        precondition.check(current.version)?;
        let changes = ChannelChanges {
            slug: slug.clone(),
            name: name.clone(),
            parent_id: update.parent_id,
            position: update.position,
            description: description.clone(),
            auto_approve_comments: update.auto_approve_comments,
        };
        let row = repo::update(conn, id, &changes, time::now())
            .map_err(ApiError::unique_as(DUPLICATE_SLUG))?;
        if let Some(links) = &links {
            repo::replace_links(conn, id, &link_rows(id, links))?;
        }
        let keys = changed_keys(&tree, id, current.parent_id, row.parent_id);
        let after = ChannelTree::load(conn)?;
        Ok(Changed::new(placed(conn, &after, id)?, keys)
            .with(Event::new(EventType::ChannelUpdated, id)))
    })
}

pub fn delete(
    conn: &mut AnyConnection,
    outbox: Outbox,
    key: &IdOrSlug,
    precondition: &IfMatch,
) -> Result<Changed<()>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = repo::find(conn, key)?.ok_or_else(|| ApiError::not_found("channel"))?;
        let id = current.id;
        precondition.check(current.version)?;
        let children = repo::count_children(conn, id)?;
        if children > 0 {
            return Err(ApiError::Conflict(format!(
                "the channel still has {children} sub-channel(s); move or delete them first"
            )));
        }
        let articles = articles::count_in_channel(conn, id)?;
        if articles > 0 {
            return Err(ApiError::Conflict(format!(
                "the channel still has {articles} article(s); move or delete them first"
            )));
        }
        repo::delete(conn, id)?;
        let tree = ChannelTree::load(conn)?;
        Ok(Changed::new(
            (),
            changed_keys(&tree, id, current.parent_id, current.parent_id),
        )
        .with(Event::new(EventType::ChannelDeleted, id)))
    })
}
