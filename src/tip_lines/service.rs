//! Tip-line rules (kinds, values, visibility) and the tip inbox (public submissions
//! with abuse limits, triage by editors, reporters seeing what is assigned to them).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{self, NewTipRow, TipFilter, TipLineFields, TipLineRow, TipRow, TipTriage};
use crate::articles::repo as articles;
use crate::channels::repo as channels;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::{StoredEnum, UnknownStoredValue};
use crate::domain::visibility::Visibility;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};
use crate::state::ClientTrace;
use crate::users::repo as users;

pub const TIP_MAX_CHARS: usize = 5000;

/// How a tip line is reached.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TipLineKind {
    Hotline,
    Qq,
    Sms,
    Wechat,
    Email,
    Web,
}

impl StoredEnum for TipLineKind {
    const COLUMN: &'static str = "tip_lines.kind";
}

impl TryFrom<String> for TipLineKind {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

impl TipLineKind {
    /// Checks `value` fits the kind: a phone number, a QQ number, an address or a URL.
    fn check_value(self, value: &str, errors: &mut Vec<FieldError>) {
        let phone_like = |v: &str| {
            v.chars().any(|c| c.is_ascii_digit())
                && v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        };
        let ok = match self {
            Self::Hotline | Self::Sms => phone_like(value),
            Self::Qq => {
                (5..=12).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
            }
            Self::Wechat => !value.chars().any(char::is_whitespace),
            Self::Email => {
                let mut email_errors = Vec::new();
                text::email("value", value, &mut email_errors);
                email_errors.is_empty()
            }
            Self::Web => {
                let mut url_errors = Vec::new();
                text::optional_url("value", Some(value), &mut url_errors);
                url_errors.is_empty()
            }
        };
        if !ok {
            let expected = match self {
                Self::Hotline | Self::Sms => "a phone number such as 0799-6321110",
                Self::Qq => "a QQ number of 5 to 12 digits",
                Self::Wechat => "a WeChat id or phone number without spaces",
                Self::Email => "an e-mail address",
                Self::Web => "an http:// or https:// URL",
            };
            errors.push(FieldError::new(
                "value",
                format!("must be {expected} for kind {}", self.as_str()),
            ));
        }
    }
}

/// Where a reader's tip stands in the newsroom.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TipStatus {
    New,
    InProgress,
    Used,
    Dismissed,
}

impl StoredEnum for TipStatus {
    const COLUMN: &'static str = "tips.status";
}

impl TryFrom<String> for TipStatus {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

pub struct NewTipLine {
    pub channel_id: i64,
    pub kind: TipLineKind,
    pub label: String,
    pub value: String,
    pub position: Option<i32>,
    pub active: Option<bool>,
}

/// Changes to a tip line; absent fields stay.
pub struct TipLineUpdate {
    pub channel_id: Option<i64>,
    pub kind: Option<TipLineKind>,
    pub label: Option<String>,
    pub value: Option<String>,
    pub position: Option<i32>,
    pub active: Option<bool>,
}

fn channel_id_of(conn: &mut AnyConnection, raw: &str) -> Result<Option<i64>, ApiError> {
    Ok(channels::find(conn, &IdOrSlug::parse(raw))?.map(|c| c.id))
}

pub fn list_tip_lines(
    conn: &mut AnyConnection,
    channel: Option<&str>,
    viewer: Option<CurrentUser>,
    page: PageRequest,
) -> Result<Paged<TipLineRow>, ApiError> {
    let lines = match channel {
        Some(raw) => match channel_id_of(conn, raw)? {
            Some(id) => repo::list(conn, Some(id), Visibility::of(viewer))?,
            None => Vec::new(),
        },
        None => repo::list(conn, None, Visibility::of(viewer))?,
    };
    Ok(Paged::slice(lines, page))
}

pub fn get_tip_line(
    conn: &mut AnyConnection,
    id: i64,
    viewer: Option<CurrentUser>,
) -> Result<TipLineRow, ApiError> {
    repo::find(conn, id)?
        .filter(|line| line.active || Visibility::of(viewer).sees_everything())
        .ok_or_else(|| ApiError::not_found("tip line"))
}

/// Validates a complete tip line (a new one, or an existing one with changes applied).
fn check_tip_line(conn: &mut AnyConnection, fields: &mut TipLineFields) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    fields.label = text::required("label", &fields.label, 50, &mut errors);
    fields.value = text::required("value", &fields.value, 200, &mut errors);
    if !fields.value.is_empty() {
        if let Some(kind) = TipLineKind::parse(fields.kind) {
            kind.check_value(&fields.value, &mut errors);
        }
    }
    if !channels::exists(conn, fields.channel_id)? {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    ApiError::check(errors)
}

pub fn create_tip_line(conn: &mut AnyConnection, new: NewTipLine) -> Result<TipLineRow, ApiError> {
    let mut fields = TipLineFields {
        channel_id: new.channel_id,
        kind: new.kind.as_str(),
        label: new.label,
        value: new.value,
        position: new.position.unwrap_or(0),
        active: new.active.unwrap_or(true),
    };
    write_transaction(conn, |conn| {
        check_tip_line(conn, &mut fields)?;
        Ok(repo::insert(conn, &fields, time::now())?)
    })
}

pub fn update_tip_line(
    conn: &mut AnyConnection,
    id: i64,
    precondition: &IfMatch,
    input: TipLineUpdate,
) -> Result<TipLineRow, ApiError> {
    write_transaction(conn, |conn| {
        let current = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("tip line"))?;
        let mut fields = TipLineFields {
            channel_id: input.channel_id.unwrap_or(current.channel_id),
            kind: input.kind.unwrap_or(current.kind).as_str(),
            label: input.label.unwrap_or(current.label),
            value: input.value.unwrap_or(current.value),
            position: input.position.unwrap_or(current.position),
            active: input.active.unwrap_or(current.active),
        };
        check_tip_line(conn, &mut fields)?;
        precondition.check(current.version)?;
        Ok(repo::update(conn, id, &fields, time::now())?)
    })
}

