//! Comment rules: only on public articles that allow them, plain text, replies nested
//! a few levels, moderation unless the channel auto-approves, no doubled posts, and an
//! exact `comment_count`.

use super::repo::{self, CommentFilter, CommentRow, NewCommentRow};
use crate::articles::repo as articles;
use crate::channels::repo as channels;
use crate::db::AnyConnection;
use crate::db::outbox::Outbox;
use crate::domain::enums::CommentStatus;
use crate::domain::event::{Event, EventType};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::CurrentUser;
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::surrogate::{Changed, Key, Keys, Shown};
use crate::domain::visibility::Visibility;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::state::ClientTrace;

pub const BODY_MAX_CHARS: usize = 2000;
/// A comment is depth 0; replies go two levels below it (a reply to a reply), no deeper.
pub const MAX_DEPTH: i32 = 2;

/// A reader's comment as sent.
pub struct NewComment {
    pub author_name: String,
    pub body: String,
    pub parent_id: Option<i64>,
    /// The hidden form field only bots fill in.
    pub honeypot: Option<String>,
}

fn find_article(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    visibility: Visibility,
) -> Result<articles::ArticleRow, ApiError> {
    articles::find(conn, key, visibility, time::now())?
        .ok_or_else(|| ApiError::not_found("article"))
}

/// Approved comments of an article the viewer may read, oldest first.
pub fn list_for_article(
    conn: &mut AnyConnection,
    key: &IdOrSlug,
    viewer: Option<CurrentUser>,
    page: PageRequest,
) -> Result<Shown<Paged<CommentRow>>, ApiError> {
    let article = find_article(conn, key, Visibility::of(viewer))?;
    let filter = CommentFilter {
        article_id: Some(article.id),
        status: CommentStatus::Approved,
    };
    // The list is there only while the article is public.
    Ok(Shown::new(
        Paged::of(repo::list(conn, &filter, page)?, page),
        shown_on(article.id),
    ))
}

/// Stores a comment on a public article. One whose honeypot was filled is stored as
/// `spam` (editors can still rescue it from the `spam` queue), and its sender is
/// answered as for any comment awaiting moderation (see `CommentOut::receipt`).
pub fn post(
    conn: &mut AnyConnection,
    outbox: Outbox,
    client: &ClientTrace,
    key: &IdOrSlug,
    new: NewComment,
) -> Result<Changed<CommentRow>, ApiError> {
    client.spend()?;
    let mut errors = Vec::new();
    let author_name = text::required("author_name", &new.author_name, 50, &mut errors);
    if new.body.trim().is_empty() {
        errors.push(FieldError::new("body", "must not be empty"));
    } else if new.body.chars().count() > BODY_MAX_CHARS {
        errors.push(FieldError::new(
            "body",
            format!("must be at most {BODY_MAX_CHARS} characters"),
        ));
    }
    outbox.transaction(conn, |conn| {
        let mut errors = errors.clone();
        // Readers comment on what readers can see, whoever is signed in.
        let article = find_article(conn, key, Visibility::Public)?;
        if !article.comments_enabled {
            return Err(ApiError::Forbidden(
                "comments are closed on this article".into(),
            ));
        }
        let depth = match new.parent_id {
            None => 0,
            Some(parent_id) => match repo::find(conn, parent_id)? {
                Some(parent)
                    if parent.article_id == article.id
                        && parent.status == CommentStatus::Approved =>
                {
                    if parent.depth >= MAX_DEPTH {
                        errors.push(FieldError::new(
                            "parent_id",
                            format!(
                                "replies nest at most {MAX_DEPTH} levels deep; reply higher up"
                            ),
                        ));
                    }
                    parent.depth + 1
                }
                _ => {
                    errors.push(FieldError::new(
                        "parent_id",
                        "no approved comment of this article has this id",
                    ));
                    0
                }
            },
        };
        ApiError::check(errors)?;
        let last = repo::latest_by_client(conn, &client.hash, article.id)?;
        if last.is_some_and(|last| last.body == new.body) {
            return Err(ApiError::Conflict("you just posted this comment".into()));
        }
        let trapped = new
            .honeypot
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty());
        let auto_approve = !trapped
            && channels::find(conn, &IdOrSlug::Id(article.channel_id))?
                .is_some_and(|c| c.auto_approve_comments);
        let status = if trapped {
            log::info!("set aside a comment whose honeypot field was filled");
            CommentStatus::Spam
        } else if auto_approve {
            CommentStatus::Approved
        } else {
            CommentStatus::Pending
        };
        let row = repo::insert(
            conn,
            &NewCommentRow {
                article_id: article.id,
                parent_id: new.parent_id,
                depth,
                author_name: author_name.clone(),
                body: new.body.clone(),
                status: status.as_str(),
                client_hash: client.hash.clone(),
            },
            time::now(),
        )?;
        // A comment waiting for moderation changes nothing readers see.
        let keys = if auto_approve {
            repo::recount(conn, article.id)?;
            shown_on(article.id)
        } else {
            Keys::none()
        };
        // Spam is set aside without a word; an approved comment is announced as both.
        let events = match status {
            CommentStatus::Spam => vec![],
            CommentStatus::Approved => vec![
                Event::new(EventType::CommentCreated, row.id),
                Event::new(EventType::CommentApproved, row.id),
            ],
            _ => vec![Event::new(EventType::CommentCreated, row.id)],
        };
        Ok(Changed::new(row, keys).with_all(events))
    })
}

