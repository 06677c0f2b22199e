//! Author rules: unique slugs, an optional link to one account, no deleting an author
//! that bylines still name.

use super::repo::{self, AuthorChanges, AuthorRow, NewAuthorRow};
use crate::db::AnyConnection;
use crate::db::outbox::Outbox;
use crate::domain::event::{Event, EventType};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::slug::{IdOrSlug, Slug};
use crate::domain::surrogate::{Changed, Key, Keys, Shown};
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::media::repo as media;
use crate::users::repo as users;

const DUPLICATE: &str = "another author already has this slug, or is linked to this account";

pub struct NewAuthor {
    pub name: String,
    pub slug: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub avatar_media_id: Option<i64>,
    pub user_id: Option<i64>,
}

pub struct AuthorUpdate {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub title: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub avatar_media_id: Option<Option<i64>>,
    pub user_id: Option<Option<i64>>,
}

pub fn list(
    conn: &mut AnyConnection,
    page: PageRequest,
) -> Result<Shown<Paged<AuthorRow>>, ApiError> {
    let authors = Paged::of(repo::list(conn, page)?, page);
    let mut keys = Keys::of([Key::Authors]);
    keys.extend(authors.items.iter().map(|a| Key::Author(a.id)));
    Ok(Shown::new(authors, keys))
}

pub fn get(conn: &mut AnyConnection, key: &IdOrSlug) -> Result<AuthorRow, ApiError> {
    repo::find(conn, key)?.ok_or_else(|| ApiError::not_found("author"))
}

/// An author as a reader sees it.
pub fn show(conn: &mut AnyConnection, key: &IdOrSlug) -> Result<Shown<AuthorRow>, ApiError> {
    let author = get(conn, key)?;
    let keys = Keys::of([Key::Author(author.id)]);
    Ok(Shown::new(author, keys))
}

/// An author shows on its own, in the author list, and in every byline naming it.
fn changed_keys(id: i64) -> Keys {
    Keys::of([Key::Author(id), Key::Authors])
}

fn check_user(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    if let Some(id) = user_id {
        if users::find(conn, id)?.is_none() {
            errors.push(FieldError::new("user_id", "no account has this id"));
        }
    }
    Ok(())
}

fn check_avatar(
    conn: &mut AnyConnection,
    media_id: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    if let Some(id) = media_id {
        if media::find_many(conn, &[id])?.is_empty() {
            errors.push(FieldError::new(
                "avatar_media_id",
                "no library image has this id",
            ));
        }
    }
    Ok(())
}

pub fn create(
    conn: &mut AnyConnection,
    outbox: Outbox,
    new: NewAuthor,
) -> Result<Changed<AuthorRow>, ApiError> {
    let mut errors = Vec::new();
    let name = text::required("name", &new.name, 100, &mut errors);
    let slug = Slug::field(&new.slug, &mut errors);
    let title = text::optional("title", new.title.as_deref(), 50, &mut errors);
    let bio = text::optional("bio", new.bio.as_deref(), 5000, &mut errors);
    let avatar_url = text::optional_url("avatar_url", new.avatar_url.as_deref(), &mut errors);
    outbox.transaction(conn, |conn| {
        let mut errors = errors.clone();
        check_user(conn, new.user_id, &mut errors)?;
        check_avatar(conn, new.avatar_media_id, &mut errors)?;
        ApiError::check(errors)?;
        let now = time::now();
        let row = NewAuthorRow {
            slug: slug.clone(),
            name: name.clone(),
            title: title.clone(),
            bio: bio.clone(),
            avatar_url: avatar_url.clone(),
            avatar_media_id: new.avatar_media_id,
            user_id: new.user_id,
        };
        let author = repo::insert(conn, &row, now).map_err(ApiError::unique_as(DUPLICATE))?;
        let keys = changed_keys(author.id);
        let event = Event::new(EventType::AuthorCreated, author.id);
        Ok(Changed::new(author, keys).with(event))
    })
}

pub fn update(
    conn: &mut AnyConnection,
    outbox: Outbox,
    key: &IdOrSlug,
    precondition: &IfMatch,
    update: AuthorUpdate,
) -> Result<Changed<AuthorRow>, ApiError> {
    let mut errors = Vec::new();
    let name = update
        .name
        .as_deref()
        .map(|n| text::required("name", n, 100, &mut errors));
    let slug = update.slug.as_deref().map(|s| Slug::field(s, &mut errors));
    let title = update
        .title
        .map(|t| text::optional("title", t.as_deref(), 50, &mut errors));
    let bio = update
        .bio
        .map(|b| text::optional("bio", b.as_deref(), 5000, &mut errors));
    let avatar_url = update
        .avatar_url
        .map(|u| text::optional_url("avatar_url", u.as_deref(), &mut errors));
    outbox.transaction(conn, |conn| {
        let current = get(conn, key)?;
        let mut errors = errors.clone();
        check_user(conn, update.user_id.flatten(), &mut errors)?;
        check_avatar(conn, update.avatar_media_id.flatten(), &mut errors)?;
        ApiError::check(errors)?;
        precondition.check(current.version)?;
        let changes = AuthorChanges {
            slug: slug.clone(),
            name: name.clone(),
            title: title.clone(),
            bio: bio.clone(),
            avatar_url: avatar_url.clone(),
            avatar_media_id: update.avatar_media_id,
            user_id: update.user_id,
        };
        let author = repo::update(conn, current.id, &changes, time::now())
            .map_err(ApiError::unique_as(DUPLICATE))?;
        let event = Event::new(EventType::AuthorUpdated, current.id);
        Ok(Changed::new(author, changed_keys(current.id)).with(event))
    })
}

pub fn delete(
    conn: &mut AnyConnection,
    outbox: Outbox,
    key: &IdOrSlug,
    precondition: &IfMatch,
) -> Result<Changed<()>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = get(conn, key)?;
        precondition.check(current.version)?;
        let bylines = repo::count_bylines(conn, current.id)?;
        if bylines > 0 {
            return Err(ApiError::Conflict(format!(
                "{bylines} article byline(s) still name this author; change them first"
            )));
        }
        repo::delete(conn, current.id)?;
        let event = Event::new(EventType::AuthorDeleted, current.id);
        Ok(Changed::new((), changed_keys(current.id)).with(event))
    })
}
