//! The tip inbox: public submissions with abuse limits, triage by editors, reporters
//! seeing what is assigned to them.

use super::repo::{self, NewTipRow, TipChanges, TipFilter, TipRow};
use crate::articles::repo as articles;
use crate::channels::repo as channels;
use crate::db::outbox;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::enums::TipStatus;
use crate::domain::event::{Event, EventType};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::state::ClientTrace;
use crate::users::repo as users;

pub const TIP_MAX_CHARS: usize = 5000;

/// A reader's tip as sent.
pub struct NewTip {
    pub channel_id: i64,
    pub content: String,
    pub contact: Option<String>,
    pub name: Option<String>,
    /// The hidden form field only bots fill in.
    pub honeypot: Option<String>,
}

/// Stores a tip. One whose honeypot was filled is stored as `spam`, and its sender
/// gets the same receipt as anyone else, so a bot cannot tell that it was caught.
pub fn send(
    conn: &mut AnyConnection,
    client: &ClientTrace,
    tip: NewTip,
) -> Result<TipRow, ApiError> {
    client.spend()?;
    let mut errors = Vec::new();
    let content = text::required("content", &tip.content, TIP_MAX_CHARS, &mut errors);
    let contact = text::optional("contact", tip.contact.as_deref(), 100, &mut errors);
    let name = text::optional("name", tip.name.as_deref(), 50, &mut errors);
    if !channels::exists(conn, tip.channel_id)? {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    ApiError::check(errors)?;
    let status = if tip.honeypot.is_some_and(|h| !h.trim().is_empty()) {
        log::info!("set aside a tip whose honeypot field was filled");
        TipStatus::Spam
    } else {
        TipStatus::New
    };
    let now = time::now();
    let row = NewTipRow {
        channel_id: Some(tip.channel_id),
        content,
        contact,
        name,
        status: status.as_str(),
        client_hash: client.hash.clone(),
    };
    write_transaction(conn, |conn| {
        let tip = repo::insert(conn, &row, now)?;
        // A tip set aside as spam is not announced.
        if status != TipStatus::Spam {
            outbox::record_events(conn, &[Event::new(EventType::TipReceived, tip.id)])?;
        }
        Ok(tip)
    })
}

/// Editors see every tip; reporters only those assigned to them.
fn assigned_only(actor: CurrentUser) -> Option<i64> {
    actor.limited_to_own()
}

pub fn list(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    status: Option<TipStatus>,
    channel: Option<&str>,
    page: PageRequest,
) -> Result<Paged<TipRow>, ApiError> {
    let channel_id = match channel {
        Some(raw) => match channels::id_of(conn, &IdOrSlug::parse(raw))? {
            Some(id) => Some(id),
            None => {
                return Ok(Paged::empty(page));
            }
        },
        None => None,
    };
    let filter = TipFilter {
        status,
        channel_id,
        assignee_id: assigned_only(actor),
    };
    Ok(Paged::of(repo::list(conn, &filter, page)?, page))
}

pub fn get(conn: &mut AnyConnection, actor: CurrentUser, id: i64) -> Result<TipRow, ApiError> {
    repo::find(conn, id)?
        .filter(|tip| assigned_only(actor).is_none_or(|me| tip.assignee_id == Some(me)))
        .ok_or_else(|| ApiError::not_found("tip"))
}

/// Changes to a tip in the inbox; `Some(None)` clears a link.
pub struct TipUpdate {
    pub status: Option<TipStatus>,
    pub assignee_id: Option<Option<i64>>,
    pub article_id: Option<Option<i64>>,
}

pub fn update(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    id: i64,
    precondition: &IfMatch,
    update: TipUpdate,
) -> Result<TipRow, ApiError> {
    if !actor.is(Role::Editor) && (update.assignee_id.is_some() || update.article_id.is_some()) {
        return Err(ApiError::Forbidden(
            "reporters may change only the status of tips assigned to them".into(),
        ));
    }
    write_transaction(conn, |conn| {
        let current = get(conn, actor, id)?;
        let triage = TipChanges {
            status: update.status.unwrap_or(current.status).as_str(),
            assignee_id: update.assignee_id.unwrap_or(current.assignee_id),
            article_id: update.article_id.unwrap_or(current.article_id),
        };
        let mut errors = Vec::new();
        if let Some(user) = triage.assignee_id.filter(|_| update.assignee_id.is_some()) {
            if !users::find(conn, user)?.is_some_and(|u| u.active) {
                errors.push(FieldError::new(
                    "assignee_id",
                    "no active account has this id",
                ));
            }
        }
        if let Some(article) = triage.article_id.filter(|_| update.article_id.is_some()) {
            if articles::existing_ids(conn, &[article])?.is_empty() {
                errors.push(FieldError::new("article_id", "no article has this id"));
            }
        }
        ApiError::check(errors)?;
        precondition.check(current.version)?;
        Ok(repo::update(conn, id, &triage, time::now())?)
    })
}