/// The moderation queue: one status (default `pending`), optionally one article, oldest first.
pub fn queue(
    conn: &mut AnyConnection,
    status: Option<CommentStatus>,
    article: Option<&str>,
    page: PageRequest,
) -> Result<Paged<CommentRow>, ApiError> {
    let article_id = match article {
        Some(raw) => match articles::find(
            conn,
            &IdOrSlug::parse(raw),
            Visibility::Everything,
            time::now(),
        )? {
            Some(found) => Some(found.id),
            None => {
                return Ok(Paged::empty(page));
            }
        },
        None => None,
    };
    let filter = CommentFilter {
        article_id,
        status: status.unwrap_or(CommentStatus::Pending),
    };
    Ok(Paged::of(repo::list(conn, &filter, page)?, page))
}

pub fn get(conn: &mut AnyConnection, id: i64) -> Result<CommentRow, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("comment"))
}

pub fn moderate(
    conn: &mut AnyConnection,
    outbox: Outbox,
    id: i64,
    precondition: &IfMatch,
    status: CommentStatus,
) -> Result<Changed<CommentRow>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = get(conn, id)?;
        precondition.check(current.version)?;
        let row = repo::set_status(conn, id, status, time::now())?;
        repo::recount(conn, row.article_id)?;
        let keys = if current.status == CommentStatus::Approved || status == CommentStatus::Approved
        {
            shown_on(row.article_id)
        } else {
            Keys::none()
        };
        let approved = (current.status != CommentStatus::Approved
            && status == CommentStatus::Approved)
            .then(|| Event::new(EventType::CommentApproved, row.id));
        Ok(Changed::new(row, keys).with_all(approved))
    })
}

/// Where approved comments show: the article's comment list, and its `comment_count`.
fn shown_on(article_id: i64) -> Keys {
    Keys::of([Key::Comments(article_id), Key::Article(article_id)])
}

/// Deletes a comment and the replies below it.
pub fn delete(
    conn: &mut AnyConnection,
    outbox: Outbox,
    id: i64,
    precondition: &IfMatch,
) -> Result<Changed<()>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = get(conn, id)?;
        precondition.check(current.version)?;
        repo::delete(conn, id)?;
        repo::recount(conn, current.article_id)?;
        // Approved replies may go with it, whatever its own status was.
        Ok(Changed::new((), shown_on(current.article_id)))
    })
}