pub fn delete_tip_line(
    conn: &mut AnyConnection,
    id: i64,
    precondition: &IfMatch,
) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        let current = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("tip line"))?;
        precondition.check(current.version)?;
        repo::delete(conn, id)?;
        Ok(())
    })
}

/// A reader's tip as sent.
pub struct NewTip {
    pub channel_id: i64,
    pub content: String,
    pub contact: Option<String>,
    pub name: Option<String>,
    /// The hidden form field only bots fill in.
    pub honeypot: Option<String>,
}

/// Stores a tip; `None` when the honeypot was filled (the sender is told it worked).
pub fn send_tip(
    conn: &mut AnyConnection,
    client: &ClientTrace,
    tip: NewTip,
) -> Result<Option<TipRow>, ApiError> {
    client.spend()?;
    let mut errors = Vec::new();
    let content = text::required("content", &tip.content, TIP_MAX_CHARS, &mut errors);
    let contact = text::optional("contact", tip.contact.as_deref(), 100, &mut errors);
    let name = text::optional("name", tip.name.as_deref(), 50, &mut errors);
    if !channels::exists(conn, tip.channel_id)? {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    ApiError::check(errors)?;
    if tip.honeypot.is_some_and(|h| !h.trim().is_empty()) {
        log::info!("dropped a tip whose honeypot field was filled");
        return Ok(None);
    }
    let now = time::now();
    let row = NewTipRow {
        channel_id: Some(tip.channel_id),
        content,
        contact,
        name,
        status: TipStatus::New.as_str(),
        client_hash: client.hash.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    write_transaction(conn, |conn| Ok(Some(repo::insert_tip(conn, &row)?)))
}

/// Editors see every tip; reporters only those assigned to them.
fn assigned_only(actor: CurrentUser) -> Option<i64> {
    (!actor.is(Role::Editor)).then_some(actor.id)
}

pub fn list_tips(
    conn: &mut AnyConnection,
    actor: CurrentUser,
    status: Option<TipStatus>,
    channel: Option<&str>,
    page: PageRequest,
) -> Result<Paged<TipRow>, ApiError> {
    let channel_id = match channel {
        Some(raw) => match channel_id_of(conn, raw)? {
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
    Ok(Paged::of(repo::list_tips(conn, &filter, page)?, page))
}

pub fn get_tip(conn: &mut AnyConnection, actor: CurrentUser, id: i64) -> Result<TipRow, ApiError> {
    repo::find_tip(conn, id)?
        .filter(|tip| assigned_only(actor).is_none_or(|me| tip.assignee_id == Some(me)))
        .ok_or_else(|| ApiError::not_found("tip"))
}

/// Changes to a tip in the inbox; `Some(None)` clears a link.
pub struct TipUpdate {
    pub status: Option<TipStatus>,
    pub assignee_id: Option<Option<i64>>,
    pub article_id: Option<Option<i64>>,
}

pub fn update_tip(
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
        let current = get_tip(conn, actor, id)?;
        let triage = TipTriage {
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
        Ok(repo::triage_tip(conn, id, &triage, time::now())?)
    })
}
